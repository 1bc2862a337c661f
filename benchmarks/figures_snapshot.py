"""Every figure the engine gives on the synthetic council, as `indicators --format csv`, so that a refactor can
show it changed nothing (or exactly what it changed).

    .venv/bin/python benchmarks/figures_snapshot.py --out benchmarks/out/figures_after.csv
    .venv/bin/python benchmarks/figures_snapshot.py --compare benchmarks/out/figures_before.csv

A synthetic Walsall (335, 2013-14 to 2016-17, seed 1, with the local templates, Annex A and CSWW) is generated
and loaded into benchmarks/out/figures_335/ once, through the real CLI; then one `csc-scorecard indicators`
process computes every indicator in the catalogue for the 16 year-to-date quarters 2013-14Q1 to 2016-17Q4 and
the four years. The CSV's sha256 is printed; with --compare, the rows that differ are listed.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLI = Path(sys.executable).with_name("csc-scorecard")
YEARS = ("2013-14", "2014-15", "2015-16", "2016-17")
PERIODS = tuple(f"{y}Q{q}" for y in YEARS for q in range(1, 5)) + YEARS


def synthetic_store(la: str) -> Path:
    folder = HERE / "out" / f"figures_{la}"
    db = folder / "scorecard.duckdb"
    if not db.exists():
        returns = folder / "returns"
        subprocess.run([str(CLI), "synth", "--la", la, "--years", f"{YEARS[0]}:{YEARS[-1]}", "--seed", "1",
                        "--out", str(returns)], check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        subprocess.run([str(CLI), "load", str(returns), "--la", la, "--db", str(db)], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
    return db


def figures(db: Path) -> str:
    command = [str(CLI), "indicators", "--db", str(db), "--format", "csv"]
    for period in PERIODS:
        command += ["--period", period]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def _rows(text: str) -> dict[tuple[str, ...], list[str]]:
    reader = csv.reader(text.splitlines())
    header = next(reader)
    key = [header.index(c) for c in ("la_code", "indicator_id", "period", "breakdown", "breakdown_value")]
    return {tuple(row[i] for i in key): row for row in reader}


def _same(a: str, b: str) -> bool:
    """Equal, or numbers equal to 12 significant figures: DuckDB's parallel sums of doubles may add in a
    different order from run to run, which moves the last binary digits and nothing a person would see."""
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return abs(x - y) <= 1e-12 * max(abs(x), abs(y))


def compare(before: str, after: str) -> list[str]:
    old, new = _rows(before), _rows(after)
    out = [f"only before: {k}" for k in sorted(old.keys() - new.keys())]
    out += [f"only after: {k}" for k in sorted(new.keys() - old.keys())]
    out += [
        f"changed: {k}: {old[k]} -> {new[k]}"
        for k in sorted(old.keys() & new.keys())
        if len(old[k]) != len(new[k]) or not all(map(_same, old[k], new[k]))
    ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--la", default="335")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "figures.csv")
    parser.add_argument("--compare", type=Path, help="An earlier snapshot to compare with.")
    options = parser.parse_args()
    text = figures(synthetic_store(options.la))
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(text, encoding="utf-8")
    rows = len(text.splitlines()) - 1
    print(f"{rows:,} figures, sha256 {hashlib.sha256(text.encode()).hexdigest()}, written to {options.out}")
    if options.compare:
        differences = compare(options.compare.read_text(encoding="utf-8"), text)
        print("\n".join(differences[:200]) or "identical to " + str(options.compare))
        print(f"{len(differences)} difference(s)")
        if differences:
            sys.exit(1)


if __name__ == "__main__":
    main()
