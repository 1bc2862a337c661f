"""The scorecard in a terminal: one rich table per area with RAG, arrows, benchmarks and SPC, then narrative."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..judge.judgement import Judgement
from ..judge.units import fmt
from ..pipeline import Built

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
            SPC_TEXT.get(j.spc.variation_icon, "–") if j.spc and j.spc.variation_icon else "–",
        )
    return table


def print_scorecard(console: Console, built: Built, *, rules: bool = False) -> None:
    for summary, judgements in built.areas:
        console.print(area_table(summary.area, judgements))
        console.print(summary.narrative, highlight=False)
        for j in judgements:
            console.print(f"  • {j.narrative}", highlight=False)
            if rules:
                for name, rule in j.rules():
                    console.print(f"      {name}: {rule}", highlight=False, style="dim")
        console.print()
    console.print("[yellow]*[/] small numbers: treat the percentage with caution.", highlight=False)
