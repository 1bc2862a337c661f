"""The child model: referrals, assessments, enquiries, plans and care, simulated day by day through each year.

How a year is simulated (see `Simulation.simulate_year`):
1. The year's referrals (exactly the published number) and care entries (exactly the published starts) are
   laid out over the year. Most referrals are ordinary (re-referral or a new child; NFA, or an assessment
   that may find no need, open a CIN plan, or lead to a section 47, a conference and a CP plan). Some care
   entries come with their own referral (a newborn, an unaccompanied asylum-seeking child, a teenager
   accommodated under s20, police protection, remand); the rest take a child already open to the service,
   usually one on a CP plan.
2. Events are processed in date order, so a re-referral can only pick a child whose last episode has closed,
   and no child has two open episodes at once.
3. At 31 March the stocks are brought to the published figures by moving planned end dates: periods of care
   ending in the year (so that children ceasing lands on the published figure where the stock allows),
   CP plans open at 31 March, and CIN episodes open at 31 March. Only dates in the current year move, and only
   where no later event depends on them, so earlier years' stocks never change.
The detail of each period of care (903 episodes, moves, reviews, adoption, missing) is drawn afterwards by
`care.py`, once every period's start and end are fixed.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import random
from bisect import bisect_right
from collections import Counter

from ..periods import add_months, add_years
from .choice import Quota, Shares, Weighted
from .dates import ONE_DAY, add_working_days, age_on, birthday, year_bounds
from .model import Assessment, CarePeriod, Child, CinEpisode, CPPlan, Section47, ShortBreaks
from .targets import ICPC_BANDS, YearTargets, allowed
from .year_end import ICPC_BAND_DAYS, OPEN_MEASURES, fit_year

# The share of a year's episodes the published share open under 3 months may ask for before the referrals lean
# towards the year's end (Simulation._late_referrals).
LATE_SHARE_FROM = 0.32


def _recent_plans(t: YearTargets) -> int:
    """Plans to start in the last weeks of the year: those open at 31 March for under 3 months (the plans open
    less those open 3 months or more, where published), and a few more for those that end early."""
    three = t.lait_count("CPP_31March_3MnthorMore")
    if three is None:
        return round(t.cpp_starts / 4)
    return round(max(0, t.cpp_at31 - three) * 1.08)


def _icpc_band_targets(t: YearTargets) -> dict[int, int]:
    """The year's conferences by band: LAIT's counts, or else the published share within 15 working days split
    as England's were (a quarter of those within 10 working days; 60% of the rest within 20)."""
    counts = [t.lait_count(m) for m in ICPC_BANDS]
    if all(c is not None for c in counts):
        return dict(enumerate(counts))  # type: ignore[arg-type]
    within = round(t.icpc * t.pct["icpc_15wd_pct"] / 100.0)
    late = t.icpc - within
    return {
        0: round(within * 0.25),
        1: within - round(within * 0.25),
        2: round(late * 0.6),
        3: late - round(late * 0.6),
    }


REFERRAL_SOURCES = (
    ("6", 28), ("2A", 17), ("1A", 4), ("1B", 1), ("1C", 2), ("1D", 2), ("2B", 2), ("3A", 4), ("3B", 3),
    ("3C", 1), ("3D", 2), ("3E", 3), ("3F", 3), ("4", 3), ("5A", 3), ("5B", 4), ("5C", 3), ("5D", 5),
    ("7", 2), ("8", 5), ("9", 1), ("10", 2),
)  # fmt: skip
NEED_CODES = (("N1", 52), ("N2", 5), ("N3", 4), ("N4", 9), ("N5", 17), ("N6", 2), ("N7", 1), ("N8", 4),
              ("N9", 6))  # fmt: skip
FACTORS = (
    ("3A", 14), ("3B", 4), ("3C", 3), ("4A", 8), ("4B", 12), ("4C", 2), ("1B", 5), ("2B", 6), ("16A", 12),
    ("17A", 10), ("18C", 5), ("19C", 3), ("14A", 3), ("10A", 2), ("11A", 2), ("24A", 1), ("5B", 2), ("6B", 2),
    ("7A", 1), ("15A", 2), ("20", 4), ("21", 3), ("1A", 1), ("2A", 2), ("13A", 1), ("22A", 0.3), ("23A", 0.3),
)  # fmt: skip
CATEGORIES = (("NEG", 46), ("EMO", 36), ("PHY", 8), ("SAB", 4), ("MUL", 6))
DISABILITIES = ("MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT", "DDA")
# Age at referral (years; -1 = unborn), share.
REFERRAL_AGES = ((-1, 3), (0, 9), (1, 5), (2, 5), (3, 5), (4, 5), (5, 5), (6, 5), (7, 5), (8, 5), (9, 5),
                 (10, 5), (11, 5), (12, 5.5), (13, 6), (14, 6.5), (15, 6.5), (16, 5.5), (17, 3))  # fmt: skip
CP_AGES = ((-1, 3), (0, 10), (1, 6), (2, 6), (3, 6), (4, 6), (5, 5.5), (6, 5.5), (7, 5.5), (8, 5), (9, 5),
           (10, 5), (11, 5), (12, 5), (13, 5), (14, 4.5), (15, 4), (16, 2.5), (17, 0.5))  # fmt: skip
UASC_AGES = ((13, 3), (14, 9), (15, 24), (16, 44), (17, 20))
UASC_ETHNIC = (("OOTH", 35), ("AOTH", 30), ("BAFR", 20), ("BOTH", 10), ("MOTH", 5))
NTS_FROM = dt.date(2016, 7, 1)  # National Transfer Scheme: UASC transferred on to other LAs (REC E3)
# Code-list changes (sources/codelists/cin.yaml): a code is only used once every return it can appear in has it.
EARLY_HELP_SOURCE_FROM = dt.date(2021, 4, 1)  # ReferralSource 5D from 2021-22
FACTOR_CHANGES = (
    (dt.date(2020, 4, 1), {"18B": "18A", "18C": "18A", "19B": "19A", "19C": "19A"}),  # split in 2020-21
    (dt.date(2021, 4, 1), {"24A": "14A"}),  # child criminal exploitation from 2021-22
)

W_SOURCE = Weighted(REFERRAL_SOURCES)
W_NEED = Weighted(NEED_CODES)
W_FACTOR = Weighted(FACTORS)
W_CATEGORY = Weighted(CATEGORIES)
W_REF_AGE = Weighted(REFERRAL_AGES)
W_CP_AGE = Weighted(CP_AGES)
W_UASC_AGE = Weighted(UASC_AGES)
W_UASC_ETHNIC = Weighted(UASC_ETHNIC)


def _days(n: float) -> dt.timedelta:
    return dt.timedelta(days=int(n))


def _between(rng: random.Random, low: int, high: int) -> int:
    """randint without its overhead (called hundreds of thousands of times)."""
    return low + int(rng.random() * (high - low + 1))


def _one_of(rng: random.Random, options: tuple):
    return options[int(rng.random() * len(options))]


def _stock_age_weight(age: int) -> float:
    """Within an age group of the starting stock, older children are more of it: of children looked after aged
    10 to 15, about twice as many are 15 as are 10 (England's single years of age); other groups are level."""
    return 1.0 + 0.2 * (age - 10) if 10 <= age < 16 else 1.0


class Simulation:
    """Owns every child and episode; `run()` simulates the burn-in and output years in order."""

    def __init__(
        self,
        la_code: str,
        targets: dict[int, YearTargets],
        years: list[int],
        rng: random.Random,
        ethnic: tuple[list[str], list[float]],
        cla_ages: list[tuple[float, int, int]],
        area: str,
    ):
        self.la_code = la_code
        # by start year; also holds years[0] - 1, the stocks the simulation starts from
        self.targets = targets
        self.years = years  # every simulated year, burn-in first
        self.rng = rng
        self.ethnic_codes, self.ethnic_cum = ethnic
        self.cla_ages = cla_ages
        self.children: list[Child] = []
        self.episodes: list[CinEpisode] = []
        self.periods: list[CarePeriod] = []
        self.plans: list[CPPlan] = []
        self.short_breaks: list[ShortBreaks] = []
        self.live: list[CinEpisode] = []  # episodes that may still be open (pruned each year)
        # (closure ordinal, seq, episode): feeds the re-referral pool as episodes close
        self._heap: list[tuple[int, int, CinEpisode]] = []
        self._seq = 0
        self.pool: list[Child] = []  # children whose last episode has closed: re-referral candidates
        self.active_plans: list[CPPlan] = []
        self.active_episodes: list[CinEpisode] = []
        self._second_history = [0, 0]  # CP plans started so far / of which had an earlier plan in the model
        self._rereferrals = Quota(0, 0)
        self._within_45 = Quota(0, 0)
        self._direct_s47s = Quota(0, 0)
        self._icpc_bands: Shares[int] = Shares({})
        self._not_in_need_p = 0.3
        self._teen_stays = 0.4
        self.area = area  # postcode area letters for home addresses
        # The first day of the returns written: an adoption there began no earlier (year_end.fit_ways_out).
        self.history_from = dt.date.min
        # Years whose published durations leave too few places for episodes passing their second anniversary
        # (generate._two_years_within_reach): care's episodes are re-opened in them (_reopenings).
        self.reopen_in: frozenset[int] = frozenset()

    # ---- children -------------------------------------------------------------------------------------------

    def new_child(self, dob: dt.date, *, uasc: bool = False, sex: int | None = None) -> Child:
        rng = self.rng
        child_id = f"{self.la_code}{len(self.children) + 1:07d}"
        if sex is None:
            sex = 1 if rng.random() < (0.9 if uasc else 0.52) else 2
        if uasc:
            ethnicity = W_UASC_ETHNIC.pick(rng)
        else:
            ethnicity = self.ethnic_codes[bisect_right(self.ethnic_cum, rng.random() * self.ethnic_cum[-1])]
        child = Child(child_id, dob, sex, ethnicity)
        child.uasc = uasc
        if rng.random() < 0.07:
            child.disabilities = tuple(sorted(rng.sample(DISABILITIES, 1 + (rng.random() < 0.3))))
        child.home_post = f"{self.area}{_between(rng, 1, 12)} {_between(rng, 1, 9)}"
        if sex == 2:
            child.mother = int(rng.random() < 0.03)
            if child.mother:
                child.mc_dob = birthday(dob, 15) + _days(_between(rng, 0, 1000))
        self.children.append(child)
        return child

    def _dob_for_age(self, day: dt.date, age: int) -> dt.date:
        if age < 0:  # unborn: due in the next 1-5 months
            return day + _days(_between(self.rng, 20, 150))
        return day - _days(age * 365.25 + _between(self.rng, 2, 364))

    def _eligible_age(self, child: Child, day: dt.date, limit: int = 18) -> bool:
        return birthday(child.dob, limit) > day

    # ---- the re-referral pool ---------------------------------------------------------------------------------

    def push(self, episode: CinEpisode) -> None:
        """Every change to an episode ends here: refresh its closure and queue it for the re-referral pool."""
        self._seq += 1
        heapq.heappush(self._heap, (episode.refresh().toordinal(), self._seq, episode))

    def _release(self, day: dt.date) -> None:
        """Children whose last episode closed before `day` become re-referral candidates."""
        ordinal = day.toordinal()
        heap = self._heap
        while heap and heap[0][0] < ordinal:
            closed, _, episode = heapq.heappop(heap)
            child = episode.child
            if child.episodes[-1] is episode and episode.closure().toordinal() == closed:
                self.pool.append(child)

    def _pick_rereferral(self, day: dt.date) -> Child | None:
        rng, pool = self.rng, self.pool
        cutoff = add_years(day, -1)
        for _ in range(16):
            if not pool:
                return None
            i = rng.randrange(len(pool))
            child = pool[i]
            pool[i] = pool[-1]
            pool.pop()
            last = child.episodes[-1]
            in_care = child.periods and child.periods[-1].end >= day
            if (
                last.referral >= cutoff
                and last.closure() < day
                and self._eligible_age(child, day, 18)
                and not in_care
            ):
                return child
        return None

    # ---- durations --------------------------------------------------------------------------------------------

    def _assessment_days(self, within_45: float) -> int:
        rng = self.rng
        if self._within_45.want(rng):
            self._within_45.done()
            return 0 if rng.random() < 0.03 else int(rng.triangular(1, 45.99, 18))
        return int(rng.triangular(46, 110, 50))

    def _icpc_days(self) -> int:
        """Working days from the enquiry to the conference, in the band the year's published counts still need."""
        low, high = ICPC_BAND_DAYS[self._icpc_bands.pick(self.rng)]
        return _between(self.rng, low, high)

    def _cp_days(self) -> int:
        rng = self.rng
        r = rng.random()
        if r < 0.08:  # a plan is reviewed after 3 months: few end before
            return _between(rng, 40, 91)
        if r < 0.36:
            return _between(rng, 92, 182)
        if r < 0.72:
            return _between(rng, 183, 365)
        if r < 0.95:
            return _between(rng, 366, 730)
        return _between(rng, 731, 1100)

    def _cin_days(self) -> int:
        return min(1500, int(self.rng.lognormvariate(math.log(150), 0.85)) + 14)

    def tail_days(self) -> int:
        """How long an episode stays open after a plan ends (step-down to a CIN plan, or closing)."""
        rng = self.rng
        return 0 if rng.random() < 0.3 else _between(rng, 20, 240)

    # ---- episodes ---------------------------------------------------------------------------------------------

    def _new_episode(
        self, child: Child, referral: dt.date, kind: str, source: str | None = None
    ) -> CinEpisode:
        rng = self.rng
        need = "N2" if kind == "short_break" else W_NEED.pick(rng)
        if child.uasc:
            need = "N8"
        source = source or W_SOURCE.pick(rng)
        if source == "5D" and referral < EARLY_HELP_SOURCE_FROM:
            source = "5B"
        episode = CinEpisode(child, referral, source, need, kind)
        child.episodes.append(episode)
        self.episodes.append(episode)
        self.live.append(episode)
        return episode

    def _assess(self, episode: CinEpisode, within_45: float, delay: int | None = None) -> Assessment:
        rng = self.rng
        start = add_working_days(
            episode.referral, _one_of(rng, (0, 0, 0, 0, 1, 1, 2, 3)) if delay is None else delay
        )
        auth = add_working_days(start, self._assessment_days(within_45))
        n_factors = 1 + (rng.random() < 0.5) + (rng.random() < 0.2)
        factors = {W_FACTOR.pick(rng) for _ in range(n_factors)}
        if auth < FACTOR_CHANGES[0][0]:  # written from the census year of authorisation: use that year's list
            factors = {FACTOR_CHANGES[0][1].get(f, f) for f in factors}
        if auth < FACTOR_CHANGES[1][0]:
            factors = {FACTOR_CHANGES[1][1].get(f, f) for f in factors}
        factors = tuple(sorted(factors))
        episode.assessment = Assessment(start, auth, factors)
        return episode.assessment

    def _previous_plans(self, child: Child, target_pct: float) -> int:
        """NumberOfPreviousCPP: plans in the model before this one, plus (for a child new to CP) sometimes a plan
        from before the simulation, so that second plans sit near the LA's published share."""
        started, had_history = self._second_history
        if child.plans:
            self._second_history = [started + 1, had_history + 1]
            return child.prior_cpp + len(child.plans)
        if child.prior_cpp == 0 and self.rng.random() < self._prior_probability(target_pct):
            child.prior_cpp = 1 + (self.rng.random() < 0.15)
        self._second_history = [started + 1, had_history]
        return child.prior_cpp

    def _prior_probability(self, target_pct: float) -> float:
        started, had_history = self._second_history
        history_share = (had_history / started) if started > 30 else 0.08
        target = target_pct / 100.0
        return max(0.0, min(0.9, (target - history_share) / max(0.05, 1.0 - history_share)))

    def _start_plan(self, episode: CinEpisode, start: dt.date, days: int, target_pct: float) -> CPPlan:
        plan = CPPlan(episode, start, start + _days(days), W_CATEGORY.pick(self.rng), 0)
        plan.previous = self._previous_plans(episode.child, target_pct)
        if self.rng.random() < 0.12:
            plan.latest_category = W_CATEGORY.pick(self.rng)
        episode.plans.append(plan)
        episode.child.plans.append(plan)
        self.plans.append(plan)
        self.active_plans.append(plan)
        return plan

    def referral(self, day: dt.date, flags: str, t: YearTargets) -> None:
        """An ordinary referral: flags is a string of N (NFA), S (section 47), I (conference), C (CP plan),
        B (short breaks for a disabled child)."""
        rng = self.rng
        child = None
        if "B" not in flags and self._rereferrals.want(rng):
            child = self._pick_rereferral(day)
            if child is not None:
                self._rereferrals.done()
        if child is None:
            if "B" in flags:
                age = _between(rng, 4, 14)
            else:
                age = (W_CP_AGE if "S" in flags else W_REF_AGE).pick(rng)
            child = self.new_child(self._dob_for_age(day, age))
            if "B" in flags:
                child.disabilities = tuple(sorted(rng.sample(("LD", "AUT", "COMM", "MOB", "PC", "BEH"), 2)))
        episode = self._new_episode(child, day, "short_break" if "B" in flags else "referral")
        pct = t.pct
        if "N" in flags:
            episode.nfa = True
            episode.need = _one_of(rng, ("N9", "N9", "N0", episode.need))
            episode.need_end = day + _days(_one_of(rng, (0, 0, 0, 1, 2, 3)))
            self.push(episode)
            return
        assessment = self._assess(episode, pct["assess_45wd_pct"] / 100.0)
        if "B" in flags:
            episode.need_end = birthday(child.dob, 18)
            start = assessment.auth + _days(_between(rng, 14, 60))
            child.short_break = ShortBreaks(
                child, "V3" if rng.random() < 0.6 else "V4", start, episode.need_end
            )
            self.short_breaks.append(child.short_break)
            self.push(episode)
            return
        self.active_episodes.append(episode)
        if "S" in flags:
            s47_start = add_working_days(day, _one_of(rng, (0, 0, 1, 1, 2, 3, 5, 8)))
            if "I" in flags:
                icpc = add_working_days(s47_start, self._icpc_days())
                _, year_end = year_bounds(t.start_year)
                if icpc > year_end >= add_working_days(s47_start, ICPC_BAND_DAYS[0][0]):
                    # flagged for this year's conferences: held by 31 March, as soon as the band allows
                    icpc = max(
                        add_working_days(s47_start, n)
                        for n in range(ICPC_BAND_DAYS[0][0], ICPC_BAND_DAYS[3][1] + 1)
                        if add_working_days(s47_start, n) <= year_end
                    )
                episode.s47s.append(Section47(s47_start, icpc, icpc))
                if "C" in flags:
                    plan = self._start_plan(episode, icpc, self._cp_days(), pct["cpp_second_pct"])
                    episode.need_end = plan.end + _days(self.tail_days())
                else:
                    episode.need_end = max(icpc, assessment.auth) + _days(self._cin_days())
            else:
                outcome = add_working_days(s47_start, _between(rng, 4, 14))
                episode.s47s.append(Section47(s47_start, None, outcome))
                stays = rng.random() < 0.6
                episode.need_end = max(outcome, assessment.auth) + _days(self._cin_days() if stays else 0)
        elif rng.random() < self._not_in_need_p:
            episode.need_end = assessment.auth
        else:
            episode.need_end = assessment.auth + _days(self._cin_days())
        self.push(episode)

    # ---- care -------------------------------------------------------------------------------------------------

    def _route(self, t: YearTargets) -> str:
        rng = self.rng
        uasc_starts = min(0.9, t.uasc_share * 1.8)
        r = rng.random()
        if r < uasc_starts:
            return "uasc"
        r = (r - uasc_starts) / (1.0 - uasc_starts) if uasc_starts < 1 else 0.0
        for route, share in (("baby", 0.13), ("teen", t.teen_share), ("police", 0.06), ("remand", 0.02)):
            if r < share:
                return route
            r -= share
        return "episode"

    def plan_period(self, period: CarePeriod) -> None:
        """Decide how long a new period of care is meant to last; the way out is settled by `care.final_class`."""
        rng = self.rng
        child, start = period.child, period.start
        age = age_on(child.dob, start)
        b18 = birthday(child.dob, 18)
        route = period.route
        if route == "uasc":
            r = rng.random()
            if start >= NTS_FROM and r < 0.1:
                period.hint, days = "transfer", _between(rng, 5, 60)
            elif r < 0.13:
                period.hint, days = "age_assessed", _between(rng, 20, 200)
            else:
                period.hint, days = "long", (b18 - start).days
        elif route == "police":
            if rng.random() < 0.55:
                period.hint, days = "home", _between(rng, 1, 14)
            else:
                period.hint, days = "home", self._home_days()
        elif route == "remand":
            period.hint, days = "remand", _between(rng, 10, 120)
        else:
            period.hint = self._pick_hint(age, self._teen_stays)
            days = {
                "adoption": lambda: _between(rng, 420, 950),
                "sgo": lambda: _between(rng, 240, 1000),
                "home": self._home_days,
                "long": lambda: (b18 - start).days,
            }[period.hint]()
        self.set_end(period, min(start + _days(max(1, days)), b18))

    def _home_days(self) -> int:
        return max(3, min(2000, int(self.rng.lognormvariate(math.log(160), 1.0))))

    def _pick_hint(self, age: int, teen_stays: float) -> str:
        r = self.rng.random()
        if age < 5:
            options = (("adoption", 0.34), ("sgo", 0.2), ("home", 0.33), ("long", 0.13))
        elif age < 12:
            options = (("sgo", 0.14), ("home", 0.46), ("long", 0.4))
        else:
            options = (("home", 1.0 - teen_stays), ("long", teen_stays))
        for hint, share in options:
            if r < share:
                return hint
            r -= share
        return options[-1][0]

    def set_end(self, period: CarePeriod, end: dt.date) -> None:
        """Fix a period's end; the episode of need closes with it (or a little later, after a return home)."""
        from .care import closes_episode

        period.end = end
        episode = period.episode
        if episode.periods and episode.periods[-1] is period:
            episode.need_end = end if closes_episode(period) else end + _days(int(period.u * 997) % 120)
        self.push(episode)

    def start_care(self, episode: CinEpisode, day: dt.date, route: str) -> CarePeriod:
        rng = self.rng
        for plan in episode.plans:
            if plan.start <= day < plan.end:
                plan.end = day
                plan.ended_by_care = True
        period = CarePeriod(episode.child, episode, day, day, route, "", rng.random())
        episode.periods.append(period)
        episode.child.periods.append(period)
        self.periods.append(period)
        self.plan_period(period)
        return period

    def _entry_candidate(self, day: dt.date, year_start: dt.date) -> CinEpisode | None:
        """A child open to the service on `day` who can come into care: prefer children on a CP plan."""
        rng = self.rng
        for source in (
            (self.active_plans, self.active_episodes) if rng.random() < 0.62 else (self.active_episodes,)
        ):
            for _ in range(40):
                if not source:
                    break
                i = rng.randrange(len(source))
                item = source[i]
                episode = item.episode if isinstance(item, CPPlan) else item
                if isinstance(item, CPPlan):
                    expired = item.end <= day
                    current = item.start < day < item.end
                else:
                    expired = item.closure() <= day
                    current = item.referral < day
                if expired:
                    source[i] = source[-1]
                    source.pop()
                    continue
                if current and self._can_enter_care(episode, day, year_start):
                    return episode
        return None

    def _current_candidate(self, episode: CinEpisode, day: dt.date, year_start: dt.date) -> bool:
        return episode.referral < day < episode.closure() and self._can_enter_care(episode, day, year_start)

    def _can_enter_care(self, episode: CinEpisode, day: dt.date, year_start: dt.date) -> bool:
        child = episode.child
        if child.episodes[-1] is not episode or child.dob >= day or not self._eligible_age(child, day, 17):
            return False
        if child.periods and child.periods[-1].end >= year_start:
            return False  # one start per child per year, and never while in care
        if any(plan.start >= day for plan in episode.plans) or any(s.start > day for s in episode.s47s):
            return False
        if year_start.year in self.reopen_in and year_start < add_years(episode.referral, 2) < add_years(
            year_start, 1
        ):
            return False  # care would hold it past its second anniversary this year, where there is no room
        return child.short_break is None

    def direct_entry(self, day: dt.date, route: str, t: YearTargets, year_start: dt.date) -> None:
        """A child who comes into care with their own referral (counted among the year's referrals)."""
        rng = self.rng
        if route == "uasc":
            age = W_UASC_AGE.pick(rng)
            child = self.new_child(self._dob_for_age(day, age), uasc=True)
            referral, source = day, _one_of(rng, ("5C", "6", "8", "10"))
        elif route == "baby":
            child = self.new_child(day - _days(_between(rng, 0, 25)))
            referral, source = (
                max(year_start, child.dob - _days(_between(rng, 0, 60))),
                _one_of(rng, ("3B", "3F", "3D", "6")),
            )
            referral = min(referral, day)
        elif route == "teen":
            child = self.new_child(self._dob_for_age(day, _between(rng, 13, 16)))
            referral, source = (
                max(year_start, day - _days(_between(rng, 0, 14))),
                _one_of(rng, ("1C", "2A", "6", "1A")),
            )
        elif route == "remand":
            child = self.new_child(
                self._dob_for_age(day, _between(rng, 13, 16)), sex=1 if rng.random() < 0.9 else 2
            )
            referral, source = day, "7"
        else:  # police protection
            child = self.new_child(self._dob_for_age(day, _between(rng, 0, 15)))
            referral, source = day, "6"
        episode = self._new_episode(child, referral, "direct", source)
        self._assess(episode, t.pct["assess_45wd_pct"] / 100.0)
        if route in ("police", "baby") and self._direct_s47s.want(rng):
            self._direct_s47s.done()
            s47_start = max(referral, add_working_days(referral, _one_of(rng, (0, 1))))
            episode.s47s.append(Section47(s47_start, None, add_working_days(s47_start, _between(rng, 3, 10))))
        self.start_care(episode, day, route)

    # ---- a year -----------------------------------------------------------------------------------------------

    def _referral_day(self, start: dt.date, n_days: int, late: tuple[int, float] | None = None) -> dt.date:
        """A day of the year, evenly spread, or with `late` = (days, share) that share of them in the year's
        last days; the same draws either way."""
        rng = self.rng

        def day_of(u: float) -> dt.date:
            if late is None:
                return start + _days(u * n_days)
            days, share = late
            if u < 1.0 - share:
                return start + _days(u / (1.0 - share) * (n_days - days))
            return start + _days(n_days - days + (u - (1.0 - share)) / share * days)

        day = day_of(rng.random())
        if day.weekday() >= 5 and rng.random() < 0.85:
            day = day_of(rng.random())
        return day

    def _late_referrals(self, t: YearTargets, start: dt.date, end: dt.date) -> tuple[int, float] | None:
        """Where the published share of children in need open under 3 months at 31 March asks for more of the
        year's episodes than LATE_SHARE_FROM (the referrals less those ending in no further action or assessed
        as not in need), that share of the referrals comes in the last 3 months: only those can be open under
        3 months, and an evenly spread year leaves about a quarter there (Rutland 2016-17 asks 36.7%). Below it
        the episode fit meets the share from an even year (Hartlepool 2016-17, 29.9%, with fewer open within
        the CIN rate's tolerance: year_end._within_young). Only in the years the returns show, on the year's
        own published share."""
        measure = OPEN_MEASURES[0]
        if start < self.history_from or measure not in t.lait_this_year:
            return None
        episodes = t.referrals * (1.0 - t.pct["nfa_pct"] / 100.0 - t.pct["not_in_need_pct"] / 100.0)
        share = (t.lait_share(measure) or 0.0) * t.cin_at31 / max(1.0, episodes)
        if share <= LATE_SHARE_FROM:
            return None
        return (end - add_months(end, -3)).days, min(share, 1.0)

    def simulate_year(self, year: int) -> None:
        rng = self.rng
        t = self.targets[year]
        start, end = year_bounds(year)
        n_days = (end - start).days + 1
        entries = sorted((start + _days(rng.randrange(n_days)), self._route(t)) for _ in range(t.cla_starts))
        direct = [i for i, (_, route) in enumerate(entries) if route != "episode"]
        while len(direct) > t.referrals:  # a tiny LA with more starts than referrals: use open children
            i = direct.pop()
            entries[i] = (entries[i][0], "episode")
        reopen = self._reopenings(year, start, end)[: max(0, (t.referrals - len(direct)) // 4)]
        n_regular = t.referrals - len(direct) - len(reopen)
        # Police protection and newborns come into care with an enquiry about a third of the time: those are
        # among the year's published enquiries, and the ordinary referrals have the rest. The conferences need
        # enquiries of the ordinary referrals, so where the target leaves none over (Rutland 2015-16: 57 enquiries
        # for 57 conferences), these have none.
        urgent = sum(1 for _, route in entries if route in ("police", "baby"))
        self._direct_s47s = Quota(min(round(0.35 * urgent), max(0, t.s47 - t.icpc)), urgent)
        late = self._late_referrals(t, start, end)
        days = sorted(self._referral_day(start, n_days, late) for _ in range(n_regular))
        flags = self._referral_flags(days, t, start, end, t.s47 - self._direct_s47s.target)
        self._teen_stays = t.teen_stays
        ordinary = sum(1 for f in flags if "B" not in f)
        self._rereferrals = Quota(round(t.pct["rereferral_pct"] / 100.0 * t.referrals), ordinary)
        assessed = sum(1 for f in flags if "N" not in f) + len(direct) + len(reopen)
        self._within_45 = Quota(round(t.pct["assess_45wd_pct"] / 100.0 * assessed), assessed)
        self._icpc_bands = Shares(_icpc_band_targets(t))
        assessed = 1.0 - t.pct["nfa_pct"] / 100.0
        self._not_in_need_p = max(0.05, min(0.6, t.pct["not_in_need_pct"] / 100.0 / max(0.2, assessed)))
        events = [(day, 0, i) for i, day in enumerate(days)]
        for i, (day, route) in enumerate(entries):
            events.append((day, 1 if route != "episode" else 2, i))
        events += [(day, 3, i) for i, (day, _) in enumerate(reopen)]
        events.sort()
        skip_regular = 0  # referrals given up to entries that had to bring their own referral
        # plain referrals still to come (those that can be given up), so that the year's referrals stay as published
        plain_left = sum(1 for day, kind, i in events if kind == 0 and flags[i] in ("", "N"))
        for day, kind, i in events:
            self._release(day)
            if kind == 0:
                if flags[i] in ("", "N"):
                    plain_left -= 1
                if skip_regular and flags[i] in ("", "N"):  # a referral with an enquiry or a plan still comes
                    skip_regular -= 1
                    continue
                self.referral(day, flags[i], t)
            elif kind == 1:
                self.direct_entry(day, entries[i][1], t, start)
            elif kind == 3:
                self._reopen(reopen[i][1], day, t)
            else:
                episode = self._entry_candidate(day, start)
                if episode is None and skip_regular >= plain_left:  # no referral left to give up: look harder
                    episode = next(
                        (e for e in self.active_episodes if self._current_candidate(e, day, start)), None
                    )
                if episode is None:
                    self.direct_entry(day, "teen" if rng.random() < 0.5 else "police", t, start)
                    skip_regular += 1
                else:
                    self.start_care(episode, day, "episode")
        self._checkpoint(year, start, end)

    def _reopenings(self, year: int, start: dt.date, end: dt.date) -> list[tuple[dt.date, CinEpisode]]:
        """Episodes of need that care or short breaks would hold open past their second anniversary this year,
        in a year whose published durations leave no room for them (`reopen_in`). Councils close such an episode
        and open another (the case re-referred or stepped across to another team; the CIN census allows any
        number of episodes, never two at once): each is re-opened on a day after its first anniversary (not a
        re-referral within 12 months) and before its second, while the care or the short breaks go on. Each
        takes the place of one of the year's ordinary referrals, so that the year's referrals stay as published."""
        if year not in self.reopen_in:
            return []
        held = [(p.episode, p.start, p.end) for p in self.periods if p.episode.periods[-1] is p]
        held += [(b.child.episodes[-1], b.start, b.end) for b in self.short_breaks]
        out = []
        for episode, held_from, held_to in held:
            second = add_years(episode.referral, 2)
            if not (held_from < start <= held_to and start < second <= end):
                continue
            # care planned to end sooner may still be extended at 31 March (_adjust_care)
            first, last = max(start, add_years(episode.referral, 1) + ONE_DAY), min(second, held_to)
            if episode.child.episodes[-1] is episode and first < last:
                out.append((first + _days(self.rng.randrange((last - first).days)), episode))
        return out

    def _reopen(self, old: CinEpisode, day: dt.date, t: YearTargets) -> None:
        """`old` closes on `day` and a new episode, holding its care or short breaks from then on, opens; where
        that has changed since the year began (care ended, another episode opened, something else in the episode
        still open), an ordinary referral comes instead."""
        child = old.child
        period = old.periods[-1] if old.periods else None
        breaks = child.short_break if old.kind == "short_break" else None
        in_care = period is not None and period.start < day < period.end
        held = old.periods
        if in_care:
            old.periods = held[:-1]  # the care goes to the new episode: it no longer holds this one open
        going_on = in_care or (breaks is not None and breaks.start < day < breaks.end)
        if not (going_on and child.episodes[-1] is old and old.lock() < day):
            old.periods = held
            self.referral(day, "", t)
            return
        episode = self._new_episode(child, day, "short_break" if breaks and not in_care else "reopened")
        episode.need = old.need
        self._assess(episode, t.pct["assess_45wd_pct"] / 100.0)
        episode.need_end = old.need_end
        old.need_end = day
        self.push(old)
        if in_care:
            assert period is not None
            period.episode = episode
            episode.periods.append(period)
            self.set_end(period, period.end)
        else:
            self.push(episode)

    def _referral_flags(
        self, days: list[dt.date], t: YearTargets, year_start: dt.date, end: dt.date, enquiries: int
    ) -> list[str]:
        rng = self.rng
        n = len(days)
        # Exactly the published share of the year's referrals ends in no further action (none brought by a
        # child coming straight into care does).
        nfa = set(rng.sample(range(n), min(n, round(t.pct["nfa_pct"] / 100.0 * t.referrals))))
        flags = ["N" if i in nfa else "" for i in range(n)]
        assessed = [i for i, f in enumerate(flags) if not f]
        s47 = rng.sample(assessed, min(len(assessed), max(enquiries, t.icpc)))
        # Plans newer than 3 months at 31 March, as many as published: their referrals come some weeks before.
        recent = _recent_plans(t)
        late_from, late_to = add_months(end, -3) - _days(14), end - _days(21)
        late = [i for i in s47 if late_from <= days[i] <= late_to][:recent]
        if len(late) < recent:
            # Few enquiries drawn late (Rutland 2015-16: 57 of 198 referrals): late referrals' enquiries take the
            # place of others, so that the plans open under 3 months at 31 March can start late enough.
            drawn, early = set(s47), set(late)
            others = [i for i in s47 if i not in early]
            extra = [i for i in assessed if i not in drawn and late_from <= days[i] <= late_to]
            extra = extra[: min(recent - len(late), len(others))]
            late += extra
            s47 = late + others[: len(others) - len(extra)]
        chosen = set(late)
        plans = late + [i for i in s47 if i not in chosen][: max(0, t.cpp_starts - len(late))]
        chosen.update(plans)
        icpc = plans + [i for i in s47 if i not in chosen][: max(0, t.icpc - len(plans))]
        chosen.update(icpc)
        s47 = icpc + [i for i in s47 if i not in chosen]
        for group, mark in ((s47, "S"), (icpc, "I"), (plans, "C")):
            for i in group:
                flags[i] += mark
        active_breaks = sum(1 for b in self.short_breaks if b.start <= year_start < b.end)
        wanted = max(0, t.short_breaks - active_breaks) + (1 if t.short_breaks and rng.random() < 0.5 else 0)
        others = [i for i in assessed if not flags[i]]
        for i in rng.sample(others, min(len(others), wanted, max(0, n // 20))):
            flags[i] = "B"
        return flags

    # ---- 31 March: bring the stocks to the published figures ----------------------------------------------------

    def _checkpoint(self, year: int, start: dt.date, end: dt.date) -> None:
        t = self.targets[year]
        self._adjust_care(t, start, end)
        fit_year(self, t, start, end)
        self.live = [e for e in self.live if e.closure() > end]

    def is_last(self, period: CarePeriod) -> bool:
        child = period.child
        return child.periods[-1] is period and child.episodes[-1] is period.episode

    def _adjust_care(self, t: YearTargets, start: dt.date, end: dt.date) -> None:
        rng = self.rng
        before = start - ONE_DAY
        open_before = sum(1 for p in self.periods if p.start <= before < p.end)
        started = sum(1 for p in self.periods if start <= p.start <= end)
        ending = [p for p in self.periods if start <= p.end <= end]
        forced = [p for p in ending if p.end >= birthday(p.child.dob, 18)]
        # Children ceasing as published (each once: a second ending in the year is one child more to end), while
        # those looked after at 31 March stay within 2% of theirs.
        twice = len(ending) - len({p.child.id for p in ending})
        low = open_before + started - round(t.cla_at31 * 1.015)
        high = open_before + started - round(t.cla_at31 * 0.985)
        wanted = max(len(forced), min(max(t.cla_ceased + twice, low), high))
        if len(ending) > wanted:
            movable = [p for p in ending if birthday(p.child.dob, 18) > end and self.is_last(p)]
            rng.shuffle(movable)
            for period in movable[: len(ending) - wanted]:
                later = end + _days(_between(rng, 20, 700))
                self.set_end(period, min(later, birthday(period.child.dob, 18)))
        elif len(ending) < wanted:
            pullable = sorted(
                (p for p in self.periods if p.start < end < p.end and self.is_last(p)), key=lambda p: p.end
            )
            for period in pullable[: wanted - len(ending)]:
                earliest = max(period.start + ONE_DAY, start)
                self.set_end(period, earliest + _days(rng.randrange((end - earliest).days + 1)))

    # ---- the starting point -----------------------------------------------------------------------------------

    def init_stocks(self, first_year: int) -> None:
        """Children open to the service on 31 March before the first simulated year, with backdated histories."""
        rng = self.rng
        t = self.targets[first_year - 1]
        self._teen_stays = t.teen_stays
        t0 = dt.date(first_year, 4, 1)
        eve = t0 - ONE_DAY
        for _ in range(t.cla_at31):
            self._stock_care(t, t0)
        self._stock_care_leavers(first_year, t0)
        for _ in range(t.cpp_at31):
            self._stock_plan(t, t0)
        for _ in range(min(t.short_breaks, max(0, t.cin_at31 - t.cla_at31 - t.cpp_at31))):
            self._stock_short_breaks(t0)
        open_now = sum(1 for e in self.episodes if e.closure() > eve)
        for _ in range(max(0, t.cin_at31 - open_now)):
            age = max(0, W_REF_AGE.pick(rng))
            child = self.new_child(self._dob_for_age(t0, age))
            referral = max(child.dob, t0 - _days(self._open_for(t)))
            episode = self._new_episode(child, referral, "stock")
            episode.assessment = Assessment(referral, referral + _days(_between(rng, 5, 40)), ("21",))
            episode.assessment.auth = min(episode.assessment.auth, eve)
            episode.need_end = t0 + _days(rng.expovariate(1 / 250))
            self.active_episodes.append(episode)
            self.push(episode)

    def _open_for(self, t: YearTargets) -> int:
        """Days an episode open at the start has been open: by the published shares of children in need by
        duration where there are any (up to 5 years for 2 years or more), else mostly under a year."""
        rng = self.rng
        shares = [
            t.lait_share(m)
            for m in ("CINTime3months", "CINTime3-6", "CINTime6-1", "CINTime1-2", "CINTime2more")
        ]
        if any(s is None for s in shares):
            return 1 + int(min(1500, rng.expovariate(1 / 300)))
        band = Weighted(enumerate(shares)).pick(rng)  # type: ignore[arg-type]
        low, high = ((1, 91), (92, 182), (183, 365), (366, 730), (731, 1825))[band]
        return _between(rng, low, high)

    def _stock_age(self) -> int:
        r = self.rng.random()
        for cumulative, low, high in self.cla_ages:
            if r <= cumulative:
                ages = range(low, high)
                return self.rng.choices(ages, [_stock_age_weight(a) for a in ages])[0]
        return 17

    def _stock_care_leavers(self, first_year: int, t0: dt.date) -> None:
        """Young people who had left care at 16 or 17 before the first simulated year and are 19 to 21 in the
        first output years: the simulation never saw them in care, but the returns' care leavers include them.
        For each year of age, as many as the first output year's published cohort (a third of it for each age)
        needs beyond the starting stock of that age, who leave at 18 (half as many for those aged 16, who may
        still come into care later), with a twentieth more for those who die or go home: the year's fit takes
        off any surplus (synth/fit.py)."""
        if self.history_from == dt.date.min:
            return
        burn_in = self.history_from.year - first_year
        out = self.targets.get(self.history_from.year)
        if out is None or not out.care_leavers_19_21:
            return
        per_age = out.care_leavers_19_21 / 3 * 1.05
        in_care = Counter(age_on(c.dob, t0) for c in self.children if c.periods)
        for age in range(16, 21 - burn_in):
            missing = per_age - in_care[age]
            for _ in range(round(max(0.0, missing) * (0.5 if age == 16 else 1.0))):
                self._left_care(self.new_child(self._dob_for_age(t0, age)), t0)

    def _left_care(self, child: Child, before: dt.date) -> None:
        """Care from after the child's 14th birthday to a day from their 16th, before `before` and their 18th."""
        rng = self.rng
        b16, b14 = birthday(child.dob, 16), birthday(child.dob, 14)
        latest = min(before - ONE_DAY, birthday(child.dob, 18) - ONE_DAY)
        end = b16 + _days(rng.random() * max(1, (latest - b16).days))
        start = b14 + _days(rng.random() * max(1, (end - b14).days - 120))
        episode = self._new_episode(child, start - _days(_between(rng, 0, 30)), "stock")
        episode.assessment = Assessment(
            episode.referral, episode.referral + _days(_between(rng, 5, 25)), ("21",)
        )
        period = CarePeriod(child, episode, start, end, "stock", "long", rng.random())
        period.way_out = "independent"
        episode.periods.append(period)
        child.periods.append(period)
        self.periods.append(period)
        episode.need_end = end
        self.push(episode)

    def _leavers_before_returns(self) -> None:
        """Where an output year's former relevant care leavers aged 19 to 21 (those who went home too: the fit
        may count them) fall short of the published cohort by more than its tolerance, the simulation's
        teenagers in care being too few (Rutland 2016-17: 14 against 20, its teenagers already staying until 18
        at or near the most `targets.teen_stays` allows), young people who left care at 16 or 17 before the first return
        and are 19 that year make up the shortfall, with a twentieth more for those who die or go home (the fit
        takes off any surplus). The returns show only their care leaver's records: their care and episode of
        need ended before the first year written."""
        from .care import former_relevant

        if self.history_from == dt.date.min:
            return
        for year in (y for y in self.years if y >= self.history_from.year):
            wanted = self.targets[year].care_leavers_19_21
            first, last = year_bounds(year)
            cohort = 0
            for child in self.children:
                if former_relevant(child) is None:
                    continue
                cohort += any(first <= birthday(child.dob, age) <= last for age in (19, 20, 21))
            if not wanted or cohort >= wanted - allowed(wanted, count=True):
                continue
            for _ in range(round((wanted - cohort) * 1.05)):
                dob = add_years(first + _days(_between(self.rng, 0, (last - first).days)), -19)
                if birthday(dob, 16) >= self.history_from - ONE_DAY:
                    continue  # too young to have left care before the returns
                child = self.new_child(dob)
                self._left_care(child, self.history_from)
                child.episodes[-1].closed = child.episodes[-1].closure()

    def _stock_care(self, t: YearTargets, t0: dt.date) -> None:
        rng = self.rng
        uasc = rng.random() < t.uasc_share
        age = _between(rng, 15, 17) if uasc else self._stock_age()
        child = self.new_child(self._dob_for_age(t0, age), uasc=uasc)
        lived = (t0 - child.dob).days
        elapsed = (
            _between(rng, 1, max(1, min(lived - 1, 700)))
            if uasc
            else min(lived - 1, int(rng.expovariate(1 / 900)))
        )
        start = t0 - _days(max(1, elapsed))
        referral = max(start - _days(_between(rng, 0, 90)), child.dob - _days(90))
        episode = self._new_episode(child, min(referral, start), "stock")
        episode.assessment = Assessment(
            episode.referral, episode.referral + _days(_between(rng, 5, 40)), ("21",)
        )
        child.prior_cpp = 1 if rng.random() < 0.5 else 0
        period = CarePeriod(child, episode, start, start, "uasc" if uasc else "stock", "", rng.random())
        episode.periods.append(period)
        child.periods.append(period)
        self.periods.append(period)
        self.plan_period(period)
        if period.end < t0:
            self.set_end(period, min(birthday(child.dob, 18), t0 + _days(_between(rng, 1, 500))))

    def _stock_plan(self, t: YearTargets, t0: dt.date) -> None:
        rng = self.rng
        age = max(-1, W_CP_AGE.pick(rng))
        child = self.new_child(self._dob_for_age(t0, age))
        start = t0 - _days(1 + min(900, rng.expovariate(1 / 200)))
        referral = start - _days(_between(rng, 14, 60))
        episode = self._new_episode(child, referral, "stock")
        episode.assessment = Assessment(referral, referral + _days(_between(rng, 10, 40)), ("16A", "17A"))
        s47_start = referral + _days(_between(rng, 0, 5))
        episode.s47s.append(Section47(s47_start, start, start))
        plan = self._start_plan(episode, start, 1, t.pct["cpp_second_pct"])
        plan.end = t0 + _days(1 + rng.expovariate(1 / 200))
        episode.need_end = plan.end + _days(self.tail_days())
        self.active_episodes.append(episode)
        self.push(episode)

    def _stock_short_breaks(self, t0: dt.date) -> None:
        rng = self.rng
        child = self.new_child(self._dob_for_age(t0, _between(rng, 5, 15)))
        child.disabilities = tuple(sorted(rng.sample(("LD", "AUT", "COMM", "MOB", "PC", "BEH"), 2)))
        referral = max(child.dob + _days(365), t0 - _days(_between(rng, 300, 2500)))
        episode = self._new_episode(child, referral, "short_break")
        episode.assessment = Assessment(referral, referral + _days(_between(rng, 10, 40)), ("6A",))
        episode.need_end = birthday(child.dob, 18)
        start = max(episode.assessment.auth + _days(30), t0 - _days(_between(rng, 0, 700)))
        child.short_break = ShortBreaks(child, "V3" if rng.random() < 0.6 else "V4", start, episode.need_end)
        self.short_breaks.append(child.short_break)
        self.push(episode)

    def run(self) -> None:
        self.init_stocks(self.years[0])
        for year in self.years:
            self.simulate_year(year)
        self._leavers_before_returns()
        for episode in self.episodes:
            episode.closed = episode.closure()


__all__ = ["Simulation"]
