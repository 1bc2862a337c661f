"""Drill-through: the SQL an indicator runs and the records behind its numerator and denominator."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..catalogue.models import Catalogue, OptionValue
from ..periods import Period
from ..store.manual_values import current_values
from .adapters import adapter_for
from .build import records_query, results_query
from .compute import IndicatorResult, build_requests, run_request, with_coverage
from .manual import catalogue_for

_FLAGS = ("period_id", "in_numerator", "left_out")


@dataclass(frozen=True)
class Explanation:
    indicator_id: str
    period: Period
    la_code: str | None
    sql: str  # the results query, DuckDB dialect, pretty
    records_sql: str  # the query listing the records
    results: list[IndicatorResult]
    numerator_records: list[dict[str, Any]]  # child_id, the dates used, load_id and src_line of each
    # Empty for a count, and for a rate (whose denominator is the population).
    denominator_records: list[dict[str, Any]]


def explain(
    con: Any,
    indicator_id: str,
    period: Period,
    la_code: str | None = None,
    *,
    breakdown: str | None = None,
    options: Mapping[str, OptionValue] | None = None,
    catalogue: Catalogue | None = None,
) -> Explanation:
    adapter = adapter_for(con)
    catalogue = catalogue or catalogue_for(adapter.connection)
    window = period
    codes = [la_code] if la_code is not None else None
    request = build_requests(
        catalogue, [window], [indicator_id], breakdown, codes, {indicator_id: options or {}}
    )[0]
    if request.indicator.manual is not None:
        return _manual(adapter, catalogue, request, la_code)
    request = with_coverage(adapter, catalogue, request)
    unit = request.indicator.unit
    # A record the figure leaves out (store/quality.py) is in neither list: `csc-scorecard quality` lists it.
    rows = [row for row in adapter.fetch(records_query(catalogue, request)) if not row.get("left_out")]
    records = [_tidy(row, request.breakdown is not None, unit) for row in rows]
    counted = [record for record, row in zip(records, rows, strict=True) if row["in_numerator"] == 1]
    denominator = records if unit == "percent" else counted if unit in ("days", "average") else []
    return Explanation(
        indicator_id=indicator_id,
        period=window,
        la_code=la_code,
        sql=adapter.sql(
            results_query(catalogue, request, per_child=not adapter.CHEAP_DISTINCT_AGGREGATES), pretty=True
        ),
        records_sql=adapter.sql(records_query(catalogue, request), pretty=True),
        results=run_request(adapter, catalogue, request),
        numerator_records=counted,
        denominator_records=denominator,
    )


def _manual(adapter: Any, catalogue: Catalogue, request: Any, la_code: str | None) -> Explanation:
    """A manual measure has no query: its records are the values recorded in the window, with who entered
    each, when and from where."""
    period = request.periods[0]
    values = [
        v for v in current_values(adapter.connection, [request.indicator.id], request.la_codes)
        if period.start <= v.period_start and v.period_end <= period.end
    ]  # fmt: skip
    records = [
        {"la_code": v.la_code, "period": v.period, "value": v.value, "denominator": v.denominator,
         "entered_by": v.entered_by, "entered_at": v.entered_at, "source": v.source, "load_id": v.load_id,
         "src_line": v.src_line}
        for v in values
    ]  # fmt: skip
    return Explanation(
        indicator_id=request.indicator.id, period=period, la_code=la_code,
        sql="-- a manual measure: its values are recorded by hand (csc-scorecard measures history)",
        records_sql="", results=run_request(adapter, catalogue, request), numerator_records=records,
        denominator_records=records if request.indicator.unit == "percent" else [],
    )  # fmt: skip


def _tidy(row: dict[str, Any], breakdown: bool, unit: str) -> dict[str, Any]:
    """The record as shown: flags dropped; the measured quantities named (days, or value and weight)."""
    drop = set(_FLAGS) | ({"breakdown_value"} if not breakdown else set())
    tidy = {k: v for k, v in row.items() if k not in drop}
    value, weight = tidy.pop("measure_value", None), tidy.pop("measure_weight", None)
    if unit == "days":
        tidy["days"] = value
    elif value is not None or weight is not None:
        tidy["value"], tidy["weight"] = value, weight
    return tidy


__all__ = ["Explanation", "explain"]
