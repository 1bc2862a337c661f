"""The results table (store migration 4): computed indicators kept for judge and publish to read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import pyarrow as pa

from .compute import IndicatorResult

RESULTS_TABLE = "indicator_results"
_SCHEMA = pa.schema(
    [
        ("la_code", pa.string()),
        ("indicator_id", pa.string()),
        ("period", pa.string()),
        ("period_start", pa.date32()),
        ("period_end", pa.date32()),
        ("breakdown", pa.string()),
        ("breakdown_value", pa.string()),
        ("numerator", pa.float64()),
        ("denominator", pa.float64()),
        ("value", pa.float64()),
        ("population_year", pa.int32()),
        ("notes", pa.string()),
        ("load_ids", pa.list_(pa.int32())),
        ("computed_at", pa.timestamp("us")),
    ]
)
_SAME_SERIES = (
    "r.la_code = i.la_code AND r.indicator_id = i.indicator_id AND r.period = i.period "
    "AND r.breakdown IS NOT DISTINCT FROM i.breakdown"
)


def _arrow(results: Sequence[IndicatorResult], computed_at: dt.datetime) -> pa.Table:
    columns = {name: [getattr(r, name, None) for r in results] for name in _SCHEMA.names}
    columns["load_ids"] = [list(r.load_ids) for r in results]
    columns["computed_at"] = [computed_at] * len(results)
    return pa.Table.from_pydict(columns, schema=_SCHEMA)


def save_results(
    con: duckdb.DuckDBPyConnection, results: Sequence[IndicatorResult], computed_at: dt.datetime | None = None
) -> int:
    """Store results, replacing every earlier row for the same LA, indicator, period and breakdown."""
    incoming = _arrow(results, computed_at or dt.datetime.now())
    con.register("incoming_results", incoming)
    con.begin()
    try:
        con.execute(f"DELETE FROM {RESULTS_TABLE} AS r USING incoming_results AS i WHERE {_SAME_SERIES}")
        con.execute(f"INSERT INTO {RESULTS_TABLE} SELECT * FROM incoming_results")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.unregister("incoming_results")
    return len(results)


def read_results(con: duckdb.DuckDBPyConnection, indicator_id: str | None = None) -> list[IndicatorResult]:
    """Stored results (all, or one indicator's), in a stable order."""
    where = "WHERE indicator_id = ?" if indicator_id else ""
    rows = con.execute(
        f"SELECT * EXCLUDE (computed_at) FROM {RESULTS_TABLE} {where} "
        "ORDER BY la_code, indicator_id, period_end, period, breakdown NULLS FIRST, breakdown_value NULLS FIRST",
        [indicator_id] if indicator_id else [],
    ).fetchall()
    names = [name for name in _SCHEMA.names if name != "computed_at"]
    return [_from_row(dict(zip(names, row, strict=True))) for row in rows]


def _from_row(row: dict) -> IndicatorResult:
    row["load_ids"] = tuple(row["load_ids"])
    for name in ("numerator", "denominator"):
        if row[name] is not None and float(row[name]).is_integer():
            row[name] = int(row[name])
    return IndicatorResult(**row)


__all__ = ["RESULTS_TABLE", "read_results", "save_results"]
