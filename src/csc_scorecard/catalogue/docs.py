"""The indicator reference (docs/indicators.md), generated from the catalogue.

.venv/bin/python -m csc_scorecard.catalogue.docs > docs/indicators.md
"""

from __future__ import annotations

from . import CORE_INDICATOR_IDS, load_catalogue
from . import fragments as fr
from .models import Catalogue, Indicator, OptionSpec, PublishedMeasure, Quote

AREA_TITLES = {
    "front_door": "Front door",
    "children_in_need": "Children in need",
    "child_protection": "Child protection",
    "children_in_care": "Children in care",
    "placement_stability": "Placement stability",
    "adoption": "Adoption",
    "care_leavers": "Care leavers",
    "health": "Health of children in care",
    "early_help": "Early help",
    "workforce": "Workforce",
    "youth_justice": "Youth justice",
    "quality_assurance": "Quality assurance (case audits)",
}
UNIT_TEXT = {
    "count": "count",
    "percent": "percentage (numerator ÷ denominator × 100)",
    "rate_per_10k": "rate per 10,000 children aged 0-17 (denominator = ONS mid-year estimate)",
    "days": "mean days (numerator = total days, denominator = children)",
    "average": "average (numerator = total value, denominator = total weight, e.g. cases ÷ FTE)",
}
WEIGHTED_PERCENT = "weighted percentage (numerator = total value, denominator = total weight, × 100)"
POLARITY_TEXT = {"higher": "higher is better", "lower": "lower is better", "neutral": "neither (context)"}

INTRODUCTION = """\
# Indicator reference

Generated from the catalogue (`src/csc_scorecard/catalogue/indicators/*.yaml`); do not edit by hand. Regenerate
with `.venv/bin/python -m csc_scorecard.catalogue.docs > docs/indicators.md`.

## How an indicator is defined

Each indicator counts the rows of a **population**: a query over the canonical tables giving one row per unit
(a referral, an assessment, a child looked after...) with `la_code`, `child_id`, `load_id` and `src_line`, so
every figure drills through to the return line it came from. Then:

- a **flow** indicator takes the rows whose `event_date` falls in the window (first to last day, inclusive);
- a **stock** indicator takes the rows whose `open_at_end` interval is open on the window's last day
  (start on or before it, end blank or after it);
- a population that joins the `periods` table (`period_id`, `period_start`, `period_end`) is already one row
  per unit and window;
- `denominator` filters those rows (the base of a percentage or a mean), `numerator` the rows counted;
- `count: children` counts children rather than rows;
- `value` and `weight` measure each row: a **weighted percentage** totals `value` over the numerator rows and
  `weight` over all rows (an FTE rate), an **average** totals both over the numerator rows (cases ÷ FTE).

Ids marked **core** are the public contract of `spec/indicators.md` and never change; **local** ids are
csc-scorecard's own (Annex A, the CSWW census and the local templates in `docs/templates/`) and may grow.

**LAIT, complete.** Every one of the 107 children's social care measures of DfE's Local Authority Interactive
Tool (its data dictionary, `src/csc_scorecard/reference/lait/`) is either computed by an indicator (its LAIT
measure is in its table, and the published value is its benchmark) or, where no return a council makes can give
it, listed under **Published only** in its area: the scorecard shows the LA's published value beside England,
its region and its statistical neighbours, marked as published, never computed. A test fails on any measure in
neither (or in the short list of exclusions, with reasons, in `catalogue/lait.py`).

Fragments are DuckDB-dialect SQL kept portable by a lint (no `GROUP BY ALL`, `ASOF`, `QUALIFY`, `date_sub`,
year/month `date_diff`, date `INTERVAL` arithmetic or `date_trunc`; every ratio `CAST(... AS DOUBLE)`; no `WITH`
name used twice in one indicator's query, counting those inside the populations it reads, as Spark gets them all
at the top of the query).
They may use `:period_start` and `:period_end`, an indicator's options as `:<option>`, `child.<column>` for
the children table, and these macros:

{macros}

**Windows**: `2016-17` (financial year), `2016-17Q3` (year to date at the end of Q3), `2016-12` (a month),
`R12:2016-12` (12 months to the end of that month), or any from/to dates.

**Enough history, or no figure.** A figure is computed only where the LA's loaded returns hold every record it
needs: each return it reads must be loaded for every financial year its window touches (a flow) or of its last
day (a stock), and for the years its **history** reaches back before the window (re-referrals: the 12 months
before it). Otherwise the value is blank with a note naming the return to load ("withheld: needs the 2014-15
CIN census"), never a number computed on part of its history. An indicator whose look-back depends on each
record (the start of an adopted child's period of care) is withheld while any record lacks it. Coverage goes by
the returns loaded, not the rows found: a CIN census with no child protection plans gives 0 plans. `csc-scorecard
status` lists the first year each area can be computed.

**Data quality.** A record that breaks one of the store's quality rules (an assessment authorised before it
started, a plan ending before it started: DfE's validators flag them, councils submit them) loads and is listed
by `csc-scorecard quality`; a figure it would distort **leaves it out**, and its notes count the records left
out. An open episode or plan that the next loaded return no longer carries is not open from the start of that
return's year (the later return decides), in every stock count.

**DfE's rules.** Definitions are DfE's: where DfE's methodology says how a figure is counted, the indicator
quotes the sentence (file and LAIT measure), and the catalogue checks, when it loads, that the shipped file
says it word for word.
**Rates** divide by the ONS 0-17 estimate for mid-Y when the window ends in financial year Y-(Y+1), falling
back to the latest estimate (and saying so). **Dates**: "12 months" and "2 years" are calendar (29 February
moves to 28 February); ages are in completed years.
"""


def _macros() -> str:
    return "\n".join(f"- `{m.name}({', '.join(m.params)})`: {m.doc}" for m in fr.MACROS.values())


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _window(ind: Indicator) -> str:
    if ind.event_date:
        return f"flow: `{ind.event_date}` in the window"
    if ind.open_at_end:
        return f"stock: `{ind.open_at_end.start}`–`{ind.open_at_end.end}` open at the window end"
    return f"{ind.kind}: the population is one row per window"


def _option_rows(options: dict[str, OptionSpec], settings: dict[str, str] | None = None) -> list[str]:
    """Options, with those set on a population (one setting for every indicator over it) marked."""
    if not options:
        return []
    settings = settings or {}
    rows = ["", "| Option | Default | Meaning |", "|---|---|---|"]
    for name, option in options.items():
        shared = (
            f" (a setting of population [`{settings[name]}`](#population-{settings[name]}))"
            if name in settings
            else ""
        )
        rows.append(
            f"| `{name}` | `{str(option.default).lower()}` | {_one_line(option.description)}{shared} |"
        )
    return rows


def _history(ind: Indicator) -> str:
    history = ind.needed_history
    if history.complete_when:
        return f"each record's own look-back (withheld while {_one_line(history.reason)})"
    if not history.months and ind.history is None:
        return "none before the window"
    before = history.before or ("window_start" if ind.kind == "flow" else "window_end")
    anchor = "start" if before == "window_start" else "end"
    if not history.months:
        return f"the returns from the window's {anchor}: {_one_line(history.reason)}"
    return f"{history.months} months of returns before the window {anchor}: {_one_line(history.reason)}"


def _collected(ind: Indicator) -> list[str]:
    if ind.collected is None:
        return []
    return [
        f"| Collected | {_one_line(ind.collected.what)} from {ind.collected.since}; earlier: not collected |"
    ]


def _quotes(quotes: tuple[Quote, ...]) -> list[str]:
    if not quotes:
        return []
    lines = ["", "DfE's rules:", ""]
    for quote in quotes:
        measure = f"LAIT `{quote.measure}`, " if quote.measure else ""
        where = f"src/csc_scorecard/reference/{quote.file}"
        lines.append(f"- {_one_line(quote.rule)}: “{_one_line(quote.text)}” ({measure}`{where}`)")
    return lines


def _definition(catalogue: Catalogue, declared: Indicator) -> list[str]:
    ind = catalogue.definition(declared.id)
    lines = [f"population [`{ind.population}`](#population-{ind.population}); {_window(ind)}"]
    if declared.rate_of:
        lines = [f"[`{declared.rate_of}`](#{declared.rate_of}) ÷ population × 10,000; {lines[0]}"]
    sql = [f"{field}: {_one_line(text)}" for field, text in ind.fragments().items()]
    if ind.count == "children":
        sql.append("count: children (each child once)")
    return lines + (["", "```sql", *sql, "```"] if sql else [])


def _indicator(catalogue: Catalogue, ind: Indicator) -> list[str]:
    breakdowns = ", ".join(f"`{b}`" for b in ind.breakdowns) or "none"
    run = catalogue.definition(ind.id)
    settings = {name: pop for name, (pop, _) in catalogue.population_settings(run.population or "").items()}
    return [
        f"### `{ind.id}`",
        "",
        f"**{ind.label}**. {_one_line(ind.description)}",
        "",
        "| | |",
        "|---|---|",
        f"| Id | {'core' if ind.id in CORE_INDICATOR_IDS else 'local'} |",
        f"| Unit | {WEIGHTED_PERCENT if ind.unit == 'percent' and ind.weight else UNIT_TEXT[ind.unit]} |",
        f"| Polarity | {POLARITY_TEXT[ind.polarity]} |",
        f"| LAIT measure | {f'`{ind.lait}`' if ind.lait else '—'} |",
        f"| Source | {_one_line(ind.source)} |",
        f"| History needed | {_history(run)} |",
        *(
            [f"| Leaves out | records flagged {', '.join(f'`{r}`' for r in run.leaves_out)} |"]
            if run.leaves_out
            else []
        ),
        *_collected(run),
        f"| Breakdowns | {breakdowns} |",
        *_quotes(run.quotes),
        "",
        *_definition(catalogue, ind),
        *_option_rows(run.options, settings),
        "",
    ]


def _published(measures: list[PublishedMeasure]) -> list[str]:
    if not measures:
        return []
    lines = [
        "### Published only",
        "",
        "| Id | Measure | LAIT | Published by | Why the returns cannot give it |",
    ]
    lines.append("|---|---|---|---|---|")
    for m in measures:
        lines.append(
            f"| `{m.id}` | **{m.label}**. {_one_line(m.description)} | `{m.lait}` | {_one_line(m.source)} "
            f"| {_one_line(m.reason)} |"
        )
    return [*lines, ""]


def _breakdowns(catalogue: Catalogue) -> list[str]:
    rows = ["## Breakdowns", "", "| Breakdown | Label | Groups |", "|---|---|---|"]
    rows += [f"| `{n}` | {b.label} | {_one_line(b.description)} |" for n, b in catalogue.breakdowns.items()]
    return [*rows, ""]


def _populations(catalogue: Catalogue) -> list[str]:
    lines = ["## Populations", ""]
    for name, pop in catalogue.populations.items():
        lines += [
            f'<a id="population-{name}"></a>',
            f"### Population `{name}`",
            "",
            _one_line(pop.description),
            *_option_rows(pop.options),
            "",
            "```sql",
            pop.sql.rstrip(),
            "```",
            "",
        ]
    return lines


def render_markdown(catalogue: Catalogue | None = None) -> str:
    catalogue = catalogue or load_catalogue()
    lines = [INTRODUCTION.format(macros=_macros()), *_breakdowns(catalogue)]
    published = catalogue.published_by_area()
    for area, indicators in catalogue.by_area().items():
        lines += [f"## {AREA_TITLES.get(area, area.replace('_', ' ').capitalize())}", ""]
        for ind in indicators:
            lines += [f'<a id="{ind.id}"></a>', *_indicator(catalogue, ind)]
        lines += _published(published.get(area, []))
    lines += _populations(catalogue)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render_markdown(), end="")
