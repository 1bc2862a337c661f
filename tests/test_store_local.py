"""Store migration 5: the Annex A, local template and CSWW tables, added to a store made before them."""

from __future__ import annotations

from pathlib import Path

import duckdb

from csc_scorecard.sources.tables import LOCAL_TABLES
from csc_scorecard.store import connect
from csc_scorecard.store.schema import SCHEMA_VERSION, migrate


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def test_a_new_store_has_every_local_table_at_version_5(tmp_path: Path) -> None:
    con = connect(tmp_path / "s.duckdb")
    assert SCHEMA_VERSION == 5
    names = _tables(con)
    for spec in LOCAL_TABLES:
        assert {spec.name, spec.raw_name} <= names, spec.name


def test_a_version_4_store_gains_them(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = connect(path)
    # Make it look like a store from before migration 5: no local tables, schema version 4.
    for spec in LOCAL_TABLES:
        con.execute(f"DROP TABLE {spec.raw_name}")
        con.execute(f"DROP TABLE {spec.name}")
    con.execute("DELETE FROM schema_version WHERE version = 5")
    assert not {s.name for s in LOCAL_TABLES} & _tables(con)
    assert migrate(con) == 5
    assert {s.name for s in LOCAL_TABLES} <= _tables(con)
    columns = [r[0] for r in con.execute("DESCRIBE annex_a_contacts").fetchall()]
    assert columns[:3] == ["load_id", "la_code", "collection_year"] and columns[-1] == "src_line"
    con.close()
