"""The DuckDB store: versioned schema, transactional loads, lineage."""

from .connection import DEFAULT_DB, connect

__all__ = ["DEFAULT_DB", "connect"]
