"""What the simulation aims at each year: published volumes (scaled) and the shape of the journeys.

Volumes are matched (referrals and children starting care exactly, stocks at 31 March closely); the
percentages only steer the journeys so that the derived figures look like the LA's own, they are not forced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import pairwise

from ..catalogue.checks import lait_measures
from .calibration import Published, _number, cin_not_carried, lait_published, lait_rounding, published
from .lait_check import SMALL_COUNT, allowed_difference

# England-wide shapes used where the LA's own figure is not published (roughly the 2015-2017 national values).
DEFAULTS = {
    "rereferral_pct": 22.0,
    "nfa_pct": 6.0,
    "not_in_need_pct": 28.0,
    "cpp_second_pct": 18.0,
    "assess_45wd_pct": 83.0,
    "icpc_15wd_pct": 77.0,
    "care_leaver_accom_pct": 83.0,
    "care_leaver_eet_pct": 49.0,
}

# The figures calibrated to (and reported in ground_truth["calibration"]), with the indicator that achieves them.
CALIBRATED = {
    "referrals": "referrals_count",
    "cin_at31": "cin_count",
    "cpp_at31": "cpp_count",
    "cla_at31": "cla_count",
    "cla_starts": "cla_starts_count",
    "cla_ceased": "cla_ceased_count",
    "care_leavers_19_21": "oc3 rows, 19th-21st birthday in the year, less DIED/RHOM/E3",
    "care_leavers_17_18": "oc3 rows, 17th-18th birthday in the year, less DIED/RHOM/E3",
}

ETHNIC_GROUPS = {
    "White": (("WBRI", 88), ("WIRI", 1), ("WIRT", 1), ("WOTH", 8), ("WROM", 2)),
    "Mixed": (("MWBC", 40), ("MWBA", 15), ("MWAS", 15), ("MOTH", 30)),
    "Asian": (("AIND", 30), ("APKN", 40), ("ABAN", 15), ("AOTH", 15)),
    "Black": (("BCRB", 35), ("BAFR", 50), ("BOTH", 15)),
    "EOTH": (("CHNE", 15), ("OOTH", 85)),
}
ENGLAND_ETHNIC_SHARES = {"White": 75.0, "Mixed": 10.0, "Asian": 5.0, "Black": 7.0, "EOTH": 3.0}
CLA_AGE_GROUPS = (("U1", 0, 1), ("1to4", 1, 5), ("5to9", 5, 10), ("10to15", 10, 16), ("16over", 16, 18))
ENGLAND_CLA_AGE_SHARES = {"U1": 5.0, "1to4": 13.0, "5to9": 20.0, "10to15": 39.0, "16over": 23.0}


@dataclass
class YearTargets:
    start_year: int
    referrals: int
    cin_at31: int
    cpp_at31: int
    cpp_starts: int
    cla_at31: int
    cla_starts: int
    cla_ceased: int
    s47: int
    icpc: int
    short_breaks: int
    uasc_share: float  # of children looked after at 31 March
    missing_share: float  # of children looked after during the year who went missing
    care_leavers_19_21: int
    care_leavers_17_18: int
    teen_stays: float  # chance a teenager coming into care stays until 18 (steers the care leaver cohort)
    teen_share: float  # of children starting care, teenagers accommodated (s20) with their own referral
    pct: dict[str, float]  # the steering percentages (LA's own where published)
    published: dict[str, Published] = field(default_factory=dict)
    lait: dict[str, float] = field(
        default_factory=dict
    )  # LAIT values, the year's or the nearest (not scaled)
    scale: float = 1.0
    lait_this_year: frozenset[str] = frozenset()  # the measures LAIT publishes for the year itself
    not_carried: int = 0  # episodes open at the year's start that its return no longer holds (B1), scaled

    def lait_count(self, measure: str) -> int | None:
        """A LAIT count for the year, scaled; None where LAIT has none."""
        value = self.lait.get(measure)
        return None if value is None else _scaled(value, self.scale)

    def lait_share(self, measure: str) -> float | None:
        """A LAIT percentage for the year as a share (0-1); None where LAIT has none."""
        value = self.lait.get(measure)
        return None if value is None else value / 100.0

    def lait_number(self, count: str | None, share: str | None, total: int) -> int | None:
        """How many of `total` the LA's LAIT count and percentage call for. Where both are published and do not
        quite agree (each is rounded), the number nearest the count that is within 2% (or the rounding) of both;
        None where neither is published."""
        published = self.lait_count(count) if count else None
        fraction = self.lait_share(share) if share else None
        mine = self.lait_this_year
        if published is not None and fraction is not None and (count in mine) != (share in mine):
            # another year's figure stands in for one of them: the year's own wins
            published, fraction = (published, None) if count in mine else (None, fraction)
        if fraction is None:
            return published
        from_share = round(fraction * total)
        if published is None or total <= 0:
            return from_share
        pct = fraction * 100
        low, high = min(published, from_share) - 3, max(published, from_share) + 3
        # a count DfE published to the nearest 5 stands for any number within 2.5 of it (synth/lait_check.py)
        rounded_to = lait_rounding(count, self.start_year) if count else 1
        count_allowed = max(
            allowed(published, count=True), rounded_to / 2 * self.scale if rounded_to > 1 else 0
        )
        fits = [
            n
            for n in range(max(0, low), high + 1)
            if abs(n - published) <= count_allowed and abs(100 * n / total - pct) <= allowed(pct, count=False)
        ]
        return min(fits, key=lambda n: abs(n - published)) if fits else published


def _within_rate(t: YearTargets, value: int, count: str, rate: str, population: float) -> int:
    """`value`, or where its rate per 10,000 on the population is outside the year's published rate, the number
    nearest it within the published count's tolerance whose rate is within the rate's. LAIT's rates are on
    DfE's population estimates and the catalogue's on ONS's: on a count under 50 one child moves the rate by
    more than its 2% (Rutland 2015-16: 40 looked after at 52 per 10,000 of 8,028 is 41.7 children, so 41).
    Only for a count under 50: a larger stock is met only within its 2% anyway, and moving its target would
    move every random draw after it (Norfolk's 1,107 looked after in 2016-17 are 66.4 per 10,000 of ONS's
    children against 65 ±1.3 published, and its council already keeps fewer)."""
    fitting, _ = _rate_counts(t, rate, population)
    if value >= SMALL_COUNT or not fitting or value in fitting:
        return value
    base = t.lait_count(count) if count in t.lait_this_year else None
    base = value if base is None else base
    both = [n for n in fitting if abs(n - base) <= allowed(base, count=True)]
    return _nearest(both, value) if both else value


def allowed(value: float, *, count: bool) -> float:
    """How far a figure may be from a value the generator aims at: the checker's tolerance
    (lait_check.allowed_difference) for the value printed as LAIT prints it, a whole number for a count and one
    decimal for a percentage or rate that is not whole."""
    printed = f"{value:.0f}" if count or value == round(value) else f"{value:.1f}"
    return allowed_difference(printed, value, count)


def _scaled(value: float | None, scale: float) -> int:
    return max(0, round((value or 0.0) * scale))


def year_targets(la_code: str, start_year: int, scale: float) -> YearTargets:
    figures = {name: published(name, la_code, start_year) for name in CALIBRATED}
    pct = {}
    for name, default in DEFAULTS.items():
        value = published(name, la_code, start_year, count=False).value
        pct[name] = default if value is None else value
    population = published("population", la_code, start_year).value or 0.0
    s47_rate = published("s47_rate", la_code, start_year, count=False).value
    icpc_rate = published("icpc_rate", la_code, start_year, count=False).value
    cla = figures["cla_at31"].value or 0.0
    uasc = published("uasc_at31", la_code, start_year).value or 0.0
    during = published("cla_during_year", la_code, start_year).value
    missing = published("missing_children", la_code, start_year).value
    cpp_starts = _scaled(published("cpp_starts", la_code, start_year).value, scale)
    # About a fifth of children ceasing care are former relevant care leavers where a third of the published
    # 19-21 cohort is a fifth of the published leavers; more (or fewer) teenagers stay until 18 elsewhere.
    leavers = figures["care_leavers_19_21"].value
    ceased = figures["cla_ceased"].value
    ratio = (leavers / 3 / ceased) if leavers and ceased else 0.2
    teen_stays = max(0.15, min(0.9, 0.4 * (ratio / 0.2) ** 2))
    lait, this_year = _lait_values(la_code, start_year)
    # Section 47s and ICPCs per 10,000 children (or LAIT's conferences by working days, which add up to them); a
    # plan needs a conference, and a conference an enquiry.
    bands = [lait.get(m) for m in ICPC_BANDS]
    published_icpc = (
        sum(bands) if all(b is not None for b in bands) else (icpc_rate or 0.0) * population / 10_000
    )
    icpc = max(cpp_starts, _scaled(published_icpc, scale) if published_icpc else round(cpp_starts * 1.12))
    s47 = max(icpc, _scaled((s47_rate or 0.0) * population / 10_000, scale), round(icpc * 1.6))
    t = YearTargets(
        start_year=start_year,
        referrals=_scaled(figures["referrals"].value, scale),
        cin_at31=_scaled(figures["cin_at31"].value, scale),
        cpp_at31=_scaled(figures["cpp_at31"].value, scale),
        cpp_starts=cpp_starts,
        cla_at31=_scaled(cla, scale),
        cla_starts=_scaled(figures["cla_starts"].value, scale),
        cla_ceased=_scaled(figures["cla_ceased"].value, scale),
        s47=s47,
        icpc=icpc,
        short_breaks=_scaled(published("short_breaks", la_code, start_year).value, scale),
        uasc_share=min(0.95, uasc / cla) if cla else 0.0,
        missing_share=min(0.3, missing / during) if missing and during else 0.06,
        care_leavers_19_21=_scaled(figures["care_leavers_19_21"].value, scale),
        care_leavers_17_18=_scaled(figures["care_leavers_17_18"].value, scale),
        teen_stays=teen_stays,
        teen_share=max(0.05, min(0.3, 0.11 * ratio / 0.2)),
        pct=pct,
        published=figures,
        lait=lait,
        scale=scale,
        lait_this_year=this_year,
        not_carried=_scaled(cin_not_carried(la_code, start_year), scale),
    )
    # a small count's rate per 10,000: the count within its tolerance that meets the published rate too
    t.cla_at31 = _within_rate(t, t.cla_at31, "LACnum", "LAC", population)
    t.cpp_at31 = _within_rate(t, t.cpp_at31, "CPP_Num", "CPP_rate", population)
    t.cpp_starts = _within_rate(t, t.cpp_starts, "CPP_Abuse", "CPP_Abuse_Rate", population)
    _conferences_and_enquiries(t, population)
    return t


def _rate_counts(t: YearTargets, rate: str, population: float) -> tuple[list[int], float]:
    """The counts whose rate per 10,000 on the population is within the year's own published rate's tolerance
    (none where the year has no rate of its own), and the count the rate itself gives."""
    published = t.lait.get(rate)
    if published is None or rate not in t.lait_this_year or population <= 0:
        return [], 0.0
    per = 10_000 / (population * t.scale)
    leeway = allowed(published, count=False)
    low, high = math.floor((published - leeway) / per), math.ceil((published + leeway) / per)
    return [n for n in range(max(0, low), high + 1) if abs(n * per - published) <= leeway], published / per


def _nearest(counts: list[int], value: float) -> int:
    return min(counts, key=lambda n: (abs(n - value), n))


def _conferences_and_enquiries(t: YearTargets, population: float) -> None:
    """Where the year's own rates of conferences and enquiries are published and the targets miss them, the
    targets come from the rates. The conferences' total is the bands' sum, but a band DfE suppressed is another
    year's stand-in (Rutland 2016-17: 13 + 24 + 0 + 30 = 67 against 51 per 10,000, 41 conferences); there the
    rate gives the total and the suppressed bands are what is left of it (_fill_bands). The enquiries' 1.6 a
    conference is only a floor where the year has no rate of its own (Rutland 2015-16: 90 against 56). The
    simulation gives every conference an enquiry of its own year, so where the conferences' rate asks for more
    than the enquiries' allows, both come to a number that fits both (Rutland 2015-16: 57 and 57)."""
    conferences, from_rate = _rate_counts(t, "ISCP_Conf", population)
    icpc = t.icpc
    if conferences and t.icpc not in conferences and not set(ICPC_BANDS) <= t.lait_this_year:
        t.icpc = max(t.cpp_starts, _nearest(conferences, from_rate))
    enquiries, from_rate = _rate_counts(t, "Section_47", population)
    if enquiries and t.s47 not in enquiries:
        fitting = [n for n in conferences if t.cpp_starts <= n <= max(enquiries)]
        if t.icpc > max(enquiries) and fitting:
            t.icpc = min(fitting)
        t.s47 = max(t.icpc, _nearest(enquiries, from_rate))
    if t.icpc != icpc:
        _fill_bands(t)


def _fill_bands(t: YearTargets) -> None:
    """The bands by working days the year does not publish (suppressed), from its conferences: those within 15
    working days by the year's published share, less the bands published, split as England's were where both of
    a pair are missing (a quarter of those within 15 within 10; 60% of the later ones within 20)."""
    published = {m: t.lait_count(m) for m in ICPC_BANDS if m in t.lait_this_year}
    within = round(t.icpc * t.pct["icpc_15wd_pct"] / 100.0)
    filled = {}
    for pair, total, first in ((ICPC_BANDS[:2], within, 0.25), (ICPC_BANDS[2:], t.icpc - within, 0.6)):
        missing = [m for m in pair if m not in published]
        if not missing:
            continue
        left = max(0, total - sum(published.get(m) or 0 for m in pair))
        counts = [left] if len(missing) == 1 else [round(left * first), left - round(left * first)]
        filled.update(zip(missing, counts, strict=True))
    t.lait = {**t.lait, **{m: n / t.scale for m, n in filled.items()}}


def plans_ended_from_flows(targets: dict[int, YearTargets], la_code: str) -> None:
    """Plans ending in a year are those open at the previous 31 March and those starting, less those open at
    this one. Where the LA's published rate of plans ending asks for more (or fewer) than its published counts
    give, each count moves within its own tolerance until the rate is within its tolerance by a plan: starts
    first, then the number open at the year's end, then at its start (which moves the year before's too).
    Where even all three at the edges of their tolerances cannot give the rate (Rutland 2015-16:
    lait_consistency.cpp_plans_ended_too_few), none moves: moving them would only take each count's own rate
    outside for a figure still out of reach."""
    for year, after in pairwise(sorted(targets)):
        before, t = targets[year], targets[after]
        population = published("population", la_code, after).value
        rate = t.lait.get("DeRegCPR")
        if "DeRegCPR" not in t.lait_this_year or rate is None or not population:
            continue
        per_plan = 10_000 / (population * t.scale)
        want, leeway = rate / per_plan, allowed(rate, count=False) / per_plan
        have = before.cpp_at31 + t.cpp_starts - t.cpp_at31
        gap = math.ceil(want - leeway + 1 - have) if have < want - leeway else 0
        if have > want + leeway:
            gap = math.floor(want + leeway - 1 - have)
        sign = 1 if gap > 0 else -1
        room = min(
            int(allowed(t.cpp_starts, count=True)), t.icpc - t.cpp_starts if sign > 0 else t.cpp_starts
        )
        rooms = (
            max(0, room) + int(allowed(t.cpp_at31, count=True)) + int(allowed(before.cpp_at31, count=True))
        )
        if abs(gap) > rooms:
            continue
        step = sign * min(abs(gap), max(0, room))
        t.cpp_starts += step
        gap -= step
        step = sign * min(abs(gap), int(allowed(t.cpp_at31, count=True)))
        t.cpp_at31 -= step
        gap -= step
        step = sign * min(abs(gap), int(allowed(before.cpp_at31, count=True)))
        before.cpp_at31 += step


ICPC_BANDS = ("10_ICPC", "15_ICPC", "20_ICPC", "21_ICPC")


def _lait_values(la_code: str, start_year: int) -> tuple[dict[str, float], frozenset[str]]:
    """Every LAIT measure the LA has a number for, in the year or else the nearest year that has one (the earlier
    of two as near): the shapes the year-end fitting steers to (suppressed and missing values left out); and
    the measures the year itself has."""
    out = {}
    this_year = set()
    nearest = sorted(range(2010, 2030), key=lambda y: (abs(y - start_year), y))
    for measure in lait_measures():
        for year in nearest:
            raw = lait_published(measure, la_code, year)
            value = _number(raw) if raw is not None else None
            if value is not None:
                out[measure] = value
                if year == start_year:
                    this_year.add(measure)
                break
    return out, frozenset(this_year)


def _shares(
    la_code: str, columns: dict[str, tuple[str, ...]], fallback: dict[str, float]
) -> dict[str, float]:
    """Shares of CLA by group from the 2016-17 SFR file (nearest year), England's where not published."""
    out = {}
    for group, suffixes in columns.items():
        values = [published(f"cla_share_{s}", la_code, 2016).value for s in suffixes]
        out[group] = sum(v for v in values if v is not None) if any(v is not None for v in values) else None
    if any(v is None for v in out.values()) or sum(v for v in out.values() if v) <= 0:
        return dict(fallback)
    return {k: float(v) for k, v in out.items()}


def ethnic_weights(la_code: str) -> tuple[list[str], list[float]]:
    """Ethnicity codes and cumulative weights for new children (LA's CLA ethnic mix, codes within a group
    in national proportions)."""
    groups = _shares(
        la_code,
        {
            "White": ("White",),
            "Mixed": ("Mixed",),
            "Asian": ("Asian",),
            "Black": ("Black",),
            "EOTH": ("EOTH", "Oth"),
        },
        ENGLAND_ETHNIC_SHARES,
    )
    # Keep every group possible: a suppressed or zero group still gets a sliver.
    total = sum(groups.values())
    codes, cumulative, running = [], [], 0.0
    for group, members in ETHNIC_GROUPS.items():
        group_share = max(groups[group] / total, 0.005)
        member_total = sum(w for _, w in members)
        for code, weight in members:
            running += group_share * weight / member_total
            codes.append(code)
            cumulative.append(running)
    for code in ("REFU", "NOBT"):
        running += 0.004
        codes.append(code)
        cumulative.append(running)
    return codes, cumulative


def cla_age_shares(la_code: str) -> list[tuple[float, int, int]]:
    """(cumulative share, lowest age, age limit) of children looked after at 31 March by age group."""
    shares = _shares(la_code, {name: (name,) for name, _, _ in CLA_AGE_GROUPS}, ENGLAND_CLA_AGE_SHARES)
    total = sum(shares.values())
    out, running = [], 0.0
    for name, low, high in CLA_AGE_GROUPS:
        running += shares[name] / total
        out.append((running, low, high))
    return out
