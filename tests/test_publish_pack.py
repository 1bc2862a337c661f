"""write_pack as a whole: the five files from one view, the same figures in each, no suppressed number in any
published narrative, the per-report YAML on the cover, and bad arguments refused before any work."""

from __future__ import annotations

import re
import subprocess
import warnings
from dataclasses import replace
from pathlib import Path

import docx
import lxml.html
import openpyxl
import pytest
from click.testing import CliRunner

from csc_scorecard.cli import cli
from csc_scorecard.judge.suppression import RESTS_ON_SMALL, REVEALS_SMALL, SECONDARY, SUPPRESSED_RANGE
from csc_scorecard.publish import write_pack
from csc_scorecard.publish.html import render_html
from csc_scorecard.publish.report_config import ReportConfigError, load_report_config
from publish_packs import build_packs, period_codes

pytestmark = pytest.mark.slow
EXAMPLE = Path(__file__).parents[1] / "docs" / "examples" / "report.yaml"


@pytest.fixture(scope="module")
def packs(synthetic_council, tmp_path_factory):
    return build_packs(synthetic_council, tmp_path_factory)


def test_five_files_and_timings(packs):
    result = packs.published
    assert {k: p.name for k, p in result.paths.items()} == {
        "xlsx": "scorecard.xlsx", "html": "report.html", "pdf": "report.pdf", "docx": "paper.docx",
        "pptx": "slides.pptx",
    }  # fmt: skip
    assert all(p.stat().st_size > 10_000 for p in result.paths.values())
    # the scorecard is built before; with --charts none no chart is drawn at all
    assert list(result.timings) == ["view", "charts", "xlsx", "html", "pdf", "docx", "pptx"]
    assert list(packs.no_charts.timings) == ["view", "xlsx", "html", "pdf", "docx", "pptx"]
    assert result.total_seconds == pytest.approx(sum(result.timings.values()))


def test_no_file_has_a_period_code(packs):
    """The wording rule on every file of every pack, opened as a reader would: the spreadsheet's cells, the
    paper's paragraphs and tables, the report's HTML and the PDF's text."""
    for pack in (packs.published, packs.internal, packs.no_charts):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Sparkline Group extension", UserWarning)  # openpyxl drops them
            workbook = openpyxl.load_workbook(pack.paths["xlsx"])
        cells = [
            str(c.value) for ws in workbook for row in ws.iter_rows() for c in row if c.value is not None
        ]
        paper = docx.Document(str(pack.paths["docx"]))
        texts = {
            "xlsx": "\n".join(cells),
            "docx": "\n".join([p.text for p in paper.paragraphs] + [c.text for t in paper.tables for r in t.rows
                                                                     for c in r.cells]),
            "html": pack.paths["html"].read_text(encoding="utf-8"),
            "pdf": subprocess.run(["pdftotext", str(pack.paths["pdf"]), "-"], check=True, capture_output=True,
                                  text=True).stdout,
        }  # fmt: skip
        for kind, text in texts.items():
            assert not period_codes(text), (pack.paths[kind], period_codes(text)[:3])


def _token(text: str) -> re.Pattern[str]:
    """The figure as a whole token: '2' matches '(2 at' but not '2016-17Q2' or '12'."""
    return re.compile(rf"(?<![\w.,\-]){re.escape(text)}(?![\w%]|[.,]\d)")


def test_no_published_narrative_quotes_a_suppressed_figure(packs):
    checked = 0
    for pub, inn in zip(packs.published.view.indicators(), packs.internal.view.indicators(), strict=True):
        assert pub.id == inn.id
        hidden = {
            h_in.value.long
            for h_pub, h_in in zip(pub.history, inn.history, strict=True)
            if h_pub.value.suppressed and h_in.value.value is not None
        }
        # a suppressed period may round to the same figure as one that is shown (2.1% in two quarters):
        # quoting the shown one gives nothing away
        hidden -= {h.value.long for h in pub.history if not h.value.suppressed}
        hidden.discard(pub.value.long)  # an earlier period can equal the period reported, which is shown
        # the label's own numbers are not figures ("... lasted 2 years or more"), nor the suppression rule's
        # ("1 to 5", whatever the figure hidden)
        words = (pub.label, SUPPRESSED_RANGE, RESTS_ON_SMALL, REVEALS_SMALL, SECONDARY)
        label = re.compile("|".join(map(re.escape, words)), re.I)
        for text in hidden:
            checked += 1
            assert not _token(text).search(label.sub("", pub.narrative)), (pub.id, text, pub.narrative)
            for where in (pub.facts, pub.commentary or "", *(a.line for a in pub.actions)):
                assert not _token(text).search(label.sub("", where)), (pub.id, text, where)
    assert checked >= 10


def test_areas_narratives_and_summary_are_counts_of_indicators_only(packs):
    view = packs.published.view
    assert view.executive_summary[0].startswith(
        "This report sets out the performance of Walsall Council's Children's Services for Quarter 3 2016-17"
    )
    # the suppressed indicator's judgements are withheld, so it is never listed as improved or worsened
    suppressed = {v.label for v in view.indicators() if v.suppressed}
    for area in view.areas:
        assert not any(label in area.narrative for label in suppressed)


def test_the_cover_uses_the_report_yaml(packs):
    view = packs.published.view
    config = load_report_config(EXAMPLE)
    cover = config.resolved(
        {"la_name": view.la_name, "period_short": view.period_short, "period_label": view.period_label}
    )
    html = lxml.html.fromstring(render_html(replace(view, cover=cover), {}))
    text = " ".join(html.text_content().split())
    assert "Agenda item 7" in text and "16 February 2017" in text
    assert "That the Committee receives a report on placement stability at its next meeting." in text
    assert "A. Analyst Performance and Intelligence Manager, Children's Services" in text
    assert "Email: performance@example.gov.uk Telephone: 01922 650000" in text


def test_bad_arguments_are_refused_before_any_work(packs, tmp_path):
    with pytest.raises(ValueError, match="profile must be one of published, internal"):
        write_pack(packs.built, tmp_path / "x", profile="draft")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="charts must be one of appendix, none"):
        write_pack(packs.built, tmp_path / "x", charts="inline")  # type: ignore[arg-type]
    bad = tmp_path / "report.yaml"
    bad.write_text("titel: oops\n", encoding="utf-8")
    with pytest.raises(ReportConfigError, match="titel: unknown key"):
        write_pack(packs.built, tmp_path / "x", report_config=bad)
    bad.write_text("headline: [cin_rate, cin_rates, re_referals_pct]\n", encoding="utf-8")
    with pytest.raises(ReportConfigError) as error:
        write_pack(packs.built, tmp_path / "x", report_config=bad)
    assert str(error.value) == (
        f"{bad}: headline: unknown indicator ids cin_rates, re_referals_pct (csc-scorecard catalogue lists the ids)"
    )
    assert not (tmp_path / "x").exists()


def test_the_cli_refuses_an_unknown_headline_before_any_work(tmp_path):
    bad = tmp_path / "report.yaml"
    bad.write_text("headline:\n  - cla_rate\n  - cla_stability\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["report", "--period", "2016-17Q3", "--out", str(tmp_path / "x"), "--config", str(bad),
              "--charts", "none", "--db", str(tmp_path / "none.duckdb")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert f"{bad}: headline: unknown indicator id cla_stability (csc-scorecard catalogue lists the ids)" in (
        " ".join(result.output.split())
    )
    assert not (tmp_path / "x").exists() and not (tmp_path / "none.duckdb").exists()
