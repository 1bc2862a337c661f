"""An SSD extract as read, before mapping: each table's rows with where they came from.

Both routes (a folder of CSV files, a live database) produce an `Extract`; the mapping (mapping.py) turns it
into the canonical tables. A row's `where` is what a Problem names: "line 12" of a file, "row 12" of a table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..problems import Problems, ReturnRejected


@dataclass
class SsdTable:
    name: str  # ssd_person
    source: str  # the file's name, or the database table's (schema.ssd_person)
    columns: tuple[str, ...]
    rows: list[tuple[str, dict[str, object]]] = field(default_factory=list)  # (where, value by field)
    problems: Problems = field(default_factory=lambda: Problems(""))


@dataclass
class Extract:
    format: str  # "ssd_csv" or "ssd_db"
    source_name: str  # the folder's name, or the database (URL without its password, and schema)
    files: list[Path]  # the CSV files, or one Path per database table read (its name)
    sha256: str
    tables: dict[str, SsdTable]
    problems: Problems  # about the extract as a whole (the command line, missing tables)
    read_at: dt.datetime | None = None  # when a database was read (a folder's files were written earlier)

    def raise_if_any(self) -> None:
        """Every problem of the extract and its tables at once, the extract's own first."""
        merged = Problems(self.source_name)
        for problems in (self.problems, *(t.problems for t in self.tables.values())):
            merged.items.extend(problems.items)
            merged.total += problems.total
        merged.items = merged.items[: merged.cap]
        if merged.total:
            raise ReturnRejected(merged.items, merged.total)


__all__ = ["Extract", "SsdTable"]
