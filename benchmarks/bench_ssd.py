"""Loading an SSD snapshot: from CSV extracts and from a live PostgreSQL database (issue 16).

    .venv/bin/python benchmarks/bench_ssd.py [--la 335] [--years 2013-14:2016-17] [--scale 1 10]

The synthetic council is written once per scale with `synth --ssd-out` into benchmarks/out/. Each load is a
fresh `csc-scorecard load` process into an empty store (peak memory: that process's maximum RSS). For the
database, a throwaway PostgreSQL cluster (Debian's server, as in the tests) is started, the extract copied into
its tables, and `load --from-db` timed; copying the extract in is not part of the figure.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the throwaway cluster the tests use

from postgres import PASSWORD, cluster, fill_from_extract  # noqa: E402

CLI = Path(sys.executable).with_name("csc-scorecard")


def run(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one child process, measured from a fresh interpreter."""
    probe = subprocess.run(
        [sys.executable, __file__, "--probe", *args], check=True, capture_output=True, text=True,
        env={**os.environ, **(env or {})},
    )  # fmt: skip
    seconds, peak = (float(x) for x in probe.stdout.split())
    return seconds, peak


def probe(args: list[str]) -> None:
    started = time.perf_counter()
    subprocess.run([str(CLI), *args], check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def _rows(db: Path) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        counts = con.execute("SELECT row_counts FROM loads").fetchall()
    finally:
        con.close()
    import json

    return sum(sum(json.loads(c[0]).values()) for c in counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--la", default="335")
    parser.add_argument("--years", default="2013-14:2016-17")
    parser.add_argument("--scale", nargs="+", type=float, default=[1.0, 10.0])
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    print(f"{'scale':>6} {'CSV MB':>7} {'SSD rows':>10} {'stored rows':>12} {'CSV s':>6} {'CSV MB RSS':>10} "
          f"{'PostgreSQL s':>12} {'PG MB RSS':>9}")  # fmt: skip
    for scale in options.scale:
        out = HERE / "out" / f"ssd_{options.la}_x{scale:g}"
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run(
            [str(CLI), "synth", "--la", options.la, "--years", options.years, "--seed", str(options.seed),
             "--scale", str(scale), "--no-local-data", "--out", str(out / "returns"), "--ssd-out", str(out / "ssd")],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        extract = out / "ssd" / f"ssd_{options.la}"
        size_mb = sum(p.stat().st_size for p in extract.iterdir()) / 1e6
        source_rows = sum(sum(1 for _ in p.open(encoding="utf-8")) - 1 for p in extract.iterdir())
        csv_db = out / "csv.duckdb"
        csv_s, csv_peak = run(["load", str(extract), "--la", options.la, "--db", str(csv_db)])
        with cluster() as pg:
            fill_from_extract(pg.url, PASSWORD, extract, "ssd_development")
            db = out / "postgres.duckdb"
            pg_s, pg_peak = run(
                [
                    "load",
                    "--from-db",
                    pg.url,
                    "--schema",
                    "ssd_development",
                    "--la",
                    options.la,
                    "--db",
                    str(db),
                ],
                env={"CSC_SCORECARD_SSD_PASSWORD": PASSWORD},
            )
        print(f"{scale:>6g} {size_mb:>7.1f} {source_rows:>10,} {_rows(csv_db):>12,} {csv_s:>6.1f} {csv_peak:>10.0f} "
              f"{pg_s:>12.1f} {pg_peak:>9.0f}")  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--probe":
        probe(sys.argv[2:])
    else:
        main()
