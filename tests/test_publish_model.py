"""The published view: rounding per unit, the suppression profile and what it withholds, hand-worked."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from csc_scorecard.judge.indicator import IndicatorMeta, Point
from csc_scorecard.judge.scorecard import judge_indicator, summarise_area
from csc_scorecard.judge.suppression import Suppression, suppression
from csc_scorecard.judge.targets import parse_targets
from csc_scorecard.periods import parse_period
from csc_scorecard.pipeline import Built
from csc_scorecard.publish.model import (
    INTERNAL_MARKING,
    Figure,
    ViewInputs,
    area_view,
    cover_sections,
    indicator_view,
    period_labels,
    report_view,
)
from csc_scorecard.publish.report_config import ReportConfig
from csc_scorecard.store.commentary import Commentary

STABLE = IndicatorMeta("stable_pct", "Stable placements", "Children in care", "percent", "higher", "stock")
STARTS = IndicatorMeta(
    "starts_count", "Children starting care", "Children in care", "count", "neutral", "flow"
)
IN_CARE = IndicatorMeta("in_care_count", "Children in care", "Children in care", "count", "neutral", "stock")
TARGETS = parse_targets(
    'la = "335"\n[[target]]\nindicator = "stable_pct"\nvalue = 65.0\ntolerance = 5.0\nvalid_from = 2013-04-01\n'
)
QUARTERS = [f"{y}-{(y + 1) % 100:02d}Q{q}" for y in range(2013, 2017) for q in range(1, 5)][
    :15
]  # to 2016-17Q3
NOW = dt.datetime(2017, 1, 20, 9, 0)


def pct(code: str, numerator: float, denominator: float) -> Point:
    return Point(parse_period(code), numerator, denominator, 100 * numerator / denominator)


def count(code: str, n: float) -> Point:
    return Point(parse_period(code), n, None, n)


def alternating(last: Point | None = None, **changes: Point) -> list[Point]:
    """60%, 70%, 60%, ... of 100 children: mean 64.67% (8 x 60 + 7 x 70 over 15), every moving range 10."""
    points = [pct(code, 60 if i % 2 == 0 else 70, 100) for i, code in enumerate(QUARTERS)]
    points = [changes.get(p.period_code.replace("-", "_"), p) for p in points]
    return [*points[:-1], last] if last else points


def judged(series, meta=STABLE, code="2016-17Q3"):
    return judge_indicator(meta, series, la_code="335", period=parse_period(code), con=None, targets=TARGETS)


# --- rounding and suppression rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "shown", "text", "long"),
    [
        (21.65, "percent", 21.7, "21.7%", "21.7%"),  # halves go up, unlike round()
        (21.649, "percent", 21.6, "21.6%", "21.6%"),
        (519.45, "rate_per_10k", 519.5, "519.5", "519.5 per 10,000"),
        (1234.5, "count", 1235.0, "1,235", "1,235"),
        (412.5, "days", 413.0, "413", "413 days"),
        (0.0, "count", 0.0, "0", "0"),  # a true zero is shown, never suppressed
    ],
)
def test_figures_are_rounded_per_unit_as_spec_section_5(value, unit, shown, text, long):
    assert Figure.of(value, unit) == Figure(shown, text, long, False)


def test_suppressed_and_missing_figures():
    assert Figure.of(3, "count", suppressed=True) == Figure(None, "c", "c", True)
    assert Figure.of(None, "percent") == Figure(None, "–", "no value", False)


@pytest.mark.parametrize(
    ("unit", "numerator", "denominator", "value", "expected"),
    [
        ("count", 4, None, 4, (True, True, False)),
        ("count", 0, None, 0, (False, False, False)),
        ("count", 6, None, 6, (False, False, False)),
        ("percent", 5, 439, 100 * 5 / 439, (True, True, False)),  # small numerator
        ("percent", 3, 4, 75.0, (True, True, True)),  # small denominator: all three
        ("percent", 39, 40, 97.5, (True, True, False)),  # secondary: 40 - 39 = 1 would be revealed
        ("percent", 40, 40, 100.0, (False, False, False)),  # 40 - 40 = 0 is a true zero
        ("percent", 6, 12, 50.0, (False, False, False)),
        ("rate_per_10k", 2, 66044, 0.3, (True, True, False)),
        ("days", 1551, 5, 310.2, (True, True, True)),  # an average over 5 children
        ("days", 1551, 10, 155.1, (False, False, False)),
    ],
)
def test_suppression_rules(unit, numerator, denominator, value, expected):
    s = suppression(unit, numerator, denominator, value)
    assert (s.value, s.numerator, s.denominator) == expected


def test_secondary_suppression_says_why():
    assert (
        suppression("percent", 39, 40, 97.5).reason
        == "with the total shown it would reveal a count of 1 to 5"
    )
    assert suppression("count", 2, None, 2).reason == "it rests on a count of 1 to 5"
    assert suppression("count", 7, None, 7) == Suppression()


# --- one indicator ----------------------------------------------------------------------------------------


def test_unsuppressed_indicator_carries_rounded_values_and_spc_limits():
    view = indicator_view(judged(alternating()), alternating(), "published")
    assert (view.value.text, view.numerator.text, view.denominator.text) == ("60.0%", "60", "100")
    assert view.rag == "amber"  # 60.0% is below the target 65.0% but within 5.0 points
    assert view.rag_text == "Amber"
    assert len(view.history) == 15
    # mean 970 / 15 = 64.667; MR-bar 10, so limits 64.667 +/- 26.6 (2.66 x 10), to 2 dp
    assert {(h.spc_mean, h.spc_upl, h.spc_lpl) for h in view.history} == {(64.67, 91.27, 38.07)}
    assert view.spc_limits_note == ""
    assert view.facts == "Value 60.0% (60 of 100). Higher is better."
    assert not view.suppressed and view.suppression_note == ""


def test_suppressed_latest_figure_withholds_judgements_and_replaces_the_narrative():
    series = alternating(last=pct("2016-17Q3", 39, 40))
    j = judged(series)
    assert j.narrative.startswith("Stable placements were 97.5%")  # what the judge drafted, with the number
    view = indicator_view(j, series, "published")
    assert (view.value.text, view.numerator.text, view.denominator.text) == ("c", "c", "40")
    assert view.suppressed
    assert (
        view.suppression_note == "Suppressed because with the total shown it would reveal a count of 1 to 5."
    )
    assert view.narrative == (
        "Stable placements: the figure at the end of December 2016 is not shown (c), to protect children's "
        "privacy: it would reveal a number of children between 1 and 5."
    )
    assert (view.rag, view.rag_text, view.quartile_text, view.spc_text) == (None, "c", "c", "c")
    assert (view.trend_previous.text, view.trend_last_year.text) == ("–", "–")
    assert view.history[-1].value == Figure(None, "c", "c", True)
    assert all(h.spc_mean is None for h in view.history)
    assert view.spc_limits_note == "SPC limits are not drawn because a period in the series is suppressed"
    assert "97.5" not in view.facts and "39" not in view.facts


def test_internal_profile_shows_every_figure():
    series = alternating(last=pct("2016-17Q3", 39, 40))
    view = indicator_view(judged(series), series, "internal")
    assert (view.value.text, view.numerator.text, view.denominator.text) == ("97.5%", "39", "40")
    assert view.rag == "green" and view.narrative.startswith("Stable placements were 97.5%")
    assert view.history[-1].value.value == 97.5


def test_suppressed_comparison_period_keeps_only_the_latest_value_in_the_narrative():
    # the same quarter last year (2015-16Q3) rests on 3 children
    series = alternating(**{"2015_16Q3": pct("2015-16Q3", 3, 100)})
    j = judged(series)
    assert "3.0%" in j.narrative
    view = indicator_view(j, series, "published")
    assert view.value.text == "60.0%" and not view.suppressed
    assert view.narrative == (
        "Stable placements were 60.0% at the end of December 2016. It is not compared with earlier periods, "
        "because a figure that comparison uses is not shown (c), to protect children's privacy."
    )
    assert [h.value.text for h in view.history if h.value.suppressed] == ["c"]
    assert view.trend_last_year.judgement is not None  # a direction gives no number away


def test_small_counts_in_history_are_suppressed_but_zero_is_not():
    """Children in care at each quarter end (a stock: one quarter less another is no count of children)."""
    series = [
        count(code, n)
        for code, n in zip(QUARTERS, [9, 4, 0, 12, 2, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], strict=True)
    ]
    view = indicator_view(judged(series, IN_CARE), series, "published")
    assert [h.value.text for h in view.history[:6]] == ["9", "c", "0", "12", "c", "7"]
    assert view.value.text == "16"
    internal = indicator_view(judged(series, IN_CARE), series, "internal")
    assert [h.value.text for h in internal.history[:6]] == ["9", "4", "0", "12", "2", "7"]


def test_commentary_quoting_numbers_is_withheld_beside_a_suppressed_figure():
    series = alternating(last=pct("2016-17Q3", 39, 40))
    note = Commentary("335", "stable_pct", "2016-17Q3", "Only 1 young person moved twice.", "A. Analyst", NOW)
    j = replace(judged(series), commentary=note)
    assert indicator_view(j, series, "published").commentary is None
    assert indicator_view(j, series, "internal").commentary == "Only 1 young person moved twice."
    words = replace(j, commentary=replace(note, text="Stability work continues with the fostering team."))
    assert (
        indicator_view(words, series, "published").commentary
        == "Stability work continues with the fostering team."
    )


def test_commentary_without_suppression_is_published_as_written():
    note = Commentary("335", "stable_pct", "2016-17Q3", "=1+1 is not a formula here", None, NOW)
    j = replace(judged(alternating()), commentary=note)
    assert indicator_view(j, alternating(), "published").commentary == "=1+1 is not a formula here"


# --- areas, the report and the cover ----------------------------------------------------------------------


def _scorecard():
    stable_series = alternating(last=pct("2016-17Q3", 39, 40))  # suppressed; internally green
    starts_series = [count(code, 10 + i) for i, code in enumerate(QUARTERS)]
    judgements = [judged(stable_series), judged(starts_series, STARTS)]
    summary = summarise_area("Children in care", judgements)
    series = {"stable_pct": tuple(stable_series), "starts_count": tuple(starts_series)}
    built = Built(
        "335", "Walsall", parse_period("2016-17Q3"), ((summary, tuple(judgements)),), series, (), "v", NOW
    )
    return built, series


def test_area_counts_are_recomputed_from_what_is_shown():
    scorecard, series = _scorecard()
    summary, judgements = scorecard.areas[0]
    assert (summary.green, summary.not_rated) == (1, 1)
    published = area_view(
        summary, judgements, [indicator_view(j, series[j.meta.id], "published") for j in judgements]
    )
    assert (published.green, published.amber, published.red, published.not_rated) == (0, 0, 0, 2)
    assert published.narrative.startswith("Children in care: 2 indicators. No target is set for any of them.")
    assert published.slug == "children-in-care"


def test_report_view_profiles_marking_and_cover():
    scorecard, _ = _scorecard()
    inputs = ViewInputs("Walsall", ReportConfig(), dt.date(2017, 1, 20))
    published = report_view(scorecard, "published", inputs)
    internal = report_view(scorecard, "internal", inputs)
    assert (published.marking, internal.marking) == (None, INTERNAL_MARKING)
    assert INTERNAL_MARKING == "INTERNAL – NOT FOR PUBLICATION: contains unsuppressed small numbers"
    assert published.council == "Walsall Council"
    assert published.title == "Children's Services performance: Quarter 3 2016-17"
    assert published.recent_periods == (
        "2015-16Q2",
        "2015-16Q3",
        "2015-16Q4",
        "2016-17Q1",
        "2016-17Q2",
        "2016-17Q3",
    )
    assert published.executive_summary[0] == (
        "This report sets out the performance of Walsall Council's Children's Services for Quarter 3 2016-17 "
        "(April to December 2016): 2 indicators in 1 area."
    )
    assert published.executive_summary[1].startswith("No local targets were set for this period")
    assert internal.executive_summary[1].startswith("The one with a local target is green.")
    assert [s.heading for s in cover_sections(published)] == [
        "Executive summary", "Reason for scrutiny", "Recommendations", "Background papers",
        "Resource and legal considerations", "Citizen impact", "Environmental impact", "Performance management",
        "Equality implications", "Consultation", "Contact officer",
    ]  # fmt: skip
    assert published.cover.recommendations[0] == (
        "That the Committee notes the performance of Children's Services for Quarter 3 2016-17 "
        "(April to December 2016)."
    )
    with pytest.raises(ValueError, match="profile must be one of published, internal"):
        report_view(scorecard, "draft", inputs)  # type: ignore[arg-type]


def test_priorities_are_words_only():
    scorecard, _ = _scorecard()
    internal = report_view(scorecard, "internal", ViewInputs("Walsall"))
    # 97.5% against 60.0% in 2015-16Q3
    assert internal.priorities[0].achievements == ("Stable placements: on target, better than last year",)
    published = report_view(scorecard, "published", ViewInputs("Walsall"))
    assert published.priorities[0].achievements == ()  # the suppressed indicator's RAG is withheld


@pytest.mark.parametrize(
    ("code", "labels"),
    [
        ("2016-17Q3", ("Quarter 3 2016-17 (April to December 2016)", "Quarter 3 2016-17")),
        ("2016-17", ("2016-17 (April 2016 to March 2017)", "2016-17")),
        ("2016-12", ("December 2016", "Dec 2016")),
        (
            "R12:2016-12",
            ("the 12 months to December 2016 (January to December 2016)", "12 months to Dec 2016"),
        ),
    ],
)
def test_period_labels(code, labels):
    assert period_labels(parse_period(code)) == labels


def test_analysts_achievements_and_priorities_come_first_in_the_summary():
    from csc_scorecard.pipeline import AreaNote
    from csc_scorecard.publish.model import PriorityRow, priorities

    scorecard, _ = _scorecard()
    view = report_view(scorecard, "internal", ViewInputs("Walsall"))
    notes = {
        "Children in care": (
            AreaNote(1, "335", "children_in_care", "2016-17Q3", "achievement", "Adopting Mockingbird fostering",
                     None, NOW),
            AreaNote(2, "335", "children_in_care", "2016-17Q3", "priority", "Recruit more foster carers", None, NOW),
        ),
        "Workforce": (AreaNote(3, "335", "workforce", "2016-17Q3", "achievement", "Two Frontline units", None, NOW),),
    }  # fmt: skip
    rows = priorities(view.areas, notes)
    care = next(r for r in rows if r.area == "Children in care")
    assert care.achievements == (
        "Adopting Mockingbird fostering", "Stable placements: on target, better than last year",
    )  # fmt: skip
    assert care.priorities == ("Recruit more foster carers",)
    assert rows[-1] == PriorityRow("Workforce", ("Two Frontline units",), ())  # not in the view: still shown
