"""The monthly board: the "what changed" rules worked by hand on small inputs, the suppression of the four windows
shown together, and the board pack through `report --board` on the synthetic council with manual measures."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import duckdb
import pytest
from click.testing import CliRunner

from csc_scorecard.catalogue import load_catalogue
from csc_scorecard.cli import cli
from csc_scorecard.examples import MANUAL_VALUES, MEASURES, TARGETS
from csc_scorecard.judge.board import (
    action_changes,
    figure_change,
    load_changes,
    monthly_by_nature,
    new_signal,
    quality_changes,
    target_change,
)
from csc_scorecard.judge.indicator import IndicatorMeta, Point
from csc_scorecard.judge.rag import rag
from csc_scorecard.judge.spc import SpcOptions
from csc_scorecard.judge.suppression import windows_suppression
from csc_scorecard.judge.targets import Target
from csc_scorecard.periods import add_months, parse_period
from csc_scorecard.pipeline import meta_for
from csc_scorecard.store.commentary import Action
from csc_scorecard.store.manual_values import ManualValue
from csc_scorecard.store.quality import Flag, refresh
from csc_scorecard.store.status import LoadRecord
from publish_packs import period_codes

RE_REFERRALS = IndicatorMeta("re_referrals_12m_pct", "Re-referrals within 12 months", "Front door", "percent",
                             "lower", "flow")  # fmt: skip
REFERRALS = IndicatorMeta("referrals_count", "Referrals", "Front door", "count", "higher", "flow")
DEC, NOV = parse_period("2016-12"), parse_period("2016-11")


def months(values: list[float], last: str = "2016-12") -> list[Point]:
    end = parse_period(last).start
    first = add_months(end, 1 - len(values))
    return [Point(parse_period(f"{add_months(first, n):%Y-%m}"), v, None, v) for n, v in enumerate(values)]


def target(value: float, tolerance: float = 0.0) -> Target:
    return Target("335", "x", value, tolerance, dt.date(2013, 4, 1), None)


# ---- the rules, by hand -------------------------------------------------------------------------------------


def test_a_signal_is_new_only_in_the_month_it_first_shows():
    # Twenty months swinging 10, 12 (mean 11), then 30 in December: with it the mean is 11.9 and the average moving
    # range (19 x 2 + 18) / 20 = 2.8, so the upper limit is 11.9 + 2.66 x 2.8 = 19.3: December is outside it.
    calm = [10.0, 12.0] * 10
    change = new_signal(REFERRALS, months([*calm, 30.0]), DEC, None, SpcOptions())
    assert change is not None and change.kind == "signal" and change.indicator_id == "referrals_count"
    assert change.text == (
        "Referrals in December 2016 moved beyond their normal variation: above the upper process limit, an "
        "improvement."
    )
    # January is outside too, but December already was: not new.
    assert new_signal(REFERRALS, months([*calm, 30.0, 31.0], "2017-01"), parse_period("2017-01"), None,
                      SpcOptions()) is None  # fmt: skip
    assert new_signal(REFERRALS, months([*calm, 11.0]), DEC, None, SpcOptions()) is None  # common cause
    # Twelve months are too few for limits (13 are needed): no judgement, so nothing new.
    assert new_signal(REFERRALS, months([10.0, 12.0] * 5 + [30.0]), DEC, None, SpcOptions()) is None


def test_a_target_newly_missed_or_met_is_the_12_months_changing_side():
    rolling = parse_period("R12:2016-12")
    t = target(22.0, 2.0)  # lower is better: green to 22.0, amber to 24.0, red above
    green, amber, red = (rag(RE_REFERRALS, v, t) for v in (21.5, 23.0, 25.0))
    missed = target_change(RE_REFERRALS, red, green, rolling)
    assert (missed.kind, missed.text) == (
        "missed",
        "Re-referrals within 12 months missed the target of 22.0% in the 12 months to December 2016 (red), after "
        "meeting it in the 12 months to November 2016.",
    )
    assert target_change(RE_REFERRALS, amber, green, rolling).text.endswith(
        "(amber: short of it, but within the tolerance), after meeting it in the 12 months to November 2016."
    )
    met = target_change(RE_REFERRALS, green, amber, rolling)
    assert (met.kind, met.text) == (
        "met",
        "Re-referrals within 12 months met the target of 22.0% in the 12 months to December 2016, after missing "
        "it in the 12 months to November 2016.",
    )
    assert target_change(RE_REFERRALS, amber, red, rolling) is None  # missed before and now: nothing new
    assert target_change(RE_REFERRALS, rag(RE_REFERRALS, 21.0, None), green, rolling) is None  # no target now


def _action(action_id: int, due: dt.date | None, status: str = "open", closed: str | None = None) -> Action:
    return Action(action_id, "335", "re_referrals_12m_pct", "2016-17Q2", f"Action {action_id}", "Head of MASH",
                  due, status, closed, dt.datetime(2016, 10, 1))  # fmt: skip


def test_actions_overdue_at_the_months_end_and_due_before_the_next_board():
    actions = [
        (RE_REFERRALS, _action(1, dt.date(2017, 1, 20)), "Audit repeat referrals"),  # due in January: due
        (RE_REFERRALS, _action(2, dt.date(2016, 12, 15)), "Call every referrer"),  # late at 31 December
        (RE_REFERRALS, _action(3, dt.date(2016, 11, 30), "closed", "2016-12"), "Closed in December"),
        (RE_REFERRALS, _action(4, dt.date(2016, 11, 30), "closed", "2016-17Q4"), "Closed later"),  # open then
        (RE_REFERRALS, _action(5, dt.date(2017, 2, 28)), "Due in February"),  # after the next board
        (RE_REFERRALS, _action(6, None), "No date"),
    ]
    changes = action_changes(actions, DEC)
    assert [(c.kind, c.action_id, c.text) for c in changes] == [
        ("overdue", 4, "Closed later (Re-referrals within 12 months; owner Head of MASH): due 30 November 2016, closed."),
        ("overdue", 2, "Call every referrer (Re-referrals within 12 months; owner Head of MASH): due 15 December 2016, open."),
        ("due", 1, "Audit repeat referrals (Re-referrals within 12 months; owner Head of MASH): due 20 January 2017."),
    ]  # fmt: skip


def test_a_figure_newly_missing_and_what_was_loaded_since_the_last_pack():
    before = Point(NOV, 3, None, 3.0)
    unrecorded = Point(DEC, None, None, None, "no value recorded for December 2016")
    assert figure_change(REFERRALS, unrecorded, before, DEC).text == (
        "Referrals: no figure for December 2016 (no value has been recorded), though there was one for November 2016."
    )
    assert figure_change(REFERRALS, Point(DEC, 4, None, 4.0), before, DEC) is None
    assert (
        figure_change(REFERRALS, unrecorded, Point(NOV, None, None, None), DEC) is None
    )  # none last month either

    when = dt.datetime(2017, 1, 10, 9, 0)
    loads = [
        LoadRecord(n, "cin", "cin_xml", f"cin_{n}.xml", "335", "2016-17", "header", 10,
                   f"2017-01-{n + 5:02d} 12:00:00", "current", None, "x")
        for n in range(1, 15)
    ]  # fmt: skip

    def value(value_id: int, period: str, replaces: int | None = None) -> ManualValue:
        p = parse_period(period)
        return ManualValue(value_id, "335", "nqsw", period, p.start, p.end, 1.0, None, None, "ann", when, "form",
                           None, None, replaces, None)  # fmt: skip

    values = [value(1, "2016-11"), value(2, "2016-11", 1), value(3, "2016-12")]
    # The last pack was built from loads up to 4 and values up to 1: loads 5 to 14 and values 2 and 3 are new.
    changes = load_changes(loads, values, kind_names={"cin": "CIN census"}, labels={"nqsw": "NQSWs recruited"},
                           after=(4, 1))  # fmt: skip
    texts = [c.text for c in changes]
    assert texts[0] == "CIN census 2016-17 loaded on 19 January 2017 (cin_14.xml)."
    assert texts[7] == "CIN census 2016-17 loaded on 12 January 2017 (cin_7.xml)."
    assert texts[8:] == [
        "And 2 more loads.",
        "NQSWs recruited: 2 values recorded for November to December 2016 by ann (one replacing an earlier value).",
    ]
    assert len(load_changes(loads, values, kind_names={}, labels={})) == 8 + 1 + 1  # no pack recorded: all


def test_what_is_charted_month_by_month():
    assert monthly_by_nature(REFERRALS) and not monthly_by_nature(RE_REFERRALS)
    stock_rate = IndicatorMeta(
        "cla_rate", "Children in care per 10,000", "x", "rate_per_10k", "neutral", "stock"
    )
    flow_rate = IndicatorMeta(
        "referrals_rate", "Referrals per 10,000", "x", "rate_per_10k", "neutral", "flow"
    )
    assert monthly_by_nature(stock_rate) and not monthly_by_nature(flow_rate)
    assert not monthly_by_nature(REFERRALS, quarterly=True)
    # The examples, as the catalogue declares them: referrals, starts and assessments completed month by
    # month; re-referrals and assessments within 45 working days (percentages) as rolling 12 months.
    catalogue = load_catalogue()
    monthly = {
        i: monthly_by_nature(meta_for(catalogue.indicator(i)))
        for i in (
            "referrals_count",
            "cla_starts_count",
            "assessments_count",
            "re_referrals_12m_pct",
            "assessments_45wd_pct",
        )
    }
    assert monthly == {"referrals_count": True, "cla_starts_count": True, "assessments_count": True,
                       "re_referrals_12m_pct": False, "assessments_45wd_pct": False}  # fmt: skip


def test_a_data_quality_problem_is_new_when_the_data_came_after_the_last_pack():
    def flag(year: str, rule: str, says: str, child: str) -> Flag:
        return Flag("335", year, "cin", "CIN.xml", "cp_plans", 10, child, "plan", rule, None, says, "detail")

    flags = [
        flag(
            "2016-17", "cp_plan_ends_before_start", "a child protection plan ending before it started", "A1"
        ),
        flag(
            "2016-17", "cp_plan_ends_before_start", "a child protection plan ending before it started", "A2"
        ),
        flag("2015-16", "dob_after_year_end", "a date of birth after the end of the collection year", "B"),
        flag("2016-17", "dob_after_year_end", "a date of birth after the end of the collection year", "C"),
    ]  # 2015-16: a year with nothing loaded since the pack

    def load(load_id: int, kind: str, year: str) -> LoadRecord:
        return LoadRecord(load_id, kind, "csv", f"f{load_id}", "335", year, "header", 1, "2017-01-05 12:00:00",
                          "current", None, "x")  # fmt: skip

    loads = [load(1, "cin", "2015-16"), load(2, "cin", "2016-17"), load(3, "manual_values", "2015-16")]
    texts = [c.text for c in quality_changes(flags, loads, after=1)]
    assert texts == [  # one line per rule and year, however many records: no count, no child
        "Data for 2016-17 loaded since the last board pack has records flagged as a child protection plan ending "
        "before it started: the data page lists them.",
        "Data for 2016-17 loaded since the last board pack has records flagged as a date of birth after the end "
        "of the collection year: the data page lists them.",
    ]  # 2015-16 only had manual measures' values since: they write no records the rules read
    assert quality_changes(flags, loads, after=3) == []
    assert len(quality_changes(flags, loads)) == 3  # no pack recorded: every flagged rule and year


@pytest.mark.parametrize(
    ("month", "rolling", "ytd", "hidden"),
    [
        (3, 100, 40, [True, False, False, False]),  # the month is 3: shown as c
        (
            15,
            100,
            20,
            [True, False, False, False],
        ),  # the year to date less the month is 5: the month goes too
        (15, 19, 40, [True, False, False, False]),  # the 12 months less the month is 4: the smaller goes
        (15, 100, 60, [False, False, False, False]),  # nothing small, nothing to work out
    ],
)
def test_the_four_windows_shown_together_reveal_no_small_count(month, rolling, ytd, hidden):
    rows = [Point(DEC, v, None, float(v)) for v in (month, rolling, ytd, 50)]
    found = windows_suppression("count", "flow", rows, [(1, 0), (1, 2), (2, 0)])
    assert [s.value for s in found] == hidden


# ---- the pack, through the command line ----------------------------------------------------------------------


def run(*args) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.mark.slow
def test_the_board_pack_for_a_month(synthetic_council, tmp_path):
    from docx import Document
    from pptx import Presentation

    db = tmp_path / "scorecard.duckdb"
    shutil.copyfile(synthetic_council["db"], db)
    assert run("measures", "declare", MEASURES, "--db", db)[0] == 0
    assert run("load", MANUAL_VALUES, "--la", "335", "--db", db)[0] == 0
    code, out = run("commentary", "add-action", "--indicator", "nqsw_recruited", "--period", "2016-17Q2",
                    "--text", "Run a second recruitment day", "--owner", "Principal social worker",
                    "--due", "2016-12-09", "--db", db)  # fmt: skip
    assert code == 0, out
    con = duckdb.connect(str(db))  # as a return with a plan ending before it started would have loaded it
    con.execute("UPDATE cp_plans SET end_date = start_date - 3 WHERE rowid = (SELECT min(rowid) FROM cp_plans "
                "WHERE collection_year = '2016-17' AND end_date IS NOT NULL)")  # fmt: skip
    refresh(con, "335")
    con.close()
    code, out = run("report", "--period", "2016-12", "--board", "--out", tmp_path / "dec", "--db", db,
                    "--targets", TARGETS)  # fmt: skip
    assert code == 0, out
    files = sorted(p.name for p in (tmp_path / "dec").iterdir())
    assert files == ["board.docx", "board.html", "board.pdf", "board.pptx", "board.xlsx"]
    # Short: 7 pages and 11 slides with the LAIT set (docs/report.md), not a scrutiny pack's 16 pages.
    pdf = tmp_path / "dec" / "board.pdf"
    info = subprocess.run(["pdfinfo", pdf], check=True, capture_output=True, text=True).stdout
    assert int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1)) <= 8
    assert len(Presentation(str(tmp_path / "dec" / "board.pptx")).slides) <= 12
    page_one = subprocess.run(["pdftotext", "-f", "1", "-l", "1", pdf, "-"], check=True, capture_output=True,
                              text=True).stdout  # fmt: skip
    assert "What changed since last month" in page_one and "Actions overdue" in page_one

    html = (tmp_path / "dec" / "board.html").read_text(encoding="utf-8")
    first, figures = html.split('<section class="app-board-figures"', 1)
    assert (
        "What changed since last month" in first and "No board pack for an earlier month is recorded" in first
    )
    assert "Run a second recruitment day (Newly qualified social workers recruited; owner Principal social " \
           "worker): due 9 December 2016, open." in first  # fmt: skip
    assert "Students on the Step Up to Social Work programme: 5 values recorded" in first
    quality = "Data for 2016-17 loaded since the last board pack has records flagged as a child protection plan ending"
    assert "New data-quality problems" in first and quality in first
    assert "Overdue action" in figures and "Newly qualified social workers recruited" in figures
    for heading in ("Dec 2016", "12 months to Dec 2016", "Apr–Dec 2016", "Apr–Dec 2015"):
        assert heading in figures
    # Newly qualified social workers recruited, January to December 2016: 1+0+2+0+1+0+0+6+5+2+1+0 = 18 against
    # a target of 20 with a tolerance of 4: amber; April to December 2016: 0+1+0+0+6+5+2+1+0 = 15.
    row = re.search(r"Newly qualified social workers recruited.*?</tr>", figures, re.DOTALL).group(0)
    # The 12 months less the year to date, January to March 2016, is 1 + 0 + 2 = 3: the smaller of the two, the
    # year to date, is suppressed (and with it the comparison with last year).
    assert re.findall(r'numeric">([^<]*)<', row) == ["0", "18", "c", "–", "20"]
    assert "app-rag--amber" in row
    text = " ".join(
        [re.sub(r"<[^>]+>", " ", html)]
        + [p.text for p in Document(str(tmp_path / "dec" / "board.docx")).paragraphs]
        + [s.text_frame.text for sl in Presentation(str(tmp_path / "dec" / "board.pptx")).slides for s in sl.shapes
           if s.has_text_frame]
    )  # fmt: skip
    assert period_codes(text) == []

    # The next month's pack lists only what was loaded since this one.
    later = tmp_path / "january.csv"
    later.write_text("measure_id,period,value,denominator,note\nnqsw_recruited,2016-12,1,,late starter\n")
    assert run("load", later, "--la", "335", "--db", db)[0] == 0
    code, out = run("report", "--period", "2017-01", "--board", "--out", tmp_path / "jan", "--db", db)
    assert code == 0, out
    first = (tmp_path / "jan" / "board.html").read_text(encoding="utf-8").split("app-board-figures")[0]
    loaded = re.search(r"Data loaded since the last board pack</h3>\s*<ul[^>]*>(.*?)</ul>", first, re.DOTALL)
    items = [
        re.sub(r"\s+", " ", i).strip() for i in re.findall(r"<li>(.*?)</li>", loaded.group(1), re.DOTALL)
    ]
    assert items[0].startswith("Manual measure values 2016-17 loaded on") and items[0].endswith(
        "(january.csv)."
    )
    assert items[1:] == [
        "Newly qualified social workers recruited: 1 value recorded for December 2016 by "
        f"{items[1].split(' by ')[1].split(' (')[0]} (one replacing an earlier value)."
    ]
    assert "Since the last board pack, written on" in first
    assert "New data-quality problems" not in first  # no return loaded since December's pack

    code, out = run("report", "--period", "2016-17Q3", "--board", "--out", tmp_path / "q3", "--db", db)
    assert code == 2 and "a board pack is for a month: YYYY-MM" in out


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_dashboards_monthly_board(synthetic_council, tmp_path):
    from starlette.testclient import TestClient

    from csc_scorecard.web import create_app
    from web_support import make_site, session_cookie

    site = make_site(tmp_path / "site", synthetic_council["db"], board_landing=("viewer",))
    assert run("measures", "declare", MEASURES, "--db", site.db)[0] == 0
    assert run("load", MANUAL_VALUES, "--la", "335", "--db", site.db)[0] == 0
    assert run("commentary", "add-action", "--indicator", "referrals_count", "--period", "2016-17Q2", "--text",
               "Audit the front door", "--due", "2016-11-30", "--db", site.db)[0] == 0  # fmt: skip
    viewer, analyst = session_cookie(site, "viewer"), session_cookie(site, "analyst")
    with TestClient(create_app(site.settings), follow_redirects=False) as c:
        # The board is a viewer's landing page here; the scorecard is still a click away, and analysts land on it.
        landing = c.get("/", headers=viewer)
        assert (landing.status_code, landing.headers["location"]) == (303, "/board")
        assert c.get("/?view=scorecard", headers=viewer).status_code == 200
        assert c.get("/", headers=analyst).status_code == 200

        page = c.get("/board?la=335&month=2016-12", headers=viewer)
        assert page.status_code == 200
        changed = page.text.split('id="what-changed"')[1].split('id="figures"')[0]
        assert (
            "Actions overdue" in changed
            and "Audit the front door (Referrals): due 30 November 2016, open." in changed
        )
        assert "Students on the Step Up to Social Work programme: 5 values recorded" in changed
        viewer_row = re.search(
            r"Newly qualified social workers recruited</a>.*?</tr>", page.text, re.DOTALL
        ).group(0)
        analyst_page = c.get("/board?la=335&month=2016-12", headers=analyst).text
        analyst_row = re.search(
            r"Newly qualified social workers recruited</a>.*?</tr>", analyst_page, re.DOTALL
        ).group(0)
        assert re.findall(r'numeric">([^<]*)<', viewer_row)[:3] == [
            "0",
            "18",
            "c",
        ]  # as in the published pack
        assert re.findall(r'numeric">([^<]*)<', analyst_row)[:3] == ["0", "18", "15"]
        assert "Overdue action" in page.text
        assert (
            c.get("/board?la=335&month=2019-01", headers=viewer).status_code == 404
        )  # not in the loaded years

        months = c.get("/board/months?la=335&month=2016-12", headers=viewer)
        assert months.status_code == 200
        referrals = months.text.split('id="referrals_count"')[1].split("</figure>")[0]
        assert 'role="img"' in referrals and "month by month, January 2015 to December 2016" in referrals
        assert "stroke-dasharray" in referrals and "Mean " in referrals  # an XmR chart: mean and limits
        re_referrals = months.text.split('id="re_referrals_12m_pct"')[1].split("</figure>")[0]
        assert "the 12 months to each month end" in re_referrals and "stroke-dasharray" not in re_referrals
        assert len(re.findall(r"<circle ", referrals)) == 24
