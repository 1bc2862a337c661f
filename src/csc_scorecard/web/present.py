"""What a page shows, from the report pack's own published view (publish.model) and charts (publish.charts), so
the dashboard and the pack cannot disagree. Each thing comes from one function here.

Profiles: a viewer sees the `published` profile (counts of 1 to 5, and figures that would reveal them, shown
as c; judgements on a suppressed figure withheld); analysts and admins see `internal`, marked as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..judge.indicator import Point
from ..judge.judgement import Judgement
from ..judge.suppression import NOT_SUPPRESSED, SUPPRESSED, Partner, breakdown_suppression, rule_unit
from ..pipeline import Built
from ..publish.charts import Chart, alt_text, build_chart, caption
from ..publish.model import (
    Figure,
    IndicatorView,
    Profile,
    ReportView,
    ViewInputs,
    indicator_view,
    partners_of,
    report_view,
    shown_series,
)
from .state import User


def profile_for(user: User) -> Profile:
    return "internal" if user.can("analyst") else "published"


def scorecard_view(built: Built, profile: Profile) -> ReportView:
    """The whole scorecard as the pack shows it (areas, RAG counts, every indicator's row)."""
    return report_view(built, profile, ViewInputs(built.la_name))


def single_view(built: Built, j: Judgement, profile: Profile) -> IndicatorView:
    return indicator_view(j, built.series.get(j.meta.id, ()), profile, partners_of(built, j))


def chart(view: IndicatorView, la_name: str) -> Chart:
    """The indicator's trend chart (SPC mean and limits, SN and England lines) exactly as in the pack."""
    return build_chart(view, la_name)


def chart_text(view: IndicatorView, la_name: str) -> tuple[str, str]:
    """(alt text, caption) of the chart, written from the same published figures."""
    return alt_text(view, la_name), caption(view)


@dataclass(frozen=True)
class BreakdownRow:
    value_label: str  # the breakdown value, e.g. "10-15"
    key: str | None  # the raw value, for drill-through links (None when suppressed)
    numerator: Figure
    denominator: Figure
    value: Figure


def breakdown_rows(
    j: Judgement,
    series: Sequence[Point],
    results: Sequence,
    profile: Profile,
    partners: Sequence[Partner] = (),
) -> list[BreakdownRow]:
    """One row per breakdown value of the period reported, in the engine's order, as shown on the indicator's
    page beside its value and trend table. In the published profile a row resting on 1 to 5 children is c, and
    so is any other figure from which a reader could work one out with the total and the trend table
    (judge/suppression.py breakdown_suppression)."""
    unit = j.meta.unit
    rows = [r for r in results if r.breakdown_value is not None] + [
        r for r in results if r.breakdown_value is None
    ]
    if profile == "published":
        points, hidden_series = shown_series(j, series, profile, partners)
        hidden = breakdown_suppression(
            rule_unit(j.meta), rows, kind=j.meta.kind, series=points, series_hidden=hidden_series
        )
    else:
        hidden = [NOT_SUPPRESSED] * len(rows)
    out = []
    for r, h in zip(rows, hidden, strict=True):
        label = "not recorded" if r.breakdown_value is None else str(r.breakdown_value)
        out.append(
            BreakdownRow(
                label,
                None if h.value else (r.breakdown_value or ""),
                Figure.of(r.numerator, "count", suppressed=h.numerator),
                Figure.of(r.denominator, "count", suppressed=h.denominator),
                Figure.of(r.value, unit, suppressed=h.value),
            )
        )
    return out


__all__ = [
    "SUPPRESSED",
    "BreakdownRow",
    "breakdown_rows",
    "chart",
    "chart_text",
    "profile_for",
    "scorecard_view",
    "single_view",
]
