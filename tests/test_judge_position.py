"""Position against benchmarks (bands, polarity, suppressed values) and LAIT's quartile bands, pinned on real data."""

from __future__ import annotations

import statistics

import pytest

from csc_scorecard.judge.bands import DEFAULT_BANDS, Band
from csc_scorecard.judge.benchmarks import Comparator
from csc_scorecard.judge.indicator import IndicatorMeta
from csc_scorecard.judge.position import (
    position,
    published_distribution,
    quartile_band,
    quartile_cuts,
    r_quantile,
)
from csc_scorecard.store import connect

LOWER = IndicatorMeta(
    "re_referrals_12m_pct", "Re-referrals", "Front door", "percent", "lower", "flow", "ReReferral"
)
HIGHER = IndicatorMeta("assessments_45wd_pct", "Assessments", "Front door", "percent", "higher", "flow")
NEUTRAL = IndicatorMeta("referrals_nfa_pct", "NFA", "Front door", "percent", "neutral", "flow")
COUNT = IndicatorMeta("ceased_sgo_count", "SGOs", "Permanence", "count", "higher", "flow")
PCT = DEFAULT_BANDS["percent"]

ENGLAND = Comparator("england", 21.9, "2016-17", None, "England 2016-17")
SN = Comparator("sn_mean", 23.0, "2016-17", None, "SN mean (April 2021 list, 10 of 10) 2016-17", 10)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = connect(tmp_path_factory.mktemp("store") / "s.duckdb")
    yield con
    con.close()


def test_in_line_above_and_below_with_better_or_worse_by_polarity():
    inline = position(LOWER, 21.7, ENGLAND, PCT, comparator_kind="england")
    assert (inline.placing, inline.judgement, inline.reference, inline.year) == (
        "in line with",
        "similar",
        21.9,
        "2016-17",
    )
    assert inline.rule == (
        "In line with England 2016-17: 21.7% is within the no-significant-change band of ±1.0 percentage points "
        "of 21.9% (lower is better: similar)"
    )
    below = position(LOWER, 21.7, SN, PCT, comparator_kind="sn_mean")
    assert (below.placing, below.judgement, below.name) == (
        "below",
        "better",
        "statistical neighbours (mean)",
    )
    assert below.rule == (
        "Below SN mean (April 2021 list, 10 of 10) 2016-17: 21.7% is 1.3 percentage points below 23.0%, outside "
        "the no-significant-change band of ±1.0 percentage points (lower is better: better)"
    )
    assert position(HIGHER, 21.7, SN, PCT, comparator_kind="sn_mean").judgement == "worse"
    above = position(HIGHER, 24.1, SN, PCT, comparator_kind="sn_mean")
    assert (above.placing, above.judgement) == ("above", "better")
    neutral = position(NEUTRAL, 24.1, SN, PCT, comparator_kind="sn_mean")
    assert (neutral.placing, neutral.judgement) == ("above", None)
    assert neutral.rule.endswith("(neither higher nor lower is better)")
    # a narrower band turns "in line" into "below"
    assert position(LOWER, 21.7, ENGLAND, Band(0.1), comparator_kind="england").placing == "below"


@pytest.mark.parametrize(
    ("symbol", "words"),
    [
        ("c", "suppressed (c)"),
        ("x", "suppressed (x)"),
        ("z", "suppressed (z: not applicable)"),
        ("k", "suppressed (k: rounds to zero)"),
        ("-", "suppressed (-: not published)"),
    ],
)
def test_suppressed_benchmarks_are_named_and_never_computed_with(symbol, words):
    suppressed = Comparator("england", None, "2016-17", symbol, "England 2016-17")
    p = position(LOWER, 21.7, suppressed, PCT, comparator_kind="england")
    assert (p.placing, p.judgement, p.reference, p.symbol) == (None, None, None, symbol)
    assert p.rule == f"Not compared: England value {words} (England 2016-17)"


def test_missing_benchmark_missing_value_and_counts_against_totals():
    assert (
        position(LOWER, 21.7, None, PCT, comparator_kind="england").rule
        == "Not compared: no published England value"
    )
    none = position(LOWER, None, ENGLAND, PCT, comparator_kind="england")
    assert none.rule == "Not compared with England 2016-17: there is no value for this period"
    total = Comparator("england", 13890.0, "2016-17", None, "England 2016-17")
    assert position(COUNT, 40, total, DEFAULT_BANDS["count"], comparator_kind="england").rule == (
        "Not compared: the England 2016-17 figure is a total for many LAs, not comparable with one LA's count"
    )
    region = Comparator("region", 23.4, "2016-17", None, "West Midlands 2016-17")
    assert position(LOWER, 21.7, region, PCT, comparator_kind="region").name == "West Midlands"


def test_r_quantile_is_type_7():
    # h = (n - 1)p: [1, 2, 3, 4] -> 25% at h = 0.75: 1 + 0.75 = 1.75; 50% at 1.5: 2.5; 75% at 2.25: 3.25
    assert quartile_cuts([4, 1, 3, 2]) == (1, 1.75, 2.5, 3.25, 4)
    data = [0.0, 4.8, 7.0, 8.1, 9.0, 30.8, 32.8]
    assert [r_quantile(data, p) for p in (0.25, 0.5, 0.75)] == pytest.approx(
        statistics.quantiles(data, n=4, method="inclusive")
    )


@pytest.mark.parametrize(
    ("value", "lower", "higher"),
    [
        (10, "A", "D"),  # the minimum is in the first band, closed on both sides
        (20, "A", "D"),  # exactly on q25: the band below (LAIT: [q0, q25])
        (25, "B", "C"),
        (30, "B", "C"),  # exactly on the median
        (40, "C", "B"),  # exactly on q75: LAIT puts it in (q50, q75], so B (not A) when higher is better
        (45, "D", "A"),
        (50, "D", "A"),
    ],
)
def test_quartile_bands_follow_laits_intervals_and_polarity(value, lower, higher):
    values = [10, 20, 30, 40, 50]  # type 7 cuts: 10, 20, 30, 40, 50
    assert quartile_band(LOWER, value, values, "2016-17").band == lower
    assert quartile_band(HIGHER, value, values, "2016-17").band == higher


def test_quartile_rules_neutral_and_out_of_range():
    values = [10, 20, 30, 40, 50]
    q = quartile_band(LOWER, 45, values, "2016-17")
    assert q.rule == (
        "Quartile D among 5 LAs in 2016-17: 45% is above the upper quartile 40% "
        "(A = lowest values; lower is better; LAIT method: R quantile type 7)"
    )
    beyond = quartile_band(HIGHER, 60, values, "2016-17")
    assert beyond.band == "A"
    assert beyond.rule.endswith("; it is beyond the highest published value (50%), so LAIT would not band it")
    neutral = quartile_band(NEUTRAL, 45, values, "2016-17")
    assert neutral.band is None
    assert neutral.rule == "No quartile band: NFA is neutral (neither higher nor lower is better)"
    assert quartile_band(LOWER, 45, [], "2016-17").rule == "No quartile band: no published values for all LAs"


def test_quartile_pinned_on_real_published_re_referrals_2016_17(con):
    values = published_distribution(con, "ReReferral", "2016-17")
    # 158 LA rows that year; 6 (LAs created later: BCP, Dorset 838, Cumberland, Westmorland and Furness, North
    # and West Northamptonshire) have no value, leaving 152. Sorted, by hand with h = (n - 1)p = 151p:
    assert len(values) == 152
    assert values[0] == 0.0 and values[-1] == 38.0
    # 25%: h = 37.75 -> values[37] + 0.75 (values[38] - values[37]) = 15.9 + 0.75 x 0.1 = 15.975
    assert (values[37], values[38]) == (15.9, 16.0)
    # 50%: h = 75.5 -> 19.9 + 0.5 x 0.1 = 19.95;  75%: h = 113.25 -> 23.8 + 0.25 x 0 = 23.8
    assert (values[75], values[76]) == (19.9, 20.0)
    assert (values[113], values[114]) == (23.8, 23.8)
    assert quartile_cuts(values) == pytest.approx((0.0, 15.975, 19.95, 23.8, 38.0))
    # Walsall 21.7%: above the median 19.95, at or below q75 23.8 -> C (Low polarity: A = lowest)
    walsall = quartile_band(LOWER, 21.7, values, "2016-17")
    assert walsall.band == "C"
    assert walsall.rule == (
        "Quartile C among 152 LAs in 2016-17: 21.7% is above the median 19.95% and at or below the upper quartile "
        "23.8% (A = lowest values; lower is better; LAIT method: R quantile type 7)"
    )
    # 23.8 is tied on q75 (values[113] == values[114]): LAIT puts it in C, not D
    assert quartile_band(LOWER, 23.8, values, "2016-17").band == "C"
    assert quartile_band(LOWER, 23.9, values, "2016-17").band == "D"
