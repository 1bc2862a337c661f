"""Finding the returns in what the analyst points at, and choosing each one's reader from its content.

`load` accepts files and folders (searched recursively, hidden files and Excel's lock files aside). Each file's
first bytes tell its container: XML by its first `<`, CSV by a comma in its first line, xlsx by being a zip
holding a workbook. The file is then offered to every registered reader of that container
(sources/registry.py), and the one that recognises it best reads it; the CSV files one reader recognises in one
folder make one return. Anything no reader recognises is refused with a reason, never guessed at.

Nothing is skipped silently: a path that does not exist, a folder or file that cannot be read, or a broken
link is a Problem naming it; a file in a folder whose name is not a return's (.txt, .pdf) is listed as skipped.
"""

from __future__ import annotations

import csv
import os
import re
import stat
import zipfile
from collections import defaultdict
from pathlib import Path

from .model import ParsedReturn
from .problems import Problem, Problems, ReturnRejected
from .registry import Candidate, Head, Reader, reader, readers
from .xmlsafe import as_utf8

_SNIFF = 64 * 1024
_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)[\s/>]")
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_CONTROL = set(range(0, 9)) | {11, 12} | set(range(14, 32))
# The order returns are listed and loaded in (it numbers the loads): single files by container, XML first,
# then the folder returns by folder and format.
_ORDER = ("xml", "xlsx", "csv")
_CONTAINER_NAMES = {"xml": "XML", "csv": "CSV", "xlsx": "xlsx"}


def discover(paths: list[Path]) -> tuple[list[Candidate], list[Path]]:
    """The returns to read, and the files in folders skipped because their names are not a return's.

    Raises ReturnRejected listing every path that could not be read and every file no reader recognises.
    """
    problems: list[Problem] = []
    suffixes = {f".{r.container}" for r in readers()}
    singles: dict[str, list[Candidate]] = defaultdict(list)
    by_folder: dict[tuple[Path, str], list[Path]] = defaultdict(list)
    skipped: list[Path] = []
    for path, named in _find_files(paths, problems):
        if not named and path.suffix.lower() not in suffixes:
            skipped.append(path)
            continue
        file_problems = Problems(str(path))
        try:
            chosen = _choose(sniff(path, file_problems), file_problems)
        except ReturnRejected as rejected:
            problems.extend(rejected.problems)
            continue
        if chosen.per_folder:
            by_folder[(path.parent, chosen.format)].append(path)
        else:
            singles[chosen.container].append(Candidate(chosen.format, (path,), path.name))
    if problems:
        raise ReturnRejected(problems)
    candidates = [c for container in _ORDER for c in singles[container]]
    for (folder, format_), files in sorted(by_folder.items()):
        candidates.append(Candidate(format_, tuple(sorted(files)), folder.name))
    return candidates, skipped


def recognise(path: Path) -> Reader:
    """The reader for one file; raises ReturnRejected when it cannot be read or no reader recognises it."""
    problems = Problems(str(path))
    return _choose(sniff(path, problems), problems)


def read_one(candidate: Candidate, la: str | None, year: str | None) -> ParsedReturn | ReturnRejected:
    """Read one return; its rejection is returned rather than raised so that a worker process can send it
    (with every problem counted, not only those kept to be listed)."""
    try:
        return reader(candidate.format).read(candidate, la, year)
    except ReturnRejected as rejected:
        return ReturnRejected(
            [_with_path(p, candidate) for p in rejected.problems], rejected.total, rejected.counts
        )


def _with_path(problem: Problem, candidate: Candidate) -> Problem:
    """A reader names a file by its name and a folder return by the folder's: here they get the path they were
    found at, as detection's own problems do (two years' 903 folders both hold a header.csv)."""
    paths = {f.name: f for f in candidate.files}
    if problem.file in paths:
        where = str(paths[problem.file])
    elif problem.file == candidate.name and candidate.files:
        where = str(candidate.files[0].parent)
    else:
        return problem
    return Problem(where, problem.location, problem.field, problem.value, problem.rule)


# ---- finding files -----------------------------------------------------------------------------------------


def _find_files(paths: list[Path], problems: list[Problem]) -> list[tuple[Path, bool]]:
    """(file, named explicitly) for every file under the given paths, in path order; what cannot be read is
    added to `problems`. Links to folders are followed, each folder once."""
    out: list[tuple[Path, bool]] = []
    for path in paths:
        what = _what_is(path, problems)
        if what == "folder":
            _walk(path, out, problems, seen=set())
        elif what == "file":
            out.append((path, True))
    return out


def _walk(folder: Path, out: list[tuple[Path, bool]], problems: list[Problem], seen: set[str]) -> None:
    real = os.path.realpath(folder)
    if real in seen:
        return  # a link back to a folder already searched: its files are listed once
    seen.add(real)
    try:
        with os.scandir(folder) as found:
            names = sorted(entry.name for entry in found)
    except OSError as error:
        problems.append(Problem(str(folder), "-", "folder", None, f"cannot be read: {_reason(error)}"))
        return
    for name in names:
        if name.startswith((".", "~$")):  # hidden files, and Excel's lock files while a workbook is open
            continue
        path = folder / name
        what = _what_is(path, problems)
        if what == "folder":
            _walk(path, out, problems, seen)
        elif what == "file":
            out.append((path, False))


def _what_is(path: Path, problems: list[Problem]) -> str | None:
    """'folder' or 'file', or None with a Problem saying why it cannot be read."""
    try:
        mode = path.stat().st_mode  # follows links
    except FileNotFoundError:
        rule = (
            "a broken link: what it points to does not exist"
            if path.is_symlink()
            else "no such file or folder"
        )
        problems.append(Problem(str(path), "-", "path", None, rule))
        return None
    except OSError as error:
        problems.append(Problem(str(path), "-", "path", None, f"cannot be read: {_reason(error)}"))
        return None
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISREG(mode):
        return "file"
    problems.append(Problem(str(path), "-", "path", None, "not a file or folder (a device, pipe or socket)"))
    return None


def _reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()


# ---- recognising a file ------------------------------------------------------------------------------------


def sniff(path: Path, problems: Problems) -> Head:
    """The file's container and first bytes; a Problem for an unreadable, empty, binary or unrecognisable file."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF)
    except OSError as error:
        raise problems.fatal("-", "file", None, f"cannot be read: {_reason(error)}") from None
    if path.suffix.lower() == ".xlsx" or (head.startswith(b"PK\x03\x04") and _is_workbook(path)):
        return Head(path, "xlsx", head)  # by name or content; the reader checks it is a readable workbook
    head = as_utf8(head)  # UTF-16 text (with its byte-order mark) is recognised as the UTF-8 it holds
    if not head.strip():
        raise problems.fatal("line 1", "file", None, "the file is empty")
    if _looks_binary(head):
        raise problems.fatal("line 1", "file", None, "a binary file, not a CIN census or SSDA903 return")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return Head(path, "xml", head, root=_xml_root(head, problems))
    first_line = text.split(b"\n", 1)[0]
    if b"," in first_line:
        return Head(path, "csv", head, header=_csv_header(head))
    raise problems.fatal("line 1", "file", None, "neither XML nor CSV: not a CIN census or SSDA903 return")


def _choose(head: Head, problems: Problems) -> Reader:
    """The reader that recognises the file best (on equal scores, the first registered); else the container's
    fallback reader; else a Problem naming what each reader looks for."""
    offered = [r for r in readers() if r.container == head.container]
    scores = [r.recognise(head) for r in offered]
    if scores and max(scores) > 0:
        return offered[scores.index(max(scores))]
    fallback = next((r for r in offered if r.fallback), None)
    if fallback is not None:
        return fallback
    wanted = _either([r.looks_for for r in offered])
    where, shown = ("root element", head.root) if head.container == "xml" else ("file", None)
    raise problems.fatal("line 1", where, shown, f"not a {wanted} {_CONTAINER_NAMES[head.container]} return")


def _either(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def _looks_binary(head: bytes) -> bool:
    """NUL bytes or many control characters. Legacy encodings (Windows-1252) are text, not binary."""
    sample = head[:8192]
    return b"\x00" in sample or sum(b in _CONTROL for b in sample) > len(sample) // 100


def _xml_root(head: bytes, problems: Problems) -> str:
    """Local name of the root element, read from the first bytes (no parsing of the rest)."""
    match = _ROOT.search(
        _COMMENT.sub(b"", head)
    )  # `<?xml` and `<!DOCTYPE` cannot match: names start a letter
    if not match:
        raise problems.fatal("line 1", "XML", None, "no root element found")
    return match.group(2).decode()


def _csv_header(head: bytes) -> tuple[str, ...]:
    """The first line's cells, read leniently (recognition only: the reader reports problems)."""
    first = head.split(b"\n", 1)[0]
    try:
        line = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        line = first.decode("cp1252", errors="replace")
    return tuple(next(csv.reader([line.rstrip("\r")]), []))


def _is_workbook(path: Path) -> bool:
    """An Office Open XML workbook: a zip holding xl/workbook.xml."""
    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


__all__ = ["discover", "read_one", "recognise", "sniff"]
