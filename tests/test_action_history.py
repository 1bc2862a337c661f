"""Actions tracked, not just listed: every change of status, owner or due date kept with who and when, `commentary
history` showing it, and the one rule for open, due and overdue (worked by hand) that the packs and the dashboard
share."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from click.testing import CliRunner

from csc_scorecard.cli import cli
from csc_scorecard.judge.actions import due_between, open_on, overdue
from csc_scorecard.publish.model import ActionView
from csc_scorecard.store import connect
from csc_scorecard.store.commentary import (
    Action,
    action_history,
    add_action,
    close_action,
    get_action,
    update_action,
)
from csc_scorecard.store.schema import migrate
from store_checks import query

RR = "re_referrals_12m_pct"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    db = tmp_path_factory.mktemp("actions") / "s.duckdb"
    connect(db).close()  # made once: it loads the published data
    return db


def test_each_change_is_kept_with_who_when_and_why(store):
    con = connect(store)
    try:
        day = dt.datetime(2017, 1, 5, 9, 0)
        action_id = add_action(con, "335", RR, "2016-17Q3", "Audit repeat referrals", owner="Head of MASH",
                               due_date=dt.date(2017, 2, 28), by="ann", now=day)  # fmt: skip
        update_action(con, action_id, status="in progress", note="audit started", by="bob",
                      now=day + dt.timedelta(days=10))  # fmt: skip
        update_action(
            con, action_id, text="Audit every repeat referral", by="bob", now=day + dt.timedelta(days=11)
        )
        update_action(
            con, action_id, due_date=dt.date(2017, 3, 31), by="ann", now=day + dt.timedelta(days=20)
        )
        close_action(con, action_id, "2016-17Q4", by="ann", note="done", now=day + dt.timedelta(days=60))
        events = action_history(con, action_id)
    finally:
        con.close()
    assert [
        (e.status, e.due_date, e.closed_period, e.note, e.changed_by, e.changed_at.day) for e in events
    ] == [
        ("open", dt.date(2017, 2, 28), None, "added", "ann", 5),
        ("in progress", dt.date(2017, 2, 28), None, "audit started", "bob", 15),
        # the text changed on the 16th: not a change of status, owner or due date, so not in the history
        ("in progress", dt.date(2017, 3, 31), None, None, "ann", 25),
        ("closed", dt.date(2017, 3, 31), "2016-17Q4", "done", "ann", 6),
    ]

    code_output = CliRunner().invoke(cli, ["commentary", "history", str(action_id), "--db", str(store), "--format",
                                           "csv"], env={"COLUMNS": "200"})  # fmt: skip
    assert code_output.exit_code == 0, code_output.output
    assert code_output.output.splitlines() == [
        "changed_at,changed_by,status,owner,due_date,closed_period,note",
        "2017-01-05 09:00:00,ann,open,Head of MASH,2017-02-28,,added",
        "2017-01-15 09:00:00,bob,in progress,Head of MASH,2017-02-28,,audit started",
        "2017-01-25 09:00:00,ann,in progress,Head of MASH,2017-03-31,,",
        "2017-03-06 09:00:00,ann,closed,Head of MASH,2017-03-31,2016-17Q4,done",
    ]
    missing = CliRunner().invoke(cli, ["commentary", "history", "999", "--db", str(store)])
    assert missing.exit_code == 2 and "no action with id 999" in missing.output


def test_update_action_from_the_command_line_records_the_note_and_the_user(store):
    con = connect(store)
    try:
        action_id = add_action(con, "335", RR, "2016-12", "Call every referrer", by="ann")
    finally:
        con.close()
    changed = CliRunner().invoke(cli, ["commentary", "update-action", str(action_id), "--status", "in progress",
                                       "--note", "half the calls made", "--db", str(store)])  # fmt: skip
    assert changed.exit_code == 0, changed.output
    rows = query(store, "SELECT status, note, changed_by IS NOT NULL FROM action_history WHERE action_id = ? "
                        "ORDER BY event_id", [action_id])  # fmt: skip
    assert rows == [("open", "added", True), ("in progress", "half the calls made", True)]


def _action(status="open", due=None, closed=None) -> Action:
    return Action(1, "335", RR, "2016-17Q1", "x", None, due, status, closed, dt.datetime(2017, 1, 1))


def test_open_due_and_overdue_worked_by_hand():
    end_dec, end_nov = dt.date(2016, 12, 31), dt.date(2016, 11, 30)
    late = _action(due=dt.date(2016, 12, 15))
    assert overdue(late, end_dec) and not overdue(late, end_nov) and due_between(late, end_nov, end_dec)
    on_the_day = _action(due=end_dec)
    assert not overdue(on_the_day, end_dec) and due_between(on_the_day, end_dec, dt.date(2017, 1, 31))
    # Closed in Q4 (January to March 2017): still open, and late, at the end of December; closed at the end of March.
    closed_later = _action("closed", dt.date(2016, 12, 15), "2016-17Q4")
    assert open_on(closed_later, end_dec) and overdue(closed_later, end_dec)
    assert not open_on(closed_later, dt.date(2017, 3, 31))
    assert not overdue(_action(), end_dec)  # no due date: never overdue
    assert not due_between(late, end_dec, dt.date(2017, 1, 31))  # already late, not due


def test_a_published_action_says_it_is_overdue():
    late = ActionView("Audit repeat referrals", "Head of MASH", dt.date(2016, 12, 15), "open", overdue=True)
    assert late.line == "Audit repeat referrals (owner: Head of MASH, due 15 December 2016): open, overdue"


def test_actions_in_a_store_made_before_the_history_begin_it_as_they_stand(tmp_path):
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    assert migrate(con, up_to=9) == 9
    con.execute(
        "INSERT INTO actions (la_code, indicator_id, opened_period, text, owner, due_date, status, updated_at) "
        "VALUES ('335', ?, '2016-17Q2', 'Old action', 'Sam', DATE '2016-11-30', 'in progress', "
        "TIMESTAMP '2016-10-01 12:00:00')",
        [RR],
    )
    con.close()
    con = connect(db)
    try:
        events = action_history(con, 1)
        add_action(con, "335", RR, "2016-17Q3", "New action", by="ann")
        assert get_action(con, 2).status == "open" and len(action_history(con, 2)) == 1
    finally:
        con.close()
    assert [(e.status, e.owner, e.note, e.changed_by, e.changed_at) for e in events] == [
        ("in progress", "Sam", "as it stood when its history began", None, dt.datetime(2016, 10, 1, 12, 0))
    ]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_dashboard_highlights_overdue_actions_and_keeps_each_update(synthetic_council, tmp_path):
    from starlette.testclient import TestClient

    from csc_scorecard.web import create_app
    from web_support import make_site, session_cookie

    site = make_site(tmp_path / "site", synthetic_council["db"])
    con = connect(site.db)
    try:
        late = add_action(con, "335", "cla_count", "2016-17Q2", "Review every new entry", owner="Head of service",
                          due_date=dt.date(2016, 12, 15), by="ann")  # fmt: skip
        add_action(con, "335", "cla_count", "2016-17Q2", "Panel for every placement move",
                   due_date=dt.date(2017, 3, 31), by="ann")  # fmt: skip
    finally:
        con.close()
    analyst, viewer = session_cookie(site, "analyst"), session_cookie(site, "viewer")
    page = "/indicator/cla_count?la=335&period=2016-17Q3"
    with TestClient(create_app(site.settings), follow_redirects=False) as c:
        for who in (viewer, analyst):  # due 15 December, open at the end of December: overdue; March: not yet
            assert c.get(page, headers=who).text.count("app-overdue") == 1
        version = _read(site.db, lambda con: get_action(con, late)).updated_at.isoformat()
        form = {"period": "2016-17Q3", "status": "in progress", "version": version, "note": "panel booked"}
        assert c.post(f"/actions/{late}", data=form, headers=analyst).status_code == 303
        shown = c.get(page, headers=analyst).text
        assert "panel booked" in shown and "History" in shown
        assert "panel booked" not in c.get(page, headers=viewer).text  # who changed what is for analysts
    events = _read(site.db, lambda con: action_history(con, late))
    assert [(e.status, e.note, e.changed_by) for e in events] == [
        ("open", "added", "ann"),
        ("in progress", "panel booked", "ann"),
    ]


def _read(db, fn):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return fn(con)
    finally:
        con.close()
