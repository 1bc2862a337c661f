"""The results table (store migration 4): computed indicators kept for judge and publish to read.

Saved with their basis (migration 14), an LA's whole-LA results are reused: `results_basis` is a digest of
everything the engine's figures depend on besides the periods asked (the loads and manual measures, the schema,
the reference data and canonical derivation the store holds, the catalogue's files, the engine's code and
libraries), and `saved_results` gives back the results of every period and indicator asked for only when each
was saved on the basis the store has now. Any load, manual value, migration, catalogue or code change gives
another basis, so nothing out of date is read; the figures stay in the store, beside the records they come from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from .. import disk_cache
from ..store.connection import registered
from ..store.schema import stored_version
from ..store.status import store_version

if TYPE_CHECKING:
    from ..catalogue.models import Catalogue
    from ..periods import Period

Number = int | float


@dataclass(frozen=True)
class IndicatorResult:
    la_code: str
    indicator_id: str
    period: str  # the period code, e.g. 2016-17Q3
    period_start: dt.date
    period_end: dt.date
    breakdown: str | None  # None for the whole LA
    breakdown_value: str | None
    numerator: Number | None  # None where the loaded returns do not cover the window (or its history)
    denominator: Number | None  # None for a count
    value: float | None  # unrounded; None where undefined (0 / 0, no population, not covered): notes say why
    population_year: int | None  # mid-year estimate a rate divided by
    notes: str
    load_ids: tuple[int, ...]  # loads the counted records came from


RESULTS_TABLE = "indicator_results"
BASIS_TABLE = "results_basis"
_SCHEMA = pa.schema(
    [
        ("la_code", pa.string()),
        ("indicator_id", pa.string()),
        ("period", pa.string()),
        ("period_start", pa.date32()),
        ("period_end", pa.date32()),
        ("breakdown", pa.string()),
        ("breakdown_value", pa.string()),
        ("numerator", pa.float64()),
        ("denominator", pa.float64()),
        ("value", pa.float64()),
        ("population_year", pa.int32()),
        ("notes", pa.string()),
        ("load_ids", pa.list_(pa.int32())),
        ("computed_at", pa.timestamp("us")),
        ("numerator_type", pa.string()),
        ("denominator_type", pa.string()),
    ]
)
_READ = [name for name in _SCHEMA.names if name != "computed_at"]
_SAME_SERIES = (
    "r.la_code = i.la_code AND r.indicator_id = i.indicator_id AND r.period = i.period "
    "AND r.breakdown IS NOT DISTINCT FROM i.breakdown"
)
# Every part of the package a figure's computation runs (the engine, the catalogue, the table specs, the
# store's coverage and quality rules, periods and the reference data's readers).
_ENGINE_CODE = ("engine", "catalogue", "sources", "store", "periods.py", "refdata.py", "working_days.py")


def _number_type(number: object) -> str | None:
    return {int: "int", float: "float"}.get(type(number))


def _arrow(results: Sequence[IndicatorResult], computed_at: dt.datetime) -> pa.Table:
    columns = {name: [getattr(r, name, None) for r in results] for name in _SCHEMA.names}
    columns["load_ids"] = [list(r.load_ids) for r in results]
    columns["computed_at"] = [computed_at] * len(results)
    for name in ("numerator", "denominator"):
        columns[f"{name}_type"] = [_number_type(getattr(r, name)) for r in results]
    return pa.Table.from_pydict(columns, schema=_SCHEMA)


def _insert(
    con: duckdb.DuckDBPyConnection, results: Sequence[IndicatorResult], computed_at: dt.datetime
) -> None:
    """Insert the results (within the caller's transaction), replacing every earlier row of the same series."""
    with registered(con, "incoming_results", _arrow(results, computed_at)):
        con.execute(f"DELETE FROM {RESULTS_TABLE} AS r USING incoming_results AS i WHERE {_SAME_SERIES}")
        con.execute(f"INSERT INTO {RESULTS_TABLE} BY NAME SELECT * FROM incoming_results")


def save_results(
    con: duckdb.DuckDBPyConnection, results: Sequence[IndicatorResult], computed_at: dt.datetime | None = None
) -> int:
    """Store results, replacing every earlier row for the same LA, indicator, period and breakdown."""
    con.begin()
    try:
        _insert(con, results, computed_at or dt.datetime.now())
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return len(results)


def read_results(con: duckdb.DuckDBPyConnection, indicator_id: str | None = None) -> list[IndicatorResult]:
    """Stored results (all, or one indicator's), in a stable order."""
    where = "WHERE indicator_id = ?" if indicator_id else ""
    rows = con.execute(
        f"SELECT {', '.join(_READ)} FROM {RESULTS_TABLE} {where} "
        "ORDER BY la_code, indicator_id, period_end, period, breakdown NULLS FIRST, breakdown_value NULLS FIRST",
        [indicator_id] if indicator_id else [],
    ).fetchall()
    return [_from_row(dict(zip(_READ, row, strict=True))) for row in rows]


def _from_row(row: dict) -> IndicatorResult:
    row["load_ids"] = tuple(row["load_ids"])
    for name in ("numerator", "denominator"):
        kind = row.pop(f"{name}_type")  # None: saved before the types were kept, when counts were whole
        if row[name] is not None and (kind == "int" or (kind is None and float(row[name]).is_integer())):
            row[name] = int(row[name])
    return IndicatorResult(**row)


@dataclass(frozen=True)
class Computation:
    """What one engine call computed for one LA, on the store's basis then: saved with it (`save_computed`),
    its results are read back for any build that asks for these periods and indicators or fewer."""

    la_code: str
    periods: tuple[str, ...]  # period codes
    indicator_ids: tuple[str, ...]
    basis: str


def results_basis(con: duckdb.DuckDBPyConnection, catalogue: Catalogue) -> str | None:
    """The digest the store's saved results must have been computed on to be reused (module docstring); None
    for a catalogue not read from files, which nothing names."""
    if not catalogue.fingerprint:
        return None
    held = con.execute(
        "SELECT 'reference', name, fingerprint FROM reference_data "
        "UNION ALL SELECT 'derived', name, fingerprint FROM derived_data ORDER BY ALL"
    ).fetchall()
    return disk_cache.key(
        store_version(con),
        stored_version(con),
        held,
        catalogue.fingerprint,
        sorted(catalogue.ids()),
        disk_cache.code_digest(*_ENGINE_CODE),
    )


def saved_results(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    periods: Sequence[Period],
    indicator_ids: Sequence[str],
    basis: str,
) -> list[IndicatorResult] | None:
    """The LA's saved whole-LA results for the periods and indicators, in the order `compute` gives them
    (indicator, then period, as asked); None unless every period's were saved on `basis` for every indicator."""
    codes = [p.code for p in periods]
    try:
        held = _saved_on(con, [la_code], basis, codes)
    except duckdb.CatalogException:  # a store read as it is, before migration 14
        return None
    wanted = set(indicator_ids)
    if any(not wanted <= held.get((la_code, code), set()) for code in codes):
        return None
    rows = con.execute(
        f"SELECT {', '.join(_READ)} FROM {RESULTS_TABLE} WHERE la_code = ? AND breakdown IS NULL "
        "AND list_contains(?, period) AND list_contains(?, indicator_id)",
        [la_code, codes, list(indicator_ids)],
    ).fetchall()
    position = {code: i for i, code in enumerate(codes)}
    order = {indicator_id: i for i, indicator_id in enumerate(indicator_ids)}
    found = [_from_row(dict(zip(_READ, row, strict=True))) for row in rows]
    return sorted(found, key=lambda r: (order[r.indicator_id], position[r.period]))


def _saved_on(
    con: duckdb.DuckDBPyConnection, la_codes: Sequence[str], basis: str, codes: Sequence[str]
) -> dict[tuple[str, str], set[str]]:
    """Per LA of `la_codes` and period of `codes`, the indicators whose results are saved on `basis`."""
    rows = con.execute(
        f"SELECT la_code, period, indicator_ids FROM {BASIS_TABLE} "
        "WHERE list_contains(?, la_code) AND basis = ? AND list_contains(?, period)",
        [list(la_codes), basis, list(codes)],
    ).fetchall()
    return {(la_code, period): set(ids) for la_code, period, ids in rows}


def save_computed(
    con: duckdb.DuckDBPyConnection,
    computation: Computation,
    results: Sequence[IndicatorResult],
    catalogue: Catalogue,
) -> bool:
    """Keep an engine call's whole-LA results with their basis, replacing the LA's earlier ones for those periods
    and indicators; False (nothing written) when the store is no longer as they were computed from, or a number
    is of a type the results table cannot give back."""
    return save_computations(con, [computation], results, catalogue)


def save_computations(
    con: duckdb.DuckDBPyConnection,
    computations: Sequence[Computation],
    results: Sequence[IndicatorResult],
    catalogue: Catalogue,
) -> bool:
    """save_computed for several LAs' computations on one basis, in one transaction with one check of the basis
    and one statement per table (`indicators` for every LA: 152 transactions took 2.3 s where computing took 1)."""
    if not computations:
        return True
    (basis,) = {c.basis for c in computations}
    by_la = {c.la_code: c for c in computations}
    mine = [r for r in results if r.la_code in by_la and r.breakdown is None]
    if any(_number_type(n) is None and n is not None for r in mine for n in (r.numerator, r.denominator)):
        return False
    series = pa.table(
        {
            name: [row[i] for c in computations for row in _series_of(c)]
            for i, name in enumerate(("la_code", "period", "indicator_id"))
        }
    )
    now = dt.datetime.now()
    con.begin()
    try:
        if results_basis(con, catalogue) != basis:
            con.rollback()
            return False
        earlier = _saved_on(con, list(by_la), basis, sorted({p for c in computations for p in c.periods}))
        with registered(con, "saved_series", series):
            con.execute(
                f"DELETE FROM {RESULTS_TABLE} AS r USING saved_series AS i WHERE r.la_code = i.la_code "
                "AND r.period = i.period AND r.indicator_id = i.indicator_id AND r.breakdown IS NULL"
            )
            con.execute(
                f"DELETE FROM {BASIS_TABLE} AS b USING (SELECT DISTINCT la_code, period FROM saved_series) AS i "
                "WHERE b.la_code = i.la_code AND b.period = i.period"
            )
        _insert(con, mine, now)
        held = [(c.la_code, code, earlier.get((c.la_code, code), set()) | set(c.indicator_ids))
                for c in computations for code in c.periods]  # fmt: skip
        basis_rows = pa.table({
            "la_code": [la for la, _, _ in held], "period": [code for _, code, _ in held],
            "basis": [basis] * len(held), "indicator_ids": [sorted(ids) for _, _, ids in held],
            "saved_at": pa.array([now] * len(held), pa.timestamp("us")),
        })  # fmt: skip
        with registered(con, "saved_basis", basis_rows):
            con.execute(f"INSERT INTO {BASIS_TABLE} BY NAME SELECT * FROM saved_basis")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return True


def _series_of(computation: Computation) -> list[tuple[str, str, str]]:
    return [(computation.la_code, code, i) for code in computation.periods for i in computation.indicator_ids]


__all__ = [
    "BASIS_TABLE",
    "RESULTS_TABLE",
    "Computation",
    "IndicatorResult",
    "read_results",
    "results_basis",
    "save_computations",
    "save_computed",
    "save_results",
    "saved_results",
]
