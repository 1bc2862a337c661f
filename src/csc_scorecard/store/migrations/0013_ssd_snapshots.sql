-- SSD snapshots (when taken, the days they hold) and the SSD's teams, workers, allocations and visits

ALTER TABLE loads ADD COLUMN snapshot_taken_at TIMESTAMP;
ALTER TABLE loads ADD COLUMN covers_from DATE;
ALTER TABLE loads ADD COLUMN covers_to DATE;
ALTER TABLE loads ADD COLUMN snapshot_decided_by VARCHAR;

CREATE TABLE raw_allocations (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "worker_id" VARCHAR,
    "team_id" VARCHAR,
    "role" VARCHAR,
    "start_date" DATE,
    "end_date" DATE,
    "change_reason" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE allocations (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "worker_id" VARCHAR,
    "team_id" VARCHAR,
    "role" VARCHAR,
    "start_date" DATE,
    "end_date" DATE,
    "change_reason" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE raw_workers (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "worker_id" VARCHAR,
    "staff_id" VARCHAR,
    "worker_name" VARCHAR,
    "job_title" VARCHAR,
    "department" VARCHAR,
    "fte" DOUBLE,
    "agency" BOOLEAN,
    "swe_no" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE workers (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "worker_id" VARCHAR,
    "staff_id" VARCHAR,
    "worker_name" VARCHAR,
    "job_title" VARCHAR,
    "department" VARCHAR,
    "fte" DOUBLE,
    "agency" BOOLEAN,
    "swe_no" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE raw_teams (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "team_id" VARCHAR,
    "team_name" VARCHAR,
    "parent_team_id" VARCHAR,
    "parent_team_name" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE teams (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "team_id" VARCHAR,
    "team_name" VARCHAR,
    "parent_team_id" VARCHAR,
    "parent_team_name" VARCHAR,
    "src_line" INTEGER
);

CREATE TABLE raw_statutory_visits (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "visit_kind" VARCHAR,
    "visit_date" DATE,
    "seen" BOOLEAN,
    "seen_alone" BOOLEAN,
    "src_line" INTEGER
);

CREATE TABLE statutory_visits (
    "load_id" INTEGER,
    "la_code" VARCHAR,
    "collection_year" VARCHAR,
    "child_id" VARCHAR,
    "visit_kind" VARCHAR,
    "visit_date" DATE,
    "seen" BOOLEAN,
    "seen_alone" BOOLEAN,
    "src_line" INTEGER
);
