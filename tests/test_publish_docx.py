"""paper.docx re-read with python-docx: real Heading styles, captioned tables, charts with alt text, marking."""

from __future__ import annotations

import docx
import pytest

from csc_scorecard.publish import INTERNAL_MARKING
from publish_packs import INJECTION, SMALL_NOTE, SUPPRESSED_ID, build_packs

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def packs(synthetic_council, tmp_path_factory):
    return build_packs(synthetic_council, tmp_path_factory)


@pytest.fixture(scope="module")
def published(packs):
    return docx.Document(str(packs.published.paths["docx"]))


@pytest.fixture(scope="module")
def internal(packs):
    return docx.Document(str(packs.internal.paths["docx"]))


def _headings(document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


def test_headings_use_word_heading_styles(published, packs):
    view = packs.published.view
    assert _headings(published, "Title") == ["Children's Services performance: Quarter 3 2016-17"]
    level1 = _headings(published, "Heading 1")
    assert level1[:11] == [
        "1. Executive summary", "2. Reason for scrutiny", "3. Recommendations", "4. Background papers",
        "5. Resource and legal considerations", "6. Citizen impact", "7. Environmental impact",
        "8. Performance management", "9. Equality implications", "10. Consultation", "11. Contact officer",
    ]  # fmt: skip
    assert [a.name for a in view.areas_with_data] == level1[12 : 12 + len(view.areas_with_data)]
    assert level1[-1] == "Summary of achievements and priorities"
    assert _headings(published, "Heading 2") == [i.label for a in view.areas_with_data for i in a.with_data]


def test_tables_have_header_rows_and_captions(published, packs):
    view = packs.published.view
    tables = published.tables
    assert len(tables) == 1 + len(view.areas_with_data) + 1  # report details, one per area, priorities
    assert [c.text for c in tables[1].rows[0].cells] == [
        "Indicator", "Value", "Target", "RAG", "v same period last year", "SN mean", "England", "Quartile", "SPC",
    ]  # fmt: skip
    first_area = view.areas_with_data[0]
    assert [r.cells[0].text for r in tables[1].rows[1:]] == [i.label for i in first_area.indicators]
    assert [r.cells[1].text for r in tables[1].rows[1:]] == [i.value.text for i in first_area.indicators]
    for table in tables:
        tbl_pr = table._tbl.tblPr
        assert tbl_pr.find(docx.oxml.ns.qn("w:tblCaption")) is not None
        header = table.rows[0]._tr.trPr
        assert header is not None and header.find(docx.oxml.ns.qn("w:tblHeader")) is not None
    assert [c.text for c in tables[-1].rows[0].cells] == ["Area", "Achievements", "Priorities"]


def test_charts_are_inline_pngs_with_alt_text(published, packs):
    charted = [  # indicators with a figure shown: one whose every figure is suppressed or withheld has no chart
        i
        for a in packs.published.view.areas_with_data
        for i in a.with_data
        if any(h.value.value is not None for h in i.history)
    ]
    shapes = published.inline_shapes
    assert len(shapes) == len(charted)
    for shape, ind in zip(shapes, charted, strict=True):
        doc_pr = shape._inline.docPr
        assert doc_pr.get("descr").startswith(f"Line chart of {ind.label} for Walsall")
        assert doc_pr.get("title").startswith(ind.label)
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        part = published.part.related_parts[blip.embed]
        assert part.content_type == "image/png" and part.blob[:4] == b"\x89PNG"


def _all_text(document) -> str:
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_suppression_commentary_and_marking(published, internal, packs):
    label = next(v.label for v in packs.published.view.indicators() if v.id == SUPPRESSED_ID)
    pub, inn = _all_text(published), _all_text(internal)
    assert f"{label}: the figure for 2016-17Q3 is suppressed (shown as c)" in pub
    assert f"{label} (97.5%)" in inn and f"{label} (97.5%)" not in pub
    assert SMALL_NOTE in inn and SMALL_NOTE not in pub
    assert INJECTION in pub  # literal text in Word, where it is never a formula
    row = next(r for t in published.tables for r in t.rows if r.cells[0].text == label)
    assert [c.text for c in row.cells[1:4]] == ["c", "–", "c"]
    assert internal.sections[0].header.paragraphs[0].text == INTERNAL_MARKING
    assert published.sections[0].header.paragraphs[0].text == "Walsall Council"
    assert "INTERNAL" not in pub
    assert published.core_properties.language == "en-GB"
