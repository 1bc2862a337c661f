"""Loading checked returns into the store: all or nothing, idempotent by sha256, newer versions replace older.

Readers have already checked every file before this runs, so nothing here can fail on the data itself; the
whole batch still goes in one transaction, so an unexpected error leaves the store exactly as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from ..sources import manual
from ..sources.model import ParsedReturn
from ..sources.tables import TABLES, TABLES_BY_NAME, TableSpec
from .manual_values import record_loaded
from .schema import LINEAGE_COLUMNS


@dataclass(frozen=True)
class LoadOutcome:
    source_name: str
    kind: str
    la_code: str
    collection_year: str
    year_source: str
    action: str  # "loaded", "replaced load N", "already loaded"
    load_id: int
    rows: dict[str, int]


def load_returns(
    con: duckdb.DuckDBPyConnection, returns: list[ParsedReturn], *, by: str | None = None
) -> list[LoadOutcome]:
    """Store checked returns in one transaction; `by` is who loaded them (recorded with manual values)."""
    outcomes: list[LoadOutcome] = []
    touched: set[str] = set()
    con.begin()
    try:
        for parsed in returns:
            outcome = _load_one(con, parsed, by)
            outcomes.append(outcome)
            if outcome.action != "already loaded" and parsed.tables.keys() & TABLES_BY_NAME.keys():
                touched.add(parsed.la_code)
        for la_code in sorted(touched):
            rebuild_canonical(con, la_code)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return outcomes


def _load_one(con: duckdb.DuckDBPyConnection, parsed: ParsedReturn, by: str | None) -> LoadOutcome:
    # A load that accumulates replaces none: the same file is "already loaded" whichever year it was taken as.
    current = con.execute(
        "SELECT load_id, sha256 FROM loads WHERE kind = ? AND la_code = ? AND status = 'current' "
        "AND (collection_year = ? OR (? AND sha256 = ?)) ORDER BY sha256 = ? DESC",
        [
            parsed.kind,
            parsed.la_code,
            parsed.collection_year,
            parsed.accumulates,
            parsed.sha256,
            parsed.sha256,
        ],
    ).fetchall()
    current = current[0] if current else None
    rows = parsed.rows_per_table()
    if current and current[1] == parsed.sha256:
        return _outcome(parsed, "already loaded", current[0], rows)

    load_id = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchall()[0][0]
    for name, table in parsed.tables.items():
        if name == manual.TABLE:
            record_loaded(con, table, la_code=parsed.la_code, load_id=load_id, file=parsed.source_name, by=by)
        else:
            _insert_raw(con, TABLES_BY_NAME[name], table, load_id, parsed)
    replaces = None
    if current and not parsed.accumulates:
        replaces = current[0]
        for spec in TABLES:
            con.execute(f"DELETE FROM {spec.raw_name} WHERE load_id = ?", [replaces])
        con.execute(
            "UPDATE loads SET status = 'replaced', replaced_by = ? WHERE load_id = ?", [load_id, replaces]
        )
    con.execute(
        "INSERT INTO loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), 'current', ?, NULL)",
        [
            load_id,
            parsed.kind,
            parsed.format,
            parsed.source_name,
            [f.name for f in parsed.files],
            parsed.sha256,
            parsed.la_code,
            parsed.collection_year,
            parsed.year_source,
            json.dumps(rows, sort_keys=True),
            replaces,
        ],
    )
    action = f"replaced load {replaces}" if replaces else "loaded"
    return _outcome(parsed, action, load_id, rows)


def _outcome(parsed: ParsedReturn, action: str, load_id: int, rows: dict[str, int]) -> LoadOutcome:
    return LoadOutcome(
        parsed.source_name, parsed.kind, parsed.la_code, parsed.collection_year, parsed.year_source,
        action, load_id, rows,
    )  # fmt: skip


def _insert_raw(
    con: duckdb.DuckDBPyConnection, spec: TableSpec, table: pa.Table, load_id: int, parsed: ParsedReturn
) -> None:
    con.register("incoming", table)
    try:
        columns = ", ".join(f'"{c}"' for c in (*spec.column_names, "src_line"))
        con.execute(
            f"INSERT INTO {spec.raw_name} (load_id, la_code, collection_year, {columns}) "
            f"SELECT ?, ?, ?, {columns} FROM incoming",
            [load_id, parsed.la_code, parsed.collection_year],
        )
    finally:
        con.unregister("incoming")


def rebuild_canonical(con: duckdb.DuckDBPyConnection, la_code: str) -> None:
    """Canonical rows for one LA: per identity, the row from the latest collection year (then latest load)."""
    for spec in TABLES:
        columns = ", ".join(f'"{c}"' for c, _ in (*LINEAGE_COLUMNS, *spec.columns, ("src_line", "")))
        key = ", ".join(f'"{c}"' for c in ("la_code", *spec.key))
        con.execute(f"DELETE FROM {spec.name} WHERE la_code = ?", [la_code])
        con.execute(
            f"""
            INSERT INTO {spec.name} ({columns})
            SELECT {columns} FROM (
                SELECT *, row_number() OVER (
                    PARTITION BY {key} ORDER BY collection_year DESC, load_id DESC, src_line DESC
                ) AS version_rank
                FROM {spec.raw_name} WHERE la_code = ?
            ) WHERE version_rank = 1
            """,
            [la_code],
        )
