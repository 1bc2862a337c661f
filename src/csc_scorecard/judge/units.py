"""Showing a figure in its unit: the rounding and wording every judgement and sentence uses.

Judgements compare values **as displayed** (rounded half up to the unit's precision), so a rule never says
"22.0% is above the target 22.0%" about an unrounded 22.04.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DECIMALS = {
    "count": 0,
    "percent": 1,
    "rate_per_10k": 1,
    "days": 0,
    "average": 1,
}  # average: CSWW caseload, 1 dp


def round_half_up(value: float, dp: int) -> float:
    """DfE rounding: halves go up (away from zero), unlike Python's round()."""
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-dp), rounding=ROUND_HALF_UP))


def shown(value: float, unit: str) -> float:
    """The value as it is displayed."""
    return round_half_up(value, DECIMALS[unit])


def _number(value: float, dp: int) -> str:
    return f"{round_half_up(value, dp):,.{dp}f}"


def fmt(value: float | None, unit: str) -> str:
    """21.7%, 1,234, 45.3 per 10,000, 412 days."""
    if value is None:
        return "no value"
    text = _number(value, DECIMALS[unit])
    if unit == "percent":
        return f"{text}%"
    if unit == "rate_per_10k":
        return f"{text} per 10,000"
    if unit == "days":
        return f"{text} day" if text == "1" else f"{text} days"
    return text


def fmt_difference(amount: float, unit: str) -> str:
    """A (non-negative) difference in the unit: 1.2 percentage points, 15, 3.1 per 10,000, 12 days."""
    if unit == "percent":
        return f"{_number(amount, 1)} percentage points"
    return fmt(amount, unit)
