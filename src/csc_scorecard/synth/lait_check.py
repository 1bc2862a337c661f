"""How close the synthetic council comes to its LA's published figures: every indicator with a LAIT measure,
against the value LAIT publishes for the LA in each output year (EES's where LAIT has no value for the year).

A figure is within tolerance when it is within 2% of the published value, or within half a unit of the published
value's last digit (LAIT prints 21 for 20.5 to 21.5, so 20.6 reproduces it); a count under 50 may be 1 away, and
so may a percentage's numerator under 50 (one child: 100 / its denominator). A count DfE published rounded to the
nearest 5 (calibration.lait_rounding: every LA's value that year a multiple of 5) may be 2.5 away: 15 is 13 to 17.
A figure the returns withhold (its history reaches before the first output year) is reported, not compared.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalogue import load_catalogue
from ..periods import parse_financial_year
from .calibration import _number, lait_published, lait_rounding

RELATIVE = 0.02
SMALL_COUNT = 50


@dataclass(frozen=True)
class LaitCheck:
    indicator: str
    measure: str
    year: str
    published: float
    printed: str  # as published: its digits say how it was rounded
    achieved: float | None  # None: withheld (its history reaches before the first output year)
    allowed: float  # how far the achieved figure may be from the published one

    @property
    def within(self) -> bool:
        return self.achieved is not None and abs(self.achieved - self.published) <= self.allowed + 1e-9

    def __str__(self) -> str:
        shown = "withheld" if self.achieved is None else f"{self.achieved:.4g}"
        return (
            f"{self.year} {self.indicator} ({self.measure}): published {self.printed}, achieved {shown}, "
            f"allowed ±{self.allowed:.3g}"
        )


def allowed_difference(
    printed: str, published: float, count: bool, one_child: float = 0.0, rounded_to: int = 1
) -> float:
    """How far a figure may be from the published one; `one_child` is what one child more or less moves a
    percentage whose numerator is under 50; `rounded_to` is the unit DfE rounded a count to (5: half of it
    either way)."""
    rounding = rounded_to / 2 if count and rounded_to > 1 else 0.0
    if count and published < SMALL_COUNT:
        return max(1.0, rounding)
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return max(RELATIVE * abs(published), 0.5 * 10**-decimals, one_child, rounding)


def lait_checks(indicators: dict[str, dict[str, dict]], la_code: str) -> list[LaitCheck]:
    """A check for every indicator of the ground truth with a LAIT measure the LA has a published value for."""
    catalogue = load_catalogue()
    checks = []
    for year, figures in indicators.items():
        for indicator_id, figure in figures.items():
            indicator = catalogue.indicator(indicator_id)
            if indicator.lait is None:
                continue
            printed = lait_published(indicator.lait, la_code, parse_financial_year(year))
            published = _number(printed) if printed is not None else None
            if printed is None or published is None:
                continue
            achieved = figure["value"]
            small = (
                indicator.unit == "percent"
                and figure["denominator"]
                and figure["numerator"] is not None
                and figure["numerator"] < SMALL_COUNT
            )
            one_child = 100 / figure["denominator"] if small else 0.0
            count = indicator.unit == "count"
            rounded_to = lait_rounding(indicator.lait, parse_financial_year(year)) if count else 1
            allowed = allowed_difference(printed, published, count, one_child, rounded_to)
            checks.append(
                LaitCheck(indicator_id, indicator.lait, year, published, printed, achieved, allowed)
            )
    return checks


__all__ = ["LaitCheck", "allowed_difference", "lait_checks"]
