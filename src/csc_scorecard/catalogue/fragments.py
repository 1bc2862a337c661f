"""The SQL fragments of the catalogue: parsing (DuckDB dialect), and what a fragment refers to.

A fragment is either a population query (`SELECT ... FROM <canonical tables>`) or an expression over a
population's columns (a numerator filter, a value). Fragments may use:
- named placeholders: `:period_start` and `:period_end` (the window of each result row), `:breakdown_date` (in
  breakdowns), and `:<option>` for an indicator's options; the engine binds them, no value is ever pasted in;
- `child.<column>` for the child's characteristics (the canonical `children` table);
- the macros below, which the engine expands into portable SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import sqlglot
from sqlglot import exp

DIALECT = "duckdb"
PERIOD_PLACEHOLDERS = frozenset({"period_start", "period_end"})
BREAKDOWN_PLACEHOLDER = "breakdown_date"
PERIODS_TABLE = "periods"  # the builder's table of windows: period_id, period_start, period_end
PERIOD_ID = "period_id"
CHILD_ALIAS = "child"  # alias of the children table inside indicator fragments and breakdowns
UNIT_ALIAS = "u"  # alias of the population row inside indicator fragments
REQUIRED_COLUMNS = ("la_code", "child_id", "load_id", "src_line")
# The engine's own CTEs sit beside the populations in each query, so no population may take their names.
ENGINE_CTES = frozenset(
    {
        "scoped",
        "agg",
        "coverage_years",
        "covered",
        "las",
        "frame",
        "period_population",
        "engine_windows",
        "engine_las",
    }
)


class FragmentError(ValueError):
    """A fragment that does not parse, or is the wrong kind of SQL."""


@dataclass(frozen=True)
class Macro:
    name: str
    params: tuple[str, ...]
    doc: str


MACROS: dict[str, Macro] = {
    m.name: m
    for m in (
        Macro(
            "working_days",
            ("start", "end"),
            "working days d with start < d <= end, a start on a non-working day rolled forward "
            "(ref_calendar: Monday-Friday, not an England and Wales bank holiday); same day = 0",
        ),
        Macro(
            "age_in_years",
            ("dob", "on_date"),
            "age in completed years on a date (year difference, less 1 if the birthday has not come yet)",
        ),
        Macro("open_at", ("start", "end", "on_date"), "start <= on_date and (end is null or end > on_date)"),
        Macro(
            "add_years",
            ("date", "years"),
            "the same calendar date n years later (or earlier); 29 February becomes 28 February",
        ),
        Macro(
            "add_months", ("date", "months"), "the same day n calendar months later, clipped to the month end"
        ),
        Macro("days_between", ("start", "end"), "calendar days from start to end"),
    )
}


@cache
def _parse_cached(sql: str) -> exp.Expression:
    try:
        parsed = sqlglot.parse(sql, read=DIALECT)
    except sqlglot.errors.ParseError as error:
        first = error.errors[0] if error.errors else {}
        where = f" (line {first.get('line')}, column {first.get('col')})" if first else ""
        raise FragmentError(f"SQL does not parse{where}: {first.get('description', error)}") from None
    statements = [s for s in parsed if s is not None]
    if len(statements) != 1:
        raise FragmentError(f"expected one SQL statement or expression, found {len(statements)}")
    return statements[0]


def parse(sql: str) -> exp.Expression:
    """A fresh copy of the parsed fragment (callers may transform it)."""
    return _parse_cached(sql.strip()).copy()


def parse_query(sql: str) -> exp.Query:
    node = parse(sql)
    if not isinstance(node, exp.Query):
        raise FragmentError("a population must be a query (SELECT ...)")
    return node


def parse_expression(sql: str) -> exp.Expression:
    node = parse(sql)
    if isinstance(node, exp.Query):
        raise FragmentError("expected an expression, not a query (wrap a query in parentheses as a subquery)")
    return node


def macro_name(node: exp.Expression) -> str | None:
    """The macro a node calls, if any. `add_months` is a known sqlglot function, so it is matched by class."""
    if node.meta.get("expanded"):
        return None
    if isinstance(node, exp.AddMonths):
        return "add_months"
    if isinstance(node, exp.Anonymous) and node.name.lower() in MACROS:
        return node.name.lower()
    return None


def macro_calls(node: exp.Expression) -> Iterator[tuple[str, exp.Func]]:
    for candidate in node.find_all(exp.Anonymous, exp.AddMonths):
        name = macro_name(candidate)
        if name is not None:
            yield name, candidate


def macro_arguments(call: exp.Func) -> list[exp.Expression]:
    if isinstance(call, exp.Anonymous):
        return list(call.expressions)
    return [a for a in (call.this, call.expression) if a is not None]


def placeholders(node: exp.Expression) -> set[str]:
    """Names of the `:name` placeholders; an unnamed `?` is reported as ''."""
    return {p.name for p in node.find_all(exp.Placeholder)}


def _inside_subquery(node: exp.Expression, root: exp.Expression) -> bool:
    parent = node.parent
    while parent is not None and parent is not root:
        if isinstance(parent, exp.Query):
            return True
        parent = parent.parent
    return False


def outer_columns(node: exp.Expression) -> list[exp.Column]:
    """Column references of an expression fragment that are not inside a subquery of their own."""
    return [c for c in node.find_all(exp.Column) if not _inside_subquery(c, node)]


def unit_columns(node: exp.Expression) -> set[str]:
    """Population columns an expression fragment uses (unqualified or `u.`)."""
    return {c.name for c in outer_columns(node) if c.table in ("", UNIT_ALIAS)}


def child_columns(node: exp.Expression) -> set[str]:
    return {c.name for c in node.find_all(exp.Column) if c.table == CHILD_ALIAS}


def output_columns(query: exp.Query) -> tuple[str, ...]:
    if any(isinstance(s, exp.Star) or (isinstance(s, exp.Column) and s.is_star) for s in query.selects):
        raise FragmentError("a population's final SELECT must name its columns (no *)")
    return tuple(query.named_selects)


def referenced_tables(query: exp.Expression) -> set[str]:
    """Tables a query reads, leaving out the names of its own CTEs."""
    ctes = {cte.alias for cte in query.find_all(exp.CTE)}
    return {t.name for t in query.find_all(exp.Table) if t.name and t.name not in ctes}


__all__ = [
    "BREAKDOWN_PLACEHOLDER",
    "CHILD_ALIAS",
    "DIALECT",
    "ENGINE_CTES",
    "MACROS",
    "PERIODS_TABLE",
    "PERIOD_ID",
    "PERIOD_PLACEHOLDERS",
    "REQUIRED_COLUMNS",
    "UNIT_ALIAS",
    "FragmentError",
    "Macro",
    "child_columns",
    "macro_arguments",
    "macro_calls",
    "macro_name",
    "outer_columns",
    "output_columns",
    "parse",
    "parse_expression",
    "parse_query",
    "placeholders",
    "referenced_tables",
    "unit_columns",
]
