"""Quartiles and statistical-neighbour averages from the project's own results, beside the published ones.

When the store holds results for every LA (a national or regional run, `indicator_results`), LAIT's comparators
can be computed from our own figures: to check them against what DfE published, and for periods DfE has not
published (an in-year quarter). The methods are the published ones:
- quartile cut points: R's type-7 quantile over every LA's value (position.quartile_cuts, as LAIT does);
- SN mean and median: over the LA's statistical neighbours (stat_neighbours; the list in force at the end of
  the period's year unless one is chosen, as benchmarks.comparators does), counting only neighbours with a value.
Only whole-LA results with a value take part (breakdown NULL, value NOT NULL): an LA with no figure is left out,
as a suppressed published value is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from ..periods import financial_year_of
from .benchmarks import (
    SN_VERSIONS,
    Comparator,
    comparators,
    latest_published_year,
    neighbour_averages,
    sn_version_for,
)
from .position import published_distribution, quartile_cuts

Cuts = tuple[float, float, float, float, float]


def own_values(con: duckdb.DuckDBPyConnection, indicator_id: str, period: str) -> dict[str, float]:
    """Every LA's own whole-LA value of an indicator for one period code (LAs with no value left out)."""
    rows = con.execute(
        "SELECT la_code, value FROM indicator_results WHERE indicator_id = ? AND period = ? "
        "AND breakdown IS NULL AND value IS NOT NULL ORDER BY la_code",
        [indicator_id, period],
    ).fetchall()
    return dict(rows)


def own_quartile_cuts(
    con: duckdb.DuckDBPyConnection, indicator_id: str, period: str
) -> tuple[Cuts | None, int]:
    """(0%, 25%, 50%, 75%, 100% cut points over every LA's own value, or None without values; LAs counted)."""
    values = list(own_values(con, indicator_id, period).values())
    return (quartile_cuts(values) if values else None), len(values)


def _period_year(con: duckdb.DuckDBPyConnection, indicator_id: str, period: str) -> str | None:
    """The financial year the period ends in (as the published comparators are chosen), from the results."""
    rows = con.execute(
        "SELECT max(period_end) FROM indicator_results WHERE indicator_id = ? AND period = ?",
        [indicator_id, period],
    ).fetchall()
    return financial_year_of(rows[0][0]) if rows[0][0] is not None else None


def own_sn_averages(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    indicator_id: str,
    period: str,
    *,
    sn_version: str | None = None,
) -> list[Comparator]:
    """The SN mean and median of the LA's neighbours' own values, labelled as ours, with how many had a value."""
    year = _period_year(con, indicator_id, period)
    sn_version = sn_version or (sn_version_for(year) if year else next(iter(SN_VERSIONS)))
    if sn_version not in SN_VERSIONS:
        raise ValueError(f"statistical neighbour list {sn_version!r}: choose one of {', '.join(SN_VERSIONS)}")
    neighbours = [
        code
        for (code,) in con.execute(
            "SELECT neighbour_code FROM stat_neighbours WHERE sn_version = ? AND la_code = ? ORDER BY rank",
            [sn_version, la_code],
        ).fetchall()
    ]
    values = own_values(con, indicator_id, period)
    known = [values[code] for code in neighbours if code in values]
    return neighbour_averages(known, len(neighbours), f"own results, {sn_version} list", period)


@dataclass(frozen=True)
class OwnVsPublished:
    """Our comparators for one LA, indicator and period beside the published ones for the same year."""

    indicator_id: str
    period: str
    measure_code: str
    published_year: str | None  # None: nothing published at or before the period's year
    own_cuts: Cuts | None
    own_n: int
    published_cuts: Cuts | None
    published_n: int
    own_sn: list[Comparator]
    published_sn: list[Comparator]


def compare_with_published(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    indicator_id: str,
    period: str,
    measure_code: str,
    *,
    sn_version: str | None = None,
) -> OwnVsPublished:
    """Quartile cuts and SN averages from our results and from the published values (LAIT `measure_code`)."""
    own_cuts, own_n = own_quartile_cuts(con, indicator_id, period)
    own_sn = own_sn_averages(con, la_code, indicator_id, period, sn_version=sn_version)
    year = _period_year(con, indicator_id, period)
    published = latest_published_year(con, measure_code, year) if year else None
    distribution: Sequence[float] = published_distribution(con, measure_code, published) if published else []
    published_sn = [
        c
        for c in (comparators(con, la_code, measure_code, year, sn_version=sn_version) if year else [])
        if c.comparator in ("sn_mean", "sn_median")
    ]
    return OwnVsPublished(
        indicator_id,
        period,
        measure_code,
        published,
        own_cuts,
        own_n,
        quartile_cuts(distribution) if distribution else None,
        len(distribution),
        own_sn,
        published_sn,
    )


__all__ = [
    "OwnVsPublished",
    "compare_with_published",
    "own_quartile_cuts",
    "own_sn_averages",
    "own_values",
]
