"""Time to compute every core indicator for 16 quarters (target: < 3 s Walsall-sized, < 15 s at 10x, 2 cores).

    .venv/bin/python benchmarks/bench_indicators.py [--scale 1 10] [--las 1] [--threads 2] [--repeat 3]

    .venv/bin/python benchmarks/bench_indicators.py --store benchmarks/out/335_x1/scorecard.duckdb ...
    .venv/bin/python benchmarks/bench_indicators.py --store ... --set all   # the whole catalogue
    .venv/bin/python benchmarks/bench_indicators.py --scale 1 10 --store ...  # direct rows, then stores: one run

By default the store is filled with synthetic canonical rows directly (no returns, no loader), sized per LA and year like
Walsall: ~3,500 referrals, ~3,000 assessments, ~1,000 S47 enquiries, ~400 CP plans starting, ~650 children
looked after and ~1,500 903 episodes, over 2013-14 to 2016-17; `--scale` multiplies the rows of each LA and
`--las` the number of LAs. Timed: `compute()` for all core ids (`--set all`: every indicator of the catalogue)
x 2013-14Q1..2016-17Q4, cold (first call in the
process, including loading the catalogue and planning its queries, from disk_cache.py's folder when it has
them) and warm (best of --repeat, with its CPU time over all threads: the fairer figure on a shared machine);
and, against that, one pass of DuckDB over every table the queries read
(`SELECT count(*), max(COLUMNS(*))` on each, best of --repeat): the ratio is how far the engine is from merely
reading its input. The slowest batches (engine/batch.py) are listed by the tables they read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa

from csc_scorecard.catalogue import CORE_INDICATOR_IDS, load_catalogue
from csc_scorecard.engine import compute
from csc_scorecard.engine.adapters import adapter_for
from csc_scorecard.engine.batch import plan
from csc_scorecard.engine.compute import build_requests, run_requests
from csc_scorecard.periods import financial_year_of, quarters
from csc_scorecard.sources.tables import TABLES_BY_NAME
from csc_scorecard.store import connect

FIRST, LAST = dt.date(2013, 4, 1), dt.date(2017, 3, 31)
YEARS = 4
PER_YEAR = {"referrals": 3500, "assessments": 3000, "s47": 1000, "cp": 400, "cla_starts": 350, "oc3": 120}
SOURCES = ["1A", "1C", "2A", "2B", "3A", "3E", "4", "5A", "5D", "6", "7", "8", "9", "10"]
NEEDS = [f"N{i}" for i in range(10)]
ETHNICITIES = [
    "WBRI",
    "WIRI",
    "WOTH",
    "MWBC",
    "MWBA",
    "AIND",
    "APKN",
    "ABAN",
    "BCRB",
    "BAFR",
    "CHNE",
    "OOTH",
    "REFU",
]
PLACES = ["U1", "U4", "U4", "U5", "U6", "K2", "P1", "R1", "A4", "A6", "T3", "H5", "S1"]
LEGAL = ["C1", "C2", "C2", "C2", "V2", "E1", "V3", "L1", "J2"]
RNE_MOVES = ["P", "P", "L", "T", "U", "B"]
RECS = ["E4A", "E4B", "E11", "E12", "E13", "E45", "E46", "E41", "E8", "E3"]


def day(rng: random.Random, start: dt.date = FIRST, end: dt.date = LAST) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def after(base: dt.date, rng: random.Random, low: int, high: int) -> dt.date | None:
    """A date low..high days after base, or None when it falls after the last loaded year."""
    value = base + dt.timedelta(days=rng.randint(low, high))
    return value if value <= LAST else None


class Rows:
    """Canonical rows collected per table, tagged with lineage, inserted as Arrow tables."""

    def __init__(self, la_code: str):
        self.la_code = la_code
        self.tables: dict[str, list[dict]] = {}

    def add(self, table: str, year_of: dt.date, **values: object) -> None:
        rows = self.tables.setdefault(table, [])
        year = financial_year_of(min(year_of, LAST))
        rows.append({"load_id": int(year[:4]) - 2012, "la_code": self.la_code, "collection_year": year,
                     "src_line": len(rows) + 1, **values})  # fmt: skip

    def insert(self, con) -> int:
        total = 0
        for table, rows in self.tables.items():
            spec = TABLES_BY_NAME[table]
            names = ["load_id", "la_code", "collection_year", *spec.column_names, "src_line"]
            arrow = pa.Table.from_pylist([{n: r.get(n) for n in names} for r in rows])
            con.register("incoming", arrow)
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
            con.unregister("incoming")
            total += len(rows)
        return total


def cin_rows(rows: Rows, rng: random.Random, scale: float) -> None:
    referrals = int(PER_YEAR["referrals"] * YEARS * scale)
    pool = int(referrals * 0.7)  # fewer children than referrals: re-referrals happen
    for n in range(referrals):
        child = f"C{rng.randrange(pool)}"
        referred = day(rng)
        closed = after(referred, rng, 0, 500)
        rows.add("cin_episodes", closed or LAST, child_id=child, referral_date=referred,
                 referral_source=rng.choice(SOURCES), primary_need=rng.choice(NEEDS), closure_date=closed,
                 referral_nfa=rng.random() < 0.1)  # fmt: skip
        if n % 7 < 6:  # about 3,000 assessments a year for 3,500 referrals
            started = referred + dt.timedelta(days=rng.randint(0, 5))
            rows.add("assessments", closed or LAST, child_id=child, referral_date=referred, start_date=started,
                     authorised_date=after(started, rng, 0, 70))  # fmt: skip
        if n % 7 < 2:  # about 1,000 section 47s
            started = referred + dt.timedelta(days=rng.randint(0, 10))
            icpc = after(started, rng, 3, 25) if rng.random() < 0.4 else None
            rows.add("section47", closed or LAST, child_id=child, referral_date=referred, start_date=started,
                     icpc_date=icpc)  # fmt: skip
    for _ in range(int(PER_YEAR["cp"] * YEARS * scale)):
        child = f"C{rng.randrange(pool)}"
        started = day(rng)
        ended = after(started, rng, 30, 900)
        rows.add("cp_plans", ended or LAST, child_id=child, start_date=started, end_date=ended,
                 previous_plans=rng.choice([0, 0, 0, 1]), initial_category=rng.choice(["NEG", "EMO", "PHY", "SAB"]))  # fmt: skip
    for n in range(pool):
        rows.add("children", LAST, child_id=f"C{n}", dob=day(rng, dt.date(1998, 1, 1), dt.date(2016, 12, 1)),
                 sex=rng.choice("MF"), ethnicity=rng.choice(ETHNICITIES), disabilities=[rng.choice(["NONE", "AUT"])])  # fmt: skip


def cla_rows(rows: Rows, rng: random.Random, scale: float) -> None:
    # ~350 periods of care start a year, each ~2 years in ~3.5 episodes: ~700 looked after at a time and
    # ~1,500 episodes in each year's return.
    children = int(PER_YEAR["cla_starts"] * 8 * scale)
    for n in range(children):
        child = f"L{n}"
        start = day(rng, dt.date(2009, 4, 1), LAST)
        rows.add("children", LAST, child_id=child, dob=start - dt.timedelta(days=rng.randint(0, 5800)),
                 sex=rng.choice("MF"), ethnicity=rng.choice(ETHNICITIES))  # fmt: skip
        episode_rows(rows, rng, child, start)
        if rng.random() < 0.5:
            rows.add("missing", start, child_id=child, missing=rng.choice("MA"),
                     mis_start=after(start, rng, 0, 300) or start)  # fmt: skip
    for n in range(int(PER_YEAR["oc3"] * YEARS * scale)):
        child = f"L{rng.randrange(children)}"
        year = FIRST.year + n % YEARS
        rows.add("oc3", dt.date(year, 6, 1), child_id=f"{child}-{n}", in_touch=rng.choice(["YES", "YES", "NO", "DIED"]),
                 activ=rng.choice(["F1", "P5", "G4", "0"]), accom=rng.choice(["B1", "D1", "S2", "0"]))  # fmt: skip
        age = rng.choice([17, 18, 19, 20, 21])
        rows.add("children", LAST, child_id=f"{child}-{n}", dob=dt.date(year - age, 5, 1 + n % 28), sex="F")


def episode_rows(rows: Rows, rng: random.Random, child: str, start: dt.date) -> None:
    decom, rne = start, "S"
    for number in range(6):
        dec = after(decom, rng, 20, 400)
        last = number == 5 or dec is None or rng.random() < 0.15
        rec = None if dec is None else (rng.choice(RECS) if last else "X1")
        place = rng.choice(PLACES)
        rows.add("cla_episodes", dec or LAST, child_id=child, decom=decom, rne=rne, ls=rng.choice(LEGAL),
                 place=place, dec=dec, rec=rec, cin=rng.choice(NEEDS[1:9]), urn="XXXXXXX", pl_post="WS1 1AA")  # fmt: skip
        if rec in ("E11", "E12"):
            rows.add("ad1", dec, child_id=child, date_match=decom - dt.timedelta(days=rng.randint(-60, 300)))
        if last or dec is None:
            return
        decom, rne = dec, rng.choice(RNE_MOVES)


def build_store(path: Path, scale: float, las: list[str], seed: int) -> int:
    con = connect(path)
    rng = random.Random(seed)
    total = 0
    for la in las:
        rows = Rows(la)
        cin_rows(rows, rng, scale)
        cla_rows(rows, rng, scale)
        total += rows.insert(con)
        record_loads(con, la)
    con.close()
    return total


def indicator_ids(which: str) -> list[str]:
    return list(CORE_INDICATOR_IDS) if which == "core" else load_catalogue().ids()


def record_loads(con, la: str) -> None:
    """A current CIN and 903 load for each year, as `load` records them: a figure is computed only for the
    windows an LA's returns cover (engine/coverage.py)."""
    first = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchone()[0]
    years = [financial_year_of(dt.date(FIRST.year + n, 4, 1)) for n in range(YEARS)]
    for n, (kind, year) in enumerate((kind, year) for kind in ("cin", "ssda903") for year in years):
        con.execute(
            "INSERT INTO loads (load_id, kind, format, source_name, files, sha256, la_code, collection_year, "
            "year_source, row_counts, loaded_at, status) "
            "VALUES (?, ?, ?, ?, [], ?, ?, ?, 'benchmark', '{}', now(), 'current')",
            [first + n, kind, kind, f"{kind} {year}", f"bench{first + n}", la, year],
        )


def time_compute(
    path: Path, threads: int, repeat: int, ids: list[str]
) -> tuple[float, float, float, int, Counter]:
    """(cold, (warm, its CPU), (scan, its CPU), results, seconds per batch)."""
    con = connect(path, read_only=True)  # never writes: a shared national store can be timed as it is
    con.execute(f"SET threads = {threads}")
    periods = quarters("2013-14Q1", "2016-17Q4")
    started = time.perf_counter()
    results = compute(con, periods, ids)
    cold = time.perf_counter() - started
    warm = min(_clocked(lambda: compute(con, periods, ids)) for _ in range(repeat))
    adapter = adapter_for(con, None)
    catalogue = load_catalogue()
    requests = build_requests(catalogue, periods, ids, None, None, {})
    batches = plan(
        catalogue,
        requests,
        dialect=adapter.dialect,
        write=adapter.sql,
        filtered=False,
        distinct_loads=adapter.SUPPORTS_ARRAY_AGG_DISTINCT,
    )
    tables = sorted({table for batch in batches for table in batch.tables})
    scan = min(_clocked(lambda: _scan(con, tables)) for _ in range(repeat))
    seconds: Counter = Counter()
    for batch in batches:
        members = [requests[i] for i in batch.measures]
        seconds[" ".join(batch.tables)] += _timed(lambda m=members: run_requests(adapter, catalogue, m))
    return cold, warm, scan, len(results), seconds


def _scan(con, tables: list[str]) -> None:
    for table in tables:
        con.execute(f"SELECT count(*), max(COLUMNS(*)) FROM {table}").fetchall()


def _clocked(action) -> tuple[float, float]:
    """(wall, CPU of the process over all its threads)."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        nargs="+",
        type=float,
        help="stores of canonical rows made directly, this many times Walsall (default 1 10 without --store; "
        "with --store, these first and then the stores, in one run)",
    )
    parser.add_argument("--las", type=int, default=1, help="number of LAs (each --scale times Walsall)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--set",
        choices=("core", "all"),
        default="core",
        help="the core ids, or every indicator of the catalogue",
    )
    parser.add_argument(
        "--store",
        nargs="+",
        type=Path,
        help="time existing stores instead (e.g. bench_load.py's synthetic ones)",
    )
    options = parser.parse_args()
    ids = indicator_ids(options.set)
    header = (
        f"{'results':>8} {'cold s':>7} {'warm s':>7} {'cpu s':>6} {'scan s':>7} {'cpu s':>6} {'ratio':>6} "
        f"{'cpu':>6}  slowest batches (s)"
    )
    scales = options.scale if options.scale is not None else ([] if options.store else [1.0, 10.0])
    las = ["335", *[str(code) for code in range(201, 201 + options.las - 1)]]
    if scales:
        print(f"{'scale':>6} {'LAs':>4} {'rows':>10} {header}")
    for scale in scales:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.duckdb"
            rows = build_store(path, scale, las, options.seed)
            line = _line(*time_compute(path, options.threads, options.repeat, ids))
            print(f"{scale:>6g} {len(las):>4} {rows:>10,} {line}", flush=True)
    if options.store:
        print(f"{'store':<50} {header}")
    for path in options.store or []:
        print(f"{path!s:<50} {_line(*time_compute(path, options.threads, options.repeat, ids))}", flush=True)


def _line(cold: float, warm: tuple, scan: tuple, results: int, per: Counter) -> str:
    slowest = ", ".join(f"[{tables}] {s:.3f}" for tables, s in per.most_common(3))
    (wall, cpu), (scan_wall, scan_cpu) = warm, scan
    ratios = f"{wall / scan_wall:>5.1f}x {cpu / scan_cpu:>5.1f}x"
    return f"{results:>8,} {cold:>7.3f} {wall:>7.3f} {cpu:>6.3f} {scan_wall:>7.3f} {scan_cpu:>6.3f} {ratios}  {slowest}"


if __name__ == "__main__":
    main()
