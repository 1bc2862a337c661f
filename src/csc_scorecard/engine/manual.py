"""Manual measures' figures: the values recorded by hand (store/manual_values.py) taken over each window.

The window rules, by the measure's kind:
- **flow** (recruits, units secured): the window's figure is the total of the values for the months (or
  quarters) that make it up, and needs every one of them: with any missing, the figure is withheld and the
  note names the months missing (never a total of part of the window). A quarterly measure gives a figure
  only for windows made of whole quarters.
- **stock** (students in training on a day): the window's figure is the latest value dated in it (a value is
  dated on its month's, or quarter's, last day), and the note says which month when that is not the window's
  last; with no value dated in the window there is no figure.
A percentage totals (flow) or takes (stock) its numerator and denominator the same way and divides them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..catalogue import load_catalogue
from ..catalogue.manual import with_manual
from ..catalogue.models import Catalogue
from ..periods import Period, add_months, month_end
from ..sources.manual import MeasureDeclaration
from ..store.manual_values import ManualValue, current_values, declared

if TYPE_CHECKING:
    from .build import Request

SHOWN_RUNS = 3  # a note names at most this many runs of missing months, then says how many more


def catalogue_for(con: Any) -> Catalogue:
    """The shipped catalogue with the manual measures the store declares (a DuckDB store connection)."""
    return with_manual(load_catalogue(), declared(con).values())


@dataclass(frozen=True)
class WindowFigure:
    numerator: float | None
    denominator: float | None
    value: float | None
    notes: str
    load_ids: tuple[int, ...]


def _units(measure: MeasureDeclaration, period: Period) -> list[tuple[dt.date, dt.date]] | None:
    """The months (or quarters) that make up the window, or None when it is not made of whole ones."""
    step = 3 if measure.frequency == "quarter" else 1
    first = period.start
    if first.day != 1 or (step == 3 and first.month % 3 != 1):
        return None
    units = []
    while first <= period.end:
        closing = add_months(first, step - 1)
        last = month_end(closing.year, closing.month)
        if last > period.end:
            return None
        units.append((first, last))
        first = last + dt.timedelta(days=1)
    return units


def _words(start: dt.date, end: dt.date) -> str:
    same_year = start.year == end.year
    if (start.year, start.month) == (end.year, end.month):
        return f"{end:%B %Y}"
    return f"{start:%B}{'' if same_year else f' {start.year}'} to {end:%B %Y}"


def _runs(units: Sequence[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive months (or quarters) joined: May, June, July 2016 -> May to July 2016."""
    runs: list[tuple[dt.date, dt.date]] = []
    for start, end in units:
        if runs and runs[-1][1] + dt.timedelta(days=1) == start:
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    return runs


def _missing_note(missing: Sequence[tuple[dt.date, dt.date]], units: int, period: Period) -> str:
    if len(missing) == units:
        return f"no value recorded for {period.words}"
    runs = [_words(a, b) for a, b in _runs(missing)]
    named, more = runs[:SHOWN_RUNS], len(runs) - SHOWN_RUNS
    listed = (
        ", ".join(named) + f" and {more} more"
        if more > 0
        else " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)
    )
    return f"withheld: no value recorded for {listed}; a total for the window needs every one"


def _ratio(measure: MeasureDeclaration, numerator: float, denominator: float | None) -> float | None:
    if measure.unit == "count":
        return float(numerator)
    return 100.0 * numerator / denominator if denominator else None


def window_figure(measure: MeasureDeclaration, values: Sequence[ManualValue], period: Period) -> WindowFigure:
    """One window's figure from a measure's current values for one LA (the rules in the module docstring)."""
    if measure.kind == "stock":
        dated = [v for v in values if period.start <= v.period_end <= period.end]
        if not dated:
            return WindowFigure(None, None, None, f"no value recorded for {period.words}", ())
        latest = max(dated, key=lambda v: v.period_end)
        note = ""
        if latest.period_end != period.end:
            note = f"the latest value in the window, for {_words(latest.period_start, latest.period_end)}"
        ids = (latest.load_id,) if latest.load_id is not None else ()
        return WindowFigure(
            latest.value, latest.denominator, _ratio(measure, latest.value, latest.denominator), note, ids
        )
    units = _units(measure, period)
    if units is None:
        every = "quarter" if measure.frequency == "quarter" else "month"
        return WindowFigure(
            None, None, None, f"withheld: recorded each {every}, and the window is not whole {every}s", ()
        )
    by_span = {(v.period_start, v.period_end): v for v in values}
    missing = [u for u in units if u not in by_span]
    if missing:
        return WindowFigure(None, None, None, _missing_note(missing, len(units), period), ())
    used = [by_span[u] for u in units]
    numerator = sum(v.value for v in used)
    denominator = sum(v.denominator or 0 for v in used) if measure.unit == "percent" else None
    ids = tuple(sorted({v.load_id for v in used if v.load_id is not None}))
    return WindowFigure(numerator, denominator, _ratio(measure, numerator, denominator), "", ids)


def manual_figures(con: Any, request: Request) -> Iterator[tuple[str, Period, WindowFigure]]:
    """(LA, window, figure) for every window of the request and every LA asked for (default: every LA with a
    value for the measure)."""
    measure = request.indicator.manual
    assert measure is not None
    by_la: dict[str, list[ManualValue]] = {code: [] for code in request.la_codes or ()}
    for v in current_values(con, [measure.id], request.la_codes):
        by_la.setdefault(v.la_code, []).append(v)
    for la_code, mine in sorted(by_la.items()):
        for period in request.periods:
            yield la_code, period, window_figure(measure, mine, period)


__all__ = ["WindowFigure", "catalogue_for", "manual_figures", "window_figure"]
