"""The small-number suppression rule, written once: judge flags it, publish and the web apply it.

DfE suppresses counts of 1 to 5 in what it publishes, and so does everything csc-scorecard publishes:
- a count of 1 to 5 is shown as `c`;
- a percentage whose numerator or denominator is 1 to 5 is `c` (its numerator too, and its denominator when
  that is the small one); so is a rate per 10,000 whose numerator is 1 to 5, and an average (days,
  caseload) taken over 1 to 5 cases;
- secondary suppression: a percentage whose denominator less its numerator is 1 to 5 is `c` with its
  numerator, because the total shown beside them would reveal the small remainder;
- in a breakdown shown with its total, when exactly one row is suppressed the next smallest row is too, so the
  total cannot give the small one away.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

SMALL = (1, 5)  # DfE suppresses these counts in published tables
SUPPRESSED = "c"  # what a suppressed figure is shown as
RESTS_ON_SMALL = "it rests on a count of 1 to 5"
REVEALS_SMALL = "with the total shown it would reveal a count of 1 to 5"


@dataclass(frozen=True)
class Suppression:
    """What of one figure is suppressed in published outputs, and why."""

    value: bool = False
    numerator: bool = False
    denominator: bool = False
    reason: str = ""

    @property
    def any(self) -> bool:
        return self.value or self.numerator or self.denominator


NOT_SUPPRESSED = Suppression()


def is_small(count: float | None) -> bool:
    return count is not None and SMALL[0] <= count <= SMALL[1]


def suppression(
    unit: str, numerator: float | None, denominator: float | None, value: float | None
) -> Suppression:
    """What of one figure is suppressed in published outputs (the module docstring's rules)."""
    if unit == "count":
        count = value if value is not None else numerator
        return Suppression(True, True, False, RESTS_ON_SMALL) if is_small(count) else NOT_SUPPRESSED
    if unit == "percent":
        if is_small(denominator):
            return Suppression(True, True, True, RESTS_ON_SMALL)
        if is_small(numerator):
            return Suppression(True, True, False, RESTS_ON_SMALL)
        if numerator is not None and denominator is not None and is_small(denominator - numerator):
            return Suppression(True, True, False, REVEALS_SMALL)
        return NOT_SUPPRESSED
    if unit == "rate_per_10k":
        return Suppression(True, True, False, RESTS_ON_SMALL) if is_small(numerator) else NOT_SUPPRESSED
    # an average (days, caseload): the denominator is the number of cases it is taken over
    return Suppression(True, True, True, RESTS_ON_SMALL) if is_small(denominator) else NOT_SUPPRESSED


class Row(Protocol):
    numerator: float | None
    denominator: float | None
    value: float | None


def breakdown_suppression(unit: str, rows: Sequence[Row]) -> list[Suppression]:
    """Each breakdown row's suppression when the rows are shown together with their total: when exactly one row
    is suppressed the next smallest is too, so the total cannot give the small one away."""
    hidden = [suppression(unit, r.numerator, r.denominator, r.value) for r in rows]
    if sum(h.value for h in hidden) == 1:
        candidates = [i for i, h in enumerate(hidden) if not h.value and rows[i].numerator]
        if candidates:
            i = min(candidates, key=lambda i: rows[i].numerator or 0)
            hidden[i] = Suppression(True, True, False, "secondary: the total would reveal a suppressed row")
    return hidden
