-- saved results' basis: what an LA's saved indicator results were computed from, so a scorecard can reuse them

-- The Python type each number was computed as ('int' or 'float'; NULL: no number, or saved before this): a
-- count kept as 53.0 is read back as 53.0, not 53.
ALTER TABLE indicator_results ADD COLUMN numerator_type VARCHAR;
ALTER TABLE indicator_results ADD COLUMN denominator_type VARCHAR;

CREATE TABLE results_basis (
    la_code VARCHAR NOT NULL,
    period VARCHAR NOT NULL,           -- a period code of indicator_results
    basis VARCHAR NOT NULL,            -- digest of the loads, manual measures, catalogue, reference data, schema
                                       -- and engine code the results were computed with (engine/results.py)
    indicator_ids VARCHAR[] NOT NULL,  -- whose whole-LA results for the period were saved on that basis
    saved_at TIMESTAMP NOT NULL
);
