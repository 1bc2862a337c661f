"""The synthetic council's records: children, their episodes of need and their periods of care.

Dates are full, uncensored dates (a period planned to end after the last return has a real end date); the
writers censor at each return's reference date. `FAR` marks "does not end within anything we simulate".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

FAR = dt.date(2199, 12, 31)


class Child:
    __slots__ = (
        "disabilities",
        "dob",
        "episodes",
        "ethnicity",
        "home_post",
        "id",
        "mc_dob",
        "mother",
        "periods",
        "plans",
        "prior_cpp",
        "sex",
        "short_break",
        "uasc",
        "upn",
    )

    def __init__(self, child_id: str, dob: dt.date, sex: int, ethnicity: str):
        self.id = child_id
        self.dob = dob
        self.sex = sex  # 1 male, 2 female
        self.ethnicity = ethnicity
        self.disabilities: tuple[str, ...] = ("NONE",)
        self.upn = ""  # the UPN once the child has one (identifiers.upn_or_unknown)
        self.home_post = ""
        self.mother: int | None = None
        self.mc_dob: dt.date | None = None
        self.episodes: list[CinEpisode] = []
        self.periods: list[CarePeriod] = []
        self.plans: list[CPPlan] = []  # every CP plan, in start order
        self.prior_cpp = 0  # CP plans before the simulation began (in this LA, so they count as previous)
        self.uasc = False
        self.short_break: ShortBreaks | None = None


class Assessment:
    __slots__ = ("auth", "factors", "start")

    def __init__(self, start: dt.date, auth: dt.date, factors: tuple[str, ...]):
        self.start = start
        self.auth = auth
        self.factors = factors


class Section47:
    __slots__ = ("icpc", "not_required", "outcome", "start")

    def __init__(self, start: dt.date, icpc: dt.date | None, outcome: dt.date):
        self.start = start
        self.icpc = icpc  # date of the initial child protection conference, if one was held
        self.not_required = icpc is None
        # when the outcome was known: the ICPC, or the decision not to hold one
        self.outcome = outcome


class CPPlan:
    __slots__ = (
        "end",
        "ended_by_care",
        "episode",
        "initial_category",
        "late_review",
        "latest_category",
        "previous",
        "start",
    )

    def __init__(self, episode: CinEpisode, start: dt.date, end: dt.date, category: str, previous: int):
        self.episode = episode
        self.start = start
        self.end = end
        self.initial_category = category
        self.latest_category = category
        self.previous = previous  # NumberOfPreviousCPP
        self.ended_by_care = False
        self.late_review: tuple[int, int] | None = None  # (review number, days late): write_cin.cp_reviews


class CinEpisode:
    """One referral and the episode of need it opens. Its closure is the latest of its own planned end and
    the ends of everything inside it (assessment, enquiries, plans, periods of care)."""

    __slots__ = (
        "assessment",
        "cached",
        "child",
        "closed",
        "kind",
        "need",
        "need_end",
        "nfa",
        "not_carried",
        "periods",
        "plans",
        "referral",
        "s47s",
        "source",
    )

    def __init__(self, child: Child, referral: dt.date, source: str, need: str, kind: str):
        self.child = child
        self.referral = referral
        self.source = source
        self.need = need
        # "referral", "direct" (straight into care), "stock" (open when the simulation began), "short_break",
        # "reopened" (a child in care's next episode: Simulation._reopen)
        self.kind = kind
        self.nfa = False
        self.need_end = referral
        self.assessment: Assessment | None = None
        self.s47s: list[Section47] = []
        self.plans: list[CPPlan] = []
        self.periods: list[CarePeriod] = []
        self.closed: dt.date | None = None  # frozen closure, set once the simulation is finished
        self.cached: dt.date | None = None  # closure as of the last `refresh()`
        # the 1 April of the return that no longer holds it (it closes that day, without a closure date, as
        # the store counts it: quality.mark_not_carried); None when every return carries it
        self.not_carried: dt.date | None = None

    def lock(self) -> dt.date:
        """The earliest the episode could close: the end of the last thing inside it."""
        last = self.referral
        assessment = self.assessment
        if assessment is not None and assessment.auth > last:
            last = assessment.auth
        if self.s47s:
            for s47 in self.s47s:
                if s47.outcome > last:
                    last = s47.outcome
        if self.plans:
            for plan in self.plans:
                if plan.end > last:
                    last = plan.end
        if self.periods:
            for period in self.periods:
                if period.end > last:
                    last = period.end
        return last

    def refresh(self) -> dt.date:
        """Recompute the closure after anything in the episode changed (the simulation calls this)."""
        lock = self.lock()
        self.cached = self.need_end if self.need_end > lock else lock
        return self.cached

    def closure(self) -> dt.date:
        if self.closed is not None:
            return self.closed
        if self.cached is not None:
            return self.cached
        return self.refresh()


@dataclass
class CLAEpisode:
    """One SSDA903 episode row."""

    decom: dt.date
    rne: str
    ls: str
    cin: str
    place: str
    provider: str
    carer: int  # internal: the carer, so that moves can say whether the carer changed
    pl_post: str
    urn: str
    dec: dt.date | None = None
    rec: str = ""
    reason_place_change: str = ""


@dataclass
class Adoption:
    decision: dt.date  # AD1 DATE_INT and PlacedAdoption DATE_PLACED
    match: dt.date | None
    foster_care: int
    nb_adoptr: str
    sex_adoptr: str
    ls_adoptr: str
    ceased: dt.date | None = None  # decision reversed (PlacedAdoption DATE_PLACED_CEASED)
    ceased_reason: str = ""


@dataclass
class CarePeriod:
    """A period of care: from an RNE S episode to the episode that ends it (REC other than X1)."""

    child: Child
    episode: CinEpisode
    start: dt.date
    end: dt.date
    route: str  # how the child came into care: episode, baby, teen, uasc, police, remand, stock
    hint: str  # the plan when care began: adoption, sgo, home, long, transfer, ...
    u: float  # a fixed random number that decides the way out (so re-deciding is stable)
    rec: str = ""
    way_out: str = ""  # the way out fitted at 31 March to the year's published figures (care.final_class)
    episodes: list[CLAEpisode] = field(default_factory=list)
    reviews: list[tuple[dt.date, str]] = field(default_factory=list)
    missing: list[tuple[str, dt.date, dt.date]] = field(default_factory=list)
    adoption: Adoption | None = None
    prev_perm: tuple[str, str, str] = ("Z1", "", "")  # PREV_PERM, LA_PERM, DATE_PERM


@dataclass
class ShortBreaks:
    """Short-break care for a disabled child: V3 (each stay an episode) or V4 (one episode per agreement)."""

    child: Child
    ls: str
    start: dt.date
    end: dt.date
    episodes: list[CLAEpisode] = field(default_factory=list)


@dataclass
class CareLeaverRecord:
    """One OC3 row: the care leaver's situation around a birthday (17th-21st) in a collection year."""

    child: Child
    start_year: int
    birthday_age: int
    in_touch: str
    activ: str
    accom: str
    final_rec: str


@dataclass
class World:
    """Everything the writers and the ground truth read: the finished simulation."""

    la_code: str
    la_name: str
    seed: int
    years: list[int]  # output collection years, by start year
    children: list[Child]
    periods: list[CarePeriod]
    short_breaks: list[ShortBreaks]
    care_leavers: list[CareLeaverRecord]
    oc2: dict[tuple[str, int], list[str]] = field(default_factory=dict)  # (child, year) -> fitted OC2 row
    next_carer: int = 0  # the last carer number given (fit.py gives new carers numbers after it)
