"""The DuckDB store: versioned schema, transactional loads, lineage."""

from .connection import StoreMissing, StoreTooNew, connect

__all__ = ["StoreMissing", "StoreTooNew", "connect"]
