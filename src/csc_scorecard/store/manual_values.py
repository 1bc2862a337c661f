"""Manual measures in the store (migration 9): their declarations and their values, every version kept.

- `declare(con, measures, ...)`: the measures of a file become the ones in force. A measure whose declaration
  changed gets a new row that replaces the old one; a measure no longer in the file is withdrawn (a row with no
  declaration), and its values stay. Nothing is deleted, so `declarations_of` shows every version.
- Values: `record` for one typed in (the dashboard's form, the command line), `record_loaded` for the rows of a
  file at commit (ingest.commit -> store/load.py), both all or nothing. A value for an LA, measure and period
  replaces the current one, which is kept and points at its successor (`replaced_by`); a value equal to the
  current one changes nothing. `value_history` gives who entered what, when, from where, and what it replaced.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from ..sources.manual import (
    MeasureDeclaration,
    ValueRow,
    declared_problems,
    from_arrow,
    period_problem,
    value_problems,
)
from ..sources.problems import ReturnRejected

_VALUE_COLUMNS = (
    "value_id, la_code, measure_id, period, period_start, period_end, value, denominator, note, entered_by, "
    "entered_at, source, load_id, src_line, replaces, replaced_by"
)


class ManualValueError(ValueError):
    """A value typed in that cannot be recorded: the message says which field and why."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ManualValue:
    value_id: int
    la_code: str
    measure_id: str
    period: str  # the month, or a quarter's last month
    period_start: dt.date
    period_end: dt.date
    value: float  # the count, or a percentage's numerator
    denominator: float | None
    note: str | None
    entered_by: str | None
    entered_at: dt.datetime
    source: str  # the file loaded, 'dashboard' or 'command line'
    load_id: int | None
    src_line: int | None
    replaces: int | None
    replaced_by: int | None

    @property
    def current(self) -> bool:
        return self.replaced_by is None


@dataclass(frozen=True)
class Declaration:
    declaration_id: int
    measure_id: str
    measure: MeasureDeclaration | None  # None: withdrawn
    source: str
    declared_by: str | None
    declared_at: dt.datetime
    replaced_by: int | None


@dataclass(frozen=True)
class Declared:
    """What `declare` changed, measure ids in file order."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    unchanged: tuple[str, ...]
    withdrawn: tuple[str, ...]


def _has_tables(con: duckdb.DuckDBPyConnection) -> bool:
    """A store older than migration 9 (read as it is, by `status`) has no manual measures."""
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'manual_values'"
        ).fetchall()[0][0]
    )


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now().replace(microsecond=0)


# --- declarations ------------------------------------------------------------------------------------------------


def declared(con: duckdb.DuckDBPyConnection) -> dict[str, MeasureDeclaration]:
    """The measures in force, in the order they were first declared."""
    if not _has_tables(con):
        return {}
    rows = con.execute(
        "SELECT m.measure_id, m.declaration FROM manual_measures m "
        "JOIN (SELECT measure_id, min(declaration_id) AS first FROM manual_measures GROUP BY 1) f USING (measure_id) "
        "WHERE m.replaced_by IS NULL AND m.declaration IS NOT NULL ORDER BY f.first"
    ).fetchall()
    return {measure_id: MeasureDeclaration.model_validate_json(text) for measure_id, text in rows}


def declare(
    con: duckdb.DuckDBPyConnection,
    measures: Sequence[MeasureDeclaration],
    *,
    source: str,
    by: str | None = None,
    now: dt.datetime | None = None,
) -> Declared:
    """Make `measures` the measures in force (one transaction); the caller has checked their ids are free."""
    when, current = _now(now), declared(con)
    given = {m.id: m for m in measures}
    added = tuple(i for i in given if i not in current)
    changed = tuple(i for i in given if i in current and current[i] != given[i])
    withdrawn = tuple(i for i in current if i not in given)
    con.begin()
    try:
        for measure_id in (*added, *changed, *withdrawn):
            spec = given.get(measure_id)
            (new_id,) = con.execute(
                "INSERT INTO manual_measures (measure_id, declaration, source, declared_by, declared_at) "
                "VALUES (?, ?, ?, ?, ?) RETURNING declaration_id",
                [measure_id, spec.model_dump_json() if spec else None, source, by, when],
            ).fetchone()  # type: ignore[misc]
            con.execute(
                "UPDATE manual_measures SET replaced_by = ? WHERE measure_id = ? AND replaced_by IS NULL "
                "AND declaration_id <> ?",
                [new_id, measure_id, new_id],
            )
        con.commit()
    except BaseException:
        con.rollback()
        raise
    unchanged = tuple(i for i in given if i in current and i not in changed)
    return Declared(added, changed, unchanged, withdrawn)


def declarations_of(con: duckdb.DuckDBPyConnection, measure_id: str) -> list[Declaration]:
    """Every declaration of a measure, oldest first."""
    if not _has_tables(con):
        return []
    rows = con.execute(
        "SELECT declaration_id, measure_id, declaration, source, declared_by, declared_at, replaced_by "
        "FROM manual_measures WHERE measure_id = ? ORDER BY declaration_id",
        [measure_id],
    ).fetchall()
    return [
        Declaration(r[0], r[1], MeasureDeclaration.model_validate_json(r[2]) if r[2] else None, *r[3:])
        for r in rows
    ]


# --- values ------------------------------------------------------------------------------------------------------


def current_values(
    con: duckdb.DuckDBPyConnection, measure_ids: Iterable[str], la_codes: Sequence[str] | None = None
) -> list[ManualValue]:
    """The current value of each (LA, measure, period) for the measures named, by LA, measure and date."""
    ids = list(measure_ids)
    if not ids or not _has_tables(con):
        return []
    rows = con.execute(
        f"SELECT {_VALUE_COLUMNS} FROM manual_values WHERE replaced_by IS NULL AND list_contains(?, measure_id) "
        "AND (? IS NULL OR list_contains(?, la_code)) ORDER BY la_code, measure_id, period_end",
        [ids, None if la_codes is None else 1, list(la_codes or [])],
    ).fetchall()
    return [ManualValue(*r) for r in rows]


def value_history(
    con: duckdb.DuckDBPyConnection, la_code: str, measure_id: str, period: str | None = None
) -> list[ManualValue]:
    """Every value ever recorded for an LA's measure (or one period of it), by period then oldest first."""
    if not _has_tables(con):
        return []
    rows = con.execute(
        f"SELECT {_VALUE_COLUMNS} FROM manual_values WHERE la_code = ? AND measure_id = ? "
        "AND (? IS NULL OR period = ?) ORDER BY period_end, value_id",
        [la_code, measure_id, period, period],
    ).fetchall()
    return [ManualValue(*r) for r in rows]


def values_recorded_after(
    con: duckdb.DuckDBPyConnection, la_code: str, value_id: int = 0
) -> list[ManualValue]:
    """The values recorded for an LA after the value `value_id` (every one with 0), oldest first."""
    if not _has_tables(con):
        return []
    rows = con.execute(
        f"SELECT {_VALUE_COLUMNS} FROM manual_values WHERE la_code = ? AND value_id > ? ORDER BY value_id",
        [la_code, value_id],
    ).fetchall()
    return [ManualValue(*r) for r in rows]


def _insert(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    measure: MeasureDeclaration,
    row: ValueRow,
    *,
    by: str | None,
    when: dt.datetime,
    source: str,
    load_id: int | None,
) -> ManualValue | None:
    """Record one value (inside the caller's transaction); None when it equals the current one."""
    start, end = measure.span(row.period)
    old = con.execute(
        f"SELECT {_VALUE_COLUMNS} FROM manual_values WHERE la_code = ? AND measure_id = ? AND period_start = ? "
        "AND period_end = ? AND replaced_by IS NULL",
        [la_code, measure.id, start, end],
    ).fetchall()
    previous = ManualValue(*old[0]) if old else None
    if previous is not None and (previous.value, previous.denominator, previous.note) == (
        row.value, row.denominator, row.note,
    ):  # fmt: skip
        return None
    (new_id,) = con.execute(
        "INSERT INTO manual_values (la_code, measure_id, period, period_start, period_end, value, denominator, note, "
        "entered_by, entered_at, source, load_id, src_line, replaces) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "RETURNING value_id",
        [la_code, measure.id, row.period, start, end, row.value, row.denominator, row.note, by, when, source,
         load_id, row.line if load_id is not None else None, previous.value_id if previous else None],
    ).fetchone()  # type: ignore[misc]  # fmt: skip
    if previous is not None:
        con.execute(
            "UPDATE manual_values SET replaced_by = ? WHERE value_id = ?", [new_id, previous.value_id]
        )
    saved = con.execute(f"SELECT {_VALUE_COLUMNS} FROM manual_values WHERE value_id = ?", [new_id]).fetchall()
    return ManualValue(*saved[0])


def record_loaded(
    con: duckdb.DuckDBPyConnection,
    table: pa.Table,
    *,
    la_code: str,
    load_id: int,
    file: str,
    by: str | None,
    now: dt.datetime | None = None,
) -> int:
    """The rows of a loaded file (inside the load's transaction): checked against the declarations first, so
    that a value for an undeclared measure, or one that does not suit its measure, refuses the whole batch
    (ReturnRejected, nothing written). Returns how many values were new or changed."""
    rows, measures = from_arrow(table), declared(con)
    problems = declared_problems(rows, measures, file)
    if problems:
        raise ReturnRejected(problems)
    when = _now(now)
    saved = [_insert(con, la_code, measures[r.measure_id], r, by=by, when=when, source=file, load_id=load_id)
             for r in rows]  # fmt: skip
    return sum(s is not None for s in saved)


def record(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    measure_id: str,
    period: str,
    value: float,
    *,
    denominator: float | None = None,
    note: str | None = None,
    by: str | None,
    source: str,
    now: dt.datetime | None = None,
    today: dt.date | None = None,
) -> ManualValue | None:
    """Record one value typed in; ManualValueError names the field and what is wrong. None: it equals the
    current value, so nothing changed."""
    if (why := period_problem(period, today or dt.date.today())) is not None:
        raise ManualValueError("period", f"period {period!r}: {why}")
    if value < 0 or (denominator is not None and denominator <= 0):
        raise ManualValueError("value", "a value is at least 0 and a denominator above 0")
    if denominator is not None and value > denominator:
        raise ManualValueError(
            "value", f"the value ({value:g}) is more than the denominator ({denominator:g})"
        )
    measure = declared(con).get(measure_id)
    for field, rule in value_problems(measure, measure_id, period, value, denominator):
        raise ManualValueError(field, rule)
    assert measure is not None
    con.begin()
    try:
        row = ValueRow(0, measure_id, period, float(value), denominator, (note or "").strip() or None)
        saved = _insert(con, la_code, measure, row, by=by, when=_now(now), source=source, load_id=None)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return saved


def manual_version(con: duckdb.DuckDBPyConnection) -> str:
    """Changes whenever a measure is declared or a value recorded: part of what a built scorecard depends on."""
    if not _has_tables(con):
        return ""
    rows = con.execute(
        "SELECT (SELECT coalesce(max(declaration_id), 0) FROM manual_measures), "
        "(SELECT coalesce(max(value_id), 0) FROM manual_values)"
    ).fetchall()
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16]


__all__ = [
    "Declaration",
    "Declared",
    "ManualValue",
    "ManualValueError",
    "current_values",
    "declarations_of",
    "declare",
    "declared",
    "manual_version",
    "record",
    "record_loaded",
    "value_history",
    "values_recorded_after",
]
