"""Files at rest: the store, the dashboard's state file, its snapshots of the store and everything exported are
created readable by their owner only (0600; folders made for them 0700), whatever the process's umask."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from csc_scorecard.store import connect
from csc_scorecard.store.commentary import export_commentary_csv, set_commentary
from csc_scorecard.web.snapshot import StoreGateway
from csc_scorecard.web.state import StateStore
from publish_packs import build_packs


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """A umask that would leave files readable by everyone, as on many servers."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_store_and_its_folder_are_private(tmp_path, open_umask) -> None:
    db = tmp_path / "new" / "scorecard.duckdb"
    con = connect(db)
    try:
        assert mode(db) == 0o600
        assert mode(db.parent) == 0o700
        set_commentary(con, "335", "re_referrals_12m_pct", "2016-17Q3", "Words.")
        export_commentary_csv(con, tmp_path / "commentary.csv")
    finally:
        con.close()
    assert mode(tmp_path / "commentary.csv") == 0o600


def test_the_web_state_file_and_its_journal_are_private(tmp_path, open_umask) -> None:
    state = StateStore(tmp_path / "web.sqlite")
    reader = sqlite3.connect(tmp_path / "web.sqlite")  # keeps the -wal and -shm files while it is open
    reader.execute("SELECT count(*) FROM users").fetchall()
    state.create_user("ann", "correct horse battery staple", "analyst")
    modes = {p.name: mode(p) for p in tmp_path.iterdir() if p.name.startswith("web.sqlite")}
    reader.close()
    assert modes == {"web.sqlite": 0o600, "web.sqlite-wal": 0o600, "web.sqlite-shm": 0o600}


def test_snapshots_of_the_store_are_private(synthetic_council, tmp_path, open_umask) -> None:
    gateway = StoreGateway(Path(synthetic_council["db"]), tmp_path / "snapshots", settle_seconds=0)
    try:
        snapshot = gateway.refresh()
        assert mode(snapshot.path) == 0o600
    finally:
        gateway.close()


def test_a_report_pack_is_private(synthetic_council, tmp_path_factory) -> None:
    packs = build_packs(synthetic_council, tmp_path_factory)  # written in this process, umask 022
    for path in (*packs.published.paths.values(), *packs.internal.paths.values()):
        assert mode(path) == 0o600, path


@pytest.mark.slow
def test_the_cli_writes_everything_privately_even_what_libraries_create(synthetic_council, tmp_path) -> None:
    """The command line sets umask 077 for the process, so a file made by a library (DuckDB's write-ahead log,
    a synthetic return) is private too."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = tmp_path / "returns"
    command = [sys.executable, "-m", "csc_scorecard.cli", "synth", "--la", "335", "--years", "2016-17",
               "--seed", "7", "--no-local-data", "--out", str(out)]  # fmt: skip
    subprocess.run(command, check=True, env=env, capture_output=True, umask=0o022)
    written = [p for p in out.rglob("*")]
    assert written and all(mode(p) == (0o700 if p.is_dir() else 0o600) for p in written), [
        (p.name, oct(mode(p))) for p in written if mode(p) not in (0o600, 0o700)
    ]
