"""Every route of the dashboard for every role (no session -> sign-in page, wrong role -> 403), CSRF on every
state-changing route, security headers, sign-in and its throttling, suppression for viewers, and the access log.

The app runs in-process (Starlette's TestClient) on a private copy of the synthetic council's store."""

from __future__ import annotations

import importlib
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote

import pytest
from starlette.routing import Mount
from starlette.testclient import TestClient

from csc_scorecard import pipeline
from csc_scorecard.catalogue import load_catalogue
from csc_scorecard.judge.units import round_half_up
from csc_scorecard.periods import parse_period
from csc_scorecard.store.commentary import add_action, get_action
from csc_scorecard.store.connection import connect
from csc_scorecard.web import create_app
from csc_scorecard.web.auth import CSP, login_redirect_target
from web_support import PASSWORD, ROLES, USERS, Site, csrf_from, make_site, session_cookie

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

Q = "la=335&period=2016-17"


@pytest.fixture(scope="module")
def site(synthetic_council, tmp_path_factory) -> Site:
    site = make_site(tmp_path_factory.mktemp("web_routes"), synthetic_council["db"])
    site.state.create_user("spare", PASSWORD, "viewer")
    con = connect(site.db)
    try:
        add_action(
            con,
            "335",
            "cla_count",
            "2016-17",
            "Review every new entry to care at panel",
            owner="Head of service",
        )
    finally:
        con.close()
    return site


@pytest.fixture(scope="module")
def client(site) -> TestClient:
    with TestClient(create_app(site.settings), follow_redirects=False) as c:
        yield c


# --- the route table: every route, the lowest role that may use it, and a request that the handler accepts ---


def _action_form(site: Site) -> dict:
    con = connect(site.db, read_only=True)
    try:
        action = get_action(con, 1)
    finally:
        con.close()
    return {"period": "2016-17", "status": "in progress", "version": action.updated_at.isoformat()}


_user_numbers = itertools.count(1)


@dataclass
class Case:
    method: str
    path: str
    role: str
    ok: int = 200  # the status an allowed role gets
    form: Callable[[Site, str], dict] = field(default=lambda site, role: {})

    @property
    def route(self) -> str:
        """The route's path as FastAPI declares it (parameters as {X})."""
        path = re.sub(r"\?.*", "", self.path)
        return re.sub(
            r"/indicator/[a-z_0-9]+|/actions/\d+|/users/[a-z]+|/area-notes/\d+|/measures/[a-z_0-9]+(?=/history)",
            _parameter,
            path,
        )


def _parameter(match: re.Match) -> str:
    return match.group(0).rsplit("/", 1)[0] + "/{X}"


CASES = [
    Case("GET", "/", "viewer"),
    Case("GET", f"/?{Q}", "viewer"),
    Case("GET", f"/indicator/cla_count?{Q}", "viewer"),
    Case("GET", f"/indicator/cla_count?{Q}&breakdown=age_band", "viewer"),
    Case("GET", f"/indicator/cla_count/breakdown?{Q}&breakdown=age_band", "viewer"),
    Case("GET", f"/indicator/cla_count/chart.svg?{Q}", "viewer"),
    Case("GET", "/board", "viewer"),
    Case("GET", "/board/months?la=335&month=2016-12", "viewer"),
    Case("GET", "/report", "viewer"),
    Case("GET", f"/report/download?{Q}", "viewer"),
    Case("GET", "/account", "viewer"),
    Case(
        "POST",
        "/account/password",
        "viewer",
        400,
        lambda s, r: {"current": "wrong", "new": "x", "confirm": "x"},
    ),
    Case("POST", "/logout", "viewer", 303),
    Case("GET", f"/teams?{Q}", "viewer"),
    Case("GET", f"/teams/workers?{Q}", "analyst"),
    Case("GET", f"/indicator/cla_count/records?{Q}", "analyst"),
    Case(
        "POST",
        "/indicator/cla_count/commentary",
        "analyst",
        303,
        # each role writes its own period, so neither finds the other's commentary (which would be a conflict)
        lambda s, r: {
            "la": "335",
            "period": {"analyst": "2016-17Q1", "admin": "2016-17Q2"}.get(r, "2016-17Q3"),
            "text": f"Written by the {r}",
            "version": "",
        },
    ),
    Case(
        "POST",
        "/indicator/cla_count/actions",
        "analyst",
        303,
        lambda s, r: {"la": "335", "period": "2016-17", "text": "Audit"},
    ),
    Case("POST", "/actions/1", "analyst", 303, lambda s, r: _action_form(s)),
    Case(
        "POST",
        "/area-notes",
        "analyst",
        303,
        lambda s, r: {
            "la": "335",
            "period": "2016-17",
            "area": "workforce",
            "kind": "achievement",
            "text": r,
        },
    ),
    Case("POST", "/area-notes/999/remove", "analyst", 404),  # the handler runs: there is no note 999
    Case("GET", "/measures", "analyst"),
    Case(  # no measure is declared in this store: the form comes back saying so
        "POST",
        "/measures/values",
        "analyst",
        400,
        lambda s, r: {"la": "335", "measure_id": "nqsw_recruited", "period": "2016-05", "value": "1"},
    ),
    Case("GET", "/measures/nqsw_recruited/history", "analyst", 404),
    Case("GET", "/data", "analyst"),
    Case("GET", f"/data/quality.csv?{Q}", "analyst"),
    Case("GET", "/upload", "analyst"),
    Case("POST", "/upload", "analyst", 400),  # no files: the form comes back with the problem
    Case("GET", "/admin/users", "admin"),
    Case(
        "POST",
        "/admin/users",
        "admin",
        303,
        lambda s, r: {"username": f"new{next(_user_numbers)}", "password": PASSWORD, "role": "viewer"},
    ),
    Case("POST", "/admin/users/spare", "admin", 303, lambda s, r: {"role": "analyst"}),
    Case("GET", "/admin/access-log", "admin"),
]
PUBLIC = {"/healthz", "/login", "/login/oidc", "/login/oidc/callback"}


def test_the_route_table_covers_every_route(client):
    """A new route without a row in CASES (or in PUBLIC) fails here, so no route escapes the role checks."""
    templates = {(method, re.sub(r"\{[^}]+\}", "{X}", path)) for method, path in _routes(client.app.routes)}
    covered = {(c.method, c.route) for c in CASES}
    covered |= {(m, p) for p in PUBLIC for m in ("GET", "POST")}
    assert templates - covered == set()


def _routes(routes, prefix: str = ""):
    """(method, path) of every route, through FastAPI's included routers."""
    for route in routes:
        if isinstance(route, Mount):
            continue
        if hasattr(route, "original_router"):  # FastAPI >= 0.16x keeps included routers as they are
            yield from _routes(route.original_router.routes, prefix + route.include_context.prefix)
        else:
            yield from ((m, prefix + route.path) for m in route.methods - {"HEAD"})


def _request(client: TestClient, site: Site, case: Case, role: str | None, *, csrf: bool = True):
    headers = session_cookie(site, role) if role else {}
    if not csrf:
        headers.pop("X-CSRF-Token", None)
    if case.method == "GET":
        return client.get(case.path, headers=headers)
    return client.post(case.path, headers=headers, data=case.form(site, role or "viewer"))


@pytest.mark.parametrize(
    ("case", "role"),
    [(c, r) for c in CASES for r in (None, *ROLES)],
    ids=[f"{c.method} {c.path} as {r or 'nobody'}" for c in CASES for r in (None, *ROLES)],
)
def test_every_route_for_every_role(client, site, case, role):
    response = _request(client, site, case, role)
    if role is None:
        assert response.status_code == 303
        target = case.path if case.path != "/" else ""
        expected = "/login" + (f"?next={quote(target, safe='')}" if target else "")
        assert response.headers["location"] == expected
    elif ROLES.index(role) < ROLES.index(case.role):
        assert response.status_code == 403
        assert "You cannot see this page" in response.text
    else:
        assert response.status_code == case.ok, response.text[:500]


@pytest.mark.parametrize("case", [c for c in CASES if c.method == "POST"], ids=lambda c: c.path)
def test_every_post_needs_the_csrf_token(client, site, case):
    before = site.state.access_log(limit=1)
    response = _request(client, site, case, "admin", csrf=False)
    assert response.status_code == 403
    assert "The form could not be sent" in response.text
    assert site.state.access_log(limit=1) == before  # nothing was done, so nothing was logged


def test_a_cross_site_post_is_refused_before_any_handler(client, site):
    headers = {**session_cookie(site, "admin"), "Origin": "https://evil.example"}
    response = client.post(
        "/admin/users", headers=headers, data={"username": "mallory", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert response.text == "Cross-site request refused."
    assert "mallory" not in {u.username for u in site.state.users()}


def test_security_headers_on_pages_and_charts(client, site):
    page = client.get("/", headers=session_cookie(site, "viewer"))
    assert page.headers["content-security-policy"] == CSP
    assert "'unsafe-inline'" not in CSP and "script-src 'self'" in CSP
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text and "style=" not in page.text  # nothing inline for the CSP to allow
    chart = client.get(f"/indicator/cla_count/chart.svg?{Q}", headers=session_cookie(site, "viewer"))
    assert chart.headers["content-type"] == "image/svg+xml"
    assert chart.headers["content-security-policy"].startswith("default-src 'none'")


def _sign_in(client: TestClient, username: str, password: str, *, client_ip: str = "testclient"):
    form = client.get("/login")
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_from(form.text),
            "next": "/data",
        },
    )


def test_sign_in_sets_a_strict_httponly_cookie_and_returns_to_the_page(site):
    with TestClient(create_app(site.settings), follow_redirects=False) as c:
        response = _sign_in(c, "ann", PASSWORD)
        assert response.status_code == 303
        assert response.headers["location"] == "/data"
        cookie = next(
            v for k, v in response.headers.multi_items() if k == "set-cookie" and "csc_session=" in v
        )
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
        assert c.get("/data").status_code == 200


def test_behind_tls_the_cookie_is_secure_and_host_prefixed(site, tmp_path):
    settings = site.settings.__class__(**{**site.settings.__dict__, "https": True})
    with TestClient(create_app(settings), base_url="https://testserver", follow_redirects=False) as c:
        response = _sign_in(c, "ann", PASSWORD)
        cookie = next(
            v for k, v in response.headers.multi_items() if k == "set-cookie" and "csc_session" in v
        )
        assert cookie.startswith("__Host-csc_session=") and "Secure" in cookie and "Path=/" in cookie
        assert response.headers["strict-transport-security"].startswith("max-age=")


def test_sign_in_without_the_forms_token_is_refused(site):
    with TestClient(create_app(site.settings), follow_redirects=False) as c:
        response = c.post("/login", data={"username": "ann", "password": PASSWORD, "csrf_token": "forged"})
        assert response.status_code == 403
        assert "csc_session" not in response.headers.get("set-cookie", "")


def test_five_failures_lock_the_user_name_for_the_window(site):
    site.state.create_user("target", PASSWORD, "viewer")
    with TestClient(create_app(site.settings), follow_redirects=False) as c:
        for _ in range(5):
            assert _sign_in(c, "target", "not the password").status_code == 401
        locked = _sign_in(c, "target", PASSWORD)  # the right password, but too late
        assert locked.status_code == 429
        assert "Too many failed sign-ins" in locked.text
        assert _sign_in(c, "ann", PASSWORD).status_code == 303  # other names are unaffected
    actions = [e.action for e in site.state.access_log(limit=20) if e.username == "target"]
    assert actions[:6] == ["sign_in_throttled"] + ["sign_in_failed"] * 5


def test_a_disabled_users_session_ends_at_once(client, site):
    site.state.create_user("leaver", PASSWORD, "analyst")
    token, _ = site.state.create_session("leaver")
    headers = {"Cookie": f"csc_session={token}"}
    assert client.get("/data", headers=headers).status_code == 200
    site.state.update_user("leaver", disabled=True)
    assert client.get("/data", headers=headers).headers["location"] == "/login?next=%2Fdata"


def test_drill_through_is_written_to_the_access_log(client, site, synthetic_council):
    """re_referrals_12m_pct 2016-17: the records counted are the generator's own figure (which the engine
    reproduces: tests/test_synthetic_council.py). Records come 100 a page, and each page viewed is logged with the
    number of records it showed."""
    truth = synthetic_council["truth"]["indicators"]["2016-17"]["re_referrals_12m_pct"]
    numerator, denominator = truth["numerator"], truth["denominator"]
    assert 900 < numerator < 1000 < denominator  # a last page of numerator records, a full one of denominator
    headers = session_cookie(site, "analyst")
    first = client.get(f"/indicator/re_referrals_12m_pct/records?{Q}", headers=headers)
    assert first.status_code == 200
    assert f"Counted in the numerator: {numerator:,} records" in first.text
    assert f"In the denominator: {denominator:,} records" in first.text
    assert f"Records 1 to 100 of {numerator:,}." in first.text
    entry = site.state.access_log(limit=1, action="drill_through")[0]
    assert (entry.username, entry.role, entry.indicator_id, entry.period, entry.records, entry.detail) == (
        "ann", "analyst", "re_referrals_12m_pct", "2016-17", 200, None,
    )  # fmt: skip
    last = client.get(f"/indicator/re_referrals_12m_pct/records?{Q}&start=900", headers=headers)
    assert f"Records 901 to {numerator:,} of {numerator:,}." in last.text
    assert f"Records 901 to 1000 of {denominator:,}." in last.text
    entry = site.state.access_log(limit=1, action="drill_through")[0]
    assert (entry.records, entry.detail) == (numerator - 900 + 100, "from record 901")


def _cells(html: str, row_label: str) -> list[str]:
    row = re.search(rf">{re.escape(row_label)}(?:</a>)?</th>(.*?)</tr>", html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_viewers_see_published_suppression_analysts_see_the_figure(client, site, synthetic_council):
    """Every percentage on the overview for 2016-17 whose numerator, or the rest of its denominator, is 1 to 5
    children (the generator's own figures): the published view shows c, the internal view the figure."""
    viewer = client.get(f"/?{Q}", headers=session_cookie(site, "viewer")).text
    analyst = client.get(f"/?{Q}", headers=session_cookie(site, "analyst")).text
    catalogue = load_catalogue()
    checked = 0
    for indicator_id, figure in synthetic_council["truth"]["indicators"]["2016-17"].items():
        n, d = figure["numerator"], figure["denominator"]
        indicator = catalogue.indicator(indicator_id)
        if indicator.unit != "percent" or not d or not (1 <= n <= 5 or 1 <= d - n <= 5):
            continue
        if not re.search(rf">{re.escape(indicator.label)}(?:</a>)?</th>", analyst):
            continue  # not on the overview
        assert _cells(viewer, indicator.label)[0] == "c", indicator_id
        assert _cells(analyst, indicator.label)[0] == f"{round_half_up(100 * n / d, 1)}%", indicator_id
        checked += 1
    assert checked >= 1
    assert "INTERNAL" in analyst and "INTERNAL" not in viewer


def test_dfe_measures_no_return_gives_are_shown_as_published_in_their_area(client, site):
    """Cafcass care applications (LAIT CareApplications 2017: Walsall 14.2, England 12.3) under child protection,
    marked as DfE's figure, not the council's."""
    html = client.get(f"/?{Q}", headers=session_cookie(site, "viewer")).text
    cp = html.index('id="child-protection"')
    block = html.index("Published by DfE, not computed from the council&#39;s returns:", cp)
    assert block < html.index('id="children-in-care"')
    sentence = html.index(
        "There were 14.2 care applications per 10,000 children aged under 18 in 2016-17", block
    )
    assert "England 12.3 per 10,000" in html[sentence : sentence + 400]


def test_viewer_breakdowns_suppress_small_rows_and_the_next_smallest(client, site):
    """Referrals ending in no further action by disability, 2016-17: 'Not recorded' is 1 to 5 referrals, so c;
    it is the only small row, so the next smallest numerator (Any) is suppressed too, or the total would give it
    away. The figures are the analyst's (unsuppressed) view of the same breakdown."""
    url = f"/indicator/referrals_nfa_pct/breakdown?{Q}&breakdown=disability"
    viewer = client.get(url, headers=session_cookie(site, "viewer")).text
    analyst = client.get(url, headers=session_cookie(site, "analyst")).text
    rows = {label: _cells(analyst, label)[:3] for label in ("Not recorded", "Any", "None")}
    numerators = {label: int(cells[0].replace(",", "")) for label, cells in rows.items()}
    assert 1 <= numerators["Not recorded"] <= 5 < numerators["Any"] < numerators["None"]
    assert _cells(viewer, "Not recorded") == ["c", rows["Not recorded"][1], "c"]
    assert _cells(viewer, "Any") == ["c", rows["Any"][1], "c"]
    assert _cells(viewer, "None") == rows["None"]
    assert "/records?" not in viewer


def test_commentary_saved_by_an_analyst_shows_on_the_indicator_page(client, site):
    headers = session_cookie(site, "analyst")
    form = {
        "la": "335",
        "period": "2016-17",
        "text": "Re-referrals fell after the front door review.",
        "version": "",
    }
    saved = client.post("/indicator/re_referrals_12m_pct/commentary", headers=headers, data=form)
    assert saved.status_code == 303
    page = client.get(saved.headers["location"], headers=headers).text
    assert "Commentary saved." in page
    assert "Re-referrals fell after the front door review." in page
    assert "ann, " in page  # the author is the signed-in user


def test_a_stale_commentary_edit_is_refused_and_keeps_both_texts(client, site):
    """Two analysts open the page; the first saves; the second's save (made against the old version) is refused
    with the first one's text shown and the second one's text kept in the box: nothing is lost."""
    headers = session_cookie(site, "analyst")
    base = {"la": "335", "period": "2015-16", "version": ""}
    first = client.post(
        "/indicator/cin_count/commentary", headers=headers, data={**base, "text": "First words"}
    )
    assert first.status_code == 303
    second = client.post(
        "/indicator/cin_count/commentary", headers=headers, data={**base, "text": "Second words"}
    )
    assert second.status_code == 409
    assert "Someone else saved this commentary" in second.text
    assert "The commentary now reads: “First words”" in second.text
    assert ">Second words</textarea>" in second.text


def test_users_survive_a_restart(site):
    headers = session_cookie(site, "admin")
    with TestClient(create_app(site.settings), follow_redirects=False) as c:
        created = c.post(
            "/admin/users",
            headers=headers,
            data={"username": "kept", "password": PASSWORD, "role": "analyst"},
        )
        assert created.status_code == 303
    with TestClient(create_app(site.settings), follow_redirects=False) as restarted:
        assert _sign_in(restarted, "kept", PASSWORD).status_code == 303
        assert restarted.get("/data").status_code == 200


def test_the_last_admin_cannot_be_disabled(client, site):
    admins = [u.username for u in site.state.users() if u.role == "admin" and not u.disabled]
    assert admins == [USERS["admin"]]
    response = client.post(
        "/admin/users/adam", headers=session_cookie(site, "admin"), data={"disabled": "yes"}
    )
    assert response.status_code == 400
    assert "Adam is the only admin: make another admin first" in response.text


def test_upload_rejects_a_bad_return_and_loads_nothing(client, site):
    loads_before = connect(site.db, read_only=True).execute("SELECT count(*) FROM loads").fetchone()[0]
    files = {"files": ("cin_2017-18.xml", b"<Message><Header></Message>", "text/xml")}
    response = client.post(
        "/upload", headers=session_cookie(site, "analyst"), files=files, data={"la": "", "year": ""}
    )
    assert response.status_code == 400
    assert "Nothing was loaded" in response.text
    con = connect(site.db, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM loads").fetchone()[0] == loads_before
    finally:
        con.close()
    assert site.state.access_log(limit=1)[0].action == "upload_rejected"


def test_the_scorecard_opens_on_the_latest_quarter_and_offers_each_kind_of_period_loaded(client, site):
    """Quarters, months, rolling 12 months (each wholly within the loaded years 2013-14 to 2016-17) and years,
    latest first, one <optgroup> each. Before: years and quarters Q1-Q3 in one list, opening on the year."""
    page = client.get("/", headers=session_cookie(site, "viewer")).text
    assert re.search(r'<option value="2016-17Q4" selected>Quarter 4 2016-17 \(to Mar 2017\)</option>', page)
    groups = dict(re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', page, re.S))
    offered = {label: re.findall(r'<option value="([^"]+)"', body) for label, body in groups.items()}
    assert list(offered) == ["Quarters (year to date)", "Months", "Rolling 12 months", "Years"]
    quarters, months = offered["Quarters (year to date)"], offered["Months"]
    assert quarters[:5] == ["2016-17Q4", "2016-17Q3", "2016-17Q2", "2016-17Q1", "2015-16Q4"]
    assert (len(quarters), quarters[-1]) == (16, "2013-14Q1")
    assert (len(months), months[0], months[-1]) == (48, "2017-03", "2013-04")
    rolling = offered["Rolling 12 months"]
    assert (len(rolling), rolling[0], rolling[-1]) == (37, "R12:2017-03", "R12:2014-03")
    assert offered["Years"] == ["2016-17", "2015-16", "2014-15", "2013-14"]
    assert "<title>Walsall scorecard, Quarter 4 2016-17" in page


def test_an_unknown_indicator_is_a_404_page(client, site):
    response = client.get(f"/indicator/no_such_thing?{Q}", headers=session_cookie(site, "viewer"))
    assert response.status_code == 404
    assert "There is no indicator" in response.text


def test_healthz_needs_no_session(client):
    assert client.get("/healthz").text == "ok"


def test_an_admin_sets_a_new_password_and_the_old_sessions_end(client, site):
    site.state.create_user("forgetful", PASSWORD, "viewer")
    old, _ = site.state.create_session("forgetful")
    response = client.post(
        "/admin/users/forgetful",
        headers=session_cookie(site, "admin"),
        data={"password": "a fresh passphrase 42"},
    )
    assert response.status_code == 303
    assert site.state.session(old) is None
    assert site.state.verify_password("forgetful", "a fresh passphrase 42") is not None
    assert site.state.access_log(limit=1)[0].detail == "forgetful: password reset"


def test_an_upload_over_the_limit_is_refused_before_it_is_read(synthetic_council, tmp_path):
    site = make_site(tmp_path / "small-uploads", synthetic_council["db"], max_upload_mb=1)
    with TestClient(create_app(site.settings), follow_redirects=False) as c:
        files = {"files": ("big.xml", b"x" * (1024 * 1024 + 1), "text/xml")}
        response = c.post("/upload", headers=session_cookie(site, "analyst"), files=files)
        assert response.status_code == 413
        assert site.state.access_log(limit=1) == []  # the handler never ran


def test_an_upload_with_no_file_chosen_says_so(client, site):
    response = client.post("/upload", headers=session_cookie(site, "analyst"), data={"la": "", "year": ""})
    assert response.status_code == 400
    assert "choose at least one return to upload" in response.text


def test_a_proxy_may_pass_the_public_host_as_x_forwarded_host(client, site):
    """Believed from a proxy named in `trusted_proxies` only (web/proxies.py)."""
    headers = {
        **session_cookie(site, "admin"),
        "Origin": "https://scorecard.council.example",
        "X-Forwarded-Host": "scorecard.council.example",
    }
    named = replace(site.settings, trusted_proxies=("127.0.0.1",))
    with TestClient(create_app(named), client=("127.0.0.1", 5000), follow_redirects=False) as proxied:
        assert proxied.post("/admin/users/spare", headers=headers, data={"role": "viewer"}).status_code == 303
    assert client.post("/admin/users/spare", headers=headers, data={"role": "viewer"}).status_code == 403


@pytest.mark.parametrize(
    ("asked", "sent_to"),
    [
        ("/data?la=335", "/data?la=335"),
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
        ("/\\evil", "/"),
    ],
)
def test_sign_in_returns_only_to_this_site(asked, sent_to):
    assert login_redirect_target(asked) == sent_to


def test_a_month_inside_the_loaded_years_is_shown_and_one_outside_is_not(client, site):
    headers = session_cookie(site, "viewer")
    month = client.get("/?la=335&period=2016-12", headers=headers)
    assert month.status_code == 200
    assert "December 2016" in month.text
    outside = client.get("/?la=335&period=2019-20", headers=headers)
    assert outside.status_code == 404
    assert "the returns loaded cover 2013-14 to 2016-17" in outside.text


def test_the_pack_download_renders_the_scorecard_the_page_built(site, tmp_path):
    """One Built per (store version, targets, LA, period): the page builds it, the download reuses it."""
    builds = []
    app = create_app(site.settings)
    cache = app.state.services.scorecards
    original = cache.built.get
    cache.built.get = lambda key, compute: original(key, lambda: builds.append(key) or compute())
    with TestClient(app, follow_redirects=False) as c:
        headers = session_cookie(site, "viewer")
        assert c.get("/?la=335&period=2016-17Q2", headers=headers).status_code == 200
        download = c.get("/report/download?la=335&period=2016-17Q2", headers=headers)
        assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    page_builds = [key for key in builds if key[-2:] == ("335", "2016-17Q2")]
    assert len(page_builds) == 1  # (the default page, 2016-17, was built ahead as the server started)


def test_the_first_page_is_built_before_anyone_asks_for_it(site):
    """As the server starts, and whenever it sees new loads, the scorecard shown when no LA or period is asked
    for (the default LA's latest period) is built on a thread of its own: the first page only looks it up."""
    builds = []
    app = create_app(site.settings)
    cache = app.state.services.scorecards
    original = cache.built.get
    cache.built.get = lambda key, compute: original(key, lambda: builds.append(key) or compute())
    with TestClient(app, follow_redirects=False) as c:
        app.state.services.store.announcing.join()
        assert [key[-2:] for key in builds][:1] == [
            ("335", "2016-17Q4")
        ]  # the page opens on the latest quarter
        ahead = len(builds)  # then every quarter and year
        page = c.get("/", headers=session_cookie(site, "viewer"))
        assert page.status_code == 200 and "2016-17" in page.text
    assert len(builds) == ahead


def test_a_first_page_for_any_quarter_or_year_is_judged_from_results_computed_once(site, monkeypatch):
    """After the first page, the work done ahead for new loads computes the engine's results for every quarter
    and year in one call; a first page for any of them then calls the engine no more, and its scorecard holds
    the figures and judgements a scorecard built on its own holds."""
    app = create_app(site.settings)
    with TestClient(app, follow_redirects=False) as c:
        app.state.services.store.announcing.join()
        calls = []
        engine = importlib.import_module(
            "csc_scorecard.engine.compute"
        )  # the module: the package names its function
        original = engine.compute
        monkeypatch.setattr(engine, "compute", lambda *a, **k: calls.append(a[1]) or original(*a, **k))
        for period in ("2016-17Q1", "2014-15"):
            assert (
                c.get(f"/?la=335&period={period}", headers=session_cookie(site, "viewer")).status_code == 200
            )
        assert calls == []
        scorecards = app.state.services.scorecards
        built = next(v for k, v in scorecards.built._items.items() if k[-2:] == ("335", "2016-17Q1"))
    con = connect(site.db, read_only=True)
    try:
        alone = pipeline.build(con, "335", parse_period("2016-17Q1"), targets=scorecards.targets()[1])
    finally:
        con.close()
    assert len(calls) == 1  # the scorecard built on its own

    def figures(b: pipeline.Built) -> list[tuple]:
        return sorted(
            (r.indicator_id, r.period, r.numerator, r.denominator, r.value, r.notes) for r in b.results
        )

    assert [f[:2] for f in figures(built)] == [f[:2] for f in figures(alone)] and len(built.results) > 1000
    for mine, theirs in zip(figures(built), figures(alone), strict=True):
        assert mine[5] == theirs[5] and all(
            a == b or (a is not None and b is not None and a == pytest.approx(b, rel=1e-12))
            for a, b in zip(mine[2:5], theirs[2:5], strict=True)
        ), (mine, theirs)
    assert [(j.meta.id, j.display, j.rag.status) for j in built.judgements()] == [
        (j.meta.id, j.display, j.rag.status) for j in alone.judgements()
    ]


def test_analysts_add_and_remove_achievements_and_priorities_no_figure_shows(site):
    """An analyst's own achievement appears in the scorecard's summary of achievements and priorities, for
    viewers too, and goes when removed; each change is in the access log."""
    app = create_app(site.settings)
    with TestClient(app, follow_redirects=False) as c:
        analyst, viewer = session_cookie(site, "analyst"), session_cookie(site, "viewer")
        form = {"la": "335", "period": "2016-17Q2", "area": "front_door", "kind": "achievement",
                "text": "Secured two Frontline units", "csrf_token": analyst["X-CSRF-Token"]}  # fmt: skip
        saved = c.post("/area-notes", data=form, headers={"Cookie": analyst["Cookie"]})
        assert saved.status_code == 303 and saved.headers["location"].endswith("#front-door")
        page = c.get("/?la=335&period=2016-17Q2", headers=viewer).text
        summary = page.split('id="priorities-heading"', 1)[1]
        assert (
            "Secured two Frontline units" in summary and "/area-notes/" not in summary
        )  # no forms for viewers
        note_id = int(
            re.search(r"/area-notes/(\d+)/remove", c.get("/?la=335&period=2016-17Q2", headers=analyst).text)[
                1
            ]
        )
        removed = c.post(f"/area-notes/{note_id}/remove", data={"csrf_token": analyst["X-CSRF-Token"]},
                         headers={"Cookie": analyst["Cookie"]})  # fmt: skip
        assert removed.status_code == 303
        assert "Secured two Frontline units" not in c.get("/?la=335&period=2016-17Q2", headers=viewer).text
        refused = c.post("/area-notes", data={**form, "kind": "wish"}, headers={"Cookie": analyst["Cookie"]})
        assert refused.status_code == 400
    actions = [e.action for e in site.state.access_log(limit=10)]
    assert "area_note_added" in actions and "area_note_removed" in actions


def test_the_data_page_lists_flagged_records_for_analysts_and_logs_each_view(tmp_path):
    """A census whose assessment was authorised before it started: loaded, counted by rule, listed, downloadable
    as CSV; each child-level view is in the access log, as a drill-through is."""
    from click.testing import CliRunner

    from csc_scorecard.cli import cli

    fixtures = Path(__file__).parent / "fixtures" / "returns"
    census = tmp_path / "returns" / "CIN_335_2016-17.xml"
    census.parent.mkdir()
    census.write_text(
        (fixtures / "CIN_335_2016-17.xml").read_text()
        .replace("<AssessmentAuthorisationDate>2016-06-21<", "<AssessmentAuthorisationDate>2016-05-08<")
        .replace("<LAchildID>T001<", "<LAchildID>=HYPERLINK(1)<")  # a spreadsheet must not run it
    )  # fmt: skip
    db = tmp_path / "source.duckdb"
    loaded = CliRunner().invoke(cli, ["load", str(census), "--db", str(db)])
    assert loaded.exit_code == 0, loaded.output
    site = make_site(tmp_path / "site", db)
    with TestClient(create_app(site.settings), follow_redirects=False) as client:
        page = client.get(f"/data?{Q}", headers=session_cookie(site, "analyst")).text
        assert "An assessment authorised before it started" in page and "CIN 8608" in page
        assert "authorised 08/05/2016, before it started" in page and "=HYPERLINK(1)" in page
        assert 'href="/indicator/assessments_45wd_pct?' in page
        entry = site.state.access_log(limit=1, action="drill_through")[0]
        assert (entry.username, entry.detail, entry.records) == ("ann", "data page: flagged records", 1)
        download = client.get(f"/data/quality.csv?{Q}", headers=session_cookie(site, "analyst"))
        assert download.headers["content-disposition"] == 'attachment; filename="quality_335.csv"'
        lines = download.text.splitlines()
        assert lines[0].startswith(
            "la_code,collection_year,return,file,line,table,child_id,record,rule,dfe_rule"
        )
        assert ",'=HYPERLINK(1)," in lines[1] and "CIN 8608" in lines[1]
        entry = site.state.access_log(limit=1, action="drill_through")[0]
        assert (entry.detail, entry.records) == ("data quality CSV", 1)
        assert client.get(f"/data/quality.csv?{Q}", headers=session_cookie(site, "viewer")).status_code == 403
