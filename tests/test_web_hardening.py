"""The dashboard's edges, over real HTTP where it matters (uvicorn in its own process): responses that differ by
role are never stored by a browser or proxy, and forwarded headers are believed only from the proxies named
in the settings."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from starlette.testclient import TestClient

from csc_scorecard.web import create_app
from web_support import PASSWORD, csrf_from, live_server, make_site, session_cookie

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
Q = "la=335&period=2016-17Q3"
CHART = f"/indicator/care_leavers_17_18_suitable_accom_pct/chart.svg?{Q}"


@pytest.fixture(scope="module")
def site(synthetic_council, tmp_path_factory):
    return make_site(tmp_path_factory.mktemp("web_hardening"), synthetic_council["db"])


@pytest.fixture(scope="module")
def server(site, tmp_path_factory):
    with live_server(site, tmp_path_factory.mktemp("live")) as base:
        yield base


def test_a_chart_differs_by_role_and_is_never_stored(site, server) -> None:
    """A shared browser that kept the analyst's chart could show it to the next user, a viewer: the chart of
    39 of 40 care leavers is drawn for the analyst and suppressed for the viewer."""
    charts = {}
    for role in ("viewer", "analyst"):
        response = httpx.get(server + CHART, headers=session_cookie(site, role), timeout=120)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store", role
        charts[role] = response.text
    assert charts["viewer"] != charts["analyst"]


@pytest.mark.parametrize(
    "path",
    [
        f"/?{Q}",
        f"/indicator/cpp_second_pct?{Q}",
        f"/indicator/cpp_second_pct?{Q}&breakdown=sex",
        f"/indicator/cpp_second_pct/breakdown?{Q}&breakdown=sex",
        f"/indicator/cpp_second_pct/chart.svg?{Q}",
        "/report",
        "/account",
        "/indicator/no_such_indicator",
    ],
)
def test_every_page_a_user_sees_is_no_store(site, server, path) -> None:
    response = httpx.get(server + path, headers=session_cookie(site, "viewer"), timeout=120)
    assert response.headers["cache-control"] == "no-store", (path, response.status_code)


# --- forwarded headers, believed only from the proxies named in the settings ---------------------------------


def _sign_in(client: httpx.Client | TestClient, username: str, password: str, headers: dict | None = None):
    form = client.get("/login")
    data = {"username": username, "password": password, "csrf_token": csrf_from(form.text), "next": "/"}
    return client.post("/login", data=data, headers=headers or {})


def _last_client(site, username: str) -> str | None:
    return next(e.client for e in site.state.access_log(limit=50) if e.username == username)


def test_a_forwarded_address_from_loopback_is_not_believed_by_default(site, server) -> None:
    """Anyone on the machine (or a proxy nobody named) could forge X-Forwarded-For to dodge the throttle and
    write any address into the access log."""
    with httpx.Client(base_url=server, timeout=60) as client:
        response = _sign_in(client, "forger", "not the password", {"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 401
    assert _last_client(site, "forger") == "127.0.0.1"


def test_a_forwarded_address_is_believed_from_a_named_proxy(site, tmp_path) -> None:
    with (
        live_server(site, tmp_path, trusted_proxies=["127.0.0.1"]) as base,
        httpx.Client(base_url=base, timeout=60) as client,
    ):
        _sign_in(client, "proxied", "not the password", {"X-Forwarded-For": "198.51.100.7, 203.0.113.9"})
    assert _last_client(site, "proxied") == "203.0.113.9"  # the address the named proxy saw


def test_forwarded_headers_from_anyone_else_are_dropped(site) -> None:
    settings = replace(site.settings, trusted_proxies=("10.0.0.0/8",))
    app = create_app(settings)
    with TestClient(app, client=("192.0.2.1", 1234), follow_redirects=False) as c:
        _sign_in(c, "outsider", "not the password", {"X-Forwarded-For": "10.1.2.3"})
    assert _last_client(site, "outsider") == "192.0.2.1"
    with TestClient(app, client=("10.9.9.9", 1234), follow_redirects=False) as c:
        _sign_in(c, "insider", "not the password", {"X-Forwarded-For": "garbage, 192.0.2.55"})
    assert _last_client(site, "insider") == "192.0.2.55"


# --- throttling: per account and address, without locking out an office ------------------------------------


def _at(site, address: str) -> TestClient:
    return TestClient(create_app(site.settings), client=(address, 1234), follow_redirects=False)


def test_failures_lock_an_account_at_that_address_not_everywhere(site) -> None:
    site.state.create_user("mistyper", PASSWORD, "viewer")
    with _at(site, "192.0.2.10") as office:
        for _ in range(5):
            assert _sign_in(office, "mistyper", "not the password").status_code == 401
        assert _sign_in(office, "mistyper", PASSWORD).status_code == 429
        assert _sign_in(office, "vera", PASSWORD).status_code == 303  # a colleague behind the same address
    with _at(site, "192.0.2.11") as home:
        assert _sign_in(home, "mistyper", PASSWORD).status_code == 303


def test_one_persons_mistyped_names_do_not_lock_out_the_office(site) -> None:
    with _at(site, "192.0.2.20") as office:
        for n in range(25):
            assert _sign_in(office, f"vera{n}", "not the password").status_code == 401
        assert _sign_in(office, "vera", PASSWORD).status_code == 303


def test_guessing_many_accounts_from_one_address_locks_that_address(site) -> None:
    names = [f"staff{n}" for n in range(20)]
    for name in names:
        site.state.create_user(name, PASSWORD, "viewer")
    with _at(site, "192.0.2.30") as sprayer:
        for name in names:
            assert _sign_in(sprayer, name, "Summer2017!Summer2017!").status_code == 401
        assert _sign_in(sprayer, "ann", PASSWORD).status_code == 429
    with _at(site, "192.0.2.31") as other:
        assert _sign_in(other, "ann", PASSWORD).status_code == 303


def test_guessing_one_account_from_many_addresses_locks_the_account(site) -> None:
    site.state.create_user("sought", PASSWORD, "viewer")
    for n in range(20):
        with _at(site, f"198.51.100.{n}") as bot:
            assert _sign_in(bot, "sought", "not the password").status_code == 401
    with _at(site, "192.0.2.40") as anywhere:
        assert _sign_in(anywhere, "sought", PASSWORD).status_code == 429


def test_password_changes_are_throttled_and_logged_like_sign_ins(site) -> None:
    site.state.create_user("changer", PASSWORD, "viewer")
    token, session = site.state.create_session("changer")
    headers = {"Cookie": f"csc_session={token}", "X-CSRF-Token": session.csrf_token}
    new = "a brand new passphrase for me"
    with _at(site, "192.0.2.50") as c:
        for _ in range(5):
            wrong = c.post(
                "/account/password", data={"current": "guess", "new": new, "confirm": new}, headers=headers
            )
            assert wrong.status_code == 400
        right = c.post(
            "/account/password", data={"current": PASSWORD, "new": new, "confirm": new}, headers=headers
        )
        assert right.status_code == 429 and "Too many" in right.text
    assert site.state.verify_password("changer", PASSWORD) is not None  # unchanged
    actions = [(e.action, e.client) for e in site.state.access_log(limit=50) if e.username == "changer"]
    assert (
        actions[:6]
        == [("password_change_throttled", "192.0.2.50")] + [("password_change_failed", "192.0.2.50")] * 5
    )
