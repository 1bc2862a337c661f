"""The SSD from a folder of CSV extracts: one file per table, each recognised by its header.

A file is an SSD table when its header is that table's fields (in any order, any case): every field the
mapping reads, and no column the data model does not list for the table. Any subset of tables may be given;
the files of one folder are one snapshot, loaded all or nothing.
"""

from __future__ import annotations

from pathlib import Path

from ..csvfile import read_rows
from ..model import ParsedReturn, sha256_files
from ..problems import Problems
from ..registry import Candidate, Head
from .extract import Extract, SsdTable
from .snapshot import read_fields, to_return
from .spec import column_name, ssd_tables

NEAR = 0.5  # a header sharing half its columns with a table is that table with something wrong


def _closest(columns: list[str]) -> tuple[str | None, float]:
    given = set(columns)
    best, score = None, 0.0
    for table, fields in ssd_tables().items():
        overlap = len(given & set(fields)) / len(given | set(fields))
        if overlap > score:
            best, score = table, overlap
    return best, score


def recognise(head: Head) -> float:
    """1 for an SSD table's header; 0.9 for a near miss, so that this reader says what differs."""
    columns = [column_name(c) for c in head.header]
    table, score = _closest(columns)
    if table is None or score < NEAR:
        return 0.0
    fields = set(ssd_tables()[table])
    exact = set(columns) <= fields and read_fields()[table] <= set(columns)
    return 1.0 if exact else 0.9


def _header(header: list[str], problems: Problems) -> tuple[str, list[str]] | None:
    columns = [column_name(c) for c in header]
    table, score = _closest(columns)
    if table is None or score < NEAR:
        problems.add(
            "line 1", "header", ",".join(header)[:200], "not a table of the Standard Safeguarding Dataset"
        )
        return None
    fields = ssd_tables()[table]
    bad = False
    for column in sorted(read_fields()[table] - set(columns)):
        problems.add("line 1", column, None, f"column missing: the header looks like {table}")
        bad = True
    for column in dict.fromkeys(c for c in columns if c not in fields):
        problems.add("line 1", column or "(blank)", column, f"not a field of {table} in the SSD data model")
        bad = True
    for column in sorted({c for c in columns if columns.count(c) > 1}):
        problems.add("line 1", column, column, "the column appears more than once in the header")
        bad = True
    return None if bad else (table, columns)


def read_folder(files: list[Path], folder_name: str) -> Extract:
    """Every file's rows; the problems stay with the extract, for `to_return` to raise with the rest."""
    overall = Problems(folder_name)
    tables: dict[str, SsdTable] = {}
    for path in files:
        problems = Problems(path.name)
        read = read_rows(path, problems, "an SSD table", lambda header, p=problems: _header(header, p))
        if read is None:
            tables.setdefault(f"?{path.name}", SsdTable(path.name, path.name, (), [], problems))
            continue
        table, columns, rows = read
        if table in tables:
            problems.add(
                "line 1",
                "header",
                table,
                f"a second file for {table} ({tables[table].source} has it): one file per table",
            )
            tables[f"?{path.name}"] = SsdTable(path.name, path.name, (), [], problems)
            continue
        tables[table] = SsdTable(
            table,
            path.name,
            tuple(columns),
            [(f"line {line}", dict(zip(columns, record, strict=True))) for line, record in rows],
            problems,
        )
    extract = Extract("ssd_csv", folder_name, files, sha256_files(files), tables, overall)
    extract.raise_if_any()  # a file that is not a readable SSD table stops here, with every other such file
    return extract


def read(candidate: Candidate, la: str | None, year: str | None) -> ParsedReturn:
    return to_return(read_folder(list(candidate.files), candidate.name), la, year)


__all__ = ["read", "read_folder", "recognise"]
