"""Hand-made canonical rows for engine tests: a fresh store, rows inserted directly, one result read back.

The loader de-duplicates returns into the canonical tables; these tests start after it, so each row here is
what the canonical table would hold (collection_year = the latest return the record was in). Adding a row also
records its return (kind and year) as loaded, as the loader would; `loaded()` records a return with no rows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from csc_scorecard.engine import IndicatorResult, compute
from csc_scorecard.periods import Period, parse_period
from csc_scorecard.sources.tables import TABLES_BY_NAME
from csc_scorecard.store import connect

LA = "335"  # Walsall; ONS 0-17 mid-2016 estimate 66,044


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


class Store:
    """A store made with connect(), with helpers to add rows and compute one indicator."""

    def __init__(self, path: Path):
        self.con = connect(path / "s.duckdb")
        self._line = 0
        self._loads: set[tuple[str, str, str]] = set()

    def add(
        self, table: str, year: str = "2016-17", *, la_code: str = LA, load_id: int = 1, **values: Any
    ) -> None:
        """One canonical row; dates may be given as ISO text."""
        self._line += 1
        values = {k: d(v) if k in _DATE_COLUMNS and isinstance(v, str) else v for k, v in values.items()}
        row = {
            "load_id": load_id,
            "la_code": la_code,
            "collection_year": year,
            "src_line": self._line,
            **values,
        }
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        self.con.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values()))
        returns = TABLES_BY_NAME[table].returns
        if len(returns) == 1:  # the children table is filled by either return: it says nothing loaded
            self.loaded(returns[0], year, la_code=la_code)

    def loaded(self, kind: str, year: str, *, la_code: str = LA) -> None:
        """Record a current load of a return (as `load` would), once."""
        if (la_code, kind, year) in self._loads:
            return
        self._loads.add((la_code, kind, year))
        self.con.execute(
            "INSERT INTO loads (load_id, kind, format, source_name, files, sha256, la_code, collection_year, "
            "year_source, row_counts, loaded_at, status, replaces, replaced_by) "
            "VALUES (?, ?, ?, ?, [], ?, ?, ?, 'test', '{}', now(), 'current', NULL, NULL)",
            [9000 + len(self._loads), kind, kind, f"{kind} {year}", f"sha{len(self._loads)}", la_code, year],
        )

    def child(
        self, child_id: str, dob: str | None, sex: str = "M", ethnicity: str = "WBRI", **more: Any
    ) -> None:
        self.add("children", child_id=child_id, dob=dob, sex=sex, ethnicity=ethnicity, **more)

    def episode(self, child_id: str, decom: str, rne: str, ls: str, place: str, **more: Any) -> None:
        """A 903 episode; year defaults to the financial year the episode starts in (as returns repeat them)."""
        more.setdefault("year", _financial_year(d(decom)))
        year = more.pop("year")
        self.add("cla_episodes", year, child_id=child_id, decom=decom, rne=rne, ls=ls, place=place, **more)

    def results(self, indicator_id: str, period: str | Period, **kwargs: Any) -> list[IndicatorResult]:
        window = parse_period(period) if isinstance(period, str) else period
        return compute(self.con, [window], [indicator_id], **kwargs)

    def result(self, indicator_id: str, period: str | Period, **kwargs: Any) -> IndicatorResult:
        """The whole-LA result for one indicator and window."""
        (only,) = [r for r in self.results(indicator_id, period, **kwargs) if r.la_code == LA]
        return only

    def by_group(self, indicator_id: str, period: str, breakdown: str) -> dict[str | None, tuple]:
        rows = self.results(indicator_id, period, breakdown=breakdown)
        return {r.breakdown_value: (r.numerator, r.denominator, r.value) for r in rows if r.la_code == LA}


def _financial_year(day: dt.date) -> str:
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


_DATE_COLUMNS = {
    "dob",
    "referral_date",
    "closure_date",
    "start_date",
    "end_date",
    "authorised_date",
    "icpc_date",
    "decom",
    "dec",
    "date_match",
    "mis_start",
    "mis_end",
}
