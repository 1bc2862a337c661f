"""The inside of each period of care: 903 episodes (legal status and placement changes), reviews, missing
incidents, adoption records, previous permanence; short-break episodes; care leavers' OC3 records.

Drawn once every period's start and end are fixed (`journeys.py`). Codes follow the year they are written in:
SGO E43/E44 until 2017-18 and E45-E48 from 2018-19 (LAIT's four-way SGO breakdown starts with the year ending
March 2019), ACTIV F3/P3 until 2020-21 and the apprenticeship split F4/F5/P4/P5 from 2021-22 (EES care leaver
activity splits apprenticeships from 2022), P2 only for placements starting before 28 October 2023, K3 from
then, and no H5/P2/Z1 in 2025-26 returns (a placement still open then is recoded to K3 on 31 March 2025, RNE T).
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from bisect import insort

from ..periods import add_months, financial_year_of, parse_financial_year
from .choice import Weighted
from .dates import add_working_days, age_on, birthday
from .model import FAR, Adoption, CareLeaverRecord, CarePeriod, Child, CLAEpisode, ShortBreaks

SGO_SPLIT = dt.date(2018, 4, 1)
APPRENTICESHIP_SPLIT = 2021  # collection year 2021-22
P2_LAST_START = dt.date(2023, 10, 27)
K3_FIRST_START = dt.date(2023, 10, 28)
# H5/P2 leave the PLACE list in 2025-26: recode on 31 March 2025, so that the old episode ends before the
# 2025-26 return's year (an episode ending on 1 April would still be in it).
RECODE_2025 = dt.date(2025, 3, 31)
TEMPORARY = ("T0", "T1", "T2", "T3", "T4")
ADOPTIVE = ("A3", "A4", "A5", "A6")
FOSTER = ("U1", "U2", "U3", "U4", "U5", "U6")
KINSHIP = ("U1", "U2", "U3")
MOVE_REASONS = (("CARPL", 34), ("CREQB", 14), ("CREQO", 10), ("CHILD", 9), ("LAREQ", 8), ("CLOSE", 5),
                ("ALLEG", 4), ("STAND", 3), ("APPRR", 2), ("PLACE", 5), ("OTHER", 6))  # fmt: skip
REASON_PLACE_CHANGE_FROM = dt.date(2015, 4, 1)
# Former relevant care leavers: looked after 13 weeks since 14 and left at 16 or older, other than by adoption,
# an SGO or child arrangements order, a transfer to another LA or an age assessment. Most of those who went
# home (or to relatives) at 16-17 are recorded as RHOM (home for six months or more).
CARE_LEAVER_EXCLUDED = ("adoption", "sgo", "cao", "transfer", "age_assessed")
WENT_HOME = ("home", "relatives")


def _frac(u: float, k: int) -> float:
    """A second, independent-looking number from a period's fixed random number."""
    return (u * k) % 1.0


def final_class(period: CarePeriod) -> str:
    """How the period ends, decided from its route, plan, length and the child's age (stable under re-asking),
    unless the year's end fitted it to the published figures (synth/year_end.py)."""
    if period.way_out:
        return period.way_out
    child = period.child
    if period.end >= birthday(child.dob, 18):
        return "age18"
    days = (period.end - period.start).days
    age_start = age_on(child.dob, period.start)
    age_end = age_on(child.dob, period.end)
    if period.route == "uasc":
        if period.hint in ("transfer", "age_assessed"):
            return period.hint
        return "independent" if age_end >= 16 and _frac(period.u, 7) < 0.7 else "other"
    if period.route == "remand":
        return "remand_end" if period.u < 0.75 else "custody"
    if period.hint == "adoption" and days >= 300 and age_start < 8:
        return "adoption"
    if period.hint in ("adoption", "sgo") and days >= 180:
        return "sgo"
    if period.hint == "long" and days >= 365 and age_end < 16 and _frac(period.u, 13) < 0.35:
        return "sgo"
    if age_end >= 16 and _frac(period.u, 3) < 0.45:
        return "independent"
    r = _frac(period.u, 11)
    if r < 0.07:
        return "relatives"
    if r < 0.12 and days > 120:
        return "cao"
    if r < 0.15:
        return "other"
    return "home"


def closes_episode(period: CarePeriod) -> bool:
    """Whether the episode of need closes the day care ends (an order, adulthood, a transfer)."""
    return final_class(period) in (
        "adoption",
        "sgo",
        "cao",
        "transfer",
        "age18",
        "age_assessed",
        "independent",
    )


W_MOVE_REASON = Weighted(MOVE_REASONS)
W_REVIEW = Weighted((("PN1", 52), ("PN2", 12), ("PN3", 10), ("PN4", 6), ("PN5", 8), ("PN6", 7), ("PN7", 5)))
W_LS_ADOPTR = Weighted((("L0", 40), ("L11", 25), ("L12", 15), ("L2", 10), ("L3", 5), ("L4", 5)))
W_OTHER_AREA = Weighted((a, 1) for a in ("B", "DY", "WV", "ST", "CV", "LE", "NG", "M", "LS", "S", "BS", "NE"))
W_SUITABLE_YOUNG = Weighted((("B1", 15), ("C1", 5), ("D1", 35), ("E1", 10), ("U1", 10), ("K1", 3), ("Y1", 2)))
W_SUITABLE_18 = Weighted((("B1", 12), ("C1", 3), ("D1", 30), ("E1", 10), ("U1", 15), ("Z1", 22), ("T1", 5), ("Y1", 3)))  # fmt: skip
W_SUITABLE_OLDER = Weighted((("U1", 40), ("Z1", 10), ("D1", 15), ("E1", 8), ("B1", 12), ("K1", 5), ("T1", 5), ("Y1", 3), ("C1", 2)))  # fmt: skip
W_UNSUITABLE = Weighted((("S2", 20), ("X2", 15), ("V2", 10), ("W2", 10), ("B2", 15), ("U2", 15), ("D2", 10), ("Y2", 5)))  # fmt: skip
W_NEET = Weighted((("G4", 25), ("G5", 60), ("G6", 15)))
# Of every 1,000 care leavers in touch, how many are abroad (ACCOM G), deported (H) or where they live is not
# known (R): about 2%, as in England 2017 (480 of 27,010 aged 19-21). Their suitability is left out of DfE's
# accommodation figure (LAIT CareLeaverAcc), so the synthetic council exercises that rule.
WHEREABOUTS_UNKNOWN = (("G", 2), ("H", 2), ("R", 16))


class CareBuilder:
    """Draws the inside of periods of care with its own random stream (so the journeys never shift)."""

    def __init__(self, rng: random.Random, area: str, horizon: dt.date, missing_share: dict[int, float]):
        self.rng = rng
        self.area = area
        self.horizon = horizon  # the last reference date written
        self.missing_share = missing_share  # by start year
        self._carers = 0

    # ---- placements -------------------------------------------------------------------------------------------

    def _carer(self) -> int:
        self._carers += 1
        return self._carers

    @property
    def carers(self) -> int:
        """How many carers have been given numbers."""
        return self._carers

    def _postcode(self, own_area: float = 0.75) -> str:
        rng = self.rng
        area = self.area if rng.random() < own_area else W_OTHER_AREA.pick(rng)
        return f"{area}{rng.randint(1, 20)} {rng.randint(1, 9)}"

    def _urn(self, carer: int) -> str:
        return f"SC{(carer * 7919) % 900_000 + 100_000:06d}"

    def _semi_independent(self, day: dt.date) -> str:
        rng = self.rng
        if day >= RECODE_2025:
            return "K3"
        if day >= K3_FIRST_START:
            return "K3" if rng.random() < 0.5 else "H5"
        return "H5" if rng.random() < 0.6 else "P2"

    def placement(self, kind: str, age: int, day: dt.date, child: Child) -> tuple[str, str, int, str, str]:
        """(PLACE, PLACE_PROVIDER, carer, PL_POST, URN) for a new placement with a new carer."""
        rng = self.rng
        carer = self._carer()
        r = rng.random()
        if kind == "remand":
            place = "R5" if r < 0.5 else "K1"
        elif kind == "home":
            return "P1", "PR0", carer, child.home_post, ""
        elif kind == "semi":
            place = self._semi_independent(day)
        elif kind == "kinship":
            place = "U3"
        elif kind == "uasc":
            place = self._semi_independent(day) if age >= 16 and r < 0.45 else ("K2" if r < 0.65 else "U6")
        elif age < 1:
            place = "U6" if r < 0.65 else "U5" if r < 0.75 else "R3" if r < 0.88 else "U3"
        elif age >= 16:
            place = "U6" if r < 0.5 else "K2" if r < 0.65 else self._semi_independent(day)
        else:
            teen = age >= 10
            if r < 0.66:
                place = "U6"
            elif r < 0.8:
                place = "U3"
            elif r < 0.83:
                place = "U5" if age < 5 else "U6"
            elif r < (0.96 if teen else 0.88):
                place = "K2" if teen else "U6"
            elif "LD" in child.disabilities or "AUT" in child.disabilities or r < 0.975:
                place = "S1" if teen else "U6"
            else:
                place = "R1" if teen else "R2"
        return place, self._provider(place), carer, self._postcode(), self._urn(carer) if place in (
            "K1", "K2", "K3", "R1", "S1") else ""  # fmt: skip

    def _provider(self, place: str) -> str:
        rng = self.rng
        if place in ("T0", "T1", "T2", "T3"):
            return ""
        if place == "P1":
            return "PR0"
        if place == "R5":
            return "PR3"
        if place in ("U1", "U2", "U3", "T4"):
            return "PR1"
        if place in ("U4", "U5", "U6"):
            return "PR1" if rng.random() < 0.6 else "PR4"
        if place == "K1":
            return "PR1" if rng.random() < 0.5 else "PR2"
        if place in ("A5", "A6", "A3", "A4"):
            r = rng.random()
            return "PR1" if r < 0.6 else "PR2" if r < 0.7 else "PR5"
        return "PR4" if rng.random() < 0.75 else "PR5" if rng.random() < 0.3 else "PR1"

    # ---- one period -------------------------------------------------------------------------------------------

    def build(self, period: CarePeriod) -> None:
        rng = self.rng
        child, start, end = period.child, period.start, period.end
        cls = final_class(period)
        stop = min(end, self.horizon)
        age0 = age_on(child.dob, start)
        # the child's plans, not the episode's: care may have moved to a later episode (journeys._reopen)
        plans_ended = any(p.ended_by_care and p.end == start for p in child.plans)
        ls = self._first_legal_status(period.route, plans_ended)
        # A baby accommodated with consent (s20) may be placed for adoption with consent: no placement order.
        consent = cls == "adoption" and ls == "V2" and age0 == 0 and _frac(period.u, 17) < 0.25
        intents: list[tuple[dt.date, int, str, object]] = []  # (date, order, kind, payload)
        self._legal_intents(period, cls, ls, intents, consent)
        placed_date = None
        if cls == "adoption":
            placed_date = self._adoption_intents(period, intents, consent)
        elif rng.random() < 0.04 and age0 < 5 and (end - start).days > 400:
            self._reversed_decision(period)
        self._end_intents(period, cls, intents)
        self._routine_intents(period, stop, placed_date, intents)
        first = self.placement(
            period.route if period.route in ("remand", "uasc") else "general", age0, start, child
        )
        if period.route == "police" and rng.random() < 0.3:
            first = ("T4", "PR1", first[2], first[3], "")  # emergency overnight, then a proper placement
            intents.append((start + dt.timedelta(days=rng.randint(1, 3)), 1, "move", None))
        cin = self._category_of_need(period)
        episodes = [CLAEpisode(start, "S", ls, cin, first[0], first[1], first[2], first[3], first[4])]
        self._apply(period, episodes, sorted(intents, key=lambda i: (i[0], i[1])), stop)
        last = episodes[-1]
        last.dec = end
        last.rec = self._reason_ceased(period, cls, last)
        period.rec = last.rec
        period.episodes = self._recode_2025(episodes)
        period.reviews = self._reviews(period)
        period.missing = self._missing(period)
        period.prev_perm = self._prev_perm(period)

    def _first_legal_status(self, route: str, from_plan: bool) -> str:
        r = self.rng.random()
        if route == "uasc":
            return "V2"
        if route == "remand":
            return "J1"
        if route == "police":
            return "L1"
        if route == "baby":
            return "C1" if r < 0.55 else "V2" if r < 0.8 else "L2"
        if route == "teen":
            return "V2" if r < 0.85 else "C1"
        if from_plan:
            return "C1" if r < 0.6 else "V2" if r < 0.9 else "L2"
        return "V2" if r < 0.55 else "C1" if r < 0.9 else "L1"

    def _legal_intents(self, period: CarePeriod, cls: str, ls: str, intents: list, consent: bool) -> None:
        rng = self.rng
        start = period.start
        day = start
        if ls in ("L1", "L2"):
            day = start + dt.timedelta(days=rng.randint(1, 3) if ls == "L1" else rng.randint(3, 8))
            ls = "V2" if rng.random() < 0.6 and cls != "adoption" else "C1"
            intents.append((day, 0, "ls", ls))
        long_care = cls in ("adoption", "sgo") or (cls == "age18" and age_on(period.child.dob, start) < 12)
        if ls == "V2" and (long_care or rng.random() < 0.15) and not consent:
            day = day + dt.timedelta(days=rng.randint(20, 150))
            ls = "C1"
            intents.append((day, 0, "ls", ls))
        if ls == "C1":
            final_order = day + dt.timedelta(days=rng.randint(120, 365))
            intents.append((final_order, 0, "ls", "C2"))
            r = rng.random()
            if r < 0.12:  # the final order comes with a move to new carers: RNE B
                intents.append((final_order, 3, "move", None))
            elif r < 0.3:  # or with the foster placement becoming long-term, same carers: RNE U
                intents.append((final_order, 5, "longterm", None))

    def _adoption_intents(self, period: CarePeriod, intents: list, consent: bool) -> dt.date:
        rng = self.rng
        start, end = period.start, period.end
        placed = max(start + dt.timedelta(days=120), end - dt.timedelta(days=rng.randint(91, 300)))
        foster = rng.random() < 0.13
        decision = max(start + dt.timedelta(days=20), placed - dt.timedelta(days=rng.randint(150, 480)))
        match = max(decision + dt.timedelta(days=7), placed - dt.timedelta(days=rng.randint(7, 60)))
        if not consent:
            order = max(decision + dt.timedelta(days=7), placed - dt.timedelta(days=rng.randint(60, 420)))
            order = min(order, placed - dt.timedelta(days=1))
            if foster and rng.random() < 0.3:
                order = placed  # order and placement with the foster carers on one day: RNE U
            # the placement order replaces whatever legal status came before, including a later C2 intent
            intents[:] = [i for i in intents if not (i[2] == "ls" and i[0] >= order)]
            intents.append((order, 0, "ls", "E1"))
        intents.append((placed, 2, "adopt_place", foster))
        nb = "1" if rng.random() < 0.15 else "2"
        sex = ("F1" if rng.random() < 0.9 else "M1") if nb == "1" else (
            "MF" if rng.random() < 0.85 else "MM" if rng.random() < 0.5 else "FF")  # fmt: skip
        period.adoption = Adoption(decision, match, int(foster), nb, sex, W_LS_ADOPTR.pick(rng))
        return placed

    def _reversed_decision(self, period: CarePeriod) -> None:
        rng = self.rng
        decision = period.start + dt.timedelta(days=rng.randint(120, 300))
        ceased = decision + dt.timedelta(days=rng.randint(60, 300))
        if ceased < period.end:
            reason = rng.choice(("RD1", "RD1", "RD2", "RD3", "RD4"))
            period.adoption = Adoption(decision, None, 0, "", "", "", ceased, reason)

    def _end_intents(self, period: CarePeriod, cls: str, intents: list) -> None:
        rng = self.rng
        start, end = period.start, period.end
        length = (end - start).days
        if cls == "sgo" and rng.random() < 0.5 and length > 120:
            intents.append(
                (end - dt.timedelta(days=rng.randint(60, min(300, length - 30))), 2, "kinship", None)
            )
        elif cls == "home" and length > 300 and rng.random() < 0.4:
            intents.append((end - dt.timedelta(days=rng.randint(30, 200)), 2, "home", None))
        elif cls in ("age18", "independent") and period.route != "uasc" and rng.random() < 0.45:
            b16 = birthday(period.child.dob, 16)
            day = max(b16, end - dt.timedelta(days=rng.randint(60, 500)))
            if start < day < end:
                intents.append((day, 2, "semi", None))

    def _routine_intents(
        self, period: CarePeriod, stop: dt.date, placed: dt.date | None, intents: list
    ) -> None:
        rng = self.rng
        if period.route == "remand":
            return
        start = period.start
        teen = age_on(period.child.dob, start) >= 11
        first_rate, later_rate = (0.8, 0.3) if teen else (0.45, 0.12)
        multiplier = rng.gammavariate(2.0, 0.5)
        limit = placed or stop
        day = start
        while True:
            rate = (first_rate if (day - start).days < 365 else later_rate) * multiplier
            day = day + dt.timedelta(days=1 + int(rng.expovariate(max(rate, 1e-3)) * 365))
            if day >= limit:
                break
            intents.append((day, 3, "move", None))
        span = (limit - start).days
        for _ in range(span // 365 + 1):
            if span > 60 and rng.random() < 0.06:
                day = start + dt.timedelta(days=rng.randint(20, span - 20))
                intents.append((day, 4, "temp", rng.randint(1, 10)))
        if (limit - start).days > 420 and rng.random() < 0.5:
            intents.append((start + dt.timedelta(days=rng.randint(300, 420)), 5, "longterm", None))
        if (limit - start).days > 200 and rng.random() < 0.04:
            intents.append(
                (start + dt.timedelta(days=rng.randint(60, (limit - start).days - 30)), 5, "carer_move", None)
            )

    def _category_of_need(self, period: CarePeriod) -> str:
        need = period.episode.need
        if period.child.uasc:
            return "N8"
        if period.route == "remand":
            return "N6"
        return need if need in ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8") else "N1"

    def _apply(self, period: CarePeriod, episodes: list[CLAEpisode], intents: list, stop: dt.date) -> None:
        """Turn dated intents into episodes; one new episode per date, its RNE saying what changed."""
        rng = self.rng
        child = period.child
        settled = False  # placed for adoption, or home with parents: no more routine moves
        saved: CLAEpisode | None = None  # the placement to return to after a temporary one
        i = 0
        while i < len(intents):
            day = intents[i][0]
            group = []
            while i < len(intents) and intents[i][0] == day:
                group.append(intents[i])
                i += 1
            if not (period.start < day < period.end) or day > stop:
                continue
            cur = episodes[-1]
            new_ls, place, same_carer, reason = cur.ls, None, False, ""
            age = age_on(child.dob, day)
            for _, _, kind, payload in group:
                if kind == "ls":
                    new_ls = payload
                elif place is not None or (
                    settled and kind in ("move", "temp", "longterm", "carer_move", "semi")
                ):
                    continue
                elif kind == "move":
                    if cur.place in TEMPORARY and saved is not None:
                        continue
                    kind_for = (
                        "semi" if age >= 16 and rng.random() < 0.4 else ("uasc" if child.uasc else "general")
                    )
                    place, reason = self.placement(kind_for, age, day, child), W_MOVE_REASON.pick(rng)
                elif kind == "temp":
                    if cur.place in TEMPORARY or cur.place in ADOPTIVE or cur.place == "P1":
                        continue
                    saved = cur
                    temp = rng.choice(("T1", "T1", "T3", "T3", "T4", "T4", "T2", "T0"))
                    place, reason = (temp, self._provider(temp), self._carer(), self._postcode(), ""), "OTHER"
                    back = (day + dt.timedelta(days=payload), 0, "return", None)
                    insort(intents, back, lo=i, key=lambda item: (item[0], item[1]))
                elif kind == "return":
                    if saved is None or cur.place not in TEMPORARY:
                        continue
                    place, same_carer, reason = (
                        (saved.place, saved.provider, saved.carer, saved.pl_post, saved.urn),
                        True,
                        "OTHER",
                    )
                    saved = None
                elif kind == "longterm":
                    if cur.place not in ("U6", "U3"):
                        continue
                    new_place = "U4" if cur.place == "U6" else "U1"
                    place, same_carer, reason = (
                        (new_place, cur.provider, cur.carer, cur.pl_post, ""),
                        True,
                        "CARPL",
                    )
                elif kind == "carer_move":
                    if cur.place not in FOSTER:
                        continue
                    place, same_carer, reason = (
                        (cur.place, cur.provider, cur.carer, self._postcode(), ""),
                        True,
                        "PLACE",
                    )
                elif kind == "adopt_place":
                    foster = bool(payload) and cur.place in FOSTER
                    consent = new_ls == "V2"
                    if foster:
                        code = "A3" if consent else "A5"
                        place, same_carer = (code, cur.provider, cur.carer, cur.pl_post, ""), True
                    else:
                        code = "A4" if consent else "A6"
                        carer = self._carer()
                        place = (code, self._provider(code), carer, self._postcode(0.5), "")
                    if period.adoption is not None:
                        period.adoption.foster_care = int(foster)
                    reason, settled = "CARPL", True
                elif kind == "home":
                    place, reason, settled = self.placement("home", age, day, child), "CARPL", True
                elif kind == "kinship":
                    place, reason = self.placement("kinship", age, day, child), "CARPL"
                elif kind == "semi":
                    place, reason = self.placement("semi", age, day, child), "CARPL"
            ls_changed = new_ls != cur.ls
            if not ls_changed and place is None:
                continue
            if place is None:
                rne = "L"
                place = (cur.place, cur.provider, cur.carer, cur.pl_post, cur.urn)
            elif ls_changed:
                rne = "U" if same_carer else "B"
            else:
                rne = "T" if same_carer else "P"
            cur.dec, cur.rec = day, "X1"
            new = CLAEpisode(day, rne, new_ls, cur.cin, place[0], place[1], place[2], place[3], place[4])
            if rne != "L" and day >= REASON_PLACE_CHANGE_FROM:
                new.reason_place_change = reason or "OTHER"
            episodes.append(new)

    def _reason_ceased(self, period: CarePeriod, cls: str, last: CLAEpisode) -> str:
        rng = self.rng
        end = period.end
        if cls == "adoption":
            return "E11" if rng.random() < 0.7 else "E12"
        if cls == "sgo":
            if end < SGO_SPLIT:
                return "E43" if last.place in FOSTER else "E44"
            if last.place in KINSHIP:
                return "E45"
            if last.place in FOSTER:
                return "E46"
            return "E47" if rng.random() < 0.6 else "E48"
        if cls == "age18":
            if period.child.disabilities != ("NONE",) and rng.random() < 0.5:
                return "E7"
            if last.place in FOSTER:
                r = rng.random()
                return "E17" if r < 0.4 else "E5" if r < 0.75 else "E6" if r < 0.85 else "E8"
            if last.place in ("H5", "P2", "K3"):
                return "E5" if rng.random() < 0.7 else "E6"
            r = rng.random()
            return "E5" if r < 0.5 else "E8" if r < 0.8 else "E6"
        return {
            "independent": "E5" if rng.random() < 0.7 else "E6",
            "transfer": "E3",
            "age_assessed": "E15",
            "remand_end": "E14",
            "custody": "E9",
            "cao": "E41",
            "relatives": "E13",
            "other": "E8" if rng.random() < 0.8 else "E16",
            "home": "E4A" if rng.random() < 0.82 else "E4B",
        }[cls]

    def _recode_2025(self, episodes: list[CLAEpisode]) -> list[CLAEpisode]:
        """Keep PLACE valid for every return an episode appears in: no P2 for an episode starting on or after
        28 October 2023, no H5/P2 from 2025-26 (a placement still open then is recorded as K3 from 31 March
        2025, RNE T). A copied placement (a return from a temporary one) can otherwise carry an old code."""
        out = []
        for ep in episodes:
            if ep.place == "P2" and ep.decom >= K3_FIRST_START:
                ep.place = "K3"
            if ep.place in ("H5", "P2") and ep.decom >= RECODE_2025:
                ep.place = "K3"
            out.append(ep)
            spans = ep.decom < RECODE_2025 and (ep.dec is None or ep.dec > RECODE_2025)
            if ep.place in ("H5", "P2") and spans and self.horizon >= RECODE_2025:
                new = CLAEpisode(
                    RECODE_2025, "T", ep.ls, ep.cin, "K3", ep.provider, ep.carer, ep.pl_post, ep.urn
                )
                new.dec, new.rec, new.reason_place_change = ep.dec, ep.rec, "PLACE"
                ep.dec, ep.rec = RECODE_2025, "X1"
                out.append(new)
        return out

    def _reviews(self, period: CarePeriod) -> list[tuple[dt.date, str]]:
        rng = self.rng
        reviews = []
        day = add_working_days(period.start, 20)
        limit = min(period.end, self.horizon)
        step = 3
        while day < limit:
            code = "PN0" if age_on(period.child.dob, day) < 4 else W_REVIEW.pick(rng)
            reviews.append((day, code))
            day = add_months(day, step) + dt.timedelta(days=rng.randint(-10, 5))
            step = 6
        return reviews

    def _missing(self, period: CarePeriod) -> list[tuple[str, dt.date, dt.date]]:
        rng = self.rng
        child = period.child
        start = max(period.start, birthday(child.dob, 11))
        stop = min(period.end, self.horizon)
        if start >= stop:
            return []
        share = self.missing_share.get(parse_financial_year(financial_year_of(start)), 0.06)
        if rng.random() >= min(0.8, share * 2.6):
            return []
        incidents = []
        rate = rng.uniform(1.5, 9.0)
        day = start
        while True:
            day = day + dt.timedelta(days=1 + int(rng.expovariate(rate) * 365))
            if day >= stop:
                break
            back = day + dt.timedelta(days=rng.choice((0, 0, 1, 1, 1, 2, 3, 5)))
            incidents.append(("M" if rng.random() < 0.75 else "A", day, min(back, period.end)))
            day = back
        return incidents

    def _prev_perm(self, period: CarePeriod) -> tuple[str, str, str]:
        rng = self.rng
        r = rng.random()
        if r < 0.8:
            return ("Z1", "", "")
        if r < 0.86:
            return ("P4", "", "")
        code = "P1" if r < 0.89 else "P2" if r < 0.95 else "P3"
        child = period.child
        span = max(1, (period.start - child.dob).days - 30)
        day = child.dob + dt.timedelta(days=rng.randint(1, span))
        when = (
            f"zz/{day.month:02d}/{day.year}"
            if rng.random() < 0.5
            else f"{day.day:02d}/{day.month:02d}/{day.year}"
        )
        return (code, "", when)

    # ---- short breaks -----------------------------------------------------------------------------------------

    def build_short_breaks(self, breaks: ShortBreaks) -> None:
        rng = self.rng
        stop = min(breaks.end, self.horizon)
        carer = self._carer()
        place = "K2" if rng.random() < 0.5 else "U6"
        urn = self._urn(carer) if place == "K2" else ""
        post = self._postcode()
        provider = "PR1"
        day = breaks.start
        while day < stop:
            if breaks.ls == "V3":
                back = day + dt.timedelta(days=rng.randint(1, 4))
                nxt = back + dt.timedelta(days=rng.randint(18, 60))
            else:
                back = min(breaks.end, day + dt.timedelta(days=364))
                nxt = back + dt.timedelta(days=1)
            ep = CLAEpisode(day, "S", breaks.ls, "N2", place, provider, carer, post, urn, back, "E4A")
            breaks.episodes.append(ep)
            day = nxt


def care_leaver_records(
    children: list[Child], years: list[int], rng: random.Random, pct: dict[int, dict[str, float]]
) -> list[CareLeaverRecord]:
    """OC3 rows for former relevant care leavers around their 17th-21st birthdays in the output years.

    Eligible: looked after at least 13 weeks after the 14th birthday and left at 16 or older, other than as in
    CARE_LEAVER_EXCLUDED (never a transfer to another LA, E3). No row on the 17th birthday of a child still
    looked after then.
    """
    first, last = years[0], years[-1]
    out: list[CareLeaverRecord] = []
    for child in children:
        period = former_relevant(child)
        if period is None:
            continue
        way_out = final_class(period)
        for age in range(17, 22):
            day = birthday(child.dob, age)
            year = parse_financial_year(financial_year_of(day))
            if not first <= year <= last or day < period.end:
                continue
            out.append(_oc3(child, year, age, period.rec, rng, pct[year], way_out in WENT_HOME))
    return out


def former_relevant(child: Child) -> CarePeriod | None:
    """The child's last period of care if it makes them a former relevant care leaver (care_leaver_records)."""
    if not child.periods:
        return None
    period = child.periods[-1]
    if period.end == FAR or final_class(period) in CARE_LEAVER_EXCLUDED or period.rec in ("E3", "E2", "E15"):
        return None
    b14 = birthday(child.dob, 14)
    if age_on(child.dob, period.end) < 16 or (period.end - max(period.start, b14)).days < 91:
        return None
    return period


def _oc3(
    child: Child, year: int, age: int, final_rec: str, rng: random.Random, pct: dict[str, float], home: bool
):
    young = age <= 18
    if home and rng.random() < 0.8:
        return CareLeaverRecord(child, year, age, "RHOM", "0", "0", final_rec)
    accom_target = min(97.0, pct["care_leaver_accom_pct"] + (4 if young else 0)) / 100.0
    eet_target = min(92.0, pct["care_leaver_eet_pct"] + (14 if young else 0)) / 100.0
    r = rng.random()
    if r < 0.003:
        return CareLeaverRecord(child, year, age, "DIED", "0", "0", final_rec)
    r -= 0.003
    rhom = 0.04 if young else 0.015
    if r < rhom:
        return CareLeaverRecord(child, year, age, "RHOM", "0", "0", final_rec)
    r -= rhom
    not_in_touch = 0.05 if young else 0.09
    if r < not_in_touch:
        touch = rng.choice(("NO", "NO", "REFU", "NREQ") if not young else ("NO", "REFU"))
        return CareLeaverRecord(child, year, age, touch, "0", "0", final_rec)
    in_touch_share = 1.0 - 0.003 - rhom - not_in_touch
    if rng.random() < min(0.995, accom_target / in_touch_share):
        pick = W_SUITABLE_YOUNG if age == 17 else W_SUITABLE_18 if age == 18 else W_SUITABLE_OLDER
        accom = pick.pick(rng)
    else:
        accom = W_UNSUITABLE.pick(rng)
    if rng.random() < min(0.995, eet_target / in_touch_share):
        activ = _eet(rng, age, year)
    else:
        activ = W_NEET.pick(rng)
    return CareLeaverRecord(child, year, age, "YES", activ, _whereabouts(child, age, accom), final_rec)


def _whereabouts(child: Child, age: int, accom: str) -> str:
    """The accommodation code, or for about 2% abroad, deported or residence not known (same suitability).

    Decided by a stable hash of the child and age, never by the random streams, so every other record and
    return stays as it was."""
    draw = zlib.crc32(f"{child.id}:{age}".encode()) % 1000
    for letter, per_mille in WHEREABOUTS_UNKNOWN:
        if draw < per_mille:
            return letter + accom[-1]
        draw -= per_mille
    return accom


def _eet(rng: random.Random, age: int, year: int) -> str:
    full = rng.random() < 0.75
    r = rng.random()
    higher = 0.02 if age <= 18 else 0.14
    education = 0.6 if age <= 18 else 0.3
    if r < higher:
        return "F1" if full else "P1"
    if r < higher + education:
        return "F2" if full else "P2"
    if year < APPRENTICESHIP_SPLIT:
        return "F3" if full else "P3"
    if rng.random() < 0.2:
        return "F4" if full else "P4"
    return "F5" if full else "P5"
