"""A scorecard built again on the same store reads back the engine's results saved with their basis (engine/results.py)
instead of computing them: what it prints is what a fresh compute prints, and any change the figures depend on (a
load, a manual value, reference data, a migration, the catalogue) makes the next build compute afresh. Real DuckDB
stores, through the real CLI."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from csc_scorecard.cli import cli
from csc_scorecard.engine.manual import catalogue_for
from csc_scorecard.engine.results import results_basis, saved_results
from csc_scorecard.periods import parse_period
from csc_scorecard.pipeline import Built, build, compute_periods, keep
from csc_scorecard.store.connection import connect
from store_checks import query

LA = "335"
PERIOD = "2016-17Q1"
MEASURES = """\
measures:
  - id: nqsw_recruited
    label: Newly qualified social workers recruited
    area: workforce
    unit: count
    polarity: higher
    kind: flow
"""
HEADER = "measure_id,period,value,denominator,note\n"


def run(*args: str | Path) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic Walsall, 2015-16 and 2016-17 (CIN census and SSDA903)."""
    out = tmp_path_factory.mktemp("saved_results") / "returns"
    run("synth", "--la", LA, "--years", "2015-16:2016-17", "--seed", "3", "--scale", "0.2", "--no-local-data",
        "--out", out)  # fmt: skip
    return out


def year_files(returns: Path, year: str) -> list[Path]:
    return [returns / "cin" / f"CIN_Census_{LA}_{year}.xml", returns / "903" / f"903_{LA}_{year}"]


@pytest.fixture(scope="module")
def loaded(returns: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both years loaded, with a manual measure declared and recorded for April to June 2016; nothing saved."""
    db = tmp_path_factory.mktemp("loaded") / "scorecard.duckdb"
    run("load", *year_files(returns, "2015-16"), *year_files(returns, "2016-17"), "--la", LA, "--db", db)
    folder = db.parent
    (folder / "measures.yaml").write_text(MEASURES, encoding="utf-8")
    run("measures", "declare", folder / "measures.yaml", "--db", db)
    values = folder / "values.csv"
    values.write_text(
        HEADER + "".join(f"nqsw_recruited,2016-{m:02d},{m},,\n" for m in (4, 5, 6)), encoding="utf-8"
    )
    run("load", values, "--la", LA, "--db", db)
    return db


def copy(db: Path, to: Path) -> Path:
    to.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(db, to)
    return to


def built(db: Path, period: str = PERIOD, **options) -> Built:
    con = connect(db, read_only=True)
    try:
        return build(con, LA, parse_period(period), **options)
    finally:
        con.close()


def from_scratch(db: Path, tmp_path: Path) -> Built:
    """The scorecard computed by the engine on a copy of the store with nothing saved."""
    scratch = copy(db, tmp_path / "scratch" / "scorecard.duckdb")
    con = duckdb.connect(str(scratch))
    con.execute("DELETE FROM results_basis")
    con.close()
    fresh = built(scratch)
    assert fresh.computation is not None
    return fresh


def same(a: Built, b: Built) -> None:
    """The same scorecard: every judgement, series and result, each number of the same type (by repr, which
    tells 53 from 53.0 and takes NaN, an SPC limit not yet drawn, as equal to itself)."""
    for name in ("areas", "series", "results", "notes", "published", "store_version", "la_name", "period"):
        assert repr(getattr(a, name)) == repr(getattr(b, name)), name


def judge(db: Path, period: str = PERIOD) -> str:
    return run("judge", "--period", period, "--db", db)


def saved_periods(db: Path) -> list[str]:
    return [
        r[0] for r in query(db, "SELECT period FROM results_basis WHERE la_code = ? ORDER BY period", [LA])
    ]


def test_a_second_judge_reads_back_what_the_first_saved_and_prints_the_same(loaded, tmp_path):
    db = copy(loaded, tmp_path / "s.duckdb")
    fresh = built(db)
    assert fresh.computation is not None and saved_periods(db) == []
    first = judge(db)  # computes, prints, then saves
    history = [p.code for p in parse_period(PERIOD).history("2015-16")]
    assert saved_periods(db) == sorted(history)
    again = built(db)
    assert again.computation is None  # read back, not computed
    same(again, fresh)
    assert judge(db) == first
    assert "Newly qualified social workers recruited" in first
    # the dashboard's work ahead reads them back too when they cover every period it asks for
    con = connect(db, read_only=True)
    try:
        assert compute_periods(con, LA, [parse_period(PERIOD)]).computation is None
        assert compute_periods(con, LA, [parse_period("2016-17Q2")]).computation is not None
    finally:
        con.close()


def test_a_scorecard_of_fewer_periods_or_indicators_reads_back_and_of_more_computes(loaded, tmp_path):
    db = copy(loaded, tmp_path / "s.duckdb")
    some = ["referrals_count", "cla_count"]
    con = connect(db)
    try:
        assert keep(con, build(con, LA, parse_period(PERIOD), indicator_ids=some))
        assert build(con, LA, parse_period(PERIOD)).computation is not None  # every indicator: not all saved
        assert build(con, LA, parse_period("2015-16Q3"), indicator_ids=some).computation is None  # within
        assert build(con, LA, parse_period("2016-17Q2"), indicator_ids=some).computation is not None  # later
    finally:
        con.close()


def declare_and_record(db: Path, folder: Path, rows: str) -> None:
    values = folder / "more.csv"
    values.write_text(HEADER + rows, encoding="utf-8")
    run("load", values, "--la", LA, "--db", db)


def test_after_a_manual_value_changes_judge_prints_what_a_build_from_scratch_prints(loaded, tmp_path):
    db = copy(loaded, tmp_path / "s.duckdb")
    before = judge(db)
    declare_and_record(db, tmp_path, "nqsw_recruited,2016-06,9,,\n")  # June's value recorded again
    changed = built(db)
    assert changed.computation is not None  # the saved results are not read back
    same(changed, from_scratch(db, tmp_path))
    printed = judge(db)
    assert printed != before and built(db).computation is None  # what it computed is saved for the next one
    assert judge(db) == printed


def test_after_a_load_judge_prints_what_a_build_from_scratch_prints(returns, tmp_path):
    db = tmp_path / "s.duckdb"
    run("load", *year_files(returns, "2016-17"), "--la", LA, "--db", db)
    before = judge(db)
    assert saved_periods(db)
    run(
        "load", *year_files(returns, "2015-16"), "--la", LA, "--db", db
    )  # the year before: history to compare
    loaded = built(db)
    assert loaded.computation is not None
    same(loaded, from_scratch(db, tmp_path))
    printed = judge(db)
    assert printed != before and built(db).computation is None
    assert judge(db) == printed


def test_reloading_the_same_files_keeps_the_saved_results(loaded, returns, tmp_path):
    db = copy(loaded, tmp_path / "s.duckdb")
    judge(db)
    saved = query(db, "SELECT * FROM results_basis ORDER BY period")
    assert "identical file, nothing changed" in run(
        "load", *year_files(returns, "2015-16"), "--la", LA, "--db", db
    )
    assert query(db, "SELECT * FROM results_basis ORDER BY period") == saved
    assert built(db).computation is None


def test_reference_data_a_migration_or_the_catalogue_changing_gives_another_basis(loaded, tmp_path):
    db = copy(loaded, tmp_path / "s.duckdb")
    judge(db)
    history = parse_period(PERIOD).history("2015-16")
    con = duckdb.connect(str(db))
    try:
        catalogue = catalogue_for(con)
        ids = catalogue.ids()
        basis = results_basis(con, catalogue)
        assert basis is not None and saved_results(con, LA, history, ids, basis) is not None
        other = results_basis(con, dataclasses.replace(catalogue, fingerprint="another catalogue's files"))
        assert other != basis and saved_results(con, LA, history, ids, other) is None
        assert results_basis(con, dataclasses.replace(catalogue, fingerprint="")) is None  # not from files
        con.execute("UPDATE reference_data SET fingerprint = 'an earlier copy' WHERE name = 'population'")
        assert results_basis(con, catalogue) not in (basis, None)
        con.execute("UPDATE reference_data SET fingerprint = ? WHERE name = 'population'",
                    [query_fingerprint(loaded)])  # fmt: skip
        assert results_basis(con, catalogue) == basis
        con.execute("DELETE FROM schema_version WHERE version = (SELECT max(version) FROM schema_version)")
        assert results_basis(con, catalogue) not in (basis, None)  # the store before its last migration
    finally:
        con.close()


def query_fingerprint(db: Path) -> str:
    return query(db, "SELECT fingerprint FROM reference_data WHERE name = 'population'")[0][0]


def test_reference_data_changed_in_the_store_makes_judge_compute_again(loaded, tmp_path):
    db = copy(loaded, tmp_path / "s.duckdb")
    judge(db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE ref_population SET population = population + 1000 WHERE la_code = ?", [LA])
    con.execute("UPDATE reference_data SET fingerprint = 'edited' WHERE name = 'population'")
    con.close()
    changed = built(db)
    assert changed.computation is not None
    same(changed, from_scratch(db, tmp_path))
    judge(db)  # saves on that basis, without refreshing the reference data (nor rebuilding every LA) itself
    assert query(db, "SELECT fingerprint FROM reference_data WHERE name = 'population'") == [("edited",)]
    assert built(db).computation is None
    connect(db).close()  # a writable open (a load, an edit) refreshes the shipped copy: another basis
    assert query(db, "SELECT fingerprint FROM reference_data WHERE name = 'population'") != [("edited",)]
    assert built(db).computation is not None


def test_nothing_is_saved_when_the_store_changed_after_the_figures_were_computed(loaded, tmp_path):
    db = copy(loaded, tmp_path / "s.duckdb")
    computed = built(db)
    declare_and_record(db, tmp_path, "nqsw_recruited,2016-05,7,,\n")
    con = connect(db)
    try:
        assert not keep(con, computed)
    finally:
        con.close()
    assert saved_periods(db) == []


def test_judge_prints_the_same_and_saves_nothing_while_another_program_holds_the_store(loaded, tmp_path):
    db = copy(loaded, tmp_path / "s.duckdb")
    expected = judge(copy(loaded, tmp_path / "other" / "s.duckdb"))
    holder = subprocess.Popen(  # another reader: DuckDB then refuses a writable open
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, duckdb
            con = duckdb.connect({str(db)!r}, read_only=True)
            print("holding", flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        assert judge(db) == expected
    finally:
        holder.communicate("")
    assert saved_periods(db) == []


def test_indicators_keeps_its_figures_with_their_basis_so_judge_reads_them_back(loaded, tmp_path):
    db = copy(loaded, tmp_path / "s.duckdb")
    history = [p.code for p in parse_period(PERIOD).history("2015-16")]
    asked = [a for code in history for a in ("--period", code)]
    run("indicators", *asked, "--la", LA, "--format", "csv", "--db", db)
    assert saved_periods(db) == sorted(history)
    again = built(db)
    assert again.computation is None  # read back, not computed
    same(again, from_scratch(db, tmp_path))
    # a breakdown's figures are kept as plain results, not as a basis for the whole LA's
    run("indicators", "--period", "2016-17Q2", "--breakdown", "age_band", "--format", "csv", "--db", db)
    assert "2016-17Q2" not in saved_periods(db)
    assert (
        query(
            db, "SELECT count(*) FROM indicator_results WHERE period = '2016-17Q2' AND breakdown = 'age_band'"
        )[0][0]
        > 0
    )
