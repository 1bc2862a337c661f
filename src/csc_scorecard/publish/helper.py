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
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from ..workers import WorkerPool

T = TypeVar("T")


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


def _own_cpu() -> float:
    """The helper's CPU seconds since it started, its imports included."""
    times = os.times()
    return times.user + times.system


class Helper:
    """One worker process that dies with this one, and this process's chart engine starting on a thread when
    there are charts to draw; `close()` ends the process (the pack closes the helper it is given)."""

    def __init__(self, charts: bool = True):
        self._pool = WorkerPool(1, initializer=_start, initargs=(charts,))
        self._jobs: list[Future] = [self._pool.submit(_ready)]
        self.cpu_seconds: float | None = None  # the helper's whole CPU, once closed after its work was done
        self.engine = threading.Thread(target=warm_up, daemon=True)
        if charts:
            self.engine.start()

    def engine_started(self) -> None:
        """Wait for this process's chart engine, if it was started."""
        if self.engine.ident is not None:
            self.engine.join()

    def svg(self, spec: dict) -> Future[tuple[str, float]]:
        """A chart's SVG and the CPU seconds the helper took to draw it."""
        return self._submit(_svg, spec)

    def pdf(self, html: str, path: Path) -> Future[float]:
        """Write the PDF; the CPU seconds it took."""
        return self._submit(_pdf, html, path)

    def _submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        job = self._pool.submit(fn, *args)
        self._jobs.append(job)
        return job

    def close(self) -> None:
        """End the process; if all its work is done, first ask it for the CPU it used (a benchmark's figure:
        it is not a child of this process but of the fork server, so this process's rusage leaves it out)."""
        if all(job.done() for job in self._jobs):
            self.cpu_seconds = self._pool.submit(_own_cpu).result()
        self._pool.stop()
