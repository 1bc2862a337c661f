"""Ground truth for the local indicators: each output year's figures, computed from the rows written.

A second implementation of the catalogue's definitions (catalogue/indicators/early_help.yaml, workforce.yaml,
...), in plain Python over the typed rows the writer produced, never over the files. As the store would, rows
repeated across years are merged by their identity, the latest year's version winning (a worker's spell gains
its end date in the year it ends). The window is the financial year; stocks are taken on its 31 March, the
CSWW census on its 30 September. Figures are {"numerator", "denominator", "value"} as in truth.py.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from ..periods import add_years, financial_year_label
from ..working_days import working_days_between
from .truth import _figure
from .write_local import LocalOutput, YearRows

SW_ROLES = ("SOCIAL_WORKER", "SENIOR_PRACTITIONER", "TEAM_MANAGER", "SENIOR_MANAGER")
POSITIVE = ("OUTCOMES_MET", "STEP_DOWN")
PROMISE = {"asye": 15, "CHILDREN_IN_CARE": 15, "SAFEGUARDING": 20, "default": 20}
REFERRAL_WITHIN_DAYS = 7
CP_VISIT_WORKING_DAYS = 10
CLA_VISIT_DAYS = 42


def _open(start: dt.date, end: dt.date | None, day: dt.date) -> bool:
    return start <= day and (end is None or end > day)


def _merged(years: list[YearRows], name: str, key: slice) -> list[tuple]:
    """Rows of one template across years, one per identity, the latest year's winning."""
    rows: dict[tuple, tuple] = {}
    for year in years:
        for row in year.csv.get(name, []):
            rows[row[key]] = row
    return list(rows.values())


def _ratio(numerator: float, denominator: float) -> dict:
    return {
        "numerator": numerator,
        "denominator": denominator,
        "value": numerator / denominator if denominator else None,
    }


def local_indicators(output: LocalOutput) -> dict[str, dict[str, dict]]:
    years = output.years
    eh_contacts = _merged(years, "early_help_contacts", slice(0, 3, 2))
    eh_assessments = _merged(years, "early_help_assessments", slice(0, 2))
    eh_closures = _merged(years, "early_help_closures", slice(0, 2))
    workers = _merged(years, "workforce_workers", slice(0, 8, 7))
    caseloads = _merged(years, "workforce_caseloads", slice(0, 2))
    establishment = _merged(years, "workforce_establishment", slice(0, 2))
    youth = _merged(years, "youth_justice", slice(0, 1))
    audits = _merged(years, "case_audits", slice(0, 1))
    contacts = sorted({c for y in years for c in y.contacts})
    referrals: dict[str, list[dt.date]] = defaultdict(list)
    for child_id, day in sorted({r for y in years for r in y.referrals}):
        referrals[child_id].append(day)

    out: dict[str, dict[str, dict]] = {}
    for year in years:
        first, ref = year.first, year.ref

        def within(day: dt.date | None, first: dt.date = first, ref: dt.date = ref) -> bool:
            return day is not None and first <= day <= ref

        figures: dict[str, dict] = {}
        figures.update(_early_help(eh_contacts, eh_assessments, eh_closures, within))
        figures.update(_contacts(contacts, referrals, within))
        figures.update(_visits(year))
        figures.update(_workforce(workers, establishment, first, ref))
        figures.update(_caseloads(workers, caseloads, first, ref))
        figures.update(_csww(year))
        figures.update(_youth_justice(youth, within))
        in_window = [a for a in audits if within(a[2])]
        figures["case_audits_count"] = _figure(len(in_window), None)
        good = sum(1 for a in in_window if a[4] in ("OUTSTANDING", "GOOD"))
        figures["case_audits_good_pct"] = _figure(good, len(in_window), percent=True)
        bad = sum(1 for a in in_window if a[4] == "INADEQUATE")
        figures["case_audits_inadequate_pct"] = _figure(bad, len(in_window), percent=True)
        out[financial_year_label(year.start_year)] = figures
    return out


def _early_help(contacts, assessments, closures, within) -> dict[str, dict]:
    closed = [c for c in closures if within(c[2])]
    positive = sum(1 for c in closed if c[3] in POSITIVE)
    step_ups = sum(1 for c in closed if c[3] == "STEP_UP")
    return {
        "early_help_contacts_count": _figure(sum(1 for c in contacts if within(c[2])), None),
        "early_help_assessments_count": _figure(sum(1 for a in assessments if within(a[1])), None),
        "early_help_closures_count": _figure(len(closed), None),
        "early_help_positive_closure_pct": _figure(positive, len(closed), percent=True),
        "early_help_step_ups_count": _figure(step_ups, None),
        "early_help_step_up_pct": _figure(step_ups, len(closed), percent=True),
    }


def _contacts(contacts, referrals, within) -> dict[str, dict]:
    in_window = [(child, day) for child, day in contacts if within(day)]
    converted = sum(
        1
        for child, day in in_window
        if any(day <= r <= day + dt.timedelta(days=REFERRAL_WITHIN_DAYS) for r in referrals.get(child, ()))
    )
    return {
        "contacts_count": _figure(len(in_window), None),
        "contacts_to_referral_pct": _figure(converted, len(in_window), percent=True),
    }


def _visits(year: YearRows) -> dict[str, dict]:
    ref = year.ref
    cp_ok = sum(
        1
        for _, start, visit in year.cp_visits
        if working_days_between(max(visit, start) if visit else start, ref) <= CP_VISIT_WORKING_DAYS
    )
    cla = [(start, visit) for _, start, visit, ls in year.cla_visits if ls not in ("V3", "V4")]
    cla_ok = sum(
        1 for start, visit in cla if (ref - (max(visit, start) if visit else start)).days <= CLA_VISIT_DAYS
    )
    return {
        "cp_visits_in_timescale_pct": _figure(cp_ok, len(year.cp_visits), percent=True),
        "cla_visits_in_timescale_pct": _figure(cla_ok, len(cla), percent=True),
    }


def _sw_spells(workers) -> list[tuple]:
    """(worker, team, team_type, role, asye, agency, fte, start, end, leaves_la) for social work roles."""
    spells = sorted((w for w in workers if w[3] in SW_ROLES), key=lambda w: (w[0], w[5], w[7]))
    out = []
    for i, w in enumerate(spells):
        nxt = (
            spells[i + 1]
            if i + 1 < len(spells) and spells[i + 1][:1] == w[:1] and spells[i + 1][5] == w[5]
            else None
        )
        leaves = w[8] is not None and not w[5] and (nxt is None or (nxt[7] - w[8]).days > 7)
        out.append((*w, leaves))
    return out


def _workforce(workers, establishment, first: dt.date, ref: dt.date) -> dict[str, dict]:
    spells = _sw_spells(workers)
    in_post = [s for s in spells if _open(s[7], s[8], ref)]
    agency = sum(s[6] for s in in_post if s[5])
    total = sum(s[6] for s in in_post)
    employed: dict[str, float] = defaultdict(float)
    for s in in_post:
        if not s[5]:
            employed[s[1]] += s[6]
    vacancies = weights = 0.0
    for team in {e[0] for e in establishment}:
        rows = sorted((e[1], e[2]) for e in establishment if e[0] == team and e[1] <= ref)
        if not rows:
            continue
        funded = rows[-1][1]
        vacancy = max(0.0, funded - employed.get(team, 0.0))
        vacancies += vacancy
        weights += vacancy + employed.get(team, 0.0)
    leavers = sum(s[6] for s in spells if s[9] and first <= s[8] <= ref)
    la_in_post = sum(s[6] for s in in_post if not s[5])
    return {
        "sw_agency_rate_pct": _pct(agency, total),
        "sw_vacancy_rate_pct": _pct(vacancies, weights),
        "sw_turnover_rate_pct": _pct(leavers, la_in_post),
    }


def _pct(numerator: float, denominator: float) -> dict:
    figure = _ratio(numerator, denominator)
    if figure["value"] is not None:
        figure["value"] *= 100
    return figure


def _caseloads(workers, caseloads, first: dt.date, ref: dt.date) -> dict[str, dict]:
    dates = [c[1] for c in caseloads if first <= c[1] <= ref]
    if not dates:
        return {}
    snapshot = max(dates)
    held = []  # social workers' caseloads: a personal adviser's or other role's cases are not counted
    for worker_id, day, n in caseloads:
        if day == snapshot and n > 0:
            spell = next((w for w in workers if w[0] == worker_id and _open(w[7], w[8], snapshot)), None)
            if spell is None or spell[3] in SW_ROLES:
                held.append((n, spell))
    cases = fte = 0.0
    over = 0
    for n, spell in held:
        worker_fte = spell[6] if spell else 1.0
        cases += n
        fte += worker_fte
        if spell is not None and spell[4]:
            promise = PROMISE["asye"]
        else:
            promise = PROMISE.get(spell[2] if spell else "", PROMISE["default"])
        if n > promise * worker_fte:
            over += 1
    return {
        "caseload_average": _ratio(cases, fte),
        "caseload_over_promise_count": _figure(over, None),
        "caseload_over_promise_pct": _figure(over, len(held), percent=True),
    }


def _csww(year: YearRows) -> dict[str, dict]:
    census = year.census
    assert census is not None
    workers = year.csww_workers
    in_post = [w for w in workers if w["end"] is None or w["end"] > census]
    agency = sum(w["fte"] for w in in_post if w["agency"])
    total = sum(w["fte"] for w in in_post)
    employed = [w for w in in_post if not w["agency"]]
    employed_fte = sum(w["fte"] for w in employed)
    year_start = add_years(census, -1)
    # DfE counts neither a starter nor a leaver who started and left in the same census year.
    leavers = sum(
        w["fte"]
        for w in workers
        if not w["agency"]
        and w["end"] is not None
        and year_start < w["end"] <= census
        and w["start"] <= year_start
    )
    starters = sum(w["fte"] for w in employed if year_start < w["start"] <= census)
    holders = [w for w in in_post if w["cases30"]]
    # NoAgencyFTE as the census states it, to two decimals: agency FTE in post, up to the vacancies.
    cover = float(
        f"{min(year.csww_vacancies, sum(w['fte'] for w in workers if w['agency'] and w['end'] is None)):.2f}"
    )
    return {
        "csww_agency_rate_pct": _pct(agency, total),
        "csww_vacancy_rate_pct": _pct(year.csww_vacancies, year.csww_vacancies + employed_fte),
        "csww_turnover_rate_pct": _pct(leavers, employed_fte),
        "csww_caseload_average": _ratio(
            sum(w["cases30"] for w in holders), sum(w["fte30"] or w["fte"] for w in holders)
        ),
        "csww_social_workers_fte": _figure(employed_fte, None),
        "csww_starters_fte": _figure(starters, None),
        "csww_leavers_fte": _figure(leavers, None),
        "csww_cases_held_count": _figure(sum(w["cases30"] for w in holders), None),
        "csww_agency_covering_vacancies_pct": _pct(cover, agency),
        "csww_vacancies_covered_pct": _pct(cover, year.csww_vacancies),
        "csww_caseholders_pct": _pct(sum(w["fte"] for w in employed if w["role"] == "5"), employed_fte),
        "csww_qualified_no_cases_pct": _pct(
            sum(w["fte"] for w in employed if w["role"] == "6"), employed_fte
        ),
    }


def _youth_justice(rows, within) -> dict[str, dict]:
    quarters = sorted((r for r in rows if within(r[0])), key=lambda r: r[0])
    if not quarters:
        return {}
    population = quarters[-1][1]
    entrants = sum(r[2] for r in quarters if r[2] is not None)
    both = [r for r in quarters if r[3] is not None and r[4] is not None]
    frequency = [r for r in quarters if r[4] is not None and r[5] is not None]
    custody = sum(r[6] for r in quarters if r[6] is not None)
    return {
        "yj_first_time_entrants_count": _figure(entrants, None),
        "yj_first_time_entrants_rate": _ratio(entrants, population / 100000),
        "yj_reoffending_pct": _pct(sum(r[4] for r in both), sum(r[3] for r in both)),
        "yj_reoffences_per_reoffender": _ratio(sum(r[5] for r in frequency), sum(r[4] for r in frequency)),
        "yj_custody_rate": _ratio(custody, population / 1000),
    }


__all__ = ["local_indicators"]
