"""The one way a scorecard is made: `build(con, la, period, targets) -> Built`.

The engine computes the period and its history (every earlier period of the same kind back to the first
collection year loaded) in memory; judgement works on those figures and the published benchmarks. Nothing is
written, so a read-only connection is enough and pages can build side by side. The terminal, the report pack and
the web pages all render a Built, so they show the same thing; saving the figures to the store (`save`) is a
separate step that `indicators` takes and a page or a pack does not need.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import duckdb

from .catalogue.models import Catalogue, Indicator, PublishedMeasure
from .engine.manual import catalogue_for
from .engine.results import (
    Computation,
    IndicatorResult,
    results_basis,
    save_computed,
    save_results,
    saved_results,
)
from .judge.benchmarks import Published
from .judge.indicator import IndicatorMeta, Point
from .judge.judgement import AreaSummary, Judgement, JudgeOptions
from .judge.published_only import PublishedOnly, published_only
from .judge.scorecard import judge_indicator, summarise_area
from .judge.suppression import rule_unit, twins
from .judge.targets import Targets
from .periods import Period
from .refdata import local_authorities
from .store.area_notes import AreaNote, area_notes
from .store.commentary import PeriodNotes, notes_for
from .store.status import loaded_years, store_version


def area_label(area: str) -> str:
    return area.replace("_", " ").capitalize()


def meta_for(indicator: Indicator) -> IndicatorMeta:
    return IndicatorMeta(
        indicator.id,
        indicator.label,
        area_label(indicator.area),
        indicator.unit,
        indicator.polarity,
        indicator.kind,
        indicator.lait,
        indicator.plural,
        indicator.rate_base,
        recorded=indicator.manual is not None,
    )


def published_meta(measure: PublishedMeasure) -> IndicatorMeta:
    return IndicatorMeta(
        measure.id,
        measure.label,
        area_label(measure.area),
        measure.unit,
        measure.polarity,
        measure.kind,
        measure.lait,
        measure.plural,
        measure.rate_base,
    )


def la_name(code: str) -> str:
    found = local_authorities().get(code)
    return found.name if found else f"LA {code}"


@dataclass(frozen=True)
class Built:
    """A scorecard for one LA and period: every judgement, area by area, with the figures behind them."""

    la_code: str
    la_name: str
    period: Period
    areas: tuple[tuple[AreaSummary, tuple[Judgement, ...]], ...]
    series: Mapping[str, tuple[Point, ...]]  # per indicator: the period and its history, oldest first
    results: tuple[IndicatorResult, ...]  # everything the engine computed for it, for `save`
    store_version: str  # the loads it was built from (store.status.store_version)
    built_at: dt.datetime
    notes: Mapping[str, tuple[AreaNote, ...]] = field(default_factory=dict)  # analysts' per area (label)
    # DfE's measures no return gives, per area (label): shown as published beside the area's indicators
    published: Mapping[str, tuple[PublishedOnly, ...]] = field(default_factory=dict)
    # What the engine computed for it, when it did (not read back or taken from compute_periods): `keep` saves
    # it in the store, so that the next build of any of those periods reads it back.
    computation: Computation | None = None

    @property
    def period_code(self) -> str:
        return self.period.code

    def judgements(self) -> list[Judgement]:
        return [j for _, judgements in self.areas for j in judgements]

    def judgement(self, indicator_id: str) -> Judgement | None:
        return next((j for j in self.judgements() if j.meta.id == indicator_id), None)

    @cached_property
    def twins(self) -> Mapping[str, tuple[str, ...]]:
        """Per indicator, the others of the scorecard that may count the same children, whose suppression it may
        share (judge/suppression.py twins, with_partners): worked out once, for every view of it."""
        return twins(
            {j.meta.id: (rule_unit(j.meta), self.series.get(j.meta.id, ())) for j in self.judgements()}
        )


def _series(
    results: Sequence[IndicatorResult], periods: Mapping[str, Period]
) -> dict[str, tuple[Point, ...]]:
    out: dict[str, list[Point]] = {}
    for r in results:
        if r.breakdown is None:
            out.setdefault(r.indicator_id, []).append(
                Point(periods[r.period], r.numerator, r.denominator, r.value, r.notes)
            )
    return {k: tuple(sorted(v, key=lambda p: p.period_end)) for k, v in out.items()}


def build(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    period: Period,
    *,
    targets: Targets | None = None,
    options: JudgeOptions | None = None,
    indicator_ids: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
    extra_periods: Sequence[Period] = (),
    computed: Computed | None = None,
) -> Built:
    """Compute the period and its history for one LA, then judge every indicator, area by area (the catalogue's
    and the manual measures the store declares). `extra_periods` are computed in the same pass and kept in the
    series beside the history (the monthly board's 12 months and years to date). `computed`: the engine's
    results for this store, computed beforehand for many periods in one call (compute_periods), of which the
    history's are taken instead of computing them again."""
    catalogue = catalogue_for(con)
    ids = list(indicator_ids or catalogue.ids())
    years = loaded_years(con, la_code)
    if not years:
        raise ValueError(f"no returns are loaded for LA {la_code}")
    history = period.history(years[0])
    history += [p for p in dict.fromkeys(extra_periods) if p not in history]
    results = computed.taken(la_code, history, ids) if computed is not None else None
    computation = None
    if results is None:
        results, computation = _computed(con, la_code, history, ids, catalogue)
    targets = with_declared_targets(targets, catalogue, la_code)
    series = _series(results, {p.code: p for p in history})
    published = _comparators(
        con, la_code, period, catalogue, ids, options, with_published=indicator_ids is None
    )
    notes = notes_for(con, la_code, period.code)
    areas = []
    by_area = catalogue.by_area()
    for area in by_area:  # the catalogue keeps its areas in report order (catalogue.loader.AREA_ORDER)
        judgements = []
        for indicator in by_area[area]:
            if indicator.id not in ids:
                continue
            if progress:
                progress(indicator.id)
            judgements.append(
                judge_indicator(
                    meta_for(indicator),
                    series.get(indicator.id, ()),
                    la_code=la_code,
                    period=period,
                    con=con,
                    targets=targets,
                    options=options,
                    published=published,
                    notes=notes,
                )
            )
        if judgements:
            areas.append((summarise_area(area_label(area), judgements), tuple(judgements)))
    return Built(
        la_code, la_name(la_code), period, tuple(areas), series, tuple(results), store_version(con),
        dt.datetime.now(), _area_notes(con, la_code, period),
        _published(con, la_code, period, options, published) if indicator_ids is None else {}, computation,
    )  # fmt: skip


def _computed(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    periods: Sequence[Period],
    ids: Sequence[str],
    catalogue: Catalogue,
) -> tuple[list[IndicatorResult], Computation | None]:
    """The results saved on the store's basis (engine/results.py), or the engine's, with what it computed."""
    basis = results_basis(con, catalogue)
    if basis is not None:
        saved = saved_results(con, la_code, periods, ids, basis)
        if saved is not None:
            return saved, None
    from .engine.compute import compute  # the query building (SQLGlot): only when nothing saved will do

    results = compute(con, periods, ids, la_codes=[la_code], catalogue=catalogue)
    if basis is None:
        return results, None
    return results, Computation(la_code, tuple(p.code for p in periods), tuple(ids), basis)


def keep(con: duckdb.DuckDBPyConnection, built: Built) -> bool:
    """Save what the engine computed for `built` with its basis (a writable connection), so that the next build
    of any of its periods reads it back; False when nothing was computed for it or the store has changed since."""
    if built.computation is None:
        return False
    return save_computed(con, built.computation, built.results, catalogue_for(con))


def _comparators(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    period: Period,
    catalogue: Catalogue,
    ids: Sequence[str],
    options: JudgeOptions | None,
    *,
    with_published: bool,
) -> Published:
    """Every published comparator the scorecard sets beside its indicators (and its published-only measures),
    read at once."""
    codes = [i.lait for i in catalogue.indicators.values() if i.id in ids and i.lait]
    if with_published:
        codes += [m.lait for ms in catalogue.published_by_area().values() for m in ms if m.lait]
    sn_version = (options or JudgeOptions()).sn_version
    return Published.load(con, la_code, codes, period.financial_year, sn_version=sn_version)


@dataclass(frozen=True)
class Computed:
    """The engine's results for one LA, for these indicators and periods, computed in one call (compute_periods)."""

    la_code: str
    indicator_ids: frozenset[str]
    periods: frozenset[str]  # period codes
    results: tuple[IndicatorResult, ...]
    computation: Computation | None = None  # what the engine computed; None: read back from the store

    def taken(
        self, la_code: str, history: Sequence[Period], ids: Sequence[str]
    ) -> list[IndicatorResult] | None:
        """The results for the LA, the history and the indicators; None when they were not all computed."""
        codes = {p.code for p in history}
        if la_code != self.la_code or not codes <= self.periods or not self.indicator_ids.issuperset(ids):
            return None
        wanted = set(ids)
        return [r for r in self.results if r.period in codes and r.indicator_id in wanted]


def compute_periods(con: duckdb.DuckDBPyConnection, la_code: str, periods: Sequence[Period]) -> Computed:
    """Every indicator's results for the periods and their histories, in one engine call: what `build(...,
    computed=)` takes for any of them (a dashboard works this out once per load, and a scorecard of any of
    those periods is then judging alone)."""
    years = loaded_years(con, la_code)
    if not years:
        raise ValueError(f"no returns are loaded for LA {la_code}")
    history = list(dict.fromkeys(h for p in periods for h in p.history(years[0])))
    catalogue = catalogue_for(con)
    ids = list(catalogue.ids())
    results, computation = _computed(con, la_code, history, ids, catalogue)
    return Computed(la_code, frozenset(ids), frozenset(p.code for p in history), tuple(results), computation)


def with_declared_targets(targets: Targets | None, catalogue: Catalogue, la_code: str) -> Targets | None:
    """The targets, and those declared with manual measures (a targets file's entry wins)."""
    declared = [
        (i.id, i.manual.target.value, i.manual.target.tolerance)
        for i in catalogue.indicators.values()
        if i.manual is not None and i.manual.target is not None
    ]
    if not declared:
        return targets
    return (targets or Targets()).with_declared(la_code, declared)


def _published(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    period: Period,
    options: JudgeOptions | None,
    published: Published,
) -> dict[str, tuple[PublishedOnly, ...]]:
    """The catalogue's published-only measures, by the area's label, with their published values."""
    options = options or JudgeOptions()
    return {
        area_label(area): tuple(
            published_only(
                con,
                la_code,
                period,
                published_meta(m),
                m.source,
                sn_version=options.sn_version,
                sn_average=options.sn_average,
                published=published,
            )
            for m in measures
        )
        for area, measures in catalogue_for(con).published_by_area().items()
    }


def _area_notes(
    con: duckdb.DuckDBPyConnection, la_code: str, period: Period
) -> dict[str, tuple[AreaNote, ...]]:
    """The analysts' achievements and priorities for the period, by the area's label."""
    out: dict[str, list[AreaNote]] = {}
    for note in area_notes(con, la_code, period.code):
        out.setdefault(area_label(note.area), []).append(note)
    return {area: tuple(notes) for area, notes in out.items()}


def save(con: duckdb.DuckDBPyConnection, built: Built) -> int:
    """Keep the figures behind a scorecard in the store's results table (what `indicators` does)."""
    return save_results(con, built.results)


def current_notes(
    j: Judgement, con: duckdb.DuckDBPyConnection, notes: PeriodNotes | None = None
) -> Judgement:
    """The judgement with its commentary and actions as they are now: they change without a new load, so a
    cached Built may hold older ones. `notes`: the LA's and period's, read once for a whole scorecard."""
    if notes is None:
        notes = notes_for(con, j.la_code, j.period.code)
    return replace(j, commentary=notes.commentary_on(j.meta.id), actions=tuple(notes.actions_on(j.meta.id)))


def with_current_notes(built: Built, con: duckdb.DuckDBPyConnection) -> Built:
    """The whole scorecard with commentary and actions as they are now (see current_notes)."""
    notes = notes_for(con, built.la_code, built.period.code)
    areas = tuple((s, tuple(current_notes(j, con, notes) for j in js)) for s, js in built.areas)
    return replace(built, areas=areas, notes=_area_notes(con, built.la_code, built.period))


__all__ = [
    "AreaNote",
    "Built",
    "Computed",
    "PublishedOnly",
    "build",
    "compute_periods",
    "current_notes",
    "keep",
    "la_name",
    "meta_for",
    "save",
    "with_current_notes",
    "with_declared_targets",
]
