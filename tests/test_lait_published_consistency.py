"""Published LAIT figures that contradict one another (synth/lait_consistency.py), worked by hand; the facts
about DfE's counting the proofs rest on, read from the reference files shipped in the package; and the claimed
contradictions that do not hold up. tests/test_synth_lait.py checks every KNOWN_GAPS entry marked as a
contradiction has its proofs holding."""

from __future__ import annotations

import pytest

from csc_scorecard.synth.calibration import _ees, _lait
from csc_scorecard.synth.lait_consistency import (
    CATALOGUE,
    DFE,
    Figure,
    Proof,
    cin_one_year_old,
    cin_one_year_old_shorter_bands,
    cin_one_year_old_younger_open_bands,
    cin_two_years_old,
    cpp_plans_ended,
    cpp_plans_ended_too_few,
    three_plus_placements,
)


def test_norfolk_2016_17_worked_by_hand() -> None:
    # as DfE counts: open 1y+ at 31 March 2016, (30.8% + 24.6%) of 10,644 = 5,896.8; still open, 2y+, at 31 March
    # 2017: 31.7% of 4,794 = 1,519.7; closed after 1y+ in 2016-17: (10.3% + 8.7%) of 4,665 = 886.35
    dfe = cin_one_year_old("926", 2016, DFE)
    assert dfe.slack == pytest.approx(5896.776 - 1519.698 - 886.35)
    # at worst: 54.292% of 10,431.12 = 5,663.3 against 32.334% of 4,889.88 + 19.38% of 4,758.3 = 2,503.3
    assert dfe.least_slack() == pytest.approx(5663.3 - 1581.1 - 922.2, abs=0.5)
    # from the LAIT figures: 641.1 and 287.4 per 10,000 of 166,029 and 166,800 open (10,644.1 and 4,793.8);
    # started = 8,530 referrals less 9.3% ending in no further action and 27.4% assessed not in need = 63.3%;
    # closed = 10,644.1 + 8,530 x 63.3% - 4,793.8 = 11,249.8, of which 19% after 1y+ = 2,137.5
    catalogue = cin_one_year_old("926", 2016, CATALOGUE)
    assert catalogue.slack == pytest.approx(5896.8 - 1519.6 - 2137.5, abs=0.5)
    assert catalogue.least_slack() > 1000


def _proof(slack_of, **figures: tuple[float, float]) -> Proof:
    shown = {name: Figure(name, str(value), value, allowed) for name, (value, allowed) in figures.items()}
    return Proof("x", "2015-16", "worked by hand", shown, slack_of)


def test_least_slack_takes_every_figure_to_its_worst_edge() -> None:
    # 10 ± 1 against 8 ± 0.5: at worst 9 against 8.5
    difference = _proof(lambda v: v["a"] - v["b"], a=(10.0, 1.0), b=(8.0, 0.5))
    assert difference.slack == 2.0
    assert difference.least_slack() == pytest.approx(0.5)
    # a share of a total: 40% ± 1 of 100 ± 2 against 30 ± 1 is at worst 39% of 98 = 38.22 against 31
    share = _proof(lambda v: v["p"] * v["n"] / 100 - v["c"], p=(40.0, 1.0), n=(100.0, 2.0), c=(30.0, 1.0))
    assert share.least_slack() == pytest.approx(38.22 - 31)
    # where the tolerances close the gap, the least slack is negative: no contradiction
    assert _proof(lambda v: v["a"] - v["b"], a=(10.0, 1.0), b=(9.5, 0.5)).least_slack() < 0


# ---- what DfE's counting is, from its own figures ---------------------------------------------------------------


@pytest.mark.parametrize("year", [2015, 2016, 2017])
def test_dfe_episodes_leave_out_referrals_assessed_not_in_need(year: int) -> None:
    # B1's episodes starting are C1's referrals less those ending in no further action and those assessed as not
    # in need, to the episode in more than 9 LAs in 10 (LAIT CIN_Refferals_NFA: "Referrals which led to an assessment
    # where the child was assessed as not in need of services are not included in the other children in need
    # population measures"); leaving out only the referrals ending in no further action is a third too many
    c1 = "cin_c1_referrals_and_rereferrals_2013_to_2025.csv"
    columns = (
        _ees("cin_b1_children_in_need_2013_to_2025.csv", "Started_episodes"),
        _ees(c1, "referral_count"),
        _ees(c1, "no_further_action_count"),
        _ees(c1, "not_in_need_count"),
    )
    rows = []
    for la in columns[0]:
        raws = [column.get(la, {}).get(year, [("", "")])[0][0] for column in columns]
        if all(raw.isdigit() for raw in raws):  # suppressed or missing in some LAs
            rows.append([int(raw) for raw in raws])
    assert len(rows) > 130
    exact = [started == referrals - nfa - not_in_need for started, referrals, nfa, not_in_need in rows]
    assert sum(exact) >= 0.9 * len(rows)
    assert all(abs(s - (r - n - i)) <= 0.06 * s for s, r, n, i in rows)
    assert sorted((r - n) / s for s, r, n, _ in rows)[len(rows) // 2] > 1.3


@pytest.mark.parametrize("year", [2015, 2016, 2017])
def test_dfe_episodes_ended_leave_out_referrals_assessed_not_in_need(year: int) -> None:
    # A referral assessed as not in need was closed in the year (RC8 or RC9 by 31 March). Were those closures
    # among B1's episodes ending in the year (the episodes B5 gives by duration: CINCease*), no LA could have
    # fewer ended than referrals assessed not in need; 13 or more do each year (Walsall 2015-16: 1,604 assessed
    # not in need, 1,495 ended). The same episodes are children in need at any point: open at 31 March or ended.
    b1 = "cin_b1_children_in_need_2013_to_2025.csv"
    columns = (
        _ees(b1, "Ended_episodes"),
        _ees(b1, "At31_episodes"),
        _ees(b1, "Anypoint_episodes"),
        _ees("cin_c1_referrals_and_rereferrals_2013_to_2025.csv", "not_in_need_count"),
    )
    rows = {}
    for la in columns[0]:
        raws = [column.get(la, {}).get(year, [("", "")])[0][0] for column in columns]
        if all(raw.isdigit() for raw in raws):
            rows[la] = [int(raw) for raw in raws]
    assert len(rows) > 130
    assert all(anypoint == at31 + ended for ended, at31, anypoint, _ in rows.values())
    fewer = {la for la, (ended, _, _, not_in_need) in rows.items() if ended < not_in_need}
    assert len(fewer) >= 13
    if year == 2016:
        assert rows["335"][0] == 1495 and rows["335"][3] == 1604


@pytest.mark.parametrize(("year", "counts"), [(2016, 163), (2017, 161)])
def test_three_or_more_placements_counts_were_published_to_the_nearest_5(year: int, counts: int) -> None:
    # 2015-16 and 2016-17's counts are all multiples of 5 (later years' mostly are not): Hartlepool's 15 is 13 to
    # 17, which 6% of 206 looked after (2015-16) and 5% of 255 (2016-17) both allow
    published = [
        int(raw)
        for (measure, _), years in _lait().items()
        if measure == "LACStableNum_2016on"
        for y, raw in years.items()
        if y == year and raw.isdigit()
    ]
    assert len(published) == counts
    assert all(n % 5 == 0 for n in published)
    later = [
        int(raw)
        for (measure, _), years in _lait().items()
        if measure == "LACStableNum_2016on"
        for y, raw in years.items()
        if y > 2017 and raw.isdigit()
    ]
    assert any(n % 5 for n in later)


# ---- claimed contradictions that do not hold up -----------------------------------------------------------------


@pytest.mark.parametrize(("la", "start_year"), [("335", 2015), ("330", 2015), ("330", 2016)])
def test_episodes_two_years_old_fit_dfes_own_totals(la: str, start_year: int) -> None:
    # counted as DfE counts (B1's totals, assessed not in need left out), the episodes 2 years old fit within the
    # stock a year before once every figure may move by its tolerance; Walsall 2015-16 by 40.8 episodes
    assert cin_two_years_old(la, start_year, DFE).least_slack() < 0
    assert cin_one_year_old(la, start_year, DFE).least_slack() < 0


def test_walsall_2015_16_fits_once_closures_leave_out_the_referrals_assessed_not_in_need() -> None:
    # from the LAIT figures: 359.7 and 409.7 per 10,000 open (2,319.2 and 2,662.1); started = 3,899 referrals
    # less 7.4% ending in no further action and 41.1% assessed not in need; closed = 2,319.2 + 3,899 x 51.5% -
    # 2,662.1 = 1,665.1 (B1: 1,495 ended). 39.2% of 2,662.1 + 14.4% of 1,665.1 = 1,043.5 + 239.8 against
    # (16.9% + 34.9%) of 2,319.2 = 1,201.4: over as published, within once each figure may move by its tolerance.
    # Keeping those assessed not in need (3,268 closed, as the catalogue once counted) was 216.5 over at worst.
    catalogue = cin_two_years_old("335", 2015, CATALOGUE)
    assert catalogue.slack == pytest.approx(1043.5 + 239.8 - 1201.4, abs=0.1)
    assert catalogue.least_slack() == pytest.approx(-9.5, abs=0.1)
    assert cin_two_years_old("335", 2015, DFE).least_slack() == pytest.approx(-40.8, abs=0.1)


def test_walsall_2016_17_plans_ended_fit_within_the_tolerances() -> None:
    # 91.3 per 10,000 of 66,044 = 603.0 plans ended against 375 + 528 - 333 = 570; at the edges, 89.474 per
    # 10,000 (590.9) against 382.5 + 538.56 - 326.34 = 594.7
    proof = cpp_plans_ended("335", 2016)
    assert proof.slack == pytest.approx(602.98 - 570, abs=0.01)
    assert proof.least_slack() == pytest.approx(590.92 - 594.72, abs=0.01)


def test_rutland_2015_16_plans_ended_are_fewer_than_its_plans_can_give() -> None:
    # 36.1 per 10,000 of 8,028 children = 28.98 plans ended, where 27 open at 31 March 2015 and 46 started, less 27
    # open at 31 March 2016, ended 46; at the edges, 36.822 per 10,000 (29.56) against 26 + 45 - 28 = 43
    proof = cpp_plans_ended_too_few("857", 2015)
    assert proof.slack == pytest.approx(46 - 28.98, abs=0.01)
    assert proof.least_slack() == pytest.approx(43 - 29.56, abs=0.01)
    # the same figures read the other way round are no contradiction, and neither is Rutland's 2016-17
    assert cpp_plans_ended("857", 2015).least_slack() < 0
    assert cpp_plans_ended_too_few("857", 2016).least_slack() < 0


def test_rutland_2015_16_episodes_a_year_old_are_more_than_its_later_figures_can_hold() -> None:
    # as DfE counts: open 1y+ at 31 March 2015, (18.3% + 38.9%) of 229 = 130.99; still open, 2y+, at 31 March
    # 2016: 29.2% of 260 = 75.92; closed in 2015-16 after 6 months or more (the bands from 6 months are
    # suppressed): (100 - 63.6 - 25)% of 44 ended = 5.02
    dfe = cin_one_year_old_shorter_bands("857", 2015, DFE)
    assert dfe.slack == pytest.approx(130.988 - 75.92 - 5.016, abs=0.01)
    # at worst: (17.863 + 38.122)% of 224.42 = 125.64 against 29.784% of 265.2 = 78.99 and (100 - 61.33 -
    # 22.73)% of 45 = 7.17 (the shares of 44 closures, each under 50 children, may move by one: 2.27 points)
    assert dfe.least_slack() == pytest.approx(125.642 - 78.987 - 7.173, abs=0.01)
    # from the LAIT figures: 289.2 and 323.9 per 10,000 of 7,918 and 8,028 open (228.99 and 260.03); started =
    # 206 referrals less 0% ending in no further action and 3.9% assessed not in need = 197.97; closed = 228.99 +
    # 197.97 - 260.03 = 166.93, of which 11.4% after 6 months or more = 19.03
    catalogue = cin_one_year_old_shorter_bands("857", 2015, CATALOGUE)
    assert catalogue.slack == pytest.approx(130.98 - 75.93 - 19.03, abs=0.02)
    # at worst: 55.985% of 224.41 = 125.64 against 29.784% of 265.23 = 79.0 and 13.269% of (224.41 + 210.12 x
    # (1 - (-0.5 + 3.415)%) - 265.23 = 163.17) = 21.65
    assert catalogue.least_slack() == pytest.approx(125.64 - 79.0 - 21.65, abs=0.05)
    # 2016-17's figures fit within their tolerances, counted either way: no contradiction
    assert cin_one_year_old("857", 2016, DFE).least_slack() < 0
    assert cin_one_year_old("857", 2016, CATALOGUE).least_slack() < 0
    assert cin_two_years_old("857", 2016, CATALOGUE).least_slack() < 0


def test_rutland_2015_16_younger_open_bands_leave_too_few_places_for_the_old_episodes() -> None:
    # the five shares open at 31 March 2016 add to 100%: 23.8 + 23.5 + 15 + 8.5 = 70.8% under 2 years leave
    # 29.2% open 2 years or more, as published, so the slack as published is the stock's proof's
    dfe = cin_one_year_old_younger_open_bands("857", 2015, DFE)
    assert dfe.slack == pytest.approx(130.988 - 75.92 - 5.016, abs=0.01)
    # at worst each younger band at its bottom: 23.324 + 23.03 + 14.5 + 8.115 (8.5% of 260 is 22 children: one
    # child, 0.385 points) = 68.969%, leaving 31.031% of 265.2 = 82.29 open 2 years or more, against 125.64 open
    # a year or more at 31 March 2015 less 7.17 closed after 6 months or more
    assert dfe.least_slack() == pytest.approx(125.642 - 82.295 - 7.173, abs=0.01)
    # from the LAIT figures: 31.031% of 265.23 = 82.30, and 21.65 closed after 6 months or more
    catalogue = cin_one_year_old_younger_open_bands("857", 2015, CATALOGUE)
    assert catalogue.slack == pytest.approx(130.98 - 75.93 - 19.03, abs=0.02)
    assert catalogue.least_slack() == pytest.approx(125.64 - 82.30 - 21.65, abs=0.05)
    # wider than the share open 2 years or more's own tolerance (±0.584), so a weaker proof, but still one
    assert catalogue.least_slack() < cin_one_year_old_shorter_bands("857", 2015, CATALOGUE).least_slack()
    # 2016-17's younger bands leave room: no contradiction there
    assert cin_one_year_old_younger_open_bands("857", 2016, CATALOGUE).least_slack() < 0


def test_hartlepool_three_or_more_placements_fit_as_dfe_rounded_them() -> None:
    # 2015-16: 15 published is 13 to 17; 13 is 6.3% of 206 looked after. With the checker's one child either way
    # (14 at least) it is not: 6.5% of 210.12 is 13.66
    assert three_plus_placements("805", 2015, rounded_to=5).least_slack() < 0
    assert three_plus_placements("805", 2015).least_slack() == pytest.approx(14 - 13.66, abs=0.01)
    # 2016-17: 14 is 5.49% of 255, within even the checker's tolerance
    assert three_plus_placements("805", 2016).least_slack() < 0
