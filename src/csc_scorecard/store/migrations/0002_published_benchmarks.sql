-- published benchmarks (LAIT, EES), areas, statistical neighbours

CREATE TABLE published_values (
    measure_code VARCHAR,
    year VARCHAR,
    area_code VARCHAR,
    value DOUBLE,
    symbol VARCHAR,
    source VARCHAR
);

CREATE TABLE areas (area_code VARCHAR, area_type VARCHAR, name VARCHAR, region_code VARCHAR);

CREATE TABLE stat_neighbours (
    sn_version VARCHAR,
    la_code VARCHAR,
    rank INTEGER,
    neighbour_code VARCHAR,
    closeness VARCHAR
);
