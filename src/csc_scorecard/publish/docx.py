"""The committee paper as a Word document (committee management systems take Word): the same cover, report in
words, summary of achievements and priorities, scorecard grid and charts appendix as the HTML/PDF report, from
the same view and the same paper.py layout.

Headings use Word's own Heading styles (so the navigation pane, a table of contents and screen readers see
them); tables carry a caption and repeat their header row; charts are PNGs with their alt text in the
picture's description (wp:docPr/@descr). The grid is a section of its own, landscape (A4, or A3 for a long
scorecard), and its sparklines are small PNGs of the report's own SVG sparklines, each with its figures in words
as its description. The marking of an internal paper is in every page's header (later sections inherit it).
"""

from __future__ import annotations

import io
from pathlib import Path

import vl_convert as vlc
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt, RGBColor
from docx.table import Table, _Cell

from .charts import Chart
from .model import NO_VALUE, Benchmark, IndicatorView, ReportView, cover_sections
from .paper import GRID_KEY, Grid, GridRow, Paper, ReportedArea, paper

FONT = "Arial"
INK = RGBColor(0x0B, 0x0C, 0x0C)
MARKING_INK = RGBColor(0x94, 0x25, 0x14)
RAG_SHADING = {"green": "CCE2D8", "amber": "FFF7BF", "red": "F4CDC6"}
CHART_WIDTH = Cm(16.5)
SPARK_SCALE = 4  # the sparkline PNG's pixels per CSS pixel: sharp when printed at 1.7 cm
PAGES = {"A4": (Cm(29.7), Cm(21)), "A3": (Cm(42), Cm(29.7))}  # landscape: width, height
GRID_COLUMNS = {  # heading: width in cm on A4 landscape (A3 stretches them)
    "Area": 2.6, "Indicator": 6.4, "Value": 1.6, "Target": 1.5, "RAG": 1.3, "Same point last year": 3.0,
    "SN": 2.6, "England": 2.6, "Trend": 2.3, "Recent figures": 2.0,
}  # fmt: skip


def _set_font(style, size: float | None = None, *, bold: bool | None = None) -> None:
    style.font.name = FONT
    style.font.color.rgb = INK
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _styles(doc: DocumentObject) -> None:
    styles = doc.styles
    _set_font(styles["Normal"], 10.5)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-GB")
    styles["Normal"].element.get_or_add_rPr().append(lang)
    for name, size in (
        ("Title", 22),
        ("Heading 1", 16),
        ("Heading 2", 13),
        ("Heading 3", 11.5),
        ("Caption", 9),
    ):
        _set_font(styles[name], size, bold=name != "Caption")


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays the document out."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _page_furniture(doc: DocumentObject, report: ReportView) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    header = section.header.paragraphs[0]
    if report.marking:
        run = header.add_run(report.marking)
        run.bold = True
        run.font.color.rgb = MARKING_INK
    else:
        header.add_run(report.council)
    footer = section.footer.paragraphs[0]
    footer.add_run(f"{report.title}    Page ")
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")


def _shade(cell: _Cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _table(
    doc: DocumentObject, caption: str, header: list[str], rows: list[list[str]], size: float = 8.5
) -> Table:
    """A captioned table whose first row repeats on every page, with the caption also in w:tblCaption."""
    doc.add_paragraph(caption, style="Caption")
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    tbl_pr = table._tbl.tblPr
    for tag, value in (("w:tblCaption", caption), ("w:tblDescription", caption)):
        element = OxmlElement(tag)
        element.set(qn("w:val"), value)
        tbl_pr.append(element)
    first = table.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    first._tr.get_or_add_trPr().append(repeat)
    for cell, text in zip(first.cells, header, strict=True):
        _cell_text(cell, text, size, bold=True)
        _shade(cell, "F3F2F1")
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            _cell_text(cell, text, size)
    return table


def _cell_text(cell: _Cell, text: str, size: float, *, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if not text:  # an empty cell stays empty, so that merging cells does not add blank lines
        return
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold


def _bullets(doc: DocumentObject, items, ordered: bool = False) -> None:
    style = "List Number" if ordered else "List Bullet"
    for item in items:
        doc.add_paragraph(item, style=style)


# --- cover --------------------------------------------------------------------------------------------------


def _cover(doc: DocumentObject, report: ReportView) -> None:
    c = report.cover
    if c.agenda_item:
        doc.add_paragraph(f"Agenda item {c.agenda_item}")
    council = doc.add_paragraph()
    council.add_run(report.council).bold = True
    doc.add_paragraph(c.committee)
    doc.add_heading(report.title, level=0)
    if report.marking:
        warning = doc.add_paragraph()
        run = warning.add_run(report.marking)
        run.bold = True
        run.font.color.rgb = MARKING_INK
    rows = [
        [
            "Date of meeting",
            f"{c.meeting_date.day} {c.meeting_date:%B %Y}" if c.meeting_date else "To be confirmed",
        ],
        ["Report of", c.report_of],
        ["Portfolio", c.portfolio or ""],
        ["Wards", c.wards],
        ["Key decision", "Yes" if c.key_decision else "No"],
        ["Period", report.period_label],
        ["Version", "Internal: unsuppressed" if report.marking else "Published: small numbers suppressed"],
    ]
    _table(doc, "Report details", ["Item", "Detail"], [r for r in rows if r[1]], size=10)
    for section in cover_sections(report):
        doc.add_heading(section.heading, level=1)
        for text in section.paragraphs:
            doc.add_paragraph(text)
        _bullets(doc, section.items, section.ordered)


# --- the report in words ------------------------------------------------------------------------------------


def _indicator(doc: DocumentObject, ind: IndicatorView, number: str) -> None:
    p = doc.add_paragraph()
    p.add_run(f"{number} {ind.label}: ").bold = True
    p.add_run(ind.narrative)
    if ind.commentary:
        p = doc.add_paragraph()
        who = f" ({ind.commentary_author})" if ind.commentary_author else ""
        p.add_run(f"Commentary{who}: ").bold = True
        p.add_run(ind.commentary)
        p.paragraph_format.left_indent = Cm(0.75)
    if ind.actions:
        p = doc.add_paragraph()
        p.add_run("Actions:").bold = True
        p.paragraph_format.left_indent = Cm(0.75)
        _bullets(doc, [a.line for a in ind.actions])


def _area(doc: DocumentObject, reported: ReportedArea) -> None:
    doc.add_heading(f"{reported.number}. {reported.area.name}", level=2)
    doc.add_paragraph(reported.area.narrative)
    for k, ind in enumerate(reported.indicators, 1):
        _indicator(doc, ind, f"{reported.number}.{k}")
    if reported.area.published:
        doc.add_paragraph().add_run(reported.area.published_heading).bold = True
        _bullets(doc, reported.area.published)


def _report(doc: DocumentObject, report: ReportView, layout: Paper) -> None:
    doc.add_heading("Report", level=1)
    doc.add_paragraph(
        "This report summarises, area by area, the key indicators of Children's Services performance for "
        f"{report.period_label}, with officers' commentary and the actions being taken. Every indicator is in "
        "the scorecard, the background paper at the end of this report."
    )
    for reported in layout.areas:
        _area(doc, reported)
    if report.areas_without_data:
        doc.add_heading("Areas without figures this period", level=2)
        _bullets(doc, [a.narrative for a in report.areas_without_data])


def _priorities(doc: DocumentObject, report: ReportView, layout: Paper) -> None:
    heading = doc.add_heading("Summary of achievements and priorities", level=1)
    heading.paragraph_format.page_break_before = True
    if not layout.priorities:
        doc.add_paragraph("No indicator stands out as an achievement or a priority this period.")
        return
    rows = []
    for r in layout.priorities:
        rows.append([r.area, ""])
        rows.append(
            ["\n".join(r.achievements) or "None this period.", "\n".join(r.priorities) or "None this period."]
        )
    table = _table(doc, f"Achievements and priorities by area, {report.period_short}", ["Achievements", "Priorities"],
                   rows, size=9)  # fmt: skip
    for row in table.rows[1::2]:  # an area's name across both columns
        merged = row.cells[0].merge(row.cells[1])
        merged.paragraphs[0].runs[0].bold = True
        _shade(merged, "F3F2F1")


# --- the scorecard grid (background paper) -------------------------------------------------------------------


def _landscape(doc: DocumentObject, page: str) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGES[page]
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Cm(1.2)


def _portrait(doc: DocumentObject) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Cm(2)


def _benchmark(bench: Benchmark) -> str:
    return (
        bench.value.text
        if bench.year is None or bench.value.value is None
        else f"{bench.value.text} ({bench.year})"
    )


def _grid_cells(row: GridRow, area: str) -> list[str]:
    ind = row.indicator
    return [
        area, ind.label, ind.value.text, ind.target.text if ind.target else NO_VALUE, ind.rag_text,
        f"{row.last_year.text} {row.last_year_change}".strip(), _benchmark(ind.sn),
        _benchmark(ind.england), row.trend, "",
    ]  # fmt: skip


def _sparkline(cell: _Cell, row: GridRow, width: Length) -> None:
    png = vlc.svg_to_png(row.sparkline.svg, scale=SPARK_SCALE)
    shape = cell.paragraphs[0].add_run().add_picture(io.BytesIO(png), width=width)
    shape._inline.docPr.set("descr", row.sparkline.description)
    shape._inline.docPr.set("title", f"{row.indicator.label}: recent figures")


def _grid(doc: DocumentObject, report: ReportView, grid: Grid) -> None:
    _landscape(doc, grid.page)
    doc.add_heading("Background paper: the scorecard", level=1)
    header = list(GRID_COLUMNS)
    header[header.index("SN")] = f"SN {report.sn_average}"
    rows = [_grid_cells(r, g.area.name if k == 0 else "") for g in grid.groups for k, r in enumerate(g.rows)]
    caption = (
        f"Children's Services performance scorecard, {report.period_label}: every indicator with figures"
    )
    table = _table(doc, caption, header, rows, size=7.5)
    stretch = 1.0 if grid.page == "A4" else 1.45
    for row in table.rows:
        for cell, cm in zip(row.cells, GRID_COLUMNS.values(), strict=True):
            cell.width = Cm(cm * stretch)
    body = table.rows[1:]
    for row, grid_row in zip(body, grid.rows, strict=True):
        if grid_row.indicator.rag:
            _shade(row.cells[4], RAG_SHADING[grid_row.indicator.rag])
        _sparkline(row.cells[-1], grid_row, Cm(1.7))
    first = 0
    for group in grid.groups:  # the area's name once, down its rows
        last = first + len(group.rows) - 1
        if last > first:
            body[first].cells[0].merge(body[last].cells[0])
        first = last + 1
    key = doc.add_paragraph()
    key.add_run("How to read the scorecard").bold = True
    for line in GRID_KEY:
        item = doc.add_paragraph(line, style="List Bullet")
        item.runs[0].font.size = Pt(7)
        item.paragraph_format.space_after = Pt(0)


# --- charts appendix ---------------------------------------------------------------------------------------------


def _picture(doc: DocumentObject, chart: Chart) -> None:
    shape = doc.add_picture(io.BytesIO(chart.as_png()), width=CHART_WIDTH)
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", chart.alt)
    doc_pr.set("title", chart.caption)
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.LEFT
    doc.add_paragraph(chart.caption, style="Caption")


def _appendix(doc: DocumentObject, charts: tuple[Chart, ...]) -> None:
    _portrait(doc)
    doc.add_heading("Appendix: charts", level=1)
    doc.add_paragraph(
        "The headline indicators over time, with the statistical neighbour and England figures where they can "
        "be compared."
    )
    for chart in charts:
        _picture(doc, chart)


def write_docx(report: ReportView, charts: dict[str, Chart], path: Path) -> Path:
    layout = paper(report, charts)
    doc = Document()
    _styles(doc)
    props = doc.core_properties
    props.title, props.author, props.subject = report.title, report.council, report.cover.committee
    props.comments, props.language = report.note, "en-GB"
    _page_furniture(doc, report)
    _cover(doc, report)
    _report(doc, report, layout)
    _priorities(doc, report, layout)
    _grid(doc, report, layout.grid)
    if layout.appendix:
        _appendix(doc, layout.appendix)
    doc.save(str(path))
    return path
