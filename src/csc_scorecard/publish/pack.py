"""The scrutiny report pack for one LA and period: scorecard.xlsx, report.html, report.pdf, paper.docx and
slides.pptx.

The pack renders a built scorecard (pipeline.build, the same Built the CLI's `judge` and the dashboard show),
turned into one published (or internal) view; every file is rendered from that view, so the five cannot disagree
and none of them can show a figure the view suppressed. The spreadsheet is the whole scorecard; the report and the
paper are the committee paper (paper.py), with the headline indicators' charts in an appendix unless
`charts="none"`, which renders no chart at all (a shorter PDF, and no PNGs for the paper and the slides).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..pipeline import Built
from ..private_files import make_private, private_file, private_folder
from .charts import Chart, build_chart, drawable
from .docx import write_docx
from .helper import Helper, start_helper
from .html import render_html, write_html
from .model import PROFILES, Profile, ReportView, ViewInputs, report_view, unconfirmed_free_text
from .paper import CHARTS_MODES, ChartsMode, charted
from .pptx import write_pptx
from .report_config import ReportConfig, check_headline, load_report_config
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
    # seconds per stage, in order; the PDF is written by the helper process while this one writes the paper and
    # the slides, so "pdf" overlaps "docx" and "pptx"
    timings: dict[str, float] = field(default_factory=dict)
    view: ReportView | None = None
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per stage, in both processes

    @property
    def total_seconds(self) -> float:
        """The stages' seconds added up: more than the pack took, as the PDF's overlap the paper's and slides'."""
        return sum(self.timings.values())


class _Clock:
    """Wall and CPU time per stage; a stage timed twice adds up."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.add(stage, time.perf_counter() - wall, time.process_time() - cpu)

    def add(self, stage: str, wall: float, cpu: float) -> None:
        self.wall[stage] = self.wall.get(stage, 0.0) + wall
        self.cpu[stage] = self.cpu.get(stage, 0.0) + cpu


def write_pack(
    built: Built,
    out: Path,
    *,
    profile: Profile = "published",
    report_config: Path | None = None,
    helper: Helper | None = None,
    charts: ChartsMode = "appendix",
) -> PackResult:
    """Write the five files for a built scorecard into `out` (created if needed; files are replaced)."""
    try:
        if profile not in PROFILES:
            raise ValueError(f"profile must be one of {', '.join(PROFILES)}, not {profile!r}")
        if charts not in CHARTS_MODES:
            raise ValueError(f"charts must be one of {', '.join(CHARTS_MODES)}, not {charts!r}")
        config = load_report_config(report_config)  # fail on a bad YAML before any work is done
        check_headline(config, {j.meta.id for j in built.judgements()}, report_config)
        if profile == "published" and (found := unconfirmed_free_text(built)):
            raise UnconfirmedText(found)
        helper = helper or start_helper()
        return _write(built, Path(out), profile, config, helper, charts)
    finally:
        if helper is not None:
            helper.close()


def _write(
    built: Built, out: Path, profile: Profile, config: ReportConfig, helper: Helper, charts: ChartsMode
) -> PackResult:
    out = private_folder(out)
    clock = _Clock()
    with clock("view"):
        view = report_view(built, profile, ViewInputs(built.la_name, config))
    paths = {
        kind: private_file(out / name) for kind, name in FILES.items()
    }  # 0600 before anything is in them
    drawn: dict[str, Chart] = {}
    if charts == "appendix":
        with clock("charts"):
            views = drawable(v for v in view.indicators() if charted(v))
            drawn = {v.id: build_chart(v, view.la_name) for v in views}
    with clock("html"):
        html = render_html(view, drawn)
        write_html(html, paths["html"])
    started = time.perf_counter()
    pdf = helper.pdf(html, paths["pdf"])
    if drawn:
        with clock("charts"):  # the PNGs for Word and the slides, made once for both
            drawn = {k: c.with_png() for k, c in drawn.items()}
    with clock("xlsx"):
        write_xlsx(view, paths["xlsx"])
    with clock("docx"):
        write_docx(view, drawn, paths["docx"])
    with clock("pptx"):
        write_pptx(view, drawn, paths["pptx"])
    clock.add("pdf", 0.0, pdf.result())
    clock.add("pdf", time.perf_counter() - started, 0.0)
    make_private(*paths.values())
    order = [s for s in ("view", "charts", "xlsx", "html", "pdf", "docx", "pptx") if s in clock.wall]
    return PackResult(paths, {s: clock.wall[s] for s in order}, view, {s: clock.cpu[s] for s in order})
