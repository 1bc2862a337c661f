"""The indicator reference (docs/indicators.md), generated from the catalogue.

.venv/bin/python -m csc_scorecard.catalogue.docs > docs/indicators.md
"""

from __future__ import annotations

from . import CORE_INDICATOR_IDS, load_catalogue
from . import fragments as fr
from .models import Catalogue, Indicator, OptionSpec

AREA_TITLES = {
    "front_door": "Front door",
    "children_in_need": "Children in need",
    "child_protection": "Child protection",
    "children_in_care": "Children in care",
    "adoption": "Adoption",
    "care_leavers": "Care leavers",
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

Fragments are DuckDB-dialect SQL kept portable by a lint (no `GROUP BY ALL`, `ASOF`, `QUALIFY`, `date_sub`,
year/month `date_diff`, date `INTERVAL` arithmetic or `date_trunc`; every ratio `CAST(... AS DOUBLE)`; no `WITH`
name used twice in one indicator's query, counting those inside the populations it reads, as Spark gets them all
at the top of the query).
They may use `:period_start` and `:period_end`, an indicator's options as `:<option>`, `child.<column>` for
the children table, and these macros:

{macros}

**Windows**: `2016-17` (financial year), `2016-17Q3` (year to date at the end of Q3), `2016-12` (a month),
`R12:2016-12` (12 months to the end of that month), or any from/to dates. A window the LA's loaded returns do
not cover (a flow needs every financial year it touches, a stock the year of its last day) gives no value.
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


def _option_rows(options: dict[str, OptionSpec]) -> list[str]:
    if not options:
        return []
    rows = ["", "| Option | Default | Meaning |", "|---|---|---|"]
    rows += [
        f"| `{n}` | `{str(o.default).lower()}` | {_one_line(o.description)} |" for n, o in options.items()
    ]
    return rows


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
        f"| Breakdowns | {breakdowns} |",
        "",
        *_definition(catalogue, ind),
        *_option_rows(ind.options),
        "",
    ]


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
    for area, indicators in catalogue.by_area().items():
        lines += [f"## {AREA_TITLES.get(area, area.replace('_', ' ').capitalize())}", ""]
        for ind in indicators:
            lines += [f'<a id="{ind.id}"></a>', *_indicator(catalogue, ind)]
    lines += _populations(catalogue)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render_markdown(), end="")
