"""Manual measures: the window rules (hand-worked), the declarations, the CSV template's bad input through the real
`load` command with the store unchanged, the history of every value, and the measure going where an indicator
goes (`indicators`, `judge` with a declared target)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from csc_scorecard.cli import cli
from csc_scorecard.engine.manual import window_figure
from csc_scorecard.periods import parse_period, window
from csc_scorecard.sources.manual import DeclarationError, MeasureDeclaration, parse_declarations
from csc_scorecard.store.connection import connect
from csc_scorecard.store.manual_values import (
    ManualValue,
    ManualValueError,
    declarations_of,
    declare,
    declared,
    record,
    value_history,
)
from store_checks import query, table_checksums
from web_support import make_site, session_cookie

MEASURES = """\
measures:
  - id: nqsw_recruited
    label: Newly qualified social workers recruited
    area: workforce
    unit: count
    polarity: higher
    kind: flow
    target: {value: 5, tolerance: 1}
  - id: step_up_students
    label: Students on the Step Up programme
    area: workforce
    unit: count
    polarity: higher
    kind: stock
    frequency: quarter
  - id: neet_engaged_pct
    label: NEET young people engaged
    area: care_leavers
    unit: percent
    numerator: young people engaged
    denominator: NEET young people referred
    polarity: higher
    kind: flow
  - id: units_in_place
    label: Frontline units in place
    area: workforce
    unit: count
    polarity: higher
    kind: stock
"""
HEADER = "measure_id,period,value,denominator,note\n"


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def measure(**fields) -> MeasureDeclaration:
    base = {
        "id": "m",
        "label": "M",
        "area": "workforce",
        "unit": "count",
        "polarity": "higher",
        "kind": "flow",
    }
    return MeasureDeclaration.model_validate({**base, **fields})


def value(m: MeasureDeclaration, period: str, v: float, denominator: float | None = None) -> ManualValue:
    start, end = m.span(period)
    when = dt.datetime(2017, 1, 5)
    return ManualValue(
        1, "335", m.id, period, start, end, v, denominator, None, "ann", when, "f.csv", 7, 2, None, None
    )


# ---- the window rules, worked by hand -----------------------------------------------------------------------


def test_a_flow_sums_its_months_and_a_quarter_with_a_month_missing_says_which():
    flow = measure()
    values = [value(flow, "2016-04", 2), value(flow, "2016-06", 3), value(flow, "2016-07", 1)]
    q1 = window_figure(flow, values, parse_period("2016-17Q1"))  # April to June: May is missing
    assert (q1.numerator, q1.value) == (None, None)
    assert q1.notes == "withheld: no value recorded for May 2016; a total for the window needs every one"
    complete = [*values, value(flow, "2016-05", 4)]
    q1 = window_figure(flow, complete, parse_period("2016-17Q1"))
    assert (q1.numerator, q1.denominator, q1.value, q1.notes, q1.load_ids) == (9, None, 9.0, "", (7,))
    assert window_figure(flow, complete, parse_period("2016-07")).value == 1.0
    # Runs of missing months are named as runs: the 12 months to June 2016 lack July 2015 to March 2016 and May.
    r12 = window_figure(flow, values, parse_period("R12:2016-06"))
    assert r12.notes == (
        "withheld: no value recorded for July 2015 to March 2016 and May 2016; a total for the window needs "
        "every one"
    )
    assert (
        window_figure(flow, [], parse_period("2016-17Q1")).notes == "no value recorded for April to June 2016"
    )


def test_a_flow_percentage_totals_numerators_and_denominators():
    pct = measure(unit="percent", numerator="engaged", denominator="referred")
    values = [value(pct, "2016-04", 10, 40), value(pct, "2016-05", 5, 10), value(pct, "2016-06", 12, 30)]
    q1 = window_figure(pct, values, parse_period("2016-17Q1"))
    assert (q1.numerator, q1.denominator) == (27, 80)
    assert q1.value == pytest.approx(33.75)  # 27 / 80, not the mean of 25%, 50% and 40%


def test_a_quarterly_flow_gives_figures_only_for_whole_quarters():
    quarterly = measure(frequency="quarter")
    values = [value(quarterly, p, v) for p, v in (("2016-06", 4), ("2016-09", 2), ("2016-12", 5))]
    assert window_figure(quarterly, values, parse_period("2016-17Q3")).value == 11.0
    month = window_figure(quarterly, values, parse_period("2016-11"))
    assert month.value is None
    assert month.notes == "withheld: recorded each quarter, and the window is not whole quarters"
    assert window_figure(quarterly, values, parse_period("2016-17")).notes == (
        "withheld: no value recorded for January to March 2017; a total for the window needs every one"
    )


def test_a_stock_takes_the_latest_value_in_the_window_and_none_without_one():
    stock = measure(kind="stock")
    values = [value(stock, "2016-04", 1), value(stock, "2016-09", 2), value(stock, "2016-10", 3)]
    ytd = window_figure(stock, values, parse_period("2016-17Q3"))  # April to December: October is the latest
    assert (ytd.value, ytd.notes) == (3.0, "the latest value in the window, for October 2016")
    september = window_figure(stock, values, parse_period("2016-09"))
    assert (september.value, september.notes) == (2.0, "")
    empty = window_figure(stock, values, window(dt.date(2016, 5, 1), dt.date(2016, 8, 31)))
    assert (empty.numerator, empty.value) == (None, None)
    assert empty.notes == "no value recorded for May to August 2016"
    # A quarterly stock is dated on the quarter's last day: in December's window, not in November's.
    quarterly = measure(kind="stock", frequency="quarter")
    q = [value(quarterly, "2016-12", 5)]
    assert (window_figure(quarterly, q, parse_period("2016-12")).value, q[0].period_start) == (
        5.0,
        dt.date(2016, 10, 1),
    )
    assert window_figure(quarterly, q, parse_period("2016-11")).value is None


# ---- declarations -----------------------------------------------------------------------------------------


def test_declarations_are_checked_and_each_problem_named():
    bad = """\
measures:
  - id: pct_without_labels
    label: A percentage
    area: workforce
    unit: percent
    polarity: higher
    kind: flow
  - id: Bad-Id
    label: x
    area: workforce
    unit: rate
    polarity: higher
    kind: flow
"""
    with pytest.raises(DeclarationError) as info:
        parse_declarations(bad, "measures.yaml")
    assert info.value.problems == [
        "measures.yaml: measure 1 (pct_without_labels): (measure): a percentage needs numerator and denominator: "
        "what each of them counts",
        "measures.yaml: measure 2 (Bad-Id): id: String should match pattern '^[a-z][a-z0-9_]*$' (got 'Bad-Id')",
        "measures.yaml: measure 2 (Bad-Id): unit: Input should be 'count' or 'percent' (got 'rate')",
    ]
    twice = MEASURES + MEASURES.split("measures:\n", 1)[1].split("  - id: step_up")[0]
    with pytest.raises(
        DeclarationError, match=r"measure 5 \(nqsw_recruited\): id: already used by measure 1"
    ):
        parse_declarations(twice, "measures.yaml")
    with pytest.raises(
        DeclarationError, match=r"measures.yaml: line 3, column 1: not valid YAML: expected the node content"
    ):
        parse_declarations("measures:\n  - [\n", "measures.yaml")


def test_declaring_again_keeps_every_version_and_withdraws_what_the_file_dropped(tmp_path):
    con = connect(tmp_path / "s.duckdb")
    try:
        first = parse_declarations(MEASURES)
        done = declare(con, first, source="measures.yaml", by="ann", now=dt.datetime(2017, 1, 2))
        assert done.added == ("nqsw_recruited", "step_up_students", "neet_engaged_pct", "units_in_place")
        changed = [m.model_copy(update={"label": "NQSWs recruited"}) if m.id == "nqsw_recruited" else m
                   for m in first if m.id != "units_in_place"]  # fmt: skip
        done = declare(con, changed, source="measures.yaml", by="bob", now=dt.datetime(2017, 2, 1))
        assert (done.changed, done.withdrawn, done.added) == (("nqsw_recruited",), ("units_in_place",), ())
        assert list(declared(con)) == ["nqsw_recruited", "step_up_students", "neet_engaged_pct"]
        versions = declarations_of(con, "nqsw_recruited")
        assert [(v.measure.label, v.declared_by, v.replaced_by is None) for v in versions] == [
            ("Newly qualified social workers recruited", "ann", False),
            ("NQSWs recruited", "bob", True),
        ]
        assert [v.measure for v in declarations_of(con, "units_in_place")][-1] is None
    finally:
        con.close()


def test_a_measure_may_not_take_a_catalogue_indicators_id(tmp_path):
    yaml_file = tmp_path / "m.yaml"
    yaml_file.write_text(MEASURES.replace("id: nqsw_recruited", "id: cla_count"), encoding="utf-8")
    code, out = run("measures", "declare", yaml_file, "--db", tmp_path / "s.duckdb")
    assert code == 2
    assert (
        "m.yaml: measure cla_count: the catalogue already has an indicator cla_count: choose another id"
        in out
    )


# ---- the CSV template through `load` ----------------------------------------------------------------------


@pytest.fixture
def store(tmp_path) -> Path:
    db = tmp_path / "s.duckdb"
    (tmp_path / "measures.yaml").write_text(MEASURES, encoding="utf-8")
    code, out = run("measures", "declare", tmp_path / "measures.yaml", "--db", db)
    assert code == 0, out
    good = tmp_path / "good.csv"
    good.write_text(
        HEADER + "nqsw_recruited,2016-04,2,,\nneet_engaged_pct,2016-04,10,40,\n", encoding="utf-8"
    )
    code, out = run("load", good, "--la", "335", "--db", db)
    assert code == 0, out
    return db


BAD_FILES = [
    (
        "measure_id,month,value,denominator,note\nnqsw_recruited,2016-05,1,,\n",  # near enough to be named
        [
            "bad.csv: line 1: month = 'month': not a column of the manual measures template (measure_id, period, "
            "value, denominator, note)",
            "bad.csv: line 1: period = (blank): column missing: the header looks like the manual measures template",
        ],
    ),
    (
        HEADER + "nqsw_recruited,May 2016,1,,\nnqsw_recruited,2016-05,-1,,\nNQSW,2016-06,x,,\n"
        "neet_engaged_pct,2016-05,50,40,\nnqsw_recruited,2016-07,1,0,\nnqsw_recruited,2016-05,2,,\n",
        [
            "bad.csv: line 2: period = 'May 2016': not a month: use YYYY-MM, e.g. 2016-12 (a quarterly measure: "
            "the quarter's last month)",
            "bad.csv: line 3: value = '-1': must be a number of at least 0 (a full stop for decimals)",
            "bad.csv: line 4: measure_id = 'NQSW': not a measure id (lower case letters, digits and _)",
            "bad.csv: line 4: value = 'x': must be a number of at least 0 (a full stop for decimals)",
            "bad.csv: line 5: value = '50': more than the denominator (40)",
            "bad.csv: line 6: denominator = '0': must be a number above 0, or blank",
            "bad.csv: line 7: measure_id, period = 'nqsw_recruited, 2016-05': duplicate row: line 3 has the same "
            "measure and period",
        ],
    ),
    (  # right in itself, wrong for the measures the store declares: refused at commit, before anything is written
        HEADER + "no_such_measure,2016-05,1,,\nstep_up_students,2016-11,5,,\nneet_engaged_pct,2016-05,3,,\n"
        "nqsw_recruited,2016-05,1.5,,\nnqsw_recruited,2016-06,1,4,\n",
        [
            "bad.csv: line 2: measure_id = 'no_such_measure': no measure 'no_such_measure' is declared "
            "(csc-scorecard measures declare FILE)",
            "bad.csv: line 3: period = '2016-11': step_up_students is recorded by quarter: give the quarter's last "
            "month (03, 06, 09 or 12)",
            "bad.csv: line 4: denominator = (blank): neet_engaged_pct is a percentage: give its denominator (NEET "
            "young people referred)",
            "bad.csv: line 5: value = '1.5': nqsw_recruited is a count: a whole number",
            "bad.csv: line 6: denominator = '4': nqsw_recruited is a count: leave the denominator blank",
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD_FILES, ids=["header", "values", "declarations"])
def test_bad_template_input_is_refused_through_the_cli_and_the_store_is_unchanged(
    store, tmp_path, text, expected
):
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    before = table_checksums(store)
    code, out = run("load", bad, "--la", "335", "--db", store)
    assert code == 1
    shown = out.replace(f"{tmp_path}/", "").splitlines()  # problems name the path the file was found at
    assert shown == [f"Nothing was loaded: {len(expected)} problem(s) found.", *expected]
    assert table_checksums(store) == before


def test_the_template_needs_the_la_and_a_finished_month(store, tmp_path):
    bad = tmp_path / "bad.csv"
    future = (dt.date.today().replace(day=1) + dt.timedelta(days=40)).strftime("%Y-%m")
    bad.write_text(HEADER + f"nqsw_recruited,{future},1,,\n", encoding="utf-8")
    before = table_checksums(store)
    code, out = run("load", bad, "--db", store)
    assert code == 1
    assert out.replace(f"{tmp_path}/", "").splitlines()[1:] == [
        "bad.csv: command line: --la = (blank): the manual measures template carries no LA code: pass --la with the "
        "3-digit DfE code",
        f"bad.csv: line 2: period = '{future}': the month has not ended yet",
    ]
    assert table_checksums(store) == before


# ---- history ----------------------------------------------------------------------------------------------


def test_every_value_keeps_its_history_who_what_when_and_what_it_replaced(store, tmp_path):
    corrected = tmp_path / "corrected.csv"
    corrected.write_text(HEADER + "nqsw_recruited,2016-04,3,,late starter\nneet_engaged_pct,2016-04,10,40,\n")
    code, out = run("load", corrected, "--la", "335", "--db", store)
    assert code == 0, out
    code, again = run("load", corrected, "--la", "335", "--db", store)
    assert "already loaded" in again
    con = connect(store)
    try:
        typed = record(con, "335", "nqsw_recruited", "2016-04", 4, note="one more", by="ann", source="dashboard",
                       now=dt.datetime(2017, 2, 3, 10, 0))  # fmt: skip
        assert (
            record(con, "335", "nqsw_recruited", "2016-04", 4, note="one more", by="bob", source="dashboard")
            is None
        )
        with pytest.raises(ManualValueError, match="is more than the denominator") as info:
            record(con, "335", "neet_engaged_pct", "2016-05", 5, denominator=4, by="ann", source="dashboard")
        assert info.value.field == "value"
        history = value_history(con, "335", "nqsw_recruited")
    finally:
        con.close()
    assert [(v.value, v.source, v.src_line, v.note, v.current) for v in history] == [
        (2.0, "good.csv", 2, None, False),
        (3.0, "corrected.csv", 2, "late starter", False),
        (4.0, "dashboard", None, "one more", True),
    ]
    assert [v.replaces for v in history] == [None, history[0].value_id, history[1].value_id]
    assert (typed.entered_by, typed.entered_at, typed.load_id) == (
        "ann",
        dt.datetime(2017, 2, 3, 10, 0),
        None,
    )
    assert history[1].load_id is not None and history[0].load_id != history[1].load_id
    # The unchanged percentage was not recorded twice, and both files stay current loads (neither replaced).
    assert query(store, "SELECT count(*) FROM manual_values WHERE measure_id = 'neet_engaged_pct'") == [(1,)]
    assert query(store, "SELECT status FROM loads ORDER BY load_id") == [("current",), ("current",)]
    code, out = run("measures", "history", "nqsw_recruited", "--db", store, "--format", "csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "value_id,period,value,denominator,entered_by,entered_at,source,replaces,status,note"
    assert lines[3].endswith(f",dashboard,{history[1].value_id},current,one more")


# ---- where an indicator goes ------------------------------------------------------------------------------


def test_a_manual_measure_goes_through_indicators_and_judge_with_its_declared_target(store, tmp_path):
    values = tmp_path / "more.csv"
    values.write_text(HEADER + "".join(f"nqsw_recruited,2016-{m:02d},{v},,\n" for m, v in ((5, 1), (6, 3))))
    assert run("load", values, "--la", "335", "--db", store)[0] == 0
    code, out = run("indicators", "--period", "2016-17Q1", "--indicator", "nqsw_recruited", "--db", store,
                    "--format", "csv")  # fmt: skip
    assert code == 0, out
    assert "335,nqsw_recruited,2016-17Q1,6,,6,,,," in out
    code, out = run("judge", "--period", "2016-06", "--db", store, "--format", "csv")
    assert code == 0, out
    row = next(line for line in out.splitlines() if ",nqsw_recruited," in line)
    assert ",3,3,,3,5,red,improving," in row  # 3 in June: below the declared target 5 by more than 1
    code, out = run("catalogue", "nqsw_recruited", "--db", store)
    assert code == 0 and "Recorded by hand" in out


def test_spc_counts_every_recorded_month_even_one_equal_to_the_month_before(tmp_path):
    """A figure equal to the period before is taken for an annual count carried forward, except in a manual
    measure, where each month was recorded for itself. The example values, April 2016 to March 2017 (the months
    of the one collection year the store holds), worked by hand:
      neet_engaged     1 2 2 3 2 3 3 4 3 4 3 4: 12 points, mean 34/12 (not 10 points, mean 29/10)
      frontline_units  0 0 0 1 1 1 2 2 2 2 2 2: 12 points, mean 15/12 (not 3 points, mean 1)"""
    from csc_scorecard.examples import MANUAL_VALUES, MEASURES
    from csc_scorecard.pipeline import build

    db = tmp_path / "s.duckdb"
    assert run("measures", "declare", MEASURES, "--db", db)[0] == 0
    assert run("load", MANUAL_VALUES, "--la", "335", "--db", db)[0] == 0
    con = connect(db, read_only=True)
    try:
        built = build(con, "335", parse_period("2017-03"), indicator_ids=["neet_engaged", "frontline_units"])
    finally:
        con.close()
    for measure, mean in (("neet_engaged", 34 / 12), ("frontline_units", 15 / 12)):
        judged = built.judgement(measure)
        assert judged.spc_rule.startswith("SPC over 12 points (2016-04 to 2017-03): only 12 points")
        assert len(judged.spc.mean) == 12 and judged.spc.mean[-1] == pytest.approx(mean)


@pytest.mark.slow
def test_a_manual_measure_is_in_the_scrutiny_pack_and_the_slides(synthetic_council, tmp_path):
    """The example measures on the synthetic Walsall, through `report`: a row of the scorecard spreadsheet, a
    tile of its area's slide, and, named in the report's headline set, a narrative of the committee paper.
    Newly qualified social workers recruited, April to December 2016: 0+1+0+0+6+5+2+1+0 = 15."""
    import shutil
    import warnings

    import openpyxl
    from docx import Document
    from pptx import Presentation

    from csc_scorecard.examples import MANUAL_VALUES, MEASURES, TARGETS

    db = tmp_path / "scorecard.duckdb"
    shutil.copyfile(synthetic_council["db"], db)
    assert run("measures", "declare", MEASURES, "--db", db)[0] == 0
    assert run("load", MANUAL_VALUES, "--la", "335", "--db", db)[0] == 0
    config = tmp_path / "report.yaml"
    config.write_text("headline: [referrals_count, nqsw_recruited]\n", encoding="utf-8")
    code, out = run("report", "--period", "2016-17Q3", "--out", tmp_path / "q3", "--db", db, "--targets", TARGETS,
                    "--config", config, "--charts", "none")  # fmt: skip
    assert code == 0, out
    label = "Newly qualified social workers recruited"

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Sparkline Group extension", UserWarning)  # openpyxl drops them
        workbook = openpyxl.load_workbook(tmp_path / "q3" / "scorecard.xlsx")
    rows = [[c.value for c in row] for ws in workbook for row in ws.iter_rows() if row[0].value == label]
    assert rows and 15 in rows[0]

    slides = Presentation(str(tmp_path / "q3" / "slides.pptx")).slides

    def texts(shapes) -> list[str]:  # the tiles are groups of shapes
        return [t for s in shapes for t in (texts(s.shapes) if hasattr(s, "shapes") else [s.text_frame.text]
                                            if s.has_text_frame else [])]  # fmt: skip

    workforce = [
        " ".join(texts(slide.shapes))
        for slide in slides
        if slide.shapes.title is not None and slide.shapes.title.text.startswith("Workforce")
    ]
    assert workforce and label in " ".join(workforce)

    paper = " ".join(p.text for p in Document(str(tmp_path / "q3" / "paper.docx")).paragraphs)
    assert "There were 15 newly qualified social workers recruited" in paper


# ---- the dashboard's form ---------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_analysts_record_a_value_on_the_dashboard_and_every_save_is_audited(store, tmp_path):
    from starlette.testclient import TestClient

    from csc_scorecard.web import create_app

    site = make_site(tmp_path / "site", store)
    analyst, viewer = session_cookie(site, "analyst"), session_cookie(site, "viewer")
    with TestClient(create_app(site.settings), follow_redirects=False) as c:
        page = c.get("/measures?la=335", headers=analyst)
        assert page.status_code == 200 and "Newly qualified social workers recruited" in page.text
        assert c.get("/measures", headers=viewer).status_code == 403
        form = {
            "la": "335",
            "measure_id": "nqsw_recruited",
            "period": "2016-05",
            "value": "3",
            "note": "from HR",
        }
        refused = c.post(
            "/measures/values", data=form, headers={"Cookie": analyst["Cookie"]}
        )  # no CSRF token
        assert refused.status_code == 403
        saved = c.post("/measures/values", data=form, headers=analyst)
        assert (saved.status_code, saved.headers["location"]) == (
            303,
            "/measures?la=335&saved=nqsw_recruited#nqsw_recruited",
        )
        bad = c.post("/measures/values", data={**form, "measure_id": "step_up_students"}, headers=analyst)
        assert bad.status_code == 400
        assert "step_up_students is recorded by quarter: give the quarter&#39;s last month" in bad.text
        history = c.get("/measures/nqsw_recruited/history?la=335", headers=analyst)
        assert history.status_code == 200 and "from HR" in history.text and "ann" in history.text
        shown = c.get("/indicator/nqsw_recruited?la=335&period=2016-05", headers=viewer)
        assert shown.status_code == 200 and "Newly qualified social workers recruited" in shown.text
    recorded = query(
        site.db, "SELECT value, entered_by, source, note FROM manual_values WHERE period = '2016-05'"
    )
    assert recorded == [(3.0, "ann", "dashboard", "from HR")]
    entries = site.state.access_log(limit=5, action="manual_value_recorded")
    assert [(e.username, e.indicator_id, e.period) for e in entries] == [("ann", "nqsw_recruited", "2016-05")]
