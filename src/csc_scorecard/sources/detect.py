"""Finding the returns in what the analyst points at, and recognising each one's format from its content.

`load` accepts files and folders (searched recursively). XML files are told apart by their root element
(CIN census `Message`, a CSWW census `Message` holding CSWWWorker/LALevelVacancies, or an SSDA903 document of
CHILD elements); CSV files are SSDA903 tables or csc-scorecard templates (early help, workforce, youth justice,
case audits), each recognised by its header set, and the CSV files of one kind in one folder make one return;
an .xlsx is an Ofsted Annex A workbook (a zip holding xl/workbook.xml). Anything else is refused with a reason,
never guessed at.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .model import ParsedReturn
from .problems import Problem, Problems, ReturnRejected

_SNIFF = 64 * 1024
_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)[\s/>]")
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_CONTROL = set(range(0, 9)) | {11, 12} | set(range(14, 32))
RETURN_SUFFIXES = {".xml", ".csv", ".xlsx"}
_CSWW_MARKERS = (
    b"<CSWWWorker",
    b"<LALevelVacancies",
    b"<Collection>CSWW<",
    b":CSWWWorker",
    b":LALevelVacancies",
)


@dataclass(frozen=True)
class Candidate:
    format: str  # cin_xml, ssda903_xml, ssda903_csv, csww_xml, annex_a_xlsx, <local kind>_csv
    files: tuple[Path, ...]
    name: str  # file name, or folder name for a 903 CSV return


def sniff(path: Path, problems: Problems) -> str:
    """'xml' or 'csv' by content; a Problem for empty, binary or unrecognisable files."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF)
    if not head.strip():
        raise problems.fatal("line 1", "file", None, "the file is empty")
    if _looks_binary(head):
        raise problems.fatal("line 1", "file", None, "a binary file, not a CIN census or SSDA903 return")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return "xml"
    first_line = text.split(b"\n", 1)[0]
    if b"," in first_line:
        return "csv"
    raise problems.fatal("line 1", "file", None, "neither XML nor CSV: not a CIN census or SSDA903 return")


def _looks_binary(head: bytes) -> bool:
    """NUL bytes or many control characters. Legacy encodings (Windows-1252) are text, not binary."""
    sample = head[:8192]
    return b"\x00" in sample or sum(b in _CONTROL for b in sample) > len(sample) // 100


def xml_root(path: Path, problems: Problems) -> str:
    """Local name of the root element, read from the first bytes (no parsing of the rest)."""
    with path.open("rb") as handle:
        head = _COMMENT.sub(b"", handle.read(_SNIFF))
    match = _ROOT.search(head)  # `<?xml` and `<!DOCTYPE` cannot match: names start with a letter or _
    if not match:
        raise problems.fatal("line 1", "XML", None, "no root element found")
    return match.group(2).decode()


def classify_xml(path: Path) -> str:
    problems = Problems(path.name)
    root = xml_root(path, problems)
    with path.open("rb") as handle:
        head = handle.read(_SNIFF)
    if root == "Message":
        return "csww_xml" if any(marker in head for marker in _CSWW_MARKERS) else "cin_xml"
    if b"<CHILD>" in head or b"<CHILD " in head:
        return "ssda903_xml"
    raise problems.fatal(
        "line 1",
        "root element",
        root,
        "not a CIN census or CSWW census (Message) or SSDA903 (CHILD records) XML return",
    )


def discover(paths: list[Path]) -> tuple[list[Candidate], list[Path]]:
    """Candidates to read, and files skipped in folders because they are not .xml, .csv or .xlsx."""
    problems: list[Problem] = []
    xml_files: list[Path] = []
    xlsx_files: list[Path] = []
    csv_by_folder: dict[tuple[Path, str], list[Path]] = defaultdict(list)
    skipped: list[Path] = []
    for path, named in _expand(paths, problems):
        if not named and path.suffix.lower() not in RETURN_SUFFIXES:
            skipped.append(path)
            continue
        if _is_xlsx(path):
            xlsx_files.append(path)
            continue
        file_problems = Problems(str(path))
        try:
            kind = sniff(path, file_problems)
        except ReturnRejected as rejected:
            problems.extend(rejected.problems)
            continue
        if kind == "xml":
            xml_files.append(path)
        else:
            csv_by_folder[(path.parent, csv_kind(path))].append(path)
    candidates: list[Candidate] = []
    for path in xml_files:
        try:
            candidates.append(Candidate(classify_xml(path), (path,), path.name))
        except ReturnRejected as rejected:
            problems.extend(Problem(str(path), *_rest(p)) for p in rejected.problems)
    for path in xlsx_files:
        candidates.append(Candidate("annex_a_xlsx", (path,), path.name))
    for (folder, kind), csv_files in sorted(csv_by_folder.items()):
        candidates.append(Candidate(f"{kind}_csv", tuple(sorted(csv_files)), folder.name))
    if problems:
        raise ReturnRejected(problems)
    return candidates, skipped


def _is_xlsx(path: Path) -> bool:
    """An .xlsx by name or a zip by content; either way the Annex A reader checks it is a readable workbook."""
    if path.suffix.lower() == ".xlsx":
        return True
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04" and _annex_a().looks_like_xlsx(path)


def _annex_a():
    from . import annex_a

    return annex_a


def csv_kind(path: Path) -> str:
    """'ssda903', or the local template kind whose columns this CSV header is closer to (detect by content)."""
    from . import local_csv, ssda903

    header = local_csv.first_line(path)
    if ssda903.classify_header(header).exact:
        return "ssda903"
    exact = local_csv.classify_header(header)
    if exact.exact and exact.template is not None:
        return exact.template.kind
    # A header closer to a template than to any 903 table goes to that template's reader, which says what differs.
    kind, score = local_csv.template_overlap(header)
    if kind is not None and score >= 0.5 and score > _ssda903_overlap(header):
        return kind
    return "ssda903"


def _ssda903_overlap(header: list[str]) -> float:
    from . import ssda903

    given = {c.replace("\ufeff", "").strip().upper() for c in header}
    return max(len(given & set(cols)) / len(given | set(cols)) for cols in ssda903.TABLE_COLUMNS.values())


def _rest(problem: Problem) -> tuple[str, str, str | None, str]:
    return problem.location, problem.field, problem.value, problem.rule


def _expand(paths: list[Path], problems: list[Problem]) -> list[tuple[Path, bool]]:
    """(file, named explicitly) for every file under the given paths; hidden files in folders are ignored."""
    out: list[tuple[Path, bool]] = []
    for path in paths:
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                parts = file.relative_to(path).parts
                # hidden files, and Excel's lock files (~$name.xlsx) while a workbook is open
                hidden = any(part.startswith(".") for part in parts) or file.name.startswith("~$")
                if file.is_file() and not hidden:
                    out.append((file, False))
        elif path.is_file():
            out.append((path, True))
        else:
            problems.append(Problem(str(path), "-", "path", None, "no such file or folder"))
    return out


def read_one(candidate: Candidate, la: str | None, year: str | None) -> ParsedReturn | list[Problem]:
    """Read one return; its problems are returned rather than raised so that a worker process can send them."""
    from . import annex_a, cin_census, csww, local_csv, ssda903  # heavy imports; keep `discover` light

    try:
        if candidate.format == "cin_xml":
            return cin_census.read(candidate.files[0], la=la, year=year)
        if candidate.format == "ssda903_xml":
            return ssda903.read_xml(candidate.files[0], la=la, year=year)
        if candidate.format == "csww_xml":
            return csww.read(candidate.files[0], la=la, year=year)
        if candidate.format == "annex_a_xlsx":
            return annex_a.read(candidate.files[0], la=la, year=year)
        kind = candidate.format.removesuffix("_csv")
        if kind in local_csv.LOCAL_KINDS:
            return local_csv.read(
                list(candidate.files), kind=kind, la=la, year=year, folder_name=candidate.name
            )
        return ssda903.read_csv(list(candidate.files), la=la, year=year, folder_name=candidate.name)
    except ReturnRejected as rejected:
        return rejected.problems


# Below this many bytes of returns, starting worker processes costs more than it saves.
PARALLEL_FROM_BYTES = 20_000_000


def _size(candidate: Candidate) -> int:
    return sum(f.stat().st_size for f in candidate.files)


def read_returns(paths: list[Path], *, la: str | None = None, year: str | None = None):
    """Read and check every return under `paths`; raises ReturnRejected listing every problem in every file.

    Large batches are read in parallel, one return per worker process (parsing is CPU-bound Python), largest
    first; the results keep the order the returns were found in.
    """
    candidates, skipped = discover(paths)
    workers = min(len(candidates), os.cpu_count() or 1)
    if workers > 1 and sum(map(_size, candidates)) >= PARALLEL_FROM_BYTES:
        order = sorted(range(len(candidates)), key=lambda i: -_size(candidates[i]))
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            futures = {i: pool.submit(read_one, candidates[i], la, year) for i in order}
            outcomes = [futures[i].result() for i in range(len(candidates))]
    else:
        outcomes = [read_one(c, la, year) for c in candidates]
    problems = [p for o in outcomes if isinstance(o, list) for p in o]
    if problems:
        raise ReturnRejected(problems)
    return [o for o in outcomes if not isinstance(o, list)], skipped
