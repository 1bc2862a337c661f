"""report.html: the committee paper's shape, accessible markup (lang, alt text, th scope, captions, heading order),
escaping, suppression, and no period codes."""

from __future__ import annotations

import itertools

import lxml.html
import pytest

from csc_scorecard.judge.units import round_half_up
from csc_scorecard.publish import INTERNAL_MARKING
from csc_scorecard.publish.paper import charted, grid, reported
from publish_packs import ACTION, INJECTION, SMALL_NOTE, SUPPRESSED_ID, build_packs, period_codes, raw_points

pytestmark = pytest.mark.slow
COVER = [
    "Executive summary", "Reason for scrutiny", "Recommendations", "Background papers",
    "Resource and legal considerations", "Citizen impact", "Environmental impact", "Performance management",
    "Equality implications", "Consultation", "Contact officer",
]  # fmt: skip


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


def _text(element) -> str:
    return " ".join(element.text_content().split())


def test_language_title_and_heading_order(published):
    assert published.get("lang") == "en-GB"
    assert (
        published.findtext(".//title")
        == "Children's Services performance: Quarter 3 2016-17 – Walsall Council"
    )
    levels = [int(h.tag[1]) for h in published.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), "a heading level is skipped"


def test_the_papers_sections_in_committee_order(published, packs):
    assert [_text(h) for h in published.iter("h2")] == [
        *COVER, "Report", "Summary of achievements and priorities", "Background paper: the scorecard",
        "Appendix: charts",
    ]  # fmt: skip
    no_charts = _doc(packs.no_charts.paths["html"])
    assert [_text(h) for h in no_charts.iter("h2")][-1] == "Background paper: the scorecard"
    view = packs.published.view
    expected = [f"{n}. {a.name}" for n, a in enumerate(view.areas_with_data, 1)]
    assert [_text(h) for h in published.get_element_by_id("report").iter("h3")][: len(expected)] == expected


def test_the_cover_has_every_field(published):
    keys = [_text(k) for k in published.find_class("govuk-summary-list__key")]
    assert keys == ["Date of meeting", "Report of", "Portfolio", "Wards", "Key decision", "Period", "Version"]
    values = [_text(v) for v in published.find_class("govuk-summary-list__value")]
    assert values[:4] == [
        "To be confirmed",
        "Executive Director of Children's Services",
        "Portfolio Holder for Children's Services",
        "All",
    ]
    cover = _text(published.find_class("app-cover")[0])
    assert "Children's Services performance scorecard (scorecard.xlsx)" in cover
    assert "Presentation of the scorecard (slides.pptx)" in cover
    assert "Contact officer Performance and Intelligence Team Children's Services" in cover


def test_each_area_has_its_headline_narratives_and_nothing_has_a_period_code(packs):
    for pack in (packs.published, packs.internal, packs.no_charts):
        html = pack.paths["html"].read_text(encoding="utf-8")
        assert not period_codes(html)
        doc = lxml.html.fromstring(html)
        for number, area in enumerate(pack.view.areas_with_data, 1):
            section = _text(doc.get_element_by_id(f"area-{area.slug}"))
            assert section.startswith(f"{number}. {area.name} {area.narrative}")
            for k, ind in enumerate([i for i in area.indicators if reported(i)], 1):
                assert f"{number}.{k} {ind.label}: {' '.join(ind.narrative.split())}" in section, ind.id
            for ind in area.indicators:
                if ind.headline and ind.has_data:
                    assert ind.narrative in section
                elif not reported(ind):  # in the grid (or the spreadsheet) only
                    assert ind.narrative not in section
        body = _text(doc.get_element_by_id("report"))
        assert "Value " not in body and "SPC" not in body  # no facts lines or SPC words in the report's words
        assert not doc.get_element_by_id("report").findall(".//img")


def test_the_grid_has_a_row_and_a_sparkline_per_indicator_with_data(published, packs):
    groups = grid(packs.published.view).groups
    rows = [row.indicator for group in groups for row in group.rows]
    table = published.get_element_by_id("scorecard")
    trs = table.findall(".//tbody/tr")
    assert [tr.get("id") for tr in trs] == [f"grid-{i.id}" for i in rows]
    for tr, ind in zip(trs, rows, strict=True):
        assert _text(tr.find("th[@scope='row']")) == ind.label
        cells = [_text(td) for td in tr.findall("td")]
        assert cells[0] == ind.value.text and cells[2] == ind.rag_text
        svg = tr.find(".//svg")
        assert svg.get("role") == "img"
        assert svg.findtext("title").startswith(f"{ind.label}, recent figures: ")
    assert [_text(th) for th in table.findall(".//th[@scope='rowgroup']")] == [g.area.name for g in groups]
    assert "How to read the scorecard" in _text(table)


def test_every_image_has_alt_text_and_every_table_a_caption_and_scoped_headers(published, packs):
    images = published.findall(".//img")
    charts = [v for v in packs.published.view.indicators() if charted(v)]
    assert len(images) == len(charts) > 10
    for img, ind in zip(images, charts, strict=True):
        assert img.get("alt", "").startswith(f"Line chart of {ind.label}"), img.get("alt")
        assert img.get("src").startswith("data:image/svg+xml;base64,")
    assert not _doc(packs.no_charts.paths["html"]).findall(".//img")
    for svg in published.iter("svg"):
        assert svg.get("role") == "img" and svg.find("title") is not None
    tables = published.findall(".//table")
    assert len(tables) == 2  # achievements and priorities, the scorecard
    for table in tables:
        assert table.find("caption") is not None and table.findtext("caption").strip()
        for th in table.iter("th"):
            assert th.get("scope") in ("col", "row", "rowgroup"), lxml.html.tostring(th)


def test_text_is_escaped_not_markup(published):
    section = published.get_element_by_id("ind-re_referrals_12m_pct")
    assert INJECTION in section.text_content()
    assert not published.xpath("//a[contains(@href, 'example.com')]")


def test_suppression_and_withheld_commentary(published, internal, packs):
    # not a headline indicator: reported internally for its commentary and action, which publishing withholds
    shown = f"{round_half_up(raw_points(packs.built, SUPPRESSED_ID)['2016-17Q3'][2], 1)}"
    assert not published.xpath(f"//*[@id='ind-{SUPPRESSED_ID}']")
    inn = internal.get_element_by_id(f"ind-{SUPPRESSED_ID}").text_content()
    assert f"{shown}%" in inn and SMALL_NOTE in inn and ACTION in inn
    assert SMALL_NOTE not in published.text_content() and ACTION not in published.text_content()
    row = published.get_element_by_id(f"grid-{SUPPRESSED_ID}")
    assert [_text(td) for td in row.findall("td")][:3] == ["c", "–", "c"]
    assert shown not in _text(row)


def test_internal_marking_top_and_bottom(published, internal):
    marks = [p.text_content() for p in internal.find_class("app-marking")]
    assert marks == [INTERNAL_MARKING, INTERNAL_MARKING]
    assert not published.find_class("app-marking")
    assert "INTERNAL" not in published.text_content()
