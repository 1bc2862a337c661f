"""Computing indicators: every window and LA at once, the indicators over one population together (batch.py),
results unrounded."""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from ..catalogue.models import Catalogue, CatalogueError, Indicator, OptionValue
from ..periods import Period
from ..store.quality import all_rules
from ..store.status import SnapshotCover, loaded_return_years, loaded_snapshots
from .adapters import EngineAdapter, Relation, adapter_for
from .batch import LAS, LEFT_OUT, LOADS, MISSING, ROWS, WINDOW_TYPES, WINDOWS, Measure, plan
from .build import PERIOD_COLUMNS, PeriodRow, Request, unknown_rules
from .coverage import CoverageRow, Loaded, coverage
from .manual import catalogue_for, manual_figures
from .measures import base_count, figures
from .results import IndicatorResult


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
    try:
        return run_requests(adapter, catalogue, requests)
    finally:
        if adapter is not con:  # made here for this call: release what it holds (Spark's Parquet exports)
            adapter.close()


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
    return _covered(catalogue, request, loaded, snapshots)


def _covered(
    catalogue: Catalogue,
    request: Request,
    loaded: Mapping[str, Loaded],
    snapshots: Mapping[str, SnapshotCover],
) -> Request:
    rows = coverage(catalogue, request.indicator, request.periods, loaded, snapshots)
    return dataclasses.replace(request, coverage=tuple(rows))


def run_request(adapter: EngineAdapter, catalogue: Catalogue, request: Request) -> list[IndicatorResult]:
    return run_requests(adapter, catalogue, [request])


def run_requests(
    adapter: EngineAdapter, catalogue: Catalogue, requests: Sequence[Request]
) -> list[IndicatorResult]:
    """Every request's results, in the order asked: the indicators over one population computed together, in
    as few queries as the catalogue allows (engine/batch.py), each built once per process."""
    if not requests:
        return []
    manual = {i: r for i, r in enumerate(requests) if r.indicator.manual is not None}
    computed = [(i, r) for i, r in enumerate(requests) if i not in manual]
    found = dict(
        zip((i for i, _ in computed), _computed(adapter, catalogue, [r for _, r in computed]), strict=True)
    )
    found.update({i: _manual(adapter, r) for i, r in manual.items()})
    return [result for index in range(len(requests)) for result in found[index]]


def _manual(adapter: EngineAdapter, request: Request) -> list[IndicatorResult]:
    """A manual measure's results: its recorded values, not a query (engine/manual.py)."""
    return [
        IndicatorResult(la, request.indicator.id, p.code, p.start, p.end, None, None, f.numerator,
                        f.denominator, f.value, None, f.notes, f.load_ids)
        for la, p, f in manual_figures(adapter.connection, request)
    ]  # fmt: skip


def _computed(
    adapter: EngineAdapter, catalogue: Catalogue, requests: Sequence[Request]
) -> list[list[IndicatorResult]]:
    """Each request's results (a list per request, in order), its indicators batched with others."""
    if not requests:
        return []
    la_codes = requests[0].la_codes
    loaded = loaded_return_years(adapter.connection, la_codes)
    snapshots = loaded_snapshots(adapter.connection, la_codes)
    requests = [r if r.coverage else _covered(catalogue, r, loaded, snapshots) for r in requests]
    batches = plan(
        catalogue,
        requests,
        dialect=adapter.dialect,
        write=adapter.sql,
        filtered=la_codes is not None,
        distinct_loads=adapter.SUPPORTS_ARRAY_AGG_DISTINCT,
        per_child=not adapter.CHEAP_DISTINCT_AGGREGATES,
    )
    windows = requests[0].rows
    inputs = {WINDOWS: Relation(_WINDOW_COLUMNS, [_window_values(w) for w in windows])}
    populations = _Populations(adapter) if any(r.indicator.unit == "rate_per_10k" for r in requests) else None
    by_request: dict[int, list[IndicatorResult]] = {}
    for batch in batches:
        members = [i for i in batch.measures if requests[i].coverage]
        las = sorted({c.la_code for i in members for c in requests[i].coverage})
        if not las:  # no LA has any of the returns these indicators read
            continue
        inputs[LAS] = Relation((("la_code", "VARCHAR"),), [(code,) for code in las])
        rows = _ordered(adapter.run(batch.sql, batch.tables, inputs))
        for index in members:
            by_request[index] = _results(requests[index], batch.measures[index], rows, windows, populations)
    return [by_request.get(index, []) for index in range(len(requests))]


_WINDOW_COLUMNS = tuple(zip(PERIOD_COLUMNS, WINDOW_TYPES, strict=True))


def _window_values(window: PeriodRow) -> tuple:
    period = window.period
    return (window.period_id, period.start, period.end, window.population_year, float(window.annual_factor))


def _ordered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A batch's rows in the order of its results: la_code, window, breakdown value (none first). Sorted once
    for every request the batch serves, each taking its own rows in this order."""
    rows.sort(
        key=lambda r: (
            r["la_code"],
            r["period_id"],
            r["breakdown_value"] is not None,
            r["breakdown_value"] or "",
        )
    )
    return rows


def _results(
    request: Request,
    measure: Measure,
    rows: Sequence[Mapping[str, Any]],
    windows: Sequence[PeriodRow],
    populations: _Populations | None,
) -> list[IndicatorResult]:
    """The request's rows of its batch (`rows` in order: _ordered): each LA whose returns it reads (and, by a
    breakdown, each group with records in some window) in every window."""
    gaps = {(c.la_code, c.period_id): c for c in request.coverage}
    las = {c.la_code for c in request.coverage}
    chosen = [r for r in rows if r["la_code"] in las]
    if request.breakdown is not None:
        rows_column = measure.column(ROWS)
        groups = {(r["la_code"], r["breakdown_value"]) for r in rows if r[rows_column]}
        chosen = [r for r in chosen if (r["la_code"], r["breakdown_value"]) in groups]
    result = _Reader(request, measure, populations).result
    return [result(windows[r["period_id"]], r, gaps[r["la_code"], r["period_id"]]) for r in chosen]


class _Populations:
    """ONS mid-year estimates of the 0-17 population, for rates: the latest estimate up to the one wanted."""

    def __init__(self, adapter: EngineAdapter):
        self.by_la: dict[str, list[tuple[int, int, str]]] = {}
        rows = adapter.connection.execute(
            "SELECT la_code, mid_year, population, source FROM ref_population ORDER BY la_code, mid_year"
        ).fetchall()
        for la_code, mid_year, population, source in rows:
            self.by_la.setdefault(la_code, []).append((mid_year, population, source))

    def at(self, la_code: str, wanted: int) -> tuple[int, int, str] | None:
        estimates = self.by_la.get(la_code, [])
        found = bisect.bisect_right(estimates, wanted, key=lambda e: e[0])
        return estimates[found - 1] if found else None


class _Reader:
    """One request's results from its batch's rows; what they all share (the columns read, the unit, the
    options) worked out once, as a request may have tens of thousands of LAs and windows."""

    def __init__(self, request: Request, measure: Measure, populations: _Populations | None):
        self.request, self.measure, self.indicator = request, measure, request.indicator
        self.populations = populations if request.indicator.unit == "rate_per_10k" else None
        self.annualise = request.option("annualise")
        self.missing, self.loads = measure.column(MISSING), measure.column(LOADS)
        self.left_out = measure.column(LEFT_OUT) if measure.leaves_out else None

    def result(self, window: PeriodRow, row: Mapping[str, Any], covered: CoverageRow) -> IndicatorResult:
        indicator, period = self.indicator, window.period
        estimate = None
        if self.populations is not None:
            estimate = self.populations.at(row["la_code"], window.population_year)
        missing = row[self.missing]
        numerator = denominator = value = None
        if covered.gap is None and missing == 0:
            factor = float(window.annual_factor) if self.annualise else None
            numerator, denominator, value = figures(
                indicator, row, self.measure, estimate[1] if estimate else None, factor
            )
        loads = set(row[self.loads] or ())
        loads.discard(None)
        return IndicatorResult(
            la_code=row["la_code"],
            indicator_id=indicator.id,
            period=period.code,
            period_start=period.start,
            period_end=period.end,
            breakdown=self.request.breakdown_name,
            breakdown_value=row["breakdown_value"],
            numerator=numerator,
            denominator=denominator,
            value=value,
            population_year=estimate[0] if estimate else None,
            notes=self._notes(window, row, covered, missing, estimate, value),
            load_ids=tuple(sorted(loads)),
        )

    def _notes(
        self,
        window: PeriodRow,
        row: Mapping[str, Any],
        covered: CoverageRow,
        missing: int,
        estimate: tuple[int, int, str] | None,
        value: float | None,
    ) -> str:
        """Why a figure is blank (returns or history not loaded, 0 ÷ 0, no population), what a rate used, and
        the flagged records it leaves out."""
        if covered.gap is not None:
            return covered.gap.note()
        notes = self._value_notes(window, row, missing, estimate, value)
        if self.left_out is not None and row[self.left_out]:
            notes.append(_left_out_note(self.indicator, row[self.left_out]))
        return "; ".join(notes)

    def _value_notes(
        self,
        window: PeriodRow,
        row: Mapping[str, Any],
        missing: int,
        estimate: tuple[int, int, str] | None,
        value: float | None,
    ) -> list[str]:
        history, unit = self.indicator.history, self.indicator.unit
        if missing and history is not None:
            counted = base_count(row, self.measure)
            return [f"withheld: {missing} of {counted} {history.reason}; load the earlier returns"]
        if unit == "rate_per_10k":
            used, source = (estimate[0], estimate[2]) if estimate else (None, None)
            notes = [_population_note(row["la_code"], window.population_year, used, source)]
            if self.annualise:
                notes.append(f"annualised (x {window.annual_factor:.4f})")
            return notes
        if unit != "count" and value is None:
            return ["undefined: no records in the denominator (0 ÷ 0)"]
        return []


def _left_out_note(indicator: Indicator, count: int) -> str:
    rules = {rule.id: rule for rule in all_rules()}
    what = "; ".join(
        rules[r].says + (f" (DfE {rules[r].dfe})" if rules[r].dfe else "") for r in indicator.leaves_out
    )
    records = "record" if count == 1 else "records"
    return f"left out: {count:,} {records} with {what}; csc-scorecard quality lists them"


def _population_note(la_code: str, wanted: int, used: int | None, source: str | None) -> str:
    if used is None:
        return f"no ONS 0-17 population estimate for LA {la_code} for mid-{wanted} or earlier"
    if used != wanted:
        return f"population mid-{used} ({source}): the latest estimate, as mid-{wanted} is not available"
    return f"population mid-{used} ({source})"


__all__ = [
    "IndicatorResult",
    "build_requests",
    "check_options",
    "compute",
    "run_request",
    "run_requests",
    "with_coverage",
]
