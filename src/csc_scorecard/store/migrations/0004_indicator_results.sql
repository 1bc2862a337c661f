-- indicator results

CREATE TABLE indicator_results (
    la_code VARCHAR NOT NULL,
    indicator_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    breakdown VARCHAR,             -- NULL: the whole LA
    breakdown_value VARCHAR,
    numerator DOUBLE,
    denominator DOUBLE,
    value DOUBLE,                  -- unrounded; NULL where undefined
    population_year INTEGER,
    notes VARCHAR NOT NULL,
    load_ids INTEGER[] NOT NULL,
    computed_at TIMESTAMP NOT NULL
);
