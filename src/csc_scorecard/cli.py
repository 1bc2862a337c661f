"""The csc-scorecard command line. Subcommands are thin: parse arguments, call the library, print."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from . import __version__
from .sources.problems import ReturnRejected
from .store import DEFAULT_DB

console = Console()

db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    help="The store (a DuckDB file). Also set by CSC_SCORECARD_DB.",
)


@click.group()
@click.version_option(__version__, prog_name="csc-scorecard")
def cli() -> None:
    """Children's Services performance scorecards from a council's own statutory returns."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=False, path_type=Path))
@click.option("--la", help="3-digit DfE LA code, for returns that do not carry one (903 CSV).")
@click.option(
    "--year", help="Collection year, e.g. 2016-17, for returns whose year cannot be read from them."
)
@db_option
def load(paths: tuple[Path, ...], la: str | None, year: str | None, db: Path) -> None:
    """Check and load returns (files or folders, searched recursively) into the store.

    Every file is checked first; if any has a problem nothing is loaded. Loading the same file again does
    nothing; a new version of a return (same LA and collection year) replaces the old one.
    """
    from .loading import load_paths

    try:
        report = load_paths(list(paths), db=db, la=la, year=year)
    except ReturnRejected as rejected:
        # Plain text, never wrapped: analysts copy these lines into tickets and grep them.
        click.echo(f"Nothing was loaded: {rejected.total} problem(s) found.", err=True)
        click.echo(rejected.summary(), err=True)
        sys.exit(1)
    for line in report.lines():
        click.echo(line)


@cli.command()
@click.option("--all", "include_replaced", is_flag=True, help="Also list loads that newer versions replaced.")
@db_option
def status(include_replaced: bool, db: Path) -> None:
    """What is loaded: returns, years, rows, last load."""
    from .store.connection import connect
    from .store.status import canonical_counts, load_records

    con = connect(db, read_only=True)
    records = load_records(con, include_replaced=include_replaced)
    if not records:
        console.print(f"{db}: no returns loaded yet.")
        return
    table = Table(title=f"Returns in {db}")
    for column in (
        "load",
        "LA",
        "return",
        "year",
        "year taken from",
        "source",
        "rows",
        "loaded at",
        "status",
    ):
        table.add_column(column, justify="right" if column in ("load", "rows") else "left")
    for r in records:
        status_text = r.status + (f" (replaced load {r.replaces})" if r.replaces else "")
        table.add_row(
            str(r.load_id), r.la_code, _RETURN_NAMES[r.format], r.collection_year, r.year_source,
            r.source_name, f"{r.rows:,}", r.loaded_at, status_text,
        )  # fmt: skip
    console.print(table)
    counts = canonical_counts(con)
    summary = Table(title="Canonical tables (one row per episode, latest return winning)")
    summary.add_column("table")
    for la_code in counts:
        summary.add_column(f"LA {la_code}", justify="right")
    for name in sorted({t for per_la in counts.values() for t in per_la}):
        summary.add_row(name, *(f"{counts[la].get(name, 0):,}" for la in counts))
    console.print(summary)
    console.print(f"Last load: {max(r.loaded_at for r in records)}")


_RETURN_NAMES = {
    "cin_xml": "CIN census (XML)",
    "ssda903_csv": "SSDA903 (CSV)",
    "ssda903_xml": "SSDA903 (XML)",
}


@cli.command()
@click.option(
    "--la", "la_code", default="335", show_default=True, help="3-digit DfE LA code to calibrate to."
)
@click.option("--years", default="2013-14:2016-17", show_default=True, help="FIRST:LAST collection years.")
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--scale", default=1.0, show_default=True, type=float, help="Multiply every volume (10 = 10x).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
def synth(la_code: str, years: str, seed: int, scale: float, out: Path) -> None:
    """Write a synthetic council's returns (CIN XML and 903 CSVs), calibrated to its published figures."""
    from .synth import generate, parse_years

    result = generate(la_code, parse_years(years), seed, out, scale=scale)
    console.print(result.summary(), highlight=False, markup=False)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=False, path_type=Path))
@click.option("--la", help="3-digit DfE LA code (a 903 return does not carry one).")
@click.option("--year", help="Collection year, e.g. 2024-25, where the file names do not say.")
@click.option(
    "--csv",
    "csv_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write findings, rules and children CSVs here.",
)
@click.option(
    "--json",
    "json_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every finding as JSON.",
)
@click.option("--timeout", default=1800.0, show_default=True, help="Seconds allowed per return.")
def validate(
    paths: tuple[Path, ...], la: str | None, year: str | None, csv_dir: Path | None, json_file: Path | None,
    timeout: float,
) -> None:  # fmt: skip
    """Run DfE's published validators (csc-validator-be-903 and -cin) on returns, in their own environment.

    Findings are summarised by rule and by child. The validators are installed by `make validators`.
    """
    from .validators.environment import ValidatorsMissing
    from .validators.summary import render_text, to_csv, to_json
    from .validators.summary import validate as run_validators

    try:
        report = run_validators(list(paths), la=la, year=year, timeout=timeout)
    except ValidatorsMissing as missing:
        click.echo(str(missing), err=True)
        sys.exit(2)
    except (ReturnRejected, ValueError) as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    click.echo(render_text(report))
    if csv_dir:
        csv_dir.mkdir(parents=True, exist_ok=True)
        for table in ("findings", "rules", "children"):
            (csv_dir / f"validation_{table}.csv").write_text(to_csv(report, table), encoding="utf-8")
        click.echo(f"CSV written to {csv_dir}")
    if json_file:
        json_file.write_text(to_json(report), encoding="utf-8")
        click.echo(f"JSON written to {json_file}")
    if report.failed:
        sys.exit(1)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
