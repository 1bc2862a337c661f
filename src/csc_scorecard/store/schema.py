"""The store's schema as numbered migrations. A store is brought up to date whenever it is opened to write.

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
- `indicator_results`: computed indicators (unrounded) with the load ids behind each figure.
- `commentary`, `actions`: analysts' commentary per indicator and period; actions carried forward until closed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from ..sources.tables import LOCAL_TABLES, TABLES, TableSpec
from . import published, reference

LINEAGE_COLUMNS = (("load_id", "INTEGER"), ("la_code", "VARCHAR"), ("collection_year", "VARCHAR"))


def column_ddl(spec: TableSpec) -> str:
    cols = [*LINEAGE_COLUMNS, *spec.columns, ("src_line", "INTEGER")]
    return ", ".join(f'"{name}" {typ}' for name, typ in cols)


# The statutory returns' tables, as migration 1 made them; later tables belong to the migration that adds them.
RETURN_TABLES = tuple(spec for spec in TABLES if spec not in LOCAL_TABLES)


def _create_return_tables(con: duckdb.DuckDBPyConnection, specs: tuple[TableSpec, ...]) -> None:
    """A raw table and a canonical table for each spec."""
    for spec in specs:
        con.execute(f"CREATE TABLE {spec.raw_name} ({column_ddl(spec)})")
        con.execute(f"CREATE TABLE {spec.name} ({column_ddl(spec)})")


def _v1(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE TABLE loads (
            load_id INTEGER PRIMARY KEY,
            kind VARCHAR NOT NULL,
            format VARCHAR NOT NULL,
            source_name VARCHAR NOT NULL,
            files VARCHAR[] NOT NULL,
            sha256 VARCHAR NOT NULL,
            la_code VARCHAR NOT NULL,
            collection_year VARCHAR NOT NULL,
            year_source VARCHAR NOT NULL,
            row_counts JSON NOT NULL,
            loaded_at TIMESTAMP NOT NULL,
            status VARCHAR NOT NULL,          -- current | replaced
            replaces INTEGER,
            replaced_by INTEGER
        )
        """
    )
    _create_return_tables(con, RETURN_TABLES)
    con.execute("CREATE VIEW referrals AS SELECT * FROM cin_episodes")
    reference.create_tables(con)


def _v3(con: duckdb.DuckDBPyConnection) -> None:
    """Analysts' own words: commentary per indicator and period, and actions carried forward until closed."""
    con.execute(
        """
        CREATE TABLE commentary (
            la_code VARCHAR NOT NULL,
            indicator_id VARCHAR NOT NULL,
            period VARCHAR NOT NULL,
            text VARCHAR NOT NULL,
            author VARCHAR,
            updated_at TIMESTAMP NOT NULL,
            PRIMARY KEY (la_code, indicator_id, period)
        )
        """
    )
    con.execute("CREATE SEQUENCE action_ids START 1")
    con.execute(
        """
        CREATE TABLE actions (
            action_id INTEGER PRIMARY KEY DEFAULT nextval('action_ids'),
            la_code VARCHAR NOT NULL,
            indicator_id VARCHAR NOT NULL,
            opened_period VARCHAR NOT NULL,   -- the period whose report first carried it
            text VARCHAR NOT NULL,
            owner VARCHAR,
            due_date DATE,
            status VARCHAR NOT NULL,          -- open | in progress | closed
            closed_period VARCHAR,            -- carried forward to every later period until this one
            updated_at TIMESTAMP NOT NULL
        )
        """
    )


def _v4(con: duckdb.DuckDBPyConnection) -> None:
    """Computed indicators, unrounded, with the loads behind each figure so it can be traced and reproduced."""
    con.execute(
        """
        CREATE TABLE indicator_results (
            la_code VARCHAR NOT NULL,
            indicator_id VARCHAR NOT NULL,
            period VARCHAR NOT NULL,
            period_start DATE NOT NULL,
            period_end DATE NOT NULL,
            breakdown VARCHAR,             -- NULL: the whole LA
            breakdown_value VARCHAR,
            numerator DOUBLE,
            denominator DOUBLE,
            value DOUBLE,                  -- unrounded; NULL where undefined
            population_year INTEGER,
            notes VARCHAR NOT NULL,
            load_ids INTEGER[] NOT NULL,
            computed_at TIMESTAMP NOT NULL
        )
        """
    )


def _v5(con: duckdb.DuckDBPyConnection) -> None:
    """Raw and canonical tables for Annex A, the local CSV templates and the CSWW census."""
    _create_return_tables(con, LOCAL_TABLES)


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "returns, lineage, canonical tables, reference calendar and population", _v1),
    Migration(2, "published benchmarks (LAIT, EES), areas, statistical neighbours", published.create_tables),
    Migration(3, "analysts' commentary and actions", _v3),
    Migration(4, "indicator results", _v4),
    Migration(
        5, "Annex A, local templates (early help, workforce, youth justice, audits) and CSWW tables", _v5
    ),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version "
        "(version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)"
    )
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply every migration newer than the store, each in its own transaction. Returns the new version."""
    version = current_version(con)
    if version > SCHEMA_VERSION:
        raise RuntimeError(
            f"this store is at schema version {version}, newer than this csc-scorecard ({SCHEMA_VERSION}): "
            "upgrade csc-scorecard"
        )
    for migration in MIGRATIONS:
        if migration.version <= version:
            continue
        con.begin()
        try:
            migration.apply(con)
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?, now())", [migration.version, migration.description]
            )
            con.commit()
        except Exception:
            con.rollback()
            raise
        version = migration.version
    return version
