"""Slow, pure results kept on disk between commands: the checked catalogue and the engine's built queries.

A command such as `judge` is a new process each time; without this it would read, validate and lint the
catalogue and build every indicator's query again, which took longer than the figures themselves. An entry's
name is a digest of everything it was made from (the inputs' contents, the source of the code that made it,
the versions of the libraries involved), so an entry is never out of date: any change gives another name, and
the old entry is pruned in time. Entries hold definitions and SQL text, nothing about any child.

The folder is the `cache_dir` setting (docs/settings.md); empty turns the cache off. It is made private to the
user (0700), entries are written 0600 and atomically, and an entry another user could have written is never
read. Where the folder cannot be used, the work is simply done again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from . import __version__
from .private_files import FILE_MODE, private_folder

T = TypeVar("T")
PACKAGE = Path(__file__).resolve().parent
KEEP = 200  # entries of each kind; the oldest go first
_settings_file: Path | None = None


def use_settings(file: Path | None) -> None:
    """The settings file the command line was given (`--settings`): its cache_dir names the folder."""
    global _settings_file
    _settings_file = file


def folder() -> Path | None:
    """The cache_dir setting (read each time: the environment may change between library calls)."""
    from .config import SettingsError, load_settings

    try:
        return load_settings(_settings_file).cache_dir
    except SettingsError:  # the command line reports a bad settings file; a library call just goes uncached
        return None


@cache
def code_digest(*parts: str) -> str:
    """A digest of the package's own source in `parts` (folders such as "engine", or modules such as
    "periods.py"), of the reference data's sizes and times, and of the versions of the libraries whose output
    is kept."""
    digest = hashlib.sha256(__version__.encode())
    for name in ("sqlglot", "pydantic", "pyyaml", "duckdb"):
        digest.update(f"{name} {_version(name)}".encode())
    for part in parts:
        where = PACKAGE / part
        if not where.exists():
            raise ValueError(f"code_digest: no {part} in the package")
        for path in [where] if where.is_file() else sorted(where.rglob("*.py")):
            digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes())
    for path in sorted((PACKAGE / "reference").rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(PACKAGE)} {stat.st_size} {stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"


def key(*parts: Any) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _readable(path: Path) -> bool:
    """Only an entry of this user's that no one else could have written (it is unpickled)."""
    stat = path.stat()
    return stat.st_uid == os.getuid() and not stat.st_mode & 0o022


def get(kind: str, name: str, make: Callable[[], T]) -> T:
    """The entry `name` of `kind`, made (and kept) if it is not there yet."""
    root = folder()
    if root is None:
        return make()
    path = Path(root) / kind / f"{name}.pickle"
    try:
        if path.is_file() and _readable(path) and _readable(path.parent):
            with path.open("rb") as entry:
                return pickle.load(entry)
    except Exception:  # unreadable, truncated or from other code: made again, and replaced
        pass
    value = make()
    try:
        _write(path, value)
        _prune(path.parent.glob("*.pickle"))
    except OSError:
        pass  # a read-only or full disk: the next command makes it again
    return value


def _write(path: Path, value: Any) -> None:
    private_folder(path.parent)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _prune(entries: Iterable[Path]) -> None:
    found = sorted(entries, key=lambda p: p.stat().st_mtime, reverse=True)
    for old in found[KEEP:]:
        old.unlink(missing_ok=True)


__all__ = ["code_digest", "folder", "get", "key", "use_settings"]
