"""Reference tables in the store: the working-day calendar and the 0-17 population (rate denominators).

Filled (into empty tables) by reference_data.refresh_reference_data, never by a migration.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from ..refdata import population_rows
from ..working_days import calendar_rows
from .connection import registered


def fill_calendar(con: duckdb.DuckDBPyConnection) -> None:
    days, working, numbers = zip(*calendar_rows(), strict=True)
    _insert(
        con, "ref_calendar", pa.table({"day": days, "is_working_day": working, "working_day_number": numbers})
    )


def fill_population(con: duckdb.DuckDBPyConnection) -> None:
    la, year, pop, source = zip(*population_rows(), strict=True)
    _insert(
        con,
        "ref_population",
        pa.table({"la_code": la, "mid_year": year, "population": pop, "source": source}),
    )


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    with registered(con, "incoming_reference", rows):
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming_reference")
