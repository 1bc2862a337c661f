"""A second process for the pack, so that it uses both cores.

WeasyPrint holds the GIL while it works, so a thread cannot overlap the PDF with anything else; a process can.
The helper comes from the fork server (not forked from this process, whose threads a fork would not copy), is
one of `workers.WorkerPool`'s so it dies with this process, and starts before the scorecard is built, so that
its start and WeasyPrint's import overlap the build. Once the HTML is rendered the pack hands it the PDF to write,
while this process makes the Word and slide PNGs and writes the spreadsheet, the paper and the slides.

Only what the published view shows crosses to the helper (the rendered HTML).
"""

from __future__ import annotations

import gc
import os
import time
from concurrent.futures import Future
from pathlib import Path

from ..workers import WorkerPool


def _start() -> None:
    from . import pdf  # noqa: F401  # WeasyPrint's import, before the PDF is asked for


def _ready() -> None:
    """Nothing: submitted at once so that the process starts now, not at the first real job."""


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
    """One worker process that dies with this one; `close()` ends it (the pack closes the helper it is given)."""

    def __init__(self) -> None:
        self._pool = WorkerPool(1, initializer=_start)
        self._jobs: list[Future] = [self._pool.submit(_ready)]
        self.cpu_seconds: float | None = None  # the helper's whole CPU, once closed after its work was done

    def pdf(self, html: str, path: Path) -> Future[float]:
        """Write the PDF; the CPU seconds it took."""
        job = self._pool.submit(_pdf, html, path)
        self._jobs.append(job)
        return job

    def close(self) -> None:
        """End the process; if all its work is done, first ask it for the CPU it used (a benchmark's figure:
        it is not a child of this process but of the fork server, so this process's rusage leaves it out)."""
        if all(job.done() for job in self._jobs):
            self.cpu_seconds = self._pool.submit(_own_cpu).result()
        self._pool.stop()


def start_helper() -> Helper:
    """Start the pack's helper process (it imports WeasyPrint for the PDF) before the scorecard is built, so
    that its start overlaps the build; hand it to `write_pack`, which closes it."""
    return Helper()
