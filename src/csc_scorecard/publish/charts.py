"""One trend chart per indicator: the council's series, its SPC mean and process limits, and the statistical
neighbour and England benchmarks. What a chart shows is a `Plot` (the lines, the dots and the legend, from the
published view); `draw` writes it as SVG (HTML, PDF, the dashboard), and vl-convert's SVG rasteriser (resvg) makes
the PNG (Word, slides), with no browser and no JavaScript engine. The charts were Vega-Lite specs (Altair) drawn
by vl-convert's JavaScript engine: 0.08 s of CPU a chart, after about 0.5 s starting the engine; drawn here a
chart takes about 0.2 ms, and WeasyPrint draws these flatter SVGs in the PDF in less time too.

Charts only ever see the published view, so a suppressed period is a gap in the line, never a point, and the
alt text, written from the same data, cannot mention it either.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import vl_convert as vlc

from ..judge.spc import COLOURS
from .model import SPC_ASSURANCE, SPC_VARIATION, Figure, HistoryPoint, IndicatorView

# vl-convert's PNG renderer matches family names literally (no fontconfig aliases), so name Arial's
# metric-compatible stand-in too; WeasyPrint and browsers take the first family they have.
FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"
LINE = "#1d70b8"  # GOV.UK blue
LAST_YEAR = "#b1b4b6"
WIDTH, HEIGHT = 560, 170  # the plotting area
PNG_SCALE = 2.0  # about 150 dpi at the 16.5 cm the Word paper gives a chart
SERIES_STYLE = {  # legend entry: (colour, dash)
    "mean": ("#505a5f", ()),
    "limits": ("#505a5f", (4, 3)),
    "sn": ("#912b88", (8, 3)),
    "england": ("#00703c", (2, 2)),
    "target": (COLOURS["target"], (6, 2)),
}
YEAR_TO_DATE = ("Apr–Jun", "Apr–Sep", "Apr–Dec", "Apr–Mar")

Run = tuple[tuple[int, float], ...]  # (position on the x-axis, value): one unbroken stretch of a line


@dataclass(frozen=True)
class Series:
    """A legend entry and its lines; a gap between runs is a period with nothing to draw."""

    name: str
    colour: str
    dash: tuple[int, ...]  # () for a solid line
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class Plot:
    """What a chart draws: the council's series first, then the reference lines, in legend order."""

    x_labels: tuple[str, ...]
    x_title: str | None
    y_title: str
    series: tuple[Series, ...]
    # (position, value, colour): the council's values, a later dot drawn over an earlier one
    dots: tuple[tuple[int, float, str], ...]
    rotate_labels: bool = True

    def y_axis(self) -> tuple[float, float, float]:
        """(bottom, top, tick step) of the y-axis: from zero (no exaggerated swings) to a round number at or
        above the highest value."""
        values = [y for s in self.series for run in s.runs for _, y in run] + [y for _, y, _ in self.dots]
        return nice(min([0.0, *values]), max([0.0, *values]))


@dataclass(frozen=True)
class Chart:
    indicator_id: str
    plot: Plot
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


def _runs(points: Iterable[tuple[int, float | None]]) -> tuple[Run, ...]:
    """The values in runs of consecutive positions, so that a gap breaks the line."""
    runs: list[list[tuple[int, float]]] = []
    last = None
    for x, y in points:
        if y is None:
            continue
        if last is None or x != last + 1:
            runs.append([])
        runs[-1].append((x, y))
        last = x
    return tuple(tuple(run) for run in runs)


def _reference_series(view: IndicatorView) -> list[Series]:
    """The SPC mean and limits, and the target and benchmarks as level lines across the whole chart."""
    history = view.history
    ends = sorted({0, len(history) - 1})  # one point, for a single period: no line
    series: list[Series] = []
    if any(h.spc_mean is not None for h in history):
        mean = _runs((i, h.spc_mean) for i, h in enumerate(history))
        limits = _runs((i, h.spc_upl) for i, h in enumerate(history)) + _runs(
            (i, h.spc_lpl) for i, h in enumerate(history)
        )
        series += [
            Series("SPC mean", *SERIES_STYLE["mean"], mean),
            Series("Process limits", *SERIES_STYLE["limits"], limits),
        ]
    levels: list[tuple[str, str, float]] = []
    if view.target is not None and view.target.value is not None:
        levels.append(("target", "Target", view.target.value))
    for key, bench in (("sn", view.sn), ("england", view.england)):
        if view.benchmarks_comparable and bench.value.value is not None:
            levels.append(
                (key, f"{bench.name} {bench.year}" if bench.year else bench.name, bench.value.value)
            )
    for key, name, level in levels:
        series.append(Series(name, *SERIES_STYLE[key], (tuple((x, level) for x in ends),)))
    return series


def _axis_title(view: IndicatorView) -> str:
    return view.unit_label if view.unit != "count" else "Number"


def _same_points(view: IndicatorView) -> tuple[list[str], list[HistoryPoint], list[HistoryPoint]]:
    """A year-to-date count's quarters this year and last year, matched by how far into the year they are."""
    by_year: dict[str, dict[str, HistoryPoint]] = {}
    for h in view.history:
        by_year.setdefault(h.period_code[:7], {})[h.period_code[-2:]] = h
    years = sorted(by_year)[-2:]
    this = list(by_year[years[-1]].values())
    last = [by_year[years[0]].get(q) for q in ("Q1", "Q2", "Q3", "Q4")] if len(years) == 2 else []
    return years, this, [h for h in last if h is not None]


def _quarter(h: HistoryPoint) -> int:
    return int(h.period_code[-1]) - 1


def year_on_year_plot(view: IndicatorView, la_name: str) -> Plot:
    """A year-to-date count as it builds through this year beside last year at the same points: a cumulative
    count drops back every April, so one line across years would show drops that never happened."""
    years, this, last = _same_points(view)
    series, dots = [], []
    for year, points, colour in ((years[-1], this, LINE), (years[0], last, LAST_YEAR)):
        if not points:
            continue
        values = [(_quarter(h), h.value.value) for h in points]
        series.append(Series(f"{la_name} {year}", colour, (), _runs(values)))
        dots = [(x, y, colour) for x, y in values if y is not None] + dots  # this year's drawn over
    return Plot(
        YEAR_TO_DATE, "Year to date", _axis_title(view), tuple(series), tuple(dots), rotate_labels=False
    )


def plot(view: IndicatorView, la_name: str) -> Plot:
    if view.cumulative:
        return year_on_year_plot(view, la_name)
    history = view.history
    council = Series(la_name, LINE, (), _runs((i, h.value.value) for i, h in enumerate(history)))
    dots = tuple(
        (i, h.value.value, h.colour or LINE) for i, h in enumerate(history) if h.value.value is not None
    )
    return Plot(
        tuple(h.label for h in history), None, _axis_title(view), (council, *_reference_series(view)), dots
    )


# ---- drawing ----------------------------------------------------------------------------------------------

# Arial's advance widths (Liberation Sans has the same metrics), in thousandths of the font size, for
# characters 32 to 126; anything else is taken as 556 (a digit, an en dash). Only spacing depends on them.
_WIDTHS = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500,
    667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278,
    556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
)  # fmt: skip
SIZE = 12  # every label and title, in px
GRID, AXIS, INK = "#e5e5e5", "#888888", "#0b0c0c"
TICK, PAD = 5, 5  # tick length; padding around the chart
TOP = PAD + SIZE // 2  # room for half the top label
DOT_RADIUS = 3.8  # Vega's circle of area 45
LABEL_ANGLE = 40  # degrees: the periods' labels slope up to their tick


def text_width(text: str) -> float:
    """The width of a label in px, for spacing (no font is opened)."""
    return sum(_WIDTHS[ord(c) - 32] if 32 <= ord(c) < 127 else 556 for c in text) * SIZE / 1000


def _step(low: float, high: float, count: int) -> float:
    """About `count` steps from low to high, each 1, 2 or 5 times a power of ten (d3's tick increment)."""
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    error = raw / power
    return power * (10 if error >= 7.07 else 5 if error >= 3.16 else 2 if error >= 1.41 else 1)


def nice(low: float, high: float) -> tuple[float, float, float]:
    """The axis's (bottom, top, tick step), as Vega's scales make them: the extent widened to whole tenths
    (d3's nice with 10 steps), ticks about a fifth of it apart (one per 40 px of a 170 px axis)."""
    if high <= low:
        high = low + 1
    for _ in range(5):
        step = _step(low, high, 10)
        low, high = math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step
    return low, high, _step(low, high, 5)


def _number(value: float, step: float) -> str:
    places = max(0, -math.floor(math.log10(step) + 1e-9))
    return f"{value:,.{places}f}"


def _text(x: float, y: float, text: str, anchor: str = "", extra: str = "") -> str:
    anchor = f' text-anchor="{anchor}"' if anchor else ""
    return f'<text x="{x:.1f}" y="{y:.1f}"{anchor}{extra}>{html.escape(text)}</text>'


def _path(
    points: Iterable[tuple[float, float]], colour: str, width: float, dash: tuple[int, ...] = ()
) -> str:
    d = "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points)
    extra = f' stroke-dasharray="{",".join(map(str, dash))}"' if dash else ""
    return f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{width}"{extra}/>'


def _lines(segments: Iterable[tuple[float, float, float, float]], colour: str) -> str:
    """Many one-pixel straight lines as one path: a grid or an axis's ticks."""
    d = "".join(f"M{x1:.1f},{y1:.1f}L{x2:.1f},{y2:.1f}" for x1, y1, x2, y2 in segments)
    return f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="1"/>' if d else ""


def draw(plot: Plot) -> str:
    """The chart as a standalone SVG: the plotting area WIDTH x HEIGHT, the y-axis's labels and title to its
    left, the periods below it and the legend below them."""
    bottom, top, step = plot.y_axis()
    first = math.ceil(bottom / step - 1e-9)
    ticks = [(first + i) * step + 0.0 for i in range(math.floor(top / step + 1e-9) - first + 1)]
    n = len(plot.x_labels)
    band = WIDTH / n  # a point scale with half a step's padding at each end, as Vega-Lite draws nominal x

    def x(i: float) -> float:
        return (i + 0.5) * band

    def y(v: float) -> float:
        return HEIGHT * (top - v) / (top - bottom)

    y_labels = [_number(t, step) for t in ticks]
    y_labels_width = max(text_width(t) for t in y_labels)
    label_widths = [text_width(t) for t in plot.x_labels]
    sin, cos = math.sin(math.radians(LABEL_ANGLE)), math.cos(math.radians(LABEL_ANGLE))
    if plot.rotate_labels:  # each label ends at its tick and slopes down to the left
        labels_depth = max(label_widths) * sin + SIZE * cos + TICK + 4
        overhang = max(w * cos - x(i) for i, w in enumerate(label_widths))
    else:
        labels_depth = TICK + 3 + SIZE
        overhang = max(w / 2 - x(i) for i, w in enumerate(label_widths))
    axis_left = TICK + 2 + y_labels_width + 4 + SIZE  # ticks, labels, the title's gap and height
    left = PAD + max(axis_left, overhang)
    depth = HEIGHT + labels_depth + (SIZE + 6 if plot.x_title else 0)

    legend, legend_rows, row_x = [], 1, 0.0
    for s in plot.series:  # left to right, wrapping under the plot's width
        width = 18 + 4 + text_width(s.name)
        if row_x and row_x + width > WIDTH:
            legend_rows, row_x = legend_rows + 1, 0.0
        ly = depth + 12 + (legend_rows - 1) * 18
        legend.append(_path([(row_x, ly), (row_x + 18, ly)], s.colour, 2, s.dash))
        legend.append(_text(row_x + 22, ly + 4, s.name))
        row_x += width + 16
    width = round(left + WIDTH + PAD)
    height = round(TOP + depth + 12 + legend_rows * 18 + PAD)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f'<rect width="{width}" height="{height}" fill="white"/>',  # the PNG's background on a coloured slide
        f'<g transform="translate({left:.1f},{TOP})" font-family="{html.escape(FONT)}" font-size="{SIZE}px" fill="{INK}">',
        _lines(((0, y(t), WIDTH, y(t)) for t in ticks), GRID),
        _lines(((x(i), 0, x(i), HEIGHT) for i in range(n)), GRID),
        _lines([(0, 0, 0, HEIGHT), (0, HEIGHT, WIDTH, HEIGHT)], AXIS),
        _lines([(-TICK, y(t), 0, y(t)) for t in ticks] + [(x(i), HEIGHT, x(i), HEIGHT + TICK) for i in range(n)], AXIS),
    ]  # fmt: skip
    parts += [_text(-TICK - 2, y(t) + 4, label, "end") for t, label in zip(ticks, y_labels, strict=True)]
    title_x = -(TICK + 2 + y_labels_width + 4)
    parts.append(
        _text(
            title_x,
            HEIGHT / 2,
            plot.y_title,
            "middle",
            f' font-weight="bold" transform="rotate(-90 {title_x:.1f} {HEIGHT / 2:.1f})"',
        )
    )
    for i, label in enumerate(plot.x_labels):
        if plot.rotate_labels:
            lx, ly = x(i) + 3, HEIGHT + TICK + 2 + SIZE * cos
            parts.append(
                _text(lx, ly, label, "end", f' transform="rotate(-{LABEL_ANGLE} {lx:.1f} {ly:.1f})"')
            )
        else:
            parts.append(_text(x(i), HEIGHT + TICK + 2 + SIZE - 2, label, "middle"))
    if plot.x_title:
        parts.append(_text(WIDTH / 2, depth - 2, plot.x_title, "middle", ' font-weight="bold"'))
    for s in reversed(plot.series):  # the council's line over the reference lines
        parts += [
            _path([(x(i), y(v)) for i, v in run], s.colour, 2, s.dash) for run in s.runs if len(run) > 1
        ]
    parts += [
        f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="{DOT_RADIUS}" fill="{c}"/>' for i, v, c in plot.dots
    ]
    parts += legend
    parts.append("</g></svg>")
    return "".join(p for p in parts if p)


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


def build_chart(view: IndicatorView, la_name: str, *, with_png: bool = False) -> Chart:
    shown = plot(view, la_name)
    chart = Chart(view.id, shown, alt_text(view, la_name), caption(view), draw(shown))
    return chart.with_png() if with_png else chart


def drawable(views: Iterable[IndicatorView]) -> list[IndicatorView]:
    """The views with a value to draw."""
    return [v for v in views if any(h.value.value is not None for h in v.history)]
