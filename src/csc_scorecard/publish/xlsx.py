"""The scorecard workbook: a summary sheet, then one sheet per area with a row per indicator.

Numbers are written as numbers (rounded as published, formatted per unit) so that analysts can filter and
sort; a suppressed figure is the text `c`. Every text cell goes through `write_text`: XlsxWriter's write_string
never makes a formula, and text that starts like one (=, +, -, @, tab, CR) also gets Excel's quote prefix (the
"leading apostrophe"), so editing the cell or saving the sheet as CSV cannot turn it into one either.
openpyxl drops sparklines, so this file is written once, here, and never round-tripped.
"""

from __future__ import annotations

import re
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.workbook import Format, Workbook
from xlsxwriter.worksheet import Worksheet

from ..judge.units import DECIMALS
from .model import KEY, AreaView, Figure, IndicatorView, ReportView

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def number_format(unit: str) -> str:
    """Excel format showing a value at its unit's precision: 21.7 is written as 21.7 and shown as 21.7%."""
    dp = DECIMALS[unit]
    digits = "#,##0" + ("." + "0" * dp if dp else "")
    return '0.0"%"' if unit == "percent" else digits


RAG_FILLS = {"Green": ("#cce2d8", "#005a30"), "Amber": ("#fff7bf", "#594d00"), "Red": ("#f4cdc6", "#942514")}
HEADER_ROW = 4  # 0-based: title, marking/note, narrative, blank, header
FONT = "Arial"
BASE = {"font_name": FONT, "font_size": 10, "valign": "top"}


def needs_quote_prefix(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: at most 31 characters, none of []:*?/\\ and not quoted."""
    base = re.sub(r"[\[\]:*?/\\]", "-", name).strip("'")[:31] or "Sheet"
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


class Styles:
    """Formats are workbook-wide objects; made once and shared by every sheet."""

    def __init__(self, wb: Workbook):
        self._wb = wb
        self._cache: dict[tuple, Format] = {}
        self.title = self.get(bold=True, font_size=14)
        self.marking = self.get(bold=True, font_color="#942514", bg_color="#f4cdc6")
        self.note = self.get(italic=True)
        self.header = self.get(bold=True, bg_color="#f3f2f1", bottom=2, text_wrap=True)
        self.wrap = self.get(text_wrap=True)
        # conditional formats take only fill, font colour and weight (a differential format, not a cell style)
        self.rag = {
            word: wb.add_format({"bg_color": fill, "font_color": ink, "bold": True})
            for word, (fill, ink) in RAG_FILLS.items()
        }

    def get(self, **props) -> Format:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self._wb.add_format({**BASE, **props})
        return self._cache[key]

    def text(self, text: str, **props) -> Format:
        return self.get(**props, quote_prefix=True) if needs_quote_prefix(text) else self.get(**props)


def write_text(ws: Worksheet, row: int, col: int, text: str | None, styles: Styles, **props) -> None:
    """Text as a string cell, never a formula (see the module docstring)."""
    if text is None or text == "":
        ws.write_blank(row, col, None, styles.get(**props))
        return
    ws.write_string(row, col, text, styles.text(text, **props))


def write_figure(ws: Worksheet, row: int, col: int, fig: Figure, unit: str, styles: Styles) -> None:
    if fig.value is not None:
        ws.write_number(row, col, fig.value, styles.get(num_format=number_format(unit)))
    elif fig.suppressed:
        ws.write_string(row, col, fig.text, styles.get(align="right"))
    else:
        ws.write_blank(row, col, None, styles.get())


def _print_setup(ws: Worksheet, report: ReportView, last_col: int, last_row: int, repeat: int | None) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    ws.print_area(0, 0, last_row, last_col)
    if repeat is not None:
        ws.repeat_rows(repeat)
    marking = report.marking or ""
    header = f'&L&"{FONT},Bold"{_escape(marking)}' if marking else ""
    ws.set_header(header + f'&R&"{FONT},Regular"{_escape(report.council)}')
    ws.set_footer(f'&L&"{FONT},Regular"{_escape(report.title)}&RPage &P of &N')


def _escape(text: str) -> str:
    return text.replace("&", "&&")


def _heading(
    ws: Worksheet, report: ReportView, styles: Styles, title: str, narrative: str | None, width: int
) -> None:
    write_text(ws, 0, 0, title, styles, bold=True, font_size=14)
    if report.marking:
        ws.merge_range(1, 0, 1, width, "", styles.marking)
        write_text(ws, 1, 0, report.marking, styles, bold=True, font_color="#942514", bg_color="#f4cdc6")
    else:
        write_text(ws, 1, 0, report.note, styles, italic=True)
    if narrative:
        ws.merge_range(2, 0, 2, width, "", styles.wrap)
        write_text(ws, 2, 0, narrative, styles, text_wrap=True)
        ws.set_row(2, 30)


# --- summary ----------------------------------------------------------------------------------------------

SUMMARY_COLUMNS = (
    ("Area", 24), ("Indicators", 10), ("Green", 8), ("Amber", 8), ("Red", 8), ("Not rated", 10), ("Summary", 90),
)  # fmt: skip


def write_summary(wb: Workbook, report: ReportView, styles: Styles, names: dict[str, str]) -> None:
    ws = wb.add_worksheet("Summary")
    last = len(SUMMARY_COLUMNS) - 1
    _heading(
        ws,
        report,
        styles,
        f"{report.council}: Children's Services scorecard, {report.period_short}",
        None,
        last,
    )
    write_text(ws, 2, 0, f"{report.period_label}. Generated {report.generated:%d %B %Y}.", styles)
    for c, (name, width) in enumerate(SUMMARY_COLUMNS):
        write_text(ws, HEADER_ROW, c, name, styles, bold=True, bg_color="#f3f2f1", bottom=2, text_wrap=True)
        ws.set_column(c, c, width)
    row = HEADER_ROW
    for area in report.areas:
        row += 1
        ws.write_url(row, 0, f"internal:'{names[area.name]}'!A1", styles.get(font_color="#1d70b8", underline=1),
                     string=area.name)  # fmt: skip
        for c, n in enumerate((len(area.indicators), area.green, area.amber, area.red, area.not_rated), 1):
            ws.write_number(row, c, n, styles.get(num_format="0"))
        write_text(ws, row, 6, area.narrative, styles, text_wrap=True)
    _key(ws, report, styles, row + 2)
    ws.freeze_panes(HEADER_ROW + 1, 1)
    ws.autofilter(HEADER_ROW, 0, row, last)
    _print_setup(ws, report, last, row + 12, HEADER_ROW)
    ws.activate()


def _key(ws: Worksheet, report: ReportView, styles: Styles, row: int) -> None:
    lines = ["How to read this scorecard", *KEY]
    for i, line in enumerate(lines):
        write_text(ws, row + i, 0, line, styles, bold=i == 0)


# --- one area ---------------------------------------------------------------------------------------------


def area_columns(report: ReportView) -> list[tuple[str, int]]:
    sn = f"SN {report.sn_average}"
    return [
        ("Indicator", 42), ("Unit", 11), ("Polarity", 14), ("Value", 10), ("Numerator", 10), ("Denominator", 11),
        ("Target", 9), ("RAG", 8), *((label, 13) for label in report.recent_labels), ("Trend", 14),
        ("v previous period", 16), ("v same period last year", 18), (sn, 10), ("England", 10),
        ("Benchmark year", 11), ("Quartile", 9), ("SPC variation", 18), ("SPC assurance", 18),
        ("Commentary", 50), ("Narrative", 70),
    ]  # fmt: skip


def write_area(wb: Workbook, name: str, area: AreaView, report: ReportView, styles: Styles) -> None:
    ws = wb.add_worksheet(name)
    columns = area_columns(report)
    last_col = len(columns) - 1
    first_recent = 8
    n_recent = len(report.recent_periods)
    trend_col = first_recent + n_recent
    data_col = last_col + 2  # hidden copy of the recent values with gaps, for the sparklines
    _heading(ws, report, styles, f"{area.name}: {report.period_short}", area.narrative, last_col)
    for c, (title, width) in enumerate(columns):
        write_text(ws, HEADER_ROW, c, title, styles, bold=True, bg_color="#f3f2f1", bottom=2, text_wrap=True)
        ws.set_column(c, c, width)
    ws.set_row(HEADER_ROW, 30)
    ws.set_column(data_col, data_col + n_recent - 1, 8, None, {"hidden": True})
    row = HEADER_ROW
    for ind in area.indicators:
        row += 1
        _indicator_row(ws, row, ind, report, styles, first_recent, data_col)
        if n_recent:
            first, last = xl_rowcol_to_cell(row, data_col), xl_rowcol_to_cell(row, data_col + n_recent - 1)
            ws.add_sparkline(
                row, trend_col,
                {"range": f"'{name}'!{first}:{last}", "markers": True, "show_hidden": True,
                 "empty_cells": "gaps", "series_color": "#1d70b8"},
            )  # fmt: skip
    _rag_formats(ws, row, columns, styles)
    ws.freeze_panes(HEADER_ROW + 1, 1)
    ws.autofilter(HEADER_ROW, 0, row, last_col)
    _print_setup(ws, report, last_col, row, HEADER_ROW)


def _indicator_row(
    ws: Worksheet,
    row: int,
    ind: IndicatorView,
    report: ReportView,
    styles: Styles,
    first_recent: int,
    data_col: int,
) -> None:
    write_text(ws, row, 0, ind.label, styles, text_wrap=True)
    write_text(ws, row, 1, ind.unit_label, styles)
    write_text(ws, row, 2, ind.polarity_text, styles, text_wrap=True)
    write_figure(ws, row, 3, ind.value, ind.unit, styles)
    write_figure(ws, row, 4, ind.numerator, "count", styles)
    write_figure(ws, row, 5, ind.denominator, "count", styles)
    if ind.target is not None:
        write_figure(ws, row, 6, ind.target, ind.unit, styles)
    else:
        ws.write_blank(row, 6, None, styles.get())
    write_text(ws, row, 7, ind.rag_text if ind.rag or ind.suppressed else "", styles, align="center")
    for k, fig in enumerate(ind.recent(report.recent_periods)):
        write_figure(ws, row, first_recent + k, fig, ind.unit, styles)
        if fig.value is not None:
            ws.write_number(row, data_col + k, fig.value)
    col = first_recent + len(report.recent_periods) + 1
    bench_year = next((b.year for b in (ind.sn, ind.england) if b.year), None)
    texts = [ind.trend_previous.text, ind.trend_last_year.text]
    for k, text in enumerate(texts):
        write_text(ws, row, col + k, text, styles)
    write_figure(ws, row, col + 2, ind.sn.value, ind.unit, styles)
    write_figure(ws, row, col + 3, ind.england.value, ind.unit, styles)
    write_text(ws, row, col + 4, bench_year, styles)
    write_text(ws, row, col + 5, ind.quartile_text, styles, align="center")
    write_text(ws, row, col + 6, ind.spc_text, styles)
    write_text(ws, row, col + 7, ind.spc_assurance_text, styles)
    write_text(ws, row, col + 8, ind.commentary, styles, text_wrap=True)
    write_text(ws, row, col + 9, ind.narrative, styles, text_wrap=True)
    ws.set_row(row, 60)


def _rag_formats(ws: Worksheet, last_row: int, columns: list[tuple[str, int]], styles: Styles) -> None:
    """RAG cells coloured by their text, and the value beside them by a formula on the RAG cell."""
    if last_row <= HEADER_ROW:
        return
    first = HEADER_ROW + 1
    rag_col = next(i for i, (name, _) in enumerate(columns) if name == "RAG")
    value_col = next(i for i, (name, _) in enumerate(columns) if name == "Value")
    rag_letter = xl_col_to_name(rag_col)
    for word, style in styles.rag.items():
        ws.conditional_format(
            first, rag_col, last_row, rag_col,
            {"type": "cell", "criteria": "==", "value": f'"{word}"', "format": style},
        )  # fmt: skip
        ws.conditional_format(
            first, value_col, last_row, value_col,
            {"type": "formula", "criteria": f'=${rag_letter}{first + 1}="{word}"', "format": style},
        )  # fmt: skip


def write_xlsx(report: ReportView, path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties(
        {
            "title": report.title,
            "subject": f"Children's Services scorecard, {report.period_label}",
            "author": report.council,
            "comments": report.note,
        }
    )
    styles = Styles(wb)
    taken = {"summary"}
    names = {area.name: sheet_name(area.name, taken) for area in report.areas}
    write_summary(wb, report, styles, names)
    for area in report.areas:
        write_area(wb, names[area.name], area, report, styles)
    wb.close()
    return path
