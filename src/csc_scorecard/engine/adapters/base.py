"""What the engine needs from a database, sqlmesh style: a dialect, capability flags and a way to run a tree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlglot import exp


@dataclass(frozen=True)
class Relation:
    """A small table a query reads besides the store's (the windows and LAs of a run), given with each run so
    that the query's text stays the same from run to run."""

    columns: tuple[tuple[str, str], ...]  # (name, type): INT, DOUBLE, DATE or VARCHAR
    rows: Sequence[tuple[Any, ...]]


class EngineAdapter:
    """Runs SQLGlot trees on one kind of engine. Subclasses set the dialect and flags and override small hooks."""

    dialect: ClassVar[str] = ""
    # The catalogue's SQL needs these; an engine without them cannot run it.
    SUPPORTS_CORRELATED_SCALAR_SUBQUERIES: ClassVar[bool] = True  # working_days() reads ref_calendar
    SUPPORTS_WINDOW_FUNCTIONS: ClassVar[bool] = True  # lag(), row_number(), running max
    SUPPORTS_NULL_SAFE_EQUALITY: ClassVar[bool] = True  # IS NOT DISTINCT FROM, for breakdown joins
    # Optional: the engine falls back without them.
    SUPPORTS_ARRAY_AGG_DISTINCT: ClassVar[bool] = True  # a set aggregate, else lists de-duplicated in Python
    # Several COUNT(DISTINCT ...) in one GROUP BY cost about one pass each: children are counted from one grouping
    # by GROUPING SETS per child and per load; else (Spark) per child, with each child's loads listed.
    CHEAP_DISTINCT_AGGREGATES: ClassVar[bool] = True

    REQUIRED: ClassVar[tuple[str, ...]] = (
        "SUPPORTS_CORRELATED_SCALAR_SUBQUERIES",
        "SUPPORTS_WINDOW_FUNCTIONS",
        "SUPPORTS_NULL_SAFE_EQUALITY",
    )

    def __init__(self, connection: Any):
        missing = [flag for flag in self.REQUIRED if not getattr(self, flag)]
        if missing:
            raise NotImplementedError(
                f"the {self.dialect} adapter lacks {missing}, which the catalogue needs"
            )
        self.connection = connection

    def sql(self, expression: exp.Expression, pretty: bool = False) -> str:
        return expression.sql(dialect=self.dialect, pretty=pretty)

    def fetch(self, expression: exp.Expression) -> list[dict[str, Any]]:
        """Rows of a query as dicts."""
        raise NotImplementedError

    def run(self, sql: str, tables: Sequence[str], inputs: Mapping[str, Relation]) -> list[dict[str, Any]]:
        """Rows (as dicts) of a query already written in the dialect, reading the store's `tables` and the
        `inputs` by name."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what the adapter holds beyond the connection (which stays open: the caller owns it)."""


__all__ = ["EngineAdapter", "Relation"]
