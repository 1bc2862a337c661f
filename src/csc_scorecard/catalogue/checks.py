"""Cross-reference checks over a whole catalogue: the names a fragment uses must exist.

Each problem names the file and the entry, so an analyst adding a local indicator sees what to fix.
"""

from __future__ import annotations

from functools import cache

from ..refdata import REFERENCE, read_csv
from ..sources.tables import TABLES, TABLES_BY_NAME
from . import fragments as fr
from .models import Breakdown, Catalogue, Indicator, PublishedMeasure, Quote

STORE_TABLES = frozenset({t.name for t in TABLES} | {"referrals", "ref_calendar", "ref_population"})
RESERVED_NAMES = STORE_TABLES | fr.ENGINE_CTES | {fr.PERIODS_TABLE, "loads", "indicator_results"}
CHILD_COLUMNS = frozenset(TABLES_BY_NAME["children"].column_names)
BREAKDOWN_PLACEHOLDERS = fr.PERIOD_PLACEHOLDERS | {fr.BREAKDOWN_PLACEHOLDER}
ENGINE_OPTIONS = frozenset({"annualise"})  # read by the engine itself, not by a fragment


LAIT_DICTIONARY = "lait/lait_data_dictionary_csc_measures.csv"


@cache
def lait_measures() -> frozenset[str]:
    return frozenset(_lait_texts())


@cache
def _lait_texts() -> dict[str, str]:
    """{Measure_short: its Description and Methodology, whitespace collapsed} (a measure may have several rows)."""
    texts: dict[str, str] = {}
    for row in read_csv(LAIT_DICTIONARY):
        name = row["Measure_short"].strip()
        texts[name] = " ".join(f"{texts.get(name, '')} {row['Description']} {row['Methodology']}".split())
    return texts


@cache
def _reference_text(relative: str) -> str | None:
    """A shipped reference file's text, whitespace collapsed; None if there is no such file."""
    resource = REFERENCE.joinpath(relative)
    if ".." in relative.split("/") or not resource.is_file():
        return None
    return " ".join(resource.read_text(encoding="utf-8-sig").split())


def check(catalogue: Catalogue) -> list[str]:
    problems: list[str] = []
    for name in catalogue.populations:
        problems.extend(
            f"{catalogue.origin('population', name)}: {p}" for p in _population_problems(catalogue, name)
        )
    for name, breakdown in catalogue.breakdowns.items():
        problems.extend(f"{catalogue.origin('breakdown', name)}: {p}" for p in _breakdown_problems(breakdown))
    if problems:  # indicator checks walk populations, so they need sound populations first
        return problems
    for ind in catalogue.indicators.values():
        problems.extend(
            f"{catalogue.origin('indicator', ind.id)}: {p}" for p in _indicator_problems(catalogue, ind)
        )
    computed = {ind.lait for ind in catalogue.indicators.values() if ind.lait}
    shown: dict[str, str] = {}
    for measure in catalogue.published.values():
        problems.extend(
            f"{catalogue.origin('published', measure.id)}: {p}"
            for p in _published_problems(measure, computed, shown)
        )
        shown.setdefault(measure.lait, measure.id)
    return problems


def _published_problems(measure: PublishedMeasure, computed: set[str], shown: dict[str, str]) -> list[str]:
    """A published-only measure names a real LAIT measure that no indicator computes and no other entry shows."""
    if not measure.area:
        return ["area is missing (give it in the file or the entry)"]
    if measure.lait not in lait_measures():
        return [f"lait {measure.lait!r} is not a Measure_short in the LAIT data dictionary"]
    if measure.lait in computed:
        return [f"LAIT {measure.lait} is computed by an indicator: it cannot also be published only"]
    if measure.lait in shown:
        return [f"LAIT {measure.lait} is shown by published {shown[measure.lait]} too"]
    return []


def _population_problems(catalogue: Catalogue, name: str) -> list[str]:
    pop = catalogue.populations[name]
    problems = []
    unread = sorted(set(pop.options) - pop.placeholders)
    if unread:
        problems.append(f"option(s) {unread} are declared but its SQL does not read them")
    if name in RESERVED_NAMES:
        problems.append(f"the name {name!r} is taken by a store table or the engine; choose another")
    if _cycle(catalogue, name, ()):  # a repeated CTE name is the lint's (duplicate_cte), on the whole query
        problems.append("reads itself through other populations")
    unknown = pop.tables - STORE_TABLES - {fr.PERIODS_TABLE} - set(catalogue.populations)
    if unknown:
        problems.append(f"reads {sorted(unknown)}, which are neither store tables nor populations")
    period = pop.placeholders & (fr.PERIOD_PLACEHOLDERS | {fr.BREAKDOWN_PLACEHOLDER, ""})
    if period:
        problems.append(
            f"uses {sorted(':' + p for p in period)}: a population cannot see the window; join the periods "
            "table (period_id, period_start, period_end) and select period_id, or filter in the indicator"
        )
    return problems


def _cycle(catalogue: Catalogue, name: str, seen: tuple[str, ...]) -> bool:
    if name in seen:
        return True
    reads = catalogue.populations[name].tables & set(catalogue.populations)
    return any(_cycle(catalogue, other, (*seen, name)) for other in reads)


def _breakdown_problems(breakdown: Breakdown) -> list[str]:
    node = fr.parse_expression(breakdown.sql)
    problems = []
    unknown = fr.placeholders(node) - BREAKDOWN_PLACEHOLDERS
    if unknown:
        problems.append(
            f"unknown placeholders {sorted(unknown)} (allowed: :breakdown_date, :period_start, :period_end)"
        )
    bad = fr.child_columns(node) - CHILD_COLUMNS
    if bad:
        problems.append(f"the children table has no columns {sorted(bad)}")
    return problems


def _indicator_problems(catalogue: Catalogue, declared: Indicator) -> list[str]:
    if not declared.area:
        return ["area is missing (give it in the file or the indicator)"]
    if declared.rate_of is not None:
        problem = _rate_problem(catalogue, declared)
        if problem:
            return [problem]
    ind = catalogue.definition(declared.id)
    if ind.population not in catalogue.populations:
        return [f"population {ind.population!r} is not declared in any catalogue file"]
    return [
        *_window_problems(catalogue, ind),
        *_fragment_problems(catalogue, ind),
        *_option_problems(catalogue, declared, ind),
        *_setting_problems(catalogue, declared),
        *_breakdown_use_problems(catalogue, ind),
        *_lait_problems(ind),
        *(problem for quote in declared.quotes for problem in _quote_problems(quote)),
    ]


def _rate_problem(catalogue: Catalogue, ind: Indicator) -> str | None:
    base = catalogue.indicators.get(ind.rate_of or "")
    if base is None:
        return f"rate_of {ind.rate_of!r} is not an indicator"
    if base.unit != "count" or base.rate_of is not None:
        return f"rate_of must name a count indicator ({base.id} is {base.unit})"
    return None


def _window_problems(catalogue: Catalogue, ind: Indicator) -> list[str]:
    pop = catalogue.population(ind.population or "")
    windowed = ind.event_date is not None or ind.open_at_end is not None
    if pop.per_period and windowed:
        return [f"population {ind.population} is already one row per period: remove event_date/open_at_end"]
    if not pop.per_period and not windowed:
        need = "event_date" if ind.kind == "flow" else "open_at_end (start, end)"
        return [f"a {ind.kind} indicator needs {need}, or a population that joins the periods table"]
    named = [ind.event_date] if ind.event_date else []
    if ind.open_at_end is not None:
        named += [ind.open_at_end.start, ind.open_at_end.end]
    missing = [c for c in named if c not in pop.columns]
    return (
        [f"population {ind.population} has no column(s) {missing} (it has {list(pop.columns)})"]
        if missing
        else []
    )


def _fragment_problems(catalogue: Catalogue, ind: Indicator) -> list[str]:
    pop = catalogue.population(ind.population or "")
    allowed = fr.PERIOD_PLACEHOLDERS | set(ind.options)
    problems = []
    for field, sql in ind.fragments().items():
        node = fr.parse_expression(sql)
        missing = fr.unit_columns(node) - set(pop.columns)
        if missing:
            problems.append(f"{field}: population {ind.population} has no column(s) {sorted(missing)}")
        bad_child = fr.child_columns(node) - CHILD_COLUMNS
        if bad_child:
            problems.append(f"{field}: the children table has no column(s) {sorted(bad_child)}")
        unknown = fr.placeholders(node) - allowed
        if unknown:
            problems.append(f"{field}: unknown placeholder(s) {sorted(unknown)}: declare them under options")
    unbound = catalogue.population_placeholders(ind.population or "") - set(ind.options)
    if unbound:
        problems.append(
            f"population {ind.population} reads option(s) {sorted(unbound)}: declare them under options"
        )
    return problems


def _option_problems(catalogue: Catalogue, declared: Indicator, ind: Indicator) -> list[str]:
    used = catalogue.population_placeholders(ind.population or "") | ENGINE_OPTIONS
    for sql in ind.fragments().values():
        used |= fr.placeholders(fr.parse_expression(sql))
    unused = set(declared.options) - used
    return [f"option(s) {sorted(unused)} are declared but no SQL reads them"] if unused else []


def _setting_problems(catalogue: Catalogue, declared: Indicator) -> list[str]:
    """A population's setting is one setting for every indicator over it: an indicator may not redeclare it."""
    settings = catalogue.population_settings(declared.population or "")
    return [
        f"option {name} is a setting of population {settings[name][0]}: remove it from the indicator"
        for name in declared.options
        if name in settings
    ]


def _quote_problems(quote: Quote) -> list[str]:
    """The quoted sentence must be in the file it names (and, for the LAIT dictionary, under its measure)."""
    wanted = " ".join(quote.text.split())
    if quote.file == LAIT_DICTIONARY:
        if quote.measure is None:
            return [f"a quote from {LAIT_DICTIONARY} names its measure"]
        if quote.measure not in _lait_texts():
            return [f"quote: measure {quote.measure!r} is not a Measure_short in the LAIT data dictionary"]
        found = wanted in _lait_texts()[quote.measure]
        where = f"LAIT {quote.measure}"
    else:
        text = _reference_text(quote.file)
        if text is None:
            return [f"quote: {quote.file!r} is not a file under src/csc_scorecard/reference/"]
        found, where = wanted in text, quote.file
    return [] if found else [f"quote for rule {quote.rule!r}: {where} does not say {wanted[:80]!r}"]


def _breakdown_use_problems(catalogue: Catalogue, ind: Indicator) -> list[str]:
    pop = catalogue.population(ind.population or "")
    problems = []
    for name in ind.breakdowns:
        breakdown = catalogue.breakdowns.get(name)
        if breakdown is None:
            problems.append(f"breakdown {name!r} is not declared (known: {sorted(catalogue.breakdowns)})")
            continue
        missing = breakdown.unit_columns - set(pop.columns)
        if missing:
            problems.append(
                f"breakdown {name} needs column(s) {sorted(missing)} that population {ind.population} lacks"
            )
    return problems


def _lait_problems(ind: Indicator) -> list[str]:
    if ind.lait is not None and ind.lait not in lait_measures():
        return [f"lait {ind.lait!r} is not a Measure_short in the LAIT data dictionary"]
    return []


__all__ = ["LAIT_DICTIONARY", "RESERVED_NAMES", "STORE_TABLES", "check", "lait_measures"]
