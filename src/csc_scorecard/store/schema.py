"""The store's schema as numbered migrations: frozen SQL files in store/migrations/, applied in order.

A released migration never changes, because councils' stores were made by it: a new column or table is a new
file (docs/store.md says how). Each file's first line is its description, recorded in `schema_version`.

Tables:
- `loads`: lineage, one row per return loaded (file, sha256, format, LA, collection year, rows per table,
  when, and whether a newer version has replaced it).
- `raw_<table>`: every current load's rows exactly as read, tagged with load_id, la_code, collection_year and
  the source line.
- `<table>`: canonical, one row per identity (see sources/tables.py), the latest return winning; each row keeps
  the load_id it came from.
- `referrals`: a view naming cin_episodes for what most reports call it.
- `ref_calendar`, `ref_population`: reference data the indicator engine joins to.
- `published_values`, `areas`, `stat_neighbours`: published benchmarks for every LA, region and England.
- `reference_data`: which shipped reference data the four tables above hold (see reference_data.py).
- `indicator_results`: computed indicators (unrounded) with the load ids behind each figure.
- `commentary`, `actions`: analysts' commentary per indicator and period; actions carried forward until closed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files

import duckdb

# Every raw and canonical table starts with these and ends with `src_line INTEGER`.
LINEAGE_COLUMNS = (("load_id", "INTEGER"), ("la_code", "VARCHAR"), ("collection_year", "VARCHAR"))

MIGRATIONS_DIR = files(__package__).joinpath("migrations")


@dataclass(frozen=True)
class Migration:
    version: int
    file_name: str
    description: str
    sql: str


def _read_migrations() -> tuple[Migration, ...]:
    found = []
    for entry in MIGRATIONS_DIR.iterdir():
        match = re.fullmatch(r"(\d{4})_\w+\.sql", entry.name)
        if match:
            sql = entry.read_text(encoding="utf-8")
            description = sql.splitlines()[0].removeprefix("--").strip()
            found.append(Migration(int(match[1]), entry.name, description, sql))
    found.sort(key=lambda m: m.version)
    numbers = [m.version for m in found]
    if numbers != list(range(1, len(found) + 1)):
        raise RuntimeError(f"store migrations must be numbered 1, 2, 3, ... with no gaps: found {numbers}")
    return tuple(found)


MIGRATIONS = _read_migrations()
SCHEMA_VERSION = MIGRATIONS[-1].version


class StoreTooNew(RuntimeError):
    """The store was migrated by a newer csc-scorecard: this one must neither read nor write it."""

    def __init__(self, store: str, version: int) -> None:
        super().__init__(
            f"the store {store} is at schema version {version}; this csc-scorecard knows up to "
            f"{SCHEMA_VERSION}: upgrade csc-scorecard"
        )
        self.version = version


def stored_version(con: duckdb.DuckDBPyConnection) -> int:
    """The store's schema version, 0 for an empty file; reads only, so it works on read-only connections."""
    has_table = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_version' AND schema_name = 'main'"
    ).fetchall()[0][0]
    if not has_table:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0]


def check_not_newer(con: duckdb.DuckDBPyConnection, store: str) -> int:
    """The store's schema version; StoreTooNew if this code does not know it."""
    version = stored_version(con)
    if version > SCHEMA_VERSION:
        raise StoreTooNew(store, version)
    return version


def migrate(con: duckdb.DuckDBPyConnection, store: str = "being opened", up_to: int = SCHEMA_VERSION) -> int:
    """Apply every migration newer than the store (up to `up_to`), each in its own transaction. Returns the new
    version."""
    version = check_not_newer(con, store)
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version "
        "(version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)"
    )
    for migration in MIGRATIONS[version:up_to]:
        con.begin()
        try:
            con.execute(migration.sql)
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?, now())", [migration.version, migration.description]
            )
            con.commit()
        except BaseException:
            con.rollback()
            raise
        version = migration.version
    return version
