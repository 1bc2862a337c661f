"""The DuckDB store: versioned schema, transactional loads, lineage."""

from .connection import DEFAULT_DB, StoreMissing, StoreTooNew, connect

__all__ = ["DEFAULT_DB", "StoreMissing", "StoreTooNew", "connect"]
