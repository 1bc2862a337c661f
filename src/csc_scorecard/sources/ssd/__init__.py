"""Data to Insight's Standard Safeguarding Dataset (SSD) as a source: CSV extracts or a live database.

csv_folder.py   a folder of CSV files, one per table (a registered reader, like the returns')
database.py     the tables of a live database, through SQLAlchemy (`load --from-db URL`)
snapshot.py     when the extract was taken and which days it holds; the ParsedReturn it becomes
mapping.py      the SSD onto the canonical tables, field by field (docs/store.md prints it)
codes.py        the SSD's codes and words as the returns' codes
"""

from __future__ import annotations

from ..registry import Reader
from . import csv_folder

READERS = (
    Reader(
        format="ssd_csv",
        format_name="SSD extract (CSV)",
        kind="ssd",
        kind_name="SSD snapshot",
        container="csv",
        recognise=csv_folder.recognise,
        read=csv_folder.read,
        looks_for="Standard Safeguarding Dataset table",
        per_folder=True,
    ),
)

__all__ = ["READERS"]
