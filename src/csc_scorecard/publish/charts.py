"""One trend chart per indicator: the council's series, its SPC mean and process limits, and the statistical
neighbour and England benchmarks, as a Vega-Lite spec (Altair) rendered to SVG (HTML, PDF) and PNG (Word)
by vl-convert, with no browser. The same spec can be embedded in the web dashboard.

Charts only ever see the published view, so a suppressed period is a gap in the line, never a point, and the
alt text, written from the same data, cannot mention it either.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cached_property

import altair as alt
import vl_convert as vlc

from ..judge.spc import COLOURS
from .model import SPC_ASSURANCE, SPC_VARIATION, Figure, HistoryPoint, IndicatorView, ReportView

# vl-convert's PNG renderer matches family names literally (no fontconfig aliases), so name Arial's
# metric-compatible stand-in too; WeasyPrint and browsers take the first family they have.
FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"
LINE = "#1d70b8"  # GOV.UK blue
WIDTH, HEIGHT = 560, 170
PNG_SCALE = 2.0  # about 150 dpi at the 16.5 cm the Word paper gives a chart
SERIES_STYLE = {  # legend entry: (colour, dash)
    "mean": ("#505a5f", [1, 0]),
    "limits": ("#505a5f", [4, 3]),
    "sn": ("#912b88", [8, 3]),
    "england": ("#00703c", [2, 2]),
    "target": (COLOURS["target"], [6, 2]),
}


@dataclass(frozen=True)
class Chart:
    indicator_id: str
    spec: dict
    alt: str  # a sentence or three describing the chart's data, for screen readers and PDF/UA
    caption: str
    svg: str
    png: bytes | None = None  # at PNG_SCALE, for Word; made with the SVG when the pack asks for it

    @cached_property
    def svg_data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")

    def as_png(self) -> bytes:
        return self.png if self.png is not None else vlc.svg_to_png(self.svg, scale=PNG_SCALE)

    def with_png(self) -> Chart:
        return self if self.png is not None else replace(self, png=self.as_png())


def _runs(history: Sequence[HistoryPoint]) -> list[dict]:
    """The shown values, each tagged with its run of consecutive shown periods, so a gap breaks the line."""
    rows, run = [], 0
    for h in history:
        if h.value.value is None:
            run += 1
            continue
        rows.append({"period": h.label, "y": h.value.value, "run": f"v{run}", "colour": h.colour or LINE})
    return rows


def _reference_rows(view: IndicatorView, la_name: str) -> tuple[list[dict], list[str], list[str], list]:
    """Line rows (SPC mean/limits and benchmarks) with the legend's domain, colours and dashes."""
    history = view.history
    first, last = history[0].label, history[-1].label
    rows: list[dict] = []
    names = {"mean": "SPC mean", "limits": "Process limits"}
    with_limits = [h for h in history if h.spc_mean is not None]
    for h in with_limits:
        rows += [
            {"period": h.label, "y": h.spc_mean, "series": names["mean"], "key": "mean"},
            {"period": h.label, "y": h.spc_upl, "series": names["limits"], "key": "upl"},
            {"period": h.label, "y": h.spc_lpl, "series": names["limits"], "key": "lpl"},
        ]
    keys = ["mean", "limits"] if with_limits else []
    ends = list(dict.fromkeys((first, last)))
    if view.target is not None and view.target.value is not None:
        names["target"] = "Target"
        rows += [{"period": p, "y": view.target.value, "series": "Target", "key": "target"} for p in ends]
        keys.append("target")
    for key, bench in (("sn", view.sn), ("england", view.england)):
        if view.benchmarks_comparable and bench.value.value is not None:
            name = f"{bench.name} {bench.year}" if bench.year else bench.name
            names[key] = name
            rows += [{"period": p, "y": bench.value.value, "series": name, "key": key} for p in ends]
            keys.append(key)
    domain = [la_name] + [names[k] for k in keys]
    colours = [LINE] + [SERIES_STYLE[k][0] for k in keys]
    dashes = [[1, 0]] + [SERIES_STYLE[k][1] for k in keys]
    return rows, domain, colours, dashes


def _axis_title(view: IndicatorView) -> str:
    return view.unit_label if view.unit != "count" else "Number"


def _config(spec: dict) -> dict:
    spec["config"] = {
        "font": FONT,
        "view": {"stroke": None},
        "axis": {"labelFontSize": 12, "titleFontSize": 12, "grid": True, "gridColor": "#e5e5e5"},
        "legend": {"labelFontSize": 12, "labelLimit": 360},
    }
    return spec


def _same_points(view: IndicatorView) -> tuple[list[str], list[HistoryPoint], list[HistoryPoint]]:
    """A year-to-date count's quarters this year and last year, matched by how far into the year they are."""
    by_year: dict[str, dict[str, HistoryPoint]] = {}
    for h in view.history:
        by_year.setdefault(h.period_code[:7], {})[h.period_code[-2:]] = h
    years = sorted(by_year)[-2:]
    this = list(by_year[years[-1]].values())
    last = [by_year[years[0]].get(q) for q in ("Q1", "Q2", "Q3", "Q4")] if len(years) == 2 else []
    return years, this, [h for h in last if h is not None]


def year_on_year_spec(view: IndicatorView, la_name: str) -> dict:
    """A year-to-date count as it builds through this year beside last year at the same points: a cumulative
    count drops back every April, so one line across years would show drops that never happened."""
    years, this, last = _same_points(view)
    order = ["Apr–Jun", "Apr–Sep", "Apr–Dec", "Apr–Mar"]
    names = {years[-1]: f"{la_name} {years[-1]}", years[0]: f"{la_name} {years[0]}"}
    rows = [
        {"point": order[int(h.period_code[-1]) - 1], "y": h.value.value, "series": names[h.period_code[:7]]}
        for h in [*last, *this]
        if h.value.value is not None
    ]
    domain = [names[y] for y in reversed(years)]
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=domain, range=[LINE, "#b1b4b6"][: len(domain)]),
        legend=alt.Legend(orient="bottom", title=None, symbolType="stroke", symbolStrokeWidth=2),
    )
    x = alt.X("point:N", scale=alt.Scale(domain=order), sort=order, title="Year to date")
    y = alt.Y("y:Q", title=_axis_title(view), scale=alt.Scale(zero=True))
    base = alt.Chart(alt.Data(values=rows)).encode(x=x, y=y, color=colour)
    chart = alt.layer(base.mark_line(strokeWidth=2), base.mark_circle(size=45, opacity=1))
    return _config(chart.properties(width=WIDTH, height=HEIGHT).to_dict(validate=False))


def chart_spec(view: IndicatorView, la_name: str) -> dict:
    if view.cumulative:
        return year_on_year_spec(view, la_name)
    order = [h.label for h in view.history]
    values = _runs(view.history)
    refs, domain, colours, dashes = _reference_rows(view, la_name)
    x = alt.X(
        "period:N", scale=alt.Scale(domain=order), sort=order, title=None, axis=alt.Axis(labelAngle=-40)
    )
    y = alt.Y("y:Q", title=_axis_title(view), scale=alt.Scale(zero=True))  # from zero: no exaggerated swings
    legend = alt.Legend(orient="bottom", title=None, symbolType="stroke", symbolStrokeWidth=2)
    colour = alt.Color("series:N", scale=alt.Scale(domain=domain, range=colours), legend=legend)
    dash = alt.StrokeDash("series:N", scale=alt.Scale(domain=domain, range=dashes), legend=legend)
    line_rows = [{**r, "series": la_name, "key": r["run"]} for r in values] + refs
    lines = (
        alt.Chart(alt.Data(values=line_rows))
        .mark_line(strokeWidth=2)
        .encode(x=x, y=y, color=colour, strokeDash=dash, detail="key:N")
    )
    points = (
        alt.Chart(alt.Data(values=values))
        .mark_circle(size=45, opacity=1)
        .encode(x=x, y=y, color=alt.Color("colour:N", scale=None))
    )
    chart = alt.layer(lines, points).properties(width=WIDTH, height=HEIGHT)
    return _config(chart.to_dict(validate=False))  # a fixed shape: validation costs more than rendering


def _span(history: Sequence[HistoryPoint]) -> str:
    return f"{history[0].label} to {history[-1].label}"


def alt_text(view: IndicatorView, la_name: str) -> str:
    """Describes what the chart shows, from the same published figures (never a suppressed one)."""
    if view.cumulative:
        return _year_on_year_alt(view, la_name)
    history = view.history
    shown = [h for h in history if h.value.value is not None]
    suppressed = sum(h.value.suppressed for h in history)
    parts = [f"Line chart of {view.label} for {la_name}, {_span(history)}, {len(history)} periods."]
    if suppressed:
        parts.append(f"{suppressed} suppressed {'period is' if suppressed == 1 else 'periods are'} left out.")
    latest = history[-1]
    if latest.value.value is not None:
        parts.append(f"Latest value {latest.value.long} in {latest.label}.")
    if len(shown) >= 2:
        low = min(shown, key=lambda h: h.value.value)
        high = max(shown, key=lambda h: h.value.value)
        parts.append(f"Lowest {low.value.long} in {low.label}; highest {high.value.long} in {high.label}.")
    last_limits = next((h for h in reversed(history) if h.spc_mean is not None), None)
    if last_limits is not None:
        unit = view.unit
        mean, lpl, upl = (
            Figure.of(v, unit).long for v in (last_limits.spc_mean, last_limits.spc_lpl, last_limits.spc_upl)
        )
        variation = SPC_VARIATION.get(view.spc_variation or "", "no SPC judgement").lower()
        text = f"SPC mean {mean}, process limits {lpl} to {upl}; variation: {variation}"
        if view.spc_assurance:
            text += f"; assurance: {SPC_ASSURANCE[view.spc_assurance].lower()}"
        parts.append(text + ".")
    elif view.spc_limits_note:
        parts.append(view.spc_limits_note + ".")
    if view.target is not None and view.target.value is not None:
        parts.append(f"Target {view.target.long}.")
    refs = [
        f"{b.name} {b.year} {b.value.long}"
        for b in (view.sn, view.england)
        if view.benchmarks_comparable and b.value.value is not None
    ]
    if refs:
        parts.append("Reference lines: " + "; ".join(refs) + ".")
    elif not view.benchmarks_comparable:
        parts.append("Benchmarks are full-year figures, so they are not drawn beside part of a year.")
    return " ".join(parts)


def _year_on_year_alt(view: IndicatorView, la_name: str) -> str:
    years, this, last = _same_points(view)

    def listed(points: Sequence[HistoryPoint]) -> str:
        return (
            "; ".join(f"{h.label} {h.value.long}" for h in points if h.value.value is not None)
            or "none shown"
        )

    text = f"Line chart of {view.label} for {la_name}: the year to date in {years[-1]} ({listed(this)})" + (
        f", beside {years[0]} at the same points ({listed(last)})." if last else "."
    )
    if any(h.value.suppressed for h in (*this, *last)):
        text += " Suppressed figures are left out."
    return text


def caption(view: IndicatorView) -> str:
    unit = "" if view.label.endswith(")") else f" ({view.unit_label})"  # "... (%)" says its unit already
    if view.cumulative:
        return f"{view.label}{unit}, year to date, this year against last year"
    text = f"{view.label}{unit}, {_span(view.history)}"
    if any(h.spc_mean is not None for h in view.history):
        text += ", with SPC mean and process limits"
    return text


def drawn_chart(view: IndicatorView, la_name: str, spec: dict, svg: str, png: bytes | None = None) -> Chart:
    """The chart of a spec drawn as `svg` (here or by the pack's helper process)."""
    return Chart(view.id, spec, alt_text(view, la_name), caption(view), svg, png)


def build_chart(view: IndicatorView, la_name: str, *, with_png: bool = False) -> Chart:
    spec = chart_spec(view, la_name)
    svg = vlc.vegalite_to_svg(spec)
    return drawn_chart(view, la_name, spec, svg, vlc.svg_to_png(svg, scale=PNG_SCALE) if with_png else None)


def drawable(views: Iterable[IndicatorView]) -> list[IndicatorView]:
    """The views with a value to draw."""
    return [v for v in views if any(h.value.value is not None for h in v.history)]


def build_charts(
    report: ReportView,
    views: Iterable[IndicatorView] | None = None,
    *,
    workers: int = 2,
    with_png: bool = True,
) -> dict[str, Chart]:
    """The charts of `views` (default: every indicator with a value to draw); vl-convert renders outside the
    GIL, so two workers use both cores."""
    views = drawable(report.indicators() if views is None else views)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        charts = list(pool.map(lambda v: build_chart(v, report.la_name, with_png=with_png), views))
    return {c.indicator_id: c for c in charts}
