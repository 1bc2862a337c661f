"""SSDA903 (children looked after) reader: a folder of CSV tables, or one XML file, checked into Arrow tables.

Formats are in spec/data-formats.md §1 and §9. A CSV return is a folder with one file per DfE table; a file
is recognised by its header *set* (as V903 `ingress.read_csvs_from_text` does), never by its name, and any
subset of the 12 tables may be present. The XML return has one `<CHILD>` per child holding a `<HEADER>`
(child details, UASC flag, OC3 and AD1 fields, and the repeating groups AREVIEW, AMISSING, OC2, PERMANENCE
and AD_PLACED) and `<EPISODE>`s (V903 `ingress.read_xml_from_text`); it is streamed a child at a time.

Neither format names its LA, so `la` is required. The collection year is `year` if given, else a year in the
folder or file name, else the year holding the latest event date in the data. The year must be known before
any code is checked, because code lists change by year.

Both formats go through the same per-table conversion, so a CSV return and the XML of the same data give
identical tables (apart from src_line). Only the tables a return carries are returned: the XML has no
SWEpisodes or DoLo, and a CSV folder only the tables it has files for.

Checks: dates are dd/mm/YYYY (Excel's 1/4/2016 is padded), codes are in that year's list (compared
upper-cased, as V903 does), mandatory fields are present, each row has as many fields as its header, and no
two rows share an identity (KEY_COLUMNS). CSV files may be UTF-8 or Windows-1252. XML elements the reader
does not know are ignored, as V903 ignores them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..periods import add_years, financial_year_of, parse_financial_year
from .codelists import codelist
from .csvfile import read_rows
from .fields import FieldChecker, checked_la
from .fields import clean as _clean
from .model import ParsedReturn, sha256_file, sha256_files
from .problems import Problems, raise_all
from .registry import Candidate, Head, Reader
from .tables import new_buffers
from .xmlsafe import iterparse, local_name, release
from .year import Latest, Years, decide

KIND = "ssda903"
# Returns from 2013-14 (the first year of the current CIN/903 structure) are read for look-back indicators;
# years before the code lists' first entry (2015-16) are checked against that entry (spec §9: legacy codes).
FIRST_YEAR = "2013-14"
LAST_YEAR = "2025-26"
YEARS = Years(FIRST_YEAR, LAST_YEAR, "no SSDA903 code lists for {year}: {first} to {last} can be read")
MASKED_SW_DATES_UNTIL = "2024-25"  # V903 lac2023_24 SW04/SW05STG1 accept ZZ/ZZ/ZZZZ; lac2025_26 refuses it

# The 12 DfE tables and their exact column sets (V903 lac_validator/config.py; DoLo from spec §1.1).
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "Header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "Episodes": (
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ),
    "UASC": ("CHILD", "SEX", "DOB", "DUC"),
    "Reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "OC2": (
        "CHILD",
        "DOB",
        "SDQ_SCORE",
        "SDQ_REASON",
        "CONVICTED",
        "HEALTH_CHECK",
        "IMMUNISATIONS",
        "TEETH_CHECK",
        "HEALTH_ASSESSMENT",
        "SUBSTANCE_MISUSE",
        "INTERVENTION_RECEIVED",
        "INTERVENTION_OFFERED",
    ),
    "OC3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "AD1": ("CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"),
    "PlacedAdoption": ("CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
    "PrevPerm": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "Missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "SWEpisodes": ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
    "DoLo": ("CHILD", "DOB", "DOLO_START", "DOLO_END"),
}

# DfE table -> the table in sources/tables.py it is read into.
STORE_TABLE: dict[str, str] = {
    "Header": "children",
    "Episodes": "cla_episodes",
    "UASC": "uasc",
    "Reviews": "cla_reviews",
    "OC2": "oc2",
    "OC3": "oc3",
    "AD1": "ad1",
    "PlacedAdoption": "placed_adoption",
    "PrevPerm": "prev_perm",
    "Missing": "missing",
    "SWEpisodes": "sw_episodes",
    "DoLo": "dolo",
}

# Fields that must be present. AD1 follows L-903 (no blanks in any AD1 field); REC is required when DEC
# is given, which the Episodes conversion checks on its own.
MANDATORY: dict[str, frozenset[str]] = {
    "Header": frozenset({"CHILD", "SEX", "DOB", "ETHNIC"}),
    "Episodes": frozenset({"CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE"}),
    "UASC": frozenset({"CHILD"}),
    "Reviews": frozenset({"CHILD", "REVIEW"}),
    "OC2": frozenset({"CHILD"}),
    "OC3": frozenset({"CHILD", "IN_TOUCH", "ACTIV", "ACCOM"}),
    "AD1": frozenset(
        {"CHILD", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"}
    ),
    "PlacedAdoption": frozenset({"CHILD", "DATE_PLACED"}),
    "PrevPerm": frozenset({"CHILD", "PREV_PERM"}),
    "Missing": frozenset({"CHILD", "MISSING", "MIS_START"}),
    "SWEpisodes": frozenset({"CHILD", "SW_ID", "SW_DECOM"}),
    "DoLo": frozenset({"CHILD", "DOLO_START"}),
}

# Identity of a row within one return, in the return's own column names (mirrors TableSpec.key).
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "Header": ("CHILD",),
    "Episodes": ("CHILD", "DECOM"),
    "UASC": ("CHILD",),
    "Reviews": ("CHILD", "REVIEW"),
    "OC2": ("CHILD",),
    "OC3": ("CHILD",),
    "AD1": ("CHILD",),
    "PlacedAdoption": ("CHILD", "DATE_PLACED"),
    "PrevPerm": ("CHILD",),
    "Missing": ("CHILD", "MIS_START", "MISSING"),
    "SWEpisodes": ("CHILD", "SW_DECOM", "SW_ID"),
    "DoLo": ("CHILD", "DOLO_START"),
}

# Dates of events inside the collection year: the latest of them tells the year when nothing else does.
EVENT_DATES: frozenset[str] = frozenset(
    {
        "DECOM",
        "DEC",
        "DUC",
        "REVIEW",
        "DATE_INT",
        "DATE_MATCH",
        "DATE_PLACED",
        "DATE_PLACED_CEASED",
        "MIS_START",
        "MIS_END",
        "SW_DECOM",
        "SW_DEC",
        "DOLO_START",
        "DOLO_END",
    }
)

# XML: repeating groups in HEADER and the table each becomes; tag renames to the CSV names.
XML_GROUPS: dict[str, str] = {
    "AREVIEW": "Reviews",
    "AMISSING": "Missing",
    "OC2": "OC2",
    "PERMANENCE": "PrevPerm",
    "AD_PLACED": "PlacedAdoption",
}
XML_RENAMES: dict[str, str] = {"CHILDID": "CHILD", "PL": "PLACE"}
XML_TABLES: tuple[str, ...] = (
    "Header",
    "Episodes",
    "UASC",
    "Reviews",
    "OC2",
    "OC3",
    "AD1",
    "PlacedAdoption",
    "PrevPerm",
    "Missing",
)

SEX_TO_MF = {"1": "M", "2": "F", "M": "M", "F": "F", "U": "U"}

_LOOSE_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_PARTIAL_DMY = re.compile(r"^(\d{2}|ZZ)/(\d{2}|ZZ)/(\d{4}|ZZZZ)$", re.IGNORECASE)
_UPN_UNKNOWN = re.compile(r"^UN\d{1,2}$", re.IGNORECASE)


# ---- header recognition ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeaderMatch:
    table: str | None  # the exact table, or the closest one when `exact` is False (None: nothing close)
    exact: bool
    missing: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    repeated: tuple[str, ...] = ()

    def reason(self) -> str:
        if self.exact:
            return ""
        if self.table is None:
            return "not an SSDA903 table: its columns match none of the 12 DfE tables"
        parts = []
        if self.missing:
            parts.append(f"is missing {', '.join(self.missing)}")
        if self.unknown:
            parts.append(f"has unknown column(s) {', '.join(self.unknown)}")
        if self.repeated:
            parts.append(f"repeats column(s) {', '.join(self.repeated)}")
        return f"looks like {self.table} but {' and '.join(parts)}"


def _column_name(raw: str) -> str:
    return raw.replace("\ufeff", "").strip().upper()


# Columns DfE added in later years, so that returns from before then (still loaded for look-back
# indicators) lack them: REASON_PLACE_CHANGE arrived with the 2023-24 collection.
LATER_COLUMNS: dict[str, tuple[str, ...]] = {"Episodes": ("REASON_PLACE_CHANGE",)}


def classify_header(columns: Iterable[str]) -> HeaderMatch:
    """The table whose column set this header is, or the closest table and what differs from it."""
    names = [_column_name(c) for c in columns]
    given = set(names)
    repeated = tuple(sorted({n for n in names if names.count(n) > 1}))
    for table, expected in TABLE_COLUMNS.items():
        if given in (set(expected), set(expected) - set(LATER_COLUMNS.get(table, ()))) and not repeated:
            return HeaderMatch(table, True)

    def overlap(table: str) -> float:
        expected = set(TABLE_COLUMNS[table])
        return len(given & expected) / len(given | expected)

    best = max(TABLE_COLUMNS, key=overlap)  # ties go to the first table in DfE order
    if overlap(best) < 0.5:
        return HeaderMatch(None, False)
    expected = TABLE_COLUMNS[best]
    missing = tuple(c for c in expected if c not in given)
    unknown = tuple(dict.fromkeys(n or "(blank)" for n in names if n not in expected))
    return HeaderMatch(best, False, missing, unknown, repeated)


def table_overlap(columns: Iterable[str]) -> float:
    """How close a header is to the nearest table (shared columns over all columns): detection weighs it."""
    given = {_column_name(c) for c in columns}
    return max(len(given & set(cols)) / len(given | set(cols)) for cols in TABLE_COLUMNS.values())


def match_header(columns: list[str]) -> tuple[str | None, str]:
    """(table, "") when the header's column set is exactly one DfE table's, else (None, why not)."""
    found = classify_header(columns)
    return (found.table, "") if found.exact else (None, found.reason())


# ---- values -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    column: str
    target: str | None  # column of the store's table; None = checked, not kept
    kind: str  # text | date | code | flag | int | partial_date | sw_date
    codes: str | None = None  # code list for kind "code"
    maximum: int | None = None  # for kind "int"


def _f(column: str, target: str | None, kind: str = "text", codes: str | None = None, **kw: int) -> _Field:
    return _Field(column, target, kind, codes, **kw)


_DOB = _f("DOB", None, "date")  # repeated in most tables for the DfE's checks; the store keeps Header's

FIELDS: dict[str, tuple[_Field, ...]] = {
    "Header": (
        _f("CHILD", "child_id"),
        _f("SEX", "sex_code", "code", "SEX"),
        _f("DOB", "dob", "date"),
        _f("ETHNIC", "ethnicity", "code", "ETHNIC"),
        _f("UPN", "upn"),
        _f("MOTHER", "mother", "flag"),
        _f("MC_DOB", "mc_dob", "date"),
    ),
    "Episodes": (
        _f("CHILD", "child_id"),
        _f("DECOM", "decom", "date"),
        _f("RNE", "rne", "code", "RNE"),
        _f("LS", "ls", "code", "LS"),
        _f("CIN", "cin", "code", "CIN"),
        _f("PLACE", "place", "code", "PLACE"),
        _f("PLACE_PROVIDER", "place_provider", "code", "PLACE_PROVIDER"),
        _f("DEC", "dec", "date"),
        _f("REC", "rec", "code", "REC"),
        _f("REASON_PLACE_CHANGE", "reason_place_change", "code", "REASON_PLACE_CHANGE"),
        _f("HOME_POST", "home_post"),
        _f("PL_POST", "pl_post"),
        _f("URN", "urn"),
    ),
    "UASC": (_f("CHILD", "child_id"), _f("SEX", None, "code", "SEX"), _DOB, _f("DUC", "duc", "date")),
    "Reviews": (
        _f("CHILD", "child_id"),
        _DOB,
        _f("REVIEW", "review_date", "date"),
        _f("REVIEW_CODE", "review_code", "code", "REVIEW_CODE"),
    ),
    "OC2": (
        _f("CHILD", "child_id"),
        _DOB,
        _f("SDQ_SCORE", "sdq_score", "int", maximum=40),
        _f("SDQ_REASON", "sdq_reason", "code", "SDQ_REASON"),
        _f("CONVICTED", "convicted", "flag"),
        _f("HEALTH_CHECK", "health_check", "flag"),
        _f("IMMUNISATIONS", "immunisations", "flag"),
        _f("TEETH_CHECK", "teeth_check", "flag"),
        _f("HEALTH_ASSESSMENT", "health_assessment", "flag"),
        _f("SUBSTANCE_MISUSE", "substance_misuse", "flag"),
        _f("INTERVENTION_RECEIVED", "intervention_received", "flag"),
        _f("INTERVENTION_OFFERED", "intervention_offered", "flag"),
    ),
    "OC3": (
        _f("CHILD", "child_id"),
        _DOB,
        _f("IN_TOUCH", "in_touch", "code", "IN_TOUCH"),
        _f("ACTIV", "activ", "code", "ACTIV"),
        _f("ACCOM", "accom", "code", "ACCOM"),
    ),
    "AD1": (
        _f("CHILD", "child_id"),
        _DOB,
        _f("DATE_INT", "date_int", "date"),
        _f("DATE_MATCH", "date_match", "date"),
        _f("FOSTER_CARE", "foster_care", "flag"),
        _f("NB_ADOPTR", "nb_adoptr", "code", "NB_ADOPTR"),
        _f("SEX_ADOPTR", "sex_adoptr", "code", "SEX_ADOPTR"),
        _f("LS_ADOPTR", "ls_adoptr", "code", "LS_ADOPTR"),
    ),
    "PlacedAdoption": (
        _f("CHILD", "child_id"),
        _DOB,
        _f("DATE_PLACED", "date_placed", "date"),
        _f("DATE_PLACED_CEASED", "date_placed_ceased", "date"),
        _f("REASON_PLACED_CEASED", "reason_placed_ceased", "code", "REASON_PLACED_CEASED"),
    ),
    "PrevPerm": (
        _f("CHILD", "child_id"),
        _DOB,
        _f("PREV_PERM", "prev_perm", "code", "PREV_PERM"),
        _f("LA_PERM", "la_perm"),
        _f("DATE_PERM", "date_perm", "partial_date"),
    ),
    "Missing": (
        _f("CHILD", "child_id"),
        _DOB,
        _f("MISSING", "missing", "code", "MISSING"),
        _f("MIS_START", "mis_start", "date"),
        _f("MIS_END", "mis_end", "date"),
    ),
    "SWEpisodes": (
        _f("CHILD", "child_id"),
        _DOB,
        _f("SW_ID", "sw_id"),
        _f("SW_DECOM", "sw_decom", "sw_date"),
        _f("SW_DEC", "sw_dec", "sw_date"),
        _f("SW_REASON", "sw_reason", "code", "SW_REASON"),
    ),
    "DoLo": (
        _f("CHILD", "child_id"),
        _DOB,
        _f("DOLO_START", "dolo_start", "date"),
        _f("DOLO_END", "dolo_end", "date"),
    ),
}

Locator = Callable[[str], str]  # column -> location string for a Problem


def _pad_date(value: str | None) -> str | None:
    """'1/4/2016' -> '01/04/2016' (Excel drops leading zeros); anything else is left for the checker."""
    value = _clean(value)
    if value is None:
        return None
    m = _LOOSE_DMY.match(value)
    return f"{int(m.group(1)):02d}/{int(m.group(2)):02d}/{m.group(3)}" if m else value


def _loose_date(value: str | None) -> dt.date | None:
    """A dd/mm/YYYY date, or None; no Problems (used to find the latest date before checking)."""
    value = _pad_date(value)
    if value is None:
        return None
    m = _LOOSE_DMY.match(value)
    if not m:
        return None
    try:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


def _partial_date_ok(value: str) -> bool:
    m = _PARTIAL_DMY.match(value)
    if not m:
        return False
    day, month, year = (None if "Z" in part.upper() else int(part) for part in m.groups())
    if day is not None and month is not None and year is not None:
        return _loose_date(value) is not None
    return (day is None or 1 <= day <= 31) and (month is None or 1 <= month <= 12)


# How the collection year was decided (sources/year.py), in a refusal's words.
_YEAR_TAKEN = {
    "--year": "given by --year",
    "folder name": "read from the folder name",
    "file name": "read from the file names",
    "latest date": "taken from the latest date in the data",
}


@dataclass
class _YearFit:
    """Dates that cannot be in the return's collection year, whichever way the year was decided: an episode
    starting or ending, or a missing incident starting or ending, after the year end; an OC3 young person whose
    17th birthday (the first the OC3 cohort can be about) is after it; or no episode open at any time in the
    year. A return of another year loaded as this one would replace the real one, so each is a problem naming
    the year the data looks like (the year of its latest date)."""

    year: str
    how: str  # the year's source
    late: list[tuple[Problems, str, str, str, str]] = field(
        default_factory=list
    )  # problems, where, field, value, what
    latest: dt.date | None = None
    episodes: tuple[Problems, int, int] | None = (
        None  # (problems of the Episodes file, episodes, open in the year)
    )

    @property
    def start(self) -> dt.date:
        return dt.date(parse_financial_year(self.year), 4, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(parse_financial_year(self.year) + 1, 3, 31)

    def see(
        self,
        table: str,
        row: Mapping[str, object],
        values: Mapping[str, str | None],
        loc: Locator,
        problems: Problems,
    ) -> None:
        if table == "Episodes":
            decom, dec = row.get("decom"), row.get("dec")
            self._dates(
                problems, loc, (("DECOM", decom, "the episode starts"), ("DEC", dec, "the episode ends"))
            )
            _, seen, open_ = self.episodes or (problems, 0, 0)
            is_open = (
                isinstance(decom, dt.date)
                and decom <= self.end
                and not (isinstance(dec, dt.date) and dec < self.start)
            )
            self.episodes = (problems, seen + 1, open_ + int(is_open))
        elif table == "Missing":
            incident = (("MIS_START", row.get("mis_start"), "the incident starts"),
                        ("MIS_END", row.get("mis_end"), "the incident ends"))  # fmt: skip
            self._dates(problems, loc, incident)
        elif table == "OC3":
            dob = _loose_date(values.get("DOB"))
            if dob is not None:
                self._dates(problems, loc, (("DOB", add_years(dob, 17), "the 17th birthday is"),), shown=dob)

    def _dates(
        self,
        problems: Problems,
        loc: Locator,
        dates: tuple[tuple[str, object, str], ...],
        shown: dt.date | None = None,
    ) -> None:
        for column, day, what in dates:
            if not isinstance(day, dt.date):
                continue
            self.latest = day if self.latest is None or day > self.latest else self.latest
            if day > self.end:
                value = f"{shown or day:%d/%m/%Y}"
                self.late.append((problems, loc(column), column, value, f"{what} {day:%d/%m/%Y}"))

    def report(self) -> None:
        """Adds the problems found, now that the latest date says which year the data looks like."""
        taken = f"collection year {self.year} ({_YEAR_TAKEN.get(self.how, self.how)})"
        looks = f"the data looks like {financial_year_of(self.latest)}" if self.latest else ""
        for problems, where, column, value, what in self.late:
            problems.add(
                where, column, value, f"{what}, after the end of {taken} on {self.end:%d/%m/%Y}: {looks}"
            )
        if self.episodes is not None and self.episodes[1] and not self.episodes[2] and not self.late:
            problems, count = self.episodes[0], self.episodes[1]
            problems.add(
                "every episode", "DECOM, DEC", None,
                f"no episode ({count:,} in the return) is open at any time in {taken}, "
                f"{self.start:%d/%m/%Y} to {self.end:%d/%m/%Y}: {looks}",
            )  # fmt: skip


class _Converter:
    """Turns one DfE table row (column -> raw text) into a row of the store's table, adding Problems."""

    def __init__(self, check: FieldChecker, fit: _YearFit | None = None):
        self.check = check
        self.year = check.collection_year
        self.problems = check.problems
        self.fit = fit
        self._seen: dict[str, dict[tuple[str, ...], str]] = {t: {} for t in TABLE_COLUMNS}

    def row(
        self,
        table: str,
        values: Mapping[str, str | None],
        loc: Locator,
        *,
        where: str,
        child_id: str | None = None,
        inherit_child: bool = False,
    ) -> dict[str, object]:
        """`inherit_child`: the row belongs to an XML child whose CHILD and DOB were checked in its HEADER."""
        out: dict[str, object] = {}
        required = MANDATORY[table]
        for spec in FIELDS[table]:
            if inherit_child and spec.column in ("CHILD", "DOB"):
                continue
            value = self._value(spec, values.get(spec.column), loc(spec.column), spec.column in required)
            if spec.target is not None:
                out[spec.target] = value
        if inherit_child:
            out["child_id"] = child_id
        if table == "Header":
            self._header(out)
        elif table == "Episodes" and out.get("dec") is not None and _clean(values.get("REC")) is None:
            self.problems.add(loc("REC"), "REC", None, "mandatory when DEC is given (the episode has ended)")
        self._check_duplicate(table, values, out, where)
        if self.fit is not None:
            self.fit.see(table, out, values, loc, self.problems)
        return out

    def _value(self, spec: _Field, raw: str | None, loc: str, required: bool) -> object:
        check, name = self.check, spec.column
        if spec.kind == "text":
            return check.text(raw, loc, name, required=required)
        if spec.kind == "date":
            return check.date(_pad_date(raw), loc, name, required=required)
        if spec.kind == "code":
            value = _clean(raw)
            list_name = spec.codes or name
            if value is not None and value.upper() in codelist(KIND, list_name, self.year):
                return value.upper()  # V903 upper-cases codes on ingest too
            return check.code(value, loc, name, list_name, required=required)
        if spec.kind == "flag":
            return self.flag(raw, loc, name, required)
        if spec.kind == "int":
            number = check.integer(raw, loc, name, required=required, minimum=0)
            if number is not None and spec.maximum is not None and number > spec.maximum:
                self.problems.add(loc, name, raw, f"must be a whole number from 0 to {spec.maximum}")
                return None
            return number
        if spec.kind == "partial_date":
            return self._partial_date(raw, loc, name, required)
        if spec.kind == "sw_date":
            value = _clean(raw)
            if value and "Z" in value.upper() and self.year <= MASKED_SW_DATES_UNTIL:
                return self._masked_sw_date(value, loc, name)
            return check.date(_pad_date(raw), loc, name, required=required)
        raise ValueError(f"unknown field kind {spec.kind}")

    def flag(self, raw: str | None, loc: str, name: str, required: bool) -> int | None:
        value = self.check.text(raw, loc, name, required=required)
        if value is None:
            return None
        if value in ("0", "1"):
            return int(value)
        self.problems.add(loc, name, value, "must be 0 or 1")
        return None

    def _partial_date(self, raw: str | None, loc: str, name: str, required: bool) -> str | None:
        """DATE_PERM may hide the day or month as zz; kept as text. A full date must be a real date."""
        value = _pad_date(self.check.text(raw, loc, name, required=required))
        if value is None:
            return None
        if _partial_date_ok(value):
            return value
        self.problems.add(
            loc, name, value, "not a date in the form dd/mm/YYYY (zz for an unknown day or month)"
        )
        return None

    def _masked_sw_date(self, value: str, loc: str, name: str) -> None:
        """Up to 2024-25 V903 accepts a social-worker date with ZZ parts; the date is then unknown."""
        if not _PARTIAL_DMY.match(value):
            self.problems.add(loc, name, value, "not a valid date in the form dd/mm/YYYY (or ZZ/ZZ/ZZZZ)")
        return None

    def _header(self, out: dict[str, object]) -> None:
        code = out.get("sex_code")
        out["sex"] = SEX_TO_MF.get(code) if isinstance(code, str) else None
        upn = out.get("upn")
        if isinstance(upn, str) and _UPN_UNKNOWN.match(upn):  # UN1.. = why the UPN is not known
            out["upn"], out["upn_unknown"] = None, upn.upper()
        out["source"] = KIND

    def _check_duplicate(
        self, table: str, values: Mapping[str, str | None], out: Mapping[str, object], where: str
    ) -> None:
        """Two rows with one identity would collide in the store; a row whose key is unreadable is skipped
        (that is already a Problem)."""
        columns = KEY_COLUMNS[table]
        targets = {spec.column: spec.target for spec in FIELDS[table]}
        key = tuple(out.get(targets[c] or "") for c in columns)
        if any(part is None for part in key):
            return
        first = self._seen[table].setdefault(key, where)
        if first != where:
            shown = [str(out["child_id"]) if c == "CHILD" else _clean(values.get(c)) or "" for c in columns]
            self.problems.add(
                where,
                ", ".join(columns),
                ", ".join(shown),
                f"duplicate {table} row: {first} has the same {' and '.join(columns)}",
            )


# ---- CSV ----------------------------------------------------------------------------------------------


@dataclass
class _CsvTable:
    path: Path
    table: str
    columns: list[str]
    problems: Problems
    rows: list[tuple[int, list[str]]] = field(default_factory=list)

    def latest_event_date(self) -> dt.date | None:
        positions = [i for i, c in enumerate(self.columns) if c in EVENT_DATES]
        days = (_loose_date(values[i]) for _, values in self.rows for i in positions)
        return max((d for d in days if d is not None), default=None)


def _read_csv_file(path: Path, problems: Problems) -> _CsvTable | None:
    """One file's header recognised and its rows split; structural Problems only (values come later)."""

    def recognise(header: list[str]) -> tuple[str, list[str]] | None:
        found = classify_header(header)
        if not found.exact or found.table is None:
            _header_problems(found, header, problems)
            return None
        return found.table, [_column_name(h) for h in header]

    read = read_rows(path, problems, "a 903 table", recognise)
    if read is None:
        return None
    table, columns, rows = read
    parsed = _CsvTable(path, table, columns, problems)
    parsed.rows.extend(rows)
    return parsed


def _header_problems(found: HeaderMatch, header: list[str], problems: Problems) -> None:
    if found.table is None:
        shown = ",".join(h.strip() for h in header)
        problems.add("line 1", "header", shown[:200], found.reason())
        return
    for column in found.missing:
        problems.add("line 1", column, None, f"column missing: the header looks like the {found.table} table")
    for column in found.unknown:
        problems.add("line 1", column, column, f"not a column of the {found.table} table")
    for column in found.repeated:
        problems.add("line 1", column, column, "the column appears more than once in the header")


def read_csv(files: list[Path], *, la: str | None, year: str | None, folder_name: str) -> ParsedReturn:
    """Read one 903 CSV return (a folder's files); raises ReturnRejected listing every problem found.

    A plain return is read and checked in DuckDB (sources/ssda903_flat.py); anything else, and any return with
    a problem, is read here value by value, which words every Problem."""
    from .ssda903_flat import read_csv_flat  # it reads this module's rules

    files = [Path(f) for f in files]
    flat = read_csv_flat(files, la=la, year=year, folder_name=folder_name)
    if flat is not None:
        return flat
    overall = Problems(folder_name)
    per_file: list[Problems] = []
    la_code = checked_la(la, overall, "the SSDA903 CSV")
    if not files:
        overall.add("folder", "files", None, "no files: a 903 CSV return needs at least one table")

    tables: dict[str, _CsvTable] = {}
    for path in files:
        problems = Problems(path.name)
        per_file.append(problems)
        parsed = _read_csv_file(path, problems)
        if parsed is None:
            continue
        first = tables.setdefault(parsed.table, parsed)
        if first is not parsed:
            problems.add(
                "line 1",
                "header",
                parsed.table,
                f"a second file for the {parsed.table} table ({first.path.name} has it): "
                "a return has one file per table",
            )

    decided = decide(
        overall,
        YEARS,
        option=year,
        folder=folder_name,
        files=[p.name for p in files],
        latest=Latest(lambda: _latest_csv_date(tables.values()), "event dates in the data"),
    )
    if decided is None:
        raise_all([overall, *per_file])  # the missing year is one of the Problems
    assert decided is not None
    collection_year, year_source = decided.year, decided.source

    buffers = new_buffers(KIND)
    fit = _YearFit(collection_year, year_source)
    for parsed in tables.values():
        converter = _Converter(FieldChecker(parsed.problems, KIND, collection_year, "dmy"), fit)
        target = buffers[STORE_TABLE[parsed.table]]
        for line, record in parsed.rows:
            values = dict(zip(parsed.columns, record, strict=True))
            where = f"line {line}"
            row = converter.row(parsed.table, values, lambda _column, w=where: w, where=where)
            target.append(line, row)
    fit.report()

    raise_all([overall, *per_file])
    assert la_code is not None
    return ParsedReturn(
        kind=KIND,
        format="ssda903_csv",
        source_name=folder_name,
        files=files,
        sha256=sha256_files(files),
        la_code=la_code,
        collection_year=collection_year,
        year_source=year_source,
        tables={STORE_TABLE[t]: buffers[STORE_TABLE[t]].to_arrow() for t in TABLE_COLUMNS if t in tables},
    )


def _latest_csv_date(tables: Iterable[_CsvTable]) -> dt.date | None:
    return max((d for t in tables if (d := t.latest_event_date()) is not None), default=None)


# ---- XML ----------------------------------------------------------------------------------------------


@dataclass
class _Fields:
    """The leaf values of one XML element (wrappers flattened), with their locations."""

    path: str
    line: int
    values: dict[str, str | None] = field(default_factory=dict)
    locations: dict[str, str] = field(default_factory=dict)
    groups: list[tuple[str, etree._Element, str]] = field(default_factory=list)  # (group, element, path)

    def loc(self, column: str) -> str:
        return self.locations.get(column, f"{self.path} (line {self.line})")

    def has_any(self, columns: Iterable[str]) -> bool:
        return any(_clean(self.values.get(c)) is not None for c in columns)


def _collect(element: etree._Element, path: str, problems: Problems, *, groups: bool) -> _Fields:
    out = _Fields(path, element.sourceline or 0)
    counts: dict[str, int] = {}
    _collect_into(out, element, path, problems, counts if groups else None)
    return out


def _collect_into(
    out: _Fields,
    element: etree._Element,
    path: str,
    problems: Problems,
    counts: dict[str, int] | None,
) -> None:
    for el in element:
        name = local_name(el.tag)
        if not name:
            continue
        if counts is not None and name in XML_GROUPS:
            counts[name] = counts.get(name, 0) + 1
            out.groups.append((name, el, f"{path}/{name}[{counts[name]}]"))
        elif len(el) == 0:
            column = XML_RENAMES.get(name, name)
            where = f"{path}/{name} (line {el.sourceline})"
            if column in out.values:
                problems.add(
                    where, column, _clean(el.text), f"appears twice (first at {out.locations[column]})"
                )
                continue
            out.values[column] = el.text
            out.locations[column] = where
        else:  # a wrapper element: its leaves belong to the element above (as V903 reads them)
            _collect_into(out, el, f"{path}/{name}", problems, counts)


def _latest_xml_date(path: Path, problems: Problems) -> dt.date | None:
    latest: dt.date | None = None
    root = None
    for event, el in iterparse(path, problems):
        if root is None:
            root = el
            continue
        if event != "end":
            continue
        if local_name(el.tag) in EVENT_DATES and len(el) == 0:
            day = _loose_date(el.text)
            if day is not None and (latest is None or day > latest):
                latest = day
        elif el.getparent() is root:
            release(el)
    return latest


class _XmlReader:
    def __init__(self, problems: Problems, converter: _Converter):
        self.problems = problems
        self.convert = converter
        self.buffers = new_buffers(KIND)

    def run(self, path: Path) -> None:
        root = None
        count = 0
        for event, el in iterparse(path, self.problems):
            if root is None:
                root = el
                continue
            if event != "end" or el.getparent() is not root:
                continue
            if local_name(el.tag) == "CHILD":
                count += 1
                self._child(el, f"CHILD[{count}]")
            release(el)
        if root is not None and count == 0:
            self.problems.add(
                f"line {root.sourceline}",
                "CHILD",
                None,
                f"no CHILD elements under the root {local_name(root.tag)}: not an SSDA903 XML return",
            )

    def _append(self, table: str, line: int, row: dict[str, object]) -> None:
        self.buffers[STORE_TABLE[table]].append(line, row)

    def _child(self, child: etree._Element, path: str) -> None:
        headers = [el for el in child if local_name(el.tag) == "HEADER"]
        episodes = [el for el in child if local_name(el.tag) == "EPISODE"]
        if not headers:
            self.problems.add(
                f"{path} (line {child.sourceline})", "HEADER", None, "mandatory element is missing"
            )
            return
        for extra in headers[1:]:
            self.problems.add(
                f"{path}/HEADER (line {extra.sourceline})", "HEADER", None, "a CHILD has one HEADER"
            )
        header = _collect(headers[0], f"{path}/HEADER", self.problems, groups=True)
        line = header.line
        row = self.convert.row("Header", header.values, header.loc, where=header.loc("CHILD"))
        child_id = row["child_id"] if isinstance(row["child_id"], str) else None
        self._append("Header", line, row)
        self._uasc(header, child_id)
        for table in ("OC3", "AD1"):
            columns = [c for c in TABLE_COLUMNS[table] if c not in ("CHILD", "DOB")]
            if header.has_any(columns):
                self._append(table, line, self._inherit(table, header, child_id, header.path))
        for group, el, group_path in header.groups:
            fields = _collect(el, group_path, self.problems, groups=False)
            if fields.values and fields.has_any(fields.values):
                table = XML_GROUPS[group]
                self._append(table, fields.line, self._inherit(table, fields, child_id, fields.path))
        for i, el in enumerate(episodes, start=1):
            fields = _collect(el, f"{path}/EPISODE[{i}]", self.problems, groups=False)
            self._append("Episodes", fields.line, self._inherit("Episodes", fields, child_id, fields.path))

    def _inherit(self, table: str, fields: _Fields, child_id: str | None, where: str) -> dict[str, object]:
        where = f"{where} (line {fields.line})"
        return self.convert.row(
            table, fields.values, fields.loc, where=where, child_id=child_id, inherit_child=True
        )

    def _uasc(self, header: _Fields, child_id: str | None) -> None:
        """HEADER's UASC flag (1 = an unaccompanied asylum-seeking child) and DUC become the UASC table."""
        flag = self.convert.flag(header.values.get("UASC"), header.loc("UASC"), "UASC", False)
        if flag == 1 or header.has_any(["DUC"]):
            duc = self.convert.check.date(_pad_date(header.values.get("DUC")), header.loc("DUC"), "DUC")
            self._append("UASC", header.line, {"child_id": child_id, "duc": duc})


def read_xml(path: Path, *, la: str | None, year: str | None) -> ParsedReturn:
    """Read one 903 XML return; raises ReturnRejected listing every problem found."""
    path = Path(path)
    problems = Problems(path.name)
    if path.stat().st_size == 0:
        raise problems.fatal("line 1", "file", None, "empty file")
    la_code = checked_la(la, problems, "the SSDA903 XML")
    decided = decide(
        problems,
        YEARS,
        option=year,
        files=[path.name],
        latest=Latest(lambda: _latest_xml_date(path, problems), "event dates in the data"),
    )
    if decided is None:
        problems.raise_if_any()  # the missing year is one of the Problems
    assert decided is not None
    collection_year, year_source = decided.year, decided.source

    fit = _YearFit(collection_year, year_source)
    reader = _XmlReader(problems, _Converter(FieldChecker(problems, KIND, collection_year, "dmy"), fit))
    reader.run(path)
    fit.report()
    problems.raise_if_any()
    assert la_code is not None
    return ParsedReturn(
        kind=KIND,
        format="ssda903_xml",
        source_name=path.name,
        files=[path],
        sha256=sha256_file(path),
        la_code=la_code,
        collection_year=collection_year,
        year_source=year_source,
        tables={STORE_TABLE[t]: reader.buffers[STORE_TABLE[t]].to_arrow() for t in XML_TABLES},
    )


def _recognise_csv(head: Head) -> float:
    return 1.0 if classify_header(head.header).exact else table_overlap(head.header)


def _recognise_xml(head: Head) -> float:
    # CHILD records under any root; below the CIN census's Message, which wins on a Message root.
    return 0.4 if b"<CHILD>" in head.head or b"<CHILD " in head.head else 0.0


def _read_csv(candidate: Candidate, la: str | None, year: str | None) -> ParsedReturn:
    return read_csv(list(candidate.files), la=la, year=year, folder_name=candidate.name)


def _read_xml(candidate: Candidate, la: str | None, year: str | None) -> ParsedReturn:
    return read_xml(candidate.files[0], la=la, year=year)


READERS = (
    Reader(
        format="ssda903_csv",
        format_name="SSDA903 (CSV)",
        kind=KIND,
        kind_name="SSDA903",
        container="csv",
        recognise=_recognise_csv,
        read=_read_csv,
        looks_for="SSDA903 table",
        per_folder=True,
        fallback=True,  # a CSV no reader recognises: the 903 reader names the closest table and what differs
    ),
    Reader(
        format="ssda903_xml",
        format_name="SSDA903 (XML)",
        kind=KIND,
        kind_name="SSDA903",
        container="xml",
        recognise=_recognise_xml,
        read=_read_xml,
        looks_for="SSDA903 (CHILD records)",
    ),
)

__all__ = [
    "FIELDS",
    "KEY_COLUMNS",
    "MANDATORY",
    "READERS",
    "STORE_TABLE",
    "TABLE_COLUMNS",
    "XML_GROUPS",
    "YEARS",
    "HeaderMatch",
    "classify_header",
    "match_header",
    "read_csv",
    "read_xml",
    "table_overlap",
]
