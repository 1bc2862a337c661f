"""Free text that may identify a child: commentary and action text is checked for the store's child ids, UPNs and
dates of birth (with names), the analyst is warned on save (command line and dashboard, audited), viewers do
not see it, and a published pack refuses it until an analyst confirms that it does not identify a child."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace

import duckdb
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from csc_scorecard.cli import cli
from csc_scorecard.publish.model import indicator_view
from csc_scorecard.sources.upn import is_upn
from csc_scorecard.store import connect
from csc_scorecard.store.commentary import add_action, get_commentary, set_commentary
from csc_scorecard.store.identifiers import BIRTH_AND_NAME, CHILD_ID, DATE_OF_BIRTH, UPN, identifying
from csc_scorecard.web import create_app
from test_publish_model import alternating, judged
from web_support import make_site, session_cookie

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
RR = "re_referrals_12m_pct"


@pytest.fixture(scope="module")
def child(synthetic_council) -> tuple[str, str, dt.date]:
    """(child id, UPN, date of birth) of a child in the synthetic council's store."""
    con = duckdb.connect(str(synthetic_council["db"]), read_only=True)
    try:
        return con.execute(
            "SELECT child_id, upn, dob FROM children WHERE upn IS NOT NULL ORDER BY child_id LIMIT 1"
        ).fetchone()
    finally:
        con.close()


@pytest.fixture(scope="module")
def store(synthetic_council):
    con = duckdb.connect(str(synthetic_council["db"]), read_only=True)
    yield con
    con.close()


def test_upn_check_letter_is_the_dfe_rule() -> None:
    assert is_upn("A335732799171")  # as the synthetic council's returns carry it
    assert not is_upn("B335732799171")  # the wrong check letter
    assert not is_upn("A33573279917")  # 12 characters
    assert is_upn("a335732799171")  # written in lower case it is still the UPN


def test_what_looks_like_a_child_identifier(store, child) -> None:
    child_id, upn, dob = child
    other_upn = "A123456789012"  # not in the store, but its check letter is right
    cases = {
        f"Child {child_id} moved placement twice.": (CHILD_ID,),
        f"See {upn} for details.": (UPN,),
        f"A pupil ({other_upn}) was excluded.": (UPN,),
        "The young person (DOB 12/03/2009) was referred again.": (DATE_OF_BIRTH,),
        "Jayden Smith was placed out of area on 4 May 2010.": (BIRTH_AND_NAME,),
        f"Ms Khan saw her on {dob:%d/%m/%Y}.": (BIRTH_AND_NAME,),
        "Child A was seen on 2 February 2015.": (BIRTH_AND_NAME,),
    }
    for text, kinds in cases.items():
        assert identifying(store, text) == kinds, text
    for text in (
        "Re-referrals fell after the Front Door review on 3 March 2016.",
        "Since 1 April 2016 Walsall Council has improved timeliness.",
        "Audit of 1,004 re-referrals in 2016-17: 21.7% of 3,430.",
        "The Leaving Care Team met on 12 January 2017.",
        '=HYPERLINK("http://example.com/x","Click me")',
    ):
        assert identifying(store, text) == (), text


# --- kept with the text: warned, and confirmed ------------------------------------------------------------------


@pytest.fixture
def own_store(synthetic_council, tmp_path):
    db = tmp_path / "scorecard.duckdb"
    shutil.copyfile(synthetic_council["db"], db)
    return db


def test_a_confirmation_holds_for_the_text_it_was_given_for(own_store, child) -> None:
    con = connect(own_store)
    try:
        text = f"Case {child[0]} was audited."
        saved = set_commentary(con, "335", RR, "2016-17Q3", text, author="Ann")
        assert saved.identifiers == (CHILD_ID,) and saved.needs_confirming
        saved = set_commentary(con, "335", RR, "2016-17Q3", text, author="Ann", confirmed_by="Ann")
        assert not saved.needs_confirming and saved.confirmed_by == "Ann"
        saved = set_commentary(con, "335", RR, "2016-17Q3", text, author="Bob")  # the same text again
        assert not saved.needs_confirming
        saved = set_commentary(con, "335", RR, "2016-17Q3", text + " Again.", author="Bob")  # a new text
        assert saved.needs_confirming and saved.confirmed_by is None
        assert get_commentary(con, "335", RR, "2016-17Q3").needs_confirming
    finally:
        con.close()


def test_viewers_never_get_unconfirmed_text() -> None:
    series = alternating()
    j = judged(series)
    from csc_scorecard.store.commentary import Action, Commentary

    now = dt.datetime(2017, 1, 20)
    note = Commentary("335", "stable_pct", "2016-17Q3", "Jayden Smith moved on 4 May 2010.", "Ann", now,
                      identifiers=(BIRTH_AND_NAME,))  # fmt: skip
    action = Action(1, "335", "stable_pct", "2016-17Q3", "Visit A123456789012", None, None, "open", None, now,
                    identifiers=(UPN,))  # fmt: skip
    j = replace(j, commentary=note, actions=(action,))
    published, internal = indicator_view(j, series, "published"), indicator_view(j, series, "internal")
    assert published.commentary is None and published.actions == ()
    assert internal.commentary == note.text and len(internal.actions) == 1
    confirmed = replace(j, commentary=replace(note, confirmed_by="Ann", confirmed_at=now))
    assert indicator_view(confirmed, series, "published").commentary == note.text


# --- the command line -----------------------------------------------------------------------------------------


def test_the_command_line_warns_on_save_and_the_published_pack_refuses(own_store, child, tmp_path) -> None:
    runner = CliRunner()
    child_id, upn, _ = child
    saved = runner.invoke(cli, ["commentary", "set", "--la", "335", "--indicator", RR, "--period", "2016-17Q3",
                                "--text", f"Looked at {upn} again.", "--db", str(own_store)])  # fmt: skip
    assert saved.exit_code == 0
    assert "Warning: the commentary looks as if it holds a UPN" in saved.output and upn not in saved.output
    added = runner.invoke(cli, ["commentary", "add-action", "--la", "335", "--indicator", "cla_count", "--period",
                                "2016-17Q3", "--text", f"Review {child_id}", "--db", str(own_store)])  # fmt: skip
    assert "Warning: action" in added.output and "a child id from the store" in added.output
    refused = runner.invoke(cli, ["report", "--period", "2016-17Q3", "--la", "335", "--out", str(tmp_path / "pack"),
                                  "--db", str(own_store)])  # fmt: skip
    assert refused.exit_code == 1
    assert "The published pack was not written" in refused.output
    assert (
        f"the commentary on {RR} (" in refused.output
        and "2016-17Q3 looks as if it holds a UPN" in refused.output
    )
    assert "on cla_count (" in refused.output and "holds a child id from the store" in refused.output
    assert upn not in refused.output and child_id not in refused.output  # what was found, never the value
    assert not (tmp_path / "pack").exists()


@pytest.mark.slow
def test_once_confirmed_the_published_pack_is_written_with_the_text(own_store, child, tmp_path) -> None:
    runner = CliRunner()
    text = f"Looked at {child[1]} again."
    args = ["commentary", "set", "--la", "335", "--indicator", RR, "--period", "2016-17Q3", "--text", text]
    assert runner.invoke(cli, [*args, "--confirm", "--db", str(own_store)]).exit_code == 0
    result = runner.invoke(cli, ["report", "--period", "2016-17Q3", "--la", "335", "--out", str(tmp_path / "pack"),
                                 "--db", str(own_store)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert text in (tmp_path / "pack" / "report.html").read_text(encoding="utf-8")


# --- the dashboard --------------------------------------------------------------------------------------------


def stored(site, sql: str, *params):
    con = connect(site.db, read_only=True)
    try:
        return con.execute(sql, list(params)).fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def site(synthetic_council, tmp_path_factory):
    return make_site(tmp_path_factory.mktemp("free_text"), synthetic_council["db"])


def test_the_dashboard_warns_audits_withholds_and_takes_a_confirmation(site, child) -> None:
    child_id = child[0]
    query = "la=335&period=2016-17Q3"
    with TestClient(create_app(site.settings), follow_redirects=False) as c:
        analyst, viewer = session_cookie(site, "analyst"), session_cookie(site, "viewer")
        form = {"la": "335", "period": "2016-17Q3", "text": f"Child {child_id} was audited.", "version": ""}
        assert c.post(f"/indicator/{RR}/commentary", data=form, headers=analyst).status_code == 303
        page = c.get(f"/indicator/{RR}?{query}", headers=analyst).text
        assert "This commentary looks as if it may identify a child: it seems to hold a child id" in page
        assert 'name="confirm"' in page
        entry = site.state.access_log(limit=1, action="commentary_saved")[0]
        assert entry.detail == "may identify a child (a child id from the store): warned, not confirmed"
        seen = c.get(f"/indicator/{RR}?{query}", headers=viewer).text
        assert child_id not in seen and "withheld until an analyst confirms" in seen
        refused = c.get(f"/report/download?{query}", headers=viewer)
        assert refused.status_code == 409 and "The published pack was not written" in refused.text
        assert child_id not in refused.text
        assert site.state.access_log(limit=1)[0].action == "report_refused"

        version = stored(site, f"SELECT updated_at FROM commentary WHERE indicator_id = '{RR}'").isoformat()
        confirm = {**form, "version": version, "confirm": "yes"}
        assert c.post(f"/indicator/{RR}/commentary", data=confirm, headers=analyst).status_code == 303
        assert "may identify a child" not in c.get(f"/indicator/{RR}?{query}", headers=analyst).text
        assert f"Child {child_id} was audited." in c.get(f"/indicator/{RR}?{query}", headers=viewer).text
        entry = site.state.access_log(limit=1, action="commentary_saved")[0]
        assert entry.detail == "may identify a child (a child id from the store): confirmed by ann"


def test_an_action_that_may_identify_a_child_is_confirmed_from_its_row(site, child) -> None:
    con = connect(site.db)
    try:
        action_id = add_action(con, "335", "cla_count", "2016-17Q3", f"Review {child[1]}")
    finally:
        con.close()
    query = "la=335&period=2016-17Q3"
    with TestClient(create_app(site.settings), follow_redirects=False) as c:
        analyst = session_cookie(site, "analyst")
        page = c.get(f"/indicator/cla_count?{query}", headers=analyst).text
        assert "May identify a child" in page and "It seems to hold a UPN" in page
        version = stored(site, "SELECT updated_at FROM actions WHERE action_id = ?", action_id)
        form = {"period": "2016-17Q3", "status": "open", "version": version.isoformat(), "confirm": "yes"}
        assert c.post(f"/actions/{action_id}", data=form, headers=analyst).status_code == 303
        assert "May identify a child" not in c.get(f"/indicator/cla_count?{query}", headers=analyst).text
    entry = site.state.access_log(limit=1, action="action_updated")[0]
    assert entry.detail == f"action {action_id}: open; may identify a child (a UPN): confirmed by ann"
