"""A disclosure checker for published tables: can a reader work out a count of 1 to 5 from what is shown?

It reads what a document or page shows (the pack's spreadsheet with openpyxl, the HTML report, the Word paper,
the dashboard's pages as a viewer gets them) into cells `(indicator, period, row, column)`, a number or `c`,
and takes the true figures from the engine. Then it does what a reader could, independently of
judge/suppression.py: from the numbers shown it works out every figure it can by single subtractions and sums
against the totals shown, repeated until nothing new follows:
- a percentage's denominator is its numerator plus the rest; a value and its denominator give the numerator;
- a breakdown's rows add up to the figure reported (when they truly do), column by column;
- a flow's year-to-date quarter less the one before it is the count in that quarter alone;
- two indicators that count the same children (equal in every period) show the same figure.
A finding is any count of children of 1 to 5 that is shown, or is worked out this way (a suppressed figure, or
one never shown such as a quarter alone or a percentage's rest), with the sum that gives it away.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from docx import Document
from lxml import html as lxml_html

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

    def show(self, indicator: str, period: str, row: str | None, column: str, text: str | float) -> None:
        value = parse(text) if isinstance(text, str) else text
        if value is None:
            return
        key = (indicator, period, row, column)
        if self.cells.get(key, SUPPRESSED) == SUPPRESSED:  # a number shown anywhere is shown
            self.cells[key] = value

    def merged(self, *others: Reading, name: str) -> Reading:
        out = Reading(name, dict(self.cells))
        for other in others:
            for key, value in other.cells.items():
                out.show(*key, value)
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
    found = []
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


def _ids_by_label(labels: Mapping[str, str]) -> dict[str, str]:
    """{label: id}; labels must be unique for a document to be read by them."""
    out: dict[str, str] = {}
    for indicator, label in labels.items():
        assert label not in out, f"two indicators are labelled {label!r}"
        out[label] = indicator
    return out


def read_xlsx(path: Path, labels: Mapping[str, str], period: str, headings: Mapping[str, str]) -> Reading:
    """The spreadsheet: each area sheet's value, numerator and denominator, and the recent periods' values
    (`headings`: each recent-period column's heading in words -> the period code)."""
    reading = Reading(f"{path.name}")
    ids = _ids_by_label(labels)
    book = openpyxl.load_workbook(path, data_only=True)
    for ws in book.worksheets[1:]:
        rows = list(ws.iter_rows(values_only=True))
        header = [str(h) if h is not None else "" for h in rows[4]]
        for values in rows[5:]:
            if values[0] not in ids:
                continue
            indicator = ids[values[0]]
            for name, value in zip(header, values, strict=False):
                if value is None:
                    continue
                column = {"Value": "value", "Numerator": "num", "Denominator": "den"}.get(name)
                if column:
                    reading.show(
                        indicator,
                        period,
                        None,
                        column,
                        value if isinstance(value, float | int) else str(value),
                    )
                elif name in headings:
                    reading.show(
                        indicator,
                        headings[name],
                        None,
                        "value",
                        value if isinstance(value, float | int) else str(value),
                    )
    return reading  # fmt: skip


FACTS = {
    "percent": rf"\((?P<num>{NUMBER}) of (?P<den>{NUMBER})\)",
    "rate_per_10k": rf"\(count (?P<num>{NUMBER}); child population (?P<den>{NUMBER})\)",
    "days": rf"\(average over (?P<den>{NUMBER}) children\)",
    "average": rf"\((?P<num>{NUMBER}) over (?P<den>{NUMBER})\)",
}
SMALL_CAUTION = rf"\(a (?P<what>denominator|count|numerator) of (?P<n>{NUMBER})\)"
AT_PERIOD = rf"\((?P<v>{NUMBER})%?(?: per 10,000| days?)? at (?P<p>\d{{4}}-\d{{2}}Q\d)\)"
IN_PERIOD = rf"(?:Latest value|Lowest|highest) (?P<v>{NUMBER})%?(?: per 10,000| days?)? in (?P<p>\d{{4}}-\d{{2}}(?:Q\d)?)"


def read_sentences(
    reading: Reading, indicator: str, unit: str, period: str, facts: str, *others: str
) -> None:
    """Numbers quoted in the facts line, the narrative and the chart's alt text."""
    value = re.match(rf"Value (?P<v>{NUMBER})", facts)
    if value:
        reading.show(indicator, period, None, "value", value["v"])
    parts = re.search(FACTS.get(unit, "$^"), facts)
    if parts:
        for column in ("num", "den"):
            if column in parts.groupdict():
                reading.show(indicator, period, None, column, parts[column])
    for text in (facts, *others):
        for m in re.finditer(SMALL_CAUTION, text):
            reading.show(indicator, period, None, "den" if m["what"] == "denominator" else "num", m["n"])
        for m in re.finditer(AT_PERIOD, text):
            reading.show(indicator, m["p"], None, "value", m["v"])
        for m in re.finditer(IN_PERIOD, text):
            reading.show(indicator, m["p"], None, "value", m["v"])


def read_report_html(path: Path, units: Mapping[str, str], period: str) -> Reading:
    reading = Reading(path.name)
    doc = lxml_html.fromstring(path.read_text(encoding="utf-8"))
    for section in doc.xpath("//section[contains(@class, 'app-indicator')]"):
        indicator = section.get("id").removeprefix("ind-")
        facts = section.xpath(".//p[contains(@class, 'app-facts')]")[0].text_content()
        texts = [p.text_content() for p in section.xpath(".//p")] + [
            i.get("alt", "") for i in section.xpath(".//img")
        ]
        read_sentences(reading, indicator, units[indicator], period, facts, *texts)
    for row in doc.xpath("//table[contains(@class, 'app-scorecard')]/tbody/tr"):
        href = row.xpath(".//th//a/@href")[0]
        reading.show(href.removeprefix("#ind-"), period, None, "value", row.xpath("./td")[0].text_content())
    return reading  # fmt: skip


def read_docx(path: Path, labels: Mapping[str, str], units: Mapping[str, str], period: str) -> Reading:
    reading = Reading(path.name)
    ids = _ids_by_label(labels)
    doc = Document(str(path))
    current = None
    for p in doc.paragraphs:
        if p.style.name.startswith("Heading") and p.text in ids:
            current = ids[p.text]
        elif current and p.text.startswith("Value "):
            read_sentences(reading, current, units[current], period, p.text)
        elif current:
            read_sentences(reading, current, units[current], period, "", p.text)
    for descr in doc.element.body.xpath(".//wp:docPr/@descr"):
        found = re.match(r"Line chart of (?P<label>.+?) for ", descr)
        if found and found["label"] in ids:
            indicator = ids[found["label"]]
            read_sentences(reading, indicator, units[indicator], period, "", descr)
    for table in doc.tables:
        for row in table.rows[1:]:
            cells = [c.text for c in row.cells]
            if cells[0] in ids and len(cells) > 1:
                reading.show(ids[cells[0]], period, None, "value", cells[1])
    return reading


def read_overview(page: str, period: str, name: str) -> Reading:
    reading = Reading(name)
    doc = lxml_html.fromstring(page)
    for row in doc.xpath("//table[contains(@class, 'app-scorecard')]/tbody/tr"):
        href = row.xpath(".//th//a/@href")[0]
        indicator = re.match(r"/indicator/([a-z0-9_]+)", href)[1]
        cell = row.xpath("./td")[0].text_content().replace("*", "")
        reading.show(indicator, period, None, "value", cell)
    return reading


def read_indicator_page(
    page: str, indicator: str, unit: str, period: str, name: str, breakdown: str | None = None
) -> Reading:
    """An indicator's page: the value with its numerator and denominator, the narrative, the chart's alt text,
    the trend table, and the breakdown table when one is shown."""
    reading = Reading(name)
    doc = lxml_html.fromstring(page)
    value = doc.xpath("//dt[normalize-space()='Value']/following-sibling::dd[1]")[0].text_content().strip()
    first = re.match(rf"(?P<v>{NUMBER})", value)
    if first:
        reading.show(indicator, period, None, "value", first["v"])
    parts = re.search(rf"\((?P<num>{NUMBER}) (?:of (?P<den>{NUMBER})|children)\)", value)
    if parts:
        reading.show(indicator, period, None, "num", parts["num"])
        if parts["den"]:
            reading.show(indicator, period, None, "den", parts["den"])
    texts = [p.text_content() for p in doc.xpath("//p")] + [i.get("alt", "") for i in doc.xpath("//img")]
    read_sentences(reading, indicator, unit, period, "", *texts)
    for row in doc.xpath("//table[caption[contains(., 'The figures in the chart')]]/tbody/tr"):
        code = row.xpath("./th")[0].text_content().strip()
        cells = [td.text_content() for td in row.xpath("./td")]
        for column, text in zip(("value", "num", "den"), cells[:3], strict=True):
            reading.show(indicator, code, None, column, text)
    for row in doc.xpath("//table[@id='breakdown-table']/tbody/tr[th]"):
        label = row.xpath("./th")[0].text_content().strip()
        cells = [td.text_content() for td in row.xpath("./td")]
        for column, text in zip(("num", "den", "value"), cells[:3], strict=True):
            reading.show(indicator, period, f"{breakdown}={label}", column, text)
    return reading  # fmt: skip


def check(readings: Iterable[Reading], truth: Truth, metas: Mapping[str, Meta]) -> list[str]:
    return [finding for r in readings for finding in disclosures(r, truth, metas)]
