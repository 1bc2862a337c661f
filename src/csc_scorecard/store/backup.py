"""Backing up the store while it is in use, and restoring a backup only once it is checked.

A backup is one zip file holding `scorecard.duckdb`, a consistent copy of the store, and `manifest.json`: the
backup format, when it was taken and from where, the store's schema version, the copy's size and sha256, and
each table's row count and checksum, computed on the copy itself.

- **Backup** copies the store file the way the dashboard takes its snapshots (store/copying.py): without
  DuckDB's lock, so the dashboard and a CLI load are never refused while it runs. While a writer is part-way
  through (a write-ahead log exists, or the file changes during the copy) it waits and tries again, up to a
  timeout; a load in progress therefore ends up either wholly in the backup or not at all. The copy is then
  opened read-only (DuckDB checks its own block checksums) and every table is checksummed, and the zip is
  written beside its destination and moved into place, so a half-written backup never has the name asked for.
- **Restore** refuses, and leaves the store exactly as it was, unless: the file is a backup of this format; its
  schema version is not newer than this csc-scorecard knows; the database's sha256 is the one recorded; DuckDB
  opens it; its schema version and every table's rows and checksum match the manifest; and no program is
  writing to the store. Only then is the checked copy moved over the store in one rename (atomic on the same
  file system), after the store it replaces is kept beside it as `<store>.before-restore-<when>`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from ..private_files import make_private, private_file, private_folder
from .copying import settled_copy
from .schema import SCHEMA_VERSION, stored_version

FORMAT = "csc-scorecard backup 1"
DATABASE = "scorecard.duckdb"
MANIFEST = "manifest.json"
SETTLE_SECONDS = 1.0  # as the dashboard's snapshots: a write during the copy would change the mtime


class BackupError(RuntimeError):
    """A backup could not be taken, or a file cannot be restored (the store is left as it was)."""


@dataclass(frozen=True)
class Manifest:
    format: str
    created_at: str  # UTC, ISO 8601
    source: str  # the store backed up
    csc_scorecard: str  # the version that took it (the command line's)
    schema_version: int
    size: int
    sha256: str
    tables: Mapping[str, tuple[int, str]]  # table: (rows, checksum)

    @property
    def rows(self) -> int:
        return sum(rows for rows, _ in self.tables.values())

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "tables": {k: list(v) for k, v in self.tables.items()}}, indent=2)

    @staticmethod
    def from_json(text: str) -> Manifest:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT!r} manifest")
        tables = {str(k): (int(v[0]), str(v[1])) for k, v in data["tables"].items()}
        return Manifest(**{**data, "tables": tables})


def table_checksums(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str]]:
    """{table: (rows, checksum)}: the checksum is the sum of each row's md5, so it does not depend on the order
    DuckDB keeps the rows in, and costs one pass over each table."""
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT internal AND schema_name = 'main' ORDER BY 1"
        ).fetchall()
    ]
    out = {}
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        rows, checksum = con.execute(
            f"SELECT count(*), CAST(coalesce(sum(md5_number_lower(CAST(t AS VARCHAR))), 0) AS VARCHAR) "
            f"FROM {quoted} AS t"
        ).fetchone()
        out[name] = (rows, checksum)
    return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _describe(database: Path) -> tuple[int, dict[str, tuple[int, str]]]:
    """(schema version, table checksums) of a database file, opened read-only."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        return stored_version(con), table_checksums(con)
    finally:
        con.close()


def backup(
    db: Path,
    out: Path,
    *,
    timeout: float = 600.0,
    settle: float = SETTLE_SECONDS,
    waiting: Callable[[str], None] | None = None,
    made_by: str = "",
) -> Manifest:
    """Write a checked backup of the store to `out` (see the module docstring); returns its manifest."""
    db, out = Path(db), Path(out)
    if not db.exists():
        raise BackupError(f"no store at {db}")
    private_folder(out.parent)
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryDirectory(prefix=".csc-backup-", dir=out.parent) as folder:
        copy = Path(folder) / DATABASE
        told = False
        while True:
            copied = settled_copy(db, copy, min_age=settle)
            if copied.stat is not None:
                break
            if time.monotonic() >= deadline:
                raise BackupError(
                    f"{db}: {copied.problem} and has been for {timeout:g} seconds; try again later"
                )
            if waiting and not told:
                waiting(f"waiting: {copied.problem}")
                told = True
            time.sleep(min(0.5, settle / 2 or 0.1))
        try:
            version, tables = _describe(copy)
        except duckdb.Error as error:
            raise BackupError(f"{db}: the copy could not be read ({error})") from None
        manifest = Manifest(
            FORMAT, dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), str(db.resolve()), made_by,
            version, copy.stat().st_size, _sha256(copy), tables,
        )  # fmt: skip
        partial = private_file(Path(folder) / out.name)
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, manifest.to_json())
            archive.write(copy, DATABASE)
        os.replace(partial, out)
    make_private(out)
    return manifest


def read_manifest(file: Path) -> Manifest:
    """The manifest of a backup file, or BackupError saying what is wrong with the file."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if names != {MANIFEST, DATABASE}:
                raise BackupError(f"{file}: not a csc-scorecard backup (it holds {', '.join(sorted(names))})")
            return Manifest.from_json(archive.read(MANIFEST).decode("utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{file}: no such file") from None
    except zipfile.BadZipFile as error:
        raise BackupError(f"{file}: not a csc-scorecard backup ({error})") from None
    except (ValueError, KeyError, TypeError, IndexError) as error:
        raise BackupError(f"{file}: its manifest is not readable ({error})") from None


def check_backup(file: Path, into: Path) -> Manifest:
    """Extract the backup's database to `into` and check it against its manifest; BackupError if anything
    does not match (and `into` is removed)."""
    manifest = read_manifest(file)
    if manifest.schema_version > SCHEMA_VERSION:
        raise BackupError(
            f"{file}: the backup is at schema version {manifest.schema_version}; this csc-scorecard knows up to "
            f"{SCHEMA_VERSION}: upgrade csc-scorecard to restore it"
        )
    try:
        with (
            zipfile.ZipFile(file) as archive,
            archive.open(DATABASE) as source,
            private_file(into).open("wb") as target,
        ):
            shutil.copyfileobj(source, target, 1 << 20)  # the zip's CRC is checked as it is read
        if into.stat().st_size != manifest.size or _sha256(into) != manifest.sha256:
            raise BackupError(f"{file}: the database's sha256 is not the one recorded when it was taken")
        try:
            version, tables = _describe(into)
        except duckdb.Error as error:
            raise BackupError(f"{file}: DuckDB cannot open the database ({error})") from None
        if version != manifest.schema_version:
            raise BackupError(f"{file}: the database is at schema version {version}, the manifest says "
                              f"{manifest.schema_version}")  # fmt: skip
        wrong = sorted(
            set(tables) ^ set(manifest.tables) | {t for t in tables if tables[t] != manifest.tables.get(t)}
        )
        if wrong:
            raise BackupError(f"{file}: the table checksums do not match the manifest: {', '.join(wrong)}")
    except zipfile.BadZipFile as error:
        into.unlink(missing_ok=True)
        raise BackupError(f"{file}: the database in the backup is damaged ({error})") from None
    except BaseException:
        into.unlink(missing_ok=True)
        raise
    return manifest


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    kept: Path | None  # where the store it replaced is kept (None: there was none)


def restore(file: Path, db: Path) -> Restored:
    """Replace the store with a checked backup (see the module docstring)."""
    file, db = Path(file), Path(db)
    private_folder(db.parent)
    checked = db.with_name(f".{db.name}.restoring-{os.getpid()}")
    manifest = check_backup(file, checked)
    try:
        holder = _hold(db) if db.exists() else None
        kept = None
        try:
            if db.exists():
                kept = db.with_name(f"{db.name}.before-restore-{dt.datetime.now():%Y%m%d-%H%M%S}")
                _keep(db, kept)
            os.replace(checked, db)
        finally:
            if holder is not None:
                holder.close()
    finally:
        checked.unlink(missing_ok=True)
    return Restored(manifest, kept)


def _hold(db: Path) -> duckdb.DuckDBPyConnection | None:
    """The store's write lock, held while it is replaced so that no writer is part-way through; None when the
    store cannot be opened at all (a damaged store is what a restore is for)."""
    try:
        holder = duckdb.connect(str(db))
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise BackupError(
                f"{db} is in use by another program (a load, or the dashboard saving an edit): try again when "
                "it has finished; nothing was changed"
            ) from None
        return None
    except duckdb.Error:
        return None
    holder.execute("CHECKPOINT")  # the store's write-ahead log, if any, goes into the file that is kept
    return holder


def _keep(db: Path, kept: Path) -> None:
    """Keep the store about to be replaced under a second name (and a write-ahead log a crashed writer left,
    which must not be replayed onto the restored store)."""
    try:
        os.link(
            db, kept
        )  # the same file under a second name: nothing to copy, and nothing lost by the rename
    except OSError:
        shutil.copy2(db, kept)
    make_private(kept)
    wal = Path(f"{db}.wal")
    if wal.exists():
        os.replace(wal, Path(f"{kept}.wal"))
