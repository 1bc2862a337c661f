"""report.pdf checked with poppler-utils: every page renders, fonts are embedded, the structure is tagged,
and the internal version is marked on every page."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib

import pytest
from PIL import Image

from csc_scorecard.publish import INTERNAL_MARKING
from publish_packs import SUPPRESSED_ID, build_packs

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs Debian poppler-utils"),
]


@pytest.fixture(scope="module")
def packs(synthetic_council, tmp_path_factory):
    return build_packs(synthetic_council, tmp_path_factory)


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _pages_text(pdf) -> list[str]:
    return _run("pdftotext", "-layout", str(pdf), "-").split("\f")[:-1]


def test_every_page_renders_to_a_non_blank_png(packs, tmp_path):
    pdf = packs.published.paths["pdf"]
    pages = int(re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", str(pdf)), re.M).group(1))
    assert pages >= 3
    _run("pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page"))
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == pages
    for png in pngs:
        with Image.open(png) as image:
            grey = image.convert("L")
            assert grey.size[0] > 200 and grey.size[1] > 300  # A4 portrait at 30 dpi is 248 x 351
            low, high = grey.getextrema()
            assert high == 255 and low < 128, f"{png.name} looks blank"


def test_all_fonts_are_embedded_and_arial_compatible(packs):
    rows = _run("pdffonts", str(packs.published.paths["pdf"])).splitlines()[2:]
    assert rows, "no fonts listed"
    for row in rows:
        name, emb = row.split()[0], row.split()[-5]
        assert emb == "yes", row
        assert "Liberation-Sans" in name or "Arial" in name, row  # Arial or its metric-compatible stand-in


def test_tagged_headings_tables_and_figures_with_alt_text(packs):
    pdf = packs.published.paths["pdf"]
    info = _run("pdfinfo", str(pdf))
    assert re.search(r"^Tagged:\s+yes", info, re.M)
    assert re.search(
        r"^Title:\s+Children's Services performance: Quarter 3 2016-17 – Walsall Council", info, re.M
    )
    structure = _run("pdfinfo", "-struct", str(pdf))
    tags = re.findall(r"^\s*(\w+)", structure, re.M)
    assert tags.count("H1") == 1
    assert tags.count("H2") >= 11 + 6 + 1  # cover sections, areas, achievements and priorities
    assert tags.count("H3") >= 20 and "Table" in tags and "TH" in tags and "Caption" in tags
    view = packs.published.view
    charted = sum(  # indicators with a figure shown (every figure suppressed or withheld: nothing to plot)
        1
        for a in view.areas_with_data
        for i in a.with_data
        if any(h.value.value is not None for h in i.history)
    )
    assert tags.count("Figure") >= charted
    alts = re.findall(rb"/Alt \((Line chart of [^)]*)\)", _inflated(pdf))
    assert len(alts) == tags.count("Figure")


def _inflated(pdf) -> bytes:
    """The PDF's streams decompressed, where WeasyPrint keeps the structure tree."""
    data = pdf.read_bytes()
    out = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(out)


def test_page_numbers_and_committee_shape(packs):
    pages = _pages_text(packs.published.paths["pdf"])
    for n, text in enumerate(pages, 1):
        assert f"Page {n} of {len(pages)}" in text
    cover = pages[0]
    for heading in ("Walsall Council", "Children's Services Overview and Scrutiny Committee",
                    "1. Executive summary", "2. Reason for scrutiny", "3. Recommendations"):  # fmt: skip
        assert heading in cover
    assert "Summary of achievements and priorities" in pages[
        -1
    ] or "Summary of achievements and priorities" in ("".join(pages[-3:]))


def test_internal_pdf_is_marked_on_every_page_and_published_is_not(packs):
    for text in _pages_text(packs.internal.paths["pdf"]):
        assert INTERNAL_MARKING in text
    assert all("INTERNAL" not in text for text in _pages_text(packs.published.paths["pdf"]))


def _flat_text(pdf) -> str:
    return " ".join(_run("pdftotext", str(pdf), "-").split())


def test_suppressed_figure_is_c_in_the_published_pdf(packs):
    published_view = next(v for v in packs.published.view.indicators() if v.id == SUPPRESSED_ID)
    internal_view = next(v for v in packs.internal.view.indicators() if v.id == SUPPRESSED_ID)
    published, internal = _flat_text(packs.published.paths["pdf"]), _flat_text(packs.internal.paths["pdf"])
    assert f"{published_view.label}: the figure for 2016-17Q3 is suppressed (shown as c)" in published
    assert internal_view.narrative.startswith(f"{internal_view.label} (97.5%)")
    first_sentence = internal_view.narrative.split(". ")[0]
    assert first_sentence in internal and first_sentence not in published
    assert (
        "Value 97.5% (39 of 40)" in internal
        and "Value c, suppressed because with the total shown it would reveal a count of 1 to 5." in published
    )
