"""The committee paper as a Word document (committee management systems take Word): the same cover, area
sections and closing summary as the HTML/PDF report, built from the same view.

Headings use Word's own Heading styles (so the navigation pane, a table of contents and screen readers see
them); tables carry a caption and repeat their header row; charts are PNGs with their alt text in the
picture's description (wp:docPr/@descr). The marking of an internal paper is in every page's header.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell

from .charts import Chart
from .model import KEY, AreaView, IndicatorView, ReportView, cover_sections

FONT = "Arial"
INK = RGBColor(0x0B, 0x0C, 0x0C)
MARKING_INK = RGBColor(0x94, 0x25, 0x14)
RAG_SHADING = {"green": "CCE2D8", "amber": "FFF7BF", "red": "F4CDC6"}
CHART_WIDTH = Cm(16.5)


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
    if c.meeting_date:
        doc.add_paragraph(f"{c.meeting_date.day} {c.meeting_date:%B %Y}")
    doc.add_heading(report.title, level=0)
    if report.marking:
        warning = doc.add_paragraph()
        run = warning.add_run(report.marking)
        run.bold = True
        run.font.color.rgb = MARKING_INK
    rows = [
        ["Report of", c.report_of],
        ["Portfolio", c.portfolio or ""],
        ["Wards", c.wards],
        ["Key decision", "Yes" if c.key_decision else "No"],
        ["Period", report.period_label],
        ["Version", "Internal: unsuppressed" if report.marking else "Published: small numbers suppressed"],
    ]
    _table(doc, "Report details", ["Item", "Detail"], [r for r in rows if r[1]], size=10)
    for n, section in enumerate(cover_sections(report), 1):
        doc.add_heading(f"{n}. {section.heading}", level=1)
        for text in section.paragraphs:
            doc.add_paragraph(text)
        _bullets(doc, section.items, section.ordered)
    doc.add_heading("How to read this report", level=1)
    _bullets(doc, KEY)


# --- areas --------------------------------------------------------------------------------------------------


def _scorecard_rows(area: AreaView) -> list[list[str]]:
    return [
        [i.label, i.value.text, i.target.text if i.target else "–", i.rag_text, i.trend_last_year.text,
         i.sn.value.text, i.england.value.text, i.quartile_text, i.spc_text]
        for i in area.indicators
    ]  # fmt: skip


def _indicator(doc: DocumentObject, ind: IndicatorView, chart: Chart | None) -> None:
    doc.add_heading(ind.label, level=2)
    doc.add_paragraph(ind.facts).runs[0].font.size = Pt(9)
    doc.add_paragraph(ind.narrative)
    if ind.commentary:
        p = doc.add_paragraph()
        who = f" ({ind.commentary_author})" if ind.commentary_author else ""
        p.add_run(f"Commentary{who}: ").bold = True
        p.add_run(ind.commentary)
    if ind.actions:
        doc.add_paragraph().add_run("Actions").bold = True
        _bullets(doc, [a.line for a in ind.actions])
    if chart is not None:
        _picture(doc, chart)


def _picture(doc: DocumentObject, chart: Chart) -> None:
    shape = doc.add_picture(io.BytesIO(chart.as_png()), width=CHART_WIDTH)
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", chart.alt)
    doc_pr.set("title", chart.caption)
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.LEFT
    doc.add_paragraph(chart.caption, style="Caption")


def _area(doc: DocumentObject, area: AreaView, report: ReportView, charts: dict[str, Chart]) -> None:
    heading = doc.add_heading(area.name, level=1)
    heading.paragraph_format.page_break_before = True
    doc.add_paragraph(area.narrative)
    header = ["Indicator", "Value", "Target", "RAG", "v same period last year", f"SN {report.sn_average}",
              "England", "Quartile", "SPC"]  # fmt: skip
    table = _table(doc, f"{area.name}: scorecard for {report.period_short}", header, _scorecard_rows(area))
    for row, ind in zip(table.rows[1:], area.indicators, strict=True):
        if ind.rag:
            _shade(row.cells[3], RAG_SHADING[ind.rag])
    for ind in area.with_data:
        _indicator(doc, ind, charts.get(ind.id))


def _priorities(doc: DocumentObject, report: ReportView) -> None:
    heading = doc.add_heading("Summary of achievements and priorities", level=1)
    heading.paragraph_format.page_break_before = True
    rows = [
        [
            r.area,
            "\n".join(r.achievements) or "None this period.",
            "\n".join(r.priorities) or "None this period.",
        ]
        for r in report.priorities
    ]
    _table(doc, f"Achievements and priorities by area, {report.period_short}", ["Area", "Achievements", "Priorities"],
           rows, size=9)  # fmt: skip


def write_docx(report: ReportView, charts: dict[str, Chart], path: Path) -> Path:
    doc = Document()
    _styles(doc)
    props = doc.core_properties
    props.title, props.author, props.subject = report.title, report.council, report.cover.committee
    props.comments, props.language = report.note, "en-GB"
    _page_furniture(doc, report)
    _cover(doc, report)
    for area in report.areas_with_data:
        _area(doc, area, report, charts)
    if report.areas_without_data:
        doc.add_heading("Areas without figures this period", level=1)
        _bullets(doc, [a.narrative for a in report.areas_without_data])
    _priorities(doc, report)
    doc.save(str(path))
    return path
