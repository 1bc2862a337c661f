"""CIN census XML reader: one return, streamed a Child at a time, checked and held as Arrow tables.

Structure, code lists and year rules are in spec/data-formats.md §2 and §9. The file is never held whole:
each `Child` is turned into rows and then released, and the row buffers are moved into Arrow every few
thousand rows, so memory follows the size of the tables, not of the XML.

Element names are matched by local name, because some councils' files carry a default namespace.
Locations in Problems read like `Child[12]/CINdetails[2]/CINreferralDate (line 340)`: 1-based positions
among elements of the same name, and the line of the element (or of its parent when it is missing).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from lxml import etree

from ..periods import financial_year_label
from ..refdata import local_authorities
from . import vectorised
from .cin_flat import FLAT_FROM_BYTES, FlatChildren, flat_tables
from .cin_flat import local_tag as _name
from .codelists import codelist
from .fields import FieldChecker
from .fields import clean as _clean
from .model import ParsedReturn, sha256_file
from .problems import Problems, ReturnRejected
from .registry import Candidate, Head, Reader
from .tables import TableBuffer, new_buffers
from .xmlsafe import iterparse, release
from .year import Stated, Years, decide

# 2013-14 introduced the continuous assessment, the structure read here; years before the code lists' first
# entry (2015-16) are checked against that entry.
FIRST_YEAR = "2013-14"
LAST_YEAR = "2025-26"
YEARS = Years(FIRST_YEAR, LAST_YEAR, "no CIN census schema for {year}: years {first} to {last} can be read")
SEX_FROM = "2024-25"  # <Sex> M/F/U replaces <GenderCurrent> 1/2/0/9 from this collection year
GENDER_TO_SEX = {"1": "M", "2": "F", "0": "U", "9": "U"}
FLUSH_ROWS = 2048  # rows held as Python objects before a buffer is moved into Arrow

_GYEAR = re.compile(r"^\d{4}$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BOOLS = {"true": True, "1": True, "false": False, "0": False}  # as FieldChecker.boolean


def read(path: Path, *, la: str | None = None, year: str | None = None) -> ParsedReturn:
    """Read one CIN census XML return; raises ReturnRejected listing every problem found.

    `la` (3-digit DfE code) is used when the Header has no Source/LEA and must agree with it otherwise;
    `year` ("2016-17") is used when the Header gives no year and must agree with it otherwise.
    """
    path = Path(path)
    problems = Problems(path.name)
    if path.stat().st_size == 0:
        raise problems.fatal("line 1", "file", None, "the file is empty")
    flat = read_flat(path, la=la, year=year) if path.stat().st_size >= FLAT_FROM_BYTES else None
    if flat is not None:
        reader, tables = flat
    else:  # something is wrong: read it again value by value, which words every Problem
        reader = _Reader(problems, la=la, year=year)
        reader.run(iterparse(path, problems, tags=_Reader.ACTS_ON))
        problems.raise_if_any()
        tables = reader.tables.finish()
    if reader.la_code is None or reader.collection_year is None:  # pragma: no cover - a Problem was added
        raise problems.rejected()
    return ParsedReturn(
        kind="cin",
        format="cin_xml",
        source_name=path.name,
        files=[path],
        sha256=sha256_file(path),
        la_code=reader.la_code,
        collection_year=reader.collection_year,
        year_source=reader.year_source,
        tables=tables,
    )


def read_flat(path: Path, *, la: str | None, year: str | None) -> tuple[_Reader, dict[str, pa.Table]] | None:
    """The return's tables with every value checked in DuckDB (sources/cin_flat.py), or None when anything is
    wrong with it: `read` then reads it value by value, which words each Problem."""
    reader = _FlatReader(Problems(path.name), la=la, year=year)
    try:
        reader.run(iterparse(path, reader.problems, tags=_Reader.ACTS_ON))
    except (ReturnRejected, _NotFlat):
        return None
    if reader.problems.total or reader.flat is None or reader.collection_year is None:
        return None
    con = vectorised.connect()
    try:  # a value SQL cannot take is one for the value-by-value reader to word
        tables = flat_tables(
            con,
            reader.flat,
            reader.collection_year,
            uses_sex=reader.collection_year >= SEX_FROM,
            gender_to_sex=GENDER_TO_SEX,
        )
    except duckdb.Error:
        tables = None
    finally:
        con.close()
    return None if tables is None else (reader, tables)


class _Node:
    """An element with its children indexed by local name, and its path for Problem locations."""

    __slots__ = ("el", "kids", "path")

    def __init__(self, el: etree._Element, path: str):
        self.el = el
        self.path = path
        self.kids: dict[str, list[etree._Element]] = {}
        for kid in el:
            self.kids.setdefault(_name(kid.tag), []).append(kid)

    @property
    def here(self) -> str:
        return f"{self.path} (line {self.el.sourceline})"

    def has(self, name: str) -> bool:
        return name in self.kids

    def value(self, name: str) -> str | None:
        """A field's text, stripped; None when absent or blank."""
        found = self.kids.get(name)
        return _clean(found[0].text) if found else None

    def at(self, name: str) -> str:
        """Where a field is: its own line when present, else its parent's."""
        found = self.kids.get(name)
        return f"{self.path}/{name} (line {found[0].sourceline})" if found else self.here

    def leaf(self, name: str) -> tuple[str | None, str]:
        return self.value(name), self.at(name)

    def part(self, name: str) -> _Node | None:
        found = self.kids.get(name)
        return _Node(found[0], f"{self.path}/{name}") if found else None

    def parts(self, name: str) -> list[_Node]:
        return [_Node(el, f"{self.path}/{name}[{i}]") for i, el in enumerate(self.kids.get(name, ()), 1)]

    def repeats(self, name: str) -> list[tuple[str | None, etree._Element]]:
        """(stripped text, element) of each repeat of a field, e.g. every Disability."""
        return [(_clean(el.text), el) for el in self.kids.get(name, ())]

    def repeat_at(self, name: str, el: etree._Element) -> str:
        return f"{self.path}/{name}[{self.kids[name].index(el) + 1}] (line {el.sourceline})"


class _Tables:
    """Row buffers moved into Arrow in chunks, so Python objects never pile up for a large return."""

    def __init__(self) -> None:
        self.buffers = new_buffers("cin")
        self._chunks: dict[str, list[pa.Table]] = {name: [] for name in self.buffers}

    def append(self, table: str, src_line: int | None, values: dict[str, Any]) -> None:
        self.buffers[table].append(src_line, values)

    def flush_if_full(self) -> None:
        for name, buffer in self.buffers.items():
            if buffer.rows >= FLUSH_ROWS:
                self._move(name)

    def _move(self, name: str) -> None:
        buffer = self.buffers[name]
        self._chunks[name].append(buffer.to_arrow())
        self.buffers[name] = TableBuffer(buffer.spec)

    def finish(self) -> dict[str, pa.Table]:
        out = {}
        for name, buffer in self.buffers.items():
            if buffer.rows or not self._chunks[name]:
                self._move(name)
            out[name] = pa.concat_tables(self._chunks[name])
        return out


class _Reader:
    ACTS_ON = ("Message", "Header", "Child")  # the elements `run` looks at; the rest are read through these

    def __init__(self, problems: Problems, *, la: str | None, year: str | None):
        self.problems = problems
        self.la_arg = la
        self.year_arg = year
        self.la_code: str | None = None
        self.collection_year: str | None = None
        self.year_source = "header"
        self.check: FieldChecker | None = None
        self.tables = _Tables()
        self.child_count = 0
        self.children_seen: dict[str, str] = {}  # LAchildID -> where its first Child block gives it

    # ---- the stream -------------------------------------------------------------------------------

    def run(self, events: Iterator[tuple[str, etree._Element]]) -> None:
        root: etree._Element | None = None
        for event, el in events:
            if root is None:
                root = el
                if _name(el.tag) != "Message":
                    raise self.problems.fatal(
                        f"line {el.sourceline}",
                        "root element",
                        _name(el.tag),
                        "a CIN census return's root element must be Message",
                    )
            if event != "end":
                continue
            name = _name(el.tag)
            if name == "Child":
                parent = el.getparent()
                if parent is None or _name(parent.tag) != "Children":
                    continue
                if self.check is None:
                    raise self._no_header(el)
                self.child_count += 1
                self._read_child(el)
            elif name == "Header" and self.check is None:
                parent = el.getparent()
                if parent is not None and parent.getparent() is None:
                    self._header(_Node(el, "Header"))
                    release(el)
        if root is not None and self.check is None:
            raise self._no_header(root)
        if root is not None and self.child_count == 0:
            self.problems.add(
                f"line {root.sourceline}", "Child", None, "the return has no Children/Child: nothing to load"
            )

    def _read_child(self, el: etree._Element) -> None:
        self._child(_Node(el, f"Child[{self.child_count}]"))
        release(el)
        self.tables.flush_if_full()

    def _no_header(self, el: etree._Element) -> ReturnRejected:
        return self.problems.fatal(
            f"line {el.sourceline}",
            "Header",
            None,
            "the return has no Header before its Children (the Header gives the collection year and LA)",
        )

    # ---- header -------------------------------------------------------------------------------------

    def _header(self, header: _Node) -> None:
        details = header.part("CollectionDetails") or header
        collection, where = details.leaf("Collection")
        if (collection or "").strip().upper() != "CIN":
            self.problems.add(where, "Collection", _clean(collection), "the Header must say Collection CIN")
        self._decide_year(self._header_year(details), header)
        self._decide_la(header)

    def _header_year(self, details: _Node) -> str | None:
        """Collection year from ReferenceDate (the 31 March it ends), else from Year (the year it ends)."""
        from_ref = from_year = None
        ref, ref_at = details.leaf("ReferenceDate")
        ref = _clean(ref)
        if ref is not None:
            day = _iso_date(ref)
            if day is None or (day.month, day.day) != (3, 31):
                self.problems.add(ref_at, "ReferenceDate", ref, "must be a 31 March in the form YYYY-MM-DD")
            else:
                from_ref = financial_year_label(day.year - 1)
        gyear, year_at = details.leaf("Year")
        gyear = _clean(gyear)
        if gyear is not None:
            if _GYEAR.match(gyear):
                from_year = financial_year_label(int(gyear) - 1)
            else:
                self.problems.add(year_at, "Year", gyear, "must be the year the collection ends, like 2017")
        if from_ref and from_year and from_ref != from_year:
            self.problems.add(
                year_at, "Year", gyear, f"disagrees with ReferenceDate {ref} (collection year {from_ref})"
            )
        return from_ref or from_year

    def _decide_year(self, header_year: str | None, header: _Node) -> None:
        decided = decide(
            self.problems,
            YEARS,
            stated=Stated(
                header_year, header.here, "ReferenceDate", "the Header has no ReferenceDate or Year"
            ),
            option=self.year_arg,
        )
        if decided is None:
            raise self.problems.rejected()
        self.collection_year, self.year_source = decided.year, decided.source
        self.check = FieldChecker(self.problems, "cin", decided.year, "iso")

    def _decide_la(self, header: _Node) -> None:
        lea, where = None, header.here
        for source in header.parts("Source"):
            text, at = source.leaf("LEA")
            if _clean(text) is not None:
                lea, where = _clean(text), at
                break
        arg = _clean(self.la_arg)
        given = lea is not None or arg is not None
        if arg is not None and arg not in local_authorities():
            self.problems.add(header.here, "--la", arg, "not an English LA code (3 digits, e.g. 335)")
            arg = None
        if lea is not None and lea not in local_authorities():
            # A council's own code, or a typing slip: the census would load under an LA that does not exist.
            if arg is None:
                rule = "not an English LA's 3-digit DfE code: correct it, or pass --la to name the LA"
                self.problems.add(where, "LEA", lea, rule)
            lea = None
        if lea and arg and lea != arg:
            self.problems.add(where, "LEA", lea, f"disagrees with --la {arg}")
        self.la_code = lea or arg
        if not given:
            self.problems.add(
                header.here, "LEA", None, "no LA: the Header has no Source/LEA and no --la given"
            )

    # ---- field helpers -----------------------------------------------------------------------------

    # Each helper takes a fast path for a good value (what FieldChecker accepts) and hands anything else to
    # FieldChecker, which words the Problem; that keeps a large return quick without a second rule book.

    def _text(self, node: _Node, name: str, *, required: bool = False) -> str | None:
        value = node.value(name)
        if value is None and required:
            self._checker().text(None, node.at(name), name, required=True)
        return value

    def _date(self, node: _Node, name: str, *, required: bool = False) -> dt.date | None:
        value = node.value(name)
        day = _iso_date(value) if value is not None else None
        if day is not None or (value is None and not required):
            return day
        return self._checker().date(value, node.at(name), name, required=required)

    def _code(self, node: _Node, name: str, list_name: str, *, required: bool = False) -> str | None:
        value = node.value(name)
        if value is None and not required:
            return None
        if value is not None and value in codelist("cin", list_name, self.collection_year or ""):
            return value
        return self._checker().code(value, node.at(name), name, list_name, required=required)

    def _bool(self, node: _Node, name: str) -> bool | None:
        value = node.value(name)
        if value is not None and value.lower() in _BOOLS:
            return _BOOLS[value.lower()]
        return self._checker().boolean(value, node.at(name), name, required=True)

    def _checker(self) -> FieldChecker:
        if self.check is None:  # pragma: no cover - children are only read after the Header
            raise RuntimeError("CIN reader: field checked before the Header was read")
        return self.check

    def _required_part(self, node: _Node, name: str) -> _Node | None:
        part = node.part(name)
        if part is None:
            self.problems.add(node.here, name, None, "mandatory element is missing")
        return part

    # ---- children ----------------------------------------------------------------------------------

    def _child(self, child: _Node) -> None:
        row: dict[str, Any] = {"source": "cin"}
        ids = self._required_part(child, "ChildIdentifiers")
        if ids is not None:
            self._identifiers(ids, row)
        chars = self._required_part(child, "ChildCharacteristics")
        if chars is not None:
            row["ethnicity"] = self._code(chars, "Ethnicity", "Ethnicity", required=True)
            disabilities = chars.part("Disabilities")
            if disabilities is not None:
                row["disabilities"] = self._codes(disabilities, "Disability", "Disability")
        self.tables.append("children", child.el.sourceline, row)
        for details in child.parts("CINdetails"):
            self._cin_details(details, row.get("child_id"))

    def _identifiers(self, ids: _Node, row: dict[str, Any]) -> None:
        row["child_id"] = child_id = self._text(ids, "LAchildID", required=True)
        if child_id is not None:
            here = ids.at("LAchildID")
            first = self.children_seen.setdefault(child_id, here)
            if first != here:  # the store would keep one of the two blocks and drop the other's episodes
                rule = (
                    f"a second Child block for this child ({first} is the first): a census has one per child"
                )
                self.problems.add(here, "LAchildID", child_id, rule)
        row["upn"] = self._text(ids, "UPN")
        row["former_upn"] = self._text(ids, "FormerUPN")
        row["upn_unknown"] = self._code(ids, "UPNunknown", "UPNunknown")
        row["dob"] = self._date(ids, "PersonBirthDate")
        row["expected_dob"] = self._date(ids, "ExpectedPersonBirthDate")
        if not ids.has("PersonBirthDate") and not ids.has("ExpectedPersonBirthDate"):
            self.problems.add(
                ids.here, "PersonBirthDate", None, "PersonBirthDate or ExpectedPersonBirthDate must be given"
            )
        row["death_date"] = self._date(ids, "PersonDeathDate")
        row["sex_code"], row["sex"] = self._sex(ids)

    def _sex(self, ids: _Node) -> tuple[str | None, str | None]:
        """GenderCurrent (1/2/0/9) up to 2023-24, Sex (M/F/U) from 2024-25; both are mapped to M/F/U."""
        year = self.collection_year or ""
        uses_sex = year >= SEX_FROM
        wanted, other = ("Sex", "GenderCurrent") if uses_sex else ("GenderCurrent", "Sex")
        if ids.has(other):
            text, where = ids.leaf(other)
            rule = (
                f"GenderCurrent is not collected in {year}: from {SEX_FROM} the element is Sex (M/F/U)"
                if uses_sex
                else f"Sex is not collected in {year}: before {SEX_FROM} the element is GenderCurrent (1/2/0/9)"
            )
            self.problems.add(where, other, _clean(text), rule)
            if not ids.has(wanted):
                return None, None  # the wrong element is the one thing to fix
        code = self._code(ids, wanted, wanted, required=True)
        if code is None:
            return None, None
        return code, (code if uses_sex else GENDER_TO_SEX[code])

    def _codes(self, parent: _Node, name: str, list_name: str) -> list[str]:
        valid = codelist("cin", list_name, self.collection_year or "")
        codes = []
        for value, el in parent.repeats(name):
            if value is not None and value in valid:
                codes.append(value)
            else:
                self._checker().code(value, parent.repeat_at(name, el), name, list_name, required=True)
        return codes

    def _dates(self, parent: _Node, name: str) -> list[dt.date]:
        days = []
        for value, el in parent.repeats(name):
            day = _iso_date(value) if value is not None else None
            if day is not None:
                days.append(day)
            else:
                self._checker().date(value, parent.repeat_at(name, el), name, required=True)
        return days

    def _cin_details(self, details: _Node, child_id: str | None) -> None:
        referral = self._date(details, "CINreferralDate", required=True)
        episode = {
            "child_id": child_id,
            "referral_date": referral,
            "referral_source": self._code(details, "ReferralSource", "ReferralSource", required=True),
            "primary_need": self._code(details, "PrimaryNeedCode", "PrimaryNeedCode"),
            "closure_date": self._date(details, "CINclosureDate"),
            "closure_reason": self._code(details, "ReasonForClosure", "ReasonForClosure"),
            "referral_nfa": self._bool(details, "ReferralNFA"),
            "initial_cpc_date": self._date(details, "DateOfInitialCPC"),
        }
        self.tables.append("cin_episodes", details.el.sourceline, episode)
        keys = {"child_id": child_id, "referral_date": referral}
        for node in details.parts("Assessments"):
            self._assessment(node, keys)
        for node in details.parts("CINPlanDates"):
            self._cin_plan(node, keys)
        for node in details.parts("Section47"):
            self._section47(node, keys)
        for node in details.parts("ChildProtectionPlans"):
            self._cp_plan(node, keys)

    def _assessment(self, node: _Node, keys: dict[str, Any]) -> None:
        factors_node = node.part("FactorsIdentifiedAtAssessment")
        factors = None
        if factors_node is not None:
            factors = self._codes(factors_node, "AssessmentFactors", "AssessmentFactors")
        row = {
            **keys,
            "start_date": self._date(node, "AssessmentActualStartDate", required=True),
            "internal_review_date": self._date(node, "AssessmentInternalReviewDate"),
            "authorised_date": self._date(node, "AssessmentAuthorisationDate"),
            "factors": factors,
        }
        self.tables.append("assessments", node.el.sourceline, row)

    def _cin_plan(self, node: _Node, keys: dict[str, Any]) -> None:
        row = {
            **keys,
            "start_date": self._date(node, "CINPlanStartDate", required=True),
            "end_date": self._date(node, "CINPlanEndDate"),
        }
        self.tables.append("cin_plans", node.el.sourceline, row)

    def _section47(self, node: _Node, keys: dict[str, Any]) -> None:
        row = {
            **keys,
            "start_date": self._date(node, "S47ActualStartDate", required=True),
            "icpc_target_date": self._date(node, "InitialCPCtarget"),
            "icpc_date": self._date(node, "DateOfInitialCPC"),
            "icpc_not_required": self._bool(node, "ICPCnotRequired"),
        }
        self.tables.append("section47", node.el.sourceline, row)

    def _cp_plan(self, node: _Node, keys: dict[str, Any]) -> None:
        reviews = node.part("Reviews")
        row = {
            **keys,
            "start_date": self._date(node, "CPPstartDate", required=True),
            "end_date": self._date(node, "CPPendDate"),
            "initial_category": self._code(node, "InitialCategoryOfAbuse", "CategoryOfAbuse", required=True),
            "latest_category": self._code(node, "LatestCategoryOfAbuse", "CategoryOfAbuse", required=True),
            # The xsd types this positiveInteger, but a first plan has 0 previous plans: 0 is accepted.
            "previous_plans": self._checker().integer(
                *node.leaf("NumberOfPreviousCPP"), "NumberOfPreviousCPP", required=True, minimum=0
            ),
            "review_dates": None if reviews is None else self._dates(reviews, "CPPreviewDate"),
        }
        self.tables.append("cp_plans", node.el.sourceline, row)


class _FlatReader(_Reader):
    """The same stream and Header, with each Child flattened into raw columns (checked later, in DuckDB); the
    first Child the value-by-value reader would object to ends it (`flat` None)."""

    flat: FlatChildren | None = None

    def _read_child(self, el: etree._Element) -> None:
        if self.flat is None:
            uses_sex = (self.collection_year or "") >= SEX_FROM
            sex = ("Sex", "GenderCurrent") if uses_sex else ("GenderCurrent", "Sex")
            self.flat = FlatChildren(*sex)
        if not self.flat.add(el):
            raise _NotFlat
        release(el)


class _NotFlat(Exception):
    """A Child the value-by-value reader would object to: no use reading the rest flat."""


def _iso_date(value: str) -> dt.date | None:
    if not _ISO.match(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _recognise(head: Head) -> float:
    # Any Message: the CSWW census shares the root and scores higher when its elements are there.
    return 0.5 if head.root == "Message" else 0.0


def _read(candidate: Candidate, la: str | None, year: str | None) -> ParsedReturn:
    return read(candidate.files[0], la=la, year=year)


READERS = (
    Reader(
        format="cin_xml",
        format_name="CIN census (XML)",
        kind="cin",
        kind_name="CIN census",
        container="xml",
        recognise=_recognise,
        read=_read,
        looks_for="CIN census (Message)",
    ),
)

__all__ = ["FIRST_YEAR", "LAST_YEAR", "READERS", "SEX_FROM", "YEARS", "read"]
