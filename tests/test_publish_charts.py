"""Trend charts: what the spec draws, the alt text written from the same published data, and rendering."""

from __future__ import annotations

from csc_scorecard.publish.charts import alt_text, build_chart, caption, chart_spec
from csc_scorecard.publish.model import indicator_view
from test_publish_model import STARTS, alternating, count, judged, pct


def _values(spec: dict, layer: int) -> list[dict]:
    return spec["layer"][layer]["data"]["values"]


def spec_y_starts_at_zero(spec: dict) -> bool:
    encodings = [layer["encoding"] for layer in spec["layer"] if "encoding" in layer] + [
        spec.get("encoding", {})
    ]
    return all(e["y"]["scale"]["zero"] is True for e in encodings if "y" in e)


def test_a_year_to_date_count_is_drawn_against_last_year_at_the_same_points():
    # Referrals so far this year: 2015-16 Q1..Q4 and 2016-17 Q1..Q3. One line across both years would drop
    # from 3,899 (Apr 2015-Mar 2016) to 1,000 (Apr-Jun 2016): a fall that never happened.
    quarters = [f"{y}Q{q}" for y in ("2015-16", "2016-17") for q in range(1, 5)][:7]
    values = [980, 1990, 2950, 3899, 1000, 2312, 3432]
    series = [count(code, n) for code, n in zip(quarters, values, strict=True)]
    view = indicator_view(judged(series, STARTS, "2016-17Q3"), series, "published")
    assert view.cumulative
    spec = chart_spec(view, "Walsall")
    rows = spec["data"]["values"]
    assert [(r["point"], r["y"]) for r in rows if r["series"] == "Walsall 2016-17"] == [
        ("Apr–Jun", 1000), ("Apr–Sep", 2312), ("Apr–Dec", 3432),
    ]  # fmt: skip
    assert [r["y"] for r in rows if r["series"] == "Walsall 2015-16"] == [980, 1990, 2950, 3899]
    assert spec_y_starts_at_zero(spec)
    assert alt_text(view, "Walsall") == (
        "Line chart of Children starting care for Walsall: the year to date in 2016-17 (Apr–Jun 2016 1,000; "
        "Apr–Sep 2016 2,312; Apr–Dec 2016 3,432), beside 2015-16 at the same points (Apr–Jun 2015 980; "
        "Apr–Sep 2015 1,990; Apr–Dec 2015 2,950; Apr 2015–Mar 2016 3,899)."
    )
    assert caption(view) == "Children starting care (number), year to date, this year against last year"


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
        "Line chart of Stable placements for Walsall, Apr–Jun 2013 to Apr–Dec 2016, 15 periods. "
        "Latest value 60.0% in Apr–Dec 2016. Lowest 60.0% in Apr–Jun 2013; highest 70.0% in Apr–Sep 2013. "
        "SPC mean 64.7%, process limits 38.1% to 91.3%; variation: common cause; "
        "assurance: hits and misses target. Target 65.0%. Benchmarks are full-year figures, so they are not drawn "
        "beside part of a year."
    )
    assert caption(view) == (
        "Stable placements (%), Apr–Jun 2013 to Apr–Dec 2016, with SPC mean and process limits"
    )
    assert spec_y_starts_at_zero(chart_spec(view, "Walsall"))


def test_a_suppressed_period_is_a_gap_and_never_described():
    series = alternating(last=pct("2016-17Q3", 39, 40))
    view = indicator_view(judged(series), series, "published")
    spec = chart_spec(view, "Walsall")
    walsall = [r for r in _values(spec, 0) if r["series"] == "Walsall"]
    plotted = {r["period"] for r in walsall + _values(spec, 1)}
    assert "Apr–Dec 2016" not in plotted
    assert all(r["y"] != 97.5 for r in _values(spec, 0))
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"][-1] == "Apr–Dec 2016"  # the axis keeps it
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
