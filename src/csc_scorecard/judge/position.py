"""Where the LA stands: against statistical neighbours, England and its region, and its quartile among all LAs.

Position: above / in line with / below a benchmark, using the same no-significant-change bands as trend, and
(unless the indicator is neutral) whether that is better or worse. A benchmark that is suppressed or missing
is never computed with: the rule says "England value suppressed (x)" instead.

Quartile bands reproduce LAIT (dfe-analytical-services/local-authority-interactive-tool, `R/fn_analysis.R`
`calculate_quartile_band`, fed by `quantile(values, na.rm = TRUE)` over every LA's value in the latest year):
- the cut points are R's default `quantile()` (type 7: linear interpolation, h = (n - 1)p) over the published
  values of every local authority (area codes below 970; England and regions excluded; no value = left out);
- intervals are closed on the right and the first is closed on both sides:
  [q0, q25], (q25, q50], (q50, q75], (q75, q100];
- polarity Low names them A, B, C, D (A = lowest values = best); High names them D, C, B, A (A = highest
  values); any other polarity gets no band ("-"). Ties therefore go to the band below the cut point, whichever
  polarity: a High-polarity value exactly on q75 is B, not A.
LAIT calls a value outside [q0, q100] an "Error"; our in-year value can fall outside last year's range, so it
gets the end band and the rule says it is beyond the published range.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import duckdb

from .bands import Band, difference
from .benchmarks import Comparator
from .indicator import IndicatorMeta
from .units import fmt, fmt_difference

SUPPRESSION = {
    "c": "suppressed (c)",
    "x": "suppressed (x)",
    "z": "suppressed (z: not applicable)",
    "k": "suppressed (k: rounds to zero)",
    "u": "suppressed (u: low reliability)",
    "-": "suppressed (-: not published)",
    ":": "suppressed (:: not available)",
    "..": "suppressed (..: not available)",
    "low": "suppressed (low)",
}

NAMES = {
    "england": "England",
    "sn_mean": "statistical neighbours (mean)",
    "sn_median": "statistical neighbours (median)",
    "la": "the LA's published figure",
}


def comparator_name(c: Comparator) -> str:
    """England, statistical neighbours (mean), or the region's name (its label without the year)."""
    if c.comparator == "region":
        return c.label.removesuffix(f" {c.year}")
    return NAMES.get(c.comparator, c.comparator)


@dataclass(frozen=True)
class Position:
    comparator: str  # sn_mean, sn_median, england, region
    name: str  # England, statistical neighbours (mean), West Midlands
    label: str  # the comparator's label, with its year: "England 2016-17"
    year: str | None
    reference: float | None  # the benchmark value; None when suppressed or missing
    symbol: str | None
    placing: Literal["above", "in line with", "below"] | None
    judgement: Literal["better", "similar", "worse"] | None  # None for neutral indicators or no comparison
    rule: str


def position(
    meta: IndicatorMeta,
    value: float | None,
    comparator: Comparator | None,
    band: Band,
    *,
    comparator_kind: str,
    basis: str = "",
    missing_reason: str = "there is no value for this period",
) -> Position:
    """`basis` names `value` when it is not simply this period's value ("projected year end");
    `missing_reason` says why `value` is None."""
    if comparator is None:
        name = NAMES.get(comparator_kind, comparator_kind)
        return Position(
            comparator_kind,
            name,
            name,
            None,
            None,
            None,
            None,
            None,
            f"Not compared: no published {name} value",
        )
    name, label, unit = comparator_name(comparator), comparator.label, meta.unit

    def none(rule: str) -> Position:
        return Position(
            comparator.comparator, name, label, comparator.year, None, comparator.symbol, None, None, rule
        )

    if comparator.value is None or not math.isfinite(comparator.value):
        symbol = comparator.symbol or "-"
        what = SUPPRESSION.get(symbol, f"suppressed ({symbol})")
        return none(f"Not compared: {name} value {what} ({label})")
    if unit == "count" and comparator.comparator in ("england", "region"):
        return none(
            f"Not compared: the {label} figure is a total for many LAs, not comparable with one LA's count"
        )
    if unit == "count":
        # Neighbours differ in size, so their average count says nothing about this LA; the rate compares.
        return none(f"Not compared: a count depends on the size of the council; compare the rate ({label})")
    if value is None:
        return none(f"Not compared with {label}: {missing_reason}")
    d = difference(value, comparator.value, unit, band)
    placing = {"higher": "above", "same": "in line with", "lower": "below"}[d.movement]
    judgement = None
    if meta.polarity != "neutral":
        judgement = (
            "similar"
            if d.movement == "same"
            else ("better" if (d.movement == "higher") == (meta.polarity == "higher") else "worse")
        )
    ours = f"{basis} {fmt(d.value, unit)}" if basis else fmt(d.value, unit)
    if d.movement == "same":
        rule = f"In line with {label}: {ours} is within {d.band_text} of {fmt(d.reference, unit)}"
    else:
        rule = (
            f"{placing.capitalize()} {label}: {ours} is {fmt_difference(d.amount, unit)} {placing} "
            f"{fmt(d.reference, unit)}, outside {d.band_text}"
        )
    rule += f" ({meta.polarity_text}{'' if judgement is None else ': ' + judgement})"
    return Position(
        comparator.comparator, name, label, comparator.year, d.reference, None, placing, judgement, rule
    )  # type: ignore[arg-type]


# --- quartile bands -------------------------------------------------------------------------------------

QUARTILE_POINTS = (0.0, 0.25, 0.5, 0.75, 1.0)


def r_quantile(values: Sequence[float], p: float) -> float:
    """R's default quantile (type 7): linear interpolation between order statistics at h = (n - 1)p."""
    x = sorted(values)
    if not x:
        raise ValueError("no values to take a quantile of")
    h = (len(x) - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, len(x) - 1)
    return x[lo] + (h - lo) * (x[hi] - x[lo])


def quartile_cuts(values: Sequence[float]) -> tuple[float, float, float, float, float]:
    """R's quantile(values): the 0%, 25%, 50%, 75% and 100% points."""
    return tuple(r_quantile(values, p) for p in QUARTILE_POINTS)  # type: ignore[return-value]


@dataclass(frozen=True)
class QuartileBand:
    band: Literal["A", "B", "C", "D"] | None
    year: str | None  # the published year whose distribution was used
    cuts: tuple[float, float, float, float, float] | None
    n: int  # LAs with a published value that year
    rule: str


def quartile_band(
    meta: IndicatorMeta,
    value: float | None,
    distribution: Sequence[float],
    year: str | None,
    *,
    basis: str = "",
    missing_reason: str = "no value for this period",
) -> QuartileBand:
    """LAIT's quartile band of `value` among `distribution` (every LA's published value for `year`)."""
    if meta.polarity == "neutral":
        return QuartileBand(
            None,
            year,
            None,
            len(distribution),
            f"No quartile band: {meta.label} is neutral ({meta.polarity_text})",
        )
    if value is None:
        cuts = quartile_cuts(distribution) if distribution else None
        return QuartileBand(None, year, cuts, len(distribution), f"No quartile band: {missing_reason}")
    if not distribution:
        return QuartileBand(None, year, None, 0, "No quartile band: no published values for all LAs")
    cuts = quartile_cuts(distribution)
    q0, q25, q50, q75, q100 = cuts
    if value <= q25:
        index, where = 0, f"at or below the lower quartile {_cut(q25, meta)}"
    elif value <= q50:
        index, where = (
            1,
            f"above the lower quartile {_cut(q25, meta)} and at or below the median {_cut(q50, meta)}",
        )
    elif value <= q75:
        index, where = (
            2,
            f"above the median {_cut(q50, meta)} and at or below the upper quartile {_cut(q75, meta)}",
        )
    else:
        index, where = 3, f"above the upper quartile {_cut(q75, meta)}"
    band = "ABCD"[index] if meta.polarity == "lower" else "DCBA"[index]
    beyond = ""
    if value < q0 or value > q100:
        end = "lowest" if value < q0 else "highest"
        beyond = f"; it is beyond the {end} published value ({_cut(q0 if value < q0 else q100, meta)}), so LAIT would not band it"
    ours = f"{basis} {_cut(value, meta)}" if basis else _cut(value, meta)
    best = "A = lowest values" if meta.polarity == "lower" else "A = highest values"
    rule = (
        f"Quartile {band} among {len(distribution)} LAs in {year}: {ours} is {where} "
        f"({best}; {meta.polarity_text}; LAIT method: R quantile type 7){beyond}"
    )
    return QuartileBand(band, year, cuts, len(distribution), rule)  # type: ignore[arg-type]


def _cut(value: float, meta: IndicatorMeta) -> str:
    """Cut points keep two more decimals than the unit, since interpolation splits published values."""
    return f"{value:,.{2 if meta.unit in ('count', 'days') else 3}f}".rstrip("0").rstrip(".") + (
        "%" if meta.unit == "percent" else ""
    )


def published_distribution(con: duckdb.DuckDBPyConnection, measure_code: str, year: str) -> list[float]:
    """Every local authority's published value of a measure for one year (suppressed and missing left out)."""
    rows = con.execute(
        """
        SELECT p.value FROM published_values p JOIN areas a USING (area_code)
        WHERE p.measure_code = ? AND p.year = ? AND a.area_type = 'Local authority' AND p.value IS NOT NULL
        ORDER BY p.value
        """,
        [measure_code, year],
    ).fetchall()
    return [r[0] for r in rows]
