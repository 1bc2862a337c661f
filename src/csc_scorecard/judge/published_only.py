"""Measures DfE publishes that no return a council makes can give (Cafcass care applications, foster places,
school stability): shown as published, the LA's value beside England, its region and its statistical
neighbours. Never computed and never judged: there is no figure of the council's own to give a RAG or a trend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import duckdb

from ..periods import Period
from .benchmarks import Comparator, Published
from .indicator import IndicatorMeta
from .narrative import figure_sentence
from .position import SUPPRESSION
from .units import fmt


@dataclass(frozen=True)
class PublishedOnly:
    meta: IndicatorMeta  # lait_code is the LAIT measure shown
    source: str  # who publishes it, from what
    year: str | None  # the published year shown: the latest at or before the period's; None when none is
    la: Comparator | None
    england: Comparator | None
    region: Comparator | None
    sn: Comparator | None  # the statistical neighbours' average the scorecard uses

    @staticmethod
    def shown(c: Comparator | None, unit: str) -> str:
        """A comparator's value as printed, or why there is none ('suppressed (1 to 5)', 'not published')."""
        if c is None or (c.value is None and c.symbol in (None, "-")):
            return "not published"
        if c.value is None:
            return SUPPRESSION.get(c.symbol or "", f"suppressed ({c.symbol})")
        return fmt(c.value, unit)

    @property
    def display(self) -> str:
        return self.shown(self.la, self.meta.unit)

    @property
    def narrative(self) -> str:
        """Plain English, saying it is DfE's figure, not the scorecard's."""
        if self.year is None:
            return f"{self.meta.label}: DfE has published no figure for this period or earlier."
        when = f"in {self.year}"
        if self.la is None or self.la.value is None:
            opening = f"{self.meta.label}: the council's published figure {when} is {self.display}."
        else:
            opening = figure_sentence(self.meta, self.la.value, when) + ", as DfE published it."
        others = [
            f"{name} {self.shown(c, self.meta.unit)}"
            for name, c in (("England", self.england), ("the region", self.region), ("neighbours", self.sn))
            if c is not None and c.value is not None
        ]
        beside = f" Beside it: {', '.join(others)}." if others else ""
        return f"{opening}{beside} Not computed from the council's returns ({self.source})."


def published_only(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    period: Period,
    meta: IndicatorMeta,
    source: str,
    *,
    sn_version: str | None = None,
    sn_average: Literal["mean", "median"] = "mean",
    published: Published | None = None,
) -> PublishedOnly:
    """The measure's published values for the period's year (or the latest year before it); `published`: the
    comparators already read for the scorecard (Published.load with this LA, year and list)."""
    if meta.lait_code is None:
        raise ValueError(f"{meta.id}: a published-only measure needs its LAIT measure")
    published = published or Published.load(
        con, la_code, [meta.lait_code], period.financial_year, sn_version=sn_version
    )
    found = {c.comparator: c for c in published.comparators(meta.lait_code)}
    year = next(iter(found.values())).year if found else None
    return PublishedOnly(
        meta,
        source.strip().removesuffix("."),
        year,
        found.get("la"),
        found.get("england"),
        found.get("region"),
        found.get(f"sn_{sn_average}"),
    )


__all__ = ["PublishedOnly", "published_only"]
