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


_PART_OF = {"Assessments": "assessments", "CINPlanDates": "cin_plans", "Section47": "section47",
            "ChildProtectionPlans": "cp_plans"}  # fmt: skip
_IDS = RAW["children"][:7]
_EPISODE = RAW["cin_episodes"][1:]
_LEAVES = {table: tuple(c for c in RAW[table][2:] if not c.endswith("*")) for table in _PART_OF.values()}
# A part's repeated field: (the element holding the repeats, the repeat's name)
_REPEATS = {"assessments": ("FactorsIdentifiedAtAssessment", "AssessmentFactors"), "cp_plans": ("Reviews", "CPPreviewDate")}  # fmt: skip


class _LocalNames(dict[object, str]):
    """Each tag's local name, looked up rather than computed: a subscript per element is the walk's cheapest step
    (a return has a few dozen distinct tags)."""

    def __missing__(self, tag: object) -> str:
        name = self[tag] = local_tag(tag)
        return name


class FlatChildren:
    """Rows of raw text for each CIN table, gathered a Child at a time and moved into Arrow in chunks.

    The walk is written for speed, being Python's step for each element of a national load's largest part: each
    element's children are iterated once per level (no tag-filtered iterators, each of which costs a matcher to
    build), their first of each local name kept in a dict."""

    def __init__(self, sex_element: str, other_sex_element: str):
        self.sex, self.other_sex = sex_element, other_sex_element
        self.names = _LocalNames()
        self.rows: dict[str, list[tuple]] = {t: [] for t in RAW}
        self.batches: dict[str, list[pa.RecordBatch]] = {t: [] for t in RAW}
        self.children = 0

    def add(self, child: etree._Element) -> bool:
        """Take a Child's rows; False (nothing kept) when its shape is one the value-by-value reader objects
        to: no ChildIdentifiers or ChildCharacteristics, no birth date element, the wrong sex element."""
        names = self.names
        kids = {names[kid.tag]: kid for kid in reversed(child)}  # the first of each name wins
        ids, chars = kids.get("ChildIdentifiers"), kids.get("ChildCharacteristics")
        if ids is None or chars is None:
            return False
        id_texts = {names[kid.tag]: kid.text for kid in reversed(ids)}
        if self.other_sex in id_texts or (
            "PersonBirthDate" not in id_texts and "ExpectedPersonBirthDate" not in id_texts
        ):
            return False
        char_kids = {names[kid.tag]: kid for kid in reversed(chars)}
        ethnicity = char_kids.get("Ethnicity")
        disabilities = char_kids.get("Disabilities")
        child_id = id_texts.get("LAchildID")
        self.rows["children"].append((
            *[id_texts.get(n) for n in _IDS], id_texts.get(self.sex), None if ethnicity is None else ethnicity.text,
            None if disabilities is None else [k.text for k in disabilities if names[k.tag] == "Disability"],
            child.sourceline,
        ))  # fmt: skip
        for details in child:
            if names[details.tag] == "CINdetails":
                self._details(details, child_id)
        self.children += 1
        if self.children % CHUNK_CHILDREN == 0:
            self._move()
        return True

    def _details(self, details: etree._Element, child_id: str | None) -> None:
        names, rows = self.names, self.rows
        kids = {names[kid.tag]: kid for kid in reversed(details)}
        episode = [None if (k := kids.get(n)) is None else k.text for n in _EPISODE]
        rows["cin_episodes"].append((child_id, *episode, details.sourceline))
        for part in details:
            table = _PART_OF.get(names[part.tag])
            if table is None:
                continue
            found = {names[kid.tag]: kid for kid in reversed(part)}
            leaves = [None if (k := found.get(n)) is None else k.text for n in _LEAVES[table]]
            if table in _REPEATS:
                holder, name = _REPEATS[table]
                held = found.get(holder)
                leaves.append(None if held is None else [k.text for k in held if names[k.tag] == name])
            rows[table].append((child_id, episode[0], *leaves, part.sourceline))

    def _move(self) -> None:
        for table, rows in self.rows.items():
            if rows:
                schema = _raw_schema(table)
                columns = zip(*rows, strict=True)
                arrays = [pa.array(column, type=f.type) for column, f in zip(columns, schema, strict=True)]
                self.batches[table].append(pa.RecordBatch.from_arrays(arrays, schema=schema))
                self.rows[table] = []

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
