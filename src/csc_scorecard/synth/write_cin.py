"""Writes one CIN census XML per collection year, as at its 31 March (spec/data-formats.md §2).

A return holds every episode of need open at any time in the year (referral on or before 31 March, closure
blank or on or after 1 April) with every assessment, enquiry, CIN plan and CP plan in it that had started by
31 March. Anything dated after 31 March is left out: a later closure, authorisation, conference, plan end or
review is blank, as it would be in the council's system on the day the return was made.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..periods import add_months, financial_year_label
from .care import final_class
from .dates import add_working_days, iso, year_bounds
from .identifiers import upn_or_unknown
from .model import CinEpisode, CPPlan, World

CIN_PLANS_FROM = 2021  # CINPlanDates are collected from the 2021-22 census (the year ending March 2022)
SEX_FROM = 2024  # GenderCurrent (1/2/0) up to 2023-24, Sex (M/F/U) from 2024-25
EARLY_HELP_CLOSURE_FROM = dt.date(2022, 4, 1)
_RC_BY_CLASS = {"adoption": "RC1", "sgo": "RC4", "cao": "RC3", "transfer": "RC5"}


def cin_file_name(la_code: str, start_year: int) -> str:
    return f"CIN_Census_{la_code}_{financial_year_label(start_year)}.xml"


def closure_reason(episode: CinEpisode) -> str:
    """ReasonForClosure for a closed episode."""
    if episode.nfa:
        return "RC8"
    for period in reversed(episode.periods):
        if period.end <= episode.closed:
            if period.end == episode.closed:
                if period.rec == "E7":
                    return "RC6"
                return _RC_BY_CLASS.get(final_class(period), "RC7")
            break
    assessment = episode.assessment
    if (
        assessment is not None
        and episode.closed == assessment.auth
        and not episode.plans
        and not episode.periods
    ):
        # RC9 (closed after assessment, referred to early help) exists from 2022-23
        referred_on = episode.closed >= EARLY_HELP_CLOSURE_FROM and episode.referral.toordinal() % 10 < 3
        return "RC9" if referred_on else "RC8"
    return "RC7"


def cin_plan_segments(episode: CinEpisode) -> list[tuple[dt.date, dt.date]]:
    """CIN plans: from shortly after the assessment to closure, except while on a CP plan or looked after.

    The end of a segment cut short by a CP plan or care is the day that began.
    """
    assessment = episode.assessment
    if episode.nfa or assessment is None or episode.kind == "short_break":
        return []
    start = assessment.auth + dt.timedelta(days=episode.referral.toordinal() % 6)
    closed = episode.closed
    if closed is None or closed <= start + dt.timedelta(days=14):
        return []
    busy = sorted([(p.start, p.end) for p in episode.plans] + [(p.start, p.end) for p in episode.periods])
    segments, cursor = [], start
    for busy_start, busy_end in busy:
        if busy_start > cursor and (busy_start - cursor).days >= 14:
            segments.append((cursor, busy_start))
        cursor = max(cursor, busy_end + dt.timedelta(days=episode.referral.toordinal() % 4))
    if cursor < closed and (closed - cursor).days >= 14:
        segments.append((cursor, closed))
    return segments


def cp_reviews(plan: CPPlan) -> list[dt.date]:
    """Review conferences: about three months after the ICPC, then every six months, while the plan lasts; one
    of them late where the year's end made it so (plan.late_review: its number, and the days after it was due)."""
    reviews = []
    jitter = plan.start.toordinal() % 9
    late = plan.late_review
    due = add_months(plan.start, 3)
    day = due - dt.timedelta(days=jitter)
    while True:
        if late is not None and len(reviews) == late[0]:
            day = due + dt.timedelta(days=late[1])
        if day >= plan.end:
            return reviews
        reviews.append(day)
        due = add_months(day, 6)
        day = due - dt.timedelta(days=(day.toordinal() % 7))


class _CinReturn:
    def __init__(self, world: World, start_year: int):
        self.world = world
        self.start_year = start_year
        self.start, self.ref = year_bounds(start_year)
        self.lines: list[str] = []
        self.rows = {
            "children": 0,
            "cin_episodes": 0,
            "assessments": 0,
            "cin_plans": 0,
            "section47": 0,
            "cp_plans": 0,
        }

    def header(self) -> None:
        end_year = self.start_year + 1
        self.lines += [
            '<?xml version="1.0" encoding="UTF-8"?>',
            "<Message>",
            "  <Header>",
            "    <CollectionDetails>",
            "      <Collection>CIN</Collection>",
            f"      <Year>{end_year}</Year>",
            f"      <ReferenceDate>{end_year}-03-31</ReferenceDate>",
            "    </CollectionDetails>",
            "    <Source>",
            "      <SourceLevel>L</SourceLevel>",
            f"      <LEA>{self.world.la_code}</LEA>",
            "      <SoftwareCode>csc-scorecard synthetic council</SoftwareCode>",
            "      <Release>1.0</Release>",
            "      <SerialNo>1</SerialNo>",
            f"      <DateTime>{end_year}-05-12T09:30:00</DateTime>",
            "    </Source>",
            "  </Header>",
            "  <Children>",
        ]

    def child(self, child, episodes: list[CinEpisode]) -> None:
        ref = self.ref
        out = self.lines
        self.rows["children"] += 1
        kind, value = upn_or_unknown(child, self.world.la_code, ref)
        out += ["    <Child>", "      <ChildIdentifiers>", f"        <LAchildID>{child.id}</LAchildID>"]
        out.append(f"        <{kind}>{value}</{kind}>")
        unborn = child.dob > ref
        if unborn:
            out.append(f"        <ExpectedPersonBirthDate>{iso(child.dob)}</ExpectedPersonBirthDate>")
        else:
            out.append(f"        <PersonBirthDate>{iso(child.dob)}</PersonBirthDate>")
        if self.start_year >= SEX_FROM:
            out.append(f"        <Sex>{'U' if unborn else 'M' if child.sex == 1 else 'F'}</Sex>")
        else:
            out.append(f"        <GenderCurrent>{0 if unborn else child.sex}</GenderCurrent>")
        out += [
            "      </ChildIdentifiers>",
            "      <ChildCharacteristics>",
            f"        <Ethnicity>{child.ethnicity}</Ethnicity>",
            "        <Disabilities>",
        ]
        out += [f"          <Disability>{code}</Disability>" for code in child.disabilities]
        out += ["        </Disabilities>", "      </ChildCharacteristics>"]
        for episode in episodes:
            self.episode(episode)
        out.append("    </Child>")

    def episode(self, episode: CinEpisode) -> None:
        ref = self.ref
        out = self.lines
        self.rows["cin_episodes"] += 1
        out += [
            "      <CINdetails>",
            f"        <CINreferralDate>{iso(episode.referral)}</CINreferralDate>",
            f"        <ReferralSource>{episode.source}</ReferralSource>",
            f"        <PrimaryNeedCode>{episode.need}</PrimaryNeedCode>",
        ]
        if episode.closed <= ref:
            out.append(f"        <CINclosureDate>{iso(episode.closed)}</CINclosureDate>")
            out.append(f"        <ReasonForClosure>{closure_reason(episode)}</ReasonForClosure>")
        conferences = [s.icpc for s in episode.s47s if s.icpc is not None and s.icpc <= ref]
        if conferences:
            out.append(f"        <DateOfInitialCPC>{iso(min(conferences))}</DateOfInitialCPC>")
        out.append(f"        <ReferralNFA>{'true' if episode.nfa else 'false'}</ReferralNFA>")
        assessment = episode.assessment
        if assessment is not None and assessment.start <= ref:
            self.rows["assessments"] += 1
            out += [
                "        <Assessments>",
                f"          <AssessmentActualStartDate>{iso(assessment.start)}</AssessmentActualStartDate>",
            ]
            if assessment.auth <= ref:
                out.append(
                    f"          <AssessmentAuthorisationDate>{iso(assessment.auth)}</AssessmentAuthorisationDate>"
                )
                out.append("          <FactorsIdentifiedAtAssessment>")
                out += [f"            <AssessmentFactors>{f}</AssessmentFactors>" for f in assessment.factors]
                out.append("          </FactorsIdentifiedAtAssessment>")
            out.append("        </Assessments>")
        if self.start_year >= CIN_PLANS_FROM:
            for plan_start, plan_end in cin_plan_segments(episode):
                if plan_start > ref:
                    continue
                self.rows["cin_plans"] += 1
                out += [
                    "        <CINPlanDates>",
                    f"          <CINPlanStartDate>{iso(plan_start)}</CINPlanStartDate>",
                ]
                if plan_end <= ref:
                    out.append(f"          <CINPlanEndDate>{iso(plan_end)}</CINPlanEndDate>")
                out.append("        </CINPlanDates>")
        for s47 in episode.s47s:
            if s47.start > ref:
                continue
            self.rows["section47"] += 1
            out += [
                "        <Section47>",
                f"          <S47ActualStartDate>{iso(s47.start)}</S47ActualStartDate>",
            ]
            target = add_working_days(s47.start, 15)
            if target <= ref:  # a target after the reference date is left out like every later date
                out.append(f"          <InitialCPCtarget>{iso(target)}</InitialCPCtarget>")
            if s47.icpc is not None and s47.icpc <= ref:
                out.append(f"          <DateOfInitialCPC>{iso(s47.icpc)}</DateOfInitialCPC>")
            decided = s47.not_required and s47.outcome <= ref
            out += [
                f"          <ICPCnotRequired>{'true' if decided else 'false'}</ICPCnotRequired>",
                "        </Section47>",
            ]
        for plan in episode.plans:
            if plan.start > ref:
                continue
            self.rows["cp_plans"] += 1
            out += [
                "        <ChildProtectionPlans>",
                f"          <CPPstartDate>{iso(plan.start)}</CPPstartDate>",
            ]
            if plan.end <= ref:
                out.append(f"          <CPPendDate>{iso(plan.end)}</CPPendDate>")
            out += [
                f"          <InitialCategoryOfAbuse>{plan.initial_category}</InitialCategoryOfAbuse>",
                f"          <LatestCategoryOfAbuse>{plan.latest_category}</LatestCategoryOfAbuse>",
                f"          <NumberOfPreviousCPP>{plan.previous}</NumberOfPreviousCPP>",
            ]
            reviews = [day for day in cp_reviews(plan) if day <= ref]
            if reviews:
                out.append("          <Reviews>")
                out += [f"            <CPPreviewDate>{iso(day)}</CPPreviewDate>" for day in reviews]
                out.append("          </Reviews>")
            out.append("        </ChildProtectionPlans>")
        out.append("      </CINdetails>")


def write_cin(world: World, start_year: int, folder: Path) -> tuple[Path, dict[str, int]]:
    """Write the year's CIN census; returns the file and the rows each table will hold once read."""
    ret = _CinReturn(world, start_year)
    ret.header()
    first, ref = ret.start, ret.ref
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / cin_file_name(world.la_code, start_year)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for child in world.children:
            episodes = [
                e
                for e in child.episodes
                if e.referral <= ref
                and e.closed >= first
                and (e.not_carried is None or e.not_carried > first)
            ]
            if episodes:
                ret.child(child, episodes)
                if len(ret.lines) > 50_000:  # written in pieces: a scaled-up council's file is large
                    handle.write("\n".join(ret.lines) + "\n")
                    ret.lines.clear()
        ret.lines += ["  </Children>", "</Message>"]
        handle.write("\n".join(ret.lines) + "\n")
    return path, ret.rows


__all__ = ["cin_file_name", "cin_plan_segments", "closure_reason", "cp_reviews", "write_cin"]
