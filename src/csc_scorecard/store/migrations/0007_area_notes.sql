-- analysts' own achievements and priorities per area and period

CREATE SEQUENCE area_note_ids START 1;

CREATE TABLE area_notes (
    note_id INTEGER PRIMARY KEY DEFAULT nextval('area_note_ids'),
    la_code VARCHAR NOT NULL,
    area VARCHAR NOT NULL,            -- the catalogue's area id, e.g. front_door
    period VARCHAR NOT NULL,          -- the period whose report carries it
    kind VARCHAR NOT NULL,            -- achievement | priority
    text VARCHAR NOT NULL,
    author VARCHAR,
    updated_at TIMESTAMP NOT NULL
);
