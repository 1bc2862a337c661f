"""What the simulation aims at each year: published volumes (scaled) and the shape of the journeys.

Volumes are matched (referrals and children starting care exactly, stocks at 31 March closely); the
percentages only steer the journeys so that the derived figures look like the LA's own, they are not forced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import pairwise

from ..catalogue.checks import lait_measures
from .calibration import Published, _number, lait_published, lait_rounding, published
from .lait_check import allowed_difference

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
    return YearTargets(
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
    )


def plans_ended_from_flows(targets: dict[int, YearTargets], la_code: str) -> None:
    """Plans ending in a year are those open at the previous 31 March and those starting, less those open at
    this one. Where the LA's published rate of plans ending asks for more (or fewer) than its published counts
    give, each count moves within its own tolerance until the rate is within its tolerance by a plan: starts
    first, then the number open at the year's end, then at its start (which moves the year before's too)."""
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
