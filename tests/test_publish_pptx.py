"""slides.pptx re-read with python-pptx: the slides and their titles, every area with figures, tiles that say
what the view says (c for a suppressed figure, with no RAG or trend), the report YAML's colours, charts that
are the only pictures and carry alt text, the summary of achievements and priorities, notes, and the marking."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.opc.constants import RELATIONSHIP_TYPE as RT

from csc_scorecard.judge.units import round_half_up
from csc_scorecard.publish import INTERNAL_MARKING
from csc_scorecard.publish.model import IndicatorView, ReportView
from csc_scorecard.publish.paper import charted
from csc_scorecard.publish.pptx import write_pptx
from csc_scorecard.publish.report_config import load_report_config
from publish_packs import (
    INJECTION,
    SMALL_NOTE,
    SUPPRESSED_ID,
    build_packs,
    figure_token,
    hidden_figures,
    raw_points,
)

pytestmark = pytest.mark.slow
KEY_TITLE = "How to read these slides"
SUMMARY_TITLE = "Summary of achievements and priorities"
CONTINUED = " (continued)"


@pytest.fixture(scope="module")
def packs(synthetic_council, tmp_path_factory):
    return build_packs(synthetic_council, tmp_path_factory)


@pytest.fixture(scope="module")
def published(packs):
    return Presentation(str(packs.published.paths["pptx"]))


@pytest.fixture(scope="module")
def internal(packs):
    return Presentation(str(packs.internal.paths["pptx"]))


def _shapes(shapes) -> Iterator:
    """Every shape, those inside groups included."""
    for shape in shapes:
        yield shape
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from _shapes(shape.shapes)


def _texts(slide) -> list[str]:
    texts = []
    for shape in _shapes(slide.shapes):
        if shape.has_text_frame:
            texts.append(shape.text_frame.text)
        if getattr(shape, "has_table", False) and shape.has_table:
            texts += [cell.text for row in shape.table.rows for cell in row.cells]
    return texts


def _notes(slide) -> str:
    return slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""


def _all_text(prs) -> str:
    return "\n".join(t for slide in prs.slides for t in [*_texts(slide), _notes(slide)])


def _titles(prs) -> list[str]:
    return [slide.shapes.title.text for slide in prs.slides]


def _area_slides(prs, view: ReportView) -> dict[str, list]:
    """The slides of each area, by the area's name (its title, or its title and ' (continued)')."""
    names = {a.name for a in view.areas}
    slides: dict[str, list] = {}
    for slide in prs.slides:
        name = slide.shapes.title.text.removesuffix(CONTINUED)
        if name in names:
            slides.setdefault(name, []).append(slide)
    return slides


def _tiles(slide) -> dict[str, dict[str, object]]:
    """{indicator id: {part name: shape}} for the tiles (groups named 'Tile: <id>') on a slide."""
    return {
        shape.name.removeprefix("Tile: "): {part.name: part for part in shape.shapes}
        for shape in slide.shapes
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP and shape.name.startswith("Tile: ")
    }


def _all_tiles(prs) -> dict[str, dict[str, object]]:
    return {k: v for slide in prs.slides for k, v in _tiles(slide).items()}


def _fill(shape) -> str:
    return str(shape.fill.fore_color.rgb)


def _expected_details(ind: IndicatorView) -> list[str]:
    def bench(b) -> str:
        return f"{b.name} {b.year}: {b.value.text}" if b.year else f"{b.name}: {b.value.text}"

    trend = ind.trend_last_year
    return [
        f"Target: {ind.target.text}" if ind.target else "No local target",
        f"v last year: {trend.text}",
        bench(ind.sn),
        bench(ind.england),
    ]


def test_slides_titles_and_an_area_slide_for_every_area_with_figures(published, packs):
    view = packs.published.view
    titles = _titles(published)
    assert titles[:2] == [view.title, KEY_TITLE]
    summary = [t for t in titles if t.startswith(SUMMARY_TITLE)]
    assert summary[0] == SUMMARY_TITLE and all(t == SUMMARY_TITLE + CONTINUED for t in summary[1:])
    assert titles[-len(summary) :] == summary
    area_titles = titles[2 : -len(summary)]
    assert list(dict.fromkeys(t.removesuffix(CONTINUED) for t in area_titles)) == [
        a.name for a in view.areas_with_data
    ]
    assert view.areas_without_data, "the synthetic council has areas with no figures; they get no slide"
    assert not {a.name for a in view.areas_without_data} & {t.removesuffix(CONTINUED) for t in area_titles}
    assert len(published.slides) == 2 + len(area_titles) + len(summary)
    assert (published.slide_width, published.slide_height) == (12_192_000, 6_858_000)  # 16:9


def test_each_area_shows_every_indicator_with_figures_once_in_order(published, packs):
    view = packs.published.view
    slides = _area_slides(published, view)
    for area in view.areas_with_data:
        on_slides = [list(_tiles(s)) for s in slides[area.name]]
        assert [i for ids in on_slides for i in ids] == [i.id for i in area.with_data], area.name
        assert all(1 <= len(ids) <= 6 for ids in on_slides)
        assert max(map(len, on_slides)) - min(map(len, on_slides)) <= 1  # shared out evenly
        assert slides[area.name][0].shapes.title.text == area.name
        summary = next(s for s in slides[area.name][0].shapes if s.name == "Area summary")
        assert summary.text_frame.text == area.narrative


def test_tiles_say_what_the_view_says(published, packs):
    tiles = _all_tiles(published)
    rags = set()
    for ind in (i for a in packs.published.view.areas_with_data for i in a.with_data):
        tile = tiles[ind.id]
        assert tile["Label"].text_frame.text == ind.label
        assert tile["Value"].text_frame.text == ind.value.text
        assert tile["RAG"].text_frame.text == f"RAG: {ind.rag_text}"
        assert tile["Details"].text_frame.text.split("\n") == _expected_details(ind)
        rags.add(ind.rag)
    assert {"green", "red", None} <= rags  # the example targets rate some indicators
    # DfE's published 2016-17 re-referral figures: England 21.9%, the April 2021 neighbours' mean 21.39%
    assert tiles["re_referrals_12m_pct"]["Details"].text_frame.text.split("\n")[2:] == [
        "SN mean 2016-17: 21.4%",
        "England 2016-17: 21.9%",
    ]


def test_rag_is_shown_by_colour_and_by_word(packs, tmp_path):
    """Every RAG status on one slide (the synthetic council has no amber, so one tile is made amber)."""
    view = packs.published.view
    area = view.areas_with_data[0]
    statuses = ("green", "amber", "red", None)
    indicators = tuple(replace(i, rag=rag) for i, rag in zip(area.with_data, statuses, strict=False))
    one_area = replace(view, areas=(replace(area, indicators=indicators),))
    prs = Presentation(str(write_pptx(one_area, {}, tmp_path / "rag.pptx")))
    badges = {rag: _tiles(prs.slides[2])[i.id]["RAG"] for i, rag in zip(indicators, statuses, strict=True)}
    words = {rag: badge.text_frame.text for rag, badge in badges.items()}
    assert words == {"green": "RAG: Green", "amber": "RAG: Amber", "red": "RAG: Red", None: "RAG: –"}
    assert {rag: _fill(badge) for rag, badge in badges.items()} == {
        "green": "00703C", "amber": "FFBF47", "red": "D4351C", None: "F3F2F1",
    }  # fmt: skip
    # white on green and red, near-black on amber and grey: the word is readable on its colour
    ink = {rag: str(b.text_frame.paragraphs[0].runs[0].font.color.rgb) for rag, b in badges.items()}
    assert ink == {"green": "FFFFFF", "amber": "0B0C0C", "red": "FFFFFF", None: "0B0C0C"}


def test_a_suppressed_figure_is_c_with_no_rag_or_trend(published, internal, packs):
    pub = _all_tiles(published)[SUPPRESSED_ID]
    assert pub["Value"].text_frame.text == "c"
    assert pub["RAG"].text_frame.text == "RAG: c"
    assert _fill(pub["RAG"]) == "F3F2F1"  # no RAG colour either
    assert pub["Details"].text_frame.text.split("\n")[1] == "v last year: –"
    inn = _all_tiles(internal)[SUPPRESSED_ID]
    shown = next(i for i in packs.internal.view.indicators() if i.id == SUPPRESSED_ID)
    value = raw_points(packs.built, SUPPRESSED_ID)["2016-17Q3"][2]
    assert inn["Value"].text_frame.text == shown.value.text == f"{round_half_up(value, 1)}%"
    assert inn["RAG"].text_frame.text == f"RAG: {shown.rag_text}" != "RAG: c"


def test_nothing_suppressed_is_shown_or_spoken(published, internal, packs):
    """The wording rules of the other files, on every slide and in the speaker notes."""
    pub, inn = _all_text(published), _all_text(internal)
    label = next(v.label for v in packs.published.view.indicators() if v.id == SUPPRESSED_ID)
    assert f"{label}: the figure in April to December 2016 is not shown (c)" in pub
    said = f"{label} were {round_half_up(raw_points(packs.built, SUPPRESSED_ID)['2016-17Q3'][2], 1)}%"
    assert said in inn and said not in pub
    assert SMALL_NOTE in inn and SMALL_NOTE not in pub
    assert INJECTION in pub  # commentary in the notes is literal text
    checked = 0
    hidden = hidden_figures(packs)
    for slide in published.slides:
        said = {
            i: [t[part].text_frame.text for part in ("Value", "RAG", "Details")]
            for i, t in _tiles(slide).items()
        }
        for shape in slide.shapes:
            if shape.name.startswith("Chart: "):  # the chart's caption and narrative speak for its indicator
                caption = next(s for s in slide.shapes if s.name == "Chart caption")
                said[shape.name.removeprefix("Chart: ")].append(caption.text_frame.text)
        for indicator_id, texts in said.items():
            for figure in hidden[indicator_id]:
                checked += 1
                assert not any(figure_token(figure).search(t) for t in texts), (indicator_id, figure, texts)
    assert checked >= 5
    assert "INTERNAL" not in pub


def test_notes_carry_each_areas_narratives_commentary_and_actions(published, packs):
    view = packs.published.view
    slides = _area_slides(published, view)
    for area in view.areas_with_data:
        notes = "\n".join(_notes(s) for s in slides[area.name])
        assert notes.startswith(area.narrative)
        for ind in area.with_data:
            assert ind.narrative in notes
            if ind.commentary:
                assert ind.commentary in notes
            for action in ind.actions:
                assert f"Action: {action.line}" in notes
    assert _notes(published.slides[0]) == "\n".join(view.executive_summary)


def test_the_only_pictures_are_charts_with_alt_text(published, internal, packs):
    view = packs.published.view
    slides = _area_slides(published, view)
    pictured = 0
    for area in view.areas_with_data:
        first = next(
            (i for i in area.with_data if charted(i)), None
        )  # the appendix's charts are the headline
        pictures = [s for s in _shapes(slides[area.name][0].shapes) if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert [p.name for p in pictures] == ([f"Chart: {first.id}"] if first else []), area.name
        for picture in pictures:
            pictured += 1
            c_nv_pr = picture._element.nvPicPr.cNvPr
            assert c_nv_pr.get("descr").startswith(f"Line chart of {first.label} for Walsall")
            assert c_nv_pr.get("title").startswith(first.label)
            assert picture.image.content_type == "image/png"
    assert pictured >= 5
    for prs in (published, internal):
        pictures = [
            s for slide in prs.slides for s in _shapes(slide.shapes) if s.shape_type == MSO_SHAPE_TYPE.PICTURE
        ]
        assert pictures and all(p.name.startswith("Chart: ") for p in pictures)
        images = [r for slide in prs.slides for r in slide.part.rels.values() if r.reltype == RT.IMAGE]
        assert len(images) == len(pictures)  # no picture hidden in a background either
        for master_or_layout in [prs.slide_master, *prs.slide_layouts]:
            assert not [s for s in master_or_layout.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def test_text_is_real_text_in_arial(published):
    fonts = set()
    for slide in published.slides:
        frames = [s.text_frame for s in _shapes(slide.shapes) if s.has_text_frame]
        frames += [c.text_frame for s in slide.shapes if getattr(s, "has_table", False) and s.has_table
                   for r in s.table.rows for c in r.cells]  # fmt: skip
        if slide.has_notes_slide:
            frames.append(slide.notes_slide.notes_text_frame)
        fonts |= {run.font.name for f in frames for p in f.paragraphs for run in p.runs}
    assert fonts == {"Arial"}
    theme = etree.fromstring(published.slide_master.part.part_related_by(RT.THEME).blob)
    ns = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
    assert theme.xpath(
        "//a:majorFont/a:latin/@typeface | //a:minorFont/a:latin/@typeface", namespaces=ns
    ) == [
        "Arial",
        "Arial",
    ]
    assert published.core_properties.language == "en-GB"


def test_the_summary_lists_achievements_and_priorities(published, packs):
    view = packs.published.view
    rows = {}
    for slide in published.slides:
        if slide.shapes.title.text.startswith(SUMMARY_TITLE):
            table = next(s for s in slide.shapes if getattr(s, "has_table", False) and s.has_table).table
            assert [c.text for c in table.rows[0].cells] == ["Area", "Achievements", "Priorities"]
            for row in list(table.rows)[1:]:
                cells = [[p.text for p in c.text_frame.paragraphs] for c in row.cells]
                rows[cells[0][0]] = cells[1:]
    for r in view.priorities:
        assert rows[r.area] == [list(r.achievements or ["None this period."]),
                                list(r.priorities or ["None this period."])]  # fmt: skip
    assert any(r.achievements for r in view.priorities) and any(r.priorities for r in view.priorities)
    no_figures = rows.pop("No figures this period")
    assert no_figures[0] == [a.narrative for a in view.areas_without_data]
    assert list(rows) == [r.area for r in view.priorities]


def test_the_internal_marking_is_on_every_slide(internal, published, packs):
    for number, slide in enumerate(internal.slides, 1):
        footer = next(s for s in slide.shapes if s.name == "Footer")
        assert footer.text_frame.text.startswith(INTERNAL_MARKING), number
        number_box = next(s for s in slide.shapes if s.name == "Slide number")
        assert number_box.text_frame.text == f"Slide {number} of {len(internal.slides)}"
    title_slide = {s.name: s for s in internal.slides[0].shapes}
    assert title_slide["Marking"].text_frame.text == INTERNAL_MARKING
    for slide in published.slides:
        footer = next(s for s in slide.shapes if s.name == "Footer")
        assert footer.text_frame.text == f"Walsall Council: {packs.published.view.title}"


def _colours(prs):
    """(title slide background, title bar, title text, accent rule, tile outline, value text)."""
    first_area = prs.slides[2]
    bar = first_area.shapes.title
    rule = next(s for s in first_area.shapes if s.name == "Accent rule")
    tile = next(iter(_tiles(first_area).values()))
    return (
        str(prs.slides[0].background.fill.fore_color.rgb),
        _fill(bar),
        str(bar.text_frame.paragraphs[0].runs[0].font.color.rgb),
        _fill(rule),
        str(tile["Tile box"].line.color.rgb),
        str(tile["Value"].text_frame.paragraphs[0].runs[0].font.color.rgb),
    )


@pytest.mark.parametrize(
    ("slides", "expected"),
    [
        # a dark primary: white titles, values in the primary colour
        ({"primary": "#0A5C36", "secondary": "#336699", "accent": "e4a11b"},
         ("0A5C36", "0A5C36", "FFFFFF", "E4A11B", "336699", "0A5C36")),
        # a light primary: near-black titles and values, so the text stays readable
        ({"primary": "#FFDD00", "secondary": "#005EA5", "accent": "#B10E1E"},
         ("FFDD00", "FFDD00", "0B0C0C", "B10E1E", "005EA5", "0B0C0C")),
    ],
)  # fmt: skip
def test_the_report_yamls_colours_are_applied(packs, tmp_path, slides, expected):
    yaml = tmp_path / "report.yaml"
    yaml.write_text("slides:\n" + "".join(f'  {k}: "{v}"\n' for k, v in slides.items()), encoding="utf-8")
    colours = load_report_config(yaml).slides
    view = packs.published.view
    path = write_pptx(
        replace(view, cover=view.cover.model_copy(update={"slides": colours})), {}, tmp_path / "s.pptx"
    )
    prs = Presentation(str(path))
    assert _colours(prs) == expected
    theme = etree.fromstring(prs.slide_master.part.part_related_by(RT.THEME).blob)
    ns = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
    scheme = {slot: theme.xpath(f"//a:clrScheme/a:{slot}/a:srgbClr/@val", namespaces=ns)[0]
              for slot in ("accent1", "accent2", "accent3")}  # fmt: skip
    assert scheme == {"accent1": expected[0], "accent2": expected[4], "accent3": expected[3]}


def test_default_colours_are_the_councils_own_not_govuk(published):
    assert _colours(published)[:2] == ("1F3A5F", "1F3A5F")


def test_an_area_without_a_chart_still_gets_its_slide(packs, tmp_path: Path):
    view = packs.published.view
    path = write_pptx(view, {}, tmp_path / "no-charts.pptx")
    prs = Presentation(str(path))
    assert _titles(prs) == _titles(Presentation(str(packs.published.paths["pptx"])))
    assert not [
        s for slide in prs.slides for s in _shapes(slide.shapes) if s.shape_type == MSO_SHAPE_TYPE.PICTURE
    ]
