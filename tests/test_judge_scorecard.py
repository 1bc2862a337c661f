"""judge_indicator end to end: real published values for Walsall, every part carrying its rule, options."""

from __future__ import annotations

import datetime as dt

import pytest

from csc_scorecard.judge.bands import Band
from csc_scorecard.judge.indicator import IndicatorMeta, Point
from csc_scorecard.judge.scorecard import JudgeOptions, judge_indicator
from csc_scorecard.judge.targets import parse_targets
from csc_scorecard.periods import parse_period
from csc_scorecard.store import connect
from csc_scorecard.store.commentary import add_action, close_action, set_commentary

RR = IndicatorMeta(
    "re_referrals_12m_pct", "Re-referrals", "Front door", "percent", "lower", "flow", "ReReferral"
)
LOCAL = IndicatorMeta("early_help_pct", "Early help", "Early help", "percent", "higher", "flow", None)
CIN = IndicatorMeta("cin_count", "Children in need", "CIN", "count", "neutral", "stock")
TARGETS = parse_targets(
    'la = "335"\n[[target]]\nindicator = "re_referrals_12m_pct"\nvalue = 22.0\ntolerance = 2.0\n'
    "valid_from = 2016-04-01\nvalid_to = 2017-03-31\n"
)


def pct(code: str, numerator: int, denominator: int) -> Point:
    return Point(parse_period(code), numerator, denominator, 100 * numerator / denominator)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = connect(tmp_path_factory.mktemp("store") / "s.duckdb")
    yield con
    con.close()


def test_walsall_2016_17_re_referrals_against_real_published_values(con):
    # Walsall's own 2016-17 figure, 21.7% (LAIT ReReferral), as if computed by the engine
    series = [pct("2015-16", 948, 4000), pct("2016-17", 868, 4000)]  # 23.7% -> 21.7%
    j = judge_indicator(RR, series, la_code="335", period=parse_period("2016-17"), con=con, targets=TARGETS)
    got = {c.comparator: (c.value, c.year, c.label) for c in j.comparators}
    assert got["la"] == (21.7, "2016-17", "Walsall 2016-17")
    assert got["england"] == (21.9, "2016-17", "England 2016-17")
    assert got["region"] == (23.4, "2016-17", "West Midlands 2016-17")
    assert j.display == "21.7%"
    assert j.benchmark_rule == "Benchmarks: LAIT ReReferral for 2016-17"
    assert (j.positions["england"].placing, j.positions["england"].judgement) == ("in line with", "similar")
    region = j.positions["region"]
    assert (region.placing, region.judgement) == ("below", "better")
    assert region.rule == (
        "Below West Midlands 2016-17: 21.7% is 1.7 percentage points below 23.4%, outside the no-significant-change "
        "band of ±1.0 percentage points (lower is better: better)"
    )
    assert (j.quartile.band, j.published_quartile.band, j.quartile.n) == ("C", "C", 152)
    assert j.published_quartile.rule.startswith(
        "Quartile C among 152 LAs in 2016-17: published 2016-17 21.7% is"
    )
    assert (j.rag.status, j.trend_previous.judgement, j.trend_last_year.judgement) == (
        "green",
        "improving",
        "improving",
    )
    assert j.spc_rule == (
        "SPC over 2 points (2015-16 to 2016-17): only 2 points in the latest segment; limits and icons need at "
        "least 13, so no judgement is made"
    )
    assert j.spc is not None and j.spc.improvement == "decrease"
    assert [name for name, _ in j.rules()] == [
        "RAG", "Trend v previous period", "Trend v same period last year", "Benchmarks",
        "Position v statistical neighbours (mean)", "Position v statistical neighbours (median)",
        "Position v England", "Position v West Midlands", "Quartile (this period)", "Quartile (published)", "SPC",
        "Small numbers", "Projection",
    ]  # fmt: skip
    assert all(rule for _, rule in j.rules())


def test_in_year_period_uses_the_financial_years_benchmarks_and_the_target_valid_at_its_end(con):
    j = judge_indicator(RR, [pct("2017-18Q1", 230, 1000)], la_code="335", period=parse_period("2017-18Q1"), con=con,
                        targets=TARGETS)  # fmt: skip
    assert {c.year for c in j.comparators} == {"2017-18"}
    assert j.rag.rule == "No RAG: no target set"  # the 2016-17 target ended on 31 March 2017
    assert j.target is None
    # a period after the latest published year is compared with that year, and says so
    later = judge_indicator(
        RR, [pct("2030-31Q1", 230, 1000)], la_code="335", period=parse_period("2030-31Q1"), con=con
    )
    assert (
        later.benchmark_rule
        == "Benchmarks: LAIT ReReferral for 2024-25 (latest published at or before 2030-31)"
    )


def test_no_lait_measure_no_store_and_missing_value():
    series = [pct("2016-17", 50, 100)]
    local = judge_indicator(LOCAL, series, la_code="335", period=parse_period("2016-17"), con=None)
    assert local.benchmark_rule == "No published benchmark: the indicator has no LAIT measure"
    assert local.positions["england"].rule == "Not compared: no published England value"
    assert (
        local.quartile.rule == "No quartile band: no published benchmark: the indicator has no LAIT measure"
    )
    assert local.rag.rule == "No RAG: no target set"
    offline = judge_indicator(RR, series, la_code="335", period=parse_period("2016-17"), con=None)
    assert offline.benchmark_rule == "Benchmarks not looked up: no store connection"
    nothing = judge_indicator(RR, [Point(parse_period("2016-17"), 0, 0, None)], la_code="335",
                              period=parse_period("2016-17"), con=None, targets=TARGETS)  # fmt: skip
    assert nothing.display == "no value"
    assert nothing.rag.rule == "No RAG: there is no value for this period"
    assert nothing.spc is None and nothing.spc_rule == "SPC not applied: no value for this period"


def test_spc_is_not_applied_to_overlapping_windows_of_a_flow_but_is_to_a_stocks_quarter_ends():
    ytd = judge_indicator(RR, [pct("2016-17Q2", 20, 100), pct("2016-17Q3", 21, 100)], la_code="335",
                          period=parse_period("2016-17Q3"), con=None)  # fmt: skip
    assert ytd.spc is None
    assert ytd.spc_rule.startswith("SPC not applied: year-to-date and rolling 12-month windows overlap")
    quarters = [f"{y}-{(y + 1) % 100:02d}Q{q}" for y in (2013, 2014, 2015) for q in (1, 2, 3, 4)] + [
        "2016-17Q1"
    ]
    stock = [Point(parse_period(code), 500 + i, None, 500 + i) for i, code in enumerate(quarters)]
    j = judge_indicator(CIN, stock, la_code="335", period=parse_period("2016-17Q1"), con=None)
    assert j.spc is not None and j.spc.improvement == "neutral"
    # 500..512 rising by 1: mean 506, MR-bar 1, upper limit 508.66; the latest, 512, is outside (which outranks
    # the 7-point trend); neutral because CIN has no better direction
    assert j.spc.variation_icon == "neutral_high"
    assert j.spc_rule == (
        "SPC over 13 points (2013-14Q1 to 2016-17Q1): the latest point is above the upper process limit "
        "(rule: outside); neither improvement nor concern because no improvement direction is set"
    )


def test_options_change_bands_thresholds_and_sn_list(con):
    series = [pct("2015-16", 225, 1000), pct("2016-17", 651, 3000)]  # 22.5% -> 21.7%: within 1 point
    default = judge_indicator(RR, series, la_code="335", period=parse_period("2016-17"), con=con)
    assert default.trend_previous.judgement == "no significant change"
    assert not default.small_numbers.small
    options = JudgeOptions(
        change_bands={"percent": Band(0.5)},
        position_bands={"percent": Band(0.1)},
        small_number_thresholds={"percent": 5000},
        sn_version="May 2025",
    )
    tuned = judge_indicator(
        RR, series, la_code="335", period=parse_period("2016-17"), con=con, options=options
    )
    assert tuned.trend_previous.judgement == "improving"
    assert tuned.positions["england"].placing == "below"  # 21.7 v 21.9 is outside ±0.1
    assert tuned.small_numbers.small
    assert "May 2025 list" in tuned.positions["sn_mean"].label
    with pytest.raises(ValueError, match="sn_average must be mean or median"):
        JudgeOptions(sn_average="mode")  # type: ignore[arg-type]


def test_commentary_and_actions_carried_forward_are_attached(con):
    now = dt.datetime(2017, 1, 20)
    set_commentary(con, "335", RR.id, "2016-17Q3", "MASH review in place.", now=now)
    a = add_action(con, "335", RR.id, "2016-17Q2", "Audit repeat referrals", owner="Head of MASH", now=now)
    close_action(con, a, "2016-17Q3", now=now)
    q3 = judge_indicator(
        RR, [pct("2016-17Q3", 651, 3000)], la_code="335", period=parse_period("2016-17Q3"), con=con
    )
    assert q3.commentary.text == "MASH review in place."
    assert [x.action_id for x in q3.actions] == [a]
    q4 = judge_indicator(
        RR, [pct("2016-17Q4", 800, 4000)], la_code="335", period=parse_period("2016-17Q4"), con=con
    )
    assert q4.commentary is None and q4.actions == ()


def test_benchmark_gaps_part_year_counts_and_a_suppressed_la_figure(con):
    early = judge_indicator(
        RR, [pct("2011-12", 20, 100)], la_code="335", period=parse_period("2011-12"), con=con
    )
    assert (
        early.benchmark_rule
        == "No published benchmark: LAIT ReReferral has no England value for 2011-12 or earlier"
    )
    assert early.positions["england"].rule == "Not compared: no published England value"
    # a month's referral rate cannot be set beside a year's published rate, and a month is not projected
    referrals = IndicatorMeta(
        "referrals_rate", "Referrals per 10,000", "Front door", "rate_per_10k", "neutral", "flow",
        "CPP_Total_Rateper10,000",
    )  # fmt: skip
    month = judge_indicator(
        referrals,
        [Point(parse_period("2016-05"), 300, 66044, 45.4)],
        la_code="335",
        period=parse_period("2016-05"),
        con=con,
    )
    assert month.positions["sn_mean"].rule == (
        "Not compared with SN mean (April 2021 list, 10 of 10) 2016-17: a part-year count is not comparable with a "
        "full-year published figure"
    )
    referrals_count = IndicatorMeta(
        "referrals_count", "Referrals", "Front door", "count", "neutral", "flow", "CPP_Total_NumRef"
    )
    year = judge_indicator(
        referrals_count, [Point(parse_period("2016-17"), 4000, None, 4000)], la_code="335",
        period=parse_period("2016-17"), con=con,
    )  # fmt: skip
    assert year.positions["sn_mean"].rule == (
        "Not compared: a count depends on the size of the council; compare the rate "
        "(SN mean (April 2021 list, 10 of 10) 2016-17)"
    )
    # an LA whose own published figure is suppressed: no published quartile band, and it says why
    rows = [("970", 20.0, None), ("335", None, "c"), ("201", 10.0, None), ("202", 30.0, None)]
    con.executemany(
        "INSERT INTO published_values VALUES ('TESTSUP', '2016-17', ?, ?, ?, 'test')", [list(r) for r in rows]
    )
    meta = IndicatorMeta("test_sup_pct", "Test", "Test", "percent", "lower", "flow", "TESTSUP")
    j = judge_indicator(
        meta, [pct("2016-17", 25, 100)], la_code="335", period=parse_period("2016-17"), con=con
    )
    assert j.published_quartile.rule == "No quartile band: the LA's published value is suppressed (c)"
    # ours, 25%, among 10 and 30: cuts 10, 15, 20, 25, 30 -> on q75, so C
    assert (j.quartile.band, j.quartile.n, j.quartile.cuts) == ("C", 2, (10.0, 15.0, 20.0, 25.0, 30.0))


def test_a_part_year_percentage_is_labelled_and_given_no_quartile(con):
    # 651 of 3,000 = 21.7% for April to December: set beside 2016-17's full-year figures as a part year, and
    # placed in no quartile (LAIT's quartiles are of whole years).
    q3 = judge_indicator(
        RR, [pct("2016-17Q3", 651, 3000)], la_code="335", period=parse_period("2016-17Q3"), con=con
    )
    assert q3.benchmark_basis == "part year"
    assert q3.positions["england"].rule.startswith("In line with England 2016-17: part year 21.7% is within")
    assert q3.quartile.band is None
    assert q3.quartile.rule == "No quartile band: quartiles are given only for a full year or any 12 months"
    full = judge_indicator(RR, [pct("2016-17Q4", 868, 4000)], la_code="335", period=parse_period("2016-17Q4"),
                           con=con)  # fmt: skip
    assert (full.benchmark_basis, full.quartile.band) == ("", "C")


def test_spc_counts_a_figure_carried_into_each_quarter_once():
    # An annual census figure shown in every quarter: 16 quarters, four distinct values (one per year). Counted
    # 16 times, the three repeats of each year would read as runs; counted once each, there are 4 points.
    values = {2013: 18.0, 2014: 21.0, 2015: 19.0, 2016: 22.0}
    series = [
        Point(parse_period(f"{y}-{(y + 1) % 100:02d}Q{q}"), v * 10, 1000, v)
        for y, v in values.items()
        for q in range(1, 5)
    ]
    vacancy = IndicatorMeta("vac", "Vacancy rate", "Workforce", "percent", "lower", "stock", plural=False)
    j = judge_indicator(vacancy, series, la_code="335", period=parse_period("2016-17Q4"), con=None)
    assert j.spc_rule.startswith(
        "SPC over 4 points (2013-14Q1 to 2016-17Q1); 12 periods repeat the figure before them (an annual count "
        "carried into each quarter) and are one measurement, not more: only 4 points"
    )
    assert j.spc is not None and len(j.spc.mean) == 4 and j.spc.variation_icon is None
