"""The SSD from a live database, through SQLAlchemy: the same tables, checks and mapping as a CSV extract.

    csc-scorecard load --from-db "postgresql+psycopg://reporting@ssd-db:5432/ssd" --schema ssd_development --la 335
    csc-scorecard load --from-db "mssql+pymssql://CSC\\\\reporting@sqlserver01/ReportingDB" --schema ssd_development ...

Every table of the schema named like an SSD table is read (the view ssd_vw_current_time_windows too, when there
is one); its columns must be the data model's, as a CSV file's header must. Rows are numbered in the order of
the table's first field (its id), so that a problem's "row 12" can be found again.

Credentials never come from the command line: a URL holding a password is refused. The password comes from the
environment (CSC_SCORECARD_SSD_PASSWORD) or a file readable by its owner only (mode 0600), and is never shown:
the load's lineage and every message name the URL without it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from pathlib import Path
from typing import Any

from ..model import ParsedReturn
from ..problems import Problem, Problems, ReturnRejected
from .extract import Extract, SsdTable
from .snapshot import read_fields, to_return
from .spec import TIME_WINDOWS, ssd_tables

PASSWORD_ENV = "CSC_SCORECARD_SSD_PASSWORD"
BATCH_ROWS = 50_000
DRIVERS = {"postgresql": "psycopg (csc-scorecard[database])", "mssql": "pymssql (csc-scorecard[database])"}


def _refused(where: str, field: str, value: str | None, rule: str) -> ReturnRejected:
    return ReturnRejected([Problem(where, "-", field, value, rule)])


def password_from(password_file: Path | None) -> str | None:
    """The password: the environment's, else the first line of a file only its owner can read, else none."""
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if password_file is None:
        return None
    try:
        info = password_file.stat()
    except OSError as error:
        raise _refused(
            str(password_file), "--password-file", None, f"cannot be read: {error.strerror}"
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise _refused(str(password_file), "--password-file", None, "not a file")
    if info.st_mode & 0o077:
        raise _refused(
            str(password_file),
            "--password-file",
            f"{stat.S_IMODE(info.st_mode):04o}",
            "others can read it: it must be readable by its owner only (chmod 600)",
        )
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise _refused(str(password_file), "--password-file", None, "belongs to another user")
    return password_file.read_text(encoding="utf-8").splitlines()[0] if info.st_size else ""


def safe_url(url: str) -> str:
    """The URL as the lineage and messages show it: never with a password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _engine(url: str, password_file: Path | None) -> Any:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise _refused(
            "--from-db", "URL", None, "not a database URL (dialect+driver://user@host:port/database)"
        ) from None
    if parsed.password is not None:
        raise _refused(
            "--from-db",
            "URL",
            parsed.render_as_string(hide_password=True),
            f"holds a password: leave it out, and give it in {PASSWORD_ENV} or --password-file (mode 0600), "
            "so that it is never in the command history or a log",
        )
    password = password_from(password_file)
    if password is not None:
        parsed = parsed.set(password=password)
    try:
        return create_engine(parsed)
    except (NoSuchModuleError, ImportError, ModuleNotFoundError) as error:
        driver = DRIVERS.get(parsed.get_backend_name(), "its driver")
        raise _refused(
            "--from-db", "URL", safe_url(url), f"cannot use it: {error}; install {driver}"
        ) from None


def _columns(table: str, found: list[str], problems: Problems) -> list[str] | None:
    fields = ssd_tables()[table]
    bad = False
    for column in sorted(read_fields()[table] - set(found)):
        problems.add("columns", column, None, f"column missing from {table}")
        bad = True
    for column in found:
        if column not in fields:
            problems.add("columns", column, column, f"not a field of {table} in the SSD data model")
            bad = True
    return None if bad else found


def read_database(url: str, schema: str | None = None, password_file: Path | None = None) -> Extract:
    """Every SSD table of the schema, read in full; raises ReturnRejected for a connection or table problem."""
    from sqlalchemy import column, inspect, select, table
    from sqlalchemy.exc import SQLAlchemyError

    shown = safe_url(url) + (f" (schema {schema})" if schema else "")
    engine = _engine(url, password_file)
    read_at = dt.datetime.now()
    tables: dict[str, SsdTable] = {}
    digest = hashlib.sha256()
    try:
        with engine.connect() as connection:
            inspector = inspect(connection)
            names = {n.lower(): n for n in inspector.get_table_names(schema=schema)}
            names |= {
                n.lower(): n for n in inspector.get_view_names(schema=schema) if n.lower() == TIME_WINDOWS
            }
            for name in sorted(n for n in names if n in ssd_tables()):
                real = names[name]
                where = f"{schema}.{real}" if schema else real
                problems = Problems(where)
                found = [c["name"] for c in inspector.get_columns(real, schema=schema)]
                columns = _columns(name, [c.lower() for c in found], problems)
                if columns is None:
                    tables[name] = SsdTable(name, where, (), [], problems)
                    continue
                by_lower = dict(zip([c.lower() for c in found], found, strict=True))
                source = table(real, *(column(by_lower[c]) for c in columns), schema=schema)
                query = select(*source.c).order_by(source.c[by_lower[columns[0]]])
                rows: list[tuple[str, dict[str, object]]] = []
                digest.update(f"{name}\0".encode())
                result = connection.execution_options(stream_results=True).execute(query)
                for batch in result.partitions(BATCH_ROWS):
                    for record in batch:
                        number = len(rows) + 1
                        values = dict(zip(columns, record, strict=True))
                        digest.update(repr(tuple(record)).encode())
                        rows.append((f"row {number} ({columns[0]} {values[columns[0]]})", values))
                tables[name] = SsdTable(name, where, tuple(columns), rows, problems)
    except SQLAlchemyError as error:
        detail = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise _refused(shown, "database", None, f"cannot be read: {detail}") from None
    finally:
        engine.dispose()
    overall = Problems(shown)
    if not tables:
        overall.add(
            "database", "tables", None, f"no SSD tables (ssd_person, ssd_cin_episodes, ...) in {shown}"
        )
    files = [Path(t.source) for t in tables.values()]
    extract = Extract("ssd_db", shown, files, digest.hexdigest(), tables, overall, read_at)
    extract.raise_if_any()
    return extract


def read(
    url: str, la: str | None, *, schema: str | None = None, password_file: Path | None = None
) -> ParsedReturn:
    """The database's SSD as a snapshot return for the LA; raises ReturnRejected listing every problem."""
    return to_return(read_database(url, schema, password_file), la, None)


__all__ = ["PASSWORD_ENV", "password_from", "read", "read_database", "safe_url"]
