"""Direction of travel: period arithmetic, polarity, the no-significant-change band, year-to-date scaling."""

from __future__ import annotations

import pytest

from csc_scorecard.judge.bands import Band
from csc_scorecard.judge.indicator import IndicatorMeta, Point
from csc_scorecard.judge.trend import trend, trends
from csc_scorecard.periods import parse_period

PCT_LOWER = IndicatorMeta("re_referrals_12m_pct", "Re-referrals", "Front door", "percent", "lower", "flow")
PCT_HIGHER = IndicatorMeta("assessments_45wd_pct", "Assessments", "Front door", "percent", "higher", "flow")
PCT_NEUTRAL = IndicatorMeta("referrals_nfa_pct", "NFA", "Front door", "percent", "neutral", "flow")
COUNT_FLOW = IndicatorMeta("referrals_count", "Referrals", "Front door", "count", "neutral", "flow")
SGO = IndicatorMeta("ceased_sgo_count", "SGOs", "Permanence", "count", "higher", "flow")
CLA = IndicatorMeta("cla_count", "Children looked after", "Care", "count", "neutral", "stock")


def pt(code: str, value: float | None) -> Point:
    return Point(parse_period(code), None, None, value)


@pytest.mark.parametrize(
    ("code", "kind", "previous", "last_year"),
    [
        ("2016-17Q3", "ytd_quarter", "2016-17Q2", "2015-16Q3"),
        ("2016-17Q1", "ytd_quarter", "2015-16Q4", "2015-16Q1"),
        ("2016-17", "year", "2015-16", "2015-16"),
        ("2016-12", "month", "2016-11", "2015-12"),
        ("2017-01", "month", "2016-12", "2016-01"),
        ("R12:2016-12", "rolling_12", "R12:2016-11", "R12:2015-12"),
        # 107 days (1 May - 15 Aug): the 107 days before it end on 30 April and start on 15 January (2016 is leap)
        ("2016-05-01..2016-08-15", "window", "2016-01-15..2016-04-30", "2015-05-01..2015-08-15"),
    ],
)
def test_period_arithmetic(code, kind, previous, last_year):
    period = parse_period(code)
    assert period.kind == kind
    assert period.previous().code == previous
    assert period.last_year().code == last_year


def test_percentage_ytd_to_ytd_improving_when_lower_is_better():
    t = trend(
        PCT_LOWER,
        pt("2016-17Q3", 21.7),
        pt("2016-17Q2", 22.9),
        "previous",
        reference_period=parse_period("2016-17Q2"),
    )
    assert (t.judgement, t.movement, t.value, t.reference) == ("improving", "down", 21.7, 22.9)
    assert t.rule == (
        "Improving: 21.7% is 1.2 percentage points below 22.9% at 2016-17Q2 (year to date to 2016-17Q3 v year to "
        "date to 2016-17Q2), outside the no-significant-change band of ±1.0 percentage points (lower is better)"
    )


def test_the_same_fall_is_worsening_when_higher_is_better_and_only_decreased_when_neutral():
    args = (pt("2016-12", 21.7), pt("2016-11", 22.9), "previous")
    worse = trend(PCT_HIGHER, *args, reference_period=parse_period("2016-11"))
    assert worse.judgement == "worsening"
    assert worse.rule == (
        "Worsening: 21.7% is 1.2 percentage points below 22.9% at 2016-11, outside the no-significant-change band "
        "of ±1.0 percentage points (higher is better)"
    )
    neutral = trend(PCT_NEUTRAL, *args, reference_period=parse_period("2016-11"))
    assert neutral.judgement == "decreased"
    assert neutral.rule.endswith("(neither higher nor lower is better)")


@pytest.mark.parametrize(
    ("value", "reference", "judgement"),
    [
        (22.7, 21.7, "no significant change"),  # exactly 1.0 point: on the band's edge, not significant
        (22.75, 21.7, "worsening"),  # shown as 22.8%: 1.1 points
        (22.74, 21.7, "no significant change"),  # shown as 22.7%
        (20.7, 21.7, "no significant change"),
        (20.6, 21.7, "improving"),
    ],
)
def test_percentage_band_edges_are_judged_on_displayed_values(value, reference, judgement):
    t = trend(
        PCT_LOWER,
        pt("2016-17", value),
        pt("2015-16", reference),
        "last_year",
        reference_period=parse_period("2015-16"),
    )
    assert t.judgement == judgement


def test_no_significant_change_rule_and_a_configured_band():
    t = trend(
        PCT_LOWER,
        pt("2016-17", 21.7),
        pt("2015-16", 22.3),
        "previous",
        reference_period=parse_period("2015-16"),
    )
    assert t.judgement == "no significant change" and t.movement == "flat"
    assert t.rule == (
        "No significant change: 21.7% is within the no-significant-change band of ±1.0 percentage points of 22.3% "
        "at 2015-16 (lower is better)"
    )
    tight = trend(
        PCT_LOWER, pt("2016-17", 21.7), pt("2015-16", 22.3), "previous", reference_period=parse_period("2015-16"),
        bands={"percent": Band(0.5)},
    )  # fmt: skip
    assert tight.judgement == "improving"


def test_counts_use_a_relative_band():
    # 2% of 100 is 2: 102 is within it, 103 is not
    same = trend(
        SGO, pt("2016-17", 102), pt("2015-16", 100), "previous", reference_period=parse_period("2015-16")
    )
    assert same.judgement == "no significant change"
    assert same.rule == (
        "No significant change: 102 is within the no-significant-change band of ±2% (±2.0) of 100 at 2015-16 "
        "(higher is better)"
    )
    up = trend(
        SGO, pt("2016-17", 103), pt("2015-16", 100), "previous", reference_period=parse_period("2015-16")
    )
    assert up.judgement == "improving"
    assert up.rule == (
        "Improving: 103 is 3 above 100 at 2015-16, outside the no-significant-change band of ±2% (±2.0) "
        "(higher is better)"
    )


def test_ytd_flow_counts_of_different_lengths_are_scaled_before_comparing():
    # Q3 YTD is 275 days, Q2 YTD 183: 1,900 x 275 / 183 = 2,855.19 -> 2,855; 2% of it is 57.1; 2,800 is 55 below.
    t = trend(
        COUNT_FLOW,
        pt("2016-17Q3", 2800),
        pt("2016-17Q2", 1900),
        "previous",
        reference_period=parse_period("2016-17Q2"),
    )
    assert (t.judgement, t.reference) == ("no significant change", 2855)
    assert t.rule == (
        "No significant change: 2,800 is within the no-significant-change band of ±2% (±57.1) of 2,855 at "
        "2016-17Q2 (year to date to 2016-17Q3 v year to date to 2016-17Q2; 2016-17Q2 scaled to the same length "
        "(1,900 × 275/183 days = 2,855), as a count grows with its window) (neither higher nor lower is better)"
    )
    # Same period last year is the same length (275 days): no scaling.
    year = trend(
        COUNT_FLOW,
        pt("2016-17Q3", 2800),
        pt("2015-16Q3", 2700),
        "last_year",
        reference_period=parse_period("2015-16Q3"),
    )
    assert (year.judgement, year.reference) == ("increased", 2700)
    assert "scaled" not in year.rule


def test_stocks_compare_quarter_ends_directly_without_year_to_date_wording():
    t = trend(
        CLA,
        pt("2016-17Q3", 500),
        pt("2016-17Q2", 480),
        "previous",
        reference_period=parse_period("2016-17Q2"),
    )
    assert t.judgement == "increased"
    assert t.rule == (
        "Increased: 500 is 20 above 480 at 2016-17Q2, outside the no-significant-change band of ±2% (±9.6) "
        "(neither higher nor lower is better)"
    )


def test_missing_values_say_which_period_is_missing():
    series = [pt("2016-17Q3", 21.7), pt("2016-17Q2", None)]
    previous, last_year = trends(PCT_LOWER, series, parse_period("2016-17Q3"))
    assert (previous.judgement, previous.rule) == (
        None,
        "No trend against the previous period: no value for 2016-17Q2",
    )
    assert last_year.rule == "No trend against the same period last year: no value for 2015-16Q3"
    missing, _ = trends(PCT_LOWER, series, parse_period("2016-17Q4"))
    assert missing.rule == "No trend: no value for this period"
