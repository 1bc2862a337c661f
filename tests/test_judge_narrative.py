"""Narrative sentences, asserted verbatim, built by judge_indicator from real benchmarks where they are used."""

from __future__ import annotations

import re

import pytest

from csc_scorecard.judge.indicator import IndicatorMeta, Point
from csc_scorecard.judge.scorecard import JudgeOptions, judge_indicator, summarise_area
from csc_scorecard.judge.targets import parse_targets
from csc_scorecard.periods import parse_period
from csc_scorecard.store import connect

RR = IndicatorMeta(
    "re_referrals_12m_pct", "Re-referrals", "Front door", "percent", "lower", "flow", "ReReferral"
)
TIMELY = IndicatorMeta(
    "assessments_45wd_pct", "Assessment timeliness", "Front door", "percent", "higher", "flow", plural=False
)
REFERRALS = IndicatorMeta(
    "referrals_count", "Referrals", "Front door", "count", "neutral", "flow", "CPP_Total_NumRef"
)
MISSING = IndicatorMeta("cla_missing_pct", "Children going missing", "Care", "percent", "lower", "flow")
TARGETS = parse_targets(
    'la = "335"\n'
    '[[target]]\nindicator = "re_referrals_12m_pct"\nvalue = 22.0\ntolerance = 2.0\nvalid_from = 2016-04-01\n'
    '[[target]]\nindicator = "assessments_45wd_pct"\nvalue = 85.0\ntolerance = 5.0\nvalid_from = 2016-04-01\n'
)


def pct(code: str, numerator: int, denominator: int) -> Point:
    return Point(parse_period(code), numerator, denominator, 100 * numerator / denominator)


def count(code: str, n: int) -> Point:
    return Point(parse_period(code), n, None, n)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = connect(tmp_path_factory.mktemp("store") / "s.duckdb")
    yield con
    con.close()


def walsall_re_referrals() -> list[Point]:
    # Q1 24.1% -> Q2 22.9% -> Q3 21.7%: down twice by more than 1 point; same quarter last year 24.0%
    return [pct("2016-17Q1", 241, 1000), pct("2016-17Q2", 458, 2000), pct("2016-17Q3", 651, 3000),
            pct("2015-16Q3", 720, 3000)]  # fmt: skip


def test_headline_with_continuing_trend_benchmarks_last_year_and_rag(con):
    j = judge_indicator(
        RR, walsall_re_referrals(), la_code="335", period=parse_period("2016-17Q3"), con=con, targets=TARGETS
    )
    # Walsall's SN mean for 2016-17 (April 2021 list) is 21.4%; England 21.9%: both within 1 point of 21.7%.
    assert j.narrative == (
        "Re-referrals were 21.7% in April to December 2016, an improvement on 22.9% in April to September 2016 and "
        "still falling. This is an improvement on the same point last year (24.0% in April to December 2015). Set "
        "beside the full-year figures for 2016-17, this part of the year is in line with statistical neighbours "
        "(21.4%) and England (21.9%). It meets the target of 22.0%."
    )
    median = judge_indicator(
        RR, walsall_re_referrals(), la_code="335", period=parse_period("2016-17Q3"), con=con, targets=None,
        options=JudgeOptions(sn_average="median"),
    )  # fmt: skip
    assert median.narrative.endswith(
        "this part of the year is in line with statistical neighbours (median) (21.6%) and England (21.9%)."
    )


def test_singular_label_worsening_amber_and_small_numbers_without_a_store():
    series = [
        pct("2016-17Q1", 8, 10),
        pct("2016-17Q2", 17, 20),
        pct("2016-17Q3", 12, 15),
        pct("2015-16Q3", 43, 50),
    ]
    j = judge_indicator(
        TIMELY, series, la_code="335", period=parse_period("2016-17Q3"), con=None, targets=TARGETS
    )
    assert j.narrative == (
        "Assessment timeliness was 80.0% in April to December 2016, worse than 85.0% in April to September 2016. "
        "This is worse than the same point last year (86.0% in April to December 2015). It is amber against the "
        "target of 85.0%: short of it, but within 5.0 percentage points. This rests on 15 children, so it can "
        "change a lot from one period to the next."
    )


def test_a_year_to_date_count_is_set_beside_last_year_never_the_previous_quarter(con):
    # 2025-26Q2 is 183 days: 1,900 x 365 / 183 = 3,789.6, set beside last year's whole year (its Q4, 3,500).
    # Q1 (950) is not a comparison: the year to date only grows. 1,900 v 1,700 is +11.8%, outside the 2% band.
    # A count is not compared with the neighbours' average count (they differ in size; the rate is).
    series = [
        count("2025-26Q1", 950),
        count("2025-26Q2", 1900),
        count("2024-25Q2", 1700),
        count("2024-25Q4", 3500),
    ]
    j = judge_indicator(
        REFERRALS, series, la_code="335", period=parse_period("2025-26Q2"), con=con, targets=TARGETS
    )
    assert j.narrative == (
        "There were 1,900 referrals in April to September 2025, up from the same point last year (1,700 in April "
        "to September 2024). At this rate the year would end at about 3,790, against 3,500 in April 2024 to March "
        "2025."
    )
    assert j.trend_previous.judgement is None and j.trend_previous.rule.startswith(
        "Not compared: a year-to-date count only grows through the year"
    )
    assert j.direction is j.trend_last_year


def test_special_cause_sentence_from_spc():
    # 15 months: 30/32 alternating for 8, then 29/30 for 7. Mean 454/15 = 30.27; MR-bar 23/14 = 1.64, so the
    # lower limit is 25.90 and the lower 2-sigma line 27.35: only the shift rule (7 below the mean) fires.
    months = [
        f"{y}-{m:02d}" for y, m in [(2015, 10), (2015, 11), (2015, 12)] + [(2016, m) for m in range(1, 13)]
    ]
    values = [30, 32, 30, 32, 30, 32, 30, 32, 29, 30, 29, 30, 29, 30, 29]
    series = [pct(code, v, 100) for code, v in zip(months, values, strict=True)] + [pct("2017-01", 40, 100)]
    j = judge_indicator(
        MISSING, series, la_code="335", period=parse_period("2016-12"), con=None, targets=None
    )
    assert j.spc_rule == (
        "SPC over 15 points (2015-10 to 2016-12): 7 points in a row below the mean (rule: shift); improvement "
        "because lower is better"
    )  # 2017-01 comes after the period and is left out
    assert j.narrative == (
        "Children going missing were 29.0% in December 2016, similar to 30.0% in November 2016. This is similar to "
        "the same point last year (30.0% in December 2015). The chart shows more than normal variation: 7 points "
        "in a row below the average. This is an improvement."
    )


def test_suppressed_benchmarks_are_said_not_used(con):
    # A made-up measure: Walsall 21.0, England 20.0, West Midlands suppressed (x), every neighbour suppressed (c).
    neighbours = [r[0] for r in con.execute(
        "SELECT neighbour_code FROM stat_neighbours WHERE sn_version = 'April 2021' AND la_code = '335'"
    ).fetchall()]  # fmt: skip
    rows = [("335", 21.0, None), ("970", 20.0, None), ("984", None, "x")] + [
        (n, None, "c") for n in neighbours
    ]
    con.executemany(
        "INSERT INTO published_values VALUES ('TESTPCT', '2016-17', ?, ?, ?, 'test')", [list(r) for r in rows]
    )
    meta = IndicatorMeta("test_pct", "Test cases", "Test", "percent", "lower", "flow", "TESTPCT")
    j = judge_indicator(
        meta, [pct("2016-17", 43, 200)], la_code="335", period=parse_period("2016-17"), con=con
    )
    assert (
        j.positions["region"].rule
        == "Not compared: West Midlands value suppressed (x) (West Midlands 2016-17)"
    )
    assert j.positions["sn_mean"].rule == (
        "Not compared: statistical neighbours (mean) value suppressed (-: not published) "
        "(SN mean (April 2021 list, 0 of 10) 2016-17)"
    )
    assert j.narrative == (
        "Test cases were 21.5% in April 2016 to March 2017. This is above England (20.0%) in 2016-17. "
        "The statistical neighbours' figure for 2016-17 is not published."
    )


def test_no_value_and_area_paragraph(con):
    empty = judge_indicator(
        RR, [], la_code="335", period=parse_period("2016-17Q3"), con=None, targets=TARGETS
    )
    assert empty.narrative == "Re-referrals: no figure in April to December 2016."
    rr = judge_indicator(
        RR, walsall_re_referrals(), la_code="335", period=parse_period("2016-17Q3"), con=None, targets=TARGETS
    )
    timely = judge_indicator(
        TIMELY, [pct("2016-17Q2", 17, 20), pct("2016-17Q3", 12, 15)], la_code="335", period=parse_period("2016-17Q3"),
        con=None, targets=TARGETS,
    )  # fmt: skip
    referrals = judge_indicator(
        REFERRALS,
        [count("2016-17Q3", 2800)],
        la_code="335",
        period=parse_period("2016-17Q3"),
        con=None,
        targets=TARGETS,
    )
    summary = summarise_area("Front door", [rr, timely, referrals, empty])
    assert (summary.green, summary.amber, summary.red, summary.not_rated) == (1, 1, 0, 2)
    assert summary.narrative == (
        "Front door: 4 indicators. Of the 2 with a target, 1 is green and 1 is amber. Improved: re-referrals. "
        "Worsened: assessment timeliness."
    )
    quiet = summarise_area("Front door", [referrals])
    assert quiet.narrative == (
        "Front door: 1 indicator. No target is set for it. None improved or worsened significantly."
    )
    assert summarise_area("Care", [rr]).narrative == "Care: 0 indicators."
    both = summarise_area("Front door", [rr, rr])
    assert both.narrative.startswith("Front door: 2 indicators. Of the 2 with a target, both are green.")
    one = summarise_area("Front door", [rr, referrals])
    assert one.narrative.startswith("Front door: 2 indicators. The one with a target is green.")


CLA = IndicatorMeta("cla_count", "Children looked after", "Care", "count", "neutral", "stock")
CLA_RATE = IndicatorMeta("cla_rate", "Children looked after per 10,000 children", "Care", "rate_per_10k",
                         "neutral", "stock")  # fmt: skip
CUSTODY = IndicatorMeta("yj_custody_rate", "Custodial sentences per 1,000 children aged 10-17", "YJ", "average",
                        "lower", "flow", rate_base="1,000 children aged 10 to 17")  # fmt: skip
STABILITY = IndicatorMeta("stab", "Long-term placement stability", "Care", "percent", "higher", "stock",
                          plural=False)  # fmt: skip


def test_a_stock_is_counted_at_the_end_and_a_rate_says_its_base_once():
    j = judge_indicator(CLA, [count("2016-17Q2", 632), count("2016-17Q3", 640)], la_code="335",
                        period=parse_period("2016-17Q3"), con=None)  # fmt: skip
    # 640 v 632: +1.3%, inside the 2% band for counts
    assert j.narrative == (
        "There were 640 children looked after at the end of December 2016, similar to 632 at the end of "
        "September 2016."
    )
    rate = judge_indicator(CLA_RATE, [count("2016-17Q2", 95.7), count("2016-17Q3", 96.9)], la_code="335",
                           period=parse_period("2016-17Q3"), con=None)  # fmt: skip
    assert rate.narrative.startswith(
        "There were 96.9 children looked after per 10,000 children aged under 18 at the end of December 2016, "
        "similar to 95.7 at the end of September 2016."
    )
    assert rate.narrative.count("per 10,000") == 1


def test_a_rate_per_1000_rests_on_its_count_not_its_population():
    # 4 custodial sentences over a 10-17 population of 24,000: 4 / 24.0 = 0.17 per 1,000. Small numbers test
    # the 4 sentences; the population (24.0 thousands) is not "a denominator" of children.
    j = judge_indicator(CUSTODY, [Point(parse_period("2016-17"), 4, 24.0, 4 / 24.0)], la_code="335",
                        period=parse_period("2016-17"), con=None)  # fmt: skip
    assert j.narrative == (
        "There were 0.2 custodial sentences per 1,000 children aged 10 to 17 in April 2016 to March 2017. "
        "This rate rests on 4 children, so it can change a lot from one period to the next."
    )
    assert j.small_numbers.base == 4


def test_a_singular_label_takes_a_singular_verb():
    j = judge_indicator(STABILITY, [pct("2016-17", 618, 1000)], la_code="335", period=parse_period("2016-17"),
                        con=None)  # fmt: skip
    assert j.narrative == "Long-term placement stability was 61.8% at the end of March 2017."


def test_a_count_of_one_is_not_a_plural():
    j = judge_indicator(
        REFERRALS, [count("2016-12", 1)], la_code="335", period=parse_period("2016-12"), con=None
    )
    assert j.narrative.startswith("Referrals: 1 in December 2016.")


def test_no_sentence_names_a_period_code():
    texts = [
        judge_indicator(RR, walsall_re_referrals(), la_code="335", period=parse_period("2016-17Q3"), con=None,
                        targets=TARGETS).narrative,
        judge_indicator(CLA_RATE, [count("2016-04", 95.7), count("R12:2016-05", 96.9)], la_code="335",
                        period=parse_period("R12:2016-05"), con=None).narrative,
    ]  # fmt: skip
    for text in texts:
        assert not re.search(r"\d{4}-\d{2}Q\d|R12:|\d{4}-\d{2}\b(?! per)", text.replace("2016-17", "")), text


A1 = IndicatorMeta("adoption_a1_days", "Average days to adoption (A1)", "Adoption", "days", "lower", "flow")
ADOPTED = "children adopted in the window entered care before the first loaded SSDA903 return"


@pytest.mark.parametrize(
    ("part", "whole", "said"),
    [
        (4, 15, f"some of the 15 {ADOPTED}"),  # the 4 is a count of 1 to 5
        (14, 16, f"some of the 16 {ADOPTED}"),  # 16 - 14 = 2 would be worked out
        (2, 3, f"some {ADOPTED}"),  # both are small
        (40, 100, f"40 of 100 {ADOPTED}"),  # nothing small: said as the engine found it
    ],
)
def test_a_withheld_figure_says_why_without_a_count_of_1_to_5(part, whole, said):
    note = f"withheld: {part} of {whole} {ADOPTED}; load the earlier returns"
    j = judge_indicator(A1, [Point(parse_period("2016-17Q3"), None, None, None, note)], la_code="335",
                        period=parse_period("2016-17Q3"), con=None)  # fmt: skip
    assert j.narrative == (
        f"Average days to adoption (A1): no figure in April to December 2016. It is withheld: {said}, so it is "
        "not computed on part of its history."
    )
