"""Indicators computed together: one scan of a population per window, a few queries for a whole request.

Indicators over the same population, window (event date, interval open at the end, or the population's own
periods) and breakdown share a **slot**: the population's rows in each window they fall in, with a flag per
**measure** (a denominator and numerator filter, a value, a weight). Indicators whose filters are the same (a
count and its rate) share a measure. The slots of a request go into a few queries (**batches**) of about
SLOTS_PER_QUERY slots, the slots that read one population in the same batch, so each population is written once
however many slots read it; slots also go into separate batches where their SQL would define one CTE name twice
(two populations' inner WITHs of the same name, or a population bound to other settings):

    WITH periods AS (SELECT ... FROM engine_windows),   -- the windows: a relation given with each run
         <each population the slots read, once>,
         scoped AS (...), agg AS (...),                 -- per slot: rows x windows, aggregates per measure
         scoped_1 AS (...), agg_1 AS (...), ...
         frame AS (...)                                 -- each LA (and breakdown value) reported
    SELECT f.la_code, p.period_id, f.breakdown_value,
           <each measure's aggregates, a typed zero where the LA has no rows in the window>
    FROM frame AS f CROSS JOIN periods AS p LEFT JOIN agg AS a0 ON ... LEFT JOIN agg_1 AS a1 ON ...

The SQL depends only on the catalogue, the indicators and their options, the breakdown and the engine, so it is
built once per process and cached (`plan`); the periods and LAs of a run enter as relations the adapter
provides (engine_windows, engine_las). Which windows the returns cover, and the figures themselves (ratios,
rates), are worked out from these aggregates in Python (engine/compute.py, engine/measures.py).
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

from sqlglot import exp

from .. import disk_cache
from ..catalogue import fragments as fr
from ..catalogue.models import Catalogue, Indicator
from .build import FLAG_KEY, FLAGGED, PERIOD_COLUMNS, Request, ScopeBuilder, population_ctes
from .macros import expand_macros, fill

WINDOWS = "engine_windows"  # relation: one row per window (build.PERIOD_COLUMNS)
LAS = "engine_las"  # relation: the LAs reported (la_code)
WINDOW_TYPES = ("INT", "DATE", "DATE", "INT", "DOUBLE")  # of PERIOD_COLUMNS

# Aggregates of a measure, by suffix; each is zero (of its own type) for an LA with no rows in a window.
ROWS, BASE, COUNTED, TOTAL, WEIGHTS, WEIGHTS_COUNTED, MISSING, LOADS, LEFT_OUT = (
    "rows", "base", "counted", "total", "weights", "weights_counted", "missing", "loads", "left_out",
)  # fmt: skip
BY_LOAD = "by_load"  # 1 on a row grouped per load, 0 per child (_Writer._per_child_and_load)
SPAN_START, SPAN_END = "span_start", "span_end"  # a stock row's interval (_Writer._span_columns)
# The latest end (open: the last day there is, as open_at) of the child's flagged spans before this one in start
# order; a span without a start is open at no window end, so it reaches nowhere (whether it sorts first or last).
_LATEST_END = """
max(CASE WHEN :flag AND :start IS NOT NULL THEN coalesce(:end, CAST('9999-12-31' AS DATE)) END)
OVER (PARTITION BY u.la_code, u.child_id ORDER BY :start ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
"""


@dataclass(frozen=True)
class Measure:
    """The aggregates several indicators may share (same counting, filters, value, weight and history)."""

    name: str  # column prefix in the batch's result
    children: bool  # counts distinct children (else rows)
    filtered: bool  # has a denominator filter
    counted: bool  # has a numerator filter
    value: bool
    weight: bool
    history: bool  # a per-row look-back that may be missing
    leaves_out: bool = False  # rows the quality rules flagged are left out, and counted (LEFT_OUT)

    def column(self, aggregate: str) -> str:
        return f"{self.name}_{aggregate}"

    def aggregates(self) -> tuple[str, ...]:
        names = [ROWS, COUNTED, MISSING]
        names += [BASE] if self.children else []
        names += [TOTAL] if self.value else []
        names += [WEIGHTS, WEIGHTS_COUNTED] if self.weight else []
        names += [LEFT_OUT] if self.leaves_out else []
        return tuple(names)


@dataclass(frozen=True)
class Batch:
    """One query: its SQL in the adapter's dialect, the store tables it reads, and where each request's
    aggregates are in its rows."""

    sql: str
    tables: tuple[str, ...]
    measures: Mapping[int, Measure]  # by the request's position in the list planned


# --- planning: slots, measures, batches -----------------------------------------------------------------


@dataclass
class _Slot:
    request: Request  # the first in the slot: population, window and breakdown are the same for all
    definitions: dict[str, tuple]  # every CTE name the populations define (inner WITHs too): what defines it
    measures: dict[tuple, tuple[Measure, Request]] = field(default_factory=dict)  # by signature, with a
    # request that defines it
    members: dict[int, tuple] = field(default_factory=dict)  # request position -> its measure's signature
    child_columns: set[str] = field(default_factory=set)


# Planning reads the catalogue's texts (each parsed once per process); trees are built only to write a batch.


@cache
def _inner_ctes(sql: str) -> tuple[str, ...]:
    return tuple(cte.alias for cte in fr.parse_query(sql).find_all(exp.CTE))


@cache
def _child_columns(sql: str) -> frozenset[str]:
    return frozenset(fr.child_columns(fr.parse(sql)))


@cache
def _placeholders(sql: str) -> frozenset[str]:
    return frozenset(fr.placeholders(fr.parse(sql)))


def _texts(indicator: Indicator) -> dict[str, str | None]:
    """The SQL texts of a measure: filters, value, weight and the per-row history condition."""
    return {
        "denominator": indicator.denominator,
        "numerator": indicator.numerator,
        "value": indicator.value,
        "weight": indicator.weight,
        "complete": indicator.history.complete_when if indicator.history else None,
    }


def _bound(request: Request, texts: Sequence[str]) -> tuple:
    """The options the texts read, with this request's values."""
    names = set().union(*(_placeholders(t) for t in texts)) - fr.PERIOD_PLACEHOLDERS
    return tuple((name, repr(request.option(name))) for name in sorted(names))


def _slot_key(catalogue: Catalogue, request: Request) -> tuple[tuple, dict[str, tuple]]:
    ind = request.indicator
    population = ind.population or ""
    chain = catalogue.population_chain(population)
    settings = _bound(request, [catalogue.population(p).sql for p in chain])
    interval = (ind.open_at_end.start, ind.open_at_end.end) if ind.open_at_end else None
    breakdown = (request.breakdown_name, ind.breakdown_date, ind.event_date) if request.breakdown else None
    leaves_out = tuple(sorted(ind.leaves_out))  # the flagged records joined to the slot's rows
    definitions: dict[str, tuple] = {}
    for name in chain:
        own = _bound(request, [catalogue.population(name).sql])
        definitions[name] = ("population", name, own)
        for inner in _inner_ctes(catalogue.population(name).sql):
            definitions[inner] = ("inside population", name, own)
    return (population, settings, ind.event_date, interval, breakdown, leaves_out), definitions


def _slots(catalogue: Catalogue, requests: Sequence[Request]) -> list[_Slot]:
    slots: dict[tuple, _Slot] = {}
    for index, request in enumerate(requests):
        key, definitions = _slot_key(catalogue, request)
        slot = slots.get(key)
        if slot is None:
            slot = slots[key] = _Slot(request, definitions)
        texts = _texts(request.indicator)
        given = [t for t in texts.values() if t is not None]
        signature = (request.indicator.count, *texts.values(), _bound(request, given))
        if signature not in slot.measures:
            leaves_out = bool(request.indicator.leaves_out)
            measure = Measure(
                name="",  # named when the batch is written
                children=request.indicator.count == "children",
                filtered=texts["denominator"] is not None or leaves_out,
                counted=texts["numerator"] is not None,
                value=texts["value"] is not None,
                weight=texts["weight"] is not None,
                history=texts["complete"] is not None,
                leaves_out=leaves_out,
            )
            slot.measures[signature] = (measure, request)
        slot.members[index] = signature
        if request.breakdown is not None:
            given.append(request.breakdown.sql)
        slot.child_columns |= set().union(*(_child_columns(t) for t in given))
    return list(slots.values())


def _compatible(definitions: dict[str, tuple], slot: _Slot) -> bool:
    return all(definitions.get(name, what) == what for name, what in slot.definitions.items())


# DuckDB's planning (its optimizer above all) grows faster than a query: the whole catalogue's 44 slots in one
# query took 1.7 s of CPU on the synthetic Walsall, in queries of about 8 slots 0.9 s (benchmarks/README.md).
SLOTS_PER_QUERY = 8


def _batches(slots: Sequence[_Slot]) -> list[list[_Slot]]:
    """Slots in as few batches as their CTE names allow (first fit, in catalogue order), each then cut into
    queries of about SLOTS_PER_QUERY slots (_sized)."""
    batches: list[tuple[dict[str, tuple], list[_Slot]]] = []
    for slot in slots:
        for definitions, members in batches:
            if _compatible(definitions, slot):
                definitions.update(slot.definitions)
                members.append(slot)
                break
        else:
            batches.append((dict(slot.definitions), [slot]))
    return [sized for _, members in batches for sized in _sized(members)]


def _sized(slots: Sequence[_Slot]) -> list[list[_Slot]]:
    """The slots in queries of at most SLOTS_PER_QUERY slots, but the slots that read a population (directly or
    through another) always in one query, however many they are, so that no population is computed twice."""
    groups: list[tuple[set[str], list[_Slot]]] = []  # the populations read, and the slots reading them
    for slot in slots:
        names = {name for name, what in slot.definitions.items() if what[0] == "population"}
        joined = [group for group in groups if group[0] & names]
        groups = [group for group in groups if not group[0] & names]
        groups.append((names.union(*(g[0] for g in joined)), [s for g in joined for s in g[1]] + [slot]))
    out: list[list[_Slot]] = []
    for _, group in groups:
        if out and len(out[-1]) + len(group) <= SLOTS_PER_QUERY:
            out[-1].extend(group)
        else:
            out.append(list(group))
    return out


# --- writing a batch ------------------------------------------------------------------------------------


def _measure_trees(builder: ScopeBuilder) -> dict[str, exp.Expression | None]:
    return {
        name: None if sql is None else builder.fragment(sql)
        for name, sql in _texts(builder.indicator).items()
    }


def _col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table)


def _exact(value: exp.Expression) -> exp.Expression:
    """A weighted measure's value or weight (FTEs) as a decimal, so that its sum is exact: doubles summed in
    whatever order the threads finish gave an average caseload's 135.5 FTE as 135.49999999999994 in some runs,
    and so a figure of 135 or 136."""
    return exp.cast(exp.paren(value), exp.DataType.build("DECIMAL(38, 10)"))


def _flag(condition: exp.Expression) -> exp.Expression:
    return exp.Case().when(condition, exp.Literal.number(1)).else_(exp.Literal.number(0))


def _is_one(column: str) -> exp.Expression:
    return exp.EQ(this=_col(column, "s"), expression=exp.Literal.number(1))


def _when(column: str | None, then: exp.Expression) -> exp.Expression:
    """`then` on the rows flagged by `column` (all rows without one)."""
    if column is None:
        return then
    return exp.Case().when(_is_one(column), then)


def _fresh(name: str, taken: set[str]) -> str:
    chosen, n = name, 0
    while chosen in taken:
        n += 1
        chosen = f"{name}_{n}"
    taken.add(chosen)
    return chosen


class _Writer:
    """Writes one batch's tree; `relation(name)` gives the tree that reads an input relation."""

    def __init__(
        self,
        catalogue: Catalogue,
        slots: Sequence[_Slot],
        breakdown: bool,
        filtered: bool,
        distinct_loads: bool,
        per_child: bool,
        relation: Callable[[str], exp.Expression],
    ):
        self.catalogue = catalogue
        self.slots = slots
        self.breakdown = breakdown
        self.filtered = filtered
        self.distinct_loads = distinct_loads
        self.per_child = per_child
        self.relation = relation
        self.taken = {name for slot in slots for name in slot.definitions} | {fr.PERIODS_TABLE}
        self.days = _fresh("window_days", self.taken) if any(self._by_day(s) for s in slots) else None

    def scoped(self, slot: _Slot, measures: Sequence[tuple[Measure, Request]], spans: bool) -> exp.Select:
        builder = ScopeBuilder(self.catalogue, slot.request)
        u = fr.UNIT_ALIAS
        columns: list[exp.Expression] = [_col("period_id", "p"), _col("la_code", u), _col("child_id", u)]
        columns.append(_col("load_id", u))
        if self.breakdown:
            columns.append(exp.alias_(builder.breakdown_value(), "breakdown_value"))
        denominators = []
        for measure, request in measures:
            trees = _measure_trees(ScopeBuilder(self.catalogue, request))
            base = trees["denominator"]
            if base is not None:
                denominators.append(exp.paren(base.copy()))
            if measure.leaves_out:  # a flagged row is out of every measure, and counted
                flagged = exp.column("la_code", table=FLAGGED).is_(exp.null()).not_()
                out = flagged if base is None else exp.and_(exp.paren(base.copy()), flagged)
                columns.append(exp.alias_(_flag(out), measure.column("o")))
                kept = exp.column("la_code", table=FLAGGED).is_(exp.null())
                base = kept if base is None else exp.and_(exp.paren(base), kept)
            if base is not None:
                columns.append(exp.alias_(_flag(exp.paren(base.copy())), measure.column("b")))
            if trees["numerator"] is not None:
                counted = exp.paren(trees["numerator"])
                if base is not None:
                    counted = exp.and_(exp.paren(base.copy()), counted)
                columns.append(exp.alias_(_flag(counted), measure.column("n")))
            if trees["value"] is not None:
                value = trees["value"] if trees["weight"] is None else _exact(trees["value"])
                columns.append(exp.alias_(value, measure.column("v")))
            if trees["weight"] is not None:
                columns.append(exp.alias_(_exact(trees["weight"]), measure.column("w")))
            if trees["complete"] is not None:  # 1 for a row whose look-back reaches before the loaded returns
                lacking = (
                    exp.Case().when(trees["complete"], exp.Literal.number(0)).else_(exp.Literal.number(1))
                )
                if base is not None:
                    lacking = exp.Case().when(exp.paren(base.copy()), lacking).else_(exp.Literal.number(0))
                columns.append(exp.alias_(lacking, measure.column("h")))
        if spans:  # the rows alone first: each child's spans are trimmed before they meet the windows
            columns = [c for c in columns if c.alias_or_name != "period_id"]
            columns += self._span_columns(slot, measures, columns)
        query = exp.select(*columns).from_(
            exp.to_table(builder.indicator.population or "").as_(u), copy=False
        )
        periods = exp.to_table(fr.PERIODS_TABLE).as_("p")
        if builder.population.per_period:
            on = exp.EQ(this=_col("period_id", u), expression=_col("period_id", "p"))
            query = query.join(periods, on=on, copy=False)
        elif self.days is not None and self._by_day(slot):
            day = exp.EQ(this=_col("day", "p"), expression=_col(slot.request.indicator.event_date or "", u))
            query = query.join(exp.to_table(self.days).as_("p"), on=day, copy=False)
        elif not spans:
            query = query.join(periods, join_type="cross", copy=False)
        if slot.request.indicator.leaves_out:
            keys = [exp.EQ(this=_col(c, FLAGGED), expression=_col(c, u)) for c in FLAG_KEY]
            query = query.join(
                builder.flagged().subquery(FLAGGED), on=exp.and_(*keys), join_type="left", copy=False
            )
        if slot.child_columns:
            on = exp.and_(
                exp.EQ(this=_col("la_code", fr.CHILD_ALIAS), expression=_col("la_code", u)),
                exp.EQ(this=_col("child_id", fr.CHILD_ALIAS), expression=_col("child_id", u)),
            )
            query = query.join(
                exp.to_table("children").as_(fr.CHILD_ALIAS), on=on, join_type="left", copy=False
            )
        window = None if self._by_day(slot) or spans else builder.window()
        conditions = [c for c in (window,) if c is not None]
        if self.filtered:
            las = exp.select("la_code").from_(self.relation(LAS), copy=False)
            conditions.append(_col("la_code", u).isin(query=las))
        if denominators and len(denominators) == len(measures):  # no row outside every denominator is counted
            conditions.append(exp.paren(exp.or_(*denominators)))
        query = query.where(exp.and_(*conditions), copy=False) if conditions else query
        return self._windowed_spans(query, [m for m, _ in measures]) if spans else query

    def _spans(self, slot: _Slot) -> bool:
        """A stock slot counting children whose every measure is the same at every window (no fragment reads
        the window's dates, no breakdown): its children are counted from each child's spans trimmed so that
        none overlaps another of the child's (_span_columns), one row per child and window, where grouping the
        rows x windows per child was a quarter of the national CIN query (benchmarks/README.md, issue 18
        session 7). Its window function costs more than that grouping on small stores (0.01 s)."""
        ind = slot.request.indicator
        per_period = self.catalogue.population(ind.population or "").per_period
        if ind.open_at_end is None or self.breakdown or per_period:
            return False
        if not any(measure.children for measure, _ in slot.measures.values()):
            return False
        texts = [t for _, r in slot.measures.values() for t in _texts(r.indicator).values() if t is not None]
        return not any(_placeholders(t) & fr.PERIOD_PLACEHOLDERS for t in texts)

    def _span_columns(
        self, slot: _Slot, measures: Sequence[tuple[Measure, Request]], columns: Sequence[exp.Expression]
    ) -> list[exp.Expression]:
        """The row's span, and for each children measure and flag (base, counted) the latest end of the child's
        flagged spans that start before this one (in start order): the row is the child's one row at a window
        end that its span covers if no earlier span reaches past that day (_windowed_spans). A row's span
        trimmed to begin at that latest end, these trimmed spans of a child never overlap and cover what its
        spans cover, so each child open at a window end is counted once, without grouping per child."""
        interval = slot.request.indicator.open_at_end
        assert interval is not None
        start, end = _col(interval.start, fr.UNIT_ALIAS), _col(interval.end, fr.UNIT_ALIAS)
        flags = {c.alias: c.this for c in columns if isinstance(c, exp.Alias)}
        out: list[exp.Expression] = [exp.alias_(start, SPAN_START), exp.alias_(end, SPAN_END)]
        for measure, _ in measures:
            if not measure.children:
                continue
            for flag, latest in self._span_flags(measure):
                condition = (
                    exp.true()
                    if flag is None
                    else exp.EQ(this=exp.paren(flags[flag].copy()), expression=exp.Literal.number(1))
                )
                out.append(exp.alias_(fill(_LATEST_END, flag=condition, start=start, end=end), latest))
        return out

    @staticmethod
    def _span_flags(m: Measure) -> list[tuple[str | None, str]]:
        """(the flag column, or None for every row; the column of its latest earlier end) for BASE and, when
        it has its own flag, COUNTED."""
        base = m.column("b") if m.filtered else None
        out = [(base, m.column("lb"))]
        if m.counted:
            out.append((m.column("n"), m.column("ln")))
        return out

    def _windowed_spans(self, rows: exp.Select, measures: Sequence[Measure]) -> exp.Select:
        """The rows in each window their span is open at the end of, each children measure's flags joined by
        its first-row flags (`fb`, `fn`): 1 on the one row that counts its child at that window."""
        s = "s"
        latest = {name for m in measures if m.children for _, name in self._span_flags(m)}
        kept = [
            c.alias_or_name
            for c in rows.expressions
            if c.alias_or_name not in {SPAN_START, SPAN_END, *latest}
        ]
        columns: list[exp.Expression] = [_col("period_id", "p"), *(_col(n, s) for n in kept)]
        day = _col("period_end", "p")
        for m in measures:
            if not m.children:
                continue
            for (flag, reach), first in zip(self._span_flags(m), ("fb", "fn"), strict=False):
                conditions = [_col("child_id", s).is_(exp.null()).not_()]
                if flag is not None:
                    conditions.append(exp.EQ(this=_col(flag, s), expression=exp.Literal.number(1)))
                earlier = _col(reach, s)
                reached = exp.or_(
                    earlier.is_(exp.null()), exp.LTE(this=earlier.copy(), expression=day.copy())
                )
                conditions.append(exp.paren(reached))
                columns.append(exp.alias_(_flag(exp.and_(*conditions)), m.column(first)))
        open_at = exp.Anonymous(this="open_at", expressions=[_col(SPAN_START, s), _col(SPAN_END, s), day])
        return (
            exp.select(*columns)
            .from_(rows.subquery(s), copy=False)
            .join(exp.to_table(fr.PERIODS_TABLE).as_("p"), on=expand_macros(open_at), copy=False)
        )

    def _by_day(self, slot: _Slot) -> bool:
        """A slot whose rows are in the windows their event's date falls in: joined to the windows' days on that
        date (a hash join on a table of a few thousand days), where a join on the range sorted every row."""
        return (
            slot.request.indicator.event_date is not None
            and not self.catalogue.population(slot.request.indicator.population or "").per_period
        )

    def days_of_windows(self) -> exp.Select:
        """Each window's columns once for each of its days (`day`)."""
        w = "w"
        days = exp.GenerateDateArray(
            start=_col("period_start", w),
            end=_col("period_end", w),
            step=exp.Interval(this=exp.Literal.string("1"), unit=exp.var("DAY")),
        )
        return exp.select(
            *(_col(c, w) for c in PERIOD_COLUMNS), exp.alias_(exp.Explode(this=days), "day")
        ).from_(exp.to_table(fr.PERIODS_TABLE).as_(w), copy=False)

    def aggregate(self, scoped: str, measures: Sequence[Measure], spans: bool = False) -> exp.Select:
        """Each measure's aggregates per LA, window (and breakdown value). Where a measure counts children the
        rows are first grouped per child, so that every count of children is a plain one: with per_child (Spark,
        which computes several COUNT(DISTINCT ...) by copying each row once per distinct expression) the loads
        are collected apart (_per_child_then_loads); otherwise (DuckDB) the same grouping also groups the rows per load
        (_per_child_and_load). A slot of spans (_spans) has one row per child flagged, so it is summed."""
        keys = ["la_code", "period_id", *(["breakdown_value"] if self.breakdown else [])]
        if spans or not any(m.children for m in measures):
            columns = [_col(k, "s") for k in keys]
            for m in measures:
                columns += [exp.alias_(tree, m.column(name)) for name, tree in self._plain(m, spans=spans)]
            return self._grouped(exp.to_table(scoped).as_("s"), keys, columns)
        if not self.per_child:
            return self._per_child_and_load(scoped, keys, measures)
        return self._per_child_then_loads(scoped, keys, measures)

    def _per_child_then_loads(
        self, scoped: str, keys: Sequence[str], measures: Sequence[Measure]
    ) -> exp.Select:
        """Children counted per child with plain aggregates (COUNT, MAX: Spark's generated hash aggregation), and
        each measure's loads collected apart, per LA and window, straight from the rows, the two joined on those
        keys. A set of loads per child made Spark's aggregates per child ObjectHashAggregates over millions of
        groups, which fall back to sorting and spill (benchmarks/README.md, issue 18 item 5)."""
        inner = [_col(k, "s") for k in [*keys, "child_id"]]
        outer: list[exp.Expression] = [_col(k, "s") for k in keys]
        loads: list[exp.Expression] = [_col(k, "s") for k in keys]
        taken: list[exp.Expression] = [_col(k, "c") for k in keys]
        for m in measures:
            written = self._plain(m, per_child=True)
            inner += [exp.alias_(tree, m.column(name)) for name, tree in written]
            flags = {name for name, _ in written}
            for name, tree in self._plain(m):
                if name == LOADS:  # the loads of the rows in the denominator, as in _plain
                    loads.append(exp.alias_(tree, m.column(LOADS)))
                    taken.append(_col(m.column(LOADS), "l"))
                    continue
                outer.append(exp.alias_(self._of_children(m, name, flags), m.column(name)))
                taken.append(_col(m.column(name), "c"))
        per_child = self._grouped(exp.to_table(scoped).as_("s"), [*keys, "child_id"], inner)
        counted = self._grouped(per_child.subquery("s"), keys, outer)
        loaded = self._grouped(exp.to_table(scoped).as_("s"), keys, loads)
        on = [  # a breakdown's value may be null; a group without an LA or window is in no result
            (exp.NullSafeEQ if k == "breakdown_value" else exp.EQ)(this=_col(k, "c"), expression=_col(k, "l"))
            for k in keys
        ]
        return (
            exp.select(*taken)
            .from_(counted.subquery("c"), copy=False)
            .join(loaded.subquery("l"), on=exp.and_(*on), copy=False)
        )

    def _per_child_and_load(
        self, scoped: str, keys: Sequence[str], measures: Sequence[Measure]
    ) -> exp.Select:
        """The rows grouped in one pass by two grouping sets, per child and per load (BY_LOAD tells which), then
        per LA and window: counts of children from the first, the loads from the second. DuckDB computes each
        COUNT(DISTINCT ...) and LIST(DISTINCT ...) with a hash table of its own over every row: a stock of
        children (cin_count: 7 million referral x quarter-end rows nationally) built two such tables of
        children, where this builds one (benchmarks/README.md, issue 18 session 6)."""
        inner: list[exp.Expression] = [_col(k, "s") for k in [*keys, "child_id", "load_id"]]
        inner.append(exp.alias_(exp.Grouping(expressions=[_col("child_id", "s")]), BY_LOAD))
        outer: list[exp.Expression] = [_col(k, "s") for k in keys]
        per_child = exp.EQ(this=_col(BY_LOAD, "s"), expression=exp.Literal.number(0))
        for m in measures:
            written = self._plain(m, per_child=True)
            inner += [exp.alias_(tree, m.column(name)) for name, tree in written]
            flags = {name for name, _ in written}
            if m.filtered and BASE not in flags:  # a load's rows in the denominator, for its loads
                inner.append(exp.alias_(exp.Max(this=_col(m.column("b"), "s")), m.column(BASE)))
            for name, _ in self._plain(m):
                if name == LOADS:
                    outer.append(exp.alias_(self._loads_listed(m), m.column(LOADS)))
                    continue
                tree = self._of_children(m, name, flags)
                if not isinstance(tree, exp.Literal):
                    tree = exp.Filter(this=tree, expression=exp.Where(this=per_child.copy()))
                outer.append(exp.alias_(tree, m.column(name)))
        sets = [exp.Tuple(expressions=[_col(k, "s") for k in [*keys, by]]) for by in ("child_id", "load_id")]
        grouped = exp.select(*inner).from_(exp.to_table(scoped).as_("s"), copy=False)
        grouped.set("group", exp.Group(expressions=[exp.GroupingSets(expressions=sets)]))
        return self._grouped(grouped.subquery("s"), keys, outer)

    @staticmethod
    def _loads_listed(m: Measure) -> exp.Expression:
        """The loads of a measure's rows (in its denominator), from the rows grouped per load."""
        load = _col("load_id", "s")
        conditions = [
            exp.EQ(this=_col(BY_LOAD, "s"), expression=exp.Literal.number(1)),
            load.is_(exp.null()).not_(),
        ]
        if m.filtered:
            conditions.append(_is_one(m.column(BASE)))
        return exp.Filter(
            this=exp.ArrayAgg(this=load.copy()), expression=exp.Where(this=exp.and_(*conditions))
        )

    @staticmethod
    def _grouped(source: exp.Expression, keys: Sequence[str], columns: list[exp.Expression]) -> exp.Select:
        return (
            exp.select(*columns).from_(source, copy=False).group_by(*(_col(k, "s") for k in keys), copy=False)
        )

    def _plain(
        self, m: Measure, per_child: bool = False, spans: bool = False
    ) -> list[tuple[str, exp.Expression]]:
        """A measure's aggregates over the scoped rows: per LA and window, or (per_child) per child of them,
        where a child counts in BASE and COUNTED if any of its rows is flagged (the largest flag is 1); with
        spans, a child counts on the one row flagged first (`fb`, `fn`: _windowed_spans)."""
        base = m.column("b") if m.filtered else None
        counted = m.column("n") if m.counted else base
        rows = exp.Count(this=exp.Star()) if base is None else exp.Sum(this=_col(base, "s"))
        out: list[tuple[str, exp.Expression]] = [(ROWS, rows)]
        if m.children:
            child = _col("child_id", "s")
            if spans:
                first = exp.Sum(this=_col(m.column("fb"), "s"))
                out.append((BASE, first))
                out.append((COUNTED, exp.Sum(this=_col(m.column("fn"), "s")) if m.counted else first.copy()))
            elif per_child:  # only where the flag is written: an unfiltered measure counts every child
                out += [(BASE, exp.Max(this=_col(base, "s")))] if base else []
                out += [(COUNTED, exp.Max(this=_col(counted, "s")))] if counted else []
            else:
                out.append((BASE, exp.Count(this=exp.Distinct(expressions=[_when(base, child)]))))
                out.append(
                    (COUNTED, exp.Count(this=exp.Distinct(expressions=[_when(counted, child.copy())])))
                )
        else:
            out.append((COUNTED, rows.copy() if counted is None else exp.Sum(this=_col(counted, "s"))))
        if m.value:
            out.append((TOTAL, exp.Sum(this=_when(counted, _col(m.column("v"), "s")))))
        if m.weight:
            weight = _col(m.column("w"), "s")
            out.append((WEIGHTS, exp.Sum(this=_when(base, weight))))
            out.append((WEIGHTS_COUNTED, exp.Sum(this=_when(counted, weight.copy()))))
        if m.leaves_out:
            out.append((LEFT_OUT, exp.Sum(this=_col(m.column("o"), "s"))))
        out.append((MISSING, exp.Sum(this=_col(m.column("h"), "s")) if m.history else exp.Literal.number(0)))
        # per child, the loads are collected apart (_per_child_and_load, _per_child_then_loads)
        if not per_child:
            loads = _when(base, _col("load_id", "s"))
            out.append(
                (LOADS, exp.ArrayUniqueAgg(this=loads) if self.distinct_loads else exp.ArrayAgg(this=loads))
            )
        return out

    def _of_children(self, m: Measure, name: str, written: set[str]) -> exp.Expression:
        """The aggregate `name` of a measure over its per-child aggregates (`written`, from _plain with
        per_child): a child counts where its largest flag is 1, or always where there is no flag; a measure
        counting records sums its records' counts."""
        column = _col(m.column(name), "s")
        if m.children and name in (BASE, COUNTED):
            return exp.Count(this=_when(m.column(name) if name in written else None, _col("child_id", "s")))
        if name == MISSING and not m.history:
            return exp.Literal.number(0)
        return exp.Sum(this=column)

    def frame(self, aggregates: Sequence[str]) -> exp.Expression:
        if not self.breakdown:
            null = exp.cast(exp.null(), exp.DataType.build("VARCHAR"))
            return exp.select("la_code", exp.alias_(null, "breakdown_value")).from_(
                self.relation(LAS), copy=False
            )
        selects = [exp.select("la_code", "breakdown_value").from_(name) for name in aggregates]
        union: exp.Expression = selects[0]
        for select in selects[1:]:
            union = exp.union(union, select, distinct=True)
        return (
            exp.select("la_code", "breakdown_value")
            .distinct()
            .from_(exp.paren(union).as_("keys"), copy=False)
        )

    def tree(self) -> tuple[exp.Select, dict[int, Measure]]:
        ctes: list[tuple[str, exp.Expression]] = [
            (fr.PERIODS_TABLE, exp.select(*PERIOD_COLUMNS).from_(self.relation(WINDOWS), copy=False))
        ]
        if self.days is not None:
            ctes.append((self.days, self.days_of_windows()))
        written: set[str] = set()
        by_request: dict[int, Measure] = {}
        outputs: list[exp.Expression] = []
        joins: list[tuple[str, str]] = []
        count = 0
        for slot in self.slots:
            for name, tree in population_ctes(self.catalogue, slot.request):
                if name not in written:
                    written.add(name)
                    ctes.append((name, tree))
            named: dict[tuple, tuple[Measure, Request]] = {}
            for signature, (measure, request) in slot.measures.items():
                named[signature] = (dataclasses.replace(measure, name=f"m{count}"), request)
                count += 1
            by_request.update({index: named[signature][0] for index, signature in slot.members.items()})
            measures = list(named.values())
            scoped, agg = _fresh("scoped", self.taken), _fresh("agg", self.taken)
            spans = self._spans(slot)
            ctes.append((scoped, self.scoped(slot, measures, spans)))
            ctes.append((agg, self.aggregate(scoped, [m for m, _ in measures], spans)))
            alias = f"a{len(joins)}"
            joins.append((agg, alias))
            for measure, _ in measures:
                for aggregate in measure.aggregates():
                    column = _col(measure.column(aggregate), alias)
                    outputs.append(exp.alias_(exp.Coalesce(this=column, expressions=[exp.Literal.number(0)]),
                                              measure.column(aggregate)))  # fmt: skip
                outputs.append(exp.alias_(_col(measure.column(LOADS), alias), measure.column(LOADS)))
        frame = _fresh("frame", self.taken)
        ctes.append((frame, self.frame([name for name, _ in joins])))
        query = (
            exp.select(_col("la_code", "f"), _col("period_id", "p"), _col("breakdown_value", "f"), *outputs)
            .from_(exp.to_table(frame).as_("f"), copy=False)
            .join(exp.to_table(fr.PERIODS_TABLE).as_("p"), join_type="cross", copy=False)
        )
        for agg, alias in joins:
            on = [
                exp.EQ(this=_col("la_code", alias), expression=_col("la_code", "f")),
                exp.EQ(this=_col("period_id", alias), expression=_col("period_id", "p")),
            ]
            if self.breakdown:
                on.append(
                    exp.NullSafeEQ(
                        this=_col("breakdown_value", alias), expression=_col("breakdown_value", "f")
                    )
                )
            query = query.join(exp.to_table(agg).as_(alias), on=exp.and_(*on), join_type="left", copy=False)
        for name, cte in ctes:
            query = query.with_(name, as_=cte, copy=False)
        return query, by_request


def _table(name: str) -> exp.Expression:
    return exp.to_table(name)


def batch_trees(
    catalogue: Catalogue,
    requests: Sequence[Request],
    *,
    filtered: bool,
    distinct_loads: bool = True,
    per_child: bool = False,
    relation: Callable[[str], exp.Expression] = _table,
) -> list[tuple[exp.Select, dict[int, Measure]]]:
    """Each batch's tree and, for each request (by position), the measure that holds its aggregates; per_child
    counts children per child first (_Writer.aggregate), for an engine whose COUNT(DISTINCT) copies rows."""
    breakdown = any(r.breakdown is not None for r in requests)
    out = []
    for slots in _batches(_slots(catalogue, requests)):
        out.append(_Writer(catalogue, slots, breakdown, filtered, distinct_loads, per_child, relation).tree())
    return out


# --- the cache ------------------------------------------------------------------------------------------


class _Plans:
    """Batches by (catalogue, indicators and options, breakdown, engine): building them is most of a warm call's
    Python time, and nothing in them depends on the periods or LAs asked for."""

    def __init__(self, size: int = 64):
        self.size = size
        self._items: OrderedDict[Hashable, tuple[Catalogue, tuple[Batch, ...]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self, key: Hashable, catalogue: Catalogue, make: Callable[[], tuple[Batch, ...]]
    ) -> tuple[Batch, ...]:
        with self._lock:
            found = self._items.get(key)
            if found is not None and found[0] is catalogue:
                self._items.move_to_end(key)
                return found[1]
        batches = make()
        with self._lock:
            self._items[key] = (catalogue, batches)  # the catalogue kept alive: its id stays its own
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return batches

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


PLANS = _Plans()


def _options_key(request: Request) -> tuple:
    return tuple(sorted((name, type(value).__name__, value) for name, value in request.options.items()))


def plan(
    catalogue: Catalogue,
    requests: Sequence[Request],
    *,
    dialect: str,
    write: Callable[[exp.Expression], str],
    filtered: bool,
    distinct_loads: bool,
    per_child: bool = False,
) -> tuple[Batch, ...]:
    """The batches for these requests: built once per process, and kept on disk between processes by the
    catalogue's files, the engine's source and the requests (disk_cache.py)."""
    asked = (
        dialect,
        filtered,
        distinct_loads,
        per_child,
        tuple((r.indicator.id, r.breakdown_name, _options_key(r)) for r in requests),
    )

    def make() -> tuple[Batch, ...]:
        batches = []
        for tree, measures in batch_trees(
            catalogue, requests, filtered=filtered, distinct_loads=distinct_loads, per_child=per_child
        ):
            tables = tuple(sorted(fr.referenced_tables(tree) - {WINDOWS, LAS}))
            batches.append(Batch(write(tree), tables, measures))
        return tuple(batches)

    def made_or_kept() -> tuple[Batch, ...]:
        if not catalogue.fingerprint:  # a catalogue not read from files: nothing to name it by
            return make()
        name = disk_cache.key(
            catalogue.fingerprint,
            disk_cache.code_digest("engine", "catalogue", "sources", "periods.py"),
            asked,
        )
        return disk_cache.get("queries", name, make)

    return PLANS.get((id(catalogue), asked), catalogue, made_or_kept)


__all__ = [
    "LAS",
    "LEFT_OUT",
    "PLANS",
    "WINDOWS",
    "WINDOW_TYPES",
    "Batch",
    "Measure",
    "batch_trees",
    "plan",
]
