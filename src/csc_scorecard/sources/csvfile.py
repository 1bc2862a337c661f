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
    """The file's text (UTF-16 with its byte-order mark, UTF-8, else Excel's Windows-1252), or None with a
    Problem; `what` names what a file must at least hold ("a 903 table", "a template").

    A file must be one encoding throughout: one whose lines are partly UTF-8 and partly Windows-1252 (rows
    pasted from two systems) is refused naming its first line that is not UTF-8, rather than read with the
    UTF-8 lines turned into nonsense ("JosÃ©")."""
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode text" and some exports
        return _utf16(data, problems, what)
    if not data.strip():
        problems.add("line 1", "file", None, f"empty file: {what} needs at least its header line")
        return None
    if b"\x00" in data[:SNIFF_BYTES]:
        problems.add("line 1", "file", None, "not a CSV text file (it holds binary data): save it as CSV")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    mixed = _mixed_encodings(data)
    if mixed is not None:
        problems.add(*mixed)
        return None
    try:
        return data.decode("cp1252")  # Excel's "CSV (Comma delimited)" on Windows
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.add(
            f"line {line}", "file", None, "neither UTF-8 nor Windows-1252 text: save it as CSV UTF-8"
        )
        return None


def _utf16(data: bytes, problems: Problems, what: str) -> str | None:
    try:
        text = data.decode("utf-16")  # the byte-order mark says which end first, and is dropped
    except UnicodeDecodeError as error:
        line = data[: error.start].decode("utf-16", errors="ignore").count("\n") + 1
        problems.add(f"line {line}", "file", None, "not valid UTF-16 text, as its byte-order mark says")
        return None
    if not text.strip():
        problems.add("line 1", "file", None, f"empty file: {what} needs at least its header line")
        return None
    return text


def _mixed_encodings(data: bytes) -> tuple[str, str, str | None, str] | None:
    """(location, field, value, rule) when some lines are UTF-8 and others not; None for one encoding."""
    first_utf8: tuple[int, str] | None = None
    first_other: tuple[int, bytes] | None = None
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            shown = [c for c in line.decode("utf-8") if not c.isascii() and c != "\ufeff"]
            if shown and first_utf8 is None:
                first_utf8 = (number, shown[0])
        except UnicodeDecodeError as error:
            if first_other is None:
                first_other = (number, line[error.start : error.start + 1])
        if first_utf8 and first_other:
            number, byte = first_other
            return (
                f"line {number}", "file", None,
                f"not UTF-8 (byte 0x{byte.hex().upper()}), while line {first_utf8[0]} is UTF-8 "
                f"({first_utf8[1]!r}): the file mixes encodings; save it as CSV UTF-8",
            )  # fmt: skip
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
