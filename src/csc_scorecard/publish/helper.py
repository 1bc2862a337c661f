"""A second process for the pack, so that it uses both cores.

WeasyPrint and vl-convert's chart engine both hold the GIL while they work, so threads cannot overlap them with
anything else; a process can. The helper comes from the fork server (not forked from
this process, which may already hold a chart engine whose threads a fork would not copy), is one of
`workers.WorkerPool`'s so it dies with this process, and starts before the scorecard is built, so that its start overlaps the build; it
imports only vl-convert and WeasyPrint. The pack hands it chart specs to draw as SVG and, once the HTML is
rendered, the PDF to write, while this process draws charts too, makes the Word and slide PNGs and writes the
spreadsheet, the paper and the slides.

Only what the published view shows crosses to the helper (chart specs and the rendered HTML).
"""

from __future__ import annotations

import gc
import threading
import time
from concurrent.futures import Future
from pathlib import Path

from ..workers import WorkerPool


def warm_up() -> None:
    """Start vl-convert's JavaScript engine (about a second), so that the first chart drawn does not wait for it."""
    import vl_convert as vlc

    vlc.vegalite_to_svg({"data": {"values": [{"x": 1}]}, "mark": "point", "encoding": {"x": {"field": "x"}}})


def _start(charts: bool) -> None:
    from . import pdf  # noqa: F401  # WeasyPrint's import, before the PDF is asked for

    if charts:
        warm_up()


def _ready() -> None:
    """Nothing: submitted at once so that the process starts now, not at the first real job."""


def _svg(spec: dict) -> tuple[str, float]:
    import vl_convert as vlc

    cpu = time.process_time()
    return vlc.vegalite_to_svg(spec), time.process_time() - cpu


def _pdf(html: str, path: Path) -> float:
    from .pdf import write_pdf

    cpu = time.process_time()
    # WeasyPrint makes millions of objects and little cyclic garbage, so the collector's passes were a sixth
    # of its time (2.9 s of CPU to 2.4 s without them); the helper is this pack's alone and ends with it
    gc.disable()
    try:
        write_pdf(html, path)
    finally:
        gc.enable()
    return time.process_time() - cpu


class Helper:
    """One worker process that dies with this one, and this process's chart engine starting on a thread when there are charts
    to draw; `close()` ends the process (the pack closes the helper it is given)."""

    def __init__(self, charts: bool = True):
        self._pool = WorkerPool(1, initializer=_start, initargs=(charts,))
        self._pool.submit(_ready)
        self.engine = threading.Thread(target=warm_up, daemon=True)
        if charts:
            self.engine.start()

    def engine_started(self) -> None:
        """Wait for this process's chart engine, if it was started."""
        if self.engine.ident is not None:
            self.engine.join()

    def svg(self, spec: dict) -> Future[tuple[str, float]]:
        """A chart's SVG and the CPU seconds the helper took to draw it."""
        return self._pool.submit(_svg, spec)

    def pdf(self, html: str, path: Path) -> Future[float]:
        """Write the PDF; the CPU seconds it took."""
        return self._pool.submit(_pdf, html, path)

    def close(self) -> None:
        self._pool.stop()
