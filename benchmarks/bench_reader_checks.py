"""CPU of one return's flat read, and of the DuckDB checks within it, best of N in one process.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_reader_checks.py RETURN [RETURN ...] [--runs 3] [--routes]

A RETURN is a CIN Census XML file (`cin_census.read_flat`) or a folder of SSDA903 CSVs
(`ssda903_flat.read_csv_checked`). The checks' CPU is the time spent in `vectorised.convert` (planning and running
each table's query) and, for a 903 return, in the query for its latest event date. Run it with main's src and a
branch's on the path in turn to compare them.

With --routes it gives instead the CPU of each return's whole read (`cin_census.read`, `ssda903.read_csv`) by
either route, its reader's FLAT_FROM_BYTES set to 0 and then past the return's size, best of N each, the two
alternating: where the lines cross is where FLAT_FROM_BYTES belongs.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from csc_scorecard.sources import cin_census, cin_flat, ssda903, ssda903_flat, vectorised


def _903(path: Path) -> dict:
    """A synthetic 903 folder's arguments: its CSVs, and its LA from its name (903_<LA>_<year>)."""
    return {
        "files": sorted(path.glob("*.csv")),
        "la": path.name.split("_")[1],
        "year": None,
        "folder_name": path.name,
    }


def _read_whole(path: Path):
    """The return read by its reader's public entry, whichever route its FLAT_FROM_BYTES picks."""
    return ssda903.read_csv(**_903(path)) if path.is_dir() else cin_census.read(path)


def _routes(returns: list[Path], runs: int) -> None:
    never = 1 << 62
    for path in returns:
        size = sum(p.stat().st_size for p in path.glob("*.csv")) if path.is_dir() else path.stat().st_size
        module = ssda903_flat if path.is_dir() else cin_census  # where each reader looks its threshold up
        flat_read = (
            ssda903_flat.read_csv_checked(**_903(path))
            if path.is_dir()
            else cin_census.read_flat(path, la=None, year=None)
        )
        if (
            flat_read is None
        ):  # the flat route would be timed as the flat attempt plus the value-by-value read
            raise SystemExit(f"{path}: not read flat")
        times: dict[int, list[float]] = {0: [], never: []}
        for _ in range(runs):
            for threshold, spent in times.items():
                module.FLAT_FROM_BYTES = threshold
                start = time.process_time()
                _read_whole(path)
                spent.append(time.process_time() - start)
        flat, by_value = min(times[0]), min(times[never])
        print(
            f"{path} ({size / 1e6:.3f} MB): flat {flat:.4f} s, value by value {by_value:.4f} s (CPU, best of {runs})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("returns", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--routes", action="store_true", help="each return's whole read by either route")
    args = parser.parse_args()
    if args.routes:
        _routes(args.returns, args.runs)
        return
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
                read = ssda903_flat.read_csv_checked(**_903(path))
            else:
                read = cin_census.read_flat(path, la=None, year=None)
            reads.append(time.process_time() - start)
            checks.append(spent[0])
            if read is None:
                raise SystemExit(f"{path}: not read flat")
        print(f"{path}: read {min(reads):.4f} s, checks {min(checks):.4f} s (CPU, best of {args.runs})")


if __name__ == "__main__":
    main()
