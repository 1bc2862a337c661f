"""The csc-scorecard command line. Subcommands are thin: parse arguments, call the library, print."""

from __future__ import annotations

import getpass
import sys
from dataclasses import replace
from pathlib import Path

import click
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from . import __version__
from .config import SETTINGS_ENV, Settings, SettingsError, load_settings
from .output import print_rows
from .private_files import restrict_umask
from .sources.problems import ReturnRejected
from .store import StoreMissing, StoreTooNew
from .store.connection import LockWait, StoreBusy, waiting_for_the_store

console = Console()


def settings(ctx: click.Context | None = None) -> Settings:
    """The settings file and environment (docs/settings.md), read once per command."""
    root = (ctx or click.get_current_context()).find_root()
    root.ensure_object(dict)
    if "settings" not in root.obj:
        try:
            root.obj["settings"] = load_settings(root.params.get("settings_file"))
        except SettingsError as error:
            raise click.UsageError(str(error)) from None
    return root.obj["settings"]


def _default_db(ctx: click.Context, _: click.Parameter, value: Path | None) -> Path:
    """The store, from --db or the settings; while the command runs, opening a store that another program is
    writing to waits up to [store] lock_timeout_seconds, saying so on stderr, before giving up in one line."""
    wait = LockWait(settings(ctx).lock_timeout_seconds, say=lambda message: click.echo(message, err=True))
    ctx.with_resource(waiting_for_the_store(wait))
    return value if value is not None else settings(ctx).db


db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_default_db,
    help="The store (a DuckDB file). Default: the settings' [store] db, CSC_SCORECARD_DB, or ./scorecard.duckdb.",
)


class LocalAuthorityParam(click.ParamType):
    """--la takes a DfE code (335), an ONS code (E08000030) or a name (Walsall) and gives the DfE code."""

    name = "LA"

    def convert(self, value, param, ctx) -> str:
        from .refdata import find_local_authority

        try:
            return find_local_authority(value).code
        except ValueError as error:
            self.fail(str(error), param, ctx)


LA = LocalAuthorityParam()
LA_NAMED = "its DfE code (335) or name (Walsall)"
LA_HELP = f"The LA: {LA_NAMED}."
INDICATOR_HELP = "Indicator id (csc-scorecard catalogue lists them)."
PERIOD_HELP = "Period code, e.g. 2016-17Q3."
SEED_HELP = "Random seed: the same seed writes the same returns."


class Commands(click.Group):
    """Every subcommand; any error is one line on stderr and exit code 1, with no traceback unless --debug
    (a store that cannot be opened is expected and says only why)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (StoreMissing, StoreTooNew, StoreBusy) as error:
            raise click.ClickException(str(error)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt, SystemExit):
            raise
        except Exception as error:
            if ctx.params.get("debug"):
                raise
            what = " ".join(str(error).split()) or "no message"
            raise click.ClickException(
                f"{what} ({type(error).__name__}; `csc-scorecard --debug ...` shows where)"
            ) from None


@click.group(cls=Commands)
@click.option(
    "--settings", "settings_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar=SETTINGS_ENV, help="TOML settings file: store, LA, targets, report texts, Spark, web (docs/settings.md).",
)  # fmt: skip
@click.option("--debug", is_flag=True, help="Show the traceback of an unexpected error.")
@click.version_option(__version__, prog_name="csc-scorecard")
def cli(settings_file: Path | None, debug: bool) -> None:
    """Children's Services performance scorecards from a council's own statutory returns."""
    from . import disk_cache

    disk_cache.use_settings(settings_file)  # its cache_dir, for the catalogue and the engine's queries


@cli.command("backup")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The backup file to write."
)
@click.option(
    "--timeout", type=float, default=600, show_default=True,
    help="Seconds to wait for a load or an edit in progress to finish before giving up.",
)  # fmt: skip
@db_option
def backup_command(out: Path, timeout: float, db: Path) -> None:
    """Write a checked copy of the store to one file, while the dashboard serves and loads run.

    The copy never holds the store, so nothing else is refused while it is taken; a load in progress is waited
    for and is either wholly in the backup or not at all. The file holds the store and a manifest of its schema
    version and table checksums, which `restore` checks.
    """
    from .store.backup import BackupError, backup

    try:
        m = backup(db, out, timeout=timeout, waiting=lambda message: click.echo(message, err=True),
                   made_by=__version__)  # fmt: skip
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"backup: {out} ({len(m.tables)} tables, {m.rows:,} rows, schema version {m.schema_version}, "
        f"sha256 {m.sha256})"
    )


@cli.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
def restore_command(file: Path, db: Path) -> None:
    """Check a backup (schema version, sha256, every table's checksum) and only then replace the store with it.

    Anything wrong, or a program writing to the store, and the store is left exactly as it was. The store it
    replaces is kept beside it as <store>.before-restore-<date-time>.
    """
    from .store.backup import BackupError, restore

    try:
        restored = restore(file, db)
    except BackupError as error:
        raise click.ClickException(f"nothing was restored: {error}") from None
    m = restored.manifest
    click.echo(
        f"restored: {db} from {file} (taken {m.created_at} from {m.source}; {len(m.tables)} tables, "
        f"{m.rows:,} rows, schema version {m.schema_version}; every checksum matched)"
    )
    if restored.kept:
        click.echo(f"the store it replaced is kept as {restored.kept}")


from_db_options = (
    click.option(
        "--from-db", "from_db", envvar="CSC_SCORECARD_SSD_URL",
        help="An SSD database's SQLAlchemy URL, without its password (or CSC_SCORECARD_SSD_URL).",
    ),
    click.option("--schema", help="With --from-db: the schema holding the SSD tables."),
    click.option(
        "--password-file", type=click.Path(dir_okay=False, path_type=Path),
        help="With --from-db: a file (mode 0600) whose first line is the password, if CSC_SCORECARD_SSD_PASSWORD is not set.",
    ),
)  # fmt: skip


def _with(options):
    def apply(command):
        for option in reversed(options):
            command = option(command)
        return command

    return apply


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=False, path_type=Path))
@click.option(
    "--la",
    type=LA,
    help=f"The LA, for returns that do not carry one (903 CSV, Annex A, local CSVs, SSD): {LA_NAMED}.",
)
@click.option(
    "--year", help="Collection year, e.g. 2016-17, for returns whose year cannot be read from them."
)
@click.option(
    "--replace-partial", is_flag=True,
    help="Let a new version of a return replace the loaded one although it lacks some of its tables.",
)  # fmt: skip
@_with(from_db_options)
@db_option
def load(
    paths: tuple[Path, ...], la: str | None, year: str | None, replace_partial: bool, from_db: str | None,
    schema: str | None, password_file: Path | None, db: Path,
) -> None:  # fmt: skip
    """Check and load returns (files or folders, searched recursively), or an SSD database, into the store.

    Every file is checked first; if any has a problem nothing is loaded. Loading the same file again does
    nothing; a new version of a return (same LA and collection year) replaces the old one, unless it lacks
    tables the old one holds (--replace-partial to replace it anyway), and a newer SSD snapshot the older one.
    """
    from .ingest import LoadOptions, commit, prepare, prepare_database
    from .workers import Terminated, sigterm_raises

    if bool(paths) == bool(from_db):
        raise click.UsageError("give the returns' paths, or --from-db URL (not both)")
    options = LoadOptions(la=la, year=year, replace_partial=replace_partial)
    try:
        with sigterm_raises():
            if from_db:
                batch = prepare_database(from_db, schema=schema, options=options, password_file=password_file)
            else:
                batch = prepare(list(paths), options)
            report = commit(db, batch, by=getpass.getuser())
    except ReturnRejected as rejected:
        # Plain text, never wrapped: analysts copy these lines into tickets and grep them.
        click.echo(f"Nothing was loaded: {rejected.total} problem(s) found.", err=True)
        click.echo(rejected.summary(), err=True)
        sys.exit(1)
    except (KeyboardInterrupt, Terminated) as stopped:
        click.echo("Stopped: nothing was loaded.", err=True)
        sys.exit(143 if isinstance(stopped, Terminated) else 130)
    for line in report.lines():
        click.echo(line)


@cli.command("reconcile")
@click.argument("returns", nargs=-1, required=True, type=click.Path(exists=False, path_type=Path))
@click.option("--la", type=LA, required=True, help=LA_HELP)
@click.option(
    "--ssd",
    "ssd_folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="A folder of SSD CSV extracts.",
)
@_with(from_db_options)
@click.option(
    "--period",
    "period_codes",
    multiple=True,
    help="Period code; repeat. Default: every year and quarter both cover.",
)
@click.option(
    "--children", default=20, show_default=True, help="Children's ids listed per figure that differs."
)
def reconcile_command(
    returns: tuple[Path, ...], la: str, ssd_folder: Path | None, from_db: str | None, schema: str | None,
    password_file: Path | None, period_codes: tuple[str, ...], children: int,
) -> None:  # fmt: skip
    """Where the SSD and the returns disagree: every indicator for every year and quarter both cover, computed
    from each on its own, and for each figure that differs the children counted by one and not the other.

    Nothing is written to the store: each is loaded into a store of its own in a private temporary folder.
    The lines name children's ids, for the analyst who fixes the records; keep them inside the council.
    """
    import tempfile

    from .reconcile import SsdSource, reconcile_sources

    if bool(ssd_folder) == bool(from_db):
        raise click.UsageError("give the SSD as --ssd FOLDER or --from-db URL (one of them)")
    periods = [_one_period(code) for code in period_codes] or None
    source = SsdSource(ssd_folder, from_db, schema, password_file)
    try:
        with tempfile.TemporaryDirectory(prefix="csc-reconcile-") as work:
            found = reconcile_sources(list(returns), source, la, Path(work), periods)
    except ReturnRejected as rejected:
        click.echo(f"Nothing was compared: {rejected.total} problem(s) found.", err=True)
        click.echo(rejected.summary(), err=True)
        sys.exit(1)
    for line in found.lines(children):
        click.echo(line)


@cli.command("load-national")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@db_option
def load_national_command(folder: Path, db: Path) -> None:
    """Load a national set written by `synth --national` (one folder per LA code), each LA all or nothing."""
    from .synth.national import load_national
    from .workers import Terminated, sigterm_raises

    try:
        with sigterm_raises():
            reports = load_national(folder, db)
    except ReturnRejected as rejected:
        click.echo(f"Some LAs were not loaded: {rejected.total} problem(s) found.", err=True)
        click.echo(rejected.summary(), err=True)
        sys.exit(1)
    except (KeyboardInterrupt, Terminated) as stopped:
        click.echo("Stopped: the LA being loaded was not stored; those before it were.", err=True)
        sys.exit(143 if isinstance(stopped, Terminated) else 130)
    returns = sum(len(r.outcomes) for r in reports)
    click.echo(f"{len(reports)} LAs, {returns} returns loaded into {db}")


def _load_status(r) -> str:
    return r.status + (f" (replaced load {r.replaces})" if r.replaces else "")


@cli.command()
@click.option("--all", "include_replaced", is_flag=True, help="Also list loads that newer versions replaced.")
@db_option
def status(include_replaced: bool, db: Path) -> None:
    """What is loaded: returns, years, rows, last load, the first year each indicator area can be computed, and
    the store's schema version."""
    from .sources.registry import format_names
    from .store.connection import connect
    from .store.status import canonical_counts, flagged_records, load_records, schema_summary

    con = connect(db, read_only=True, upgrade=False)  # shows the store as it is, older schema included
    console.print(schema_summary(con))
    records = load_records(con, include_replaced=include_replaced)
    if not records:
        console.print(f"{db}: no returns loaded yet.")
        return
    formats = format_names()
    if console.width >= 120:
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
            table.add_row(
                str(r.load_id), r.la_code, formats.get(r.format, r.format), r.collection_year, r.year_source,
                r.source_name, f"{r.rows:,}", r.loaded_at, _load_status(r),
            )  # fmt: skip
        console.print(table)
    else:  # a narrow terminal: one block per return, so no value is cut or broken mid-word
        console.rule(f"Returns in {db}", align="left")
        for r in records:
            console.print(
                f"[bold]{formats.get(r.format, r.format)} {r.collection_year}[/], LA {r.la_code}: {_load_status(r)}",
                highlight=False,
            )
            detail = f"load {r.load_id} · {r.rows:,} rows · year from {r.year_source} · {r.source_name} · {r.loaded_at}"
            console.print(Padding(Text(detail), (0, 0, 0, 2)), highlight=False)
    counts = canonical_counts(con)
    summary = Table(title="Canonical tables (one row per episode, latest return winning)")
    summary.add_column("table")
    for la_code in counts:
        summary.add_column(f"LA {la_code}", justify="right")
    for name in sorted({t for per_la in counts.values() for t in per_la}):
        summary.add_row(name, *(f"{counts[la].get(name, 0):,}" for la in counts))
    console.print(summary)
    for la_code, flagged in flagged_records(con).items():
        noun = "record" if flagged == 1 else "records"
        console.print(
            f"LA {la_code}: {flagged:,} {noun} flagged by the data-quality rules (csc-scorecard quality)"
        )
    _print_first_computable(con)
    console.print(f"Last load: {max(r.loaded_at for r in records)}")


def _print_first_computable(con) -> None:
    """Per LA and indicator area, the first year the loaded returns (and the history before it) allow."""
    from .catalogue import load_catalogue
    from .engine.coverage import first_computable
    from .periods import financial_year_label
    from .store.status import loaded_return_years, loaded_snapshots

    catalogue = load_catalogue()
    snapshots = loaded_snapshots(con)
    for la_code, loaded in loaded_return_years(con).items():
        table = Table(title=f"First year each area can be computed (LA {la_code})")
        for column in ("area", "from", "later, or withheld record by record", "not yet"):
            table.add_column(column)
        for start in first_computable(catalogue, loaded, snapshots.get(la_code)):
            first = financial_year_label(start.first_year) if start.first_year is not None else "none"
            later = "; ".join(f"{i} from {financial_year_label(y)}" for i, y in start.later)
            by_record = _grouped(tuple((i, f"withheld while {reason}") for i, reason in start.per_record))
            table.add_row(
                start.area, first, "; ".join(t for t in (later, by_record) if t), _grouped(start.never)
            )
        console.print(table)


def _grouped(never: tuple[tuple[str, str], ...]) -> str:
    """'a, b: what they need; c: what it needs', indicators that need the same thing together."""
    by_need: dict[str, list[str]] = {}
    for indicator_id, need in never:
        by_need.setdefault(need, []).append(indicator_id)
    return "; ".join(f"{', '.join(ids)}: {need}" for need, ids in by_need.items())


@cli.command()
@click.option(
    "--la", "la_code", type=LA, default="335", show_default=True, help=f"The LA to calibrate to: {LA_NAMED}."
)
@click.option("--years", default="2013-14:2016-17", show_default=True, help="FIRST:LAST collection years.")
@click.option("--seed", default=1, show_default=True, type=int, help=SEED_HELP)
@click.option("--scale", default=1.0, show_default=True, type=float, help="Multiply every volume (10 = 10x).")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder for the returns."
)
@click.option(
    "--local-data/--no-local-data", default=True, show_default=True,
    help="Also write Annex A, early help, workforce, youth justice, case audit and CSWW files for the same children.",
)  # fmt: skip
@click.option(
    "--national", is_flag=True, help="Every LA of the 2016-17 list under OUT/<code>/ (ignores --la)."
)
@click.option(
    "--ssd-out", type=click.Path(file_okay=False, path_type=Path),
    help="Also write the same children as an SSD extract (CSV tables with teams, workers and involvements) here.",
)  # fmt: skip
def synth(
    la_code: str, years: str, seed: int, scale: float, out: Path, local_data: bool, national: bool,
    ssd_out: Path | None,
) -> None:  # fmt: skip
    """Write a synthetic council's returns (CIN XML and 903 CSVs), calibrated to its published figures."""
    from .synth import generate, parse_years

    if national:
        import os

        from .synth.national import generate_national

        results = generate_national(parse_years(years), seed, out, scale=scale, workers=os.cpu_count() or 1)
        click.echo(
            f"{len(results)} LAs written under {out}; load them with: csc-scorecard load-national {out}"
        )
        return
    result = generate(
        la_code, parse_years(years), seed, out, scale=scale, local_data=local_data, ssd_out=ssd_out
    )
    click.echo(result.summary())


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=False, path_type=Path))
@click.option("--la", type=LA, help=f"The LA, for returns that do not carry one (903): {LA_NAMED}.")
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


RESULT_COLUMNS = (
    "la_code", "indicator_id", "period", "numerator", "denominator", "value",
    "breakdown", "breakdown_value", "population_year", "notes",
)  # fmt: skip


def _periods(period: tuple[str, ...], date_from: str | None, date_to: str | None):
    from .periods import PeriodError, parse_period, window

    try:
        periods = [parse_period(p) for p in period]
    except PeriodError as error:  # this command also takes a window
        raise click.BadParameter(
            f"{error}, or a window with --from and --to", param_hint="--period"
        ) from None
    try:
        if date_from or date_to:
            if not (date_from and date_to):
                raise PeriodError("--from and --to go together")
            import datetime as dt

            periods.append(window(dt.date.fromisoformat(date_from), dt.date.fromisoformat(date_to)))
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    if not periods:
        raise click.UsageError("give --period (e.g. 2016-17, 2016-17Q3, 2016-12, R12:2016-12) or --from/--to")
    return periods


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="table to read, csv or json for scripts.",
)


@cli.command()
@click.option("--la", "la_code", type=LA, help=LA_HELP + " Default: every LA in the store.")
@format_option
@db_option
def quality(la_code: str | None, fmt: str, db: Path) -> None:
    """Every record the data-quality rules flag: logical faults DfE's validators flag (with their rule number),
    open records a later return no longer carries, facts that differ between returns, and readers' warnings.

    Each is loaded; the figures it would distort leave it out (left_out_of) and say so in their notes. The list
    is child-level: for analysts, never for publishing.
    """
    from .catalogue import load_catalogue
    from .store.connection import connect
    from .store.quality import LISTED, flags, listed

    con = connect(db, read_only=True)
    try:
        rows = listed(flags(con, la_code), load_catalogue().leaving_out())
    finally:
        con.close()
    if fmt == "table" and not rows:
        console.print(f"{db}: no records flagged" + (f" for LA {la_code}" if la_code else "") + ".")
        return
    shown = LISTED if fmt != "table" else ("la_code", "collection_year", "child_id", "record", "what", "dfe_rule",
                                            "detail", "left_out_of")  # fmt: skip
    print_rows(console, shown, rows, fmt, title=f"{len(rows):,} records flagged in {db}")


@cli.command()
@click.option("--period", "period", multiple=True, help="Period code; repeat for several.")
@click.option("--from", "date_from", help="Window start (YYYY-MM-DD), with --to.")
@click.option("--to", "date_to", help="Window end (YYYY-MM-DD), with --from.")
@click.option(
    "--indicator", "indicator_ids", multiple=True, help="Indicator id; repeat for several (default all)."
)
@click.option("--breakdown", help="age_band, sex, ethnicity_group, disability, referral_source, ...")
@click.option(
    "--la",
    "la_codes",
    type=LA,
    multiple=True,
    help=LA_HELP + " Repeat for several (default: every LA loaded).",
)
@click.option("--explain", "explain_id", help="Show the SQL and the records counted for this indicator.")
@click.option("--limit", default=50, show_default=True, help="Records shown by --explain.")
@click.option(
    "--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True,
    help="spark: the store exported to Parquet and run with PySpark (CSC_SCORECARD_SPARK_MASTER, docs/spark.md).",
)  # fmt: skip
@format_option
@db_option
def indicators(
    period: tuple[str, ...], date_from: str | None, date_to: str | None, indicator_ids: tuple[str, ...],
    breakdown: str | None, la_codes: tuple[str, ...], explain_id: str | None, limit: int, engine: str,
    fmt: str, db: Path,
) -> None:  # fmt: skip
    """Compute indicators for one or more periods (values unrounded) and keep them in the store.

    Periods: 2016-17 (financial year), 2016-17Q3 (year to date at the end of Q3), 2016-12 (a month),
    R12:2016-12 (rolling 12 months), or --from/--to. See docs/indicators.md for every indicator.
    """
    from .catalogue import CatalogueError
    from .engine import compute
    from .engine.manual import catalogue_for
    from .engine.results import results_basis
    from .store.connection import connect

    periods = _periods(period, date_from, date_to)
    con = connect(db)
    try:
        if explain_id:
            _print_explanation(con, explain_id, periods[0], la_codes, breakdown, limit)
            return
        catalogue = catalogue_for(con)
        basis = results_basis(con, catalogue) if breakdown is None else None
        results = compute(
            con, periods, list(indicator_ids) or None, breakdown, list(la_codes) or None,
            catalogue=catalogue, engine=engine,
        )  # fmt: skip
        # each LA's figures are computed apart from the others', so what was asked holds for each LA alone
        ids = tuple(indicator_ids) or tuple(catalogue.ids())
        _keep_results(con, results, periods, ids, basis, catalogue)
    except CatalogueError as error:
        raise click.UsageError(str(error)) from None
    finally:
        con.close()
    rows = [{c: getattr(r, c) for c in RESULT_COLUMNS} for r in results]
    print_rows(console, RESULT_COLUMNS, rows, fmt, title=f"Indicators ({db})")


def _keep_results(con, results, periods, ids, basis, catalogue) -> None:
    """Keep what `indicators` computed: whole-LA figures with the store's basis, for every LA in one transaction,
    so that `judge`, `report` and the dashboard read them back rather than compute them again
    (engine/results.py); a breakdown's, or figures the store changed under, as plain results."""
    from .engine.results import Computation, save_computations, save_results

    codes = tuple(p.code for p in periods)
    las = dict.fromkeys(r.la_code for r in results)
    kept = basis is not None and save_computations(
        con, [Computation(la_code, codes, ids, basis) for la_code in las], results, catalogue
    )
    if not kept:
        save_results(con, results)


def _print_explanation(con, indicator_id, period, la_codes, breakdown, limit) -> None:
    from rich.syntax import Syntax

    from .engine import explain

    found = explain(con, indicator_id, period, la_codes[0] if la_codes else None, breakdown=breakdown)
    console.rule(f"{indicator_id} for {period.code}")
    console.print(Syntax(found.sql, "sql", word_wrap=True))
    rows = [{c: getattr(r, c) for c in RESULT_COLUMNS} for r in found.results]
    print_rows(console, RESULT_COLUMNS, rows, "table", title="Result")
    for title, records in (
        ("Numerator", found.numerator_records),
        ("Denominator", found.denominator_records),
    ):
        if not records:
            continue
        columns = list(records[0])
        shown = f"first {limit} of {len(records)}" if len(records) > limit else f"{len(records)}"
        print_rows(console, columns, records[:limit], "table", title=f"{title} records ({shown})")


def _store_catalogue(db: Path):
    """The catalogue with the manual measures the store declares (the shipped catalogue without a store)."""
    from .catalogue import load_catalogue
    from .engine.manual import catalogue_for
    from .store.connection import connect

    if not db.exists():
        return load_catalogue()
    con = connect(db, read_only=True)
    try:
        return catalogue_for(con)
    finally:
        con.close()


@cli.command()
@click.argument("indicator_id", required=False)
@format_option
@db_option
def catalogue(indicator_id: str | None, fmt: str, db: Path) -> None:
    """List the indicators (and the store's manual measures), or describe one (its definition, SQL and options)."""
    from .catalogue import CatalogueError

    cat = _store_catalogue(db)
    if indicator_id is None:
        columns = ("id", "area", "unit", "polarity", "kind", "lait", "label")
        rows = [{c: getattr(i, c) for c in columns} for i in cat.indicators.values()]
        print_rows(console, columns, rows, fmt, title=f"{len(rows)} indicators")
        return
    try:
        ind = cat.indicator(indicator_id)
    except CatalogueError as error:
        raise click.UsageError(str(error)) from None
    if fmt != "table":
        print_rows(
            console, ("field", "value"), [{"field": k, "value": v} for k, v in ind.model_dump().items()], fmt
        )
        return
    console.rule(f"{ind.id}: {ind.label}")
    for name in ("area", "unit", "polarity", "kind", "population", "event_date", "numerator", "denominator",
                 "value", "rate_of", "breakdowns", "lait", "source", "description"):  # fmt: skip
        value = getattr(ind, name)
        if value not in (None, "", ()):
            console.print(f"[bold]{name}[/]: {', '.join(value) if isinstance(value, tuple) else value}")
    for name, option in ind.options.items():
        console.print(f"[bold]option {name}[/] (default {option.default!r}): {option.description}")


@cli.command()
@click.option("--la", "la_code", type=LA, required=True, help=LA_HELP)
@click.option("--indicator", "indicator_id", required=True, help="Indicator id (one with a LAIT measure).")
@click.option(
    "--year", required=True, help="Collection year, e.g. 2016-17 (later years use the latest published)."
)
@click.option(
    "--sn-list", type=click.Choice(["April 2021", "May 2025"]), help="Default: the list in force then."
)
@format_option
@db_option
def benchmarks(la_code: str, indicator_id: str, year: str, sn_list: str | None, fmt: str, db: Path) -> None:
    """Published comparators for an indicator: the LA, England, region and statistical neighbours."""
    from .catalogue import CatalogueError, load_catalogue
    from .judge.benchmarks import comparators
    from .periods import parse_financial_year
    from .store.connection import connect

    try:
        parse_financial_year(year)
        ind = load_catalogue().indicator(indicator_id)
    except (ValueError, CatalogueError) as error:
        raise click.UsageError(str(error)) from None
    if not ind.lait:
        raise click.UsageError(f"{indicator_id} has no published (LAIT) measure to compare with")
    con = connect(db)
    try:
        found = comparators(con, la_code, ind.lait, year, sn_version=sn_list)
    finally:
        con.close()
    columns = ("la_code", "indicator_id", "year", "comparator", "value", "symbol", "label")
    rows = [{"la_code": la_code, "indicator_id": indicator_id, **vars(c)} for c in found]
    print_rows(console, columns if fmt != "csv" else columns[:5], rows, fmt, title=f"{ind.label}: published")


def _la_for(con, la_code: str | None) -> str:
    from .store.status import local_authorities_loaded

    loaded = local_authorities_loaded(con)
    la_code = la_code or settings().la_code
    if la_code:
        if la_code not in loaded:
            raise click.UsageError(
                f"no returns are loaded for LA {la_code} (loaded: {', '.join(loaded) or 'none'})"
            )
        return la_code
    if len(loaded) != 1:
        raise click.UsageError(
            f"the store holds {len(loaded)} LAs ({', '.join(loaded) or 'none'}): choose one with --la"
        )
    return loaded[0]


def _one_period(code: str):
    """The period a scorecard is for: parsed here, at the edge, and passed on as a value."""
    from .periods import parse_period

    try:
        period = parse_period(code)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--period") from None
    if period.kind == "window":
        raise click.BadParameter(
            "a scorecard is for a year, a quarter, a month or R12:YYYY-MM", param_hint="--period"
        )
    return period


def _targets(targets_file: Path | None):
    from .judge.targets import TargetsError, load_targets

    try:
        return load_targets(targets_file) if targets_file else None
    except TargetsError as error:
        raise click.UsageError(str(error)) from None


targets_option = click.option(
    "--targets", "targets_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Targets TOML for RAG (docs/targets.md).",
)  # fmt: skip
sn_list_option = click.option(
    "--sn-list", type=click.Choice(["April 2021", "May 2025"]), help="Default: the list in force then."
)
sn_average_option = click.option(
    "--sn-average",
    type=click.Choice(["mean", "median"]),
    default="mean",
    show_default=True,
    help="The statistical neighbours' average compared with.",
)


def _build(db: Path, la_code: str | None, period_code: str, targets_file: Path | None, options=None):
    """The one built scorecard for the CLI's judge and report: read-only, nothing saved."""
    from rich.progress import Progress

    from .pipeline import build
    from .store.connection import connect

    period, targets = _one_period(period_code), _targets(targets_file or settings().targets)
    con = connect(db, read_only=True)
    try:
        la = _la_for(con, la_code)
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("Computing and judging", total=None)
            return build(
                con, la, period, targets=targets, options=options,
                progress=lambda ind: progress.update(task, description=f"Judging {ind}"),
            )  # fmt: skip
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    finally:
        con.close()


def _keep(db: Path, built) -> None:
    """Save what the engine computed for `built` in the store, so that the next judge or report of it reads it
    back: not waiting, and not at all when another program holds the store or it cannot be written to (it is
    the same figures either way)."""
    import duckdb

    from .pipeline import keep
    from .store.connection import NO_WAIT, connect

    if built.computation is None:
        return
    try:
        with waiting_for_the_store(NO_WAIT):
            con = connect(db, refresh=False)
    except (StoreBusy, duckdb.IOException, PermissionError):
        return
    try:
        keep(con, built)
    finally:
        con.close()


@cli.command()
@click.option("--period", required=True, help="Period code, e.g. 2016-17Q3.")
@click.option("--la", "la_code", type=LA, help=LA_HELP + " Needed when the store holds several.")
@targets_option
@sn_list_option
@sn_average_option
@click.option("--rules", is_flag=True, help="Show the rule behind every judgement (table format).")
@format_option
@db_option
def judge(
    period: str, la_code: str | None, targets_file: Path | None, sn_list: str | None, sn_average: str,
    rules: bool, fmt: str, db: Path,
) -> None:  # fmt: skip
    """The scorecard for a period: value, RAG against target, trend, SN and England, quartile and SPC."""
    from .judge.judgement import JudgeOptions
    from .publish.terminal import SCORECARD_COLUMNS, print_scorecard, scorecard_rows

    built = _build(db, la_code, period, targets_file, JudgeOptions(sn_version=sn_list, sn_average=sn_average))
    if fmt != "table":
        print_rows(console, SCORECARD_COLUMNS, scorecard_rows(built), fmt)
    else:
        console.rule(f"Scorecard for {built.la_name} ({built.la_code}), {built.period.words}")
        print_scorecard(console, built, rules=rules)
    _keep(db, built)


@cli.command()
@click.option("--period", required=True, help="Period code, e.g. 2016-17Q3.")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder for the pack."
)
@click.option("--la", "la_code", type=LA, help=LA_HELP + " Needed when the store holds several.")
@click.option(
    "--internal", is_flag=True, help="Unsuppressed figures, every page marked internal (analysts only)."
)
@click.option(
    "--config", "report_config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="report.yaml: the cover texts and the headline indicators (docs/report.md).",
)  # fmt: skip
@click.option(
    "--charts", type=click.Choice(["appendix", "none"]), default="appendix", show_default=True,
    help="The headline indicators' charts in an appendix to the report and paper, or no charts (faster).",
)  # fmt: skip
@click.option(
    "--board", is_flag=True,
    help="The monthly board pack for a month (--period YYYY-MM): what changed since last month, then each "
    "indicator's month, 12 months, year to date and same point last year (docs/report.md).",
)  # fmt: skip
@targets_option
@sn_list_option
@sn_average_option
@db_option
def report(
    period: str, out: Path, la_code: str | None, internal: bool, report_config: Path | None, charts: str,
    board: bool, targets_file: Path | None, sn_list: str | None, sn_average: str, db: Path,
) -> None:  # fmt: skip
    """The scrutiny pack for a period: scorecard.xlsx, report.html, report.pdf, paper.docx and slides.pptx
    (docs/report.md); with --board, the monthly board pack."""
    from .judge.judgement import JudgeOptions

    if board:
        _board_pack(period, out, la_code, internal, report_config or settings().report_config, targets_file,
                    JudgeOptions(sn_version=sn_list, sn_average=sn_average), db)  # fmt: skip
        return
    from .publish import start_helper

    # first: the helper process starts while the pack's imports, the checks and the build run
    helper = start_helper()
    try:
        from .publish import write_pack
        from .publish.pack import UnconfirmedText
        from .publish.report_config import ReportConfigError, check_headline, load_report_config

        report_config = report_config or settings().report_config
        try:  # a bad YAML or an unknown headline id fails before any work
            check_headline(load_report_config(report_config), _store_catalogue(db).indicators, report_config)
        except ReportConfigError as error:
            raise click.UsageError(str(error)) from None
        built = _build(
            db, la_code, period, targets_file, JudgeOptions(sn_version=sn_list, sn_average=sn_average)
        )
    except BaseException:
        helper.close()
        raise
    profile = "internal" if internal else "published"
    try:
        result = write_pack(
            built, out, profile=profile, report_config=report_config, helper=helper, charts=charts
        )  # type: ignore[arg-type]
    except UnconfirmedText as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"{profile} pack for {built.la_name} ({built.la_code}), {built.period.code}:")
    for path in result.paths.values():
        click.echo(f"  {path}")
    _keep(db, built)


def _board_pack(
    period: str, out: Path, la_code, internal: bool, report_config, targets_file, options, db
) -> None:
    """Build the month's board, write its pack, and record the pack (the next one lists what was loaded since)."""
    from rich.progress import Progress

    from .board import build_board
    from .publish.board_pack import write_board_pack
    from .publish.pack import UnconfirmedText
    from .publish.report_config import ReportConfigError, load_report_config
    from .store.board_packs import record_pack
    from .store.connection import connect

    month = _one_period(period)
    if month.kind != "month":
        raise click.BadParameter("a board pack is for a month: YYYY-MM, e.g. 2016-12", param_hint="--period")
    try:
        load_report_config(report_config)
    except ReportConfigError as error:
        raise click.UsageError(str(error)) from None
    targets = _targets(targets_file or settings().targets)
    con = connect(db, read_only=True)
    try:
        la = _la_for(con, la_code)
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("Computing and judging", total=None)
            monthly = build_board(con, la, month, targets=targets, options=options,
                                progress=lambda ind: progress.update(task, description=f"Judging {ind}"))  # fmt: skip
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    finally:
        con.close()
    profile = "internal" if internal else "published"
    try:
        result = write_board_pack(monthly, out, profile=profile, report_config=report_config)  # type: ignore[arg-type]
    except UnconfirmedText as refused:
        raise click.ClickException(str(refused)) from None
    con = connect(db)
    try:
        record_pack(con, la, month.code, profile, monthly.built_from, by=getpass.getuser())
    finally:
        con.close()
    click.echo(f"{profile} board pack for {monthly.built.la_name} ({la}), {month.words}:")
    for path in result.paths.values():
        click.echo(f"  {path}")


@cli.group()
def commentary() -> None:
    """Analysts' commentary per indicator and period, and the actions being taken (carried forward until closed)."""


def _commentary_call(db: Path, call):
    """Run one commentary/action operation on the store, turning bad input into a clear usage error."""
    from .store.commentary import CommentaryError
    from .store.connection import connect

    con = connect(db)
    try:
        return call(con)
    except (CommentaryError, ReturnRejected) as error:
        raise click.UsageError(str(error)) from None
    finally:
        con.close()


def _indicator(indicator_id: str, db: Path) -> str:
    """An indicator id from the catalogue (or a manual measure), or a usage error that names the nearest ones."""
    import difflib

    ids = _store_catalogue(db).ids()
    if indicator_id not in ids:
        near = difflib.get_close_matches(indicator_id, ids, n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else " (csc-scorecard catalogue lists them)"
        raise click.BadParameter(f"no indicator {indicator_id!r}{hint}", param_hint="--indicator")
    return indicator_id


confirm_option = click.option(
    "--confirm",
    is_flag=True,
    help="I have checked: the text does not identify a child (needed when it looks as if it may, before it can "
    "be published).",
)


def _warn_if_identifying(what: str, saved) -> None:
    """A saved text that looks as if it may identify a child: say so (what kind, never the text)."""
    if saved.needs_confirming:
        click.echo(
            f"Warning: {what} looks as if it holds {' and '.join(saved.identifiers)}. Viewers will not see it and "
            "a published pack will not be written until you change it, or check it and confirm that it does not "
            "identify a child (run the command again with --confirm).",
            err=True,
        )


@commentary.command("set")
@click.option("--la", "la_code", type=LA, help=LA_HELP + " Needed when the store holds several.")
@click.option("--indicator", "indicator_id", required=True, help=INDICATOR_HELP)
@click.option("--period", required=True, help=PERIOD_HELP)
@click.option("--text", required=True, help="The commentary (replaces any already written for this period).")
@click.option("--author", help="Who wrote it.")
@confirm_option
@db_option
def commentary_set(
    la_code: str, indicator_id: str, period: str, text: str, author: str | None, confirm: bool, db: Path
) -> None:
    """Add or replace the commentary for an indicator and period."""
    from .store.commentary import set_commentary

    _indicator(indicator_id, db)
    by = (author or getpass.getuser()) if confirm else None
    saved = _commentary_call(
        db,
        lambda con: set_commentary(
            con, _la_for(con, la_code), indicator_id, period, text, author=author, confirmed_by=by
        ),
    )
    click.echo(
        f"commentary saved for {indicator_id} {period}" + (" (confirmed)" if saved.confirmed_at else "")
    )
    _warn_if_identifying("the commentary", saved)


@commentary.command("show")
@click.option("--la", "la_code", type=LA, help=LA_HELP + " Needed when the store holds several.")
@click.option("--period", required=True, help=PERIOD_HELP)
@format_option
@db_option
def commentary_show(la_code: str, period: str, fmt: str, db: Path) -> None:
    """Commentary and open actions for every indicator in a period."""
    from .engine.manual import catalogue_for
    from .store.commentary import actions_for, get_commentary

    def gather(con):
        la = _la_for(con, la_code)
        rows = []
        for ind in catalogue_for(con).ids():
            note = get_commentary(con, la, ind, period)
            actions = actions_for(con, la, ind, period)
            if note or actions:
                rows.append({
                    "indicator_id": ind,
                    "commentary": note.text if note else "",
                    "actions": "; ".join(f"#{a.action_id} {a.text} ({a.owner or 'no owner'}, {a.status}"
                                         f"{', due ' + str(a.due_date) if a.due_date else ''})" for a in actions),
                })  # fmt: skip
        return rows

    def notes(con):
        from .store.area_notes import area_notes

        return [
            {"indicator_id": f"{n.area} ({n.kind} {n.note_id})", "commentary": n.text, "actions": ""}
            for n in area_notes(con, _la_for(con, la_code), period)
        ]

    rows = _commentary_call(db, gather) + _commentary_call(db, notes)
    print_rows(console, ("indicator_id", "commentary", "actions"), rows, fmt, title=f"Commentary {period}")


@commentary.command("add-action")
@click.option("--la", "la_code", type=LA, help=LA_HELP + " Needed when the store holds several.")
@click.option("--indicator", "indicator_id", required=True, help=INDICATOR_HELP)
@click.option("--period", required=True, help="The period whose report first carries the action.")
@click.option("--text", required=True, help="The action.")
@click.option("--owner", help="Who is responsible for it.")
@click.option("--due", type=click.DateTime(["%Y-%m-%d"]), help="Due date, YYYY-MM-DD.")
@confirm_option
@db_option
def commentary_add_action(la_code, indicator_id, period, text, owner, due, confirm: bool, db: Path) -> None:
    """Add an action; it is carried forward to every later period until closed."""
    from .store.commentary import add_action, get_action

    due_date = due.date() if due else None
    _indicator(indicator_id, db)
    by = getpass.getuser() if confirm else None
    saved = _commentary_call(
        db, lambda con: get_action(con, add_action(con, _la_for(con, la_code), indicator_id, period, text,
                                                   owner=owner, due_date=due_date, confirmed_by=by,
                                                   by=getpass.getuser())),
    )  # fmt: skip
    click.echo(f"action {saved.action_id} added")
    _warn_if_identifying(f"action {saved.action_id}", saved)


def _area(area: str, db: Path) -> str:
    """A catalogue area (or a manual measure's) by its id (front_door) or name (Front door)."""
    from .pipeline import area_label

    areas = list(_store_catalogue(db).by_area())
    for known in areas:
        if area.strip().casefold() in (known, area_label(known).casefold()):
            return known
    names = ", ".join(area_label(a) for a in areas)
    raise click.BadParameter(f"no area {area!r}: one of {names}", param_hint="--area")


def _add_area_note(
    kind: str, la_code: str | None, area: str, period: str, text: str, author, db: Path
) -> None:
    from .store.area_notes import add_area_note

    area_id = _area(area, db)
    _one_period(period)
    note = _commentary_call(
        db, lambda con: add_area_note(con, _la_for(con, la_code), area_id, period, kind, text, author=author)
    )
    click.echo(f"{kind} {note.note_id} added to {area_id} for {period}")


def _area_note_options(command):
    for option in reversed((
        click.option("--la", "la_code", type=LA, help=LA_HELP + " Needed when the store holds several."),
        click.option("--area", required=True, help="The scorecard area, by id or name: front_door or 'Front door'."),
        click.option("--period", required=True, help="The period whose report carries it, e.g. 2016-17Q3."),
        click.option("--text", required=True, help="The achievement or priority, in a sentence."),
        click.option("--author", help="Who wrote it."),
        db_option,
    )):  # fmt: skip
        command = option(command)
    return command


@commentary.command("add-achievement")
@_area_note_options
def commentary_add_achievement(la_code, area, period, text, author, db: Path) -> None:
    """Add an achievement no figure shows (e.g. 'Secured two Frontline units') to an area's summary."""
    _add_area_note("achievement", la_code, area, period, text, author, db)


@commentary.command("add-priority")
@_area_note_options
def commentary_add_priority(la_code, area, period, text, author, db: Path) -> None:
    """Add a priority (e.g. 'Recruit more foster carers') to an area's summary."""
    _add_area_note("priority", la_code, area, period, text, author, db)


@commentary.command("remove-note")
@click.argument("note_id", type=int)
@db_option
def commentary_remove_note(note_id: int, db: Path) -> None:
    """Remove an achievement or priority added with add-achievement or add-priority."""
    from .store.area_notes import remove_area_note

    note = _commentary_call(db, lambda con: remove_area_note(con, note_id))
    click.echo(f"{note.kind} {note.note_id} removed from {note.area} for {note.period}")


@commentary.command("update-action")
@click.argument("action_id", type=int)
@click.option("--text", help="The action.")
@click.option("--owner", help="Who is responsible for it.")
@click.option("--due", type=click.DateTime(["%Y-%m-%d"]), help="Due date, YYYY-MM-DD.")
@click.option("--status", type=click.Choice(["open", "in progress", "closed"]), help="Where it stands.")
@click.option(  # --period, as close-action names it; --closed-period is its older name
    "--period",
    "--closed-period",
    "closed_period",
    help="With --status closed: the last period whose report carries it.",
)
@click.option("--note", help="What was done, or why it changed (kept in the action's history).")
@confirm_option
@db_option
def commentary_update_action(
    action_id, text, owner, due, status, closed_period, note, confirm: bool, db: Path
) -> None:
    """Edit an action (only the options given change); each change is kept in its history."""
    from .store.commentary import update_action

    changes = {k: v for k, v in (("text", text), ("owner", owner), ("status", status),
                                 ("closed_period", closed_period), ("note", note)) if v is not None}  # fmt: skip
    changes["by"] = getpass.getuser()
    if due is not None:
        changes["due_date"] = due.date()
    if confirm:
        changes["confirmed_by"] = getpass.getuser()
    action = _commentary_call(db, lambda con: update_action(con, action_id, **changes))
    click.echo(f"action {action.action_id}: {action.status}" + (" (confirmed)" if confirm else ""))
    _warn_if_identifying(f"action {action.action_id}", action)


@commentary.command("close-action")
@click.argument("action_id", type=int)
@click.option("--period", required=True, help="The last period whose report carries it.")
@click.option("--note", help="What was done (kept in the action's history).")
@db_option
def commentary_close_action(action_id: int, period: str, note: str | None, db: Path) -> None:
    """Close an action as of a period."""
    from .store.commentary import close_action

    _commentary_call(db, lambda con: close_action(con, action_id, period, by=getpass.getuser(), note=note))
    click.echo(f"action {action_id} closed in {period}")


@commentary.command("history")
@click.argument("action_id", type=int)
@format_option
@db_option
def commentary_history(action_id: int, fmt: str, db: Path) -> None:
    """An action's history: every change of its status, owner or due date, who made it, when and why."""
    from .store.commentary import action_history, get_action

    action, events = _commentary_call(
        db, lambda con: (get_action(con, action_id), action_history(con, action_id))
    )
    columns = ("changed_at", "changed_by", "status", "owner", "due_date", "closed_period", "note")
    rows = [{c: "" if getattr(e, c) is None else str(getattr(e, c)) for c in columns} for e in events]
    title = (f"Action {action.action_id} on {action.indicator_id} (LA {action.la_code}, from {action.opened_period}): "
             f"{action.text}")  # fmt: skip
    print_rows(console, columns, rows, fmt, title=title)


@commentary.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--la", "la_code", type=LA, help=LA_HELP + " Default: every LA.")
@db_option
def commentary_export(folder: Path, la_code: str | None, db: Path) -> None:
    """Write commentary.csv and actions.csv (formulas neutralised, so safe to open in Excel)."""
    from .store.commentary import export_actions_csv, export_commentary_csv

    folder.mkdir(parents=True, exist_ok=True)
    notes = _commentary_call(
        db, lambda con: export_commentary_csv(con, folder / "commentary.csv", la_code=la_code)
    )
    actions = _commentary_call(
        db, lambda con: export_actions_csv(con, folder / "actions.csv", la_code=la_code)
    )
    click.echo(f"{notes} commentary rows and {actions} actions written to {folder}")


@commentary.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@db_option
def commentary_import(files: tuple[Path, ...], db: Path) -> None:
    """Import commentary.csv / actions.csv (as exported); each file is all rows or none."""
    from .store.commentary import import_actions_csv, import_commentary_csv

    for file in files:
        if "action" in file.name.lower():
            added, updated = _commentary_call(db, lambda con, f=file: import_actions_csv(con, f))
            click.echo(f"{file.name}: {added} actions added, {updated} updated")
        else:
            count = _commentary_call(db, lambda con, f=file: import_commentary_csv(con, f))
            click.echo(f"{file.name}: {count} commentary rows written")


@cli.group()
def measures() -> None:
    """Manual measures: figures no return holds, declared in a YAML file and recorded by month or quarter."""


@measures.command("declare")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
def measures_declare(file: Path, db: Path) -> None:
    """Make the measures in FILE the ones in force (README: Manual measures); every version is kept."""
    from .catalogue import load_catalogue
    from .sources.manual import DeclarationError, read_declarations
    from .store.connection import connect
    from .store.manual_values import declare

    try:
        found = read_declarations(file)
    except DeclarationError as error:
        raise click.UsageError(str(error)) from None
    taken = [f"{file.name}: measure {m.id}: the catalogue already has an indicator {m.id}: choose another id"
             for m in found if m.id in load_catalogue().indicators]  # fmt: skip
    if taken:
        raise click.UsageError("\n".join(taken))
    con = connect(db)
    try:
        done = declare(con, found, source=file.name, by=getpass.getuser())
    finally:
        con.close()
    for what, ids in (("added", done.added), ("changed", done.changed), ("unchanged", done.unchanged),
                      ("withdrawn (their values are kept)", done.withdrawn)):  # fmt: skip
        if ids:
            click.echo(f"{what}: {', '.join(ids)}")
    click.echo(f"{len(found)} manual measures in force in {db}")


@measures.command("list")
@format_option
@db_option
def measures_list(fmt: str, db: Path) -> None:
    """The manual measures in force."""
    from .store.connection import connect
    from .store.manual_values import declared

    con = connect(db, read_only=True)
    try:
        found = declared(con)
    finally:
        con.close()
    columns = ("id", "area", "unit", "kind", "frequency", "polarity", "target", "label")
    rows = [{**{c: getattr(m, c) for c in columns if c != "target"},
             "target": f"{m.target.value:g} (tolerance {m.target.tolerance:g})" if m.target else ""}
            for m in found.values()]  # fmt: skip
    print_rows(console, columns, rows, fmt, title=f"{len(rows)} manual measures")


@measures.command("set")
@click.argument("measure_id")
@click.option(
    "--period", required=True, help="The month (YYYY-MM); a quarterly measure: the quarter's last month."
)
@click.option("--value", required=True, type=float, help="The count, or a percentage's numerator.")
@click.option("--denominator", type=float, help="A percentage's denominator.")
@click.option("--note", help="Why it was entered or changed.")
@click.option("--la", "la_code", type=LA, help=LA_HELP + " Needed when the store holds several.")
@db_option
def measures_set(measure_id, period, value, denominator, note, la_code, db: Path) -> None:
    """Record one value (it replaces the current one for that period, which is kept in the history)."""
    from .store.connection import connect
    from .store.manual_values import ManualValueError, record

    con = connect(db)
    try:
        saved = record(con, _la_for(con, la_code), measure_id, period, value, denominator=denominator, note=note,
                       by=getpass.getuser(), source="command line")  # fmt: skip
    except ManualValueError as error:
        raise click.BadParameter(str(error), param_hint=f"--{error.field.replace('_', '-')}") from None
    finally:
        con.close()
    if saved is None:
        click.echo(f"{measure_id} {period}: unchanged (the same value is already recorded)")
    else:
        click.echo(
            f"{measure_id} {period}: {value:g} recorded"
            + (" (replacing an earlier value)" if saved.replaces else "")
        )


@measures.command("history")
@click.argument("measure_id")
@click.option("--period", help="One month (YYYY-MM); default every period.")
@click.option("--la", "la_code", type=LA, help=LA_HELP + " Needed when the store holds several.")
@format_option
@db_option
def measures_history(measure_id: str, period: str | None, la_code: str | None, fmt: str, db: Path) -> None:
    """Every value recorded for a measure: who entered what, when, from where, and what it replaced."""
    from .store.connection import connect
    from .store.manual_values import value_history

    con = connect(db, read_only=True)
    try:
        la = _la_for(con, la_code)
        found = value_history(con, la, measure_id, period)
    finally:
        con.close()
    columns = ("value_id", "period", "value", "denominator", "entered_by", "entered_at", "source", "replaces",
               "status", "note")  # fmt: skip
    rows = [{"value_id": v.value_id, "period": v.period, "value": f"{v.value:g}",
             "denominator": "" if v.denominator is None else f"{v.denominator:g}", "entered_by": v.entered_by or "",
             "entered_at": f"{v.entered_at:%Y-%m-%d %H:%M:%S}", "source": v.source + (f" line {v.src_line}" if v.src_line else ""),
             "replaces": v.replaces or "", "status": "current" if v.current else f"replaced by {v.replaced_by}",
             "note": v.note or ""} for v in found]  # fmt: skip
    print_rows(console, columns, rows, fmt, title=f"{measure_id}, LA {la}: {len(rows)} values recorded")


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-output"),
    show_default=True,
    help="Folder for the returns, the store, example targets and a report pack.",
)
@click.option(
    "--la", "la_code", type=LA, default="335", show_default=True, help=f"Any English LA: {LA_NAMED}."
)
@click.option("--years", default="2013-14:2016-17", show_default=True, help="FIRST:LAST collection years.")
@click.option("--seed", default=1, show_default=True, type=int, help=SEED_HELP)
def demo(out: Path, la_code: str, years: str, seed: int) -> None:
    """A synthetic council from returns to scorecard: synth, load, headline figures, and where it all is."""
    from .demo import run_demo

    run_demo(console, out=out, la_code=la_code, years=years, seed=seed)


@cli.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; serve others through a TLS proxy.",
)
@click.option("--port", default=8000, show_default=True, type=int, help="The port to listen on.")
@click.option(
    "--settings", "settings_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The settings file (docs/settings.md), if not given before the command.",
)  # fmt: skip
@targets_option
@click.option("--la", "la_code", type=LA, help=f"The LA shown first: {LA_NAMED}. Default: the LA loaded.")
@db_option
def serve(
    host: str, port: int, settings_file: Path | None, targets_file: Path | None, la_code: str | None, db: Path
) -> None:
    """The board's dashboard in a browser: scorecard, indicators, drill-through, uploads (docs/web.md)."""
    from .web import serve as run_server
    from .web.assets import AssetsError, check_built

    chosen = settings() if settings_file is None else _settings_from(settings_file)
    web = replace(
        chosen.web, db=db, targets=targets_file or chosen.targets, la_code=la_code or chosen.la_code
    )
    try:
        check_built()
    except AssetsError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Serving {web.db} on http://{host}:{port} (users in {web.state_path})")
    run_server(web, host=host, port=port)


def _settings_from(file: Path) -> Settings:
    try:
        return load_settings(file)
    except SettingsError as error:
        raise click.UsageError(str(error)) from None


@cli.group()
def users() -> None:
    """Dashboard accounts, kept beside the store in <store>.web.sqlite."""


@users.command("add")
@click.argument("username")
@click.option(
    "--role", type=click.Choice(["viewer", "manager", "analyst", "admin"]), required=True,
    help="What the user may do: viewer (the published scorecard), analyst (every figure, records, uploads), admin.",
)  # fmt: skip
@click.password_option(help="Asked for (twice) when not given.")
@db_option
def users_add(username: str, role: str, password: str, db: Path) -> None:
    """Add a local account, e.g. the first admin."""
    from .web import StateError, create_user

    state = replace(settings().web, db=db).state_path
    try:
        user = create_user(state, username, password, role)
    except StateError as error:
        raise click.UsageError(str(error)) from None
    click.echo(f"user {user.username} added as {user.role} in {state}")


@users.command("list")
@db_option
def users_list(db: Path) -> None:
    """Every account with its role."""
    from .web.state import StateStore

    for u in StateStore(replace(settings().web, db=db).state_path).users():
        click.echo(f"{u.username}\t{u.role}\t{'disabled' if u.disabled else 'enabled'}")


def main() -> None:
    restrict_umask()  # whatever the command writes may hold children's data (private_files.py)
    cli()


if __name__ == "__main__":
    main()
