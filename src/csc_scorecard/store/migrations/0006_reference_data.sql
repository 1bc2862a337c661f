-- reference data fingerprints: which shipped calendar, population and published benchmarks the store holds

CREATE TABLE reference_data (
    name VARCHAR PRIMARY KEY,         -- calendar | population | published
    fingerprint VARCHAR NOT NULL,     -- sha256 of the shipped files and the code that turns them into rows
    refreshed_at TIMESTAMP NOT NULL
);
