"""Queries built as SQLGlot expression trees from the catalogue: one query per indicator, every period and LA.

Shape of a results query (DuckDB dialect; the same tree transpiles to Spark):

    WITH periods AS (VALUES ...),                 -- one row per window, with its population year
         <populations the indicator reads>,       -- the catalogue's SQL, macros expanded, options bound
         scoped AS (...),                         -- population rows x windows they fall in, with flags
         agg,
         covered AS (VALUES ...),                 -- each LA and window, and whether its returns cover it
         frame, period_population
    SELECT la_code, period_id, breakdown_value, covered, numerator, denominator, value, load_ids, ...

Coverage is decided in Python (engine/coverage.py, from the returns loaded) and enters as values: a window the
returns do not cover, or a row whose history is not loaded (`history.complete_when`), gives NULL measures.

A row the store's quality rules flagged with a rule the indicator `leaves_out` (an assessment authorised before
it started, in a timeliness figure) is in `scoped` with left_out = 1: it is left out of the measures, and
counted (`left_out`) for the figure's notes.

Values never enter as text: dates, LA codes and option values are literals in the tree, and catalogue fragments
are parsed once and grafted in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlglot import exp

from ..catalogue import fragments as fr
from ..catalogue.models import Breakdown, Catalogue, Indicator, OptionValue
from ..periods import Period, add_years, parse_financial_year
from ..store.quality import all_rules
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
    known = {rule.id for rule in all_rules()}
    return [rule for rule in indicator.leaves_out if rule not in known]


def _left_out_count() -> exp.Select:
    return _sql(
        "SELECT s.la_code, s.period_id, s.breakdown_value, COUNT(*) AS left_out FROM scoped AS s "
        "WHERE s.left_out = 1 GROUP BY s.la_code, s.period_id, s.breakdown_value"
    )


def _aggregate(indicator: Indicator, distinct_loads: bool) -> exp.Select:
    complete = indicator.history.complete_when if indicator.history else None
    lacking = "SUM(s.history_missing)" if complete is not None else "CAST(0 AS BIGINT)"
    if indicator.count == "children":
        base = "COUNT(DISTINCT s.child_id)"
        counted = "COUNT(DISTINCT CASE WHEN s.in_numerator = 1 THEN s.child_id END)"
    else:
        base, counted = "COUNT(*)", "SUM(s.in_numerator)"
    query = (
        exp.select(
            "s.la_code",
            "s.period_id",
            "s.breakdown_value",
            _alias(_sql(base), "base_count"),
            _alias(_sql(counted), "numerator_count"),
            _alias(_sql("SUM(CASE WHEN s.in_numerator = 1 THEN s.measure_value END)"), "measure_total"),
            _alias(_sql("SUM(s.measure_weight)"), "weight_total"),
            _alias(_sql("SUM(CASE WHEN s.in_numerator = 1 THEN s.measure_weight END)"), "weight_counted"),
            _alias(_sql(lacking), "history_missing"),
            _alias(
                _sql("ARRAY_AGG(DISTINCT s.load_id)" if distinct_loads else "ARRAY_AGG(s.load_id)"),
                "load_ids",
            ),
        )
        .from_(exp.to_table("scoped").as_("s"), copy=False)
        .group_by("s.la_code", "s.period_id", "s.breakdown_value", copy=False)
    )
    return query.where("s.left_out = 0", copy=False) if indicator.leaves_out else query


def covered_cte(rows: Sequence[CoverageRow]) -> exp.Expression:
    """(la_code, period_id, covered) for each LA and window the query returns; an empty relation for none."""
    if not rows:
        return _sql(
            "SELECT CAST(NULL AS VARCHAR) AS la_code, CAST(NULL AS INT) AS period_id, FALSE AS covered WHERE FALSE"
        )
    values = [
        (exp.Literal.string(r.la_code), exp.Literal.number(r.period_id), exp.convert(r.covered)) for r in rows
    ]
    table = exp.values(values, alias="coverage_values", columns=["la_code", "period_id", "covered"])
    return exp.select("la_code", "period_id", "covered").from_(table, copy=False)


_PERIOD_POPULATION = """
SELECT chosen.la_code, chosen.period_id, chosen.population_year, r.population, r.source AS population_source
FROM (
  SELECT l.la_code, p.period_id, MAX(r.mid_year) AS population_year
  FROM (SELECT DISTINCT c.la_code FROM covered AS c) AS l CROSS JOIN periods AS p
  JOIN ref_population AS r ON r.la_code = l.la_code AND r.mid_year <= p.population_year
  GROUP BY l.la_code, p.period_id
) AS chosen
JOIN ref_population AS r ON r.la_code = chosen.la_code AND r.mid_year = chosen.population_year
"""


def _frame(request: Request) -> exp.Expression:
    if request.breakdown is None:
        return _sql("SELECT DISTINCT c.la_code, CAST(NULL AS VARCHAR) AS breakdown_value FROM covered AS c")
    return _sql("SELECT DISTINCT s.la_code, s.breakdown_value FROM scoped AS s")


def _ratio(numerator: exp.Expression, denominator: exp.Expression) -> exp.Expression:
    """CAST(numerator AS DOUBLE) / NULLIF(denominator, 0): DOUBLE on every engine, NULL for x / 0."""
    return exp.Div(
        this=exp.cast(numerator.copy(), exp.DataType.build("DOUBLE")),
        expression=exp.Nullif(this=denominator.copy(), expression=exp.Literal.number(0)),
    )


def _unit_measures(
    indicator: Indicator, annualise: bool
) -> tuple[exp.Expression, exp.Expression, exp.Expression]:
    """numerator, denominator and value by unit (see catalogue.models)."""
    counted = _sql("COALESCE(a.numerator_count, 0)")
    total = _sql("COALESCE(a.measure_total, 0)")
    if indicator.unit == "count":
        amount = total if indicator.value is not None else counted  # a total of value, or a count of rows
        return amount, _sql("CAST(NULL AS BIGINT)"), exp.cast(amount.copy(), exp.DataType.build("DOUBLE"))
    if indicator.unit == "percent":
        if indicator.weight is not None:  # weighted: total value of the numerator rows ÷ total weight of all
            weights = _sql("COALESCE(a.weight_total, 0)")
            return total, weights, exp.Mul(this=_ratio(total, weights), expression=exp.Literal.number(100))
        base = _sql("COALESCE(a.base_count, 0)")
        return counted, base, exp.Mul(this=_ratio(counted, base), expression=exp.Literal.number(100))
    if indicator.unit == "rate_per_10k":
        population = _sql("pp.population")
        value: exp.Expression = exp.Mul(
            this=_ratio(counted, population), expression=exp.Literal.number(10000)
        )
        if annualise:
            value = exp.Mul(this=value, expression=_col("annual_factor", "p"))
        return counted, population, value
    if indicator.unit == "average" and indicator.weight is not None:
        weights = _sql("COALESCE(a.weight_counted, 0)")
        return total, weights, _ratio(total, weights)
    return total, counted, _ratio(total, counted)  # days (and an unweighted average): the mean over the rows


def _measure_columns(request: Request) -> list[exp.Expression]:
    """The measures of a covered row; NULL for a window the LA's returns do not cover, or a row some of whose
    records reach back before the loaded returns."""
    measures = _unit_measures(request.indicator, bool(request.option("annualise")))
    known = _sql("c.covered AND COALESCE(a.history_missing, 0) = 0")
    return [
        _alias(exp.Case().when(known.copy(), measure), name)
        for name, measure in zip(("numerator", "denominator", "value"), measures, strict=True)
    ]


def results_query(catalogue: Catalogue, request: Request, distinct_loads: bool = True) -> exp.Select:
    """One row per (LA, window, breakdown value): numerator, denominator, value (NULL where not covered)."""
    indicator = request.indicator
    rate = indicator.unit == "rate_per_10k"
    query = (
        exp.select(
            "f.la_code",
            "p.period_id",
            "f.breakdown_value",
            "c.covered",
            *_measure_columns(request),
            _alias(_sql("COALESCE(a.history_missing, 0)"), "history_missing"),
            _alias(_sql("COALESCE(a.base_count, 0)"), "base_count"),
            _alias(
                _sql("COALESCE(lo.left_out, 0)" if indicator.leaves_out else "CAST(0 AS BIGINT)"), "left_out"
            ),
            "a.load_ids",
            _alias(_sql("pp.population_year") if rate else _sql("CAST(NULL AS INT)"), "population_year"),
            _alias(
                _sql("pp.population_source") if rate else _sql("CAST(NULL AS VARCHAR)"), "population_source"
            ),
        )
        .from_(exp.to_table("frame").as_("f"), copy=False)
        .join(exp.to_table("periods").as_("p"), join_type="cross", copy=False)
        .join(
            exp.to_table("covered").as_("c"),
            on="c.la_code = f.la_code AND c.period_id = p.period_id",
            copy=False,
        )
        .join(
            exp.to_table("agg").as_("a"),
            on="a.la_code = f.la_code AND a.period_id = p.period_id AND a.breakdown_value IS NOT DISTINCT FROM f.breakdown_value",
            join_type="left",
            copy=False,
        )
        .order_by("f.la_code", "p.period_id", "f.breakdown_value", copy=False)
    )
    if indicator.leaves_out:
        query = query.join(
            exp.to_table("left_out_count").as_("lo"),
            on="lo.la_code = f.la_code AND lo.period_id = p.period_id "
            "AND lo.breakdown_value IS NOT DISTINCT FROM f.breakdown_value",
            join_type="left",
            copy=False,
        )
    if rate:
        query = query.join(
            exp.to_table("period_population").as_("pp"),
            on="pp.la_code = f.la_code AND pp.period_id = p.period_id",
            join_type="left",
            copy=False,
        )
    ctes = [
        *_common_ctes(catalogue, request),
        ("agg", _aggregate(indicator, distinct_loads)),
        *([("left_out_count", _left_out_count())] if indicator.leaves_out else []),
        ("covered", covered_cte(request.coverage)),
        ("frame", _frame(request)),
    ]
    if rate:
        ctes.append(("period_population", _sql(_PERIOD_POPULATION)))
    return _with(query, ctes)


def _common_ctes(catalogue: Catalogue, request: Request) -> list[tuple[str, exp.Expression]]:
    return [
        ("periods", periods_cte(request.rows)),
        *population_ctes(catalogue, request),
        ("scoped", ScopeBuilder(catalogue, request).select()),
    ]


def records_query(catalogue: Catalogue, request: Request) -> exp.Select:
    """Every population row in the window with its flags and columns: what the numerator and denominator count."""
    ctes = [
        ("periods", periods_cte(request.rows)),
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
    "PeriodRow",
    "Request",
    "ScopeBuilder",
    "covered_cte",
    "period_rows",
    "records_query",
    "results_query",
    "unknown_rules",
]
