"""Reference tables in the store: the working-day calendar and the 0-17 population (rate denominators)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from ..refdata import population_rows
from ..working_days import calendar_rows


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TABLE ref_calendar (day DATE PRIMARY KEY, is_working_day BOOLEAN, working_day_number INTEGER)"
    )
    con.execute(
        "CREATE TABLE ref_population (la_code VARCHAR, mid_year INTEGER, population INTEGER, source VARCHAR, "
        "PRIMARY KEY (la_code, mid_year))"
    )
    refresh(con)


def refresh(con: duckdb.DuckDBPyConnection, population_override: Path | None = None) -> None:
    days, working, numbers = zip(*calendar_rows(), strict=True)
    _replace(
        con, "ref_calendar", pa.table({"day": days, "is_working_day": working, "working_day_number": numbers})
    )
    la, year, pop, source = zip(*population_rows(population_override), strict=True)
    _replace(
        con,
        "ref_population",
        pa.table({"la_code": la, "mid_year": year, "population": pop, "source": source}),
    )


def _replace(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    con.register("incoming_reference", rows)
    try:
        con.execute(f"DELETE FROM {table}")
        con.execute(f"INSERT INTO {table} SELECT * FROM incoming_reference")
    finally:
        con.unregister("incoming_reference")
