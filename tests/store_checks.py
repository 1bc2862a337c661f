"""Test helpers that look at a store from the outside."""

from __future__ import annotations

from pathlib import Path

import duckdb


def table_checksums(db: Path) -> dict[str, tuple[int, str]]:
    """{table: (rows, md5 of every row in a stable order)} for every table and view in the store."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        out = {}
        for name in sorted(names):
            out[name] = con.execute(
                f"SELECT count(*), coalesce(md5(string_agg(CAST(t AS VARCHAR), chr(10) "
                f"ORDER BY CAST(t AS VARCHAR))), '') FROM {name} AS t"
            ).fetchall()[0]
        return out
    finally:
        con.close()


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def catalog(db: Path) -> list[tuple[str, str, str]]:
    """The store's schema: every table, view, sequence and index with the DDL DuckDB holds for it."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return sorted(
            con.execute("SELECT 'table', table_name, sql FROM duckdb_tables() WHERE NOT internal").fetchall()
            + con.execute("SELECT 'view', view_name, sql FROM duckdb_views() WHERE NOT internal").fetchall()
            + con.execute(
                "SELECT 'sequence', sequence_name, concat_ws(' ', start_value, increment_by, min_value, max_value) "
                "FROM duckdb_sequences()"
            ).fetchall()
            + con.execute("SELECT 'index', index_name, sql FROM duckdb_indexes()").fetchall()
        )
    finally:
        con.close()
