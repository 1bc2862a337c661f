"""The synthetic council's local data: its workforce, caseloads, early help, youth justice and case audits.

Built from the finished simulation (`World`), so every child id, team and worker agrees with the CIN census and
the 903 returns: a child on a CP plan on 31 March is a case of a safeguarding worker in post that day, a
contact that became a referral precedes the child's CINreferralDate, an early help step-up ends on the day the
child was referred. Nothing here draws from the simulation's own random streams (it has one of its own), so the
CIN and 903 files are byte for byte what they are without it.

- Workforce: teams sized to their caseloads when the first output year starts; each post is filled by a run of
  LA-employed or agency workers with gaps between them (vacancies); a newly qualified worker spends a first year
  in ASYE (a spell of its own, then a new spell in the same team: a move, not a leaving).
- Allocation: on any day each open case (in care > CP plan > CIN > being assessed, one per child) belongs to a
  team, and to one of the team's case holders in post that day, chosen by a stable hash of the child's id.
- Early help: contacts to the hub, assessments with a tool, closures with an outcome; some children are stepped
  up and referred to social care on the day their early help closes.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections import defaultdict
from dataclasses import dataclass, field

from ..periods import add_years
from .dates import year_bounds
from .model import FAR, Child, World

ONE_DAY = dt.timedelta(days=1)
CASE_HOLDING = ("SOCIAL_WORKER", "SENIOR_PRACTITIONER")
SW_ROLES = ("SOCIAL_WORKER", "SENIOR_PRACTITIONER", "TEAM_MANAGER", "SENIOR_MANAGER")
TARGET_CASELOAD = 12  # cases per case holder the teams are sized for (vacancies and part-time work raise it)
ASSESSMENT_TOOLS = (
    ("EHA", 0.55),
    ("FAMILY_STAR", 0.25),
    ("OUTCOMES_STAR", 0.1),
    ("CAF", 0.05),
    ("OTHER", 0.05),
)
OUTCOMES = (
    ("OUTCOMES_MET", 0.6),
    ("STEP_DOWN", 0.15),
    ("DISENGAGED", 0.15),
    ("MOVED_AWAY", 0.05),
    ("OTHER", 0.05),
)
GRADES = (("OUTSTANDING", 0.05), ("GOOD", 0.42), ("REQUIRES_IMPROVEMENT", 0.43), ("INADEQUATE", 0.1))
THEMES = (
    "Voice of the child",
    "Management oversight",
    "Planning",
    "Chronology",
    "Supervision",
    "Risk analysis",
)


def stable(text: str) -> int:
    """A hash that is the same in every run (Python's own is salted per process)."""
    return zlib.crc32(text.encode())


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    r = rng.random()
    for value, weight in weighted:
        if r < weight:
            return value
        r -= weight
    return weighted[-1][0]


def open_at(start: dt.date, end: dt.date | None, day: dt.date) -> bool:
    return start <= day and (end is None or end > day)


# ---- teams and workers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Team:
    name: str
    team_type: str
    kind: str  # the cases it holds: front_door, safeguarding, care, leavers, management


TEAMS = (
    Team("Front Door (MASH and Assessment)", "FRONT_DOOR", "front_door"),
    Team("Safeguarding and Family Support North", "SAFEGUARDING", "safeguarding"),
    Team("Safeguarding and Family Support South", "SAFEGUARDING", "safeguarding"),
    Team("Children in Care", "CHILDREN_IN_CARE", "care"),
    Team("Care Leavers", "CARE_LEAVERS", "leavers"),
    Team("Service Management", "OTHER", "management"),
)
TEAM_BY_KIND = defaultdict(list)
for _team in TEAMS:
    TEAM_BY_KIND[_team.kind].append(_team)


@dataclass
class Spell:
    worker_id: str
    team: Team
    role: str
    asye: bool
    agency: bool
    fte: float
    start: dt.date
    end: dt.date | None  # None: still in post at the end of everything simulated

    def open_on(self, day: dt.date) -> bool:
        return open_at(self.start, self.end, day)


@dataclass
class Workforce:
    spells: list[Spell] = field(default_factory=list)
    establishment: list[tuple[str, dt.date, float]] = field(default_factory=list)  # team, from, funded FTE
    case_holders: dict[str, list[Spell]] = field(default_factory=dict)  # team name -> spells, by worker id

    def holders_on(self, team: Team, day: dt.date) -> list[Spell]:
        return [s for s in self.case_holders.get(team.name, ()) if s.open_on(day)]

    def worker_for(self, team: Team, child_id: str, day: dt.date) -> Spell | None:
        holders = self.holders_on(team, day)
        return holders[stable(child_id) % len(holders)] if holders else None


class _Posts:
    """Fills posts with a run of workers from `start` to `stop`."""

    def __init__(self, rng: random.Random, start: dt.date, stop: dt.date):
        self.rng = rng
        self.start = start
        self.stop = stop
        self.count = 0
        self.spells: list[Spell] = []

    def _id(self) -> str:
        self.count += 1
        return f"W{self.count:05d}"

    def fill(self, team: Team, role: str, opens: dt.date, agency_share: float) -> None:
        rng, day, first = self.rng, opens, True
        while day < self.stop:
            if not first:
                day += dt.timedelta(days=rng.randint(0, 75))  # the post is vacant in between
            first = False
            agency = role in CASE_HOLDING and rng.random() < agency_share
            mean = 300 if agency else 2100
            tenure = max(30, int(rng.expovariate(1 / mean)))
            fte = 1.0 if agency else _pick(rng, (("1.0", 0.75), ("0.8", 0.1), ("0.6", 0.1), ("0.5", 0.05)))
            end = day + dt.timedelta(days=tenure)
            worker = self._id()
            asye = role == "SOCIAL_WORKER" and not agency and day > self.start and rng.random() < 0.25
            if asye and tenure > 365:  # the ASYE year, then the same worker on in the team
                middle = add_years(day, 1)
                self.spells.append(Spell(worker, team, role, True, False, float(fte), day, middle))
                self.spells.append(
                    Spell(worker, team, role, False, False, float(fte), middle, _cut(end, self.stop))
                )
            else:
                self.spells.append(
                    Spell(worker, team, role, asye, agency, float(fte), day, _cut(end, self.stop))
                )
            day = end


def _cut(end: dt.date, stop: dt.date) -> dt.date | None:
    return None if end >= stop else end


# ---- cases ------------------------------------------------------------------------------------------


class Cases:
    """What is open on a day, child by child, and which team holds it."""

    def __init__(self, world: World):
        self.children = [c for c in world.children if c.episodes or c.periods]

    def team_kind(self, child: Child, day: dt.date) -> tuple[str, object] | None:
        """('care', period) / ('safeguarding', plan or episode) / ('front_door', episode), or None."""
        for period in child.periods:
            if period.start <= day < period.end:
                return "care", period
        for plan in child.plans:
            if plan.start <= day < plan.end:
                return "safeguarding", plan
        for episode in child.episodes:
            closed = episode.closed or FAR
            if episode.referral <= day < closed and episode.kind != "short_break":
                assessment = episode.assessment
                assessed = assessment is not None and assessment.auth <= day
                if episode.nfa or not assessed:
                    return "front_door", episode
                return "safeguarding", episode
        return None

    def open_on(self, day: dt.date) -> list[tuple[Child, str, object]]:
        out = []
        for child in self.children:
            found = self.team_kind(child, day)
            if found is not None:
                out.append((child, *found))
        return out


def team_for(kind: str, child: Child) -> Team:
    teams = TEAM_BY_KIND[kind]
    return teams[stable(child.id) % len(teams)]


def build_workforce(world: World, rng: random.Random, cases: Cases) -> Workforce:
    first, _ = year_bounds(world.years[0])
    _, last = year_bounds(world.years[-1])
    start = add_years(first, -2)
    stop = last + ONE_DAY
    counts: dict[str, int] = defaultdict(int)
    for child, kind, _ in cases.open_on(first):
        counts[team_for(kind, child).name] += 1
    posts = _Posts(rng, start, stop)
    workforce = Workforce()
    for team in TEAMS:
        opens = start
        if team.kind == "management":
            roles = ["SENIOR_MANAGER", "SENIOR_MANAGER"]
        elif team.kind == "leavers":
            roles = ["TEAM_MANAGER"] + ["PERSONAL_ADVISER"] * max(2, counts[team.name] // 20 + 2)
        else:
            holders = max(2, round(counts[team.name] / TARGET_CASELOAD))
            roles = ["TEAM_MANAGER", "SENIOR_PRACTITIONER"] + ["SOCIAL_WORKER"] * (holders - 1)
        for role in roles:
            posts.fill(team, role, opens, agency_share=0.55)
        funded = float(sum(1 for r in roles if r in SW_ROLES))
        if funded:
            workforce.establishment.append((team.name, start, funded))
    # One new post a year into the output years, funded from the day it opens.
    grown = TEAMS[1]
    opens = add_years(first, 1)
    posts.fill(grown, "SOCIAL_WORKER", opens + dt.timedelta(days=45), agency_share=0.55)
    funded_before = next(f for t, _, f in workforce.establishment if t == grown.name)
    workforce.establishment.append((grown.name, opens, funded_before + 1.0))
    workforce.spells = posts.spells
    for spell in posts.spells:
        if spell.role in CASE_HOLDING:
            workforce.case_holders.setdefault(spell.team.name, []).append(spell)
    for holders in workforce.case_holders.values():
        holders.sort(key=lambda s: (s.worker_id, s.start))
    return workforce


def caseloads_on(
    day: dt.date, cases: Cases, workforce: Workforce
) -> tuple[dict[str, int], dict[str, tuple[Team, Spell | None]]]:
    """(cases per worker id, child id -> (team, worker spell)) on a day."""
    per_worker: dict[str, int] = defaultdict(int)
    allocation: dict[str, tuple[Team, Spell | None]] = {}
    for child, kind, _ in cases.open_on(day):
        team = team_for(kind, child)
        spell = workforce.worker_for(team, child.id, day)
        allocation[child.id] = (team, spell)
        if spell is not None:
            per_worker[spell.worker_id] += 1
    return per_worker, allocation


def month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    out, year, month = [], first.year, first.month
    while True:
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        day = nxt - ONE_DAY
        if day > last:
            return out
        if day >= first:
            out.append(day)
        year, month = nxt.year, nxt.month


# ---- early help -------------------------------------------------------------------------------------


@dataclass
class EarlyHelp:
    contacts: list[tuple[str, dt.date | None, dt.date, str]] = field(
        default_factory=list
    )  # child, dob, date, source
    assessments: list[tuple[str, dt.date, dt.date, str, str]] = field(
        default_factory=list
    )  # child, start, completed, tool, team
    closures: list[tuple[str, dt.date, dt.date, str]] = field(
        default_factory=list
    )  # child, episode start, closed, outcome


EH_TEAMS = ("Early Help North", "Early Help South")
EH_SOURCES = ("2A", "2A", "2A", "3A", "3B", "1A", "1C", "8", "6")


def build_early_help(world: World, rng: random.Random) -> EarlyHelp:
    """Early help over the output years (and the year before, so closures have earlier starts)."""
    first, _ = year_bounds(world.years[0])
    _, last = year_bounds(world.years[-1])
    start = add_years(first, -1)
    eh = EarlyHelp()
    seen_contacts: set[tuple[str, dt.date]] = set()
    seen_episodes: set[tuple[str, dt.date]] = set()

    def episode(child_id: str, dob: dt.date | None, contact: dt.date, closure: dt.date, outcome: str) -> None:
        began = contact + dt.timedelta(days=rng.randint(3, 15))
        if (child_id, contact) in seen_contacts or (child_id, began) in seen_episodes or closure <= began:
            return
        seen_contacts.add((child_id, contact))
        seen_episodes.add((child_id, began))
        eh.contacts.append((child_id, dob, contact, rng.choice(EH_SOURCES)))
        completed = began + dt.timedelta(days=rng.randint(10, 40))
        tool = _pick(rng, ASSESSMENT_TOOLS)
        eh.assessments.append(
            (child_id, began, min(completed, closure), tool, EH_TEAMS[stable(child_id) % 2])
        )
        eh.closures.append((child_id, began, closure, outcome))

    referrals = [
        (e.referral, e.child)
        for c in world.children
        for e in c.episodes
        if e.kind == "referral" and start <= e.referral <= last
    ]
    referrals.sort(key=lambda pair: (pair[0], pair[1].id))
    for referral, child in referrals:  # about one referral in twelve was an early help step-up
        if stable(f"stepup/{child.id}/{referral}") % 12 == 0:
            contact = referral - dt.timedelta(days=rng.randint(90, 260))
            episode(child.id, child.dob, contact, referral, "STEP_UP")
    count = 0
    for referral, _ in referrals:  # early help sees about as many families as social care is referred
        count += 1
        contact = referral - dt.timedelta(days=rng.randint(0, 40))
        if contact < start:
            continue
        child_id = f"{world.la_code}E{count:06d}"
        dob = contact - dt.timedelta(days=rng.randint(30, 17 * 365))
        if rng.random() < 0.65:
            closure = contact + dt.timedelta(days=rng.randint(75, 320))
            episode(child_id, dob, contact, closure, _pick(rng, OUTCOMES))
        elif (child_id, contact) not in seen_contacts:
            seen_contacts.add((child_id, contact))
            eh.contacts.append((child_id, dob, contact, rng.choice(EH_SOURCES)))
    return eh


# ---- contacts to the front door (Annex A list 1) -----------------------------------------------------


def build_contacts(world: World, rng: random.Random) -> list[tuple[Child | None, str, dt.date, str]]:
    """(child or None, child id, contact date, ReferralSource) for every contact: one before each referral
    (mostly the same day) and about one and a half that went no further."""
    first, _ = year_bounds(world.years[0])
    _, last = year_bounds(world.years[-1])
    start = add_years(first, -1)
    out: list[tuple[Child | None, str, dt.date, str]] = []
    seen: set[tuple[str, dt.date]] = set()
    referrals = sorted(
        (
            (e.referral, e.child, e.source)
            for c in world.children
            for e in c.episodes
            if start <= e.referral <= last
        ),
        key=lambda t: (t[0], t[1].id),
    )
    extra = 0
    for referral, child, source in referrals:
        lag = _pick(rng, (("0", 0.55), ("1", 0.2), ("3", 0.12), ("5", 0.08), ("12", 0.05)))
        contact = referral - dt.timedelta(days=int(lag))
        if (child.id, contact) not in seen:
            seen.add((child.id, contact))
            out.append((child, child.id, contact, source))
        for _ in range(1 + (rng.random() < 0.5)):
            extra += 1
            day = referral + dt.timedelta(days=rng.randint(-20, 20))
            if not start <= day <= last:
                continue
            child_id = f"{world.la_code}C{extra:06d}"
            out.append((None, child_id, day, rng.choice(EH_SOURCES)))
            seen.add((child_id, day))
    out.sort(key=lambda t: (t[2], t[1]))
    return out


__all__ = [
    "TEAMS",
    "Cases",
    "EarlyHelp",
    "Spell",
    "Team",
    "Workforce",
    "build_contacts",
    "build_early_help",
    "build_workforce",
    "caseloads_on",
    "month_ends",
    "open_at",
    "stable",
]
