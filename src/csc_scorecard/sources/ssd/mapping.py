"""The SSD onto the canonical tables the engine reads, field by field.

`MAPPINGS` says, for each canonical table, which SSD tables fill it (the first is the one whose presence means
the extract holds that table; the others must come with it) and where each column comes from; docs/store.md
prints it. `build` applies it: ids are joined across tables (an assessment's referral date comes from its
referral), codes are checked or translated (codes.py), and a row the returns' identity rules cannot hold
(two referrals of one child on one day) is a Problem rather than one of them being dropped.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..problems import Problems
from ..tables import TABLES_BY_NAME, TableBuffer
from . import codes
from .extract import Extract, SsdTable
from .values import Values

Row = dict[str, object]


@dataclass(frozen=True)
class Field:
    column: str  # the canonical column
    source: str  # the SSD field(s) it comes from, in words
    rule: str = ""  # how, when it is not a copy


@dataclass(frozen=True)
class Mapping:
    table: str  # canonical
    ssd_tables: tuple[
        str, ...
    ]  # the first decides whether the extract holds the table; the rest must come too
    optional: tuple[str, ...]  # read when present
    fields: tuple[Field, ...]
    note: str = ""


def _f(column: str, source: str, rule: str = "") -> Field:
    return Field(column, source, rule)


CIN_CODE = "checked against the CIN census code list (any year)"
SSDA903_CODE = "checked against the SSDA903 code list (any year)"
MAPPINGS: tuple[Mapping, ...] = (
    Mapping(
        "children",
        ("ssd_person",),
        ("ssd_disability", "ssd_linked_identifiers", "ssd_mother"),
        (
            _f("child_id", "ssd_person.pers_person_id"),
            _f(
                "upn",
                "ssd_linked_identifiers.link_identifier_value",
                "the latest with link_identifier_type 'Unique Pupil Number' (or 'UPN')",
            ),
            _f("former_upn", "-", "blank: the SSD keeps no former UPN"),
            _f("upn_unknown", "pers_upn_unknown", "CIN UPNunknown code (UN1-UN10), " + CIN_CODE),
            _f("dob", "pers_dob"),
            _f("expected_dob", "pers_expected_dob"),
            _f(
                "sex",
                "pers_sex, else pers_gender",
                "1/M/Male -> M, 2/F/Female -> F, 0/9/U/Unknown -> U (codes.SEX); anything else is a problem",
            ),
            _f("sex_code", "pers_sex, else pers_gender", "as written"),
            _f("ethnicity", "pers_ethnicity", "CIN Ethnicity code, " + CIN_CODE),
            _f(
                "disabilities",
                "ssd_disability.disa_disability_code",
                "every code of the person, " + CIN_CODE + "; blank (not recorded) when the person has none",
            ),
            _f("death_date", "pers_death_date"),
            _f("mother", "pers_is_mother", "Y -> 1, N -> 0"),
            _f("mc_dob", "ssd_mother.moth_childs_dob", "the latest of the person's children"),
            _f("source", "-", "'ssd'"),
        ),
    ),
    Mapping(
        "cin_episodes",
        ("ssd_cin_episodes",),
        ("ssd_initial_cp_conference",),
        (
            _f("child_id", "cine_person_id"),
            _f("referral_date", "cine_referral_date"),
            _f("referral_source", "cine_referral_source_code", CIN_CODE + " (ReferralSource)"),
            _f("primary_need", "cine_cin_primary_need_code", CIN_CODE + " (PrimaryNeedCode)"),
            _f("closure_date", "cine_close_date"),
            _f("closure_reason", "cine_close_reason", CIN_CODE + " (ReasonForClosure)"),
            _f("referral_nfa", "cine_referral_nfa", "Y -> true, N -> false"),
            _f(
                "initial_cpc_date",
                "ssd_initial_cp_conference.icpc_icpc_date",
                "the earliest conference with icpc_referral_id = cine_referral_id",
            ),
        ),
    ),
    Mapping(
        "assessments",
        ("ssd_cin_assessments", "ssd_cin_episodes"),
        ("ssd_assessment_factors",),
        (
            _f("child_id", "cina_person_id"),
            _f("referral_date", "ssd_cin_episodes.cine_referral_date", "of the referral cina_referral_id"),
            _f("start_date", "cina_assessment_start_date"),
            _f("internal_review_date", "-", "blank: not in the SSD"),
            _f("authorised_date", "cina_assessment_auth_date"),
            _f(
                "factors",
                "ssd_assessment_factors.cinf_assessment_factors_json",
                "a JSON list, a JSON object of Y/N flags, or codes separated by commas; " + CIN_CODE,
            ),
        ),
    ),
    Mapping(
        "cin_plans",
        ("ssd_cin_plans", "ssd_cin_episodes"),
        (),
        (
            _f("child_id", "cinp_person_id"),
            _f("referral_date", "ssd_cin_episodes.cine_referral_date", "of the referral cinp_referral_id"),
            _f("start_date", "cinp_cin_plan_start_date"),
            _f("end_date", "cinp_cin_plan_end_date"),
        ),
    ),
    Mapping(
        "section47",
        ("ssd_s47_enquiry", "ssd_cin_episodes"),
        ("ssd_initial_cp_conference",),
        (
            _f("child_id", "s47e_person_id"),
            _f("referral_date", "ssd_cin_episodes.cine_referral_date", "of the referral s47e_referral_id"),
            _f("start_date", "s47e_s47_start_date"),
            _f(
                "icpc_target_date",
                "ssd_initial_cp_conference.icpc_icpc_target_date",
                "of the conference with icpc_s47_enquiry_id = s47e_s47_enquiry_id",
            ),
            _f("icpc_date", "ssd_initial_cp_conference.icpc_icpc_date", "of the same conference"),
            _f("icpc_not_required", "s47e_s47_nfa", "Y -> true (the enquiry ended with no conference)"),
        ),
    ),
    Mapping(
        "cp_plans",
        ("ssd_cp_plans", "ssd_cin_episodes"),
        ("ssd_cp_reviews",),
        (
            _f("child_id", "cppl_person_id"),
            _f("referral_date", "ssd_cin_episodes.cine_referral_date", "of the referral cppl_referral_id"),
            _f("start_date", "cppl_cp_plan_start_date"),
            _f("end_date", "cppl_cp_plan_end_date"),
            _f(
                "initial_category",
                "cppl_cp_plan_initial_category",
                "the words (Neglect, Physical Abuse...) or CIN codes -> NEG, PHY, SAB, EMO, MUL (codes.CATEGORY_OF_ABUSE)",
            ),
            _f("latest_category", "cppl_cp_plan_latest_category", "as initial_category"),
            _f(
                "previous_plans",
                "ssd_cp_plans",
                "the person's plans that started before this one: the SSD "
                "holds no count of earlier plans, so plans before its timeframe are not counted",
            ),
            _f("review_dates", "ssd_cp_reviews.cppr_cp_review_date", "every review of the plan, in order"),
        ),
    ),
    Mapping(
        "cla_episodes",
        ("ssd_cla_episodes", "ssd_cla_placement", "ssd_legal_status"),
        ("ssd_address",),
        (
            _f("child_id", "clae_person_id"),
            _f("decom", "clae_cla_episode_start_date"),
            _f("rne", "clae_cla_episode_start_reason", SSDA903_CODE + " (RNE)"),
            _f(
                "ls",
                "ssd_legal_status.lega_legal_status",
                "the person's legal status in force on the episode's start (started on or before it, not "
                "ended by it); " + SSDA903_CODE + " (LS)",
            ),
            _f("cin", "clae_cla_primary_need_code", SSDA903_CODE + " (CIN)"),
            _f(
                "place",
                "ssd_cla_placement.clap_cla_placement_type",
                "of the placement clae_cla_placement_id; " + SSDA903_CODE + " (PLACE)",
            ),
            _f("place_provider", "clap_cla_placement_provider", SSDA903_CODE + " (PLACE_PROVIDER)"),
            _f("dec", "clae_cla_episode_ceased_date"),
            _f("rec", "clae_cla_episode_ceased_reason", SSDA903_CODE + " (REC)"),
            _f(
                "reason_place_change",
                "clap_cla_placement_change_reason",
                "on the episode that starts the placement; " + SSDA903_CODE + " (REASON_PLACE_CHANGE)",
            ),
            _f(
                "home_post",
                "ssd_address.addr_address_postcode",
                "the person's address on the episode's start",
            ),
            _f("pl_post", "clap_cla_placement_postcode"),
            _f("urn", "clap_cla_placement_urn"),
        ),
        "An SSD episode is a 903 episode: a new one on any change of placement or legal status.",
    ),
    Mapping(
        "cla_reviews",
        ("ssd_cla_reviews", "ssd_cla_episodes"),
        (),
        (
            _f(
                "child_id",
                "ssd_cla_episodes.clae_person_id",
                "of the period of care clar_cla_id (clae_cla_id)",
            ),
            _f(
                "review_date",
                "clar_cla_review_date",
                "reviews marked cancelled (clar_cla_review_cancelled Y) are not reviews held",
            ),
            _f("review_code", "clar_cla_review_participation", SSDA903_CODE + " (REVIEW_CODE)"),
        ),
    ),
    Mapping(
        "missing",
        ("ssd_missing",),
        (),
        (
            _f("child_id", "miss_person_id"),
            _f("missing", "miss_missing_episode_type", "M/Missing -> M, A/Away -> A (codes.MISSING_TYPE)"),
            _f("mis_start", "miss_missing_episode_start_date"),
            _f("mis_end", "miss_missing_episode_end_date"),
        ),
    ),
    Mapping(
        "uasc",
        ("ssd_immigration_status",),
        (),
        (
            _f(
                "child_id",
                "immi_person_id",
                "persons with an unaccompanied asylum-seeking status "
                "(codes.UASC_STATUSES); other statuses are not UASC",
            ),
            _f("duc", "immi_immigration_status_end_date"),
        ),
    ),
    Mapping(
        "ad1",
        ("ssd_permanence",),
        (),
        (
            _f(
                "child_id",
                "perm_person_id",
                "rows whose perm_permanence_order_type is an adoption order "
                "(codes.ADOPTION_ORDERS) with perm_permanence_order_date; other order types (codes.OTHER_ORDERS) "
                "are not adoptions, and any other type is a problem",
            ),
            _f("date_int", "perm_adm_decision_date"),
            _f("date_match", "perm_matched_date"),
            _f("foster_care", "perm_adopted_by_carer_flag", "Y -> 1, N -> 0"),
            _f("nb_adoptr", "perm_number_of_adopters", SSDA903_CODE + " (NB_ADOPTR)"),
            _f("sex_adoptr", "perm_adopter_sex", SSDA903_CODE + " (SEX_ADOPTR)"),
            _f("ls_adoptr", "perm_adopter_legal_status", SSDA903_CODE + " (LS_ADOPTR)"),
        ),
    ),
    Mapping(
        "placed_adoption",
        ("ssd_permanence",),
        (),
        (
            _f("child_id", "perm_person_id", "rows with a perm_adm_decision_date"),
            _f("date_placed", "perm_adm_decision_date"),
            _f("date_placed_ceased", "perm_decision_reversed_date"),
            _f(
                "reason_placed_ceased",
                "perm_decision_reversed_reason",
                SSDA903_CODE + " (REASON_PLACED_CEASED)",
            ),
        ),
    ),
    Mapping(
        "prev_perm",
        ("ssd_cla_previous_permanence",),
        (),
        (
            _f(
                "child_id",
                "lapp_person_id",
                "one row per child, as the 903's: of several, the extract's last (the load report says how many)",
            ),
            _f("prev_perm", "lapp_previous_permanence_option", SSDA903_CODE + " (PREV_PERM)"),
            _f("la_perm", "lapp_previous_permanence_la"),
            _f("date_perm", "lapp_previous_permanence_order_date", "as written (it may be partial)"),
        ),
    ),
    Mapping(
        "annex_a_contacts",
        ("ssd_contacts",),
        (),
        (
            _f("child_id", "cont_person_id"),
            _f("sex", "-", "blank: the child's are in children (ssd_person)"),
            _f("ethnicity", "-", "blank: the child's are in children (ssd_person)"),
            _f("dob", "-", "blank: the child's are in children (ssd_person)"),
            _f("contact_date", "cont_contact_date", "the day (a time of day is dropped)"),
            _f(
                "contact_source",
                "cont_contact_source_code",
                CIN_CODE + " (ReferralSource), as Annex A list 1's",
            ),
            _f("as_at_date", "-", "blank: the snapshot's dates are in loads"),
        ),
        "Annex A list 1 from the SSD: contacts month by month. Two contacts of one child on one day are a "
        "problem, as in Annex A (one row each).",
    ),
    Mapping(
        "annex_a_early_help",
        ("ssd_early_help_episodes",),
        (),
        (
            _f("child_id", "earl_person_id"),
            _f("sex", "-", "blank: the child's are in children (ssd_person)"),
            _f("ethnicity", "-", "blank: the child's are in children (ssd_person)"),
            _f("dob", "-", "blank: the child's are in children (ssd_person)"),
            _f("start_date", "earl_episode_start_date"),
            _f("completed_date", "earl_episode_end_date"),
            _f("organisation", "earl_episode_organisation", "as written"),
            _f("as_at_date", "-", "blank: the snapshot's dates are in loads"),
        ),
        "Annex A list 2 from the SSD, as Data to Insight's Annex A builds it from the early help episodes.",
    ),
    Mapping(
        "allocations",
        ("ssd_involvements",),
        (),
        (
            _f("child_id", "invo_person_id"),
            _f("worker_id", "invo_professional_id"),
            _f("team_id", "invo_professional_team"),
            _f("role", "invo_professional_role_id"),
            _f("start_date", "invo_involvement_start_date"),
            _f("end_date", "invo_involvement_end_date"),
            _f("change_reason", "invo_worker_change_reason"),
        ),
    ),
    Mapping(
        "workers",
        ("ssd_professionals",),
        (),
        (
            _f("worker_id", "prof_professional_id"),
            _f("staff_id", "prof_staff_id"),
            _f("worker_name", "prof_professional_name"),
            _f("job_title", "prof_professional_job_title"),
            _f("department", "prof_professional_department"),
            _f("fte", "prof_full_time_equivalency"),
            _f("agency", "prof_agency_worker_flag", "Y -> true, N -> false"),
            _f("swe_no", "prof_social_worker_registration_no"),
        ),
    ),
    Mapping(
        "teams",
        ("ssd_department",),
        (),
        (
            _f("team_id", "dept_team_id"),
            _f("team_name", "dept_team_name"),
            _f("parent_team_id", "dept_team_parent_id"),
            _f("parent_team_name", "dept_team_parent_name"),
        ),
    ),
    Mapping(
        "statutory_visits",
        ("ssd_cp_visits", "ssd_cla_visits"),
        (),
        (
            _f("child_id", "cppv_person_id / clav_person_id"),
            _f("visit_kind", "-", "'cp' for ssd_cp_visits, 'cla' for ssd_cla_visits"),
            _f("visit_date", "cppv_cp_visit_date / clav_cla_visit_date"),
            _f("seen", "cppv_cp_visit_seen / clav_cla_visit_seen", "Y -> true, N -> false"),
            _f("seen_alone", "cppv_cp_visit_seen_alone / clav_cla_visit_seen_alone", "Y -> true, N -> false"),
        ),
        "Both visits tables come together: a figure of one kind of visit must not read the other's absence as none.",
    ),
)
MAPPINGS_BY_TABLE = {m.table: m for m in MAPPINGS}
USED_SSD_TABLES = frozenset(t for m in MAPPINGS for t in (*m.ssd_tables, *m.optional))
NOT_MAPPED = {
    "oc3": "ssd_care_leavers holds each care leaver's latest situation, not the one around each 17th-21st "
    "birthday that an OC3 year counts; care leavers' figures come from the SSDA903 only",
    "oc2": "the OC2 cohort (looked after for 12 months at 31 March) and its health checks are a year's return",
    "sw_episodes": "social worker episodes of the 903 come from the 903",
    "dolo": "the SSD holds no deprivation of liberty orders",
    "eh_contacts": "the early help template's contacts to the hub are not the SSD's ssd_contacts (the front "
    "door's, mapped to annex_a_contacts)",
    "eh_assessments": "the SSD holds no early help assessment tool; its episodes fill annex_a_early_help",
    "eh_closures": "the SSD's early help end reasons are local free text, with no code list to translate them "
    "into the template's outcomes",
}


class _Mapper:
    """Builds the canonical rows of one extract, collecting every problem."""

    def __init__(self, extract: Extract):
        self.extract = extract
        self.tables = extract.tables
        self.buffers: dict[str, TableBuffer] = {}
        self.notes: list[str] = []  # rules applied that the load report says
        self._referrals: dict[str, tuple[str, dt.date | None]] | None = None

    # ---- helpers --------------------------------------------------------------------------------------------

    def rows(self, name: str) -> Iterable[tuple[str, Row, Values]]:
        table = self.tables.get(name)
        if table is None:
            return
        values = Values(table.problems)
        for where, row in table.rows:
            yield where, row, values

    def buffer(self, name: str) -> TableBuffer:
        if name not in self.buffers:
            self.buffers[name] = TableBuffer(TABLES_BY_NAME[name])
        return self.buffers[name]

    def emit(self, name: str, where: str, line: int, row: Row, seen: dict, table: SsdTable) -> None:
        """Add a canonical row unless another row of the extract has the same identity (a Problem)."""
        spec = TABLES_BY_NAME[name]
        key = tuple(row.get(c) for c in spec.key)
        if all(part is not None for part in key):
            first = seen.setdefault(key, where)
            if first != where:
                shown = ", ".join(str(part) for part in key)
                table.problems.add(
                    where,
                    ", ".join(spec.key),
                    shown,
                    f"the same {' and '.join(spec.key)} as {first}: the store's {name} holds one row for each",
                )
                return
        self.buffer(name).append(line, row)

    def code(
        self, values: Values, raw: object, where: str, field: str, kind: str, list_name: str
    ) -> str | None:
        value = values.text(raw, where, field)
        if value is None:
            return None
        code = value.upper()
        if code not in codes.any_year(kind, list_name):
            returns = "CIN census" if kind == "cin" else "SSDA903"
            values.problems.add(where, field, value, f"not a {returns} {list_name} code")
            return None
        return code

    def translated(
        self, values: Values, raw: object, where: str, field: str, table: dict[str, str], what: str
    ) -> str | None:
        value = values.text(raw, where, field)
        if value is None:
            return None
        found = table.get(codes.words(value))
        if found is None:
            known = ", ".join(sorted({k.title() if len(k) > 3 else k for k in table}))
            values.problems.add(where, field, value, f"not a {what} the mapping knows ({known})")
        return found

    def referrals(self) -> dict[str, tuple[str, dt.date | None]]:
        """cine_referral_id -> (person, referral date)."""
        if self._referrals is None:
            self._referrals = {}
            for where, row, values in self.rows("ssd_cin_episodes"):
                ref_id = values.text(row.get("cine_referral_id"), where, "cine_referral_id")
                person = values.text(row.get("cine_person_id"), where, "cine_person_id")
                if ref_id is not None and person is not None:
                    day = values.date(row.get("cine_referral_date"), where, "cine_referral_date")
                    self._referrals[ref_id] = (person, day)
        return self._referrals

    def referral_date(self, values: Values, raw: object, where: str, field: str) -> dt.date | None:
        ref_id = values.text(raw, where, field, required=True)
        if ref_id is None:
            return None
        found = self.referrals().get(ref_id)
        if found is None:
            values.problems.add(
                where, field, ref_id, "no referral with this cine_referral_id in ssd_cin_episodes"
            )
            return None
        return found[1]

    # ---- tables ---------------------------------------------------------------------------------------------

    def children(self) -> None:
        disabilities: dict[str, list[str]] = defaultdict(list)
        for where, row, values in self.rows("ssd_disability"):
            person = values.text(row.get("disa_person_id"), where, "disa_person_id", required=True)
            code = self.code(
                values, row.get("disa_disability_code"), where, "disa_disability_code", "cin", "Disability"
            )
            if person is not None and code is not None and code not in disabilities[person]:
                disabilities[person].append(code)
        upns: dict[str, tuple[dt.date, str]] = {}
        for where, row, values in self.rows("ssd_linked_identifiers"):
            kind = values.text(row.get("link_identifier_type"), where, "link_identifier_type")
            if kind is None or codes.words(kind) not in codes.UPN_TYPES:
                continue
            person = values.text(row.get("link_person_id"), where, "link_person_id", required=True)
            value = values.text(
                row.get("link_identifier_value"), where, "link_identifier_value", required=True
            )
            since = values.date(row.get("link_valid_from_date"), where, "link_valid_from_date") or dt.date.min
            if person is not None and value is not None and (person not in upns or since >= upns[person][0]):
                upns[person] = (since, value)
        births: dict[str, dt.date] = {}
        for where, row, values in self.rows("ssd_mother"):
            mother = values.text(row.get("moth_person_id"), where, "moth_person_id", required=True)
            day = values.date(row.get("moth_childs_dob"), where, "moth_childs_dob")
            if mother is not None and day is not None and day > births.get(mother, dt.date.min):
                births[mother] = day
        table, seen = self.tables["ssd_person"], {}
        for line, (where, row, values) in enumerate(self.rows("ssd_person"), start=1):
            person = values.text(row.get("pers_person_id"), where, "pers_person_id", required=True)
            sex_field = "pers_sex" if values.text(row.get("pers_sex"), where, "pers_sex") else "pers_gender"
            sex_code = values.text(row.get(sex_field), where, sex_field)
            sex = self.translated(values, sex_code, where, sex_field, codes.SEX, "sex") if sex_code else None
            mother = values.flag(row.get("pers_is_mother"), where, "pers_is_mother")
            out = {
                "child_id": person,
                "upn": upns[person][1] if person in upns else None,
                "upn_unknown": self.code(
                    values, row.get("pers_upn_unknown"), where, "pers_upn_unknown", "cin", "UPNunknown"
                ),
                "dob": values.date(row.get("pers_dob"), where, "pers_dob"),
                "expected_dob": values.date(row.get("pers_expected_dob"), where, "pers_expected_dob"),
                "sex": sex,
                "sex_code": sex_code,
                "ethnicity": self.code(
                    values, row.get("pers_ethnicity"), where, "pers_ethnicity", "cin", "Ethnicity"
                ),
                "disabilities": disabilities.get(person or "") or None,
                "death_date": values.date(row.get("pers_death_date"), where, "pers_death_date"),
                "mother": None if mother is None else int(mother),
                "mc_dob": births.get(person or ""),
                "source": "ssd",
            }
            self.emit("children", where, _line(where, line), out, seen, table)

    def cin_episodes(self) -> None:
        conferences: dict[str, dt.date] = {}
        for where, row, values in self.rows("ssd_initial_cp_conference"):
            ref_id = values.text(row.get("icpc_referral_id"), where, "icpc_referral_id")
            day = values.date(row.get("icpc_icpc_date"), where, "icpc_icpc_date")
            if ref_id is not None and day is not None and day < conferences.get(ref_id, dt.date.max):
                conferences[ref_id] = day
        table, seen = self.tables["ssd_cin_episodes"], {}
        for line, (where, row, values) in enumerate(self.rows("ssd_cin_episodes"), start=1):
            ref_id = values.text(row.get("cine_referral_id"), where, "cine_referral_id", required=True)
            out = {
                "child_id": values.text(row.get("cine_person_id"), where, "cine_person_id", required=True),
                "referral_date": values.date(
                    row.get("cine_referral_date"), where, "cine_referral_date", required=True
                ),
                "referral_source": self.code(
                    values,
                    row.get("cine_referral_source_code"),
                    where,
                    "cine_referral_source_code",
                    "cin",
                    "ReferralSource",
                ),
                "primary_need": self.code(
                    values,
                    row.get("cine_cin_primary_need_code"),
                    where,
                    "cine_cin_primary_need_code",
                    "cin",
                    "PrimaryNeedCode",
                ),
                "closure_date": values.date(row.get("cine_close_date"), where, "cine_close_date"),
                "closure_reason": self.code(
                    values,
                    row.get("cine_close_reason"),
                    where,
                    "cine_close_reason",
                    "cin",
                    "ReasonForClosure",
                ),
                "referral_nfa": values.flag(row.get("cine_referral_nfa"), where, "cine_referral_nfa"),
                "initial_cpc_date": conferences.get(ref_id or ""),
            }
            self.emit("cin_episodes", where, _line(where, line), out, seen, table)

    def assessments(self) -> None:
        factors: dict[str, list[str]] = {}
        allowed = codes.any_year("cin", "AssessmentFactors")
        for where, row, values in self.rows("ssd_assessment_factors"):
            assessment = values.text(
                row.get("cinf_assessment_id"), where, "cinf_assessment_id", required=True
            )
            raw = values.text(row.get("cinf_assessment_factors_json"), where, "cinf_assessment_factors_json")
            if assessment is None or raw is None:
                continue
            try:
                found = codes.code_list(raw)
            except ValueError as error:
                values.problems.add(where, "cinf_assessment_factors_json", raw[:80], str(error))
                continue
            unknown = [c for c in found if c not in allowed]
            if unknown:
                values.problems.add(
                    where,
                    "cinf_assessment_factors_json",
                    raw[:80],
                    f"not CIN census AssessmentFactors code(s): {', '.join(unknown)}",
                )
            factors.setdefault(assessment, []).extend(c for c in found if c in allowed)
        table, seen = self.tables["ssd_cin_assessments"], {}
        for line, (where, row, values) in enumerate(self.rows("ssd_cin_assessments"), start=1):
            assessment = values.text(
                row.get("cina_assessment_id"), where, "cina_assessment_id", required=True
            )
            out = {
                "child_id": values.text(row.get("cina_person_id"), where, "cina_person_id", required=True),
                "referral_date": self.referral_date(
                    values, row.get("cina_referral_id"), where, "cina_referral_id"
                ),
                "start_date": values.date(
                    row.get("cina_assessment_start_date"), where, "cina_assessment_start_date", required=True
                ),
                "authorised_date": values.date(
                    row.get("cina_assessment_auth_date"), where, "cina_assessment_auth_date"
                ),
                "factors": factors.get(assessment or ""),
            }
            self.emit("assessments", where, _line(where, line), out, seen, table)

    def cin_plans(self) -> None:
        table, seen = self.tables["ssd_cin_plans"], {}
        for line, (where, row, values) in enumerate(self.rows("ssd_cin_plans"), start=1):
            out = {
                "child_id": values.text(row.get("cinp_person_id"), where, "cinp_person_id", required=True),
                "referral_date": self.referral_date(
                    values, row.get("cinp_referral_id"), where, "cinp_referral_id"
                ),
                "start_date": values.date(
                    row.get("cinp_cin_plan_start_date"), where, "cinp_cin_plan_start_date", required=True
                ),
                "end_date": values.date(row.get("cinp_cin_plan_end_date"), where, "cinp_cin_plan_end_date"),
            }
            self.emit("cin_plans", where, _line(where, line), out, seen, table)

    def section47(self) -> None:
        conferences: dict[str, tuple[dt.date | None, dt.date | None]] = {}
        for where, row, values in self.rows("ssd_initial_cp_conference"):
            s47 = values.text(row.get("icpc_s47_enquiry_id"), where, "icpc_s47_enquiry_id")
            if s47 is not None:
                conferences[s47] = (
                    values.date(row.get("icpc_icpc_target_date"), where, "icpc_icpc_target_date"),
                    values.date(row.get("icpc_icpc_date"), where, "icpc_icpc_date"),
                )
        table, seen = self.tables["ssd_s47_enquiry"], {}
        for line, (where, row, values) in enumerate(self.rows("ssd_s47_enquiry"), start=1):
            s47 = values.text(row.get("s47e_s47_enquiry_id"), where, "s47e_s47_enquiry_id", required=True)
            target, held = conferences.get(s47 or "", (None, None))
            out = {
                "child_id": values.text(row.get("s47e_person_id"), where, "s47e_person_id", required=True),
                "referral_date": self.referral_date(
                    values, row.get("s47e_referral_id"), where, "s47e_referral_id"
                ),
                "start_date": values.date(
                    row.get("s47e_s47_start_date"), where, "s47e_s47_start_date", required=True
                ),
                "icpc_target_date": target,
                "icpc_date": held,
                "icpc_not_required": bool(values.flag(row.get("s47e_s47_nfa"), where, "s47e_s47_nfa")),
            }
            self.emit("section47", where, _line(where, line), out, seen, table)

    def cp_plans(self) -> None:
        reviews: dict[str, list[dt.date]] = defaultdict(list)
        for where, row, values in self.rows("ssd_cp_reviews"):
            plan = values.text(row.get("cppr_cp_plan_id"), where, "cppr_cp_plan_id", required=True)
            day = values.date(row.get("cppr_cp_review_date"), where, "cppr_cp_review_date")
            if plan is not None and day is not None:
                reviews[plan].append(day)
        table, seen = self.tables["ssd_cp_plans"], {}
        read = []
        for line, (where, row, values) in enumerate(self.rows("ssd_cp_plans"), start=1):
            plan = values.text(row.get("cppl_cp_plan_id"), where, "cppl_cp_plan_id", required=True)
            out = {
                "child_id": values.text(row.get("cppl_person_id"), where, "cppl_person_id", required=True),
                "referral_date": self.referral_date(
                    values, row.get("cppl_referral_id"), where, "cppl_referral_id"
                ),
                "start_date": values.date(
                    row.get("cppl_cp_plan_start_date"), where, "cppl_cp_plan_start_date", required=True
                ),
                "end_date": values.date(row.get("cppl_cp_plan_end_date"), where, "cppl_cp_plan_end_date"),
                "initial_category": self.translated(
                    values,
                    row.get("cppl_cp_plan_initial_category"),
                    where,
                    "cppl_cp_plan_initial_category",
                    codes.CATEGORY_OF_ABUSE,
                    "category of abuse",
                ),
                "latest_category": self.translated(
                    values,
                    row.get("cppl_cp_plan_latest_category"),
                    where,
                    "cppl_cp_plan_latest_category",
                    codes.CATEGORY_OF_ABUSE,
                    "category of abuse",
                ),
                "review_dates": sorted(reviews.get(plan or "", [])) or None,
            }
            read.append((where, line, out))
        starts: dict[str, list[dt.date]] = defaultdict(list)
        for _, _, out in read:
            if out["child_id"] is not None and out["start_date"] is not None:
                starts[str(out["child_id"])].append(out["start_date"])  # type: ignore[arg-type]
        for where, line, out in read:
            earlier = starts.get(str(out["child_id"]), [])
            out["previous_plans"] = (
                sum(1 for day in earlier if day < out["start_date"]) if out["start_date"] else None
            )  # type: ignore[operator]
            self.emit("cp_plans", where, _line(where, line), out, seen, table)

    def cla_episodes(self) -> None:
        placements: dict[str, tuple[str, Row, Values]] = {}
        for where, row, values in self.rows("ssd_cla_placement"):
            placement = values.text(
                row.get("clap_cla_placement_id"), where, "clap_cla_placement_id", required=True
            )
            if placement is not None:
                placements[placement] = (where, row, values)
        statuses: dict[str, list[tuple[dt.date, dt.date | None, str | None]]] = defaultdict(list)
        for where, row, values in self.rows("ssd_legal_status"):
            person = values.text(row.get("lega_person_id"), where, "lega_person_id", required=True)
            start = values.date(
                row.get("lega_legal_status_start_date"), where, "lega_legal_status_start_date", required=True
            )
            end = values.date(row.get("lega_legal_status_end_date"), where, "lega_legal_status_end_date")
            status = self.code(
                values, row.get("lega_legal_status"), where, "lega_legal_status", "ssda903", "LS"
            )
            if person is not None and start is not None:
                statuses[person].append((start, end, status))
        addresses: dict[str, list[tuple[dt.date, str | None]]] = defaultdict(list)
        for where, row, values in self.rows("ssd_address"):
            person = values.text(row.get("addr_person_id"), where, "addr_person_id")
            start = values.date(row.get("addr_address_start_date"), where, "addr_address_start_date")
            if person is not None and start is not None:
                addresses[person].append(
                    (start, values.text(row.get("addr_address_postcode"), where, "addr_address_postcode"))
                )
        table, seen = self.tables["ssd_cla_episodes"], {}
        for line, (where, row, values) in enumerate(self.rows("ssd_cla_episodes"), start=1):
            person = values.text(row.get("clae_person_id"), where, "clae_person_id", required=True)
            decom = values.date(
                row.get("clae_cla_episode_start_date"), where, "clae_cla_episode_start_date", required=True
            )
            placement_id = values.text(
                row.get("clae_cla_placement_id"), where, "clae_cla_placement_id", required=True
            )
            placed = placements.get(placement_id or "")
            if placement_id is not None and placed is None:
                values.problems.add(
                    where,
                    "clae_cla_placement_id",
                    placement_id,
                    "no placement with this id in ssd_cla_placement",
                )
            ls = None
            if person is not None and decom is not None:
                ls = _in_force(statuses.get(person, []), decom)
                if ls is None:
                    values.problems.add(
                        where,
                        "clae_person_id",
                        person,
                        f"no legal status in ssd_legal_status in force on {decom:%d/%m/%Y}, the episode's start",
                    )
            out: Row = {
                "child_id": person,
                "decom": decom,
                "rne": self.code(
                    values,
                    row.get("clae_cla_episode_start_reason"),
                    where,
                    "clae_cla_episode_start_reason",
                    "ssda903",
                    "RNE",
                ),
                "ls": ls,
                "cin": self.code(
                    values,
                    row.get("clae_cla_primary_need_code"),
                    where,
                    "clae_cla_primary_need_code",
                    "ssda903",
                    "CIN",
                ),
                "dec": values.date(
                    row.get("clae_cla_episode_ceased_date"), where, "clae_cla_episode_ceased_date"
                ),
                "rec": self.code(
                    values,
                    row.get("clae_cla_episode_ceased_reason"),
                    where,
                    "clae_cla_episode_ceased_reason",
                    "ssda903",
                    "REC",
                ),
                "home_post": _latest_on(addresses.get(person or "", []), decom),
            }
            if placed is not None:
                p_where, p_row, p_values = placed
                starts_placement = (
                    p_values.date(
                        p_row.get("clap_cla_placement_start_date"), p_where, "clap_cla_placement_start_date"
                    )
                    == decom
                )
                out.update(
                    {
                        "place": self.code(
                            p_values,
                            p_row.get("clap_cla_placement_type"),
                            p_where,
                            "clap_cla_placement_type",
                            "ssda903",
                            "PLACE",
                        ),
                        "place_provider": self.code(
                            p_values,
                            p_row.get("clap_cla_placement_provider"),
                            p_where,
                            "clap_cla_placement_provider",
                            "ssda903",
                            "PLACE_PROVIDER",
                        ),
                        "reason_place_change": self.code(
                            p_values,
                            p_row.get("clap_cla_placement_change_reason"),
                            p_where,
                            "clap_cla_placement_change_reason",
                            "ssda903",
                            "REASON_PLACE_CHANGE",
                        )
                        if starts_placement
                        else None,
                        "pl_post": p_values.text(
                            p_row.get("clap_cla_placement_postcode"), p_where, "clap_cla_placement_postcode"
                        ),
                        "urn": p_values.text(
                            p_row.get("clap_cla_placement_urn"), p_where, "clap_cla_placement_urn"
                        ),
                    }
                )
            self.emit("cla_episodes", where, _line(where, line), out, seen, table)

    def cla_reviews(self) -> None:
        periods: dict[str, str] = {}
        for where, row, values in self.rows("ssd_cla_episodes"):
            cla_id = values.text(row.get("clae_cla_id"), where, "clae_cla_id")
            person = values.text(row.get("clae_person_id"), where, "clae_person_id")
            if cla_id is not None and person is not None:
                periods[cla_id] = person
        table, seen = self.tables["ssd_cla_reviews"], {}
        for line, (where, row, values) in enumerate(self.rows("ssd_cla_reviews"), start=1):
            if values.flag(row.get("clar_cla_review_cancelled"), where, "clar_cla_review_cancelled"):
                continue  # a cancelled review was not held: the rule of MAPPINGS, said in docs/store.md
            cla_id = values.text(row.get("clar_cla_id"), where, "clar_cla_id", required=True)
            person = periods.get(cla_id or "")
            if cla_id is not None and person is None:
                values.problems.add(
                    where,
                    "clar_cla_id",
                    cla_id,
                    "no period of care with this clae_cla_id in ssd_cla_episodes",
                )
            day = values.date(row.get("clar_cla_review_date"), where, "clar_cla_review_date")
            if day is None:
                continue  # a review not yet held (only its due date is known)
            out = {
                "child_id": person,
                "review_date": day,
                "review_code": self.code(
                    values,
                    row.get("clar_cla_review_participation"),
                    where,
                    "clar_cla_review_participation",
                    "ssda903",
                    "REVIEW_CODE",
                ),
            }
            self.emit("cla_reviews", where, _line(where, line), out, seen, table)

    def missing(self) -> None:
        table, seen = self.tables["ssd_missing"], {}
        for line, (where, row, values) in enumerate(self.rows("ssd_missing"), start=1):
            out = {
                "child_id": values.text(row.get("miss_person_id"), where, "miss_person_id", required=True),
                "missing": self.translated(
                    values,
                    row.get("miss_missing_episode_type"),
                    where,
                    "miss_missing_episode_type",
                    codes.MISSING_TYPE,
                    "missing episode type",
                ),
                "mis_start": values.date(
                    row.get("miss_missing_episode_start_date"),
                    where,
                    "miss_missing_episode_start_date",
                    required=True,
                ),
                "mis_end": values.date(
                    row.get("miss_missing_episode_end_date"), where, "miss_missing_episode_end_date"
                ),
            }
            self.emit("missing", where, _line(where, line), out, seen, table)

    def uasc(self) -> None:
        table, seen = self.tables["ssd_immigration_status"], {}
        for line, (where, row, values) in enumerate(self.rows("ssd_immigration_status"), start=1):
            status = values.text(row.get("immi_immigration_status"), where, "immi_immigration_status")
            if status is None or codes.words(status) not in codes.UASC_STATUSES:
                continue  # another immigration status: not an unaccompanied asylum seeker
            out = {
                "child_id": values.text(row.get("immi_person_id"), where, "immi_person_id", required=True),
                "duc": values.date(
                    row.get("immi_immigration_status_end_date"), where, "immi_immigration_status_end_date"
                ),
            }
            self.emit("uasc", where, _line(where, line), out, seen, table)

    def permanence(self) -> None:
        table = self.tables["ssd_permanence"]
        seen_ad1: dict = {}
        seen_placed: dict = {}
        for line, (where, row, values) in enumerate(self.rows("ssd_permanence"), start=1):
            person = values.text(row.get("perm_person_id"), where, "perm_person_id", required=True)
            decision = values.date(row.get("perm_adm_decision_date"), where, "perm_adm_decision_date")
            order_type = values.text(
                row.get("perm_permanence_order_type"), where, "perm_permanence_order_type"
            )
            ordered = values.date(row.get("perm_permanence_order_date"), where, "perm_permanence_order_date")
            adoption = False
            if order_type is not None:
                kind = codes.words(order_type)
                adoption = kind in codes.ADOPTION_ORDERS
                if not adoption and kind not in codes.OTHER_ORDERS:
                    values.problems.add(
                        where,
                        "perm_permanence_order_type",
                        order_type,
                        "not an order type the mapping knows (Adoption Order, Special Guardianship Order, Child Arrangements Order, ...)",
                    )
            if adoption and ordered is not None:
                carer = values.flag(
                    row.get("perm_adopted_by_carer_flag"), where, "perm_adopted_by_carer_flag"
                )
                out = {
                    "child_id": person,
                    "date_int": decision,
                    "date_match": values.date(row.get("perm_matched_date"), where, "perm_matched_date"),
                    "foster_care": None if carer is None else int(carer),
                    "nb_adoptr": self.code(
                        values,
                        row.get("perm_number_of_adopters"),
                        where,
                        "perm_number_of_adopters",
                        "ssda903",
                        "NB_ADOPTR",
                    ),
                    "sex_adoptr": self.code(
                        values,
                        row.get("perm_adopter_sex"),
                        where,
                        "perm_adopter_sex",
                        "ssda903",
                        "SEX_ADOPTR",
                    ),
                    "ls_adoptr": self.code(
                        values,
                        row.get("perm_adopter_legal_status"),
                        where,
                        "perm_adopter_legal_status",
                        "ssda903",
                        "LS_ADOPTR",
                    ),
                }
                self.emit("ad1", where, _line(where, line), out, seen_ad1, table)
            if decision is not None:
                out = {
                    "child_id": person,
                    "date_placed": decision,
                    "date_placed_ceased": values.date(
                        row.get("perm_decision_reversed_date"), where, "perm_decision_reversed_date"
                    ),
                    "reason_placed_ceased": self.code(
                        values,
                        row.get("perm_decision_reversed_reason"),
                        where,
                        "perm_decision_reversed_reason",
                        "ssda903",
                        "REASON_PLACED_CEASED",
                    ),
                }
                self.emit("placed_adoption", where, _line(where, line), out, seen_placed, table)

    def prev_perm(self) -> None:
        """One row per child, as the 903's PrevPerm (the store keeps one): where the SSD has several (one per period
        of care), the last in the extract's order is kept, and the load report says how many children had more."""
        table, latest = self.tables["ssd_cla_previous_permanence"], {}
        for line, (where, row, values) in enumerate(self.rows("ssd_cla_previous_permanence"), start=1):
            out = {
                "child_id": values.text(row.get("lapp_person_id"), where, "lapp_person_id", required=True),
                "prev_perm": self.code(values, row.get("lapp_previous_permanence_option"), where, "lapp_previous_permanence_option", "ssda903", "PREV_PERM"),
                "la_perm": values.text(row.get("lapp_previous_permanence_la"), where, "lapp_previous_permanence_la"),
                "date_perm": values.text(row.get("lapp_previous_permanence_order_date"), where, "lapp_previous_permanence_order_date"),
            }  # fmt: skip
            latest.setdefault(out["child_id"], []).append((where, _line(where, line), out))
        several = sum(1 for rows in latest.values() if len(rows) > 1)
        if several:
            self.notes.append(
                f"{table.source}: {several} {'child has' if several == 1 else 'children have'} more than one previous "
                "permanence row; the last of each is kept (the store holds one per child, as the 903's PrevPerm does)"
            )
        for rows in latest.values():
            where, line, out = rows[-1]
            self.emit("prev_perm", where, line, out, {}, table)

    def contacts(self) -> None:
        table, seen = self.tables["ssd_contacts"], {}
        for line, (where, row, values) in enumerate(self.rows("ssd_contacts"), start=1):
            out = {
                "child_id": values.text(row.get("cont_person_id"), where, "cont_person_id", required=True),
                "contact_date": values.date(
                    row.get("cont_contact_date"), where, "cont_contact_date", required=True
                ),
                "contact_source": self.code(
                    values,
                    row.get("cont_contact_source_code"),
                    where,
                    "cont_contact_source_code",
                    "cin",
                    "ReferralSource",
                ),
            }
            self.emit("annex_a_contacts", where, _line(where, line), out, seen, table)

    def early_help(self) -> None:
        table, seen = self.tables["ssd_early_help_episodes"], {}
        for line, (where, row, values) in enumerate(self.rows("ssd_early_help_episodes"), start=1):
            out = {
                "child_id": values.text(row.get("earl_person_id"), where, "earl_person_id", required=True),
                "start_date": values.date(
                    row.get("earl_episode_start_date"), where, "earl_episode_start_date", required=True
                ),
                "completed_date": values.date(
                    row.get("earl_episode_end_date"), where, "earl_episode_end_date"
                ),
                "organisation": values.text(
                    row.get("earl_episode_organisation"), where, "earl_episode_organisation"
                ),
            }
            self.emit("annex_a_early_help", where, _line(where, line), out, seen, table)

    def allocations(self) -> None:
        table, seen = self.tables["ssd_involvements"], {}
        for line, (where, row, values) in enumerate(self.rows("ssd_involvements"), start=1):
            start = values.date(
                row.get("invo_involvement_start_date"), where, "invo_involvement_start_date", required=True
            )
            end = values.date(row.get("invo_involvement_end_date"), where, "invo_involvement_end_date")
            if start is not None and end is not None and end < start:
                values.problems.add(
                    where,
                    "invo_involvement_end_date",
                    f"{end:%Y-%m-%d}",
                    f"before the start ({start:%d/%m/%Y})",
                )
            out = {
                "child_id": values.text(row.get("invo_person_id"), where, "invo_person_id", required=True),
                "worker_id": values.text(
                    row.get("invo_professional_id"), where, "invo_professional_id", required=True
                ),
                "team_id": values.text(row.get("invo_professional_team"), where, "invo_professional_team"),
                "role": values.text(row.get("invo_professional_role_id"), where, "invo_professional_role_id"),
                "start_date": start,
                "end_date": end,
                "change_reason": values.text(
                    row.get("invo_worker_change_reason"), where, "invo_worker_change_reason"
                ),
            }
            self.emit("allocations", where, _line(where, line), out, seen, table)

    def workers(self) -> None:
        table, seen = self.tables["ssd_professionals"], {}
        for line, (where, row, values) in enumerate(self.rows("ssd_professionals"), start=1):
            out = {
                "worker_id": values.text(
                    row.get("prof_professional_id"), where, "prof_professional_id", required=True
                ),
                "staff_id": values.text(row.get("prof_staff_id"), where, "prof_staff_id"),
                "worker_name": values.text(
                    row.get("prof_professional_name"), where, "prof_professional_name"
                ),
                "job_title": values.text(
                    row.get("prof_professional_job_title"), where, "prof_professional_job_title"
                ),
                "department": values.text(
                    row.get("prof_professional_department"), where, "prof_professional_department"
                ),
                "fte": values.number(
                    row.get("prof_full_time_equivalency"), where, "prof_full_time_equivalency"
                ),
                "agency": values.flag(row.get("prof_agency_worker_flag"), where, "prof_agency_worker_flag"),
                "swe_no": values.text(
                    row.get("prof_social_worker_registration_no"), where, "prof_social_worker_registration_no"
                ),
            }
            self.emit("workers", where, _line(where, line), out, seen, table)

    def teams(self) -> None:
        table, seen = self.tables["ssd_department"], {}
        for line, (where, row, values) in enumerate(self.rows("ssd_department"), start=1):
            out = {
                "team_id": values.text(row.get("dept_team_id"), where, "dept_team_id", required=True),
                "team_name": values.text(row.get("dept_team_name"), where, "dept_team_name"),
                "parent_team_id": values.text(row.get("dept_team_parent_id"), where, "dept_team_parent_id"),
                "parent_team_name": values.text(
                    row.get("dept_team_parent_name"), where, "dept_team_parent_name"
                ),
            }
            self.emit("teams", where, _line(where, line), out, seen, table)

    def statutory_visits(self) -> None:
        seen: dict = {}
        for name, prefix, kind in (
            ("ssd_cp_visits", "cppv_cp_visit", "cp"),
            ("ssd_cla_visits", "clav_cla_visit", "cla"),
        ):
            person_field = prefix.split("_")[0] + "_person_id"
            table = self.tables.get(name)
            if table is None:
                continue
            for line, (where, row, values) in enumerate(self.rows(name), start=1):
                out = {
                    "child_id": values.text(row.get(person_field), where, person_field, required=True),
                    "visit_kind": kind,
                    "visit_date": values.date(
                        row.get(f"{prefix}_date"), where, f"{prefix}_date", required=True
                    ),
                    "seen": values.flag(row.get(f"{prefix}_seen"), where, f"{prefix}_seen"),
                    "seen_alone": values.flag(row.get(f"{prefix}_seen_alone"), where, f"{prefix}_seen_alone"),
                }
                self.emit("statutory_visits", where, _line(where, line), out, seen, table)


_BUILDERS: dict[str, Callable[[_Mapper], None]] = {
    "children": _Mapper.children,
    "cin_episodes": _Mapper.cin_episodes,
    "assessments": _Mapper.assessments,
    "cin_plans": _Mapper.cin_plans,
    "section47": _Mapper.section47,
    "cp_plans": _Mapper.cp_plans,
    "cla_episodes": _Mapper.cla_episodes,
    "cla_reviews": _Mapper.cla_reviews,
    "missing": _Mapper.missing,
    "uasc": _Mapper.uasc,
    "ad1": _Mapper.permanence,  # one pass over ssd_permanence fills ad1 and placed_adoption
    "prev_perm": _Mapper.prev_perm,
    "annex_a_contacts": _Mapper.contacts,
    "annex_a_early_help": _Mapper.early_help,
    "allocations": _Mapper.allocations,
    "workers": _Mapper.workers,
    "teams": _Mapper.teams,
    "statutory_visits": _Mapper.statutory_visits,
}


def _line(where: str, counted: int) -> int:
    """The source line of a CSV row ('line 12'), or the row's number in a database table."""
    number = where.split()[1] if where.startswith(("line ", "row ")) else ""
    return int(number) if number.isdigit() else counted


def _in_force(statuses: list[tuple[dt.date, dt.date | None, str | None]], day: dt.date) -> str | None:
    """The legal status started on or before `day` and not ended before it (the latest such start)."""
    found = [
        (start, status) for start, end, status in statuses if start <= day and (end is None or end > day)
    ]
    if not found:  # an episode can start on the day its status ended and the next began
        found = [(start, status) for start, end, status in statuses if start <= day and end == day]
    return max(found, key=lambda f: f[0])[1] if found else None


def _latest_on(dated: list[tuple[dt.date, str | None]], day: dt.date | None) -> str | None:
    if day is None:
        return None
    found = [(start, value) for start, value in dated if start <= day]
    return max(found, key=lambda f: f[0])[1] if found else None


def tables_held(extract: Extract) -> list[str]:
    """The canonical tables the extract holds: those whose first SSD table it has."""
    held = [m.table for m in MAPPINGS if m.ssd_tables[0] in extract.tables]
    if "ssd_permanence" in extract.tables:
        held.append("placed_adoption")
    return held


def check_companions(extract: Extract, problems: Problems) -> None:
    """A table whose canonical rows need another SSD table (an assessment's referral) needs it in the extract."""
    for mapping in MAPPINGS:
        table = extract.tables.get(mapping.ssd_tables[0])
        if table is None:
            continue
        for needed in mapping.ssd_tables[1:]:
            if needed not in extract.tables:
                problems.add(
                    "extract",
                    needed,
                    None,
                    f"missing: {mapping.ssd_tables[0]} ({table.source}) needs it in the same extract for the "
                    f"store's {mapping.table}",
                )


def build(extract: Extract) -> tuple[dict[str, TableBuffer], list[str]]:
    """Every canonical table the extract holds, as buffers (empty ones included: an empty table says none), and
    the notes the load report gives."""
    mapper = _Mapper(extract)
    for name in tables_held(extract):
        mapper.buffer(name)
        builder = _BUILDERS.get(name)
        if builder is not None:
            builder(mapper)
    return mapper.buffers, mapper.notes


__all__ = [
    "MAPPINGS",
    "MAPPINGS_BY_TABLE",
    "NOT_MAPPED",
    "USED_SSD_TABLES",
    "Field",
    "Mapping",
    "build",
    "check_companions",
    "tables_held",
]
