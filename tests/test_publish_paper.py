"""The committee paper's shape (publish/paper.py), hand-worked on small views: which indicators the report
discusses, the grid's last-year figure and page size, and the sparkline's points, gaps and coordinates."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pytest

from csc_scorecard.judge.indicator import IndicatorMeta, Point
from csc_scorecard.judge.scorecard import judge_indicator, summarise_area
from csc_scorecard.periods import parse_period
from csc_scorecard.pipeline import Built
from csc_scorecard.publish.model import (
    ActionView,
    Figure,
    HistoryPoint,
    ViewInputs,
    indicator_view,
    report_view,
)
from csc_scorecard.publish.paper import GRID_A4_ROWS, GridRow, Sparkline, grid, paper, reported, sparkline
from csc_scorecard.publish.report_config import (
    WALSALL_HEADLINE,
    ReportConfig,
    ReportConfigError,
    check_headline,
)

QUARTERS = [f"{y}-{(y + 1) % 100:02d}Q{q}" for y in range(2013, 2017) for q in range(1, 5)][
    :15
]  # to 2016-17Q3
RE_REFERRALS = IndicatorMeta("re_referrals_12m_pct", "Re-referrals", "Front door", "percent", "lower", "flow")
REFERRALS = IndicatorMeta("referrals_count", "Referrals", "Front door", "count", "neutral", "flow")
NOW = dt.datetime(2017, 1, 20, 9, 0)


def _series(meta: IndicatorMeta, values: list[float]) -> list[Point]:
    if meta.unit == "percent":  # year to date: 100 more children each quarter, so no quarter alone is small
        dens = [100 * int(c[-1]) for c in QUARTERS]
        return [
            Point(parse_period(c), v * d / 100, d, v) for c, v, d in zip(QUARTERS, values, dens, strict=True)
        ]
    return [Point(parse_period(c), v, None, v) for c, v in zip(QUARTERS, values, strict=True)]


def _view(meta: IndicatorMeta, values: list[float]):
    series = _series(meta, values)
    j = judge_indicator(meta, series, la_code="335", period=parse_period("2016-17Q3"), con=None)
    return indicator_view(j, series, "published")


PERCENTS = [30.0, 29.0, 28.0, 27.0, 26.0, 25.0, 24.0, 23.0, 22.0, 21.0, 25.0, 24.0, 20.0, 21.0, 20.0]


def _history(values: list[float | None]) -> tuple[HistoryPoint, ...]:
    """Points labelled P1, P2, ...; None is a suppressed period."""
    return tuple(
        HistoryPoint(f"2016-17Q{i}", f"P{i}", Figure.of(v, "count", suppressed=v is None), Figure.of(v, "count"),
                     Figure.of(None, "count"))
        for i, v in enumerate(values, 1)
    )  # fmt: skip


# --- the sparkline --------------------------------------------------------------------------------------------


def test_sparkline_coordinates_and_the_gap_for_a_suppressed_period():
    # 56 x 11 px, 1.5 px in from each edge: x steps (56 - 3) / 5 = 10.6; values 10..40 fill the 8 px between
    # y 9.5 (lowest) and 1.5 (highest), so 20 is at 9.5 - 8 x 10/30 = 6.83 and 30 at 4.17
    svg = Sparkline(_history([10, 20, None, 30, 40, 40]), "Test").svg
    assert re.findall(r'points="([^"]+)"', svg) == ["1.5,9.5 12.1,6.8", "33.3,4.2 43.9,1.5 54.5,1.5"]
    assert re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"', svg) == [("54.5", "1.5", "1.8")]
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="img" width="56" height="11"')


def test_a_value_alone_between_gaps_is_a_dot_and_a_flat_line_sits_in_the_middle():
    svg = Sparkline(_history([None, 50, None, 50, 50]), "Test").svg
    # a tenth of 50 is the smallest range drawn, so equal values sit on the middle line, y 5.5
    assert re.findall(r'points="([^"]+)"', svg) == ["41.2,5.5 54.5,5.5"]
    assert re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"', svg) == [
        ("14.8", "5.5", "1.2"),  # the lone value
        ("54.5", "5.5", "1.8"),  # the latest
    ]


def test_all_suppressed_draws_nothing_and_the_title_is_escaped():
    svg = Sparkline(_history([None, None]), 'Care <leavers> & "others"').svg
    assert "<polyline" not in svg and "<circle" not in svg
    assert "<title>Care &lt;leavers&gt; &amp; &#34;others&#34;</title>" in svg


def test_sparkline_takes_the_last_six_periods_or_the_same_point_each_year_for_a_count_so_far():
    rate = _view(RE_REFERRALS, PERCENTS)
    assert [h.period_code for h in sparkline(rate).points] == QUARTERS[-6:]
    assert sparkline(rate).description == (
        "Re-referrals, recent figures: Apr–Sep 2015 21.0%, Apr–Dec 2015 25.0%, Apr 2015–Mar 2016 24.0%, "
        "Apr–Jun 2016 20.0%, Apr–Sep 2016 21.0%, Apr–Dec 2016 20.0%"
    )
    counts = _view(REFERRALS, [100.0 * (i % 4 + 1) for i in range(15)])
    assert counts.cumulative
    assert [h.period_code for h in sparkline(counts).points] == [
        "2013-14Q3",
        "2014-15Q3",
        "2015-16Q3",
        "2016-17Q3",
    ]


# --- what the report discusses and the grid ----------------------------------------------------------------------


def test_the_report_discusses_headline_indicators_and_any_other_someone_has_something_to_say_about():
    view = _view(RE_REFERRALS, PERCENTS)
    assert not reported(view)  # not headline, not rated, no commentary or actions
    assert reported(replace(view, headline=True))
    assert reported(replace(view, rag="red"))
    assert not reported(replace(view, rag="amber"))
    assert reported(replace(view, commentary="Audit of repeat referrals under way."))
    assert reported(replace(view, actions=(ActionView("Audit", None, None, "open"),)))
    no_data = replace(view, headline=True, history=(), value=Figure.of(None, "percent"))
    assert not no_data.has_data and not reported(no_data)


def test_grid_row_last_year_and_trend_in_words():
    # 2016-17Q3 20.0% against 2015-16Q3 25.0%: 5 points down on a lower-is-better measure
    row = GridRow.of(_view(RE_REFERRALS, PERCENTS))
    assert row.last_year.text == "25.0%"
    assert row.last_year_change == "↓ improving"
    assert row.trend == "→ similar"  # 20.0% against 21.0% in 2016-17Q2: no significant change


def _built(n: int) -> Built:
    """n indicators with data in one area (copies of the re-referrals series under other ids)."""
    metas = [replace(RE_REFERRALS, id=f"ind_{i}", label=f"Indicator {i}") for i in range(n)]
    series = {m.id: tuple(_series(m, PERCENTS)) for m in metas}
    judgements = tuple(
        judge_indicator(m, series[m.id], la_code="335", period=parse_period("2016-17Q3"), con=None)
        for m in metas
    )
    summary = summarise_area("Front door", list(judgements))
    return Built("335", "Walsall", parse_period("2016-17Q3"), ((summary, judgements),), series, (), "v", NOW)


@pytest.mark.parametrize(("n", "page"), [(GRID_A4_ROWS, "A4"), (GRID_A4_ROWS + 1, "A3")])
def test_grid_is_a4_landscape_up_to_30_rows_then_a3(n, page):
    view = report_view(
        _built(n), "published", ViewInputs("Walsall", ReportConfig(headline=["ind_0", "ind_2"], grid="all"))
    )
    assert grid(view).page == page
    assert len(grid(view).rows) == n
    layout = paper(view, {})
    assert [i.id for i in layout.areas[0].indicators] == ["ind_0", "ind_2"]
    assert layout.appendix == ()


def test_the_grid_holds_the_scorecards_indicators_and_those_the_report_discusses():
    built = _built(5)
    config = ReportConfig(headline=["ind_3"], grid=["ind_0", "ind_1"])
    view = report_view(built, "published", ViewInputs("Walsall", config))
    assert [r.indicator.id for r in grid(view).rows] == ["ind_0", "ind_1", "ind_3"]  # ind_3 is discussed
    recorded = replace(built, areas=tuple(
        (summary, tuple(replace(j, meta=replace(j.meta, recorded=j.meta.id == "ind_4")) for j in judgements))
        for summary, judgements in built.areas
    ))  # fmt: skip
    view = report_view(recorded, "published", ViewInputs("Walsall", config))
    assert [r.indicator.id for r in grid(view).rows] == [
        "ind_0",
        "ind_1",
        "ind_3",
        "ind_4",
    ]  # a manual measure
    defaults = report_view(built, "published", ViewInputs("Walsall", ReportConfig(headline=[])))
    assert grid(defaults).rows == ()  # none of these ids is a scorecard measure, and none is discussed
    with pytest.raises(ReportConfigError, match="grid: unknown indicator id ind_9"):
        check_headline(ReportConfig(grid=["ind_0", "ind_9"]), {"ind_0", *WALSALL_HEADLINE})


def test_headline_ids_are_checked_against_the_indicators_known(tmp_path):
    config = ReportConfig(headline=["ind_0", "re_referals", "cin_rates"])
    with pytest.raises(ReportConfigError) as error:
        check_headline(config, {"ind_0"}, tmp_path / "report.yaml")
    assert str(error.value) == (
        f"{tmp_path / 'report.yaml'}: headline: unknown indicator ids re_referals, cin_rates "
        "(csc-scorecard catalogue lists the ids)"
    )
    check_headline(config, {"ind_0", "re_referals", "cin_rates"})  # all known: no error
