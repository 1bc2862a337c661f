"""Everything the scorecard says about one indicator for one LA and period, each part with the rule behind it.

`judge_indicator` takes plain inputs (IndicatorMeta, a series of Points, loaded Targets) so it does not depend on
the catalogue or the engine; only the published benchmarks, quartiles and commentary need the store connection
(pass `con=None` to judge without them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import duckdb

from ..periods import Period
from ..store.commentary import Action, Commentary, PeriodNotes, notes_for
from . import narrative
from .bands import Band, band_for
from .benchmarks import Comparator, Published
from .indicator import IndicatorMeta, Point
from .judgement import POSITION_KINDS, AreaSummary, Judgement, JudgeOptions
from .position import SUPPRESSION, QuartileBand, position, quartile_band
from .projection import Projection, project_year_end
from .rag import rag
from .smallnumbers import small_numbers
from .spc import SpcOptions, SpcResult, spc
from .targets import Target, Targets
from .trend import Trend, grows_with_window, not_compared, trend
from .units import fmt, shown


def _comparable_value(
    meta: IndicatorMeta, point: Point | None, projection: Projection
) -> tuple[float | None, str, str]:
    """(value to set beside annual published figures, what it is, why there is none).

    A full year (or any 12 months) compares as it is. A part-year count or rate grows with its window, so its
    projected year end is compared instead. A count or rate of children on a date compares with the published
    figure on 31 March. Anything else for part of a year (a percentage, an average) is set beside the full-year
    figures only as "part year", and the words say so."""
    if point is None or point.value is None:
        return None, "", "there is no value for this period"
    if point.period.full_year_like:
        return point.value, "", ""
    if grows_with_window(meta):
        if projection.value is not None:
            return projection.value, "projected year end", ""
        return None, "", "a part-year count is not comparable with a full-year published figure"
    if meta.kind == "stock" and meta.unit in ("count", "rate_per_10k"):
        return point.value, "", ""
    return point.value, "part year", ""


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
    kind = point.period.kind
    if meta.kind == "flow" and kind in ("ytd_quarter", "rolling_12"):
        return None, (
            "SPC not applied: year-to-date and rolling 12-month windows overlap one another, so their points are "
            "not independent; use monthly, quarterly or yearly periods"
        )
    upto = sorted(
        (
            p
            for p in series
            if p.value is not None and p.period_end <= point.period_end and p.period.kind == kind
        ),
        key=lambda p: p.period_end,
    )
    distinct = _new_measurements(meta, upto)
    goal = target.value if target is not None and meta.polarity != "neutral" else None
    result = spc([p.value for p in distinct], meta.improvement, target=goal, options=options)  # type: ignore[misc]
    span = f"{len(distinct)} points ({distinct[0].period_code} to {distinct[-1].period_code})"
    if len(distinct) < len(upto):
        span += (
            f"; {len(upto) - len(distinct)} periods repeat the figure before them (an annual count carried "
        )
        span += "into each quarter) and are one measurement, not more"
    return result, f"SPC over {span}: {result.explain()}"


def _new_measurements(meta: IndicatorMeta, points: Sequence[Point]) -> list[Point]:
    """The points that are new measurements: a period whose numerator, denominator and value all equal the one
    before it is the same figure carried forward (a census taken once a year, shown each quarter), and counting
    it again would raise runs and shifts that are not there. A manual measure's values are each recorded for
    their own period, so a month equal to the one before is a measurement too (two NQSWs in May and in June)."""
    if meta.recorded:
        return list(points)
    out: list[Point] = []
    for p in points:
        if out and (p.numerator, p.denominator, p.value) == (
            out[-1].numerator,
            out[-1].denominator,
            out[-1].value,
        ):
            continue
        out.append(p)
    return out


def _trends(
    meta: IndicatorMeta, by_period: Mapping[Period, Point], period: Period, bands: Mapping[str, Band]
) -> tuple[Trend, Trend, bool]:
    """(v previous period, v same period last year, whether the previous period moved the same way)."""
    point = by_period.get(period)
    previous, last_year = period.previous(), period.last_year()
    t_year = trend(
        meta, point, by_period.get(last_year), "last_year", reference_period=last_year, bands=bands
    )
    if period.kind == "ytd_quarter" and grows_with_window(meta):
        why = (
            "a year-to-date count only grows through the year, so it is compared with the same point last year, "
            "not with the previous quarter"
        )
        return not_compared(point, previous, "previous", why), t_year, False
    t_prev = trend(meta, point, by_period.get(previous), "previous", reference_period=previous, bands=bands)
    before_previous = previous.previous()
    before = trend(
        meta, by_period.get(previous), by_period.get(before_previous), "previous",
        reference_period=before_previous, bands=bands,
    )  # fmt: skip
    continuing = t_prev.movement in ("up", "down") and before.movement == t_prev.movement
    return t_prev, t_year, continuing


def judge_indicator(
    meta: IndicatorMeta,
    series: Sequence[Point],
    *,
    la_code: str,
    period: Period,
    con: duckdb.DuckDBPyConnection | None,
    targets: Targets | None = None,
    options: JudgeOptions | None = None,
    published: Published | None = None,
    notes: PeriodNotes | None = None,
) -> Judgement:
    """`published` and `notes`: the comparators (Published.load, with this LA, the period's year and the options'
    list) and the commentary and actions (notes_for, this LA and period) read once for a whole scorecard; without
    them they are read here from `con`."""
    options = options or JudgeOptions()
    by_period = {p.period: p for p in series}
    point = by_period.get(period)
    value = point.value if point else None

    target = targets.target_for(la_code, meta.id, period.end) if targets is not None else None
    t_prev, t_year, continuing = _trends(meta, by_period, period, options.change_bands)

    projection = project_year_end(meta, point)
    comparable, basis, missing = _comparable_value(meta, point, projection)
    found, benchmark_rule, distribution = _benchmarks(
        meta, la_code, period.financial_year, con, options, published
    )
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
    if (
        comparable is not None and basis
    ):  # a projection or a part year: an estimate, not a published-like figure
        comparable, missing = None, "quartiles are given only for a full year or any 12 months"
    quartile, published = _quartiles(meta, comparable, basis, missing, found, benchmark_rule, distribution)
    spc_result, spc_rule = _spc(meta, series, point, target, options.spc)
    commentary, actions = _notes(meta.id, la_code, period, con, notes)
    judgement = Judgement(
        meta=meta,
        la_code=la_code,
        period=period,
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
        last_full_year=_last_full_year(by_period, period) if projection.value is not None else None,
        commentary=commentary,
        actions=actions,
    )
    return _with_narrative(judgement)


def _notes(
    indicator_id: str,
    la_code: str,
    period: Period,
    con: duckdb.DuckDBPyConnection | None,
    notes: PeriodNotes | None,
) -> tuple[Commentary | None, tuple[Action, ...]]:
    if notes is None:
        if con is None:
            return None, ()
        notes = notes_for(con, la_code, period.code)
    return notes.commentary_on(indicator_id), tuple(notes.actions_on(indicator_id))


def _last_full_year(by_period: Mapping[Period, Point], period: Period) -> Point | None:
    """Last year's whole-year figure (its Q4, year to date) for a year-to-date quarter."""
    if period.kind != "ytd_quarter":
        return None
    return next((p for q, p in by_period.items() if q.kind == "ytd_quarter" and q.quarter == 4
                 and q.year_start == period.year_start - 1), None)  # fmt: skip


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
    meta: IndicatorMeta,
    la_code: str,
    year: str,
    con: duckdb.DuckDBPyConnection | None,
    options: JudgeOptions,
    published: Published | None = None,
) -> tuple[list[Comparator], str, list[float]]:
    if meta.lait_code is None:
        return [], "No published benchmark: the indicator has no LAIT measure", []
    if published is None:
        if con is None:
            return [], "Benchmarks not looked up: no store connection", []
        published = Published.load(con, la_code, [meta.lait_code], year, sn_version=options.sn_version)
    found = published.comparators(meta.lait_code)
    if not found:
        return (
            [],
            f"No published benchmark: LAIT {meta.lait_code} has no England value for {year} or earlier",
            [],
        )
    published_year = found[0].year
    note = "" if published_year == year else f" (latest published at or before {year})"
    rule = f"Benchmarks: LAIT {meta.lait_code} for {published_year}{note}"
    return found, rule, published.distribution(meta.lait_code)


def summarise_area(area: str, judgements: Sequence[Judgement]) -> AreaSummary:
    """Counts of RAG and of improving/worsening indicators for one scorecard section (each judged on its
    direction: the previous period, or the same point last year for a year-to-date count)."""
    mine = [j for j in judgements if j.meta.area == area]
    statuses = [j.rag.status for j in mine]
    improved = tuple(j.meta.label for j in mine if j.direction.judgement == "improving")
    worsened = tuple(j.meta.label for j in mine if j.direction.judgement == "worsening")
    periods = {j.period for j in mine}
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
