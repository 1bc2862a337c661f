"""Ground truth for the LAIT measures beyond the core ids, from the simulation's own records (truth_records.py loads
them as the returns show them). A second implementation of catalogue/indicators/*.yaml, in plain Python:

- Referral sources: 2A schools, 3A-3F health services, 6 police. Assessed not in need: not NFA, closed RC8 or
  RC9 by the window's end.
- Durations of need: episodes (not NFA) open at the window end by how long since the referral, and closed in
  the window (not NFA, nor closed RC8/RC9: assessed not in need) by how long they lasted; calendar months (under
  3 months: referred after the end less 3 months).
- Conferences: each section 47 conference, and an episode's DateOfInitialCPC no enquiry of the child had that
  day; bands by working days from the enquiry's start (0-10, 11-15, 16-20, 21 or more).
- Plan reviews: children on a plan at the end for 3 months or more whose reviews up to the end were each on time
  (the first within 3 months of the start, then within 6 months) with the next not yet overdue.
- Plans lasting 2 years at the end: more than 729 days counting the last day. Ending: plans, not children.
- At the window end: placement groups (those of the placement_type breakdown), UASC (in the UASC table and not
  18 by then); starters' UASC on the day they started; ceasing reasons on each child's last occasion.
- Special guardians (E45-E48) from 2018-19 and social workers (SWEpisodes) from 2023-24: earlier years are not
  collected, so withheld.
- Care leavers: the 19-21 cohort's counts, higher education (F1/P1), NEET (G4-G6), not in touch (NO with activity
  0); staying put: 18-20 who left care on their 18th birthday from foster care (U1-U6), ACCOM Z.
- Health: the year's OC2 rows; convictions over those aged 10 or over on 31 March; the mean SDQ of those with one.
"""

from __future__ import annotations

import datetime as dt

from ..periods import add_months, add_years
from ..working_days import working_days_between
from .calibration import published
from .dates import age_on
from .truth_records import (
    SGO,
    TEMPORARY,
    _figure,
    _Loaded,
    _long_term_stable,
    _open_at,
    _placements_in_window,
    _withheld,
)

NOT_IN_NEED = ("RC8", "RC9")  # closed after an assessment: the child was not in need
HEALTH = ("3A", "3B", "3C", "3D", "3E", "3F")
EET = ("F1", "P1", "F2", "P2", "F3", "P3", "F4", "P4", "F5", "P5")
NEET = ("G4", "G5", "G6")
FOSTER = ("U1", "U2", "U3", "U4", "U5", "U6")
PLACEMENT_GROUPS = {
    "cla_foster_pct": FOSTER,
    "cla_homes_pct": ("K1", "K2"),
    "cla_independent_living_pct": ("H5", "P2", "K3"),
    "cla_other_residential_pct": ("R1", "R2", "R3", "R5", "S1", "P3"),
    "cla_other_placements_pct": ("Z1", "Z11", "Z12", "Z13", "Z14", *TEMPORARY),
    "cla_placed_with_parents_pct": ("P1",),
}
CEASED_REASONS = {
    "ceased_sgo_pct": SGO,
    "ceased_cao_pct": ("E41",),
    "ceased_home_care_plan_pct": ("E4A",),
    "ceased_home_not_care_plan_pct": ("E4B",),
}
SPECIAL_GUARDIANS = {
    "sgo_former_foster_carer_relative_pct": "E45",
    "sgo_former_foster_carer_other_pct": "E46",
    "sgo_carer_relative_pct": "E47",
}
SGO_SPLIT_FROM, SOCIAL_WORKERS_FROM = 2018, 2023  # first collection years (by start year)
BANDS = ("under_3m", "3_6m", "6_12m", "1_2y", "2y_plus")
LAIT_IDS = (
    "referrals_rate", "cin_rate", "cpp_rate", "cla_rate", "referrals_assessed_not_in_need_pct", "referrals_school_pct", "referrals_health_pct", "referrals_police_pct",
    *(f"cin_open_{band}_pct" for band in BANDS), *(f"cin_closed_{band}_pct" for band in BANDS),
    "s47_rate", "icpc_count", "icpc_rate", "icpc_within_10wd_count", "icpc_11_15wd_count", "icpc_16_20wd_count",
    "icpc_21wd_plus_count", "cpp_starts_rate", "cpp_second_count", "cpp_open_3m_count", "cpp_reviewed_on_time_pct",
    "cpp_reviewed_on_time_count", "cpp_2yrs_open_pct", "cpp_ended_count", "cpp_ended_rate", "cpp_2yrs_ended_count",
    "cla_starts_rate", "cla_ceased_rate", "uasc_count", "uasc_pct", "uasc_starts_pct", *PLACEMENT_GROUPS,
    *CEASED_REASONS, *SPECIAL_GUARDIANS, "cla_3plus_placements_count", "cla_longterm_stability_count",
    "cla_3plus_social_workers_pct", "ceased_adopted_count", "adopted_unopposed_count", "adopted_unopposed_pct",
    "care_leavers_19_21_count", "care_leavers_19_21_suitable_accom_count", "care_leavers_19_21_eet_count",
    "care_leavers_19_21_he_pct", "care_leavers_19_21_he_count", "care_leavers_19_21_neet_pct",
    "care_leavers_19_21_not_in_touch_pct", "care_leavers_staying_put_pct", "cla_health_assessment_pct",
    "cla_immunisations_pct", "cla_dental_check_pct", "cla_substance_misuse_pct", "cla_convicted_pct",
    "cla_sdq_average",
)  # fmt: skip


def _pct(numerator: int, denominator: int) -> dict:
    return _figure(numerator, denominator, percent=True)


def _count(numerator: float) -> dict:
    return _figure(numerator, None)


def _rate(numerator: int, population: float | None) -> dict:
    if not population:
        return {"numerator": numerator, "denominator": None, "value": None}
    return {"numerator": numerator, "denominator": population, "value": numerator / population * 10_000}


def _front_door(data: _Loaded, start: dt.date, end: dt.date) -> dict[str, dict]:
    rows = [r for r in data.referral_rows if start <= r[1] <= end]
    sources = [source for _, _, source, *_ in rows]
    not_in_need = sum(
        1
        for _, _, _, nfa, closed, reason in rows
        if not nfa and reason in NOT_IN_NEED and closed is not None and closed <= end
    )
    return {
        "referrals_assessed_not_in_need_pct": _pct(not_in_need, len(rows)),
        "referrals_school_pct": _pct(sources.count("2A"), len(rows)),
        "referrals_health_pct": _pct(sum(1 for s in sources if s in HEALTH), len(rows)),
        "referrals_police_pct": _pct(sources.count("6"), len(rows)),
    }


def _shift(day: dt.date, months: int) -> dt.date:
    """Calendar months on (or back, negative): whole years as years, as the catalogue's add_years does."""
    return add_years(day, months // 12) if months % 12 == 0 else add_months(day, months)


def _open_band(referral: dt.date, end: dt.date) -> str:
    """How long an episode open on `end` had been open: referred after the end less 3 months is under 3..."""
    for band, months in zip(BANDS, (3, 6, 12, 24), strict=False):
        if referral > _shift(end, -months):
            return band
    return BANDS[-1]


def _closed_band(referral: dt.date, closure: dt.date) -> str:
    """How long a closed episode lasted: closed before the referral plus 3 months is under 3..."""
    for band, months in zip(BANDS, (3, 6, 12, 24), strict=False):
        if closure < _shift(referral, months):
            return band
    return BANDS[-1]


def _need(data: _Loaded, start: dt.date, end: dt.date) -> dict[str, dict]:
    open_now = [
        r for _, r, closed, nfa in data.episodes if not nfa and r <= end and (closed is None or closed > end)
    ]
    closed = [
        (r, c)
        for _, r, _, nfa, c, reason in data.referral_rows
        if not nfa and c is not None and start <= c <= end and reason not in NOT_IN_NEED
    ]
    open_bands = [_open_band(referral, end) for referral in open_now]
    closed_bands = [_closed_band(referral, closure) for referral, closure in closed]
    out = {}
    for band in BANDS:
        out[f"cin_open_{band}_pct"] = _pct(open_bands.count(band), len(open_now))
        out[f"cin_closed_{band}_pct"] = _pct(closed_bands.count(band), len(closed))
    return out


def _protection(data: _Loaded, start: dt.date, end: dt.date, population: float | None) -> dict[str, dict]:
    enquiry_conferences = {(c, i) for c, _, i in data.s47_rows if i is not None}
    conferences = [(c, i) for c, _, i in data.s47_rows if i is not None and start <= i <= end]
    conferences += [
        (c, day)
        for c, day in data.episode_conferences
        if start <= day <= end and (c, day) not in enquiry_conferences
    ]
    days = [working_days_between(s, i) for _, s, i in data.s47_rows if i is not None and start <= i <= end]
    started = sum(1 for _, s, _ in data.s47_rows if start <= s <= end)
    on_plan = [(c, s) for c, s, e, _ in data.plans if s <= end and (e is None or e > end)]
    three_months = add_months(end, -3)
    long_enough = [(c, s) for c, s in on_plan if s <= three_months]
    on_time = {c for c, s in long_enough if _reviewed_on_time(data.reviews.get((c, s), []), s, end)}
    two_years = {c for c, s in on_plan if (end - s).days + 1 > 729}
    starting = [(c, s, prev) for c, s, _, prev in data.plans if start <= s <= end]
    second = sum(1 for c, s, prev in starting if prev >= 1 or any(o < s for o in data.plans_by_child[c]))
    ending = [(s, e) for _, s, e, _ in data.plans if e is not None and start <= e <= end]
    return {
        "s47_rate": _rate(started, population),
        "icpc_count": _count(len(conferences)),
        "icpc_rate": _rate(len(conferences), population),
        "icpc_within_10wd_count": _count(sum(1 for n in days if n <= 10)),
        "icpc_11_15wd_count": _count(sum(1 for n in days if 11 <= n <= 15)),
        "icpc_16_20wd_count": _count(sum(1 for n in days if 16 <= n <= 20)),
        "icpc_21wd_plus_count": _count(sum(1 for n in days if n >= 21)),
        "cpp_starts_rate": _rate(len(starting), population),
        "cpp_second_count": _count(second),
        "cpp_open_3m_count": _count(len({c for c, _ in long_enough})),
        "cpp_reviewed_on_time_pct": _pct(len(on_time), len({c for c, _ in long_enough})),
        "cpp_reviewed_on_time_count": _count(len(on_time)),
        "cpp_2yrs_open_pct": _pct(len(two_years), len({c for c, _ in on_plan})),
        "cpp_ended_count": _count(len(ending)),
        "cpp_ended_rate": _rate(len(ending), population),
        "cpp_2yrs_ended_count": _count(sum(1 for s, e in ending if (e - s).days + 1 > 729)),
    }


def _reviewed_on_time(reviews: list[dt.date], plan_start: dt.date, end: dt.date) -> bool:
    due = add_months(plan_start, 3)
    for review in sorted(r for r in reviews if r <= end):
        if review > due:
            return False
        due = add_months(review, 6)
    return due >= end


def _last_exit(rows: list[tuple], start: dt.date, end: dt.date) -> tuple | None:
    exits = [r for r in rows if r[4] is not None and start <= r[4] <= end and r[5] != "X1"]
    return max(exits, key=lambda r: (r[4], r[0])) if exits else None


def _uasc_on(data: _Loaded, child: str, day: dt.date) -> bool:
    """In the UASC table, and the status had not ceased (DUC: the 18th birthday) by then."""
    return child in data.uasc and add_years(data.dob[child], 18) > day


def _care(
    data: _Loaded, year: int, start: dt.date, end: dt.date, population: float | None
) -> dict[str, dict]:
    looked_after, starters, uasc_starters, three_plus, stable = [], 0, 0, 0, 0
    reasons: list[str] = []
    whole_history = add_months(end, -30) >= data.first
    for child, rows in data.cla.items():
        first_start = next((r for r in rows if r[1] == "S" and start <= r[0] <= end), None)
        if first_start is not None:
            starters += 1
            uasc_starters += _uasc_on(data, child, first_start[0])
        last = _last_exit(rows, start, end)
        if last is not None:
            reasons.append(last[5])
        current = _open_at(rows, end)
        if current is None:
            continue
        looked_after.append((child, rows[current][3]))
        three_plus += _placements_in_window(rows, start, end) >= 3
        if age_on(data.dob[child], end) < 16:
            stable += _long_term_stable(rows, current, end) is True
    n = len(looked_after)
    uasc = sum(1 for child, _ in looked_after if _uasc_on(data, child, end))
    sgos = [r for r in reasons if r in ("E45", "E46", "E47", "E48")]
    out = {
        "cla_starts_rate": _rate(starters, population),
        "cla_ceased_rate": _rate(len(reasons), population),
        "uasc_count": _count(uasc),
        "uasc_pct": _pct(uasc, n),
        "uasc_starts_pct": _pct(uasc_starters, starters),
        "cla_3plus_placements_count": _count(three_plus),
        "cla_longterm_stability_count": _count(stable) if whole_history else _withheld(),
        "ceased_adopted_count": _count(sum(1 for r in reasons if r in ("E11", "E12"))),
        "adopted_unopposed_count": _count(reasons.count("E11")),
        "adopted_unopposed_pct": _pct(reasons.count("E11"), sum(1 for r in reasons if r in ("E11", "E12"))),
        "cla_3plus_social_workers_pct": (
            _pct(0, n) if year >= SOCIAL_WORKERS_FROM else _withheld()  # the generator writes no SWEpisodes
        ),
    }
    for name, places in PLACEMENT_GROUPS.items():
        out[name] = _pct(sum(1 for _, place in looked_after if place in places), n)
    for name, codes in CEASED_REASONS.items():
        out[name] = _pct(sum(1 for r in reasons if r in codes), len(reasons))
    for name, code in SPECIAL_GUARDIANS.items():
        out[name] = _pct(sgos.count(code), len(sgos)) if year >= SGO_SPLIT_FROM else _withheld()
    return out


def _care_leavers(data: _Loaded, year: int) -> dict[str, dict]:
    records = [
        r
        for r in data.care_leavers
        if r.start_year == year
        and r.in_touch not in ("DIED", "RHOM")
        and r.final_rec != "E3"
        and r.child.id not in data.short_breaks_only
    ]
    cohort = [r for r in records if r.birthday_age in (19, 20, 21)]
    suitable = [r for r in cohort if r.accom[:1] not in ("G", "H", "R") and r.accom.endswith("1")]
    higher = sum(1 for r in cohort if r.activ in ("F1", "P1"))
    staying = [r for r in records if r.birthday_age in (18, 19, 20) and _left_foster_care_at_18(data, r)]
    return {
        "care_leavers_19_21_count": _count(len(cohort)),
        "care_leavers_19_21_suitable_accom_count": _count(len(suitable)),
        "care_leavers_19_21_eet_count": _count(sum(1 for r in cohort if r.activ in EET)),
        "care_leavers_19_21_he_pct": _pct(higher, len(cohort)),
        "care_leavers_19_21_he_count": _count(higher),
        "care_leavers_19_21_neet_pct": _pct(sum(1 for r in cohort if r.activ in NEET), len(cohort)),
        "care_leavers_19_21_not_in_touch_pct": _pct(
            sum(1 for r in cohort if r.in_touch == "NO" and r.activ in ("0", "")), len(cohort)
        ),
        "care_leavers_staying_put_pct": _pct(sum(1 for r in staying if r.accom[:1] == "Z"), len(staying)),
    }


def _left_foster_care_at_18(data: _Loaded, record) -> bool:
    dec, place = data.final_episode.get(record.child.id, (None, ""))
    return dec is not None and dec == add_years(record.child.dob, 18) and place in FOSTER


def _flag(value: str) -> bool:
    return value == "1"


def _health(data: _Loaded, year: int, end: dt.date) -> dict[str, dict]:
    rows = [row for _, row in data.oc2[year]]
    n = len(rows)
    # OC2 columns (write_903.COLUMNS): CHILD, DOB, SDQ_SCORE, SDQ_REASON, CONVICTED, HEALTH_CHECK, IMMUNISATIONS,
    # TEETH_CHECK, HEALTH_ASSESSMENT, SUBSTANCE_MISUSE, ...
    aged_10 = [(child, row) for child, row in data.oc2[year] if age_on(data.dob[child], end) >= 10]
    scores = [int(row[2]) for row in rows if row[2] != ""]
    return {
        "cla_health_assessment_pct": _pct(sum(1 for r in rows if _flag(r[8])), n),
        "cla_immunisations_pct": _pct(sum(1 for r in rows if _flag(r[6])), n),
        "cla_dental_check_pct": _pct(sum(1 for r in rows if _flag(r[7])), n),
        "cla_substance_misuse_pct": _pct(sum(1 for r in rows if _flag(r[9])), n),
        "cla_convicted_pct": _pct(sum(1 for _, r in aged_10 if _flag(r[4])), len(aged_10)),
        "cla_sdq_average": _figure(sum(scores), len(scores)),
    }


RATES_OF_COUNTS = {
    "referrals_rate": "referrals_count",
    "cin_rate": "cin_count",
    "cpp_rate": "cpp_count",
    "cla_rate": "cla_count",
}


def lait_figures(
    data: _Loaded, la_code: str, year: int, start: dt.date, end: dt.date, counts: dict[str, dict]
) -> dict[str, dict]:
    """Every LAIT measure beyond truth.py's, for the financial year starting in `year`; `counts` are truth.py's
    figures, whose counts the core rates divide by the ONS 0-17 population of mid-`year`."""
    population = published("population", la_code, year).value
    rates = {rate: _rate(counts[count]["numerator"], population) for rate, count in RATES_OF_COUNTS.items()}
    return (
        rates
        | _front_door(data, start, end)
        | _need(data, start, end)
        | _protection(data, start, end, population)
        | _care(data, year, start, end, population)
        | _care_leavers(data, year)
        | _health(data, year, end)
    )


__all__ = ["LAIT_IDS", "lait_figures"]
