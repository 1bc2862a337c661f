"""No count of 1 to 5 can be worked out from anything published: the synthetic council's report pack (the
spreadsheet read with openpyxl, the committee paper as HTML and in Word, the slides) and every dashboard page a
viewer can open
(the scorecard, each indicator with its trend table, each breakdown), read as a reader sees them and checked by
tests/disclosure.py against the engine's true figures."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from csc_scorecard.catalogue import load_catalogue
from csc_scorecard.engine import compute
from csc_scorecard.pipeline import Built
from csc_scorecard.publish.paper import grid
from csc_scorecard.store import connect
from csc_scorecard.web import create_app
from csc_scorecard.web.routes.pages import WORKER_LEVEL
from disclosure import (
    Context,
    Meta,
    Reading,
    check,
    period_names,
    read_docx,
    read_indicator_page,
    read_overview,
    read_pptx,
    read_report_html,
    read_xlsx,
)
from publish_packs import LA, PERIOD, build_packs
from web_support import make_site, session_cookie

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def truth_of(built: Built) -> dict:
    return {
        (r.indicator_id, r.period, None): (r.numerator, r.denominator, r.value)
        for r in built.results
        if r.breakdown is None
    }


def metas_of(built: Built) -> dict[str, Meta]:
    """A rate over a population counts children in its numerator, whatever unit it is declared with."""
    return {
        j.meta.id: Meta("rate_per_10k" if j.meta.is_rate else j.meta.unit, j.meta.kind)
        for j in built.judgements()
    }


def labels_of(built: Built) -> dict[str, str]:
    return {j.meta.id: j.meta.label for j in built.judgements()}


@pytest.fixture(scope="module")
def packs(synthetic_council, tmp_path_factory):
    return build_packs(synthetic_council, tmp_path_factory)


def context_of(built: Built) -> Context:
    units = {k: v.unit for k, v in metas_of(built).items()}
    return Context(labels_of(built), units, PERIOD, period_names({k[1] for k in truth_of(built)}))


# Figures of the council's own each file shows at least (the slides show about 80: a tile per indicator, six
# charts and the narratives in the notes; the others 160 or more), so that a reader that stops reading fails.
READ_AT_LEAST = {"xlsx": 100, "html": 100, "docx": 100, "pptx": 60}
READERS = {"xlsx": read_xlsx, "html": read_report_html, "docx": read_docx, "pptx": read_pptx}


def pack_reading(pack, built: Built) -> Reading:
    context = context_of(built)
    valued = {k[0] for k, (_, _, value) in truth_of(built).items() if k[1] == PERIOD and value is not None}
    readings = []
    for kind, read in READERS.items():
        reading = read(pack.paths[kind], context)
        assert reading.numbers() > READ_AT_LEAST[kind], (reading.name, reading.numbers())
        shown_now = {k[0] for k in reading.cells if k[1] == PERIOD}  # every indicator's figure, or its c
        if kind == "xlsx":  # the whole scorecard
            assert shown_now == valued, (reading.name, valued ^ shown_now)
        else:  # the paper and slides: at least the scorecard grid's indicators (publish/paper.py)
            in_grid = {row.indicator.id for row in grid(pack.view).rows} & valued
            assert in_grid <= shown_now <= valued, (reading.name, in_grid - shown_now, shown_now - valued)
        readings.append(reading)
    return readings[0].merged(*readings[1:], name="the pack")


def test_no_count_of_1_to_5_can_be_worked_out_from_the_published_pack(packs) -> None:
    built = packs.built
    reading = pack_reading(packs.published, built)
    assert reading.suppressed() > 5
    found = check([reading], truth_of(built), metas_of(built))
    assert found == [], "\n".join(found)


def test_the_checker_does_find_small_counts_in_the_internal_pack(packs) -> None:
    """The internal pack shows every figure, so the rests and quarters alone that are 1 to 5 can be worked out,
    and it quotes the commentary that says "Only 2 young people": the checker must see them in every file
    (else it is not reading the pack)."""
    built = packs.built
    found = check([pack_reading(packs.internal, built)], truth_of(built), metas_of(built))
    assert any(": rest = " in f for f in found) and any("num alone = " in f for f in found), found
    for name in ("scorecard.xlsx", "report.html", "paper.docx", "slides.pptx"):
        assert any(f.startswith(f"the pack: {name}: says '2 young people'") for f in found), (name, found)


@pytest.fixture(scope="module")
def viewer_pages(synthetic_council, tmp_path_factory, packs) -> tuple[Reading, dict]:
    """Every page a viewer can open for the pack's period, read into one reading, with the true figures of
    every breakdown shown."""
    site = make_site(tmp_path_factory.mktemp("disclosure"), synthetic_council["db"])
    built = packs.built
    truth = truth_of(built)
    metas = metas_of(built)
    context = context_of(built)
    catalogue = load_catalogue()
    query = f"la={LA}&period={PERIOD}"
    con = connect(site.db, read_only=True)
    pages: list[Reading] = []
    try:
        with TestClient(create_app(site.settings), follow_redirects=False) as client:
            headers = session_cookie(site, "viewer")
            overview = client.get(f"/?{query}", headers=headers)
            assert overview.status_code == 200
            pages.append(read_overview(overview.text, PERIOD, "the scorecard"))
            for j in built.judgements():
                indicator = j.meta.id
                url = f"/indicator/{indicator}?{query}"
                page = client.get(url, headers=headers)
                assert page.status_code == 200, url
                pages.append(read_indicator_page(page.text, indicator, context, url))
                for name in catalogue.indicator(indicator).breakdowns:
                    url = f"/indicator/{indicator}?{query}&breakdown={name}"
                    if name in WORKER_LEVEL:  # never shown to a viewer
                        assert client.get(url, headers=headers).status_code == 404, url
                        continue
                    page = client.get(url, headers=headers)
                    assert page.status_code == 200, url
                    pages.append(read_indicator_page(page.text, indicator, context, url, name))
                    for r in compute(con, [built.period], [indicator], name, [LA]):
                        label = "not recorded" if r.breakdown_value is None else str(r.breakdown_value)
                        truth[(indicator, PERIOD, f"{name}={label}")] = (r.numerator, r.denominator, r.value)
    finally:
        con.close()
    return pages[0].merged(*pages[1:], name="the dashboard as a viewer"), truth, metas


def test_no_count_of_1_to_5_can_be_worked_out_from_the_viewers_pages(viewer_pages) -> None:
    reading, truth, metas = viewer_pages
    breakdown_cells = [k for k in reading.cells if k[2] is not None]
    assert len(breakdown_cells) > 1000 and any(reading.cells[k] == "c" for k in breakdown_cells)
    found = check([reading], truth, metas)
    assert found == [], "\n".join(found)
