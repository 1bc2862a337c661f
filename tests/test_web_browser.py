"""The dashboard in Debian's Chromium, driven by Playwright: sign in, navigate, break a figure down (HTMX), drill
down to the records, add commentary and an action, upload a return, read the monthly board; axe-core finds no WCAG 2.2 AA violation on
any page; no page breaks its CSP. Screenshots are kept in tests/artefacts/.

The server is the real thing (`serve`, uvicorn) in its own process, on a free loopback port, over a copy of the
synthetic council's store.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from csc_scorecard.cli import cli
from csc_scorecard.web.assets import STATIC, axe_path
from csc_scorecard.web.state import StateStore
from web_support import PASSWORD, TARGETS, make_site

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
ARTEFACTS = Path(__file__).parent / "artefacts"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SERVE = """
import sys
from pathlib import Path
from csc_scorecard.config import load_settings
from csc_scorecard.web import serve
settings = load_settings(db=Path(sys.argv[1]), targets=Path(sys.argv[2]), snapshot_dir=Path(sys.argv[3])).web
serve(settings, host="127.0.0.1", port=int(sys.argv[4]), log_level="warning")
"""


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return "Debian chromium is not installed (apt-get install chromium)"
    if not (STATIC / "app.css").exists() or not axe_path().exists():
        return "front-end assets are not built (python -m csc_scorecard.web.assets build)"
    return None


@pytest.fixture(scope="module")
def server(synthetic_council, tmp_path_factory):
    if reason := _missing():
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("web_browser")
    site = make_site(folder / "site", synthetic_council["db"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-c", SERVE, str(site.db), str(TARGETS), str(folder / "snapshots"), str(port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the server did not start: {process.stdout.read()}")
        time.sleep(0.1)
    yield {"base": base, "site": site, "folder": folder}
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """A signed-in page that checks every page it lands on: axe, CSP reports, and a screenshot."""

    def __init__(self, browser, base: str, name: str):
        self.base, self.name = base, name
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.shots = 0

    def sign_in(self, username: str) -> None:
        self.page.goto(f"{self.base}/login")
        self.check("sign-in")
        self.page.fill("#username", username)
        self.page.fill("#password", PASSWORD)
        self.page.click("button:has-text('Sign in')")
        self.page.wait_for_load_state("networkidle")

    def go(self, path: str) -> None:
        self.page.goto(f"{self.base}{path}")
        self.page.wait_for_load_state("networkidle")

    def check(self, what: str) -> None:
        """No WCAG 2.2 A/AA violation (axe-core), no CSP violation, and a full-page screenshot."""
        self.page.evaluate(
            axe_path().read_text(encoding="utf-8")
        )  # evaluate is not subject to the page's CSP
        violations = self.page.evaluate(
            """async (tags) => (await axe.run(document, {runOnly: {type: "tag", values: tags}})).violations
                .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target.join(" ")).slice(0, 3)}`)""",
            WCAG,
        )
        assert violations == [], f"{what}: {violations}"
        refused = [m for m in self.console if "Content Security Policy" in m or "Refused to" in m]
        assert refused == [], f"{what}: {refused}"
        errors = [m for m in self.console if m.startswith("error")]
        assert errors == [], f"{what}: {errors}"
        ARTEFACTS.mkdir(exist_ok=True)
        self.shots += 1
        self.page.screenshot(path=ARTEFACTS / f"{self.name}-{self.shots:02d}-{what}.png", full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, server, request):
    made: list[Visit] = []

    def make(name: str) -> Visit:
        v = Visit(browser, server["base"], f"{request.node.name}-{name}")
        made.append(v)
        return v

    yield make
    for v in made:
        v.close()


@pytest.fixture(scope="module")
def next_year_cin(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("upload")
    result = CliRunner().invoke(
        cli, ["synth", "--la", "335", "--years", "2017-18:2017-18", "--seed", "7", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return next((out / "cin").rglob("*.xml"))


def test_a_viewer_sees_the_published_scorecard_and_no_analyst_pages(visit):
    v = visit("viewer")
    v.sign_in("vera")
    v.go("/?la=335&period=2016-17")  # explicit: another test may have loaded a later year
    row = v.page.locator(
        "tr", has=v.page.locator("a:has-text('Care leavers aged 17-18 in suitable accommodation')")
    )
    assert row.locator("td").first.inner_text() == "c"
    assert v.page.locator("a:has-text('Data')").count() == 0
    v.check("scorecard")
    v.go("/indicator/care_leavers_17_18_suitable_accom_pct?la=335&period=2016-17")
    assert v.page.locator("dd").first.inner_text().startswith("c")
    assert "The rules are not shown because they quote figures that are suppressed" in v.page.content()
    assert v.page.locator("a:has-text('records')").count() == 0
    v.check("indicator-suppressed")
    v.go("/report")
    v.check("report")
    v.console.clear()
    v.go("/data")
    assert v.page.locator("h1").inner_text() == "You cannot see this page"
    assert v.console == [
        "error: Failed to load resource: the server responded with a status of 403 (Forbidden)"
    ]
    v.console.clear()
    v.check("forbidden")


def test_a_viewer_reads_the_monthly_board_and_its_charts(visit):
    v = visit("board")
    v.sign_in("vera")
    v.go("/board?la=335&month=2016-12")  # explicit: another test may have loaded a later year
    assert v.page.locator("h1").inner_text() == "What changed since last month: December 2016"
    assert v.page.locator("table caption").count() > 0  # the figures, area by area
    v.check("board")
    v.page.select_option("#month", "2016-11")
    v.page.click("button:has-text('Show')")
    v.page.wait_for_load_state("networkidle")
    assert v.page.locator("h1").inner_text() == "What changed since last month: November 2016"
    v.page.click("a:has-text('Month by month')")
    v.page.wait_for_load_state("networkidle")
    assert v.page.locator("h1").inner_text() == "Month by month to November 2016"
    chart = v.page.locator("#referrals_count svg[role='img']")
    assert chart.locator("circle").count() == 24 and chart.locator("polyline[stroke-dasharray]").count() > 0
    v.check("board-months")


def test_an_admin_adds_a_user_and_reads_the_access_log(visit):
    v = visit("admin")
    v.sign_in("adam")
    v.go("/admin/users")
    v.check("users")
    v.page.fill("#username", "new.analyst@council.example")
    v.page.fill("#password", PASSWORD)
    v.page.select_option("#role", "analyst")
    v.page.click("button:has-text('Add user')")
    v.page.wait_for_load_state("networkidle")
    assert "new.analyst@council.example" in v.page.locator("table").inner_text()
    v.check("user-added")
    v.go("/admin/access-log")
    assert "user created" in v.page.locator("table").inner_text()
    v.check("access-log")
    v.go("/account")
    v.check("account")


def test_a_wrong_password_shows_an_accessible_error(visit):
    v = visit("wrong-password")
    v.page.goto(f"{v.base}/login")
    v.page.fill("#username", "ann")
    v.page.fill("#password", "not the password at all")
    v.page.click("button:has-text('Sign in')")
    v.page.wait_for_load_state("networkidle")
    assert "The user name or password is not right." in v.page.locator(".govuk-error-summary").inner_text()
    v.console.clear()  # the 401 itself is logged by the browser as a failed resource
    v.check("sign-in-error")


def test_an_analyst_signs_in_drills_down_comments_and_uploads(visit, server, next_year_cin):
    v = visit("analyst")
    page = v.page
    v.sign_in("ann")
    assert page.title().startswith("Walsall scorecard, 2016-17")
    v.check("scorecard")

    page.click("a:has-text('Re-referrals within 12 months')")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Re-referrals within 12 months"
    assert page.locator("img[src*='chart.svg']").evaluate("img => img.complete && img.naturalWidth > 0")
    v.check("indicator")

    url = page.url
    page.select_option("#breakdown-name", "age_band")
    page.click("button:has-text('Show breakdown')")
    page.wait_for_selector("#breakdown-table")
    assert page.url == url  # HTMX swapped the table in; no page load
    assert "5 to 9" in page.locator("#breakdown-table").inner_text()
    v.check("breakdown")

    page.click("#breakdown-table a:has-text('Records for 5 to 9')")
    page.wait_for_load_state("networkidle")
    assert "Counted in the numerator: 270 records" in page.content()
    assert "Records 1 to 100 of 270." in page.content()
    v.check("records")
    logged = StateStore(server["site"].settings.state_path).access_log(limit=1, action="drill_through")[0]
    assert (logged.username, logged.indicator_id, logged.detail, logged.records) == (
        "ann", "re_referrals_12m_pct", "breakdown age_band=5 to 9", 100 + 100,
    )  # fmt: skip

    page.go_back()
    page.wait_for_load_state("networkidle")
    page.fill("#text", "Fewer re-referrals since the front door review in September.")
    page.click("button:has-text('Save commentary')")
    page.wait_for_load_state("networkidle")
    assert page.locator(".govuk-notification-banner").inner_text().strip().endswith("Commentary saved.")
    assert (
        "Fewer re-referrals since the front door review in September."
        in page.locator(".app-commentary").inner_text()
    )
    page.click("summary:has-text('Add an action')")
    page.fill("#action-text", "Audit a sample of re-referrals each month")
    page.fill("#owner", "Front door manager")
    page.click("button:has-text('Add action')")
    page.wait_for_load_state("networkidle")
    assert "Audit a sample of re-referrals each month" in page.locator("table").last.inner_text()
    v.check("commentary-and-action")

    page.click("a.govuk-service-navigation__link:has-text('Upload returns')")
    page.wait_for_load_state("networkidle")
    v.check("upload-form")
    page.set_input_files("#files", str(next_year_cin))
    page.click("button:has-text('Check and load')")
    page.wait_for_selector(".govuk-panel", timeout=60_000)
    assert "loaded: CIN census 2017-18 for 335 Walsall" in page.locator("#load-report").inner_text()
    v.check("upload-done")

    deadline = time.monotonic() + 15  # the dashboard takes up the new load once the store has settled
    while True:
        v.go("/data")
        if "2017-18" in page.locator("table").first.inner_text():
            break
        assert time.monotonic() < deadline
        time.sleep(0.5)
    v.check("data")
