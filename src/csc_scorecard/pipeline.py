"""The scorecard for one LA and period, end to end: engine figures for the period and its history, saved to the
store, then judged. The CLI, the report pack and the web app all start here, so they show the same thing.

Stages keep their direction: the engine writes `indicator_results`; judgement reads what the engine wrote
(and the published benchmarks), never the returns themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import duckdb

from .catalogue import load_catalogue
from .catalogue.models import Indicator
from .engine import compute, save_results
from .judge.indicator import IndicatorMeta, Point
from .judge.scorecard import AreaSummary, Judgement, JudgeOptions, judge_indicator, summarise_area
from .judge.targets import Targets
from .judge.trend import period_type
from .periods import Period, add_months, financial_year_label, parse_financial_year, parse_period


def area_label(area: str) -> str:
    return area.replace("_", " ").capitalize()


def meta_for(indicator: Indicator) -> IndicatorMeta:
    return IndicatorMeta(
        indicator.id,
        indicator.label,
        area_label(indicator.area),
        indicator.unit,
        indicator.polarity,
        indicator.kind,
        indicator.lait,
    )


def loaded_years(con: duckdb.DuckDBPyConnection, la_code: str) -> list[str]:
    rows = con.execute(
        "SELECT DISTINCT collection_year FROM loads WHERE la_code = ? AND status = 'current' ORDER BY 1",
        [la_code],
    ).fetchall()
    return [r[0] for r in rows]


def local_authorities_loaded(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT DISTINCT la_code FROM loads ORDER BY 1").fetchall()]


def series_periods(period_code: str, first_year: str) -> list[Period]:
    """The period and every earlier period of the same type back to the first loaded collection year."""
    period = parse_period(period_code)
    first = parse_financial_year(first_year)
    kind = period_type(period.code)
    if kind == "year":
        years = range(first, parse_financial_year(period.code))
        return [parse_period(financial_year_label(y)) for y in years] + [period]
    if kind == "ytd_quarter":
        last_year, quarter = parse_financial_year(period.code[:7]), int(period.code[-1])
        codes = [f"{financial_year_label(y)}Q{q}" for y in range(first, last_year + 1) for q in range(1, 5)]
        return [parse_period(c) for c in codes if (int(c[:4]), int(c[-1])) <= (last_year, quarter)]
    if kind in ("month", "rolling_12"):
        start = period.end.replace(day=1)
        months, month = [], start
        while month.year * 12 + month.month >= first * 12 + 4:
            months.append(month)
            month = add_months(month, -1)
        prefix = "R12:" if kind == "rolling_12" else ""
        return [parse_period(f"{prefix}{m.year}-{m.month:02d}") for m in reversed(months)]
    return [period]


@dataclass
class Scorecard:
    la_code: str
    period: Period
    areas: list[tuple[AreaSummary, list[Judgement]]] = field(default_factory=list)

    def judgements(self) -> list[Judgement]:
        return [j for _, judgements in self.areas for j in judgements]


def compute_and_save(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    periods: Sequence[Period],
    indicator_ids: Sequence[str] | None,
) -> None:
    results = compute(con, periods, indicator_ids, la_codes=[la_code])
    save_results(con, results)


def read_points(con: duckdb.DuckDBPyConnection, la_code: str, indicator_id: str) -> list[Point]:
    rows = con.execute(
        "SELECT period, period_end, numerator, denominator, value FROM indicator_results "
        "WHERE la_code = ? AND indicator_id = ? AND breakdown IS NULL ORDER BY period_end",
        [la_code, indicator_id],
    ).fetchall()
    return [Point(*row) for row in rows]


def build_scorecard(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    period_code: str,
    *,
    targets: Targets | None = None,
    options: JudgeOptions | None = None,
    indicator_ids: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Scorecard:
    """Compute (and save) the period and its history, then judge every indicator, area by area."""
    catalogue = load_catalogue()
    ids = list(indicator_ids or catalogue.ids())
    years = loaded_years(con, la_code)
    if not years:
        raise ValueError(f"no returns are loaded for LA {la_code}")
    period = parse_period(period_code)
    compute_and_save(con, la_code, series_periods(period.code, years[0]), ids)
    scorecard = Scorecard(la_code, period)
    by_area = catalogue.by_area()
    for area in by_area:  # the catalogue keeps its areas in report order (catalogue.loader.AREA_ORDER)
        judgements = []
        for indicator in by_area[area]:
            if indicator.id not in ids:
                continue
            if progress:
                progress(indicator.id)
            series = read_points(con, la_code, indicator.id)
            judgements.append(
                judge_indicator(
                    meta_for(indicator),
                    series,
                    la_code=la_code,
                    period_code=period.code,
                    con=con,
                    targets=targets,
                    options=options,
                )
            )
        if judgements:
            scorecard.areas.append((summarise_area(area_label(area), judgements), judgements))
    return scorecard
