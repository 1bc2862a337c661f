"""Opening the store: one DuckDB file, migrated to the current schema on every writable open."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..private_files import make_private, private_folder
from .load import rebuild_if_derivation_changed
from .reference_data import refresh_reference_data
from .schema import SCHEMA_VERSION, StoreTooNew, check_not_newer, migrate

__all__ = ["StoreBusy", "StoreMissing", "StoreTooNew", "connect"]


class StoreMissing(FileNotFoundError):
    pass


class StoreBusy(RuntimeError):
    """Another program holds the store for writing."""


def connect(path: Path | str, *, read_only: bool = False, upgrade: bool = True) -> duckdb.DuckDBPyConnection:
    """A connection to the store. Writable opens create it, migrate it and refresh its reference data;
    read-only opens need it to exist, and first upgrade a store made by an older csc-scorecard (a read-only
    reader would otherwise meet tables without the columns this code reads). Either refuses (StoreTooNew) a store
    made by a newer csc-scorecard. `upgrade=False` reads an older store as it is (for `status`)."""
    path = Path(path)
    if read_only and not path.exists():
        raise StoreMissing(
            f"no store at {path}: load some returns first (csc-scorecard load --db {path} ...)"
        )
    created = not read_only and not path.exists()
    if created:
        private_folder(path.parent)
    con = duckdb.connect(str(path), read_only=read_only)
    if created:
        make_private(path)  # before any data is written to it
    try:
        if read_only:
            if check_not_newer(con, str(path)) < SCHEMA_VERSION and upgrade:
                con.close()
                _upgrade(path)
                con = duckdb.connect(str(path), read_only=True)
        else:
            migrate(con, str(path))
            refresh_reference_data(con)
            rebuild_if_derivation_changed(con)
    except BaseException:
        con.close()
        raise
    return con


def _upgrade(path: Path) -> None:
    try:
        connect(path).close()
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        raise StoreBusy(
            f"{path} was made by an older csc-scorecard and needs upgrading to schema version {SCHEMA_VERSION}, "
            "but another program is writing to it: try again when it has finished"
        ) from None
