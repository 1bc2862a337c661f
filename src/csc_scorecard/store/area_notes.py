"""Analysts' own achievements and priorities per area and period: what no figure shows ("Secured two Frontline
units", "rolling recruitment campaign"), set beside the ones drawn from the figures in the report's summary of
achievements and priorities (store migration 7)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from ..periods import PeriodError, parse_period
from .commentary import LA_CODE, CommentaryError

KINDS = ("achievement", "priority")


@dataclass(frozen=True)
class AreaNote:
    note_id: int
    la_code: str
    area: str  # the catalogue's area id
    period: str
    kind: str  # achievement | priority
    text: str
    author: str | None
    updated_at: dt.datetime


def add_area_note(
    con: duckdb.DuckDBPyConnection, la_code: str, area: str, period: str, kind: str, text: str,
    *, author: str | None = None, now: dt.datetime | None = None,
) -> AreaNote:  # fmt: skip
    """Add an achievement or a priority for an area's report in `period`."""
    if not LA_CODE.match(la_code or ""):
        raise CommentaryError(f"la_code {la_code!r}: must be a 3-digit LA code")
    if kind not in KINDS:
        raise CommentaryError(f"kind {kind!r}: must be achievement or priority")
    try:
        parse_period(period)
    except PeriodError as error:
        raise CommentaryError(f"period {period!r}: {error}") from None
    if not text or not text.strip():
        raise CommentaryError(f"the {kind}'s text is empty")
    when = now or dt.datetime.now().replace(microsecond=0)
    (note_id,) = con.execute(
        "INSERT INTO area_notes (la_code, area, period, kind, text, author, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING note_id",
        [la_code, area, period, kind, text.strip(), author, when],
    ).fetchone()  # type: ignore[misc]
    return AreaNote(note_id, la_code, area, period, kind, text.strip(), author, when)


def area_notes(con: duckdb.DuckDBPyConnection, la_code: str, period: str) -> list[AreaNote]:
    """Every achievement and priority for an LA's report in `period`, in the order they were added."""
    rows = con.execute(
        "SELECT note_id, la_code, area, period, kind, text, author, updated_at FROM area_notes "
        "WHERE la_code = ? AND period = ? ORDER BY note_id",
        [la_code, period],
    ).fetchall()
    return [AreaNote(*row) for row in rows]


def remove_area_note(con: duckdb.DuckDBPyConnection, note_id: int) -> AreaNote:
    rows = con.execute(
        "DELETE FROM area_notes WHERE note_id = ? "
        "RETURNING note_id, la_code, area, period, kind, text, author, updated_at",
        [note_id],
    ).fetchall()
    if not rows:
        raise CommentaryError(f"no achievement or priority with id {note_id}")
    return AreaNote(*rows[0])
