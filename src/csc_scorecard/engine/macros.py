"""The catalogue's macros, expanded into portable SQL expression trees.

Each expansion is a constant DuckDB-dialect template whose `:name` placeholders are replaced by the macro's
argument trees, so nothing is ever pasted into SQL text. The templates avoid what the engines disagree on: no
year/month date_diff, no DATE + INTERVAL left as a TIMESTAMP (every shifted date is CAST back to DATE).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlglot import exp

from ..catalogue import fragments as fr

# working_day_number counts working days up to and including each date; a non-working start rolls forward to
# the next working day, whose number is one more than its own.
_WORKING_DAYS = """
(SELECT max(cal.working_day_number) FROM ref_calendar AS cal WHERE cal.day = :end)
- (SELECT max(cal.working_day_number + CASE WHEN cal.is_working_day THEN 0 ELSE 1 END)
   FROM ref_calendar AS cal WHERE cal.day = :start)
"""
_AGE_IN_YEARS = """
year(:on_date) - year(:dob)
- CASE WHEN add_years(:dob, year(:on_date) - year(:dob)) > :on_date THEN 1 ELSE 0 END
"""
# Open (no end) as ending on the last day there is: two plain inequalities, which DuckDB joins to the windows with
# an IEJoin, where `end IS NULL OR end > day` left it a merge join on the start and a filter (5-7% of the national
# core set's CPU, benchmarks/README.md issue 18 session 6).
_OPEN_AT = "(:start <= :on_date AND coalesce(:end, CAST('9999-12-31' AS DATE)) > :on_date)"
_DAYS_BETWEEN = "date_diff('day', :start, :end)"


def bind(node: exp.Expression, values: Mapping[str, exp.Expression]) -> exp.Expression:
    """Replace `:name` placeholders by trees (a copy each time they occur); returns the new root."""

    def replace(current: exp.Expression) -> exp.Expression:
        if isinstance(current, exp.Placeholder) and current.name in values:
            return values[current.name].copy()
        return current

    return node.transform(replace, copy=False)


def fill(template: str, **arguments: exp.Expression) -> exp.Expression:
    """A constant template's tree with each `:name` replaced by a copy of the argument tree."""
    return bind(fr.parse(template), arguments)


def _shift_months(date: exp.Expression, months: exp.Expression) -> exp.Expression:
    shifted = exp.AddMonths(this=date.copy(), expression=months.copy())
    shifted.meta["expanded"] = True  # the engine's own add_months, not a macro call to expand again
    return exp.cast(shifted, exp.DataType.build("DATE"))


def _add_years(date: exp.Expression, years: exp.Expression) -> exp.Expression:
    return _shift_months(date, exp.Mul(this=exp.paren(years.copy()), expression=exp.Literal.number(12)))


_EXPANSIONS: dict[str, Callable[..., exp.Expression]] = {
    "working_days": lambda start, end: exp.paren(fill(_WORKING_DAYS, start=start, end=end)),
    "age_in_years": lambda dob, on_date: exp.paren(fill(_AGE_IN_YEARS, dob=dob, on_date=on_date)),
    "open_at": lambda start, end, on_date: fill(_OPEN_AT, start=start, end=end, on_date=on_date),
    "add_years": _add_years,
    "add_months": _shift_months,
    "days_between": lambda start, end: fill(_DAYS_BETWEEN, start=start, end=end),
}


def _innermost_call(node: exp.Expression) -> tuple[str, exp.Func] | None:
    """A macro call none of whose arguments calls a macro (so expansions compose inside out)."""
    for name, call in fr.macro_calls(node):
        nested = (fr.macro_name(inner) for arg in fr.macro_arguments(call) for inner in arg.walk())
        if not any(nested):
            return name, call
    return None


def expand_macros(node: exp.Expression) -> exp.Expression:
    """Expand every macro call in the tree (in place where possible); returns the new root."""
    while (found := _innermost_call(node)) is not None:
        name, call = found
        replacement = _EXPANSIONS[name](*fr.macro_arguments(call))
        if call is node:
            node = replacement
        else:
            call.replace(replacement)
    return node


__all__ = ["bind", "expand_macros", "fill"]
