"""Writes the synthetic council's local data, one set per collection year, as at its 31 March (or 30 September).

    out/annex_a/Annex_A_<LA>_<YYYY>-03-31.xlsx   Ofsted Annex A lists 1-11 (lists 1-5 cover the whole year)
    out/local/local_<YYYY-YY>/*.csv              early help, workforce, youth justice and case audit templates
    out/csww/CSWW_<LA>_<YYYY>.xml                the social work workforce census of 30 September YYYY

Every row is built first as typed values (`YearRows`), then written; the ground truth (local_truth.py) is
computed from the same typed rows, never from the files, so reading the files back is tested independently.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..periods import add_years, financial_year_label
from ..refdata import population_0_17
from .dates import age_on, dmy, iso, year_bounds
from .local_data import (
    CASE_HOLDING,
    GRADES,
    SW_ROLES,
    TEAM_BY_KIND,
    THEMES,
    Cases,
    EarlyHelp,
    Workforce,
    _pick,
    build_contacts,
    build_early_help,
    build_workforce,
    caseloads_on,
    month_ends,
    stable,
    team_for,
)
from .model import FAR, World
from .write_cin import closure_reason, cp_reviews

SOURCE_LETTERS = dict(
    zip(
        [
            "1A",
            "1B",
            "1C",
            "1D",
            "2A",
            "2B",
            "3A",
            "3B",
            "3C",
            "3D",
            "3E",
            "3F",
            "4",
            "5A",
            "5B",
            "5C",
            "5D",
            "6",
            "7",
            "8",
            "9",
            "10",
        ],
        [
            "a",
            "b",
            "c",
            "d",
            "e",
            "f",
            "g",
            "h",
            "i",
            "j",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "p1",
            "q",
            "r",
            "s",
            "t",
            "u",
        ],
        strict=True,
    )
)
ETHNIC_ORDER = [
    "WBRI",
    "WIRI",
    "WIRT",
    "WOTH",
    "WROM",
    "MWBC",
    "MWBA",
    "MWAS",
    "MOTH",
    "AIND",
    "APKN",
    "ABAN",
    "AOTH",
    "BCRB",
    "BAFR",
    "BOTH",
    "CHNE",
    "OOTH",
    "REFU",
    "NOBT",
]
NEED_LABELS = {
    "N1": "Abuse or neglect", "N2": "Child's disability", "N3": "Parental disability or illness",
    "N4": "Family in acute stress", "N5": "Family dysfunction", "N6": "Socially unacceptable behaviour",
    "N7": "Low income", "N8": "Absent parenting", "N9": "Cases other than children in need", "N0": "Not stated",
}  # fmt: skip
ABUSE_LETTERS = {"NEG": "a) Neglect", "PHY": "b) Physical abuse", "SAB": "c) Sexual abuse", "EMO": "d) Emotional abuse", "MUL": "e) Multiple/not recommended"}  # fmt: skip
STATUS_LABELS = {
    "LAC": "a) Looked after child", "CPP": "b) Child Protection plan", "CIN": "c) Child in need plan",
    "ASSESSMENT": "d) Open assessment", "CLOSED": "e) Closed episode",
}  # fmt: skip
IN_TOUCH_LABELS = {"YES": "a) Yes", "NO": "b) No", "DIED": "c) Died", "REFU": "d) Refu", "NREQ": "e) NREQ", "RHOM": "f) Rhom"}  # fmt: skip

ANNEX_A_HEADERS: dict[int, tuple[str, ...]] = {
    1: ("Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)", "Date of Contact",
        "Contact Source"),
    2: ("Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)", "Assessment start date",
        "Assessment completion date", "Organisation completing assessment"),
    3: ("Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)", "Date of referral",
        "Referral Source", "Referral NFA?", "Number of Referrals in Last 12 Months", "Allocated Team",
        "Allocated Worker"),
    4: ("Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
        "Does the Child have a Disability", "Continuous Assessment Start Date",
        "Child Seen During Continuous Assessment", "Continuous Assessment Date of Authorisation",
        "Was the child assessed as requiring LA children's social care support?", "Allocated Team",
        "Allocated Worker"),
    5: ("Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
        "Does the Child have a Disability", "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
        "Number of Section 47 Enquiries in the last 12 months", "Number of ICPCs in the last 12 months",
        "Allocated Team", "Allocated Worker"),
    6: ("Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
        "Does the Child have a Disability", "CIN Start Date", "Primary Need Code", "Date Child Was Last Seen",
        "CIN Closure Date", "Reason for Closure", "Case Status", "Allocated Team", "Allocated Worker"),
    7: ("Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
        "Does the Child have a Disability", "Child Protection Plan Start Date", "Initial Category of Abuse",
        "Latest Category of Abuse", "Date of the Last Statutory Visit", "Was the Child Seen Alone?",
        "Date of latest review conference", "Child Protection Plan End Date",
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
        "Number of Previous Child Protection Plans", "Allocated Team", "Allocated Worker"),
    8: ("Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
        "Does the Child have a Disability", "Date Started to be Looked After", "Child's Category of Need",
        "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
        "Start date of current legal status", "Child's Legal Status", "Date of Latest Statutory Review",
        "Date of Last Social Work Visit", "What is the permanence plan for this child?",
        "Date of Last IRO Visit / Contact to the Child", "Date of Last Health Assessment",
        "Date of Last Dental Check", "Number of Placements in the Last 12 months",
        "Date Ceased to be Looked After", "Reason Ceased to be Looked After",
        "Start Date of Most Recent Placement", "Placement Type", "Placement Provider", "Placement postcode",
        "URN of Placement", "Placement Location", "LA of Placement",
        "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
        "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
        "Was the child offered a Return Interview after their last missing episode (Y/N)?",
        "Did the child accept a Return Interview after their last missing episode (Y/N)?", "Allocated Team",
        "Allocated Worker"),
    9: ("Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
        "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
        "Does the Child have a Disability", "Allocated Team", "Allocated Worker", "Allocated Personal Advisor",
        "Eligibility Category", "Latest Pathway Plan Review Date", "LA in Touch", "Latest Date of Contact",
        "Type of Accommodation", "Suitability of Accommodation", "Activity Status"),
    10: ("Child Unique ID", "Family identifier", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
         "Does the Child have a Disability", "Date the Child Entered Care",
         "Date of Decision that Child Should be Placed for Adoption", "Date of Placement Order",
         "Date of Matching Child and Prospective Adopters", "Date Placed for Adoption", "Date of Adoption Order",
         "Date of Decision that Child Should No Longer be Placed for Adoption",
         "Reason Why Child No Longer Placed for Adoption",
         "Date the child was placed for fostering in FFA or concurrent planning placement"),
    11: ("Individual adopter identifier", "Family identifier", "Gender", "Ethnicity", "Disability",
         "Is the (prospective) adopter fostering for adoption?", "Date enquiry received", "Date Stage 1 started",
         "Date Stage 1 ended", "Date Stage 2 started", "Date Stage 2 ended", "Date application submitted",
         "Date application approved", "Date adopter matched with child(ren)",
         "Date child/children placed with adopter(s)", "No. of children placed", "Date of Adoption Order",
         "Date of leaving adoption process", "Reason for leaving adoption process"),
}  # fmt: skip

CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "early_help_contacts": ("child_id", "dob", "contact_date", "contact_source"),
    "early_help_assessments": ("child_id", "assessment_start_date", "assessment_completed_date", "assessment_tool", "team"),
    "early_help_closures": ("child_id", "episode_start_date", "closure_date", "closure_outcome"),
    "workforce_workers": ("worker_id", "team", "team_type", "role", "asye", "agency", "fte", "start_date", "end_date"),
    "workforce_caseloads": ("worker_id", "snapshot_date", "cases"),
    "workforce_establishment": ("team", "effective_date", "funded_fte"),
    "youth_justice": ("quarter_end", "population_10_17", "first_time_entrants", "reoffending_cohort", "reoffenders",
                      "reoffences", "custodial_sentences"),
    "case_audits": ("audit_id", "child_id", "audit_date", "team", "grade", "themes"),
}  # fmt: skip


@dataclass
class YearRows:
    """Everything written for one collection year, as typed values (dates as dates)."""

    start_year: int
    first: dt.date
    ref: dt.date
    annex_a: dict[int, list[tuple]] = field(default_factory=lambda: defaultdict(list))  # list -> cell rows
    # typed records the truth reads
    contacts: list[tuple[str, dt.date]] = field(default_factory=list)
    referrals: list[tuple[str, dt.date]] = field(default_factory=list)
    cp_visits: list[tuple[str, dt.date, dt.date | None]] = field(
        default_factory=list
    )  # child, start, last visit
    cla_visits: list[tuple[str, dt.date, dt.date | None, str]] = field(default_factory=list)  # + legal status
    csv: dict[str, list[tuple]] = field(default_factory=lambda: defaultdict(list))
    census: dt.date | None = None
    csww_workers: list[dict] = field(default_factory=list)
    csww_vacancies: float = 0.0


# ---- helpers ----------------------------------------------------------------------------------------


def _sex(child) -> str:
    return "a) Male" if child.sex == 1 else "b) Female"


def _ethnic(code: str) -> str:
    return f"{chr(ord('a') + ETHNIC_ORDER.index(code))}) {code}"


def _source(code: str) -> str:
    return f"{SOURCE_LETTERS[code]}) {code}: referral source"


def _yes(flag: bool) -> str:
    return "a) Yes" if flag else "b) No"


def _child_cells(child, ref: dt.date) -> tuple:
    unborn = child.dob > ref
    return (
        child.id,
        "c) Not stated/recorded" if unborn else _sex(child),
        _ethnic(child.ethnicity),
        None if unborn else child.dob,
        None if unborn else age_on(child.dob, ref),
    )


def _disabled(child) -> str:
    return _yes(child.disabilities != ("NONE",))


def _allocated(workforce: Workforce, team, child_id: str, day: dt.date) -> tuple[str, str]:
    spell = workforce.worker_for(team, child_id, day)
    return team.name, spell.worker_id if spell is not None else "Unallocated"


# ---- building the rows of one year ------------------------------------------------------------------


class _Year:
    def __init__(self, world: World, start_year: int, rng: random.Random, workforce: Workforce, cases: Cases):
        self.world = world
        self.rng = rng
        self.workforce = workforce
        self.cases = cases
        first, ref = year_bounds(start_year)
        self.rows = YearRows(start_year, first, ref)
        self.first, self.ref = first, ref

    def in_year(self, day: dt.date | None) -> bool:
        return day is not None and self.first <= day <= self.ref

    def cut(self, day: dt.date | None) -> dt.date | None:
        return day if day is not None and day <= self.ref and day != FAR else None

    # Annex A lists 1-5: events of the year
    def contacts(self, contacts) -> None:
        for child, child_id, day, source in contacts:
            if not self.in_year(day):
                continue
            self.rows.contacts.append((child_id, day))
            if child is not None:
                cells = _child_cells(child, self.ref)
            else:
                cells = (
                    child_id,
                    "a) Male" if stable(child_id) % 2 else "b) Female",
                    _ethnic("WBRI"),
                    None,
                    None,
                )
            self.rows.annex_a[1].append((*cells, day, _source(source)))

    def early_help(self, eh: EarlyHelp) -> None:
        for child_id, start, completed, _, team in eh.assessments:
            current = start <= self.ref and completed > self.ref
            if self.in_year(start) or current:
                gender = "a) Male" if stable(child_id) % 2 else "b) Female"
                self.rows.annex_a[2].append(
                    (child_id, gender, _ethnic("WBRI"), None, None, start, self.cut(completed), team)
                )

    def referrals(self) -> None:
        front_door = TEAM_BY_KIND["front_door"][0]
        for child in self.world.children:
            history = sorted(e.referral for e in child.episodes)
            for episode in child.episodes:
                if not self.in_year(episode.referral):
                    continue
                self.rows.referrals.append((child.id, episode.referral))
                year_before = add_years(episode.referral, -1)
                count = sum(1 for day in history if year_before <= day <= episode.referral)
                team, worker = _allocated(self.workforce, front_door, child.id, episode.referral)
                self.rows.annex_a[3].append(
                    (*_child_cells(child, self.ref), episode.referral, _source(episode.source),
                     _yes(episode.nfa), count, team, worker)
                )  # fmt: skip
                self._assessment(child, episode, front_door)
                self._section47(child, episode)

    def _assessment(self, child, episode, front_door) -> None:
        assessment = episode.assessment
        if assessment is None or not self.in_year(assessment.start):
            return
        team, worker = _allocated(self.workforce, front_door, child.id, assessment.start)
        self.rows.annex_a[4].append(
            (*_child_cells(child, self.ref), _disabled(child), assessment.start, "a) Yes",
             self.cut(assessment.auth), _yes(not episode.nfa) if assessment.auth <= self.ref else None, team, worker)
        )  # fmt: skip

    def _section47(self, child, episode) -> None:
        for s47 in episode.s47s:
            if not self.in_year(s47.start):
                continue
            team = team_for("safeguarding", child)
            team_name, worker = _allocated(self.workforce, team, child.id, s47.start)
            decided = s47.outcome <= self.ref
            icpc = self.cut(s47.icpc)
            to_plan = icpc is not None and any(p.start == s47.icpc for p in episode.plans)
            year_before = add_years(s47.start, -1)
            s47s = sum(1 for e in child.episodes for s in e.s47s if year_before <= s.start <= s47.start)
            icpcs = sum(
                1
                for e in child.episodes
                for s in e.s47s
                if s.icpc is not None and year_before <= s.icpc <= s47.start
            )
            self.rows.annex_a[5].append(
                (*_child_cells(child, self.ref), _disabled(child), s47.start,
                 _yes(s47.not_required) if decided else None, icpc, _yes(to_plan) if icpc else None, s47s, icpcs,
                 team_name, worker)
            )  # fmt: skip

    # Annex A lists 6-10: the current state on 31 March (and what ended in the year)
    def children_in_need(self) -> None:
        for child in self.world.children:
            found = self.cases.team_kind(child, self.ref)
            for episode in child.episodes:
                closed = episode.closed or FAR
                if episode.nfa or episode.referral > self.ref or closed < self.first:
                    continue
                open_now = closed > self.ref
                status = "CIN" if open_now else "CLOSED"
                if open_now and found is not None:
                    kind, what = found
                    status = {
                        "care": "LAC",
                        "safeguarding": "CPP" if hasattr(what, "initial_category") else "CIN",
                    }.get(kind, "ASSESSMENT")
                seen = (self.ref if open_now else closed) - dt.timedelta(days=stable(f"seen/{child.id}") % 25)
                team, worker = ("", "")
                if found is not None and open_now:
                    team, worker = _allocated(self.workforce, team_for(found[0], child), child.id, self.ref)
                self.rows.annex_a[6].append(
                    (*_child_cells(child, self.ref), _disabled(child), episode.referral,
                     f"{episode.need} - {NEED_LABELS[episode.need]}", max(seen, episode.referral),
                     None if open_now else closed, None if open_now else closure_reason(episode),
                     STATUS_LABELS[status], team or None, worker or None)
                )  # fmt: skip

    def child_protection(self) -> None:
        for child in self.world.children:
            for plan in child.plans:
                if plan.start > self.ref or plan.end < self.first:
                    continue
                open_now = plan.end > self.ref
                on_day = self.ref if open_now else plan.end
                visit = self._last_visit(child.id, plan.start, on_day, (0, 13), (15, 35), 0.86)
                if open_now:
                    self.rows.cp_visits.append((child.id, plan.start, visit))
                team = team_for("safeguarding", child)
                team_name, worker = _allocated(self.workforce, team, child.id, on_day - dt.timedelta(days=1))
                reviews = [d for d in cp_reviews(plan) if d <= self.ref]
                self.rows.annex_a[7].append(
                    (*_child_cells(child, self.ref), _disabled(child), plan.start,
                     ABUSE_LETTERS[plan.initial_category], ABUSE_LETTERS[plan.latest_category], visit,
                     _yes(stable(f"alone/{child.id}") % 5 != 0), reviews[-1] if reviews else None,
                     None if open_now else plan.end, "b) No", plan.previous, team_name, worker)
                )  # fmt: skip

    def _last_visit(self, child_id, start, day, usual, late, share) -> dt.date | None:
        u = stable(f"visit/{child_id}/{start}/{day}")
        low, high = usual if (u % 1000) / 1000 < share else late
        visit = day - dt.timedelta(days=low + u % (high - low + 1))
        return visit if visit >= start else None

    def children_in_care(self) -> None:
        written: set[tuple[str, dt.date]] = set()
        for period in self.world.periods:
            self._care_row(period.child, period.start, period.end, period.episodes, period.rec, written)
        for breaks in self.world.short_breaks:
            self._care_row(breaks.child, breaks.start, breaks.end, breaks.episodes, "", written)

    def _care_row(self, child, start, end, episodes, rec, written: set[tuple[str, dt.date]]) -> None:
        if start > self.ref or end < self.first or not episodes or (child.id, start) in written:
            return
        written.add((child.id, start))
        open_now = end > self.ref
        on_day = self.ref if open_now else end
        current = [e for e in episodes if e.decom <= on_day]
        if not current:
            return
        episode = current[-1]
        placed = next((e.decom for e in reversed(current) if e.rne in ("S", "P", "B")), current[0].decom)
        ls_start = next((e.decom for e in reversed(current) if e.ls != episode.ls), None) or start
        visit = self._last_visit(child.id, start, on_day, (0, 41), (43, 90), 0.9)
        if open_now:
            self.rows.cla_visits.append((child.id, start, visit, episode.ls))
        year_before = add_years(on_day, -1)
        placements = sum(1 for e in current if e.decom >= year_before and e.rne in ("S", "P", "B"))
        team = team_for("care", child)
        team_name, worker = _allocated(self.workforce, team, child.id, on_day - dt.timedelta(days=1))
        out_of_area = not episode.pl_post.startswith(child.home_post[:2]) if episode.pl_post else False
        self.rows.annex_a[8].append(
            (*_child_cells(child, self.ref), _yes(child.uasc), _disabled(child), start, episode.cin, "b) No",
             max(ls_start, start), episode.ls, None, visit, None, None, None, None, placements,
             None if open_now else end, None if open_now else (rec or episode.rec or None), placed, episode.place,
             episode.provider, episode.pl_post or None, episode.urn or None, "b) Out" if out_of_area else "a) In",
             None, 0, 0, None, None, team_name, worker)
        )  # fmt: skip

    def care_leavers(self) -> None:
        leavers = TEAM_BY_KIND["leavers"][0]
        pas = [
            s
            for s in self.workforce.spells
            if s.team is leavers and s.role == "PERSONAL_ADVISER" and s.open_on(self.ref)
        ]
        for record in self.world.care_leavers:
            if record.start_year != self.rows.start_year:
                continue
            child = record.child
            pa = pas[stable(child.id) % len(pas)].worker_id if pas else None
            accom = record.accom
            self.rows.annex_a[9].append(
                (*_child_cells(child, self.ref), _yes(child.uasc), _disabled(child), leavers.name, None, pa,
                 "b) Former relevant child" if record.birthday_age >= 18 else "a) Relevant child", None,
                 IN_TOUCH_LABELS.get(record.in_touch, record.in_touch), None,
                 f"{accom[0]}: accommodation" if accom and accom != "0" else None,
                 None if not accom or accom == "0" else _yes(accom.endswith("1")),
                 f"{record.activ}: activity" if record.activ and record.activ != "0" else None)
            )  # fmt: skip

    def adoption(self) -> None:
        for period in self.world.periods:
            adoption = period.adoption
            if adoption is None or not self.in_year(adoption.decision):
                continue
            child = period.child
            order = next(
                (e.decom for e in period.episodes if e.ls in ("E1", "D1") and e.decom <= self.ref), None
            )
            placed = next((e.decom for e in period.episodes if e.place in ("A3", "A4", "A5", "A6")), None)
            adopted = period.end if period.rec in ("E11", "E12") else None
            self.rows.annex_a[10].append(
                (child.id, None, _sex(child), _ethnic(child.ethnicity), child.dob, age_on(child.dob, self.ref),
                 _disabled(child), period.start, adoption.decision, order, self.cut(adoption.match),
                 self.cut(placed), self.cut(adopted), self.cut(adoption.ceased),
                 adoption.ceased_reason if self.cut(adoption.ceased) else None, None)
            )  # fmt: skip


# ---- local CSVs and the CSWW census ------------------------------------------------------------------


def _local_rows(
    year: _Year, eh: EarlyHelp, workforce: Workforce, cases: Cases, rng: random.Random, population: int
) -> None:
    rows, first, ref = year.rows, year.first, year.ref
    for child_id, dob, day, source in eh.contacts:
        if year.in_year(day):
            rows.csv["early_help_contacts"].append((child_id, dob, day, source))
    for child_id, start, completed, tool, team in eh.assessments:
        if year.in_year(start):
            rows.csv["early_help_assessments"].append((child_id, start, year.cut(completed), tool, team))
    for child_id, start, closed, outcome in eh.closures:
        if year.in_year(closed):
            rows.csv["early_help_closures"].append((child_id, start, closed, outcome))
    for s in workforce.spells:
        if s.start <= ref and (s.end is None or s.end >= first):
            rows.csv["workforce_workers"].append(
                (
                    s.worker_id,
                    s.team.name,
                    s.team.team_type,
                    s.role,
                    s.asye,
                    s.agency,
                    s.fte,
                    s.start,
                    year.cut(s.end),
                )
            )
    for team, day, funded in workforce.establishment:
        if day <= ref:
            rows.csv["workforce_establishment"].append((team, day, funded))
    audits = 0
    for day in month_ends(first, ref):
        per_worker, allocation = caseloads_on(day, cases, workforce)
        for holders in workforce.case_holders.values():
            for spell in holders:
                if spell.open_on(day):
                    rows.csv["workforce_caseloads"].append(
                        (spell.worker_id, day, per_worker.get(spell.worker_id, 0))
                    )
        open_children = sorted(allocation)
        for _ in range(max(4, len(open_children) // 60)):
            audits += 1
            child_id = open_children[rng.randrange(len(open_children))] if open_children else None
            team = allocation[child_id][0].name if child_id else "Front Door (MASH and Assessment)"
            audit_day = day - dt.timedelta(days=rng.randint(0, 25))
            themes = sorted(rng.sample(THEMES, rng.randint(1, 3)))
            rows.csv["case_audits"].append(
                (
                    f"AUD{year.rows.start_year}{audits:05d}",
                    child_id,
                    audit_day,
                    team,
                    _pick(rng, GRADES),
                    themes,
                )
            )
    quarter_ends = (dt.date(first.year, 6, 30), dt.date(first.year, 9, 30), dt.date(first.year, 12, 31), ref)
    for quarter_end in quarter_ends:
        fte = max(0, round(rng.gauss(population * 0.0022 / 4, 3)))
        cohort = max(5, round(rng.gauss(population * 0.0016 / 4, 4)))
        reoffenders = round(cohort * rng.uniform(0.28, 0.42))
        rows.csv["youth_justice"].append(
            (quarter_end, population, fte, cohort, reoffenders, round(reoffenders * rng.uniform(3.0, 4.5)),
             max(0, round(rng.gauss(population * 0.00012 / 4, 1))))
        )  # fmt: skip
    _census(year, workforce, cases)


def _census(year: _Year, workforce: Workforce, cases: Cases) -> None:
    """The CSWW census of 30 September in the collection year: workers in post then or who left in the year
    to it, one record per worker's tenure (an ASYE year and what follows are one role)."""
    census = dt.date(year.first.year, 9, 30)
    year.rows.census = census
    per_worker, _ = caseloads_on(census, cases, workforce)
    tenures: dict[tuple[str, bool], list] = defaultdict(list)
    for s in workforce.spells:
        if s.role in SW_ROLES:
            tenures[(s.worker_id, s.agency)].append(s)
    census_year_start = add_years(census, -1)
    employed: dict[str, float] = defaultdict(float)
    for (worker_id, agency), spells in sorted(tenures.items()):
        spells.sort(key=lambda s: s.start)
        start, end = spells[0].start, spells[-1].end
        if start > census or (end is not None and end <= census_year_start):
            continue
        in_post = end is None or end > census
        current = next((s for s in spells if s.open_on(census)), spells[-1])
        cases30 = per_worker.get(worker_id, 0) if in_post and current.role in CASE_HOLDING else None
        role = {"SOCIAL_WORKER": "5", "SENIOR_PRACTITIONER": "4", "TEAM_MANAGER": "3", "SENIOR_MANAGER": "2"}
        year.rows.csww_workers.append(
            {
                "swe": f"SW{stable(worker_id) % 10**10:010d}",
                "agency": agency,
                "fte": current.fte,
                "role": role[current.role] if cases30 != 0 else "6",
                "start": start,
                "end": None if in_post else end,
                "reason": None if in_post or agency else "1",
                "fte30": current.fte if cases30 else None,
                "cases30": cases30,
            }
        )
        if in_post and not agency:
            employed[current.team.name] += current.fte
    vacancies = 0.0
    for team in {t for t, _, _ in workforce.establishment}:
        rows = [(d, f) for t, d, f in workforce.establishment if t == team and d <= census]
        if rows:
            funded = max(rows)[1]
            vacancies += max(0.0, funded - employed.get(team, 0.0))
    year.rows.csww_vacancies = round(vacancies, 2)


# ---- writing ----------------------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dt.date):
        return dmy(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "; ".join(value)
    return str(value)


def write_csvs(rows: YearRows, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, columns in CSV_COLUMNS.items():
        path = folder / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([_cell(v) for v in row] for row in rows.csv.get(name, []))
        paths.append(path)
    return paths


def annex_a_name(la_code: str, ref: dt.date) -> str:
    return f"Annex_A_{la_code}_{ref.isoformat()}.xlsx"


def write_annex_a(rows: YearRows, la_name: str, path: Path) -> None:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path))
    created = dt.datetime.combine(rows.ref, dt.time(9, 30))
    workbook.set_properties({"title": f"Annex A, {la_name}", "created": created, "author": "csc-scorecard"})
    dates = workbook.add_format({"num_format": "dd/mm/yyyy"})
    bold = workbook.add_format({"bold": True})
    cover = workbook.add_worksheet("Cover")
    cover.write(0, 0, f"Ofsted ILACS Annex A: {la_name} (synthetic), as at {dmy(rows.ref)}", bold)
    for number, headers in ANNEX_A_HEADERS.items():
        sheet = workbook.add_worksheet(f"List {number}")
        sheet.write_row(0, 0, headers, bold)
        for r, values in enumerate(rows.annex_a.get(number, []), start=1):
            for c, value in enumerate(values):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), dates)
                else:
                    sheet.write(r, c, value)
    workbook.close()


def csww_name(la_code: str, census: dt.date) -> str:
    return f"CSWW_{la_code}_{census.year}.xml"


def write_csww(rows: YearRows, la_code: str, path: Path) -> None:
    assert rows.census is not None
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<Message>",
        "  <Header>",
        "    <CollectionDetails>",
        "      <Collection>CSWW</Collection>",
        f"      <Year>{rows.census.year}</Year>",
        f"      <ReferenceDate>{iso(rows.census)}</ReferenceDate>",
        "    </CollectionDetails>",
        "    <Source>",
        "      <SourceLevel>L</SourceLevel>",
        f"      <LEA>{la_code}</LEA>",
        "    </Source>",
        "  </Header>",
        "  <LALevelVacancies>",
        f"    <NumberOfVacancies>{rows.csww_vacancies:.2f}</NumberOfVacancies>",
        f"    <NoAgencyFTE>{min(rows.csww_vacancies, sum(w['fte'] for w in rows.csww_workers if w['agency'] and w['end'] is None)):.2f}</NoAgencyFTE>",
        f"    <NoAgencyHeadcount>{sum(1 for w in rows.csww_workers if w['agency'] and w['end'] is None)}</NoAgencyHeadcount>",
        "  </LALevelVacancies>",
    ]
    for w in rows.csww_workers:
        lines += [
            "  <CSWWWorker>",
            f"    <AgencyWorker>{int(w['agency'])}</AgencyWorker>",
            f"    <SWENo>{w['swe']}</SWENo>",
        ]
        lines.append(f"    <FTE>{w['fte']:.6f}</FTE>")
        lines.append(f"    <OrgRole>{w['role']}</OrgRole>")
        lines.append(f"    <RoleStartDate>{iso(w['start'])}</RoleStartDate>")
        if w["end"] is not None:
            lines.append(f"    <RoleEndDate>{iso(w['end'])}</RoleEndDate>")
            if w["reason"]:
                lines.append(f"    <ReasonLeave>{w['reason']}</ReasonLeave>")
        if w["fte30"] is not None:
            lines.append(f"    <FTE30>{w['fte30']:.6f}</FTE30>")
        if w["cases30"] is not None:
            lines.append(f"    <Cases30>{w['cases30']}</Cases30>")
        lines.append("  </CSWWWorker>")
    lines.append("</Message>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---- everything -------------------------------------------------------------------------------------


@dataclass
class LocalOutput:
    years: list[YearRows]
    workforce: Workforce
    files: list[Path]


def write_local(world: World, out: Path, seed: int, scale: float) -> LocalOutput:
    """Build and write the local data for every output year of `world` under `out`."""
    rng = random.Random(f"{seed}:{world.la_code}:local")
    cases = Cases(world)
    workforce = build_workforce(world, rng, cases)
    eh = build_early_help(world, rng)
    contacts = build_contacts(world, rng)
    pops = population_0_17()
    files: list[Path] = []
    years = []
    for start_year in world.years:
        year = _Year(world, start_year, rng, workforce, cases)
        year.contacts(contacts)
        year.early_help(eh)
        year.referrals()
        year.children_in_need()
        year.child_protection()
        year.children_in_care()
        year.care_leavers()
        year.adoption()
        mid = max((y for (la, y) in pops if la == world.la_code and y <= start_year), default=None)
        population = (
            round(pops.get((world.la_code, mid), 60000) * 8 / 18 * scale) if mid else round(27000 * scale)
        )
        _local_rows(year, eh, workforce, cases, rng, population)
        label = financial_year_label(start_year)
        path = out / "annex_a" / annex_a_name(world.la_code, year.ref)
        write_annex_a(year.rows, world.la_name, path)
        files.append(path)
        files += write_csvs(year.rows, out / "local" / f"local_{label}")
        assert year.rows.census is not None
        path = out / "csww" / csww_name(world.la_code, year.rows.census)
        write_csww(year.rows, world.la_code, path)
        files.append(path)
        years.append(year.rows)
    return LocalOutput(years, workforce, files)


__all__ = ["ANNEX_A_HEADERS", "CSV_COLUMNS", "LocalOutput", "YearRows", "write_local"]
