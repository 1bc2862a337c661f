"""report.html: accessible markup (lang, alt text, th scope, captions, heading order), escaping and suppression."""

from __future__ import annotations

import itertools

import lxml.html
import pytest

from csc_scorecard.publish import INTERNAL_MARKING
from publish_packs import ACTION, INJECTION, SMALL_NOTE, SUPPRESSED_ID, build_packs

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def packs(synthetic_council, tmp_path_factory):
    return build_packs(synthetic_council, tmp_path_factory)


def _doc(path):
    return lxml.html.fromstring(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def published(packs):
    return _doc(packs.published.paths["html"])


@pytest.fixture(scope="module")
def internal(packs):
    return _doc(packs.internal.paths["html"])


def test_language_title_and_heading_order(published):
    assert published.get("lang") == "en-GB"
    assert (
        published.findtext(".//title")
        == "Children's Services performance: Quarter 3 2016-17 – Walsall Council"
    )
    levels = [int(h.tag[1]) for h in published.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), "a heading level is skipped"


def test_every_image_has_alt_text_and_every_table_a_caption_and_scoped_headers(published, packs):
    images = published.findall(".//img")
    # a chart for each indicator with a figure shown (one whose every figure is suppressed or withheld, as A1
    # and A2 on the synthetic council, has a section but nothing to plot)
    charts = {
        v.id for v in packs.published.view.indicators() if any(h.value.value is not None for h in v.history)
    }
    assert len(images) == len(charts) > 20
    for img in images:
        assert img.get("alt", "").startswith("Line chart of "), img.get("alt")
        assert img.get("src").startswith("data:image/svg+xml;base64,")
    for svg in published.iter("svg"):  # none inline today; if one is added it must be labelled
        assert svg.get("role") == "img" and svg.find("title") is not None
    tables = published.findall(".//table")
    assert len(tables) == len(packs.published.view.areas_with_data) + 1
    for table in tables:
        assert table.find("caption") is not None and table.findtext("caption").strip()
        for th in table.iter("th"):
            assert th.get("scope") in ("col", "row"), lxml.html.tostring(th)


def test_cover_sections_in_committee_order(published):
    headings = [h.text_content() for h in published.iter("h2")][:11]
    assert headings == [
        "1. Executive summary", "2. Reason for scrutiny", "3. Recommendations", "4. Background papers",
        "5. Resource and legal considerations", "6. Citizen impact", "7. Environmental impact",
        "8. Performance management", "9. Equality implications", "10. Consultation", "11. Contact officer",
    ]  # fmt: skip
    last = [h.text_content() for h in published.iter("h2")][-1]
    assert last == "Summary of achievements and priorities"


def test_text_is_escaped_not_markup(published):
    section = published.get_element_by_id("ind-re_referrals_12m_pct")
    assert INJECTION in section.text_content()
    assert not published.xpath("//a[contains(@href, 'example.com')]")


def test_suppression_and_withheld_commentary(published, internal, packs):
    pub = published.get_element_by_id(f"ind-{SUPPRESSED_ID}").text_content()
    inn = internal.get_element_by_id(f"ind-{SUPPRESSED_ID}").text_content()
    assert "is suppressed (shown as c)" in pub and "97.5%" not in pub and "39 of 40" not in pub
    assert "97.5%" in inn and "39 of 40" in inn
    assert SMALL_NOTE not in pub and SMALL_NOTE in inn
    assert ACTION not in pub and ACTION in inn
    row = next(
        tr
        for tr in published.iter("tr")
        if tr.find("th") is not None and SUPPRESSED_ID in lxml.html.tostring(tr).decode()
    )
    assert [td.text_content().strip() for td in row.findall("td")][:3] == ["c", "–", "c"]


def test_internal_marking_top_and_bottom(published, internal):
    marks = [p.text_content() for p in internal.find_class("app-marking")]
    assert marks == [INTERNAL_MARKING, INTERNAL_MARKING]
    assert not published.find_class("app-marking")
    assert "INTERNAL" not in published.text_content()
