"""31 March: the year's records fitted to the council's published figures before the next year begins.

The simulation lays out the year's events; at its end these fit what only a whole year's records decide, so
that the returns show the LA's published LAIT figures (synth/lait_check.py compares them):

- how children who leave care leave it: adoptions, special guardianship and child arrangements orders;
- child protection plans open at 31 March (all of them, those of 3 months or more, those of 2 years or more),
  plans ending after 2 years, and reviews held late;
- conferences by working days from the enquiry;
- which episodes of need stay open and when the others close: children in need at 31 March by how long they
  have been open, episodes closed in the year by how long they lasted, and referrals assessed as not in need.

Only what the year's own dates allow moves: a date in the year, or the end of something still open. What an
earlier year's returns showed never changes, and nothing moves that a later event depends on (a child referred
again, or in care, keeps the dates that made it possible).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..periods import add_months, add_years
from ..working_days import is_working_day, working_days_between
from .care import final_class
from .dates import ONE_DAY, add_working_days, age_on, birthday
from .lait_check import SMALL_COUNT
from .model import CarePeriod, CinEpisode, CPPlan, Section47
from .targets import ICPC_BANDS, YearTargets, allowed
from .write_cin import cp_reviews

if TYPE_CHECKING:
    from .journeys import Simulation

BANDS = (0, 1, 2, 3, 4)  # under 3 months, 3-6 months, 6 months-1 year, 1-2 years, 2 years or more
BAND_MONTHS = (3, 6, 12, 24)
OPEN_MEASURES = ("CINTime3months", "CINTime3-6", "CINTime6-1", "CINTime1-2", "CINTime2more")
CLOSED_MEASURES = ("CINCease3months", "CINCease3-6", "CINCease6-1", "CINCease1-2", "CINCease2more")
# Working days from a section 47 enquiry's start to its conference, by LAIT's bands (10_ICPC ... 21_ICPC).
ICPC_BAND_DAYS = {0: (3, 10), 1: (11, 15), 2: (16, 20), 3: (21, 32)}
TWO_YEARS = 729  # a plan lasting more than 729 days, counting its last, lasted 2 years (LAIT CPPlans2yrs)
FIXED_WAYS_OUT = ("age18", "transfer", "age_assessed", "remand_end", "custody")


def _shift(day: dt.date, months: int) -> dt.date:
    return add_years(day, months // 12) if months % 12 == 0 else add_months(day, months)


def open_band(referral: dt.date, end: dt.date) -> int:
    """How long an episode open on `end` has been open, as the catalogue's cin_open_* bands count it."""
    for band, months in enumerate(BAND_MONTHS):
        if referral > _shift(end, -months):
            return band
    return 4


def closed_band(referral: dt.date, closure: dt.date) -> int:
    """How long a closed episode lasted, as the catalogue's cin_closed_* bands count it."""
    for band, months in enumerate(BAND_MONTHS):
        if closure < _shift(referral, months):
            return band
    return 4


def _apportion(total: int, shares: list[float | None]) -> list[int] | None:
    """`total` split by the shares (largest remainders), or None where a share is not published."""
    if any(s is None for s in shares) or total <= 0:
        return None
    weights = [max(0.0, s or 0.0) for s in shares]
    whole = sum(weights)
    if whole <= 0:
        return None
    exact = [total * w / whole for w in weights]
    counts = [math.floor(x) for x in exact]
    for i in sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)[
        : total - sum(counts)
    ]:
        counts[i] += 1
    return counts


def fit_year(sim: Simulation, t: YearTargets, start: dt.date, end: dt.date) -> None:
    fit_ways_out(sim, t, start, end)
    fit_conferences(sim, t, start, end)
    fit_plans(sim, t, start, end)
    fit_reviews(sim, t, start, end)
    fit_need(sim, t, start, end)


# ---- leaving care --------------------------------------------------------------------------------------------


def _adoptable(period: CarePeriod, ends: dt.date, since: dt.date) -> bool:
    child = period.child
    return (
        period.route not in ("uasc", "remand", "police")
        and age_on(child.dob, period.start) < 8
        and (ends - period.start).days >= 300
        and period.start >= since  # adopted children's care began within the returns (A1 and A2 need it)
        and child.periods[-1] is period
    )


def _sgo_able(period: CarePeriod, ends: dt.date) -> bool:
    return (
        period.route not in ("uasc", "remand")
        and (ends - period.start).days >= 180
        and age_on(period.child.dob, ends) < 16
    )


def _cao_able(period: CarePeriod, ends: dt.date) -> bool:
    return (ends - period.start).days > 120 and age_on(period.child.dob, ends) < 16


def fit_ways_out(sim: Simulation, t: YearTargets, start: dt.date, end: dt.date) -> None:
    """Children leaving care in the year by adoption, special guardianship and child arrangements orders: as
    many as the LA published, taken from (or given back to) those going home. In the output years an adopted
    child's care began within them, so that the returns hold every adoption's whole period of care."""
    # From the third year of returns, an adopted child's care began within them (so A1 and A2 can be given).
    since = sim.history_from if start >= add_years(sim.history_from, 2) else dt.date.min
    able: dict[str, Callable[[CarePeriod, dt.date], bool]] = {
        "adoption": lambda p, ends: _adoptable(p, ends, since),
        "sgo": _sgo_able,
        "cao": _cao_able,
    }
    wanted = {
        "adoption": _count_or_share(t, "No_of LAC Adopted", "%_of LAC Adopted"),
        "sgo": _count_or_share(t, "LAC_ceased_SGO", "LAC_ceased_SGO%"),
        "cao": _count_or_share(t, None, "LAC_ceased_CAO%"),
    }
    for way_out, target in wanted.items():
        if target is None:
            continue
        leaving = _leaving(sim, start, end)
        have = [p for p in leaving if final_class(p) == way_out]
        fits = [p for p in have if able[way_out](p, p.end)]
        sim.rng.shuffle(fits)
        for period in [p for p in have if not able[way_out](p, p.end)] + fits[target:]:
            _set_way_out(sim, period, "home")
        donors = [p for p in leaving if final_class(p) not in wanted and able[way_out](p, p.end)]
        sim.rng.shuffle(donors)
        # keep later starts for later years
        donors.sort(key=lambda p: p.start < sim.history_from, reverse=True)
        short = max(0, target - len(fits))
        for period in donors[:short]:
            _set_way_out(sim, period, way_out)
        if short > len(donors):
            _swap_in(sim, way_out, able[way_out], leaving, short - len(donors), start, end)


def _leaving(sim: Simulation, start: dt.date, end: dt.date) -> list[CarePeriod]:
    """Each child's last period of care ending in the year, where how it ends could change."""
    last_exit: dict[str, CarePeriod] = {}
    for period in sim.periods:
        if start <= period.end <= end and period.end < birthday(period.child.dob, 18):
            held = last_exit.get(period.child.id)
            if held is None or held.end < period.end:
                last_exit[period.child.id] = period
    return [p for p in last_exit.values() if final_class(p) not in FIXED_WAYS_OUT]


def _swap_in(
    sim: Simulation,
    way_out: str,
    able: Callable[[CarePeriod, dt.date], bool],
    leaving: list[CarePeriod],
    n: int,
    start: dt.date,
    end: dt.date,
) -> None:
    """Not enough children leaving this year could leave that way: some still in care leave that way this year
    instead, and as many going home stay in care past 31 March, so that the numbers leaving and staying do not
    change."""
    rng = sim.rng
    home = [
        p for p in leaving if final_class(p) == "home" and birthday(p.child.dob, 18) > end and sim.is_last(p)
    ]
    staying = []
    for period in sim.periods:
        if (
            period.start <= end < period.end
            and sim.is_last(period)
            and period.end < birthday(period.child.dob, 18)
        ):
            earliest = max(start, period.start + dt.timedelta(days=300))
            if earliest <= end and able(period, earliest):
                staying.append((period, earliest))
    rng.shuffle(home)
    rng.shuffle(staying)
    staying.sort(key=lambda pair: pair[0].start < sim.history_from, reverse=True)
    for (period, earliest), goes_home in zip(staying[:n], home, strict=False):
        period.way_out = way_out
        sim.set_end(period, earliest + dt.timedelta(days=rng.randrange((end - earliest).days + 1)))
        later = end + dt.timedelta(days=rng.randint(20, 700))
        sim.set_end(goes_home, min(later, birthday(goes_home.child.dob, 18)))


def _count_or_share(t: YearTargets, count: str | None, share: str) -> int | None:
    return t.lait_number(count, share, t.cla_ceased)


def _set_way_out(sim: Simulation, period: CarePeriod, way_out: str) -> None:
    period.way_out = way_out
    sim.set_end(period, period.end)  # the episode of need closes with an order, later after going home


# ---- child protection plans ----------------------------------------------------------------------------------


def _two_years_by(plan: CPPlan, day: dt.date) -> bool:
    return (day - plan.start).days + 1 > TWO_YEARS


def _extendable(sim: Simulation, plan: CPPlan, end: dt.date) -> bool:
    episode = plan.episode
    return _movable(plan) and episode.plans[-1] is plan and birthday(episode.child.dob, 17) > end


def _reopen(sim: Simulation, plan: CPPlan, end: dt.date) -> None:
    plan.end = end + dt.timedelta(days=1 + int(sim.rng.expovariate(1 / 200)))
    episode = plan.episode
    episode.need_end = max(episode.need_end, plan.end + dt.timedelta(days=sim.tail_days()))
    sim.push(episode)


def _close(sim: Simulation, plan: CPPlan, earliest: dt.date, latest: dt.date) -> bool:
    if earliest > latest:
        return False
    plan.end = earliest + dt.timedelta(days=sim.rng.randrange((latest - earliest).days + 1))
    sim.push(plan.episode)
    return True


def fit_plans(sim: Simulation, t: YearTargets, start: dt.date, end: dt.date) -> None:
    """Plans open at 31 March: the published number, with the published numbers open 3 months or more and 2
    years or more, and the published number of plans ending in the year after 2 years."""
    plans = [p for p in sim.plans if p.end >= start and p.start <= end]
    _fit_two_year_plans(sim, t, [p for p in plans if _two_years_by(p, end)], start, end)
    old = sum(1 for p in plans if p.end > end and _two_years_by(p, end))
    younger = [p for p in plans if not _two_years_by(p, end)]
    three = t.lait_count("CPP_31March_3MnthorMore")
    if three is None:
        _fit_open_plans(sim, younger, t.cpp_at31 - old, start, end)
        return
    three_months = add_months(end, -3)
    _fit_open_plans(sim, [p for p in younger if p.start <= three_months], three - old, start, end)
    _fit_open_plans(sim, [p for p in younger if p.start > three_months], t.cpp_at31 - three, start, end)
    # Too few new plans to open for the published split: the number open comes first.
    now = sum(1 for p in plans if p.end > end)
    if now != t.cpp_at31:
        _fit_open_plans(sim, younger, t.cpp_at31 - old, start, end)


def _anniversary(plan: CPPlan) -> dt.date:
    """The first end date with which the plan lasted 2 years."""
    return plan.start + dt.timedelta(days=TWO_YEARS)


def _movable(plan: CPPlan) -> bool:
    episode = plan.episode
    return not plan.ended_by_care and episode.child.episodes[-1] is episode and not episode.periods


def _fit_two_year_plans(
    sim: Simulation, t: YearTargets, old: list[CPPlan], start: dt.date, end: dt.date
) -> None:
    """Plans that could have lasted 2 years by 31 March: so many open then (CPPlans2yrsActive), so many ended in
    the year after 2 years (CPRDuration), the rest ended in the year before their second anniversary."""
    rng = sim.rng
    open_target = _share_of(t, "CPPlans2yrsActive", t.cpp_at31)
    # the plans ending in the year once the number open at 31 March is fitted (fit_plans, after this)
    ending = sum(1 for p in sim.plans if p.end >= start and p.start <= end) - t.cpp_at31
    ended_target = t.lait_number("CPRDuration", "CPPlans2yrs", ending)
    rng.shuffle(old)

    def open_old() -> list[CPPlan]:
        return [p for p in old if p.end > end]

    def ended_old() -> list[CPPlan]:
        return [p for p in old if start <= p.end <= end and p.end >= _anniversary(p)]

    def ended_young() -> list[CPPlan]:  # ended in the year before their second anniversary, which fell in it
        return [p for p in old if start <= p.end <= end and p.end < _anniversary(p)]

    if open_target is not None:
        for plan in open_old()[open_target:]:  # end in the year: before the anniversary where it allows
            if _anniversary(plan) > start:
                _close(sim, plan, max(start, plan.start + ONE_DAY), _anniversary(plan) - ONE_DAY)
            else:
                _close(sim, plan, start, end)
        short = open_target - len(open_old())
        for plan in [p for p in ended_young() + ended_old() if _extendable(sim, p, end)][: max(0, short)]:
            _reopen(sim, plan, end)
    if ended_target is None:
        return
    surplus = len(ended_old()) - ended_target
    # Where the year's own figure is published, a plan already 2 years old when the year began (any end in it
    # counts) may stay open in place of one whose anniversary falls in the year, which ends before it instead;
    # a stand-in year's plans are left as they fell.
    swaps = bool({"CPRDuration", "CPPlans2yrs"} & t.lait_this_year)
    for plan in [p for p in ended_old() if _movable(p)]:
        if surplus <= 0:
            break
        if _anniversary(plan) > start:
            surplus -= _close(sim, plan, max(start, plan.start + ONE_DAY), _anniversary(plan) - ONE_DAY)
        elif _extendable(sim, plan, end):
            if open_target is not None and len(open_old()) >= open_target:
                swap = next((p for p in open_old() if _anniversary(p) > start and _movable(p)), None)
                if swap is None or not swaps:
                    continue
                _close(sim, swap, max(start, swap.start + ONE_DAY), _anniversary(swap) - ONE_DAY)
            _reopen(sim, plan, end)
            surplus -= 1
    for plan in [p for p in ended_young() if _movable(p)][: max(0, -surplus)]:
        surplus += _close(sim, plan, _anniversary(plan), end)


def _share_of(t: YearTargets, measure: str, total: int) -> int | None:
    share = t.lait_share(measure)
    return None if share is None else round(share * total)


def _fit_open_plans(sim: Simulation, plans: list[CPPlan], target: int, start: dt.date, end: dt.date) -> None:
    rng = sim.rng
    open_now = [p for p in plans if p.end > end]
    if len(open_now) > target:
        # a plan begun on 31 March cannot end by then: others close in its place
        closable = [p for p in open_now if max(p.start + ONE_DAY, start) <= end]
        rng.shuffle(closable)
        for plan in closable[: len(open_now) - max(0, target)]:
            _close(sim, plan, max(plan.start + ONE_DAY, start), end)
    elif len(open_now) < target:
        ended = [p for p in plans if p.end <= end and _extendable(sim, p, end)]
        ended.sort(key=lambda p: p.end, reverse=True)
        for plan in ended[: target - len(open_now)]:
            _reopen(sim, plan, end)


def fit_reviews(sim: Simulation, t: YearTargets, start: dt.date, end: dt.date) -> None:
    """As many children on a plan for 3 months or more as the LA published have had every review on time; the
    others had one late this year (a plan ending within the year after, where there is one, so that a late
    review does not weigh on later years too)."""
    three_months = add_months(end, -3)
    cohort = [p for p in sim.plans if p.start <= three_months and p.end > end]
    on_time = t.lait_number("CPP_Reviewed_InReqTimeScl", "RevCP", len(cohort))
    if on_time is None:
        return
    late = [p for p in cohort if _ever_late(p, cp_reviews(p), end)]
    wanted = len(cohort) - on_time - len(late)
    if wanted <= 0:
        return
    candidates = []
    for plan in cohort:
        if plan.late_review is not None:
            continue
        reviews = cp_reviews(plan)
        this_year = [i for i, day in enumerate(reviews) if start <= day <= end]
        if this_year:
            candidates.append((plan.end > add_years(end, 1), plan, this_year[-1]))
    sim.rng.shuffle(candidates)
    candidates.sort(key=lambda c: c[0])  # plans ending within a year first
    for _, plan, number in candidates:
        if wanted <= 0:
            break
        plan.late_review = (number, sim.rng.randint(3, 40))
        if _ever_late(plan, cp_reviews(plan), end):
            wanted -= 1
        else:  # held early for a due date after 31 March: it is late only then
            plan.late_review = None


def _ever_late(plan: CPPlan, reviews: list[dt.date], end: dt.date) -> bool:
    due = add_months(plan.start, 3)
    for review in (r for r in reviews if r <= end):
        if review > due:
            return True
        due = add_months(review, 6)
    return due < end


# ---- conferences ---------------------------------------------------------------------------------------------


def fit_conferences(sim: Simulation, t: YearTargets, start: dt.date, end: dt.date) -> None:
    """Conferences held in the year by working days from the enquiry, as LAIT counts them: while a band is short
    of its published count, a conference of the band furthest over its count (for its 2% or 1) is re-dated
    within the year into it, with the plan it started when nothing since depends on that date."""
    _fit_year_totals(sim, t, start, end)
    targets = [t.lait_count(m) for m in ICPC_BANDS]
    if any(c is None for c in targets):
        return
    held: dict[int, list] = {b: [] for b in ICPC_BAND_DAYS}
    for episode in sim.live:
        for s47 in episode.s47s:
            if s47.icpc is not None and start <= s47.icpc <= end and _movable_conference(episode, s47):
                held[_band(working_days_between(s47.start, s47.icpc))].append((episode, s47))
    have = Counter({b: len(v) for b, v in held.items()})
    for episode in sim.live:  # conferences that cannot move count too
        for s47 in episode.s47s:
            if s47.icpc is not None and start <= s47.icpc <= end and not _movable_conference(episode, s47):
                have[_band(working_days_between(s47.start, s47.icpc))] += 1
    rng = sim.rng
    for b in held:
        rng.shuffle(held[b])

    def over(b: int) -> float:  # how far over its published count a band is, in its tolerances (2% or 1)
        return (have[b] - targets[b]) / max(1.0, 0.02 * targets[b])  # type: ignore[operator]

    def share_off() -> bool:
        # a year the returns show, its share within 15 working days outside the checker's tolerance
        if start < sim.history_from:
            return False
        within, total = have[0] + have[1], sum(have.values())
        share = t.pct["icpc_15wd_pct"]
        one = 100 / total if within < SMALL_COUNT else 0.0
        return bool(total) and abs(100 * within / total - share) > max(allowed(share, count=False), one)

    for _ in range(sum(targets)):  # type: ignore[arg-type]
        receiver = min(ICPC_BAND_DAYS, key=over)
        donor = max((b for b in ICPC_BAND_DAYS if held[b]), key=over, default=None)
        if donor is None or donor == receiver:
            return
        # each band within its count (one child for a small one) may still leave the share within 15 working
        # days outside (Rutland 2016-17: 13, 24, 2, 2 published; 14, 24, 1, 2 held is 92.7% against 90.2 ±2.44)
        off = share_off()
        if not off and over(donor) <= 1 and over(receiver) >= -1:
            return
        step = 1 / max(1.0, 0.02 * targets[donor]) + 1 / max(1.0, 0.02 * targets[receiver])  # type: ignore[operator]
        if not off and over(donor) - over(receiver) <= step:  # a move would not bring them nearer
            return
        episode, s47 = held[donor].pop()
        low, high = ICPC_BAND_DAYS[receiver]
        day = add_working_days(s47.start, rng.randint(low, high))
        if day > end or any(p.start == s47.icpc and p.end <= day + ONE_DAY for p in episode.plans):
            continue
        for plan in episode.plans:
            if plan.start == s47.icpc:
                plan.start = day
        s47.icpc = s47.outcome = day
        sim.push(episode)
        have[donor] -= 1
        have[receiver] += 1


def _fit_year_totals(sim: Simulation, t: YearTargets, start: dt.date, end: dt.date) -> None:
    """More conferences (or plans starting) in the year than published, from enquiries begun late in the year:
    some conferences are held after 31 March instead, with the plans they start."""
    conferences = [
        (e, s47)
        for e in sim.live
        for s47 in e.s47s
        if s47.icpc is not None and start <= s47.icpc <= end and _movable_conference(e, s47)
    ]
    late = [(e, s47) for e, s47 in conferences if add_working_days(s47.start, ICPC_BAND_DAYS[3][1]) > end]
    sim.rng.shuffle(late)
    held = sum(1 for e in sim.live for s47 in e.s47s if s47.icpc is not None and start <= s47.icpc <= end)
    plans = sum(1 for p in sim.plans if start <= p.start <= end)
    for episode, s47 in late:
        starts = [p for p in episode.plans if p.start == s47.icpc]
        if not (held > t.icpc if not starts else plans > t.cpp_starts and held > t.icpc - 2):
            continue
        day = next(
            add_working_days(s47.start, n)
            for n in range(ICPC_BAND_DAYS[0][0], ICPC_BAND_DAYS[3][1] + 1)
            if add_working_days(s47.start, n) > end
        )
        if any(p.end <= day + ONE_DAY for p in starts):
            continue
        for plan in starts:
            plan.start = day
        s47.icpc = s47.outcome = day
        sim.push(episode)
        held -= 1
        plans -= len(starts)
    if start >= sim.history_from:
        _bring_forward(sim, t, start, end, held, plans)


def _bring_forward(
    sim: Simulation, t: YearTargets, start: dt.date, end: dt.date, held: int, plans: int
) -> None:
    """Fewer plans starting in the year than published, from the year's last referrals whose conference fell
    after 31 March: some enquiries began on the referral's day instead, with the conference as soon as the
    first band allows, by 31 March. Where those are not enough and the plans are fewer than 50 (where one plan
    moves their rate per 10,000 by more than its 2%), a referral of the year's last days has its conference one
    working day after the enquiry began (Rutland 2015-16: 45 plans of 46, 56.05 per 10,000 against 57.3
    ±1.15; referred on Saturday 26 March 2016, before Easter, three working days on is 1 April). Where the plans
    are met but the conferences are short by more than their tolerance (the year's referrals leaning to its end,
    Simulation._late_referrals: Rutland 2016-17, 39 of 41), conferences that started no plan are brought
    forward the same way."""
    for_plans = plans < t.cpp_starts
    if not for_plans and t.icpc - held <= allowed(t.icpc, count=True):
        return
    for soonest in (ICPC_BAND_DAYS[0][0], 1) if t.cpp_starts < SMALL_COUNT else (ICPC_BAND_DAYS[0][0],):
        after = [
            (e, s47)
            for e in sim.live
            if start <= e.referral <= end and not e.periods
            for s47 in e.s47s
            if s47.icpc is not None
            and s47.icpc > end
            and add_working_days(e.referral, soonest) <= end
            and any(p.start == s47.icpc for p in e.plans) == for_plans
            and _movable_conference(e, s47)
        ]
        sim.rng.shuffle(after)
        if not for_plans:  # the enquiries begun earliest first: they may take a band after 15 working days
            after.sort(key=lambda pair: pair[1].start)
        plans, held = _brought_forward(sim, t, after, start, end, held, plans, soonest, for_plans)
        if (plans >= t.cpp_starts if for_plans else held >= t.icpc) or held >= t.icpc + 2:
            return


def _brought_forward(
    sim: Simulation,
    t: YearTargets,
    after: list[tuple[CinEpisode, Section47]],
    start: dt.date,
    end: dt.date,
    held: int,
    plans: int,
    soonest: int,
    for_plans: bool = True,
) -> tuple[int, int]:
    """The conferences of `after` brought forward to `soonest` working days after their enquiry (or the referral)
    began, while plans (or, not `for_plans`, conferences) are short; the year's plans and conferences then. For
    conferences, one held after 15 working days (on the last working day by 31 March) where the year's share
    within 15 working days is over the published."""
    years = [s47 for e in sim.live for s47 in e.s47s if s47.icpc is not None and start <= s47.icpc <= end]
    within = sum(1 for s47 in years if working_days_between(s47.start, s47.icpc) <= 15)
    share = t.pct["icpc_15wd_pct"] / 100.0
    for episode, s47 in after:
        if (plans >= t.cpp_starts if for_plans else held >= t.icpc) or held >= t.icpc + 2:
            break
        begins = s47.start if add_working_days(s47.start, soonest) <= end else episode.referral
        day = add_working_days(begins, soonest)
        last = _last_working_day(end)
        if not for_plans and within / (held + 1) > share and working_days_between(s47.start, last) > 15:
            begins, day = s47.start, last
        within += working_days_between(begins, day) <= 15
        starts = [p for p in episode.plans if p.start == s47.icpc]
        for plan in starts:
            plan.start = day
        s47.start, s47.icpc, s47.outcome = begins, day, day
        sim.push(episode)
        held += 1
        plans += len(starts)
    return plans, held


def _last_working_day(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day -= ONE_DAY
    return day


def _band(days: int) -> int:
    return 0 if days <= 10 else 1 if days <= 15 else 2 if days <= 20 else 3


def _movable_conference(episode: CinEpisode, s47: Section47) -> bool:
    """Nothing since depends on the conference's date: no care in the episode, no plan ended by care."""
    return not episode.periods and not any(p.ended_by_care for p in episode.plans if p.start == s47.icpc)


# ---- episodes of need ------------------------------------------------------------------------------------------


def fit_need(sim: Simulation, t: YearTargets, start: dt.date, end: dt.date) -> None:
    """Which episodes of need stay open at 31 March and when the others close in the year.

    An episode is free when nothing keeps it open (no plan or care past 31 March) and its child has no later
    episode; a free episode may stay open, or close on any day from its last event to 31 March. Children in need
    at 31 March come to the published number, in the published shares by how long they have been open; those
    closing, in the published shares by how long they lasted; and the referrals closed after an assessment that
    found no need (RC8, on the day of the assessment), to the published share of the year's referrals. Those
    are not children in need (LAIT CIN_Refferals_NFA): they are in none of the bands."""
    _release_assessments(sim, t, start, end)
    episodes = [e for e in sim.live if e.referral <= end and e.closure() >= start and not e.nfa]
    fixed_open = Counter()
    fixed_closed = Counter()
    free: list[CinEpisode] = []
    for e in episodes:
        closure = e.closure()
        if e.kind == "short_break" or e.child.episodes[-1] is not e:
            if closure > end:
                fixed_open[open_band(e.referral, end)] += 1
            elif not _closed_at_assessment(e):
                fixed_closed[closed_band(e.referral, closure)] += 1
        elif e.lock() > end:
            fixed_open[open_band(e.referral, end)] += 1
        else:
            free.append(e)
    for e in free:
        assessment = e.assessment
        if assessment is not None and _assessed_on(e, end) and e.lock() == end and assessment.start < end:
            # authorised the day before instead, so that it may close by 31 March without saying "not in need"
            assessment.auth = end - ONE_DAY
            sim.push(e)
    sim.rng.shuffle(free)
    not_in_need = _fit_not_in_need(sim, t, free, start, end)
    closing_at_assessment = set(map(id, not_in_need))
    free = [e for e in free if id(e) not in closing_at_assessment]
    if start > sim.history_from and t.not_carried:  # the first written year has no return before it
        dropped = set(map(id, _not_carried(sim, t, free, start, end)))
        free = [e for e in free if id(e) not in dropped]
    total = sum(fixed_open.values()) + sum(fixed_closed.values()) + len(free)
    open_total = min(total - sum(fixed_closed.values()), max(sum(fixed_open.values()), t.cin_at31))
    if start >= sim.history_from:  # a year the returns show
        open_total = _within_young(t, open_total, fixed_open, free, end)
    open_targets = _free_open(
        _apportion(open_total, [t.lait_share(m) for m in OPEN_MEASURES]), fixed_open, open_total
    )
    closed_targets = _apportion(total - open_total, [t.lait_share(m) for m in CLOSED_MEASURES])
    limits = None
    if start >= sim.history_from and closed_targets is not None:
        limits = _closed_limits(t, closed_targets, total - open_total)
    plan = _assign(
        free, fixed_open, fixed_closed, open_targets, closed_targets, open_total, start, end, limits
    )
    for e, band in plan.items():
        _place(sim, e, band, start, end)


def _not_carried(
    sim: Simulation, t: YearTargets, free: list[CinEpisode], start: dt.date, end: dt.date
) -> list[CinEpisode]:
    """The episodes open at the year's start that its return no longer holds (B1: `t.not_carried`), as councils
    back-date closures or delete episodes after submitting. DfE counts them neither open nor closed in the year,
    and neither does the store (quality.mark_not_carried). Chosen from those that would close in the year anyway
    under 2 years old with nothing in the year hanging on them, so the year's closures keep their published
    shares: each closes on the year's first day, with no closure date in any return."""
    two_years_before = add_years(end, -2)
    candidates = [
        e
        for e in free
        if e.kind in ("referral", "stock")
        and two_years_before < e.referral < start
        and e.lock() < start
        and not e.periods
        and not e.plans
    ]
    chosen = candidates[: t.not_carried]  # `free` is shuffled
    for e in chosen:
        e.not_carried = start
        e.need_end = start
        sim.push(e)
    return chosen


def _release_assessments(sim: Simulation, t: YearTargets, start: dt.date, end: dt.date) -> None:
    """Fewer episodes open under 3 months at 31 March than assessments still going on would keep open: some of
    those assessments were authorised by 31 March instead (sooner, so still within 45 working days)."""
    share = t.lait_share(OPEN_MEASURES[0])
    if share is None:
        return
    recent = [e for e in sim.live if e.referral > _shift(end, -3) and e.referral <= end and not e.nfa]
    held = [e for e in recent if e.lock() > end]
    excess = len(held) - round(share * t.cin_at31)
    waiting = [
        e
        for e in held
        if e.kind == "referral"
        and not e.s47s
        and not e.plans
        and not e.periods
        and e.assessment is not None
        and e.assessment.start <= end
        and e.assessment.auth > end
    ]
    sim.rng.shuffle(waiting)
    for e in waiting[: max(0, excess)]:
        assessment = e.assessment
        assert assessment is not None
        assessment.auth = assessment.start + dt.timedelta(
            days=sim.rng.randrange((end - assessment.start).days + 1)
        )
        sim.push(e)


def _within_young(
    t: YearTargets, open_total: int, fixed_open: Counter, free: list[CinEpisode], end: dt.date
) -> int:
    """Fewer open at 31 March where too few episodes are young enough for the published share open under 3
    months: only those referred in the last 3 months can be, and they may be short of that share of the number
    open. The number open then falls, within the CIN rate's tolerance, until they are within the share's; the
    episodes no longer kept open close in the bands the closed shares give, not all under 3 months."""
    share = t.lait_share(OPEN_MEASURES[0])
    if share is None or not open_total:
        return open_total
    young = fixed_open[0] + sum(1 for e in free if open_band(e.referral, end) == 0)
    leeway = allowed(100 * share, count=False) / 100
    if young >= (share - leeway) * open_total:
        return open_total
    fewest = math.ceil(t.cin_at31 - 0.75 * allowed(t.cin_at31, count=True))
    wanted = math.floor(young / (share - leeway / 2))
    return max(sum(fixed_open.values()), min(open_total, max(wanted, fewest)))


def _closed_limits(t: YearTargets, targets: list[int], closed: int) -> list[int]:
    """How many may close in each band: its target and half its tolerance (of the published share) more."""
    shares = [t.lait_share(m) or 0.0 for m in CLOSED_MEASURES]
    return [
        n + math.floor(allowed(100 * s, count=False) / 200 * closed)
        for n, s in zip(targets, shares, strict=True)
    ]


def _free_open(targets: list[int] | None, fixed: Counter, total: int) -> list[int] | None:
    """The open targets by band, less what is held open anyway; where that overfills a band, the other bands
    give way so that the number open stays the published one."""
    if targets is None:
        return None
    free = [max(0, t - fixed[b]) for b, t in enumerate(targets)]
    excess = sum(free) - (total - sum(fixed.values()))
    while excess > 0 and any(free):
        band = max(BANDS, key=lambda b: free[b])
        free[band] -= 1
        excess -= 1
    return [free[b] + fixed[b] for b in BANDS]


def _fit_not_in_need(
    sim: Simulation, t: YearTargets, free: list[CinEpisode], start: dt.date, end: dt.date
) -> list[CinEpisode]:
    """Episodes of the year's referrals closed on the day an assessment found no need: the published share."""
    share = t.lait_share("Referrals_AssessedNotNeed")
    now = [
        e for e in sim.live if start <= e.referral <= end and _closed_at_assessment(e) and e.closure() <= end
    ]
    held = set(map(id, now))
    chosen = [e for e in free if id(e) in held]
    if share is None:
        return chosen
    target = round(share * t.referrals) - (len(now) - len(chosen))
    taken = set(map(id, chosen))
    eligible = [
        e
        for e in free
        if id(e) not in taken
        and start <= e.referral <= end
        and e.assessment is not None
        and e.assessment.auth <= end
        and not e.s47s
        and not e.plans
        and not e.periods
        and e.kind == "referral"
    ]
    kept = chosen[: max(0, target)]
    for e in eligible[: max(0, target - len(kept))]:
        e.need_end = e.assessment.auth  # type: ignore[union-attr]
        sim.push(e)
        kept.append(e)
    return kept


def _closed_at_assessment(e: CinEpisode) -> bool:
    return (
        e.assessment is not None
        and not e.plans
        and not e.periods
        and not e.nfa
        and e.closure() == e.assessment.auth
    )


def _options(e: CinEpisode, start: dt.date, end: dt.date) -> tuple[int, int, int]:
    """(shortest band it can close in this year, longest, its band if it stays open); (5, -1, ...) where it
    cannot close in the year at all (assessed on 31 March: closing then would say "not in need")."""
    earliest = max(e.lock(), start, e.referral)
    if _assessed_on(e, earliest):
        earliest += ONE_DAY  # closing on the assessment's day would say "not in need"
    if earliest > end:
        return len(BANDS), -1, open_band(e.referral, end)
    return (
        closed_band(e.referral, min(earliest, end)),
        closed_band(e.referral, end),
        open_band(e.referral, end),
    )


def _assessed_on(e: CinEpisode, day: dt.date) -> bool:
    return e.assessment is not None and e.assessment.auth == day and not e.plans and not e.periods


def _assign(
    free: list[CinEpisode],
    fixed_open: Counter,
    fixed_closed: Counter,
    open_targets: list[int] | None,
    closed_targets: list[int] | None,
    open_total: int,
    start: dt.date,
    end: dt.date,
    limits: list[int] | None = None,
) -> dict[CinEpisode, int | None]:
    """Each free episode: None to stay open, or the band to close in. Bands are filled longest first, each with
    the episodes that have the fewest other choices. An episode with no shorter band left closes in the band it
    has reached, or, where that band is at its limit (`limits`, by band), in the shortest longer band it can
    still close in that is not."""
    options = {e: _options(e, start, end) for e in free}
    out: dict[CinEpisode, int | None] = {}
    if open_targets is None or closed_targets is None:  # only the number open is published
        keep = open_total - sum(fixed_open.values())
        for e in free:
            out[e] = None if keep > 0 or options[e][1] < 0 else options[e][1]
            keep -= out[e] is None
        return out
    pool: list[CinEpisode] = []
    closing: Counter = Counter()  # free episodes closing, by band
    for band in reversed(BANDS):
        pool += [e for e in free if options[e][2] == band]
        need_open = open_targets[band] - fixed_open[band]
        openable = [e for e in pool if options[e][2] == band]
        openable.sort(key=lambda e: options[e][0], reverse=True)  # those with no other choice first
        for e in openable[: max(0, need_open)]:
            out[e] = None
            pool.remove(e)
        need_closed = closed_targets[band] - fixed_closed[band]
        closable = [e for e in pool if options[e][0] <= band <= options[e][1]]
        closable.sort(key=lambda e: options[e][0], reverse=True)
        for e in closable[: max(0, need_closed)]:
            out[e] = band
            closing[band] += 1
            pool.remove(e)
        stuck = [e for e in pool if options[e][0] >= band]  # no shorter band left for them
        for e in stuck:
            out[e] = band if options[e][1] >= band else None
            if limits is not None and out[e] is not None:
                out[e] = next(
                    (b for b in range(band, options[e][1] + 1) if fixed_closed[b] + closing[b] < limits[b]),
                    band,
                )
            if out[e] is not None:
                closing[out[e]] += 1
            pool.remove(e)
    for e in pool:
        out[e] = options[e][0]
    return out


def _place(sim: Simulation, e: CinEpisode, band: int | None, start: dt.date, end: dt.date) -> None:
    rng = sim.rng
    if band is None:
        if e.closure() <= end:
            e.need_end = end + dt.timedelta(days=1 + int(rng.lognormvariate(math.log(110), 0.8)))
            sim.push(e)
        return
    earliest = max(e.lock(), start, e.referral)
    if band > 0:
        earliest = max(earliest, _shift(e.referral, BAND_MONTHS[band - 1]))
    latest = end if band == 4 else min(end, _shift(e.referral, BAND_MONTHS[band]) - ONE_DAY)
    days = [earliest + dt.timedelta(days=i) for i in range((latest - earliest).days + 1)]
    days = [d for d in days if not _assessed_on(e, d)]
    if not days:
        return
    e.need_end = rng.choice(days)
    sim.push(e)


__all__ = ["closed_band", "fit_year", "open_band"]
