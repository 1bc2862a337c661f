"""The synthetic council beside its LA's published LAIT figures (synth/lait_check.py, synth/fit.py,
synth/year_end.py): every computed indicator with a published value for the LA, in every calibrated year, within
2% (1 for a count under 50, or the rounding of the printed value).

Not every figure gets there yet. KNOWN_GAPS lists, per LA, the (year, indicator) pairs still outside; a figure
newly outside fails, and so does a listed gap that has closed (take it off the list). A figure the returns
withhold (its history reaches before the first year written) is reported, not compared.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from csc_scorecard.synth import generate
from csc_scorecard.synth.choice import Quota, Shares
from csc_scorecard.synth.lait_check import LaitCheck, allowed_difference, lait_checks
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

# Still outside. Most are how long episodes of need lasted, where one year's published figures contradict the
# last's: every episode 2 years old in a year (open 2 years or more at 31 March, or closed after 2 years) was open
# a year or more at the previous 31 March, and every episode open a year or more then is a year or more old when
# it closes or at the next 31 March. Published counts (share x total, the totals as the returns give them):
# - Walsall 2015-16: open 2y+ 39.2% of 2,664 = 1,044 and closed 2y+ 14.4% of 3,296 = 475 make 1,519, but
#   only 1,217 were open a year or more at 31 March 2015 (16.9% + 34.9% of 2,349); the 302 short closed under
#   3 months instead (no other band has room for them within 2%).
# - Norfolk 2016-17: 5,899 were open a year or more at 31 March 2016 (30.8% + 24.6% of 10,648), but open 2y+
#   31.7% of 4,794 = 1,520, closed 2y+ 8.7% and closed 1-2y 10.3% of 13,591 = 2,582 leave room for 4,102: the
#   other 1,797 close after 1-2 years, so too few close under 3 months, and 6-12 months takes part of it.
# - Birmingham 2015-16: open 2y+ 2,974 + closed 2y+ 1,300 = 4,274 against 3,987 open a year or more at 31 March
#   2015; 2016-17: 2,949 + 1,677 = 4,626 against 4,402 (beyond the 2% of all four figures: 181); the shortfall
#   closes under 3 months (2015-16: 287 episodes, more than the other bands' tolerances together, 234).
# - Hartlepool 2016-17: open 2y+ 32.8% of 1,319 = 433 and closed 2y+ 20.5% of 1,003 = 206 make 639 against 615
#   open a year or more at 31 March 2016 (19.2% + 39.2% of 1,053); they meet only with all four figures at the
#   edge of their 2% at once (-9, -4, +4, +8) while every other 2015-16 band holds; the 24 short close under 3
#   months (305 against 28% = 281).
# - Walsall 2016-17: of the 1,453 open a year or more at 31 March 2016, 82 of the 410 open 1-2 years are held
#   open past 31 March 2017 by a plan or care (2 years or more by then), so at most 793 - 82 = 711 of the 1,043
#   open 2 years or more stay open: at least 332 close after 2 years against 6.4% of 4,095 = 262 (±5); the
#   generator closes 368, and closures under 3 months fall short by as many.
# Plans ended per 10,000 (Walsall 2016-17): plans open at 31 March 2016 (375) + plans starting (528) - plans open
# at 31 March 2017 (333) = 570 ended, 86.3 per 10,000 of 66,044; LAIT publishes 91.3 (603 plans).
# Three or more placements (Hartlepool): LAIT's count and share disagree by more than the tolerance; the count
# wins. 2015-16: 15 (14 to 16) against 6% of 205 looked after (12 or 13); 2016-17: 15 against 5% of 253 (13).
KNOWN_GAPS: dict[str, set[tuple[str, str]]] = {
    "335": {
        ("2015-16", "cin_closed_under_3m_pct"),
        ("2015-16", "cin_closed_2y_plus_pct"),
        ("2016-17", "cin_closed_under_3m_pct"),
        ("2016-17", "cin_closed_2y_plus_pct"),
        ("2016-17", "cpp_ended_rate"),
    },
    "805": {
        ("2015-16", "cla_3plus_placements_pct"),
        ("2016-17", "cla_3plus_placements_pct"),
        ("2016-17", "cin_closed_under_3m_pct"),
        ("2016-17", "cin_closed_2y_plus_pct"),
    },
    "926": {
        ("2016-17", "cin_closed_under_3m_pct"),
        ("2016-17", "cin_closed_6_12m_pct"),
        ("2016-17", "cin_closed_1_2y_pct"),
        ("2016-17", "cin_closed_2y_plus_pct"),
    },
    "330": {
        ("2015-16", "cin_closed_under_3m_pct"),
        ("2015-16", "cin_closed_2y_plus_pct"),
        ("2016-17", "cin_closed_under_3m_pct"),
        ("2016-17", "cin_closed_2y_plus_pct"),
    },
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
    ["805", "926", "330"],
    ids=["hartlepool (255 looked after)", "norfolk (1,107)", "birmingham (1,837)"],
)
def test_councils_of_other_sizes_reproduce_their_published_lait_figures(la: str, tmp_path: Path) -> None:
    result = generate(la, ["2015-16", "2016-17"], seed=5, out=tmp_path)
    checks = lait_checks(result.ground_truth["indicators"], la)
    assert len(checks) > 100
    _compare(checks, la)


# ---- the tolerance, worked by hand ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "count", "one_child", "allowed"),
    [
        ("21", False, 0.0, 0.5),  # LAIT prints 21 for 20.5 to 21.5: wider than 2% of 21 (0.42)
        ("91.3", False, 0.0, 1.826),  # 2% of 91.3
        ("0.4", False, 0.0, 0.05),  # half the last digit
        ("30", True, 0.0, 1.0),  # a count under 50: one child
        ("250", True, 0.0, 5.0),  # 2% of 250
        ("6", False, 100 / 48, 100 / 48),  # a share of 48 children: one child moves it 2.08 points
    ],
)
def test_allowed_difference(printed: str, count: bool, one_child: float, allowed: float) -> None:
    assert allowed_difference(printed, float(printed), count, one_child) == pytest.approx(allowed)


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
