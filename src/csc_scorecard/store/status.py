"""What is in the store: the returns loaded (with how their year was decided), and canonical row counts."""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb

from ..sources.tables import TABLES


@dataclass(frozen=True)
class LoadRecord:
    load_id: int
    kind: str
    format: str
    source_name: str
    la_code: str
    collection_year: str
    year_source: str
    rows: int
    loaded_at: str
    status: str
    replaces: int | None
    sha256: str


def load_records(con: duckdb.DuckDBPyConnection, *, include_replaced: bool = False) -> list[LoadRecord]:
    where = "" if include_replaced else "WHERE status = 'current'"
    rows = con.execute(
        "SELECT load_id, kind, format, source_name, la_code, collection_year, year_source, row_counts, "
        f"strftime(loaded_at, '%Y-%m-%d %H:%M:%S'), status, replaces, sha256 FROM loads {where} "
        "ORDER BY la_code, kind, collection_year, load_id"
    ).fetchall()
    return [
        LoadRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], sum(json.loads(r[7]).values()), *r[8:])
        for r in rows
    ]


def canonical_counts(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, int]]:
    """{la_code: {table: rows}} for the canonical tables."""
    out: dict[str, dict[str, int]] = {}
    for spec in TABLES:
        for la_code, count in con.execute(
            f"SELECT la_code, count(*) FROM {spec.name} GROUP BY la_code"
        ).fetchall():
            out.setdefault(la_code, {})[spec.name] = count
    return out


def loaded_years(
    con: duckdb.DuckDBPyConnection, la_codes: tuple[str, ...] | None = None
) -> dict[str, dict[str, frozenset[int]]]:
    """{la_code: {return kind: financial years (by their first calendar year) with a current load}}.

    What a figure may be computed from: a return loaded for a year covers that year even where one of its
    tables has no rows (a CIN census with no child protection plans says there were none).
    """
    rows = con.execute(
        "SELECT DISTINCT la_code, kind, CAST(substr(collection_year, 1, 4) AS INTEGER) FROM loads "
        "WHERE status = 'current'"
    ).fetchall()
    out: dict[str, dict[str, set[int]]] = {}
    for la_code, kind, year in rows:
        if la_codes is None or la_code in la_codes:
            out.setdefault(la_code, {}).setdefault(kind, set()).add(year)
    return {la: {kind: frozenset(years) for kind, years in kinds.items()} for la, kinds in out.items()}
