"""Trend charts: what the spec draws, the alt text written from the same published data, and rendering."""

from __future__ import annotations

from csc_scorecard.publish.charts import alt_text, build_chart, caption, chart_spec
from csc_scorecard.publish.model import indicator_view
from test_publish_model import alternating, judged, pct


def _values(spec: dict, layer: int) -> list[dict]:
    return spec["layer"][layer]["data"]["values"]


def test_spec_draws_the_series_spc_lines_and_target():
    view = indicator_view(judged(alternating()), alternating(), "published")
    spec = chart_spec(view, "Walsall")
    lines = _values(spec, 0)
    walsall = [r for r in lines if r["series"] == "Walsall"]
    assert [r["y"] for r in walsall[:3]] == [60.0, 70.0, 60.0] and len(walsall) == 15
    assert {(r["series"], r["y"]) for r in lines if r["series"] != "Walsall"} == {
        ("SPC mean", 64.67), ("Process limits", 91.27), ("Process limits", 38.07), ("Target", 65.0),
    }  # fmt: skip
    colour = spec["layer"][0]["encoding"]["color"]["scale"]
    assert colour["domain"] == ["Walsall", "SPC mean", "Process limits", "Target"]
    assert colour["range"] == ["#1d70b8", "#505a5f", "#505a5f", "#de1b1b"]
    assert {r["colour"] for r in _values(spec, 1)} == {"#a6a6a6"}  # SPC common cause grey
    assert spec["config"]["font"].startswith("Arial")


def test_alt_text_is_written_from_the_data():
    view = indicator_view(judged(alternating()), alternating(), "published")
    assert alt_text(view, "Walsall") == (
        "Line chart of Stable placements for Walsall, 2013-14Q1 to 2016-17Q3, 15 periods. "
        "Latest value 60.0% in 2016-17Q3. Lowest 60.0% in 2013-14Q1; highest 70.0% in 2013-14Q2. "
        "SPC mean 64.7%, process limits 38.1% to 91.3%; variation: common cause; "
        "assurance: hits and misses target. Target 65.0%."
    )
    assert caption(view) == "Stable placements (%), 2013-14Q1 to 2016-17Q3, with SPC mean and process limits"


def test_a_suppressed_period_is_a_gap_and_never_described():
    series = alternating(last=pct("2016-17Q3", 39, 40))
    view = indicator_view(judged(series), series, "published")
    spec = chart_spec(view, "Walsall")
    walsall = [r for r in _values(spec, 0) if r["series"] == "Walsall"]
    plotted = {r["period"] for r in walsall + _values(spec, 1)}
    assert "2016-17Q3" not in plotted
    assert all(r["y"] != 97.5 for r in _values(spec, 0))
    assert (
        spec["layer"][0]["encoding"]["x"]["scale"]["domain"][-1] == "2016-17Q3"
    )  # the axis keeps the period
    text = alt_text(view, "Walsall")
    assert text == (
        "Line chart of Stable placements for Walsall, 2013-14Q1 to 2016-17Q3, 15 periods. "
        "1 suppressed period is left out. Lowest 60.0% in 2013-14Q1; highest 70.0% in 2013-14Q2. "
        "SPC limits are not drawn because a period in the series is suppressed. Target 65.0%."
    )
    internal = indicator_view(judged(series), series, "internal")
    assert "Latest value 97.5% in 2016-17Q3" in alt_text(internal, "Walsall")


def test_a_gap_breaks_the_line_into_runs():
    series = alternating(**{"2014_15Q1": pct("2014-15Q1", 2, 100)})
    view = indicator_view(judged(series), series, "published")
    runs = [r["key"] for r in _values(chart_spec(view, "Walsall"), 0) if r["series"] == "Walsall"]
    assert runs == ["v0"] * 4 + ["v1"] * 10


def test_rendered_svg_and_png():
    view = indicator_view(judged(alternating()), alternating(), "published")
    chart = build_chart(view, "Walsall", with_png=True)
    assert chart.svg.startswith("<svg") and ">Walsall<" in chart.svg and ">Target<" in chart.svg
    assert chart.svg_data_uri.startswith("data:image/svg+xml;base64,")
    assert chart.png is not None and chart.png[:8] == b"\x89PNG\r\n\x1a\n"
    assert build_chart(view, "Walsall").png is None  # the web page needs only the SVG
    assert chart.as_png()[:8] == b"\x89PNG\r\n\x1a\n"
    assert chart.alt == alt_text(view, "Walsall")
