"""The SSD's tables and fields, as Data to Insight's data model lists them (reference/ssd/ssd_fields.csv).

An extract is recognised by these lists: a CSV file whose header is one table's fields, a database table of
that name. `ssd_vw_current_time_windows` is not in the data model's objects: it is the view the SSD's
deployment scripts define to say when the SSD was built and from which day its timeframe runs.
"""

from __future__ import annotations

from functools import cache

from ...refdata import read_csv

TIME_WINDOWS = "ssd_vw_current_time_windows"
TIME_WINDOW_FIELDS = (
    "ssd_run_date",
    "ssd_window_start",
    "ssd_window_end",
    "ea_months_back",
    "ea_anchor_date",
    "ea_window_start",
    "ssd_timeframe_years",
    "sw_caseload_anchor",
    "sw_caseload_window_start",
)
TIME_WINDOW_REQUIRED = ("ssd_run_date", "ssd_window_start")


@cache
def ssd_tables() -> dict[str, tuple[str, ...]]:
    """Every SSD table and its fields, in the data model's order, with the time-windows view."""
    tables: dict[str, list[str]] = {}
    for row in read_csv("ssd/ssd_fields.csv"):
        tables.setdefault(row["table"], []).append(row["field"])
    out = {name: tuple(fields) for name, fields in tables.items()}
    out[TIME_WINDOWS] = TIME_WINDOW_FIELDS
    return out


@cache
def field_types() -> dict[tuple[str, str], str]:
    """(table, field) -> the data model's SQL type (nvarchar, datetime, int, float, nchar)."""
    return {(r["table"], r["field"]): r["type"].lower() for r in read_csv("ssd/ssd_fields.csv")}


def column_name(raw: str) -> str:
    """A header cell as a field name: trimmed, lower case (the SSD's names are lower case already)."""
    return raw.replace("\ufeff", "").strip().strip('"').lower()


__all__ = [
    "TIME_WINDOWS",
    "TIME_WINDOW_FIELDS",
    "TIME_WINDOW_REQUIRED",
    "column_name",
    "field_types",
    "ssd_tables",
]
