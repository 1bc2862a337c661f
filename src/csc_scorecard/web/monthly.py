"""The dashboard's monthly view: each indicator's last 24 months, drawn as an XmR chart (the mean and process
limits of the judgement's own SPC, special causes coloured) where it is monthly by nature (judge/board.py), else
as its rolling 12-month figures, which have no limits (overlapping windows are not independent points).

Charts are small inline SVG with presentation attributes only (the content security policy allows no inline
style or script), a title and a description in words for screen readers, and axes from zero. Viewers see the
published figures: a month resting on 1 to 5 children is a gap in the line, and then no limits are drawn (the
mean would let it be worked out), as in the pack.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from ..board import Board
from ..judge.board import BoardRow, XmrPoint, xmr_points
from ..judge.indicator import Point
from ..judge.spc import COLOURS, SpcOptions, point_colour
from ..judge.suppression import NOT_SUPPRESSED, series_suppression
from ..publish.model import Figure, Profile

WIDTH, HEIGHT = 300, 120
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 10, 20
LINE = "#1d70b8"  # GOV.UK blue, as the pack's charts
GREY = "#505a5f"


@dataclass(frozen=True)
class MonthlyChart:
    id: str
    label: str
    monthly: bool  # an XmR chart of months; else rolling 12 months
    svg: str  # markup, every text in it escaped
    summary: str  # the chart in words
    latest: str  # the latest figure as shown ("372", "21.8%", "c", "–")


def _x(i: int, n: int) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT) * (i / (n - 1) if n > 1 else 0.5)


def _y(v: float, top: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - max(v, 0) / top)


def _line(
    points: Sequence[tuple[float, float] | None], colour: str, width: float, dash: str = ""
) -> list[str]:
    """Polylines through the points, broken where a point is missing."""
    runs: list[list[tuple[float, float]]] = [[]]
    for p in points:
        if p is None:
            runs.append([])
        else:
            runs[-1].append(p)
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    return [
        f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in run)}" fill="none" stroke="{colour}" '
        f'stroke-width="{width}"{extra}/>'
        for run in runs
        if len(run) > 1
    ]


def scale_top(values: Sequence[float | None], limits: Sequence[XmrPoint | None]) -> float:
    """The top of the y-axis (which starts at 0): a little above the highest value or limit."""
    return max([v for v in values if v is not None] + [x.upl for x in limits if x] + [0.0]) * 1.05 or 1.0


def draw(
    chart_id: str, title: str, summary: str, labels: Sequence[str], values: Sequence[float | None],
    limits: Sequence[XmrPoint | None], top: float, top_text: str,
) -> str:  # fmt: skip
    """The SVG: `values` (None: a gap), `limits` per point (None: none drawn), the y-axis from 0 to `top`."""
    n = len(values)
    pts = [(_x(i, n), _y(v, top)) if v is not None else None for i, v in enumerate(values)]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-monthly-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{html.escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{html.escape(summary)}</desc>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" stroke="{GREY}" stroke-width="1"/>',
    ]  # fmt: skip
    for name, dash in (("upl", "4 3"), ("lpl", "4 3"), ("mean", "")):
        lines = [(_x(i, n), _y(getattr(x, name), top)) if x else None for i, x in enumerate(limits)]
        parts += _line(lines, GREY, 1, dash)
    parts += _line(pts, LINE, 1.5)
    for p, x in zip(pts, limits, strict=True):
        if p is not None:
            colour = point_colour(x.point_type) if x else LINE
            parts.append(f'<circle cx="{p[0]:.1f}" cy="{p[1]:.1f}" r="2.4" fill="{colour}"/>')
    font = 'font-family="Arial, sans-serif" font-size="9" fill="#0b0c0c"'
    parts += [
        f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end" {font}>{html.escape(top_text)}</text>',
        f'<text x="{LEFT - 4}" y="{HEIGHT - BOTTOM}" text-anchor="end" {font}>0</text>',
        f'<text x="{LEFT}" y="{HEIGHT - 5}" {font}>{html.escape(labels[0])}</text>',
        f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 5}" text-anchor="end" {font}>{html.escape(labels[-1])}</text>',
        "</svg>",
    ]
    return "".join(parts)


VARIATION_WORDS = {
    "common_cause": "common cause variation",
    "special_cause_improvement": "a special cause: an improvement",
    "special_cause_concern": "a special cause: a concern",
    "special_cause_neutral_high": "a special cause (high)",
    "special_cause_neutral_low": "a special cause (low)",
}


def monthly_chart(r: BoardRow, board: Board, profile: Profile, options: SpcOptions) -> MonthlyChart | None:
    """The indicator's chart, or None when none of its 24 points has a figure."""
    meta, unit = r.meta, r.meta.unit
    points: list[Point] = board.points(meta.id, "month" if r.monthly else "rolling_12")
    if not any(p.value is not None for p in points):
        return None
    hidden = (
        series_suppression(unit, meta.kind, points)
        if profile == "published"
        else [NOT_SUPPRESSED] * len(points)
    )
    figures = [Figure.of(p.value, unit, suppressed=s.value) for p, s in zip(points, hidden, strict=True)]
    values = [f.value for f in figures]
    xmr: dict[str, XmrPoint] = {}
    if r.monthly and not any(s.any for s in hidden):
        months = [p for p in board.built.series.get(meta.id, ()) if p.period.kind == "month"]
        xmr = xmr_points(meta, months, board.month, r.judgement.target, options)
    limits = [xmr.get(p.period_code) for p in points]
    first, last = points[0].period, points[-1].period
    labels = (f"{first.end:%b %Y}", f"{last.end:%b %Y}")
    what = "month by month" if r.monthly else "the 12 months to each month end"
    summary = f"{meta.label}, {what}, {first.end:%B %Y} to {last.end:%B %Y}: latest {figures[-1].long}."
    if xmr and (latest := limits[-1]) is not None:
        summary += (
            f" Mean {Figure.of(latest.mean, unit).text}, process limits {Figure.of(max(latest.lpl, 0), unit).text} "
            f"to {Figure.of(latest.upl, unit).text}; the latest month shows {VARIATION_WORDS.get(latest.point_type, 'common cause variation')}."
        )  # fmt: skip
    elif r.monthly:
        summary += " No process limits: " + (
            "a month is suppressed." if any(s.any for s in hidden) else "too few months for limits."
        )
    top = scale_top(values, limits)
    svg = draw(f"chart-{meta.id}", f"{meta.label}: {what}", summary, labels, values, limits, top,
               Figure.of(top, unit).text)  # fmt: skip
    return MonthlyChart(meta.id, meta.label, r.monthly, svg, summary, figures[-1].text)


def monthly_charts(
    board: Board, profile: Profile, options: SpcOptions
) -> list[tuple[str, list[MonthlyChart]]]:
    """Every indicator with figures, area by area."""
    out = []
    for area, rows in board.areas:
        charts = [c for r in rows if (c := monthly_chart(r, board, profile, options)) is not None]
        if charts:
            out.append((area, charts))
    return out


LEGEND = (
    (LINE, "a month (or 12 months) not judged, or charted without limits"),
    (COLOURS["common_cause"], "common cause variation"),
    (COLOURS["special_cause_improvement"], "special cause: improvement"),
    (COLOURS["special_cause_concern"], "special cause: concern"),
    (COLOURS["special_cause_neutral"], "special cause where neither higher nor lower is better"),
)

__all__ = ["LEGEND", "MonthlyChart", "draw", "monthly_chart", "monthly_charts", "scale_top"]
