"""Store migrations are frozen SQL: released files never change, an old store upgrades keeping its data, the
latest schema is what the table specs describe, reference data follows the shipped copy, a newer store is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from csc_scorecard.cli import cli
from csc_scorecard.refdata import population_0_17
from csc_scorecard.sources.model import ParsedReturn
from csc_scorecard.sources.tables import LOCAL_TABLES, TABLES, new_buffers
from csc_scorecard.store import StoreTooNew, connect
from csc_scorecard.store.load import load_returns
from csc_scorecard.store.reference_data import REFERENCE_SETS, fingerprint
from csc_scorecard.store.schema import LINEAGE_COLUMNS, MIGRATIONS, MIGRATIONS_DIR, SCHEMA_VERSION, migrate
from csc_scorecard.working_days import calendar_rows
from store_checks import catalog, query, table_checksums

# The sha256 of every released migration. A new migration's line is added when it is written (the failure
# message prints it); after that the file is frozen, because councils' stores were made by it.
RELEASED = {
    "0001_returns_lineage_reference.sql": "93869a96c47604489eaa5958549ff22b7ac4cbd0e2f5d5aba60c96e0e939da11",
    "0002_published_benchmarks.sql": "ae31ab891056bf059811e1742d880aa81bf1993d6461f11dbbf609b09b0a07f8",
    "0003_commentary_actions.sql": "27029417e78433c06e21d021eb404938b1fc5972c3c0d6cead6a55c5ec187f1a",
    "0004_indicator_results.sql": "3ce5180bb9ffda92be616acd5a1e19dad0b1150de283243dcc5bba6eac3c10a6",
    "0005_local_tables.sql": "b8f95133ccb5acba17e2da8ad88be26c02c816e4d9db912bf7bf37b1237ed5f6",
    "0006_reference_data.sql": "e9a2af75f562f07807bfe069c4b491efdcf8ee19c9824b2172cb72b8bc2e9986",
    "0007_area_notes.sql": "cdd73cfd4319bd9a9c3952fd8930b0e06894532780dd2d7de053a03a0055eed1",
    "0008_free_text_confirmed.sql": "8a0f16757cf009a8f964b3690b2f7cf41d84013b2318ef2f18ca2b55e4758135",
    "0009_data_quality.sql": "e7f2e4a2bc74141e7fd0e806c9e2fab18655bddfbe5ec4f1d7922678e1136f80",
    "0010_manual_measures.sql": "c92d15054d9467e3e105be890e2d3b77c3f38bd28141f8cec6b73dc4db3bfeda",
    "0011_action_history.sql": "8ad92d69f041dd4fef938a6f81856a2f9b5192d1f70ed797625466c532b7f47d",
    "0012_board_packs.sql": "da82cad9fd45ccb1852166c12adc99139edce6511f9c6a344ce0a3a9f33de6e9",
    "0013_ssd_snapshots.sql": "251a59111f2e9205213478148143b71af09d2d9d43c3c914303c0bbb2317b466",
    "0014_results_basis.sql": "322ed100caa8b38973fb8da224910f671121adbb27a905618144a2f052fee919",
}

FILLED = [table for data in REFERENCE_SETS for table in data.tables]
REFERENCE_TABLES = {*FILLED, "reference_data", "schema_version"}


def test_released_migrations_never_change() -> None:
    problems = []
    for migration in MIGRATIONS:
        sha = hashlib.sha256(MIGRATIONS_DIR.joinpath(migration.file_name).read_bytes()).hexdigest()
        if migration.file_name not in RELEASED:
            problems.append(f"{migration.file_name} is new: add it to RELEASED in this test: {sha!r}")
        elif RELEASED[migration.file_name] != sha:
            problems.append(
                f"{migration.file_name} has changed since it was released: a released migration never changes, "
                "because councils' stores were made by it. Undo the edit and add a new migration "
                f"({SCHEMA_VERSION + 1:04d}_....sql) instead (docs/store.md says how)."
            )
    missing = set(RELEASED) - {m.file_name for m in MIGRATIONS}
    problems += [f"{name} was released and has gone: put it back" for name in sorted(missing)]
    assert not problems, "\n".join(problems)


def test_latest_schema_is_what_the_table_specs_describe(tmp_path: Path) -> None:
    """Column names and types of every raw and canonical table (their order does not matter to the code)."""
    con = connect(tmp_path / "s.duckdb")
    stored: dict[str, dict[str, str]] = {}
    for table, column, type_ in con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main'"
    ).fetchall():
        stored.setdefault(table, {})[column] = type_
    con.close()
    problems = []
    for spec in TABLES:
        described = dict([*LINEAGE_COLUMNS, *spec.columns, ("src_line", "INTEGER")])
        for table in (spec.raw_name, spec.name):
            have = stored.get(table, {})
            if table == spec.name:  # the canonical table also holds what the store derives
                described = {**described, **dict(spec.derived)}
            problems += [f"{table}.{c} {t}: in the TableSpec, not in the store" for c, t in described.items()
                         if c not in have]  # fmt: skip
            problems += [f"{table}.{c} {t}: in the store, not in the TableSpec" for c, t in have.items()
                         if c not in described]  # fmt: skip
            problems += [f"{table}.{c}: {have[c]} in the store, {t} in the TableSpec" for c, t in described.items()
                         if c in have and have[c] != t]  # fmt: skip
    assert not problems, (
        "sources/tables.py and the store's latest schema disagree: add a migration "
        f"(src/csc_scorecard/store/migrations/{SCHEMA_VERSION + 1:04d}_....sql, see docs/store.md) "
        "rather than editing a released one:\n" + "\n".join(problems)
    )


def _store_at_migration_1(path: Path) -> None:
    """A store as csc-scorecard's first schema held it: one CIN and one 903 return for Walsall, by SQL."""
    con = duckdb.connect(str(path))
    assert migrate(con, up_to=1) == 1
    con.execute(
        """
        INSERT INTO loads VALUES
        (1, 'cin', 'cin_xml', 'cin_2015-16.xml', ['cin_2015-16.xml'], 'aa11', '335', '2015-16', 'header',
         '{"children": 2, "cin_episodes": 2}', TIMESTAMP '2024-05-01 09:00:00', 'current', NULL, NULL),
        (2, 'ssda903', 'ssda903_csv', '903 2015-16', ['header.csv', 'episodes.csv'], 'bb22', '335', '2015-16',
         'option', '{"children": 1, "cla_episodes": 1}', TIMESTAMP '2024-05-01 09:05:00', 'current', NULL, NULL)
        """
    )
    for table in ("raw_children", "children"):
        con.execute(
            f"""
            INSERT INTO {table} (load_id, la_code, collection_year, child_id, dob, sex, sex_code, disabilities,
                                 source, src_line)
            VALUES (1, '335', '2015-16', 'C1', DATE '2009-04-02', 'F', '2', ['NONE'], 'cin', 12),
                   (1, '335', '2015-16', 'C2', DATE '2012-11-30', 'M', '1', [], 'cin', 40),
                   (2, '335', '2015-16', 'L1', DATE '2005-07-19', 'M', '1', NULL, 'ssda903', 2)
            """
        )
    for table in ("raw_cin_episodes", "cin_episodes"):
        con.execute(
            f"""
            INSERT INTO {table} (load_id, la_code, collection_year, child_id, referral_date, primary_need,
                                 closure_date, referral_nfa, src_line)
            VALUES (1, '335', '2015-16', 'C1', DATE '2015-06-01', 'N1', DATE '2015-09-30', false, 20),
                   (1, '335', '2015-16', 'C2', DATE '2016-01-05', 'N2', NULL, false, 48)
            """
        )
    for table in ("raw_cla_episodes", "cla_episodes"):
        con.execute(
            f"""
            INSERT INTO {table} (load_id, la_code, collection_year, child_id, decom, rne, ls, place, src_line)
            VALUES (2, '335', '2015-16', 'L1', DATE '2015-08-14', 'S', 'C2', 'U1', 2)
            """
        )
    # Migration 1 used to fill the reference tables too; a row the shipped copy does not hold must go.
    con.execute("INSERT INTO ref_population VALUES ('335', 2015, 1, 'an older copy')")
    con.close()


def _cin_return(year: str, sha: str, child: str, referral: dt.date) -> ParsedReturn:
    buffers = new_buffers("cin")
    buffers["children"].append(10, {"child_id": child, "sex": "F", "source": "cin"})
    buffers["cin_episodes"].append(11, {"child_id": child, "referral_date": referral, "referral_nfa": False})
    return ParsedReturn(
        "cin", "cin_xml", f"cin_{year}.xml", [Path(f"cin_{year}.xml")], sha, "335", year, "header",
        {name: buf.to_arrow() for name, buf in buffers.items()},
    )  # fmt: skip


def _columns(db: Path) -> dict[str, list[str]]:
    """{table or view: its columns} for all but the reference tables."""
    rows = query(
        db,
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main' AND NOT internal "
        "ORDER BY table_name, column_index",
    )
    out: dict[str, list[str]] = {}
    for table, column in rows:
        if table not in REFERENCE_TABLES:
            out.setdefault(table, []).append(column)
    return out


def _contents(db: Path, columns: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """Every row of those tables' columns (a later migration may add columns, never take any away)."""
    out = {}
    for table, names in columns.items():
        selected = ", ".join(f'"{name}"' for name in names)
        out[table] = sorted(query(db, f"SELECT {selected} FROM {table}"), key=repr)
    return out


def test_a_store_made_at_migration_1_upgrades_keeping_its_data(tmp_path: Path) -> None:
    old = tmp_path / "old.duckdb"
    _store_at_migration_1(old)
    at_1 = _columns(old)
    before = _contents(old, at_1)
    assert len(before["loads"]) == 2 and len(before["children"]) == 3 and len(before["raw_cin_episodes"]) == 2

    connect(old).close()

    assert _contents(old, at_1) == before  # every row of every table kept
    assert query(old, "SELECT version, description FROM schema_version ORDER BY version") == [
        (m.version, m.description) for m in MIGRATIONS
    ]
    later = {"commentary", "actions", "indicator_results", "reference_data"}
    later |= {name for spec in LOCAL_TABLES for name in (spec.name, spec.raw_name)}
    assert later <= set(_columns(old)) | REFERENCE_TABLES and not later & set(at_1)
    assert query(old, "SELECT child_id FROM referrals ORDER BY 1") == [("C1",), ("C2",)]

    # The schema is a fresh store's, and so is the reference data: filled from the shipped copy, stale row gone.
    fresh = tmp_path / "fresh.duckdb"
    connect(fresh).close()
    assert catalog(old) == catalog(fresh)
    upgraded, made_fresh = table_checksums(old), table_checksums(fresh)
    for table in FILLED:
        assert upgraded[table] == made_fresh[table], table
    assert upgraded["ref_calendar"][0] == len(calendar_rows()) and upgraded["published_values"][0] > 160_000
    assert query(
        old, "SELECT population, source FROM ref_population WHERE la_code = '335' AND mid_year = 2015"
    ) == [(population_0_17()[("335", 2015)], "ONS MYE 0-17 (EES)")]
    assert dict(query(old, "SELECT name, fingerprint FROM reference_data")) == {
        data.name: fingerprint(data) for data in REFERENCE_SETS
    }

    # And the current code loads into it: the 2016-17 return's episode joins the ones migration 1's code loaded.
    con = connect(old)
    outcomes = load_returns(con, [_cin_return("2016-17", "cc33", "C3", dt.date(2016, 5, 3))])
    con.close()
    assert [o.load_id for o in outcomes] == [3]
    episodes = query(old, "SELECT child_id, load_id FROM cin_episodes ORDER BY 1")
    assert episodes == [("C1", 1), ("C2", 1), ("C3", 3)]


def test_reference_data_is_refilled_when_the_shipped_copy_differs_and_only_then(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    connect(db).close()
    shipped = table_checksums(db)
    held = dict(query(db, "SELECT name, refreshed_at FROM reference_data"))
    # As a store made by an older release would be: different published figures, a shorter calendar.
    con = duckdb.connect(str(db))
    con.execute("UPDATE published_values SET value = value + 1 WHERE area_code = '335'")
    con.execute("DELETE FROM ref_calendar WHERE day >= DATE '2025-01-01'")
    con.execute(
        "UPDATE reference_data SET fingerprint = 'an older release' WHERE name IN ('published', 'calendar')"
    )
    con.close()
    assert table_checksums(db)["published_values"] != shipped["published_values"]

    connect(db).close()

    refilled = table_checksums(db)
    for table in ("published_values", "areas", "stat_neighbours", "ref_calendar", "ref_population"):
        assert refilled[table] == shipped[table], table
    now_held = dict(query(db, "SELECT name, refreshed_at FROM reference_data"))
    assert now_held["population"] == held["population"]  # its fingerprint matched: left alone
    assert now_held["published"] > held["published"] and now_held["calendar"] > held["calendar"]


def _from_the_future(db: Path) -> None:
    connect(db).close()
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO schema_version VALUES (?, 'a later csc-scorecard', now())", [SCHEMA_VERSION + 1])
    con.close()


def test_a_store_newer_than_the_code_is_refused_for_reading_and_writing(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    _from_the_future(db)
    before = table_checksums(db)
    message = (
        f"the store {db} is at schema version {SCHEMA_VERSION + 1}; this csc-scorecard knows up to "
        f"{SCHEMA_VERSION}: upgrade csc-scorecard"
    )
    for read_only in (True, False):
        with pytest.raises(StoreTooNew) as refused:
            connect(db, read_only=read_only)
        assert str(refused.value) == message
    for args in (["status"], ["indicators", "--period", "2016-17"]):
        result = CliRunner().invoke(cli, [*args, "--db", str(db)], env={"COLUMNS": "300"})
        assert result.exit_code == 1, result.output
        assert result.stderr == f"Error: {message}\n"
        assert result.stdout == ""
    assert table_checksums(db) == before


def test_status_shows_the_schema_version(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    connect(db).close()
    result = CliRunner().invoke(cli, ["status", "--db", str(db)], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.splitlines()[0]
        == f"Schema version {SCHEMA_VERSION} (migrations 1-{SCHEMA_VERSION} applied)"
    )
    assert "no returns loaded yet" in result.stdout

    old = tmp_path / "old.duckdb"
    _store_at_migration_1(old)
    result = CliRunner().invoke(cli, ["status", "--db", str(old)], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        f"Schema version 1 (migration 1 applied); this csc-scorecard upgrades it to {SCHEMA_VERSION} the next "
        "time it writes to it"
    )
    assert "cin_2015-16.xml" in result.stdout
