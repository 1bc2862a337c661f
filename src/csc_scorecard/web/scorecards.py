"""Built scorecards (pipeline.Built), cached per (loads version, targets file, LA, period), so a page costs a
dictionary look-up and not the second or so the pipeline takes; the pack download renders the same Built.
Builds only read, so several run side by side on cursors of the read-only snapshot. Also the choices of LA and
period a page offers."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from ..judge.judgement import JudgeOptions
from ..judge.targets import Targets, load_targets
from ..periods import (
    Period,
    PeriodError,
    add_months,
    financial_year_label,
    financial_year_of,
    parse_financial_year,
    parse_period,
)
from ..pipeline import Built, Computed, build, compute_periods, la_name, with_current_notes
from ..publish.model import PROFILES, Profile, ReportView
from ..store.status import loaded_years, local_authorities_loaded, notes_version
from .present import scorecard_view
from .snapshot import Snapshot

T = TypeVar("T")


@dataclass(frozen=True)
class PeriodGroup:
    """One kind of period in the period selector (an <optgroup>): (period, what the option says), latest first."""

    label: str
    choices: tuple[tuple[Period, str], ...]


@dataclass(frozen=True)
class Scope:
    """Which LA and period a page shows, and the choices it offers."""

    la_code: str
    la_name: str
    period: Period
    las: tuple[tuple[str, str], ...]  # (code, name) of every LA loaded
    period_groups: tuple[PeriodGroup, ...]

    @property
    def period_code(self) -> str:
        return self.period.code

    @property
    def periods(self) -> tuple[Period, ...]:
        return tuple(p for group in self.period_groups for p, _ in group.choices)


def period_choices(years: list[str]) -> tuple[PeriodGroup, ...]:
    """The periods the loaded collection years cover, by kind, latest first: a board's quarters (year to date;
    Q4 is the whole year), months, rolling 12 months wholly within loaded years, and the years. Short enough
    for a phone: 'Quarter 3 2016-17 (to Dec 2016)', 'December 2016', '12 months to December 2016'."""
    loaded = sorted(years, reverse=True)
    covered = {parse_financial_year(y) for y in years}
    quarters = [parse_period(f"{y}Q{q}") for y in loaded for q in (4, 3, 2, 1)]
    months = [
        parse_period(f"{m:%Y-%m}")
        for y in loaded
        for m in reversed([add_months(dt.date(parse_financial_year(y), 4, 1), i) for i in range(12)])
    ]
    rolling = [parse_period(f"R12:{m.code}") for m in months]
    return (
        PeriodGroup("Quarters (year to date)", tuple((q, f"Quarter {q.quarter} {q.financial_year} (to {q.end:%b %Y})")
                                                     for q in quarters)),
        PeriodGroup("Months", tuple((m, m.words) for m in months)),
        PeriodGroup("Rolling 12 months", tuple((r, f"12 months to {r.end:%B %Y}") for r in rolling
                                               if parse_financial_year(financial_year_of(r.start)) in covered)),
        PeriodGroup("Years", tuple((parse_period(y), f"{y} ({parse_period(y).words})") for y in loaded)),
    )  # fmt: skip


def _quarters_and_years(scope: Scope) -> list[Period]:
    return [p for p in scope.periods if p.kind in ("ytd_quarter", "year")]


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
    groups = period_choices(years)
    periods = tuple(p for group in groups for p, _ in group.choices)
    try:  # the edge: the period arrives as a code in the address; without one, the latest quarter
        chosen = parse_period(period) if period else periods[0] if periods else _last_year()
        if chosen.kind == "window":
            raise PeriodError("choose a year, a quarter, a month or R12:YYYY-MM")
    except (PeriodError, ValueError) as error:
        raise ScopeError(f"period {period!r}: {error}") from None
    # Only periods the loaded years cover: each new period costs a scorecard build.
    first, last = parse_period(years[0]).start, parse_period(years[-1]).end
    if chosen not in periods and not first <= chosen.end <= last:
        raise ScopeError(f"period {chosen.code}: the returns loaded cover {years[0]} to {years[-1]}")
    return Scope(code, la_name(code), chosen, tuple((c, la_name(c)) for c in loaded), groups)


def _last_year() -> Period:
    return parse_period(financial_year_label(dt.date.today().year - 1))


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

    def peek(self, key: Hashable) -> Any | None:
        """The value if it is there now (never waits for one being computed)."""
        with self._lock:
            return self._items.get(key)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class Scorecards:
    def __init__(self, targets: Path | None, options: JudgeOptions | None = None):
        self.targets_path = targets
        self.options = options or JudgeOptions()
        self._targets: tuple[float, Targets] | None = None
        self.built = LruCache(32)  # every quarter and year of 4 collection years, built ahead, and others
        # The engine's results for every quarter and year of an LA, per loads version (compute_periods).
        self.computed = LruCache(2)
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

        def make() -> Built:
            _, targets = self.targets()
            computed: Computed | None = self.computed.peek((snapshot.loads_version, scope.la_code))
            con = snapshot.cursor()
            try:
                return build(
                    con, scope.la_code, scope.period, targets=targets, options=self.options, computed=computed
                )
            finally:
                con.close()

        return self.built.get(key, make)

    def build_first_page(self, snapshot: Snapshot, default_la: str | None) -> None:
        """Build the scorecard a page shows when no LA or period is asked for (the default LA's latest period)
        as soon as new loads are seen, so the first person to look after a load does not wait for it: the
        engine's results for every quarter and year of that LA in one call (about what one scorecard's history
        costs), the first page judged from them with its views, the chart engine, then every other quarter and
        year judged with their views. Each step is skipped once the snapshot is retired (newer loads, or the
        server stopping)."""
        con = snapshot.cursor()
        try:
            scope = resolve_scope(con, None, None, default_la)
        except ScopeError:  # nothing loaded yet: nothing to show
            return
        finally:
            con.close()
        # every quarter's and year's results first: they cost about what the first page's own history would,
        # and the first page is then judged from them rather than computed a second time
        self.computed.get((snapshot.loads_version, scope.la_code), lambda: self._compute(snapshot, scope))
        if not self._views_ahead(snapshot, self.get(snapshot, scope)):
            return  # newer loads, or the server stopping: the work ahead is not wanted
        for period in _quarters_and_years(scope):  # then each of their scorecards: judging alone
            if snapshot.retired:
                return
            if not self._views_ahead(snapshot, self.get(snapshot, replace(scope, period=period))):
                return

    def _views_ahead(self, snapshot: Snapshot, built: Built) -> bool:
        """The scorecard page's views of `built` as a viewer and as an analyst sees it; False if the snapshot
        was retired meanwhile."""
        for profile in PROFILES:
            if snapshot.retired:
                return False
            con = snapshot.cursor()
            try:
                self.view(built, con, profile)  # type: ignore[arg-type]
            finally:
                con.close()
        return True

    def view(
        self, built: Built, con: duckdb.DuckDBPyConnection, profile: Profile
    ) -> tuple[ReportView, Built]:
        """The scorecard page's view in a profile, and the scorecard with commentary and actions as they are now
        (they change without a new load, so their version is part of the key)."""
        notes = notes_version(con, built.la_code)
        return self.derive(
            built,
            ("view", profile, notes),
            lambda: (scorecard_view(current := with_current_notes(built, con), profile), current),
        )

    def _compute(self, snapshot: Snapshot, scope: Scope) -> Computed:
        con = snapshot.cursor()
        try:
            return compute_periods(con, scope.la_code, _quarters_and_years(scope))
        finally:
            con.close()

    def derive(self, built: Built, what: tuple, compute: Callable[[], T]) -> T:
        return self.derived.get(
            (built.store_version, self.targets()[0], built.la_code, built.period_code, *what), compute
        )
