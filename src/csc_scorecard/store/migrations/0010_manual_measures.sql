-- manual measures: their declarations and their values per month or quarter, every version kept

CREATE SEQUENCE manual_measure_ids START 1;

CREATE TABLE manual_measures (
    declaration_id INTEGER PRIMARY KEY DEFAULT nextval('manual_measure_ids'),
    measure_id VARCHAR NOT NULL,
    declaration JSON,                 -- the measure as declared; NULL: withdrawn (no longer in the file)
    source VARCHAR NOT NULL,          -- the file it was declared in
    declared_by VARCHAR,
    declared_at TIMESTAMP NOT NULL,
    replaced_by INTEGER               -- the declaration that replaced it; NULL for the one in force
);

CREATE SEQUENCE manual_value_ids START 1;

CREATE TABLE manual_values (
    value_id INTEGER PRIMARY KEY DEFAULT nextval('manual_value_ids'),
    la_code VARCHAR NOT NULL,
    measure_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,          -- the month, or a quarter's last month (2016-12: October to December 2016)
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    value DOUBLE NOT NULL,            -- the count, or a percentage's numerator
    denominator DOUBLE,               -- a percentage's denominator
    note VARCHAR,
    entered_by VARCHAR,
    entered_at TIMESTAMP NOT NULL,
    source VARCHAR NOT NULL,          -- the file loaded, or 'dashboard' or 'command line' for one typed in
    load_id INTEGER,                  -- the load that brought it (loads.load_id); NULL for one typed in
    src_line INTEGER,                 -- its line in that file
    replaces INTEGER,                 -- the value it replaced (value_id); NULL for the first for its period
    replaced_by INTEGER               -- the value that replaced it; NULL for the current one
);
