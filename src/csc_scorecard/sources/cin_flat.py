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
# Below this many bytes a return is read value by value. DuckDB's planning of the six tables' checks (some 0.05 s)
# outweighs what the cheaper walk saves on a small return. The lines cross near 5.5 MB (CPU, one process, the
# national synthetic set's 2015-16 returns, best of three: 0.54 MB 0.073 s flat against 0.024 s; 4.2 MB 0.188
# against 0.179; 6.0 MB 0.248 against 0.258; 10 MB 0.376 against 0.439; 26 MB 0.96 against 1.15).
FLAT_FROM_BYTES = 6_000_000

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


_IDS = RAW["children"][:7]
_EPISODE = RAW["cin_episodes"][1:]
# Each part of a CINdetails: (its table, its fields read once, its repeated field as (holder, repeat) or None)
_PARTS = {
    "Assessments": ("assessments", RAW["assessments"][2:5], ("FactorsIdentifiedAtAssessment", "AssessmentFactors")),
    "CINPlanDates": ("cin_plans", RAW["cin_plans"][2:], None),
    "Section47": ("section47", RAW["section47"][2:], None),
    "ChildProtectionPlans": ("cp_plans", RAW["cp_plans"][2:7], ("Reviews", "CPPreviewDate")),
}  # fmt: skip


class _Slots(dict[object, int]):
    """Each tag's slot in a record, by its local name: `names` from `first` on, then one slot for any other name
    (read, never kept), then `holders` (elements whose own children are read in turn). Looked up rather than
    computed: a subscript per element is the walk's cheapest step (a return has a few dozen distinct tags)."""

    def __init__(self, names: tuple[str, ...], holders: tuple[str, ...] = (), first: int = 0):
        super().__init__()
        self.other = first + len(names)
        self.index = {name: first + i for i, name in enumerate((*names, "", *holders)) if name}

    def __missing__(self, tag: object) -> int:
        slot = self[tag] = self.index.get(local_tag(tag), self.other)
        return slot


class FlatChildren:
    """Rows of raw text for each CIN table, gathered a Child at a time and moved into Arrow in chunks.

    The walk is written for speed, being Python's step for each element of a national load's largest part:
    each element's children are iterated once, last to first, each child's text (or, for an element holding
    others, the child itself) put in its name's slot of the record, so that the first of each name is the one
    kept, as the value-by-value reader keeps it. Only an element's own children are read into its record: an
    element of a known name anywhere else is not read, as that reader does not read it. A table's rows are
    held as one list of values, row after row, which slicing turns into columns."""

    def __init__(self, sex_element: str, other_sex_element: str):
        self.child_slots = _Slots((), ("ChildIdentifiers", "ChildCharacteristics", "CINdetails"))
        self.id_slots = _Slots((*_IDS, sex_element, other_sex_element))
        self.char_slots = _Slots(("Ethnicity",), ("Disabilities",))
        self.disability_slots = _Slots(("Disability",))
        self.detail_slots = _Slots(_EPISODE, tuple(_PARTS), first=1)
        self.parts = tuple(
            (
                table,
                _Slots(fields, () if repeat is None else (repeat[0],), first=2),
                None if repeat is None else _Slots((repeat[1],)),
            )
            for table, fields, repeat in _PARTS.values()
        )
        self.values: dict[str, list] = {t: [] for t in RAW}
        self.batches: dict[str, list[pa.RecordBatch]] = {t: [] for t in RAW}
        self.children = 0

    def add(self, child: etree._Element) -> bool:
        """Take a Child's rows; False (nothing kept) when its shape is one the value-by-value reader objects
        to: no ChildIdentifiers or ChildCharacteristics, no birth date element, the wrong sex element."""
        slots = self.child_slots
        held: list = [None, None, None, None]  # (other), ChildIdentifiers, ChildCharacteristics, CINdetails
        details = []
        for kid in reversed(child):
            slot = slots[kid.tag]
            held[slot] = kid
            if slot == 3:
                details.append(kid)
        ids, chars = held[1], held[2]
        if ids is None or chars is None:
            return False
        slots = self.id_slots
        found: list = [None] * 10  # _IDS, the sex element, the other sex element, (other)
        for kid in reversed(ids):
            found[slots[kid.tag]] = kid
        if found[8] is not None or (found[4] is None and found[5] is None):
            return False
        row = [None if kid is None else kid.text for kid in found]
        slots = self.char_slots
        held = [None, None, None]  # Ethnicity, (other), Disabilities
        for kid in reversed(chars):
            held[slots[kid.tag]] = kid
        ethnicity, disabilities = held[0], held[2]
        row[8] = None if ethnicity is None else ethnicity.text
        slots = self.disability_slots
        row[9] = None if disabilities is None else [kid.text for kid in disabilities if not slots[kid.tag]]
        row.append(child.sourceline)
        self.values["children"] += row
        for cin_details in reversed(details):
            self._details(cin_details, row[0])
        self.children += 1
        if self.children % CHUNK_CHILDREN == 0:
            self._move()
        return True

    def _details(self, details: etree._Element, child_id: str | None) -> None:
        slots, values = self.detail_slots, self.values
        episode: list = [child_id, None, None, None, None, None, None, None, None]  # child, _EPISODE, (other)
        parts = []
        for kid in reversed(details):
            slot = slots[kid.tag]
            if slot < 9:
                episode[slot] = kid.text
            else:
                parts.append((slot, kid))
        episode[8] = details.sourceline
        values["cin_episodes"] += episode
        for slot, part in reversed(parts):
            table, slots, repeats = self.parts[slot - 9]
            other = slots.other
            record: list = [child_id, episode[1], *[None] * (other - 1)]  # keys, the fields, (other)
            holder = None
            for kid in reversed(part):
                slot = slots[kid.tag]
                if slot <= other:
                    record[slot] = kid.text
                else:
                    holder = kid
            if repeats is None:
                record[other] = part.sourceline
            else:
                record[other] = None if holder is None else [k.text for k in holder if not repeats[k.tag]]
                record.append(part.sourceline)
            values[table] += record

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
