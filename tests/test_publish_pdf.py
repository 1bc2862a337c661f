"""report.pdf checked with poppler-utils: every page renders, fonts are embedded, the structure is tagged, the
committee paper's shape (cover, report in words, summary, one-page landscape grid, charts appendix), no period
codes in its text, and the internal version is marked on every page."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib

import pytest
from PIL import Image

from csc_scorecard.judge.units import round_half_up
from csc_scorecard.publish import INTERNAL_MARKING
from csc_scorecard.publish.paper import charted, grid, reported
from publish_packs import SUPPRESSED_ID, build_packs, period_codes, raw_points

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs Debian poppler-utils"),
]
MAX_PAGES = 12  # issue 14: the paper without its appendix, with the default headline set


@pytest.fixture(scope="module")
def packs(synthetic_council, tmp_path_factory):
    return build_packs(synthetic_council, tmp_path_factory)


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _pages_text(pdf) -> list[str]:
    return _run("pdftotext", "-layout", str(pdf), "-").split("\f")[:-1]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _page_count(pdf) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", str(pdf)), re.M).group(1))


def _page_sizes(pdf) -> list[tuple[float, float]]:
    info = _run("pdfinfo", "-f", "1", "-l", str(_page_count(pdf)), str(pdf))
    return [
        (float(w), float(h)) for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.M)
    ]


def test_the_paper_without_charts_fits_in_twelve_pages(packs, capsys):
    pdf = packs.no_charts.paths["pdf"]
    pages = _page_count(pdf)
    with capsys.disabled():
        print(f"\nreport.pdf, default headline set, --charts none: {pages} pages")
    assert 3 <= pages <= MAX_PAGES
    assert _page_count(packs.published.paths["pdf"]) > pages  # the appendix adds pages


def test_every_page_renders_to_a_non_blank_png(packs, tmp_path):
    pdf = packs.published.paths["pdf"]
    pages = _page_count(pdf)
    _run("pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page"))
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == pages
    for png in pngs:
        with Image.open(png) as image:
            grey = image.convert("L")
            assert min(grey.size) > 200  # A4 at 30 dpi is 248 x 351
            low, high = grey.getextrema()
            assert high == 255 and low < 128, f"{png.name} looks blank"


def test_all_fonts_are_embedded_and_arial_compatible(packs):
    rows = _run("pdffonts", str(packs.published.paths["pdf"])).splitlines()[2:]
    assert rows, "no fonts listed"
    for row in rows:
        name, emb = row.split()[0], row.split()[-5]
        assert emb == "yes", row
        assert "Liberation-Sans" in name or "Arial" in name, row  # Arial or its metric-compatible stand-in


def _inflated(pdf) -> bytes:
    """The PDF's streams decompressed, where WeasyPrint keeps the structure tree."""
    data = pdf.read_bytes()
    out = [data]
    # The end of line before "endstream" is not part of the stream, and a compressed stream may itself end in
    # "\r": the decompressor finds where its data ends, and leaves the rest.
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            out.append(zlib.decompressobj().decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(out)


def _alts(pdf) -> list[str]:
    """Every /Alt in the structure tree: a literal (text) or, for text beyond Latin-1, UTF-16 hex <FEFF...>."""
    found = []
    for literal, hexa in re.findall(rb"/Alt (?:\(((?:[^()\\]|\\.)*)\)|<([0-9A-Fa-f]+)>)", _inflated(pdf)):
        found.append(bytes.fromhex(hexa.decode()).decode("utf-16") if hexa else literal.decode("latin-1"))
    return found


def test_tagged_headings_tables_and_figures_with_alt_text(packs):
    pdf = packs.published.paths["pdf"]
    info = _run("pdfinfo", str(pdf))
    assert re.search(r"^Tagged:\s+yes", info, re.M)
    assert re.search(
        r"^Title:\s+Children's Services performance: Quarter 3 2016-17 – Walsall Council", info, re.M
    )
    structure = _run("pdfinfo", "-struct", str(pdf))
    tags = re.findall(r"^\s*(\w+)", structure, re.M)
    view = packs.published.view
    assert tags.count("H1") == 1
    # cover sections, Report, achievements and priorities, the scorecard, the charts appendix
    assert tags.count("H2") == 11 + 4
    assert tags.count("H3") == len(view.areas_with_data) + bool(view.areas_without_data)
    assert "Table" in tags and "TH" in tags and "Caption" in tags
    rows = [r.indicator for r in grid(view).rows]  # a sparkline each
    charts = [i for i in view.indicators() if charted(i)]
    assert tags.count("Figure") == len(rows) + len(charts)
    alts = _alts(pdf)
    assert sorted(a for a in alts if a.startswith("Line chart of ")) == sorted(
        a for a in alts if any(a.startswith(f"Line chart of {i.label} for Walsall") for i in charts)
    )
    assert len([a for a in alts if a.startswith("Line chart of ")]) == len(charts)
    assert [a.split(", recent figures: ")[0] for a in alts if ", recent figures: " in a] == [
        i.label for i in rows
    ]


def test_page_numbers_and_cover_fields(packs):
    pages = _pages_text(packs.no_charts.paths["pdf"])
    for n, text in enumerate(pages, 1):
        assert f"Page {n} of {len(pages)}" in text
    cover = _flat(" ".join(pages[:2]))
    fields = ("Walsall Council", "Children's Services Overview and Scrutiny Committee",
              "Children's Services performance: Quarter 3 2016-17", "Date of meeting To be confirmed",
              "Portfolio Portfolio Holder for Children's Services", "Wards All", "Executive summary",
              "Reason for scrutiny", "Recommendations", "Background papers",
              "Children's Services performance scorecard (scorecard.xlsx)",
              "Presentation of the scorecard (slides.pptx)", "Resource and legal considerations",
              "Citizen impact", "Environmental impact", "Performance management", "Equality implications",
              "Consultation", "Contact officer Performance and Intelligence Team")  # fmt: skip
    for field in fields:
        assert field in cover, field


def test_report_has_headline_narratives_and_no_period_codes(packs):
    for pack in (packs.published, packs.internal, packs.no_charts):
        text = _flat(_run("pdftotext", str(pack.paths["pdf"]), "-"))
        assert not period_codes(text)
        for number, area in enumerate(pack.view.areas_with_data, 1):
            assert f"{number}. {area.name}" in text
            for k, ind in enumerate([i for i in area.indicators if reported(i)], 1):
                assert f"{number}.{k} {ind.label}: {_flat(ind.narrative)}" in text, ind.id
        headline = [i for i in pack.view.indicators() if i.headline and i.has_data]
        assert headline and all(_flat(i.narrative) in text for i in headline)
    # no facts lines or SPC words in the report's words
    body = _flat(_run("pdftotext", str(packs.no_charts.paths["pdf"]), "-"))
    assert "Value " not in body.split("Background paper: the scorecard")[0]
    assert "SPC" not in body


def test_grid_is_one_landscape_page_with_a_row_per_indicator(packs):
    pdf = packs.no_charts.paths["pdf"]
    pages = _pages_text(pdf)
    grid_pages = [n for n, text in enumerate(pages) if "Background paper: the scorecard" in text]
    assert len(grid_pages) == 1
    n = grid_pages[0]
    assert n == len(pages) - 1  # no charts: the grid is the last page, and nothing spills after it
    width, height = _page_sizes(pdf)[n]
    assert width > height  # landscape
    rows = [row.indicator for group in grid(packs.no_charts.view).groups for row in group.rows]
    everything = [i for a in packs.no_charts.view.areas_with_data for i in a.with_data]
    assert 30 < len(rows) < len(everything)  # the scorecard's measures, not every LAIT measure computed
    assert (round(width), round(height)) == ((842, 595) if len(rows) <= 30 else (1191, 842))  # A4 or A3
    raw = _flat(_run("pdftotext", "-f", str(n + 1), "-l", str(n + 1), str(pdf), "-"))
    for ind in rows:
        assert ind.label in raw, ind.label
    assert all(w < h for w, h in _page_sizes(pdf)[:n])  # the rest is A4 portrait


def test_appendix_has_one_chart_per_headline_indicator_with_data(packs):
    text = _flat(_run("pdftotext", str(packs.published.paths["pdf"]), "-"))
    appendix = text.split("Appendix: charts", 1)[1]
    charts = [i for i in packs.published.view.indicators() if charted(i)]
    assert charts and all(i.headline for i in charts)
    for ind in charts:
        assert ind.label in appendix
    none = _run("pdfinfo", "-struct", str(packs.no_charts.paths["pdf"]))
    assert "Appendix: charts" not in _run("pdftotext", str(packs.no_charts.paths["pdf"]), "-")
    assert not any(a.startswith("Line chart of") for a in _alts(packs.no_charts.paths["pdf"]))
    assert none.count("Figure") == sum(len(g.rows) for g in grid(packs.no_charts.view).groups)  # sparklines


def test_internal_pdf_is_marked_on_every_page_and_published_is_not(packs):
    pages = _pages_text(packs.internal.paths["pdf"])
    assert any("Background paper: the scorecard" in text for text in pages)  # the landscape page too
    for text in pages:
        assert INTERNAL_MARKING in text
    assert all("INTERNAL" not in text for text in _pages_text(packs.published.paths["pdf"]))


def test_suppressed_figure_is_c_in_the_published_pdf(packs):
    published_view = next(v for v in packs.published.view.indicators() if v.id == SUPPRESSED_ID)
    internal_view = next(v for v in packs.internal.view.indicators() if v.id == SUPPRESSED_ID)
    published = _flat(_run("pdftotext", str(packs.published.paths["pdf"]), "-"))
    internal = _flat(_run("pdftotext", str(packs.internal.paths["pdf"]), "-"))
    value = raw_points(packs.built, SUPPRESSED_ID)["2016-17Q3"][2]
    assert published_view.value.text == "c" and internal_view.value.text == f"{round_half_up(value, 1)}%"
    # not headline: in the internal report for its commentary and action, which the published one withholds
    assert not reported(published_view) and reported(internal_view)
    assert _flat(internal_view.narrative) in internal
    assert internal_view.label not in published.split("Background paper")[0]
    grid = _run("pdftotext", "-layout", str(packs.published.paths["pdf"]), "-").split(
        "Background paper: the"
    )[-1]
    assert re.search(rf"{re.escape(published_view.label)}\s+c\s+–\s+c\s", grid)  # value, target, RAG
    assert _flat(internal_view.narrative) not in published and "33 of 35" not in published
