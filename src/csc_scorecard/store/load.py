"""Loading checked returns into the store: all or nothing, idempotent by sha256, newer versions replace older.

Readers have already checked every file before this runs, so nothing here can fail on the data itself; the
whole batch still goes in one transaction, so an unexpected error leaves the store exactly as it was.

A return replaces the LA's return of the same kind and year. A snapshot (an SSD extract) replaces the LA's
snapshot whatever its year, and only a newer one does: loading an older snapshot changes nothing and says so.
How snapshots and returns share the canonical tables is `rebuild_canonical`'s rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from ..sources.model import ParsedReturn, Snapshot
from ..sources.problems import Problem, ReturnRejected
from ..sources.tables import TABLES, TABLES_BY_NAME, TableSpec
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
    snapshot: Snapshot | None = None
    notes: tuple[str, ...] = ()


def load_returns(con: duckdb.DuckDBPyConnection, returns: list[ParsedReturn]) -> list[LoadOutcome]:
    outcomes: list[LoadOutcome] = []
    touched: set[str] = set()
    con.begin()
    try:
        for parsed in returns:
            outcome = _load_one(con, parsed)
            outcomes.append(outcome)
            if outcome.action != "already loaded":
                touched.add(parsed.la_code)
        for la_code in sorted(touched):
            rebuild_canonical(con, la_code)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return outcomes


def _current(con: duckdb.DuckDBPyConnection, parsed: ParsedReturn) -> tuple | None:
    """(load_id, sha256) of what the return would replace: the same kind, LA and year, or the LA's snapshot."""
    if parsed.snapshot is not None:
        found = con.execute(
            "SELECT load_id, sha256, snapshot_taken_at FROM loads WHERE kind = ? AND la_code = ? "
            "AND status = 'current'",
            [parsed.kind, parsed.la_code],
        ).fetchall()
        if found and found[0][1] != parsed.sha256 and found[0][2] > parsed.snapshot.taken_at:
            newer = f"{found[0][2]:%d/%m/%Y}"
            raise ReturnRejected([Problem(
                parsed.source_name, "-", "snapshot", f"{parsed.snapshot.taken_at:%d/%m/%Y}",
                f"older than the snapshot already loaded for LA {parsed.la_code} (load {found[0][0]}, taken "
                f"{newer}): only a newer snapshot replaces it",
            )])  # fmt: skip
        return found[0][:2] if found else None
    found = con.execute(
        "SELECT load_id, sha256 FROM loads WHERE kind = ? AND la_code = ? AND collection_year = ? "
        "AND status = 'current'",
        [parsed.kind, parsed.la_code, parsed.collection_year],
    ).fetchall()
    return found[0] if found else None


def _load_one(con: duckdb.DuckDBPyConnection, parsed: ParsedReturn) -> LoadOutcome:
    current = _current(con, parsed)
    rows = parsed.rows_per_table()
    if current and current[1] == parsed.sha256:
        return _outcome(parsed, "already loaded", current[0], rows)

    load_id = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchall()[0][0]
    for name, table in parsed.tables.items():
        _insert_raw(con, TABLES_BY_NAME[name], table, load_id, parsed)
    replaces = None
    if current:
        replaces = current[0]
        for spec in TABLES:
            con.execute(f"DELETE FROM {spec.raw_name} WHERE load_id = ?", [replaces])
        con.execute(
            "UPDATE loads SET status = 'replaced', replaced_by = ? WHERE load_id = ?", [load_id, replaces]
        )
    snapshot = parsed.snapshot
    con.execute(
        "INSERT INTO loads (load_id, kind, format, source_name, files, sha256, la_code, collection_year, "
        "year_source, row_counts, loaded_at, status, replaces, replaced_by, snapshot_taken_at, covers_from, "
        "covers_to, snapshot_decided_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), 'current', ?, NULL, ?, ?, ?, ?)",
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
            *(
                (snapshot.taken_at, snapshot.covers_from, snapshot.covers_to, snapshot.decided_by)
                if snapshot is not None
                else (None, None, None, None)
            ),
        ],
    )
    action = f"replaced load {replaces}" if replaces else "loaded"
    return _outcome(parsed, action, load_id, rows)


def _outcome(parsed: ParsedReturn, action: str, load_id: int, rows: dict[str, int]) -> LoadOutcome:
    return LoadOutcome(
        parsed.source_name, parsed.kind, parsed.la_code, parsed.collection_year, parsed.year_source,
        action, load_id, rows, parsed.snapshot, tuple(parsed.notes),
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
    """Canonical rows for one LA: per identity, the row from the newest view of it.

    A return views its records as at the end of its collection year (31 March); a snapshot as at the last whole
    day it holds. Where the LA has a snapshot that holds a table, the snapshot is the record of that table from
    the first day it holds in full: a record dated from then on (by the first date of its identity) comes from
    the snapshot, or from a return for a year ending after the snapshot was taken, never from an older return,
    so that a record the case-management system has since corrected or removed is not counted twice. Records
    dated before the snapshot's first day keep coming from the returns (the snapshot's timeframe does not reach
    them), the snapshot's own view winning for any it holds too. With no snapshot this is the returns' rule:
    the latest collection year (then the latest load) wins.
    """
    snapshot = con.execute(
        "SELECT load_id, covers_from, covers_to, row_counts FROM loads WHERE la_code = ? AND status = 'current' "
        "AND snapshot_taken_at IS NOT NULL",
        [la_code],
    ).fetchall()
    held = set(json.loads(snapshot[0][3])) if snapshot else set()
    for spec in TABLES:
        columns = ", ".join(f'"{c}"' for c, _ in (*LINEAGE_COLUMNS, *spec.columns, ("src_line", "")))
        key = ", ".join(f'"{c}"' for c in ("la_code", *spec.key))
        # the view date: a snapshot's last whole day, else the end of the return's collection year
        view = "coalesce(v.covers_to, make_date(CAST(substr(r.collection_year, 1, 4) AS INTEGER) + 1, 3, 31))"
        dated = next((c for c in spec.key if dict(spec.columns).get(c) == "DATE"), None)
        superseded, parameters = "", [la_code]
        if snapshot and spec.name in held and dated is not None:
            snapshot_id, covers_from, covers_to, _ = snapshot[0]
            superseded = f'AND NOT coalesce(r.load_id <> ? AND {view} <= ? AND r."{dated}" >= ?, FALSE)'  # older views in it
            parameters += [snapshot_id, covers_to, covers_from]
        con.execute(f"DELETE FROM {spec.name} WHERE la_code = ?", [la_code])
        con.execute(
            f"""
            INSERT INTO {spec.name} ({columns})
            SELECT {columns} FROM (
                SELECT r.*, row_number() OVER (
                    PARTITION BY {", ".join(f"r.{k}" for k in key.split(", "))}
                    ORDER BY {view} DESC, r.load_id DESC, r.src_line DESC
                ) AS version_rank
                FROM {spec.raw_name} AS r LEFT JOIN loads AS v ON v.load_id = r.load_id
                WHERE r.la_code = ? {superseded}
            ) WHERE version_rank = 1
            """,
            parameters,
        )
