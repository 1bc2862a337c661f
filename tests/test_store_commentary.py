"""Commentary and actions in the store: edit, carry forward until closed, CSV round trip, import errors."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csc_scorecard.store import connect
from csc_scorecard.store.commentary import (
    CommentaryError,
    ImportRejected,
    actions_for,
    add_action,
    close_action,
    export_actions_csv,
    export_commentary_csv,
    get_action,
    get_commentary,
    import_actions_csv,
    import_commentary_csv,
    neutralise,
    set_commentary,
    unneutralise,
    update_action,
)

NOW = dt.datetime(2017, 1, 20, 9, 30)
RR = "re_referrals_12m_pct"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    con = connect(tmp_path_factory.mktemp("store") / "s.duckdb")  # made once: it loads the published data
    yield con
    con.close()


@pytest.fixture
def con(store):
    store.execute("DELETE FROM commentary")
    store.execute("DELETE FROM actions")
    return store


def ids(actions) -> list[int]:
    return [a.action_id for a in actions]


def test_commentary_is_added_then_replaced(con):
    first = set_commentary(
        con, "335", RR, "2016-17Q3", "Re-referrals fell after the MASH review.", author="AB", now=NOW
    )
    assert get_commentary(con, "335", RR, "2016-17Q3") == first
    later = dt.datetime(2017, 1, 21)
    set_commentary(con, "335", RR, "2016-17Q3", "Revised text.", author="CD", now=later)
    c = get_commentary(con, "335", RR, "2016-17Q3")
    assert (c.text, c.author, c.updated_at) == ("Revised text.", "CD", later)
    assert get_commentary(con, "335", RR, "2016-17Q2") is None
    assert con.execute("SELECT count(*) FROM commentary").fetchall() == [(1,)]
    with pytest.raises(CommentaryError, match="is not a period"):
        set_commentary(con, "335", RR, "Q3 2016", "x")
    with pytest.raises(CommentaryError, match="commentary text is empty"):
        set_commentary(con, "335", RR, "2016-17Q3", "  ")


def test_actions_carry_forward_until_the_period_they_are_closed_in(con):
    a = add_action(con, "335", RR, "2016-17Q1", "Audit re-referrals", owner="Head of MASH",
                   due_date=dt.date(2016, 9, 30), now=NOW)  # fmt: skip
    b = add_action(con, "335", RR, "2016-17Q2", "Step-down protocol", owner="EH manager", now=NOW)
    c = add_action(con, "335", "cla_count", "2016-17Q1", "Another indicator", now=NOW)
    assert ids(actions_for(con, "335", RR, "2015-16Q4")) == []  # before either was opened
    assert ids(actions_for(con, "335", RR, "2016-17Q1")) == [a]
    assert ids(actions_for(con, "335", RR, "2016-17Q2")) == [a, b]
    close_action(con, a, "2016-17Q3", now=NOW)
    assert get_action(con, a).status == "closed"
    assert ids(actions_for(con, "335", RR, "2016-17Q3")) == [a, b]  # still shown in the period it closed
    assert ids(actions_for(con, "335", RR, "2016-17Q4")) == [b]  # not after
    assert ids(actions_for(con, "335", RR, "2017-18Q2")) == [b]  # b carried forward, never closed
    # a monthly report ending on the same day as Q3 sees the same actions
    assert ids(actions_for(con, "335", RR, "2016-12")) == [a, b]
    assert ids(actions_for(con, "335", "cla_count", "2016-17Q4")) == [c]
    assert ids(actions_for(con, "201", RR, "2016-17Q4")) == []


def test_action_edits_reopen_and_status_rules(con):
    a = add_action(con, "335", RR, "2016-17Q1", "Audit", now=NOW)
    edited = update_action(
        con, a, owner="New owner", status="in progress", due_date=dt.date(2017, 3, 31), now=NOW
    )
    assert (edited.owner, edited.status, edited.due_date, edited.text) == (
        "New owner", "in progress", dt.date(2017, 3, 31), "Audit",
    )  # fmt: skip
    close_action(con, a, "2016-17Q2", now=NOW)
    reopened = update_action(con, a, status="open", now=NOW)
    assert (reopened.status, reopened.closed_period) == ("open", None)
    with pytest.raises(CommentaryError, match="needs the period it was closed in"):
        update_action(con, a, status="closed")
    with pytest.raises(CommentaryError, match="closed_period 2015-16Q4 ends before opened_period 2016-17Q1"):
        close_action(con, a, "2015-16Q4")
    with pytest.raises(CommentaryError, match="status 'done': must be one of open, in progress, closed"):
        update_action(con, a, status="done")
    with pytest.raises(CommentaryError, match="no action with id 99"):
        get_action(con, 99)


def test_formula_neutralisation_and_its_inverse():
    for risky in ('=HYPERLINK("http://x")', "+44 1922", "-1", "@SUM(A1)", "\tTab", "\rCR"):
        assert neutralise(risky) == "'" + risky
        assert unneutralise(neutralise(risky)) == risky
    assert neutralise("Safe text") == "Safe text"
    assert unneutralise("'quoted on purpose") == "'quoted on purpose"  # not one neutralise would add


def test_export_neutralises_and_import_round_trips(con, tmp_path):
    set_commentary(con, "335", RR, "2016-17Q3", "=1+1 is not a formula", author="@analyst", now=NOW)
    set_commentary(con, "201", RR, "2016-17Q3", "Other LA", now=NOW)
    a = add_action(con, "335", RR, "2016-17Q1", "-chase partners", owner="Head of MASH",
                   due_date=dt.date(2016, 9, 30), now=NOW)  # fmt: skip
    close_action(con, a, "2016-17Q2", now=NOW)
    assert export_commentary_csv(con, tmp_path / "c.csv", la_code="335") == 1
    assert export_actions_csv(con, tmp_path / "a.csv") == 1
    assert list(csv.reader((tmp_path / "c.csv").open(encoding="utf-8"))) == [
        ["la_code", "indicator_id", "period", "text", "author"],
        ["335", RR, "2016-17Q3", "'=1+1 is not a formula", "'@analyst"],
    ]
    assert list(csv.reader((tmp_path / "a.csv").open(encoding="utf-8"))) == [
        ["action_id", "la_code", "indicator_id", "opened_period", "text", "owner", "due_date", "status",
         "closed_period"],
        [str(a), "335", RR, "2016-17Q1", "'-chase partners", "Head of MASH", "2016-09-30", "closed", "2016-17Q2"],
    ]  # fmt: skip
    other = connect(tmp_path / "other.duckdb")
    assert import_commentary_csv(other, tmp_path / "c.csv", now=NOW) == 1
    assert get_commentary(other, "335", RR, "2016-17Q3").text == "=1+1 is not a formula"
    assert get_commentary(other, "335", RR, "2016-17Q3").author == "@analyst"
    other.close()


ROUND_TRIP_TEXTS = [
    "'=SUM(A1:A9) is what the spreadsheet said",  # an apostrophe the analyst typed, before a formula character
    "'tis the season", "''", "'", "=1+1", "+44 1922 650000", "-3 on last quarter", "@team please check",
    "'+", "'-", "'@", "''=x", "\tindented", "\rcarriage", "ends with a space ", "  starts with spaces",
    "two\nlines", "a, comma and \"quotes\"",
]  # fmt: skip


def _round_trip(con, tmp_path, texts: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Commentary, authors and action texts written, exported, wiped from the store, imported again (as after
    an edit in a spreadsheet), and read back."""
    for i, text in enumerate(texts):
        set_commentary(con, "335", RR, f"{2000 + i}-{(i + 1) % 100:02d}", text, author=text, now=NOW)
        add_action(con, "335", RR, "2016-17Q1", text, owner=text, now=NOW)
    export_commentary_csv(con, tmp_path / "c.csv")
    export_actions_csv(con, tmp_path / "a.csv")
    con.execute("DELETE FROM commentary")
    con.execute("UPDATE actions SET text = 'wiped', owner = 'wiped'")
    import_commentary_csv(con, tmp_path / "c.csv", now=NOW)
    import_actions_csv(con, tmp_path / "a.csv", now=NOW)
    notes = con.execute("SELECT text, author FROM commentary ORDER BY period").fetchall()
    actions = con.execute("SELECT text, owner FROM actions ORDER BY action_id").fetchall()
    return [n[0] for n in notes], [n[1] for n in notes], [a[0] for a in actions] + [a[1] for a in actions]


def test_export_then_import_keeps_every_text_exactly(con, tmp_path):
    """Text that begins with ', =, +, -, @ (or an apostrophe before one of them), spaces or line breaks comes
    back exactly as it was written."""
    notes, authors, actions = _round_trip(con, tmp_path, ROUND_TRIP_TEXTS)
    assert notes == ROUND_TRIP_TEXTS
    assert authors == ROUND_TRIP_TEXTS
    assert actions == ROUND_TRIP_TEXTS + ROUND_TRIP_TEXTS


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(alphabet="'=+-@ \t\r\nab,\"", min_size=1, max_size=8).filter(str.strip),
                min_size=1, max_size=3))  # fmt: skip
def test_any_text_survives_the_round_trip(con, tmp_path_factory, texts):
    con.execute("DELETE FROM commentary")
    con.execute("DELETE FROM actions")
    notes, authors, actions = _round_trip(con, tmp_path_factory.mktemp("round_trip"), texts)
    assert (notes, authors, actions) == (texts, texts, texts + texts)


def test_action_import_adds_blank_ids_and_updates_existing_ones(con, tmp_path):
    a = add_action(con, "335", RR, "2016-17Q1", "Audit", now=NOW)
    path = tmp_path / "a.csv"
    path.write_text(
        "action_id,la_code,indicator_id,opened_period,text,owner,due_date,status,closed_period\n"
        f"{a},335,{RR},2016-17Q1,Audit (revised),Jo,2016-12-31,closed,2016-17Q3\n"
        f",335,{RR},2016-17Q3,New action,Sam,,in progress,\n",
        encoding="utf-8",
    )
    assert import_actions_csv(con, path, now=NOW) == (1, 1)
    old = get_action(con, a)
    assert (old.text, old.owner, old.due_date, old.status, old.closed_period) == (
        "Audit (revised)", "Jo", dt.date(2016, 12, 31), "closed", "2016-17Q3",
    )  # fmt: skip
    new = actions_for(con, "335", RR, "2016-17Q4")
    assert [(x.text, x.status) for x in new] == [("New action", "in progress")]


def test_action_import_errors_name_line_and_field_and_write_nothing(con, tmp_path):
    a = add_action(con, "335", RR, "2016-17Q1", "Audit", now=NOW)
    path = tmp_path / "actions.csv"
    path.write_text(
        "la_code,indicator_id,opened_period,text,due_date,status,closed_period,action_id\n"
        f"335,{RR},2016-17Q1,Fine row,,open,,\n"  # line 2: good, but nothing is written
        f"33,{RR},2016-17Q5,Bad,31/12/2016,done,,\n"  # line 3
        f'335,{RR},2016-17Q2,"Two\nlines",,closed,,\n'  # lines 4-5: closed without closed_period
        f"335,{RR},2016-17Q2,,,open,2016-17Q3,\n"  # line 6: no text; closed_period while open
        f"335,{RR},2016-17Q1,Text,,open,,x1\n"  # line 7
        f"335,{RR},2016-17Q1,Text,,open,,999\n"  # line 8
        f"335,cla_count,2016-17Q1,Text,,open,,{a}\n"  # line 9: another indicator's action
        f"335,{RR},2016-17Q1,Text,,open\n",  # line 10
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as e:
        import_actions_csv(con, path)
    f = str(path)
    assert [str(p) for p in e.value.problems] == [
        f"{f}: line 3: la_code = '33': must be a 3-digit LA code, e.g. 335",
        f"{f}: line 3: opened_period = '2016-17Q5': not a period: use 2016-17, 2016-17Q3, 2016-12 or R12:2016-12",
        f"{f}: line 3: status = 'done': must be one of open, in progress, closed",
        f"{f}: line 3: due_date = '31/12/2016': not a date: use YYYY-MM-DD",
        f"{f}: line 4: closed_period = (blank): a closed action needs the period it was closed in (closed_period)",
        f"{f}: line 6: text = (blank): required",
        f"{f}: line 7: action_id = 'x1': must be a whole number (leave it blank to add a new action)",
        f"{f}: line 8: action_id = '999': no action with this id in the store (leave it blank to add a new action)",
        f"{f}: line 9: action_id = '{a}': action {a} belongs to LA 335, indicator {RR}",
        f"{f}: line 10: (row) = (blank): has 6 cells, the header has 8",
    ]
    assert con.execute("SELECT count(*) FROM actions").fetchall() == [(1,)]
    assert get_action(con, a).text == "Audit"


def test_commentary_import_header_and_row_errors(con, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("la_code,indicator,period,text,colour\n335,x,2016-17,t,red\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as e:
        import_commentary_csv(con, path)
    assert [str(p) for p in e.value.problems] == [
        f"{path}: line 1: indicator = 'indicator': unknown column (allowed: la_code, indicator_id, period, text, author)",
        f"{path}: line 1: colour = 'colour': unknown column (allowed: la_code, indicator_id, period, text, author)",
        f"{path}: line 1: indicator_id = (blank): required column missing",
    ]
    path.write_text(
        "\ufeffla_code,indicator_id,period,text\n"
        f"335,{RR},2016-17Q3,First\n"
        f"335,{RR},2016-17Q3,Again\n"
        f"335,Re-referrals,2016-17Q3,Bad id\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as e:
        import_commentary_csv(con, path)
    assert [str(p) for p in e.value.problems] == [
        f"{path}: line 3: period = '2016-17Q3': commentary for this LA, indicator and period is already on line 2",
        f"{path}: line 4: indicator_id = 'Re-referrals': must be an indicator id like re_referrals_12m_pct",
    ]
    assert con.execute("SELECT count(*) FROM commentary").fetchall() == [(0,)]
