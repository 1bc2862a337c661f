"""What a reader hands to the store: one return, checked and held as Arrow tables."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

KINDS = ("cin", "ssda903", "annex_a", "early_help", "workforce", "youth_justice", "case_audits", "csww")
FORMATS = (
    "cin_xml",
    "ssda903_csv",
    "ssda903_xml",
    "annex_a_xlsx",
    "early_help_csv",
    "workforce_csv",
    "youth_justice_csv",
    "case_audits_csv",
    "csww_xml",
)
# What each kind of return is called in messages and listings.
KIND_NAMES = {
    "cin": "CIN census",
    "ssda903": "SSDA903",
    "annex_a": "Annex A",
    "early_help": "Early help",
    "workforce": "Workforce",
    "youth_justice": "Youth justice",
    "case_audits": "Case audits",
    "csww": "CSWW census",
}
FORMAT_NAMES = {
    "cin_xml": "CIN census (XML)",
    "ssda903_csv": "SSDA903 (CSV)",
    "ssda903_xml": "SSDA903 (XML)",
    "annex_a_xlsx": "Annex A (xlsx)",
    "early_help_csv": "Early help (CSV templates)",
    "workforce_csv": "Workforce (CSV templates)",
    "youth_justice_csv": "Youth justice (CSV template)",
    "case_audits_csv": "Case audits (CSV template)",
    "csww_xml": "CSWW census (XML)",
}


@dataclass
class ParsedReturn:
    kind: str  # one of KINDS: which return, and so what replaces what
    format: str  # one of FORMATS
    source_name: str  # the file name, or the folder name of a 903 CSV return
    files: list[Path]
    sha256: str  # of the file, or of the sorted (name, sha256) of a 903 CSV folder's files
    la_code: str  # 3-digit DfE LA code
    collection_year: str  # "2016-17"
    year_source: str  # how the collection year was decided: "header", "--year", "folder name", "latest date"
    tables: dict[str, pa.Table] = field(default_factory=dict)

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
