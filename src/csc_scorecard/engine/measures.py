"""A figure from its aggregates, by unit: numerator, denominator and value (see catalogue.models).

The arithmetic is the one the queries did before they were shared between indicators,
`CAST(numerator AS DOUBLE) / NULLIF(denominator, 0) * 100`, in Python's doubles, step for step, so each value is
the same to the last bit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..catalogue.models import Indicator
from .batch import BASE, COUNTED, ROWS, TOTAL, WEIGHTS, WEIGHTS_COUNTED, Measure

Number = int | float
Figures = tuple[Number | None, Number | None, float | None]  # numerator, denominator, value


def ratio(numerator: Number, denominator: Number | None) -> float | None:
    """numerator ÷ denominator as a double; None for ÷ 0 or no denominator."""
    if denominator is None or denominator == 0:
        return None
    return float(numerator) / denominator


def _plain(total: Any) -> Any:
    """A weighted measure's exact (decimal) sum as the double every other figure is."""
    return None if total is None else float(total)


def _scaled(value: float | None, factor: Number) -> float | None:
    return None if value is None else value * factor


def base_count(row: Mapping[str, Any], measure: Measure) -> int:
    """Rows in the denominator, or distinct children for an indicator that counts children."""
    return row[measure.column(BASE if measure.children else ROWS)]


def figures(
    indicator: Indicator,
    row: Mapping[str, Any],
    measure: Measure,
    population: int | None = None,
    annual_factor: float | None = None,
) -> Figures:
    """The figures of one LA and window with records in it (coverage is the caller's: see compute._result)."""
    counted = row[measure.column(COUNTED)]
    total = row[measure.column(TOTAL)] if measure.value else None
    if indicator.unit == "count":
        amount = total if indicator.value is not None else counted  # a total of value, or a count of rows
        return amount, None, float(amount)
    if indicator.unit == "percent":
        if indicator.weight is not None:  # weighted: total value of the numerator rows ÷ total weight of all
            total, weights = _plain(total), _plain(row[measure.column(WEIGHTS)])
            return total, weights, _scaled(ratio(total, weights), 100)
        base = base_count(row, measure)
        return counted, base, _scaled(ratio(counted, base), 100)
    if indicator.unit == "rate_per_10k":
        value = _scaled(ratio(counted, population), 10000)
        if annual_factor is not None:
            value = _scaled(value, annual_factor)
        return counted, population, value
    if indicator.unit == "average" and indicator.weight is not None:
        total, weights = _plain(total), _plain(row[measure.column(WEIGHTS_COUNTED)])
        return total, weights, ratio(total, weights)
    return total, counted, ratio(total, counted)  # days (and an unweighted average): the mean over the rows


__all__ = ["Figures", "base_count", "figures", "ratio"]
