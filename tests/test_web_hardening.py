"""The dashboard's edges, over real HTTP where it matters (uvicorn in its own process): responses that differ by
role are never stored by a browser or proxy, and forwarded headers are believed only from the proxies named
in the settings."""

from __future__ import annotations

import httpx
import pytest

from web_support import live_server, make_site, session_cookie

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
