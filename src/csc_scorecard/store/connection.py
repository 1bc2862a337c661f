"""Opening the store: one DuckDB file, migrated to the current schema on every writable open."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from ..private_files import make_private, private_folder
from .schema import SCHEMA_VERSION, StoreTooNew, check_not_newer, migrate

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "LockWait",
    "StoreBusy",
    "StoreMissing",
    "StoreTooNew",
    "connect",
    "registered",
    "waiting_for_the_store",
]


class StoreMissing(FileNotFoundError):
    pass


class StoreBusy(RuntimeError):
    """Another program holds the store for writing."""


@dataclass(frozen=True)
class LockWait:
    """How long an open waits while another program holds the store (DuckDB lets one process write to a file
    and then refuses every other open, read-only ones included), and whom to tell that it is waiting."""

    seconds: float = 0.0
    say: Callable[[str], None] | None = None


NO_WAIT = LockWait()
_lock_wait: ContextVar[LockWait | None] = ContextVar("lock_wait", default=None)


@contextmanager
def waiting_for_the_store(wait: LockWait) -> Iterator[None]:
    """Within: every open of a store held by another program waits as `wait` says before giving up."""
    token = _lock_wait.set(wait)
    try:
        yield
    finally:
        _lock_wait.reset(token)


def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, retrying while another process holds the file's lock (LockWait), then StoreBusy."""
    wait = _lock_wait.get() or NO_WAIT
    deadline, delay, said = time.monotonic() + wait.seconds, 0.05, False
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise
            holder = re.search(r"\(PID (\d+)\)", str(error))
            who = f"another program (process {holder[1]})" if holder else "another program"
            if time.monotonic() >= deadline:
                waited = f" after waiting {wait.seconds:g} s" if wait.seconds else ""
                raise StoreBusy(
                    f"{path} is in use by {who}, a load or the dashboard saving an upload or an edit: gave up"
                    f"{waited}; try again when it has finished"
                ) from None
            if not said and wait.say is not None:
                wait.say(f"waiting for {path}: it is in use by {who}; waiting up to {wait.seconds:g} s ...")
                said = True
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def connect(
    path: Path | str, *, read_only: bool = False, upgrade: bool = True, refresh: bool = True
) -> duckdb.DuckDBPyConnection:
    """A connection to the store. Writable opens create it, migrate it and refresh its reference data;
    read-only opens need it to exist, and first upgrade a store made by an older csc-scorecard (a read-only
    reader would otherwise meet tables without the columns this code reads). Either refuses (StoreTooNew) a store
    made by a newer csc-scorecard. `upgrade=False` reads an older store as it is (for `status`). `refresh=False`:
    a writable open that only migrates, for a moment's write after reading (saving computed results, whose basis
    names the reference data and derivation they were computed on), never a refresh or a rebuild of every LA."""
    path = Path(path)
    if read_only and not path.exists():
        raise StoreMissing(
            f"no store at {path}: load some returns first (csc-scorecard load --db {path} ...)"
        )
    created = not read_only and not path.exists()
    if created:
        private_folder(path.parent)
    con = _open(path, read_only)
    if created:
        make_private(path)  # before any data is written to it
    try:
        if read_only:
            if check_not_newer(con, str(path)) < SCHEMA_VERSION and upgrade:
                con.close()
                _upgrade(path)
                con = _open(path, read_only=True)
        else:
            migrate(con, str(path))
            if refresh:
                # Imported here: the loading code (every reader's) is not needed to read a store.
                from .load import rebuild_if_derivation_changed
                from .reference_data import refresh_reference_data

                refresh_reference_data(con)
                rebuild_if_derivation_changed(con)
    except BaseException:
        con.close()
        raise
    return con


def _upgrade(path: Path) -> None:
    try:
        connect(path).close()
    except StoreBusy:
        raise StoreBusy(
            f"{path} was made by an older csc-scorecard and needs upgrading to schema version {SCHEMA_VERSION}, "
            "but another program is writing to it: try again when it has finished"
        ) from None


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> Iterator[None]:
    """`table` readable as `name` on this connection within the block, and unregistered after it whatever
    happens, so that a failed statement leaves no stale view for the next one on the connection."""
    con.register(name, table)
    try:
        yield
    finally:
        con.unregister(name)
