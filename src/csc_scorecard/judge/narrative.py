"""Factual sentences drafted from the judgements, for an analyst to edit: templates only, never a cause.

Per indicator, in order and only when there is something to say:
  1. value, direction of travel since the previous period, position against SN average and England
     ("Re-referrals (21.7%) continue to reduce and are in line with the statistical neighbour mean (21.4%)
     and England (21.9%).") with a benchmark's year in brackets when it is not the period's year;
  2. a part-year flow count's straight-line year end, set against the benchmarks instead;
  3. the same period last year, judged by polarity;
  4. suppressed benchmarks; 5. RAG against target; 6. SPC special cause; 7. small-number caution.
Per area: counts of green / amber / red and the indicators that improved or worsened since the previous period.
"""

from __future__ import annotations

from .judgement import AreaSummary, Judgement
from .position import SUPPRESSION, Position
from .units import fmt, fmt_difference

SPC_WHAT = {
    "outside": (
        "the latest point is above the upper process limit",
        "the latest point is below the lower process limit",
    ),
    "trend": ("{n} points in a row rising", "{n} points in a row falling"),
    "two_of_three": (
        "2 of 3 points beyond the upper 2-sigma line",
        "2 of 3 points beyond the lower 2-sigma line",
    ),
    "shift": ("{n} points in a row above the mean", "{n} points in a row below the mean"),
}


def _verbs(plural: bool) -> dict[str, str]:
    if plural:
        return {"be": "are", "have": "have", "continue": "continue"}
    return {"be": "is", "have": "has", "continue": "continues"}


def _trend_clause(j: Judgement) -> str:
    t, v = j.trend_previous, _verbs(j.meta.plural)
    if t.movement is None:
        return ""
    if t.movement == "flat":
        return f"{v['have']} changed little since {t.reference_code}"
    verb = "reduce" if t.movement == "down" else "increase"
    if j.trend_continuing:
        return f"{v['continue']} to {verb}"
    return f"{v['have']} {verb}d since {t.reference_code}"


def _benchmark_phrase(j: Judgement, p: Position) -> str:
    name = {"england": "England"}.get(p.comparator, f"the statistical neighbour {j.sn_average}")
    year = j.period.financial_year
    when = f", {p.year}" if p.year and p.year != year else ""
    return f"{name} ({fmt(p.reference, j.meta.unit)}{when})"


def _positions_text(j: Judgement) -> str:
    """'in line with the statistical neighbour mean (21.4%) and England (21.9%)', grouping equal placings."""
    parts: list[str] = []
    last = None
    for p in (j.sn_position, j.positions["england"]):
        if p.placing is None:
            continue
        phrase = _benchmark_phrase(j, p)
        parts.append(
            f" and {phrase}" if p.placing == last else f"{', ' if parts else ''}{p.placing} {phrase}"
        )
        last = p.placing
    return "".join(parts)


def _compared_on_projection(j: Judgement) -> bool:
    return j.benchmark_basis == "projected year end"


def _headline(j: Judgement) -> str:
    v = _verbs(j.meta.plural)
    text = f"{j.meta.label} ({j.display})"
    clause = _trend_clause(j)
    if clause:
        text += f" {clause}"
    where = "" if _compared_on_projection(j) else _positions_text(j)
    if where:
        text += f" and {v['be']} {where}" if clause else f" {v['be']} {where}"
    return text + "."


def _projection(j: Judgement) -> str:
    if j.projection.value is None:
        return ""
    text = f"At this rate the year-end figure would be about {fmt(j.projection.value, j.meta.unit)}"
    where = _positions_text(j) if _compared_on_projection(j) else ""
    return f"{text}, {where}." if where else f"{text}."


def _year_on_year(j: Judgement) -> str:
    t = j.trend_last_year
    if t.judgement is None:
        return ""
    value = fmt(t.reference, j.meta.unit)
    if j.period.kind == "year":
        then = f"{t.reference_code} ({value})"
    else:
        then = f"the same period last year ({value} at {t.reference_code})"
    words = {
        "improving": "an improvement on",
        "worsening": "worse than",
        "no significant change": "similar to",
        "increased": "higher than",
        "decreased": "lower than",
    }[t.judgement]
    return f"This is {words} {then}."


def _suppressed(j: Judgement) -> list[str]:
    out = []
    for p in (j.sn_position, j.positions["england"]):
        if p.symbol is not None and p.year is not None:
            name = "England" if p.comparator == "england" else f"statistical neighbour {j.sn_average}"
            out.append(
                f"The {name} figure for {p.year} is {SUPPRESSION.get(p.symbol, f'suppressed ({p.symbol})')}."
            )
    return out


def _rag(j: Judgement) -> str:
    if j.rag.status is None or j.target is None:
        return ""
    target = fmt(j.target.value, j.meta.unit)
    if j.rag.status == "amber":
        tolerance = fmt_difference(j.target.tolerance, j.meta.unit)
        return f"Against the target of {target} this is amber (within the tolerance of {tolerance})."
    return f"Against the target of {target} this is {j.rag.status}."


def _spc(j: Judgement) -> str:
    s = j.spc
    if s is None or s.variation_icon is None or s.rule[-1] is None:
        return ""
    high = s.direction[-1] > 0
    n = s.options.trend_n if s.rule[-1] == "trend" else s.options.shift_n
    what = SPC_WHAT[s.rule[-1]][0 if high else 1].format(n=n)
    kind = s.point_type[-1].removeprefix("special_cause_")
    kind = "variation" if kind.startswith("neutral") else kind
    return f"The SPC chart shows special-cause {kind}: {what}."


def _small(j: Judgement) -> str:
    s = j.small_numbers
    if not s.small or s.base is None:
        return ""
    what = {
        "percent": "a denominator",
        "days": "a denominator",
        "average": "a denominator",
        "count": "a count",
    }.get(j.meta.unit, "a numerator")
    return f"Caution: this rests on small numbers ({what} of {s.base:,.0f}), so it can swing widely between periods."


def indicator_narrative(j: Judgement) -> str:
    if j.point is None or j.point.value is None:
        return f"{j.meta.label}: no value for {j.period_code}."
    sentences = [_headline(j), _projection(j), _year_on_year(j), *_suppressed(j), _rag(j), _spc(j), _small(j)]
    return " ".join(s for s in sentences if s)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def area_narrative(summary: AreaSummary) -> str:
    n = len(summary.indicators)
    text = f"{summary.area}: {_plural(n, 'indicator')}; {summary.green} green, {summary.amber} amber, {summary.red} red"
    text += f", {summary.not_rated} not rated." if summary.not_rated else "."
    since = summary.period.previous().code if summary.period else "the previous period"
    if summary.improved:
        text += f" Improved since {since}: {', '.join(summary.improved)}."
    if summary.worsened:
        text += f" Worsened since {since}: {', '.join(summary.worsened)}."
    if n and not summary.improved and not summary.worsened:
        text += f" None improved or worsened significantly since {since}."
    return text
