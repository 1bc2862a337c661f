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
    returns: tuple[str, ...]  # which returns fill it: "cin", "ssda903", "annex_a", "workforce", ...
    columns: tuple[tuple[str, str], ...]  # (name, DuckDB type), without the lineage columns
    key: tuple[str, ...]  # identity within an LA (la_code is always part of the key)
    description: str
    # Columns of the canonical table only, which the store derives at each rebuild (no reader fills them).
    derived: tuple[tuple[str, str], ...] = ()

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


# A record open at the end of its return's year that the next loaded return of that kind does not carry (its id
# changed, or it was deleted as recorded in error): the first day of that return's year, from which the later
# return decides that it is not open (store/quality.py).
_NOT_CARRIED = (("not_carried_from", "DATE"),)

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
        _NOT_CARRIED,
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
        _NOT_CARRIED,
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
        _NOT_CARRIED,
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

# ---- Ofsted ILACS Annex A (lists 1-11), the local CSV templates and the CSWW census (store migration 5) ------
# Annex A lists of events (contacts, referrals...) are identified by the event, so the latest workbook wins; the
# current-state lists (6-9) are snapshots, identified with the workbook's as-at date so that every snapshot kept
# (one per collection year) stays. Local templates have no child-level identity beyond what their rows say.

_ANNEX_A_CHILD = "child_id VARCHAR, sex VARCHAR, ethnicity VARCHAR, dob DATE, "
_ANNEX_A_ALLOCATED = ", allocated_team VARCHAR, allocated_worker VARCHAR, as_at_date DATE"

LOCAL_TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "annex_a_contacts",
        ("annex_a",),
        _cols(_ANNEX_A_CHILD + "contact_date DATE, contact_source VARCHAR, as_at_date DATE"),
        ("child_id", "contact_date"),
        "Annex A list 1: contacts (contact_source is a CIN ReferralSource code). as_at_date is the workbook's.",
    ),
    TableSpec(
        "annex_a_early_help",
        ("annex_a",),
        _cols(_ANNEX_A_CHILD + "start_date DATE, completed_date DATE, organisation VARCHAR, as_at_date DATE"),
        ("child_id", "start_date"),
        "Annex A list 2: early help assessments (start, completion, the organisation completing it).",
    ),
    TableSpec(
        "annex_a_referrals",
        ("annex_a",),
        _cols(
            _ANNEX_A_CHILD + "referral_date DATE, referral_source VARCHAR, referral_nfa BOOLEAN, "
            "referrals_12m INTEGER" + _ANNEX_A_ALLOCATED
        ),
        ("child_id", "referral_date"),
        "Annex A list 3: referrals.",
    ),
    TableSpec(
        "annex_a_assessments",
        ("annex_a",),
        _cols(
            _ANNEX_A_CHILD + "disability BOOLEAN, start_date DATE, child_seen BOOLEAN, authorised_date DATE, "
            "needs_support BOOLEAN" + _ANNEX_A_ALLOCATED
        ),
        ("child_id", "start_date"),
        "Annex A list 4: continuous assessments.",
    ),
    TableSpec(
        "annex_a_section47",
        ("annex_a",),
        _cols(
            _ANNEX_A_CHILD + "disability BOOLEAN, strategy_date DATE, icpc_not_required BOOLEAN, "
            "icpc_date DATE, icpc_to_plan BOOLEAN, s47_12m INTEGER, icpc_12m INTEGER" + _ANNEX_A_ALLOCATED
        ),
        ("child_id", "strategy_date"),
        "Annex A list 5: section 47 enquiries and initial child protection conferences.",
    ),
    TableSpec(
        "annex_a_cin",
        ("annex_a",),
        _cols(
            _ANNEX_A_CHILD
            + "disability BOOLEAN, start_date DATE, primary_need VARCHAR, last_seen_date DATE, "
            "closure_date DATE, closure_reason VARCHAR, case_status VARCHAR" + _ANNEX_A_ALLOCATED
        ),
        ("child_id", "start_date", "as_at_date"),
        "Annex A list 6: children in need at the as-at date. case_status is LAC, CPP, CIN, ASSESSMENT or CLOSED.",
    ),
    TableSpec(
        "annex_a_child_protection",
        ("annex_a",),
        _cols(
            _ANNEX_A_CHILD + "disability BOOLEAN, start_date DATE, initial_category VARCHAR, "
            "latest_category VARCHAR, last_visit_date DATE, seen_alone BOOLEAN, latest_review_date DATE, "
            "end_date DATE, emergency_protection BOOLEAN, previous_plans INTEGER" + _ANNEX_A_ALLOCATED
        ),
        ("child_id", "start_date", "as_at_date"),
        "Annex A list 7: child protection plans at the as-at date (and ended in the months before), with the "
        "date of the last statutory visit.",
    ),
    TableSpec(
        "annex_a_children_in_care",
        ("annex_a",),
        _cols(
            _ANNEX_A_CHILD + "uasc BOOLEAN, disability BOOLEAN, start_date DATE, category_of_need VARCHAR, "
            "legal_status VARCHAR, latest_review_date DATE, last_visit_date DATE, permanence_plan VARCHAR, "
            "last_iro_contact_date DATE, last_health_assessment_date DATE, last_dental_check_date DATE, "
            "placements_12m INTEGER, ceased_date DATE, reason_ceased VARCHAR, placement_start_date DATE, "
            "placement_type VARCHAR, placement_provider VARCHAR, placement_location VARCHAR, "
            "missing_12m INTEGER, absent_12m INTEGER" + _ANNEX_A_ALLOCATED
        ),
        ("child_id", "start_date", "as_at_date"),
        "Annex A list 8: children in care at the as-at date (and ceased in the months before), with the date "
        "of the last social work visit. legal_status, placement_type and reason_ceased are 903 codes.",
    ),
    TableSpec(
        "annex_a_care_leavers",
        ("annex_a",),
        _cols(
            _ANNEX_A_CHILD + "disability BOOLEAN, allocated_personal_adviser VARCHAR, eligibility VARCHAR, "
            "pathway_review_date DATE, in_touch VARCHAR, latest_contact_date DATE, accommodation VARCHAR, "
            "accommodation_suitable BOOLEAN, activity VARCHAR" + _ANNEX_A_ALLOCATED
        ),
        ("child_id", "as_at_date"),
        "Annex A list 9: care leavers at the as-at date (in_touch and activity are 903 codes).",
    ),
    TableSpec(
        "annex_a_adoption",
        ("annex_a",),
        _cols(
            _ANNEX_A_CHILD + "family_id VARCHAR, entered_care_date DATE, decision_date DATE, "
            "placement_order_date DATE, matched_date DATE, placed_date DATE, adoption_order_date DATE, "
            "no_longer_placed_date DATE, no_longer_placed_reason VARCHAR, ffa_date DATE, as_at_date DATE"
        ),
        ("child_id", "decision_date"),
        "Annex A list 10: children with an adoption decision in the 12 months.",
    ),
    TableSpec(
        "annex_a_adopters",
        ("annex_a",),
        _cols(
            "adopter_id VARCHAR, family_id VARCHAR, sex VARCHAR, ethnicity VARCHAR, enquiry_date DATE, "
            "stage1_start_date DATE, stage1_end_date DATE, stage2_start_date DATE, stage2_end_date DATE, "
            "application_date DATE, approval_date DATE, matched_date DATE, placed_date DATE, "
            "children_placed INTEGER, adoption_order_date DATE, left_date DATE, left_reason VARCHAR, "
            "as_at_date DATE"
        ),
        ("adopter_id", "enquiry_date"),
        "Annex A list 11: adopters in contact with the adoption agency in the 12 months (no child data).",
    ),
    TableSpec(
        "eh_contacts",
        ("early_help",),
        _cols("child_id VARCHAR, dob DATE, contact_date DATE, contact_source VARCHAR"),
        ("child_id", "contact_date"),
        "Early help template: contacts to the early help hub (contact_source is a CIN ReferralSource code).",
    ),
    TableSpec(
        "eh_assessments",
        ("early_help",),
        _cols(
            "child_id VARCHAR, start_date DATE, completed_date DATE, assessment_tool VARCHAR, team VARCHAR"
        ),
        ("child_id", "start_date"),
        "Early help template: early help assessments and the tool used (EHA, FAMILY_STAR, OUTCOMES_STAR, "
        "CAF, OTHER).",
    ),
    TableSpec(
        "eh_closures",
        ("early_help",),
        _cols("child_id VARCHAR, episode_start_date DATE, closure_date DATE, closure_outcome VARCHAR"),
        ("child_id", "episode_start_date"),
        "Early help template: early help episodes closed, with the outcome (OUTCOMES_MET, STEP_DOWN, STEP_UP, "
        "DISENGAGED, MOVED_AWAY, OTHER).",
    ),
    TableSpec(
        "sw_workers",
        ("workforce",),
        _cols(
            "worker_id VARCHAR, team VARCHAR, team_type VARCHAR, role VARCHAR, asye BOOLEAN, agency BOOLEAN, "
            "fte DOUBLE, start_date DATE, end_date DATE"
        ),
        ("worker_id", "start_date"),
        "Workforce template: one row per worker per spell in a team and role (a move starts a new row).",
    ),
    TableSpec(
        "sw_caseloads",
        ("workforce",),
        _cols("worker_id VARCHAR, snapshot_date DATE, cases INTEGER"),
        ("worker_id", "snapshot_date"),
        "Workforce template: cases (children) allocated to each worker on each snapshot date.",
    ),
    TableSpec(
        "sw_establishment",
        ("workforce",),
        _cols("team VARCHAR, effective_date DATE, funded_fte DOUBLE"),
        ("team", "effective_date"),
        "Workforce template: each team's funded social worker posts (FTE) from a date until the next row.",
    ),
    TableSpec(
        "youth_justice",
        ("youth_justice",),
        _cols(
            "quarter_end DATE, population_10_17 INTEGER, first_time_entrants INTEGER, "
            "reoffending_cohort INTEGER, reoffenders INTEGER, reoffences INTEGER, custodial_sentences INTEGER"
        ),
        ("quarter_end",),
        "Youth justice template: aggregate figures for each quarter (the quarter's own, not rolling).",
    ),
    TableSpec(
        "case_audits",
        ("case_audits",),
        _cols(
            "audit_id VARCHAR, child_id VARCHAR, audit_date DATE, team VARCHAR, grade VARCHAR, themes VARCHAR[]"
        ),
        ("audit_id",),
        "Case audits template: one row per audit, graded OUTSTANDING, GOOD, REQUIRES_IMPROVEMENT or INADEQUATE.",
    ),
    TableSpec(
        "csww_workers",
        ("csww",),
        _cols(
            "swe_no VARCHAR, agency BOOLEAN, fte DOUBLE, org_role VARCHAR, role_start_date DATE, "
            "role_end_date DATE, reason_leave VARCHAR, fte30 DOUBLE, cases30 INTEGER, "
            "working_days_lost DOUBLE, reference_date DATE"
        ),
        ("swe_no", "role_start_date", "reference_date"),
        "Children's social work workforce census CSWWWorker: one row per worker per census (30 September).",
    ),
    TableSpec(
        "csww_vacancies",
        ("csww",),
        _cols(
            "reference_date DATE, vacancies_fte DOUBLE, agency_cover_fte DOUBLE, agency_cover_headcount INTEGER"
        ),
        ("reference_date",),
        "Children's social work workforce census LALevelVacancies: vacancies and agency cover at 30 September.",
    ),
)

# ---- The SSD's teams, workers, allocations and statutory visits (store migration 9) ---------------------------
# Only a case-management system holds these: no return does. Workers' names stay in the store for analysts'
# views; nothing published reads them.
SSD_TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "allocations",
        ("ssd",),
        _cols(
            "child_id VARCHAR, worker_id VARCHAR, team_id VARCHAR, role VARCHAR, start_date DATE, end_date DATE, "
            "change_reason VARCHAR"
        ),
        ("child_id", "worker_id", "start_date"),
        "SSD ssd_involvements: which worker (and team) a child was allocated to, from when to when.",
    ),
    TableSpec(
        "workers",
        ("ssd",),
        _cols(
            "worker_id VARCHAR, staff_id VARCHAR, worker_name VARCHAR, job_title VARCHAR, department VARCHAR, "
            "fte DOUBLE, agency BOOLEAN, swe_no VARCHAR"
        ),
        ("worker_id",),
        "SSD ssd_professionals: the workers allocations name (held for analysts; never published).",
    ),
    TableSpec(
        "teams",
        ("ssd",),
        _cols("team_id VARCHAR, team_name VARCHAR, parent_team_id VARCHAR, parent_team_name VARCHAR"),
        ("team_id",),
        "SSD ssd_department: teams and the service each belongs to.",
    ),
    TableSpec(
        "statutory_visits",
        ("ssd",),
        _cols("child_id VARCHAR, visit_kind VARCHAR, visit_date DATE, seen BOOLEAN, seen_alone BOOLEAN"),
        ("child_id", "visit_date", "visit_kind"),
        "SSD ssd_cp_visits (visit_kind cp) and ssd_cla_visits (cla): statutory visits, with whether the child "
        "was seen, and seen alone.",
    ),
)
TABLES = TABLES + LOCAL_TABLES + SSD_TABLES

TABLES_BY_NAME: dict[str, TableSpec] = {t.name: t for t in TABLES}


class TableBuffer:
    """Rows for one table, collected column by column and handed over as an Arrow table.

    Columnar buffers keep memory small and let the store insert a whole table in one statement.
    """

    def __init__(self, spec: TableSpec):
        self.spec = spec
        self._columns: dict[str, list[Any]] = {c: [] for c in (*spec.column_names, "src_line")}
        # Appending is per row of every return: the columns' lists looked up once, not per value.
        self._values = [(name, self._columns[name]) for name in spec.column_names]
        self._lines = self._columns["src_line"]
        self.rows = 0

    def append(self, src_line: int | None, values: dict[str, Any]) -> None:
        if not values.keys() <= self._columns.keys():
            unknown = values.keys() - self._columns.keys()
            raise KeyError(f"{self.spec.name} has no column(s) {sorted(unknown)}")
        get = values.get
        for name, column in self._values:
            column.append(get(name))
        self._lines.append(src_line)
        self.rows += 1

    def to_arrow(self) -> pa.Table:
        return pa.Table.from_pydict(self._columns, schema=self.spec.arrow_schema())


def new_buffers(kind: str) -> dict[str, TableBuffer]:
    """Empty buffers for every table a return of this kind fills."""
    return {t.name: TableBuffer(t) for t in TABLES if kind in t.returns}


__all__ = [
    "LOCAL_TABLES",
    "SSD_TABLES",
    "TABLES",
    "TABLES_BY_NAME",
    "TableBuffer",
    "TableSpec",
    "new_buffers",
]
