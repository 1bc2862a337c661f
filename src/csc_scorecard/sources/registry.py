"""The readers csc-scorecard knows, each declaring what it reads, how it recognises a file and how it reads it.

Detection (sources/detect.py) offers every file to every registered reader of its container (XML, CSV or
xlsx) and gives it to the one that recognises it best; it knows no reader by name. The built-in readers
register exactly as a plugin does: a module whose `READERS` tuple lists its `Reader`s, named in
`BUILTIN_READERS` here or, for a package of its own, in the entry-point group `csc_scorecard.readers`.
A reader can also be registered at run time with `register()` (docs/dev/readers.md).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

from .model import ParsedReturn

BUILTIN_READERS = (
    "csc_scorecard.sources.cin_census",
    "csc_scorecard.sources.csww",
    "csc_scorecard.sources.ssda903",
    "csc_scorecard.sources.annex_a",
    "csc_scorecard.sources.local_csv",
    "csc_scorecard.sources.manual",
    "csc_scorecard.sources.ssd",
)
ENTRY_POINT_GROUP = "csc_scorecard.readers"
CONTAINERS = ("xml", "csv", "xlsx")  # what detection can tell from a file's first bytes


@dataclass(frozen=True)
class Head:
    """What detection read of a file before choosing its reader: enough to recognise it, never the data."""

    path: Path
    container: str  # one of CONTAINERS
    head: bytes  # the first 64 KB
    root: str | None = None  # XML: the root element's local name
    header: tuple[str, ...] = ()  # CSV: the cells of the first line


@dataclass(frozen=True)
class Candidate:
    """One return to read: a file, or the files of one folder that one reader recognised (CSV tables)."""

    format: str  # the reader's format: cin_xml, ssda903_csv, ...
    files: tuple[Path, ...]
    name: str  # the file name, or the folder name of a folder return


@dataclass(frozen=True)
class Reader:
    format: str  # recorded in `loads.format`: "ssda903_csv"
    format_name: str  # in listings: "SSDA903 (CSV)"
    kind: str  # which return: a newer load of the same kind, LA and year replaces the older
    kind_name: str  # in messages: "SSDA903"
    container: str  # the files it is offered: "xml", "csv" or "xlsx"
    # How well a file matches, from 0 (not this reader's) to 1 (certainly); a reader that recognises a broader
    # shape scores lower, so that a more specific one wins (a CSWW census over any Message).
    recognise: Callable[[Head], float]
    read: Callable[
        [Candidate, str | None, str | None], ParsedReturn
    ]  # (candidate, la, year); raises ReturnRejected
    looks_for: str  # what it recognises, for a file no reader claims: "SSDA903 (CHILD records)"
    per_folder: bool = False  # the files of one folder that it recognises are one return
    # Offered the files of its container that no reader recognises, so that its reader says what differs
    # (every CSV that is not a template goes to the 903 reader, which names the closest table).
    fallback: bool = False


_registered: dict[str, Reader] = {}
_loaded = False


def register(reader: Reader) -> None:
    """Add a reader; its format must be new, and a kind shared with another reader must have the same name.

    Only this process learns of it: worker processes load the built-in and entry-point readers themselves,
    so a reader for real use is registered through one of those (docs/dev/readers.md)."""
    if reader.container not in CONTAINERS:
        raise ValueError(f"{reader.format}: container {reader.container!r} is not one of {CONTAINERS}")
    known = _registered.get(reader.format)
    if known is not None and known != reader:
        raise ValueError(f"a reader for {reader.format} is already registered")
    for other in _registered.values():
        if other.kind == reader.kind and other.kind_name != reader.kind_name:
            raise ValueError(f"kind {reader.kind} is called {other.kind_name!r}, not {reader.kind_name!r}")
    _registered[reader.format] = reader


def unregister(format_: str) -> None:
    _registered.pop(format_, None)


def readers() -> tuple[Reader, ...]:
    """Every registered reader, the built-in ones first, in the order they registered."""
    _load()
    return tuple(_registered.values())


def reader(format_: str) -> Reader:
    _load()
    return _registered[format_]


def kind_names() -> Mapping[str, str]:
    return {r.kind: r.kind_name for r in readers()}


def format_names() -> Mapping[str, str]:
    return {r.format: r.format_name for r in readers()}


def _load() -> None:
    global _loaded
    if _loaded:
        return
    for name in BUILTIN_READERS:
        _register_module(importlib.import_module(name))
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        _register_module(entry.load())
    _loaded = True


def _register_module(module: ModuleType) -> None:
    for found in getattr(module, "READERS", ()):
        register(found)


__all__ = [
    "BUILTIN_READERS",
    "CONTAINERS",
    "ENTRY_POINT_GROUP",
    "Candidate",
    "Head",
    "Reader",
    "format_names",
    "kind_names",
    "reader",
    "readers",
    "register",
    "unregister",
]
