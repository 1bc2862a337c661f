"""The monthly board packs written (migration 11): when, by whom, for which month, and the latest load and manual
value each was built from, so that the next pack lists exactly what was loaded and recorded after them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from ..periods import parse_period


@dataclass(frozen=True)
class BoardPack:
    pack_id: int
    la_code: str
    period: str
    profile: str
    written_at: dt.datetime
    written_by: str | None
    last_load_id: int
    last_value_id: int


def _has_table(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'board_packs'"
        ).fetchall()[0][0]
    )


def latest_ids(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """(the latest load id, the latest manual value id), 0 for none: what a board is built from."""
    (loads,) = con.execute("SELECT coalesce(max(load_id), 0) FROM loads").fetchone()  # type: ignore[misc]
    values = 0
    if _has_table(con):  # manual values arrived with the same release as board packs
        (values,) = con.execute("SELECT coalesce(max(value_id), 0) FROM manual_values").fetchone()  # type: ignore[misc]
    return loads, values


def record_pack(
    con: duckdb.DuckDBPyConnection, la_code: str, period: str, profile: str, built_from: tuple[int, int],
    *, by: str | None = None, now: dt.datetime | None = None,
) -> BoardPack:  # fmt: skip
    """Record a pack written; `built_from` is its board's latest_ids."""
    when = now or dt.datetime.now().replace(microsecond=0)
    (pack_id,) = con.execute(
        "INSERT INTO board_packs (la_code, period, profile, written_at, written_by, last_load_id, last_value_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING pack_id",
        [la_code, period, profile, when, by, *built_from],
    ).fetchone()  # type: ignore[misc]
    return BoardPack(pack_id, la_code, period, profile, when, by, *built_from)


def last_pack_before(con: duckdb.DuckDBPyConnection, la_code: str, period: str) -> BoardPack | None:
    """The latest pack written for a month before `period` (the last board's), or None."""
    if not _has_table(con):
        return None
    end = parse_period(period).start
    rows = con.execute(
        "SELECT pack_id, la_code, period, profile, written_at, written_by, last_load_id, last_value_id "
        "FROM board_packs "
        "WHERE la_code = ? ORDER BY written_at DESC, pack_id DESC",
        [la_code],
    ).fetchall()
    return next((BoardPack(*r) for r in rows if parse_period(r[2]).end < end), None)


__all__ = ["BoardPack", "last_pack_before", "latest_ids", "record_pack"]
