"""The monthly board pack: board.xlsx, board.html, board.pdf, board.docx and board.pptx for one month, each
opening with "what changed since last month" and then every indicator's month, 12 months, year to date and
same point last year. Short, in the scrutiny pack's formats and house style, and rendered from one view
(board_view.py) so the five cannot disagree.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from docx import Document
from docx.enum.text import WD_BREAK
from pptx import Presentation
from pptx.util import Emu, Inches

from ..board import Board
from ..private_files import make_private, private_file, private_folder
from . import docx as word
from . import pptx as slides
from .board_view import BoardView, board_view, table_rows
from .html import environment, stylesheet
from .model import PROFILES, Profile, unconfirmed_free_text
from .pack import PackResult, UnconfirmedText
from .pdf import write_pdf
from .report_config import load_report_config
from .xlsx import Styles, sheet_name, write_figure, write_text

FILES = {
    "xlsx": "board.xlsx",
    "html": "board.html",
    "pdf": "board.pdf",
    "docx": "board.docx",
    "pptx": "board.pptx",
}
BOARD_CSS = """
.app-board-table { font-size: 8pt; }
.app-board__label { font-weight: normal; }
@media print { .app-board-first { break-after: page; } .app-board-table { break-inside: auto; } }
"""


def _header(view: BoardView) -> list[str]:
    return ["Indicator", *view.headings, "Target", "RAG (12 months)", "v last year", "SPC"]


def _cells(line) -> list[str]:
    return [
        *(f.text for f in line.figures), line.target.text if line.target else "–", line.rag_text,
        line.versus_last_year.text, line.spc_text,
    ]  # fmt: skip


# --- HTML and PDF ---------------------------------------------------------------------------------------------


def render_board_html(view: BoardView) -> str:
    return (
        environment()
        .get_template("board.html.j2")
        .render(
            view=view,
            css=stylesheet(view) + BOARD_CSS,  # type: ignore[arg-type]
            marking=view.marking,
            page_title=f"{view.title} – {view.council}",
            author=view.council,
            description=f"{view.title}. {view.note}",
            footer=f"{view.title}. {view.council}. Generated {view.generated.strftime('%-d %B %Y')}. {view.note}",
        )
    )


# --- Word -------------------------------------------------------------------------------------------------------


def write_board_docx(view: BoardView, path: Path) -> Path:
    doc = Document()
    word._styles(doc)
    props = doc.core_properties
    props.title, props.author, props.comments, props.language = view.title, view.council, view.note, "en-GB"
    word._page_furniture(doc, view)  # type: ignore[arg-type]
    doc.add_heading(view.title, level=0)
    doc.add_heading("What changed since last month", level=1)
    doc.add_paragraph(view.since)
    for title, texts in view.changes:
        doc.add_heading(title, level=2)
        word._bullets(doc, texts)
    if not view.changes:
        doc.add_paragraph("Nothing changed that the board's rules look for.")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_heading(f"The figures for {view.month_words}", level=1)
    word._bullets(doc, view.key)
    for area, lines in view.areas:
        table = word._table(doc, area, _header(view), [[line.label, *_cells(line)] for line in lines], size=8)
        for row, line in zip(list(table.rows)[1:], lines, strict=True):
            if line.rag:
                word._shade(row.cells[6], word.RAG_SHADING[line.rag])
    doc.save(str(path))
    return path


# --- Excel ------------------------------------------------------------------------------------------------------


def write_board_xlsx(view: BoardView, path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": view.title, "author": view.council, "comments": view.note})
    styles = Styles(wb)
    taken: set[str] = set()
    ws = wb.add_worksheet(sheet_name("What changed", taken))
    write_text(ws, 0, 0, view.title, styles, bold=True, font_size=14)
    write_text(ws, 1, 0, view.marking or view.note, styles, bold=bool(view.marking))
    write_text(ws, 2, 0, view.since, styles, italic=True)
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 120)
    row = 4
    for title, texts in view.changes:
        for text in texts:
            write_text(ws, row, 0, title, styles, bold=True)
            write_text(ws, row, 1, text, styles, text_wrap=True)
            row += 1
    ws = wb.add_worksheet(sheet_name("Figures", taken))
    header = ["Area", *_header(view)]
    write_text(ws, 0, 0, f"The figures for {view.month_words}", styles, bold=True, font_size=14)
    write_text(ws, 1, 0, view.marking or view.note, styles, bold=bool(view.marking))
    for col, (name, width) in enumerate(zip(header, (22, 48, 12, 16, 14, 14, 10, 14, 22, 20), strict=True)):
        write_text(ws, 3, col, name, styles, bold=True, bg_color="#f3f2f1", text_wrap=True)
        ws.set_column(col, col, width)
    for n, (area, line) in enumerate(table_rows(view), start=4):
        write_text(ws, n, 0, area, styles)
        write_text(ws, n, 1, line.label, styles, text_wrap=True)
        for col, figure in enumerate(line.figures, start=2):
            write_figure(ws, n, col, figure, line.unit, styles)
        if line.target:
            write_figure(ws, n, 6, line.target, line.unit, styles)
        write_text(ws, n, 7, line.rag_text, styles)
        write_text(ws, n, 8, line.versus_last_year.text, styles)
        write_text(ws, n, 9, line.spc_text, styles)
    last = 3 + len(table_rows(view))
    for word_, style in styles.rag.items():
        ws.conditional_format(
            4, 7, last, 7, {"type": "cell", "criteria": "==", "value": f'"{word_}"', "format": style}
        )
    ws.freeze_panes(4, 2)
    ws.autofilter(3, 0, last, len(header) - 1)
    wb.close()
    return path


# --- slides -----------------------------------------------------------------------------------------------------

PER_SLIDE = 12  # table rows on a figures slide


def write_board_pptx(view: BoardView, path: Path) -> Path:
    colours = view.config.slides
    prs = Presentation()
    factor = Inches(slides.WIDTH) / prs.slide_width
    prs.slide_width, prs.slide_height = Emu(round(Inches(slides.WIDTH))), Inches(slides.HEIGHT)
    slides._widen_layouts(prs, factor)
    slides._theme(prs, colours)
    props = prs.core_properties
    props.title, props.author, props.comments, props.language = view.title, view.council, view.note, "en-GB"
    texts = [f"{title}: {text}" for title, items in view.changes for text in items] or [
        "Nothing changed that the board's rules look for."
    ]
    for n in range(0, len(texts), 8):
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        slides._title(slide, "What changed since last month" + (" (continued)" if n else ""), colours)
        chunk = texts[n : n + 8]
        size = slides._fit(chunk, slides.WIDTH - 2 * slides.MARGIN, 5.5, (16, 14, 12, 11))
        slides._textbox(slide.shapes, "What changed", slides.MARGIN, 1.3, slides.WIDTH - 2 * slides.MARGIN, 5.5,
                        chunk, size, bullets=True)  # fmt: skip
        slides._notes(slide, [view.since])
    rows = table_rows(view)
    for n in range(0, len(rows), PER_SLIDE):
        chunk = rows[n : n + PER_SLIDE]
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        slides._title(slide, f"The figures for {view.month_words}" + (" (continued)" if n else ""), colours)
        frame = slide.shapes.add_table(len(chunk) + 1, 7, Inches(slides.MARGIN), Inches(1.2),
                                       Inches(slides.WIDTH - 2 * slides.MARGIN), Inches(0.3 * (len(chunk) + 1)))  # fmt: skip
        frame.name = "Figures"
        table = frame.table
        for col, width in enumerate((4.9, 1.3, 1.6, 1.3, 1.3, 1.0, 1.1)):
            table.columns[col].width = Inches(width)
        for cell, text in zip(
            table.rows[0].cells, ["Indicator", *view.headings, "Target", "RAG"], strict=True
        ):
            slides._cell(cell, [text], fill=colours.primary, bold=True)
        for row, (_, line) in zip(list(table.rows)[1:], chunk, strict=True):
            cells = [line.label, *(f.text for f in line.figures), line.target.text if line.target else "–"]
            for cell, text in zip(list(row.cells)[:6], cells, strict=True):
                slides._cell(cell, [text], fill=slides.WHITE)
            fill = slides.RAG_FILLS.get(line.rag or "", slides.NEUTRAL)
            slides._cell(row.cells[6], [line.rag_text], fill=fill, bold=bool(line.rag))
    total = len(prs.slides)
    for number, slide in enumerate(prs.slides, 1):
        slides._footer(slide, view, number, total)  # type: ignore[arg-type]
    prs.save(str(path))
    return path


# --- the pack ---------------------------------------------------------------------------------------------------


def write_board_pack(
    board: Board, out: Path, *, profile: Profile = "published", report_config: Path | None = None
) -> PackResult:
    """Write the five files for a month's board into `out` (created if needed; files are replaced)."""
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, not {profile!r}")
    config = load_report_config(report_config)
    if profile == "published" and (found := unconfirmed_free_text(board.built)):
        raise UnconfirmedText(found)
    out = private_folder(Path(out))
    view = board_view(board, profile, config=config)
    paths = {kind: private_file(out / name) for kind, name in FILES.items()}
    write_board_xlsx(view, paths["xlsx"])
    html = render_board_html(view)
    paths["html"].write_text(html, encoding="utf-8")
    write_pdf(html, paths["pdf"])
    write_board_docx(view, paths["docx"])
    write_board_pptx(view, paths["pptx"])
    make_private(*paths.values())
    return PackResult(paths)


__all__ = [
    "FILES",
    "render_board_html",
    "write_board_docx",
    "write_board_pack",
    "write_board_pptx",
    "write_board_xlsx",
]
