"""A bound, not a feature: the engine's queries if every population were a table made when the store was loaded.

    .venv/bin/python benchmarks/bound_materialised.py --store /work/national/scorecard.duckdb [--set core|all]

Issue 18 asks for the engine within 3x of one scan of the tables it reads, nationally. What is left of its time
is largely the populations' own SQL (the re-referral look-back, each assessment joined to its referral, the 903
chains). This measures what moving them into the load would buy, before building it: it captures the SQL of
`compute`'s queries (the core set or the whole catalogue x 16 quarters, every LA), makes each population that
reads no window (no `periods`, no placeholder) a TEMP table, runs the same queries reading those tables instead,
checks that every row is the same, and prints the two runs' times against a scan of the canonical tables and a
scan of the population tables. The store is opened read-only; the temporary tables go with the connection.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import sqlglot
from sqlglot import exp

from csc_scorecard.catalogue import CORE_INDICATOR_IDS, load_catalogue
from csc_scorecard.engine import compute
from csc_scorecard.engine.adapters.duckdb import DuckDBAdapter
from csc_scorecard.periods import quarters
from csc_scorecard.store import connect

Query = tuple[str, tuple[str, ...], dict]


def captured_queries(con, ids: list[str]) -> list[Query]:
    """Each query `compute` runs for these indicators x 16 quarters, with its tables and inputs."""
    queries: list[Query] = []
    run = DuckDBAdapter.run

    def keep(self, sql, tables, inputs):
        queries.append((sql, tuple(tables), dict(inputs)))
        return run(self, sql, tables, inputs)

    DuckDBAdapter.run = keep
    try:
        compute(con, quarters("2013-14Q1", "2016-17Q4"), ids)
    finally:
        DuckDBAdapter.run = run
    return queries


def materialised(con, queries: list[Query], populations: set[str]) -> tuple[list[Query], list[str], float]:
    """The same queries with every window-free population read from a TEMP table; the tables; their CPU."""
    made: dict[str, str] = {}
    cpu = 0.0
    out = []
    for sql, tables, inputs in queries:
        tree = sqlglot.parse_one(sql, read="duckdb")
        ctes = {cte.alias: cte for cte in tree.args["with_"].expressions}
        for name, cte in ctes.items():
            refs = {t.name for t in cte.this.find_all(exp.Table)}
            if name not in populations or "periods" in refs or next(cte.this.find_all(exp.Placeholder), None):
                continue
            body = cte.this.sql("duckdb")
            if body not in made:
                made[body] = f"bound_{name}_{len(made)}"
                query = exp.select("*").from_(name)
                for ref in sorted(refs & ctes.keys()):
                    query = query.with_(ref, as_=ctes[ref].this.copy())
                query = query.with_(name, as_=cte.this.copy())
                started = time.process_time()
                con.execute(f"CREATE TEMP TABLE {made[body]} AS {query.sql('duckdb')}").fetchall()
                cpu += time.process_time() - started
            cte.set("this", exp.select("*").from_(made[body]))
        out.append((tree.sql("duckdb"), tables, inputs))
    return out, sorted(made.values()), cpu


def clocked(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """The best (wall, CPU of the process) of `repeat` runs."""
    runs = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--set", choices=("core", "all"), default="core")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    con = connect(args.store, read_only=True)
    con.execute(f"SET threads = {args.threads}")
    catalogue = load_catalogue()
    ids = list(CORE_INDICATOR_IDS) if args.set == "core" else catalogue.ids()
    queries = captured_queries(con, ids)
    bound, tables, made_cpu = materialised(con, queries, set(catalogue.populations))
    adapter = DuckDBAdapter(con)

    def run(items: list[Query]) -> list[list[str]]:
        return [sorted(map(_row_key, adapter.run(sql, list(t), i))) for sql, t, i in items]

    if run(queries) != run(bound):
        raise SystemExit("the queries over the population tables gave different rows: the bound is void")
    canonical = sorted({t for _, ts, _ in queries for t in ts})

    def scan(names: list[str]) -> None:
        for name in names:
            con.execute(f"SELECT count(*), max(COLUMNS(*)) FROM {name}").fetchall()

    as_is, over_tables = clocked(lambda: run(queries), args.repeat), clocked(lambda: run(bound), args.repeat)
    scan_canonical, scan_tables = (
        clocked(lambda: scan(canonical), args.repeat),
        clocked(lambda: scan(tables), args.repeat),
    )
    print(
        f"{len(queries)} queries, {len(tables)} populations made tables in {made_cpu:.2f} s of CPU; rows identical"
    )
    print(f"{'':34} {'wall s':>7} {'CPU s':>7} {'/ canonical scan (wall, CPU)':>30} {'/ their own scan':>18}")
    for label, (wall, cpu), own in (
        ("queries as they are", as_is, scan_canonical),
        ("populations read from tables", over_tables, scan_tables),
    ):
        ratios = f"{wall / scan_canonical[0]:.1f}x, {cpu / scan_canonical[1]:.1f}x"
        print(
            f"{label:34} {wall:7.3f} {cpu:7.3f} {ratios:>30} {f'{wall / own[0]:.1f}x, {cpu / own[1]:.1f}x':>18}"
        )
    print(f"{'scan of the canonical tables':34} {scan_canonical[0]:7.3f} {scan_canonical[1]:7.3f}")
    print(f"{'scan of the population tables':34} {scan_tables[0]:7.3f} {scan_tables[1]:7.3f}")


def _row_key(row: dict) -> str:
    """A row comparable across runs: the loads' lists are sets, in no set order."""
    return repr({k: sorted(v) if isinstance(v, list) else v for k, v in row.items()})


if __name__ == "__main__":
    main()
