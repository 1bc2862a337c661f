"""paper.docx re-read with python-docx: the committee paper's shape in real Heading styles, the grid in a landscape
section with a sparkline per row, captioned tables, pictures with alt text, no period codes, the marking."""

from __future__ import annotations

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.shared import Cm

from csc_scorecard.publish import INTERNAL_MARKING
from csc_scorecard.publish.paper import charted, grid, reported
from publish_packs import INJECTION, SMALL_NOTE, SUPPRESSED_ID, build_packs, period_codes

pytestmark = pytest.mark.slow
COVER = [
    "Executive summary", "Reason for scrutiny", "Recommendations", "Background papers",
    "Resource and legal considerations", "Citizen impact", "Environmental impact", "Performance management",
    "Equality implications", "Consultation", "Contact officer",
]  # fmt: skip


@pytest.fixture(scope="module")
def packs(synthetic_council, tmp_path_factory):
    return build_packs(synthetic_council, tmp_path_factory)


@pytest.fixture(scope="module")
def published(packs):
    return docx.Document(str(packs.published.paths["docx"]))


@pytest.fixture(scope="module")
def internal(packs):
    return docx.Document(str(packs.internal.paths["docx"]))


@pytest.fixture(scope="module")
def no_charts(packs):
    return docx.Document(str(packs.no_charts.paths["docx"]))


def _headings(document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


def _all_text(document) -> str:
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    headers = [p.text for s in document.sections for p in s.header.paragraphs]
    return "\n".join([p.text for p in document.paragraphs] + cells + headers)


def _grid_rows(view):
    return [row.indicator for group in grid(view).groups for row in group.rows]


def test_headings_use_word_heading_styles(published, no_charts, packs):
    view = packs.published.view
    assert _headings(published, "Title") == ["Children's Services performance: Quarter 3 2016-17"]
    assert _headings(published, "Heading 1") == [
        *COVER, "Report", "Summary of achievements and priorities", "Background paper: the scorecard",
        "Appendix: charts",
    ]  # fmt: skip
    assert _headings(no_charts, "Heading 1")[-1] == "Background paper: the scorecard"
    areas = [f"{n}. {a.name}" for n, a in enumerate(view.areas_with_data, 1)]
    assert _headings(published, "Heading 2") == areas + (
        ["Areas without figures this period"] if view.areas_without_data else []
    )


def test_the_grid_is_a_landscape_section(published, no_charts, packs):
    rows = _grid_rows(packs.published.view)
    width, height = (Cm(29.7), Cm(21)) if len(rows) <= 30 else (Cm(42), Cm(29.7))
    portrait, landscape, appendix = published.sections
    assert portrait.orientation == WD_ORIENT.PORTRAIT and portrait.page_width < portrait.page_height
    assert landscape.orientation == WD_ORIENT.LANDSCAPE
    assert (abs(landscape.page_width - width), abs(landscape.page_height - height)) < (Cm(0.01), Cm(0.01))
    assert appendix.orientation == WD_ORIENT.PORTRAIT
    assert [s.orientation for s in no_charts.sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE]


def test_the_cover_has_every_field(published):
    details = {r.cells[0].text: r.cells[1].text for r in published.tables[0].rows[1:]}
    assert list(details) == ["Date of meeting", "Report of", "Portfolio", "Wards", "Key decision", "Period",
                             "Version"]  # fmt: skip
    assert details["Date of meeting"] == "To be confirmed"
    assert details["Portfolio"] == "Portfolio Holder for Children's Services"
    text = _all_text(published)
    assert "Children's Services performance scorecard (scorecard.xlsx)" in text
    assert "Presentation of the scorecard (slides.pptx)" in text


def test_each_area_has_its_headline_narratives_and_nothing_has_a_period_code(
    published, internal, no_charts, packs
):
    for document, pack in (
        (published, packs.published),
        (internal, packs.internal),
        (no_charts, packs.no_charts),
    ):
        assert not period_codes(_all_text(document))
        paragraphs = [p.text for p in document.paragraphs]
        for n, area in enumerate(pack.view.areas_with_data, 1):
            start = paragraphs.index(f"{n}. {area.name}")
            assert paragraphs[start + 1] == area.narrative
            shown = [i for i in area.indicators if reported(i)]
            numbered = [p for p in paragraphs[start + 2 :] if p.startswith(f"{n}.")][: len(shown)]
            assert numbered == [f"{n}.{k} {i.label}: {i.narrative}" for k, i in enumerate(shown, 1)]
            assert all(i in shown for i in area.indicators if i.headline and i.has_data)


def test_tables_have_header_rows_and_captions(published, packs):
    tables = published.tables
    assert len(tables) == 3  # report details, achievements and priorities, the scorecard
    assert [c.text for c in tables[1].rows[0].cells] == ["Achievements", "Priorities"]
    assert [c.text for c in tables[2].rows[0].cells] == [
        "Area", "Indicator", "Value", "Target", "RAG", "Same point last year", "SN mean", "England", "Trend",
        "Recent figures",
    ]  # fmt: skip
    rows = _grid_rows(packs.published.view)
    assert [r.cells[1].text for r in tables[2].rows[1:]] == [i.label for i in rows]
    assert [r.cells[2].text for r in tables[2].rows[1:]] == [i.value.text for i in rows]
    first = grid(packs.published.view).groups[0]
    assert {r.cells[0].text for r in tables[2].rows[1 : 1 + len(first.rows)]} == {first.area.name}
    for table in tables:
        tbl_pr = table._tbl.tblPr
        assert tbl_pr.find(docx.oxml.ns.qn("w:tblCaption")) is not None
        header = table.rows[0]._tr.trPr
        assert header is not None and header.find(docx.oxml.ns.qn("w:tblHeader")) is not None


def _pictures(document):
    for shape in document.inline_shapes:
        doc_pr = shape._inline.docPr
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        part = document.part.related_parts[blip.embed]
        assert part.content_type == "image/png" and part.blob[:4] == b"\x89PNG"
        yield doc_pr.get("descr"), doc_pr.get("title")


def test_sparklines_and_appendix_charts_are_pngs_with_alt_text(published, no_charts, packs):
    rows = _grid_rows(packs.published.view)
    charts = [i for i in packs.published.view.indicators() if charted(i)]
    pictures = list(_pictures(published))
    assert len(pictures) == len(rows) + len(charts)
    for (descr, title), ind in zip(pictures[: len(rows)], rows, strict=True):
        assert descr.startswith(f"{ind.label}, recent figures: ") and title == f"{ind.label}: recent figures"
    for (descr, title), ind in zip(pictures[len(rows) :], charts, strict=True):
        assert descr.startswith(f"Line chart of {ind.label} for Walsall") and title.startswith(ind.label)
    assert len(list(_pictures(no_charts))) == len(rows)  # sparklines only


def test_suppression_commentary_and_marking(published, internal, packs):
    label = next(v.label for v in packs.published.view.indicators() if v.id == SUPPRESSED_ID)
    pub, inn = _all_text(published), _all_text(internal)
    assert f"{label} (94.3%)" not in pub
    assert SMALL_NOTE in inn and SMALL_NOTE not in pub
    assert INJECTION in pub  # literal text in Word, where it is never a formula
    row = next(r for r in published.tables[2].rows if r.cells[1].text == label)
    assert [c.text for c in row.cells[2:5]] == ["c", "–", "c"]
    for section in internal.sections:
        assert section.header.paragraphs[0].text == INTERNAL_MARKING
    assert published.sections[0].header.paragraphs[0].text == "Walsall Council"
    assert "INTERNAL" not in pub
    assert published.core_properties.language == "en-GB"
