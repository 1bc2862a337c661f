"""Opening the store: one DuckDB file, migrated to the current schema on every writable open."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from .reference_data import refresh_reference_data
from .schema import StoreTooNew, check_not_newer, migrate

DEFAULT_DB = Path(os.environ.get("CSC_SCORECARD_DB", "scorecard.duckdb"))

__all__ = ["DEFAULT_DB", "StoreMissing", "StoreTooNew", "connect"]


class StoreMissing(FileNotFoundError):
    pass


def connect(path: Path | str = DEFAULT_DB, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the store. Writable opens create it, migrate it and refresh its reference data;
    read-only opens need it to exist. Either refuses (StoreTooNew) a store made by a newer csc-scorecard."""
    path = Path(path)
    if read_only and not path.exists():
        raise StoreMissing(
            f"no store at {path}: load some returns first (csc-scorecard load --db {path} ...)"
        )
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        if read_only:
            check_not_newer(con, str(path))
        else:
            migrate(con, str(path))
            refresh_reference_data(con)
    except BaseException:
        con.close()
        raise
    return con
