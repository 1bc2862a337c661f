"""What people wait for at the command line: `csc-scorecard judge` and `report` for one quarter, as processes.

    .venv/bin/python benchmarks/bench_judge.py --store benchmarks/out/report_335/scorecard.duckdb
    .venv/bin/python benchmarks/bench_judge.py --store S --commands judge --repeat 5 --bytecode both

The store is copied (it is written to: a command saves what the engine computed). Each repeat starts from the
copy with no saved results, as the first command after a load finds it: "cold" is that first command (the
engine runs, and its results are saved in the store), "warm" the same command again (it reads them back). Wall
time is the process's; CPU is its user and system time and every descendant's (the report's helper process,
which the command's fork server starts and which is left to exit after it), from the kernel's accounting of
each process waited for: this script adopts the orphans (a child subreaper) and waits for them too. `--bytecode off` runs with PYTHONDONTWRITEBYTECODE=1, so the
package's modules are compiled on every start; `on` lets Python keep .pyc files (a user's install), after one
run to write them.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

CLI = Path(sys.executable).with_name("csc-scorecard")
COMMANDS = {
    "judge": ["judge"],
    "report-appendix": ["report", "--charts", "appendix", "--out", "{out}"],
    "report-none": ["report", "--charts", "none", "--out", "{out}"],
}


PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h: orphaned descendants are reparented to this process


def adopt_orphans() -> None:
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def reap() -> None:
    """Wait for every adopted descendant (a fork server, and through it the helper): their CPU is counted."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one process and every descendant."""
    reap()  # those of an earlier, untimed run
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - began
    reap()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def unsaved(source: Path, db: Path) -> None:
    """A copy of the store with no saved results: what the first command after a load finds."""
    shutil.copyfile(source, db)
    con = duckdb.connect(str(db))
    try:
        if con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'results_basis'").fetchone()[
            0
        ]:
            con.execute("DELETE FROM results_basis")
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--store", type=Path, required=True, help="A loaded store (it is copied, never written)."
    )
    parser.add_argument("--period", default="2016-17Q3")
    parser.add_argument("--commands", nargs="+", default=list(COMMANDS), choices=list(COMMANDS))
    parser.add_argument("--repeat", type=int, default=3, help="Cold and warm runs of each command.")
    parser.add_argument("--bytecode", choices=["off", "on", "both"], default="off")
    options = parser.parse_args()
    adopt_orphans()
    work = Path(tempfile.mkdtemp(prefix="bench-judge-"))
    try:
        db, out = work / "scorecard.duckdb", work / "pack"
        shutil.copyfile(options.store, db)
        subprocess.run([str(CLI), "judge", "--period", options.period, "--db", str(db)], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip  # the store upgraded, the queries' disk cache filled
        source = work / "source.duckdb"
        shutil.copyfile(db, source)
        modes = ["off", "on"] if options.bytecode == "both" else [options.bytecode]
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {options.period}")
        for mode in modes:
            env = dict(os.environ)
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            if mode == "off":
                env["PYTHONDONTWRITEBYTECODE"] = "1"
            else:  # one run to write the .pyc files
                subprocess.run([str(CLI), "--version"], check=True, stdout=subprocess.DEVNULL, env=env)
            for name in options.commands:
                args = [a.format(out=out) for a in COMMANDS[name]]
                command = [str(CLI), *args, "--period", options.period, "--db", str(db)]
                if mode == "on":
                    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
                runs: dict[str, list[tuple[float, float]]] = {"cold": [], "warm": []}
                for _ in range(options.repeat):
                    unsaved(source, db)
                    runs["cold"].append(timed(command, env))
                    runs["warm"].append(timed(command, env))
                for kind, times in runs.items():
                    walls, cpus = [w for w, _ in times], [c for _, c in times]
                    print(
                        f"{name:16} bytecode {mode:3} {kind}: wall {min(walls):.2f}-{max(walls):.2f} s "
                        f"(median {statistics.median(walls):.2f}), CPU {min(cpus):.2f}-{max(cpus):.2f} s "
                        f"(median {statistics.median(cpus):.2f}), load {os.getloadavg()[0]:.1f}"
                    )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
