"""Ground truth: the indicators of spec/indicators.md for each output year, from the simulation's own records.

This is a second, independent implementation for differential tests: it never reads the written files. It
does reproduce what the *loaded* returns show, because that is what the engine sees:

- A record is visible if some output return holds it: a CIN episode if referred on or before the last
  31 March and not closed before the first 1 April (its assessments, enquiries and plans that started by the
  last 31 March come with it); a 903 episode if it started by the last 31 March and did not end before the
  first 1 April; a missing incident likewise; AD1 and OC3 rows only from the year they are written in.
- Dates after the last 31 March are blank (the latest return wins, and it was made on that day).
- Look-backs see visible records only, and a figure whose look-back reaches before the first 1 April is
  withheld (numerator, denominator and value None), as DfE's rules need the whole history: re-referrals need
  the 12 months before the window, so the first output year has none; long-term stability needs the 30 months
  before the window end, so the first two years have none; A1 and A2 need the start of every adopted child's
  period of care, so a year in which one adopted child's RNE S episode ended before the first 1 April has
  none. A CP plan counts as second if NumberOfPreviousCPP >= 1 or an earlier visible plan exists.
- Long-term stability: the period of care and the placement are traced back through the child's loaded
  episodes joined end to start (REC X1). The period starts at its RNE S episode; if that is not loaded, the
  earliest loaded episode of the chain is used as a lower bound (the data prove care since at least then), so
  a child is in the cohort when the data prove 30 months of care. The placement starts at the latest RNE S, P
  or B episode that is not temporary (T0-T4), or at that lower bound if none is loaded; for a child placed for
  adoption the placement before the adoptive one is the previous such start.
- Placements in the window: visible episodes of the child, short breaks and temporary placements (T0-T4)
  excluded, that were open after the window start (DEC blank or after it) and started by its end; the first
  counts one, each later one starting in the window with RNE S, P or B one more. A return from a temporary
  placement is written with RNE T (same carer), so it never counts.
- A1/A2: for children whose adoption (REC E11/E12) ended an episode in the window, and only where the
  period's RNE S episode is loaded (so the whole period is): a duration needs the real start, not a bound.
  A2 also needs a loaded episode with LS E1/D1 (the first one in the period) and the AD1 match; a match
  before authority counts 0. The denominators hold the children included.
- "Within 12 months" is calendar: an earlier referral on or after the same date a year before counts.
- Children in need at 31 March leave out episodes of referrals marked NFA (LAIT CIN_Refferals_NFA).
- A CP plan lasted 2 years when it lasted more than 729 days counting the day it ended (LAIT CPPlans2yrs).
- Children starting care count once (the first occasion) and children ceasing once, on the last occasion in
  the window (LAIT LACceased): the adoption and SGO figures take the reason of that last occasion.
- Children looked after exclude short breaks (LS V3/V4) throughout, including the missing denominator.
- Missing and away: a child counts when an incident of that kind (M, A) was open at any time in the window,
  including one carried over from before its start (LAIT Children_missing, Children_Away).
- Care leavers: OC3 rows of that year's return for the age group, excluding IN_TOUCH DIED/RHOM, final REC E3
  and children whose every visible episode is a short break; suitable accommodation also leaves out ACCOM G
  (abroad), H (deported) and R (residence not known) from its denominator (LAIT CareLeaverAcc).
"""

from __future__ import annotations

import datetime as dt

from ..periods import add_months, add_years, financial_year_label
from ..working_days import working_days_between
from .dates import age_on, year_bounds
from .model import World
from .truth_lait import LAIT_IDS, lait_figures
from .truth_records import (
    ADOPTIVE,
    EET,
    SGO,
    SUITABILITY_UNKNOWN,
    _figure,
    _Loaded,
    _long_term_stable,
    _open_at,
    _placements_in_window,
    _withheld,
)


def _front_door(data: _Loaded, start: dt.date, end: dt.date) -> dict[str, dict]:
    referrals = [(c, r, nfa) for c, r, nfa in data.referrals if start <= r <= end]
    re_referred = 0
    for child, day, _ in referrals:
        since = add_years(day, -1)
        if any(since <= earlier < day for earlier in data.referrals_by_child[child]):
            re_referred += 1
    authorised = [(s, a) for s, a in data.assessments if a is not None and start <= a <= end]
    conferences = [(s, i) for s, i in data.s47s if i is not None and start <= i <= end]
    return {
        "referrals_count": _figure(len(referrals), None),
        "re_referrals_12m_pct": (
            _withheld()
            if add_years(start, -1) < data.first
            else _figure(re_referred, len(referrals), percent=True)
        ),
        "referrals_nfa_pct": _figure(sum(1 for *_, nfa in referrals if nfa), len(referrals), percent=True),
        "assessments_count": _figure(len(authorised), None),
        "assessments_45wd_pct": _figure(
            sum(1 for s, a in authorised if working_days_between(s, a) <= 45), len(authorised), percent=True
        ),
        "s47_count": _figure(sum(1 for s, _ in data.s47s if start <= s <= end), None),
        "s47_icpc_15wd_pct": _figure(
            sum(1 for s, i in conferences if working_days_between(s, i) <= 15), len(conferences), percent=True
        ),
    }


def _need_and_protection(data: _Loaded, start: dt.date, end: dt.date) -> dict[str, dict]:
    in_need = {
        c for c, r, closed, nfa in data.episodes if r <= end and (closed is None or closed > end) and not nfa
    }
    on_plan = {c for c, s, e, _ in data.plans if s <= end and (e is None or e > end)}
    starting = [(c, s, prev) for c, s, _, prev in data.plans if start <= s <= end]
    second = sum(
        1 for c, s, prev in starting if prev >= 1 or any(other < s for other in data.plans_by_child[c])
    )
    ending = [(s, e) for _, s, e, _ in data.plans if e is not None and start <= e <= end]
    return {
        "cin_count": _figure(len(in_need), None),
        "cpp_count": _figure(len(on_plan), None),
        "cpp_starts_count": _figure(len(starting), None),
        "cpp_second_pct": _figure(second, len(starting), percent=True),
        "cpp_2yrs_ended_pct": _figure(
            sum(1 for s, e in ending if (e - s).days + 1 > 729), len(ending), percent=True
        ),
    }


def _care(data: _Loaded, start: dt.date, end: dt.date) -> dict[str, dict]:
    looked_after, three_plus, cohort, stable = 0, 0, 0, 0
    starters, during, went_missing, went_away = set(), 0, 0, 0
    ceased, adopted, sgo = 0, 0, 0
    a1_days, a1_children, a2_days, a2_children, start_unknown = 0, 0, 0, 0, 0
    for child, rows in data.cla.items():
        if any(r[1] == "S" and start <= r[0] <= end for r in rows):
            starters.add(child)
        exits = [r for r in rows if r[4] is not None and start <= r[4] <= end and r[5] != "X1"]
        if exits:  # once per child, with the reason of the last occasion
            last = max(exits, key=lambda r: (r[4], r[0]))
            ceased += 1
            adopted += last[5] in ("E11", "E12")
            sgo += last[5] in SGO
        for r in exits:
            if r[5] in ("E11", "E12"):
                a1, a2, known = _adoption_timings(rows, r, data.matches.get(child))
                start_unknown += not known
                if a1 is not None:
                    a1_days, a1_children = a1_days + a1, a1_children + 1
                if a2 is not None:
                    a2_days, a2_children = a2_days + a2, a2_children + 1
        if any(r[0] <= end and (r[4] is None or r[4] >= start) for r in rows):
            during += 1
            incidents = data.missing.get(child, ())
            went_missing += _open_incident(incidents, "M", start, end)
            went_away += _open_incident(incidents, "A", start, end)
        current = _open_at(rows, end)
        if current is None:
            continue
        looked_after += 1
        three_plus += _placements_in_window(rows, start, end) >= 3
        if age_on(data.dob[child], end) < 16:
            outcome = _long_term_stable(rows, current, end)
            if outcome is not None:
                cohort += 1
                stable += outcome
    whole_history = add_months(end, -30) >= data.first
    return {
        "cla_count": _figure(looked_after, None),
        "cla_starts_count": _figure(len(starters), None),
        "cla_ceased_count": _figure(ceased, None),
        "ceased_adopted_pct": _figure(adopted, ceased, percent=True),
        "ceased_sgo_count": _figure(sgo, None),
        "cla_3plus_placements_pct": _figure(three_plus, looked_after, percent=True),
        "cla_longterm_stability_pct": _figure(stable, cohort, percent=True) if whole_history else _withheld(),
        "adoption_a1_days": _figure(a1_days, a1_children) if not start_unknown else _withheld(),
        "adoption_a2_days": _figure(a2_days, a2_children) if not start_unknown else _withheld(),
        "cla_missing_pct": _figure(went_missing, during, percent=True),
        "cla_away_pct": _figure(went_away, during, percent=True),
    }


def _open_incident(incidents, kind: str, start: dt.date, end: dt.date) -> bool:
    """An incident of the kind open at any time in the window: begun by its end, not over before its start."""
    return any(k == kind and begun <= end and (over is None or over >= start) for k, begun, over in incidents)


def _adoption_timings(
    rows: list[tuple], adopted: tuple, match: dt.date | None
) -> tuple[int | None, int | None, bool]:
    """A1 and A2 in days (None where the child is not in them), and whether the period's RNE S episode (and so
    every episode of the period) is loaded: without it the figures are withheld. A child counts only if placed
    for adoption (A3-A6); A2 also needs a placement order (LS E1/D1) and the match."""
    before = [r for r in rows if r[0] <= adopted[0]]
    starts = [i for i, r in enumerate(before) if r[1] == "S"]
    if not starts:
        return None, None, False
    period = before[starts[-1] :]
    placed = next((r[0] for r in period if r[3] in ADOPTIVE), None)
    if placed is None:
        return None, None, True
    a1 = (placed - period[0][0]).days
    authority = next((r[0] for r in period if r[2] in ("E1", "D1")), None)
    a2 = max(0, (match - authority).days) if authority is not None and match is not None else None
    return a1, a2, True


def _care_leavers(data: _Loaded, start_year: int) -> dict[str, dict]:
    out = {}
    for label, ages in (("19_21", (19, 20, 21)), ("17_18", (17, 18))):
        cohort = [
            r
            for r in data.care_leavers
            if r.start_year == start_year
            and r.birthday_age in ages
            and r.in_touch not in ("DIED", "RHOM")
            and r.final_rec != "E3"
            and r.child.id not in data.short_breaks_only
        ]
        known = [r for r in cohort if r.accom[:1] not in SUITABILITY_UNKNOWN]
        suitable = sum(1 for r in known if r.accom.endswith("1"))
        eet = sum(1 for r in cohort if r.activ in EET)
        out[f"care_leavers_{label}_suitable_accom_pct"] = _figure(suitable, len(known), percent=True)
        out[f"care_leavers_{label}_eet_pct"] = _figure(eet, len(cohort), percent=True)
    return out


BASE_IDS = (  # truth.py's own rules
    "referrals_count", "re_referrals_12m_pct", "referrals_nfa_pct", "assessments_count", "assessments_45wd_pct",
    "s47_count", "s47_icpc_15wd_pct", "cin_count", "cpp_count", "cpp_starts_count", "cpp_second_pct", "cpp_2yrs_ended_pct",
    "cla_count", "cla_starts_count", "cla_ceased_count", "ceased_adopted_pct", "ceased_sgo_count",
    "cla_3plus_placements_pct", "cla_longterm_stability_pct", "adoption_a1_days", "adoption_a2_days",
    "care_leavers_19_21_suitable_accom_pct", "care_leavers_19_21_eet_pct", "care_leavers_17_18_suitable_accom_pct",
    "care_leavers_17_18_eet_pct", "cla_missing_pct", "cla_away_pct",
)  # fmt: skip
INDICATOR_IDS = BASE_IDS + LAIT_IDS  # every indicator the CIN census and the SSDA903 give


def indicators(world: World) -> dict[str, dict[str, dict]]:
    """{collection year: {indicator id: {numerator, denominator, value}}} for every output year."""
    data = _Loaded(world)
    out = {}
    for year in world.years:
        start, end = year_bounds(year)
        figures = {}
        figures |= _front_door(data, start, end)
        figures |= _need_and_protection(data, start, end)
        figures |= _care(data, start, end)
        figures |= _care_leavers(data, year)
        figures |= lait_figures(data, world.la_code, year, start, end, figures)
        out[financial_year_label(year)] = {name: figures[name] for name in INDICATOR_IDS}
    return out


def care_leaver_counts(world: World, start_year: int) -> dict[str, int]:
    """Care leavers in the year by age group, as published: OC3 rows less DIED, RHOM and final REC E3."""
    rows = [
        r
        for r in world.care_leavers
        if r.start_year == start_year and r.in_touch not in ("DIED", "RHOM") and r.final_rec != "E3"
    ]
    return {
        "care_leavers_19_21": sum(1 for r in rows if r.birthday_age >= 19),
        "care_leavers_17_18": sum(1 for r in rows if r.birthday_age <= 18),
    }
