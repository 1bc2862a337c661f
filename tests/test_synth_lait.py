"""The synthetic council beside its LA's published LAIT figures (synth/lait_check.py, synth/fit.py,
synth/year_end.py): every computed indicator with a published value for the LA, in every calibrated year, within
2% (1 for a count under 50, or the rounding of the printed value).

Not every figure gets there yet. KNOWN_GAPS lists, per LA, the (year, indicator) pairs still outside; a figure
newly outside fails, and so does a listed gap that has closed (take it off the list). A figure the returns
withhold (its history reaches before the first year written) is reported, not compared.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections import Counter
from pathlib import Path

import pytest

from csc_scorecard.synth import generate, targets, year_end
from csc_scorecard.synth.calibration import lait_rounding
from csc_scorecard.synth.care import former_relevant
from csc_scorecard.synth.choice import Quota, Shares
from csc_scorecard.synth.dates import age_on, birthday
from csc_scorecard.synth.generate import _two_years_within_reach, one_year_room, two_year_room
from csc_scorecard.synth.journeys import Simulation
from csc_scorecard.synth.lait_check import LaitCheck, allowed_difference, lait_checks
from csc_scorecard.synth.lait_consistency import published_contradictions
from csc_scorecard.synth.model import Assessment, Child, CinEpisode, Section47
from csc_scorecard.synth.targets import YearTargets

# The figures issue 13 names as wrong before the fitting (Walsall: adopted 12.7% of leavers against 21%, SGOs 20
# against 25, missing 4.7% against 6.0%, CP plans lasting 2 years 1.1% against 2.5%; 2015-16, three or more
# placements 8.4% against 4.0%).
WALSALL_NAMED = (
    ("2016-17", "ceased_adopted_pct"),
    ("2016-17", "ceased_sgo_count"),
    ("2016-17", "cla_missing_pct"),
    ("2016-17", "cpp_2yrs_ended_pct"),
    ("2015-16", "cla_3plus_placements_pct"),
)

# Proven beyond reach (synth/lait_consistency.py; PUBLISHED_CONTRADICTIONS, part of KNOWN_GAPS): Norfolk 2016-17's
# closed bands. 5,897 episodes were open a year or more at 31 March 2016, each still open at 31 March 2017 (then 2
# years or more) or closed in 2016-17 after a year or more, but those figures give 2,406 (B1's totals) or 3,657
# (totals from the LAIT rates): the 2016-17 census return dropped about 6,600 episodes the 2015-16 one had open.
# No set of records meets them all, with every figure at its tolerance, counted either way.
# The closed bands (cin_closed_*) leave out the referrals assessed as not in need, as DfE does (LAIT
# CIN_Refferals_NFA): that closed Birmingham's and Hartlepool's closed-band gaps. Counting three or more placements
# as DfE rounded them (to the nearest 5 in 2015-16 and 2016-17: lait_check) closed Hartlepool's.
# Still outside:
# - Walsall 2015-16's closed bands, under 3 months against 2 years or more. The council's own stock and flow decide
#   how many closures there are (2015-16: 1,670, near 2,340 open + 2,008 started - 2,664 open), where DfE's B1 has
#   1,495 ended (its own 2,319 + 2,007 - 2,662 = 1,664): 14.4% of 1,670 closed after 2 years and 39.2% still open
#   2 years or more is more than were open a year or more at 31 March 2015. At the edges of every tolerance it fits
#   (tests/test_lait_published_consistency.py), but only with 2014-15's stock at its top. Moving 2014-15's shares
#   open a year or more and its number open up within their tolerances (session 7, up to all of them) leaves closed
#   after 2 years at 13.74% at best and brings under 3 months within only with 2014-15's younger bands outside
#   (docs/dev/synthetic-council-lait.md, "Walsall 2015-16: neither met nor proven").
# Walsall 2016-17's (too many closures after 2 years for 6.4%: 1,043 open 2 years or more at 31 March 2016, less
# 793 still open a year later, and the episodes then 1 to 2 years old that care held past their second
# anniversary) closed once the shares open 2 years or more and the numbers open move within their tolerances
# (fewer old episodes, more places: generate._two_years_within_reach) and, in that year, care's and short breaks'
# episodes are closed and re-opened before their second anniversary (journeys.Simulation._reopenings).
# Walsall 2014-15's closures after 3 to 6 months (7.12% against 6.9% ±0.138) closed once an episode that cannot
# close sooner closes in a longer band it can reach where its own is full to half its tolerance
# (synth/year_end._closed_limits), in the years the returns show.
# Walsall 2016-17 plans ended per 10,000 (91.3, 603 plans, against 375 + 528 - 333 = 570 as published) closed
# once those three counts move within their tolerances to meet it (synth/targets.py plans_ended_from_flows).
# Hartlepool 2016-17's bands under 3 months (open 20.27% against 20.7% ±0.41, closed 28.7% against 28% ±0.56)
# closed once the number open falls, within the CIN rate's tolerance, where too few episodes are young enough for
# the share open under 3 months (synth/year_end._within_young): 1,297 open, not 1,312.
PUBLISHED_CONTRADICTIONS = {la: set(marked) for la, marked in published_contradictions().items()}
# Rutland (857), the smallest LA (about 8,000 children, 40 looked after). Proven: 2015-16's plans ending (36.1 per
# 10,000 = 29 plans, where 27 open + 46 started - 27 open = 46 ended), and 2015-16's CIN rate, open 2 years or more
# and closed under 3 and 3 to 6 months: 131 episodes open a year or more at 31 March 2015 against 76 open 2 years or
# more a year later and 11.4% of the closures after 6 months or more (lait_consistency
# .cin_one_year_old_shorter_bands; 40 episodes short at worst as DfE counts, 25 from the LAIT rates). Open 3 to 6
# months, 6 to 12 months and 1 to 2 years at 31 March 2016 by the same inequality with the share open 2 years or
# more taken as what the four younger bands leave (they add to 100%: at their edges 31.0%, 36 or 22 episodes short:
# cin_one_year_old_younger_open_bands); the council meets the fourth, under 3 months. Closed in
# session 7 (docs/dev/synthetic-council-lait.md): the rates per 10,000 on fewer than 50 children (a count within
# its own one child that meets the rate too, synth/targets._within_rate; plans_ended_from_flows no longer moves
# the plans' counts towards the out-of-reach 2015-16), the enquiries and conferences (from their rates where a band
# by working days is suppressed or 1.6 enquiries a conference overshoots: targets._conferences_and_enquiries), and
# the care leavers' shares in and not in education, employment or training. 2016-17's CIN rate and ten bands closed
# in session 7 too: the referrals lean towards the year's end where the published share open under 3 months asks
# for more than 32% of the year's episodes (36.7%; 62 of the 87 it needs were young enough from an even year:
# journeys.Simulation._late_referrals), the conferences the late enquiries pushed past 31 March brought forward
# (year_end._bring_forward) and the band fit keeping the share within 15 working days (year_end.fit_conferences).
# Its care leavers aged 19 to 21 in 2016-17 (14 against 20, 18 to 22: too few teenagers in care stayed until 18)
# closed in session 7's third pass: young people who left care at 16 or 17 before the first return make up an
# output year's cohort where the simulation's falls short by more than its tolerance
# (journeys.Simulation._leavers_before_returns): 20, and 14 in education, employment or training (15 ±2.5).
# Nothing of Rutland's is outside unproven.
UNPROVEN_GAPS: dict[str, set[tuple[str, str]]] = {}


KNOWN_GAPS = {
    la: UNPROVEN_GAPS.get(la, set()) | PUBLISHED_CONTRADICTIONS.get(la, set())
    for la in UNPROVEN_GAPS.keys() | PUBLISHED_CONTRADICTIONS.keys()
}


def _compare(checks: list[LaitCheck], la: str) -> None:
    compared = [c for c in checks if c.achieved is not None]
    outside = {(c.year, c.indicator) for c in compared if not c.within}
    known = KNOWN_GAPS.get(la, set())
    new = sorted(str(c) for c in compared if (c.year, c.indicator) in outside - known)
    closed = sorted(known - outside)
    assert not new, f"{la}: newly outside the published figures:\n" + "\n".join(new)
    assert not closed, f"{la}: now within the published figures, take them off KNOWN_GAPS: {closed}"


def test_walsall_reproduces_its_published_lait_figures(synthetic_council: dict) -> None:
    checks = lait_checks(synthetic_council["truth"]["indicators"], "335")
    assert len(checks) > 150  # every year has most measures published: a broken lookup would compare nothing
    by_key = {(c.year, c.indicator): c for c in checks}
    for key in WALSALL_NAMED:
        assert by_key[key].within, str(by_key[key])
    withheld = {c.indicator for c in checks if c.achieved is None}
    assert withheld <= {"re_referrals_12m_pct"}  # needs the year before the first return
    _compare(checks, "335")


@pytest.mark.slow
@pytest.mark.parametrize(
    "la",
    ["805", "926", "330", "857"],
    ids=["hartlepool (255 looked after)", "norfolk (1,107)", "birmingham (1,837)", "rutland (39)"],
)
def test_councils_of_other_sizes_reproduce_their_published_lait_figures(la: str, tmp_path: Path) -> None:
    result = generate(la, ["2015-16", "2016-17"], seed=5, out=tmp_path)
    checks = lait_checks(result.ground_truth["indicators"], la)
    assert len(checks) > 90  # Rutland's 99: many of its small counts are suppressed
    _compare(checks, la)


def test_every_gap_marked_as_a_published_contradiction_is_proven() -> None:
    marked = published_contradictions()
    assert marked  # the list of proven gaps is not empty by accident
    for la, gaps in marked.items():
        assert not gaps.keys() & UNPROVEN_GAPS.get(la, set()), f"{la}: marked proven and unproven"
        for (year, indicator), proofs in gaps.items():
            assert proofs, f"{la} {year} {indicator}: marked without a proof"
            for proof in proofs:
                assert (proof.la, proof.year) == (la, year)
                assert proof.least_slack() > 0, f"{indicator}: {proof}"


# ---- the tolerance, worked by hand ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "count", "one_child", "rounded_to", "allowed"),
    [
        ("21", False, 0.0, 1, 0.5),  # LAIT prints 21 for 20.5 to 21.5: wider than 2% of 21 (0.42)
        ("91.3", False, 0.0, 1, 1.826),  # 2% of 91.3
        ("0.4", False, 0.0, 1, 0.05),  # half the last digit
        ("30", True, 0.0, 1, 1.0),  # a count under 50: one child
        ("250", True, 0.0, 1, 5.0),  # 2% of 250
        ("6", False, 100 / 48, 1, 100 / 48),  # a share of 48 children: one child moves it 2.08 points
        ("15", True, 0.0, 5, 2.5),  # a count rounded to the nearest 5: 15 is 13 to 17
        ("100", True, 0.0, 5, 2.5),  # wider than 2% of 100
        ("250", True, 0.0, 5, 5.0),  # 2% of 250 is wider than the rounding
        ("20", False, 0.0, 5, 0.5),  # only a count is widened: a percentage is printed as it is
    ],
)
def test_allowed_difference(
    printed: str, count: bool, one_child: float, rounded_to: int, allowed: float
) -> None:
    assert allowed_difference(printed, float(printed), count, one_child, rounded_to) == pytest.approx(allowed)


@pytest.mark.parametrize(
    ("value", "count", "printed", "allowed"),
    [
        (21.0, False, "21", 0.5),  # a whole percentage: half its last digit, wider than 2%
        (91.3, False, "91.3", 1.826),  # 2%
        (0.4, False, "0.4", 0.05),  # one decimal: half of it
        (1.2345, False, "1.2", 0.05),  # a share the generator worked out: aimed at as LAIT would print it
        (30.0, True, "30", 1.0),  # a count under 50: one child
        (1159.5, True, "1160", 23.19),  # a count scaled by half: 2%
    ],
)
def test_the_generator_aims_within_the_checkers_tolerance(
    value: float, count: bool, printed: str, allowed: float
) -> None:
    # synth/targets.allowed is lait_check.allowed_difference for the value printed as LAIT prints it
    assert targets.allowed(value, count=count) == pytest.approx(allowed)
    assert targets.allowed(value, count=count) == allowed_difference(printed, value, count)


@pytest.mark.parametrize(
    ("measure", "start_year", "rounded_to"),
    [
        ("LACStableNum_2016on", 2015, 5),  # every LA's 2015-16 count a multiple of 5 (163 of them)
        ("LACStableNum_2016on", 2016, 5),
        ("LACStableNum_2016on", 2017, 1),  # 2017-18's are not all multiples of 5
        ("LAC_ceased_SGO", 2016, 5),  # looked-after children's counts were rounded those years
        ("CPP_Num", 2016, 1),  # child protection's were not
        ("LACStable_2016on", 2015, 1),  # a percentage
    ],
)
def test_the_rounding_of_a_published_count_is_read_from_the_published_values(
    measure: str, start_year: int, rounded_to: int
) -> None:
    assert lait_rounding(measure, start_year) == rounded_to


def test_a_count_published_to_the_nearest_5_may_be_up_to_2_away() -> None:
    # Hartlepool 2015-16: 15 looked-after children with three or more placements, rounded: 13 to 17
    def check(n: int) -> LaitCheck:
        figure = {"value": n, "numerator": n, "denominator": None}
        (only,) = lait_checks({"2015-16": {"cla_3plus_placements_count": figure}}, "805")
        return only

    assert check(15).printed == "15"
    assert check(13).within and check(17).within
    assert not check(12).within and not check(18).within


def test_a_check_withheld_is_never_within() -> None:
    check = LaitCheck("x", "X", "2015-16", 10.0, "10", None, 1.0)
    assert not check.within
    assert "withheld" in str(check)
    assert LaitCheck("x", "X", "2015-16", 10.0, "10", 10.9, 1.0).within
    assert not LaitCheck("x", "X", "2015-16", 10.0, "10", 11.1, 1.0).within


# ---- landing on a target ----------------------------------------------------------------------------------------


def test_quota_lands_on_its_target_when_every_yes_is_carried_out() -> None:
    rng = random.Random(1)
    quota = Quota(7, 20)
    yeses = 0
    for _ in range(20):
        if quota.want(rng):
            quota.done()
            yeses += 1
    assert yeses == 7
    assert not quota.want(rng)  # no decisions left


def test_quota_makes_up_a_yes_that_could_not_be_carried_out() -> None:
    rng = random.Random(2)
    quota = Quota(3, 10)
    wanted, done = 0, 0
    for _ in range(10):
        if quota.want(rng):
            wanted += 1
            if wanted > 1:  # the first yes finds nobody: not counted, so a later decision makes it up
                quota.done()
                done += 1
    assert done == 3


def test_shares_land_on_their_targets() -> None:
    shares = Shares({"a": 5, "b": 3, "c": 0})
    rng = random.Random(3)
    picks = [shares.pick(rng) for _ in range(8)]
    assert sorted(picks) == ["a"] * 5 + ["b"] * 3
    assert shares.pick(rng) in ("a", "b")  # every target met: in proportion to the targets, never "c"


def _targets(lait: dict[str, float], this_year: set[str], scale: float = 1.0) -> YearTargets:
    return YearTargets(
        start_year=2016, referrals=0, cin_at31=0, cpp_at31=0, cpp_starts=0, cla_at31=0, cla_starts=0,
        cla_ceased=0, s47=0, icpc=0, short_breaks=0, uasc_share=0.0, missing_share=0.0, care_leavers_19_21=0,
        care_leavers_17_18=0, teen_stays=0.0, teen_share=0.0, pct={}, lait=lait, scale=scale,
        lait_this_year=frozenset(this_year),
    )  # fmt: skip


def test_lait_number_agrees_with_the_published_count_and_share() -> None:
    # 25 adopted and 21% published of 120 ceasing: 21% of 120 is 25.2, so 25 fits both
    t = _targets({"n": 25, "pct": 21}, {"n", "pct"})
    assert t.lait_number("n", "pct", 120) == 25
    # 60 published but 21% of 200 is 42: no number is within 2% (or one child) of both, so the count wins
    assert _targets({"n": 60, "pct": 21}, {"n", "pct"}).lait_number("n", "pct", 200) == 60
    # only the share is this year's (the count is another year's stand-in): the share decides
    assert _targets({"n": 60, "pct": 21}, {"pct"}).lait_number("n", "pct", 200) == 42
    # a count is scaled with the council; a share is not
    assert _targets({"n": 60}, {"n"}, scale=0.5).lait_number("n", None, 200) == 30
    assert _targets({}, set()).lait_number("n", "pct", 200) is None


def test_a_small_count_meets_its_rate_per_10000_within_its_own_one_child() -> None:
    # Rutland 2015-16: 40 looked after are 49.83 per 10,000 of ONS's 8,028 children, outside LAC's 52 ±1.04 (50.96
    # to 53.04, 40.9 to 42.6 children); 41 (51.07) is within that and within one child of 40
    t = _targets({"LACnum": 40, "LAC": 52}, {"LACnum", "LAC"})
    assert targets._within_rate(t, 40, "LACnum", "LAC", 8028) == 41
    assert targets._within_rate(t, 42, "LACnum", "LAC", 8028) == 42  # 52.32: already within
    # 45 published where the rate asks for 41.7: no number within one child of 45 is within the rate: kept
    assert targets._within_rate(_targets({"N": 45, "LAC": 52}, {"N", "LAC"}), 45, "N", "LAC", 8028) == 45
    # a count of 50 or more is met only within its 2% anyway: kept (Norfolk's 1,107 at 66.4 against 65 ±1.3)
    big = _targets({"LACnum": 1107, "LAC": 65}, {"LACnum", "LAC"})
    assert targets._within_rate(big, 1107, "LACnum", "LAC", 166_800) == 1107
    # another year's rate stands in: kept
    assert (
        targets._within_rate(_targets({"LACnum": 40, "LAC": 52}, {"LACnum"}), 40, "LACnum", "LAC", 8028) == 40
    )


def _front_door(lait: dict[str, float], this_year: set[str], icpc: int, s47: int, starts: int) -> YearTargets:
    t = _targets(lait, this_year)
    return dataclasses.replace(
        t, icpc=icpc, s47=s47, cpp_starts=starts, pct={"icpc_15wd_pct": lait["CP_conf_15days"]}
    )


def test_conferences_come_from_their_rate_where_a_band_is_another_years() -> None:
    # Rutland 2016-17: 13 within 10 working days and 24 within 11 to 15 published, 16 to 20 and 21 or more
    # suppressed (0 and 30 stand in from other years): 67. ISCP_Conf's 51 per 10,000 of 8,044 is 41.02 conferences,
    # and only 41 is within ±1.02 (50.97 and 52.21 for 40 and 42). 90.2% within 15 working days of 41 is 37 = 13 +
    # 24; the 4 later split 60:40 as England's, round(2.4) = 2 and 2. Section_47's 125.6 is 101.03 enquiries (99 to
    # 103 within ±2.51), not the 1.6 a conference (107)
    lait = {"10_ICPC": 13, "15_ICPC": 24, "20_ICPC": 0, "21_ICPC": 30, "ISCP_Conf": 51, "Section_47": 125.6,
            "CP_conf_15days": 90.2}  # fmt: skip
    t = _front_door(lait, {"10_ICPC", "15_ICPC", "ISCP_Conf", "Section_47", "CP_conf_15days"}, 67, 107, 36)
    targets._conferences_and_enquiries(t, 8044)
    assert (t.icpc, t.s47) == (41, 101)
    assert [t.lait_count(m) for m in targets.ICPC_BANDS] == [13, 24, 2, 2]


def test_enquiries_and_conferences_meet_at_a_number_both_rates_allow() -> None:
    # Rutland 2015-16: ISCP_Conf 72.2 ±1.44 per 10,000 of 8,028 is 57 to 59 conferences (57.96 from the rate);
    # Section_47 69.8 ±1.4 is 55 to 57 enquiries (56.04). Every conference has an enquiry of its own year in the
    # simulation, so both come to 57. 41.4% within 15 working days of 57 is 24: 15 published within 10, so 9 within
    # 11 to 15; 30 published after 21 or more, so 57 - 24 - 30 = 3 within 16 to 20
    lait = {"10_ICPC": 15, "15_ICPC": 11, "20_ICPC": 0, "21_ICPC": 30, "ISCP_Conf": 72.2, "Section_47": 69.8,
            "CP_conf_15days": 41.4}  # fmt: skip
    t = _front_door(lait, {"10_ICPC", "21_ICPC", "ISCP_Conf", "Section_47", "CP_conf_15days"}, 56, 90, 46)
    targets._conferences_and_enquiries(t, 8028)
    assert (t.icpc, t.s47) == (57, 57)
    assert [t.lait_count(m) for m in targets.ICPC_BANDS] == [15, 9, 3, 30]
    # every band published (none another year's): the bands' sum stays, whatever the rate
    full = _front_door(lait, {*targets.ICPC_BANDS, "ISCP_Conf", "CP_conf_15days"}, 56, 90, 46)
    targets._conferences_and_enquiries(full, 8028)
    assert (full.icpc, full.s47) == (56, 90)


def test_plans_ending_out_of_reach_move_no_count() -> None:
    # Rutland 2015-16: 36.1 per 10,000 of 8,028 is 28.98 plans ended, where 27 open a year before and 46 starting,
    # less 27 open, ended 46; one plan either way for each of the three counts cannot close 17: none moves
    before = dataclasses.replace(_targets({}, set()), start_year=2014, cpp_at31=27)
    after = dataclasses.replace(
        _targets({"DeRegCPR": 36.1}, {"DeRegCPR"}), start_year=2015, cpp_at31=27, cpp_starts=46, icpc=57
    )
    targets.plans_ended_from_flows({2014: before, 2015: after}, "857")
    assert (before.cpp_at31, after.cpp_starts, after.cpp_at31) == (27, 46, 27)


def test_a_cohort_smaller_than_published_keeps_the_shares_in_and_not_in_education() -> None:
    # Rutland 2016-17: 20 care leavers aged 19 to 21 published (18 to 22), 15 in education, employment or training
    # (13 to 17), 70%, and 30% not. The council has 14: no number is within both 15 and 70% of 14 (9.8), so the
    # count was aimed at (all 14), 100% against 70% and none against 30%. 30% of 14 is 4 not in education; the
    # count gives way by what overfills the cohort (15 + 4 - 14 = 5): 10 in it (71.4%), 4 not (28.6%)
    from csc_scorecard.synth.fit import NEET, fit_care_leavers
    from csc_scorecard.synth.model import CareLeaverRecord, World

    records = [
        CareLeaverRecord(Child(f"c{i}", dt.date(1997, 6, 1), 1, "WBRI"), 2016, 19, "YES", "G4", "B1", "")
        for i in range(14)
    ]
    world = World("857", "Rutland", 5, [2016], [], [], [], records)
    lait = {"NoCareLeavers": 20, "CareLeaverEETNum": 15, "CareLeaverEET": 70, "CareLeaversNEET": 30}
    t = dataclasses.replace(_targets(lait, set(lait)), start_year=2016)
    fit_care_leavers(world, t, random.Random(1), 2016)
    eet = sum(1 for r in records if r.activ[:1] in ("F", "P"))
    neet = sum(1 for r in records if r.activ in NEET)
    assert (eet, neet) == (10, 4)


# ---- the year-end fit of episodes of need, worked by hand -------------------------------------------------------


def _episode(referral: dt.date, assessed: dt.date | None = None) -> CinEpisode:
    episode = CinEpisode(Child("c", dt.date(2010, 1, 1), 1, "WBRI"), referral, "1A", "N1", "referral")
    if assessed is not None:
        episode.assessment = Assessment(referral, assessed, ())
    return episode


def test_fewer_open_where_too_few_are_young_enough_for_the_share_under_3_months() -> None:
    # Hartlepool 2016-17: 20.7% of 1,319 open under 3 months is 273, but only 187 held open + 79 free were referred
    # in the last 3 months: 266 is 20.17% of 1,319, below 20.7 - 0.414. 266 / (20.7 - 0.207)% = 1,298, and the
    # CIN rate's tolerance lets the number open fall to 1,319 - 0.75 x 26.38 = 1,299.2: 1,300 (266 is 20.46%)
    t = dataclasses.replace(_targets({"CINTime3months": 20.7}, {"CINTime3months"}), cin_at31=1319)
    end = dt.date(2017, 3, 31)
    young = [_episode(dt.date(2017, 2, 1)) for _ in range(79)]
    older = [_episode(dt.date(2016, 6, 1)) for _ in range(400)]
    fixed = Counter({0: 187, 4: 500})
    assert year_end._within_young(t, 1319, fixed, young + older, end) == 1300
    # with 280 young (21.2%) the number open stays as it was
    more = young + [_episode(dt.date(2017, 3, 1)) for _ in range(14)]
    assert year_end._within_young(t, 1319, fixed, more + older, end) == 1319


def test_an_episode_with_no_shorter_band_left_closes_in_a_longer_band_with_room() -> None:
    # Three episodes referred 10 April 2014, each assessed 15 August (4 months on: none can close under 3 months),
    # open 6 to 12 months at 31 March 2015 if kept open. One closure is wanted after 3 to 6 months and one after 6
    # to 12 months; none is to stay open. Without limits the third closes after 3 to 6 months, its band when the
    # longer one is full; with the 3 to 6 months band at its limit (1) and room in 6 to 12 months (2), it closes there.
    start, end = dt.date(2014, 4, 1), dt.date(2015, 3, 31)
    free = [_episode(dt.date(2014, 4, 10), dt.date(2014, 8, 15)) for _ in range(3)]
    targets = [0, 1, 1, 0, 0]

    def bands(limits: list[int] | None) -> Counter:
        plan = year_end._assign(free, Counter(), Counter(), [0] * 5, targets, 0, start, end, limits)
        return Counter(plan.values())

    assert bands(None) == Counter({1: 2, 2: 1})
    assert bands([0, 1, 2, 0, 0]) == Counter({1: 1, 2: 2})


def test_a_closed_bands_limit_is_its_target_and_half_its_tolerance() -> None:
    # Walsall 2014-15: 6.9% of 5,561 closures, 384; its tolerance is 0.138 points (7.67 closures), half of it 3.8
    t = _targets(
        {m: v for m, v in zip(year_end.CLOSED_MEASURES, (73.5, 6.9, 9.2, 6.5, 3.9), strict=True)}, set()
    )
    limits = year_end._closed_limits(t, [4087, 384, 512, 361, 217], 5561)
    assert limits == [4087 + 40, 384 + 3, 512 + 5, 361 + 3, 217 + 2]


# ---- episodes passing their second anniversary, worked by hand --------------------------------------------------


def _durations(open_shares: tuple[float, ...], closed_shares: tuple[float, ...] = ()) -> dict[str, float]:
    closed = dict(zip(year_end.CLOSED_MEASURES, closed_shares, strict=True)) if closed_shares else {}
    return dict(zip(year_end.OPEN_MEASURES, open_shares, strict=True)) | closed


EVERY_BAND = set(year_end.OPEN_MEASURES) | set(year_end.CLOSED_MEASURES)


def _two_years(before_open: tuple[float, ...]) -> dict[int, YearTargets]:
    # 1,000 open at the start; at the end 1,000 open, 30% of them 2 years or more, and 1,000 referrals x (1 - 20%
    # NFA - 30% assessed not in need) = 500 episodes started, so 1,000 + 500 - 1,000 = 500 closed: 10% (50) after
    # 2 years or more, 30% (150) after 1 to 2 years
    before = dataclasses.replace(_targets(_durations(before_open), EVERY_BAND), cin_at31=1000)
    lait = _durations((30, 10, 20, 10, 30), (40, 10, 10, 30, 10)) | {"Referrals_AssessedNotNeed": 30}
    t = dataclasses.replace(_targets(lait, EVERY_BAND), cin_at31=1000, referrals=1000, pct={"nfa_pct": 20})
    return {2015: before, 2016: t}


def test_the_places_for_episodes_a_year_and_two_years_old() -> None:
    # 365 open 2 years or more at the start, 300 + 50 places for them: 15 too few. 500 a year or more old, 300 + 50
    # + 150 places: none over
    targets_by_year = _two_years((20, 10, 20, 13.5, 36.5))
    assert two_year_room(targets_by_year[2015], targets_by_year[2016]) == pytest.approx(-15)
    assert one_year_room(targets_by_year[2015], targets_by_year[2016]) == pytest.approx(0)
    # 300 open 2 years or more: 50 over
    roomy = _two_years((20, 10, 20, 20, 30))
    assert two_year_room(roomy[2015], roomy[2016]) == pytest.approx(50)
    assert two_year_room(roomy[2015], dataclasses.replace(roomy[2016], lait={})) is None  # nothing published


def test_too_few_places_move_the_old_episodes_within_their_tolerances() -> None:
    # 15 too few (above). The share open 2 years or more at the start, 36.5% (tolerance 0.73, 2%), goes 0.9 of it
    # lower, to 35.843, the younger bands x 64.157 / 63.5; 30% at the end (0.6) 0.6 of it higher, to 30.36, the
    # younger x 69.64 / 70. The number open at the start (tolerance 20) to 982, at the end to 1,018: 464 closed.
    # 46.4 + 309.06 places for 351.98 two years old; 185.6 + 309.06 for 49.48% of 982 = 485.9 a year old: both
    # fit, so the targets move and the simulation re-opens care's episodes in 2016-17.
    targets_by_year = _two_years((20, 10, 20, 13.5, 36.5))
    assert _two_years_within_reach(targets_by_year) == {2016}
    before, after = targets_by_year[2015], targets_by_year[2016]
    younger = 64.157 / 63.5
    assert [before.lait[m] for m in year_end.OPEN_MEASURES] == pytest.approx(
        [20 * younger, 10 * younger, 20 * younger, 13.5 * younger, 35.843]
    )
    younger = 69.64 / 70
    assert [after.lait[m] for m in year_end.OPEN_MEASURES] == pytest.approx(
        [30 * younger, 10 * younger, 20 * younger, 10 * younger, 30.36]
    )
    assert (before.cin_at31, after.cin_at31) == (982, 1018)
    assert two_year_room(before, after) == pytest.approx(46.4 + 0.3036 * 1018 - 0.35843 * 982)  # 3.5
    # with room to spare nothing moves; nor where even the moves leave too few places (40%: 50 too few, 30.3 after)
    for shares in ((20, 10, 20, 20, 30), (20, 10, 20, 10, 40)):
        unmoved = _two_years(shares)
        kept = {y: (t.lait, t.cin_at31) for y, t in unmoved.items()}
        assert _two_years_within_reach(unmoved) == frozenset()
        assert {y: (t.lait, t.cin_at31) for y, t in unmoved.items()} == kept


def _simulation(history_from: dt.date) -> Simulation:
    sim = Simulation("857", {}, [2016], random.Random(5), ([], []), [], "LE")
    sim.history_from = history_from
    return sim


def test_referrals_lean_to_the_years_end_where_the_share_open_under_3_months_asks_for_it() -> None:
    # Rutland 2016-17: 383 referrals, 9.9% ending in no further action and 28.2% assessed not in need leave
    # 383 x 0.619 = 237.077 episodes; 36.3% of 240 open under 3 months is 87.12, 36.75% of them: over 32%, so that
    # share of the referrals comes from 1 January 2017 (90 days to 31 March)
    start, end = dt.date(2016, 4, 1), dt.date(2017, 3, 31)
    lait = {"CINTime3months": 36.3}
    pct = {"nfa_pct": 9.9, "not_in_need_pct": 28.2}
    t = dataclasses.replace(_targets(lait, set(lait)), referrals=383, cin_at31=240, pct=pct)
    sim = _simulation(start)
    late = sim._late_referrals(t, start, end)
    assert late is not None and late[0] == 90 and abs(late[1] - 87.12 / 237.077) < 1e-9
    # Hartlepool 2016-17's 20.7% of 1,319 is 29.9% of its 914 episodes: an even year, as before
    hartlepool = dataclasses.replace(t, referrals=1269, cin_at31=1319, lait={"CINTime3months": 20.7})
    hartlepool.pct = {"nfa_pct": 100 * (1 - 914 / 1269) / 2, "not_in_need_pct": 100 * (1 - 914 / 1269) / 2}
    assert sim._late_referrals(hartlepool, start, end) is None
    # another year's share stands in, or a burn-in year: an even year
    assert sim._late_referrals(dataclasses.replace(t, lait_this_year=frozenset()), start, end) is None
    assert _simulation(dt.date(2017, 4, 1))._late_referrals(t, start, end) is None

    # the same draws give the same days where nothing leans; 36.75% in the last 90 days where it does
    n_days = (end - start).days + 1
    even, rng = _simulation(start), random.Random(5)
    for _ in range(200):
        day = start + dt.timedelta(days=int(rng.random() * n_days))
        if day.weekday() >= 5 and rng.random() < 0.85:
            day = start + dt.timedelta(days=int(rng.random() * n_days))
        assert even._referral_day(start, n_days) == day
    days = [sim._referral_day(start, n_days, late) for _ in range(20_000)]
    assert all(start <= d <= end for d in days)
    assert 0.35 < sum(d > dt.date(2016, 12, 31) for d in days) / len(days) < 0.385


def test_the_last_working_day_by_a_date() -> None:
    assert year_end._last_working_day(dt.date(2017, 3, 31)) == dt.date(2017, 3, 31)  # a Friday
    assert year_end._last_working_day(dt.date(2017, 4, 2)) == dt.date(2017, 3, 31)  # a Sunday
    # Easter 2016: Good Friday 25 March, Easter Monday 28 March
    assert year_end._last_working_day(dt.date(2016, 3, 28)) == dt.date(2016, 3, 24)


def test_conferences_short_with_the_plans_met_are_brought_forward() -> None:
    # Rutland 2016-17: 41 conferences and 36 plans published; 39 held, all 39 within 15 working days (three working
    # days after their enquiry), and the 36 plans. Two conferences that started no plan fell after 31 March: one
    # from an enquiry begun 1 March 2017, one from 29 March. 39 of 40 within would be 97.5%, over 90.2%, so the
    # enquiry begun earliest has its conference on Friday 31 March (22 working days on, after 15); then 39 of 41 is
    # still over, but the other began 2 working days before 31 March: its conference 3 working days after the
    # referral of 27 March, on 30 March
    start, end = dt.date(2016, 4, 1), dt.date(2017, 3, 31)
    t = dataclasses.replace(_targets({}, set()), icpc=41, cpp_starts=36, pct={"icpc_15wd_pct": 90.2})
    sim = _simulation(start)
    for _ in range(39):
        held = _episode(dt.date(2016, 9, 1))
        held.s47s.append(Section47(dt.date(2016, 9, 1), dt.date(2016, 9, 6), dt.date(2016, 9, 6)))
        sim.live.append(held)
    early, late = _episode(dt.date(2017, 2, 28)), _episode(dt.date(2017, 3, 27))
    early.s47s.append(Section47(dt.date(2017, 3, 1), dt.date(2017, 4, 12), dt.date(2017, 4, 12)))
    late.s47s.append(Section47(dt.date(2017, 3, 29), dt.date(2017, 4, 10), dt.date(2017, 4, 10)))
    sim.live += [late, early]
    year_end._bring_forward(sim, t, start, end, 39, 36)
    assert (early.s47s[0].start, early.s47s[0].icpc) == (dt.date(2017, 3, 1), dt.date(2017, 3, 31))
    assert (late.s47s[0].start, late.s47s[0].icpc) == (dt.date(2017, 3, 27), dt.date(2017, 3, 30))
    # 40 held: within one conference of 41, nothing moves
    again = _episode(dt.date(2017, 3, 27))
    again.s47s.append(Section47(dt.date(2017, 3, 29), dt.date(2017, 4, 10), dt.date(2017, 4, 10)))
    sim.live.append(again)
    year_end._bring_forward(sim, t, start, end, 40, 36)
    assert again.s47s[0].icpc == dt.date(2017, 4, 10)


def test_care_leavers_short_of_the_published_cohort_come_from_before_the_returns() -> None:
    # 20 published aged 19 to 21 in 2016-17 (±1, a count under 50), none in the simulation: 20 x 1.05 = 21 young
    # people 19 that year, whose care (from 14, ending at 16 or 17) and episode of need ended before 1 April 2015,
    # the first day the returns write: former relevant care leavers that no CIN or 903 episode shows
    first_day = dt.date(2015, 4, 1)
    wanted = {2016: dataclasses.replace(_targets({}, set()), care_leavers_19_21=20)}
    sim = Simulation("857", wanted, [2016], random.Random(5), (["WBRI"], [1.0]), [], "LE")
    sim.history_from = first_day
    sim._leavers_before_returns()
    assert len(sim.children) == 21
    for child in sim.children:
        assert dt.date(2016, 4, 1) <= birthday(child.dob, 19) <= dt.date(2017, 3, 31)
        period = former_relevant(child)
        assert period is not None and period is child.periods[0]
        assert 16 <= age_on(child.dob, period.end) <= 17 and period.end < first_day
        assert child.episodes[0].closed is not None and child.episodes[0].closed < first_day
    # 21 against 22 is within the count's one child: nothing added, no draw taken
    wanted[2016] = dataclasses.replace(wanted[2016], care_leavers_19_21=22)
    state = sim.rng.getstate()
    sim._leavers_before_returns()
    assert len(sim.children) == 21 and sim.rng.getstate() == state
    # 19 in 2018-19 is 16 after 1 April 2015: too young to have left care before the returns, so none
    later = Simulation("857", {2018: wanted[2016]}, [2018], random.Random(5), (["WBRI"], [1.0]), [], "LE")
    later.history_from = first_day
    later._leavers_before_returns()
    assert later.children == []
