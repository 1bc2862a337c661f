"""`csc-scorecard demo`: the whole pipeline on a synthetic council, ending with where everything is."""

from __future__ import annotations

import json
import re
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .engine import compute, save_results
from .examples import MANUAL_VALUES, MEASURES
from .examples import TARGETS as EXAMPLE_TARGETS
from .ingest import LoadOptions, commit, prepare
from .judge.targets import load_targets
from .judge.units import fmt
from .periods import parse_financial_year, parse_period
from .pipeline import build, meta_for
from .publish import start_helper, write_pack
from .publish.terminal import print_scorecard
from .refdata import local_authority
from .sources.manual import read_declarations
from .store.connection import connect
from .store.manual_values import declare
from .synth import generate, parse_years

HEADLINE_IDS = (
    "referrals_count",
    "re_referrals_12m_pct",
    "assessments_45wd_pct",
    "cin_count",
    "cpp_count",
    "cla_count",
    "cla_starts_count",
    "cla_ceased_count",
    "cla_3plus_placements_pct",
)
# From the SSD, month by month: what a monthly board sees, and what no return gives (visits, caseloads)
SSD_MONTHLY_IDS = (
    "referrals_count",
    "contacts_count",
    "cpp_count",
    "cla_count",
    "ssd_cp_visits_in_timescale_pct",
    "ssd_cla_visits_in_timescale_pct",
    "ssd_caseload_average",
)


def run_demo(console: Console, *, out: Path, la_code: str, years: str, seed: int) -> None:
    la = local_authority(la_code)
    year_list = parse_years(years)
    returns, db, ssd = out / "returns", out / "scorecard.duckdb", out / "ssd"
    console.rule(f"1. A synthetic {la.name} ({la.code}), {year_list[0]} to {year_list[-1]}, seed {seed}")
    result = generate(la.code, year_list, seed, returns, local_data=True, ssd_out=ssd)
    console.out(result.summary(), highlight=False)

    console.rule("2. Load the returns into the store")
    for stale in (db, db.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)  # a demo always starts from an empty store
    report = commit(db, prepare([returns], LoadOptions(la=la.code)))
    for line in report.lines():
        console.print(line, highlight=False, markup=False)
    manual, lines = load_example_measures(db, out / "manual", year_list[-1], la.code)
    for line in lines:
        console.print(line, highlight=False, markup=False)

    latest = year_list[-1]
    console.rule(f"3. Headline figures for {latest}, against what the generator says it wrote")
    con = connect(db)
    try:
        results = compute(con, [parse_period(latest)], list(HEADLINE_IDS), la_codes=[la.code])
        save_results(con, results)
        _print_headlines(console, results, _ground_truth(returns, latest))
        quarter = parse_period(f"{latest}Q4")
        console.rule(f"4. The scorecard for {quarter.words}, against example targets and benchmarks")
        helper = start_helper()
        targets_file = write_example_targets(out / "targets.toml", la.code)
        built = build(con, la.code, quarter, targets=load_targets(targets_file))
    finally:
        con.close()
    print_scorecard(console, built)
    console.rule(f"5. The scrutiny report pack for {quarter.code}, from the same scorecard")
    pack = write_pack(built, out / "report", helper=helper)

    assert result.ssd_dir is not None
    ssd_db = out / "ssd.duckdb"
    console.rule("6. The same children from the case-management system (the SSD), month by month and by team")
    show_ssd_route(console, result.ssd_dir, ssd_db, la.code, latest)

    console.rule("Where everything is")
    for what, path in (
        ("synthetic returns (CIN census, SSDA903, Annex A, CSWW, local CSVs)", returns),
        ("the generator's ground truth", returns / "ground_truth.json"),
        ("the store (DuckDB)", db),
        ("the SSD extract (CSV, docs/ssd.md)", result.ssd_dir),
        ("the SSD's store", ssd_db),
        ("example targets (docs/targets.md)", targets_file),
        ("example manual measures, declared (README: Manual measures)", MEASURES),
        ("their values, loaded", manual),
        *((f"report pack ({kind})", path) for kind, path in pack.paths.items()),
    ):
        console.print(f"{what}: {path.resolve()}", highlight=False)
    console.out(
        f"Next: .venv/bin/csc-scorecard status --db {db}\n"
        f"      .venv/bin/csc-scorecard users add admin --role admin --db {db}; make serve\n"
        f"      .venv/bin/csc-scorecard judge --period {latest}Q3 --db {db} --targets {targets_file} --rules\n"
        f"      .venv/bin/csc-scorecard report --period {latest}Q3 --db {db} --targets {targets_file} --out {out / 'q3'}\n"
        f"      .venv/bin/csc-scorecard report --period {latest[:4]}-12 --board --db {db} --targets {targets_file} "
        f"--out {out / 'board'}\n"
        f"      .venv/bin/csc-scorecard indicators --period {latest} --db {db} --format csv\n"
        f"      .venv/bin/csc-scorecard indicators --period {int(latest[:4]) + 1}-03 --breakdown allocated_team "
        f"--db {ssd_db}",
        highlight=False,
    )


def show_ssd_route(
    console: Console, extract: Path, db: Path, la_code: str, year: str
) -> dict[tuple[str, str], float | None]:
    """Load the SSD extract into a store of its own and print the last three months of `year` from it, and
    the caseloads by team at its end (never by worker: that is the dashboard's, for analysts). Returns the
    monthly figures shown, by (indicator, month)."""
    for stale in (db, db.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    for line in commit(db, prepare([extract], LoadOptions(la=la_code))).lines():
        console.print(line, highlight=False, markup=False)
    end_year = int(year[:4]) + 1
    months = [parse_period(f"{end_year}-{m:02d}") for m in (1, 2, 3)]
    con = connect(db)
    try:
        results = compute(con, months, list(SSD_MONTHLY_IDS), la_codes=[la_code])
        by_team = compute(con, months[-1:], ["ssd_caseload_average"], "team", la_codes=[la_code])
    finally:
        con.close()
    from .catalogue import load_catalogue

    catalogue = load_catalogue()
    shown = {(r.indicator_id, r.period): r.value for r in results}
    table = Table()
    table.add_column("Indicator (from the SSD)")
    for month in months:
        table.add_column(month.words, justify="right")
    for indicator_id in SSD_MONTHLY_IDS:
        meta = meta_for(catalogue.indicator(indicator_id))
        table.add_row(meta.label, *(fmt(shown.get((indicator_id, m.code)), meta.unit) for m in months))
    console.print(table)
    teams = Table()
    teams.add_column(f"Team, {months[-1].words}")
    teams.add_column("Children allocated per FTE", justify="right")
    for r in sorted(by_team, key=lambda r: str(r.breakdown_value)):
        teams.add_row(str(r.breakdown_value), fmt(r.value, "average"))
    console.print(teams)
    return shown


def write_example_targets(path: Path, la_code: str) -> Path:
    """The shipped example targets (csc_scorecard/examples/targets.toml), set for the demo's LA."""
    text = EXAMPLE_TARGETS.read_text(encoding="utf-8")
    path.write_text(
        re.sub(r'^la = "\d{3}".*$', f'la = "{la_code}"', text, count=1, flags=re.MULTILINE), "utf-8"
    )
    return path


def write_example_values(folder: Path, latest: str) -> Path:
    """The example manual measures' values (January 2016 to March 2017 as shipped) moved to the demo's latest year."""
    shift = parse_financial_year(latest) - 2016
    text = re.sub(
        r",(\d{4})-(\d{2}),", lambda m: f",{int(m.group(1)) + shift}-{m.group(2)},",
        MANUAL_VALUES.read_text(encoding="utf-8"),
    )  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"manual_values_{latest}.csv"
    path.write_text(text, encoding="utf-8")
    return path


def load_example_measures(db: Path, folder: Path, latest: str, la_code: str) -> tuple[Path, list[str]]:
    """Declare the example manual measures in the store and load their values for the demo's latest year: the
    values file written and what the load said."""
    values = write_example_values(folder, latest)
    con = connect(db)
    try:
        declare(con, read_declarations(MEASURES), source=MEASURES.name, by="demo")
    finally:
        con.close()
    report = commit(db, prepare([values], LoadOptions(la=la_code)), by="demo")
    return values, [f"{line} (manual measures: {MEASURES.name})" for line in report.lines()[:-1]]


def _ground_truth(returns: Path, year: str) -> dict[str, dict]:
    truth = json.loads((returns / "ground_truth.json").read_text(encoding="utf-8"))
    return truth.get("indicators", {}).get(year, {})


def _print_headlines(console: Console, results, truth: dict[str, dict]) -> None:
    from .catalogue import load_catalogue

    catalogue = load_catalogue()
    table = Table()
    for column in ("Indicator", "Computed", "Generator wrote", "Numerator", "Denominator"):
        table.add_column(column, justify="left" if column == "Indicator" else "right")
    for r in results:
        meta = meta_for(catalogue.indicator(r.indicator_id))
        expected = truth.get(r.indicator_id, {}).get("value")
        table.add_row(
            meta.label,
            fmt(r.value, meta.unit),
            fmt(expected, meta.unit) if expected is not None else "–",
            f"{r.numerator:,.0f}" if r.numerator is not None else "",
            f"{r.denominator:,.0f}" if r.denominator is not None else "",
        )
    console.print(table)
