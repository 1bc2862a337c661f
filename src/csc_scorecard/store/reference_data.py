"""Reference data in the store kept equal to the copy shipped with this csc-scorecard.

The calendar, the population and the published benchmarks are data, not schema: migrations only create their
tables. After migrating, every writable open compares each set's fingerprint (sha256 of the shipped files it is
read from and of the modules that turn them into rows) with the one `reference_data` holds, and refills any set
that differs, in one transaction per set. So a new release's corrected published figures reach a council's
existing store, and a store already up to date is left untouched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

import duckdb

from .. import refdata, working_days
from ..sources import published as published_sources
from . import published, reference


@dataclass(frozen=True)
class ReferenceSet:
    name: str
    tables: tuple[str, ...]
    files: tuple[str, ...]  # shipped files (under reference/) it is read from
    code: tuple[ModuleType, ...]  # modules that read them: a change there may change the rows too
    fill: Callable[[duckdb.DuckDBPyConnection], None]  # inserts into the emptied tables


REFERENCE_SETS = (
    ReferenceSet(
        "calendar", ("ref_calendar",), (working_days.BANK_HOLIDAYS_CSV,), (working_days, reference),
        reference.fill_calendar,
    ),
    ReferenceSet(
        "population", ("ref_population",), (refdata.POPULATION_CSV,), (refdata, reference),
        reference.fill_population,
    ),
    ReferenceSet(
        "published", ("published_values", "areas", "stat_neighbours"), published.SHIPPED_FILES,
        (published_sources, published), published.fill,
    ),
)  # fmt: skip


@cache
def fingerprint(data: ReferenceSet) -> str:
    digest = hashlib.sha256()
    named = [(f, refdata.reference_path(f)) for f in data.files]
    named += [(m.__name__, Path(m.__file__ or "")) for m in data.code]
    for name, path in named:
        content = path.read_bytes()
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def refresh_reference_data(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Refill every reference set whose shipped copy differs from the store's; returns the names refilled."""
    held = dict(con.execute("SELECT name, fingerprint FROM reference_data").fetchall())
    refilled = []
    for data in REFERENCE_SETS:
        shipped = fingerprint(data)
        if held.get(data.name) == shipped:
            continue
        con.begin()
        try:
            for table in data.tables:
                con.execute(f"DELETE FROM {table}")
            data.fill(con)
            con.execute("INSERT OR REPLACE INTO reference_data VALUES (?, ?, now())", [data.name, shipped])
            con.commit()
        except BaseException:
            con.rollback()
            raise
        refilled.append(data.name)
    return refilled
