"""The finished records fitted to the council's published shares, year by year, where a share depends on details
nothing else does: sources of referral, second plans, placements in the year, missing incidents, how children
left care (which order, which special guardian), care leavers' activity and accommodation, children's health.

Each fit changes the fewest records it can, and only records of the year it fits (an incident within it, a move
within it, a care leaver's record of that year), so the years it has fitted stay fitted. Where the LA published
nothing for a year, the records stay as the simulation made them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Sequence

from ..periods import add_years
from ..working_days import working_days_between
from .care import ADOPTIVE, APPRENTICESHIP_SPLIT, FOSTER, RECODE_2025, TEMPORARY
from .dates import ONE_DAY, add_working_days, age_on, birthday, year_bounds
from .journeys import EARLY_HELP_SOURCE_FROM, REFERRAL_SOURCES
from .model import CareLeaverRecord, CarePeriod, Child, CinEpisode, CLAEpisode, World
from .targets import YearTargets
from .write_903 import oc2_row

RETIRED_2025 = ("H5", "P2")  # leave the PLACE list in 2025-26 (care._recode_2025)
HEALTH_SOURCES = ("3A", "3B", "3C", "3D", "3E", "3F")
SUITABLE = ("B1", "D1", "E1", "U1", "Z1", "K1", "Y1", "C1")
UNSUITABLE = ("S2", "X2", "V2", "W2", "B2", "U2", "D2", "Y2")
# Education, training or employment other than higher education: apprenticeships and other work were F3/P3
# until the apprenticeship split (care.APPRENTICESHIP_SPLIT), F4/F5/P4/P5 since.
EET_OTHER_BEFORE_SPLIT = ("F2", "P2", "F3", "P3")
EET_OTHER = ("F2", "P2", "F5", "P5")
NEET = ("G4", "G5", "G6")


def fit_records(world: World, targets: dict[int, YearTargets], rng: random.Random) -> None:
    for year in world.years:
        t = targets[year]
        start, end = year_bounds(year)
        fit_sources(world, t, rng, start, end)
        # its own stream, so that the fits after it draw as they did before it was added
        fit_assessments(
            world, t, random.Random(f"{world.seed}:{world.la_code}:assessments:{year}"), start, end
        )
        fit_uasc(world, t, rng, start, end)
        fit_second_plans(world, t, rng, start, end)
        fit_placements(world, t, rng, start, end)
        fit_missing(world, t, rng, start, end)
        fit_reasons(world, t, rng, start, end)
        fit_care_leavers(world, t, rng, year)
        fit_health(world, t, rng, year, end)


def _choose(rng: random.Random, items: Sequence, n: int) -> list:
    return rng.sample(list(items), max(0, min(n, len(items))))


def _target(t: YearTargets, count: str | None, share: str | None, total: int) -> int | None:
    return t.lait_number(count, share, total)


# ---- referrals ----------------------------------------------------------------------------------------------


def fit_sources(world: World, t: YearTargets, rng: random.Random, start: dt.date, end: dt.date) -> None:
    """Referrals from schools (2A), health services (3A-3F) and the police (6) in the published shares."""
    episodes = [e for c in world.children for e in c.episodes if start <= e.referral <= end]
    groups: list[tuple[str, Callable[[str], bool], Sequence[str]]] = [
        ("RefBySource_Schl_%", lambda s: s == "2A", ("2A",)),
        ("RefBySource_HealthServ_%", lambda s: s in HEALTH_SOURCES, HEALTH_SOURCES),
        ("RefBySource_Police_%", lambda s: s == "6", ("6",)),
    ]
    named = [g for g in groups if t.lait_share(g[0]) is not None]

    def in_any(source: str) -> bool:
        return any(belongs(source) for _, belongs, _ in named)

    others = [code for code, _ in REFERRAL_SOURCES if not in_any(code)]
    for measure, belongs, codes in named:
        wanted = round((t.lait_share(measure) or 0.0) * len(episodes))
        have = [e for e in episodes if belongs(e.source)]
        for e in _choose(rng, have, len(have) - wanted):
            e.source = _other_source(rng, others, e.referral)
        spare = [e for e in episodes if not in_any(e.source)]
        for e in _choose(rng, spare, wanted - len(have)):
            e.source = rng.choice(codes)


def fit_assessments(world: World, t: YearTargets, rng: random.Random, start: dt.date, end: dt.date) -> None:
    """Assessments authorised in the year within 45 working days: the published share. The simulation draws
    each assessment's length for the year's referrals, but the year's authorisations also hold the last year's
    late ones and lose its own late ones to the next: some are re-dated within the year, where nothing else hangs
    on the day (an episode of need only, still open after it)."""
    authorised = [
        e
        for c in world.children
        for e in c.episodes
        if e.assessment is not None
        and start <= e.assessment.auth <= end
        and e.assessment.start <= e.assessment.auth
    ]
    wanted = _target(t, None, "Continue_Assess_Comp", len(authorised))
    if wanted is None:
        return
    within = [e for e in authorised if _assessment_days(e) <= 45]
    over = [e for e in authorised if _assessment_days(e) > 45]
    if len(within) < wanted:  # sooner: a working day from 1 to 45
        movable = [e for e in over if _redatable(e)]
        rng.shuffle(movable)
        short = wanted - len(within)
        for e in movable:
            if short <= 0:
                break
            assessment = e.assessment
            assert assessment is not None
            days = [add_working_days(assessment.start, n) for n in range(1, 46)]
            days = [d for d in days if d >= start]
            if days:
                assessment.auth = days[int(rng.triangular(0, len(days), len(days) * 0.4))]
                short -= 1
    else:  # later: 46 working days or more, still in the year and before the episode closes
        movable = [e for e in within if _redatable(e)]
        rng.shuffle(movable)
        short = len(within) - wanted
        for e in movable:
            if short <= 0:
                break
            assessment = e.assessment
            assert assessment is not None
            last = min(end, e.closure() - ONE_DAY)
            days = [add_working_days(assessment.start, n) for n in range(46, 110)]
            days = [d for d in days if d <= last]
            if days:
                assessment.auth = days[min(len(days) - 1, int(rng.triangular(0, len(days), 0)))]
                short -= 1


def _assessment_days(e: CinEpisode) -> int:
    assert e.assessment is not None
    return working_days_between(e.assessment.start, e.assessment.auth)


def _redatable(e: CinEpisode) -> bool:
    """An ordinary referral's assessment with nothing after it that its date decides: no enquiry, plan or care,
    and the episode open past it (closing on its day would say the child was not in need)."""
    return (
        e.kind == "referral"
        and not e.nfa
        and not e.s47s
        and not e.plans
        and not e.periods
        and e.assessment is not None
        and e.closure() > e.assessment.auth
    )


def _other_source(rng: random.Random, others: list[str], day: dt.date) -> str:
    code = rng.choice(others) if others else "8"
    return "5B" if code == "5D" and day < EARLY_HELP_SOURCE_FROM else code


def fit_second_plans(world: World, t: YearTargets, rng: random.Random, start: dt.date, end: dt.date) -> None:
    """Plans starting in the year that are a second or subsequent plan: the published number. Only a child's
    first plan here can change, by its NumberOfPreviousCPP (a plan in another LA, or before the records)."""
    starting = [(c, p) for c in world.children for p in c.plans if start <= p.start <= end]
    wanted = _target(t, "ReRegCPR", "PrevRegCPR", len(starting))
    if wanted is None:
        return
    first = [p for c, p in starting if c.plans[0] is p]
    second = sum(1 for c, p in starting if c.plans[0] is not p or p.previous >= 1)
    if second > wanted:
        for plan in _choose(rng, [p for p in first if p.previous >= 1], second - wanted):
            plan.previous = 0
    else:
        for plan in _choose(rng, [p for p in first if p.previous == 0], wanted - second):
            plan.previous = 1


# ---- children looked after ---------------------------------------------------------------------------------


def _looked_after_at(period: CarePeriod, day: dt.date) -> bool:
    return any(ep.decom <= day and (ep.dec is None or ep.dec > day) for ep in period.episodes)


def _child_placements(child: Child, start: dt.date, end: dt.date) -> int:
    rows = [
        ep
        for p in child.periods
        for ep in p.episodes
        if ep.place not in TEMPORARY and ep.decom <= end and (ep.dec is None or ep.dec > start)
    ]
    return (
        (1 + sum(1 for ep in rows[1:] if start <= ep.decom <= end and ep.rne in ("S", "P", "B")))
        if rows
        else 0
    )


def fit_uasc(world: World, t: YearTargets, rng: random.Random, start: dt.date, end: dt.date) -> None:
    """Unaccompanied asylum-seeking children looked after at 31 March, and among the year's starters: the
    published numbers. Children who arrived in care in the year as teenagers are the ones whose status can
    change, so no earlier year's figures move."""
    now = [p for p in world.periods if _looked_after_at(p, end)]
    wanted = _target(t, "Unacc_Asylmn_Seek_Childn", "Unacc_Asylmn_Seek_Childn%", len(now))
    if wanted is None:
        return
    seeking = [p for p in now if p.child.uasc and birthday(p.child.dob, 18) > end]
    new_teens = [
        p
        for p in now
        if start <= p.start <= end and len(p.child.periods) == 1 and age_on(p.child.dob, p.start) >= 13
    ]
    if len(seeking) > wanted:
        for period in _choose(rng, [p for p in seeking if p in new_teens], len(seeking) - wanted):
            period.child.uasc = False
    else:
        for period in _choose(rng, [p for p in new_teens if not p.child.uasc], wanted - len(seeking)):
            period.child.uasc = True


def fit_placements(world: World, t: YearTargets, rng: random.Random, start: dt.date, end: dt.date) -> None:
    """Children looked after at 31 March with 3 or more placements in the year: the published number, by taking
    a move in the year away from some or giving one to others."""
    now = [p for p in world.periods if _looked_after_at(p, end)]
    wanted = _target(t, "LACStableNum_2016on", "LACStable_2016on", len(now))
    if wanted is None:
        return
    counts = {id(p): _child_placements(p.child, start, end) for p in now}
    three = [p for p in now if counts[id(p)] >= 3]
    horizon = year_bounds(world.years[-1])[1]
    # a child whose moves cannot change (temporary or adoptive placements, placed with parents) is passed over
    if len(three) > wanted:
        three.sort(key=lambda p: counts[id(p)])  # those with 3 first: one move undone is enough
        surplus = len(three) - wanted
        for period in three:
            if surplus <= 0:
                break
            while _child_placements(period.child, start, end) >= 3 and _remove_move(
                period, start, end, horizon
            ):
                pass
            surplus -= _child_placements(period.child, start, end) < 3
    elif len(three) < wanted:
        fewer = [p for p in now if counts[id(p)] < 3]
        rng.shuffle(fewer)
        fewer.sort(key=lambda p: -counts[id(p)])  # those with 2 first: one more move is enough
        short = wanted - len(three)
        for period in fewer:
            if short <= 0:
                break
            while _child_placements(period.child, start, end) < 3 and _add_move(
                period, rng, start, end, world
            ):
                pass
            short -= _child_placements(period.child, start, end) >= 3


def _remove_move(period: CarePeriod, start: dt.date, end: dt.date, horizon: dt.date) -> bool:
    """The latest move to a new carer in the window undone: the child stayed where they were (`horizon`: the
    last day of the returns, where an episode still open ends)."""
    eps = period.episodes
    for k in range(len(eps) - 1, 0, -1):
        ep, before = eps[k], eps[k - 1]
        after = eps[k + 1] if k + 1 < len(eps) else None
        if not (start <= ep.decom <= end) or ep.rne not in ("P", "B"):
            continue
        if before.place in TEMPORARY or before.place in ADOPTIVE or ep.place in ADOPTIVE:
            continue
        if after is not None and after.rne not in ("P", "B"):
            continue  # a later episode keeps this carer: leave it
        if before.place in RETIRED_2025 and (ep.dec or horizon) > RECODE_2025:
            continue  # the earlier placement's code would then reach past its last day in the PLACE list
        if ep.rne == "B":  # the legal status still changed that day, in the same placement
            ep.rne, ep.reason_place_change = "L", ""
            ep.place, ep.provider, ep.carer = before.place, before.provider, before.carer
            ep.pl_post, ep.urn = before.pl_post, before.urn
        else:
            before.dec, before.rec = ep.dec, ep.rec
            del eps[k]
        return True
    return False


def _add_move(period: CarePeriod, rng: random.Random, start: dt.date, end: dt.date, world: World) -> bool:
    """A move to new foster carers (or another home) in the window, within an episode of it."""
    for k, ep in enumerate(period.episodes):
        first = max(ep.decom, start) + dt.timedelta(days=14)
        last = min(ep.dec or end, end) - dt.timedelta(days=14)
        if first > last or ep.place in TEMPORARY or ep.place in ADOPTIVE or ep.place == "P1":
            continue
        day = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
        new = CLAEpisode(
            day, "P", ep.ls, ep.cin, ep.place, ep.provider, _new_carer(world), ep.pl_post,
            ep.urn if not ep.urn else f"SC{rng.randint(100_000, 999_999)}",
        )  # fmt: skip
        new.dec, new.rec, new.reason_place_change = ep.dec, ep.rec, "CARPL"
        ep.dec, ep.rec = day, "X1"
        period.episodes.insert(k + 1, new)
        return True
    return False


def _new_carer(world: World) -> int:
    world.next_carer += 1
    return world.next_carer


def fit_missing(world: World, t: YearTargets, rng: random.Random, start: dt.date, end: dt.date) -> None:
    """Children looked after in the year who went missing (M) and who were away without authorisation (A): the
    published shares, by incidents within the year taken away or added."""
    during: dict[str, list[CarePeriod]] = {}
    for period in world.periods:
        if any(ep.decom <= end and (ep.dec is None or ep.dec >= start) for ep in period.episodes):
            during.setdefault(period.child.id, []).append(period)
    for kind, measure in (("M", "Children_missing"), ("A", "Children_Away")):
        share = t.lait_share(measure)
        if share is None:
            continue
        wanted = round(share * len(during))
        went = [c for c, ps in during.items() if _incident(ps, kind, start, end)]
        if len(went) > wanted:
            for child in _choose(rng, went, len(went) - wanted):
                for period in during[child]:
                    period.missing = [
                        m for m in period.missing if not (m[0] == kind and start <= m[1] and m[2] <= end)
                    ]
        else:
            spare = [c for c in during if c not in went]
            for child in _choose(rng, spare, wanted - len(went)):
                _add_incident(during[child][-1], kind, rng, start, end)


def _incident(periods: Iterable[CarePeriod], kind: str, start: dt.date, end: dt.date) -> bool:
    return any(k == kind and s <= end and e >= start for p in periods for k, s, e in p.missing)


def _add_incident(period: CarePeriod, kind: str, rng: random.Random, start: dt.date, end: dt.date) -> None:
    first, last = max(period.start, start), min(period.end, end) - dt.timedelta(days=3)
    if first > last:
        return
    day = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
    back = min(day + dt.timedelta(days=rng.choice((0, 1, 1, 2))), period.end, end)
    period.missing = sorted([*period.missing, (kind, day, back)], key=lambda m: m[1])


def fit_reasons(world: World, t: YearTargets, rng: random.Random, start: dt.date, end: dt.date) -> None:
    """Within each way of leaving care, the published split: home as part of the care plan or not (E4A/E4B),
    adopted with the application unopposed or not (E11/E12), and who the special guardian was (E45-E48)."""
    leaving = [p for p in world.periods if start <= p.end <= end and p.episodes and p.rec]
    ceased = len({p.child.id for p in leaving})
    home = [p for p in leaving if p.rec in ("E4A", "E4B")]
    plan_home = _target(t, None, "LAC_RetHome_CarePlan_%", ceased)
    if plan_home is not None:
        _split(rng, home, "E4A", "E4B", plan_home)
    adopted = [p for p in leaving if p.rec in ("E11", "E12")]
    unopposed = _target(t, "LACnum_Adopt_AppUnop", "LAC%_Adopt_AppUnop", len(adopted))
    if unopposed is not None:
        _split(rng, adopted, "E11", "E12", unopposed)
    guardians = [p for p in leaving if p.rec in ("E45", "E46", "E47", "E48")]
    counts = [
        _target(t, None, m, len(guardians))
        for m in ("LAC_SGO_FFC_Rel%", "LAC_SGO_FFC_Oth%", "LAC_SGO_Car_Rel%")
    ]
    if guardians and all(c is not None for c in counts):
        codes = ["E45"] * counts[0] + ["E46"] * counts[1] + ["E47"] * counts[2]  # type: ignore[operator]
        codes = (codes + ["E48"] * len(guardians))[: len(guardians)]
        rng.shuffle(codes)
        for period, code in zip(guardians, codes, strict=True):
            _set_reason(period, code)


def _split(rng: random.Random, periods: list[CarePeriod], yes: str, no: str, wanted: int) -> None:
    chosen = set(map(id, _choose(rng, periods, wanted)))
    for period in periods:
        _set_reason(period, yes if id(period) in chosen else no)


def _set_reason(period: CarePeriod, rec: str) -> None:
    period.rec = rec
    period.episodes[-1].rec = rec


# ---- care leavers ------------------------------------------------------------------------------------------


def fit_care_leavers(world: World, t: YearTargets, rng: random.Random, year: int) -> None:
    """The care leavers aged 19 to 21 of the year: as many as published (some more returned home for 6 months,
    RHOM), and their contact, activity and accommodation in the published shares; those aged 18 to 20 who left
    foster care on their 18th birthday staying put with their carers in the published share."""
    records = [r for r in world.care_leavers if r.start_year == year and r.final_rec != "E3"]
    eet_other = EET_OTHER if year >= APPRENTICESHIP_SPLIT else EET_OTHER_BEFORE_SPLIT
    cohort = [r for r in records if r.birthday_age >= 19 and r.in_touch not in ("DIED", "RHOM")]
    wanted = t.lait_count("NoCareLeavers")
    if wanted is not None and len(cohort) > wanted:
        for record in _choose(rng, cohort, len(cohort) - wanted):
            record.in_touch, record.activ, record.accom = "RHOM", "0", "0"
    elif wanted is not None:  # some who went home had not been home 6 months: still care leavers
        home = [r for r in records if r.birthday_age >= 19 and r.in_touch == "RHOM"]
        for record in _choose(rng, home, wanted - len(cohort)):
            record.in_touch, record.activ, record.accom = "YES", rng.choice(eet_other), rng.choice(SUITABLE)
    cohort = [r for r in records if r.birthday_age >= 19 and r.in_touch not in ("DIED", "RHOM")]
    n = len(cohort)
    if not n:
        return
    rng.shuffle(cohort)
    away = _target(t, None, "CareLeavers_LA_NotInTouch", n) or 0
    eet = _target(t, "CareLeaverEETNum", "CareLeaverEET", n)
    higher = _target(t, "LAC_19_HE_Num", "LAC_19_HE", n)
    neet = _target(t, None, "CareLeaversNEET", n)
    if eet is not None or neet is not None or away:
        eet = _generated(cohort, lambda r: r.activ[:1] in ("F", "P")) if eet is None else eet
        higher = min(eet, _generated(cohort, lambda r: r.activ in ("F1", "P1")) if higher is None else higher)
        neet = _generated(cohort, lambda r: r.activ in NEET) if neet is None else neet
        # More than the cohort between them (shares from other years stand in for suppressed ones): those not
        # published this year give way.
        excess = away + eet + neet - n
        if excess > 0 and "CareLeavers_LA_NotInTouch" not in t.lait_this_year:
            away, excess = max(0, away - excess), max(0, excess - away)
        if excess > 0 and "CareLeaversNEET" not in t.lait_this_year:
            neet, excess = max(0, neet - excess), max(0, excess - neet)
        if excess > 0 and "CareLeaverEET" in t.lait_this_year:
            # a cohort smaller than the one DfE counted (Rutland 2016-17 had 14 against 20): the count in education,
            # employment or training (15) gives way to the shares in it and not in it (70% and 30%)
            eet = max(0, eet - excess)
            higher = min(higher, eet)
        plan = (
            [("NO", "0")] * away
            + [("YES", rng.choice(("F1", "P1"))) for _ in range(higher)]
            + [("YES", rng.choice(eet_other)) for _ in range(max(0, eet - higher))]
            + [("YES", rng.choice(NEET)) for _ in range(neet)]
        )
        plan = (plan + [("REFU", "0")] * n)[:n]
        for record, (touch, activ) in zip(cohort, plan, strict=True):
            record.in_touch, record.activ = touch, activ
            if touch != "YES":
                record.accom = "0"
            elif record.accom == "0":
                record.accom = rng.choice(SUITABLE)
    _fit_staying_put(world, t, rng, year, records)
    _fit_suitable(t, rng, cohort)


def _generated(records: list[CareLeaverRecord], belongs: Callable[[CareLeaverRecord], bool]) -> int:
    return sum(1 for r in records if belongs(r))


def _fit_staying_put(
    world: World, t: YearTargets, rng: random.Random, year: int, records: list[CareLeaverRecord]
) -> None:
    share = t.lait_share("StayingPut")
    if share is None:
        return
    # The returns show how a child left care only where their last episode ended within them.
    first, _ = year_bounds(world.years[0])
    eligible = [
        r
        for r in records
        if r.birthday_age in (18, 19, 20)
        and r.in_touch not in ("DIED", "RHOM")
        and _left_foster_care_at_18(r)
        and birthday(r.child.dob, 18) >= first
    ]
    in_touch = [r for r in eligible if r.in_touch == "YES"]
    chosen = set(map(id, _choose(rng, in_touch, round(share * len(eligible)))))
    for record in eligible:
        if id(record) in chosen:
            record.accom = "Z1"
        elif record.accom.startswith("Z"):
            record.accom = rng.choice(("B1", "D1", "E1", "U1"))


def _left_foster_care_at_18(record: CareLeaverRecord) -> bool:
    child = record.child
    last = max((ep for p in child.periods for ep in p.episodes), key=lambda ep: ep.decom, default=None)
    return last is not None and last.dec == birthday(child.dob, 18) and last.place in FOSTER


def _fit_suitable(t: YearTargets, rng: random.Random, cohort: list[CareLeaverRecord]) -> None:
    share = t.lait_share("CareLeaverAcc")
    if share is None:
        return
    known = [r for r in cohort if r.accom[:1] not in ("G", "H", "R")]
    wanted = round(share * len(known))
    suitable = [r for r in known if r.accom.endswith("1")]
    if len(suitable) > wanted:
        movable = [r for r in suitable if not r.accom.startswith("Z")]
        for record in _choose(rng, movable, len(suitable) - wanted):
            record.accom = rng.choice(UNSUITABLE)
    else:
        movable = [r for r in known if r.in_touch == "YES" and not r.accom.endswith("1")]
        for record in _choose(rng, movable, wanted - len(suitable)):
            record.accom = rng.choice(SUITABLE[:4])


# ---- health -------------------------------------------------------------------------------------------------


def fit_health(world: World, t: YearTargets, rng: random.Random, year: int, end: dt.date) -> None:
    """The OC2 records of the year (children looked after for 12 months at 31 March), with their health
    assessments, immunisations, dental checks, substance misuse and convictions in the published shares, and
    their strengths and difficulties scores at the published mean."""
    rows = {}
    for period in world.periods:
        if period.start <= add_years(end, -1) and period.end > end:
            rows[period.child.id] = oc2_row(period.child, year, end, world.seed)
    cohort = list(rows)
    # OC2 columns: CHILD, DOB, SDQ_SCORE, SDQ_REASON, CONVICTED, HEALTH_CHECK, IMMUNISATIONS, TEETH_CHECK,
    # HEALTH_ASSESSMENT, SUBSTANCE_MISUSE, INTERVENTION_RECEIVED, INTERVENTION_OFFERED
    dob = {c.id: c.dob for c in world.children}
    for column, measure, among in (
        (8, "LACHealth%", cohort),
        (6, "LACVaccinations%", cohort),
        (7, "LACDental%", [c for c in cohort if rows[c][7] != ""]),  # none recorded under 1
        (9, "LACSubstance", [c for c in cohort if age_on(dob[c], end) >= 10]),
        (4, "LAC_Convictions", [c for c in cohort if age_on(dob[c], end) >= 10]),
    ):
        share = t.lait_share(measure)
        if share is None:
            continue
        base = among if measure == "LAC_Convictions" else cohort
        wanted = round(share * len(base))
        yes = set(_choose(rng, among, wanted))
        for child in among:
            rows[child][column] = "1" if child in yes else "0"
        if measure == "LACSubstance":
            for child in among:
                rows[child][10] = rows[child][11] = (
                    ("1" if rng.random() < 0.7 else "0") if child in yes else ""
                )
    _fit_sdq(rows, t.lait.get("Emotional_LAC"))
    for child, row in rows.items():
        world.oc2[(child, year)] = row


def _fit_sdq(rows: dict[str, list[str]], mean: float | None) -> None:
    scored = [row for row in rows.values() if row[2] != ""]
    if mean is None or not scored:
        return
    for _ in range(60):
        now = sum(int(r[2]) for r in scored) / len(scored)
        gap = mean - now
        if abs(gap) < 0.05:
            return
        step = 1 if gap > 0 else -1
        movable = [r for r in scored if 0 <= int(r[2]) + step <= 40]
        for row in movable[: max(1, round(abs(gap) * len(scored)))]:
            row[2] = str(int(row[2]) + step)


__all__ = ["fit_records"]
