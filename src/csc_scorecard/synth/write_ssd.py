"""Writes the synthetic council's Standard Safeguarding Dataset: the same children as its returns, as the SSD
tables a case-management system would hold on the day after the last collection year ends.

    out/ssd_<LA>/ssd_*.csv    one file per table (the data model's fields, dates YYYY-MM-DD)

It is a snapshot with a timeframe: every record active on any day from the first output year's 1 April (the
window start) to the last year's 31 March, as `ssd_vw_current_time_windows.csv` says; anything dated after
that is blank, as in the system on the day the SSD was built. So the returns and the snapshot hold the same
records, and every indicator computed from one equals the other's (tests/test_ssd.py). Teams, workers and
allocations are the workforce of synth/local_data.py (the same worker ids as the workforce template), and
statutory visits are drawn for each child protection plan and period of care. With the local data, the front
door's contacts are Annex A list 1's (the same draws), so contacts come month by month from the SSD too.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..sources.ssd.spec import TIME_WINDOWS, ssd_tables
from .dates import add_working_days, birthday, iso
from .identifiers import upn_or_unknown
from .local_data import (
    TEAMS,
    Cases,
    Spell,
    Team,
    Workforce,
    build_contacts,
    build_early_help,
    build_workforce,
    stable,
    team_for,
)
from .model import FAR, CarePeriod, Child, CLAEpisode, World
from .write_cin import cin_plan_segments, closure_reason, cp_reviews

PLACEMENT_FIELDS = ("place", "provider", "urn", "pl_post")
ROLE_TITLES = {
    "SOCIAL_WORKER": "Social Worker",
    "SENIOR_PRACTITIONER": "Senior Practitioner",
    "TEAM_MANAGER": "Team Manager",
    "SENIOR_MANAGER": "Head of Service",
    "PERSONAL_ADVISER": "Personal Adviser",
}
ONE_DAY = dt.timedelta(days=1)


def folder_name(la_code: str) -> str:
    return f"ssd_{la_code}"


def team_id(team: Team) -> str:
    return f"T{TEAMS.index(team) + 1}"


@dataclass
class _Tables:
    rows: dict[str, list[dict[str, object]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, table: str, **values: object) -> None:
        self.rows[table].append(values)


class _Snapshot:
    """The SSD as at `ref` (the last whole day), holding every record active on or after `start`."""

    def __init__(self, world: World, start: dt.date, ref: dt.date, seed: int):
        self.world = world
        self.start = start
        self.ref = ref
        self.out = _Tables()
        self.people: dict[str, Child] = {}
        self.seed = seed

    def cut(self, day: dt.date | None) -> dt.date | None:
        """A date as the system knew it on `ref`: blank if still to come."""
        return day if day is not None and day <= self.ref else None

    # ---- children in need --------------------------------------------------------------------------------

    def need(self) -> None:
        for child in self.world.children:
            for number, episode in enumerate(child.episodes, start=1):
                closed = episode.closed or FAR
                if episode.referral <= self.ref and closed >= self.start:
                    self.episode(child, episode, f"{child.id}-R{number}")

    def episode(self, child: Child, episode, referral_id: str) -> None:
        self.people[child.id] = child
        closed = self.cut(episode.closed)
        self.out.add(
            "ssd_cin_episodes",
            cine_referral_id=referral_id,
            cine_person_id=child.id,
            cine_referral_date=episode.referral,
            cine_cin_primary_need_code=episode.need,
            cine_referral_source_code=episode.source,
            cine_referral_nfa="Y" if episode.nfa else "N",
            cine_close_reason=closure_reason(episode) if closed else None,
            cine_close_date=closed,
            cine_referral_team=team_id(team_for("front_door", child)),
        )
        assessment = episode.assessment
        if assessment is not None and assessment.start <= self.ref:
            assessment_id = f"{referral_id}-A"
            authorised = self.cut(assessment.auth)
            self.out.add(
                "ssd_cin_assessments",
                cina_assessment_id=assessment_id,
                cina_person_id=child.id,
                cina_referral_id=referral_id,
                cina_assessment_start_date=assessment.start,
                cina_assessment_auth_date=authorised,
                cina_assessment_child_seen="Y",
                cina_assessment_outcome_nfa="Y" if episode.nfa else "N",
                cina_assessment_team=team_id(team_for("front_door", child)),
            )
            if authorised is not None:
                factors = ", ".join(f'"{code}"' for code in assessment.factors)
                self.out.add(
                    "ssd_assessment_factors",
                    cinf_table_id=f"{assessment_id}-F",
                    cinf_assessment_id=assessment_id,
                    cinf_assessment_factors_json=f"[{factors}]",
                )
        for number, (plan_start, plan_end) in enumerate(cin_plan_segments(episode), start=1):
            if plan_start <= self.ref:
                self.out.add(
                    "ssd_cin_plans",
                    cinp_cin_plan_id=f"{referral_id}-P{number}",
                    cinp_referral_id=referral_id,
                    cinp_person_id=child.id,
                    cinp_cin_plan_start_date=plan_start,
                    cinp_cin_plan_end_date=self.cut(plan_end),
                )
        for number, s47 in enumerate(episode.s47s, start=1):
            if s47.start > self.ref:
                continue
            s47_id = f"{referral_id}-S{number}"
            decided = s47.outcome <= self.ref
            self.out.add(
                "ssd_s47_enquiry",
                s47e_s47_enquiry_id=s47_id,
                s47e_referral_id=referral_id,
                s47e_person_id=child.id,
                s47e_s47_start_date=s47.start,
                s47e_s47_end_date=s47.outcome if decided else None,
                s47e_s47_nfa=("Y" if s47.not_required else "N") if decided else None,
                s47e_s47_completed_by_team=team_id(team_for("safeguarding", child)),
            )
            if s47.icpc is not None and s47.icpc <= self.ref:
                self.out.add(
                    "ssd_initial_cp_conference",
                    icpc_icpc_id=f"{s47_id}-C",
                    icpc_s47_enquiry_id=s47_id,
                    icpc_person_id=child.id,
                    icpc_referral_id=referral_id,
                    icpc_icpc_target_date=add_working_days(s47.start, 15),
                    icpc_icpc_date=s47.icpc,
                    icpc_icpc_transfer_in="N",
                )
        for number, plan in enumerate(episode.plans, start=1):
            if plan.start > self.ref:
                continue
            plan_id = f"{referral_id}-CP{number}"
            self.out.add(
                "ssd_cp_plans",
                cppl_cp_plan_id=plan_id,
                cppl_referral_id=referral_id,
                cppl_person_id=child.id,
                cppl_cp_plan_start_date=plan.start,
                cppl_cp_plan_end_date=self.cut(plan.end),
                cppl_cp_plan_initial_category=_ABUSE_WORDS[plan.initial_category],
                cppl_cp_plan_latest_category=_ABUSE_WORDS[plan.latest_category],
                cppl_cp_plan_ola="N",
            )
            for review_number, day in enumerate(cp_reviews(plan), start=1):
                if day <= self.ref:
                    self.out.add(
                        "ssd_cp_reviews",
                        cppr_cp_review_id=f"{plan_id}-V{review_number}",
                        cppr_person_id=child.id,
                        cppr_cp_plan_id=plan_id,
                        cppr_cp_review_date=day,
                        cppr_cp_review_outcome_continue_cp="Y",
                    )
            self.cp_visits(child, plan_id, plan.start, plan.end)

    def cp_visits(self, child: Child, plan_id: str, start: dt.date, end: dt.date) -> None:
        """A visit within 5 working days of the plan's start, then every 8 to 13 working days (the odd one late)."""
        rng = random.Random(f"{self.seed}/{plan_id}/visits")
        day = add_working_days(start, rng.randint(1, 5))
        number = 0
        while day < end and day <= self.ref:
            if day >= self.start:
                number += 1
                self.out.add(
                    "ssd_cp_visits",
                    cppv_cp_visit_id=f"{plan_id}-H{number}",
                    cppv_person_id=child.id,
                    cppv_cp_plan_id=plan_id,
                    cppv_cp_visit_date=day,
                    cppv_cp_visit_seen="Y",
                    cppv_cp_visit_seen_alone="Y" if rng.random() < 0.7 else "N",
                )
            day = add_working_days(day, rng.choice((8, 9, 10, 10, 10, 11, 13)))

    # ---- children in care --------------------------------------------------------------------------------

    def care(self) -> None:
        for child in self.world.children:
            for number, period in enumerate(child.periods, start=1):
                episodes = [ep for ep in period.episodes if self.open_in_window(ep)]
                if episodes:
                    self.period(child, period, f"{child.id}-C{number}", episodes)
            breaks = child.short_break
            if breaks is not None:
                episodes = [ep for ep in breaks.episodes if self.open_in_window(ep)]
                if episodes:
                    self.people[child.id] = child
                    self.episodes(child, f"{child.id}-SB", episodes, None)

    def open_in_window(self, ep: CLAEpisode) -> bool:
        return ep.decom <= self.ref and (ep.dec is None or ep.dec >= self.start)

    def period(self, child: Child, period: CarePeriod, cla_id: str, episodes: list[CLAEpisode]) -> None:
        self.people[child.id] = child
        referral_id = f"{child.id}-R{child.episodes.index(period.episode) + 1}"
        self.episodes(child, cla_id, episodes, referral_id)
        for number, (day, code) in enumerate(period.reviews, start=1):
            if self.start <= day <= self.ref:
                self.out.add(
                    "ssd_cla_reviews",
                    clar_cla_review_id=f"{cla_id}-V{number}",
                    clar_cla_id=cla_id,
                    clar_cla_review_due_date=day,
                    clar_cla_review_date=day,
                    clar_cla_review_cancelled="N",
                    clar_cla_review_participation=code,
                )
        for number, (kind, start, end) in enumerate(period.missing, start=1):
            if start <= self.ref and end >= self.start:
                self.out.add(
                    "ssd_missing",
                    miss_table_id=f"{cla_id}-M{number}",
                    miss_person_id=child.id,
                    miss_missing_episode_start_date=start,
                    miss_missing_episode_type=kind,
                    miss_missing_episode_end_date=self.cut(end),
                )
        if self.start <= period.start <= self.ref:
            perm, la_perm, when = period.prev_perm
            self.out.add(
                "ssd_cla_previous_permanence",
                lapp_table_id=f"{cla_id}-PP",
                lapp_person_id=child.id,
                lapp_previous_permanence_option=perm,
                lapp_previous_permanence_la=la_perm or None,
                lapp_previous_permanence_order_date=when or None,
            )
        self.permanence(child, period, cla_id)
        self.cla_visits(child, cla_id, period.start, period.end)

    def episodes(
        self, child: Child, cla_id: str, episodes: list[CLAEpisode], referral_id: str | None
    ) -> None:
        """Episodes with their placements (a new one unless the episode only changes the legal status) and
        legal statuses (one row for each run of episodes with the same status)."""
        placement_id, previous, status_from = None, None, None
        for number, ep in enumerate(episodes, start=1):
            same_place = (
                previous is not None
                and ep.rne == "L"
                and all(getattr(ep, f) == getattr(previous, f) for f in PLACEMENT_FIELDS)
            )
            if not same_place:
                placement_id = f"{cla_id}-P{number}"
                run = [ep]
                for later in episodes[number:]:
                    if later.rne != "L" or any(getattr(later, f) != getattr(ep, f) for f in PLACEMENT_FIELDS):
                        break
                    run.append(later)
                self.out.add(
                    "ssd_cla_placement",
                    clap_cla_placement_id=placement_id,
                    clap_cla_placement_start_date=ep.decom,
                    clap_cla_placement_type=ep.place,
                    clap_cla_placement_urn=ep.urn or None,
                    clap_cla_id=cla_id,
                    clap_cla_placement_provider=ep.provider or None,
                    clap_cla_placement_postcode=ep.pl_post or None,
                    clap_cla_placement_end_date=self.cut(run[-1].dec),
                    clap_cla_placement_change_reason=ep.reason_place_change or None,
                    clap_person_id=child.id,
                )
            if previous is None or previous.ls != ep.ls:
                status_from = ep.decom
            if number == len(episodes) or episodes[number].ls != ep.ls:
                self.out.add(
                    "ssd_legal_status",
                    lega_legal_status_id=f"{cla_id}-L{number}",
                    lega_person_id=child.id,
                    lega_legal_status=ep.ls,
                    lega_legal_status_start_date=status_from,
                    lega_legal_status_end_date=self.cut(ep.dec),
                )
            ended = self.cut(ep.dec)
            self.out.add(
                "ssd_cla_episodes",
                clae_cla_episode_id=f"{cla_id}-E{number}",
                clae_person_id=child.id,
                clae_cla_episode_start_date=ep.decom,
                clae_cla_episode_start_reason=ep.rne,
                clae_cla_primary_need_code=ep.cin,
                clae_cla_episode_ceased_date=ended,
                clae_cla_episode_ceased_reason=ep.rec if ended else None,
                clae_cla_id=cla_id,
                clae_referral_id=referral_id,
                clae_cla_placement_id=placement_id,
            )
            previous = ep

    def permanence(self, child: Child, period: CarePeriod, cla_id: str) -> None:
        adoption = period.adoption
        if adoption is None or adoption.decision > self.ref:
            return
        if adoption.ceased is not None and adoption.ceased < self.start:
            return
        adopted = period.rec in ("E11", "E12") and period.end <= self.ref
        ceased = self.cut(adoption.ceased)
        self.out.add(
            "ssd_permanence",
            perm_table_id=f"{cla_id}-A",
            perm_person_id=child.id,
            perm_cla_id=cla_id,
            perm_adm_decision_date=adoption.decision,
            perm_matched_date=self.cut(adoption.match),
            perm_decision_reversed_date=ceased,
            perm_decision_reversed_reason=adoption.ceased_reason if ceased else None,
            perm_permanence_order_date=period.end if adopted else None,
            perm_permanence_order_type="Adoption Order" if adopted else None,
            perm_adopted_by_carer_flag="Y" if adoption.foster_care else "N",
            perm_number_of_adopters=adoption.nb_adoptr or None,
            perm_adopter_sex=adoption.sex_adoptr or None,
            perm_adopter_legal_status=adoption.ls_adoptr or None,
        )

    def cla_visits(self, child: Child, cla_id: str, start: dt.date, end: dt.date) -> None:
        """A visit in the first week, then every 4 to 7 weeks (the odd one later)."""
        rng = random.Random(f"{self.seed}/{cla_id}/visits")
        day = start + dt.timedelta(days=rng.randint(1, 7))
        number = 0
        while day < end and day <= self.ref:
            if day >= self.start:
                number += 1
                self.out.add(
                    "ssd_cla_visits",
                    clav_cla_visit_id=f"{cla_id}-H{number}",
                    clav_cla_id=cla_id,
                    clav_person_id=child.id,
                    clav_cla_visit_date=day,
                    clav_cla_visit_seen="Y",
                    clav_cla_visit_seen_alone="Y" if rng.random() < 0.6 else "N",
                )
            day += dt.timedelta(days=rng.choice((28, 35, 40, 42, 42, 49, 56)))

    # ---- people ------------------------------------------------------------------------------------------

    def persons(self) -> None:
        la = self.world.la_code
        for child in sorted(self.people.values(), key=lambda c: c.id):
            unborn = child.dob > self.ref
            kind, value = upn_or_unknown(child, la, self.ref)
            self.out.add(
                "ssd_person",
                pers_person_id=child.id,
                pers_sex="U" if unborn else str(child.sex),
                pers_ethnicity=child.ethnicity,
                pers_dob=None if unborn else child.dob,
                pers_expected_dob=child.dob if unborn else None,
                pers_upn_unknown=value if kind == "UPNunknown" else None,
                pers_is_mother=None
                if child.mother is None
                else (
                    "Y"
                    if child.mother == 1 and child.mc_dob is not None and child.mc_dob <= self.ref
                    else "N"
                ),
            )
            if kind == "UPN":
                self.out.add(
                    "ssd_linked_identifiers",
                    link_table_id=f"{child.id}-UPN",
                    link_person_id=child.id,
                    link_identifier_type="Unique Pupil Number",
                    link_identifier_value=value,
                )
            if child.mother == 1 and child.mc_dob is not None and child.mc_dob <= self.ref:
                self.out.add(
                    "ssd_mother",
                    moth_table_id=f"{child.id}-MO",
                    moth_person_id=child.id,
                    moth_childs_person_id=f"{child.id}-B",
                    moth_childs_dob=child.mc_dob,
                )
            if child.uasc and child.periods:
                self.out.add(
                    "ssd_immigration_status",
                    immi_person_id=child.id,
                    immi_immigration_status_id=f"{child.id}-I",
                    immi_immigration_status="UASC",
                    immi_immigration_status_start_date=child.periods[0].start,
                    immi_immigration_status_end_date=self.cut(birthday(child.dob, 18)),
                )
            for code in child.disabilities:
                self.out.add(
                    "ssd_disability",
                    disa_person_id=child.id,
                    disa_table_id=f"{child.id}-D{code}",
                    disa_disability_code=code,
                )

    # ---- teams, workers and allocations ------------------------------------------------------------------

    def workforce(self, workforce: Workforce, cases: Cases) -> None:
        for team in TEAMS:
            self.out.add(
                "ssd_department",
                dept_team_id=team_id(team),
                dept_team_name=team.name,
                dept_team_parent_id="CSC",
                dept_team_parent_name="Children's Social Care",
            )
        latest: dict[str, Spell] = {}
        for spell in workforce.spells:  # each worker's latest spell in the window
            in_window = spell.start <= self.ref and (spell.end is None or spell.end >= self.start)
            if in_window and (spell.worker_id not in latest or spell.start > latest[spell.worker_id].start):
                latest[spell.worker_id] = spell
        for worker_id, spell in sorted(latest.items()):
            self.out.add(
                "ssd_professionals",
                prof_professional_id=worker_id,
                prof_staff_id=worker_id,
                prof_professional_name=f"{ROLE_TITLES.get(spell.role, 'Worker')} {worker_id}",
                prof_professional_job_title=ROLE_TITLES.get(spell.role, "Worker"),
                prof_professional_department=spell.team.name,
                prof_full_time_equivalency=spell.fte,
                prof_agency_worker_flag="Y" if spell.agency else "N",
            )
        index = _Holders(workforce)
        number = 0
        for child in sorted(self.people.values(), key=lambda c: c.id):
            for worker_id, team, start, end in _allocations(child, cases, index, self.start, self.ref):
                number += 1
                self.out.add(
                    "ssd_involvements",
                    invo_involvements_id=f"I{number:07d}",
                    invo_professional_id=worker_id,
                    invo_professional_role_id="Allocated Case Worker",
                    invo_professional_team=team_id(team),
                    invo_involvement_start_date=start,
                    invo_involvement_end_date=end,
                    invo_person_id=child.id,
                )

    def contacts(self, contacts: list[tuple[Child | None, str, dt.date, str]]) -> None:
        """The front door's contacts in the timeframe (a contact with no referral has no person of its own)."""
        for number, (_, child_id, day, source) in enumerate(contacts, start=1):
            if self.start <= day <= self.ref:
                self.out.add(
                    "ssd_contacts",
                    cont_contact_id=f"CT{number}",
                    cont_person_id=child_id,
                    cont_contact_date=day,
                    cont_contact_source_code=source,
                )

    def time_windows(self) -> None:
        run = self.ref + ONE_DAY
        self.out.add(
            TIME_WINDOWS,
            ssd_run_date=run,
            ssd_window_start=self.start,
            ssd_window_end=run + ONE_DAY,
            ssd_timeframe_years=round((run - self.start).days / 365.25),
        )


_ABUSE_WORDS = {
    "NEG": "Neglect",
    "PHY": "Physical Abuse",
    "SAB": "Sexual Abuse",
    "EMO": "Emotional Abuse",
    "MUL": "Multiple",
}


class _Holders:
    """Each team's case holders between the days they change, so that a child's worker on a day is a lookup."""

    def __init__(self, workforce: Workforce):
        self.days: dict[str, list[dt.date]] = {}
        self.holders: dict[str, list[list[Spell]]] = {}
        for name, spells in workforce.case_holders.items():
            days = sorted({s.start for s in spells} | {s.end for s in spells if s.end is not None})
            self.days[name] = days
            self.holders[name] = [[s for s in spells if s.open_on(day)] for day in days]

    def changes(self, team: Team, start: dt.date, end: dt.date) -> list[dt.date]:
        days = self.days.get(team.name, [])
        return days[bisect.bisect_right(days, start) : bisect.bisect_left(days, end)]

    def worker(self, team: Team, child_id: str, day: dt.date, keep: str | None = None) -> str | None:
        """The worker holding the child's case on `day`: `keep` while they still hold cases in the team (a
        child keeps their worker), else one of the team's holders."""
        days = self.days.get(team.name, [])
        at = bisect.bisect_right(days, day) - 1
        if at < 0:
            return None
        holders = self.holders[team.name][at]
        if keep is not None and any(s.worker_id == keep for s in holders):
            return keep
        return holders[stable(child_id) % len(holders)].worker_id if holders else None


def _allocations(
    child: Child, cases: Cases, index: _Holders, start: dt.date, ref: dt.date
) -> list[tuple[str, Team, dt.date, dt.date | None]]:
    """The child's allocated worker spells from `start` to `ref`: a worker of the team that holds the case
    (synth/local_data.py), kept until the case moves team or the worker stops holding cases, as involvements."""
    marks = {start}
    for period in child.periods:
        marks |= {period.start, period.end}
    for plan in child.plans:
        marks |= {plan.start, plan.end}
    for episode in child.episodes:
        marks |= {episode.referral, episode.closed or FAR}
        if episode.assessment is not None:
            marks.add(episode.assessment.auth)
    days = sorted(d for d in marks if start <= d <= ref)
    spells: list[list] = []  # [worker, team, start, end]
    for i, day in enumerate(days):
        segment_end = days[i + 1] if i + 1 < len(days) else ref + ONE_DAY
        found = cases.team_kind(child, day)
        if found is None:
            _close(spells, day)
            continue
        team = team_for(found[0], child)
        for change in [day, *index.changes(team, day, segment_end)]:
            current = spells[-1] if spells and spells[-1][3] is None and spells[-1][1] is team else None
            worker = index.worker(team, child.id, change, current[0] if current else None)
            if spells and spells[-1][3] is None and spells[-1][0] == worker and spells[-1][1] is team:
                continue
            _close(spells, change)
            if worker is not None:
                spells.append([worker, team, change, None])
    return [(w, t, s, e if e is None or e <= ref else None) for w, t, s, e in spells]


def _close(spells: list[list], day: dt.date) -> None:
    if spells and spells[-1][3] is None:
        spells[-1][3] = day


def write_ssd(world: World, out: Path, seed: int, local_data: bool = False) -> tuple[Path, dict[str, int]]:
    """Write the snapshot as at the end of the last output year; returns its folder and the rows per table."""
    start = dt.date(world.years[0], 4, 1)
    ref = dt.date(world.years[-1] + 1, 3, 31)
    snapshot = _Snapshot(world, start, ref, seed)
    snapshot.need()
    snapshot.care()
    snapshot.persons()
    cases = Cases(world)
    rng = random.Random(f"{seed}:{world.la_code}:local")  # drawn in write_local's order: the same workforce
    workforce = build_workforce(world, rng, cases)
    snapshot.workforce(workforce, cases)
    if local_data:
        build_early_help(world, rng)
        snapshot.contacts(build_contacts(world, rng))
    snapshot.time_windows()
    folder = out / folder_name(world.la_code)
    folder.mkdir(parents=True, exist_ok=True)
    fields = ssd_tables()
    counts = {}
    for table, rows in sorted(snapshot.out.rows.items()):
        with (folder / f"{table}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(fields[table])
            writer.writerows([_cell(row.get(f)) for f in fields[table]] for row in rows)
        counts[table] = len(rows)
    return folder, counts


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return iso(value)
    return str(value)


__all__ = ["folder_name", "write_ssd"]
