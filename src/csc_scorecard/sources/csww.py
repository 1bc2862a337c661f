"""Children's social work workforce (CSWW) census XML reader: the LA's return for the year to 30 September.

Structure from L-CSWW `social_work_workforce_2022.xsd` (spec/indicators.md §4.6): a `Message` with an
optional `Header` (CollectionDetails: Collection CSWW, Year, ReferenceDate; Source: LEA), one
`LALevelVacancies` (NumberOfVacancies, NoAgencyFTE, NoAgencyHeadcount) and a `CSWWWorker` per worker
(AgencyWorker 0/1, SWENo, FTE, OrgRole, RoleStartDate, RoleEndDate, ReasonLeave, FTE30, Cases30,
WorkingDaysLost, and characteristics this reader does not keep). The root is `Message`, as in the CIN
census; detection tells them apart by the CSWW elements.

The **reference date** is the census day (ReferenceDate, else 30 September of Year, else 30 September of the
first year of `--year`); the collection year is the financial year holding it (the census of 30 September 2016
is 2016-17). Dates are YYYY-MM-DD; FTEs are decimals from 0 to 1; codes follow the xsd. Streamed a worker at a
time, with entities and DTDs refused (sources/xmlsafe.py).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..periods import financial_year_of, parse_financial_year
from .fields import LA_CODE as _LA
from .fields import clean as _clean
from .model import ParsedReturn, sha256_file
from .problems import Problems
from .registry import Candidate, Head, Reader
from .tables import new_buffers
from .xmlsafe import iterparse, local_name, release
from .year import Stated, Years, decide

KIND = "csww"
FIRST_YEAR, LAST_YEAR = "2010-11", "2029-30"
YEARS = Years(FIRST_YEAR, LAST_YEAR, "outside the years the working-day calendar covers ({first} to {last})")
ORG_ROLES = frozenset("123456")  # senior manager ... qualified without cases (xsd roletype)
REASONS_LEAVE = frozenset(str(n) for n in range(1, 11))
_SWE = re.compile(r"^[A-Za-z]{2}\d{10}$")
_DECIMAL = re.compile(r"^\d+(\.\d+)?$")
_GYEAR = re.compile(r"^\d{4}$")

WORKER_FIELDS = (
    "AgencyWorker", "SWENo", "FTE", "OrgRole", "RoleStartDate", "RoleEndDate", "ReasonLeave", "FTE30",
    "Cases30", "WorkingDaysLost",
)  # fmt: skip


class _Reader:
    def __init__(self, problems: Problems, la: str | None, year: str | None):
        self.problems = problems
        self.la_option = _clean(la)
        self.year_option = _clean(year)
        self.la_code: str | None = None
        self.reference_date: dt.date | None = None
        self.header: dict[str, tuple[str | None, str]] = {}
        self.vacancies: tuple[int, dict[str, tuple[str | None, str]]] | None = None
        self.workers: list[tuple[int, str, dict[str, tuple[str | None, str]]]] = []

    def run(self, path: Path) -> None:
        root = None
        count = 0
        for event, el in iterparse(path, self.problems):
            if root is None:
                root = el
                if local_name(el.tag) != "Message":
                    raise self.problems.fatal(
                        f"line {el.sourceline}", "root element", local_name(el.tag),
                        "a CSWW census return's root element must be Message",
                    )  # fmt: skip
                continue
            if event != "end" or el.getparent() is not root:
                continue
            name = local_name(el.tag)
            if name == "Header":
                self._header(el)
            elif name == "LALevelVacancies":
                if self.vacancies is not None:
                    self.problems.add(
                        f"line {el.sourceline}", name, None, "a return has one LALevelVacancies"
                    )
                self.vacancies = (el.sourceline or 0, _leaves(el, "LALevelVacancies"))
            elif name == "CSWWWorker":
                count += 1
                path_ = f"CSWWWorker[{count}]"
                self.workers.append((el.sourceline or 0, path_, _leaves(el, path_)))
            release(el)
        if root is not None and self.vacancies is None:
            self.problems.add(
                f"line {root.sourceline}", "LALevelVacancies", None, "mandatory element is missing"
            )

    def _header(self, el) -> None:
        for name, value in _leaves(el, "Header").items():
            self.header.setdefault(name, value)

    def decide_la(self) -> None:
        given, where = self.header.get("LEA", (None, "Header"))
        given = _clean(given)
        if given is not None and not _LA.match(given):
            self.problems.add(where, "LEA", given, "must be the 3-digit DfE LA code")
            return
        if given is not None and self.la_option is not None and given != self.la_option:
            self.problems.add(where, "LEA", given, f"does not agree with --la {self.la_option}")
            return
        chosen = given or self.la_option
        if chosen is None:
            self.problems.add("Header", "LEA", None, "no LA code in the Header: pass --la")
        elif not _LA.match(chosen):
            self.problems.add("command line", "--la", chosen, "must be the 3-digit DfE LA code")
        else:
            self.la_code = chosen

    def decide_reference_date(self) -> str | None:
        """The census day, from the Header or else `--year`; returns what gave it, for `status`."""
        collection, where = self.header.get("Collection", (None, "Header"))
        if _clean(collection) not in (None, "CSWW"):
            self.problems.add(where, "Collection", collection, "must be CSWW")
        ref_text, ref_where = self.header.get("ReferenceDate", (None, "Header"))
        year_text, year_where = self.header.get("Year", (None, "Header"))
        census: dt.date | None = None
        if _clean(ref_text) is not None:
            census = _date(ref_text, ref_where, "ReferenceDate", self.problems)
            if census is None:
                return None
            label, where = "ReferenceDate", ref_where
        elif _clean(year_text) is not None:
            if not _GYEAR.match(year_text.strip()):
                self.problems.add(year_where, "Year", year_text, "must be a year like 2016")
                return None
            census, label, where = dt.date(int(year_text), 9, 30), "Year", year_where
        else:
            label, where = "--year", "Header"
        stated = Stated(
            financial_year_of(census) if census else None,
            where,
            "ReferenceDate",
            "the Header has no ReferenceDate or Year",
            f"census of {census:%d/%m/%Y}" if census else "",
        )
        decided = decide(self.problems, YEARS, stated=stated, option=self.year_option)
        if decided is None:
            return None
        # Without a census day in the Header, the census is on 30 September of the collection year.
        self.reference_date = census or dt.date(parse_financial_year(decided.year), 9, 30)
        return label


def _leaves(el, path: str) -> dict[str, tuple[str | None, str]]:
    """Leaf values anywhere under an element (the Header nests them), first occurrence of each name."""
    out: dict[str, tuple[str | None, str]] = {}
    for child in el.iter():
        if child is el or len(child):
            continue
        name = local_name(child.tag)
        if name and name not in out:
            out[name] = (child.text, f"{path}/{_relative(child, el)} (line {child.sourceline})")
    return out


def _relative(child, top) -> str:
    names = []
    while child is not None and child is not top:
        names.append(local_name(child.tag))
        child = child.getparent()
    return "/".join(reversed(names))


def _date(value: str | None, where: str, name: str, problems: Problems) -> dt.date | None:
    value = _clean(value)
    if value is None:
        return None
    try:
        if re.match(r"^\d{4}-\d{2}-\d{2}$", value):
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    problems.add(where, name, value, "not a valid date in the form YYYY-MM-DD")
    return None


def _decimal(
    value: str | None, where: str, name: str, problems: Problems, maximum: float | None
) -> float | None:
    value = _clean(value)
    if value is None:
        return None
    if _DECIMAL.match(value) and (maximum is None or float(value) <= maximum):
        return float(value)
    rule = (
        f"must be a decimal from 0 to {maximum:g}"
        if maximum is not None
        else "must be a decimal of at least 0"
    )
    problems.add(where, name, value, rule)
    return None


def _integer(value: str | None, where: str, name: str, problems: Problems) -> int | None:
    value = _clean(value)
    if value is None:
        return None
    if value.isdigit():
        return int(value)
    problems.add(where, name, value, "must be a whole number of at least 0")
    return None


def _worker_row(
    line: int, path: str, leaves: dict[str, tuple[str | None, str]], reference: dt.date, problems: Problems
) -> dict[str, object]:
    def get(name: str) -> tuple[str | None, str]:
        return leaves.get(name, (None, f"{path} (line {line})"))

    agency_text, agency_where = get("AgencyWorker")
    agency = None
    if _clean(agency_text) is None:
        problems.add(agency_where, "AgencyWorker", None, "mandatory field is missing")
    elif agency_text.strip() in ("0", "1"):
        agency = agency_text.strip() == "1"
    else:
        problems.add(agency_where, "AgencyWorker", agency_text, "must be 0 or 1")
    swe, swe_where = get("SWENo")
    swe = _clean(swe)
    if swe is None:
        problems.add(swe_where, "SWENo", None, "mandatory field is missing")
    elif not _SWE.match(swe):
        problems.add(swe_where, "SWENo", swe, "not a Social Work England number (2 letters and 10 digits)")
        swe = None
    role, role_where = get("OrgRole")
    role = _clean(role)
    if role is not None and role not in ORG_ROLES:
        problems.add(role_where, "OrgRole", role, "not a valid OrgRole code (1 to 6)")
        role = None
    reason, reason_where = get("ReasonLeave")
    reason = _clean(reason)
    if reason is not None and reason not in REASONS_LEAVE:
        problems.add(reason_where, "ReasonLeave", reason, "not a valid ReasonLeave code (1 to 10)")
        reason = None
    start = _date(*get("RoleStartDate"), "RoleStartDate", problems)
    end = _date(*get("RoleEndDate"), "RoleEndDate", problems)
    if start is not None and end is not None and end < start:
        problems.add(get("RoleEndDate")[1], "RoleEndDate", str(end), f"before RoleStartDate ({start})")
    if end is not None and end > reference:
        problems.add(get("RoleEndDate")[1], "RoleEndDate", str(end), f"after the census date ({reference})")
    return {
        "swe_no": swe,
        "agency": agency,
        "fte": _decimal(*get("FTE"), "FTE", problems, 1.0),
        "org_role": role,
        "role_start_date": start,
        "role_end_date": end,
        "reason_leave": reason,
        "fte30": _decimal(*get("FTE30"), "FTE30", problems, 1.0),
        "cases30": _integer(*get("Cases30"), "Cases30", problems),
        "working_days_lost": _decimal(*get("WorkingDaysLost"), "WorkingDaysLost", problems, None),
        "reference_date": reference,
    }


def read(path: Path, *, la: str | None = None, year: str | None = None) -> ParsedReturn:
    """Read one CSWW census XML return; raises ReturnRejected listing every problem found."""
    path = Path(path)
    problems = Problems(path.name)
    if path.stat().st_size == 0:
        raise problems.fatal("line 1", "file", None, "the file is empty")
    reader = _Reader(problems, la, year)
    reader.run(path)
    reader.decide_la()
    source = reader.decide_reference_date()
    problems.raise_if_any()
    reference = reader.reference_date
    assert reference is not None and reader.la_code is not None and reader.vacancies is not None
    buffers = new_buffers(KIND)
    seen: dict[tuple[object, ...], str] = {}
    for line, where, leaves in reader.workers:
        row = _worker_row(line, where, leaves, reference, problems)
        key = (row["swe_no"], row["role_start_date"])
        if row["swe_no"] is not None:
            first = seen.setdefault(key, where)
            if first != where:
                problems.add(
                    f"{where} (line {line})", "SWENo, RoleStartDate", f"{key[0]}, {key[1] or ''}",
                    f"duplicate worker: {first} has the same SWENo and RoleStartDate",
                )  # fmt: skip
        buffers["csww_workers"].append(line, row)
    v_line, v = reader.vacancies
    buffers["csww_vacancies"].append(
        v_line,
        {
            "reference_date": reference,
            "vacancies_fte": _required_decimal(v, "NumberOfVacancies", problems),
            "agency_cover_fte": _required_decimal(v, "NoAgencyFTE", problems),
            "agency_cover_headcount": _integer(*v.get("NoAgencyHeadcount", (None, "LALevelVacancies")),
                                               "NoAgencyHeadcount", problems),
        },
    )  # fmt: skip
    if not reader.workers:
        problems.add(
            "Message", "CSWWWorker", None, "no CSWWWorker elements: a census return lists its workers"
        )
    problems.raise_if_any()
    return ParsedReturn(
        kind=KIND,
        format="csww_xml",
        source_name=path.name,
        files=[path],
        sha256=sha256_file(path),
        la_code=reader.la_code,
        collection_year=financial_year_of(reference),
        year_source=f"census date {reference:%d/%m/%Y} ({source})",
        tables={name: buffer.to_arrow() for name, buffer in buffers.items()},
    )


def _required_decimal(
    leaves: dict[str, tuple[str | None, str]], name: str, problems: Problems
) -> float | None:
    value, where = leaves.get(name, (None, "LALevelVacancies"))
    if _clean(value) is None:
        problems.add(where, name, None, "mandatory field is missing")
        return None
    return _decimal(value, where, name, problems, None)


_MARKERS = (b"<CSWWWorker", b"<LALevelVacancies", b"<Collection>CSWW<", b":CSWWWorker", b":LALevelVacancies")


def _recognise(head: Head) -> float:
    """A Message holding CSWW elements (the CIN census has the same root)."""
    return 1.0 if head.root == "Message" and any(marker in head.head for marker in _MARKERS) else 0.0


def _read(candidate: Candidate, la: str | None, year: str | None) -> ParsedReturn:
    return read(candidate.files[0], la=la, year=year)


READERS = (
    Reader(
        format="csww_xml",
        format_name="CSWW census (XML)",
        kind=KIND,
        kind_name="CSWW census",
        container="xml",
        recognise=_recognise,
        read=_read,
        looks_for="CSWW census (Message with CSWWWorker)",
    ),
)

__all__ = ["KIND", "READERS", "read"]
