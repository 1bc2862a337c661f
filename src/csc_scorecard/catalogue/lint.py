"""Portable-SQL lint: the catalogue is DuckDB-dialect SQL that must also run on Spark (stack notes §2).

Every fragment is parsed with sqlglot and these are refused:
- GROUP BY ALL, ASOF joins, QUALIFY: not portable (Spark rejects or Postgres differs);
- date_sub, and date_diff/datediff in years, quarters or months: DuckDB and Spark disagree (14 vs 13 years);
  use the age_in_years / add_years / add_months macros;
- INTERVAL arithmetic and date_trunc: DuckDB gives a TIMESTAMP where Spark gives a DATE; use the macros;
- a division whose dividend or result is not CAST(... AS DOUBLE): Spark types `100.0 * x / n` as DECIMAL;
- integer division `//`;
- a macro called with the wrong number of arguments;
- anything sqlglot cannot write in the Spark dialect;
- two CTEs of the same name in one indicator's query, counting the WITHs inside its populations, and a WITH named
  like a store table: sqlglot writes every WITH of a query at its top for Spark, where a repeated name is an
  error (DUPLICATED_CTE_NAMES) and a table's name would hide the table from the rest of the query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlglot
from sqlglot import exp

from . import fragments as fr
from .checks import STORE_TABLES

if TYPE_CHECKING:
    from .models import Catalogue

_CALENDAR_UNITS = {"YEAR", "YEARS", "YY", "YYYY", "MONTH", "MONTHS", "MM", "MON", "QUARTER", "QUARTERS", "Q"}


@dataclass(frozen=True)
class LintIssue:
    where: str  # "front_door.yaml: indicator re_referrals_12m_pct: numerator"
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.rule}: {self.message}"


def _is_double_cast(node: exp.Expression | None) -> bool:
    return isinstance(node, exp.Cast) and node.to.is_type(exp.DataType.Type.DOUBLE)


def _unit(node: exp.Expression) -> str:
    unit = node.args.get("unit")
    return unit.name.upper() if unit is not None else ""


def _function_name(node: exp.Expression) -> str:
    return node.name.lower() if isinstance(node, exp.Anonymous) else node.sql_name().lower()


def _node_issues(node: exp.Expression) -> list[tuple[str, str]]:
    issues: list[tuple[str, str]] = []
    for group in node.find_all(exp.Group):
        if group.args.get("all"):
            issues.append(("group_by_all", "GROUP BY ALL: name the grouping columns"))
    for join in node.find_all(exp.Join):
        if "ASOF" in str(join.args.get("method") or "").upper():
            issues.append(("asof", "ASOF JOIN is not portable: use a validity-interval join"))
    if any(True for _ in node.find_all(exp.Qualify)):
        issues.append(("qualify", "QUALIFY is not portable: filter a subquery on the window column"))
    for func in node.find_all(exp.Anonymous, exp.DateSub):
        if _function_name(func) in ("date_sub", "datesub") or isinstance(func, exp.DateSub):
            issues.append(
                ("date_sub", "date_sub is emitted unchanged and Spark rejects it: use add_years/add_months")
            )
    for func in node.find_all(exp.DateDiff):
        if _unit(func) in _CALENDAR_UNITS:
            issues.append(
                ("calendar_date_diff", "date_diff in years/months differs between engines: use age_in_years")
            )
    for func in node.find_all(exp.Anonymous):
        if _function_name(func) in ("datediff", "date_diff"):
            issues.append(
                ("calendar_date_diff", "unrecognised date_diff form: use days_between or the macros")
            )
    if any(not isinstance(i.parent, exp.GenerateDateArray) for i in node.find_all(exp.Interval)):  # dates
        issues.append(("interval", "date + INTERVAL is a TIMESTAMP in DuckDB: use add_years/add_months"))
    if any(True for _ in node.find_all(exp.DateTrunc, exp.TimestampTrunc)):
        issues.append(("date_trunc", "date_trunc returns TIMESTAMP in DuckDB and DATE in Spark"))
    if any(True for _ in node.find_all(exp.IntDiv)):
        issues.append(("integer_division", "// is not portable: CAST to DOUBLE and FLOOR"))
    issues.extend(_ratio_issues(node))
    issues.extend(_macro_issues(node))
    return issues


def _ratio_issues(node: exp.Expression) -> list[tuple[str, str]]:
    issues = []
    for div in node.find_all(exp.Div):
        if not (_is_double_cast(div.this) or _is_double_cast(div.parent)):
            issues.append(("ratio_not_double", f"cast the dividend to DOUBLE: {div.sql(fr.DIALECT)}"))
    return issues


def _macro_issues(node: exp.Expression) -> list[tuple[str, str]]:
    issues = []
    for name, call in fr.macro_calls(node):
        macro = fr.MACROS[name]
        given = len(fr.macro_arguments(call))
        if given != len(macro.params):
            issues.append(
                (
                    "macro_arguments",
                    f"{name}({', '.join(macro.params)}) takes {len(macro.params)}, got {given}",
                )
            )
    return issues


def _spark_issues(node: exp.Expression) -> list[tuple[str, str]]:
    try:
        node.sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)
    except sqlglot.errors.UnsupportedError as error:
        return [("spark_transpile", str(error))]
    return []


def lint_expression(node: exp.Expression) -> list[tuple[str, str]]:
    """(rule, message) for each portability problem in a parsed fragment or a built query."""
    return _node_issues(node) + _spark_issues(node)


def lint_sql(sql: str) -> list[tuple[str, str]]:
    try:
        return lint_expression(fr.parse(sql))
    except fr.FragmentError as error:
        return [("parse", str(error))]


def _inner_ctes(sql: str) -> list[str]:
    return [cte.alias for cte in fr.parse_query(sql).find_all(exp.CTE)]


def _cte_owners(catalogue: Catalogue, population: str) -> dict[str, list[str]]:
    """Each CTE name of an indicator's query: who defines it (the engine, a population, a WITH inside one)."""
    owners: dict[str, list[str]] = {}
    for name in (fr.PERIODS_TABLE, *sorted(fr.ENGINE_CTES)):
        owners.setdefault(name, []).append("the engine")
    for name in catalogue.population_chain(population):
        owners.setdefault(name, []).append(f"population {name}")
        for inner in _inner_ctes(catalogue.population(name).sql):
            owners.setdefault(inner, []).append(f"a WITH in population {name}")
    return owners


def cte_issues(catalogue: Catalogue) -> list[LintIssue]:
    """The CTE names of each indicator's query are unique, and no WITH inside a population is named like a table."""
    issues = []
    for name, pop in catalogue.populations.items():
        for inner in sorted(set(_inner_ctes(pop.sql)) & STORE_TABLES):
            issues.append(
                LintIssue(
                    f"{catalogue.origin('population', name)}: sql",
                    "cte_hides_table",
                    f"the WITH {inner!r} has a store table's name; Spark takes every WITH to the top of the "
                    "query, where it would hide that table from the rest of the query: rename it",
                )
            )
    for indicator_id in catalogue.ids():
        population = catalogue.definition(indicator_id).population or ""
        for cte, owners in _cte_owners(catalogue, population).items():
            if len(owners) > 1:
                issues.append(
                    LintIssue(
                        catalogue.origin("indicator", indicator_id),
                        "duplicate_cte",
                        f"its query defines the CTE {cte!r} {len(owners)} times ({'; '.join(owners)}); Spark "
                        "takes every WITH to the top of the query and refuses a repeated name: rename one",
                    )
                )
    return issues


def lint_catalogue(catalogue: Catalogue) -> list[LintIssue]:
    """Lint every SQL text of a catalogue (populations, breakdowns, indicator fragments) and each indicator's CTEs."""
    issues: list[LintIssue] = []
    for where, sql in catalogue.sql_texts():
        issues.extend(LintIssue(where, rule, message) for rule, message in lint_sql(sql))
    return issues + cte_issues(catalogue)


__all__ = ["LintIssue", "cte_issues", "lint_catalogue", "lint_expression", "lint_sql"]
