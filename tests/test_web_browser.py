"""The dashboard in Debian's Chromium, driven by Playwright: sign in, navigate, break a figure down (HTMX), drill
down to the records, add commentary and an action, upload a return, read the monthly board; axe-core finds no WCAG 2.2 AA violation on
any page; no page breaks its CSP. Screenshots are kept in tests/artefacts/.

The server is the real thing (`serve`, uvicorn) in its own process, on a free loopback port, over a copy of the
synthetic council's store.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from csc_scorecard.catalogue import load_catalogue
from csc_scorecard.cli import cli
from csc_scorecard.engine import compute
from csc_scorecard.periods import parse_period
from csc_scorecard.store import connect
from csc_scorecard.web.assets import STATIC, axe_path
from csc_scorecard.web.state import StateStore
from web_support import PASSWORD, TARGETS, free_port, make_site, wait_until_serving

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
    port = free_port()
    command = [sys.executable, "-c", SERVE, str(site.db), str(TARGETS), str(folder / "snapshots"), str(port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    wait_until_serving(base, process)
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

    def __init__(self, browser, base: str, name: str, width: int = 1280):
        self.base, self.name = base, name
        self.context = browser.new_context(viewport={"width": width, "height": 900 if width > 600 else 844})
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

    def make(name: str, width: int = 1280) -> Visit:
        v = Visit(browser, server["base"], f"{request.node.name}-{name}", width)
        made.append(v)
        return v

    yield make
    for v in made:
        v.close()


@pytest.fixture(scope="module")
def next_years(tmp_path_factory) -> Path:
    """The council's next two years of returns, for uploading: cin/ and 903/ (a folder per year)."""
    out = tmp_path_factory.mktemp("upload")
    result = CliRunner().invoke(
        cli,
        [
            "synth",
            "--la",
            "335",
            "--years",
            "2017-18:2018-19",
            "--seed",
            "7",
            "--no-local-data",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def next_year_cin(next_years) -> Path:
    return next(p for p in (next_years / "cin").rglob("*.xml") if "2017-18" in p.name)


def _small_percentages(synthetic_council) -> list[tuple[str, str]]:
    """(id, label) of the percentages whose 2016-17 numerator, or the rest of the denominator, is 1 to 5
    children: the generator's own figures, which the published scorecard must show as c."""
    catalogue = load_catalogue()
    found = []
    for indicator_id, figure in synthetic_council["truth"]["indicators"]["2016-17"].items():
        n, d, indicator = figure["numerator"], figure["denominator"], catalogue.indicator(indicator_id)
        if indicator.unit == "percent" and d and (1 <= n <= 5 or 1 <= d - n <= 5):
            found.append((indicator_id, indicator.label))
    return found


def test_a_viewer_sees_the_published_scorecard_and_no_analyst_pages(visit, synthetic_council):
    v = visit("viewer")
    v.sign_in("vera")
    v.go("/?la=335&period=2016-17")  # explicit: another test may have loaded a later year
    shown = []
    for indicator_id, label in _small_percentages(synthetic_council):
        link = v.page.locator("a", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
        row = v.page.locator("tr", has=link)
        if row.count():
            assert row.locator("td").first.inner_text() == "c", indicator_id
            shown.append(indicator_id)
    assert (
        shown
    )  # the synthetic council has small percentages on the scorecard: otherwise nothing was checked
    assert v.page.locator("a:has-text('Data')").count() == 0
    v.check("scorecard")
    v.go(f"/indicator/{shown[0]}?la=335&period=2016-17")
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


LAYOUT = """() => {
  const page = document.documentElement, select = document.querySelector("#period").getBoundingClientRect();
  const tables = [...document.querySelectorAll("table")].map(t => t.closest(".app-table-scroll"));
  return {
    overflow: page.scrollWidth - page.clientWidth,
    select: [select.left, select.right],
    width: page.clientWidth,
    outside: tables.filter(r => !r).length,
    scrolling: tables.filter(r => r && r.scrollWidth > r.clientWidth).length,
    tables: tables.length,
    charts: [...document.querySelectorAll(".app-chart img")].map(i => [i.clientWidth, i.naturalWidth, !!i.closest(".app-table-scroll")]),
  };
}"""


@pytest.mark.parametrize("width", [1280, 390])
def test_a_board_member_reads_the_scorecard_on_a_desktop_and_a_phone(visit, server, width):
    """Opens on the latest quarter, offers months and rolling 12 months beside quarters and years; on a phone
    the page never scrolls sideways, the period selector is on the screen, and every table is in a region
    that scrolls (they do at 390 px); a chart is never scaled, so its 12 px text stays 12 px."""
    v = visit(f"{width}px", width)
    v.sign_in("vera")
    page = v.page
    assert page.locator("#period option:checked").get_attribute("value") == "2016-17Q4"
    groups = page.locator("#period optgroup").evaluate_all("gs => gs.map(g => [g.label, g.children.length])")
    assert groups == [
        ["Quarters (year to date)", 16],
        ["Months", 48],
        ["Rolling 12 months", 37],
        ["Years", 4],
    ]
    v.check("scorecard")
    for path in ("/", "/indicator/re_referrals_12m_pct?la=335&period=2016-17Q3&breakdown=age_band"):
        v.go(path)
        found = page.evaluate(LAYOUT)
        assert found["overflow"] == 0, (path, found)
        assert found["select"][0] >= 0 and found["select"][1] <= found["width"], (path, found)
        assert found["tables"] > 0 and found["outside"] == 0, (path, found)
        assert (found["scrolling"] > 0) == (width == 390), (path, found)
        for shown, natural, scrolls in found["charts"]:
            assert shown == natural and scrolls, (path, found)
    svg = httpx.get(f"{server['base']}/indicator/re_referrals_12m_pct/chart.svg?la=335&period=2016-17Q3",
                    headers={"Cookie": "; ".join(f"{c['name']}={c['value']}" for c in v.context.cookies())})  # fmt: skip
    sizes = {float(size) for size in re.findall(r"font-size[:=]\s*\"?([\d.]+)px", svg.text)}
    assert sizes and min(sizes) >= 12, sizes
    v.check("indicator-with-breakdown")
    page.select_option("#period", "R12:2016-12")
    page.click("button:has-text('Show')")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Re-referrals within 12 months"
    assert page.locator("#period option:checked").inner_text() == "12 months to December 2016"
    v.check("rolling-12-months")


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


def _numerator(server, age_band: str) -> int:
    """Re-referrals of children aged `age_band` in the year to 2016-17Q4, as the engine counts them."""
    con = connect(server["site"].db, read_only=True)
    try:
        results = compute(con, [parse_period("2016-17Q4")], ["re_referrals_12m_pct"], "age_band", ["335"])
    finally:
        con.close()
    return next(int(r.numerator) for r in results if r.breakdown_value == age_band)


def test_an_analyst_signs_in_drills_down_comments_and_uploads(visit, server, next_year_cin):
    v = visit("analyst")
    page = v.page
    v.sign_in("ann")
    assert page.title().startswith("Walsall scorecard, Quarter 4 2016-17")  # the latest quarter
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
    counted = _numerator(server, "5 to 9")
    assert f"Counted in the numerator: {counted:,} records" in page.content()
    assert f"Records 1 to 100 of {counted:,}." in page.content()
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


def test_an_analyst_uploads_a_folder_holding_two_years_of_903_files(visit, next_years):
    """Chromium sends each file of a chosen folder with its path in it: two years' header.csv, episodes.csv, ...
    stay in their year's folder, and each year loads as one return, its year taken from the folder's name."""
    v = visit("analyst")
    v.sign_in("ann")
    v.go("/upload")
    v.page.set_input_files("#folder", str(next_years / "903"))
    v.page.fill("#la", "335")
    v.page.click("button:has-text('Check and load')")
    v.page.wait_for_selector(".govuk-panel", timeout=60_000)
    lines = v.page.locator("#load-report li").all_inner_texts()
    assert [line.split(": ")[0] for line in lines] == ["loaded", "loaded"], lines
    for line, year in zip(lines, ("2017-18", "2018-19"), strict=True):
        assert line.startswith(f"loaded: SSDA903 {year} for 335 Walsall from 903_335_{year}: ")
        assert line.endswith("(year taken from folder name)")
    v.check("folder-uploaded")
