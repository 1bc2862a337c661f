"""The scrutiny report pack for one LA and period: scorecard.xlsx, report.html, report.pdf, paper.docx and
slides.pptx.

The pack renders a built scorecard (pipeline.build, the same Built the CLI's `judge` and the dashboard show),
turned into one published (or internal) view; every file is rendered from that view, so the five cannot disagree
and none of them can show a figure the view suppressed. The spreadsheet is the whole scorecard; the report and the
paper are the committee paper (paper.py), with the headline indicators' charts in an appendix unless
`charts="none"`, which renders no chart at all (the charts are most of the pack's time).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..pipeline import Built
from ..private_files import make_private, private_file, private_folder
from .charts import build_charts, warm_up
from .docx import write_docx
from .html import render_html, write_html
from .model import PROFILES, Profile, ReportView, ViewInputs, report_view, unconfirmed_free_text
from .paper import CHARTS_MODES, ChartsMode, charted
from .pdf import write_pdf
from .pptx import write_pptx
from .report_config import check_headline, load_report_config
from .xlsx import write_xlsx

FILES = {
    "xlsx": "scorecard.xlsx",
    "html": "report.html",
    "pdf": "report.pdf",
    "docx": "paper.docx",
    "pptx": "slides.pptx",
}


class UnconfirmedText(ValueError):
    """Commentary or action text looks as if it may identify a child, and no analyst has confirmed it does not."""

    def __init__(self, found: list[str]):
        super().__init__(
            "The published pack was not written: free text looks as if it may identify a child, and no analyst "
            "has confirmed that it does not:\n"
            + "\n".join(f"  {line}" for line in found)
            + "\nChange the text, or confirm that it does not identify a child: on the indicator's page of the "
            "dashboard, or with `csc-scorecard commentary set ... --confirm` or `csc-scorecard commentary "
            "update-action ID --confirm`."
        )
        self.found = found


@dataclass
class PackResult:
    paths: dict[str, Path]  # xlsx, html, pdf, docx, pptx
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, in order
    view: ReportView | None = None

    @property
    def total_seconds(self) -> float:
        return sum(self.timings.values())


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[stage] = time.perf_counter() - start


def warm_up_charts() -> threading.Thread:
    """Start the chart engine on a thread (about a second) so that it overlaps building the scorecard."""
    engine = threading.Thread(target=warm_up, daemon=True)
    engine.start()
    return engine


def write_pack(
    built: Built,
    out: Path,
    *,
    profile: Profile = "published",
    report_config: Path | None = None,
    charts_engine: threading.Thread | None = None,
    charts: ChartsMode = "appendix",
) -> PackResult:
    """Write the five files for a built scorecard into `out` (created if needed; files are replaced)."""
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, not {profile!r}")
    if charts not in CHARTS_MODES:
        raise ValueError(f"charts must be one of {', '.join(CHARTS_MODES)}, not {charts!r}")
    config = load_report_config(report_config)  # fail on a bad YAML before any work is done
    check_headline(config, {j.meta.id for j in built.judgements()}, report_config)
    if profile == "published" and (found := unconfirmed_free_text(built)):
        raise UnconfirmedText(found)
    out = private_folder(Path(out))
    timings: dict[str, float] = {}
    engine = (charts_engine or warm_up_charts()) if charts == "appendix" else None
    with _timed(timings, "view"):
        view = report_view(built, profile, ViewInputs(built.la_name, config))
    paths = {
        kind: private_file(out / name) for kind, name in FILES.items()
    }  # 0600 before anything is in them
    drawn = {}
    if engine is not None:
        with _timed(timings, "charts"):
            engine.join()
            drawn = build_charts(view, [v for v in view.indicators() if charted(v)])
    with _timed(timings, "xlsx"):
        write_xlsx(view, paths["xlsx"])
    with _timed(timings, "html"):
        html = render_html(view, drawn)
        write_html(html, paths["html"])
    with _timed(timings, "pdf"):
        write_pdf(html, paths["pdf"])
    with _timed(timings, "docx"):
        write_docx(view, drawn, paths["docx"])
    with _timed(timings, "pptx"):
        write_pptx(view, drawn, paths["pptx"])
    make_private(*paths.values())
    return PackResult(paths, timings, view)
