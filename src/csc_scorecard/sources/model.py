"""What a reader hands to the store: one return, checked and held as Arrow tables."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from .problems import Problem


@dataclass(frozen=True)
class Snapshot:
    """What a snapshot of a case-management system (the SSD) holds: every record active on any day from
    `covers_from` to `covers_to` (the last whole day before it was taken, `taken_at`)."""

    taken_at: dt.datetime
    covers_from: dt.date
    covers_to: dt.date
    decided_by: str  # how the dates were found: "ssd_vw_current_time_windows", "latest date in the data", ...


@dataclass
class ParsedReturn:
    kind: str  # which return, and so what replaces what (its reader's kind: sources/registry.py)
    format: str  # the reader's format: "cin_xml", "ssda903_csv", ...
    source_name: str  # the file name, or the folder name of a 903 CSV return
    files: list[Path]
    sha256: str  # of the file, or of the sorted (name, sha256) of a 903 CSV folder's files
    la_code: str  # 3-digit DfE LA code
    collection_year: str  # "2016-17"
    year_source: str  # how the collection year was decided (sources/year.py): "header", "--year", ...
    tables: dict[str, pa.Table] = field(default_factory=dict)
    # What was read but is worth an analyst's look (a coded answer kept as written): loaded, and listed.
    warnings: list[Problem] = field(default_factory=list)
    # Each load adds to what is stored and replaces no earlier load (manual values keep every version).
    accumulates: bool = False
    snapshot: Snapshot | None = (
        None  # a snapshot replaces the LA's older one, whatever its year (store/load.py)
    )
    notes: list[str] = field(default_factory=list)  # said in the load report: what was read but not used

    def rows_per_table(self) -> dict[str, int]:
        return {name: table.num_rows for name, table in self.tables.items()}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_files(paths: list[Path]) -> str:
    """One hash for a set of files, independent of their order and folder."""
    digest = hashlib.sha256()
    for name, file_hash in sorted((p.name, sha256_file(p)) for p in paths):
        digest.update(f"{name}\0{file_hash}\n".encode())
    return digest.hexdigest()
