"""What the judgement layer needs to know about an indicator and its values, as plain data.

Deliberately independent of the catalogue and the engine: the scorecard adapts their objects to these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from ..periods import Period
from .spc import Improvement

Unit = Literal["count", "percent", "rate_per_10k", "days", "average"]
Polarity = Literal["higher", "lower", "neutral"]
Kind = Literal["flow", "stock"]

UNITS: tuple[str, ...] = ("count", "percent", "rate_per_10k", "days", "average")
POLARITIES: tuple[str, ...] = ("higher", "lower", "neutral")
KINDS: tuple[str, ...] = ("flow", "stock")


@dataclass(frozen=True)
class IndicatorMeta:
    id: str
    label: str  # as it starts a sentence: "Re-referrals within 12 months"
    area: str  # the scorecard section: "Front door"
    unit: Unit
    polarity: Polarity
    kind: Kind
    lait_code: str | None = None  # LAIT measure code for published benchmarks, e.g. "ReReferral"
    plural: bool = True  # the label is a plural noun ("Re-referrals ... are"), for verb agreement
    rate_base: str | None = None  # a rate's base in words: "10,000 children aged under 18"
    recorded: bool = (
        False  # a manual measure: every value is entered for its own period, none carried forward
    )

    def __post_init__(self) -> None:
        for name, value, allowed in (
            ("unit", self.unit, UNITS),
            ("polarity", self.polarity, POLARITIES),
            ("kind", self.kind, KINDS),
        ):
            if value not in allowed:
                raise ValueError(f"indicator {self.id}: {name} {value!r} is not one of {', '.join(allowed)}")

    @property
    def is_rate(self) -> bool:
        """A count over a population (per 10,000 children, per 1,000 aged 10 to 17): its base is the count."""
        return self.unit == "rate_per_10k" or self.rate_base is not None

    @property
    def base_words(self) -> str | None:
        """'10,000 children aged under 18' for a rate, else None."""
        if self.rate_base is not None:
            return self.rate_base
        return "10,000 children aged under 18" if self.unit == "rate_per_10k" else None

    @property
    def improvement(self) -> Improvement:
        """The SPC improvement direction that follows from the polarity."""
        return {"higher": "increase", "lower": "decrease", "neutral": "neutral"}[self.polarity]  # type: ignore[return-value]

    @property
    def polarity_text(self) -> str:
        return {
            "higher": "higher is better",
            "lower": "lower is better",
            "neutral": "neither higher nor lower is better",
        }[self.polarity]


@dataclass(frozen=True)
class Point:
    """One period's figure for one LA: the engine's unrounded value with what it was computed from."""

    period: Period
    numerator: float | None
    denominator: float | None
    value: float | None  # None when undefined (e.g. 0 / 0)
    notes: str = ""  # the engine's notes: why there is no value ("withheld: needs the 2014-15 CIN census")

    @property
    def period_code(self) -> str:
        return self.period.code

    @property
    def period_end(self) -> dt.date:
        return self.period.end
