"""Time to generate a synthetic council: `synth.generate` in this process, after the imports.

    .venv/bin/python benchmarks/bench_synth.py [--la 335] [--years 2013-14:2016-17] [--seed 7] [--runs 3]

The defaults are the test suite's council (tests/conftest.py: Walsall, 2013-14 to 2016-17, seed 7, no local
data). Each run writes the returns to a new temporary folder. Wall and CPU time (this process) per run, with the
load average, since other work on the machine inflates wall time.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import tempfile
import time
from pathlib import Path

from csc_scorecard.synth import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--la", default="335")
    parser.add_argument("--years", default="2013-14:2016-17")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    first, last = options.years.split(":")
    start, end = int(first[:4]), int(last[:4])
    years = [f"{y}-{(y + 1) % 100:02d}" for y in range(start, end + 1)]
    walls, cpus = [], []
    for _ in range(options.runs):
        with tempfile.TemporaryDirectory() as folder:
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            generate(options.la, years, seed=options.seed, out=Path(folder))
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{options.la} {options.years} seed {options.seed}: wall median {statistics.median(walls):.2f} s "
        f"(best {min(walls):.2f}), CPU median {statistics.median(cpus):.2f} s (best {min(cpus):.2f}), "
        f"{options.runs} runs, load average {load}"
    )


if __name__ == "__main__":
    main()
