"""The national synthetic set (152 LAs x 2013-14..2016-17): load, then every indicator for 16 quarters.

    .venv/bin/python benchmarks/bench_national.py [--steps generate load duckdb spark liiatools]
        [--seed 1] [--workers 2] [--las 201 202 ...] [--set all|core] [--store PATH]

Targets (issue 8): load + compute on DuckDB in under 5 minutes with peak memory under 8 GB on 2 cores; the same
on Spark local[2] is reported, not targeted (issue 18: within 3x of DuckDB with the whole catalogue). The duckdb
and spark steps compute the same set (`--set`: every indicator of the store's catalogue, or the 29 core ones)
for the LAs of `--las` (default every LA in the store), and Spark's results are compared with DuckDB's, each
field of each result. The liiatools step times liiatools-dagster's SSDA903 pipeline
(its own venv, out/liiatools-venv) against our load of the same 903 files, in one run, as a ratio.

Each measured step is a fresh child process (this script re-invoked with --probe). Its time is wall-clock; its
peak memory is the largest sum of resident memory over the child and all its descendants (forkserver workers,
Spark's JVM), sampled every 50 ms from /proc, so parallel workers are counted together. Its CPU time is the
kernel's account of the child and every descendant it waited for (getrusage of this script's children, taken
before and after: one child runs at a time); sampling /proc every 50 ms missed the CPU spent since the last
sample, about 13% of a short process's. A descendant nobody waits for (an orphaned JVM) is only sampled, so the
larger of the two is taken.

The returns are generated once (cached under out/national/returns with a stamp of the arguments); the store
out/national/scorecard.duckdb (or --store) is rebuilt by every load step. The duckdb step saves its results in
the store and in out/national/duckdb_results.pickle, which the spark step compares with.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "national"
RETURNS = OUT / "returns"
STORE = OUT / "scorecard.duckdb"
STAMP = RETURNS / "stamp.json"
DUCKDB_RESULTS = OUT / "duckdb_results.pickle"  # the duckdb step's results, for the spark step to compare
YEARS = "2013-14:2016-17"
QUARTERS = ("2013-14Q1", "2016-17Q4")
CLI = Path(sys.executable).with_name("csc-scorecard")
LIIA_VENV = HERE / "out" / "liiatools-venv"
LIIA_WORK = OUT / "liiatools"


# --- measuring a child process ---------------------------------------------------------------------------


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                found.extend(int(c) for c in children.read().split())
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return found


def _cpu_ticks(pid: int, under: str = "") -> int:
    """User + system CPU time of one process (or of a thread: `under` "<pid>/task/") so far, in clock ticks
    (/proc/<pid>/stat fields 14 and 15)."""
    try:
        with open(f"/proc/{under}{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (FileNotFoundError, ProcessLookupError, PermissionError, IndexError):
        return 0


def _tree(root: int) -> list[int]:
    pids, stack = [], [root]
    while stack:
        pid = stack.pop()
        pids.append(pid)
        stack.extend(_children(pid))
    return pids


@dataclasses.dataclass(frozen=True)
class Run:
    seconds: float  # wall clock
    peak_mb: float  # the largest resident memory of the whole process tree at one time
    cpu_s: float  # CPU time of the whole tree (see the module's docstring): less sensitive to other load
    stdout: str


def measure(args: list[str], quiet: bool = False) -> Run:
    """Run one child process to the end, sampling its process tree every 50 ms (its stderr dropped if quiet)."""
    ticks: dict[int, int] = {}
    before = _children_cpu()
    with tempfile.TemporaryFile("w+") as stdout:  # a file, not a pipe: a chatty child never blocks on it
        started = time.perf_counter()
        child = subprocess.Popen(args, stdout=stdout, stderr=subprocess.DEVNULL if quiet else None, text=True)
        peak = 0
        while child.poll() is None:
            pids = _tree(child.pid)
            peak = max(peak, sum(_rss_kb(pid) for pid in pids))
            for pid in pids:
                ticks[pid] = max(ticks.get(pid, 0), _cpu_ticks(pid))
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        stdout.seek(0)
        output = stdout.read()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(args[:4])} ... failed ({child.returncode})")
    sampled = sum(ticks.values()) / os.sysconf("SC_CLK_TCK")
    return Run(seconds, peak / 1024, max(_children_cpu() - before, sampled), output)


def _children_cpu() -> float:
    """User + system CPU of every child this process has waited for, and of their waited-for descendants."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def probe(kind: str, *args: str) -> tuple[Run, dict]:
    run = measure([sys.executable, __file__, "--probe", kind, *args])
    return run, json.loads(run.stdout.strip().splitlines()[-1])


# --- the probes (run in the child) ------------------------------------------------------------------------


def _probe_load(returns: str, db: str) -> dict:
    from csc_scorecard.synth.national import load_national

    reports = load_national(Path(returns), Path(db))
    rows = sum(sum(o.rows.values()) for r in reports for o in r.outcomes)
    return {"las": len(reports), "returns": sum(len(r.outcomes) for r in reports), "rows": rows}


def _core_periods():
    from csc_scorecard.periods import quarters

    return quarters(*QUARTERS)


def _chosen(which: str, las: str) -> tuple[list[str] | None, list[str] | None]:
    """The indicator ids (None: every indicator of the store's catalogue) and LAs (None: all) of a probe."""
    from csc_scorecard.catalogue import CORE_INDICATOR_IDS

    return (list(CORE_INDICATOR_IDS) if which == "core" else None), (las.split(",") if las else None)


def _probe_duckdb(db: str, which: str, las: str) -> dict:
    import pickle

    from csc_scorecard.engine import compute, save_results
    from csc_scorecard.store import connect

    ids, la_codes = _chosen(which, las)
    con = connect(db)
    con.execute("SET threads = 2")
    started = time.perf_counter()
    results = compute(con, _core_periods(), ids, la_codes=la_codes)
    computed = time.perf_counter() - started
    save_results(con, results)
    saved = time.perf_counter() - started - computed
    con.close()
    DUCKDB_RESULTS.write_bytes(pickle.dumps({"set": which, "las": las, "results": results}))
    return {"results": len(results), "compute_s": computed, "save_s": saved}


def _probe_spark(db: str, which: str, las: str) -> dict:
    import pickle

    from csc_scorecard.config import load_settings
    from csc_scorecard.engine import compute
    from csc_scorecard.engine.adapters.spark import SparkAdapter, stop_sessions
    from csc_scorecard.engine.batch import plan
    from csc_scorecard.engine.compute import build_requests
    from csc_scorecard.engine.manual import catalogue_for
    from csc_scorecard.store import connect

    ids, la_codes = _chosen(which, las)
    con = connect(db, read_only=True)
    con.execute("SET threads = 2")  # the Parquet export
    started = time.perf_counter()
    settings = dataclasses.replace(load_settings().spark, driver_memory="4g")
    adapter = SparkAdapter(con, settings=settings)
    session = time.perf_counter() - started
    catalogue, periods = catalogue_for(con), _core_periods()
    requests = build_requests(catalogue, periods, ids, None, la_codes, {})
    batches = plan(
        catalogue, [r for r in requests if r.indicator.manual is None], dialect=adapter.dialect,
        write=adapter.sql, filtered=la_codes is not None, distinct_loads=adapter.SUPPORTS_ARRAY_AGG_DISTINCT,
        per_child=not adapter.CHEAP_DISTINCT_AGGREGATES,
    )  # fmt: skip
    adapter.register(sorted({table for batch in batches for table in batch.tables}))
    exported = time.perf_counter() - started - session
    results = compute(adapter, periods, ids, la_codes=la_codes, catalogue=catalogue)
    computed = time.perf_counter() - started - session - exported
    jvm = _jvm_cpu()
    adapter.close()
    stop_sessions()
    con.close()
    # The same figures as DuckDB's (the duckdb step's, for the same set and LAs), to the last bit that matters?
    theirs = pickle.loads(DUCKDB_RESULTS.read_bytes()) if DUCKDB_RESULTS.exists() else {}
    if (theirs.get("set"), theirs.get("las")) != (which, las):
        raise SystemExit("spark: run the duckdb step first, with the same --set and --las, to compare with")
    stored = {_key(r): r for r in theirs["results"]}
    differ = sum(1 for r in results if not _same(r, stored.get(_key(r))))
    return {
        "results": len(results),
        "session_s": session,
        "export_s": exported,
        "compute_s": computed,
        "batches": len(batches),
        "jvm_cpu_s": jvm,
        "differ_from_duckdb": differ + abs(len(stored) - len({_key(r) for r in results})),
        "compared": len(stored),
    }


# The JVM's threads by what they do, from their names (HotSpot's and Spark's own).
_THREAD_KINDS = (
    ("compiling", ("C1 CompilerThre", "C2 CompilerThre")),
    ("garbage collection", ("GC Thread", "G1 ", "VM Thread")),
    ("tasks", ("Executor task",)),
)


def _jvm_cpu() -> dict[str, float]:
    """CPU seconds of this process's JVM (Spark's driver, and in local mode its executor) by kind of thread:
    compiling (the JIT compilers), garbage collection, running tasks, and the rest (planning, scheduling and
    threads that have ended, such as idle task threads, which /proc no longer lists on their own)."""
    tick = os.sysconf("SC_CLK_TCK")
    kinds = {kind: 0.0 for kind, _ in _THREAD_KINDS}
    total = 0.0
    for pid in _tree(os.getpid())[1:]:
        try:
            total += _cpu_ticks(pid) / tick
            tasks = os.listdir(f"/proc/{pid}/task")
        except (FileNotFoundError, ProcessLookupError):
            continue
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/comm", encoding="utf-8") as comm:
                    name = comm.read().strip()
            except (FileNotFoundError, ProcessLookupError):
                continue
            kind = next((k for k, prefixes in _THREAD_KINDS if name.startswith(prefixes)), None)
            if kind:
                kinds[kind] += _cpu_ticks(int(task), f"{pid}/task/") / tick
    return {**{k: round(v, 1) for k, v in kinds.items()}, "other": round(total - sum(kinds.values()), 1)}


def _key(result) -> tuple:
    return (result.la_code, result.indicator_id, result.period, result.breakdown, result.breakdown_value)


def _same(a, b) -> bool:
    """Equal in every field, but a value (or an FTE total) within 1e-9: a total of fractions depends on the
    order its rows are added in, which neither engine fixes (docs/spark.md)."""
    if b is None:
        return False
    if (a.notes, a.load_ids, a.population_year, a.period_start, a.period_end) != (
        b.notes, b.load_ids, b.population_year, b.period_start, b.period_end,
    ):  # fmt: skip
        return False
    return all(
        _close(x, y)
        for x, y in ((a.numerator, b.numerator), (a.denominator, b.denominator), (a.value, b.value))
    )


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return a == b or abs(a - b) <= 1e-9 * max(1.0, abs(b))


def _probe_ours_903(folders: str, db: str) -> dict:
    from csc_scorecard.ingest import LoadOptions, commit, prepare

    rows = 0
    for item in json.loads(folders):
        report = commit(Path(db), prepare([Path(item["folder"])], LoadOptions(la=item["la"])))
        rows += sum(sum(o.rows.values()) for o in report.outcomes)
    return {"rows": rows}


PROBES = {"load": _probe_load, "duckdb": _probe_duckdb, "spark": _probe_spark, "ours_903": _probe_ours_903}


# --- steps ------------------------------------------------------------------------------------------------


def step_generate(seed: int, workers: int, las: list[str] | None) -> None:
    from csc_scorecard.synth import parse_years
    from csc_scorecard.synth.national import generate_national, national_la_codes

    wanted = {"seed": seed, "years": YEARS, "scale": 1.0, "las": las or national_la_codes()}
    if STAMP.exists() and json.loads(STAMP.read_text()) == wanted:
        print(f"generate: cached in {RETURNS}")
        return
    shutil.rmtree(RETURNS, ignore_errors=True)
    started = time.perf_counter()
    results = generate_national(parse_years(YEARS), seed, RETURNS, la_codes=las, workers=workers)
    seconds = time.perf_counter() - started
    STAMP.write_text(json.dumps(wanted))
    size = sum(p.stat().st_size for p in RETURNS.rglob("*") if p.is_file()) / 1e6
    print(f"generate: {len(results)} LAs x {YEARS} in {seconds:.0f} s ({workers} workers), {size:,.0f} MB")


def step_load(store: Path) -> Run:
    store.unlink(missing_ok=True)
    run, info = probe("load", str(RETURNS), str(store))
    print(
        f"load (DuckDB store): {info['las']} LAs, {info['returns']} returns, {info['rows']:,} rows "
        f"in {run.seconds:.1f} s (CPU {run.cpu_s:.0f} s), peak {run.peak_mb:,.0f} MB"
    )
    return run


def step_duckdb(store: Path, which: str, las: list[str] | None) -> Run:
    run, info = probe("duckdb", str(store), which, ",".join(las or []))
    print(
        f"indicators on DuckDB ({which}, {len(las) if las else 'every'} LA(s)): {info['results']:,} results "
        f"in {run.seconds:.1f} s "
        f"(compute {info['compute_s']:.1f} s, save {info['save_s']:.1f} s; CPU {run.cpu_s:.0f} s), "
        f"peak {run.peak_mb:,.0f} MB"
    )
    return run


def step_spark(store: Path, which: str, las: list[str] | None) -> Run:
    run, info = probe("spark", str(store), which, ",".join(las or []))
    print(
        f"indicators on Spark local[2] ({which}, {len(las) if las else 'every'} LA(s)): {info['results']:,} "
        f"results in {run.seconds:.1f} s (session {info['session_s']:.1f} s, Parquet export "
        f"{info['export_s']:.1f} s, compute {info['compute_s']:.1f} s in {info['batches']} batch(es); "
        f"CPU {run.cpu_s:.0f} s; the JVM's by thread: "
        f"{', '.join(f'{kind} {seconds:.0f} s' for kind, seconds in info['jvm_cpu_s'].items())}), "
        f"peak {run.peak_mb:,.0f} MB (Python + JVM); "
        f"{info['differ_from_duckdb']} of {info['results']:,} differ from DuckDB's {info['compared']:,}"
    )
    return run


def step_liiatools(las: list[str] | None) -> None:
    """liiatools-dagster's `s903 pipeline` against our `load`, on the same 903 CSV files, in one run.

    What liiatools-dagster 0.2.0 can take decides the files: its CLI knows only the 33 London LAs (its
    _authorities.yml), its 903 schemas start at 2017 (a 2013-14..2015-16 return fails "No schema files found for
    year 2014"), and it crashes writing Parquet when OC2's SDQ_SCORE is blank (allowed when SDQ_REASON is given).
    So both tools get each London LA's 2016-17 return without oc2.csv. Each tool runs as its own CLI, one process
    per LA (liiatools' CLI takes one LA and one input folder), interleaved LA by LA; the times are summed.
    """
    import yaml

    from csc_scorecard.synth.national import national_folders

    python = LIIA_VENV / "bin" / "python"
    authorities = next(
        LIIA_VENV.glob("lib/python*/site-packages/liiatools/common/reference/_authorities.yml"), None
    )
    if not python.exists() or authorities is None:
        print(f"liiatools: skipped, no liiatools-dagster in {LIIA_VENV} (see benchmarks/README.md)")
        return
    their_codes = yaml.safe_load(authorities.read_text())["data_codes"]  # LA name -> their code
    names = {code: la.name for code, la in _las().items()}
    london = [
        (code, their_codes[names[code]], folder)
        for code, folder in national_folders(RETURNS)
        if names.get(code) in their_codes and (not las or code in las)
    ]
    shutil.rmtree(LIIA_WORK, ignore_errors=True)
    ours_db = LIIA_WORK / "ours.duckdb"
    both: list[tuple[str, int, Run, Run]] = []  # (LA, bytes of CSV, ours, theirs) where both tools succeeded
    failed: list[str] = []
    files = 0
    for code, their_code, folder in london:
        staged = _stage_903(folder / "903" / f"903_{code}_2016-17", LIIA_WORK / "input" / code)
        csvs = list(staged.rglob("*.csv"))
        files += len(csvs)
        theirs_in = LIIA_WORK / "theirs_input" / code  # the pipeline moves its input away: give it a copy
        shutil.copytree(staged, theirs_in)
        theirs_out = LIIA_WORK / "theirs_output" / code
        theirs_out.mkdir(parents=True)
        args = [str(python), "-m", "liiatools", "s903", "pipeline", "--la-code", their_code]
        try:  # an LA that fails on either side is left out of both totals
            ours = measure([str(CLI), "load", str(staged), "--la", code, "--db", str(ours_db)])
        except SystemExit:
            failed.append(f"{code} (ours)")
            continue
        try:
            theirs = measure([*args, "--input", str(theirs_in), "--output", str(theirs_out)], quiet=True)
        except SystemExit:
            failed.append(f"{code} (liiatools)")
            continue
        both.append((code, sum(f.stat().st_size for f in csvs), ours, theirs))
    if not both:
        print(f"liiatools: no LA succeeded on both sides (failed: {', '.join(failed)})")
        return
    both.sort(key=lambda row: row[1])
    print(
        f"{'LA':>4} {'CSV MB':>7} {'ours s':>7} {'CPU s':>6} {'theirs s':>8} {'CPU s':>6} {'ratio':>6} {'CPU':>5}"
    )
    for code, size, ours, theirs in both:
        print(f"{code:>4} {size / 1e6:>7.1f} {_pair(ours, theirs)}")
    quarter = -(-len(both) // 4)
    for n in range(0, len(both), quarter):
        group = both[n : n + quarter]
        sizes = f"{group[0][1] / 1e6:.1f}-{group[-1][1] / 1e6:.1f} MB"
        print(f"LAs of {sizes} ({len(group)}): {_pair(*_sums(group))}")
    ours, theirs = _sums(both)
    episodes = _their_episode_rows(LIIA_WORK / "theirs_output")
    print(
        f"903 load, {len(both)} of {len(london)} London LAs x 2016-17 ({files} CSV files"
        f"{'; failed and left out of both totals: ' + ', '.join(failed) if failed else ''}): ours {ours.seconds:.1f} s "
        f"(CPU {ours.cpu_s:.0f} s, peak {ours.peak_mb:,.0f} MB), liiatools-dagster 0.2.0 s903 pipeline "
        f"{theirs.seconds:.1f} s (CPU {theirs.cpu_s:.0f} s, peak {theirs.peak_mb:,.0f} MB; {episodes:,} episodes "
        f"in its current tables); theirs / ours = {theirs.seconds / ours.seconds:.2f} "
        f"(CPU {theirs.cpu_s / ours.cpu_s:.2f})"
    )


def _sums(rows: list[tuple[str, int, Run, Run]]) -> tuple[Run, Run]:
    """Each tool's runs as one: times and CPU summed, the largest peak."""

    def total(runs: list[Run]) -> Run:
        return Run(sum(r.seconds for r in runs), max(r.peak_mb for r in runs), sum(r.cpu_s for r in runs), "")

    return total([row[2] for row in rows]), total([row[3] for row in rows])


def _pair(ours: Run, theirs: Run) -> str:
    return (
        f"{ours.seconds:>7.1f} {ours.cpu_s:>6.1f} {theirs.seconds:>8.1f} {theirs.cpu_s:>6.1f} "
        f"{theirs.seconds / ours.seconds:>5.1f}x {theirs.cpu_s / ours.cpu_s:>4.1f}x"
    )


def _las() -> dict:
    from csc_scorecard.refdata import local_authorities

    return local_authorities()


def _stage_903(year_folder: Path, into: Path) -> Path:
    """A copy of one 903 return without oc2.csv, in a folder named like the original (the year is read from it)."""
    target = into / year_folder.name
    target.mkdir(parents=True)
    for csv in year_folder.glob("*.csv"):
        if csv.name != "oc2.csv":
            shutil.copy2(csv, target / csv.name)
    return into


def _their_episode_rows(root: Path) -> int:
    total = 0
    for current in root.glob("*/current/ssda903_current_Episodes.csv"):
        with current.open(encoding="utf-8") as lines:
            total += sum(1 for _ in lines) - 1
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--steps", nargs="+", default=["generate", "load", "duckdb", "spark", "liiatools"],
        choices=["generate", "load", "duckdb", "spark", "liiatools"],
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="processes generating LAs")
    parser.add_argument("--las", nargs="+", help="a subset of LA codes (default all 152)")
    parser.add_argument(
        "--set", choices=("all", "core"), default="all",
        help="duckdb and spark steps: every indicator of the store's catalogue, or the 29 core ones",
    )  # fmt: skip
    parser.add_argument("--store", type=Path, default=STORE, help="the store the steps load, or read")
    parser.add_argument("--liiatools-las", nargs="+", help="LAs for the liiatools comparison (default all)")
    options = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} cores; python {sys.version.split()[0]}; load average {load} before starting")
    if "generate" in options.steps:
        step_generate(options.seed, options.workers, options.las)
    runs = []
    if "load" in options.steps:
        runs.append(step_load(options.store))
    if "duckdb" in options.steps:
        duckdb = step_duckdb(options.store, options.set, options.las)
        runs.append(duckdb)
    if len(runs) == 2:
        total, cpu, peak = (
            sum(r.seconds for r in runs),
            sum(r.cpu_s for r in runs),
            max(r.peak_mb for r in runs),
        )
        verdict = "within" if total < 300 and peak < 8192 else "OUTSIDE"
        print(
            f"DuckDB load + indicators: {total:.1f} s (CPU {cpu:.0f} s), peak {peak:,.0f} MB "
            f"({verdict} 5 min / 8 GB; load average {os.getloadavg()[0]:.1f})"
        )
    if "spark" in options.steps:
        spark = step_spark(options.store, options.set, options.las)
        if "duckdb" in options.steps:
            print(
                f"Spark / DuckDB: {spark.seconds / duckdb.seconds:.2f}x wall, {spark.cpu_s / duckdb.cpu_s:.2f}x CPU, "
                f"{spark.peak_mb / duckdb.peak_mb:.1f}x peak memory (load average {os.getloadavg()[0]:.1f})"
            )
    if "liiatools" in options.steps:
        step_liiatools(options.liiatools_las)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--probe":
        print(json.dumps(PROBES[sys.argv[2]](*sys.argv[3:])))
    else:
        main()
