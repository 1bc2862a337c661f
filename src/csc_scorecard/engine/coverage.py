"""Which windows a council's loaded returns cover, and what to load where they do not.

A figure is computed only where every return it reads is loaded for every financial year it needs: the years its
window touches (a flow) or the year of its last day (a stock), and the years its declared history reaches back
before the window (re-referrals: the 12 months before it; long-term stability: 30 months before its end).
Otherwise the figure is withheld, with a note naming the returns to load, never computed on part of its
history. Coverage goes by the returns loaded, not the rows found: a CIN census with no child protection plans
covers its year, and the number of plans is 0. A figure needing a year before its returns held what it counts
(`collected`: social worker episodes from 2023-24) is "not collected" for that year, whatever is loaded.

A snapshot (an SSD extract) stands in for a return of any year whose days it holds, day by day rather than year
by year: it covers a kind of return in a year when it holds every table of that kind the figure reads, from
the first day of the year the figure needs (its window's start for a flow, its end for a stock, or earlier by
its declared history) to the last (the window's end, or the year's). So a month is covered as soon as the
snapshot holds it, and a year only once the snapshot holds all of it.

This is the one implementation of the rule: the engine and `csc-scorecard status` both use it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..catalogue.models import Catalogue, History, Indicator, default_history
from ..periods import (
    Period,
    add_months,
    financial_year_label,
    financial_year_of,
    parse_financial_year,
    parse_period,
)
from ..sources.tables import TABLES_BY_NAME
from ..store.status import SnapshotCover

# Tables read for their characteristics only: which returns are loaded says nothing about them.
DIMENSION_TABLES = frozenset({"children", "ref_calendar", "ref_population"})
VIEWS = {"referrals": "cin_episodes"}  # store views, by the table they show
RETURN_NAMES = {  # (one year's, several years')
    "cin": ("CIN census", "CIN censuses"),
    "ssda903": ("SSDA903 return", "SSDA903 returns"),
    "annex_a": ("Annex A workbook", "Annex A workbooks"),
    "early_help": ("early help templates", "early help templates"),
    "workforce": ("workforce templates", "workforce templates"),
    "youth_justice": ("youth justice template", "youth justice templates"),
    "case_audits": ("case audits template", "case audits templates"),
    "csww": ("CSWW census", "CSWW censuses"),
    "ssd": ("SSD snapshot", "SSD snapshot"),
}
SNAPSHOT_ONLY = "ssd"  # tables no return fills: only a snapshot's days cover them


def return_name(kind: str, years: int = 1) -> str:
    one, several = RETURN_NAMES.get(kind, (kind, kind))
    return one if years == 1 else several


Loaded = Mapping[str, frozenset[int]]  # one LA's returns: kind -> financial years (by first calendar year)


def returns_read(catalogue: Catalogue, indicator: Indicator) -> tuple[str, ...]:
    """The kinds of return whose tables the indicator's population reads."""
    tables = catalogue.source_tables(indicator.population or "") - DIMENSION_TABLES
    return tuple(sorted({kind for t in tables for kind in TABLES_BY_NAME[VIEWS.get(t, t)].returns}))


def needs_snapshot(catalogue: Catalogue, indicator: Indicator) -> bool:
    """Whether only an SSD snapshot can give the indicator (visits and caseloads from case records)."""
    return SNAPSHOT_ONLY in returns_read(catalogue, indicator)


def _first_day(history: History, kind: str, period: Period) -> dt.date:
    before = history.before or ("window_start" if kind == "flow" else "window_end")
    anchor = period.start if before == "window_start" else period.end
    return add_months(anchor, -history.months)


def _first_year(history: History, kind: str, period: Period) -> int:
    return parse_financial_year(financial_year_of(_first_day(history, kind, period)))


def first_day_needed(indicator: Indicator, period: Period) -> dt.date:
    """The first day whose records the figure reads: its own (a flow's start, a stock's end) or its history's."""
    own = _first_day(default_history(indicator.kind), indicator.kind, period)
    return min(own, _first_day(indicator.needed_history, indicator.kind, period))


def tables_read(catalogue: Catalogue, indicator: Indicator) -> frozenset[str]:
    """The canonical tables the indicator's population reads (characteristics aside)."""
    tables = catalogue.source_tables(indicator.population or "") - DIMENSION_TABLES
    return frozenset(VIEWS.get(t, t) for t in tables)


def _snapshot_years(
    snapshot: SnapshotCover | None,
    kind: str,
    tables: frozenset[str],
    years: Sequence[int],
    first: dt.date,
    period: Period,
) -> set[int]:
    """The years among `years` whose needed days the snapshot holds, for the tables of `kind` read."""
    mine = {t for t in tables if kind in TABLES_BY_NAME[t].returns}
    if snapshot is None or not mine or not mine <= snapshot.tables:
        return set()
    covered = set()
    for year in years:
        need_from = max(dt.date(year, 4, 1), first)
        need_to = min(dt.date(year + 1, 3, 31), period.end)
        if snapshot.covers_from <= need_from and need_to <= snapshot.covers_to:
            covered.add(year)
    return covered


@dataclass(frozen=True)
class YearsNeeded:
    window: tuple[int, ...]  # the years of the window's own records (by kind: flow or stock)
    history: tuple[int, ...]  # the years before those that the declared history reaches back to


def years_needed(indicator: Indicator, period: Period) -> YearsNeeded:
    last = parse_financial_year(period.financial_year)
    own = _first_year(default_history(indicator.kind), indicator.kind, period)
    first = min(own, _first_year(indicator.needed_history, indicator.kind, period))
    return YearsNeeded(tuple(range(own, last + 1)), tuple(range(first, own)))


@dataclass(frozen=True)
class Gap:
    """Returns a window needs that are not loaded, or years whose returns did not collect what it counts."""

    missing: tuple[tuple[str, tuple[int, ...]], ...]  # (kind, years)
    in_window: bool  # some are the window's own years (else only its history is missing)
    reason: str  # what the history is for, when part of it is missing
    history_missing: bool
    not_collected: tuple[int, ...] = ()  # years before the returns held what the figure needs
    collected_what: str = ""  # what they hold, and since when

    def note(self) -> str:
        if self.not_collected:
            return f"not collected in {_years_text(self.not_collected)}: {self.collected_what}"
        returns = " and ".join(
            f"the {_years_text(years)} {return_name(k, len(years))}" for k, years in self.missing
        )
        prefix = "not covered" if self.in_window else "withheld"
        return f"{prefix}: needs {returns}" + (f" ({self.reason})" if self.history_missing else "")


def _years_text(years: Sequence[int]) -> str:
    labels = [financial_year_label(y) for y in years]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def _absent(
    loaded: Loaded, kinds: Iterable[str], years: Sequence[int], snapshot_years=lambda kind, years: set()
) -> dict[str, tuple[int, ...]]:
    out = {}
    for kind in kinds:
        returned = frozenset() if kind == SNAPSHOT_ONLY else loaded.get(kind, frozenset())
        held = snapshot_years(kind, years)
        absent = tuple(y for y in years if y not in returned and y not in held)
        if absent:
            out[kind] = absent
    return out


def gap(
    indicator: Indicator,
    kinds: Sequence[str],
    period: Period,
    loaded: Loaded,
    snapshot: SnapshotCover | None = None,
    tables: frozenset[str] = frozenset(),
) -> Gap | None:
    """What is missing for the window, or None when the loaded returns (or the snapshot, for the `tables` the
    indicator reads) cover it and its history."""
    needed = years_needed(indicator, period)
    collected = indicator.collected
    if collected is not None:
        early = tuple(y for y in (*needed.history, *needed.window) if y < collected.first_year)
        if early:
            what = f"the returns hold {collected.what} from {collected.since}"
            return Gap((), True, "", False, early, what)
    first = first_day_needed(indicator, period)

    def held(kind: str, years: Sequence[int]) -> set[int]:
        return _snapshot_years(snapshot, kind, tables, years, first, period)

    own = _absent(loaded, kinds, needed.window, held)
    before = _absent(loaded, kinds, needed.history, held)
    if not own and not before:
        return None
    missing = tuple(
        (k, tuple(sorted({*before.get(k, ()), *own.get(k, ())}))) for k in kinds if k in own or k in before
    )
    return Gap(missing, bool(own), indicator.needed_history.reason, bool(before))


@dataclass(frozen=True)
class CoverageRow:
    la_code: str
    period_id: int
    gap: Gap | None

    @property
    def covered(self) -> bool:
        return self.gap is None


def coverage(
    catalogue: Catalogue,
    indicator: Indicator,
    periods: Sequence[Period],
    loaded: Mapping[str, Loaded],
    snapshots: Mapping[str, SnapshotCover] | None = None,
) -> list[CoverageRow]:
    """A row for every window of every LA with any of the indicator's returns loaded (in any year), or a
    snapshot holding the tables it reads."""
    kinds = returns_read(catalogue, indicator)
    tables = tables_read(catalogue, indicator)
    snapshots = snapshots or {}
    # A gap depends on an LA only through its snapshot and the years loaded of the kinds read: LAs alike in
    # those (most of a region's) share their gaps, worked out once.
    alike: dict[tuple, list[Gap | None]] = {}
    rows = []
    for la_code in sorted(set(loaded) | set(snapshots)):
        snapshot = snapshots.get(la_code)
        returned = loaded.get(la_code, {})
        held = snapshot is not None and bool(tables) and tables <= snapshot.tables
        if not held and (SNAPSHOT_ONLY in kinds or not any(returned.get(kind) for kind in kinds)):
            continue  # what only a snapshot holds is not listed as missing where there is no snapshot
        key = (snapshot, tuple(frozenset(returned.get(kind, ())) for kind in kinds))
        if key not in alike:
            alike[key] = [gap(indicator, kinds, period, returned, snapshot, tables) for period in periods]
        rows += (CoverageRow(la_code, period_id, found) for period_id, found in enumerate(alike[key]))
    return rows


@dataclass(frozen=True)
class AreaStart:
    """The first financial year an area's indicators can be computed for one LA."""

    area: str
    first_year: int | None  # the first year any of them can be computed; None if none can
    later: tuple[tuple[str, int], ...]  # (indicator id, first year) for those that start later
    never: tuple[tuple[str, str], ...]  # (indicator id, what it needs) for those no loaded year allows
    per_record: tuple[tuple[str, str], ...]  # (indicator id, reason) for those also withheld record by record


def first_computable(
    catalogue: Catalogue, loaded: Loaded, snapshot: SnapshotCover | None = None
) -> list[AreaStart]:
    """Per area, the first whole financial year its indicators can be computed from the LA's loaded returns
    (and its snapshot)."""
    years = {y for kind, loaded_years in loaded.items() if kind != SNAPSHOT_ONLY for y in loaded_years}
    if snapshot is not None:
        first, last = (
            parse_financial_year(financial_year_of(d)) for d in (snapshot.covers_from, snapshot.covers_to)
        )
        years |= set(range(first, last + 1))
    years = sorted(years)
    out = []
    for area, declared in catalogue.by_area().items():
        starts: dict[str, int] = {}
        never: list[tuple[str, str]] = []
        per_record: list[tuple[str, str]] = []
        for ind in (catalogue.definition(i.id) for i in declared):
            kinds = returns_read(catalogue, ind)
            tables = tables_read(catalogue, ind)
            first = next(
                (y for y in years if gap(ind, kinds, _year(y), loaded, snapshot, tables) is None), None
            )
            held = snapshot is not None and bool(tables) and tables <= snapshot.tables
            if first is not None:
                starts[ind.id] = first
            elif not years or (not held and any(not loaded.get(kind) for kind in kinds)):
                names = " and ".join(return_name(k) for k in kinds if not loaded.get(k))
                never.append((ind.id, f"no {names} loaded"))
            else:
                missing = gap(ind, kinds, _year(years[-1]), loaded, snapshot, tables)
                never.append((ind.id, missing.note() if missing else ""))
            if ind.history is not None and ind.history.complete_when is not None:
                per_record.append((ind.id, ind.history.reason))
        earliest = min(starts.values(), default=None)
        later = tuple((i, y) for i, y in starts.items() if y != earliest)
        out.append(AreaStart(area, earliest, later, tuple(never), tuple(per_record)))
    return out


def _year(start_year: int) -> Period:
    return parse_period(financial_year_label(start_year))


__all__ = [
    "DIMENSION_TABLES",
    "RETURN_NAMES",
    "AreaStart",
    "CoverageRow",
    "Gap",
    "Loaded",
    "YearsNeeded",
    "coverage",
    "first_computable",
    "first_day_needed",
    "gap",
    "return_name",
    "returns_read",
    "tables_read",
    "years_needed",
]
