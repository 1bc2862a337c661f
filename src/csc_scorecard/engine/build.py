"""The pieces of the engine's queries, built as SQLGlot expression trees from the catalogue: the windows, the
populations (the catalogue's SQL, macros expanded, options bound) and each indicator's rows in each window it
counts (`ScopeBuilder`). engine/batch.py puts them together, several indicators to a query; `records_query`
lists one indicator's records for drill-through.

Which windows the returns cover is decided in Python (engine/coverage.py, from the returns loaded): a window the
returns do not cover, or a row whose history is not loaded (`history.complete_when`), gives no figure.

A row the store's quality rules flagged with a rule the indicator `leaves_out` (an assessment authorised before
it started, in a timeliness figure) is left out of the indicator's measures and counted for its notes
(engine/batch.py); drill-through lists it in neither list.

Values never enter as text: dates, LA codes and option values are literals in the tree (or rows of a relation
given with the query), and catalogue fragments are parsed once and grafted in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlglot import exp

from ..catalogue import fragments as fr
from ..catalogue.models import Breakdown, Catalogue, Indicator, OptionValue
from ..periods import Period, add_years, parse_financial_year
from ..store.quality import rule_ids
from .coverage import CoverageRow
from .macros import bind, expand_macros

PERIOD_COLUMNS = ("period_id", "period_start", "period_end", "population_year", "annual_factor")


@dataclass(frozen=True)
class PeriodRow:
    """A window as the query sees it."""

    period_id: int
    period: Period
    population_year: int  # mid-year estimate for the financial year the window ends in
    annual_factor: float  # a year from the window start, over the window's length


def period_rows(periods: Sequence[Period]) -> list[PeriodRow]:
    rows = []
    for index, period in enumerate(periods):
        end_year = parse_financial_year(period.financial_year)
        a_year = (add_years(period.start, 1) - period.start).days
        rows.append(PeriodRow(index, period, end_year, a_year / period.days))
    return rows


@dataclass(frozen=True)
class Request:
    """One indicator over some windows: what a query computes."""

    indicator: Indicator  # as the engine runs it (catalogue.definition)
    periods: tuple[Period, ...]
    breakdown_name: str | None = None
    breakdown: Breakdown | None = None
    la_codes: tuple[str, ...] | None = None
    options: Mapping[str, OptionValue] = field(default_factory=dict)
    # Each LA and window the query returns, with what its returns lack (engine/coverage.py); none: no rows.
    coverage: tuple[CoverageRow, ...] = ()

    @property
    def rows(self) -> list[PeriodRow]:
        return period_rows(self.periods)

    def option(self, name: str) -> OptionValue | None:
        """The option's value for this request: the override, else the catalogue default."""
        if name in self.options:
            return self.options[name]
        spec = self.indicator.options.get(name)
        return spec.default if spec is not None else None


def _col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table)


def _date(day: dt.date) -> exp.Expression:
    return exp.cast(exp.Literal.string(day.isoformat()), exp.DataType.build("DATE"))


def _literal(value: OptionValue) -> exp.Expression:
    if isinstance(value, float):
        return exp.cast(exp.Literal.number(repr(value)), exp.DataType.build("DOUBLE"))
    return exp.convert(value)


def _alias(expression: exp.Expression, name: str) -> exp.Alias:
    return exp.alias_(expression, name)


def periods_cte(rows: Sequence[PeriodRow]) -> exp.Select:
    values = [
        (
            exp.Literal.number(r.period_id),
            _date(r.period.start),
            _date(r.period.end),
            exp.Literal.number(r.population_year),
            _literal(float(r.annual_factor)),
        )
        for r in rows
    ]
    table = exp.values(values, alias="window_values", columns=list(PERIOD_COLUMNS))
    return exp.select(*PERIOD_COLUMNS).from_(table, copy=False)


def qualify_unit_columns(node: exp.Expression) -> exp.Expression:
    """Unqualified columns of a fragment are the population's: name them u.<column>."""
    for column in fr.outer_columns(node):
        if not column.table:
            column.set("table", exp.to_identifier(fr.UNIT_ALIAS))
    return node


def option_values(request: Request) -> dict[str, exp.Expression]:
    """Each option's value as a literal tree, bound where a fragment reads `:<option>`."""
    return {name: _literal(request.option(name)) for name in request.indicator.options}


def population_ctes(catalogue: Catalogue, request: Request) -> list[tuple[str, exp.Expression]]:
    options = option_values(request)
    ctes = []
    for name in catalogue.population_chain(request.indicator.population or ""):
        query = fr.parse_query(catalogue.population(name).sql)
        ctes.append((name, expand_macros(bind(query, options))))
    return ctes


class ScopeBuilder:
    """The `scoped` CTE: each population row in each window it belongs to, with its flags."""

    def __init__(self, catalogue: Catalogue, request: Request):
        self.catalogue = catalogue
        self.request = request
        self.indicator = request.indicator
        self.population = catalogue.population(self.indicator.population or "")
        period = {n: _col(n, "p") for n in fr.PERIOD_PLACEHOLDERS}
        self.values = {**option_values(request), **period}

    def fragment(self, sql: str | exp.Expression) -> exp.Expression:
        node = fr.parse_expression(sql) if isinstance(sql, str) else sql
        return expand_macros(bind(qualify_unit_columns(node), self.values))

    def breakdown_date(self) -> exp.Expression:
        """The row's date for a breakdown, its columns named as the unit's (a breakdown's subquery has its own)."""
        ind = self.indicator
        if ind.breakdown_date is not None:
            return qualify_unit_columns(fr.parse_expression(ind.breakdown_date))
        if ind.event_date is not None:
            return exp.column(ind.event_date, table=fr.UNIT_ALIAS)
        return exp.Placeholder(this="period_end")

    def breakdown_value(self) -> exp.Expression:
        breakdown = self.request.breakdown
        if breakdown is None:
            return exp.cast(exp.null(), exp.DataType.build("VARCHAR"))
        node = bind(fr.parse_expression(breakdown.sql), {fr.BREAKDOWN_PLACEHOLDER: self.breakdown_date()})
        return self.fragment(node)

    def window(self) -> exp.Expression | None:
        ind = self.indicator
        if ind.event_date is not None:
            day = _col(ind.event_date, fr.UNIT_ALIAS)
            return exp.and_(day >= _col("period_start", "p"), day <= _col("period_end", "p"))
        if ind.open_at_end is not None:
            interval = [_col(ind.open_at_end.start, fr.UNIT_ALIAS), _col(ind.open_at_end.end, fr.UNIT_ALIAS)]
            return expand_macros(
                exp.Anonymous(this="open_at", expressions=[*interval, _col("period_end", "p")])
            )
        return None

    def child_columns(self) -> list[str]:
        """Columns of the children table the fragments and the breakdown read (joined only when needed)."""
        texts = [*self.indicator.fragments().values()]
        if self.request.breakdown is not None:
            texts.append(self.request.breakdown.sql)
        return sorted(set().union(*(fr.child_columns(fr.parse_expression(t)) for t in texts)))

    def conditions(self) -> list[exp.Expression]:
        conditions = [c for c in (self.window(),) if c is not None]
        if self.indicator.denominator is not None:
            conditions.append(exp.paren(self.fragment(self.indicator.denominator)))
        if self.request.la_codes is not None:
            codes = [exp.Literal.string(code) for code in self.request.la_codes]
            conditions.append(_col("la_code", fr.UNIT_ALIAS).isin(*codes))
        return conditions

    def measures(self) -> list[exp.Expression]:
        ind = self.indicator
        numerator = self.fragment(ind.numerator) if ind.numerator is not None else exp.true()
        flag = exp.Case().when(numerator, exp.Literal.number(1)).else_(exp.Literal.number(0))
        value = self.fragment(ind.value) if ind.value is not None else exp.null()
        weight = self.fragment(ind.weight) if ind.weight is not None else exp.null()
        measures = [
            _alias(self.breakdown_value(), "breakdown_value"),
            _alias(flag, "in_numerator"),
            _alias(value, "measure_value"),
            _alias(weight, "measure_weight"),
        ]
        complete = ind.history.complete_when if ind.history else None
        if complete is not None:  # 1 for a row whose look-back reaches before the loaded returns
            lacking = (
                exp.Case().when(self.fragment(complete), exp.Literal.number(0)).else_(exp.Literal.number(1))
            )
            measures.append(_alias(lacking, "history_missing"))
        if ind.leaves_out:
            measures.append(
                _alias(_sql(f"CASE WHEN {FLAGGED}.la_code IS NULL THEN 0 ELSE 1 END"), "left_out")
            )
        return measures

    def flagged(self) -> exp.Select:
        """The records flagged with a rule the indicator leaves out: (la_code, load_id, src_line) of each."""
        rules = [exp.Literal.string(rule) for rule in self.indicator.leaves_out]
        return (
            exp.select("q.la_code", "q.load_id", "q.src_line")
            .distinct()
            .from_(exp.to_table("quality_flags").as_("q"), copy=False)
            .where(_col("rule", "q").isin(*rules), copy=False)
        )

    def detail_columns(self) -> list[exp.Expression]:
        """Every population column and the child's columns the fragments read (for drill-through)."""
        skip = {fr.PERIOD_ID, *fr.REQUIRED_COLUMNS}
        columns: list[exp.Expression] = [
            _col(c, fr.UNIT_ALIAS) for c in self.population.columns if c not in skip
        ]
        return columns + [_alias(_col(c, fr.CHILD_ALIAS), f"child_{c}") for c in self.child_columns()]

    def select(self, detail: bool = False) -> exp.Select:
        u = fr.UNIT_ALIAS
        base = [_col("period_id", "p"), *(_col(c, u) for c in fr.REQUIRED_COLUMNS)]
        columns = base + self.measures() + (self.detail_columns() if detail else [])
        query = exp.select(*columns).from_(exp.to_table(self.indicator.population or "").as_(u), copy=False)
        periods = exp.to_table("periods").as_("p")
        if self.population.per_period:
            query = query.join(
                periods, on=exp.EQ(this=_col("period_id", u), expression=_col("period_id", "p")), copy=False
            )
        else:
            query = query.join(periods, join_type="cross", copy=False)
        if self.indicator.leaves_out:
            u_, f_ = fr.UNIT_ALIAS, FLAGGED
            query = query.join(
                self.flagged().subquery(FLAGGED),
                on=exp.and_(*(exp.EQ(this=_col(c, f_), expression=_col(c, u_)) for c in FLAG_KEY)),
                join_type="left",
                copy=False,
            )
        if self.child_columns():
            query = query.join(
                exp.to_table("children").as_(fr.CHILD_ALIAS),
                on=exp.and_(
                    exp.EQ(this=_col("la_code", fr.CHILD_ALIAS), expression=_col("la_code", u)),
                    exp.EQ(this=_col("child_id", fr.CHILD_ALIAS), expression=_col("child_id", u)),
                ),
                join_type="left",
                copy=False,
            )
        conditions = self.conditions()
        return query.where(exp.and_(*conditions), copy=False) if conditions else query


def _sql(text: str) -> exp.Expression:
    """A constant snippet of the engine's own SQL (never user input) as a tree."""
    return fr.parse(text)


FLAGGED = "flagged"  # alias of the flagged records joined to the population
FLAG_KEY = ("la_code", "load_id", "src_line")  # a canonical row: its load and line (its table by the rule)


def unknown_rules(indicator: Indicator) -> list[str]:
    known = rule_ids()
    return [rule for rule in indicator.leaves_out if rule not in known]


def results_query(
    catalogue: Catalogue, request: Request, distinct_loads: bool = True, per_child: bool = False
) -> exp.Select:
    """The query that computes one indicator's aggregates (engine/batch.py), with its windows and LAs written
    in as values: what `indicators --explain` shows, and what runs alone."""
    from .batch import LAS, WINDOWS, batch_trees  # batch builds on this module

    las = sorted({c.la_code for c in request.coverage} or set(request.la_codes or ()))
    relations = {WINDOWS: windows_values(request.rows), LAS: las_values(las)}
    ((tree, _),) = batch_trees(
        catalogue,
        [request],
        filtered=request.la_codes is not None,
        distinct_loads=distinct_loads,
        per_child=per_child,
        relation=lambda name: relations[name].copy(),
    )
    return tree


def windows_values(rows: Sequence[PeriodRow]) -> exp.Expression:
    return periods_cte(rows).subquery("windows")


def las_values(la_codes: Sequence[str]) -> exp.Expression:
    if not la_codes:
        return fr.parse("SELECT CAST(NULL AS VARCHAR) AS la_code WHERE FALSE").subquery("las")
    values = [(exp.Literal.string(code),) for code in la_codes]
    return exp.values(values, alias="las", columns=["la_code"])


def records_query(catalogue: Catalogue, request: Request) -> exp.Select:
    """Every population row in the window with its flags and columns: what the numerator and denominator count."""
    ctes = [
        (fr.PERIODS_TABLE, periods_cte(request.rows)),
        *population_ctes(catalogue, request),
        ("scoped", ScopeBuilder(catalogue, request).select(detail=True)),
    ]
    query = (
        exp.select("*")
        .from_("scoped", copy=False)
        .order_by("la_code", "child_id", "load_id", "src_line", copy=False)
    )
    return _with(query, ctes)


def _with(query: exp.Select, ctes: Sequence[tuple[str, exp.Expression]]) -> exp.Select:
    for name, cte in ctes:
        query = query.with_(name, as_=cte, copy=False)
    return query


__all__ = [
    "PERIOD_COLUMNS",
    "PeriodRow",
    "Request",
    "ScopeBuilder",
    "period_rows",
    "population_ctes",
    "records_query",
    "results_query",
    "unknown_rules",
]
