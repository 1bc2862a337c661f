-- data quality: records the quality rules flag, and open records a later return no longer carries

-- The first day of the year of the next loaded return of the same kind that does not carry this record although
-- it was open at the end of its own return's year; derived at each rebuild of the canonical tables.
ALTER TABLE cin_episodes ADD COLUMN not_carried_from DATE;
ALTER TABLE cp_plans ADD COLUMN not_carried_from DATE;
ALTER TABLE cla_episodes ADD COLUMN not_carried_from DATE;

CREATE TABLE quality_flags (
    la_code VARCHAR NOT NULL,
    collection_year VARCHAR NOT NULL,  -- of the return the record came from
    load_id INTEGER NOT NULL,
    table_name VARCHAR NOT NULL,       -- the canonical table of the record (a reader's warning: the return kind)
    src_line INTEGER,                  -- the record's line in its file (a reader's warning: see record)
    child_id VARCHAR,
    record VARCHAR NOT NULL,           -- which record, in words ("referral 01/06/2016, assessment 02/06/2016")
    rule VARCHAR NOT NULL,             -- the rule's id (store/quality.py)
    dfe_rule VARCHAR,                  -- the DfE validator's rule it matches ("CIN 8608"); NULL where there is none
    detail VARCHAR NOT NULL,           -- what is wrong, with the values
    found_by VARCHAR NOT NULL          -- store: found on the canonical tables at each rebuild | reader: kept with its load
);

CREATE TABLE derived_data (
    name VARCHAR PRIMARY KEY,          -- canonical: the canonical tables, not_carried_from and quality_flags
    fingerprint VARCHAR NOT NULL,      -- sha256 of the code that derives them: a change rebuilds every LA's
    derived_at TIMESTAMP NOT NULL
);
