"""The local CSV templates: early help, workforce, youth justice and case audits (docs/templates/).

None of this is in a statutory return, so csc-scorecard defines the files. Each template is recognised by its
header *set* (as SSDA903 tables are): column names are matched case-insensitively, with spaces or hyphens read
as underscores, in any order; a column marked optional may be left out. The files of one kind in one folder
make one return (like a 903 CSV folder), so an early help return is the contacts, assessments and closures
files of that folder, and loading it again replaces all three.

Checks are those of the statutory readers: every problem names the file, line, column, value and rule; dates
are dd/mm/YYYY (Excel's 1/4/2016 is padded) or YYYY-MM-DD; codes are from the template's list (compared
upper-cased, spaces as underscores); mandatory values are present; no two rows share an identity; and no
event is dated after the end of the return's collection year.

Neither LA nor year is in the files: `--la` is required, and the **collection year** (the period key that a
newer load of the same kind replaces) is `--year`, else a year in the folder or file names, else the
financial year of the latest event date in the data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..periods import parse_financial_year
from .codelists import codelist
from .csvfile import read_rows
from .dates import parse_day
from .fields import checked_la
from .fields import clean as _clean
from .model import ParsedReturn, sha256_files
from .problems import Problems, raise_all
from .registry import Candidate, Head, Reader
from .tables import new_buffers
from .year import Latest, Years, decide

FIRST_YEAR = "2010-11"  # the working-day calendar's range: indicators cannot be computed outside it
LAST_YEAR = "2029-30"
YEARS = Years(FIRST_YEAR, LAST_YEAR, "outside the years the working-day calendar covers ({first} to {last})")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DECIMAL = re.compile(r"^\d+(\.\d+)?$|^\.\d+$")
_YES = {"Y", "YES", "1", "TRUE"}
_NO = {"N", "NO", "0", "FALSE"}

ASSESSMENT_TOOLS = ("EHA", "FAMILY_STAR", "OUTCOMES_STAR", "CAF", "OTHER")
CLOSURE_OUTCOMES = ("OUTCOMES_MET", "STEP_DOWN", "STEP_UP", "DISENGAGED", "MOVED_AWAY", "OTHER")
TEAM_TYPES = ("FRONT_DOOR", "SAFEGUARDING", "CHILDREN_IN_CARE", "CARE_LEAVERS", "DISABILITY", "OTHER")
ROLES = (
    "SOCIAL_WORKER",
    "SENIOR_PRACTITIONER",
    "TEAM_MANAGER",
    "SENIOR_MANAGER",
    "PERSONAL_ADVISER",
    "OTHER",
)
AUDIT_GRADES = ("OUTSTANDING", "GOOD", "REQUIRES_IMPROVEMENT", "INADEQUATE")
QUARTER_ENDS = ((3, 31), (6, 30), (9, 30), (12, 31))


@dataclass(frozen=True)
class Column:
    name: str  # as the header gives it (normalised: lower case, underscores)
    target: str  # the store table's column
    kind: str  # text | date | code | cin_code | yesno | count | fte | decimal | list
    required: bool = False  # a value must be given
    optional: bool = False  # the header may leave the column out
    codes: tuple[str, ...] = ()  # for kind "code"; for "cin_code" the CIN code list's name is codes[0]


@dataclass(frozen=True)
class Template:
    name: str  # the template (docs/templates/<kind>.md)
    kind: str  # the return it belongs to
    table: str  # the store table it fills (sources/tables.py)
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # identity of a row, in column names
    event_dates: tuple[str, ...]  # give the year when nothing else does; none may fall after the year's end
    checks: tuple[Callable[[dict[str, object]], tuple[str, str] | None], ...] = ()  # (column, rule) if broken

    @property
    def required_columns(self) -> set[str]:
        return {c.name for c in self.columns if not c.optional}

    @property
    def all_columns(self) -> set[str]:
        return {c.name for c in self.columns}


def _c(name: str, kind: str = "text", *, target: str | None = None, **kw: object) -> Column:
    return Column(name, target or name, kind, **kw)  # type: ignore[arg-type]


def _not_before(later: str, earlier: str, what: str) -> Callable[[dict[str, object]], tuple[str, str] | None]:
    def check(row: dict[str, object]) -> tuple[str, str] | None:
        a, b = row.get(later), row.get(earlier)
        if isinstance(a, dt.date) and isinstance(b, dt.date) and a < b:
            return later, f"before the {what} ({b:%d/%m/%Y})"
        return None

    return check


def _quarter_end(row: dict[str, object]) -> tuple[str, str] | None:
    day = row.get("quarter_end")
    if isinstance(day, dt.date) and (day.month, day.day) not in QUARTER_ENDS:
        return "quarter_end", "must be the last day of a quarter (31/03, 30/06, 30/09 or 31/12)"
    return None


def _not_more(part: str, whole: str) -> Callable[[dict[str, object]], tuple[str, str] | None]:
    def check(row: dict[str, object]) -> tuple[str, str] | None:
        a, b = row.get(part), row.get(whole)
        if isinstance(a, int) and isinstance(b, int) and a > b:
            return part, f"more than {whole} ({b})"
        return None

    return check


TEMPLATES: tuple[Template, ...] = (
    Template(
        "early_help_contacts",
        "early_help",
        "eh_contacts",
        (
            _c("child_id", required=True),
            _c("dob", "date", optional=True),
            _c("contact_date", "date", required=True),
            _c("contact_source", "cin_code", optional=True, codes=("ReferralSource",)),
        ),
        ("child_id", "contact_date"),
        ("contact_date",),
    ),
    Template(
        "early_help_assessments",
        "early_help",
        "eh_assessments",
        (
            _c("child_id", required=True),
            _c("assessment_start_date", "date", target="start_date", required=True),
            _c("assessment_completed_date", "date", target="completed_date"),
            _c("assessment_tool", "code", required=True, codes=ASSESSMENT_TOOLS),
            _c("team", optional=True),
        ),
        ("child_id", "assessment_start_date"),
        ("assessment_start_date", "assessment_completed_date"),
        (_not_before("assessment_completed_date", "assessment_start_date", "assessment start date"),),
    ),
    Template(
        "early_help_closures",
        "early_help",
        "eh_closures",
        (
            _c("child_id", required=True),
            _c("episode_start_date", "date", required=True),
            _c("closure_date", "date", required=True),
            _c("closure_outcome", "code", required=True, codes=CLOSURE_OUTCOMES),
        ),
        ("child_id", "episode_start_date"),
        ("closure_date",),
        (_not_before("closure_date", "episode_start_date", "episode start date"),),
    ),
    Template(
        "workforce_workers",
        "workforce",
        "sw_workers",
        (
            _c("worker_id", required=True),
            _c("team", required=True),
            _c("team_type", "code", required=True, codes=TEAM_TYPES),
            _c("role", "code", required=True, codes=ROLES),
            _c("asye", "yesno", required=True),
            _c("agency", "yesno", required=True),
            _c("fte", "fte", required=True),
            _c("start_date", "date", required=True),
            _c("end_date", "date"),
        ),
        ("worker_id", "start_date"),
        ("start_date",),  # an end date may be planned (an agency contract), so it is not an event
        (_not_before("end_date", "start_date", "start date"),),
    ),
    Template(
        "workforce_caseloads",
        "workforce",
        "sw_caseloads",
        (
            _c("worker_id", required=True),
            _c("snapshot_date", "date", required=True),
            _c("cases", "count", required=True),
        ),
        ("worker_id", "snapshot_date"),
        ("snapshot_date",),
    ),
    Template(
        "workforce_establishment",
        "workforce",
        "sw_establishment",
        (
            _c("team", required=True),
            _c("effective_date", "date", required=True),
            _c("funded_fte", "decimal", required=True),
        ),
        ("team", "effective_date"),
        ("effective_date",),
    ),
    Template(
        "youth_justice",
        "youth_justice",
        "youth_justice",
        (
            _c("quarter_end", "date", required=True),
            _c("population_10_17", "count", required=True),
            _c("first_time_entrants", "count"),
            _c("reoffending_cohort", "count"),
            _c("reoffenders", "count"),
            _c("reoffences", "count"),
            _c("custodial_sentences", "count"),
        ),
        ("quarter_end",),
        ("quarter_end",),
        (_quarter_end, _not_more("reoffenders", "reoffending_cohort")),
    ),
    Template(
        "case_audits",
        "case_audits",
        "case_audits",
        (
            _c("audit_id", required=True),
            _c("child_id", optional=True),
            _c("audit_date", "date", required=True),
            _c("team", required=True),
            _c("grade", "code", required=True, codes=AUDIT_GRADES),
            _c("themes", "list", optional=True),
        ),
        ("audit_id",),
        ("audit_date",),
    ),
)
TEMPLATES_BY_NAME = {t.name: t for t in TEMPLATES}
LOCAL_KINDS = tuple(dict.fromkeys(t.kind for t in TEMPLATES))


# ---- header recognition ------------------------------------------------------------------------------


def column_name(raw: str) -> str:
    """'Child ID ' -> 'child_id', 'Assessment-tool' -> 'assessment_tool'."""
    text = raw.replace("\ufeff", "").strip().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


@dataclass(frozen=True)
class TemplateMatch:
    template: Template | None  # the exact template, or the closest (None: nothing close)
    exact: bool
    missing: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    repeated: tuple[str, ...] = ()


def _overlap(given: set[str], template: Template) -> float:
    expected = template.all_columns
    return len(given & expected) / len(given | expected)


def classify_header(columns: Iterable[str]) -> TemplateMatch:
    """The template this header is (every required column, only known ones), or the closest and what differs."""
    names = [column_name(c) for c in columns]
    given = set(names)
    repeated = tuple(sorted({n for n in names if names.count(n) > 1}))
    for template in TEMPLATES:
        if template.required_columns <= given <= template.all_columns and not repeated:
            return TemplateMatch(template, True)
    best = max(TEMPLATES, key=lambda t: _overlap(given, t))
    if _overlap(given, best) < 0.5:
        return TemplateMatch(None, False)
    missing = tuple(c.name for c in best.columns if not c.optional and c.name not in given)
    unknown = tuple(dict.fromkeys(n or "(blank)" for n in names if n not in best.all_columns))
    return TemplateMatch(best, False, missing, unknown, repeated)


def _recogniser(kind: str) -> Callable[[Head], float]:
    """An exact header of one of the kind's templates, else the closest of them when it is close (detection
    weighs that against the 903 tables, so a near miss goes to the reader that can say what differs)."""
    templates = [t for t in TEMPLATES if t.kind == kind]

    def recognise(head: Head) -> float:
        found = classify_header(head.header)
        if found.exact:
            return 1.0 if found.template is not None and found.template.kind == kind else 0.0
        given = {column_name(c) for c in head.header}
        score = max(_overlap(given, t) for t in templates)
        return score if score >= 0.5 else 0.0

    return recognise


# ---- values -----------------------------------------------------------------------------------------


def parse_date(value: str) -> dt.date | None:
    """dd/mm/YYYY (d/m/YYYY too) or YYYY-MM-DD; None if neither or not a real date."""
    return parse_day(value, _DMY, _ISO)


def normalise_code(value: str) -> str:
    """'Requires improvement' -> 'REQUIRES_IMPROVEMENT', 'family-star' -> 'FAMILY_STAR'."""
    return re.sub(r"[\s\-]+", "_", value.strip()).upper()


class _Values:
    """Converts one file's values, adding a Problem (and returning None) for each bad one."""

    def __init__(self, problems: Problems, year: str):
        self.problems = problems
        self.year = year

    def convert(self, column: Column, raw: str | None, where: str) -> object:
        value = _clean(raw)
        if value is None:
            if column.required:
                self.problems.add(where, column.name, None, "mandatory field is missing")
            return None
        return getattr(self, f"_{column.kind}")(column, value, where)

    def _bad(self, column: Column, value: str, where: str, rule: str) -> None:
        self.problems.add(where, column.name, value, rule)

    def _text(self, column: Column, value: str, where: str) -> str:
        return value

    def _date(self, column: Column, value: str, where: str) -> dt.date | None:
        day = parse_date(value)
        if day is None:
            self._bad(column, value, where, "not a valid date in the form dd/mm/YYYY (or YYYY-MM-DD)")
        return day

    def _code(self, column: Column, value: str, where: str) -> str | None:
        code = normalise_code(value)
        if code in column.codes:
            return code
        self._bad(column, value, where, f"not one of the {column.name} codes: {', '.join(column.codes)}")
        return None

    def _cin_code(self, column: Column, value: str, where: str) -> str | None:
        code = value.upper()
        if code in codelist("cin", column.codes[0], self.year):
            return code
        self._bad(column, value, where, f"not a valid CIN {column.codes[0]} code for {self.year}")
        return None

    def _yesno(self, column: Column, value: str, where: str) -> bool | None:
        if value.upper() in _YES:
            return True
        if value.upper() in _NO:
            return False
        self._bad(column, value, where, "must be Y or N")
        return None

    def _count(self, column: Column, value: str, where: str) -> int | None:
        if value.isdigit():
            return int(value)
        self._bad(column, value, where, "must be a whole number of at least 0")
        return None

    def _decimal(self, column: Column, value: str, where: str) -> float | None:
        if _DECIMAL.match(value):
            return float(value)
        self._bad(column, value, where, "must be a number of at least 0 (a full stop for decimals)")
        return None

    def _fte(self, column: Column, value: str, where: str) -> float | None:
        if _DECIMAL.match(value) and 0 < float(value) <= 1:
            return float(value)
        self._bad(column, value, where, "must be a full-time equivalent above 0 and at most 1 (e.g. 0.6)")
        return None

    def _list(self, column: Column, value: str, where: str) -> list[str]:
        return [part.strip() for part in value.split(";") if part.strip()]


# ---- reading ----------------------------------------------------------------------------------------


@dataclass
class _File:
    path: Path
    template: Template
    columns: list[str]
    problems: Problems
    rows: list[tuple[int, list[str]]] = field(default_factory=list)

    def latest_event(self) -> dt.date | None:
        positions = [i for i, c in enumerate(self.columns) if c in self.template.event_dates]
        days = (parse_date((values[i] or "").strip()) for _, values in self.rows for i in positions)
        return max((d for d in days if d is not None), default=None)


def _header_problems(found: TemplateMatch, header: list[str], problems: Problems) -> None:
    if found.template is None:
        shown = ",".join(h.strip() for h in header)
        problems.add("line 1", "header", shown[:200], "not a csc-scorecard template: see docs/templates/")
        return
    name = found.template.name
    for column in found.missing:
        problems.add("line 1", column, None, f"column missing: the header looks like the {name} template")
    for column in found.unknown:
        problems.add("line 1", column, column, f"not a column of the {name} template")
    for column in found.repeated:
        problems.add("line 1", column, column, "the column appears more than once in the header")


def _read_file(path: Path, problems: Problems) -> _File | None:
    def recognise(header: list[str]) -> tuple[Template, list[str]] | None:
        found = classify_header(header)
        if not found.exact or found.template is None:
            _header_problems(found, header, problems)
            return None
        return found.template, [column_name(h) for h in header]

    read = read_rows(path, problems, "a template", recognise)
    if read is None:
        return None
    template, columns, rows = read
    parsed = _File(path, template, columns, problems)
    parsed.rows.extend(rows)
    return parsed


def _convert(parsed: _File, year: str, year_end: dt.date) -> list[tuple[int, dict[str, object]]]:
    """Rows of the store table, each with its line; Problems for bad values, duplicates and late events."""
    template, values = parsed.template, _Values(parsed.problems, year)
    seen: dict[tuple[object, ...], int] = {}
    out = []
    for line, record in parsed.rows:
        where = f"line {line}"
        raw = dict(zip(parsed.columns, record, strict=True))
        row = {c.name: values.convert(c, raw.get(c.name), where) for c in template.columns}
        for column in template.event_dates:
            day = row.get(column)
            if isinstance(day, dt.date) and day > year_end:
                parsed.problems.add(
                    where,
                    column,
                    raw.get(column, "").strip(),
                    f"after the end of the collection year {year} ({year_end:%d/%m/%Y}): "
                    "split the file by financial year, or pass --year",
                )
        for check in template.checks:
            broken = check(row)
            if broken is not None:
                parsed.problems.add(where, broken[0], raw.get(broken[0], "").strip(), broken[1])
        key = tuple(row.get(c) for c in template.key)
        if all(part is not None for part in key):
            first = seen.setdefault(key, line)
            if first != line:
                shown = ", ".join(str(raw.get(c, "")).strip() for c in template.key)
                parsed.problems.add(
                    where,
                    ", ".join(template.key),
                    shown,
                    f"duplicate row: line {first} has the same {' and '.join(template.key)}",
                )
        out.append((line, {c.target: row[c.name] for c in template.columns}))
    return out


def _check_workers_known(
    files: dict[str, _File], rows: dict[str, list[tuple[int, dict[str, object]]]]
) -> None:
    """A caseload for a worker the workers file of the same return does not list cannot be placed in a team."""
    if "workforce_caseloads" not in files or "workforce_workers" not in files:
        return
    known = {row["worker_id"] for _, row in rows["workforce_workers"]}
    caseloads = files["workforce_caseloads"]
    for line, row in rows["workforce_caseloads"]:
        if row["worker_id"] is not None and row["worker_id"] not in known:
            caseloads.problems.add(
                f"line {line}",
                "worker_id",
                str(row["worker_id"]),
                f"not in the workers file ({files['workforce_workers'].path.name})",
            )


def read(files: list[Path], *, kind: str, la: str | None, year: str | None, folder_name: str) -> ParsedReturn:
    """Read one return of a local kind (a folder's files of that kind); raises ReturnRejected listing every
    problem found."""
    files = [Path(f) for f in files]
    overall = Problems(folder_name)
    per_file: list[Problems] = []
    la_code = checked_la(la, overall, f"the {kind.replace('_', ' ')} template")
    parsed: dict[str, _File] = {}
    for path in files:
        problems = Problems(path.name)
        per_file.append(problems)
        found = _read_file(path, problems)
        if found is None:
            continue
        if found.template.kind != kind:  # pragma: no cover - detection groups files by kind
            problems.add("line 1", "header", found.template.name, f"not a {kind} template")
            continue
        first = parsed.setdefault(found.template.name, found)
        if first is not found:
            problems.add(
                "line 1",
                "header",
                found.template.name,
                f"a second file for the {found.template.name} template ({first.path.name} has it): "
                "a return has one file per template",
            )
    decided = decide(
        overall,
        YEARS,
        option=year,
        folder=folder_name,
        files=[p.name for p in files],
        latest=Latest(lambda: _latest_event(parsed.values()), "dates in the data"),
    )
    if decided is None:
        raise_all([overall, *per_file])
    assert decided is not None
    collection_year = decided.year
    year_end = dt.date(parse_financial_year(collection_year) + 1, 3, 31)
    rows = {name: _convert(found, collection_year, year_end) for name, found in parsed.items()}
    _check_workers_known(parsed, rows)
    raise_all([overall, *per_file])
    assert la_code is not None
    buffers = new_buffers(kind)
    for name, converted in rows.items():
        target = buffers[TEMPLATES_BY_NAME[name].table]
        for line, row in converted:
            target.append(line, row)
    present = {TEMPLATES_BY_NAME[name].table for name in parsed}
    return ParsedReturn(
        kind=kind,
        format=f"{kind}_csv",
        source_name=folder_name,
        files=files,
        sha256=sha256_files(files),
        la_code=la_code,
        collection_year=collection_year,
        year_source=decided.source,
        tables={name: buffer.to_arrow() for name, buffer in buffers.items() if name in present},
    )


def _latest_event(files: Iterable[_File]) -> dt.date | None:
    return max((d for f in files if (d := f.latest_event()) is not None), default=None)


def _reader(kind: str) -> Reader:
    def read_candidate(candidate: Candidate, la: str | None, year: str | None) -> ParsedReturn:
        return read(list(candidate.files), kind=kind, la=la, year=year, folder_name=candidate.name)

    name = kind.replace("_", " ").capitalize()
    several = sum(t.kind == kind for t in TEMPLATES) > 1
    return Reader(
        format=f"{kind}_csv",
        format_name=f"{name} (CSV template{'s' if several else ''})",
        kind=kind,
        kind_name=name,
        container="csv",
        recognise=_recogniser(kind),
        read=read_candidate,
        looks_for=f"{name.lower()} template",
        per_folder=True,
    )


READERS = tuple(_reader(kind) for kind in LOCAL_KINDS)

__all__ = [
    "ASSESSMENT_TOOLS",
    "AUDIT_GRADES",
    "CLOSURE_OUTCOMES",
    "LOCAL_KINDS",
    "READERS",
    "ROLES",
    "TEAM_TYPES",
    "TEMPLATES",
    "TEMPLATES_BY_NAME",
    "Template",
    "classify_header",
    "column_name",
    "read",
]
