"""The dashboard's team view (every signed-in user) and worker view (managers and up, written to the access log)
on a store loaded from the synthetic council's SSD extract."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from csc_scorecard.cli import cli
from csc_scorecard.web import create_app
from web_support import PASSWORD, make_site, session_cookie

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
Q = "la=335&period=2016-17"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("web_teams")
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["synth", "--la", "335", "--years", "2015-16:2016-17", "--seed", "5", "--scale", "0.3", "--no-local-data",
         "--out", str(root / "returns"), "--ssd-out", str(root / "ssd")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    db = root / "ssd.duckdb"
    result = runner.invoke(cli, ["load", str(root / "ssd" / "ssd_335"), "--la", "335", "--db", str(db)])
    assert result.exit_code == 0, result.output
    site = make_site(root / "site", db)
    site.state.create_user("max", PASSWORD, "manager")
    with TestClient(create_app(site.settings), follow_redirects=False) as c:
        yield c, site


def test_every_user_sees_the_figures_by_team_and_no_worker(client):
    c, site = client
    page = c.get(f"/teams?{Q}", headers=session_cookie(site, "viewer"))
    assert page.status_code == 200
    assert "Children in need by allocated team" in page.text
    assert "Child protection visits within timescale (case records) by allocated team" in page.text
    assert "Children allocated per worker by team" in page.text
    assert "Safeguarding and Family Support North" in page.text
    assert "W0" not in page.text and "By allocated worker" not in page.text


def test_worker_level_figures_are_for_managers_and_analysts_only_and_logged(client):
    c, site = client
    viewer, analyst = session_cookie(site, "viewer"), session_cookie(site, "analyst")
    assert c.get(f"/teams/workers?{Q}", headers=viewer).status_code == 403
    assert c.get(f"/indicator/cpp_count?{Q}&breakdown=allocated_worker", headers=viewer).status_code == 404
    assert "Allocated worker" not in c.get(f"/indicator/cpp_count?{Q}", headers=viewer).text
    assert "Allocated worker" in c.get(f"/indicator/cpp_count?{Q}", headers=analyst).text
    page = c.get(f"/teams/workers?{Q}", headers=analyst)
    assert page.status_code == 200
    assert "Child protection plans by allocated worker" in page.text or "by allocated worker" in page.text
    assert "Social Worker W0" in page.text
    assert next(e.action for e in site.state.access_log(limit=5)) == "worker_view"


def test_a_month_from_the_snapshot_by_team(client):
    c, site = client
    page = c.get("/teams?la=335&period=2017-03", headers=session_cookie(site, "viewer"))
    assert page.status_code == 200
    assert "By team, 2017-03" in page.text
    assert "Children on a child protection plan by allocated team" in page.text
    assert "Child protection visits within timescale (case records) by allocated team" in page.text
    assert "Safeguarding and Family Support South" in page.text
    assert page.text != c.get(f"/teams?{Q}", headers=session_cookie(site, "viewer")).text  # not the year's


def test_a_manager_sees_the_workers_with_the_published_figures(client):
    c, site = client
    token, session = site.state.create_session("max")
    manager = {"Cookie": f"csc_session={token}", "X-CSRF-Token": session.csrf_token}
    teams = c.get(f"/teams?{Q}", headers=manager).text
    assert "By allocated worker" in teams  # the link the viewer does not get
    page = c.get(f"/teams/workers?{Q}", headers=manager)
    assert page.status_code == 200 and "Social Worker W0" in page.text
    assert next(e for e in site.state.access_log(limit=5)).username == "max"
    assert "Allocated worker" in c.get(f"/indicator/cpp_count?{Q}", headers=manager).text
    assert c.get(f"/indicator/cpp_count?{Q}&breakdown=allocated_worker", headers=manager).status_code == 200
    # the published figures, as a viewer's: the internal marking and the drill-through are an analyst's
    indicator = c.get(f"/indicator/cpp_count?{Q}", headers=manager).text
    assert "/records?" not in indicator
    assert c.get(f"/indicator/cpp_count/records?{Q}", headers=manager).status_code == 403
    assert c.get("/data", headers=manager).status_code == 403
