"""Computing indicators: one query per indicator covering every window and LA, results unrounded."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..catalogue.models import Catalogue, CatalogueError, Indicator, OptionValue
from ..periods import Period
from ..store.quality import all_rules
from ..store.status import loaded_return_years, loaded_snapshots
from .adapters import EngineAdapter, adapter_for
from .build import PeriodRow, Request, results_query, unknown_rules
from .coverage import CoverageRow, coverage
from .manual import catalogue_for, manual_figures

Number = int | float


@dataclass(frozen=True)
class IndicatorResult:
    la_code: str
    indicator_id: str
    period: str  # the period code, e.g. 2016-17Q3
    period_start: dt.date
    period_end: dt.date
    breakdown: str | None  # None for the whole LA
    breakdown_value: str | None
    numerator: Number | None  # None where the loaded returns do not cover the window (or its history)
    denominator: Number | None  # None for a count
    value: float | None  # unrounded; None where undefined (0 / 0, no population, not covered): notes say why
    population_year: int | None  # mid-year estimate a rate divided by
    notes: str
    load_ids: tuple[int, ...]  # loads the counted records came from


def compute(
    con: Any,
    periods: Sequence[Period],
    indicator_ids: Sequence[str] | None = None,
    breakdown: str | None = None,
    la_codes: Sequence[str] | None = None,
    *,
    options: Mapping[str, Mapping[str, OptionValue]] | None = None,
    catalogue: Catalogue | None = None,
    engine: str | None = None,
) -> list[IndicatorResult]:
    """Every indicator (or those named) for every window, LA and (optionally) breakdown value.

    Args:
        con: a DuckDB store connection, or an EngineAdapter.
        periods: the windows (periods.parse_period, periods.quarters, periods.window).
        indicator_ids: default all; with a breakdown and no ids, every indicator that allows it.
        breakdown: a breakdown name (catalogue breakdowns.yaml); an indicator that does not allow it is an error.
        la_codes: default every LA with data.
        options: {indicator_id: {option: value}} overriding the catalogue defaults; a population's setting
            (shared by every indicator over it) is given as {population name: {setting: value}}.
        catalogue: default the shipped catalogue with the manual measures the store declares.
        engine: "duckdb" (the default for a store connection) or "spark" (the store's tables exported to
            Parquet and the queries run with Spark; see engine/adapters/spark.py).
    """
    adapter = adapter_for(con, engine)
    catalogue = catalogue or catalogue_for(adapter.connection)
    requests = build_requests(catalogue, periods, indicator_ids, breakdown, la_codes, options or {})
    results: list[IndicatorResult] = []
    try:
        for request in requests:
            results.extend(run_request(adapter, catalogue, request))
    finally:
        if adapter is not con:  # made here for this call: release what it holds (Spark's Parquet exports)
            adapter.close()
    return results


def build_requests(
    catalogue: Catalogue,
    periods: Sequence[Period],
    indicator_ids: Sequence[str] | None,
    breakdown: str | None,
    la_codes: Sequence[str] | None,
    options: Mapping[str, Mapping[str, OptionValue]],
) -> list[Request]:
    if not periods:
        raise ValueError("no periods asked for")
    unknown = set(options) - set(catalogue.indicators) - set(catalogue.populations)
    if unknown:
        raise CatalogueError([f"options given for unknown indicator(s) or population(s) {sorted(unknown)}"])
    ids = list(indicator_ids) if indicator_ids is not None else _default_ids(catalogue, breakdown)
    requests = []
    for indicator_id in ids:
        indicator = catalogue.definition(indicator_id)
        chosen = catalogue.breakdown_for(indicator, breakdown) if breakdown is not None else None
        overrides = _overrides(catalogue, indicator, options)
        check_options(indicator, overrides)
        if unknown_rules(indicator):
            raise CatalogueError(
                [f"indicator {indicator.id} leaves out unknown rule(s) {unknown_rules(indicator)}"]
            )
        codes = tuple(la_codes) if la_codes is not None else None
        requests.append(Request(indicator, tuple(periods), breakdown, chosen, codes, overrides))
    return requests


def _overrides(
    catalogue: Catalogue, indicator: Indicator, options: Mapping[str, Mapping[str, OptionValue]]
) -> dict[str, OptionValue]:
    """The indicator's own overrides, and the settings given for the populations it reads."""
    settings = catalogue.population_settings(indicator.population or "")
    own = dict(options.get(indicator.id, {}))
    shared = [name for name in own if name in settings]
    if shared:
        where = ", ".join(f"{name} (population {settings[name][0]})" for name in shared)
        message = "is one setting for every indicator over the population: give it for the population"
        raise CatalogueError([f"indicator {indicator.id}: {where} {message}, not the indicator"])
    given = {name: options[pop][name] for name, (pop, _) in settings.items() if name in options.get(pop, {})}
    return {**given, **own}


def _default_ids(catalogue: Catalogue, breakdown: str | None) -> list[str]:
    if breakdown is None:
        return catalogue.ids()
    if breakdown not in catalogue.breakdowns:
        raise CatalogueError([f"no breakdown {breakdown!r} (known: {', '.join(catalogue.breakdowns)})"])
    return [i for i in catalogue.ids() if breakdown in catalogue.definition(i).breakdowns]


def check_options(indicator: Indicator, overrides: Mapping[str, OptionValue]) -> None:
    problems = []
    for name, value in overrides.items():
        spec = indicator.options.get(name)
        if spec is None:
            known = ", ".join(indicator.options) or "none"
            problems.append(f"indicator {indicator.id} has no option {name!r} (options: {known})")
        elif type(value) is not type(spec.default):
            problems.append(
                f"indicator {indicator.id} option {name} takes {type(spec.default).__name__}, got {value!r}"
            )
    if problems:
        raise CatalogueError(problems)


def with_coverage(adapter: EngineAdapter, catalogue: Catalogue, request: Request) -> Request:
    """The request with each LA's coverage of each window, from the returns loaded in the store."""
    loaded = loaded_return_years(adapter.connection, request.la_codes)
    snapshots = loaded_snapshots(adapter.connection, request.la_codes)
    rows = coverage(catalogue, request.indicator, request.periods, loaded, snapshots)
    return dataclasses.replace(request, coverage=tuple(rows))


def run_request(adapter: EngineAdapter, catalogue: Catalogue, request: Request) -> list[IndicatorResult]:
    if request.indicator.manual is not None:  # recorded by hand: its values, not a query (engine/manual.py)
        return [
            IndicatorResult(la, request.indicator.id, p.code, p.start, p.end, None, None, f.numerator,
                            f.denominator, f.value, None, f.notes, f.load_ids)
            for la, p, f in manual_figures(adapter.connection, request)
        ]  # fmt: skip
    request = with_coverage(adapter, catalogue, request)
    if not request.coverage:  # no LA has any of the returns the indicator reads
        return []
    rows = adapter.fetch(results_query(catalogue, request, adapter.SUPPORTS_ARRAY_AGG_DISTINCT))
    by_id = {r.period_id: r for r in request.rows}
    gaps = {(c.la_code, c.period_id): c for c in request.coverage}
    return [
        _result(request, by_id[row["period_id"]], row, gaps[(row["la_code"], row["period_id"])])
        for row in rows
    ]


def _result(
    request: Request, window: PeriodRow, row: dict[str, Any], covered: CoverageRow
) -> IndicatorResult:
    period = window.period
    return IndicatorResult(
        la_code=row["la_code"],
        indicator_id=request.indicator.id,
        period=period.code,
        period_start=period.start,
        period_end=period.end,
        breakdown=request.breakdown_name,
        breakdown_value=row["breakdown_value"],
        numerator=row["numerator"],
        denominator=row["denominator"],
        value=row["value"],
        population_year=row["population_year"],
        notes="; ".join(_notes(request, window, row, covered)),
        load_ids=tuple(sorted({i for i in row["load_ids"] or () if i is not None})),
    )


def _notes(request: Request, window: PeriodRow, row: dict[str, Any], covered: CoverageRow) -> list[str]:
    """Why a figure is blank (returns or history not loaded, 0 ÷ 0, no population), what a rate used, and the
    flagged records it leaves out."""
    if covered.gap is not None:
        return [covered.gap.note()]
    left_out = _left_out_note(request.indicator, row["left_out"])
    return [*_value_notes(request, window, row), *left_out]


def _left_out_note(indicator: Indicator, count: int) -> list[str]:
    if not count:
        return []
    rules = {rule.id: rule for rule in all_rules()}
    what = "; ".join(
        rules[r].says + (f" (DfE {rules[r].dfe})" if rules[r].dfe else "") for r in indicator.leaves_out
    )
    records = "record" if count == 1 else "records"
    return [f"left out: {count:,} {records} with {what}; csc-scorecard quality lists them"]


def _value_notes(request: Request, window: PeriodRow, row: dict[str, Any]) -> list[str]:
    history = request.indicator.history
    if row["history_missing"] and history is not None:
        return [
            f"withheld: {row['history_missing']} of {row['base_count']} {history.reason}; load the earlier returns"
        ]
    unit = request.indicator.unit
    if unit == "rate_per_10k":
        notes = [
            _population_note(
                row["la_code"], window.population_year, row["population_year"], row["population_source"]
            )
        ]
        if request.option("annualise"):
            notes.append(f"annualised (x {window.annual_factor:.4f})")
        return notes
    if unit != "count" and row["value"] is None:
        return ["undefined: no records in the denominator (0 ÷ 0)"]
    return []


def _population_note(la_code: str, wanted: int, used: int | None, source: str | None) -> str:
    if used is None:
        return f"no ONS 0-17 population estimate for LA {la_code} for mid-{wanted} or earlier"
    if used != wanted:
        return f"population mid-{used} ({source}): the latest estimate, as mid-{wanted} is not available"
    return f"population mid-{used} ({source})"


__all__ = ["IndicatorResult", "build_requests", "check_options", "compute", "run_request", "with_coverage"]
