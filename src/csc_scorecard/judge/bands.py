"""The "no significant change" band: how far apart two values must be before a judgement calls them different.

One band per unit. Percentages use an absolute band (percentage points); counts, rates and days a relative
band (a fraction of the value compared with), since 2 more referrals mean nothing in a large council.
Both trend (value v an earlier value) and position (value v a benchmark) use bands of this shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from .units import DECIMALS, fmt_difference, round_half_up, shown

Movement = Literal["higher", "same", "lower"]


@dataclass(frozen=True)
class Band:
    size: float
    relative: bool = False  # True: size is a fraction of the reference value (0.02 = 2%)

    def __post_init__(self) -> None:
        if not self.size >= 0:
            raise ValueError(f"a band size must be 0 or more, not {self.size!r}")

    def half_width(self, reference: float) -> float:
        return abs(reference) * self.size if self.relative else self.size

    def describe(self, unit: str) -> str:
        if self.relative:
            return f"±{round_half_up(self.size * 100, 2):g}%"
        return f"±{fmt_difference(self.size, unit)}"


DEFAULT_BANDS: Mapping[str, Band] = {
    "percent": Band(1.0),
    "count": Band(0.02, relative=True),
    "rate_per_10k": Band(0.02, relative=True),
    "days": Band(0.02, relative=True),
    "average": Band(0.02, relative=True),
}


def band_for(unit: str, bands: Mapping[str, Band]) -> Band:
    try:
        return bands[unit]
    except KeyError:
        raise ValueError(f"no significance band configured for unit {unit!r}") from None


@dataclass(frozen=True)
class Difference:
    value: float  # as displayed
    reference: float  # as displayed
    movement: Movement
    amount: float  # |value - reference|, as displayed
    half_width: float
    band_text: str  # "the no-significant-change band of ±1.0 percentage points"


def difference(value: float, reference: float, unit: str, band: Band) -> Difference:
    """Compare two values as displayed; a difference exactly on the band's edge is not significant."""
    a, b = shown(value, unit), shown(reference, unit)
    # Rounded to 9 places so 22.7 - 21.7 is 1.0, not 1.0000000000000018, at the band's edge.
    amount = round(abs(a - b), 9)
    half = round(band.half_width(b), 9)
    movement: Movement = "same" if amount <= half else ("higher" if a > b else "lower")
    # A relative band is stated with its width in the unit, e.g. "±2% (±57.1)"; it is a share of the reference.
    width = band.describe(unit)
    if band.relative:
        width += f" (±{half:,.{DECIMALS[unit] + 1}f})"
    return Difference(a, b, movement, amount, half, f"the no-significant-change band of {width}")
