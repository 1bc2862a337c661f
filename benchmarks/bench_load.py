"""Load time and peak memory for a synthetic council (issue: 4-year Walsall < 10 s, < 1 GB on 2 cores).

    .venv/bin/python benchmarks/bench_load.py [--la 335] [--years 2013-14:2016-17] [--scale 1 10]

Each load runs as a fresh `csc-scorecard load` process into an empty store; peak memory is that process's
maximum resident set size; its CPU is the whole process tree's, reader workers included (bench_national.measure).
The returns are generated once per scale into benchmarks/out/.

Against it, the parse floor (issue 18): merely parsing the same files, in one process, with nothing kept: lxml's
iterparse of each XML file (each element cleared) and DuckDB's read_csv of each CSV file (every column as text,
counted). Other files (Annex A workbooks) are not in the floor, so the ratio load / floor overstates how far the
CIN and 903 readers are from it when the synthetic council has its local data.
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


def run(args: list[str]) -> tuple[float, float, float]:
    """(seconds, peak RSS in MB, CPU seconds) of one child process."""
    from bench_national import measure  # the reader workers' CPU too, which getrusage alone misses

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    measured = measure(args, quiet=True)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return measured.seconds, max(peak_kb, before) / 1024, measured.cpu_s


def parse_floor(returns: Path) -> tuple[float, float]:
    """(seconds, CPU seconds) to parse every XML and CSV file under `returns`, keeping nothing."""
    import duckdb
    from lxml import etree

    con = duckdb.connect()
    wall, cpu = time.perf_counter(), time.process_time()
    for path in sorted(returns.rglob("*")):
        if path.suffix.lower() == ".xml":
            for _, element in etree.iterparse(str(path), events=("end",)):
                element.clear()
        elif path.suffix.lower() == ".csv":
            con.execute("SELECT count(*) FROM read_csv(?, all_varchar = true)", [str(path)]).fetchall()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--la", default="335")
    parser.add_argument("--years", default="2013-14:2016-17")
    parser.add_argument("--scale", nargs="+", type=float, default=[1.0, 10.0])
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    print(
        f"{'scale':>6} {'files MB':>9} {'rows':>10} {'load s':>7} {'CPU s':>6} {'peak MB':>8} {'floor s':>8} "
        f"{'CPU s':>6} {'ratio':>6} {'CPU':>6}"
    )
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
        seconds, peak, cpu = (float(x) for x in probe.stdout.split())
        rows = _rows(db)
        floor, floor_cpu = parse_floor(out / "returns")
        print(
            f"{scale:>6g} {size_mb:>9.1f} {rows:>10,} {seconds:>7.2f} {cpu:>6.2f} {peak:>8.0f} {floor:>8.2f} "
            f"{floor_cpu:>6.2f} {seconds / floor:>5.1f}x {cpu / floor_cpu:>5.1f}x"
        )


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
        print(*run([str(CLI), "load", sys.argv[2], "--db", sys.argv[3], "--la", sys.argv[4]]))
    else:
        main()
