"""Red / amber / green against a local target and tolerance, respecting the indicator's polarity.

higher is better: green at or above the target; amber below it by no more than the tolerance; red otherwise.
lower is better:  green at or below the target; amber above it by no more than the tolerance; red otherwise.
neutral:          no RAG (neither direction is better), and the rule says so.
The value is compared as displayed (rounded to its unit's precision).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .indicator import IndicatorMeta
from .targets import Target
from .units import fmt, fmt_difference, shown

Status = Literal["green", "amber", "red"]


@dataclass(frozen=True)
class Rag:
    status: Status | None  # None: no RAG (neutral, no target, or no value)
    target: Target | None
    rule: str


def rag(meta: IndicatorMeta, value: float | None, target: Target | None) -> Rag:
    if meta.polarity == "neutral":
        return Rag(
            None, target, f"No RAG: {meta.label} is neutral ({meta.polarity_text}), so no target applies"
        )
    if target is None:
        return Rag(None, None, "No RAG: no target set")
    if value is None:
        return Rag(None, target, "No RAG: there is no value for this period")
    v, unit, tol = shown(value, meta.unit), meta.unit, target.tolerance
    shown_v, shown_t = fmt(v, unit), fmt(target.value, unit)
    why = f"({meta.polarity_text})"
    good_side = v >= target.value if meta.polarity == "higher" else v <= target.value
    if good_side:
        at = "at or above" if meta.polarity == "higher" else "at or below"
        return Rag("green", target, f"Green: {shown_v} is {at} the target {shown_t} {why}")
    side = "below" if meta.polarity == "higher" else "above"
    # The amber edge, in the unit's precision: e.g. a lower-is-better target 22.0 with tolerance 2.0 -> 24.0.
    edge = target.value - tol if meta.polarity == "higher" else target.value + tol
    # Rounded to 9 places so 22.0 + 2.0 - 0.0 edge arithmetic never decides the colour.
    within = round(abs(v - target.value), 9) <= round(tol, 9)
    tolerance = f"the tolerance of {fmt_difference(tol, unit)}"
    if tol > 0 and within:
        return Rag(
            "amber",
            target,
            f"Amber: {shown_v} is {side} the target {shown_t} but within {tolerance} "
            f"({'down' if side == 'below' else 'up'} to {fmt(edge, unit)}) {why}",
        )
    if tol > 0:
        rule = f"Red: {shown_v} is {side} the target {shown_t} by more than {tolerance} ({fmt(edge, unit)}) {why}"
    else:
        rule = f"Red: {shown_v} is {side} the target {shown_t}, and no tolerance is set {why}"
    return Rag("red", target, rule)
