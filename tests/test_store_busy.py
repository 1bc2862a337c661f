"""Two programs and one store (issue 17 item 4): DuckDB lets one process write to a file and refuses every
other open of it, so a load started while another load or the dashboard's upload is writing used to end in a
DuckDB traceback ("IO Error: Could not set lock on file ..."). Now the second waits, saying so, up to
[store] lock_timeout_seconds, then fails in one line; and any CLI error is one line unless --debug.

The program holding the store runs in its own process, as it would: the dashboard's write path (an upload in
progress) or a plain writer (another load committing)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from csc_scorecard.cli import cli
from store_checks import query, table_checksums

FIXTURES = Path(__file__).parent / "fixtures" / "returns"
CIN = FIXTURES / "CIN_335_2016-17.xml"
RETURN_903 = FIXTURES / "903_335_2016-17"

HOLDERS = {
    # another load committing: a writable connection to the store
    "a load": """
import sys, time
from csc_scorecard.store import connect
con = connect(sys.argv[1])
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
""",
    # the dashboard saving an upload: its write path holds the store for as long as the commit takes
    "a web upload": """
import sys, time
from pathlib import Path
from csc_scorecard.web.snapshot import StoreGateway
store = StoreGateway(Path(sys.argv[1]))
def commit(con):
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
store.write(commit)
store.close()
""",
}


def _cli(*args: str | Path, timeout: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    if timeout is not None:
        env["CSC_SCORECARD_LOCK_TIMEOUT"] = timeout
    return subprocess.run(
        [sys.executable, "-m", "csc_scorecard.cli", *map(str, args)],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _hold(db: Path, seconds: float, holder: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDERS[holder], str(db), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "holding"
    return process


@pytest.fixture
def store(tmp_path: Path) -> Path:
    db = tmp_path / "s.duckdb"
    result = _cli("load", CIN, "--db", db)
    assert result.returncode == 0, result.stderr
    return db


@pytest.mark.slow
@pytest.mark.parametrize("holder", sorted(HOLDERS))
def test_a_load_while_another_program_writes_waits_then_fails_in_one_line(store: Path, holder: str) -> None:
    """Without the fix: exit 1 with a traceback ending in _duckdb.IOException: IO Error: Could not set lock."""
    before = table_checksums(store)
    process = _hold(store, 30, holder)
    try:
        result = _cli("load", RETURN_903, "--la", "335", "--db", store, timeout="1")
    finally:
        process.terminate()
        process.wait(timeout=10)
    lines = result.stderr.splitlines()
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "IOException" not in result.stderr
    assert lines[0].startswith(
        f"waiting for {store}: it is in use by another program (process {process.pid})"
    )
    assert lines[1:] == [
        f"Error: {store} is in use by another program (process {process.pid}), a load or the dashboard saving an "
        "upload or an edit: gave up after waiting 1 s; try again when it has finished"
    ]
    assert table_checksums(store) == before


@pytest.mark.slow
def test_a_load_waits_for_the_other_program_to_finish_and_then_loads(store: Path) -> None:
    """Without the fix: the load fails at once with DuckDB's lock error."""
    process = _hold(store, 2, "a web upload")
    try:
        result = _cli("load", RETURN_903, "--la", "335", "--db", store)  # the default wait: 60 s
    finally:
        process.wait(timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"waiting for {store}: it is in use by another program")
    assert "loaded: SSDA903 2016-17 for 335 Walsall" in result.stdout
    assert query(store, "SELECT count(*) FROM loads") == [(2,)]


def test_the_wait_is_a_documented_setting(tmp_path: Path) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text("[store]\nlock_timeout_seconds = 2.5\n", encoding="utf-8")
    from csc_scorecard.config import load_settings

    assert load_settings(settings, env={}).lock_timeout_seconds == 2.5
    assert load_settings(env={"CSC_SCORECARD_LOCK_TIMEOUT": "0"}).lock_timeout_seconds == 0
    assert "`lock_timeout_seconds` | `CSC_SCORECARD_LOCK_TIMEOUT` | 60 |" in (
        Path(__file__).parents[1] / "docs" / "settings.md"
    ).read_text(encoding="utf-8")


def test_an_unexpected_error_is_one_line_unless_debug(tmp_path: Path) -> None:
    """A file that is not a store: without the fix, a DuckDB traceback."""
    db = tmp_path / "notes.duckdb"
    db.write_text("meeting notes, not a store\n" * 200, encoding="utf-8")
    result = CliRunner().invoke(cli, ["status", "--db", str(db)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    (line,) = result.output.splitlines()
    assert line.startswith("Error: ") and line.endswith("; `csc-scorecard --debug ...` shows where)"), line
    assert "not a valid DuckDB database file" in line
    debug = CliRunner().invoke(cli, ["--debug", "status", "--db", str(db)])
    assert debug.exit_code == 1 and not isinstance(debug.exception, SystemExit)
    assert "not a valid DuckDB database file" in str(debug.exception)
