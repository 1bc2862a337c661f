"""Time to write the scrutiny report pack for one LA and quarter (issue 14 target: < 8 s on 2 cores).

    .venv/bin/python benchmarks/bench_report.py [--period 2016-17Q3] [--profile published internal] [--repeat 2]
    .venv/bin/python benchmarks/bench_report.py --charts appendix none --profile published
    .venv/bin/python benchmarks/bench_report.py --store benchmarks/out/335_x1/scorecard.duckdb

Without --store, a synthetic Walsall (2013-14 to 2016-17, seed 1) is generated and loaded into
benchmarks/out/report_335/ once, through the real CLI. Each run is `pipeline.build` then `publish.write_pack`
(the view, the appendix charts' SVG and PNG unless --charts none, XLSX, HTML, PDF, DOCX, PPTX), as
`csc-scorecard report` does, with its helper process started before the build; the PDF's page count is printed with
each run. "cold" is the first call in this fresh process and includes importing the publishing libraries; later
calls are "warm". CPU is this process's CPU time over all its
threads plus the helper process's (start-up and imports included), which other work on the machine inflates
less than wall time. Each stage is shown as wall/CPU seconds; the PDF is written by the helper while this process
writes the paper and the slides, so its wall time overlaps theirs.
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLI = Path(sys.executable).with_name("csc-scorecard")


def synthetic_store(la: str) -> Path:
    folder = HERE / "out" / f"report_{la}"
    db = folder / "scorecard.duckdb"
    if not db.exists():
        returns = folder / "returns"
        subprocess.run([str(CLI), "synth", "--la", la, "--years", "2013-14:2016-17", "--seed", "1", "--out",
                        str(returns)], check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        subprocess.run([str(CLI), "load", str(returns), "--la", la, "--db", str(db)], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
    return db


def pages(pdf: Path) -> str:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--la", default="335")
    parser.add_argument("--period", default="2016-17Q3")
    parser.add_argument("--store", type=Path, help="An existing store (it gains the computed results).")
    parser.add_argument("--profile", nargs="+", default=["published", "internal"])
    parser.add_argument("--charts", nargs="+", default=["appendix"], choices=["appendix", "none"])
    parser.add_argument("--repeat", type=int, default=2, help="Runs per profile and charts mode.")
    options = parser.parse_args()
    db = options.store or synthetic_store(options.la)

    started, cpu_started = time.perf_counter(), time.process_time()
    from csc_scorecard.periods import parse_period  # timed: part of the cold figure
    from csc_scorecard.pipeline import build
    from csc_scorecard.publish import start_helper, write_pack
    from csc_scorecard.store import connect

    imported, imported_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(f"imports: {imported:.2f} s (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    con = connect(db, read_only=True)
    try:
        first = True
        for profile, mode, run in itertools.product(options.profile, options.charts, range(options.repeat)):
            out = HERE / "out" / f"report_{options.la}" / f"pack_{profile}_{mode}"
            began, cpu = time.perf_counter(), time.process_time()
            # as `csc-scorecard report` does: the helper process starts while the scorecard's queries run
            helper = start_helper()
            built = build(con, options.la, parse_period(options.period))
            scorecard, scorecard_cpu = time.perf_counter() - began, time.process_time() - cpu
            result = write_pack(built, out, profile=profile, helper=helper, charts=mode)
            total = time.perf_counter() - began + (imported if first else 0.0)
            cpu = time.process_time() - cpu + (imported_cpu if first else 0.0)
            helper_cpu = helper.cpu_seconds or 0.0  # the helper's whole CPU, start-up and imports too
            walls = {"scorecard": scorecard, **result.timings}
            cpus = {"scorecard": scorecard_cpu, **result.cpu}
            stages = ", ".join(f"{k} {v:.2f}/{cpus[k]:.2f}" for k, v in walls.items())
            label = f"{profile} {mode}, run {run + 1} ({'cold' if first else 'warm'})"
            print(
                f"{label:32}: {total:5.2f} s, CPU {cpu + helper_cpu:5.2f} s (helper {helper_cpu:.2f}), "
                f"{pages(result.paths['pdf'])} pages, load {os.getloadavg()[0]:.1f}  [wall/CPU: {stages}]"
            )
            first = False
        print(f"pack: {', '.join(str(p) for p in result.paths.values())}")
    finally:
        con.close()


if __name__ == "__main__":
    main()
