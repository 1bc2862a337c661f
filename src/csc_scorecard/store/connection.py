"""Opening the store: one DuckDB file, migrated to the current schema on every writable open."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from .schema import migrate

DEFAULT_DB = Path(os.environ.get("CSC_SCORECARD_DB", "scorecard.duckdb"))


class StoreMissing(FileNotFoundError):
    pass


def connect(path: Path | str = DEFAULT_DB, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the store. Writable opens create and migrate it; read-only opens need it to exist."""
    path = Path(path)
    if read_only:
        if not path.exists():
            raise StoreMissing(
                f"no store at {path}: load some returns first (csc-scorecard load --db {path} ...)"
            )
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    migrate(con)
    return con
