-- Annex A, local templates (early help, workforce, youth justice, audits) and CSWW tables

CREATE TABLE raw_annex_a_contacts (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sex" VARCHAR,
    "ethnicity" VARCHAR,
    "dob" DATE,
    "contact_date" DATE,
    "contact_source" VARCHAR,
    "as_at_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE annex_a_contacts (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sex" VARCHAR,
    "ethnicity" VARCHAR,
    "dob" DATE,
    "contact_date" DATE,
    "contact_source" VARCHAR,
    "as_at_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE raw_annex_a_early_help (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sex" VARCHAR,
    "ethnicity" VARCHAR,
    "dob" DATE,
    "start_date" DATE,
    "completed_date" DATE,
    "organisation" VARCHAR,
    "as_at_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE annex_a_early_help (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sex" VARCHAR,
    "ethnicity" VARCHAR,
    "dob" DATE,
    "start_date" DATE,
    "completed_date" DATE,
    "organisation" VARCHAR,
    "as_at_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE raw_annex_a_referrals (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sex" VARCHAR,
    "ethnicity" VARCHAR,
    "dob" DATE,
    "referral_date" DATE,
    "referral_source" VARCHAR,
    "referral_nfa" BOOLEAN,
    "referrals_12m" INTEGER,
    "allocated_team" VARCHAR,
    "allocated_worker" VARCHAR,
    "as_at_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE annex_a_referrals (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sex" VARCHAR,
    "ethnicity" VARCHAR,
    "dob" DATE,
    "referral_date" DATE,
    "referral_source" VARCHAR,
    "referral_nfa" BOOLEAN,
    "referrals_12m" INTEGER,
    "allocated_team" VARCHAR,
    "allocated_worker" VARCHAR,
    "as_at_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE raw_annex_a_assessments (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sex" VARCHAR,
    "ethnicity" VARCHAR,
    "dob" DATE,
    "disability" BOOLEAN,
    "start_date" DATE,
    "child_seen" BOOLEAN,
    "authorised_date" DATE,
    "needs_support" BOOLEAN,
    "allocated_team" VARCHAR,
    "allocated_worker" VARCHAR,
    "as_at_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE annex_a_assessments (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sex" VARCHAR,
    "ethnicity" VARCHAR,
    "dob" DATE,
    "disability" BOOLEAN,
    "start_date" DATE,
    "child_seen" BOOLEAN,
    "authorised_date" DATE,
    "needs_support" BOOLEAN,
    "allocated_team" VARCHAR,
    "allocated_worker" VARCHAR,
    "as_at_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE raw_annex_a_section47 (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sex" VARCHAR,
    "ethnicity" VARCHAR,
    "dob" DATE,
    "disability" BOOLEAN,
    "strategy_date" DATE,
    "icpc_not_required" BOOLEAN,
    "icpc_date" DATE,
    "icpc_to_plan" BOOLEAN,
    "s47_12m" INTEGER,
    "icpc_12m" INTEGER,
    "allocated_team" VARCHAR,
    "allocated_worker" VARCHAR,
    "as_at_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE annex_a_section47 (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sex" VARCHAR,
    "ethnicity" VARCHAR,
    "dob" DATE,
    "disability" BOOLEAN,
    "strategy_date" DATE,
    "icpc_not_required" BOOLEAN,
    "icpc_date" DATE,
    "icpc_to_plan" BOOLEAN,
    "s47_12m" INTEGER,
    "icpc_12m" INTEGER,
    "allocated_team" VARCHAR,
    "allocated_worker" VARCHAR,
    "as_at_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE raw_annex_a_cin (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sex" VARCHAR,
    "ethnicity" VARCHAR,
    "dob" DATE,
    "disability" BOOLEAN,
    "start_date" DATE,
    "primary_need" VARCHAR,
    "last_seen_date" DATE,
    "closure_date" DATE,
    "closure_reason" VARCHAR,
    "case_status" VARCHAR,
    "allocated_team" VARCHAR,
    "allocated_worker" VARCHAR,
    "as_at_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE annex_a_cin (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sex" VARCHAR,
    "ethnicity" VARCHAR,
    "dob" DATE,
    "disability" BOOLEAN,
    "start_date" DATE,
    "primary_need" VARCHAR,
    "last_seen_date" DATE,
    "closure_date" DATE,
    "closure_reason" VARCHAR,
    "case_status" VARCHAR,
    "allocated_team" VARCHAR,
    "allocated_worker" VARCHAR,
    "as_at_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE raw_annex_a_child_protection (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sex" VARCHAR,
    "ethnicity" VARCHAR,
    "dob" DATE,
    "disability" BOOLEAN,
    "start_date" DATE,
    "initial_category" VARCHAR,
    "latest_category" VARCHAR,
    "last_visit_date" DATE,
    "seen_alone" BOOLEAN,
    "latest_review_date" DATE,
    "end_date" DATE,
    "emergency_protection" BOOLEAN,
    "previous_plans" INTEGER,
    "allocated_team" VARCHAR,
    "allocated_worker" VARCHAR,
    "as_at_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE annex_a_child_protection (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sex" VARCHAR,
    "ethnicity" VARCHAR,
    "dob" DATE,
    "disability" BOOLEAN,
    "start_date" DATE,
    "initial_category" VARCHAR,
    "latest_category" VARCHAR,
    "last_visit_date" DATE,
    "seen_alone" BOOLEAN,
    "latest_review_date" DATE,
    "end_date" DATE,
    "emergency_protection" BOOLEAN,
    "previous_plans" INTEGER,
    "allocated_team" VARCHAR,
    "allocated_worker" VARCHAR,
    "as_at_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE raw_annex_a_children_in_care (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sex" VARCHAR,
    "ethnicity" VARCHAR,
    "dob" DATE,
    "uasc" BOOLEAN,
    "disability" BOOLEAN,
    "start_date" DATE,
    "category_of_need" VARCHAR,
    "legal_status" VARCHAR,
    "latest_review_date" DATE,
    "last_visit_date" DATE,
    "permanence_plan" VARCHAR,
    "last_iro_contact_date" DATE,
    "last_health_assessment_date" DATE,
    "last_dental_check_date" DATE,
    "placements_12m" INTEGER,
    "ceased_date" DATE,
    "reason_ceased" VARCHAR,
    "placement_start_date" DATE,
    "placement_type" VARCHAR,
    "placement_provider" VARCHAR,
    "placement_location" VARCHAR,
    "missing_12m" INTEGER,
    "absent_12m" INTEGER,
    "allocated_team" VARCHAR,
    "allocated_worker" VARCHAR,
    "as_at_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE annex_a_children_in_care (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sex" VARCHAR,
    "ethnicity" VARCHAR,
    "dob" DATE,
    "uasc" BOOLEAN,
    "disability" BOOLEAN,
    "start_date" DATE,
    "category_of_need" VARCHAR,
    "legal_status" VARCHAR,
    "latest_review_date" DATE,
    "last_visit_date" DATE,
    "permanence_plan" VARCHAR,
    "last_iro_contact_date" DATE,
    "last_health_assessment_date" DATE,
    "last_dental_check_date" DATE,
    "placements_12m" INTEGER,
    "ceased_date" DATE,
    "reason_ceased" VARCHAR,
    "placement_start_date" DATE,
    "placement_type" VARCHAR,
    "placement_provider" VARCHAR,
    "placement_location" VARCHAR,
    "missing_12m" INTEGER,
    "absent_12m" INTEGER,
    "allocated_team" VARCHAR,
    "allocated_worker" VARCHAR,
    "as_at_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE raw_annex_a_care_leavers (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sex" VARCHAR,
    "ethnicity" VARCHAR,
    "dob" DATE,
    "disability" BOOLEAN,
    "allocated_personal_adviser" VARCHAR,
    "eligibility" VARCHAR,
    "pathway_review_date" DATE,
    "in_touch" VARCHAR,
    "latest_contact_date" DATE,
    "accommodation" VARCHAR,
    "accommodation_suitable" BOOLEAN,
    "activity" VARCHAR,
    "allocated_team" VARCHAR,
    "allocated_worker" VARCHAR,
    "as_at_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE annex_a_care_leavers (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sex" VARCHAR,
    "ethnicity" VARCHAR,
    "dob" DATE,
    "disability" BOOLEAN,
    "allocated_personal_adviser" VARCHAR,
    "eligibility" VARCHAR,
    "pathway_review_date" DATE,
    "in_touch" VARCHAR,
    "latest_contact_date" DATE,
    "accommodation" VARCHAR,
    "accommodation_suitable" BOOLEAN,
    "activity" VARCHAR,
    "allocated_team" VARCHAR,
    "allocated_worker" VARCHAR,
    "as_at_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE raw_annex_a_adoption (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sex" VARCHAR,
    "ethnicity" VARCHAR,
    "dob" DATE,
    "family_id" VARCHAR,
    "entered_care_date" DATE,
    "decision_date" DATE,
    "placement_order_date" DATE,
    "matched_date" DATE,
    "placed_date" DATE,
    "adoption_order_date" DATE,
    "no_longer_placed_date" DATE,
    "no_longer_placed_reason" VARCHAR,
    "ffa_date" DATE,
    "as_at_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE annex_a_adoption (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sex" VARCHAR,
    "ethnicity" VARCHAR,
    "dob" DATE,
    "family_id" VARCHAR,
    "entered_care_date" DATE,
    "decision_date" DATE,
    "placement_order_date" DATE,
    "matched_date" DATE,
    "placed_date" DATE,
    "adoption_order_date" DATE,
    "no_longer_placed_date" DATE,
    "no_longer_placed_reason" VARCHAR,
    "ffa_date" DATE,
    "as_at_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE raw_annex_a_adopters (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "adopter_id" VARCHAR,
    "family_id" VARCHAR,
    "sex" VARCHAR,
    "ethnicity" VARCHAR,
    "enquiry_date" DATE,
    "stage1_start_date" DATE,
    "stage1_end_date" DATE,
    "stage2_start_date" DATE,
    "stage2_end_date" DATE,
    "application_date" DATE,
    "approval_date" DATE,
    "matched_date" DATE,
    "placed_date" DATE,
    "children_placed" INTEGER,
    "adoption_order_date" DATE,
    "left_date" DATE,
    "left_reason" VARCHAR,
    "as_at_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE annex_a_adopters (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "adopter_id" VARCHAR,
    "family_id" VARCHAR,
    "sex" VARCHAR,
    "ethnicity" VARCHAR,
    "enquiry_date" DATE,
    "stage1_start_date" DATE,
    "stage1_end_date" DATE,
    "stage2_start_date" DATE,
    "stage2_end_date" DATE,
    "application_date" DATE,
    "approval_date" DATE,
    "matched_date" DATE,
    "placed_date" DATE,
    "children_placed" INTEGER,
    "adoption_order_date" DATE,
    "left_date" DATE,
    "left_reason" VARCHAR,
    "as_at_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE raw_eh_contacts (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "dob" DATE,
    "contact_date" DATE,
    "contact_source" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE eh_contacts (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "dob" DATE,
    "contact_date" DATE,
    "contact_source" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE raw_eh_assessments (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "start_date" DATE,
    "completed_date" DATE,
    "assessment_tool" VARCHAR,
    "team" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE eh_assessments (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "start_date" DATE,
    "completed_date" DATE,
    "assessment_tool" VARCHAR,
    "team" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE raw_eh_closures (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "episode_start_date" DATE,
    "closure_date" DATE,
    "closure_outcome" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE eh_closures (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "episode_start_date" DATE,
    "closure_date" DATE,
    "closure_outcome" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE raw_sw_workers (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "worker_id" VARCHAR,
    "team" VARCHAR,
    "team_type" VARCHAR,
    "role" VARCHAR,
    "asye" BOOLEAN,
    "agency" BOOLEAN,
    "fte" DOUBLE,
    "start_date" DATE,
    "end_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE sw_workers (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "worker_id" VARCHAR,
    "team" VARCHAR,
    "team_type" VARCHAR,
    "role" VARCHAR,
    "asye" BOOLEAN,
    "agency" BOOLEAN,
    "fte" DOUBLE,
    "start_date" DATE,
    "end_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE raw_sw_caseloads (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "worker_id" VARCHAR,
    "snapshot_date" DATE,
    "cases" INTEGER,
    "src_line" INTEGER
);

CREATE TABLE sw_caseloads (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "worker_id" VARCHAR,
    "snapshot_date" DATE,
    "cases" INTEGER,
    "src_line" INTEGER
);

CREATE TABLE raw_sw_establishment (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "team" VARCHAR,
    "effective_date" DATE,
    "funded_fte" DOUBLE,
    "src_line" INTEGER
);

CREATE TABLE sw_establishment (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "team" VARCHAR,
    "effective_date" DATE,
    "funded_fte" DOUBLE,
    "src_line" INTEGER
);

CREATE TABLE raw_youth_justice (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "quarter_end" DATE,
    "population_10_17" INTEGER,
    "first_time_entrants" INTEGER,
    "reoffending_cohort" INTEGER,
    "reoffenders" INTEGER,
    "reoffences" INTEGER,
    "custodial_sentences" INTEGER,
    "src_line" INTEGER
);

CREATE TABLE youth_justice (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "quarter_end" DATE,
    "population_10_17" INTEGER,
    "first_time_entrants" INTEGER,
    "reoffending_cohort" INTEGER,
    "reoffenders" INTEGER,
    "reoffences" INTEGER,
    "custodial_sentences" INTEGER,
    "src_line" INTEGER
);

CREATE TABLE raw_case_audits (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "audit_id" VARCHAR,
    "child_id" VARCHAR,
    "audit_date" DATE,
    "team" VARCHAR,
    "grade" VARCHAR,
    "themes" VARCHAR[],
    "src_line" INTEGER
);

CREATE TABLE case_audits (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "audit_id" VARCHAR,
    "child_id" VARCHAR,
    "audit_date" DATE,
    "team" VARCHAR,
    "grade" VARCHAR,
    "themes" VARCHAR[],
    "src_line" INTEGER
);

CREATE TABLE raw_csww_workers (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "swe_no" VARCHAR,
    "agency" BOOLEAN,
    "fte" DOUBLE,
    "org_role" VARCHAR,
    "role_start_date" DATE,
    "role_end_date" DATE,
    "reason_leave" VARCHAR,
    "fte30" DOUBLE,
    "cases30" INTEGER,
    "working_days_lost" DOUBLE,
    "reference_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE csww_workers (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "swe_no" VARCHAR,
    "agency" BOOLEAN,
    "fte" DOUBLE,
    "org_role" VARCHAR,
    "role_start_date" DATE,
    "role_end_date" DATE,
    "reason_leave" VARCHAR,
    "fte30" DOUBLE,
    "cases30" INTEGER,
    "working_days_lost" DOUBLE,
    "reference_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE raw_csww_vacancies (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "reference_date" DATE,
    "vacancies_fte" DOUBLE,
    "agency_cover_fte" DOUBLE,
    "agency_cover_headcount" INTEGER,
    "src_line" INTEGER
);

CREATE TABLE csww_vacancies (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "reference_date" DATE,
    "vacancies_fte" DOUBLE,
    "agency_cover_fte" DOUBLE,
    "agency_cover_headcount" INTEGER,
    "src_line" INTEGER
);
