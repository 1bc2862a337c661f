"""Manual measures: figures no return holds (Step Up students, Frontline units, NEET young people engaged, newly
qualified workers recruited), declared once in a YAML file and recorded by hand per month or quarter.

**Declarations** (README, "Manual measures"): each measure's id, label, area, unit (a count, or a percentage
with what its numerator and denominator count), polarity, kind and frequency, and optionally a target:

    measures:
      - id: nqsw_recruited
        label: Newly qualified social workers recruited
        area: workforce
        unit: count
        polarity: higher
        kind: flow          # a window sums its months; stock: the latest value in the window
        frequency: month    # or quarter: a value for each three months
        target: {value: 20, tolerance: 2}

`csc-scorecard measures declare FILE` keeps them in the store beside their values (store/manual_values.py), so
every command and the dashboard see the same measures without any setting.

**Values** come from the CSV template below, recognised by `load` from its header like every template, or from
the dashboard's form. The reader checks each row on its own (a measure id, a month, numbers); whether the
measure is declared, whether the period suits its frequency and whether a percentage has its denominator are
checked against the declarations when the load is committed, before anything is written (`value_problems`),
because only the store holds them.

    measure_id,period,value,denominator,note
    nqsw_recruited,2016-12,3,,
    neet_engaged_pct,2016-12,23,61,

`period` is a month, `YYYY-MM`; a quarterly measure's value is given against the quarter's last month (`2016-12`
is October to December 2016), never as a year-to-date code. A value is a number of at least 0; a percentage's
numerator (`value`) is at most its denominator.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..periods import add_months, month_end
from .csvfile import read_rows
from .fields import checked_la, clean
from .local_csv import column_name
from .model import ParsedReturn, sha256_file
from .problems import Problem, Problems, ReturnRejected
from .registry import Candidate, Head, Reader
from .year import Latest, Years, decide

NAME = r"^[a-z][a-z0-9_]*$"
TABLE = "manual_values"  # what the reader hands to the store (not a canonical table: store/manual_values.py)
COLUMNS = ("measure_id", "period", "value", "denominator", "note")
REQUIRED = frozenset({"measure_id", "period", "value"})
YEARS = Years("2010-11", "2029-30", "outside the years csc-scorecard reports ({first} to {last})")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$|^\.\d+$")
QUARTER_ENDS = (3, 6, 9, 12)


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TargetSpec(Entry):
    value: float
    tolerance: float = Field(default=0.0, ge=0)


class MeasureDeclaration(Entry):
    """One measure as declared; the catalogue turns it into an indicator (catalogue/manual.py)."""

    id: str = Field(pattern=NAME, max_length=60)
    label: str = Field(min_length=1, max_length=200)
    area: str = Field(pattern=NAME, max_length=40)
    unit: Literal["count", "percent"]
    polarity: Literal["higher", "lower", "neutral"]
    kind: Literal["flow", "stock"]
    frequency: Literal["month", "quarter"] = "month"
    description: str = ""
    numerator: str | None = Field(default=None, description="what a percentage's numerator counts")
    denominator: str | None = Field(default=None, description="what a percentage's denominator counts")
    target: TargetSpec | None = None
    plural: bool = True  # the label is a plural noun phrase, for verb agreement

    @model_validator(mode="after")
    def _labels_fit_the_unit(self) -> MeasureDeclaration:
        if self.unit == "percent" and not (self.numerator and self.denominator):
            raise ValueError("a percentage needs numerator and denominator: what each of them counts")
        if self.unit == "count" and self.denominator is not None:
            raise ValueError("a count has no denominator (use unit: percent for a proportion)")
        return self

    def span(self, period: str) -> tuple[dt.date, dt.date]:
        """The days a value for `period` (a month, or a quarter's last month) covers."""
        year, month = _month(period)
        first = (
            add_months(dt.date(year, month, 1), -2)
            if self.frequency == "quarter"
            else dt.date(year, month, 1)
        )
        return first, month_end(year, month)


class MeasuresFile(Entry):
    measures: list[MeasureDeclaration] = Field(min_length=1)


class DeclarationError(ValueError):
    """A measures file that cannot be used; `problems` names file, measure and field of each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def read_declarations(path: Path) -> list[MeasureDeclaration]:
    """Read and check a measures file; DeclarationError lists every problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DeclarationError([f"{Path(path).name}: cannot be read: {error}"]) from None
    return parse_declarations(text, Path(path).name)


def parse_declarations(text: str, name: str = "measures.yaml") -> list[MeasureDeclaration]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        raise DeclarationError(
            [f"{name}:{where} not valid YAML: {getattr(error, 'problem', error)}"]
        ) from None
    if not isinstance(data, dict):
        raise DeclarationError([f"{name}: expected a mapping with a list of `measures:`"])
    try:
        parsed = MeasuresFile.model_validate(data)
    except ValidationError as error:
        raise DeclarationError([_problem(name, data, item) for item in error.errors()]) from None
    seen: dict[str, int] = {}
    problems = []
    for number, measure in enumerate(parsed.measures, start=1):
        if measure.id in seen:
            problems.append(
                f"{name}: measure {number} ({measure.id}): id: already used by measure {seen[measure.id]}"
            )
        seen.setdefault(measure.id, number)
    if problems:
        raise DeclarationError(problems)
    return parsed.measures


def _problem(name: str, data: dict, item: Any) -> str:
    loc = tuple(item["loc"])
    where, rest = "file", loc
    if len(loc) >= 2 and loc[0] == "measures" and isinstance(loc[1], int):
        entry = (data.get("measures") or [None] * (loc[1] + 1))[loc[1]]
        ident = entry.get("id") if isinstance(entry, dict) else None
        where, rest = f"measure {loc[1] + 1}" + (f" ({ident})" if ident else ""), loc[2:]
    field = ".".join(str(p) for p in rest) or "(measure)"
    message = item["msg"].removeprefix("Value error, ")
    got = item.get("input")
    shown = f" (got {got!r})" if item["type"] != "missing" and not isinstance(got, dict | list) else ""
    return f"{name}: {where}: {field}: {message}{shown}"


# ---- one value ------------------------------------------------------------------------------------------------


def _month(period: str) -> tuple[int, int]:
    m = _MONTH.match(period.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"{period!r} is not a month like 2016-12")
    return int(m.group(1)), int(m.group(2))


def period_problem(period: str, today: dt.date) -> str | None:
    """Why `period` cannot hold a value, or None."""
    try:
        year, month = _month(period)
    except ValueError:
        return "not a month: use YYYY-MM, e.g. 2016-12 (a quarterly measure: the quarter's last month)"
    if month_end(year, month) >= today:
        return "the month has not ended yet"
    return None


def number(text: str | None) -> float | None:
    """A plain number of at least 0 ('12', '3.5'), else None."""
    text = clean(text)
    return float(text) if text is not None and _NUMBER.match(text) else None


def value_problems(
    measure: MeasureDeclaration | None, measure_id: str, period: str, value: float, denominator: float | None
) -> list[tuple[str, str]]:
    """(field, rule) for a value that does not suit its measure's declaration (None: not declared)."""
    if measure is None:
        return [
            ("measure_id", f"no measure {measure_id!r} is declared (csc-scorecard measures declare FILE)")
        ]
    out = []
    if measure.frequency == "quarter" and _month(period)[1] not in QUARTER_ENDS:
        out.append(
            (
                "period",
                f"{measure.id} is recorded by quarter: give the quarter's last month (03, 06, 09 or 12)",
            )
        )
    if measure.unit == "percent" and denominator is None:
        out.append(
            ("denominator", f"{measure.id} is a percentage: give its denominator ({measure.denominator})")
        )
    if measure.unit == "count" and denominator is not None:
        out.append(("denominator", f"{measure.id} is a count: leave the denominator blank"))
    if measure.unit == "count" and not float(value).is_integer():
        out.append(("value", f"{measure.id} is a count: a whole number"))
    return out


# ---- the CSV template -----------------------------------------------------------------------------------------


def _recognise(head: Head) -> float:
    """Exactly the template's columns (the optional ones may be left out), else how close it comes."""
    given = {column_name(c) for c in head.header}
    if REQUIRED <= given <= set(COLUMNS):
        return 1.0
    overlap = len(given & set(COLUMNS)) / len(given | set(COLUMNS))
    return overlap if overlap >= 0.5 else 0.0


@dataclass(frozen=True)
class ValueRow:
    line: int
    measure_id: str
    period: str
    value: float
    denominator: float | None
    note: str | None


def _header(header: list[str], problems: Problems) -> tuple[str, list[str]] | None:
    names, before = [column_name(h) for h in header], problems.total
    for name in dict.fromkeys(n or "(blank)" for n in names if n not in COLUMNS):
        problems.add(
            "line 1", name, name, f"not a column of the manual measures template ({', '.join(COLUMNS)})"
        )
    for name in sorted(REQUIRED - set(names)):
        problems.add(
            "line 1", name, None, "column missing: the header looks like the manual measures template"
        )
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.add("line 1", name, name, "the column appears more than once in the header")
    return None if problems.total > before else ("manual_values", names)


def read_values(path: Path, problems: Problems, today: dt.date | None = None) -> list[ValueRow]:
    """Every row of a values file checked on its own (measure id, month, numbers, repeats); Problems for the rest."""
    today = today or dt.date.today()
    read = read_rows(path, problems, "the manual measures template", lambda h: _header(h, problems))
    if read is None:
        return []
    _, columns, records = read
    out: list[ValueRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, cells in records:
        where, raw = f"line {line}", dict(zip(columns, cells, strict=True))
        before = problems.total
        measure_id, period = clean(raw.get("measure_id")) or "", clean(raw.get("period")) or ""
        if not measure_id:
            problems.add(where, "measure_id", None, "mandatory field is missing")
        elif not re.match(NAME, measure_id):
            problems.add(
                where, "measure_id", measure_id, "not a measure id (lower case letters, digits and _)"
            )
        if not period:
            problems.add(where, "period", None, "mandatory field is missing")
        elif (why := period_problem(period, today)) is not None:
            problems.add(where, "period", period, why)
        value, denominator = number(raw.get("value")), number(raw.get("denominator"))
        if clean(raw.get("value")) is None:
            problems.add(where, "value", None, "mandatory field is missing")
        elif value is None:
            problems.add(
                where,
                "value",
                raw["value"].strip(),
                "must be a number of at least 0 (a full stop for decimals)",
            )
        if clean(raw.get("denominator")) is not None and (denominator is None or denominator == 0):
            problems.add(
                where, "denominator", raw["denominator"].strip(), "must be a number above 0, or blank"
            )
        elif value is not None and denominator is not None and value > denominator:
            problems.add(
                where,
                "value",
                raw["value"].strip(),
                f"more than the denominator ({raw['denominator'].strip()})",
            )
        if measure_id and period and (first := seen.setdefault((measure_id, period), line)) != line:
            problems.add(
                where,
                "measure_id, period",
                f"{measure_id}, {period}",
                f"duplicate row: line {first} has the same measure and period",
            )
        if problems.total == before:
            out.append(ValueRow(line, measure_id, period, value, denominator, clean(raw.get("note"))))  # type: ignore[arg-type]
    return out


def to_arrow(rows: Sequence[ValueRow]) -> pa.Table:
    return pa.table(
        {
            "measure_id": pa.array([r.measure_id for r in rows], pa.string()),
            "period": pa.array([r.period for r in rows], pa.string()),
            "value": pa.array([r.value for r in rows], pa.float64()),
            "denominator": pa.array([r.denominator for r in rows], pa.float64()),
            "note": pa.array([r.note for r in rows], pa.string()),
            "src_line": pa.array([r.line for r in rows], pa.int32()),
        }
    )


def from_arrow(table: pa.Table) -> list[ValueRow]:
    return [
        ValueRow(r["src_line"], r["measure_id"], r["period"], r["value"], r["denominator"], r["note"])
        for r in table.to_pylist()
    ]


def declared_problems(
    rows: Sequence[ValueRow], declared: Mapping[str, MeasureDeclaration], file: str
) -> list[Problem]:
    """What the store's declarations say is wrong with rows the reader passed (see the module docstring)."""
    return [
        Problem(file, f"line {r.line}", field, _shown(getattr(r, field)), rule)
        for r in rows
        for field, rule in value_problems(
            declared.get(r.measure_id), r.measure_id, r.period, r.value, r.denominator
        )
    ]


def _shown(value: object) -> str | None:
    if isinstance(value, float):
        return f"{value:g}"
    return None if value is None else str(value)


def read(candidate: Candidate, la: str | None, year: str | None) -> ParsedReturn:
    (path,) = candidate.files
    problems = Problems(path.name)
    la_code = checked_la(la, problems, "the manual measures template")
    rows = read_values(path, problems)
    if not rows:  # a header or every row refused, or an empty file: no year to decide
        problems.raise_if_any()
        raise ReturnRejected([Problem(path.name, "line 2", "value", None, "the file holds no values")])
    decided = decide(
        problems, YEARS, option=year, folder=path.parent.name, files=[path.name],
        latest=Latest(lambda: max(month_end(*_month(r.period)) for r in rows), "months in the file"),
    )  # fmt: skip
    problems.raise_if_any()
    assert la_code is not None and decided is not None
    return ParsedReturn(
        kind="manual_values",
        format="manual_values_csv",
        source_name=path.name,
        files=[path],
        sha256=sha256_file(path),
        la_code=la_code,
        collection_year=decided.year,
        year_source=decided.source,
        tables={TABLE: to_arrow(rows)},
        accumulates=True,
    )


READERS = (
    Reader(
        format="manual_values_csv",
        format_name="Manual measures (CSV template)",
        kind="manual_values",
        kind_name="Manual measure values",
        container="csv",
        recognise=_recognise,
        read=read,
        looks_for="manual measures template",
    ),
)

__all__ = [
    "COLUMNS",
    "READERS",
    "TABLE",
    "DeclarationError",
    "MeasureDeclaration",
    "TargetSpec",
    "ValueRow",
    "declared_problems",
    "from_arrow",
    "number",
    "parse_declarations",
    "period_problem",
    "read_declarations",
    "read_values",
    "value_problems",
]
