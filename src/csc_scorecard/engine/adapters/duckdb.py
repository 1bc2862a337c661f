"""The DuckDB adapter: the default engine, running on the store's own connection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from .base import EngineAdapter, Relation

_ARROW_TYPES = {"INT": pa.int32(), "DOUBLE": pa.float64(), "DATE": pa.date32(), "VARCHAR": pa.string()}


class DuckDBAdapter(EngineAdapter):
    dialect = "duckdb"

    def __init__(self, connection: duckdb.DuckDBPyConnection):
        super().__init__(connection)

    def fetch(self, expression: exp.Expression) -> list[dict[str, Any]]:
        return self._rows(self.connection.execute(self.sql(expression)))

    def run(self, sql: str, tables: Sequence[str], inputs: Mapping[str, Relation]) -> list[dict[str, Any]]:
        for name, relation in inputs.items():  # registered on this connection only, for this query
            self.connection.register(name, _arrow(relation))
        try:
            return self._rows(self.connection.execute(sql))
        finally:
            for name in inputs:
                self.connection.unregister(name)

    @staticmethod
    def _rows(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _arrow(relation: Relation) -> pa.Table:
    columns = list(zip(*relation.rows, strict=True)) if relation.rows else [()] * len(relation.columns)
    return pa.table(
        {
            name: pa.array(values, _ARROW_TYPES[kind])
            for (name, kind), values in zip(relation.columns, columns, strict=True)
        }
    )


__all__ = ["DuckDBAdapter"]
