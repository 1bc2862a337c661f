"""Engine adapters by dialect: DuckDB (the store's own engine) and Spark (optional extra: pyspark).

Both take the DuckDB store connection: DuckDB runs the queries on it, Spark reads Parquet exports of its tables.
"""

from __future__ import annotations

from typing import Any

from duckdb import DuckDBPyConnection

from .base import EngineAdapter, Relation
from .duckdb import DuckDBAdapter
from .spark import SparkAdapter  # imports pyspark only when a session starts

ADAPTERS: dict[str, type[EngineAdapter]] = {"duckdb": DuckDBAdapter, "spark": SparkAdapter}


def adapter_for(connection: Any, dialect: str | None = None) -> EngineAdapter:
    """An adapter for a connection: an adapter passes through; a DuckDB store connection gets the adapter for
    `dialect` ("duckdb" by default, or "spark")."""
    if isinstance(connection, EngineAdapter):
        if dialect is not None and dialect != connection.dialect:
            raise ValueError(f"engine {dialect!r} asked for, but given a {connection.dialect} adapter")
        return connection
    if dialect is None and isinstance(connection, DuckDBPyConnection):
        dialect = "duckdb"
    adapter = ADAPTERS.get(dialect or "")
    if adapter is None:
        known = ", ".join(sorted(ADAPTERS))
        raise ValueError(f"no engine adapter for {dialect or type(connection).__name__} (known: {known})")
    return adapter(connection)


__all__ = ["ADAPTERS", "DuckDBAdapter", "EngineAdapter", "Relation", "SparkAdapter", "adapter_for"]
