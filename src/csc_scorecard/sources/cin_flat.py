"""The CIN census's Children flattened into Arrow columns of raw text, then checked and typed in DuckDB.

Python's part is one walk over each Child's elements, keeping the text of the first element of each name (as the
value-by-value reader reads them) and the source line of each record; DuckDB then checks every value of a table
at once (sources/vectorised.py). A Child whose shape is wrong (no ChildIdentifiers, the wrong sex element, no
birth date element) stops the walk: `add` returns False, and the reader reads the return value by value instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import duckdb
import pyarrow as pa
from lxml import etree

from .codelists import codelist
from .tables import TABLES_BY_NAME
from .vectorised import Column, convert, duplicated

CHUNK_CHILDREN = 4096  # Children held as Python tuples before they are moved into Arrow
# Below this many bytes a return is read value by value. DuckDB's planning of the tables' checks (some 0.025 s)
# outweighs what the cheaper walk saves on a small return. The lines cross near 1.8 MB (`cin_census.read`'s CPU,
# one process, national synthetic returns, best of five: 0.54 MB 0.039 s flat against 0.021 s; 1.7 MB 0.069
# against 0.068; 2.1 MB 0.077 against 0.081; 2.4 MB 0.088 against 0.096; 3.0 MB 0.097 against 0.115; 5.9 MB
# 0.164 against 0.230, best of three).
FLAT_FROM_BYTES = 2_500_000

# Raw columns of each table, in the order `FlatChildren` fills them; a trailing * marks a list of repeats.
RAW: dict[str, tuple[str, ...]] = {
    "children": (
        "LAchildID", "UPN", "FormerUPN", "UPNunknown", "PersonBirthDate", "ExpectedPersonBirthDate",
        "PersonDeathDate", "sex", "Ethnicity", "Disability*",
    ),
    "cin_episodes": (
        "LAchildID", "CINreferralDate", "ReferralSource", "PrimaryNeedCode", "CINclosureDate", "ReasonForClosure",
        "ReferralNFA", "DateOfInitialCPC",
    ),
    "assessments": (
        "LAchildID", "CINreferralDate", "AssessmentActualStartDate", "AssessmentInternalReviewDate",
        "AssessmentAuthorisationDate", "AssessmentFactors*",
    ),
    "cin_plans": ("LAchildID", "CINreferralDate", "CINPlanStartDate", "CINPlanEndDate"),
    "section47": (
        "LAchildID", "CINreferralDate", "S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC",
        "ICPCnotRequired",
    ),
    "cp_plans": (
        "LAchildID", "CINreferralDate", "CPPstartDate", "CPPendDate", "InitialCategoryOfAbuse",
        "LatestCategoryOfAbuse", "NumberOfPreviousCPP", "CPPreviewDate*",
    ),
}  # fmt: skip


@cache
def local_tag(tag: object) -> str:
    """Local name of a tag ('{ns}Child' -> 'Child'); cached, as a return has few distinct tags."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


# What each element is read into. A Child's records are read from the children of these containers only:
_CHILD, _IDS, _CHARS, _DISABILITIES, _DETAILS, _ASSESSMENT, _PLAN, _S47, _CPP, _FACTORS, _REVIEWS = range(11)
_NOWHERE = 11  # any other name's container: none
_PARTS = {_ASSESSMENT: "assessments", _PLAN: "cin_plans", _S47: "section47", _CPP: "cp_plans"}
_WIDTH = {part: len(RAW[table]) + 1 for part, table in _PARTS.items()}  # with src_line
_EPISODE_WIDTH = len(RAW["cin_episodes"]) + 1
# where each holder's list of repeats goes in its container's record
_HOLDER_SLOT = {
    _DISABILITIES: RAW["children"].index("Disability*"),
    _FACTORS: RAW["assessments"].index("AssessmentFactors*"),
    _REVIEWS: RAW["cp_plans"].index("CPPreviewDate*"),
}
# What an element is: a field (its text kept in a slot of its container's record, the first of each name),
# DateOfInitialCPC (a field of two containers), a repeat (its text appended to its holder's list), a container
_FIELD, _EITHER, _REPEAT, _CONTAINER = range(4)
_S47_ICPC = RAW["section47"].index("DateOfInitialCPC")
_OTHER_SEX = 11  # the slot of the sex element of the other years, past the children row's


def _codes(sex_element: str, other_sex_element: str) -> dict[str, tuple[int, int, int]]:
    """(the container an element of each name is read from, its slot there, what it is), by local name."""
    codes = {name: (_IDS, i, _FIELD) for i, name in enumerate((*RAW["children"][:7], sex_element))}
    codes[other_sex_element] = (_IDS, _OTHER_SEX, _FIELD)
    codes["Ethnicity"] = (_CHARS, RAW["children"].index("Ethnicity"), _FIELD)
    for slot, name in enumerate(RAW["cin_episodes"][1:], 1):
        codes[name] = (_DETAILS, slot, _FIELD)
    codes["DateOfInitialCPC"] = (_DETAILS, codes["DateOfInitialCPC"][1], _EITHER)
    for part, table in _PARTS.items():
        for slot, name in enumerate(RAW[table][2:], 2):
            if not name.endswith("*") and name != "DateOfInitialCPC":
                codes[name] = (part, slot, _FIELD)
    containers = {
        "ChildIdentifiers": (_CHILD, _IDS), "ChildCharacteristics": (_CHILD, _CHARS),
        "Disabilities": (_CHARS, _DISABILITIES), "CINdetails": (_CHILD, _DETAILS), "Assessments": (_DETAILS, _ASSESSMENT),
        "CINPlanDates": (_DETAILS, _PLAN), "Section47": (_DETAILS, _S47), "ChildProtectionPlans": (_DETAILS, _CPP),
        "FactorsIdentifiedAtAssessment": (_ASSESSMENT, _FACTORS), "Reviews": (_CPP, _REVIEWS),
    }  # fmt: skip
    codes.update({name: (parent, kind, _CONTAINER) for name, (parent, kind) in containers.items()})
    repeats = {"Disability": _DISABILITIES, "AssessmentFactors": _FACTORS, "CPPreviewDate": _REVIEWS}
    codes.update({name: (holder, 0, _REPEAT) for name, holder in repeats.items()})
    return codes


class _Codes(dict[object, tuple[int, int, int]]):
    """`_codes` by tag, looked up rather than computed: a subscript per element is the walk's cheapest step (a
    return has a few dozen distinct tags, in any namespace). Any other name is read from nowhere."""

    def __init__(self, named: dict[str, tuple[int, int, int]]):
        super().__init__()
        self.named = named

    def __missing__(self, tag: object) -> tuple[int, int, int]:
        code = self[tag] = self.named.get(local_tag(tag), (_NOWHERE, 0, _FIELD))
        return code


_EMPTY = object()  # an element with no text, kept where None would let a later one of its name in


class FlatChildren:
    """Rows of raw text for each CIN table, gathered a Child at a time and moved into Arrow in chunks.

    The walk is written for speed, being Python's step for each element of a national load's largest part:
    one pass over each Child's descendants, each element dispatched on its name into its container's record,
    and read only when its parent is the container its name belongs in (the Child's first ChildIdentifiers and
    ChildCharacteristics, each CINdetails, each part of the CINdetails being read, each part's first holder of
    repeats): an element of a known name anywhere else is not read, as the value-by-value reader does not
    read it. The first element of each name in a record is the one kept, as that reader keeps it. A table's
    rows are held as one list of values, row after row, which slicing turns into columns."""

    def __init__(self, sex_element: str, other_sex_element: str):
        self.codes = _Codes(_codes(sex_element, other_sex_element))
        self.values: dict[str, list] = {t: [] for t in RAW}
        self.batches: dict[str, list[pa.RecordBatch]] = {t: [] for t in RAW}
        self.children = 0

    def add(self, child: etree._Element) -> bool:
        """Take a Child's rows; False (nothing kept) when its shape is one the value-by-value reader objects
        to: no ChildIdentifiers or ChildCharacteristics, no birth date element, the wrong sex element."""
        codes = self.codes
        # the container being read of each kind (_NOWHERE's stays None: no element's parent is None)
        reading: list = [child, None, None, None, None, None, None, None, None, None, None, None]
        # the children row (_IDS, sex, Ethnicity, Disability*, src_line), then the other years' sex element
        row: list = [None] * 12
        records: list = [None, row, row, None, None, None, None, None, None, None, None, None]
        episodes, parts = [], []
        empty = False
        for el in child.iterdescendants():
            container, slot, what = codes[el.tag]
            if el.getparent() is not reading[container]:
                if what != _EITHER or el.getparent() is not reading[_S47]:
                    continue  # not where the value-by-value reader reads it
                container, slot = _S47, _S47_ICPC
            if what <= _EITHER:
                record = records[container]
                if record[slot] is None:
                    text = el.text
                    if text is None:
                        text, empty = _EMPTY, True
                    record[slot] = text
            elif what == _REPEAT:
                records[container].append(el.text)
            elif slot == _DETAILS:
                reading[_DETAILS] = el
                records[_DETAILS] = episode = [None] * _EPISODE_WIDTH
                episode[-1] = el.sourceline
                episodes.append(episode)
            elif slot in _PARTS:
                reading[slot] = el
                records[slot] = record = [None] * _WIDTH[slot]
                record[1] = records[_DETAILS]  # its episode, for the referral date once the episode is read
                record[-1] = el.sourceline
                parts.append((slot, record))
                if slot == _ASSESSMENT:
                    reading[_FACTORS] = None
                elif slot == _CPP:
                    reading[_REVIEWS] = None
            elif reading[slot] is None:
                # the first ChildIdentifiers, ChildCharacteristics or holder of repeats (no other is read)
                reading[slot] = el
                if slot in _HOLDER_SLOT:
                    records[container][_HOLDER_SLOT[slot]] = records[slot] = []
        if reading[_IDS] is None or reading[_CHARS] is None:
            return False
        if row.pop() is not None or (row[4] is None and row[5] is None):
            return False  # the other years' sex element, or no birth date element
        row[-1] = child.sourceline
        if empty:
            for record in (row, *episodes, *(record for _, record in parts)):
                record[:] = [None if value is _EMPTY else value for value in record]
        values = self.values
        values["children"] += row
        child_id = row[0]
        for episode in episodes:
            episode[0] = child_id
            values["cin_episodes"] += episode
        for part, record in parts:
            record[0], record[1] = child_id, record[1][1]
            values[_PARTS[part]] += record
        self.children += 1
        if self.children % CHUNK_CHILDREN == 0:
            self._move()
        return True

    def _move(self) -> None:
        for table, values in self.values.items():
            if values:
                schema = _raw_schema(table)
                width = len(schema)
                arrays = [pa.array(values[i::width], type=f.type) for i, f in enumerate(schema)]
                self.batches[table].append(pa.RecordBatch.from_arrays(arrays, schema=schema))
                self.values[table] = []

    def raw_tables(self) -> dict[str, pa.Table]:
        self._move()
        return {t: pa.Table.from_batches(self.batches[t], schema=_raw_schema(t)) for t in RAW}


@cache
def _raw_schema(table: str) -> pa.Schema:
    fields = [
        pa.field(n[:-1], pa.list_(pa.string())) if n.endswith("*") else pa.field(n, pa.string())
        for n in RAW[table]
    ]
    return pa.schema([*fields, pa.field("src_line", pa.int32())])


def _columns(year: str, uses_sex: bool, gender_to_sex: Mapping[str, str]) -> dict[str, tuple[Column, ...]]:
    """How each stored column is made and checked: the rules of cin_census._Reader, as SQL."""

    def code(name: str, raw: str, list_name: str, required: bool = False) -> Column:
        return Column(name, "code", raw, required, codelist("cin", list_name, year))

    def day(name: str, raw: str, required: bool = False) -> Column:
        return Column(name, "iso_date", raw, required)

    child_id = Column("child_id", "text", "LAchildID", required=True)
    referral = day("referral_date", "CINreferralDate", required=True)
    wanted = "Sex" if uses_sex else "GenderCurrent"
    sex_codes = codelist("cin", wanted, year)
    mapped = (
        '"c_sex"'
        if uses_sex
        else "CASE "
        + " ".join(f"""WHEN "c_sex" = '{k}' THEN '{v}'""" for k, v in gender_to_sex.items())
        + " END"
    )
    return {
        "children": (
            child_id,
            Column("upn", "text", "UPN"),
            Column("former_upn", "text", "FormerUPN"),
            code("upn_unknown", "UPNunknown", "UPNunknown"),
            day("dob", "PersonBirthDate"),
            day("expected_dob", "ExpectedPersonBirthDate"),
            Column("sex", "sql", mapped),
            Column("sex_code", "code", "sex", True, sex_codes),
            code("ethnicity", "Ethnicity", "Ethnicity", required=True),
            Column("disabilities", "codes", "Disability", codes=codelist("cin", "Disability", year)),
            day("death_date", "PersonDeathDate"),
            Column("mother", "sql", "NULL::INTEGER"),
            Column("mc_dob", "sql", "NULL::DATE"),
            Column("source", "sql", "'cin'"),
        ),
        "cin_episodes": (
            child_id,
            referral,
            code("referral_source", "ReferralSource", "ReferralSource", required=True),
            code("primary_need", "PrimaryNeedCode", "PrimaryNeedCode"),
            day("closure_date", "CINclosureDate"),
            code("closure_reason", "ReasonForClosure", "ReasonForClosure"),
            Column("referral_nfa", "boolean", "ReferralNFA", required=True),
            day("initial_cpc_date", "DateOfInitialCPC"),
        ),
        "assessments": (
            child_id,
            referral,
            day("start_date", "AssessmentActualStartDate", required=True),
            day("internal_review_date", "AssessmentInternalReviewDate"),
            day("authorised_date", "AssessmentAuthorisationDate"),
            Column("factors", "codes", "AssessmentFactors", codes=codelist("cin", "AssessmentFactors", year)),
        ),
        "cin_plans": (
            child_id,
            referral,
            day("start_date", "CINPlanStartDate", required=True),
            day("end_date", "CINPlanEndDate"),
        ),
        "section47": (
            child_id,
            referral,
            day("start_date", "S47ActualStartDate", required=True),
            day("icpc_target_date", "InitialCPCtarget"),
            day("icpc_date", "DateOfInitialCPC"),
            Column("icpc_not_required", "boolean", "ICPCnotRequired", required=True),
        ),
        "cp_plans": (
            child_id,
            referral,
            day("start_date", "CPPstartDate", required=True),
            day("end_date", "CPPendDate"),
            code("initial_category", "InitialCategoryOfAbuse", "CategoryOfAbuse", required=True),
            code("latest_category", "LatestCategoryOfAbuse", "CategoryOfAbuse", required=True),
            Column("previous_plans", "whole", "NumberOfPreviousCPP", required=True),
            Column("review_dates", "iso_dates", "CPPreviewDate"),
        ),
    }


def flat_tables(
    con: duckdb.DuckDBPyConnection,
    flat: FlatChildren,
    year: str,
    *,
    uses_sex: bool,
    gender_to_sex: Mapping[str, str],
) -> dict[str, pa.Table] | None:
    """The store's tables, or None when any value fails its check or two Child blocks share an LAchildID."""
    columns = _columns(year, uses_sex, gender_to_sex)
    out: dict[str, pa.Table] = {}
    for table, raw in flat.raw_tables().items():
        converted = convert(con, raw, columns[table], TABLES_BY_NAME[table].arrow_schema())
        if converted is None:
            return None
        out[table] = converted
    if duplicated(out["children"], ("child_id",)):
        return None
    return out


__all__ = ["CHUNK_CHILDREN", "FLAT_FROM_BYTES", "RAW", "FlatChildren", "flat_tables", "local_tag"]
