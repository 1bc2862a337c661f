"""The dashboard and the CLI share one DuckDB store (one writer at a time): the dashboard keeps serving while
`csc-scorecard load` runs in another process, web edits wait for the CLI instead of failing, concurrent edits
all survive, and the application state (SQLite, WAL) takes writes from several processes at once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from csc_scorecard.cli import cli
from csc_scorecard.store.commentary import actions_for, get_commentary
from csc_scorecard.store.connection import connect
from csc_scorecard.web import create_app
from csc_scorecard.web.snapshot import StoreGateway
from csc_scorecard.web.state import StateStore
from web_support import Site, make_site, session_cookie

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
CLI = [sys.executable, "-m", "csc_scorecard.cli"]


@pytest.fixture(scope="module")
def next_year(tmp_path_factory) -> Path:
    """The synthetic council's 2017-18 returns: a year the store does not hold yet."""
    out = tmp_path_factory.mktemp("next_year")
    result = CliRunner().invoke(
        cli, ["synth", "--la", "335", "--years", "2017-18:2017-18", "--seed", "7", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def site(synthetic_council, tmp_path) -> Site:
    return make_site(tmp_path / "site", synthetic_council["db"])


def _loads(site: Site) -> list[tuple]:
    con = connect(site.db, read_only=True)
    try:
        return con.execute(
            "SELECT collection_year, kind FROM loads WHERE status = 'current' ORDER BY 1, 2"
        ).fetchall()
    finally:
        con.close()


def test_the_dashboard_serves_while_the_cli_loads_a_return(site, next_year):
    with TestClient(create_app(site.settings), follow_redirects=False) as client:
        headers = session_cookie(site, "analyst")
        assert client.get("/", headers=headers).status_code == 200  # built and cached before the load starts
        load = subprocess.Popen(
            [*CLI, "load", str(next_year), "--la", "335", "--db", str(site.db)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        statuses, during = [], 0
        while load.poll() is None:
            for path in ("/", "/data", "/indicator/cla_count?la=335&period=2016-17"):
                statuses.append(client.get(path, headers=headers).status_code)
            during += 1
        out, err = load.communicate()
        assert load.returncode == 0, err
        assert "loaded: CIN census 2017-18" in out
        assert during >= 1  # the pages really were requested while the CLI held the store
        assert set(statuses) == {200}
        # The dashboard picks the new load up once the store has settled (about a second).
        deadline = time.monotonic() + 15
        while "2017-18" not in client.get("/data", headers=headers).text:
            assert time.monotonic() < deadline, "the new load never reached the dashboard"
            time.sleep(0.2)
        options = client.get("/", headers=headers).text
        assert '<option value="2017-18"' in options


_HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def test_a_web_edit_waits_for_the_cli_to_release_the_store(site):
    with TestClient(create_app(site.settings), follow_redirects=False) as client:
        holder = subprocess.Popen(
            [sys.executable, "-c", _HOLD, str(site.db), "2"], stdout=subprocess.PIPE, text=True
        )
        assert holder.stdout.readline().strip() == "holding"
        start = time.monotonic()
        response = client.post(
            "/indicator/cla_count/commentary",
            headers=session_cookie(site, "analyst"),
            data={"la": "335", "period": "2016-17", "text": "Saved once the CLI was done", "version": ""},
        )
        waited = time.monotonic() - start
        holder.wait()
    assert response.status_code == 303
    assert waited >= 1.0  # it waited for the lock instead of failing
    con = connect(site.db, read_only=True)
    try:
        assert get_commentary(con, "335", "cla_count", "2016-17").text == "Saved once the CLI was done"
    finally:
        con.close()


def test_a_web_edit_gives_up_with_a_clear_page_when_the_store_stays_busy(synthetic_council, tmp_path):
    site = make_site(tmp_path / "busy", synthetic_council["db"], write_timeout_seconds=0.5)
    with TestClient(create_app(site.settings), follow_redirects=False) as client:
        client.get("/", headers=session_cookie(site, "analyst"))
        holder = subprocess.Popen(
            [sys.executable, "-c", _HOLD, str(site.db), "3"], stdout=subprocess.PIPE, text=True
        )
        assert holder.stdout.readline().strip() == "holding"
        response = client.post(
            "/indicator/cla_count/actions",
            headers=session_cookie(site, "analyst"),
            data={"la": "335", "period": "2016-17", "text": "Never saved"},
        )
        page = client.get("/", headers=session_cookie(site, "viewer"))  # reading still works meanwhile
        holder.wait()
    assert response.status_code == 503
    assert "in use by another program" in response.text
    assert page.status_code == 200


def test_two_concurrent_commentary_edits_and_actions_all_survive(site):
    """Four analysts press save at the same moment: two commentaries on different indicators, two actions on
    the same one. Every write lands."""
    app = create_app(site.settings)
    barrier = threading.Barrier(4)
    results: dict[str, int] = {}

    def post(name: str, path: str, form: dict) -> None:
        with TestClient(app, follow_redirects=False) as client:
            headers = session_cookie(site, "analyst")
            barrier.wait()
            results[name] = client.post(
                path, headers=headers, data={"la": "335", "period": "2016-17", **form}
            ).status_code

    jobs = [
        ("a", "/indicator/cla_count/commentary", {"text": "Care numbers steady", "version": ""}),
        ("b", "/indicator/cin_count/commentary", {"text": "CIN numbers up", "version": ""}),
        ("c", "/indicator/cpp_count/actions", {"text": "Audit plans over 18 months"}),
        ("d", "/indicator/cpp_count/actions", {"text": "Review step-down"}),
    ]
    threads = [threading.Thread(target=post, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {"a": 303, "b": 303, "c": 303, "d": 303}
    con = connect(site.db, read_only=True)
    try:
        assert get_commentary(con, "335", "cla_count", "2016-17").text == "Care numbers steady"
        assert get_commentary(con, "335", "cin_count", "2016-17").text == "CIN numbers up"
        texts = sorted(a.text for a in actions_for(con, "335", "cpp_count", "2016-17"))
        assert texts == ["Audit plans over 18 months", "Review step-down"]
    finally:
        con.close()


_LOG_MANY = """
import sys
from csc_scorecard.web.state import StateStore
state = StateStore(sys.argv[1])
for i in range(int(sys.argv[3])):
    state.log(sys.argv[2], "drill_through", records=i)
"""


def test_the_state_file_takes_writes_from_several_processes_without_loss(tmp_path):
    path = tmp_path / "state.sqlite"
    StateStore(path)
    writers = [
        subprocess.Popen([sys.executable, "-c", _LOG_MANY, str(path), f"worker{n}", "150"]) for n in range(3)
    ]
    assert [w.wait() for w in writers] == [0, 0, 0]
    entries = StateStore(path).access_log(limit=1000)
    assert len(entries) == 450
    assert {e.username for e in entries} == {"worker0", "worker1", "worker2"}


def test_a_request_keeps_its_snapshot_while_a_newer_one_is_swapped_in(synthetic_council, tmp_path):
    db = tmp_path / "store.duckdb"
    db.write_bytes(Path(synthetic_council["db"]).read_bytes())
    gateway = StoreGateway(db, tmp_path / "snapshots", settle_seconds=0.0)
    try:
        with gateway.reading() as old:
            con = duckdb.connect(str(db))  # another process would do this: a new load
            con.execute("UPDATE loads SET loaded_at = loaded_at + INTERVAL 1 SECOND WHERE load_id = 1")
            con.close()
            with gateway.reading() as new:
                assert new.generation == old.generation + 1
                assert new.loads_version != old.loads_version
            cur = old.cursor()  # the old snapshot still answers
            assert cur.execute("SELECT count(*) FROM loads").fetchone()[0] > 0
            cur.close()
            assert old.path.exists()
        assert not old.path.exists()  # retired and removed once its last reader finished
    finally:
        gateway.close()


def test_new_loads_are_announced_with_their_snapshot_and_nothing_else_is(synthetic_council, tmp_path):
    db = tmp_path / "store.duckdb"
    db.write_bytes(Path(synthetic_council["db"]).read_bytes())
    gateway = StoreGateway(db, tmp_path / "snapshots", settle_seconds=0.0)
    seen = []

    def listener(snapshot) -> None:  # reads the snapshot: it must still be open
        cur = snapshot.cursor()
        seen.append((snapshot.generation, cur.execute("SELECT max(loaded_at) FROM loads").fetchone()[0]))
        cur.close()

    gateway.on_new_loads.append(listener)
    try:
        first = gateway.refresh()
        gateway.announcing.join()
        announced = gateway.announcing
        os.utime(db, (time.time() - 30, time.time() - 30))  # the file changed, its loads did not
        assert gateway.refresh().generation == first.generation + 1
        assert gateway.announcing is announced
        con = duckdb.connect(str(db))  # another process would do this: a new load
        con.execute("UPDATE loads SET loaded_at = loaded_at + INTERVAL 1 DAY WHERE load_id = 1")
        latest = con.execute("SELECT max(loaded_at) FROM loads").fetchone()[0]
        con.close()
        third = gateway.refresh()
        gateway.announcing.join()
        assert [generation for generation, _ in seen] == [first.generation, third.generation]
        assert seen[-1][1] == latest
    finally:
        gateway.close()


def test_a_snapshot_is_not_taken_while_a_writer_has_a_write_ahead_log(synthetic_council, tmp_path):
    db = tmp_path / "store.duckdb"
    db.write_bytes(Path(synthetic_council["db"]).read_bytes())
    gateway = StoreGateway(db, tmp_path / "snapshots", settle_seconds=0.0)
    try:
        first = gateway.refresh()
        wal = Path(f"{db}.wal")
        wal.write_bytes(b"")  # what DuckDB leaves while a writer is part-way through
        db.touch()
        assert gateway.refresh() is first
        assert gateway.last_refresh_problem == "the store is being written (a load is in progress)"
        wal.unlink()
        assert gateway.refresh().generation == first.generation + 1
    finally:
        gateway.close()
