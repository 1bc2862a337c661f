"""The tables a statutory return is read into, with their identity keys.

Readers fill these tables; the store creates one raw table per spec (every load's rows, tagged with the load)
and one canonical table (one row per identity, the latest return winning). Identity keys follow
`spec/indicators.md`: a CIN episode is (LA, child, CINreferralDate), a CP plan (LA, child, CPPstartDate),
a 903 episode (LA, CHILD, DECOM), and so on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

# DuckDB type -> Arrow type, for the few types the returns use.
ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "DATE": pa.date32(),
    "INTEGER": pa.int32(),
    "BOOLEAN": pa.bool_(),
    "DOUBLE": pa.float64(),
    "VARCHAR[]": pa.list_(pa.string()),
    "DATE[]": pa.list_(pa.date32()),
}


@dataclass(frozen=True)
class TableSpec:
    name: str  # canonical table name; the raw table is raw_<name>
    returns: tuple[str, ...]  # which returns fill it: "cin", "ssda903"
    columns: tuple[tuple[str, str], ...]  # (name, DuckDB type), without the lineage columns
    key: tuple[str, ...]  # identity within an LA (la_code is always part of the key)
    description: str

    @property
    def raw_name(self) -> str:
        return f"raw_{self.name}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.columns)

    def arrow_schema(self) -> pa.Schema:
        fields = [pa.field(c, ARROW_TYPES[t]) for c, t in self.columns]
        return pa.schema([*fields, pa.field("src_line", pa.int32())])


def _cols(spec: str) -> tuple[tuple[str, str], ...]:
    """'child_id VARCHAR, dob DATE' -> (('child_id', 'VARCHAR'), ('dob', 'DATE'))."""
    pairs = (part.split() for part in spec.split(","))
    return tuple((name, typ) for name, typ in pairs)


TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "children",
        ("cin", "ssda903"),
        _cols(
            "child_id VARCHAR, upn VARCHAR, former_upn VARCHAR, upn_unknown VARCHAR, dob DATE, "
            "expected_dob DATE, sex VARCHAR, sex_code VARCHAR, ethnicity VARCHAR, disabilities VARCHAR[], "
            "death_date DATE, mother INTEGER, mc_dob DATE, source VARCHAR"
        ),
        ("child_id",),
        "One row per child: CIN ChildIdentifiers/ChildCharacteristics or 903 Header. sex is M/F/U "
        "(CIN GenderCurrent 1/2/0/9 and 903 SEX 1/2 mapped); sex_code keeps the code as returned; "
        "source is 'cin' or 'ssda903'.",
    ),
    TableSpec(
        "cin_episodes",
        ("cin",),
        _cols(
            "child_id VARCHAR, referral_date DATE, referral_source VARCHAR, primary_need VARCHAR, "
            "closure_date DATE, closure_reason VARCHAR, referral_nfa BOOLEAN, initial_cpc_date DATE"
        ),
        ("child_id", "referral_date"),
        "CIN census CINdetails: one row per episode of need (a referral).",
    ),
    TableSpec(
        "assessments",
        ("cin",),
        _cols(
            "child_id VARCHAR, referral_date DATE, start_date DATE, internal_review_date DATE, "
            "authorised_date DATE, factors VARCHAR[]"
        ),
        ("child_id", "referral_date", "start_date"),
        "CIN census Assessments (the continuous assessment), with FactorsIdentifiedAtAssessment.",
    ),
    TableSpec(
        "cin_plans",
        ("cin",),
        _cols("child_id VARCHAR, referral_date DATE, start_date DATE, end_date DATE"),
        ("child_id", "referral_date", "start_date"),
        "CIN census CINPlanDates (collected from 2022).",
    ),
    TableSpec(
        "section47",
        ("cin",),
        _cols(
            "child_id VARCHAR, referral_date DATE, start_date DATE, icpc_target_date DATE, icpc_date DATE, "
            "icpc_not_required BOOLEAN"
        ),
        ("child_id", "referral_date", "start_date"),
        "CIN census Section47 enquiries and their initial child protection conference.",
    ),
    TableSpec(
        "cp_plans",
        ("cin",),
        _cols(
            "child_id VARCHAR, referral_date DATE, start_date DATE, end_date DATE, initial_category VARCHAR, "
            "latest_category VARCHAR, previous_plans INTEGER, review_dates DATE[]"
        ),
        ("child_id", "start_date"),
        "CIN census ChildProtectionPlans with their review dates.",
    ),
    TableSpec(
        "cla_episodes",
        ("ssda903",),
        _cols(
            "child_id VARCHAR, decom DATE, rne VARCHAR, ls VARCHAR, cin VARCHAR, place VARCHAR, "
            "place_provider VARCHAR, dec DATE, rec VARCHAR, reason_place_change VARCHAR, home_post VARCHAR, "
            "pl_post VARCHAR, urn VARCHAR"
        ),
        ("child_id", "decom"),
        "SSDA903 Episodes: a new episode starts on any change of legal status or placement.",
    ),
    TableSpec(
        "uasc",
        ("ssda903",),
        _cols("child_id VARCHAR, duc DATE"),
        ("child_id",),
        "SSDA903 UASC: date unaccompanied asylum-seeking status ceased.",
    ),
    TableSpec(
        "cla_reviews",
        ("ssda903",),
        _cols("child_id VARCHAR, review_date DATE, review_code VARCHAR"),
        ("child_id", "review_date"),
        "SSDA903 Reviews: looked-after reviews.",
    ),
    TableSpec(
        "oc2",
        ("ssda903",),
        _cols(
            "child_id VARCHAR, sdq_score INTEGER, sdq_reason VARCHAR, convicted INTEGER, health_check INTEGER, "
            "immunisations INTEGER, teeth_check INTEGER, health_assessment INTEGER, "
            "substance_misuse INTEGER, intervention_received INTEGER, intervention_offered INTEGER"
        ),
        ("child_id", "collection_year"),
        "SSDA903 OC2: outcomes for children looked after continuously for 12 months (one per child per year).",
    ),
    TableSpec(
        "oc3",
        ("ssda903",),
        _cols("child_id VARCHAR, in_touch VARCHAR, activ VARCHAR, accom VARCHAR"),
        ("child_id", "collection_year"),
        "SSDA903 OC3: care leavers' contact, activity and accommodation (one per child per year).",
    ),
    TableSpec(
        "ad1",
        ("ssda903",),
        _cols(
            "child_id VARCHAR, date_int DATE, date_match DATE, foster_care INTEGER, nb_adoptr VARCHAR, "
            "sex_adoptr VARCHAR, ls_adoptr VARCHAR"
        ),
        ("child_id",),
        "SSDA903 AD1: adopted children (decision, match, adopters).",
    ),
    TableSpec(
        "placed_adoption",
        ("ssda903",),
        _cols("child_id VARCHAR, date_placed DATE, date_placed_ceased DATE, reason_placed_ceased VARCHAR"),
        ("child_id", "date_placed"),
        "SSDA903 PlacedAdoption: decisions that a child should be placed for adoption.",
    ),
    TableSpec(
        "prev_perm",
        ("ssda903",),
        _cols("child_id VARCHAR, prev_perm VARCHAR, la_perm VARCHAR, date_perm VARCHAR"),
        ("child_id",),
        "SSDA903 PrevPerm: previous permanence. DATE_PERM may be partial (zz/MM/YYYY), so it is kept as text.",
    ),
    TableSpec(
        "missing",
        ("ssda903",),
        _cols("child_id VARCHAR, missing VARCHAR, mis_start DATE, mis_end DATE"),
        ("child_id", "mis_start", "missing"),
        "SSDA903 Missing: one row per missing (M) or away (A) incident.",
    ),
    TableSpec(
        "sw_episodes",
        ("ssda903",),
        _cols("child_id VARCHAR, sw_id VARCHAR, sw_decom DATE, sw_dec DATE, sw_reason VARCHAR"),
        ("child_id", "sw_decom", "sw_id"),
        "SSDA903 SWEpisodes: social worker episodes.",
    ),
    TableSpec(
        "dolo",
        ("ssda903",),
        _cols("child_id VARCHAR, dolo_start DATE, dolo_end DATE"),
        ("child_id", "dolo_start"),
        "SSDA903 DoLo: deprivation of liberty orders.",
    ),
)

TABLES_BY_NAME: dict[str, TableSpec] = {t.name: t for t in TABLES}


class TableBuffer:
    """Rows for one table, collected column by column and handed over as an Arrow table.

    Columnar buffers keep memory small and let the store insert a whole table in one statement.
    """

    def __init__(self, spec: TableSpec):
        self.spec = spec
        self._columns: dict[str, list[Any]] = {c: [] for c in (*spec.column_names, "src_line")}
        self.rows = 0

    def append(self, src_line: int | None, values: dict[str, Any]) -> None:
        unknown = values.keys() - self._columns.keys()
        if unknown:
            raise KeyError(f"{self.spec.name} has no column(s) {sorted(unknown)}")
        for name, column in self._columns.items():
            column.append(src_line if name == "src_line" else values.get(name))
        self.rows += 1

    def to_arrow(self) -> pa.Table:
        return pa.Table.from_pydict(self._columns, schema=self.spec.arrow_schema())


def new_buffers(kind: str) -> dict[str, TableBuffer]:
    """Empty buffers for every table a return of this kind fills."""
    return {t.name: TableBuffer(t) for t in TABLES if kind in t.returns}


__all__ = ["TABLES", "TABLES_BY_NAME", "TableBuffer", "TableSpec", "new_buffers"]
