"""The catalogue's entries as pydantic models: populations, breakdowns, indicators, and the file that holds them.

An indicator counts rows of a **population** (a query over the canonical tables, one row per unit: a referral,
an assessment, a child looked after...). The window picks the rows of each period: a flow indicator's
`event_date` falls in the window, a stock indicator's `open_at_end` interval is open on its last day, and a
population that joins the `periods` table is already one row per period. `denominator` then filters the base rows
and `numerator` those counted; what the numbers mean depends on the unit:

    count         numerator = rows (or children) counted; no denominator; with `value`, the total of `value`
                  over the numerator rows (first-time entrants summed over the quarters in the window)
    percent       numerator ÷ denominator × 100; with `value` and `weight`, a weighted percentage:
                  numerator = total `value` of the numerator rows, denominator = total `weight` of the rows in
                  the window (an FTE rate: agency FTE ÷ all FTE)
    rate_per_10k  numerator ÷ ONS 0-17 population × 10,000 (`rate_of` reuses a count indicator's definition)
    days          mean of `value` over the numerator rows: numerator = total days, denominator = rows
    average       numerator = total `value` of the numerator rows, denominator = their total `weight` (or the
                  number of rows, without one): an average caseload is cases ÷ FTE

`history` says how far before the window the loaded returns must reach for every record the figure needs to
be there (re-referrals look at the 12 months before each referral); where they do not, the figure is withheld,
never computed on part of its history. `collected` says from which collection year the returns hold a field the
figure needs (social worker episodes from 2023-24): a window needing an earlier year is "not collected".
`quotes` hold DfE's own sentences behind each rule, checked against the shipped reference file they name.

A **published** entry is a DfE measure that no return a council makes can give (Cafcass care applications,
foster places): it has no SQL; the engine never sees it and the scorecard shows the LA's published value beside
England, its region and its neighbours, marked as published.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from ..sources.manual import MeasureDeclaration

# catalogue.fragments (sqlglot) is imported where it is used: a catalogue read back from the disk cache, for
# judging saved results, needs none of it.

Unit = Literal["count", "percent", "rate_per_10k", "days", "average"]
Polarity = Literal["higher", "lower", "neutral"]
Kind = Literal["flow", "stock"]
Counting = Literal["records", "children"]
OptionValue = bool | int | float | str

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OptionSpec(Entry):
    """A switch for a detail DfE has not confirmed; fragments read it as `:<name>`."""

    default: OptionValue
    description: str


class History(Entry):
    """The returns a figure needs beyond the window's own: `months` calendar months before the window's start
    (or end), and, for a look-back that depends on each record (the start of a child's period of care), an
    expression true for a row whose history the loaded returns hold: a row without it withholds the figure."""

    months: int = Field(default=0, ge=0, le=240)
    before: Literal["window_start", "window_end"] | None = Field(
        default=None, description="what the months count back from; default: a flow's start, a stock's end"
    )
    complete_when: str | None = Field(
        default=None,
        description="an expression over the population's columns, true where a row's look-back is loaded",
    )
    reason: str = Field(
        description="what the look-back is for (a window's) or, with complete_when, what a row lacking it is "
        "('children adopted in the window entered care before the first loaded SSDA903 return')"
    )

    @field_validator("complete_when")
    @classmethod
    def _parses(cls, value: str | None) -> str | None:
        return _check_expression(value)


def default_history(kind: str) -> History:
    """A flow needs the returns of every year its window touches; a stock, the year of its last day."""
    if kind == "flow":
        return History(before="window_start", reason="the records of the window")
    return History(before="window_end", reason="the records open on the window's last day")


class Collected(Entry):
    """The first collection year whose returns hold what a figure needs; earlier years are 'not collected'."""

    since: str = Field(pattern=r"^\d{4}-\d{2}$", description="the first collection year, e.g. 2023-24")
    what: str = Field(
        description="what the returns hold from then, e.g. 'social worker episodes (SWEpisodes)'"
    )

    @field_validator("since")
    @classmethod
    def _consecutive(cls, value: str) -> str:
        if (int(value[:4]) + 1) % 100 != int(value[5:]):
            raise ValueError(f"{value!r} is not a collection year (YYYY-YY, consecutive years)")
        return value

    @property
    def first_year(self) -> int:
        return int(self.since[:4])


class Quote(Entry):
    """A DfE sentence a rule follows, as printed in a shipped reference file (checked when the catalogue loads)."""

    rule: str = Field(description="the rule, in the catalogue's own words")
    file: str = Field(
        description="the reference file under src/csc_scorecard/reference/ that prints the sentence"
    )
    measure: str | None = Field(
        default=None, description="the LAIT measure (Measure_short), for the dictionary"
    )
    text: str = Field(description="the sentence, word for word")


class OpenInterval(Entry):
    """Population columns of an interval; a stock indicator counts rows open on the window's last day."""

    start: str
    end: str


def _check_expression(value: str | None) -> str | None:
    from . import fragments as fr

    if value is not None:
        fr.parse_expression(value)
    return value


class Population(Entry):
    """A query giving one row per unit, with la_code, child_id, load_id and src_line (for drill-through).

    `options` are settings the population's SQL reads: one setting shared by every indicator over it (the
    temporary-placement rule of both stability measures), set on the population, never per indicator.
    """

    description: str
    sql: str
    options: dict[str, OptionSpec] = Field(default_factory=dict)

    _columns: tuple[str, ...] = PrivateAttr(default=())
    _tables: frozenset[str] = PrivateAttr(default=frozenset())
    _placeholders: frozenset[str] = PrivateAttr(default=frozenset())

    @field_validator("sql")
    @classmethod
    def _parses(cls, value: str) -> str:
        from . import fragments as fr

        fr.output_columns(fr.parse_query(value))
        return value

    @field_validator("options")
    @classmethod
    def _option_names(cls, value: dict[str, OptionSpec]) -> dict[str, OptionSpec]:
        return _checked_option_names(value)

    @model_validator(mode="after")
    def _required_columns(self) -> Population:
        from . import fragments as fr

        query = fr.parse_query(self.sql)
        self._columns = fr.output_columns(query)
        self._tables = frozenset(fr.referenced_tables(query))
        self._placeholders = frozenset(fr.placeholders(query))
        missing = [c for c in fr.REQUIRED_COLUMNS if c not in self.columns]
        if missing:
            raise ValueError(f"the population's SELECT must give the columns {missing} (for drill-through)")
        if (fr.PERIODS_TABLE in self.tables) != (fr.PERIOD_ID in self.columns):
            raise ValueError(
                "a population that joins the periods table must select periods.period_id (and vice versa)"
            )
        return self

    @property
    def columns(self) -> tuple[str, ...]:
        return self._columns

    @property
    def tables(self) -> frozenset[str]:
        return self._tables

    @property
    def placeholders(self) -> frozenset[str]:
        return self._placeholders

    @property
    def per_period(self) -> bool:
        """True when the population joins the periods table itself (one row per unit per period)."""
        from . import fragments as fr

        return fr.PERIOD_ID in self._columns


class Breakdown(Entry):
    """An expression giving each row's group: population columns by name, `child.<column>`, `:breakdown_date`."""

    label: str
    description: str
    sql: str

    @field_validator("sql")
    @classmethod
    def _parses(cls, value: str) -> str:
        return _check_expression(value) or value

    @property
    def unit_columns(self) -> set[str]:
        from . import fragments as fr

        return fr.unit_columns(fr.parse_expression(self.sql))


class Measured(Entry):
    """What a catalogue entry shown on the scorecard says of itself, computed or published."""

    id: str = Field(pattern=NAME_PATTERN)
    label: str
    area: str = Field(default="", pattern=r"^([a-z][a-z0-9_]*)?$")
    unit: Unit
    polarity: Polarity
    kind: Kind
    description: str


class Indicator(Measured):
    source: str = Field(description="the DfE publication or return the definition follows")
    lait: str | None = Field(default=None, description="LAIT measure (Measure_short in its data dictionary)")
    plural: bool = Field(default=True, description="the label is a plural noun phrase, for verb agreement")
    rate_base: str | None = Field(
        default=None,
        description="what a rate is per, in words ('1,000 children aged 10 to 17'); a rate per 10,000 is per "
        "10,000 children aged under 18 unless this says otherwise",
    )
    population: str | None = None
    rate_of: str | None = Field(default=None, description="a count indicator this rate divides by population")
    event_date: str | None = None
    open_at_end: OpenInterval | None = None
    denominator: str | None = None
    numerator: str | None = None
    value: str | None = None
    weight: str | None = Field(
        default=None, description="a per-row quantity the denominator totals (FTE) instead of counting rows"
    )
    count: Counting = "records"
    breakdowns: tuple[str, ...] = ()
    breakdown_date: str | None = None
    options: dict[str, OptionSpec] = Field(default_factory=dict)
    history: History | None = Field(
        default=None,
        description="the returns needed before the window (default: none beyond the window's own)",
    )
    collected: Collected | None = Field(
        default=None, description="the first collection year whose returns hold what the figure needs"
    )
    quotes: tuple[Quote, ...] = ()
    leaves_out: tuple[str, ...] = Field(
        default=(),
        description="data-quality rules (store/quality.py) whose flagged records would distort the figure: each "
        "is left out, and counted in the figure's notes; the population's rows must be rows of the rule's table",
    )
    manual: MeasureDeclaration | None = Field(
        default=None, description="a manual measure: recorded by hand, not computed (catalogue/manual.py)"
    )

    @field_validator("denominator", "numerator", "value", "weight", "breakdown_date")
    @classmethod
    def _parses(cls, value: str | None) -> str | None:
        return _check_expression(value)

    @field_validator("options")
    @classmethod
    def _option_names(cls, value: dict[str, OptionSpec]) -> dict[str, OptionSpec]:
        return _checked_option_names(value)

    @property
    def needed_history(self) -> History:
        """The declared history, or the kind's default (the window's own returns)."""
        return self.history or default_history(self.kind)

    @model_validator(mode="after")
    def _consistent(self) -> Indicator:
        for problem in _shape_problems(self):
            raise ValueError(problem)
        return self

    def fragments(self) -> dict[str, str]:
        """The indicator's own SQL expressions, by field name."""
        named = {
            "denominator": self.denominator,
            "numerator": self.numerator,
            "value": self.value,
            "weight": self.weight,
            "breakdown_date": self.breakdown_date,
            "complete_when": self.history.complete_when if self.history else None,
        }
        return {k: v for k, v in named.items() if v is not None}


def _is_name(text: str) -> bool:
    return text.isidentifier() and text == text.lower() and not text.startswith("_")


def _checked_option_names(value: dict[str, OptionSpec]) -> dict[str, OptionSpec]:
    from . import fragments as fr

    bad = [name for name in value if not _is_name(name) or name in fr.PERIOD_PLACEHOLDERS]
    if bad:
        raise ValueError(f"option names must be lower_snake_case and not period_start/period_end: {bad}")
    return value


def _value_problems(ind: Indicator) -> list[str]:
    """value/weight by unit: required for days and average, a pair for a weighted percent, else not allowed."""
    problems = []
    if ind.unit == "days" and ind.value is None:
        problems.append("value (the days for each row) is required for unit days")
    if ind.unit == "average" and ind.value is None:
        problems.append("value (the quantity for each row) is required for unit average")
    if ind.unit == "percent" and (ind.value is None) != (ind.weight is None):
        problems.append("a weighted percent needs both value (numerator quantity) and weight (denominator)")
    if ind.value is not None and ind.unit == "rate_per_10k":
        problems.append("value is only allowed for units count, days, average and (with weight) percent")
    if ind.value is not None and ind.unit == "count" and ind.count == "children":
        problems.append("a count with value totals rows: use count: records")
    if ind.weight is not None and ind.unit not in ("percent", "average"):
        problems.append("weight is only allowed for units percent and average")
    if ind.unit in ("days", "average") and ind.count == "children":
        problems.append(
            f"a {ind.unit} indicator averages rows: use count: records and make the population one row per unit"
        )
    return problems


def _shape_problems(ind: Indicator) -> list[str]:
    problems: list[str] = []
    if ind.manual is not None:  # its values are recorded, not counted: nothing to query
        queried = [
            f for f in ("population", "rate_of", "event_date", "open_at_end", "numerator") if getattr(ind, f)
        ]
        return [f"a manual measure is recorded, not computed: remove {queried}"] if queried else []
    if ind.rate_of is not None:
        if ind.unit != "rate_per_10k":
            problems.append("rate_of is only for unit rate_per_10k")
        defined = [
            f
            for f in ("population", "event_date", "open_at_end", "numerator", "denominator", "history")
            if getattr(ind, f)
        ]
        if defined:
            problems.append(f"a rate_of indicator takes its definition from {ind.rate_of}; remove {defined}")
        return problems
    if ind.population is None:
        problems.append("population is required (or rate_of, for a rate)")
    problems.extend(_value_problems(ind))
    if ind.denominator is not None and ind.unit not in ("percent", "days"):
        problems.append(f"a {ind.unit} indicator has no denominator filter: put the condition in numerator")
    if ind.kind == "flow" and ind.open_at_end is not None:
        problems.append("a flow indicator counts events in the window: use event_date, not open_at_end")
    if ind.kind == "stock" and ind.event_date is not None:
        problems.append("a stock indicator is taken at the window end: use open_at_end, not event_date")
    if "annualise" in ind.options and not (ind.unit == "rate_per_10k" and ind.kind == "flow"):
        problems.append("the annualise option only applies to a flow rate per 10,000")
    return problems


class PublishedMeasure(Measured):
    """A DfE measure the returns cannot give, shown as published: the LA's value beside England, its region and
    its statistical neighbours, never computed."""

    source: str = Field(description="who publishes it, from what")
    lait: str = Field(description="LAIT measure (Measure_short in its data dictionary)")
    reason: str = Field(description="why no return a council makes can give it")
    plural: bool = True
    rate_base: str | None = None


class CatalogueFile(Entry):
    """One YAML file: an area's indicators, any populations and breakdowns it declares, and the DfE measures of
    the area that only publication gives."""

    area: str | None = Field(default=None, pattern=NAME_PATTERN)
    populations: dict[str, Population] = Field(default_factory=dict)
    breakdowns: dict[str, Breakdown] = Field(default_factory=dict)
    indicators: list[Indicator] = Field(default_factory=list)
    published: list[PublishedMeasure] = Field(default_factory=list)

    @field_validator("populations", "breakdowns")
    @classmethod
    def _names(cls, value: dict[str, object]) -> dict[str, object]:
        bad = [name for name in value if not _is_name(name)]
        if bad:
            raise ValueError(f"names must be lower_snake_case: {bad}")
        return value


class CatalogueError(ValueError):
    """The catalogue (or a request against it) is wrong; `problems` lists each one with its file and entry."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Catalogue:
    """Every indicator (rates resolved against their counts), population and breakdown, with their files."""

    indicators: dict[str, Indicator]
    populations: dict[str, Population]
    breakdowns: dict[str, Breakdown]
    origins: dict[str, str]  # "indicator re_referrals_12m_pct" -> "front_door.yaml"
    published: dict[str, PublishedMeasure] = field(default_factory=dict)  # shown as published, never computed
    # A digest of the files read (loader.fingerprint): the same files, the same catalogue. Empty: not from files.
    fingerprint: str = ""

    def indicator(self, indicator_id: str) -> Indicator:
        try:
            return self.indicators[indicator_id]
        except KeyError:
            raise CatalogueError(
                [f"no indicator {indicator_id!r} in the catalogue ({len(self.indicators)} known)"]
            ) from None

    def definition(self, indicator_id: str) -> Indicator:
        """The indicator as the engine runs it: a rate_of indicator takes its count's population and filters,
        and every indicator takes the settings of the populations it reads among its options."""
        ind = self.indicator(indicator_id)
        if ind.rate_of is None:
            settings = self.population_settings(ind.population or "")
            if not settings:
                return ind
            options = {**{name: spec for name, (_, spec) in settings.items()}, **ind.options}
            return ind.model_copy(update={"options": options})
        base = self.definition(ind.rate_of)
        own = ("id", "label", "area", "unit", "polarity", "description", "source", "lait", "rate_of")
        update = {field: getattr(ind, field) for field in own}
        update["options"] = {**base.options, **ind.options}
        update["quotes"] = (*base.quotes, *ind.quotes)  # the count's rules are the rate's
        update["collected"] = ind.collected or base.collected
        # A rate lists its own breakdowns: a count's groups divided by the whole 0-17 population would mislead.
        update["breakdowns"] = ind.breakdowns
        return base.model_copy(update=update)

    def population(self, name: str) -> Population:
        return self.populations[name]

    def leaving_out(self) -> dict[str, tuple[str, ...]]:
        """{quality rule: the indicators whose figures leave its flagged records out}."""
        out: dict[str, list[str]] = {}
        for indicator_id in self.indicators:
            for rule in self.definition(indicator_id).leaves_out:
                out.setdefault(rule, []).append(indicator_id)
        return {rule: tuple(ids) for rule, ids in out.items()}

    def breakdown_for(self, indicator: Indicator, name: str) -> Breakdown:
        """The breakdown, if the indicator allows it; otherwise a CatalogueError that says which it does allow."""
        if name not in indicator.breakdowns:
            allowed = ", ".join(indicator.breakdowns) or "none"
            raise CatalogueError(
                [f"indicator {indicator.id} has no breakdown {name!r} (it allows: {allowed})"]
            )
        return self.breakdowns[name]

    def ids(self) -> list[str]:
        return list(self.indicators)

    def by_area(self) -> dict[str, list[Indicator]]:
        areas: dict[str, list[Indicator]] = {}
        for ind in self.indicators.values():
            areas.setdefault(ind.area, []).append(ind)
        return areas

    def published_by_area(self) -> dict[str, list[PublishedMeasure]]:
        areas: dict[str, list[PublishedMeasure]] = {}
        for measure in self.published.values():
            areas.setdefault(measure.area, []).append(measure)
        return areas

    def population_chain(self, name: str) -> list[str]:
        """The population and every population it reads, dependencies first."""
        order: list[str] = []

        def visit(current: str) -> None:
            for table in sorted(self.populations[current].tables):
                if table in self.populations and table not in order:
                    visit(table)
            if current not in order:
                order.append(current)

        visit(name)
        return order

    def source_tables(self, name: str) -> set[str]:
        """Store tables the population reads, through the populations it reads."""
        from . import fragments as fr

        chain = self.population_chain(name)
        tables = set().union(*(self.populations[p].tables for p in chain))
        return tables - set(self.populations) - {fr.PERIODS_TABLE}

    def population_settings(self, name: str) -> dict[str, tuple[str, OptionSpec]]:
        """{option: (population declaring it, spec)} for the populations `name` reads (none if undeclared)."""
        if name not in self.populations:
            return {}
        return {
            option: (pop, spec)
            for pop in self.population_chain(name)
            for option, spec in self.populations[pop].options.items()
        }

    def population_placeholders(self, name: str) -> set[str]:
        return set().union(*(self.populations[p].placeholders for p in self.population_chain(name)))

    def origin(self, kind: str, name: str) -> str:
        return f"{self.origins.get(f'{kind} {name}', '?')}: {kind} {name}"

    def sql_texts(self) -> Iterator[tuple[str, str]]:
        """(where, sql) for every SQL text, for the lint."""
        for name, pop in self.populations.items():
            yield f"{self.origin('population', name)}: sql", pop.sql
        for name, bd in self.breakdowns.items():
            yield f"{self.origin('breakdown', name)}: sql", bd.sql
        for ind in self.indicators.values():
            if ind.rate_of is None:
                for field, sql in ind.fragments().items():
                    yield f"{self.origin('indicator', ind.id)}: {field}", sql


__all__ = [
    "Breakdown",
    "Catalogue",
    "CatalogueError",
    "CatalogueFile",
    "Collected",
    "Counting",
    "History",
    "Indicator",
    "Kind",
    "OpenInterval",
    "OptionSpec",
    "OptionValue",
    "Polarity",
    "Population",
    "PublishedMeasure",
    "Quote",
    "Unit",
    "default_history",
]
