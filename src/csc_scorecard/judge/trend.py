"""Direction of travel: this period against the previous period and against the same period last year.

Period codes (periods.py) decide what "previous" means:
    2016-17Q3    previous 2016-17Q2, last year 2015-16Q3 (Q1's previous is the year before's Q4)
    2016-17      previous 2015-16 (the same as last year)
    2016-12      previous 2016-11, last year 2015-12
    R12:2016-12  previous R12:2016-11, last year R12:2015-12
    a..b         previous: the window of the same length just before; last year: both dates a year earlier
Year-to-date quarters are cumulative, so Q3 against Q2 compares 9 months with 6. Percentages, averages (days)
and stocks compare directly (the rule says "year to date ... v year to date ..."); a flow count or rate grows
with its window, so the earlier value is first scaled to the current window's length, and the rule shows it
(windows within 3 days of each other, e.g. a leap year or a 28- v 31-day month, are compared unscaled).

The movement is judged against the no-significant-change band of its unit (bands.py) and then by polarity:
improving / worsening / no significant change; a neutral indicator only says increased / decreased.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ..periods import Period
from .bands import DEFAULT_BANDS, Band, band_for, difference
from .indicator import IndicatorMeta, Point
from .units import fmt, fmt_difference

SAME_LENGTH_DAYS = 3  # leap days and month lengths are not worth scaling for
Basis = Literal["previous", "last_year"]
Judgement = Literal["improving", "worsening", "no significant change", "increased", "decreased"]


@dataclass(frozen=True)
class Trend:
    basis: Basis
    period_code: str
    reference_code: str | None
    value: float | None  # as displayed
    reference: float | None  # as displayed, after any scaling to the current window
    judgement: Judgement | None  # None: no comparison possible
    movement: Literal["up", "down", "flat"] | None
    rule: str


def _describe(period: Period) -> str:
    """'year to date to 2016-17Q3' for a cumulative quarter, else the code itself."""
    return f"year to date to {period.code}" if period.kind == "ytd_quarter" else period.code


def grows_with_window(meta: IndicatorMeta) -> bool:
    """A flow count or rate: its value grows with the length of its window, so a year to date is not
    comparable with a shorter or longer one."""
    return meta.kind == "flow" and meta.unit in ("count", "rate_per_10k")


def not_compared(current: Point | None, reference_period: Period, basis: Basis, why: str) -> Trend:
    """A comparison deliberately not made, with the reason as its rule."""
    code = current.period_code if current else ""
    return Trend(basis, code, reference_period.code, None, None, None, None, f"Not compared: {why}")


def trend(
    meta: IndicatorMeta,
    current: Point | None,
    reference: Point | None,
    basis: Basis,
    *,
    reference_period: Period,
    bands: Mapping[str, Band] = DEFAULT_BANDS,
) -> Trend:
    what = "the previous period" if basis == "previous" else "the same period last year"
    code = current.period_code if current else ""
    reference_code = reference_period.code
    if current is None or current.value is None:
        return Trend(
            basis,
            code,
            reference_code,
            None,
            None,
            None,
            None,
            f"No trend: no value for {code or 'this period'}",
        )
    if reference is None or reference.value is None:
        rule = f"No trend against {what}: no value for {reference_code}"
        return Trend(basis, code, reference_code, None, None, None, None, rule)
    unit = meta.unit
    ref_value, how = reference.value, ""
    cur_p, ref_p = current.period, reference.period
    cumulative = {cur_p.kind, ref_p.kind} & {"ytd_quarter"}
    if meta.kind == "flow" and cumulative:  # a stock is taken on the last day, so it has no "year to date"
        how = f"{_describe(cur_p)} v {_describe(ref_p)}"
    if grows_with_window(meta) and abs(cur_p.days - ref_p.days) > SAME_LENGTH_DAYS:
        scaled = reference.value * cur_p.days / ref_p.days
        how = (
            f"{how + '; ' if how else ''}{reference.period_code} scaled to the same length "
            f"({fmt(reference.value, unit)} × {cur_p.days}/{ref_p.days} days = {fmt(scaled, unit)}), "
            "as a count grows with its window"
        )
        ref_value = scaled
    d = difference(current.value, ref_value, unit, band_for(unit, bands))
    movement = {"higher": "up", "lower": "down", "same": "flat"}[d.movement]
    then = f"{fmt(d.reference, unit)} at {reference.period_code}" + (f" ({how})" if how else "")
    if d.movement == "same":
        judgement: Judgement = "no significant change"
        rule = f"No significant change: {fmt(d.value, unit)} is within {d.band_text} of {then}"
    else:
        if meta.polarity == "neutral":
            judgement = "increased" if d.movement == "higher" else "decreased"
        else:
            better = (d.movement == "higher") == (meta.polarity == "higher")
            judgement = "improving" if better else "worsening"
        side = "above" if d.movement == "higher" else "below"
        rule = (
            f"{judgement.capitalize()}: {fmt(d.value, unit)} is {fmt_difference(d.amount, unit)} {side} "
            f"{then}, outside {d.band_text}"
        )
    rule += f" ({meta.polarity_text})"
    return Trend(basis, code, reference.period_code, d.value, d.reference, judgement, movement, rule)  # type: ignore[arg-type]


def trends(
    meta: IndicatorMeta,
    series: Sequence[Point],
    period: Period,
    *,
    bands: Mapping[str, Band] = DEFAULT_BANDS,
) -> tuple[Trend, Trend]:
    """(against the previous period, against the same period last year), looked up in the series."""
    by_period = {p.period: p for p in series}
    current = by_period.get(period)
    out = []
    for basis, reference in (("previous", period.previous()), ("last_year", period.last_year())):
        out.append(
            trend(meta, current, by_period.get(reference), basis, reference_period=reference, bands=bands)
        )  # type: ignore[arg-type]
    return out[0], out[1]
