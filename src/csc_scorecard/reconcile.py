"""Where a council's SSD and its returns disagree: every indicator for every year and quarter both cover,
computed from each on its own, and for each figure that differs the children counted by one and not the other.

The two are read into stores of their own (a store holding both would show only the winner of each record:
store/load.py), through the same `ingest.prepare` and `commit` as every load:

    found = reconcile_sources(returns=[Path("returns")], ssd=Path("ssd_extract"), la="335", workdir=tmp)
    for figure in found.differences: ...

Child-level: the lines name children's ids, for the analyst who fixes the records; nothing here is published.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from .catalogue import load_catalogue
from .engine import compute, explain
from .engine.compute import IndicatorResult
from .engine.coverage import SNAPSHOT_ONLY, returns_read
from .ingest import LoadOptions, commit, prepare, prepare_database
from .periods import Period, parse_period
from .store.connection import connect
from .store.status import loaded_years

TOLERANCE = 1e-9  # FTE-weighted figures are sums of floats; everything else is exact


@dataclass(frozen=True)
class Difference:
    indicator_id: str
    period: Period
    returns: IndicatorResult | None
    ssd: IndicatorResult | None
    # children counted (in the numerator, or the denominator) from the returns and not from the SSD: "C1 (numerator)"
    only_in_returns: tuple[str, ...] = ()
    only_in_ssd: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        if self.returns is None or (self.returns.value is None and self.returns.numerator is None):
            return "the returns do not cover it"
        if self.ssd is None or (self.ssd.value is None and self.ssd.numerator is None):
            return "the SSD does not cover it"
        return "different figures"

    def line(self) -> str:
        def shown(r: IndicatorResult | None) -> str:
            if r is None or (r.numerator is None and r.value is None):
                return "withheld" + (f" ({r.notes})" if r is not None and r.notes else "")
            parts = [f"{r.numerator:g}" if r.numerator is not None else "-"]
            if r.denominator is not None:
                parts.append(f"/ {r.denominator:g}")
            return " ".join(parts) + (f" = {r.value:.6g}" if r.value is not None else "")

        return f"{self.indicator_id} {self.period.code}: returns {shown(self.returns)}; SSD {shown(self.ssd)}"


@dataclass
class Reconciliation:
    la_code: str
    periods: list[Period]
    compared: int = 0  # figures both sources give
    agreed: int = 0
    differences: list[Difference] = field(default_factory=list)

    def lines(self, children: int = 20) -> list[str]:
        years = sorted({p.financial_year for p in self.periods})
        out = [
            f"LA {self.la_code}: {self.compared} figures ({len(years)} year{'s' if len(years) > 1 else ''}, "
            f"{years[0]} to {years[-1]}, and their quarters) from both; {self.agreed} agree, {len(self.differences)} do not"
            if years
            else f"LA {self.la_code}: no year that both the returns and the SSD cover"
        ]
        for d in self.differences:
            out.append(f"{d.line()} [{d.kind}]")
            for label, ids in (
                ("counted from the returns only", d.only_in_returns),
                ("counted from the SSD only", d.only_in_ssd),
            ):
                if ids:
                    more = f" ... and {len(ids) - children} more" if len(ids) > children else ""
                    out.append(f"  {label} ({len(ids)}): {', '.join(ids[:children])}{more}")
        return out


def _same(a: float | int | None, b: float | int | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def periods_both_cover(
    returns: duckdb.DuckDBPyConnection, ssd: duckdb.DuckDBPyConnection, la: str
) -> list[Period]:
    """Every year that both stores hold for the LA, and its year-to-date quarters (Q4 is the year)."""
    years = sorted(set(loaded_years(returns, la)) & set(loaded_years(ssd, la)))
    return [parse_period(code) for year in years for code in (f"{year}Q1", f"{year}Q2", f"{year}Q3", year)]


def reconcile(
    returns: duckdb.DuckDBPyConnection,
    ssd: duckdb.DuckDBPyConnection,
    la: str,
    periods: Sequence[Period] | None = None,
    indicator_ids: Sequence[str] | None = None,
) -> Reconciliation:
    """Compare every indicator (or those named) for `periods` (default: every year and quarter both hold).
    Indicators only a snapshot can give (visits, caseloads) are not compared: no return holds their records."""
    chosen = list(periods) if periods is not None else periods_both_cover(returns, ssd, la)
    found = Reconciliation(la, chosen)
    if not chosen:
        return found
    catalogue = load_catalogue()
    ids = list(
        indicator_ids
        or (
            i
            for i in catalogue.ids()
            if SNAPSHOT_ONLY not in returns_read(catalogue, catalogue.definition(i))
        )
    )
    mine = {(r.indicator_id, r.period): r for r in compute(returns, chosen, ids, la_codes=[la])}
    theirs = {(r.indicator_id, r.period): r for r in compute(ssd, chosen, ids, la_codes=[la])}
    by_code = {p.code: p for p in chosen}
    for key in sorted(set(mine) | set(theirs), key=lambda k: (ids.index(k[0]), k[1])):
        a, b = mine.get(key), theirs.get(key)
        if a is None and b is None:
            continue
        figures_a = (a.numerator, a.denominator, a.value) if a else (None, None, None)
        figures_b = (b.numerator, b.denominator, b.value) if b else (None, None, None)
        if all(x is None for x in figures_a) and all(x is None for x in figures_b):
            continue  # neither gives a figure
        if all(_same(x, y) for x, y in zip(figures_a, figures_b, strict=True)):
            found.compared += 1
            found.agreed += 1
            continue
        period = by_code[key[1]]
        both = a is not None and b is not None and a.numerator is not None and b.numerator is not None
        if both:
            found.compared += 1
            only_a, only_b = _children(returns, ssd, key[0], period, la)
        else:
            only_a, only_b = (), ()
        found.differences.append(Difference(key[0], period, a, b, only_a, only_b))
    return found


def _children(
    returns: duckdb.DuckDBPyConnection,
    ssd: duckdb.DuckDBPyConnection,
    indicator_id: str,
    period: Period,
    la: str,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Children counted (numerator or denominator) from one source and not the other."""

    def counted(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
        found = explain(con, indicator_id, period, la)
        return {
            (part, str(r["child_id"]))
            for part, records in (
                ("numerator", found.numerator_records),
                ("denominator", found.denominator_records),
            )
            for r in records
            if r.get("child_id") is not None
        }

    mine, theirs = counted(returns), counted(ssd)

    def shown(pairs: set[tuple[str, str]]) -> tuple[str, ...]:
        return tuple(f"{child} ({part})" for part, child in sorted(pairs, key=lambda p: (p[1], p[0])))

    return shown(mine - theirs), shown(theirs - mine)


@dataclass(frozen=True)
class SsdSource:
    """Where the SSD is: a folder of CSV extracts, or a database URL (and schema)."""

    folder: Path | None = None
    url: str | None = None
    schema: str | None = None
    password_file: Path | None = None


def reconcile_sources(
    returns: Sequence[Path],
    ssd: SsdSource,
    la: str,
    workdir: Path,
    periods: Sequence[Period] | None = None,
) -> Reconciliation:
    """Load the returns and the SSD into stores of their own under `workdir` (all or nothing, as `load` does)
    and compare them."""
    options = LoadOptions(la=la)
    returns_db, ssd_db = workdir / "returns.duckdb", workdir / "ssd.duckdb"
    commit(returns_db, prepare(list(returns), options))
    if ssd.url is not None:
        batch = prepare_database(ssd.url, schema=ssd.schema, options=options, password_file=ssd.password_file)
    else:
        assert ssd.folder is not None
        batch = prepare([ssd.folder], options)
    commit(ssd_db, batch)
    a, b = connect(returns_db, read_only=True), connect(ssd_db, read_only=True)
    try:
        return reconcile(a, b, la, periods)
    finally:
        a.close()
        b.close()


__all__ = [
    "Difference",
    "Reconciliation",
    "SsdSource",
    "periods_both_cover",
    "reconcile",
    "reconcile_sources",
]
