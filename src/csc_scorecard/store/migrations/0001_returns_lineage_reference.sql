-- returns, lineage, canonical tables, reference calendar and population

CREATE TABLE loads (
    load_id INTEGER PRIMARY KEY,
    kind VARCHAR NOT NULL,
    format VARCHAR NOT NULL,
    source_name VARCHAR NOT NULL,
    files VARCHAR[] NOT NULL,
    sha256 VARCHAR NOT NULL,
    la_code VARCHAR NOT NULL,
    collection_year VARCHAR NOT NULL,
    year_source VARCHAR NOT NULL,
    row_counts JSON NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL,          -- current | replaced
    replaces INTEGER,
    replaced_by INTEGER
);

CREATE TABLE raw_children (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "upn" VARCHAR,
    "former_upn" VARCHAR,
    "upn_unknown" VARCHAR,
    "dob" DATE,
    "expected_dob" DATE,
    "sex" VARCHAR,
    "sex_code" VARCHAR,
    "ethnicity" VARCHAR,
    "disabilities" VARCHAR[],
    "death_date" DATE,
    "mother" INTEGER,
    "mc_dob" DATE,
    "source" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE children (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "upn" VARCHAR,
    "former_upn" VARCHAR,
    "upn_unknown" VARCHAR,
    "dob" DATE,
    "expected_dob" DATE,
    "sex" VARCHAR,
    "sex_code" VARCHAR,
    "ethnicity" VARCHAR,
    "disabilities" VARCHAR[],
    "death_date" DATE,
    "mother" INTEGER,
    "mc_dob" DATE,
    "source" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE raw_cin_episodes (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "referral_date" DATE,
    "referral_source" VARCHAR,
    "primary_need" VARCHAR,
    "closure_date" DATE,
    "closure_reason" VARCHAR,
    "referral_nfa" BOOLEAN,
    "initial_cpc_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE cin_episodes (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "referral_date" DATE,
    "referral_source" VARCHAR,
    "primary_need" VARCHAR,
    "closure_date" DATE,
    "closure_reason" VARCHAR,
    "referral_nfa" BOOLEAN,
    "initial_cpc_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE raw_assessments (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "referral_date" DATE,
    "start_date" DATE,
    "internal_review_date" DATE,
    "authorised_date" DATE,
    "factors" VARCHAR[],
    "src_line" INTEGER
);

CREATE TABLE assessments (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "referral_date" DATE,
    "start_date" DATE,
    "internal_review_date" DATE,
    "authorised_date" DATE,
    "factors" VARCHAR[],
    "src_line" INTEGER
);

CREATE TABLE raw_cin_plans (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "referral_date" DATE,
    "start_date" DATE,
    "end_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE cin_plans (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "referral_date" DATE,
    "start_date" DATE,
    "end_date" DATE,
    "src_line" INTEGER
);

CREATE TABLE raw_section47 (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "referral_date" DATE,
    "start_date" DATE,
    "icpc_target_date" DATE,
    "icpc_date" DATE,
    "icpc_not_required" BOOLEAN,
    "src_line" INTEGER
);

CREATE TABLE section47 (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "referral_date" DATE,
    "start_date" DATE,
    "icpc_target_date" DATE,
    "icpc_date" DATE,
    "icpc_not_required" BOOLEAN,
    "src_line" INTEGER
);

CREATE TABLE raw_cp_plans (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "referral_date" DATE,
    "start_date" DATE,
    "end_date" DATE,
    "initial_category" VARCHAR,
    "latest_category" VARCHAR,
    "previous_plans" INTEGER,
    "review_dates" DATE[],
    "src_line" INTEGER
);

CREATE TABLE cp_plans (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "referral_date" DATE,
    "start_date" DATE,
    "end_date" DATE,
    "initial_category" VARCHAR,
    "latest_category" VARCHAR,
    "previous_plans" INTEGER,
    "review_dates" DATE[],
    "src_line" INTEGER
);

CREATE TABLE raw_cla_episodes (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "decom" DATE,
    "rne" VARCHAR,
    "ls" VARCHAR,
    "cin" VARCHAR,
    "place" VARCHAR,
    "place_provider" VARCHAR,
    "dec" DATE,
    "rec" VARCHAR,
    "reason_place_change" VARCHAR,
    "home_post" VARCHAR,
    "pl_post" VARCHAR,
    "urn" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE cla_episodes (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "decom" DATE,
    "rne" VARCHAR,
    "ls" VARCHAR,
    "cin" VARCHAR,
    "place" VARCHAR,
    "place_provider" VARCHAR,
    "dec" DATE,
    "rec" VARCHAR,
    "reason_place_change" VARCHAR,
    "home_post" VARCHAR,
    "pl_post" VARCHAR,
    "urn" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE raw_uasc (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "duc" DATE,
    "src_line" INTEGER
);

CREATE TABLE uasc (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "duc" DATE,
    "src_line" INTEGER
);

CREATE TABLE raw_cla_reviews (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "review_date" DATE,
    "review_code" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE cla_reviews (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "review_date" DATE,
    "review_code" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE raw_oc2 (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sdq_score" INTEGER,
    "sdq_reason" VARCHAR,
    "convicted" INTEGER,
    "health_check" INTEGER,
    "immunisations" INTEGER,
    "teeth_check" INTEGER,
    "health_assessment" INTEGER,
    "substance_misuse" INTEGER,
    "intervention_received" INTEGER,
    "intervention_offered" INTEGER,
    "src_line" INTEGER
);

CREATE TABLE oc2 (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sdq_score" INTEGER,
    "sdq_reason" VARCHAR,
    "convicted" INTEGER,
    "health_check" INTEGER,
    "immunisations" INTEGER,
    "teeth_check" INTEGER,
    "health_assessment" INTEGER,
    "substance_misuse" INTEGER,
    "intervention_received" INTEGER,
    "intervention_offered" INTEGER,
    "src_line" INTEGER
);

CREATE TABLE raw_oc3 (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "in_touch" VARCHAR,
    "activ" VARCHAR,
    "accom" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE oc3 (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "in_touch" VARCHAR,
    "activ" VARCHAR,
    "accom" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE raw_ad1 (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "date_int" DATE,
    "date_match" DATE,
    "foster_care" INTEGER,
    "nb_adoptr" VARCHAR,
    "sex_adoptr" VARCHAR,
    "ls_adoptr" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE ad1 (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "date_int" DATE,
    "date_match" DATE,
    "foster_care" INTEGER,
    "nb_adoptr" VARCHAR,
    "sex_adoptr" VARCHAR,
    "ls_adoptr" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE raw_placed_adoption (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "date_placed" DATE,
    "date_placed_ceased" DATE,
    "reason_placed_ceased" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE placed_adoption (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "date_placed" DATE,
    "date_placed_ceased" DATE,
    "reason_placed_ceased" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE raw_prev_perm (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "prev_perm" VARCHAR,
    "la_perm" VARCHAR,
    "date_perm" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE prev_perm (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "prev_perm" VARCHAR,
    "la_perm" VARCHAR,
    "date_perm" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE raw_missing (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "missing" VARCHAR,
    "mis_start" DATE,
    "mis_end" DATE,
    "src_line" INTEGER
);

CREATE TABLE missing (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "missing" VARCHAR,
    "mis_start" DATE,
    "mis_end" DATE,
    "src_line" INTEGER
);

CREATE TABLE raw_sw_episodes (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sw_id" VARCHAR,
    "sw_decom" DATE,
    "sw_dec" DATE,
    "sw_reason" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE sw_episodes (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "sw_id" VARCHAR,
    "sw_decom" DATE,
    "sw_dec" DATE,
    "sw_reason" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE raw_dolo (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "dolo_start" DATE,
    "dolo_end" DATE,
    "src_line" INTEGER
);

CREATE TABLE dolo (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "dolo_start" DATE,
    "dolo_end" DATE,
    "src_line" INTEGER
);

CREATE VIEW referrals AS SELECT * FROM cin_episodes;

CREATE TABLE ref_calendar (day DATE PRIMARY KEY, is_working_day BOOLEAN, working_day_number INTEGER);

CREATE TABLE ref_population (
    la_code VARCHAR,
    mid_year INTEGER,
    population INTEGER,
    source VARCHAR,
    PRIMARY KEY (la_code, mid_year)
);
