"""Published comparators for one LA, measure and year: the LA itself, England, its region, and its statistical
neighbours' mean and median (both always labelled, with how many neighbours had a value).

An in-year period is compared with the latest published year at or before it, and the label says which year
("England 2015-16"), so nobody mistakes last year's benchmark for this year's.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
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
    return Published.load(con, la_code, [measure_code], year, sn_version=sn_version).comparators(measure_code)


def neighbour_averages(known: Sequence[float], count: int, source: str, year: str) -> list[Comparator]:
    """The statistical neighbours' mean and median of the `known` values of `count` neighbours."""
    out = []
    for comparator, average in (("sn_mean", statistics.fmean), ("sn_median", statistics.median)):
        name = "mean" if comparator == "sn_mean" else "median"
        label = f"SN {name} ({source}, {len(known)} of {count}) {year}"
        value = average(known) if known else None
        out.append(Comparator(comparator, value, year, None if known else "-", label, len(known)))
    return out


@dataclass(frozen=True)
class _Measure:
    year: str  # the latest year with an England value, at or before the year asked for
    values: dict[str, tuple[float | None, str]]  # by area: (value, suppression symbol)
    distribution: list[float]  # every LA's value that year, smallest first (suppressed and missing left out)


@dataclass(frozen=True)
class Published:
    """The published comparators of many measures for one LA and year, read in two queries (a scorecard asks
    for some sixty measures; one query per measure, area and list was most of the time spent judging)."""

    la_code: str
    sn_version: str
    la_name: str
    region_code: str | None
    region_name: str
    neighbours: tuple[str, ...]  # in rank order
    measures: dict[str, _Measure]

    @classmethod
    def load(
        cls,
        con: duckdb.DuckDBPyConnection,
        la_code: str,
        measure_codes: Sequence[str],
        year: str,
        *,
        sn_version: str | None = None,
    ) -> Published:
        sn_version = sn_version or sn_version_for(year)
        if sn_version not in SN_VERSIONS:
            raise ValueError(
                f"statistical neighbour list {sn_version!r}: choose one of {', '.join(SN_VERSIONS)}"
            )
        rows = con.execute(
            """
            WITH latest AS (
                SELECT measure_code, max(year) AS year FROM published_values
                WHERE list_contains(?::VARCHAR[], measure_code) AND area_code = ? AND year <= ?
                  AND value IS NOT NULL
                GROUP BY measure_code
            )
            SELECT p.measure_code, p.year, p.area_code, p.value, p.symbol,
                   coalesce(a.area_type = 'Local authority', false)
            FROM published_values p JOIN latest l ON p.measure_code = l.measure_code AND p.year = l.year
            LEFT JOIN areas a ON a.area_code = p.area_code
            """,
            [list(dict.fromkeys(measure_codes)), ENGLAND, year],
        ).fetchall()
        measures: dict[str, _Measure] = {}
        for measure, published, area, value, symbol, is_la in rows:
            found = measures.setdefault(measure, _Measure(published, {}, []))
            found.values[area] = (value, symbol)
            if is_la and value is not None:
                found.distribution.append(value)
        for found in measures.values():
            found.distribution.sort()
        la_found, region_code, la_name, region_found, region_name, neighbours = con.execute(
            """
            SELECT a.area_code IS NOT NULL, a.region_code, a.name, r.area_code IS NOT NULL, r.name,
                   (SELECT coalesce(list(neighbour_code ORDER BY rank), []) FROM stat_neighbours
                    WHERE sn_version = ? AND la_code = q.la_code)
            FROM (SELECT ?::VARCHAR AS la_code) q
            LEFT JOIN areas a ON a.area_code = q.la_code
            LEFT JOIN areas r ON r.area_code = a.region_code
            LIMIT 1
            """,
            [sn_version, la_code],
        ).fetchone()
        la_name = la_name if la_found else la_code
        region_name = "region" if region_code is None else region_name if region_found else region_code
        return cls(la_code, sn_version, la_name, region_code, region_name, tuple(neighbours), measures)

    def comparators(self, measure_code: str) -> list[Comparator]:
        """The LA, England, its region and its neighbours' mean and median for the measure's latest published
        year at or before the year asked for; none when England has no value then."""
        found = self.measures.get(measure_code)
        if found is None:
            return []
        published, values = found.year, found.values
        out = []
        for comparator, area, name in (
            ("la", self.la_code, self.la_name),
            ("england", ENGLAND, "England"),
            ("region", self.region_code, self.region_name),
        ):
            value, symbol = values.get(area, (None, "-"))  # type: ignore[arg-type]
            out.append(Comparator(comparator, value, published, symbol, f"{name} {published}"))
        neighbours = self.neighbours
        known = [values[n][0] for n in neighbours if n in values and values[n][0] is not None]
        return out + neighbour_averages(known, len(neighbours), f"{self.sn_version} list", published)

    def distribution(self, measure_code: str) -> list[float]:
        """Every LA's published value of the measure in its comparators' year (published_distribution)."""
        found = self.measures.get(measure_code)
        return list(found.distribution) if found else []
