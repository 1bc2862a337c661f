"""Published comparators for one LA, measure and year: the LA itself, England, its region, and its statistical
neighbours' mean and median (both always labelled, with how many neighbours had a value).

An in-year period is compared with the latest published year at or before it, and the label says which year
("England 2015-16"), so nobody mistakes last year's benchmark for this year's.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import duckdb

from ..store.published import ENGLAND

# DfE's statistical neighbour lists and when each was published. LAIT applies the newest list to every year;
# our default is the list in force when the period ended (the oldest published list for earlier years, as
# the pre-2021 NFER list is not published anywhere), and either can be chosen.
SN_VERSIONS = {"April 2021": "2021-04-01", "May 2025": "2025-05-01"}


def sn_version_for(year: str) -> str:
    """The list in force at the end of collection year `year` (e.g. '2016-17' -> 'April 2021')."""
    year_end = f"{int(year[:4]) + 1}-03-31"
    in_force = [v for v, published in SN_VERSIONS.items() if published <= year_end]
    return in_force[-1] if in_force else next(iter(SN_VERSIONS))


@dataclass(frozen=True)
class Comparator:
    comparator: str  # la, england, region, sn_mean, sn_median
    value: float | None
    year: str  # the published year the value is for
    symbol: str | None  # suppression symbol when value is None
    label: str  # e.g. "England 2015-16", "SN mean (May 2025 list, 9 of 10) 2016-17"
    n: int | None = None  # neighbours with a value, for SN averages


def latest_published_year(con: duckdb.DuckDBPyConnection, measure_code: str, year: str) -> str | None:
    """The latest year at or before `year` for which England has a published value of this measure."""
    rows = con.execute(
        "SELECT max(year) FROM published_values WHERE measure_code = ? AND area_code = ? AND year <= ? "
        "AND value IS NOT NULL",
        [measure_code, ENGLAND, year],
    ).fetchall()
    return rows[0][0]


def comparators(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    measure_code: str,
    year: str,
    *,
    sn_version: str | None = None,
) -> list[Comparator]:
    sn_version = sn_version or sn_version_for(year)
    if sn_version not in SN_VERSIONS:
        raise ValueError(f"statistical neighbour list {sn_version!r}: choose one of {', '.join(SN_VERSIONS)}")
    published = latest_published_year(con, measure_code, year)
    if published is None:
        return []
    region = con.execute("SELECT region_code, name FROM areas WHERE area_code = ?", [la_code]).fetchall()
    region_code = region[0][0] if region else None
    la_name = region[0][1] if region else la_code
    values = _values(con, measure_code, published)
    out = []
    for comparator, area, name in (
        ("la", la_code, la_name),
        ("england", ENGLAND, "England"),
        ("region", region_code, _area_name(con, region_code)),
    ):
        value, symbol = values.get(area, (None, "-"))
        out.append(Comparator(comparator, value, published, symbol, f"{name} {published}"))
    neighbours = [
        r[0]
        for r in con.execute(
            "SELECT neighbour_code FROM stat_neighbours WHERE sn_version = ? AND la_code = ? ORDER BY rank",
            [sn_version, la_code],
        ).fetchall()
    ]
    known = [values[n][0] for n in neighbours if n in values and values[n][0] is not None]
    for comparator, average in (("sn_mean", statistics.fmean), ("sn_median", statistics.median)):
        name = "mean" if comparator == "sn_mean" else "median"
        label = f"SN {name} ({sn_version} list, {len(known)} of {len(neighbours)}) {published}"
        value = average(known) if known else None
        out.append(Comparator(comparator, value, published, None if known else "-", label, len(known)))
    return out


def _values(
    con: duckdb.DuckDBPyConnection, measure_code: str, year: str
) -> dict[str, tuple[float | None, str]]:
    rows = con.execute(
        "SELECT area_code, value, symbol FROM published_values WHERE measure_code = ? AND year = ?",
        [measure_code, year],
    ).fetchall()
    return {area: (value, symbol) for area, value, symbol in rows}


def _area_name(con: duckdb.DuckDBPyConnection, area_code: str | None) -> str:
    if area_code is None:
        return "region"
    rows = con.execute("SELECT name FROM areas WHERE area_code = ?", [area_code]).fetchall()
    return rows[0][0] if rows else area_code
