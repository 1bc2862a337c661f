"""The board presentation (slides.pptx, 16:9): a title slide, how to read the tiles, one slide per area with
figures (a tile per indicator and the chart of the area's first indicator) and the summary of achievements and
priorities, rendered from the same view as the rest of the pack, so the figures are the view's own texts.

Every word is in a real text frame (Arial), so it can be read aloud, searched and edited; the only pictures are
the charts, with their alt text in the picture's description (p:cNvPr/@descr). Slide titles sit in the title
placeholders, so the outline and screen readers see them. Colours are the report YAML's `slides` section,
also written into the theme so shapes added later match; text on a coloured fill is white or near-black,
whichever contrasts more, so any brand colour stays readable. RAG is shown by colour and by word.
Each area's narrative, the indicators' narratives, commentary and actions are in the speaker notes. The
internal profile's marking is in every slide's footer.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.presentation import Presentation as PresentationObject
from pptx.shapes.autoshape import Shape
from pptx.shapes.shapetree import SlideShapes
from pptx.slide import Slide
from pptx.text.text import TextFrame, _Paragraph
from pptx.util import Emu, Inches, Pt

from .charts import Chart
from .model import KEY, AreaView, Benchmark, IndicatorView, ReportView, TrendView
from .report_config import SlideColours

FONT = "Arial"
INK, WHITE = "0B0C0C", "FFFFFF"
MARKING_INK = "942514"
NEUTRAL = "F3F2F1"  # the RAG badge when there is no RAG
RAG_FILLS = {"green": "00703C", "amber": "FFBF47", "red": "D4351C"}
RUN_PROPERTIES = (
    f'<a:rPr {nsdecls("a")} lang="en-GB" sz="{{size}}" b="{{bold}}" dirty="0">'
    '<a:solidFill><a:srgbClr val="{colour}"/></a:solidFill>'
    f'<a:latin typeface="{FONT}"/><a:cs typeface="{FONT}"/></a:rPr>'
)
NO_STYLE_TABLE_GRID = "{5940675A-B579-460E-94D1-54222C63F5DA}"  # PowerPoint's built-in plain grid

WIDTH, HEIGHT = 40 / 3, 7.5  # inches: PowerPoint's own 16:9 (12,192,000 by 6,858,000 EMU)
MARGIN = 0.4
TITLE_HEIGHT = 0.95
TILES_TOP, TILE_HEIGHT, TILE_GAP, TILE_WIDEST = 1.7, 2.5, 0.15, 3.0
TILES_PER_SLIDE = 6
LOWER_TOP, LOWER_HEIGHT = 4.35, 2.45  # the chart, or the tiles' narratives on a continuation slide
FOOTER_TOP, FOOTER_HEIGHT = 7.0, 0.4
SUMMARY_TOP, SUMMARY_BOTTOM = 1.55, 6.85
SUMMARY_COLUMNS = (2.4, (WIDTH - 2 * MARGIN - 2.4) / 2, (WIDTH - 2 * MARGIN - 2.4) / 2)
SUMMARY_SIZE = 11


# --- colours and text --------------------------------------------------------------------------------------


def _luminance(hex_colour: str) -> float:
    """WCAG relative luminance."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def ink_on(fill: str) -> str:
    """White or near-black text, whichever reads better on `fill`."""
    return WHITE if contrast(WHITE, fill) >= contrast(INK, fill) else INK


def text_colour(colour: str) -> str:
    """A brand colour for text on white when it passes WCAG AA for normal text, else near-black."""
    return colour if contrast(colour, WHITE) >= 4.5 else INK


def _run(paragraph: _Paragraph, text: str, size: float, *, bold: bool = False, colour: str = INK) -> None:
    """A run in Arial, British English; its properties written as one element (python-pptx's setters, one
    attribute at a time, took most of the deck's time)."""
    run = paragraph._p.add_r(text)
    run.insert(0, parse_xml(RUN_PROPERTIES.format(size=round(size * 100), bold=int(bold), colour=colour)))


def _bullet(paragraph: _Paragraph, size: float) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    indent = int(Pt(size * 1.1))
    p_pr.set("marL", str(indent))
    p_pr.set("indent", str(-indent))
    bullet = etree.SubElement(p_pr, qn("a:buChar"))
    bullet.set("char", "•")


def _write(
    frame: TextFrame,
    lines: Sequence[str],
    size: float,
    *,
    bold: bool = False,
    colour: str = INK,
    bullets: bool = False,
    align: PP_ALIGN | None = None,
) -> None:
    """Each line a paragraph of one run, replacing whatever the frame held."""
    frame.clear()
    for n, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if n == 0 else frame.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        if bullets:
            _bullet(paragraph, size)
        _run(paragraph, line, size, bold=bold, colour=colour)


def _lines(items: Sequence[str], width: float, size: float) -> int:
    """Lines the items take in a column `width` inches wide: Arial averages under half an em a character in
    English text (0.43 measured on these slides), so 0.47 errs towards more lines."""
    per_line = max(1, int(width * 72 / (size * 0.47)))
    return sum(max(1, math.ceil(len(item) / per_line)) for item in items)


def _fit(lines: Sequence[str], width: float, height: float, sizes: Sequence[float]) -> float:
    """The largest of `sizes` at which `lines` are estimated to fit the box, else the smallest: text frames do
    not shrink their text themselves until PowerPoint edits them, so the size is chosen here."""
    return next((s for s in sizes if _lines(lines, width - 0.2, s) * s * 1.3 / 72 <= height), sizes[-1])


def _frame(frame: TextFrame, margin: float = 0.05, anchor: MSO_ANCHOR = MSO_ANCHOR.TOP) -> TextFrame:
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = Inches(margin)
    frame.margin_top = frame.margin_bottom = Inches(margin * 0.6)
    return frame


def _textbox(shapes, name: str, left: float, top: float, width: float, height: float, lines: Sequence[str],
             size: float, **style) -> Shape:  # fmt: skip
    """A named text box holding `lines` (see _write for the style)."""
    box = shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    box.name = name
    _write(_frame(box.text_frame), lines, size, **style)
    return box


def _place(shape, left: float, top: float, width: float, height: float) -> None:
    shape.left, shape.top, shape.width, shape.height = (Inches(x) for x in (left, top, width, height))


def _rectangle(shapes, name: str, left: float, top: float, width: float, height: float, fill: str,
               *, line: str | None = None, shape=MSO_SHAPE.RECTANGLE):  # fmt: skip
    box = shapes.add_shape(shape, Inches(left), Inches(top), Inches(width), Inches(height))
    box.name = name
    box._element.remove(box._element.find(qn("p:style")))  # the theme's style adds a shadow in some viewers
    box.fill.solid()
    box.fill.fore_color.rgb = RGBColor.from_string(fill)
    if line is None:
        box.line.fill.background()
    else:
        box.line.color.rgb = RGBColor.from_string(line)
        box.line.width = Pt(1.25)
    return box


# --- the deck's frame: theme, titles, footers, notes ---------------------------------------------------------


def _theme(prs: PresentationObject, colours: SlideColours) -> None:
    """Arial and the council's colours in the theme, so text and shapes a presenter adds match the deck."""
    part = prs.slide_master.part.part_related_by(RT.THEME)
    theme = etree.fromstring(part.blob)
    for font in theme.iter(qn("a:majorFont"), qn("a:minorFont")):
        font.find(qn("a:latin")).set("typeface", FONT)
    scheme = theme.find(f".//{qn('a:clrScheme')}")
    for slot, colour in (("dk2", colours.primary), ("accent1", colours.primary),
                         ("accent2", colours.secondary), ("accent3", colours.accent)):  # fmt: skip
        element = scheme.find(qn(f"a:{slot}"))
        element.clear()
        etree.SubElement(element, qn("a:srgbClr")).set("val", colour)
    part.blob = etree.tostring(theme, xml_declaration=True, encoding="UTF-8", standalone=True)


def _widen_layouts(prs: PresentationObject, factor: float) -> None:
    """The default template is 4:3; stretch its master and layouts so a slide a presenter adds fits 16:9."""
    for shapes in [prs.slide_master.shapes, *(layout.shapes for layout in prs.slide_layouts)]:
        for shape in shapes:
            if shape._element.xfrm is not None:  # its own position, not one inherited from the master
                shape.left, shape.width = Emu(int(shape.left * factor)), Emu(int(shape.width * factor))


def _title(slide: Slide, text: str, colours: SlideColours) -> None:
    """The slide's title placeholder as a full-width bar in the primary colour, with the accent rule below."""
    title = slide.shapes.title
    _place(title, 0, 0, WIDTH, TITLE_HEIGHT)
    title.fill.solid()
    title.fill.fore_color.rgb = RGBColor.from_string(colours.primary)
    frame = _frame(title.text_frame, anchor=MSO_ANCHOR.MIDDLE)
    frame.margin_left = frame.margin_right = Inches(MARGIN)
    _write(frame, [text], 26, bold=True, colour=ink_on(colours.primary), align=PP_ALIGN.LEFT)
    _rectangle(slide.shapes, "Accent rule", 0, TITLE_HEIGHT, WIDTH, 0.07, colours.accent)


def _footer(slide: Slide, view: ReportView, number: int, total: int) -> None:
    _rectangle(slide.shapes, "Footer band", 0, FOOTER_TOP, WIDTH, FOOTER_HEIGHT + 0.1, WHITE)
    width = WIDTH - 2 * MARGIN - 1.6
    if view.marking:
        footer = _textbox(slide.shapes, "Footer", MARGIN, FOOTER_TOP, width, FOOTER_HEIGHT, [view.marking], 10,
                          bold=True, colour=MARKING_INK)  # fmt: skip
        _run(footer.text_frame.paragraphs[0], f"   {view.council}", 9)
    else:
        footer = _textbox(slide.shapes, "Footer", MARGIN, FOOTER_TOP, width, FOOTER_HEIGHT,
                          [f"{view.council}: {view.title}"], 9)  # fmt: skip
    count = _textbox(slide.shapes, "Slide number", MARGIN + width, FOOTER_TOP, 1.6, FOOTER_HEIGHT,
                     [f"Slide {number} of {total}"], 9, align=PP_ALIGN.RIGHT)  # fmt: skip
    for box in (footer, count):
        box.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE


def _notes(slide: Slide, paragraphs: Sequence[str]) -> None:
    _write(slide.notes_slide.notes_text_frame, [p for p in paragraphs if p], 12)


# --- title and key ------------------------------------------------------------------------------------------


def _title_slide(prs: PresentationObject, view: ReportView, colours: SlideColours) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    slide.background.fill.solid()
    slide.background.fill.fore_color.rgb = RGBColor.from_string(colours.primary)
    ink = ink_on(colours.primary)
    cover = view.cover
    heading = _textbox(slide.shapes, "Council and committee", 0.8, 0.7, WIDTH - 1.6, 1.3, [view.council], 24,
                       bold=True, colour=ink).text_frame  # fmt: skip
    lines = [cover.committee] + ([f"Agenda item {cover.agenda_item}"] if cover.agenda_item else [])
    for line in lines:
        _run(heading.add_paragraph(), line, 18, colour=ink)
    title = slide.shapes.title
    _place(title, 0.8, 2.2, WIDTH - 1.6, 1.6)
    _write(_frame(title.text_frame, anchor=MSO_ANCHOR.MIDDLE), [view.title], 36, bold=True, colour=ink,
           align=PP_ALIGN.LEFT)  # fmt: skip
    subtitle = slide.placeholders[1]
    _place(subtitle, 0.8, 3.95, WIDTH - 1.6, 1.2)
    when = cover.meeting_date or view.generated
    date = f"{'Meeting of' if cover.meeting_date else 'Prepared'} {when.day} {when:%B %Y}"
    _write(_frame(subtitle.text_frame), [view.period_label, date], 18, colour=ink, align=PP_ALIGN.LEFT)
    if view.marking:
        box = _rectangle(slide.shapes, "Marking", 0.8, 5.5, WIDTH - 1.6, 0.6, WHITE, line=MARKING_INK)
        _write(_frame(box.text_frame, anchor=MSO_ANCHOR.MIDDLE), [view.marking], 16, bold=True,
               colour=MARKING_INK, align=PP_ALIGN.LEFT)  # fmt: skip
    _notes(slide, view.executive_summary)


def _key_slide(prs: PresentationObject, view: ReportView, colours: SlideColours) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    _title(slide, "How to read these slides", colours)
    tiles = (
        f"Each tile is one indicator for {view.period_short}: its value; its RAG rating, in colour and in words; "
        "the change on the same period last year (arrow and words); the statistical neighbour "
        f"{view.sn_average} and England, each with its year. Every figure and chart is in the report and the "
        "scorecard."
    )
    frame = _textbox(slide.shapes, "Key", MARGIN, 1.3, WIDTH - 2 * MARGIN, 5.5, [view.note, tiles, *KEY], 14,
                     bullets=True).text_frame  # fmt: skip
    frame.paragraphs[0].runs[0].font.bold = True
    for paragraph in frame.paragraphs:
        paragraph.space_after = Pt(8)


# --- areas --------------------------------------------------------------------------------------------------


def trend_line(trend: TrendView) -> str:
    """'v last year: ↓ improving' (the same point last year), or 'v last year: –' when withheld or not comparable."""
    return f"v last year: {trend.text}"


def benchmark_line(benchmark: Benchmark) -> str:
    """'SN mean 2016-17: 21.4%', 'England 2016-17: 21.9%'."""
    name = f"{benchmark.name} {benchmark.year}" if benchmark.year else benchmark.name
    return f"{name}: {benchmark.value.text}"


def tile_lines(ind: IndicatorView) -> list[str]:
    """The tile's smaller lines: the target, the trend on last year, statistical neighbours and England."""
    target = f"Target: {ind.target.text}" if ind.target else "No local target"
    return [target, trend_line(ind.trend_last_year), benchmark_line(ind.sn), benchmark_line(ind.england)]


def _tile(
    shapes: SlideShapes, ind: IndicatorView, left: float, tile_width: float, colours: SlideColours
) -> None:
    """One indicator as a group: its label, value, RAG badge and the lines of tile_lines(), in reading order."""
    top, pad, width = TILES_TOP, 0.06, tile_width - 0.12
    box = _rectangle(shapes, "Tile box", left, top, tile_width, TILE_HEIGHT, WHITE, line=colours.secondary)
    size = _fit([ind.label], width, 0.7, (10, 9))
    label = _textbox(shapes, "Label", left + pad, top + 0.05, width, 0.7, [ind.label], size, bold=True)
    value = _textbox(shapes, "Value", left + pad, top + 0.75, width, 0.45, [ind.value.text], 24, bold=True,
                     colour=text_colour(colours.primary))  # fmt: skip
    fill = RAG_FILLS.get(ind.rag or "", NEUTRAL)
    badge = _rectangle(shapes, "RAG", left + pad + 0.05, top + 1.24, width - 0.1, 0.28, fill,
                       shape=MSO_SHAPE.ROUNDED_RECTANGLE)  # fmt: skip
    _write(_frame(badge.text_frame, anchor=MSO_ANCHOR.MIDDLE), [f"RAG: {ind.rag_text}"], 10, bold=True,
           colour=ink_on(fill), align=PP_ALIGN.CENTER)  # fmt: skip
    lines = tile_lines(ind)
    details = _textbox(
        shapes, "Details", left + pad, top + 1.56, width, 0.92, lines, _fit(lines, width, 0.92, (10, 9))
    )
    # grouped once all are drawn: a group recomputes its extent on every shape added to it
    group = shapes.add_group_shape([box, label, value, badge, details])
    group.name = f"Tile: {ind.id}"


def _tiles(slide: Slide, indicators: Sequence[IndicatorView], colours: SlideColours) -> None:
    """One row across the slide: as wide as six tiles allow, or wider (up to TILE_WIDEST) when there are fewer."""
    n = len(indicators)
    tile_width = min(TILE_WIDEST, (WIDTH - 2 * MARGIN - (n - 1) * TILE_GAP) / n)
    for column, ind in enumerate(indicators):
        _tile(slide.shapes, ind, MARGIN + column * (tile_width + TILE_GAP), tile_width, colours)


def _chart(slide: Slide, ind: IndicatorView, chart: Chart, colours: SlideColours) -> None:
    picture = slide.shapes.add_picture(
        io.BytesIO(chart.as_png()), Inches(MARGIN), Inches(LOWER_TOP), height=Inches(LOWER_HEIGHT)
    )
    picture.name = f"Chart: {ind.id}"
    c_nv_pr = picture._element.nvPicPr.cNvPr
    c_nv_pr.set("descr", chart.alt)
    c_nv_pr.set("title", chart.caption)
    left = MARGIN + picture.width / Inches(1) + 0.3
    _rectangle(slide.shapes, "Caption rule", left, LOWER_TOP, 0.06, LOWER_HEIGHT, colours.secondary)
    width, lines = WIDTH - MARGIN - left - 0.15, [chart.caption, ind.narrative]
    frame = _textbox(slide.shapes, "Chart caption", left + 0.15, LOWER_TOP, width, LOWER_HEIGHT, lines,
                     _fit(lines, width, LOWER_HEIGHT - 0.1, (12, 11, 10, 9))).text_frame  # fmt: skip
    frame.paragraphs[0].runs[0].font.bold = True
    frame.paragraphs[0].space_after = Pt(6)


def area_pages(area: AreaView) -> list[tuple[IndicatorView, ...]]:
    """The tiles on each of an area's slides, at most six a slide, shared out evenly (seven are four and three,
    not six and one), the first slide taking any extra."""
    shown = area.with_data
    slides = max(1, math.ceil(len(shown) / TILES_PER_SLIDE))
    size, extra = divmod(len(shown), slides)
    pages, start = [], 0
    for n in range(slides):
        end = start + size + (n < extra)
        pages.append(shown[start:end])
        start = end
    return pages


def _narratives(slide: Slide, indicators: Sequence[IndicatorView]) -> None:
    """A continuation slide's lower half: what each of its tiles' figures says, in the view's words."""
    lines, width = [ind.narrative for ind in indicators], WIDTH - 2 * MARGIN
    size = _fit(lines, width - 0.2, LOWER_HEIGHT - 0.1, (12, 11, 10, 9))  # less the bullets' indent
    frame = _textbox(slide.shapes, "Narratives", MARGIN, LOWER_TOP, width, LOWER_HEIGHT, lines, size,
                     bullets=True).text_frame  # fmt: skip
    for paragraph in frame.paragraphs:
        paragraph.space_after = Pt(3)


def _indicator_notes(ind: IndicatorView) -> list[str]:
    notes = [ind.narrative]
    if ind.commentary:
        who = f" ({ind.commentary_author})" if ind.commentary_author else ""
        notes.append(f"Commentary{who}: {ind.commentary}")
    notes += [f"Action: {a.line}" for a in ind.actions]
    return notes


def _area_slides(
    prs: PresentationObject, area: AreaView, charts: dict[str, Chart], colours: SlideColours
) -> None:
    for n, tiles in enumerate(area_pages(area)):
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        _title(slide, area.name if n == 0 else f"{area.name} (continued)", colours)
        notes = [area.narrative] if n == 0 else []
        if n == 0:
            width, lines = WIDTH - 2 * MARGIN, [area.narrative]
            _textbox(slide.shapes, "Area summary", MARGIN, 1.08, width, 0.55, lines,
                     _fit(lines, width, 0.55, (12, 11, 10, 9)))  # fmt: skip
        _tiles(slide, tiles, colours)
        if n > 0:
            _narratives(slide, tiles)
        elif (charted := next((i for i in area.with_data if i.id in charts), None)) is not None:
            _chart(slide, charted, charts[charted.id], colours)
        for ind in tiles:
            notes += _indicator_notes(ind)
        _notes(slide, notes)


# --- summary of achievements and priorities ---------------------------------------------------------------


SummaryRow = tuple[str, tuple[str, ...], tuple[str, ...]]  # area, achievements, priorities


def _row_height(row: SummaryRow) -> float:
    """Estimated, so rows can be shared out between slides; PowerPoint grows a row to fit its text anyway."""
    area, achievements, priorities = row
    area_width, column, _ = (width - 0.35 for width in SUMMARY_COLUMNS)  # less margins and bullet indent
    spanned = column * 2 + 0.35 if not priorities else column  # the closing row's text spans both columns
    lines = max(
        _lines([area], area_width, SUMMARY_SIZE),
        _lines(achievements, spanned, SUMMARY_SIZE),
        _lines(priorities, column, SUMMARY_SIZE),
    )
    return lines * SUMMARY_SIZE * 1.2 / 72 + 0.12


NONE = ("None this period.",)


def summary_rows(view: ReportView) -> list[SummaryRow]:
    rows = [(r.area, r.achievements or NONE, r.priorities or NONE) for r in view.priorities]
    if view.areas_without_data:
        rows.append(("No figures this period", tuple(a.narrative for a in view.areas_without_data), ()))
    return rows


def summary_pages(rows: Sequence[SummaryRow]) -> list[list[SummaryRow]]:
    """Rows to each summary slide, as many as fit under the heading row; a row is never split."""
    budget = SUMMARY_BOTTOM - SUMMARY_TOP - 0.4
    pages: list[list[SummaryRow]] = [[]]
    used = 0.0
    for row in rows:
        height = _row_height(row)
        if pages[-1] and used + height > budget:
            pages.append([])
            used = 0.0
        pages[-1].append(row)
        used += height
    return pages


def _cell(cell, items: Sequence[str], *, fill: str, bold: bool = False, bullets: bool = False) -> None:
    cell.fill.solid()
    cell.fill.fore_color.rgb = RGBColor.from_string(fill)
    frame = _frame(cell.text_frame, margin=0.08)
    _write(frame, items, SUMMARY_SIZE, bold=bold, colour=ink_on(fill), bullets=bullets and items != NONE)


def _summary_slide(
    prs: PresentationObject, view: ReportView, rows: Sequence[SummaryRow], first: bool, colours: SlideColours
) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    title = "Summary of achievements and priorities"
    _title(slide, title if first else f"{title} (continued)", colours)
    _textbox(slide.shapes, "Table caption", MARGIN, 1.1, WIDTH - 2 * MARGIN, 0.4,
             [f"Achievements and priorities by area, {view.period_short}"], 12, bold=True)  # fmt: skip
    frame = slide.shapes.add_table(len(rows) + 1, 3, Inches(MARGIN), Inches(SUMMARY_TOP),
                                   Inches(WIDTH - 2 * MARGIN), Inches(0.3 * (len(rows) + 1)))  # fmt: skip
    frame.name = "Achievements and priorities"
    table = frame.table
    table._tbl.tblPr.find(qn("a:tableStyleId")).text = NO_STYLE_TABLE_GRID
    table.first_row, table.horz_banding = True, False
    for column, width in zip(table.columns, SUMMARY_COLUMNS, strict=True):
        column.width = Inches(width)
    for cell, text in zip(table.rows[0].cells, ("Area", "Achievements", "Priorities"), strict=True):
        _cell(cell, [text], fill=colours.primary, bold=True)
    for row, (area, achievements, priorities) in zip(list(table.rows)[1:], rows, strict=True):
        _cell(row.cells[0], [area], fill=WHITE, bold=True)
        if priorities:
            _cell(row.cells[1], achievements, fill=WHITE, bullets=True)
            _cell(row.cells[2], priorities, fill=WHITE, bullets=True)
        else:  # areas without figures: one sentence each, across both columns
            row.cells[1].merge(row.cells[2])
            _cell(row.cells[1], achievements, fill=WHITE, bullets=True)
        row.height = Inches(0.3)  # a minimum: rows grow to fit their text


# --- the deck -----------------------------------------------------------------------------------------------


def write_pptx(view: ReportView, charts: dict[str, Chart], path: Path) -> Path:
    """The slides for `view`, in the colours of its report YAML (`view.cover.slides`)."""
    colours = view.cover.slides
    prs = Presentation()
    factor = Inches(WIDTH) / prs.slide_width
    prs.slide_width, prs.slide_height = Emu(round(Inches(WIDTH))), Inches(HEIGHT)
    _widen_layouts(prs, factor)
    _theme(prs, colours)
    props = prs.core_properties
    props.title, props.author, props.subject = view.title, view.council, view.cover.committee
    props.comments, props.language = view.note, "en-GB"
    _title_slide(prs, view, colours)
    _key_slide(prs, view, colours)
    for area in view.areas_with_data:
        _area_slides(prs, area, charts, colours)
    for n, rows in enumerate(summary_pages(summary_rows(view))):
        _summary_slide(prs, view, rows, n == 0, colours)
    total = len(prs.slides)
    for number, slide in enumerate(prs.slides, 1):
        _footer(slide, view, number, total)
    prs.save(str(path))
    return path
