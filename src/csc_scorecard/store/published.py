"""Published benchmarks in the store: values for every LA, region and England, areas, statistical neighbours.

Filled (into empty tables) by reference_data.refresh_reference_data, never by a migration.
"""

from __future__ import annotations

from dataclasses import fields

import duckdb
import pyarrow as pa

from ..refdata import reference_path
from ..sources.published import (
    AREAS_CSV,
    EES_FALLBACKS,
    ENGLAND,
    LAIT_FILES,
    NEIGHBOURS_CSV,
    SYMBOLS,
    Area,
    Neighbour,
    PublishedValue,
    areas,
    ees_fallback_values,
    september_measures,
    statistical_neighbours,
)
from .connection import registered

__all__ = ["ENGLAND", "SHIPPED_FILES", "fill"]

# Every shipped file the tables are filled from, so that a new copy of any of them refreshes a store.
SHIPPED_FILES = (
    *(relative for relative, _ in LAIT_FILES),
    *sorted({relative for relative, _ in EES_FALLBACKS.values()}),
    AREAS_CSV,
    NEIGHBOURS_CSV,
)


def fill(con: duckdb.DuckDBPyConnection) -> None:
    for relative, source in LAIT_FILES:
        _insert_lait(con, relative, source)
    have = con.execute(
        "SELECT measure_code, year, area_code FROM published_values WHERE list_contains(?, measure_code)",
        [list(EES_FALLBACKS)],
    ).fetchall()
    _insert(con, "published_values", PublishedValue, ees_fallback_values(set(have)))
    _insert(con, "areas", Area, areas())
    _insert(con, "stat_neighbours", Neighbour, statistical_neighbours())


def _insert(con: duckdb.DuckDBPyConnection, table: str, row_type: type, rows: list) -> None:
    names = [f.name for f in fields(row_type)]
    columns = {name: [getattr(r, name) for r in rows] for name in names}
    with registered(con, "incoming_published", pa.table(columns)):
        con.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT * FROM incoming_published")


def _insert_lait(con: duckdb.DuckDBPyConnection, relative: str, source: str) -> None:
    """LAIT's long file straight into the table: 165k rows, so read by DuckDB rather than row by row.

    LAIT's year is the year a measure's year ends in: 2017 is 2016-17 for a measure of the year to 31 March, but
    the census of 30 September 2017 for a workforce measure, which falls in collection year 2017-18 (as the
    CSWW census reader labels it)."""
    symbols = sorted(SYMBOLS)
    september = sorted(september_measures())
    con.execute(
        """
        INSERT INTO published_values
        SELECT measure_code,
               CAST(CAST(year AS INTEGER) - CASE WHEN list_contains(?, measure_code) THEN 0 ELSE 1 END AS VARCHAR)
                 || '-' || lpad(CAST((CAST(year AS INTEGER) + CASE WHEN list_contains(?, measure_code) THEN 1 ELSE 0 END) % 100 AS VARCHAR), 2, '0'),
               area_code,
               CASE WHEN list_contains(?, lower(trim(value))) THEN NULL ELSE CAST(value AS DOUBLE) END,
               CASE WHEN list_contains(?, lower(trim(value))) THEN coalesce(nullif(trim(value), ''), '-') END,
               ?
        FROM read_csv(?, all_varchar = true, header = true, delim = ',', quote = '"')
        """,
        [september, september, [*symbols, ""], [*symbols, ""], source, str(reference_path(relative))],
    )
