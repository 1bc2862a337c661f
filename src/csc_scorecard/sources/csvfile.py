"""A CSV file as text and as numbered rows, with the structural Problems every CSV reader reports alike."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .problems import Problems

SNIFF_BYTES = 8192
T = TypeVar("T")


def decode(path: Path, problems: Problems, what: str) -> str | None:
    """The file's text (UTF-8, else Excel's Windows-1252), or None with a Problem; `what` names what a file
    must at least hold ("a 903 table", "a template")."""
    data = path.read_bytes()
    if not data.strip():
        problems.add("line 1", "file", None, f"empty file: {what} needs at least its header line")
        return None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        problems.add("line 1", "file", None, "the file is UTF-16 text: save it as CSV UTF-8")
        return None
    if b"\x00" in data[:SNIFF_BYTES]:
        problems.add("line 1", "file", None, "not a CSV text file (it holds binary data): save it as CSV")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")  # Excel's "CSV (Comma delimited)" on Windows
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.add(
            f"line {line}", "file", None, "neither UTF-8 nor Windows-1252 text: save it as CSV UTF-8"
        )
        return None


def data_rows(reader, columns: list[str], problems: Problems) -> list[tuple[int, list[str]]]:
    """(first line, fields) of every non-blank row after the header; a row of the wrong width is a Problem.

    csv.Error propagates: the caller reports it with the reader's line number."""
    rows: list[tuple[int, list[str]]] = []
    last_line = reader.line_num
    for record in reader:
        start, last_line = last_line + 1, reader.line_num
        if not any(v.strip() for v in record):
            continue  # blank lines and rows of empty cells (Excel leaves them at the end)
        if len(record) != len(columns):
            problems.add(
                f"line {start}",
                "row",
                f"{len(record)} fields",
                f"has {len(record)} fields but the header has {len(columns)}",
            )
            continue
        rows.append((start, record))
    return rows


def read_rows(
    path: Path,
    problems: Problems,
    what: str,
    recognise: Callable[[list[str]], tuple[T, list[str]] | None],
) -> tuple[T, list[str], list[tuple[int, list[str]]]] | None:
    """(what the header says the file is, its column names, its data rows), or None with Problems.

    `recognise` turns the header row into (the table or template, the normalised column names), adding its
    own Problems and returning None when the header is not one it knows."""
    text = decode(path, problems, what)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header or all(not h.strip() for h in header):
            problems.add("line 1", "header", None, f"the first line must be the header row of {what}")
            return None
        recognised = recognise(header)
        if recognised is None:
            return None
        key, columns = recognised
        return key, columns, data_rows(reader, columns, problems)
    except csv.Error as error:
        problems.add(f"line {reader.line_num}", "file", None, f"not a readable CSV file: {error}")
        return None
