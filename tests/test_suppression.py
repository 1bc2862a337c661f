"""Secondary suppression, hand-worked: no count of 1 to 5 can be worked out from figures shown together (a
breakdown with its total, a trend of year-to-date quarters), checked by tests/disclosure.py, which works out
what a reader could."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from csc_scorecard.judge.indicator import IndicatorMeta, Point
from csc_scorecard.judge.scorecard import judge_indicator
from csc_scorecard.judge.suppression import Total, derivable, protect, series_suppression
from csc_scorecard.periods import parse_period
from csc_scorecard.publish.model import indicator_view
from csc_scorecard.web.present import breakdown_rows
from disclosure import Meta, Reading, disclosures

CPP_SECOND = IndicatorMeta(
    "cpp_second_pct", "Second or subsequent child protection plans", "Child protection", "percent", "lower",
    "flow",
)  # fmt: skip
STARTS = IndicatorMeta(
    "starts_count", "Children starting care", "Children in care", "count", "neutral", "flow"
)
IN_CARE = IndicatorMeta("in_care_count", "Children in care", "Children in care", "count", "neutral", "stock")


@dataclass(frozen=True)
class Result:  # what the engine returns for one breakdown value
    breakdown_value: str | None
    numerator: float
    denominator: float | None
    value: float | None


def pct(code: str, numerator: float, denominator: float) -> Point:
    return Point(parse_period(code), numerator, denominator, 100 * numerator / denominator)


def count(code: str, n: float) -> Point:
    return Point(parse_period(code), n, None, n)


def judged(meta: IndicatorMeta, series: list[Point]):
    return judge_indicator(meta, series, la_code="335", period=series[-1].period, con=None, targets=None)


def page(meta: IndicatorMeta, series: list[Point], rows: list[Result], breakdown: str = "sex") -> Reading:
    """What the indicator's page shows a viewer: the value with its numerator and denominator, the trend table,
    and the breakdown table, as the page's own functions make them."""
    j = judged(meta, series)
    view = indicator_view(j, series, "published")
    reading = Reading("page")
    for h in view.history:
        for column, figure in (("value", h.value), ("num", h.numerator), ("den", h.denominator)):
            reading.show(meta.id, h.period_code, None, column, figure.text)
    for row in breakdown_rows(j, series, rows, "published"):
        for column, figure in (("value", row.value), ("num", row.numerator), ("den", row.denominator)):
            reading.show(meta.id, view.period_code, f"{breakdown}={row.value_label}", column, figure.text)
    return reading


def truth(meta: IndicatorMeta, series: list[Point], rows: list[Result] = (), breakdown: str = "sex") -> dict:
    out = {(meta.id, p.period_code, None): (p.numerator, p.denominator, p.value) for p in series}
    for r in rows:
        label = r.breakdown_value or "not recorded"
        out[(meta.id, series[-1].period_code, f"{breakdown}={label}")] = (r.numerator, r.denominator, r.value)
    return out


def metas(*found: IndicatorMeta) -> dict[str, Meta]:
    return {m.id: Meta(m.unit, m.kind) for m in found}


# --- the leak the review found --------------------------------------------------------------------------------

# Second plans by sex: 526 plans in all, 249 to girls, 274 to boys, so 3 to children of unknown sex.
BY_SEX = [
    Result("Female", 21, 249, 100 * 21 / 249),
    Result("Male", 24, 274, 100 * 24 / 274),
    Result("Unknown", 1, 3, 100 / 3),
]
SECOND_PLANS = [pct("2016-17Q1", 15, 170), pct("2016-17Q2", 30, 350), pct("2016-17Q3", 46, 526)]


def test_the_checker_finds_the_unknown_row_from_the_total_and_the_other_rows() -> None:
    """The dashboard before the fix: the small row's value and numerator hidden, the next smallest row's too,
    but every denominator beside the total."""
    shown = Reading("before")
    shown.show("cpp_second_pct", "2016-17Q3", None, "num", "46")
    shown.show("cpp_second_pct", "2016-17Q3", None, "den", "526")
    for label, num, den in (("Female", "c", "249"), ("Male", "24", "274"), ("Unknown", "c", "c")):
        shown.show("cpp_second_pct", "2016-17Q3", f"sex={label}", "num", num)
        shown.show("cpp_second_pct", "2016-17Q3", f"sex={label}", "den", den)
    found = disclosures(shown, truth(CPP_SECOND, SECOND_PLANS, BY_SEX), metas(CPP_SECOND))
    assert found == [
        "before: cpp_second_pct 2016-17Q3 sex=Unknown: den = 3, worked out as den 2016-17Q3 (526) - "
        "(den sex=Female 2016-17Q3 (249) + den sex=Male 2016-17Q3 (274))"
    ]


def test_a_breakdown_by_sex_cannot_give_away_the_unknown_row() -> None:
    """The fix: the next smallest row's denominator goes with its numerator, so 526 - 274 leaves 252 between
    girls and children of unknown sex."""
    shown = page(CPP_SECOND, SECOND_PLANS, BY_SEX)
    assert disclosures(shown, truth(CPP_SECOND, SECOND_PLANS, BY_SEX), metas(CPP_SECOND)) == []
    cells = {k[2]: (shown.cells[(*k[:3], "num")], shown.cells[(*k[:3], "den")]) for k in shown.cells if k[2]}
    assert cells == {"sex=Female": ("c", "c"), "sex=Male": (24, 274), "sex=Unknown": ("c", "c")}
    assert shown.cells[("cpp_second_pct", "2016-17Q3", None, "den")] == 526  # the figure reported stays


def test_a_breakdown_row_cannot_be_had_from_the_total_when_the_total_is_suppressed_for_its_trend() -> None:
    """Children starting care, year to date: 40 in Q2 and 43 in Q3 would give away the 3 who started in Q3,
    so the earlier quarter is c. The breakdown of Q3 then shows every row (none is small), and nothing from it
    gives the 3 away either, because Q2 stays c."""
    series = [count("2016-17Q1", 20), count("2016-17Q2", 40), count("2016-17Q3", 43)]
    rows = [Result("Female", 20, None, 20), Result("Male", 23, None, 23)]
    shown = page(STARTS, series, rows)
    assert [shown.cells[(STARTS.id, p.period_code, None, "value")] for p in series] == [20, "c", 43]
    assert disclosures(shown, truth(STARTS, series, rows), metas(STARTS)) == []


# --- a trend of year-to-date quarters -------------------------------------------------------------------------


def test_year_to_date_quarters_of_a_flow_cannot_be_subtracted_to_a_small_count() -> None:
    """Starts in 2016-17 to date: 12, 14, 30. Q2 - Q1 = 2 children started in Q2 alone, so one of Q1 and Q2 is c:
    the smaller, Q1 (the period reported, Q3, is kept wherever an earlier one will do)."""
    series = [count("2015-16Q4", 50), count("2016-17Q1", 12), count("2016-17Q2", 14), count("2016-17Q3", 30)]
    hidden = series_suppression("count", "flow", series)
    assert [s.value for s in hidden] == [False, True, False, False]
    assert hidden[1].reason == "with the figures shown beside it, it would reveal a count of 1 to 5"
    view = indicator_view(judged(STARTS, series), series, "published")
    assert [h.value.text for h in view.history] == ["50", "c", "14", "30"]
    shown = Reading("trend")
    for h in view.history:
        shown.show(STARTS.id, h.period_code, None, "value", h.value.text)
    assert disclosures(shown, truth(STARTS, series), metas(STARTS)) == []


def test_the_checker_finds_a_quarter_alone() -> None:
    series = [count("2016-17Q1", 12), count("2016-17Q2", 14)]
    shown = Reading("trend")
    shown.show(STARTS.id, "2016-17Q1", None, "value", "12")
    shown.show(STARTS.id, "2016-17Q2", None, "value", "14")
    assert disclosures(shown, truth(STARTS, series), metas(STARTS)) == [
        "trend: starts_count 2016-17Q2: num alone = 2, worked out as num 2016-17Q2 (14) - (num 2016-17Q1 (12))"
    ]


def test_a_stock_is_not_differenced_and_a_new_year_starts_afresh() -> None:
    """Children in care at each quarter end: 100 then 102 is a net change, not a count of children; and a
    flow's Q1 is not the previous year's Q4 plus anything."""
    stock = [count("2016-17Q1", 100), count("2016-17Q2", 102)]
    assert not any(s.any for s in series_suppression("count", "stock", stock))
    flow = [count("2015-16Q4", 60), count("2016-17Q1", 62)]
    assert not any(s.any for s in series_suppression("count", "flow", flow))


def test_percentages_year_to_date_protect_numerator_denominator_and_the_rest() -> None:
    """Re-referrals to date: 20 of 100 in Q1, 22 of 150 in Q2. The 2 re-referrals in Q2 alone would show, so
    Q1's numerator (and value) is c; 50 referrals and 48 that were not re-referrals in Q2 alone are not small."""
    meta = IndicatorMeta("rr_pct", "Re-referrals", "Front door", "percent", "lower", "flow")
    series = [pct("2016-17Q1", 20, 100), pct("2016-17Q2", 22, 150)]
    hidden = series_suppression("percent", "flow", series)
    assert [(s.value, s.numerator, s.denominator) for s in hidden] == [
        (True, True, False),
        (False, False, False),
    ]
    shown = Reading("trend")
    view = indicator_view(judged(meta, series), series, "published")
    for h in view.history:
        for column, figure in (("value", h.value), ("num", h.numerator), ("den", h.denominator)):
            shown.show(meta.id, h.period_code, None, column, figure.text)
    assert disclosures(shown, truth(meta, series), metas(meta)) == []


CUSTODY = IndicatorMeta(
    "yj_custody_rate", "Custodial sentences per 1,000 children aged 10-17", "Youth justice", "average", "lower",
    "flow", rate_base="1,000 children aged 10 to 17",
)  # fmt: skip


def test_a_rate_per_1000_declared_as_an_average_protects_the_children_it_counts() -> None:
    """4 custodial sentences over 24,000 children aged 10 to 17 (24.0 thousands) are 0.2 per 1,000. The
    catalogue declares the rate an average over the population, which the rule protected only when the
    population was 1 to 5: the value, the 4 and the narrative's "rests on 4 children" were all published."""
    series = [
        Point(parse_period("2015-16"), 30, 24.5, 30 / 24.5),
        Point(parse_period("2016-17"), 4, 24.0, 4 / 24),
    ]
    view = indicator_view(judged(CUSTODY, series), series, "published")
    assert (view.value.text, view.numerator.text, view.denominator.text) == ("c", "c", "24")
    assert "4 children" not in view.narrative and "0.2" not in view.narrative
    assert [h.value.text for h in view.history] == ["1.2", "c"]
    shown = Reading("trend")
    for h in view.history:
        for column, figure in (("value", h.value), ("num", h.numerator), ("den", h.denominator)):
            shown.show(CUSTODY.id, h.period_code, None, column, figure.text)
    checked = {CUSTODY.id: Meta("rate_per_10k", "flow")}  # a rate: the count behind it is of children
    assert disclosures(shown, truth(CUSTODY, series), checked) == []


# --- the rule's parts -------------------------------------------------------------------------------------------


def test_derivable_repeats_single_subtractions_until_nothing_follows() -> None:
    values = {"total": 10, "a": 4, "b": 6, "b1": 5, "b2": 1}
    totals = [Total("total", ("a", "b")), Total("b", ("b1", "b2"))]
    assert derivable(values, {"total", "a", "b1"}, totals) == values
    assert derivable(values, {"total", "b1"}, totals) == {"total": 10, "b1": 5}


@pytest.mark.parametrize(
    ("values", "hidden"),
    [
        ({"all": 30, "a": 3, "b": 12, "c": 15}, {"a", "b"}),  # the next smallest goes with the small one
        ({"all": 30, "a": 3, "b": 0, "c": 12, "d": 15}, {"a", "c"}),  # a true zero only as a last resort
        ({"all": 8, "a": 3, "b": 0, "c": 5}, {"a", "c"}),  # two small ones protect each other
    ],
)
def test_protect_hides_the_smallest_figure_the_small_one_comes_from(values, hidden) -> None:
    parts = tuple(k for k in values if k != "all")
    primary = {k for k, v in values.items() if 1 <= v <= 5 and k != "all"}
    got = protect(values, primary, [Total("all", parts)], shown=values, counts=values)
    assert got == hidden
    assert derivable(values, set(values) - got, [Total("all", parts)]).keys() == set(values) - got


def test_protect_keeps_the_fixed_and_prefers_to_keep_the_later() -> None:
    values = {"all": 30, "a": 3, "b": 12, "c": 15}
    totals = [Total("all", ("a", "b", "c"))]
    assert protect(values, {"a"}, totals, shown=values, counts=values, later={"b"}) == {"a", "c"}
    assert protect(values, {"a"}, totals, shown=values, counts=values, fixed={"b", "all"}) == {"a", "c"}
    zero = {"all": 30, "a": 3, "b": 0, "c": 27}
    totals = [Total("all", ("a", "b", "c"))]
    assert protect(zero, {"a"}, totals, shown=zero, counts=zero, fixed={"c", "all"}) == {"a", "b"}


def test_the_checker_knows_two_indicators_can_count_the_same_children() -> None:
    """Plans started, and the denominator of second plans, count the same children: a denominator hidden in one
    is shown by the other, and with the numerator beside it gives the 2 away. A small count shown is a finding
    too."""
    second = IndicatorMeta("second_pct", "Second plans", "Child protection", "percent", "lower", "stock")
    starts = IndicatorMeta("starts_count", "Plans started", "Child protection", "count", "neutral", "stock")
    dens = {"2016-17Q1": 30, "2016-17Q2": 40, "2016-17Q3": 60, "2016-17Q4": 80}
    facts = {**truth(second, [pct(p, 38, d) for p, d in dens.items()]),
             **truth(starts, [count(p, d) for p, d in dens.items()])}  # fmt: skip
    shown = Reading("two pages")
    shown.show("second_pct", "2016-17Q2", None, "num", "38")
    shown.show("second_pct", "2016-17Q2", None, "den", "c")
    shown.show("starts_count", "2016-17Q2", None, "value", "40")
    assert disclosures(shown, facts, metas(second, starts)) == [
        "two pages: second_pct 2016-17Q2: rest = 2, worked out as den 2016-17Q2 (40) - (num 2016-17Q2 (38))"
    ]
    facts[("starts_count", "2016-17Q4", None)] = (3, None, 3)
    shown.show("starts_count", "2016-17Q4", None, "value", "3")
    assert "two pages: starts_count 2016-17Q4: num = 3, shown" in disclosures(
        shown, facts, metas(second, starts)
    )
