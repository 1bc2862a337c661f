"""Built scorecards, cached per (LA, period, loads version, targets file), so a page costs a dictionary look-up
and not the second or so the pipeline takes. Also the choices of LA and period a page offers."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from ..judge.indicator import Point
from ..judge.scorecard import JudgeOptions
from ..judge.targets import Targets, load_targets
from ..periods import PeriodError, financial_year_label, parse_period
from ..pipeline import Scorecard, build_scorecard, loaded_years, local_authorities_loaded, read_points
from ..refdata import local_authorities
from .snapshot import Snapshot

T = TypeVar("T")


@dataclass(frozen=True)
class Built:
    scorecard: Scorecard
    series: dict[str, list[Point]]  # every saved point per indicator, for histories and charts
    la_name: str
    loads_version: str
    built_at: dt.datetime

    @property
    def period_code(self) -> str:
        return self.scorecard.period.code


@dataclass(frozen=True)
class Scope:
    """Which LA and period a page shows, and the choices it offers."""

    la_code: str
    la_name: str
    period_code: str
    las: tuple[tuple[str, str], ...]  # (code, name) of every LA loaded
    periods: tuple[str, ...]  # latest first


def la_name(code: str) -> str:
    found = local_authorities().get(code)
    return found.name if found else f"LA {code}"


def period_choices(years: list[str]) -> tuple[str, ...]:
    """Each loaded collection year and its year-to-date quarters Q1 to Q3 (Q4 is the year), latest first."""
    out: list[str] = []
    for year in sorted(years, reverse=True):
        out.append(year)
        out.extend(f"{year}Q{q}" for q in (3, 2, 1))
    return tuple(out)


class ScopeError(ValueError):
    pass


def resolve_scope(
    con: duckdb.DuckDBPyConnection, la_code: str | None, period: str | None, default_la: str | None
) -> Scope:
    loaded = local_authorities_loaded(con)
    if not loaded:
        raise ScopeError("no returns are loaded yet")
    code = la_code or (default_la if default_la in loaded else loaded[0])
    if code not in loaded:
        raise ScopeError(f"no returns are loaded for LA {code}")
    years = loaded_years(con, code)
    periods = period_choices(years)
    chosen = period or (periods[0] if periods else financial_year_label(dt.date.today().year - 1))
    try:
        parsed = parse_period(chosen)
        if ".." in parsed.code:
            raise PeriodError("choose a year, a quarter, a month or R12:YYYY-MM")
    except (PeriodError, ValueError) as error:
        raise ScopeError(f"period {period!r}: {error}") from None
    # Only periods the loaded years cover: each new period costs a scorecard build.
    first, last = parse_period(years[0]).start, parse_period(years[-1]).end
    if parsed.code not in periods and not first <= parsed.end <= last:
        raise ScopeError(f"period {parsed.code}: the returns loaded cover {years[0]} to {years[-1]}")
    chosen = parsed.code
    return Scope(code, la_name(code), chosen, tuple((c, la_name(c)) for c in loaded), periods)


class LruCache:
    """A small thread-safe LRU whose misses are computed once even when many requests miss at the same time."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            gate = self._building.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if key in self._items:
                    return self._items[key]
            value = compute()
            with self._lock:
                self._items[key] = value
                self._items.move_to_end(key)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
                self._building.pop(key, None)
            return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class Scorecards:
    def __init__(self, targets: Path | None, options: JudgeOptions | None = None):
        self.targets_path = targets
        self.options = options or JudgeOptions()
        self._targets: tuple[float, Targets] | None = None
        self.built = LruCache(16)
        # Views, charts and breakdowns, keyed by the built scorecard they come from.
        self.derived = LruCache(512)
        self.packs = LruCache(4)  # report packs (about 1 MB each) per snapshot generation
        self.explanations = LruCache(8)  # drill-through records, while an analyst pages through them

    def targets(self) -> tuple[float, Targets | None]:
        """(file mtime, targets), re-read when the file changes; (0, None) without a targets file."""
        if self.targets_path is None:
            return 0.0, None
        mtime = self.targets_path.stat().st_mtime
        if self._targets is None or self._targets[0] != mtime:
            self._targets = (mtime, load_targets(self.targets_path))
        return self._targets

    def key(self, snapshot: Snapshot, scope: Scope) -> tuple:
        return (snapshot.loads_version, self.targets()[0], scope.la_code, scope.period_code)

    def get(self, snapshot: Snapshot, scope: Scope) -> Built:
        key = self.key(snapshot, scope)

        def build() -> Built:
            _, targets = self.targets()
            with snapshot.lock:  # the pipeline saves results into the snapshot: one build at a time
                con = snapshot.cursor()
                try:
                    scorecard = build_scorecard(
                        con, scope.la_code, scope.period_code, targets=targets, options=self.options
                    )
                    series = {
                        j.meta.id: read_points(con, scope.la_code, j.meta.id) for j in scorecard.judgements()
                    }
                finally:
                    con.close()
            return Built(scorecard, series, scope.la_name, snapshot.loads_version, dt.datetime.now())

        return self.built.get(key, build)

    def derive(self, built: Built, what: tuple, compute: Callable[[], T]) -> T:
        return self.derived.get(
            (built.loads_version, self.targets()[0], built.scorecard.la_code, built.period_code, *what),
            compute,
        )
