"""The ingest spine: prepare() reads and checks without the store, commit() stores in one transaction; finding
files never skips what it cannot read; readers plug in through the registry; workers die with `load`."""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from csc_scorecard.ingest import UPLOAD_FORM, LoadOptions, Origin, commit, prepare
from csc_scorecard.sources import registry
from csc_scorecard.sources.detect import discover, recognise
from csc_scorecard.sources.model import ParsedReturn, sha256_files
from csc_scorecard.sources.problems import Problems, ReturnRejected
from csc_scorecard.sources.registry import Candidate, Reader
from csc_scorecard.sources.year import Years, decide
from csc_scorecard.store.connection import connect
from csc_scorecard.workers import PARALLEL_FROM_BYTES_ENV
from store_checks import table_checksums

FIXTURES = Path(__file__).parent / "fixtures" / "returns"
CIN = FIXTURES / "CIN_335_2016-17.xml"
RETURN_903 = FIXTURES / "903_335_2016-17"


def rejected(fn) -> list[str]:
    with pytest.raises(ReturnRejected) as info:
        fn()
    return [str(p) for p in info.value.problems]


# ---- prepare, then commit ---------------------------------------------------------------------------------------


def test_prepare_reads_and_checks_without_the_store_and_commit_stores_it(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    batch = prepare([FIXTURES], LoadOptions(la="335"))
    assert not db.exists()
    assert [(r.format, r.la_code, r.collection_year, r.year_source) for r in batch.returns] == [
        ("cin_xml", "335", "2016-17", "header"),
        ("ssda903_csv", "335", "2016-17", "folder name"),
    ]
    report = commit(db, batch)
    assert report.lines() == [
        "loaded: CIN census 2016-17 for 335 Walsall from CIN_335_2016-17.xml: 9 rows as load 1 "
        "(year taken from header)",
        "loaded: SSDA903 2016-17 for 335 Walsall from 903_335_2016-17: 7 rows as load 2 "
        "(year taken from folder name)",
        f"store: {db}",
    ]
    con = connect(db)
    try:
        again = commit(con, prepare([FIXTURES], LoadOptions(la="335")))  # a connection the caller holds
    finally:
        con.close()
    assert again.db == db and [o.action for o in again.outcomes] == ["already loaded", "already loaded"]


def test_commit_is_one_transaction(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    commit(db, prepare([CIN]))
    before = table_checksums(db)
    batch = prepare([RETURN_903], LoadOptions(la="335"))
    # A second return the store cannot take (a table with none of its columns) fails after the first went in.
    broken = ParsedReturn("ssda903", "ssda903_csv", "x", [], "0" * 64, "335", "2015-16", "--year")
    broken.tables = {"cla_episodes": pa.table({"no_such_column": [1]})}
    batch.returns.append(broken)
    with pytest.raises(duckdb.Error):
        commit(db, batch)
    assert table_checksums(db) == before


def test_a_batch_holding_two_versions_of_a_return_keeps_only_the_second(tmp_path: Path) -> None:
    # The raw rows of a batch are inserted together at its end (store/load.py), so the second version's
    # replacement of the first must find the first's rows in the store to delete.
    second = tmp_path / "CIN_335_2016-17_v2.xml"
    second.write_bytes(CIN.read_bytes() + b"\n<!-- version 2 -->\n")
    batch = prepare([CIN])
    batch.returns += prepare([second]).returns
    db = tmp_path / "s.duckdb"
    outcomes = commit(db, batch).outcomes
    assert [o.action for o in outcomes] == ["loaded", "replaced load 1"]
    con = duckdb.connect(str(db), read_only=True)
    try:
        per_load = dict(con.execute("SELECT load_id, count(*) FROM raw_children GROUP BY 1").fetchall())
        canonical = con.execute("SELECT count(*), min(load_id), max(load_id) FROM children").fetchone()
    finally:
        con.close()
    assert set(per_load) == {2}
    assert canonical == (per_load[2], 2, 2)


def test_options_are_checked_once_and_named_as_the_entry_point_names_them(tmp_path: Path) -> None:
    bad = LoadOptions(la="999", year="2016-18")
    assert rejected(lambda: prepare([FIXTURES], bad)) == [
        "--la: -: --la = '999': not an English LA code (3 digits, e.g. 335)",
        "--year: -: --year = '2016-18': '2016-18' is not a financial year like 2016-17",
    ]
    upload = LoadOptions(la="999", origin=UPLOAD_FORM)
    assert [str(p) for p in upload.problems()] == [
        "upload: -: la = '999': not an English LA code (3 digits, e.g. 335)"
    ]
    national = LoadOptions(la="999", origin=Origin("national/999", la="folder name"))
    assert [str(p) for p in national.problems()] == [
        "national/999: -: folder name = '999': not an English LA code (3 digits, e.g. 335)"
    ]


def test_no_returns_found_and_files_that_are_not_returns_are_listed(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("minutes of the panel\n")
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4\n")
    assert rejected(lambda: prepare([tmp_path])) == [f"{tmp_path}: -: paths = (blank): no returns found"]
    assert rejected(lambda: prepare([tmp_path], LoadOptions(origin=UPLOAD_FORM))) == [
        "upload: -: files = (blank): no returns found"
    ]
    shutil.copy(CIN, tmp_path)
    batch = prepare([tmp_path])
    assert [p.name for p in batch.skipped] == ["notes.txt", "report.pdf"]
    assert commit(tmp_path / "s.duckdb", batch).lines()[1] == (
        "skipped 2 file(s) that are not returns (.xml, .csv or .xlsx): notes.txt, report.pdf"
    )


# ---- finding files: nothing unreadable is skipped ---------------------------------------------------------------

CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, PR_CAPBSET_DROP = 1, 2, 24


def _as_an_ordinary_user() -> None:
    """In the child, before exec: root reads any file, so give up the capabilities that let it."""
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
            if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_unreadable_folders_files_and_broken_links_are_problems_naming_them(tmp_path: Path) -> None:
    returns = tmp_path / "returns"
    returns.mkdir()
    shutil.copy(CIN, returns)
    locked_folder = returns / "locked"
    locked_folder.mkdir()
    shutil.copy(CIN, locked_folder / "CIN_2015-16.xml")
    locked_file = returns / "CIN_2014-15.xml"
    shutil.copy(CIN, locked_file)
    (returns / "old.xml").symlink_to(returns / "moved-away.xml")
    (returns / "loop.csv").symlink_to(returns / "loop.csv")
    locked_folder.chmod(0)
    locked_file.chmod(0)
    db = tmp_path / "s.duckdb"
    try:
        done = subprocess.run(
            [sys.executable, "-m", "csc_scorecard.cli", "load", str(returns), "--db", str(db)],
            capture_output=True,
            text=True,
            preexec_fn=_as_an_ordinary_user,
            timeout=120,
        )
    finally:
        locked_folder.chmod(0o755)
        locked_file.chmod(0o644)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.splitlines() == [
        "Nothing was loaded: 4 problem(s) found.",
        f"{returns / 'locked'}: -: folder = (blank): cannot be read: permission denied",
        f"{returns / 'loop.csv'}: -: path = (blank): cannot be read: too many levels of symbolic links",
        f"{returns / 'old.xml'}: -: path = (blank): a broken link: what it points to does not exist",
        f"{locked_file}: -: file = (blank): cannot be read: permission denied",
    ]
    assert not db.exists()


def test_a_link_to_a_folder_is_followed_once(tmp_path: Path) -> None:
    shutil.copy(CIN, tmp_path)
    (tmp_path / "again").symlink_to(tmp_path)  # a link back up: its files are the ones already found
    candidates, skipped = discover([tmp_path])
    assert [c.files for c in candidates] == [(tmp_path / CIN.name,)] and skipped == []


# ---- the registry ------------------------------------------------------------------------------------------------


def test_the_built_in_readers_and_their_names() -> None:
    assert {r.format: (r.kind, r.container) for r in registry.readers()} == {
        "cin_xml": ("cin", "xml"),
        "csww_xml": ("csww", "xml"),
        "ssda903_csv": ("ssda903", "csv"),
        "ssda903_xml": ("ssda903", "xml"),
        "annex_a_xlsx": ("annex_a", "xlsx"),
        "early_help_csv": ("early_help", "csv"),
        "workforce_csv": ("workforce", "csv"),
        "youth_justice_csv": ("youth_justice", "csv"),
        "case_audits_csv": ("case_audits", "csv"),
        "manual_values_csv": ("manual_values", "csv"),
        "ssd_csv": ("ssd", "csv"),
    }
    assert registry.kind_names() == {
        "cin": "CIN census",
        "csww": "CSWW census",
        "ssda903": "SSDA903",
        "annex_a": "Annex A",
        "early_help": "Early help",
        "workforce": "Workforce",
        "youth_justice": "Youth justice",
        "case_audits": "Case audits",
        "manual_values": "Manual measure values",
        "ssd": "SSD snapshot",
    }
    assert registry.format_names()["youth_justice_csv"] == "Youth justice (CSV template)"
    assert registry.format_names()["early_help_csv"] == "Early help (CSV templates)"


def test_an_xml_file_no_reader_recognises_is_refused_naming_what_each_looks_for(tmp_path: Path) -> None:
    page = tmp_path / "page.xml"
    page.write_text("<html><body>hello</body></html>\n")
    assert rejected(lambda: recognise(page)) == [
        f"{page}: line 1: root element = 'html': not a CIN census (Message), CSWW census (Message with "
        "CSWWWorker) or SSDA903 (CHILD records) XML return"
    ]


def _read_panel(candidate: Candidate, la: str | None, year: str | None) -> ParsedReturn:
    problems = Problems(candidate.name)
    years = Years("2010-11", "2029-30", "outside {first} to {last}")
    decided = decide(
        problems, years, option=year, folder=candidate.name, files=[p.name for p in candidate.files]
    )
    problems.raise_if_any()
    assert decided is not None and la is not None
    return ParsedReturn(
        "panel", "panel_csv", candidate.name, list(candidate.files), sha256_files(list(candidate.files)), la,
        decided.year, decided.source,
    )  # fmt: skip


PANEL = Reader(
    format="panel_csv",
    format_name="Panel minutes (CSV)",
    kind="panel",
    kind_name="Panel minutes",
    container="csv",
    recognise=lambda head: 1.0 if head.header == ("meeting_date", "item", "decision") else 0.0,
    read=_read_panel,
    looks_for="panel minutes",
    per_folder=True,
)


@pytest.fixture
def panel_reader():
    registry.register(PANEL)
    yield PANEL
    registry.unregister(PANEL.format)


def test_a_new_reader_plugs_in_by_registering(panel_reader: Reader, tmp_path: Path) -> None:
    folder = tmp_path / "panel_2016-17"
    folder.mkdir()
    (folder / "minutes.csv").write_text("meeting_date,item,decision\n01/06/2016,1,noted\n")
    shutil.copytree(RETURN_903, folder / "903")
    assert recognise(folder / "minutes.csv") is panel_reader
    report = commit(tmp_path / "s.duckdb", prepare([folder], LoadOptions(la="335")))
    assert report.lines()[:2] == [
        "loaded: Panel minutes 2016-17 for 335 Walsall from panel_2016-17: 0 rows as load 1 "
        "(year taken from folder name)",
        "loaded: SSDA903 2016-17 for 335 Walsall from 903: 7 rows as load 2 (year taken from latest date)",
    ]
    assert registry.format_names()["panel_csv"] == "Panel minutes (CSV)"


def test_a_format_registers_once_and_a_kind_keeps_one_name(panel_reader: Reader) -> None:
    with pytest.raises(ValueError, match="already registered"):
        registry.register(Reader(**{**vars(PANEL), "format_name": "another"}))
    with pytest.raises(ValueError, match="kind panel is called 'Panel minutes'"):
        registry.register(Reader(**{**vars(PANEL), "format": "panel_xml", "kind_name": "Minutes"}))


def test_a_reader_reads_a_container_detection_knows() -> None:
    with pytest.raises(ValueError, match="container 'pdf'"):
        registry.register(Reader(**{**vars(PANEL), "format": "panel_pdf", "container": "pdf"}))


# ---- workers die with `load` ----------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                found.extend(int(c) for c in children.read().split())
    except (FileNotFoundError, ProcessLookupError):
        pass
    return found


def _alive(pid: int) -> bool:
    """Running or sleeping; a zombie has ended (whoever adopted it may not have reaped it yet)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError):
        return False


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="finds the worker processes through /proc")
@pytest.mark.parametrize(
    "signal_", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["SIGTERM", "SIGINT", "SIGKILL"]
)
def test_stopping_load_mid_way_leaves_no_worker_and_the_store_unchanged(
    signal_: signal.Signals, synthetic_council: dict, tmp_path: Path
) -> None:
    db = tmp_path / "s.duckdb"
    commit(db, prepare([CIN]))
    before = _sha256(db)
    env = {**os.environ, PARALLEL_FROM_BYTES_ENV: "1"}  # read in worker processes whatever the size
    command = [sys.executable, "-m", "csc_scorecard.cli", "load", str(synthetic_council["returns"])]
    load = subprocess.Popen([*command, "--la", "335", "--db", str(db)], env=env, stderr=subprocess.PIPE)
    deadline, helpers, workers = time.monotonic() + 60, [], []
    while not workers and load.poll() is None and time.monotonic() < deadline:
        helpers = _children(load.pid)  # the fork server and the resource tracker
        workers = [w for helper in helpers for w in _children(helper)]  # the fork server's children
        time.sleep(0.02)
    assert workers, "the load finished or failed before its worker processes were seen"
    time.sleep(0.3)  # the pool starts its workers one by one: watch every one
    helpers = _children(load.pid)
    watched = {load.pid, *helpers, *workers, *(w for helper in helpers for w in _children(helper))}
    os.kill(load.pid, signal_)
    load.wait(timeout=10)
    stopped = time.monotonic() + 5
    while any(map(_alive, watched)) and time.monotonic() < stopped:
        time.sleep(0.05)
    assert [pid for pid in watched if _alive(pid)] == []
    assert (
        load.returncode == {signal.SIGTERM: 143, signal.SIGINT: 130, signal.SIGKILL: -signal.SIGKILL}[signal_]
    )
    assert _sha256(db) == before and not db.with_suffix(".duckdb.wal").exists()
    if signal_ != signal.SIGKILL:
        assert b"Stopped: nothing was loaded." in load.stderr.read()


# ---- every problem counted, in worker processes too ----------------------------------------------------------------


def test_every_problem_is_counted_when_returns_are_read_in_worker_processes(
    tmp_path: Path, monkeypatch
) -> None:
    # 250 bad dates in one return and one bad code in another: 251 found, though a return keeps only some to list.
    bad = tmp_path / "903_335_2016-17"
    shutil.copytree(RETURN_903, bad)
    rows = "".join(f"T102,02/09/2003,M,3{n % 2}/02/2017,\n" for n in range(250))
    (bad / "missing.csv").write_text("CHILD,DOB,MISSING,MIS_START,MIS_END\n" + rows)
    census = tmp_path / "CIN_335_2016-17.xml"
    census.write_text(CIN.read_text().replace("<ReferralSource>2A<", "<ReferralSource>ZZ<", 1))
    monkeypatch.setenv(PARALLEL_FROM_BYTES_ENV, "1")  # read in worker processes whatever the size
    with pytest.raises(ReturnRejected) as info:
        prepare([census, bad], LoadOptions(la="335"))
    found = info.value
    assert found.total == 251
    assert found.counts == {
        ("MIS_START", "not a valid date in the form dd/mm/YYYY"): 250,
        ("ReferralSource", "not a valid ReferralSource code for 2016-17"): 1,
    }
    lines = found.summary().splitlines()
    assert lines[0].startswith(f"{census}: Child[1]/CINdetails[1]/ReferralSource (line")
    assert lines[4] == "  ... and 247 more like this (MIS_START: not a valid date in the form dd/mm/YYYY)"
    assert len(lines) == 5
