"""Files that may hold children's data are readable by their owner only.

The store, the dashboard's state file, its snapshots of the store, backups and everything exported (report
packs, commentary CSVs, synthetic returns) are created with mode 0600, and folders made for them with 0700,
whatever the process's umask: explicitly where csc-scorecard creates the file itself, and through the
process's umask (077, set by the command line at start) for what libraries create on their own, such as
DuckDB's write-ahead log. A file that already exists keeps the mode its owner gave it, except outputs that are
rewritten whole.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700
UMASK = 0o077


def restrict_umask() -> None:
    """For the whole process (the command line calls it once, before any thread starts)."""
    os.umask(UMASK)


def private_folder(path: Path) -> Path:
    """The folder, made 0700 if it does not exist yet (with any missing parents)."""
    path = Path(path)
    if not path.exists():
        path.mkdir(parents=True, mode=FOLDER_MODE)
        path.chmod(FOLDER_MODE)  # mkdir's mode is filtered by the umask
    return path


def private_file(path: Path) -> Path:
    """An output about to be written: created empty with 0600, or an existing one set to 0600, so that opening
    it for writing keeps the mode."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)
    path.chmod(FILE_MODE)
    return path


def make_private(*paths: Path) -> None:
    """Set files written by a library to 0600 (those that exist)."""
    for path in paths:
        if Path(path).exists():
            Path(path).chmod(FILE_MODE)
