"""Trend charts: what a chart draws (its Plot), the alt text written from the same published data, and the
SVG and PNG drawn from it."""

from __future__ import annotations

import re

from csc_scorecard.publish.charts import Plot, alt_text, build_chart, caption, draw, nice, plot
from csc_scorecard.publish.model import indicator_view
from test_publish_model import STARTS, alternating, count, judged, pct


def _series(shown: Plot) -> dict[str, list[list[tuple[int, float]]]]:
    return {s.name: [list(run) for run in s.runs] for s in shown.series}


def test_a_year_to_date_count_is_drawn_against_last_year_at_the_same_points():
    # Referrals so far this year: 2015-16 Q1..Q4 and 2016-17 Q1..Q3. One line across both years would drop
    # from 3,899 (Apr 2015-Mar 2016) to 1,000 (Apr-Jun 2016): a fall that never happened.
    quarters = [f"{y}Q{q}" for y in ("2015-16", "2016-17") for q in range(1, 5)][:7]
    values = [980, 1990, 2950, 3899, 1000, 2312, 3432]
    series = [count(code, n) for code, n in zip(quarters, values, strict=True)]
    view = indicator_view(judged(series, STARTS, "2016-17Q3"), series, "published")
    assert view.cumulative
    shown = plot(view, "Walsall")
    assert shown.x_labels == ("Apr–Jun", "Apr–Sep", "Apr–Dec", "Apr–Mar") and shown.x_title == "Year to date"
    assert _series(shown) == {
        "Walsall 2016-17": [[(0, 1000), (1, 2312), (2, 3432)]],
        "Walsall 2015-16": [[(0, 980), (1, 1990), (2, 2950), (3, 3899)]],
    }
    assert shown.y_axis() == (0, 4000, 1000)
    assert [colour for *_, colour in shown.dots] == ["#b1b4b6"] * 4 + ["#1d70b8"] * 3  # this year's on top
    assert alt_text(view, "Walsall") == (
        "Line chart of Children starting care for Walsall: the year to date in 2016-17 (Apr–Jun 2016 1,000; "
        "Apr–Sep 2016 2,312; Apr–Dec 2016 3,432), beside 2015-16 at the same points (Apr–Jun 2015 980; "
        "Apr–Sep 2015 1,990; Apr–Dec 2015 2,950; Apr 2015–Mar 2016 3,899)."
    )
    assert caption(view) == "Children starting care (number), year to date, this year against last year"


def test_the_plot_draws_the_series_spc_lines_and_target():
    view = indicator_view(judged(alternating()), alternating(), "published")
    shown = plot(view, "Walsall")
    (walsall,) = _series(shown)["Walsall"]
    assert [y for _, y in walsall[:3]] == [60.0, 70.0, 60.0] and [x for x, _ in walsall] == list(range(15))
    assert {(s.name, y) for s in shown.series[1:] for run in s.runs for _, y in run} == {
        ("SPC mean", 64.67),
        ("Process limits", 91.27),
        ("Process limits", 38.07),
        ("Target", 65.0),
    }
    assert _series(shown)["Target"] == [[(0, 65.0), (14, 65.0)]]  # a level line across the chart
    assert [(s.name, s.colour, s.dash) for s in shown.series] == [
        ("Walsall", "#1d70b8", ()), ("SPC mean", "#505a5f", ()), ("Process limits", "#505a5f", (4, 3)),
        ("Target", "#de1b1b", (6, 2)),
    ]  # fmt: skip
    assert {colour for _, _, colour in shown.dots} == {"#a6a6a6"}  # SPC common cause grey
    assert len(shown.dots) == 15
    assert shown.y_axis() == (0, 100, 20)  # from zero; the upper limit 91.27 rounded up to a tenth


def test_alt_text_is_written_from_the_data():
    view = indicator_view(judged(alternating()), alternating(), "published")
    assert alt_text(view, "Walsall") == (
        "Line chart of Stable placements for Walsall, Apr–Jun 2013 to Apr–Dec 2016, 15 periods. "
        "Latest value 60.0% in Apr–Dec 2016. Lowest 60.0% in Apr–Jun 2013; highest 70.0% in Apr–Sep 2013. "
        "SPC mean 64.7%, process limits 38.1% to 91.3%; variation: common cause; "
        "assurance: hits and misses target. Target 65.0%. Benchmarks are full-year figures, so they are not drawn "
        "beside part of a year."
    )
    assert caption(view) == (
        "Stable placements (%), Apr–Jun 2013 to Apr–Dec 2016, with SPC mean and process limits"
    )


def test_a_suppressed_period_is_a_gap_and_never_described():
    series = alternating(last=pct("2016-17Q3", 39, 40))
    view = indicator_view(judged(series), series, "published")
    shown = plot(view, "Walsall")
    plotted = {x for run in _series(shown)["Walsall"] for x, _ in run} | {x for x, _, _ in shown.dots}
    assert plotted == set(range(14))  # not the last period, Apr–Dec 2016
    assert all(y != 97.5 for s in shown.series for run in s.runs for _, y in run)
    assert shown.x_labels[-1] == "Apr–Dec 2016"  # the axis keeps it
    assert "97.5" not in draw(shown)
    text = alt_text(view, "Walsall")
    assert text == (
        "Line chart of Stable placements for Walsall, Apr–Jun 2013 to Apr–Dec 2016, 15 periods. "
        "1 suppressed period is left out. Lowest 60.0% in Apr–Jun 2013; highest 70.0% in Apr–Sep 2013. "
        "SPC limits are not drawn because a period in the series is suppressed. Target 65.0%. Benchmarks are "
        "full-year figures, so they are not drawn beside part of a year."
    )
    internal = indicator_view(judged(series), series, "internal")
    assert "Latest value 97.5% in Apr–Dec 2016" in alt_text(internal, "Walsall")


def test_a_gap_breaks_the_line_into_runs():
    series = alternating(**{"2014_15Q1": pct("2014-15Q1", 2, 100)})
    view = indicator_view(judged(series), series, "published")
    runs = _series(plot(view, "Walsall"))["Walsall"]
    assert [[x for x, _ in run] for run in runs] == [[0, 1, 2, 3], list(range(5, 15))]


def test_nice_axes_as_vega_draws_them():
    assert nice(0, 600.1) == (0, 650, 100)  # whole tenths at the top, ticks a fifth apart
    assert nice(0, 91.27) == (0, 100, 20)
    assert nice(0, 0.37) == (0, 0.4, 0.1)
    assert nice(-3, 12) == (-4, 12, 5)  # ticks at 0, 5 and 10
    assert nice(0, 0) == (0, 1, 0.2)  # nothing but zeros: still an axis


def test_rendered_svg_and_png():
    view = indicator_view(judged(alternating()), alternating(), "published")
    chart = build_chart(view, "Walsall", with_png=True)
    assert chart.svg.startswith("<svg") and ">Walsall<" in chart.svg and ">Target<" in chart.svg
    ticks = re.findall(r'text-anchor="end">([\d,.]+)</text>', chart.svg)
    assert ticks == ["0", "20", "40", "60", "80", "100"]  # the y-axis's labels, from zero
    assert chart.svg.count("<circle") == 15 and 'font-family="Arial, ' in chart.svg
    # by hand: 15 periods across 560 px, the first half a step (18.7 px) in; 60% on an axis of 0 to 100% over
    # 170 px is 68 px down from the top, 70% 51 px
    assert '<circle cx="18.7" cy="68.0"' in chart.svg and '<circle cx="56.0" cy="51.0"' in chart.svg
    assert chart.svg_data_uri.startswith("data:image/svg+xml;base64,")
    assert chart.png is not None and chart.png[:8] == b"\x89PNG\r\n\x1a\n"
    assert build_chart(view, "Walsall").png is None  # the web page needs only the SVG
    assert chart.as_png()[:8] == b"\x89PNG\r\n\x1a\n"
    assert chart.alt == alt_text(view, "Walsall")
