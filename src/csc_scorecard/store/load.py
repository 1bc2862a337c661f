"""Loading checked returns into the store: all or nothing, idempotent by sha256, newer versions replace older.

Readers have already checked every file before this runs. The one check left needs the store: a new version of
a return that lacks tables the loaded version holds (only episodes.csv, say) is refused before anything is
written, unless the analyst says to replace it anyway. The whole batch goes in one transaction, so an
unexpected error leaves the store exactly as it was.

A return replaces the LA's return of the same kind and year. A snapshot (an SSD extract) replaces the LA's
snapshot whatever its year, and only a newer one does: loading an older snapshot changes nothing and says so.
How snapshots and returns share the canonical tables is `rebuild_canonical`'s rule.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from ..sources import manual
from ..sources import tables as table_specs
from ..sources.model import ParsedReturn, Snapshot
from ..sources.problems import Problem, ReturnRejected
from ..sources.registry import kind_names
from ..sources.tables import TABLES, TABLES_BY_NAME, TableSpec
from . import quality
from .connection import registered
from .manual_values import record_loaded
from .schema import LINEAGE_COLUMNS

# Which version of a record the canonical table keeps, after the latest collection year and before the latest
# load: a child in the CIN census and the 903 of one year keeps the SSDA903's row (then the CIN census's, then
# any other source's by name), so that the same returns give the same row whatever order they were loaded in.
# Every date of birth or sex that differs between the returns is listed (store/quality.py).
VERSION_ORDER = {"children": "CASE r.source WHEN 'ssda903' THEN 0 WHEN 'cin' THEN 1 ELSE 2 END, r.source"}


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
    warnings: tuple[Problem, ...] = ()  # what the reader loaded but warned about
    snapshot: Snapshot | None = None
    notes: tuple[str, ...] = ()


def load_returns(
    con: duckdb.DuckDBPyConnection,
    returns: list[ParsedReturn],
    *,
    replace_partial: bool = False,
    by: str | None = None,
) -> list[LoadOutcome]:
    """Store the returns in one transaction; `by` is who loaded them (recorded with manual values). Raises
    ReturnRejected, storing nothing, for a new version of a return that lacks tables its loaded version holds,
    unless `replace_partial`."""
    if not replace_partial:
        _refuse_partial_replacements(con, returns)
    outcomes: list[LoadOutcome] = []
    touched: set[str] = set()
    raw = _RawRows()
    con.begin()
    try:
        for parsed in returns:
            outcome = _load_one(con, parsed, by, raw)
            outcomes.append(outcome)
            if outcome.action != "already loaded" and parsed.tables.keys() & TABLES_BY_NAME.keys():
                touched.add(parsed.la_code)
        raw.insert(con)
        for la_code in sorted(touched):
            rebuild_canonical(con, la_code)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return outcomes


def _current(con: duckdb.DuckDBPyConnection, parsed: ParsedReturn) -> tuple[int, str, str] | None:
    """(load_id, sha256, row counts) of what the return would replace: the same kind, LA and year, or the LA's
    snapshot (only a newer snapshot replaces it). A load that accumulates (manual values) replaces none: the
    same file is "already loaded" whichever year it was taken as."""
    if parsed.snapshot is not None:
        found = con.execute(
            "SELECT load_id, sha256, row_counts, snapshot_taken_at FROM loads WHERE kind = ? AND la_code = ? "
            "AND status = 'current'",
            [parsed.kind, parsed.la_code],
        ).fetchall()
        if found and found[0][1] != parsed.sha256 and found[0][3] > parsed.snapshot.taken_at:
            newer = f"{found[0][3]:%d/%m/%Y}"
            raise ReturnRejected([Problem(
                parsed.source_name, "-", "snapshot", f"{parsed.snapshot.taken_at:%d/%m/%Y}",
                f"older than the snapshot already loaded for LA {parsed.la_code} (load {found[0][0]}, taken "
                f"{newer}): only a newer snapshot replaces it",
            )])  # fmt: skip
        return found[0][:3] if found else None
    found = con.execute(
        "SELECT load_id, sha256, row_counts FROM loads WHERE kind = ? AND la_code = ? AND status = 'current' "
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
    return found[0] if found else None


def _refuse_partial_replacements(con: duckdb.DuckDBPyConnection, returns: list[ParsedReturn]) -> None:
    problems = []
    for parsed in returns:
        current = _current(con, parsed)
        if (
            current is None
            or current[1] == parsed.sha256
            or parsed.accumulates
            or parsed.snapshot is not None
        ):
            continue
        held = {table: rows for table, rows in json.loads(current[2]).items() if rows}
        vanishing = sorted(set(held) - set(parsed.tables))
        if vanishing:
            what = f"{kind_names().get(parsed.kind, parsed.kind)} return of {parsed.collection_year} for LA {parsed.la_code}"
            rows = ", ".join(f"{table} ({held[table]:,} rows)" for table in vanishing)
            problems.append(
                Problem(
                    parsed.source_name,
                    "-",
                    "tables",
                    ", ".join(vanishing),
                    f"a new version of the {what} without table(s) the loaded version (load {current[0]}) holds: "
                    f"{rows} would vanish from the store; load the whole return, or pass --replace-partial "
                    "to replace it anyway",
                )
            )
    if problems:
        raise ReturnRejected(problems)


def _load_one(
    con: duckdb.DuckDBPyConnection, parsed: ParsedReturn, by: str | None, raw: _RawRows
) -> LoadOutcome:
    current = _current(con, parsed)
    rows = parsed.rows_per_table()
    if current and current[1] == parsed.sha256:
        return _outcome(parsed, "already loaded", current[0], rows)

    load_id = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchall()[0][0]
    for name, table in parsed.tables.items():
        if name == manual.TABLE:
            record_loaded(con, table, la_code=parsed.la_code, load_id=load_id, file=parsed.source_name, by=by)
        else:
            raw.add(TABLES_BY_NAME[name], table, load_id, parsed)
    replaces = None
    if current and not parsed.accumulates:
        replaces = current[0]
        raw.insert(con)  # the load it replaces may be among those not yet inserted
        for spec in TABLES:
            con.execute(f"DELETE FROM {spec.raw_name} WHERE load_id = ?", [replaces])
        con.execute("DELETE FROM quality_flags WHERE load_id = ?", [replaces])
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
    quality.store_warnings(con, parsed, load_id)
    action = f"replaced load {replaces}" if replaces else "loaded"
    return _outcome(parsed, action, load_id, rows)


def _outcome(parsed: ParsedReturn, action: str, load_id: int, rows: dict[str, int]) -> LoadOutcome:
    warned = tuple(parsed.warnings) if action != "already loaded" else ()
    return LoadOutcome(
        parsed.source_name, parsed.kind, parsed.la_code, parsed.collection_year, parsed.year_source,
        action, load_id, rows, warned, parsed.snapshot, tuple(parsed.notes),
    )  # fmt: skip


_LINEAGE = (
    "__load_id",
    "__la_code",
    "__collection_year",
)  # a raw row's load, as columns of the incoming rows


class _RawRows:
    """A batch's raw rows, inserted with one statement per table rather than one per return and table: DuckDB
    plans each statement (some 2 ms), which a national load's 1,216 returns of up to 16 tables each would pay
    over 10,000 times. The returns' rows are concatenated in order, each with its load's columns."""

    def __init__(self) -> None:
        self.held: dict[tuple[str, pa.Schema], list[pa.Table]] = {}

    def add(self, spec: TableSpec, table: pa.Table, load_id: int, parsed: ParsedReturn) -> None:
        if table.num_rows == 0:  # nothing to insert; DuckDB would still plan the statement
            return
        lineage = (
            (load_id, pa.int64()),
            (parsed.la_code, pa.string()),
            (parsed.collection_year, pa.string()),
        )
        for column, (value, kind) in zip(_LINEAGE, lineage, strict=True):
            table = table.append_column(column, pa.repeat(pa.scalar(value, kind), table.num_rows))
        # tables of one schema concatenate; a reader's differently typed column is cast by DuckDB, as ever
        self.held.setdefault((spec.name, table.schema), []).append(table)

    def insert(self, con: duckdb.DuckDBPyConnection) -> None:
        for (name, _), tables in self.held.items():
            spec = TABLES_BY_NAME[name]
            columns = ", ".join(f'"{c}"' for c in (*spec.column_names, "src_line"))
            with registered(con, "incoming", pa.concat_tables(tables)):
                con.execute(
                    f"INSERT INTO {spec.raw_name} (load_id, la_code, collection_year, {columns}) "
                    f"SELECT {', '.join(_LINEAGE)}, {columns} FROM incoming"
                )
        self.held = {}


def rebuild_canonical(con: duckdb.DuckDBPyConnection, la_code: str) -> None:
    """Canonical rows for one LA: per identity, the row from the newest view of it.

    A return views its records as at the end of its collection year (31 March); a snapshot as at the last whole
    day it holds. Where the LA has a snapshot that holds a table, the snapshot is the record of that table from
    the first day it holds in full: a record dated from then on (by the first date of its identity) comes from
    the snapshot, or from a return for a year ending after the snapshot was taken, never from an older return,
    so that a record the case-management system has since corrected or removed is not counted twice. Records
    dated before the snapshot's first day keep coming from the returns (the snapshot's timeframe does not reach
    them), the snapshot's own view winning for any it holds too. With no snapshot this is the returns' rule:
    the latest collection year (then VERSION_ORDER, then the latest load) wins. Then what the store derives from
    the canonical rows (store/quality.py).
    """
    snapshot = con.execute(
        "SELECT load_id, covers_from, covers_to, row_counts FROM loads WHERE la_code = ? AND status = 'current' "
        "AND snapshot_taken_at IS NOT NULL",
        [la_code],
    ).fetchall()
    held = set(json.loads(snapshot[0][3])) if snapshot else set()
    for spec in _with_rows(con, la_code):
        columns = ", ".join(f'"{c}"' for c, _ in (*LINEAGE_COLUMNS, *spec.columns, ("src_line", "")))
        key = ", ".join(f'"{c}"' for c in ("la_code", *spec.key))
        # the view date: a snapshot's last whole day, else the end of the return's collection year
        view = "coalesce(v.covers_to, make_date(CAST(substr(r.collection_year, 1, 4) AS INTEGER) + 1, 3, 31))"
        version = f"{VERSION_ORDER[spec.name]}, " if spec.name in VERSION_ORDER else ""
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
                    ORDER BY {view} DESC, {version}r.load_id DESC, r.src_line DESC
                ) AS version_rank
                FROM {spec.raw_name} AS r LEFT JOIN loads AS v ON v.load_id = r.load_id
                WHERE r.la_code = ? {superseded}
            ) WHERE version_rank = 1
            """,
            parameters,
        )
    quality.refresh(con, la_code)


def _with_rows(con: duckdb.DuckDBPyConnection, la_code: str) -> list[TableSpec]:
    """The tables holding rows of the LA, raw or canonical, asked in one query: rebuilding any other would
    delete nothing and insert nothing, yet cost two statements' planning (most of a national LA's 42 tables
    are empty)."""
    found = {
        name
        for (name,) in con.execute(
            " UNION ALL ".join(
                f"SELECT '{spec.name}' WHERE EXISTS (SELECT 1 FROM {spec.raw_name} WHERE la_code = $la) "
                f"OR EXISTS (SELECT 1 FROM {spec.name} WHERE la_code = $la)"
                for spec in TABLES
            ),
            {"la": la_code},
        ).fetchall()
    }
    return [spec for spec in TABLES if spec.name in found]


def derivation_fingerprint() -> str:
    """Of the code that makes the canonical tables and what is derived from them: when it changes, a store made
    by an earlier csc-scorecard is rebuilt (`rebuild_if_derivation_changed`)."""
    digest = hashlib.sha256()
    for module in (table_specs, quality):
        digest.update(Path(module.__file__ or "").read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def rebuild_if_derivation_changed(con: duckdb.DuckDBPyConnection) -> bool:
    """Rebuild every LA's canonical tables, in one transaction, when the store was derived by other code
    (an earlier csc-scorecard, or one without the quality rules); True if it did."""
    shipped = derivation_fingerprint()
    held = con.execute("SELECT fingerprint FROM derived_data WHERE name = 'canonical'").fetchall()
    if held and held[0][0] == shipped:
        return False
    con.begin()
    try:
        for (la_code,) in con.execute("SELECT DISTINCT la_code FROM loads ORDER BY 1").fetchall():
            rebuild_canonical(con, la_code)
        con.execute("INSERT OR REPLACE INTO derived_data VALUES ('canonical', ?, now())", [shipped])
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return True
