"""Small-number warnings: when a figure rests on so few children that one more or fewer moves it a lot.

What is tested depends on the unit: a percentage or an average (days) on its denominator (the cases it is a
share or mean of), a count on the count itself, a rate on its numerator (the count behind it). The default
threshold is 20 for every unit, configurable per unit. Separately, a figure that published outputs must
suppress (a count of 1 to 5 behind it, or one it would reveal: judge/suppression.py, the one place that rule is
written) is flagged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .indicator import IndicatorMeta, Point
from .suppression import SMALL, rule_unit, suppression
from .units import fmt_difference

DEFAULT_THRESHOLDS: Mapping[str, int] = {
    "percent": 20,
    "days": 20,
    "count": 20,
    "rate_per_10k": 20,
    "average": 20,
}


@dataclass(frozen=True)
class SmallNumbers:
    small: bool
    base: float | None  # the number tested against the threshold
    threshold: int
    suppress_in_publication: bool  # a published count of 1-5 must be suppressed
    rule: str


def _base(meta: IndicatorMeta, point: Point) -> tuple[float | None, str]:
    if meta.is_rate:
        return point.numerator, "numerator (the count behind the rate)"
    if meta.unit in ("percent", "days", "average"):
        return point.denominator, "denominator"
    if meta.unit == "count":
        return point.value if point.value is not None else point.numerator, "count"
    return point.numerator, "numerator (the count behind the rate)"


def small_numbers(
    meta: IndicatorMeta, point: Point | None, thresholds: Mapping[str, int] = DEFAULT_THRESHOLDS
) -> SmallNumbers:
    threshold = thresholds.get(meta.unit, DEFAULT_THRESHOLDS[meta.unit])
    if point is None:
        return SmallNumbers(False, None, threshold, False, "No small-number check: no value for this period")
    base, what = _base(meta, point)
    low, high = SMALL
    suppress = suppression(rule_unit(meta), point.numerator, point.denominator, point.value).any
    if base is None:
        return SmallNumbers(
            False, None, threshold, suppress, f"No small-number check: the {what} is not known"
        )
    if base >= threshold:
        rule = f"Not a small number: the {what} is {base:,.0f}, at least the threshold of {threshold}"
    else:
        rule = f"Small number: the {what} is {base:,.0f}, below the threshold of {threshold}"
        if meta.unit == "percent" and base > 0:
            rule += f"; one case more or fewer moves the percentage by up to {fmt_difference(100 / base, 'percent')}"
    if suppress:
        rule += f"; a count of {low}-{high} is suppressed in published outputs"
    return SmallNumbers(base < threshold, base, threshold, suppress, rule)
