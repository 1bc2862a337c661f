-- the monthly board packs written: "data loaded since the last pack" starts from the last one

CREATE SEQUENCE board_pack_ids START 1;

CREATE TABLE board_packs (
    pack_id INTEGER PRIMARY KEY DEFAULT nextval('board_pack_ids'),
    la_code VARCHAR NOT NULL,
    period VARCHAR NOT NULL,          -- the month reported, e.g. 2016-12
    profile VARCHAR NOT NULL,         -- published | internal
    written_at TIMESTAMP NOT NULL,
    written_by VARCHAR,
    last_load_id INTEGER NOT NULL,    -- the latest load it was built from (0: none)
    last_value_id INTEGER NOT NULL    -- the latest manual value it was built from (0: none)
);
