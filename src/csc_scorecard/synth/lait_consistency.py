"""Published figures that no single set of records can all reproduce, even with every figure at the edge of its
tolerance (synth/lait_check.allowed_difference): the proof behind the entries of tests/test_synth_lait.py's
KNOWN_GAPS that are there because DfE's own figures disagree, not because the synthetic council falls short.

Each proof is an inequality between published figures that every consistent set of records satisfies, read on
DfE's counting basis: episodes of need are counted each (a child can have several in a year, never two at once),
their duration runs from the referral date to 31 March or to the closure date (LAIT data dictionary, CINTime* and
CINCease*), and the counts behind the shares are table B1's At31_episodes and Ended_episodes, from which DfE
leaves out referrals ending in no further action and those assessed as not in need (Started_episodes =
referral_count - no_further_action_count - not_in_need_count in every LA's row of B1 and C1).

The slack is the inequality's left side less its right (positive: the records would need more than they can
have). Its expression is linear in each figure, so its least value over the box of tolerated values is at a
corner; `least_slack` tries them all. A proof holds when even that least slack is positive.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..periods import financial_year_label
from .calibration import _ees, _number, lait_published
from .lait_check import SMALL_COUNT, allowed_difference

_B1 = "cin_b1_children_in_need_2013_to_2025.csv"


@dataclass(frozen=True)
class Figure:
    label: str  # what and when, e.g. "CINTime2more 2015-16"
    printed: str  # as published
    value: float
    allowed: float  # how far a reproduction may be from it (lait_check.allowed_difference)


@dataclass(frozen=True)
class Proof:
    la: str
    year: str  # the collection year of the gaps
    gaps: frozenset[str]  # the indicators of KNOWN_GAPS this proof accounts for in that year
    why: str
    figures: Mapping[str, Figure]
    slack_of: Callable[[Mapping[str, float]], float]

    @property
    def slack(self) -> float:
        """The slack at the published values."""
        return self.slack_of({name: f.value for name, f in self.figures.items()})

    def least_slack(self) -> float:
        """The least slack with every figure anywhere within its tolerance."""
        names = list(self.figures)
        ranges = [(f.value - f.allowed, f.value + f.allowed) for f in self.figures.values()]
        return min(
            self.slack_of(dict(zip(names, corner, strict=True))) for corner in itertools.product(*ranges)
        )

    def __str__(self) -> str:
        shown = ", ".join(f"{f.label} {f.printed} (±{f.allowed:.3g})" for f in self.figures.values())
        return (
            f"{self.la} {self.year} {sorted(self.gaps)}: {self.why}; slack {self.slack:.1f} as published, "
            f"{self.least_slack():.1f} at worst; {shown}"
        )


def lait_figure(measure: str, la: str, start_year: int, *, count: bool = False, of: float = 0.0) -> Figure:
    """A LAIT figure for the collection year starting `start_year`; `of` is a share's denominator (its
    tolerance widens to one child when the numerator is under 50, as lait_check's does)."""
    printed = lait_published(measure, la, start_year)
    value = _number(printed) if printed is not None else None
    if printed is None or value is None:
        raise ValueError(
            f"LAIT {measure}: no published value for LA {la} in {financial_year_label(start_year)}"
        )
    one_child = 100 / of if of and value * of / 100 < SMALL_COUNT else 0.0
    allowed = allowed_difference(printed, value, count, one_child)
    return Figure(f"{measure} {financial_year_label(start_year)}", printed, value, allowed)


def b1_figure(column: str, la: str, start_year: int) -> Figure:
    """A count of episodes of need from EES table B1 (At31_episodes, Ended_episodes), a count's tolerance."""
    candidates = _ees(_B1, column).get(la, {}).get(start_year + 1, [])
    printed = next((raw for raw, _ in candidates if _number(raw) is not None), None)
    if printed is None:
        raise ValueError(
            f"{_B1} {column}: no published value for LA {la} in {financial_year_label(start_year)}"
        )
    value = float(printed)
    return Figure(
        f"{column} {financial_year_label(start_year)}",
        printed,
        value,
        allowed_difference(printed, value, True),
    )


def cin_two_years_old(la: str, start_year: int, gaps: frozenset[str]) -> Proof:
    """Every episode open 2 years or more at the year's end, and every episode closed in the year after 2 years
    or more, was open a year or more at the previous 31 March (referred on or before it less a year): the two
    cannot outnumber the episodes then open 1-2 years and 2 years or more."""
    before = start_year - 1
    at31 = b1_figure("At31_episodes", la, start_year)
    ended = b1_figure("Ended_episodes", la, start_year)
    at31_before = b1_figure("At31_episodes", la, before)
    figures = {
        "open_2y": lait_figure("CINTime2more", la, start_year, of=at31.value),
        "at31": at31,
        "closed_2y": lait_figure("CINCease2more", la, start_year, of=ended.value),
        "ended": ended,
        "before_1_2y": lait_figure("CINTime1-2", la, before, of=at31_before.value),
        "before_2y": lait_figure("CINTime2more", la, before, of=at31_before.value),
        "at31_before": at31_before,
    }

    def slack(v: Mapping[str, float]) -> float:
        two_years_old = v["open_2y"] * v["at31"] + v["closed_2y"] * v["ended"]
        return (two_years_old - (v["before_1_2y"] + v["before_2y"]) * v["at31_before"]) / 100

    return Proof(
        la,
        financial_year_label(start_year),
        gaps,
        "open 2y+ at 31 March plus closed 2y+ in the year exceed those open 1y+ at the previous 31 March",
        figures,
        slack,
    )


def cin_one_year_old(la: str, start_year: int, gaps: frozenset[str]) -> Proof:
    """Every episode open a year or more at the previous 31 March either is still open at the year's end, then 2
    years or more, or closes in the year after a year or more: those open 2 years or more and those closed
    after 1-2 years or 2 years or more cannot be fewer than it."""
    before = start_year - 1
    at31 = b1_figure("At31_episodes", la, start_year)
    ended = b1_figure("Ended_episodes", la, start_year)
    at31_before = b1_figure("At31_episodes", la, before)
    figures = {
        "before_1_2y": lait_figure("CINTime1-2", la, before, of=at31_before.value),
        "before_2y": lait_figure("CINTime2more", la, before, of=at31_before.value),
        "at31_before": at31_before,
        "open_2y": lait_figure("CINTime2more", la, start_year, of=at31.value),
        "at31": at31,
        "closed_1_2y": lait_figure("CINCease1-2", la, start_year, of=ended.value),
        "closed_2y": lait_figure("CINCease2more", la, start_year, of=ended.value),
        "ended": ended,
    }

    def slack(v: Mapping[str, float]) -> float:
        one_year_old = (v["before_1_2y"] + v["before_2y"]) * v["at31_before"]
        accounted = v["open_2y"] * v["at31"] + (v["closed_1_2y"] + v["closed_2y"]) * v["ended"]
        return (one_year_old - accounted) / 100

    return Proof(
        la,
        financial_year_label(start_year),
        gaps,
        "open 1y+ at the previous 31 March exceed those open 2y+ at 31 March plus those closed after 1y+",
        figures,
        slack,
    )


# The KNOWN_GAPS entries put down to published figures that contradict one another: (LA, start year of the
# collection year, the proof, the indicators it accounts for). Norfolk's 2016-17 return carried about 6,600
# fewer of its episodes open at 31 March 2016 than the 2015-16 return had (B1: 10,644 open + 5,405 started -
# 4,665 ended would leave 11,384 open, not 4,794); each census is a fresh submission, so a record dropped from
# the later one leaves no closure behind. Its closed bands cannot all be met: the fit places the stock's
# surplus closures where it can and misses these four.
_PROOFS: tuple[tuple[str, int, Callable[[str, int, frozenset[str]], Proof], frozenset[str]], ...] = (
    (
        "926",
        2016,
        cin_one_year_old,
        frozenset(
            {
                "cin_closed_under_3m_pct",
                "cin_closed_6_12m_pct",
                "cin_closed_1_2y_pct",
                "cin_closed_2y_plus_pct",
            }
        ),
    ),
)


def published_contradictions() -> list[Proof]:
    """Every proof behind a KNOWN_GAPS entry marked as a contradiction in the published figures."""
    return [proof(la, year, gaps) for la, year, proof, gaps in _PROOFS]


__all__ = [
    "Figure",
    "Proof",
    "b1_figure",
    "cin_one_year_old",
    "cin_two_years_old",
    "lait_figure",
    "published_contradictions",
]
