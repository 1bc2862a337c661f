"""A consistent copy of the store file taken without DuckDB's lock, so a writer (a CLI load, the dashboard's
edits) is never refused while it is taken: the dashboard's snapshots and `backup` both use it.

DuckDB writes a transaction to the write-ahead log (`<store>.wal`) and only checkpoints it into the file itself
when the writer commits and closes. So the file is consistent when no `.wal` exists; it is copied only then,
only when its mtime is old enough that a write during the copy would change it, and the copy is kept only if
the file's stat (inode, size, mtime) is the same after the copy as before. A copy that raced a writer is
thrown away; the caller tries again later. The caller then opens the copy, which checks DuckDB's own block
checksums.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from ..private_files import private_file

BUSY = "the store is being written (a load is in progress)"
CHANGED = "the store changed while it was being copied"


def file_stat(db: Path) -> tuple | None:
    """(inode, size, mtime_ns, whether a write-ahead log exists), or None when there is no store."""
    try:
        st = os.stat(db)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, Path(f"{db}.wal").exists())


@dataclass(frozen=True)
class Copied:
    stat: tuple | None  # the store's stat the copy was taken at; None when no copy was kept
    problem: str = ""  # BUSY or CHANGED when stat is None


def settled_copy(db: Path, target: Path, *, min_age: float) -> Copied:
    """Copy the store to `target` (mode 0600) if it is settled and stays unchanged while copied."""
    before = file_stat(db)
    if before is None:
        raise FileNotFoundError(f"no store at {db}")
    if before[3] or time.time() - before[2] / 1e9 < min_age:
        return Copied(None, BUSY)
    shutil.copyfile(db, private_file(target))
    if file_stat(db) != before:
        for p in (target, Path(f"{target}.wal")):
            p.unlink(missing_ok=True)
        return Copied(None, CHANGED)
    return Copied(before)
