"""The DuckDB adapter: the default engine, running on the store's own connection."""

from __future__ import annotations

from typing import Any

import duckdb
from sqlglot import exp

from .base import EngineAdapter


class DuckDBAdapter(EngineAdapter):
    dialect = "duckdb"

    def __init__(self, connection: duckdb.DuckDBPyConnection):
        super().__init__(connection)

    def fetch(self, expression: exp.Expression) -> list[dict[str, Any]]:
        cursor = self.connection.execute(self.sql(expression))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


__all__ = ["DuckDBAdapter"]
