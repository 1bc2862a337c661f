"""The scorecard in a terminal: one rich table per area with RAG, arrows, benchmarks and SPC, then narrative;
on a narrow terminal (under WIDE columns) one block per indicator instead, so no word is broken; and the same
judgements as rows for `judge --format csv|json`."""

from __future__ import annotations

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..judge.judgement import Judgement
from ..judge.published_only import PublishedOnly
from ..judge.units import fmt
from ..pipeline import Built

WIDE = 110  # below this many columns a table's cells would break words, so indicators are listed as blocks
RAG_STYLE = {"green": "bold green", "amber": "bold yellow", "red": "bold red"}
ARROWS = {"up": "↑", "down": "↓", "flat": "→"}
JUDGEMENT_STYLE = {"improving": "green", "worsening": "red", "better": "green", "worse": "red"}
SPC_TEXT = {
    "common_cause": "common cause",
    "improvement_high": "improving (high)",
    "improvement_low": "improving (low)",
    "concern_high": "concern (high)",
    "concern_low": "concern (low)",
    "neutral_high": "special cause (high)",
    "neutral_low": "special cause (low)",
}


def _styled(text: str, key: str | None) -> str:
    style = JUDGEMENT_STYLE.get(key or "")
    return f"[{style}]{text}[/]" if style else text


def _trend(j: Judgement) -> str:
    t = j.trend_last_year
    if t.movement is None:
        return "–"
    return _styled(f"{ARROWS[t.movement]} {t.judgement or ''}".strip(), t.judgement)


def _benchmark(j: Judgement, kind: str) -> str:
    position = j.positions[kind]
    if position.reference is None:
        return position.symbol or "–"
    text = fmt(position.reference, j.meta.unit)
    return _styled(f"{text} ({position.year})" if position.year else text, position.judgement)


def _rag(j: Judgement) -> str:
    if j.rag.status is None:
        return "–"
    target = fmt(j.target.value, j.meta.unit) if j.target else ""
    return f"[{RAG_STYLE[j.rag.status]}]{j.rag.status.upper()}[/] {target}".strip()


def area_table(area: str, judgements: list[Judgement]) -> Table:
    sn_name = f"SN {judgements[0].sn_average}" if judgements else "SN"
    table = Table(title=area, title_justify="left", show_lines=False)
    for column in (
        "Indicator",
        "Value",
        "RAG / target",
        "v last year",
        sn_name,
        "England",
        "Quartile",
        "SPC",
    ):
        table.add_column(column, overflow="fold")
    for j in judgements:
        value = j.display + (" [yellow]*[/]" if j.small_numbers.small else "")
        table.add_row(
            j.meta.label,
            value,
            _rag(j),
            _trend(j),
            _benchmark(j, f"sn_{j.sn_average}"),
            _benchmark(j, "england"),
            j.quartile.band or "–",
            _spc(j),
        )
    return table


PUBLISHED_TITLE = "Published only: DfE's figures, not computed from the returns"


def published_table(rows: tuple[PublishedOnly, ...]) -> Table:
    table = Table(title=PUBLISHED_TITLE, title_justify="left", title_style="italic")
    for column in ("Measure", "Council", "SN", "England", "Region", "Year"):
        table.add_column(column, overflow="fold")
    for r in rows:
        unit = r.meta.unit
        table.add_row(
            r.meta.label, r.display, r.shown(r.sn, unit), r.shown(r.england, unit), r.shown(r.region, unit),
            r.year or "–",
        )  # fmt: skip
    return table


def _spc(j: Judgement) -> str:
    return SPC_TEXT.get(j.spc.variation_icon, "–") if j.spc and j.spc.variation_icon else "–"


def _block(j: Judgement) -> str:
    """One indicator for a narrow terminal: its label, then its figures as short labelled parts."""
    small = " [yellow]*[/]" if j.small_numbers.small else ""
    parts = [
        f"[bold]{j.display}[/]{small}", f"RAG {_rag(j)}", f"last year {_trend(j)}",
        f"SN {_benchmark(j, f'sn_{j.sn_average}')}", f"England {_benchmark(j, 'england')}",
        f"quartile {j.quartile.band or '–'}", f"SPC {_spc(j)}",
    ]  # fmt: skip
    return " · ".join(parts)


def print_scorecard(console: Console, built: Built, *, rules: bool = False) -> None:
    wide = console.width >= WIDE
    for summary, judgements in built.areas:
        if wide:
            console.print(area_table(summary.area, list(judgements)))
        else:
            console.rule(f"[bold]{summary.area}[/]", align="left")
        console.print(summary.narrative, highlight=False)
        for j in judgements:
            if not wide:  # indented blocks, so wrapped lines stay under their own indicator
                console.print(f"[bold]{j.meta.label}[/]", highlight=False)
                console.print(Padding(Text.from_markup(_block(j)), (0, 0, 0, 2)), highlight=False)
            console.print(Padding(Text(f"• {j.narrative}"), (0, 0, 0, 2)), highlight=False)
            if rules:
                for name, rule in j.rules():
                    console.print(
                        Padding(Text(f"{name}: {rule}", style="dim"), (0, 0, 0, 6)), highlight=False
                    )
        published = built.published.get(summary.area, ())
        if published and wide:
            console.print(published_table(published))
        elif published:
            console.print(f"[italic]{PUBLISHED_TITLE}[/]", highlight=False)
        for r in published:
            console.print(Padding(Text(f"• {r.narrative}"), (0, 0, 0, 2)), highlight=False)
        console.print()
    console.print("[yellow]*[/] small numbers: treat the percentage with caution.", highlight=False)


SCORECARD_COLUMNS = (
    "la_code", "period", "area", "indicator_id", "label", "value", "numerator", "denominator", "shown", "target",
    "rag", "v_previous", "v_last_year", "sn", "england", "quartile", "spc", "small_numbers", "narrative",
)  # fmt: skip


def scorecard_rows(built: Built) -> list[dict]:
    """Every judgement as a row, for `judge --format csv|json` (values unrounded, as `indicators` gives them)."""
    rows = []
    for j in built.judgements():
        point = j.point
        rows.append({
            "la_code": j.la_code, "period": j.period_code, "area": j.meta.area, "indicator_id": j.meta.id,
            "label": j.meta.label, "value": j.value, "numerator": point.numerator if point else None,
            "denominator": point.denominator if point else None, "shown": j.display,
            "target": j.target.value if j.target else None, "rag": j.rag.status,
            "v_previous": j.trend_previous.judgement, "v_last_year": j.trend_last_year.judgement,
            "sn": j.sn_position.reference, "england": j.positions["england"].reference,
            "quartile": j.quartile.band, "spc": j.spc.variation_icon if j.spc else None,
            "small_numbers": j.small_numbers.small, "narrative": j.narrative,
        })  # fmt: skip
    return rows
