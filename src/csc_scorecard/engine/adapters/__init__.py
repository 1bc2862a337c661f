"""Engine adapters by dialect. DuckDB is built in; a Spark adapter registers itself here when it exists."""

from __future__ import annotations

from typing import Any

from duckdb import DuckDBPyConnection

from .base import EngineAdapter
from .duckdb import DuckDBAdapter

ADAPTERS: dict[str, type[EngineAdapter]] = {"duckdb": DuckDBAdapter}


def adapter_for(connection: Any, dialect: str | None = None) -> EngineAdapter:
    """An adapter for a connection: an adapter passes through, a DuckDB connection gets the DuckDB adapter."""
    if isinstance(connection, EngineAdapter):
        return connection
    if dialect is None and isinstance(connection, DuckDBPyConnection):
        dialect = "duckdb"
    try:
        return ADAPTERS[dialect or ""](connection)
    except KeyError:
        known = ", ".join(sorted(ADAPTERS))
        raise ValueError(
            f"no engine adapter for {dialect or type(connection).__name__} (known: {known})"
        ) from None


__all__ = ["ADAPTERS", "DuckDBAdapter", "EngineAdapter", "adapter_for"]
