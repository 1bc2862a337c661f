-- analysts' commentary and actions

CREATE TABLE commentary (
    la_code VARCHAR NOT NULL,
    indicator_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    author VARCHAR,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (la_code, indicator_id, period)
);

CREATE SEQUENCE action_ids START 1;

CREATE TABLE actions (
    action_id INTEGER PRIMARY KEY DEFAULT nextval('action_ids'),
    la_code VARCHAR NOT NULL,
    indicator_id VARCHAR NOT NULL,
    opened_period VARCHAR NOT NULL,   -- the period whose report first carried it
    text VARCHAR NOT NULL,
    owner VARCHAR,
    due_date DATE,
    status VARCHAR NOT NULL,          -- open | in progress | closed
    closed_period VARCHAR,            -- carried forward to every later period until this one
    updated_at TIMESTAMP NOT NULL
);
