"""Everything the scorecard says about one indicator for one LA and period, each part with the rule behind it.

`judge_indicator` takes plain inputs (IndicatorMeta, a series of Points, loaded Targets) so it does not depend on
the catalogue or the engine; only the published benchmarks, quartiles and commentary need the store connection
(pass `con=None` to judge without them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import duckdb

from ..periods import parse_period
from . import narrative
from .bands import DEFAULT_BANDS, Band, band_for
from .benchmarks import Comparator, comparators
from .commentary import Action, Commentary, actions_for, get_commentary
from .indicator import IndicatorMeta, Point
from .position import SUPPRESSION, Position, QuartileBand, position, published_distribution, quartile_band
from .projection import Projection, project_year_end
from .rag import Rag, rag
from .smallnumbers import DEFAULT_THRESHOLDS, SmallNumbers, small_numbers
from .spc import SpcOptions, SpcResult, spc
from .targets import Target, Targets
from .trend import Trend, period_type, previous_period, same_period_last_year, trend
from .units import fmt, shown

POSITION_KINDS = ("sn_mean", "sn_median", "england", "region")


@dataclass(frozen=True)
class JudgeOptions:
    change_bands: Mapping[str, Band] = field(default_factory=lambda: dict(DEFAULT_BANDS))  # trend
    position_bands: Mapping[str, Band] = field(default_factory=lambda: dict(DEFAULT_BANDS))  # v benchmarks
    small_number_thresholds: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    sn_version: str | None = None  # None: the list in force at the period's year end (benchmarks.py)
    sn_average: Literal["mean", "median"] = "mean"  # which SN average the narrative uses (both are judged)
    spc: SpcOptions = field(default_factory=SpcOptions)

    def __post_init__(self) -> None:
        if self.sn_average not in ("mean", "median"):
            raise ValueError(f"sn_average must be mean or median, not {self.sn_average!r}")


@dataclass(frozen=True)
class Judgement:
    meta: IndicatorMeta
    la_code: str
    period_code: str
    point: Point | None
    display: str  # the value as shown: "21.7%"
    target: Target | None
    rag: Rag
    trend_previous: Trend
    trend_last_year: Trend
    trend_continuing: bool  # the previous period moved the same way too ("continue to reduce")
    comparators: tuple[Comparator, ...]
    benchmark_rule: str
    benchmark_basis: str  # "" or "projected year end": what was set beside the annual benchmarks
    positions: Mapping[str, Position]  # sn_mean, sn_median, england, region
    quartile: QuartileBand  # this period's value among every LA's published values
    published_quartile: QuartileBand  # the LA's own published value, same year
    spc: SpcResult | None
    spc_rule: str
    small_numbers: SmallNumbers
    projection: Projection
    sn_average: str
    narrative: str = ""
    commentary: Commentary | None = None
    actions: tuple[Action, ...] = ()

    @property
    def value(self) -> float | None:
        return self.point.value if self.point else None

    @property
    def sn_position(self) -> Position:
        return self.positions[f"sn_{self.sn_average}"]

    def rules(self) -> list[tuple[str, str]]:
        """Every judgement with the rule that produced it, in reading order."""
        return [
            ("RAG", self.rag.rule),
            ("Trend v previous period", self.trend_previous.rule),
            ("Trend v same period last year", self.trend_last_year.rule),
            ("Benchmarks", self.benchmark_rule),
            *((f"Position v {p.name}", p.rule) for p in self.positions.values()),
            ("Quartile (this period)", self.quartile.rule),
            ("Quartile (published)", self.published_quartile.rule),
            ("SPC", self.spc_rule),
            ("Small numbers", self.small_numbers.rule),
            ("Projection", self.projection.rule),
        ]


def _comparable_value(
    meta: IndicatorMeta, point: Point | None, projection: Projection
) -> tuple[float | None, str, str]:
    """(value to set beside annual published figures, what it is, why there is none)."""
    if point is None or point.value is None:
        return None, "", "there is no value for this period"
    grows = meta.kind == "flow" and meta.unit in ("count", "rate_per_10k")
    if not grows or parse_period(point.period_code).days >= 365:
        return point.value, "", ""
    if projection.value is not None:
        return projection.value, "projected year end", ""
    return None, "", "a part-year count is not comparable with a full-year published figure"


def _spc(
    meta: IndicatorMeta,
    series: Sequence[Point],
    point: Point | None,
    target: Target | None,
    options: SpcOptions,
) -> tuple[SpcResult | None, str]:
    """XmR over this period and the earlier ones of the same type (later points are not yet known)."""
    if point is None or point.value is None:
        return None, "SPC not applied: no value for this period"
    kind = period_type(point.period_code)
    if meta.kind == "flow" and kind in ("ytd_quarter", "rolling_12"):
        return None, (
            "SPC not applied: year-to-date and rolling 12-month windows overlap one another, so their points are "
            "not independent; use monthly, quarterly or yearly periods"
        )
    upto = sorted(
        (
            p
            for p in series
            if p.value is not None and p.period_end <= point.period_end and period_type(p.period_code) == kind
        ),
        key=lambda p: p.period_end,
    )
    goal = target.value if target is not None and meta.polarity != "neutral" else None
    result = spc([p.value for p in upto], meta.improvement, target=goal, options=options)  # type: ignore[misc]
    span = f"{len(upto)} points ({upto[0].period_code} to {upto[-1].period_code})"
    return result, f"SPC over {span}: {result.explain()}"


def _trends(
    meta: IndicatorMeta, by_code: Mapping[str, Point], period_code: str, bands: Mapping[str, Band]
) -> tuple[Trend, Trend, bool]:
    """(v previous period, v same period last year, whether the previous period moved the same way)."""
    point = by_code.get(period_code)
    prev_code, last_code = previous_period(period_code), same_period_last_year(period_code)
    t_prev = trend(meta, point, by_code.get(prev_code), "previous", reference_code=prev_code, bands=bands)
    t_year = trend(meta, point, by_code.get(last_code), "last_year", reference_code=last_code, bands=bands)
    prev2 = previous_period(prev_code)
    before = trend(
        meta, by_code.get(prev_code), by_code.get(prev2), "previous", reference_code=prev2, bands=bands
    )
    continuing = t_prev.movement in ("up", "down") and before.movement == t_prev.movement
    return t_prev, t_year, continuing


def judge_indicator(
    meta: IndicatorMeta,
    series: Sequence[Point],
    *,
    la_code: str,
    period_code: str,
    con: duckdb.DuckDBPyConnection | None,
    targets: Targets | None = None,
    options: JudgeOptions | None = None,
) -> Judgement:
    options = options or JudgeOptions()
    period = parse_period(period_code)
    by_code = {p.period_code: p for p in series}
    point = by_code.get(period_code)
    value = point.value if point else None

    target = targets.target_for(la_code, meta.id, period.end) if targets is not None else None
    t_prev, t_year, continuing = _trends(meta, by_code, period_code, options.change_bands)

    projection = project_year_end(meta, point)
    comparable, basis, missing = _comparable_value(meta, point, projection)
    found, benchmark_rule, distribution = _benchmarks(meta, la_code, period.financial_year, con, options)
    by_kind = {c.comparator: c for c in found}
    band = band_for(meta.unit, options.position_bands)
    positions = {
        kind: position(
            meta,
            comparable,
            by_kind.get(kind),
            band,
            comparator_kind=kind,
            basis=basis,
            missing_reason=missing,
        )
        for kind in POSITION_KINDS
    }
    quartile, published = _quartiles(meta, comparable, basis, missing, found, benchmark_rule, distribution)
    spc_result, spc_rule = _spc(meta, series, point, target, options.spc)
    judgement = Judgement(
        meta=meta,
        la_code=la_code,
        period_code=period_code,
        point=point,
        display=fmt(value, meta.unit),
        target=target,
        rag=rag(meta, value, target),
        trend_previous=t_prev,
        trend_last_year=t_year,
        trend_continuing=continuing,
        comparators=tuple(found),
        benchmark_rule=benchmark_rule,
        benchmark_basis=basis,
        positions=positions,
        quartile=quartile,
        published_quartile=published,
        spc=spc_result,
        spc_rule=spc_rule,
        small_numbers=small_numbers(meta, point, options.small_number_thresholds),
        projection=projection,
        sn_average=options.sn_average,
        commentary=get_commentary(con, la_code, meta.id, period_code) if con is not None else None,
        actions=tuple(actions_for(con, la_code, meta.id, period_code)) if con is not None else (),
    )
    return _with_narrative(judgement)


def _quartiles(
    meta: IndicatorMeta,
    comparable: float | None,
    basis: str,
    missing: str,
    found: list[Comparator],
    benchmark_rule: str,
    distribution: list[float],
) -> tuple[QuartileBand, QuartileBand]:
    """(this period's value, the LA's own published value) placed among every LA's published values."""
    if not found:
        reason = benchmark_rule[0].lower() + benchmark_rule[1:]
        none = quartile_band(meta, None, [], None, missing_reason=reason)
        return none, none
    year = found[0].year
    ours = shown(comparable, meta.unit) if comparable is not None else None
    this = quartile_band(meta, ours, distribution, year, basis=basis, missing_reason=missing)
    la = next((c for c in found if c.comparator == "la"), None)
    why = "the LA has no published value that year"
    if la is not None and la.symbol is not None:
        why = f"the LA's published value is {SUPPRESSION.get(la.symbol, f'suppressed ({la.symbol})')}"
    value = la.value if la is not None else None
    published = quartile_band(meta, value, distribution, year, basis=f"published {year}", missing_reason=why)
    return this, published


def _with_narrative(j: Judgement) -> Judgement:
    return replace(j, narrative=narrative.indicator_narrative(j))


def _benchmarks(
    meta: IndicatorMeta, la_code: str, year: str, con: duckdb.DuckDBPyConnection | None, options: JudgeOptions
) -> tuple[list[Comparator], str, list[float]]:
    if meta.lait_code is None:
        return [], "No published benchmark: the indicator has no LAIT measure", []
    if con is None:
        return [], "Benchmarks not looked up: no store connection", []
    found = comparators(con, la_code, meta.lait_code, year, sn_version=options.sn_version)
    if not found:
        return (
            [],
            f"No published benchmark: LAIT {meta.lait_code} has no England value for {year} or earlier",
            [],
        )
    published = found[0].year
    note = "" if published == year else f" (latest published at or before {year})"
    rule = f"Benchmarks: LAIT {meta.lait_code} for {published}{note}"
    return found, rule, published_distribution(con, meta.lait_code, published)


@dataclass(frozen=True)
class AreaSummary:
    area: str
    period_code: str | None  # the period judged (None when the judgements are for different periods)
    indicators: tuple[str, ...]
    green: int
    amber: int
    red: int
    not_rated: int
    improved: tuple[str, ...]  # labels, in input order
    worsened: tuple[str, ...]
    narrative: str


def summarise_area(area: str, judgements: Sequence[Judgement]) -> AreaSummary:
    """Counts of RAG and of improving/worsening indicators (v the previous period) for one scorecard section."""
    mine = [j for j in judgements if j.meta.area == area]
    statuses = [j.rag.status for j in mine]
    improved = tuple(j.meta.label for j in mine if j.trend_previous.judgement == "improving")
    worsened = tuple(j.meta.label for j in mine if j.trend_previous.judgement == "worsening")
    periods = {j.period_code for j in mine}
    summary = AreaSummary(
        area,
        periods.pop() if len(periods) == 1 else None,
        tuple(j.meta.id for j in mine),
        statuses.count("green"),
        statuses.count("amber"),
        statuses.count("red"),
        statuses.count(None),
        improved,
        worsened,
        "",
    )
    return replace(summary, narrative=narrative.area_narrative(summary))
