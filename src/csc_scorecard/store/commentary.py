"""Analysts' own words beside the numbers: commentary per (LA, indicator, period) and actions carried forward.

Stored in the store's `commentary` and `actions` tables (store/schema.py, migration 3). An action belongs to the
period whose report first carried it and appears in every later period's report until the period in which it
was closed (inclusive), so a board sees each open action until someone closes it.

Text that looks as if it may identify a child (store/identifiers.py) is saved, with a warning, and kept out of
published outputs until an analyst confirms it does not: `confirmed_by` and `confirmed_at` (migration 8)
record who and when, for that text; a change to the text needs confirming again. Each Commentary and Action
read from the store says what its text seems to hold (`identifiers`) and whether it `needs_confirming`.

Every change of an action's status, owner, due date or closing period is kept in `action_history` (migration
10), with who made it, when and an optional note of what was done: `action_history(con, action_id)`.

CSV import/export lets analysts edit in a spreadsheet. Import checks every row before writing anything and
names the line and field of each problem. Export neutralises formula injection: a text cell starting with
=, +, -, @, tab or carriage return gets a leading apostrophe, and so does one starting with an apostrophe
(else "'=x" would come back as "=x"); import removes exactly that one apostrophe again, and keeps free text
(text, author, owner) as it is, spaces and line breaks included, so a round trip keeps every text unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import duckdb

from ..periods import PeriodError, parse_period
from ..private_files import private_file
from ..sources.problems import Problems, ReturnRejected
from .identifiers import identifying

STATUSES = ("open", "in progress", "closed")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LA_CODE = re.compile(r"^\d{3}$")
INDICATOR_ID = re.compile(r"^[a-z][a-z0-9_]*$")

COMMENTARY_COLUMNS = ("la_code", "indicator_id", "period", "text", "author")
COMMENTARY_REQUIRED = ("la_code", "indicator_id", "period", "text")
ACTION_COLUMNS = (
    "action_id", "la_code", "indicator_id", "opened_period", "text", "owner", "due_date", "status", "closed_period",
)  # fmt: skip
ACTION_REQUIRED = ("la_code", "indicator_id", "opened_period", "text")
FREE_TEXT = frozenset({"text", "author", "owner"})  # kept exactly as written, spaces included


class ImportRejected(ReturnRejected):
    """A commentary or actions CSV failed its checks; nothing was written."""


class CommentaryError(ValueError):
    pass


@dataclass(frozen=True)
class Commentary:
    la_code: str
    indicator_id: str
    period: str
    text: str
    author: str | None
    updated_at: dt.datetime
    confirmed_by: str | None = None  # who confirmed this text does not identify a child
    confirmed_at: dt.datetime | None = None
    identifiers: tuple[str, ...] = ()  # what the text seems to hold (store/identifiers.py), never the values

    @property
    def needs_confirming(self) -> bool:
        return bool(self.identifiers) and self.confirmed_at is None


@dataclass(frozen=True)
class Action:
    action_id: int
    la_code: str
    indicator_id: str
    opened_period: str
    text: str
    owner: str | None
    due_date: dt.date | None
    status: str  # the action's current status (not as it was in an earlier period)
    closed_period: str | None
    updated_at: dt.datetime
    confirmed_by: str | None = None
    confirmed_at: dt.datetime | None = None
    identifiers: tuple[str, ...] = ()

    @property
    def needs_confirming(self) -> bool:
        return bool(self.identifiers) and self.confirmed_at is None


@dataclass(frozen=True)
class ActionEvent:
    """One change of an action: its status, owner, due date and closing period from then on."""

    event_id: int
    action_id: int
    status: str
    owner: str | None
    due_date: dt.date | None
    closed_period: str | None
    note: str | None
    changed_by: str | None
    changed_at: dt.datetime


# --- checks shared by the functions and the CSV import -------------------------------------------------


def _period_end(code: str) -> dt.date:
    return parse_period(code).end


def _check_keys(la_code: str, indicator_id: str, *periods: str | None) -> None:
    if not LA_CODE.match(la_code or ""):
        raise CommentaryError(f"la_code {la_code!r}: must be a 3-digit LA code")
    if not INDICATOR_ID.match(indicator_id or ""):
        raise CommentaryError(
            f"indicator_id {indicator_id!r}: must be an indicator id like re_referrals_12m_pct"
        )
    for period in periods:
        if period is not None:
            try:
                parse_period(period)
            except PeriodError as e:
                raise CommentaryError(f"period {period!r}: {e}") from None


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now().replace(microsecond=0)


# --- commentary ----------------------------------------------------------------------------------------


def set_commentary(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    indicator_id: str,
    period: str,
    text: str,
    *,
    author: str | None = None,
    confirmed_by: str | None = None,
    now: dt.datetime | None = None,
) -> Commentary:
    """Add or replace the commentary for one (LA, indicator, period). `confirmed_by`: who has checked that it
    does not identify a child (a confirmation given earlier stands while the text is unchanged)."""
    _check_keys(la_code, indicator_id, period)
    if not text or not text.strip():
        raise CommentaryError("commentary text is empty")
    when = _now(now)
    by, at = (confirmed_by, when) if confirmed_by else (None, None)
    con.execute(
        """
        INSERT INTO commentary (la_code, indicator_id, period, text, author, updated_at, confirmed_by, confirmed_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (la_code, indicator_id, period)
        DO UPDATE SET text = excluded.text, author = excluded.author, updated_at = excluded.updated_at,
            confirmed_by = CASE WHEN excluded.confirmed_at IS NOT NULL THEN excluded.confirmed_by
                                WHEN commentary.text = excluded.text THEN commentary.confirmed_by END,
            confirmed_at = CASE WHEN excluded.confirmed_at IS NOT NULL THEN excluded.confirmed_at
                                WHEN commentary.text = excluded.text THEN commentary.confirmed_at END
        """,
        [la_code, indicator_id, period, text, author, when, by, at],
    )
    saved = get_commentary(con, la_code, indicator_id, period)
    assert saved is not None
    return saved


_COMMENTARY_SELECT = "SELECT la_code, indicator_id, period, text, author, updated_at, confirmed_by, confirmed_at FROM commentary"


def get_commentary(
    con: duckdb.DuckDBPyConnection, la_code: str, indicator_id: str, period: str
) -> Commentary | None:
    rows = con.execute(
        f"{_COMMENTARY_SELECT} WHERE la_code = ? AND indicator_id = ? AND period = ?",
        [la_code, indicator_id, period],
    ).fetchall()
    if not rows:
        return None
    note = Commentary(*rows[0])
    return replace(note, identifiers=identifying(con, note.text))


def delete_commentary(con: duckdb.DuckDBPyConnection, la_code: str, indicator_id: str, period: str) -> bool:
    found = get_commentary(con, la_code, indicator_id, period) is not None
    con.execute(
        "DELETE FROM commentary WHERE la_code = ? AND indicator_id = ? AND period = ?",
        [la_code, indicator_id, period],
    )
    return found


# --- actions -------------------------------------------------------------------------------------------

_ACTION_SELECT = (
    "SELECT action_id, la_code, indicator_id, opened_period, text, owner, due_date, status, closed_period, "
    "updated_at, confirmed_by, confirmed_at FROM actions"
)


def _action(con: duckdb.DuckDBPyConnection, row: tuple) -> Action:
    action = Action(*row)
    return replace(action, identifiers=identifying(con, action.text))


def _check_action(status: str, opened_period: str, closed_period: str | None) -> None:
    if status not in STATUSES:
        raise CommentaryError(f"status {status!r}: must be one of {', '.join(STATUSES)}")
    if status == "closed" and closed_period is None:
        raise CommentaryError("a closed action needs the period it was closed in (closed_period)")
    if status != "closed" and closed_period is not None:
        raise CommentaryError(
            f"closed_period {closed_period!r} is set but the status is {status!r}, not closed"
        )
    if closed_period is not None and _period_end(closed_period) < _period_end(opened_period):
        raise CommentaryError(f"closed_period {closed_period} ends before opened_period {opened_period}")


def add_action(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    indicator_id: str,
    opened_period: str,
    text: str,
    *,
    owner: str | None = None,
    due_date: dt.date | None = None,
    status: str = "open",
    closed_period: str | None = None,
    confirmed_by: str | None = None,
    by: str | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Add an action first reported in `opened_period`; returns its id. `confirmed_by`: who has checked that
    its text does not identify a child; `by`: who added it (its history's first entry)."""
    _check_keys(la_code, indicator_id, opened_period, closed_period)
    if not text or not text.strip():
        raise CommentaryError("action text is empty")
    _check_action(status, opened_period, closed_period)
    when = _now(now)
    rows = con.execute(
        "INSERT INTO actions (la_code, indicator_id, opened_period, text, owner, due_date, status, closed_period, "
        "updated_at, confirmed_by, confirmed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING action_id",
        [la_code, indicator_id, opened_period, text, owner, due_date, status, closed_period, when,
         confirmed_by, when if confirmed_by else None],
    ).fetchall()  # fmt: skip
    _record_event(con, get_action(con, rows[0][0]), "added", by, when)
    return rows[0][0]


def _record_event(
    con: duckdb.DuckDBPyConnection, action: Action, note: str | None, by: str | None, when: dt.datetime
) -> None:
    con.execute(
        "INSERT INTO action_history (action_id, status, owner, due_date, closed_period, note, changed_by, "
        "changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            action.action_id,
            action.status,
            action.owner,
            action.due_date,
            action.closed_period,
            note,
            by,
            when,
        ],
    )


def action_history(con: duckdb.DuckDBPyConnection, action_id: int) -> list[ActionEvent]:
    """Every change of an action, oldest first."""
    rows = con.execute(
        "SELECT event_id, action_id, status, owner, due_date, closed_period, note, changed_by, changed_at "
        "FROM action_history WHERE action_id = ? ORDER BY event_id",
        [action_id],
    ).fetchall()
    return [ActionEvent(*r) for r in rows]


def get_action(con: duckdb.DuckDBPyConnection, action_id: int) -> Action:
    rows = con.execute(f"{_ACTION_SELECT} WHERE action_id = ?", [action_id]).fetchall()
    if not rows:
        raise CommentaryError(f"no action with id {action_id}")
    return _action(con, rows[0])


_KEEP: Any = object()  # "leave this field as it is" (None clears an optional field)


def update_action(
    con: duckdb.DuckDBPyConnection,
    action_id: int,
    *,
    text: str = _KEEP,
    owner: str | None = _KEEP,
    due_date: dt.date | None = _KEEP,
    status: str = _KEEP,
    closed_period: str | None = _KEEP,
    confirmed_by: str | None = None,
    by: str | None = None,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> Action:
    """Edit an action. Re-opening (status open or in progress) clears closed_period unless one is given. A new
    text needs confirming again (`confirmed_by`: who has checked it does not identify a child). A change of
    status, owner, due date or closing period, or a `note` of what was done, is kept in its history with `by`."""
    old = get_action(con, action_id)
    new_status = old.status if status is _KEEP else status
    if closed_period is _KEEP:
        closed_period = old.closed_period if new_status == "closed" else None
    new_text = old.text if text is _KEEP else text
    if not new_text or not new_text.strip():
        raise CommentaryError("action text is empty")
    _check_keys(old.la_code, old.indicator_id, closed_period)
    _check_action(new_status, old.opened_period, closed_period)
    when = _now(now)
    if confirmed_by:
        confirmed = (confirmed_by, when)
    else:
        confirmed = (old.confirmed_by, old.confirmed_at) if new_text == old.text else (None, None)
    con.execute(
        "UPDATE actions SET text = ?, owner = ?, due_date = ?, status = ?, closed_period = ?, updated_at = ?, "
        "confirmed_by = ?, confirmed_at = ? WHERE action_id = ?",
        [
            new_text,
            old.owner if owner is _KEEP else owner,
            old.due_date if due_date is _KEEP else due_date,
            new_status,
            closed_period,
            when,
            *confirmed,
            action_id,
        ],
    )
    new = get_action(con, action_id)
    tracked = ("status", "owner", "due_date", "closed_period")
    if note or any(getattr(new, f) != getattr(old, f) for f in tracked):
        _record_event(con, new, (note or "").strip() or None, by, when)
    return new


def close_action(
    con: duckdb.DuckDBPyConnection, action_id: int, closed_period: str, *, by: str | None = None,
    note: str | None = None, now: dt.datetime | None = None,
) -> Action:  # fmt: skip
    """Close an action in `closed_period`: it still shows in that period's report, not in later ones."""
    return update_action(
        con, action_id, status="closed", closed_period=closed_period, by=by, note=note, now=now
    )


def actions_for(con: duckdb.DuckDBPyConnection, la_code: str, indicator_id: str, period: str) -> list[Action]:
    """Actions opened in or before `period` and not closed before it (by period end dates), oldest first."""
    rows = con.execute(
        f"{_ACTION_SELECT} WHERE la_code = ? AND indicator_id = ? ORDER BY action_id", [la_code, indicator_id]
    ).fetchall()
    return _current([_action(con, r) for r in rows], _period_end(period))


def _current(actions: Iterable[Action], end: dt.date) -> list[Action]:
    return [
        a
        for a in actions
        if _period_end(a.opened_period) <= end
        and (a.closed_period is None or _period_end(a.closed_period) >= end)
    ]


@dataclass(frozen=True)
class PeriodNotes:
    """Every indicator's commentary and actions for one LA and period, as get_commentary and actions_for give
    them, read in two queries rather than two per indicator (a scorecard has some 140)."""

    commentary: dict[str, Commentary]
    actions: dict[str, list[Action]]

    def commentary_on(self, indicator_id: str) -> Commentary | None:
        return self.commentary.get(indicator_id)

    def actions_on(self, indicator_id: str) -> list[Action]:
        return list(self.actions.get(indicator_id, ()))


def notes_for(con: duckdb.DuckDBPyConnection, la_code: str, period: str) -> PeriodNotes:
    notes = con.execute(
        f"{_COMMENTARY_SELECT} WHERE la_code = ? AND period = ?", [la_code, period]
    ).fetchall()
    commentary = {}
    for row in notes:
        note = Commentary(*row)
        commentary[note.indicator_id] = replace(note, identifiers=identifying(con, note.text))
    rows = con.execute(f"{_ACTION_SELECT} WHERE la_code = ? ORDER BY action_id", [la_code]).fetchall()
    actions: dict[str, list[Action]] = {}
    for a in _current((Action(*r) for r in rows), _period_end(period)):
        actions.setdefault(a.indicator_id, []).append(replace(a, identifiers=identifying(con, a.text)))
    return PeriodNotes(commentary, actions)


# --- CSV -----------------------------------------------------------------------------------------------


QUOTED = (*FORMULA_STARTS, "'")  # a first character that export quotes with an apostrophe


def neutralise(text: str) -> str:
    """Stop a spreadsheet reading a cell as a formula: prefix an apostrophe to a risky first character, or to
    an apostrophe, so that `unneutralise` can tell the two apart."""
    return f"'{text}" if text.startswith(QUOTED) else text


def unneutralise(text: str) -> str:
    """Undo `neutralise` on import (only an apostrophe that neutralise would have added is removed)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(QUOTED) else text


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _write(path: Path | str, header: Iterable[str], rows: Iterable[Iterable[object]]) -> int:
    count = 0
    with private_file(Path(path)).open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
            count += 1
    return count


def export_commentary_csv(
    con: duckdb.DuckDBPyConnection, path: Path | str, *, la_code: str | None = None
) -> int:
    """Write commentary (all, or one LA's) to CSV; returns the number of rows."""
    rows = con.execute(
        f"SELECT {', '.join(COMMENTARY_COLUMNS)} FROM commentary WHERE ? IS NULL OR la_code = ? "
        "ORDER BY la_code, indicator_id, period",
        [la_code, la_code],
    ).fetchall()
    return _write(path, COMMENTARY_COLUMNS, rows)


def export_actions_csv(
    con: duckdb.DuckDBPyConnection, path: Path | str, *, la_code: str | None = None
) -> int:
    rows = con.execute(
        f"SELECT {', '.join(ACTION_COLUMNS)} FROM actions WHERE ? IS NULL OR la_code = ? ORDER BY action_id",
        [la_code, la_code],
    ).fetchall()
    return _write(path, ACTION_COLUMNS, rows)


def _reject_if_any(problems: Problems) -> None:
    if problems.total:
        raise ImportRejected(problems.items, problems.total, dict(problems.counts))


def _read(path: Path | str, columns: tuple[str, ...], required: tuple[str, ...], problems: Problems):
    """Yield (line number, {column: text}) per record, in file order; header problems end the import."""
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as f:  # a carriage return in a cell stays one
            text = f.read()
    except UnicodeDecodeError as e:
        problems.add(f"byte {e.start}", "(file)", None, "the file is not UTF-8 text")
        _reject_if_any(problems)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    if not header:
        problems.add("line 1", "(header)", None, f"the file is empty: expected columns {', '.join(columns)}")
    for name in header:
        if name not in columns:
            problems.add("line 1", name, name, f"unknown column (allowed: {', '.join(columns)})")
    for name in required:
        if name not in header:
            problems.add("line 1", name, None, "required column missing")
    for name in sorted({h for h in header if header.count(h) > 1}):
        problems.add("line 1", name, name, "column given twice")
    _reject_if_any(problems)
    start = reader.line_num + 1
    for row in reader:
        line, start = (
            start,
            reader.line_num + 1,
        )  # a quoted cell may span lines: report where the record starts
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.add(f"line {line}", "(row)", None, f"has {len(row)} cells, the header has {len(header)}")
            continue
        yield (
            line,
            {h: unneutralise(v if h in FREE_TEXT else v.strip()) for h, v in zip(header, row, strict=True)},
        )


class _Row:
    """Field checks for one CSV record, adding a Problem (line, field, value, rule) on bad input."""

    def __init__(self, problems: Problems, line: int, values: dict[str, str]):
        self.problems, self.location, self.values = problems, f"line {line}", values
        self.count = 0

    def bad(self, field: str, rule: str) -> None:
        self.count += 1
        self.problems.add(self.location, field, self.values.get(field), rule)

    def text(self, field: str, *, required: bool = False) -> str | None:
        value = self.values.get(field) or None
        if value is None and required:
            self.bad(field, "required")
        return value

    def code(self, field: str, pattern: re.Pattern, rule: str) -> str | None:
        value = self.text(field, required=True)
        if value is not None and not pattern.match(value):
            self.bad(field, rule)
        return value

    def period(self, field: str, *, required: bool = False) -> str | None:
        value = self.text(field, required=required)
        if value is not None:
            try:
                parse_period(value)
            except PeriodError:
                self.bad(field, "not a period: use 2016-17, 2016-17Q3, 2016-12 or R12:2016-12")
                return None
        return value

    def date(self, field: str) -> dt.date | None:
        value = self.text(field)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.bad(field, "not a date: use YYYY-MM-DD")
            return None

    def keys(self) -> tuple[str | None, str | None]:
        la = self.code("la_code", LA_CODE, "must be a 3-digit LA code, e.g. 335")
        indicator = self.code(
            "indicator_id", INDICATOR_ID, "must be an indicator id like re_referrals_12m_pct"
        )
        return la, indicator


def import_commentary_csv(
    con: duckdb.DuckDBPyConnection, path: Path | str, *, now: dt.datetime | None = None
) -> int:
    """Add or replace commentary from a CSV (columns as exported); all rows or none. Returns rows written."""
    problems = Problems(str(path))
    good, seen = [], {}
    for line, values in _read(path, COMMENTARY_COLUMNS, COMMENTARY_REQUIRED, problems):
        row = _Row(problems, line, values)
        la, indicator = row.keys()
        period = row.period("period", required=True)
        text = row.text("text", required=True)
        key = (la, indicator, period)
        if row.count == 0 and key in seen:
            row.bad("period", f"commentary for this LA, indicator and period is already on line {seen[key]}")
        seen.setdefault(key, line)
        if row.count == 0:
            good.append((la, indicator, period, text, row.text("author")))
    _reject_if_any(problems)
    with _transaction(con):
        for la, indicator, period, text, author in good:
            set_commentary(con, la, indicator, period, text, author=author, now=now)
    return len(good)


def import_actions_csv(
    con: duckdb.DuckDBPyConnection, path: Path | str, *, now: dt.datetime | None = None
) -> tuple[int, int]:
    """Add (blank action_id) or update (existing action_id) actions from a CSV; all rows or none.

    Returns (added, updated)."""
    problems = Problems(str(path))
    existing = {
        r[0]: (r[1], r[2])
        for r in con.execute("SELECT action_id, la_code, indicator_id FROM actions").fetchall()
    }
    good, seen = [], {}
    for line, values in _read(path, ACTION_COLUMNS, ACTION_REQUIRED, problems):
        row = _Row(problems, line, values)
        action_id = _action_id(row, existing, seen, line)
        la, indicator = row.keys()
        if action_id is not None and la and indicator and existing[action_id] != (la, indicator):
            row.bad(
                "action_id",
                f"action {action_id} belongs to LA {existing[action_id][0]}, indicator {existing[action_id][1]}",
            )
        opened = row.period("opened_period", required=True)
        text = row.text("text", required=True)
        status = row.text("status") or "open"
        if status not in STATUSES:
            row.bad("status", f"must be one of {', '.join(STATUSES)}")
        closed = row.period("closed_period")
        fields = dict(
            owner=row.text("owner"), due_date=row.date("due_date"), status=status, closed_period=closed
        )
        if row.count == 0:
            try:
                _check_action(status, opened, closed)
            except CommentaryError as e:
                row.bad("closed_period", str(e))
        if row.count == 0:
            good.append((action_id, la, indicator, opened, text, fields))
    _reject_if_any(problems)
    added = updated = 0
    with _transaction(con):
        for action_id, la, indicator, opened, text, fields in good:
            if action_id is None:
                add_action(con, la, indicator, opened, text, now=now, **fields)
                added += 1
            else:
                con.execute("UPDATE actions SET opened_period = ? WHERE action_id = ?", [opened, action_id])
                update_action(con, action_id, text=text, now=now, **fields)
                updated += 1
    return added, updated


def _action_id(
    row: _Row, existing: dict[int, tuple[str, str]], seen: dict[int, int], line: int
) -> int | None:
    value = row.text("action_id")
    if value is None:
        return None
    if not value.isdigit():
        row.bad("action_id", "must be a whole number (leave it blank to add a new action)")
        return None
    action_id = int(value)
    if action_id not in existing:
        row.bad("action_id", "no action with this id in the store (leave it blank to add a new action)")
        return None
    if action_id in seen:
        row.bad("action_id", f"action {action_id} is already on line {seen[action_id]}")
        return None
    seen[action_id] = line
    return action_id


class _transaction:
    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def __enter__(self) -> None:
        self.con.begin()

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.con.commit()
        else:
            self.con.rollback()
