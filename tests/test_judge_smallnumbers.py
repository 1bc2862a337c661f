"""Small-number warnings and year-end projections: every rule, hand-worked."""

from __future__ import annotations

import pytest

from csc_scorecard.judge.indicator import IndicatorMeta, Point
from csc_scorecard.judge.projection import project_year_end
from csc_scorecard.judge.smallnumbers import small_numbers
from csc_scorecard.periods import parse_period

PCT = IndicatorMeta("cpp_second_pct", "Second plans", "CP", "percent", "lower", "flow")
COUNT = IndicatorMeta("referrals_count", "Referrals", "Front door", "count", "neutral", "flow")
RATE = IndicatorMeta("referrals_rate", "Referral rate", "Front door", "rate_per_10k", "neutral", "flow")
DAYS = IndicatorMeta("adoption_a1_days", "A1", "Adoption", "days", "lower", "flow")
STOCK = IndicatorMeta("cla_count", "CLA", "Care", "count", "neutral", "stock")


def pt(code: str, numerator, denominator, value) -> Point:
    return Point(parse_period(code), numerator, denominator, value)


def test_percentage_on_a_small_denominator_with_a_suppressible_numerator():
    s = small_numbers(PCT, pt("2016-17", 3, 12, 25.0))
    assert (s.small, s.base, s.threshold, s.suppress_in_publication) == (True, 12, 20, True)
    # one case more or fewer moves 3/12 by up to 100/12 = 8.3 points
    assert s.rule == (
        "Small number: the denominator is 12, below the threshold of 20; one case more or fewer moves the "
        "percentage by up to 8.3 percentage points; a count of 1-5 is suppressed in published outputs"
    )


def test_threshold_is_inclusive_and_configurable_per_unit():
    s = small_numbers(PCT, pt("2016-17", 6, 20, 30.0))
    assert (s.small, s.suppress_in_publication) == (False, False)
    assert s.rule == "Not a small number: the denominator is 20, at least the threshold of 20"
    assert small_numbers(PCT, pt("2016-17", 6, 19, 31.6)).small
    assert not small_numbers(PCT, pt("2016-17", 6, 19, 31.6), {"percent": 10}).small


@pytest.mark.parametrize(
    ("meta", "point", "small", "suppress", "rule"),
    [
        (COUNT, pt("2016-17", 15, None, 15), True, False, "Small number: the count is 15, below the threshold of 20"),
        (COUNT, pt("2016-17", 4, None, 4), True, True,
         "Small number: the count is 4, below the threshold of 20; a count of 1-5 is suppressed in published outputs"),
        (COUNT, pt("2016-17", 0, None, 0), True, False, "Small number: the count is 0, below the threshold of 20"),
        (RATE, pt("2016-17", 8, 60000, 1.3333), True, False,
         "Small number: the numerator (the count behind the rate) is 8, below the threshold of 20"),
        (DAYS, pt("2016-17", 2500, 5, 500.0), True, True,
         "Small number: the denominator is 5, below the threshold of 20; a count of 1-5 is suppressed in published "
         "outputs"),
        (PCT, pt("2016-17", 0, 0, None), True, False, "Small number: the denominator is 0, below the threshold of 20"),
        (PCT, pt("2016-17", None, None, None), False, False, "No small-number check: the denominator is not known"),
    ],
)  # fmt: skip
def test_what_is_tested_depends_on_the_unit(meta, point, small, suppress, rule):
    s = small_numbers(meta, point)
    assert (s.small, s.suppress_in_publication, s.rule) == (small, suppress, rule)


def test_projection_is_straight_line_for_ytd_flow_counts_and_rates():
    # Q3 YTD 2016-17 is 1 Apr - 31 Dec = 275 days; the year has 365: 2,800 x 365 / 275 = 3,716.36
    p = project_year_end(COUNT, pt("2016-17Q3", 2800, None, 2800))
    assert p.value == pytest.approx(3716.3636, abs=1e-4)
    assert (p.days_elapsed, p.days_in_year) == (275, 365)
    assert p.rule == "Projected year end 3,716: 2,800 in 275 days × 365 ÷ 275 (straight line to 2017-03-31)"
    # 2015-16 has 366 days (29 Feb 2016); Q1 is 91 days: 100 x 366 / 91 = 402.2
    leap = project_year_end(RATE, pt("2015-16Q1", 10, 60000, 100.0))
    assert leap.value == pytest.approx(402.1978, abs=1e-4)
    assert leap.rule == (
        "Projected year end 402.2 per 10,000: 100.0 per 10,000 in 91 days × 366 ÷ 91 (straight line to 2016-03-31)"
    )
    # April alone is also a year to date (30 days)
    assert project_year_end(COUNT, pt("2016-04", 100, None, 100)).value == pytest.approx(100 * 365 / 30)


@pytest.mark.parametrize(
    ("meta", "point", "rule"),
    [
        (PCT, pt("2016-17Q3", 3, 12, 25.0), "Not projected: the year-to-date percentage is already the estimate for the year"),
        (DAYS, pt("2016-17Q3", 2500, 5, 500.0), "Not projected: the year-to-date average is already the estimate for the year"),
        (STOCK, pt("2016-17Q3", 500, None, 500), "Not projected: a stock is counted on a date, it does not accumulate"),
        (COUNT, pt("2016-17", 3700, None, 3700), "Not projected: the period is the whole year"),
        (COUNT, pt("2016-05", 300, None, 300), "Not projected: 2016-05 is not a year-to-date period"),
        (COUNT, pt("R12:2016-12", 3700, None, 3700), "Not projected: R12:2016-12 is not a year-to-date period"),
        (COUNT, pt("2016-17Q3", None, None, None), "Not projected: no value for this period"),
    ],
)  # fmt: skip
def test_what_is_not_projected_says_why(meta, point, rule):
    p = project_year_end(meta, point)
    assert (p.value, p.rule) == (None, rule)
