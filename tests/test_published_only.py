"""DfE measures no return gives (issue 13 item 2): shown as published, the LA's LAIT value beside England, its
region and neighbours, clearly marked as published, never computed. Values checked by hand against
reference/lait/lait_bds_csc_long_2016_to_2025.csv (CareApplications 2017: Walsall 14.2, England 12.3; LACDistance
2017: Walsall 15, England 14).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document
from rich.console import Console

from csc_scorecard.catalogue import load_catalogue
from csc_scorecard.judge.benchmarks import Comparator
from csc_scorecard.judge.published_only import PublishedOnly, published_only
from csc_scorecard.periods import parse_period
from csc_scorecard.pipeline import Built, build, published_meta
from csc_scorecard.publish.docx import write_docx
from csc_scorecard.publish.html import render_html
from csc_scorecard.publish.model import PUBLISHED_ONLY, ViewInputs, report_view
from csc_scorecard.publish.terminal import PUBLISHED_TITLE, print_scorecard
from csc_scorecard.store import connect


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    con = connect(tmp_path_factory.mktemp("published_only") / "s.duckdb")  # the published values come with it
    yield con
    con.close()


def _shown(store, measure_id: str, period: str) -> PublishedOnly:
    measure = load_catalogue().published[measure_id]
    return published_only(store, "335", parse_period(period), published_meta(measure), measure.source)


def test_the_las_published_value_beside_england_and_neighbours(store) -> None:
    row = _shown(store, "care_applications_rate", "2016-17")
    assert row.year == "2016-17"
    assert row.la is not None and row.la.value == pytest.approx(14.2)
    assert row.england is not None and row.england.value == pytest.approx(12.3)
    assert row.sn is not None and row.sn.comparator == "sn_mean" and row.sn.value is not None
    assert row.display == "14.2 per 10,000"
    text = row.narrative
    assert text.startswith("There were 14.2 care applications per 10,000 children aged under 18 in 2016-17")
    assert "as DfE published it" in text and "England 12.3 per 10,000" in text
    assert "Not computed from the council's returns (Cafcass" in text
    assert not re.search(r"\d{4}-\d{2}Q\d", text)  # no period codes in published text


def test_a_quarter_shows_its_years_published_value(store) -> None:
    row = _shown(store, "cla_placed_20_miles_pct", "2016-17Q3")
    assert row.year == "2016-17"
    assert (row.la.value, row.england.value) == (15.0, 14.0)  # type: ignore[union-attr]
    assert row.display == "15.0%"


def test_nothing_published_yet_says_so(store) -> None:
    row = _shown(store, "foster_places_count", "2016-17")  # Ofsted's fostering data: published from 2020
    assert row.year is None and row.la is None
    assert row.display == "not published"
    assert "DfE has published no figure for this period or earlier" in row.narrative


def test_a_suppressed_value_says_why() -> None:
    la = Comparator("la", None, "2016-17", "c", "Walsall 2016-17")
    assert PublishedOnly.shown(la, "percent") == "suppressed (c)"
    assert PublishedOnly.shown(None, "percent") == "not published"


@pytest.fixture(scope="module")
def built(synthetic_council: dict) -> Built:
    con = connect(synthetic_council["db"], read_only=True)
    try:
        return build(con, "335", parse_period("2016-17"))
    finally:
        con.close()


def test_the_scorecard_shows_them_in_their_area(built: Built) -> None:
    assert {area: [r.meta.id for r in rows] for area, rows in built.published.items()} == {
        "Child protection": ["care_applications_rate"],
        "Children in care": ["cla_placed_20_miles_pct", "foster_places_count", "foster_places_filled_count"],
        "Placement stability": ["cla_school_moves_pct"],
    }
    assert all(rows for rows in built.published.values())
    # never among the judged indicators: nothing is computed for them
    judged = {j.meta.id for j in built.judgements()}
    assert not judged & set(load_catalogue().published)
    console = Console(width=160, record=True, color_system=None)
    print_scorecard(console, built)
    out = console.export_text()
    assert out.count(PUBLISHED_TITLE) == 3
    cp, care = (
        re.search(rf"^{title}\s*$", out, re.M).start() for title in ("Child protection", "Children in care")
    )  # type: ignore[union-attr]
    assert cp < out.index("Care applications per 10,000 children (Cafcass)") < care
    assert "14.2 per 10,000" in out


def test_the_pack_shows_them_after_the_areas_indicators(built: Built, tmp_path: Path) -> None:
    view = report_view(built, "published", ViewInputs("Walsall"))
    areas = {a.name: a for a in view.areas}
    assert len(areas["Child protection"].published) == 1
    assert areas["Child protection"].published[0].startswith("There were 14.2 care applications per 10,000")
    assert not areas["Front door"].published
    html = render_html(view, {})
    section = html[html.index('id="area-child-protection"') :]
    section = section[: section.index("</section>")]
    assert "Published by DfE, not computed from the council&#39;s returns:" in section
    assert "There were 14.2 care applications per 10,000 children aged under 18 in 2016-17" in section
    assert section.index("app-indicator") < section.index(
        "app-published-only"
    )  # after the area's own figures
    paper = Document(str(write_docx(view, {}, tmp_path / "paper.docx")))
    texts = [p.text for p in paper.paragraphs]
    heading = texts.index(PUBLISHED_ONLY)
    assert texts[heading + 1].startswith("There were 14.2 care applications per 10,000")
