"""Store migration 5: the Annex A, local template and CSWW tables, added to a store made before them."""

from __future__ import annotations

from pathlib import Path

import duckdb

from csc_scorecard.sources.tables import LOCAL_TABLES
from csc_scorecard.store import connect
from csc_scorecard.store.schema import SCHEMA_VERSION, migrate


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def test_a_new_store_has_every_local_table(tmp_path: Path) -> None:
    con = connect(tmp_path / "s.duckdb")
    names = _tables(con)
    for spec in LOCAL_TABLES:
        assert {spec.name, spec.raw_name} <= names, spec.name


def test_a_version_4_store_gains_them(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    assert migrate(con, up_to=4) == 4  # a store from before migration 5
    assert not {s.name for s in LOCAL_TABLES} & _tables(con)
    con.close()
    con = connect(path)
    assert {s.name for s in LOCAL_TABLES} <= _tables(con)
    assert con.execute("SELECT max(version) FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    columns = [r[0] for r in con.execute("DESCRIBE annex_a_contacts").fetchall()]
    assert columns[:3] == ["load_id", "la_code", "collection_year"] and columns[-1] == "src_line"
    con.close()
