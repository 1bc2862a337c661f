"""Factual sentences drafted from the judgements, for an analyst to edit: plain English, templates only, never a
cause, never an internal code.

Per indicator, in order and only when there is something to say:
  1. the figure, with its period in words and the comparison that says which way it moved: the previous period,
     or for a year-to-date count (which only grows through the year) the same point last year
     ("There were 3,432 referrals in April to December 2016, similar to the same point last year (3,390).");
  2. the same point last year, when sentence 1 used the previous period;
  3. a part-year count's straight-line year end, against last year's full year;
  4. the position against statistical neighbours and England, with the year of the published figures, and
     saying so when a part-year figure is set beside full-year ones;
  5. suppressed benchmarks; 6. RAG against target; 7. SPC special cause; 8. small numbers, said plainly.
Per area: how many indicators are green, amber and red, and which improved or worsened.
"""

from __future__ import annotations

import re

from .indicator import IndicatorMeta
from .judgement import AreaSummary, Judgement
from .position import Position
from .suppression import suppression
from .trend import Trend
from .units import fmt, fmt_difference

SPC_WHAT = {
    "outside": (
        "the latest point is above the upper process limit",
        "the latest point is below the lower process limit",
    ),
    "trend": ("{n} points in a row rising", "{n} points in a row falling"),
    "two_of_three": (
        "2 of the last 3 points are close to the upper process limit",
        "2 of the last 3 points are close to the lower process limit",
    ),
    "shift": ("{n} points in a row above the average", "{n} points in a row below the average"),
}
SUPPRESSED_WORDS = {
    "c": "suppressed to protect privacy",
    "x": "suppressed",
    "z": "not applicable",
    "k": "rounded to zero",
    "u": "of low reliability",
    "-": "not published",
    ":": "not available",
    "..": "not available",
    "low": "too small to publish",
}
PART_OF = re.compile(r"(?P<part>\d+) of (?P<whole>\d+) ")  # an engine note's "4 of 15 children ..."
COMPARISON = {  # a trend's judgement, as the words before the earlier figure
    "improving": "an improvement on",
    "worsening": "worse than",
    "no significant change": "similar to",
    "increased": "up from",
    "decreased": "down from",
}


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _noun(meta: IndicatorMeta) -> str:
    """The label as a noun phrase, without a rate's 'per ...' or a '(%)' that the value already says."""
    label = meta.label.removesuffix(" (%)")
    return label.split(" per ", 1)[0] if meta.is_rate else label


def value_words(meta: IndicatorMeta, value: float | None) -> str:
    """A value with its unit in words: '21.7%', '519.7 per 10,000 children aged under 18', '508 days'."""
    if value is None:
        return "no value"
    if meta.is_rate:
        return f"{_number(meta, value)} per {meta.base_words}"
    return fmt(value, meta.unit)


def _number(meta: IndicatorMeta, value: float | None) -> str:
    """The value rounded for its unit, without a rate's 'per 10,000'."""
    return fmt(value, meta.unit).split(" per ", 1)[0]


def figure_sentence(meta: IndicatorMeta, value: float | None, when: str) -> str:
    """'There were 3,432 referrals in April to December 2016', 'Re-referrals within 12 months were 21.7% in ...',
    'Long-term placement stability was 61.8% at the end of ...', 'Average caseload: 18.2 at the end of ...'."""
    shown = fmt(value, meta.unit)
    if meta.unit == "count" and shown != "1":
        return f"There were {shown} {_lower_first(_noun(meta))} {when}"
    if meta.is_rate:
        return f"There were {_number(meta, value)} {_lower_first(_noun(meta))} per {meta.base_words} {when}"
    if meta.unit == "percent":
        return f"{_noun(meta)} {'were' if meta.plural else 'was'} {shown} {when}"
    return f"{_noun(meta)}: {shown} {when}"


def _when(j: Judgement) -> str:
    return j.period.when(j.meta.kind == "stock")


def _then(j: Judgement, t: Trend) -> str:
    """The earlier figure of a comparison in words: '22.9% in April to September 2016'."""
    reference = j.period.previous() if t.basis == "previous" else j.period.last_year()
    value = _number(j.meta, t.reference)  # the unit was said with the figure it is compared with
    if t.basis == "last_year" and j.period.kind != "year":
        return f"the same point last year ({value} {reference.when(j.meta.kind == 'stock')})"
    return f"{value} {reference.when(j.meta.kind == 'stock')}"


def _comparison(j: Judgement, t: Trend) -> str:
    """', much the same as 22.9% in April to September 2016', or '' when there is no comparison."""
    if t.judgement is None:
        return ""
    words = COMPARISON[t.judgement]
    if t.basis == "previous" and j.trend_continuing and t.movement in ("up", "down"):
        verb = "falling" if t.movement == "down" else "rising"
        return f", {words} {_then(j, t)} and still {verb}"
    return f", {words} {_then(j, t)}"


def _headline(j: Judgement) -> str:
    return figure_sentence(j.meta, j.value, _when(j)) + _comparison(j, j.direction) + "."


def _year_on_year(j: Judgement) -> str:
    t = j.trend_last_year
    if j.direction is t or t.judgement is None or j.period.kind == "year":
        return ""
    return f"This is {COMPARISON[t.judgement]} {_then(j, t)}."


def _projection(j: Judgement) -> str:
    if j.projection.value is None:
        return ""
    text = f"At this rate the year would end at about {value_words(j.meta, j.projection.value)}"
    last = j.last_full_year
    if last is not None and last.value is not None:
        text += f", against {_number(j.meta, last.value)} {last.period.when(False)}"
    return text + "."


def _benchmark_phrase(j: Judgement, p: Position) -> str:
    name = "England" if p.comparator == "england" else "statistical neighbours"
    if p.comparator == "sn_median":
        name += " (median)"
    return f"{name} ({_number(j.meta, p.reference)})"


def _positions(j: Judgement) -> str:
    """'This is in line with statistical neighbours (21.4%) and England (21.9%) in 2016-17.'"""
    placed = [p for p in (j.sn_position, j.positions["england"]) if p.placing is not None]
    if not placed:
        return ""
    groups: list[tuple[str, list[Position]]] = []
    for p in placed:
        if groups and groups[-1][0] == p.placing:
            groups[-1][1].append(p)
        else:
            groups.append((p.placing or "", [p]))
    parts = [f"{placing} {' and '.join(_benchmark_phrase(j, p) for p in ps)}" for placing, ps in groups]
    years = " and ".join(sorted({p.year for p in placed if p.year})) or "the latest year"
    placing = " and ".join(parts)
    if j.benchmark_basis == "part year":
        return f"Set beside the full-year figures for {years}, this part of the year is {placing}."
    if j.benchmark_basis == "projected year end":
        return f"That year end would be {placing} in {years}."
    return f"This is {placing} in {years}."


def _suppressed(j: Judgement) -> list[str]:
    out = []
    for p in (j.sn_position, j.positions["england"]):
        if p.symbol is not None and p.year is not None:
            name = "England" if p.comparator == "england" else "statistical neighbours'"
            words = SUPPRESSED_WORDS.get(p.symbol, "not published")
            out.append(f"The {name} figure for {p.year} is {words}.")
    return out


def _rag(j: Judgement) -> str:
    if j.rag.status is None or j.target is None:
        return ""
    target = value_words(j.meta, j.target.value)
    if j.rag.status == "amber":
        tolerance = fmt_difference(j.target.tolerance, j.meta.unit)
        return f"It is amber against the target of {target}: short of it, but within {tolerance}."
    words = "meets the target" if j.rag.status == "green" else "is red against the target"
    return f"It {words} of {target}."


def _spc(j: Judgement) -> str:
    s = j.spc
    if s is None or s.variation_icon is None or s.rule[-1] is None:
        return ""
    high = s.direction[-1] > 0
    n = s.options.trend_n if s.rule[-1] == "trend" else s.options.shift_n
    what = SPC_WHAT[s.rule[-1]][0 if high else 1].format(n=n)
    kind = s.point_type[-1].removeprefix("special_cause_")
    meaning = {"improvement": " This is an improvement.", "concern": " This is a concern."}.get(kind, "")
    return f"The chart shows more than normal variation: {what}.{meaning}"


def _small(j: Judgement) -> str:
    s = j.small_numbers
    if not s.small or s.base is None:
        return ""
    if j.meta.unit == "count":
        return "This is a small number, so it can change a lot from one period to the next."
    children = "1 child" if s.base == 1 else f"{s.base:,.0f} children"
    if j.meta.is_rate:
        return f"This rate rests on {children}, so it can change a lot from one period to the next."
    return f"This rests on {children}, so it can change a lot from one period to the next."


def withheld_words(point) -> str:
    """Why a figure is missing, from the engine's note, as a sentence: ' It needs the 2012-13 CIN census (...).'"""
    note = (point.notes if point is not None else "") or ""
    for prefix, lead in (("withheld: needs ", " It needs "), ("not covered: needs ", " It needs "),
                         ("withheld: ", " It is withheld: ")):  # fmt: skip
        if note.startswith(prefix):
            reason = _part_in_words(note.removeprefix(prefix).split("; ")[0])
            return f"{lead}{reason}, so it is not computed on part of its history."
    return ""


def _part_in_words(reason: str) -> str:
    """'4 of 15 children adopted ...' with its counts under the small-number rule, as a percentage's numerator
    and denominator: 'some of the 15 children adopted ...', or 'some children adopted ...' when the 15 is
    small too. The sentence is published, so it must not say a count of 1 to 5 (nor 14 of 16)."""
    found = PART_OF.match(reason)
    if found is None:
        return reason
    part, whole, rest = int(found["part"]), int(found["whole"]), reason[found.end() :]
    hidden = suppression("percent", part, whole, None)
    if hidden.denominator:
        return f"some {rest}"
    return f"some of the {whole:,} {rest}" if hidden.numerator else reason


def indicator_narrative(j: Judgement) -> str:
    if j.point is None or j.point.value is None:
        return f"{_noun(j.meta)}: no figure {_when(j)}." + withheld_words(j.point)
    sentences = [
        _headline(j), _year_on_year(j), _projection(j), _positions(j), *_suppressed(j), _rag(j), _spc(j),
        _small(j),
    ]  # fmt: skip
    return " ".join(s for s in sentences if s)


def count_of(n: int, word: str) -> str:
    """'1 indicator', '2 indicators'."""
    return f"{n} {word}" + ("" if n == 1 else "s")


def and_list(items: list[str] | tuple[str, ...]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def rated_words(green: int, amber: int, red: int, total: int, with_target: str = "with a target") -> str:
    """How many of `total` indicators are green, amber and red, as a sentence ('' when none is rated)."""
    rated = green + amber + red
    colours = [(name, k) for name, k in (("green", green), ("amber", amber), ("red", red)) if k]
    if rated == 0:
        return ""
    if rated == 1:
        colour = colours[0][0]
        return f"The one {with_target} is {colour}." if total > 1 else f"It is {colour} against its target."
    if len(colours) == 1:
        return f"Of the {rated} {with_target}, {'both' if rated == 2 else 'all'} are {colours[0][0]}."
    return (
        f"Of the {rated} {with_target}, "
        + and_list([f"{k} {'is' if k == 1 else 'are'} {c}" for c, k in colours])
        + "."
    )


def area_narrative(summary: AreaSummary) -> str:
    n = len(summary.indicators)
    text = f"{summary.area}: {count_of(n, 'indicator')}."
    rated = rated_words(summary.green, summary.amber, summary.red, n)
    if rated:
        text += f" {rated}"
    elif n:
        text += " No target is set for " + ("it." if n == 1 else "any of them.")
    if summary.improved:
        text += f" Improved: {and_list([_lower_first(x) for x in summary.improved])}."
    if summary.worsened:
        text += f" Worsened: {and_list([_lower_first(x) for x in summary.worsened])}."
    if n and not summary.improved and not summary.worsened:
        text += " None improved or worsened significantly."
    return text
