"""Loading checked returns into the store: all or nothing, idempotent by sha256, newer versions replace older.

Readers have already checked every file before this runs. The one check left needs the store: a new version of
a return that lacks tables the loaded version holds (only episodes.csv, say) is refused before anything is
written, unless the analyst says to replace it anyway. The whole batch goes in one transaction, so an
unexpected error leaves the store exactly as it was.
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
from ..sources.model import ParsedReturn
from ..sources.problems import Problem, ReturnRejected
from ..sources.registry import kind_names
from ..sources.tables import TABLES, TABLES_BY_NAME, TableSpec
from . import quality
from .manual_values import record_loaded
from .schema import LINEAGE_COLUMNS

# Which version of a record the canonical table keeps, after the latest collection year and before the latest
# load: a child in the CIN census and the 903 of one year keeps the SSDA903's row (then the CIN census's, then
# any other source's by name), so that the same returns give the same row whatever order they were loaded in.
# Every date of birth or sex that differs between the returns is listed (store/quality.py).
VERSION_ORDER = {"children": "CASE source WHEN 'ssda903' THEN 0 WHEN 'cin' THEN 1 ELSE 2 END, source"}


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


def _current(con: duckdb.DuckDBPyConnection, parsed: ParsedReturn) -> tuple[int, str, str] | None:
    """(load_id, sha256, row counts) of the loaded version of the return, if any. A load that accumulates
    (manual values) replaces none: the same file is "already loaded" whichever year it was taken as."""
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
        if current is None or current[1] == parsed.sha256 or parsed.accumulates:
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


def _load_one(con: duckdb.DuckDBPyConnection, parsed: ParsedReturn, by: str | None) -> LoadOutcome:
    current = _current(con, parsed)
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
        con.execute("DELETE FROM quality_flags WHERE load_id = ?", [replaces])
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
    quality.store_warnings(con, parsed, load_id)
    action = f"replaced load {replaces}" if replaces else "loaded"
    return _outcome(parsed, action, load_id, rows)


def _outcome(parsed: ParsedReturn, action: str, load_id: int, rows: dict[str, int]) -> LoadOutcome:
    warned = tuple(parsed.warnings) if action != "already loaded" else ()
    return LoadOutcome(
        parsed.source_name, parsed.kind, parsed.la_code, parsed.collection_year, parsed.year_source,
        action, load_id, rows, warned,
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
    """Canonical rows for one LA: per identity, the row from the latest collection year (then VERSION_ORDER,
    then the latest load); then what the store derives from them (store/quality.py)."""
    for spec in TABLES:
        columns = ", ".join(f'"{c}"' for c, _ in (*LINEAGE_COLUMNS, *spec.columns, ("src_line", "")))
        key = ", ".join(f'"{c}"' for c in ("la_code", *spec.key))
        order = ", ".join(filter(None, ("collection_year DESC", VERSION_ORDER.get(spec.name))))
        con.execute(f"DELETE FROM {spec.name} WHERE la_code = ?", [la_code])
        con.execute(
            f"""
            INSERT INTO {spec.name} ({columns})
            SELECT {columns} FROM (
                SELECT *, row_number() OVER (
                    PARTITION BY {key} ORDER BY {order}, load_id DESC, src_line DESC
                ) AS version_rank
                FROM {spec.raw_name} WHERE la_code = ?
            ) WHERE version_rank = 1
            """,
            [la_code],
        )
    quality.refresh(con, la_code)


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
