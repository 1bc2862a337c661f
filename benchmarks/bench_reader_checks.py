"""CPU of one return's flat read, and of the DuckDB checks within it, best of N in one process.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_reader_checks.py RETURN [RETURN ...] [--runs 3]

A RETURN is a CIN Census XML file (`cin_census.read_flat`) or a folder of SSDA903 CSVs
(`ssda903_flat.read_csv_checked`). The checks' CPU is the time spent in `vectorised.convert` (planning and running
each table's query) and, for a 903 return, in the query for its latest event date. Run it with main's src and a
branch's on the path in turn to compare them.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from csc_scorecard.sources import cin_census, cin_flat, ssda903_flat, vectorised


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("returns", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    spent = [0.0]

    def timed(function):
        def wrapper(*a, **k):
            start = time.process_time()
            try:
                return function(*a, **k)
            finally:
                spent[0] += time.process_time() - start

        return wrapper

    # the readers call these by the names they imported
    cin_flat.convert = timed(vectorised.convert)
    vectorised.convert = timed(vectorised.convert)
    ssda903_flat._latest = timed(ssda903_flat._latest)
    for path in args.returns:
        reads, checks = [], []
        for _ in range(args.runs):
            spent[0] = 0.0
            start = time.process_time()
            if path.is_dir():
                files = sorted(path.glob("*.csv"))
                la = path.name.split("_")[1]  # the synthetic returns' folders: 903_<LA>_<year>
                read = ssda903_flat.read_csv_checked(files, la=la, year=None, folder_name=path.name)
            else:
                read = cin_census.read_flat(path, la=None, year=None)
            reads.append(time.process_time() - start)
            checks.append(spent[0])
            if read is None:
                raise SystemExit(f"{path}: not read flat")
        print(f"{path}: read {min(reads):.4f} s, checks {min(checks):.4f} s (CPU, best of {args.runs})")


if __name__ == "__main__":
    main()
