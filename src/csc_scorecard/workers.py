"""Worker processes for CPU-bound Python (reading returns, generating synthetic councils) that never outlive
the process that started them.

Workers come from a fork server (forking the main process itself is unsafe once it runs threads, as the web
server and DuckDB do), so their parent is the fork server, not the main process. Each worker therefore:
- asks the kernel for SIGKILL when its parent, the fork server, ends (it ends when the main process does);
- watches the main process from a thread (a pidfd, so no polling) and exits the moment it ends, which also
  covers a fork server that outlives it;
- ignores Ctrl-C, which reaches the whole process group: the main process decides and stops them.
A pool left by an exception (Ctrl-C, or SIGTERM made an exception by `sigterm_raises`) kills its workers at
once rather than waiting for the return each is reading.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

# Below this many bytes of returns, starting worker processes costs more than it saves.
PARALLEL_FROM_BYTES = 20_000_000
PARALLEL_FROM_BYTES_ENV = "CSC_SCORECARD_PARALLEL_FROM_BYTES"
_PR_SET_PDEATHSIG = 1


def parallel_from_bytes() -> int:
    """The batch size from which returns are read in parallel (CSC_SCORECARD_PARALLEL_FROM_BYTES, if set)."""
    value = os.environ.get(PARALLEL_FROM_BYTES_ENV, "").strip()
    if not value:
        return PARALLEL_FROM_BYTES
    try:
        return int(value)
    except ValueError:
        raise ValueError(
            f"{PARALLEL_FROM_BYTES_ENV} must be a whole number of bytes, not {value!r}"
        ) from None


class Terminated(BaseException):
    """SIGTERM, raised in the main thread like KeyboardInterrupt so that the same clean-up runs."""


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """Within: SIGTERM raises Terminated, so that pools stop their workers and an open transaction rolls back."""

    def raise_terminated(signum: int, frame: object) -> None:
        raise Terminated(signum)

    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return
    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class WorkerPool:
    """A process pool whose workers die with this process; use as a context manager."""

    def __init__(self, workers: int, initializer: Callable[..., None] | None = None, initargs: tuple = ()):
        context = multiprocessing.get_context("forkserver")
        self._executor = ProcessPoolExecutor(
            workers,
            mp_context=context,
            initializer=_start_worker,
            initargs=(os.getpid(), initializer, initargs),
        )

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        return self._executor.submit(fn, *args)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, error_type: type[BaseException] | None, *_: object) -> None:
        if error_type is None:
            self._executor.shutdown(wait=True)
        else:
            self.stop()

    def stop(self) -> None:
        """Kill the workers now: queued work is cancelled and running work abandoned."""
        # ProcessPoolExecutor gains terminate_workers() only in Python 3.14; until then, its process table.
        processes = list((getattr(self._executor, "_processes", None) or {}).values())
        for process in processes:
            process.kill()
        self._executor.shutdown(wait=True, cancel_futures=True)


# ---- in the worker ----------------------------------------------------------------------------------------


def _start_worker(main_pid: int, then: Callable[..., None] | None, args: tuple) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform == "linux":
        parent = os.getppid()
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent ended before the request took effect
            os._exit(1)
    threading.Thread(target=_exit_with, args=(main_pid,), name="exit-with-main", daemon=True).start()
    if then is not None:
        then(*args)


def _exit_with(pid: int) -> None:
    """Exit this worker as soon as process `pid` has ended."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):  # no pidfd (not Linux, or an old kernel): look every half second
        while _alive(pid):
            time.sleep(0.5)
        os._exit(1)
    select.select([handle], [], [])  # a pidfd turns readable when its process ends
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


__all__ = [
    "PARALLEL_FROM_BYTES",
    "PARALLEL_FROM_BYTES_ENV",
    "Terminated",
    "WorkerPool",
    "parallel_from_bytes",
    "sigterm_raises",
]
