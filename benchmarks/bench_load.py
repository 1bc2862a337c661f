"""Load time and peak memory for a synthetic council (issue: 4-year Walsall < 10 s, < 1 GB on 2 cores).

    .venv/bin/python benchmarks/bench_load.py [--la 335] [--years 2013-14:2016-17] [--scale 1 10]

Each load runs as a fresh `csc-scorecard load` process into an empty store; peak memory is that process's
maximum resident set size. The returns are generated once per scale into benchmarks/out/.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLI = Path(sys.executable).with_name("csc-scorecard")


def run(args: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak_kb, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--la", default="335")
    parser.add_argument("--years", default="2013-14:2016-17")
    parser.add_argument("--scale", nargs="+", type=float, default=[1.0, 10.0])
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    print(f"{'scale':>6} {'files MB':>9} {'rows':>10} {'load s':>7} {'peak MB':>8}")
    for scale in options.scale:
        out = HERE / "out" / f"{options.la}_x{scale:g}"
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run(
            [str(CLI), "synth", "--la", options.la, "--years", options.years, "--seed", str(options.seed),
             "--scale", str(scale), "--out", str(out / "returns")],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        size_mb = sum(p.stat().st_size for p in (out / "returns").rglob("*") if p.is_file()) / 1e6
        db = out / "scorecard.duckdb"
        # Each measurement is its own process, so RUSAGE_CHILDREN's running maximum needs a fresh
        # interpreter per scale to stay honest: re-invoke ourselves for the load alone.
        probe = subprocess.run(
            [sys.executable, __file__, "--probe", str(out / "returns"), str(db), options.la],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        seconds, peak = (float(x) for x in probe.stdout.split())
        rows = _rows(db)
        print(f"{scale:>6g} {size_mb:>9.1f} {rows:>10,} {seconds:>7.2f} {peak:>8.0f}")


def _rows(db: Path) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return sum(
            con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'raw_%'"
            ).fetchall()
        )
    finally:
        con.close()


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--probe":
        seconds, peak = run([str(CLI), "load", sys.argv[2], "--db", sys.argv[3], "--la", sys.argv[4]])
        print(seconds, peak)
    else:
        main()
