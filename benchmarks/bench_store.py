"""Time to create an empty store (every migration, then the reference data) and to open it again.

    .venv/bin/python benchmarks/bench_store.py [--runs 7]

Each run creates a new store in a temporary folder with `store.connect`, in this process, after the imports.
"Reopen" is a writable open of the store just made: migrations and reference data already current.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from csc_scorecard.store import connect


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    create, reopen = [], []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(options.runs):
            db = Path(folder) / f"store_{run}.duckdb"
            started = time.perf_counter()
            connect(db).close()
            create.append(time.perf_counter() - started)
            started = time.perf_counter()
            connect(db).close()
            reopen.append(time.perf_counter() - started)
    for name, times in (("create", create), ("reopen", reopen)):
        print(
            f"{name}: median {statistics.median(times):.3f} s, best {min(times):.3f} s ({options.runs} runs)"
        )


if __name__ == "__main__":
    main()
