"""Year-end projection for year-to-date flow measures: where the year is heading if it carries on as so far.

Only counts (and rates per 10,000, which are a count over a fixed population) are projected, straight-line:
year to date × days in the financial year ÷ days elapsed. A percentage or an average (days) of the year so far
is already the best estimate of the year's figure, so it is not projected; a stock is a count on a date, not
an accumulation, so it is not projected either. Each result says which of these applied.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .indicator import IndicatorMeta, Point
from .units import fmt


@dataclass(frozen=True)
class Projection:
    value: float | None  # the projected year-end figure, unrounded; None when not projected
    days_elapsed: int | None
    days_in_year: int | None
    rule: str


def project_year_end(meta: IndicatorMeta, point: Point | None) -> Projection:
    if meta.kind == "stock":
        return Projection(
            None, None, None, "Not projected: a stock is counted on a date, it does not accumulate"
        )
    if meta.unit in ("percent", "days", "average"):
        what = "percentage" if meta.unit == "percent" else "average"
        return Projection(
            None, None, None, f"Not projected: the year-to-date {what} is already the estimate for the year"
        )
    if point is None or point.value is None:
        return Projection(None, None, None, "Not projected: no value for this period")
    period = point.period
    year_start = dt.date(period.end.year if period.end.month >= 4 else period.end.year - 1, 4, 1)
    year_end = dt.date(year_start.year + 1, 3, 31)
    if period.start != year_start:
        return Projection(
            None, None, None, f"Not projected: {point.period_code} is not a year-to-date period"
        )
    days_in_year = (year_end - year_start).days + 1
    if period.end >= year_end:
        return Projection(None, period.days, days_in_year, "Not projected: the period is the whole year")
    value = point.value * days_in_year / period.days
    rule = (
        f"Projected year end {fmt(value, meta.unit)}: {fmt(point.value, meta.unit)} in {period.days} days "
        f"× {days_in_year} ÷ {period.days} (straight line to {year_end})"
    )
    return Projection(value, period.days, days_in_year, rule)
