"""The committee paper's shape, shared by report.html/report.pdf and paper.docx so that the two cannot differ:
which indicators the report discusses, the scorecard grid that is its background paper, and the charts appendix.

The shape follows a council's scrutiny paper (Walsall's Quarter 3 2016-17 report, shared/examples): the cover,
then one numbered section per area in words, a summary of achievements and priorities, the whole scorecard on
one page as a background paper, and (optionally) the charts.

- The report discusses the headline indicators (report.yaml `headline`) with data, and any other indicator with
  data that is rated red or has commentary or actions: someone has something to say about it.
- The grid has a row for every indicator of the scorecard (report.yaml `grid`: by default a council scorecard's
  measures, not every LAIT measure; manual measures and any the report discusses too) with data, grouped by
  area, with a sparkline of its recent figures:
  the last RECENT_PERIODS periods, or for a count so far this year the same point in each year (one line across
  years would drop every April). Only shown values are drawn; a suppressed period is a gap.
- The grid fits one landscape page: A4 up to GRID_A4_ROWS rows, A3 above.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from markupsafe import escape

from ..periods import parse_period
from .charts import LINE, Chart
from .model import (
    KEY,
    NO_VALUE,
    RECENT_PERIODS,
    TREND_WORDS,
    AreaView,
    Figure,
    HistoryPoint,
    IndicatorView,
    PriorityRow,
    ReportView,
    TrendView,
)

ChartsMode = Literal["appendix", "none"]
CHARTS_MODES: tuple[str, ...] = ("appendix", "none")
GRID_A4_ROWS = 30  # indicator rows that fit one A4 landscape page at the grid's type size
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 56, 11, 1.5  # CSS px: 15 x 3 mm
SHORT_JUDGEMENT = {"no significant change": "similar"}  # the grid's cells are narrow

GRID_KEY = (
    *KEY[:3],
    "Same point last year: the figure for the same part of last year, then the direction of change "
    "(↑ up, ↓ down, → similar: no significant change) and whether it is an improvement.",
    "Trend: the direction of change on the previous period or, for a count so far this year, on the same point "
    "last year.",
    f"Recent figures: the last {RECENT_PERIODS} periods (for a count so far this year, the same point in each "
    "year), drawn between their lowest and highest values; a gap is a figure not shown (c).",
)


@dataclass(frozen=True)
class Sparkline:
    points: tuple[HistoryPoint, ...]  # the periods drawn, oldest first
    description: str  # the figures in words, for screen readers and the PDF's alt text

    @property
    def svg(self) -> str:
        """A standalone SVG: one polyline per run of shown values, a dot on the latest shown value."""
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" '
            f'viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" class="app-sparkline">'
            f"<title>{escape(self.description)}</title>{''.join(_marks([h.value.value for h in self.points]))}</svg>"
        )


def _marks(values: list[float | None]) -> list[str]:
    shown = [v for v in values if v is not None]
    if not shown:
        return []
    low, high = min(shown), max(shown)
    # a change of a few tenths should not look like a swing: the range drawn is at least a tenth of the values
    span = max(high - low, 0.1 * max(abs(low), abs(high)), 1e-9)
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(len(values) - 1, 1)
    inner = SPARK_HEIGHT - 2 * SPARK_PAD
    xy = [
        None
        if v is None
        else (SPARK_PAD + i * step, SPARK_HEIGHT / 2 - (v - (low + high) / 2) / span * inner)
        for i, v in enumerate(values)
    ]
    marks, run = [], []
    for point in [*xy, None]:
        if point is not None:
            run.append(point)
            continue
        if len(run) > 1:
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            marks.append(f'<polyline points="{coords}" fill="none" stroke="{LINE}" stroke-width="1.5"/>')
        elif run:  # a value alone between gaps: a dot, as a one-point line is invisible
            marks.append(_dot(*run[0], 1.2))
        run = []
    marks.append(_dot(*next(p for p in reversed(xy) if p is not None), 1.8))
    return marks


def _dot(x: float, y: float, r: float) -> str:
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{LINE}"/>'


def sparkline_points(ind: IndicatorView) -> tuple[HistoryPoint, ...]:
    history = ind.history
    if ind.cumulative:  # the same quarter of each year: Apr–Dec 2013, Apr–Dec 2014, ...
        history = tuple(h for h in history if h.period_code[-2:] == ind.period_code[-2:])
    return history[-RECENT_PERIODS:]


def sparkline(ind: IndicatorView) -> Sparkline:
    points = sparkline_points(ind)
    figures = ", ".join(f"{h.label} {h.value.text}" for h in points)
    return Sparkline(points, f"{ind.label}, recent figures: {figures}")


@dataclass(frozen=True)
class GridRow:
    indicator: IndicatorView
    last_year: Figure  # the same point last year, as published
    last_year_change: str  # "↓ improving", "→ similar"; "" when not compared
    trend: str  # the direction of change in words, "–" when there is none
    sparkline: Sparkline

    @staticmethod
    def of(ind: IndicatorView) -> GridRow:
        code = parse_period(ind.period_code).last_year().code
        last_year = next((h.value for h in ind.history if h.period_code == code), Figure.of(None, ind.unit))
        return GridRow(
            ind, last_year, _short(ind.trend_last_year), _short(ind.direction) or NO_VALUE, sparkline(ind)
        )


def _short(trend: TrendView) -> str:
    if trend.movement is None:
        return ""
    return (
        f"{TREND_WORDS[trend.movement]} {SHORT_JUDGEMENT.get(trend.judgement, trend.judgement or '')}".strip()
    )


@dataclass(frozen=True)
class GridGroup:
    area: AreaView
    rows: tuple[GridRow, ...]


@dataclass(frozen=True)
class Grid:
    groups: tuple[GridGroup, ...]
    page: Literal["A4", "A3"]

    @property
    def rows(self) -> tuple[GridRow, ...]:
        return tuple(r for g in self.groups for r in g.rows)


@dataclass(frozen=True)
class ReportedArea:
    number: int
    area: AreaView
    indicators: tuple[IndicatorView, ...]  # discussed in words, in the area's order


@dataclass(frozen=True)
class Paper:
    areas: tuple[ReportedArea, ...]
    grid: Grid
    priorities: tuple[PriorityRow, ...]  # the areas with an achievement or a priority
    appendix: tuple[Chart, ...]  # empty with --charts none


def reported(ind: IndicatorView) -> bool:
    """Discussed in the report's words: a headline indicator, or one someone has something to say about."""
    return ind.has_data and (ind.headline or ind.rag == "red" or bool(ind.commentary) or bool(ind.actions))


def charted(ind: IndicatorView) -> bool:
    """Has a chart in the appendix: a headline indicator with a value to draw."""
    return ind.headline and any(h.value.value is not None for h in ind.history)


def grid(report: ReportView) -> Grid:
    """The scorecard's rows (report.yaml `grid`, manual measures and what the report discusses), by area."""
    groups = tuple(
        GridGroup(a, rows)
        for a in report.areas_with_data
        if (rows := tuple(GridRow.of(i) for i in a.with_data if i.in_grid or reported(i)))
    )
    rows = sum(len(g.rows) for g in groups)
    return Grid(groups, "A4" if rows <= GRID_A4_ROWS else "A3")


def paper(report: ReportView, charts: dict[str, Chart]) -> Paper:
    areas = tuple(
        ReportedArea(n, a, tuple(i for i in a.indicators if reported(i)))
        for n, a in enumerate(report.areas_with_data, 1)
    )
    appendix = tuple(charts[i.id] for i in report.indicators() if charted(i) and i.id in charts)
    priorities = tuple(r for r in report.priorities if r.achievements or r.priorities)
    return Paper(areas, grid(report), priorities, appendix)
