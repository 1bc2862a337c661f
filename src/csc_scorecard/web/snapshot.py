"""How the dashboard reads and writes the DuckDB store without getting in the CLI's way.

DuckDB lets one process open a file for writing, and then refuses every other open of it, read-only ones
included. So the dashboard never keeps the store open:

- Reading: it serves from a private **snapshot**, a copy of the store file in its own folder, opened read-only
  (building a scorecard only reads, so requests build side by side on cursors of it). Before each request it compares the store file's
  stat (inode, size, mtime) with the snapshot's; when the store has changed, has a stable mtime at least
  SETTLE_SECONDS old and has no write-ahead log (no writer is part-way through), it copies the file without
  taking DuckDB's lock, checks that the stat did not change during the copy (store/copying.py, which `backup`
  uses too), opens the copy and swaps it in.
  A copy that raced a writer is thrown away and tried again on a later request. Requests already running
  finish on the snapshot they started with (reference-counted), so a swap never breaks a page.
- New loads: a snapshot whose loads differ from the one it replaces is handed to each of `on_new_loads` on a
  thread of its own (the dashboard builds the scorecard its first page shows, so nobody waits for it).
- Writing (an upload, commentary, actions): one write at a time per process, through `write(fn)`, which opens
  the store itself for a moment, retrying while another process (the CLI) holds it, and gives up with
  StoreBusy after the timeout. The snapshot follows on the next request.

A CLI command that starts while the dashboard is writing waits for it ([store] lock_timeout_seconds); the
dashboard's writes take milliseconds, except an upload, which takes as long as the same `load` would.
"""

from __future__ import annotations

import itertools
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import duckdb

from ..store.connection import LockWait, StoreBusy, StoreMissing, connect, waiting_for_the_store
from ..store.copying import BUSY, file_stat, settled_copy
from ..store.status import store_version

T = TypeVar("T")
SETTLE_SECONDS = 1.0  # the store's mtime must be this old, so a write during the copy would change it
COPY_ATTEMPTS = 3
log = logging.getLogger("csc_scorecard.web")


@dataclass
class Snapshot:
    generation: int
    path: Path
    con: duckdb.DuckDBPyConnection
    source_stat: tuple
    loads_version: str  # changes whenever a load is added or replaced
    taken_at: float
    refs: int = 0
    retired: bool = False
    refs_lock: threading.Lock = field(default_factory=threading.Lock)  # guards refs and retired

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.con.cursor()


class StoreGateway:
    def __init__(self, db: Path, work_dir: Path | None = None, *, settle_seconds: float = SETTLE_SECONDS):
        self.db = Path(db)
        self._own_dir = work_dir is None
        self.work_dir = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="csc-scorecard-web-"))
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.settle_seconds = settle_seconds
        self._swap = threading.Lock()  # held while copying: one refresh at a time
        self._write = threading.Lock()  # one write to the store at a time from this process
        self._current: Snapshot | None = None
        self._generations = itertools.count(1)
        self.last_refresh_problem: str | None = None
        self.on_new_loads: list[Callable[[Snapshot], None]] = []
        self.announcing: threading.Thread | None = None  # the latest announcement of new loads

    # --- reading -------------------------------------------------------------------------------------------

    @property
    def current(self) -> Snapshot | None:
        return self._current

    def refresh(self, *, after_own_write: bool = False) -> Snapshot | None:
        """Take a new snapshot if the store changed and is settled. A request that finds another thread
        refreshing carries on with the current snapshot instead of queueing (unless there is none yet)."""
        stat = file_stat(self.db)
        current = self._current
        if stat is None:
            if current is None:
                raise StoreMissing(f"no store at {self.db}: load some returns first (csc-scorecard load ...)")
            return current
        if current is not None and stat == current.source_stat:
            return current
        if not self._swap.acquire(blocking=after_own_write or current is None):
            return current
        new_loads = None
        try:
            current = self._current
            if current is not None and file_stat(self.db) == current.source_stat:
                return current
            # Right after our own write (or with nothing to serve) there is no need to wait for the store to settle.
            fresh = self._take(0.0 if after_own_write or current is None else self.settle_seconds)
            if fresh is None and current is None:
                raise StoreBusy(f"{self.db} is being written by another program; try again in a minute")
            if fresh is not None:
                self._current = fresh
                if current is not None:
                    self._retire(current)
                if self.on_new_loads and (current is None or fresh.loads_version != current.loads_version):
                    new_loads = self._hold(fresh)  # before any other refresh could retire it
            taken = self._current
        finally:
            self._swap.release()
        if new_loads is not None:
            self.announcing = threading.Thread(
                target=self._announce, args=(new_loads,), name="csc-scorecard-new-loads", daemon=True
            )
            self.announcing.start()
        return taken

    def _announce(self, snapshot: Snapshot) -> None:
        try:
            for listener in self.on_new_loads:
                if snapshot is not self._current:  # newer loads arrived meanwhile: theirs is announced
                    break
                try:
                    listener(snapshot)
                except Exception:  # the page that needs it builds it, and shows the error if there is one
                    log.exception("working ahead for the new loads failed")
        finally:
            self._release(snapshot)

    def _take(self, min_age: float) -> Snapshot | None:
        """A consistent copy of the store (store/copying.py), or None (keep the current snapshot) while it is
        being written."""
        for attempt in range(COPY_ATTEMPTS):
            if file_stat(self.db) is None:
                return None
            taking = self.work_dir / "snapshot-being-taken.duckdb"
            copied = settled_copy(self.db, taking, min_age=min_age)
            if copied.stat is None:
                self.last_refresh_problem = copied.problem
                if copied.problem == BUSY:
                    return None
                time.sleep(0.05 * (attempt + 1))
                continue
            generation = next(self._generations)
            path = taking.rename(self.work_dir / f"snapshot-{generation}.duckdb")
            try:
                con = connect(path, read_only=True)
                version = store_version(con)
            except duckdb.Error as error:  # a torn copy fails its checksums: try again
                self.last_refresh_problem = f"the copy could not be read ({error})"
                self._remove(path)
                continue
            self.last_refresh_problem = None
            return Snapshot(generation, path, con, copied.stat, version, time.time())
        return None

    def _retire(self, snapshot: Snapshot) -> None:
        with snapshot.refs_lock:
            snapshot.retired = True
            if snapshot.refs == 0:
                self._close(snapshot)

    def _close(self, snapshot: Snapshot) -> None:
        snapshot.con.close()
        self._remove(snapshot.path)

    @staticmethod
    def _remove(path: Path) -> None:
        for p in (path, Path(f"{path}.wal")):
            p.unlink(missing_ok=True)

    @contextmanager
    def reading(self) -> Iterator[Snapshot]:
        """The freshest settled snapshot, kept open until the block ends even if a newer one is swapped in."""
        snapshot = self.refresh()
        assert snapshot is not None
        self._hold(snapshot)
        try:
            yield snapshot
        finally:
            self._release(snapshot)

    @staticmethod
    def _hold(snapshot: Snapshot) -> Snapshot:
        with snapshot.refs_lock:
            snapshot.refs += 1
        return snapshot

    def _release(self, snapshot: Snapshot) -> None:
        with snapshot.refs_lock:
            snapshot.refs -= 1
            done = snapshot.retired and snapshot.refs == 0
        if done:
            self._close(snapshot)

    # --- writing -------------------------------------------------------------------------------------------

    def write(self, fn: Callable[[duckdb.DuckDBPyConnection], T], *, timeout: float = 30.0) -> T:
        """Run fn on the store opened for writing, waiting up to `timeout` seconds for another process's lock."""
        with self._write:
            try:
                with waiting_for_the_store(LockWait(timeout)):
                    con = connect(self.db)
            except StoreBusy:
                raise StoreBusy(
                    "the store is in use by another program (probably a return being loaded from the "
                    "command line); try again in a minute"
                ) from None
            try:
                result = fn(con)
            finally:
                con.close()
            self.refresh(after_own_write=True)
            return result

    def close(self) -> None:
        with self._swap:
            if self._current is not None:
                self._retire(self._current)
                self._current = None
        if self.announcing is not None:  # the work ahead stops at its next step (its snapshot is retired)
            self.announcing.join()
        if self._own_dir:
            shutil.rmtree(self.work_dir, ignore_errors=True)
