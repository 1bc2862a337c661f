"""A disclosure checker for published tables: can a reader work out a count of 1 to 5 from what is shown?

It reads what a document or page shows (the pack's spreadsheet with openpyxl, the committee paper as HTML and
in Word, the slides, the dashboard's pages as a viewer gets them) into cells `(indicator, period, row, column)`,
a number or `c`, and takes the true figures from the engine. Periods are read as the documents name them (a
heading 'Apr–Dec 2016', 'in April to December 2016', 'at the end of December 2016') and mapped back to codes. Then it does what a reader could, independently of
judge/suppression.py: from the numbers shown it works out every figure it can by single subtractions and sums
against the totals shown, repeated until nothing new follows:
- a percentage's denominator is its numerator plus the rest; a value and its denominator give the numerator;
- a breakdown's rows add up to the figure reported (when they truly do), column by column;
- a flow's year-to-date quarter less the one before it is the count in that quarter alone;
- two indicators that count the same children (equal in every period) show the same figure.
A finding is any count of children of 1 to 5 that is shown, or is worked out this way (a suppressed figure, or
one never shown such as a quarter alone or a percentage's rest), with the sum that gives it away; and any
count of children of 1 to 5 said in words ("4 of 15 children ..."), whatever it counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from docx import Document
from lxml import html as lxml_html
from pptx import Presentation

from csc_scorecard.periods import parse_period

Key = tuple[str, str, str | None, str]  # indicator, period, breakdown row ("sex=Unknown") or None, column
SUPPRESSED = "c"
NUMBER = r"c|-?[\d,]+(?:\.\d+)?"


@dataclass(frozen=True)
class Meta:
    unit: str
    kind: str  # flow or stock


Truth = Mapping[tuple[str, str, str | None], tuple[float | None, float | None, float | None]]


def parse(text: str) -> float | str | None:
    """'3,430' -> 3430.0, '21.7%' -> 21.7, 'c' -> 'c', '–' or '' -> None."""
    text = text.strip().removesuffix("%").removesuffix(" per 10,000").removesuffix(" days").strip()
    if text == SUPPRESSED:
        return SUPPRESSED
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


@dataclass
class Reading:
    """What one document or page shows."""

    name: str
    cells: dict[Key, float | str] = field(default_factory=dict)
    said: list[str] = field(default_factory=list)  # counts of children of 1 to 5 said in words

    def show(self, indicator: str, period: str, row: str | None, column: str, text: str | float) -> None:
        value = parse(text) if isinstance(text, str) else text
        if value is None:
            return
        key = (indicator, period, row, column)
        if self.cells.get(key, SUPPRESSED) == SUPPRESSED:  # a number shown anywhere is shown
            self.cells[key] = value

    def merged(self, *others: Reading, name: str) -> Reading:
        out = Reading(name, dict(self.cells), [f"{self.name}: {s}" for s in self.said])
        for other in others:
            for key, value in other.cells.items():
                out.show(*key, value)
            out.said += [f"{other.name}: {s}" for s in other.said]
        return out

    def numbers(self) -> int:
        return sum(v != SUPPRESSED for v in self.cells.values())

    def suppressed(self) -> int:
        return sum(v == SUPPRESSED for v in self.cells.values())


# --- what counts children, and how figures add up -----------------------------------------------------------

COUNTS = {"count": ("num",), "percent": ("num", "den", "rest"), "rate_per_10k": ("num",)}
ADDITIVE = {"count": ("num",), "percent": ("num", "den", "rest"), "rate_per_10k": ("num",)}


def _counts(unit: str) -> tuple[str, ...]:
    return COUNTS.get(unit, ("den",))


def _additive(unit: str) -> tuple[str, ...]:
    return ADDITIVE.get(unit, ("num", "den"))


def _true(truth: Truth, indicator: str, period: str, row: str | None, column: str) -> float | None:
    found = truth.get((indicator, period, row))
    if found is None:
        return None
    num, den, value = found
    if column.endswith(" alone"):
        base = column.removesuffix(" alone")
        earlier = _earlier(period)
        a, b = _true(truth, indicator, period, row, base), _true(truth, indicator, earlier, row, base)
        return None if a is None or b is None else a - b
    if column == "rest":
        return None if num is None or den is None else den - num
    return {"num": num, "den": den, "value": value}[column]


def _earlier(period: str) -> str:
    return f"{period[:-1]}{int(period[-1]) - 1}"


def _sums(indicator: str, meta: Meta, truth: Truth) -> list[tuple[Key, list[Key]]]:
    """(total, parts) relations that hold in the true figures of one indicator."""

    def key(period: str, row: str | None, column: str) -> Key:
        return (indicator, period, row, column)

    out: list[tuple[Key, list[Key]]] = []
    rows = [k for k in truth if k[0] == indicator]
    for _, period, row in rows:
        if meta.unit == "percent":  # the denominator is the numerator plus the rest
            out.append((key(period, row, "den"), [key(period, row, "num"), key(period, row, "rest")]))
        p = parse_period(period)
        ytd = meta.kind == "flow" and p.kind == "ytd_quarter" and (p.quarter or 0) > 1
        if ytd and (indicator, _earlier(period), row) in truth:  # this quarter = the one before + this alone
            for c in _additive(meta.unit):
                out.append(
                    (key(period, row, c), [key(_earlier(period), row, c), key(period, row, f"{c} alone")])
                )
            if meta.unit == "percent":
                alone = [key(period, row, f"{c} alone") for c in ("den", "num", "rest")]
                out.append((alone[0], alone[1:]))
    by_breakdown: dict[tuple[str, str], list[str]] = {}
    for _, period, row in rows:
        if row is not None:
            by_breakdown.setdefault((period, row.split("=", 1)[0]), []).append(row)
    for (period, _), members in by_breakdown.items():  # the rows add up to the figure reported
        for c in ("num", "den", "rest"):
            total = _true(truth, indicator, period, None, c)
            parts = [_true(truth, indicator, period, r, c) for r in members]
            if total is not None and None not in parts and abs(sum(parts) - total) < 1e-6:  # type: ignore[arg-type]
                out.append((key(period, None, c), [key(period, r, c) for r in members]))
    return out


def _from_value(cells: Mapping[Key, float | str], meta: Meta) -> set[Key]:
    """Counts a value gives away with one of its numerator and denominator (e.g. 21.7% of 3,430 -> 744)."""
    out = set()
    for (ind, period, row, column), v in cells.items():
        if column != "value" or v == SUPPRESSED or meta.unit == "count":
            continue
        num, den = cells.get((ind, period, row, "num")), cells.get((ind, period, row, "den"))
        if den not in (None, SUPPRESSED):
            out.add((ind, period, row, "num"))
        if num not in (None, SUPPRESSED) and v != 0:
            out.add((ind, period, row, "den"))
    return out


def _same_figures(truth: Truth, metas: Mapping[str, Meta]) -> list[tuple[Key, list[Key]]]:
    """Two indicators that count the same children (every period equal, e.g. plans started and the
    denominator of second plans): a figure one shows is the other's too."""
    series: dict[tuple[str, str], dict[str, float]] = {}
    for (indicator, period, row), (num, den, _) in truth.items():
        if row is None:
            for column, value in (("num", num), ("den", den)):
                if value is not None and column in _counts(metas[indicator].unit):
                    series.setdefault((indicator, column), {})[period] = value
    out = []
    names = sorted(series)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            common = series[a].keys() & series[b].keys()
            if a[0] != b[0] and len(common) >= 4 and all(series[a][p] == series[b][p] for p in common):
                out += [((a[0], p, None, a[1]), [(b[0], p, None, b[1])]) for p in common]
    return out


def disclosures(reading: Reading, truth: Truth, metas: Mapping[str, Meta]) -> list[str]:
    """Every count of 1 to 5 that is not shown but can be worked out from what `reading` shows."""
    cells = dict(reading.cells)
    for (ind, period, row, column), v in reading.cells.items():
        if column == "value" and metas[ind].unit == "count":  # the value is the count
            cells.setdefault((ind, period, row, "num"), v)
    shown = {k for k, v in cells.items() if v != SUPPRESSED}
    indicators = sorted({k[0] for k in cells})
    known: dict[Key, float] = {}
    for k in shown.union(
        *(_from_value({c: v for c, v in cells.items() if c[0] == i}, metas[i]) for i in indicators)
    ):
        value = _true(truth, *k)
        if value is not None:
            known[k] = value
    sums = [s for i in indicators for s in _sums(i, metas[i], truth)] + _same_figures(truth, metas)
    how: dict[Key, str] = {}
    changed = True
    while changed:
        changed = False
        for total, parts in sums:
            members = [total, *parts]
            unknown = [k for k in members if k not in known]
            if len(unknown) != 1 or any(_true(truth, *k) is None for k in members):
                continue
            k = unknown[0]
            known[k] = _true(truth, *k)  # type: ignore[assignment]
            others = " + ".join(_name(p, known) for p in parts if p != k)
            if len(parts) == 1:  # the same children counted by another indicator
                how[k] = f"the same as {_name(parts[0] if k == total else total, known)}"
            else:
                how[k] = f"{_name(total, known)} - ({others})" if k != total else f"sum of {others}"
            changed = True
    found = [f"{reading.name}: {said}" for said in reading.said]
    for k, v in sorted(known.items(), key=lambda item: repr(item[0])):
        column = k[3].removesuffix(" alone")
        if column in _counts(metas[k[0]].unit) and 1 <= v <= 5:
            where = f"{reading.name}: {k[0]} {k[1]}" + (f" {k[2]}" if k[2] else "")
            if k in shown:
                found.append(f"{where}: {k[3]} = {v:g}, shown")
            else:
                found.append(f"{where}: {k[3]} = {v:g}, worked out as {how.get(k, 'value x count')}")
    return found


def _name(k: Key, known: Mapping[Key, float]) -> str:
    return f"{k[3]}{'' if k[2] is None else ' ' + k[2]} {k[1]} ({known[k]:g})"


# --- readers --------------------------------------------------------------------------------------------------


def period_names(codes: Iterable[str]) -> dict[str, str]:
    """Each period as published text names it -> its code: the column heading ('Apr–Dec 2016'), the window in
    words ('April to December 2016'), the day a stock is counted on ('the end of December 2016'), and the code
    itself (the dashboard's tables). Built from the periods of the true figures, so a name read is a period
    the checker knows."""
    names: dict[str, str] = {}
    for code in sorted(codes):
        p = parse_period(code)
        for name in (code, p.short, p.words, p.end_words):
            names.setdefault(name, code)
    return names


@dataclass(frozen=True)
class Context:
    """What a reader of a document knows besides the document: each indicator's label and unit, the period the
    document reports, and the names of the periods."""

    labels: Mapping[str, str]  # indicator id -> label
    units: Mapping[str, str]  # indicator id -> unit
    period: str
    names: Mapping[str, str]  # period_names()

    @property
    def ids(self) -> dict[str, str]:
        """{label: id}; labels must be unique for a document to be read by them."""
        out: dict[str, str] = {}
        for indicator, label in self.labels.items():
            assert label not in out, f"two indicators are labelled {label!r}"
            out[label] = indicator
        return out

    @property
    def last_year(self) -> str:
        return parse_period(self.period).last_year().code

    def words(self) -> str:
        """A regex matching any period name, longest first ('April 2015 to March 2016' before 'March 2016')."""
        return "|".join(re.escape(n) for n in sorted(self.names, key=len, reverse=True))


UNIT_WORDS = r"(?:%| per 10,000| days?)?"
FIGURE = rf"(?<![\w.,–-])(?<!aged under )(?<!aged )(?<!\d to )(?P<v>{NUMBER}){UNIT_WORDS}"
WHEN = r"(?:in |at |on |from )?"
SMALL_BASE = rf"(?P<rate>This rate|This) rests on (?P<n>{NUMBER}) child"
# a count of children said in words ("4 of 15 children ...", "only 1 young person"); "1 to 5 children" is the rule
SAID_COUNT = (
    r"(?<![\w.,–-])(?<!\d to )(?P<n>\d[\d,]*) (?:of (?:the )?(?P<of>\d[\d,]*) )?"
    r"(?:children|child|young people|young person)\b"
)


def read_said_counts(reading: Reading, text: str) -> None:
    """Counts of children said in words in any text: a finding when one is 1 to 5, or is worked out as the
    rest of 'N of M children'."""
    for m in re.finditer(SAID_COUNT, text):
        n = float(m["n"].replace(",", ""))
        of = float(m["of"].replace(",", "")) if m["of"] else None
        said = f"says {m[0]!r}"
        small = 1 <= n <= 5 or (of is not None and (1 <= of <= 5 or 1 <= of - n <= 5))
        if small and not any(s.startswith(said) for s in reading.said):  # once per document
            reading.said.append(f"{said}: {text[max(0, m.start() - 60) : m.end() + 60]!r}")


def read_sentences(reading: Reading, indicator: str, context: Context, *texts: str) -> None:
    """Figures quoted with their period in sentences, alt text and captions, in the shapes the narrative and
    the charts use: 'There were 3,430 referrals in April to December 2016', '21.3% in April to September 2016',
    '(2,900 at the end of December 2015)', 'Latest value 21.7% in Apr–Dec 2016', 'Apr–Dec 2013 4,973'; and
    the base of a small-number caution ('This rests on 12 children': a rate's count, else a denominator)."""
    words = context.words()
    there_were = rf"There were (?P<v>{NUMBER}) [^.;()]*? {WHEN}(?P<p>{words})(?![\w–])"
    at_period = rf"{FIGURE},? {WHEN}(?P<p>{words})(?![\w–])"
    for text in texts:
        rest = text
        for m in re.finditer(there_were, text):
            reading.show(indicator, context.names[m["p"]], None, "value", m["v"])
            rest = rest.replace(m[0], " ")  # its 'aged under 18 in ...' is not a second figure
        # A list of 'period figure' pairs first, each taken out: '21, Apr–Dec 2015 c' is not '21 in Apr–Dec 2015'
        for m in re.finditer(rf"(?<![\w–])(?P<p>{words}):? (?P<v>{NUMBER}|–|c)(?![\w])", rest):
            if m["v"] != "c":
                reading.show(indicator, context.names[m["p"]], None, "value", m["v"])
            rest = rest.replace(m[0], " ", 1)
        for m in re.finditer(at_period, rest):
            reading.show(indicator, context.names[m["p"]], None, "value", m["v"])
        for m in re.finditer(SMALL_BASE, rest):
            column = "num" if m["rate"] == "This rate" or context.units[indicator] == "count" else "den"
            reading.show(indicator, context.period, None, column, m["n"])


def _first_figure(text: str) -> str:
    found = re.match(rf"\s*(?P<v>{NUMBER})", text)
    return found["v"] if found else ""


def read_xlsx(path: Path, context: Context) -> Reading:
    """The spreadsheet: each area sheet's value, numerator and denominator, the recent periods' values under
    their headings in words, and the narrative and commentary."""
    reading = Reading(f"{path.name}")
    ids = context.ids
    book = openpyxl.load_workbook(path, data_only=True)
    for ws in book.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        for values in rows:
            read_said_counts(reading, " ".join(str(v) for v in values if isinstance(v, str)))
        if ws is book.worksheets[0]:
            continue
        header = [str(h) if h is not None else "" for h in rows[4]]
        for values in rows[5:]:
            if values[0] not in ids:
                continue
            indicator = ids[values[0]]
            for name, value in zip(header, values, strict=False):
                if value is None:
                    continue
                shown = value if isinstance(value, float | int) else str(value)
                column = {"Value": "value", "Numerator": "num", "Denominator": "den"}.get(name)
                if column:
                    reading.show(indicator, context.period, None, column, shown)
                elif name in context.names:
                    reading.show(indicator, context.names[name], None, "value", shown)
                elif name in ("Narrative", "Commentary"):
                    read_sentences(reading, indicator, context, str(value))
    return reading  # fmt: skip


def _text(element) -> str:
    return " ".join(element.text_content().split())


def read_report_html(path: Path, context: Context) -> Reading:
    """The committee paper as HTML: each reported indicator's paragraphs (narrative, commentary, actions), the
    scorecard grid (value, the same point last year, the sparkline's figures) and the appendix's charts."""
    reading = Reading(path.name)
    doc = lxml_html.fromstring(path.read_text(encoding="utf-8"))
    read_said_counts(reading, _text(doc))
    for block in doc.xpath("//div[contains(@class, 'app-indicator')]"):
        indicator = block.get("id").removeprefix("ind-")
        read_sentences(reading, indicator, context, *(_text(e) for e in block.xpath(".//p | .//li")))
    grid = doc.xpath("//table[contains(@class, 'app-grid__table')]")[0]
    columns = [_text(th) for th in grid.xpath("./thead/tr/th")][2:]  # after the area and the indicator
    for row in grid.xpath("./tbody/tr"):
        indicator = row.get("id").removeprefix("grid-")
        cells = dict(zip(columns, row.xpath("./td"), strict=True))
        reading.show(indicator, context.period, None, "value", _text(cells["Value"]))
        last_year = _first_figure(_text(cells["Same point last year"]))
        reading.show(indicator, context.last_year, None, "value", last_year)
        read_sentences(reading, indicator, context, *cells["Recent figures"].xpath(".//title/text()"))
    ids = context.ids
    for figure in doc.xpath("//figure"):
        alt = figure.xpath(".//img/@alt")[0]
        indicator = ids[re.match(r"Line chart of (?P<label>.+?) for ", alt)["label"]]
        read_sentences(reading, indicator, context, alt, _text(figure.xpath(".//figcaption")[0]))
    return reading


def _numbered(text: str, ids: Mapping[str, str]) -> str | None:
    """The indicator a paragraph of the report opens with ('1.2 Re-referrals within 12 months: ...')."""
    found = re.match(r"\d+\.\d+ (?P<rest>.+)", text)
    if not found:
        return None
    return next((i for label, i in ids.items() if found["rest"].startswith(f"{label}: ")), None)


def read_docx(path: Path, context: Context) -> Reading:
    """The committee paper in Word: each reported indicator's paragraphs (from its numbered paragraph to the
    next one or heading), the scorecard grid's table, the sparklines' and charts' descriptions."""
    reading = Reading(path.name)
    ids = context.ids
    doc = Document(str(path))
    current = None
    for p in doc.paragraphs:
        read_said_counts(reading, p.text)
        if p.style.name.startswith("Heading"):
            current = None
        current = _numbered(p.text, ids) or current
        if current:
            read_sentences(reading, current, context, p.text)
    for descr in doc.element.body.xpath(".//wp:docPr/@descr"):
        found = re.match(r"(?:Line chart of )?(?P<label>.+?)(?:, recent figures: | for )", descr)
        if found and found["label"] in ids:
            read_sentences(reading, ids[found["label"]], context, descr)
    for table in doc.tables:
        header = [c.text for c in table.rows[0].cells]
        for row in table.rows[1:]:
            cells = dict(zip(header, (c.text for c in row.cells), strict=True))
            for text in cells.values():
                read_said_counts(reading, text)
            if cells.get("Indicator") not in ids:
                continue
            indicator = ids[cells["Indicator"]]
            reading.show(indicator, context.period, None, "value", cells["Value"])
            reading.show(
                indicator, context.last_year, None, "value", _first_figure(cells["Same point last year"])
            )
    return reading


def _frame_texts(shape) -> list[str]:
    return [p.text for p in shape.text_frame.paragraphs] if shape.has_text_frame else []


def read_pptx(path: Path, context: Context) -> Reading:
    """The slides: each tile's value, the chart's description and caption, a continuation slide's narratives,
    and the speaker notes (the area's narrative on its first slide, then each tile's narrative, commentary and
    actions, in the tiles' order)."""
    reading = Reading(path.name)
    for slide in Presentation(str(path)).slides:
        tiles: list[str] = []
        charted = ""
        for shape in slide.shapes:
            name = shape.name
            texts = _frame_texts(shape)
            if name.startswith("Tile: "):
                tiles.append(name.removeprefix("Tile: "))
                parts = {s.name: _frame_texts(s) for s in shape.shapes}
                reading.show(tiles[-1], context.period, None, "value", parts["Value"][0])
                texts = [t for lines in parts.values() for t in lines]
            elif name.startswith("Chart: "):  # before its caption
                charted = name.removeprefix("Chart: ")
                texts = shape._element.xpath(".//p:cNvPr/@descr")
                read_sentences(reading, charted, context, *texts)
            elif name == "Chart caption":
                read_sentences(reading, charted, context, *texts)
            elif name == "Narratives":
                for indicator, text in zip(tiles, texts, strict=True):
                    read_sentences(reading, indicator, context, text)
            elif getattr(shape, "has_table", False):
                texts = [c.text for r in shape.table.rows for c in r.cells]
            for text in texts:
                read_said_counts(reading, text)
        notes = (
            [p.text for p in slide.notes_slide.notes_text_frame.paragraphs] if slide.has_notes_slide else []
        )
        for text in notes:
            read_said_counts(reading, text)
        if not tiles:
            continue
        if any(s.name == "Area summary" for s in slide.shapes):
            notes.pop(0)
        owners = iter(tiles)
        for text in notes:
            if not text.startswith(("Commentary", "Action: ")):
                indicator = next(owners)
            read_sentences(reading, indicator, context, text)
    return reading


def read_overview(page: str, period: str, name: str) -> Reading:
    reading = Reading(name)
    doc = lxml_html.fromstring(page)
    read_said_counts(reading, _text(doc))
    for row in doc.xpath("//table[contains(@class, 'app-scorecard')]/tbody/tr"):
        href = row.xpath(".//th//a/@href")[0]
        indicator = re.match(r"/indicator/([a-z0-9_]+)", href)[1]
        cell = row.xpath("./td")[0].text_content().replace("*", "")
        reading.show(indicator, period, None, "value", cell)
    return reading


def read_indicator_page(
    page: str, indicator: str, context: Context, name: str, breakdown: str | None = None
) -> Reading:
    """An indicator's page: the value with its numerator and denominator, the narrative, the chart's alt text,
    the trend table, and the breakdown table when one is shown."""
    reading = Reading(name)
    period = context.period
    doc = lxml_html.fromstring(page)
    read_said_counts(reading, _text(doc))
    value = doc.xpath("//dt[normalize-space()='Value']/following-sibling::dd[1]")[0].text_content().strip()
    reading.show(indicator, period, None, "value", _first_figure(value))
    parts = re.search(rf"\((?P<num>{NUMBER}) (?:of (?P<den>{NUMBER})|children)\)", value)
    if parts:
        reading.show(indicator, period, None, "num", parts["num"])
        if parts["den"]:
            reading.show(indicator, period, None, "den", parts["den"])
    texts = [_text(p) for p in doc.xpath("//p")] + [i.get("alt", "") for i in doc.xpath("//img")]
    read_sentences(reading, indicator, context, *texts)
    for row in doc.xpath("//table[caption[contains(., 'The figures in the chart')]]/tbody/tr"):
        heading = row.xpath("./th")[0].text_content().strip()
        cells = [td.text_content() for td in row.xpath("./td")]
        for column, text in zip(("value", "num", "den"), cells[:3], strict=True):
            reading.show(indicator, context.names[heading], None, column, text)
    for row in doc.xpath("//table[@id='breakdown-table']/tbody/tr[th]"):
        label = row.xpath("./th")[0].text_content().strip()
        cells = [td.text_content() for td in row.xpath("./td")]
        for column, text in zip(("num", "den", "value"), cells[:3], strict=True):
            reading.show(indicator, period, f"{breakdown}={label}", column, text)
    return reading  # fmt: skip


def check(readings: Iterable[Reading], truth: Truth, metas: Mapping[str, Meta]) -> list[str]:
    return [finding for r in readings for finding in disclosures(r, truth, metas)]
