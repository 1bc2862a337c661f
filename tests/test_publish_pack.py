"""write_pack as a whole: the four files from one view, the same figures in each, no suppressed number in any
published narrative, the per-report YAML on the cover, and bad arguments refused before any work."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import lxml.html
import pytest

from csc_scorecard.publish import write_pack
from csc_scorecard.publish.html import render_html
from csc_scorecard.publish.report_config import ReportConfigError, load_report_config
from publish_packs import build_packs

pytestmark = pytest.mark.slow
EXAMPLE = Path(__file__).parents[1] / "docs" / "examples" / "report.yaml"


@pytest.fixture(scope="module")
def packs(synthetic_council, tmp_path_factory):
    return build_packs(synthetic_council, tmp_path_factory)


def test_four_files_and_timings(packs):
    result = packs.published
    assert {k: p.name for k, p in result.paths.items()} == {
        "xlsx": "scorecard.xlsx", "html": "report.html", "pdf": "report.pdf", "docx": "paper.docx",
    }  # fmt: skip
    assert all(p.stat().st_size > 10_000 for p in result.paths.values())
    assert list(result.timings) == [
        "view",
        "charts",
        "xlsx",
        "html",
        "pdf",
        "docx",
    ]  # the scorecard is built before
    assert result.total_seconds == pytest.approx(sum(result.timings.values()))


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
        hidden.discard(pub.value.long)  # an earlier period can equal the period reported, which is shown
        for text in hidden:
            checked += 1
            assert not _token(text).search(pub.narrative), (pub.id, text, pub.narrative)
            for where in (pub.facts, pub.commentary or "", *(a.line for a in pub.actions)):
                assert not _token(text).search(where), (pub.id, text, where)
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
    bad = tmp_path / "report.yaml"
    bad.write_text("titel: oops\n", encoding="utf-8")
    with pytest.raises(ReportConfigError, match="titel: unknown key"):
        write_pack(packs.built, tmp_path / "x", report_config=bad)
    assert not (tmp_path / "x").exists()
