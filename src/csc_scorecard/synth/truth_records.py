"""The records the output returns make visible, as the engine sees them once loaded (truth.py's rules), and the
walks over a child's 903 episodes that the ground truths share: both truth.py and truth_lait.py read these.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from ..periods import add_months, add_years
from .dates import year_bounds
from .model import World
from .write_903 import oc2_row
from .write_cin import closure_reason, cp_reviews

SHORT_BREAKS = ("V3", "V4")
TEMPORARY = ("T0", "T1", "T2", "T3", "T4")
ADOPTIVE = ("A3", "A4", "A5", "A6")
SGO = ("E43", "E44", "E45", "E46", "E47", "E48")
EET = ("F1", "P1", "F2", "P2", "F3", "P3", "F4", "P4", "F5", "P5")
NEW_CARER = ("S", "P", "B")
SUITABILITY_UNKNOWN = ("G", "H", "R")  # ACCOM abroad, deported, residence not known


def _figure(numerator: float, denominator: float | None, *, percent: bool = False) -> dict:
    """A count (no denominator), a percentage, or a mean (numerator / denominator)."""
    if denominator is None:
        return {"numerator": numerator, "denominator": None, "value": numerator}
    if not denominator:
        return {"numerator": numerator, "denominator": denominator, "value": None}
    return {
        "numerator": numerator,
        "denominator": denominator,
        "value": numerator / denominator * (100.0 if percent else 1.0),
    }


class _Loaded:
    """The records the output returns make visible, with dates after the last 31 March blanked."""

    def __init__(self, world: World):
        self.first, _ = year_bounds(world.years[0])
        _, self.last = year_bounds(world.years[-1])
        first, last = self.first, self.last

        def cut(day: dt.date | None) -> dt.date | None:
            return day if day is not None and day <= last else None

        self.referrals: list[tuple[str, dt.date, bool]] = []
        # child, referral, source, NFA, closure (blank after the last 31 March), ReasonForClosure
        self.referral_rows: list[tuple[str, dt.date, str, bool, dt.date | None, str]] = []
        self.s47_rows: list[tuple[str, dt.date, dt.date | None]] = []  # child, start, conference
        self.episode_conferences: list[tuple[str, dt.date]] = []  # CINdetails DateOfInitialCPC
        self.reviews: dict[tuple[str, dt.date], list[dt.date]] = {}  # (child, plan start) -> CPPreviewDate
        self.uasc: set[str] = set()
        self.final_episode: dict[str, tuple[dt.date | None, str]] = {}  # child -> last loaded DEC, PLACE
        self.oc2: dict[int, list[tuple[str, list[str]]]] = defaultdict(list)  # year -> (child, OC2 row)
        self.referrals_by_child: dict[str, list[dt.date]] = defaultdict(list)
        self.assessments: list[tuple[dt.date, dt.date | None]] = []
        self.s47s: list[tuple[dt.date, dt.date | None]] = []
        self.episodes: list[tuple[str, dt.date, dt.date | None, bool]] = []
        self.plans: list[tuple[str, dt.date, dt.date | None, int]] = []
        self.plans_by_child: dict[str, list[dt.date]] = defaultdict(list)
        self.cla: dict[str, list[tuple]] = {}
        self.missing: dict[str, list[tuple[str, dt.date, dt.date | None]]] = defaultdict(list)
        self.short_breaks_only: set[str] = set()
        self.matches: dict[str, dt.date | None] = {}
        self.dob: dict[str, dt.date] = {}
        for child in world.children:
            self.dob[child.id] = child.dob
            for ep in child.episodes:
                closed = ep.closure()
                if ep.referral > last or closed < first:
                    continue
                self.referrals.append((child.id, ep.referral, ep.nfa))
                self.referrals_by_child[child.id].append(ep.referral)
                self.episodes.append((child.id, ep.referral, cut(closed), ep.nfa))
                # one a later return no longer holds: open until that return's year, never closed
                reason = closure_reason(ep) if closed <= last and ep.not_carried is None else ""
                shown = cut(closed) if ep.not_carried is None else None
                self.referral_rows.append((child.id, ep.referral, ep.source, ep.nfa, shown, reason))
                if ep.assessment is not None and ep.assessment.start <= last:
                    self.assessments.append((ep.assessment.start, cut(ep.assessment.auth)))
                for s47 in ep.s47s:
                    if s47.start <= last:
                        self.s47s.append((s47.start, cut(s47.icpc)))
                        self.s47_rows.append((child.id, s47.start, cut(s47.icpc)))
                held = [s47.icpc for s47 in ep.s47s if s47.icpc is not None and s47.icpc <= last]
                if held:
                    self.episode_conferences.append((child.id, min(held)))
                for plan in ep.plans:
                    if plan.start <= last:
                        self.plans.append((child.id, plan.start, cut(plan.end), plan.previous))
                        self.plans_by_child[child.id].append(plan.start)
                        self.reviews[(child.id, plan.start)] = [r for r in cp_reviews(plan) if r <= last]
            rows = []
            if child.uasc:
                self.uasc.add(child.id)
            every = [ep for period in child.periods for ep in period.episodes]
            if child.short_break is not None:
                every += child.short_break.episodes
            shown = [ep for ep in every if ep.decom <= last and (ep.dec is None or ep.dec >= first)]
            if shown:
                final = max(shown, key=lambda ep: ep.decom)
                self.final_episode[child.id] = (cut(final.dec), final.place)
            for period in child.periods:
                for year in world.years:
                    _, ref = year_bounds(year)
                    if period.start <= add_years(ref, -1) and period.end > ref and period.start <= last:
                        row = world.oc2.get((child.id, year)) or oc2_row(child, year, ref, world.seed)
                        self.oc2[year].append((child.id, row))
                for ep in period.episodes:
                    if ep.decom <= last and (ep.dec is None or ep.dec >= first) and ep.ls not in SHORT_BREAKS:
                        dec = cut(ep.dec)
                        rows.append((ep.decom, ep.rne, ep.ls, ep.place, dec, ep.rec if dec else ""))
                for kind, start, end in period.missing:
                    if start <= last and end >= first:
                        self.missing[child.id].append((kind, start, cut(end)))
                if (
                    period.rec in ("E11", "E12")
                    and first <= period.end <= last
                    and period.adoption is not None
                ):
                    self.matches[child.id] = period.adoption.match
            if rows:
                rows.sort()
                self.cla[child.id] = rows
            elif child.short_break is not None and any(
                ep.decom <= last and (ep.dec is None or ep.dec >= first) for ep in child.short_break.episodes
            ):
                self.short_breaks_only.add(child.id)
        for dates in self.referrals_by_child.values():
            dates.sort()
        self.care_leavers = world.care_leavers


def _withheld() -> dict:
    """A figure whose look-back reaches before the first output year: no numbers at all."""
    return {"numerator": None, "denominator": None, "value": None}


def _open_at(rows: list[tuple], day: dt.date) -> int | None:
    for i, row in enumerate(rows):
        if row[0] <= day and (row[4] is None or row[4] > day):
            return i
    return None


def _placements_in_window(rows: list[tuple], start: dt.date, end: dt.date) -> int:
    relevant = [r for r in rows if r[3] not in TEMPORARY and r[0] <= end and (r[4] is None or r[4] > start)]
    if not relevant:
        return 0
    return 1 + sum(1 for r in relevant[1:] if start <= r[0] <= end and r[1] in NEW_CARER)


def _chain_start_index(rows: list[tuple], current: int) -> int:
    """Walk back from `current` through visible episodes joined end to start (REC X1) to the period's RNE S
    episode, or to the earliest visible one if the start is not loaded."""
    i = current
    while i > 0 and rows[i][1] != "S" and rows[i - 1][4] == rows[i][0] and rows[i - 1][5] == "X1":
        i -= 1
    return i


def _long_term_stable(rows: list[tuple], current: int, end: dt.date) -> bool | None:
    """None if not in the cohort (not provably looked after for 30 months), else whether stable.

    When the period's RNE S episode is not loaded, the earliest loaded episode of the chain is a lower bound
    for the start (the data prove care since at least then), and likewise for the placement's start.
    """
    first = _chain_start_index(rows, current)
    if rows[first][0] > add_months(end, -30):
        return None
    chain = [r[0] for r in rows[first : current + 1] if r[1] in NEW_CARER and r[3] not in TEMPORARY]
    if not chain or chain[0] != rows[first][0]:
        chain.insert(0, rows[first][0])  # the placement (or the one before) began on or before this
    two_years_ago = add_years(end, -2)
    if chain[-1] <= two_years_ago:
        return True
    return rows[current][3] in ADOPTIVE and len(chain) >= 2 and chain[-2] <= two_years_ago
