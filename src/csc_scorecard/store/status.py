"""What is in the store: its schema version, the returns loaded (with how their year was decided), and canonical
row counts."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import duckdb

from ..periods import financial_year_label, financial_year_of, parse_financial_year
from ..sources.tables import TABLES
from .manual_values import manual_version
from .schema import SCHEMA_VERSION, stored_version


def schema_summary(con: duckdb.DuckDBPyConnection) -> str:
    """e.g. "Schema version 6 (migrations 1-6 applied)"; says so when the next writable open will upgrade it."""
    version = stored_version(con)  # migrations are applied in order, so 1 to this one
    applied = {0: "no migrations", 1: "migration 1"}.get(version, f"migrations 1-{version}")
    text = f"Schema version {version} ({applied} applied)"
    if version < SCHEMA_VERSION:
        text += f"; this csc-scorecard upgrades it to {SCHEMA_VERSION} the next time it writes to it"
    return text


@dataclass(frozen=True)
class LoadRecord:
    load_id: int
    kind: str
    format: str
    source_name: str
    la_code: str
    collection_year: str
    year_source: str
    rows: int
    loaded_at: str
    status: str
    replaces: int | None
    sha256: str


def load_records(con: duckdb.DuckDBPyConnection, *, include_replaced: bool = False) -> list[LoadRecord]:
    where = "" if include_replaced else "WHERE status = 'current'"
    rows = con.execute(
        "SELECT load_id, kind, format, source_name, la_code, collection_year, year_source, row_counts, "
        f"strftime(loaded_at, '%Y-%m-%d %H:%M:%S'), status, replaces, sha256 FROM loads {where} "
        "ORDER BY la_code, kind, collection_year, load_id"
    ).fetchall()
    return [
        LoadRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], sum(json.loads(r[7]).values()), *r[8:])
        for r in rows
    ]


def canonical_counts(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, int]]:
    """{la_code: {table: rows}} for the canonical tables (those an older store, read before upgrading, has)."""
    present = {
        r[0]
        for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()
    }
    out: dict[str, dict[str, int]] = {}
    for spec in (s for s in TABLES if s.name in present):
        for la_code, count in con.execute(
            f"SELECT la_code, count(*) FROM {spec.name} GROUP BY la_code"
        ).fetchall():
            out.setdefault(la_code, {})[spec.name] = count
    return out


def flagged_records(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """{la_code: records the data-quality rules flag}; empty for a store older than the rules."""
    present = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'quality_flags' AND schema_name = 'main'"
    ).fetchall()[0][0]
    if not present:
        return {}
    return dict(con.execute("SELECT la_code, count(*) FROM quality_flags GROUP BY 1 ORDER BY 1").fetchall())


def loaded_years(con: duckdb.DuckDBPyConnection, la_code: str) -> list[str]:
    """The collection years with a current return for the LA, and those its snapshot holds, oldest first."""
    rows = con.execute(
        "SELECT DISTINCT collection_year FROM loads WHERE la_code = ? AND status = 'current' ORDER BY 1",
        [la_code],
    ).fetchall()
    years = {r[0] for r in rows}
    snapshot = loaded_snapshots(con, (la_code,)).get(la_code)
    if snapshot is not None:
        first, last = (
            parse_financial_year(financial_year_of(d)) for d in (snapshot.covers_from, snapshot.covers_to)
        )
        years |= {financial_year_label(y) for y in range(first, last + 1)}
    return sorted(years)


@dataclass(frozen=True)
class SnapshotCover:
    """What an LA's current snapshot (SSD) holds: these canonical tables, every record active from `covers_from`
    to `covers_to`."""

    load_id: int
    tables: frozenset[str]
    covers_from: dt.date
    covers_to: dt.date


def loaded_snapshots(
    con: duckdb.DuckDBPyConnection, la_codes: tuple[str, ...] | None = None
) -> dict[str, SnapshotCover]:
    """{la_code: its current snapshot}; a store older than snapshots has none."""
    has = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE table_name = 'loads' AND column_name = 'covers_from'"
    ).fetchall()[0][0]
    if not has:
        return {}
    rows = con.execute(
        "SELECT la_code, load_id, row_counts, covers_from, covers_to FROM loads "
        "WHERE status = 'current' AND covers_from IS NOT NULL"
    ).fetchall()
    return {
        la: SnapshotCover(load_id, frozenset(json.loads(counts)), start, end)
        for la, load_id, counts, start, end in rows
        if la_codes is None or la in la_codes
    }


def local_authorities_loaded(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT DISTINCT la_code FROM loads ORDER BY 1").fetchall()]


def store_version(con: duckdb.DuckDBPyConnection) -> str:
    """Changes whenever a load is added or replaced, or a manual measure declared or recorded: what a built
    scorecard depends on in the store."""
    rows = con.execute("SELECT load_id, status, loaded_at FROM loads ORDER BY load_id").fetchall()
    return hashlib.sha256(repr((rows, manual_version(con))).encode()).hexdigest()[:16]


def loaded_return_years(
    con: duckdb.DuckDBPyConnection, la_codes: tuple[str, ...] | None = None
) -> dict[str, dict[str, frozenset[int]]]:
    """{la_code: {return kind: financial years (by their first calendar year) with a current load}}.

    What a figure may be computed from: a return loaded for a year covers that year even where one of its
    tables has no rows (a CIN census with no child protection plans says there were none).
    """
    rows = con.execute(
        "SELECT DISTINCT la_code, kind, CAST(substr(collection_year, 1, 4) AS INTEGER) FROM loads "
        "WHERE status = 'current'"
    ).fetchall()
    out: dict[str, dict[str, set[int]]] = {}
    for la_code, kind, year in rows:
        if la_codes is None or la_code in la_codes:
            out.setdefault(la_code, {}).setdefault(kind, set()).add(year)
    return {la: {kind: frozenset(years) for kind, years in kinds.items()} for la, kinds in out.items()}


def notes_version(con: duckdb.DuckDBPyConnection, la_code: str) -> str:
    """Changes whenever an analyst's commentary, action, achievement or priority for the LA changes: what a
    cached page or pack of a Built also depends on, as these change without a new load."""
    rows = con.execute(
        "SELECT (SELECT count(*) || '/' || coalesce(max(updated_at)::VARCHAR, '') FROM commentary WHERE la_code = $1),"
        " (SELECT count(*) || '/' || coalesce(max(updated_at)::VARCHAR, '') FROM actions WHERE la_code = $1),"
        " (SELECT count(*) || '/' || coalesce(max(note_id), 0) || '/' || coalesce(max(updated_at)::VARCHAR, '') "
        "  FROM area_notes WHERE la_code = $1)",
        [la_code],
    ).fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
