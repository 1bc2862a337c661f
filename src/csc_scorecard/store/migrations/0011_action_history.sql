-- actions tracked: every change of an action's status, owner or due date, with who made it, when and why

CREATE SEQUENCE action_event_ids START 1;

CREATE TABLE action_history (
    event_id INTEGER PRIMARY KEY DEFAULT nextval('action_event_ids'),
    action_id INTEGER NOT NULL,
    status VARCHAR NOT NULL,          -- the action's status from this change on
    owner VARCHAR,
    due_date DATE,
    closed_period VARCHAR,
    note VARCHAR,                     -- what was done, or why it changed
    changed_by VARCHAR,
    changed_at TIMESTAMP NOT NULL
);

-- the actions already in the store begin their history as they stand
INSERT INTO action_history (action_id, status, owner, due_date, closed_period, note, changed_by, changed_at)
SELECT action_id, status, owner, due_date, closed_period, 'as it stood when its history began', NULL, updated_at
FROM actions;
