"""`backup` and `restore`: a consistent copy while another process writes to the store, a restore into a fresh
folder that gives the same figures, and every kind of bad backup refused with the store left as it was."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from csc_scorecard.cli import cli
from csc_scorecard.periods import parse_period
from csc_scorecard.pipeline import build
from csc_scorecard.store import connect
from csc_scorecard.store.backup import DATABASE, MANIFEST, backup, read_manifest
from csc_scorecard.store.schema import SCHEMA_VERSION
from store_checks import query, table_checksums

RUN = CliRunner()


def run(*args: str):
    return RUN.invoke(cli, list(args))


@pytest.fixture(scope="module")
def store(synthetic_council, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("backup") / "scorecard.duckdb"
    shutil.copyfile(synthetic_council["db"], db)
    return db


@pytest.fixture(scope="module")
def backup_file(store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("backups") / "scorecard-backup.zip"
    result = run("backup", "--db", str(store), "--out", str(out))
    assert result.exit_code == 0, result.output
    summary = rf"backup: {re.escape(str(out))} \(\d+ tables, [\d,]+ rows, schema version {SCHEMA_VERSION}, sha256 [0-9a-f]{{64}}\)"
    assert re.search(summary, result.output), result.output
    return out


def figures(db: Path) -> list[tuple]:
    con = connect(db, read_only=True)
    try:
        built = build(con, "335", parse_period("2016-17Q3"))
    finally:
        con.close()
    return sorted(
        (
            r.indicator_id,
            r.period,
            r.breakdown or "",
            r.breakdown_value or "",
            r.numerator,
            r.denominator,
            r.value,
        )
        for r in built.results
    )


def test_a_backup_restored_into_a_fresh_folder_gives_identical_figures(store, backup_file, tmp_path) -> None:
    fresh = tmp_path / "elsewhere" / "restored.duckdb"
    result = run("restore", str(backup_file), "--db", str(fresh))
    assert result.exit_code == 0, result.output
    assert "every checksum matched" in result.output
    assert table_checksums(fresh) == table_checksums(store)
    assert figures(fresh) == figures(store)
    manifest = read_manifest(backup_file)
    assert manifest.schema_version == SCHEMA_VERSION and manifest.tables["children"][0] > 1000


# --- refused, and the store left exactly as it was ------------------------------------------------------------


def rewrite(source: Path, target: Path, *, manifest=None, database: bytes | None = None) -> Path:
    """A copy of a backup with its manifest (a function of the parsed JSON) or its database replaced."""
    with zipfile.ZipFile(source) as archive:
        data = json.loads(archive.read(MANIFEST))
        db = archive.read(DATABASE) if database is None else database
    if manifest:
        data = manifest(data)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(data))
        archive.writestr(DATABASE, db)
    return target


def _flip(data: dict, table: str) -> dict:
    data["tables"][table][1] = str(int(data["tables"][table][1]) + 1)
    return data


def _garbage(data: dict) -> dict:
    import hashlib

    data["sha256"], data["size"] = hashlib.sha256(b"not a database" * 100).hexdigest(), 1400
    return data


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda src, t: t.write_bytes(b"not a zip"), "not a csc-scorecard backup"),
        (lambda src, t: rewrite(src, t, manifest=lambda d: {**d, "schema_version": SCHEMA_VERSION + 1}),
         f"the backup is at schema version {SCHEMA_VERSION + 1}; this csc-scorecard knows up to {SCHEMA_VERSION}"),
        (lambda src, t: rewrite(src, t, manifest=lambda d: {**d, "sha256": "0" * 64}),
         "the database's sha256 is not the one recorded"),
        (lambda src, t: rewrite(src, t, manifest=lambda d: _flip(d, "children")),
         "the table checksums do not match the manifest: children"),
        (lambda src, t: rewrite(src, t, manifest=_garbage, database=b"not a database" * 100),
         "DuckDB cannot open the database"),
        (lambda src, t: rewrite(src, t, manifest=lambda d: {**d, "format": "something else"}),
         "its manifest is not readable"),
    ],
)  # fmt: skip
def test_a_bad_backup_is_refused_and_the_store_is_unchanged(store, backup_file, tmp_path, make, says) -> None:
    target = tmp_path / "scorecard.duckdb"
    shutil.copyfile(store, target)
    before, inode = table_checksums(target), target.stat().st_ino
    bad = tmp_path / "bad.zip"
    make(backup_file, bad)
    result = run("restore", str(bad), "--db", str(target))
    assert result.exit_code == 1
    assert "nothing was restored" in result.output and says in result.output, result.output
    assert target.stat().st_ino == inode and table_checksums(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.zip", "scorecard.duckdb"]


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(60)
"""


def test_a_store_in_use_is_not_replaced(store, backup_file, tmp_path) -> None:
    target = tmp_path / "scorecard.duckdb"
    shutil.copyfile(store, target)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(target)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        result = run("restore", str(backup_file), "--db", str(target))
    finally:
        holder.terminate()
        holder.wait(timeout=10)
    assert result.exit_code == 1 and "is in use by another program" in result.output
    assert table_checksums(target) == table_checksums(store)


def test_a_damaged_store_is_replaced_and_kept_beside(store, backup_file, tmp_path) -> None:
    target = tmp_path / "scorecard.duckdb"
    target.write_bytes(b"a store that a disk fault has ruined" * 1000)
    result = run("restore", str(backup_file), "--db", str(target))
    assert result.exit_code == 0, result.output
    kept = next(tmp_path.glob("scorecard.duckdb.before-restore-*"))
    assert kept.read_bytes().startswith(b"a store that a disk fault")
    assert table_checksums(target) == table_checksums(store)


# --- consistent while another process writes ------------------------------------------------------------------

WRITER = """
import sys, time, random
from csc_scorecard.store import connect
db, batches, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(7)
for b in range(batches):
    con = connect(db)
    con.begin()
    for i in range(size):  # one batch is one transaction: a consistent copy holds whole batches only
        con.execute("INSERT INTO commentary (la_code, indicator_id, period, text, author, updated_at) "
                    "VALUES ('335', ?, '2016-17Q3', 'batch', 'writer', now())",
                    [f"batch_{b}_row_{i}"])
        time.sleep(0.002)
    con.commit()
    con.close()
    print(b, flush=True)
    time.sleep(random.uniform(0.3, 0.9))
print("done", flush=True)
"""


@pytest.mark.slow
def test_backups_taken_while_another_process_writes_hold_whole_transactions(store, tmp_path) -> None:
    db = tmp_path / "busy.duckdb"
    shutil.copyfile(store, db)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), "12", "40"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    taken = []
    try:
        for n in range(4):
            out = tmp_path / f"backup-{n}.zip"
            backup(db, out, timeout=120, settle=0.2)
            taken.append(out)
            time.sleep(0.5)
    finally:
        output, _ = writer.communicate(timeout=120)
    assert writer.returncode == 0 and output.strip().endswith("done"), output  # the writer was never refused
    counts = []
    for n, file in enumerate(taken):
        restored = tmp_path / f"restored-{n}" / "scorecard.duckdb"
        result = run("restore", str(file), "--db", str(restored))
        assert result.exit_code == 0, result.output
        rows = query(restored, "SELECT count(*) FROM commentary WHERE author = 'writer'")[0][0]
        assert rows % 40 == 0, f"backup {n} holds part of a transaction: {rows} rows"
        counts.append(rows)
    assert counts == sorted(counts) and counts[-1] > 0, counts  # taken as the writes went on


def test_a_backup_gives_up_when_the_store_stays_busy(store, tmp_path) -> None:
    db = tmp_path / "busy.duckdb"
    shutil.copyfile(store, db)
    keep = """
import sys, time
from csc_scorecard.store import connect
con = connect(sys.argv[1])
con.execute("INSERT INTO commentary (la_code, indicator_id, period, text, author, updated_at) "
            "VALUES ('335', 'x', '2016-17Q3', 'kept open', 'w', now())")
print("writing", flush=True)
time.sleep(60)
"""
    holder = subprocess.Popen([sys.executable, "-c", keep, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "writing"  # committed, not yet checkpointed: a .wal exists
        result = run("backup", "--db", str(db), "--out", str(tmp_path / "b.zip"), "--timeout", "2")
    finally:
        holder.terminate()
        holder.wait(timeout=10)
    assert result.exit_code == 1
    assert "the store is being written (a load is in progress) and has been for 2 seconds" in result.output
    assert not (tmp_path / "b.zip").exists()
