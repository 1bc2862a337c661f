"""Published figures that no single set of records can all reproduce, even with every figure at the edge of its
tolerance (synth/lait_check.allowed_difference): the proofs behind the entries of tests/test_synth_lait.py's
KNOWN_GAPS that are there because DfE's own figures disagree, not because the synthetic council falls short.

Each proof is an inequality that every consistent set of records satisfies, between published figures. Episodes
of need count each (a child can have several in a year, never two at once) and last from the referral date to
31 March or to the closure date (LAIT data dictionary, CINTime* and CINCease*). The counts behind the shares are
taken two ways, and a contradiction must hold both ways:
- as DfE counts (`DFE`): table B1's At31_episodes and Ended_episodes, which leave out referrals ending in no
  further action and those assessed as not in need (B1's Started_episodes = C1's referrals less both);
- from the LAIT figures the synthetic council is checked against (`CATALOGUE`): episodes open at 31 March from
  the published CIN rate, and episodes closed in the year from those, the published referrals and the shares
  ending in no further action and assessed as not in need (open before + started - open after), both left out
  as the catalogue's cin_closed_* leave them out.

The slack is the inequality's left side less its right (positive: the records would need more than they can
have). It is linear in each figure, so its least value over the box of tolerated values is at a corner;
`least_slack` tries them all. A proof holds when even that least slack is positive.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..periods import financial_year_label
from .calibration import _ees, _number, lait_published, published
from .lait_check import SMALL_COUNT, allowed_difference

_B1 = "cin_b1_children_in_need_2013_to_2025.csv"
DFE = "as DfE counts"
CATALOGUE = "as the catalogue counts"

Values = Mapping[str, float]


@dataclass(frozen=True)
class Figure:
    label: str  # what and when, e.g. "CINTime2more 2015-16"
    printed: str  # as published
    value: float
    allowed: float  # how far a reproduction may be from it


@dataclass(frozen=True)
class Proof:
    la: str
    year: str  # the collection year of the gaps
    why: str
    figures: Mapping[str, Figure]
    slack_of: Callable[[Values], float]

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
            f"{self.la} {self.year}: {self.why}; slack {self.slack:.1f} as published, "
            f"{self.least_slack():.1f} at worst; {shown}"
        )


def lait_figure(
    measure: str, la: str, start_year: int, *, count: bool = False, of: float = 0.0, rounded_to: int = 1
) -> Figure:
    """A LAIT figure for the collection year starting `start_year`, with lait_check's tolerance: `of` is a
    share's denominator (one child's worth when the numerator is under 50); `rounded_to` widens a count DfE
    published rounded (to the nearest 5: 2.5 either way)."""
    printed = lait_published(measure, la, start_year)
    value = _number(printed) if printed is not None else None
    if printed is None or value is None:
        raise ValueError(
            f"LAIT {measure}: no published value for LA {la} in {financial_year_label(start_year)}"
        )
    one_child = 100 / of if of and value * of / 100 < SMALL_COUNT else 0.0
    allowed = allowed_difference(printed, value, count, one_child, rounded_to)
    return Figure(f"{measure} {financial_year_label(start_year)}", printed, value, allowed)


def b1_figure(column: str, la: str, start_year: int) -> Figure:
    """A count of episodes of need from EES table B1 (At31_episodes, Ended_episodes), with a count's tolerance."""
    candidates = _ees(_B1, column).get(la, {}).get(start_year + 1, [])
    printed = next((raw for raw, _ in candidates if _number(raw) is not None), None)
    if printed is None:
        raise ValueError(
            f"{_B1} {column}: no published value for LA {la} in {financial_year_label(start_year)}"
        )
    value = float(printed)
    label = f"{column} {financial_year_label(start_year)}"
    return Figure(label, printed, value, allowed_difference(printed, value, True))


def _population(la: str, start_year: int) -> float:
    figure = published("population", la, start_year)
    if figure.value is None or figure.published_year != financial_year_label(start_year):
        raise ValueError(f"no ONS population for LA {la} in {financial_year_label(start_year)}")
    return figure.value


@dataclass(frozen=True)
class _Episodes:
    """Episodes of need open at the previous 31 March, at this one, and closed in the year, as `counted`."""

    figures: dict[str, Figure]
    before: Callable[[Values], float]
    after: Callable[[Values], float]
    ended: Callable[[Values], float]


def _episodes(la: str, start_year: int, counted: str) -> _Episodes:
    if counted == DFE:
        figures = {
            "b1_before": b1_figure("At31_episodes", la, start_year - 1),
            "b1_after": b1_figure("At31_episodes", la, start_year),
            "b1_ended": b1_figure("Ended_episodes", la, start_year),
        }
        return _Episodes(figures, lambda v: v["b1_before"], lambda v: v["b1_after"], lambda v: v["b1_ended"])
    if counted != CATALOGUE:
        raise ValueError(f"counted {counted!r}: {DFE!r} or {CATALOGUE!r}")
    pop_before, pop_after = _population(la, start_year - 1), _population(la, start_year)
    referrals = lait_figure("CPP_Total_NumRef", la, start_year, count=True)
    figures = {
        "rate_before": lait_figure("CIN", la, start_year - 1),
        "rate_after": lait_figure("CIN", la, start_year),
        "referrals": referrals,
        "nfa": lait_figure("CIN_Refferals_NFA", la, start_year, of=referrals.value),
        "not_in_need": lait_figure("Referrals_AssessedNotNeed", la, start_year, of=referrals.value),
    }

    def before(v: Values) -> float:
        return v["rate_before"] * pop_before / 10_000

    def after(v: Values) -> float:
        return v["rate_after"] * pop_after / 10_000

    def ended(v: Values) -> float:
        return before(v) + v["referrals"] * (1 - (v["nfa"] + v["not_in_need"]) / 100) - after(v)

    return _Episodes(figures, before, after, ended)


def cin_two_years_old(la: str, start_year: int, counted: str = DFE) -> Proof:
    """Every episode open 2 years or more at the year's end, and every episode closed in the year after 2 years
    or more, was open a year or more at the previous 31 March (referred on or before it less a year): together
    they cannot outnumber the episodes then open 1-2 years and 2 years or more."""
    n = _episodes(la, start_year, counted)
    figures = {
        **n.figures,
        "open_2y": lait_figure("CINTime2more", la, start_year, of=n.after(_values(n.figures))),
        "closed_2y": lait_figure("CINCease2more", la, start_year, of=n.ended(_values(n.figures))),
        "before_1_2y": lait_figure("CINTime1-2", la, start_year - 1, of=n.before(_values(n.figures))),
        "before_2y": lait_figure("CINTime2more", la, start_year - 1, of=n.before(_values(n.figures))),
    }

    def slack(v: Values) -> float:
        two_years_old = v["open_2y"] * n.after(v) + v["closed_2y"] * n.ended(v)
        return (two_years_old - (v["before_1_2y"] + v["before_2y"]) * n.before(v)) / 100

    why = f"{counted}, open 2y+ at 31 March and closed 2y+ in the year exceed those open 1y+ a year before"
    return Proof(la, financial_year_label(start_year), why, figures, slack)


def cin_one_year_old(la: str, start_year: int, counted: str = DFE) -> Proof:
    """Every episode open a year or more at the previous 31 March either is still open at the year's end, then 2
    years or more, or closes in the year after a year or more: those cannot be fewer."""
    n = _episodes(la, start_year, counted)
    figures = {
        **n.figures,
        "before_1_2y": lait_figure("CINTime1-2", la, start_year - 1, of=n.before(_values(n.figures))),
        "before_2y": lait_figure("CINTime2more", la, start_year - 1, of=n.before(_values(n.figures))),
        "open_2y": lait_figure("CINTime2more", la, start_year, of=n.after(_values(n.figures))),
        "closed_1_2y": lait_figure("CINCease1-2", la, start_year, of=n.ended(_values(n.figures))),
        "closed_2y": lait_figure("CINCease2more", la, start_year, of=n.ended(_values(n.figures))),
    }

    def slack(v: Values) -> float:
        one_year_old = (v["before_1_2y"] + v["before_2y"]) * n.before(v)
        accounted = v["open_2y"] * n.after(v) + (v["closed_1_2y"] + v["closed_2y"]) * n.ended(v)
        return (one_year_old - accounted) / 100

    why = f"{counted}, open 1y+ a year before exceed those open 2y+ at 31 March and those closed after 1y+"
    return Proof(la, financial_year_label(start_year), why, figures, slack)


def cin_one_year_old_shorter_bands(la: str, start_year: int, counted: str = DFE) -> Proof:
    """As cin_one_year_old where the year's closed bands of 6 months or more are suppressed (Rutland 2015-16):
    the episodes closed after a year or more are at most those closed that are in neither published shorter
    band (under 3 months, 3 to 6 months)."""
    return _one_year_old_shorter_bands(la, start_year, counted, younger_open_bands=False)


def cin_one_year_old_younger_open_bands(la: str, start_year: int, counted: str = DFE) -> Proof:
    """As cin_one_year_old_shorter_bands with the share open 2 years or more at the year's end taken as what
    the four younger open bands leave: the five shares of the episodes open add to 100%, so records that meet
    the younger bands have the rest open 2 years or more, and those cannot hold the old episodes either."""
    return _one_year_old_shorter_bands(la, start_year, counted, younger_open_bands=True)


_YOUNGER_OPEN = ("CINTime3months", "CINTime3-6", "CINTime6-1", "CINTime1-2")


def _one_year_old_shorter_bands(la: str, start_year: int, counted: str, *, younger_open_bands: bool) -> Proof:
    n = _episodes(la, start_year, counted)
    after = n.after(_values(n.figures))
    if younger_open_bands:
        open_figures = {f"open_{m}": lait_figure(m, la, start_year, of=after) for m in _YOUNGER_OPEN}
    else:
        open_figures = {"open_2y": lait_figure("CINTime2more", la, start_year, of=after)}
    figures = {
        **n.figures,
        "before_1_2y": lait_figure("CINTime1-2", la, start_year - 1, of=n.before(_values(n.figures))),
        "before_2y": lait_figure("CINTime2more", la, start_year - 1, of=n.before(_values(n.figures))),
        **open_figures,
        "closed_3m": lait_figure("CINCease3months", la, start_year, of=n.ended(_values(n.figures))),
        "closed_3_6m": lait_figure("CINCease3-6", la, start_year, of=n.ended(_values(n.figures))),
    }

    def open_2y(v: Values) -> float:
        if younger_open_bands:
            return 100 - sum(v[f"open_{m}"] for m in _YOUNGER_OPEN)
        return v["open_2y"]

    def slack(v: Values) -> float:
        one_year_old = (v["before_1_2y"] + v["before_2y"]) * n.before(v)
        accounted = open_2y(v) * n.after(v) + (100 - v["closed_3m"] - v["closed_3_6m"]) * n.ended(v)
        return (one_year_old - accounted) / 100

    left = "those the younger open bands leave" if younger_open_bands else "those open 2y+"
    why = (
        f"{counted}, open 1y+ a year before exceed {left} at 31 March and those closed after 6 months or more"
    )
    return Proof(la, financial_year_label(start_year), why, figures, slack)


def _plans_ended(la: str, start_year: int) -> tuple[dict[str, Figure], Callable[[Values], float]]:
    """The published rate of plans ending and the plans it is per 10,000 of the LA's children, with the counts
    that give the plans ending by flows: those open at the previous 31 March and starting, less those open at
    this one (each plan counts, as the catalogue's cpp_ended_count and DfE's plans ceasing do)."""
    pop = _population(la, start_year)
    figures = {
        "ended_rate": lait_figure("DeRegCPR", la, start_year),
        "open_before": lait_figure("CPP_Num", la, start_year - 1, count=True),
        "started": lait_figure("CPP_Abuse", la, start_year, count=True),
        "open_after": lait_figure("CPP_Num", la, start_year, count=True),
    }

    def by_rate_less_by_flows(v: Values) -> float:
        return v["ended_rate"] * pop / 10_000 - (v["open_before"] + v["started"] - v["open_after"])

    return figures, by_rate_less_by_flows


def cpp_plans_ended(la: str, start_year: int) -> Proof:
    """The published rate of plans ending asks for more plans than were open a year before or started, less
    those still open."""
    figures, difference = _plans_ended(la, start_year)
    why = (
        "plans ending per 10,000 ask for more than were open a year before or started, less those still open"
    )
    return Proof(la, financial_year_label(start_year), why, figures, difference)


def cpp_plans_ended_too_few(la: str, start_year: int) -> Proof:
    """The published rate of plans ending asks for fewer plans than the plans open a year before and those
    started, less those still open, must have ended."""
    figures, difference = _plans_ended(la, start_year)
    why = (
        "plans ending per 10,000 ask for fewer than were open a year before or started, less those still open"
    )
    return Proof(la, financial_year_label(start_year), why, figures, lambda v: -difference(v))


def three_plus_placements(la: str, start_year: int, *, rounded_to: int = 1) -> Proof:
    """The count of looked-after children with three or more placements is more than their published share of
    those looked after at 31 March allows; `rounded_to` 5 reads the count as DfE rounded it in 2015-16 and
    2016-17."""
    looked_after = lait_figure("LACnum", la, start_year, count=True)
    figures = {
        "count": lait_figure("LACStableNum_2016on", la, start_year, count=True, rounded_to=rounded_to),
        "share": lait_figure("LACStable_2016on", la, start_year, of=looked_after.value),
        "looked_after": looked_after,
    }

    def slack(v: Values) -> float:
        return v["count"] - v["share"] * v["looked_after"] / 100

    why = "three or more placements: the count exceeds its share of those looked after"
    return Proof(la, financial_year_label(start_year), why, figures, slack)


def _values(figures: Mapping[str, Figure]) -> dict[str, float]:
    return {name: f.value for name, f in figures.items()}


# The KNOWN_GAPS entries put down to published figures that contradict one another, with their proofs. Norfolk's
# 2016-17 census return carried about 6,600 fewer episodes open at 31 March 2016 than its 2015-16 return had
# (B1: 10,644 open + 5,405 started - 4,665 ended would leave 11,384 open, not 4,794): each census is a fresh
# submission, and a record dropped from the later one leaves no closure behind. The fit keeps the stock's
# figures and misses the closed bands the surplus closures fall in.
_NORFOLK_CLOSED = (
    "cin_closed_under_3m_pct",
    "cin_closed_6_12m_pct",
    "cin_closed_1_2y_pct",
    "cin_closed_2y_plus_pct",
)
# Rutland 2015-16 published 36.1 plans ending per 10,000 (29 of its 8,028 children) where 27 plans open at 31
# March 2015 and 46 starting, less 27 open at 31 March 2016, ended 46: each plan that ends is one of those.
# Its 2015-16 episodes of need: 57.2% of the 229 open at 31 March 2015 had been open a year or more (131), but
# only 29.2% of the 260 open a year later are 2 years old (76) and 11.4% of the episodes ended in the year lasted
# 6 months or more (5 of B1's 44, 19 of the 167 the LAIT rates give): 40 or 25 episodes short at worst. The
# council misses the figures of the inequality it cannot keep: its CIN rate, the share open 2 years or more and
# the two closed bands published (the longer ones were suppressed).
_RUTLAND_2015_NEED = (
    "cin_rate",
    "cin_open_2y_plus_pct",
    "cin_closed_under_3m_pct",
    "cin_closed_3_6m_pct",
)
# The same inequality with the share open 2 years or more taken as what the four younger open bands leave (the
# five add to 100%): 23.8 + 23.5 + 15 + 8.5% leave 29.2% again, and at the edges of their tolerances 31.0%, still
# 36 or 22 episodes short at worst. Records that meet the younger bands miss the stock's figures, so the council
# misses the three of them it does not meet (open under 3 months is within).
_RUTLAND_2015_YOUNGER_OPEN = (
    "cin_open_3_6m_pct",
    "cin_open_6_12m_pct",
    "cin_open_1_2y_pct",
)
_CONTRADICTIONS: tuple[tuple[str, int, tuple[str, ...], tuple[Callable[[], Proof], ...]], ...] = (
    (
        "926",
        2016,
        _NORFOLK_CLOSED,
        (lambda: cin_one_year_old("926", 2016, DFE), lambda: cin_one_year_old("926", 2016, CATALOGUE)),
    ),
    ("857", 2015, ("cpp_ended_rate",), (lambda: cpp_plans_ended_too_few("857", 2015),)),
    (
        "857",
        2015,
        _RUTLAND_2015_NEED,
        (
            lambda: cin_one_year_old_shorter_bands("857", 2015, DFE),
            lambda: cin_one_year_old_shorter_bands("857", 2015, CATALOGUE),
        ),
    ),
    (
        "857",
        2015,
        _RUTLAND_2015_YOUNGER_OPEN,
        (
            lambda: cin_one_year_old_younger_open_bands("857", 2015, DFE),
            lambda: cin_one_year_old_younger_open_bands("857", 2015, CATALOGUE),
        ),
    ),
)


def published_contradictions() -> dict[str, dict[tuple[str, str], tuple[Proof, ...]]]:
    """LA -> (year, indicator) of each KNOWN_GAPS entry proven beyond reach -> its proofs (every one must hold)."""
    marked: dict[str, dict[tuple[str, str], tuple[Proof, ...]]] = {}
    for la, start_year, indicators, makers in _CONTRADICTIONS:
        proofs = tuple(make() for make in makers)
        for indicator in indicators:
            marked.setdefault(la, {})[(financial_year_label(start_year), indicator)] = proofs
    return marked


__all__ = [
    "CATALOGUE",
    "DFE",
    "Figure",
    "Proof",
    "b1_figure",
    "cin_one_year_old",
    "cin_one_year_old_shorter_bands",
    "cin_one_year_old_younger_open_bands",
    "cin_two_years_old",
    "cpp_plans_ended",
    "cpp_plans_ended_too_few",
    "lait_figure",
    "published_contradictions",
    "three_plus_placements",
]
