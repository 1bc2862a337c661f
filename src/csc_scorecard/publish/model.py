"""The published view of a scorecard: every figure rounded per its unit and, in the `published` profile,
small numbers suppressed. The spreadsheet, the HTML/PDF report and the Word paper all render this one view,
so they cannot disagree, and nothing below it ever sees a suppressed number.

Rounding (spec/data-formats.md §5): percentages and rates per 10,000 to 1 dp, counts and days whole, halves up.

Suppression, profile `published`: the rule of judge/suppression.py, applied to the series shown (every period
of the history, decided together, so that no year-to-date quarter less the one before it reveals a count of
1 to 5 either); and here, what follows from it:
- when the latest figure is suppressed, its RAG, trends, positions, quartile, projection and SPC icon are
  withheld too (each narrows down the figure) and the drafted narrative is replaced by a sentence saying why;
  when a figure it compares with is suppressed, the narrative says only the latest value;
- SPC limits are not drawn when any point of the series is suppressed (the mean would let it be worked out);
- commentary or action text that quotes numbers is withheld for an indicator with a suppressed figure, and so
  is text that looks as if it may identify a child until an analyst confirms it does not (a published pack is
  not written at all while there is such text: publish/pack.py).
Profile `internal` shows every figure and marks every page and sheet with INTERNAL_MARKING.
Only aggregates reach this module: there is no child-level data in a Scorecard, so none can be published.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from ..judge import narrative as narrative_text
from ..judge.actions import overdue
from ..judge.indicator import Point
from ..judge.judgement import AreaSummary, Judgement
from ..judge.narrative import count_of, figure_sentence, rated_words
from ..judge.spc import point_colour
from ..judge.suppression import (
    NOT_SUPPRESSED,
    RESTS_ON_SMALL,
    SUPPRESSED,
    SUPPRESSED_RANGE,
    Partner,
    Suppression,
    rule_unit,
    series_suppression,
    with_partners,
)
from ..judge.trend import Trend, grows_with_window
from ..judge.units import DECIMALS, fmt, round_half_up, shown
from ..periods import Period
from ..pipeline import AreaNote, Built
from .report_config import ReportConfig

Profile = Literal["published", "internal"]
PROFILES: tuple[str, ...] = ("published", "internal")
INTERNAL_MARKING = "INTERNAL – NOT FOR PUBLICATION: contains unsuppressed small numbers"
PUBLISHED_NOTE = (
    "Figures that rest on 1 to 5 children, and figures that would reveal them, are shown as c "
    "to protect children's privacy."
)
NO_VALUE = "–"
RECENT_PERIODS = 6  # columns of recent periods in the spreadsheet, ending with the period reported

UNIT_LABELS = {
    "percent": "%",
    "rate_per_10k": "per 10,000 children",
    "count": "number",
    "days": "days",
    "average": "average",
}
SPC_VARIATION = {
    "common_cause": "Common cause",
    "improvement_high": "Improvement (high)",
    "improvement_low": "Improvement (low)",
    "concern_high": "Concern (high)",
    "concern_low": "Concern (low)",
    "neutral_high": "Special cause (high)",
    "neutral_low": "Special cause (low)",
}
SPC_ASSURANCE = {
    "consistent_pass": "Consistently passes target",
    "consistent_fail": "Consistently fails target",
    "inconsistent": "Hits and misses target",
}
TREND_WORDS = {"up": "↑", "down": "↓", "flat": "→"}
PUBLISHED_ONLY = "Published by DfE, not computed from the council's returns:"

KEY = (  # "How to read this report": the same lines in the spreadsheet, the report and the paper
    "RAG: green is on or better than the local target; amber is worse than the target but within the agreed "
    "tolerance; red is beyond it. – means no target is set, no value or no comparison.",
    "c: suppressed to protect children's privacy (a count of 1 to 5, or a figure that would reveal one).",
    "SN: the average of the council's statistical neighbours (DfE list). Benchmarks are the latest published "
    "full-year figures, shown with their year.",
    "Quartile: A is the best quarter of English local authorities (LAIT banding).",
    "SPC: statistical process control (NHS Making Data Count method). Variation: "
    + "; ".join(SPC_VARIATION.values()).lower()
    + ". Assurance: "
    + "; ".join(SPC_ASSURANCE.values()).lower()
    + ". Charts show the mean and process limits where there are enough points.",
)


@dataclass(frozen=True)
class Figure:
    """One figure as published: rounded, or suppressed, or missing."""

    value: float | None  # as shown (rounded); None when suppressed or missing
    text: str  # short, for tables: "21.7%", "519.7", "3,432", "c", "–"
    long: str  # with its unit, for sentences and alt text: "519.7 per 10,000"
    suppressed: bool = False

    @staticmethod
    def of(value: float | None, unit: str, *, suppressed: bool = False) -> Figure:
        if suppressed:
            return Figure(None, SUPPRESSED, SUPPRESSED, True)
        if value is None:
            return Figure(None, NO_VALUE, "no value")
        rounded = shown(value, unit)
        dp = DECIMALS[unit]
        text = f"{rounded:,.{dp}f}" + ("%" if unit == "percent" else "")
        return Figure(rounded, text, fmt(rounded, unit))

    @staticmethod
    def symbol(symbol: str | None) -> Figure:
        return Figure(None, symbol or NO_VALUE, symbol or "no value", symbol is not None)


@dataclass(frozen=True)
class HistoryPoint:
    period_code: str
    label: str  # the period as a column heading: "Apr–Dec 2016"
    value: Figure
    numerator: Figure
    denominator: Figure
    spc_mean: float | None = None  # None when no SPC or limits are not shown
    spc_upl: float | None = None
    spc_lpl: float | None = None
    colour: str | None = None  # SPC point colour (common cause grey, improvement blue, concern orange)


@dataclass(frozen=True)
class Benchmark:
    name: str  # "SN mean", "England", region name
    label: str  # with the list and year: "SN mean (April 2021 list, 10 of 10) 2016-17"
    year: str | None
    value: Figure
    judgement: str | None  # better / similar / worse, or None


@dataclass(frozen=True)
class TrendView:
    reference_code: str | None
    movement: str | None  # up / down / flat
    judgement: str | None

    @property
    def text(self) -> str:
        if self.movement is None:
            return NO_VALUE
        return f"{TREND_WORDS[self.movement]} {self.judgement or ''}".strip()


WITHHELD_TREND = TrendView(None, None, None)


@dataclass(frozen=True)
class ActionView:
    text: str
    owner: str | None
    due: dt.date | None
    status: str
    overdue: bool = False  # open and due before the period's end (judge/actions.py)

    @property
    def line(self) -> str:
        """'Audit repeat referrals (owner: Head of MASH, due 31 March 2017): open, overdue'."""
        who = ", ".join(
            x for x in (self.owner and f"owner: {self.owner}", self.due and f"due {_day(self.due)}") if x
        )
        state = f"{self.status}, overdue" if self.overdue else self.status
        return f"{self.text} ({who}): {state}" if who else f"{self.text}: {state}"


@dataclass(frozen=True)
class IndicatorView:
    id: str
    label: str
    area: str
    unit: str
    unit_label: str
    polarity: str
    polarity_text: str
    period_code: str
    period_words: str  # "in April to December 2016", "at the end of December 2016"
    cumulative: bool  # a year-to-date count: drawn against last year at the same points, not as one line
    value: Figure
    numerator: Figure
    denominator: Figure
    target: Figure | None
    rag: str | None  # green / amber / red; None when not rated or withheld
    trend_previous: TrendView
    trend_last_year: TrendView
    direction: TrendView  # the comparison that says which way it moved (judge.Judgement.direction)
    sn: Benchmark
    england: Benchmark
    region: Benchmark
    benchmarks_comparable: bool  # False: a part-year count, compared on its projected year end
    projection: Figure | None
    quartile: str | None
    spc_variation: str | None  # key of SPC_VARIATION
    spc_assurance: str | None
    spc_limits_note: str  # why no limits are drawn, or ""
    small_numbers: bool
    suppressed: bool  # the latest figure is suppressed (judgements withheld)
    suppression_note: str
    narrative: str
    commentary: str | None
    commentary_author: str | None
    actions: tuple[ActionView, ...]
    history: tuple[HistoryPoint, ...]  # same period type, oldest first, ending with this period
    headline: bool = False  # in the report's headline set (report.yaml `headline`): reported in words
    in_grid: bool = True  # a row of the background paper's grid (report.yaml `grid`; manual measures always)

    @property
    def rag_text(self) -> str:
        if self.suppressed:
            return SUPPRESSED
        return self.rag.capitalize() if self.rag else NO_VALUE

    @property
    def quartile_text(self) -> str:
        return SUPPRESSED if self.suppressed else (self.quartile or NO_VALUE)

    @property
    def spc_text(self) -> str:
        if self.suppressed:
            return SUPPRESSED
        return SPC_VARIATION.get(self.spc_variation or "", NO_VALUE)

    @property
    def spc_assurance_text(self) -> str:
        if self.suppressed:
            return SUPPRESSED
        return SPC_ASSURANCE.get(self.spc_assurance or "", NO_VALUE)

    @property
    def has_data(self) -> bool:
        """Any figure, shown or suppressed, in this period or an earlier one (else the returns are not loaded)."""
        return any(h.value.value is not None or h.value.suppressed for h in self.history) or (
            self.value.value is not None or self.value.suppressed
        )

    @property
    def facts(self) -> str:
        """'Value 21.7% (743 of 3,430). Lower is better.': what the figure rests on, in words."""
        text = f"Value {self.value.long}"
        if self.suppressed:
            text += ", " + self.suppression_note[0].lower() + self.suppression_note[1:-1]
        elif self.unit == "percent" and self.denominator.text != NO_VALUE:
            text += f" ({self.numerator.text} of {self.denominator.text})"
        elif self.unit == "rate_per_10k" and self.denominator.text != NO_VALUE:
            text += f" (count {self.numerator.text}; child population {self.denominator.text})"
        elif self.unit == "days" and self.denominator.text != NO_VALUE:
            text += f" (average over {self.denominator.text} children)"
        elif self.unit not in ("count", "percent") and self.denominator.text != NO_VALUE:
            text += f" ({self.numerator.text} over {self.denominator.text})"
        text += f". {self.polarity_text}."
        if self.small_numbers and not self.suppressed:
            text += " Small numbers: treat with caution."
        return text

    def recent(self, codes: Sequence[str]) -> list[Figure]:
        by_code = {p.period_code: p.value for p in self.history}
        return [by_code.get(c, Figure.of(None, self.unit)) for c in codes]


@dataclass(frozen=True)
class AreaView:
    name: str
    slug: str
    green: int
    amber: int
    red: int
    not_rated: int
    narrative: str
    indicators: tuple[IndicatorView, ...]
    # DfE's measures of the area no return gives, each in a sentence (judge/published_only.py)
    published: tuple[str, ...] = ()
    published_heading = PUBLISHED_ONLY

    @property
    def has_data(self) -> bool:
        return any(i.has_data for i in self.indicators)

    @property
    def with_data(self) -> tuple[IndicatorView, ...]:
        return tuple(i for i in self.indicators if i.has_data)


@dataclass(frozen=True)
class PriorityRow:
    area: str
    achievements: tuple[str, ...]
    priorities: tuple[str, ...]


@dataclass(frozen=True)
class ReportView:
    la_code: str
    la_name: str
    council: str
    period_code: str
    period_label: str  # "Quarter 3 2016-17 (year to date: 1 April 2016 to 31 December 2016)"
    period_short: str  # "Quarter 3 2016-17"
    profile: Profile
    marking: str | None  # INTERNAL_MARKING for the internal profile, else None
    note: str  # what c means (published) or the marking (internal)
    generated: dt.date
    sn_average: str
    areas: tuple[AreaView, ...]
    recent_periods: tuple[str, ...]  # codes, oldest first
    recent_labels: tuple[str, ...]  # the same periods as column headings: "Apr–Dec 2016"
    cover: ReportConfig  # placeholders filled
    executive_summary: tuple[str, ...]  # paragraphs
    priorities: tuple[PriorityRow, ...]

    def indicators(self) -> list[IndicatorView]:
        return [i for a in self.areas for i in a.indicators]

    @property
    def areas_with_data(self) -> tuple[AreaView, ...]:
        return tuple(a for a in self.areas if a.has_data)

    @property
    def areas_without_data(self) -> tuple[AreaView, ...]:
        return tuple(a for a in self.areas if not a.has_data)

    @property
    def title(self) -> str:
        return self.cover.title


# --- periods -----------------------------------------------------------------------------------------------


def _day(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


def period_labels(period: Period) -> tuple[str, str]:
    """(long, short): ('Quarter 3 2016-17 (year to date: 1 April 2016 to 31 December 2016)', 'Quarter 3 2016-17')."""
    code, kind = period.code, period.kind
    if kind == "ytd_quarter":
        short = f"Quarter {code[-1]} {code[:7]}"
        return f"{short} ({period.words})", short
    if kind == "year":
        return f"{code} ({period.words})", code
    if kind == "rolling_12":
        return f"the 12 months to {period.end:%B %Y} ({period.words})", period.short
    return period.words, period.short


# --- one indicator -----------------------------------------------------------------------------------------


def _same_type_history(j: Judgement, series: Sequence[Point]) -> list[Point]:
    kind, end = j.period.kind, j.period.end
    points = [p for p in series if p.period.kind == kind and p.period_end <= end]
    return sorted(points, key=lambda p: p.period_end)


def _history(
    j: Judgement, points: Sequence[Point], hidden: Sequence[Suppression]
) -> tuple[tuple[HistoryPoint, ...], str]:
    unit = j.meta.unit
    rows = [
        HistoryPoint(
            p.period_code,
            p.period.short,
            Figure.of(p.value, unit, suppressed=s.value),
            Figure.of(p.numerator, "count", suppressed=s.numerator),
            Figure.of(p.denominator, "count", suppressed=s.denominator),
        )
        for p, s in zip(points, hidden, strict=True)
    ]
    any_suppressed = any(s.any for s in hidden)
    note = ""
    valued = [i for i, p in enumerate(points) if p.value is not None]
    spc = j.spc
    if spc is None or spc.variation_icon is None:
        note = "No SPC limits: " + (j.spc_rule.split(": ", 1)[-1] if spc is None else spc.explain())
    elif len(valued) != len(spc.mean):
        note = "No SPC limits: the series drawn is not the one the limits were computed on"
    elif any_suppressed:
        note = "SPC limits are not drawn because a period in the series is suppressed"
    else:
        dp = DECIMALS[unit] + 1  # limits carry one more decimal than the values, as in the MDC tools
        for k, i in enumerate(valued):
            rows[i] = replace(
                rows[i],
                spc_mean=round_half_up(spc.mean[k], dp),
                spc_upl=round_half_up(spc.upl[k], dp),
                spc_lpl=round_half_up(spc.lpl[k], dp),
                colour=point_colour(spc.point_type[k]),
            )
    return tuple(rows), note


def _benchmark(j: Judgement, kind: str, name: str, *, withhold: bool) -> Benchmark:
    p = j.positions[kind]
    value = Figure.of(p.reference, j.meta.unit) if p.reference is not None else Figure.symbol(p.symbol)
    label = p.label if p.year else name
    return Benchmark(name, label, p.year, value, None if withhold else p.judgement)


def _trend(t: Trend) -> TrendView:
    return TrendView(t.reference_code, t.movement, t.judgement)


NUMBER = re.compile(r"\d")


class FreeText(Protocol):
    text: str
    identifiers: tuple[str, ...]

    @property
    def needs_confirming(self) -> bool: ...


def _safe_text(note: FreeText | None, *, has_suppression: bool, profile: Profile) -> str | None:
    """Free text from analysts, withheld from the published profile when it quotes numbers beside a
    suppressed figure (it might quote the figure itself), or when it looks as if it may identify a child and
    no analyst has confirmed that it does not (store/identifiers.py)."""
    if note is None or profile == "internal":
        return note.text if note else None
    if note.needs_confirming or (has_suppression and NUMBER.search(note.text)):
        return None
    return note.text


def unconfirmed_free_text(built: Built) -> list[str]:
    """Commentary and actions that look as if they may identify a child and that no analyst has confirmed do
    not: one line each, naming the indicator, the period and what the text seems to hold (never the text)."""
    out = []
    for j in built.judgements():
        where = f"{j.meta.id} ({j.meta.label}), {j.period_code}"
        if j.commentary is not None and j.commentary.needs_confirming:
            out.append(
                f"the commentary on {where} looks as if it holds {' and '.join(j.commentary.identifiers)}"
            )
        for a in j.actions:
            if a.needs_confirming:
                out.append(
                    f"action {a.action_id} on {where} looks as if it holds {' and '.join(a.identifiers)}"
                )
    return out


def _quotes_hidden(j: Judgement, points: Sequence[Point], hidden: Sequence[Suppression]) -> bool:
    """The drafted narrative has a number that is also a hidden figure of the series (a projection that happens
    to equal a suppressed quarter): it says only the latest value, so that nothing hidden can be read in it. A
    hidden figure that rounds to one shown elsewhere in the series gives nothing away."""
    unit = j.meta.unit
    shown = {Figure.of(p.value, unit).long for p, s in zip(points, hidden, strict=True) if not s.value}
    secret = {
        Figure.of(p.value, unit).long
        for p, s in zip(points, hidden, strict=True)
        if s.value and p.value is not None
    } - shown
    text = re.sub(re.escape(j.meta.label), "", j.narrative, flags=re.I)  # the label's own numbers are words
    return any(re.search(rf"(?<![\w.,\-]){re.escape(t)}(?![\w%]|[.,]\d)", text) for t in secret)


def _narrative(j: Judgement, value: Figure, *, current: bool, compared: bool) -> str:
    when = j.period.when(j.meta.kind == "stock")
    if current:
        return (
            f"{j.meta.label}: the figure {when} is not shown (c), to protect children's privacy: it would reveal "
            f"{SUPPRESSED_RANGE}."
        )
    if compared:
        return (
            f"{figure_sentence(j.meta, j.value, when)}. It is not compared with earlier periods, because a "
            "figure that comparison uses is not shown (c), to protect children's privacy."
        )
    return j.narrative


def partners_of(built: Built, j: Judgement) -> list[Partner]:
    """The other indicators of the scorecard that may count the same children as `j`, as the suppression rule
    reads them (those that do share its suppression: judge/suppression.py with_partners; the rest never could,
    Built.twins)."""
    by_id = {k.meta.id: k for k in built.judgements()}
    return [
        (rule_unit(k.meta), k.meta.kind, built.series.get(k.meta.id, ()))
        for k in (by_id[i] for i in built.twins.get(j.meta.id, ()))
    ]


def shown_series(
    j: Judgement, series: Sequence[Point], profile: Profile, partners: Sequence[Partner] = ()
) -> tuple[list[Point], list[Suppression]]:
    """The periods shown with an indicator (its history of the same kind, ending with the period reported) and
    the suppression of each, decided together (judge/suppression.py), with what the indicators counting the
    same children hide (`partners`), the judge's own flag on the period reported kept as belt and braces. Every
    output of the indicator shows these, or fewer."""
    points = _same_type_history(j, series)
    if j.point is not None and not any(p.period_code == j.point.period_code for p in points):
        points.append(j.point)
    if profile != "published":
        return points, [NOT_SUPPRESSED] * len(points)
    hidden = series_suppression(rule_unit(j.meta), j.meta.kind, points)
    hidden = with_partners(rule_unit(j.meta), points, hidden, partners)
    for i, p in enumerate(points):
        if p.period == j.period and j.small_numbers.suppress_in_publication and not hidden[i].value:
            hidden[i] = Suppression(True, True, hidden[i].denominator, RESTS_ON_SMALL)
    return points, hidden


def indicator_view(
    j: Judgement, series: Sequence[Point], profile: Profile, partners: Sequence[Partner] = ()
) -> IndicatorView:
    unit, point = j.meta.unit, j.point
    points, hidden = shown_series(j, series, profile, partners)
    by_period = {p.period: s for p, s in zip(points, hidden, strict=True)}
    s = by_period.get(j.period, NOT_SUPPRESSED) if point is not None else NOT_SUPPRESSED
    compared = any(
        found.value for c in (j.period.previous(), j.period.last_year()) if (found := by_period.get(c))
    ) or _quotes_hidden(j, points, hidden)
    history, limits_note = _history(j, points, hidden)
    value = Figure.of(point.value if point else None, unit, suppressed=s.value)
    withhold = s.value
    projection = None
    if j.projection.value is not None:
        projection = Figure.of(j.projection.value, unit, suppressed=withhold)
    has_suppression = s.any or compared
    note = f"Suppressed because {s.reason}." if s.any else ""
    return IndicatorView(
        id=j.meta.id,
        label=j.meta.label,
        area=j.meta.area,
        unit=unit,
        unit_label=UNIT_LABELS.get(unit, unit.replace("_", " ")),
        polarity=j.meta.polarity,
        polarity_text=j.meta.polarity_text.capitalize(),
        period_code=j.period_code,
        period_words=j.period.when(j.meta.kind == "stock"),
        cumulative=j.period.kind == "ytd_quarter" and grows_with_window(j.meta),
        value=value,
        numerator=Figure.of(point.numerator if point else None, "count", suppressed=s.numerator),
        denominator=Figure.of(point.denominator if point else None, "count", suppressed=s.denominator),
        target=Figure.of(j.target.value, unit) if j.target else None,
        rag=None if withhold else j.rag.status,
        trend_previous=WITHHELD_TREND if withhold else _trend(j.trend_previous),
        trend_last_year=WITHHELD_TREND if withhold else _trend(j.trend_last_year),
        direction=WITHHELD_TREND if withhold else _trend(j.direction),
        sn=_benchmark(j, f"sn_{j.sn_average}", f"SN {j.sn_average}", withhold=withhold),
        england=_benchmark(j, "england", "England", withhold=withhold),
        region=_benchmark(j, "region", "Region", withhold=withhold),
        benchmarks_comparable=j.benchmark_basis == "",
        projection=projection,
        quartile=None if withhold else j.quartile.band,
        spc_variation=None if withhold or j.spc is None else j.spc.variation_icon,
        spc_assurance=None if withhold or j.spc is None else j.spc.assurance_icon,
        spc_limits_note=limits_note,
        small_numbers=j.small_numbers.small,
        suppressed=withhold,
        suppression_note=note,
        narrative=_narrative(j, value, current=s.value, compared=compared and not s.value),
        commentary=_safe_text(j.commentary, has_suppression=has_suppression, profile=profile),
        commentary_author=j.commentary.author if j.commentary else None,
        actions=tuple(
            ActionView(text, a.owner, a.due_date, a.status, overdue(a, j.period.end))
            for a in j.actions
            if (text := _safe_text(a, has_suppression=has_suppression, profile=profile)) is not None
        ),
        history=history,
    )


# --- areas and the report ----------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def area_view(
    summary: AreaSummary, judgements: Sequence[Judgement], views: Sequence[IndicatorView]
) -> AreaView:
    """Counts and narrative recomputed from what is shown, so a withheld RAG or trend is not given away."""
    by_id = {v.id: v for v in views}
    shown_summary = replace(
        summary,
        green=sum(v.rag == "green" for v in views),
        amber=sum(v.rag == "amber" for v in views),
        red=sum(v.rag == "red" for v in views),
        not_rated=sum(v.rag is None for v in views),
        improved=tuple(
            j.meta.label for j in judgements if by_id[j.meta.id].direction.judgement == "improving"
        ),
        worsened=tuple(
            j.meta.label for j in judgements if by_id[j.meta.id].direction.judgement == "worsening"
        ),
    )
    text = narrative_text.area_narrative(shown_summary)
    if not any(v.has_data for v in views):
        text = (
            f"No figures are available for {summary.area.lower()} for "
            f"{period_labels(summary.period)[1] if summary.period else 'this period'}: "
            f"the data its {len(views)} indicators need has not been loaded."
        )
    return AreaView(
        summary.area,
        _slug(summary.area),
        shown_summary.green,
        shown_summary.amber,
        shown_summary.red,
        shown_summary.not_rated,
        text,
        tuple(views),
    )


def _reasons(v: IndicatorView, good: bool) -> list[str]:
    rag, trend, sn = ("green", "improving", "better") if good else ("red", "worsening", "worse")
    out = []
    if v.rag == rag:
        out.append("on target" if good else "short of target")
    if v.trend_last_year.judgement == trend:
        out.append("better than last year" if good else "worse than last year")
    if v.sn.judgement == sn:
        out.append(f"{sn} than statistical neighbours")
    if v.england.judgement == sn:
        out.append(f"{sn} than England")
    return out


def standing(v: IndicatorView) -> tuple[str, list[str]] | None:
    """("achievement" or "priority", its reasons), or None: never both. A rating against target decides
    (green an achievement, red a priority); without one, the side with more reasons does, and a tie is neither."""
    good, bad = _reasons(v, True), _reasons(v, False)
    if v.rag == "red" or (v.rag != "green" and len(bad) > len(good)):
        return "priority", bad
    if v.rag == "green" or len(good) > len(bad):
        return "achievement", good
    return None


def priorities(
    areas: Sequence[AreaView], notes: Mapping[str, Sequence[AreaNote]] | None = None
) -> tuple[PriorityRow, ...]:
    """Per area: what went well and what needs attention. First the analysts' own (`notes`, by area name), then
    those drawn from the figures, in words only (no figures); each indicator on one side at most."""
    rows = []
    notes = notes or {}
    for area in (a for a in areas if a.has_data or a.name in notes):
        sides: dict[str, list[str]] = {"achievement": [], "priority": []}
        for note in notes.get(area.name, ()):
            sides[note.kind].append(note.text)
        for v in area.indicators:
            if (found := standing(v)) is not None:
                side, reasons = found
                sides[side].append(f"{v.label}: {', '.join(reasons)}")
        rows.append(PriorityRow(area.name, tuple(sides["achievement"]), tuple(sides["priority"])))
    shown = {a.name for a in areas}
    for name, area_notes in notes.items():  # an analyst's note for an area the scorecard does not show
        if name not in shown:
            by_kind = {
                k: tuple(n.text for n in area_notes if n.kind == k) for k in ("achievement", "priority")
            }
            rows.append(PriorityRow(name, by_kind["achievement"], by_kind["priority"]))
    return tuple(rows)


def drafted_summary(areas: Sequence[AreaView], period_label: str, council: str) -> tuple[str, ...]:
    views = [v for a in areas for v in a.with_data]
    empty = sum(len(a.indicators) for a in areas) - len(views)
    green, amber, red = (sum(v.rag == s for v in views) for s in ("green", "amber", "red"))
    better = sum(v.direction.judgement == "improving" for v in views)
    worse = sum(v.direction.judgement == "worsening" for v in views)
    first = (
        f"This report sets out the performance of {council}'s Children's Services for {period_label}: "
        f"{count_of(len(views), 'indicator')} in {count_of(sum(a.has_data for a in areas), 'area')}."
    )
    if empty == 1:
        first += " A further indicator has no figures yet, because the data it needs has not been loaded."
    elif empty:
        first += f" A further {empty} indicators have no figures yet, because the data they need has not been loaded."
    second = rated_words(green, amber, red, len(views), "with a local target") or (
        "No local targets were set for this period, so no indicator is rated red, amber or green."
    )
    third = (
        f"Compared with the previous quarter or, for counts so far this year, the same point last year, "
        f"{count_of(better, 'indicator')} improved and {worse} worsened; the others changed little or cannot be "
        "compared."
    )
    return (first, f"{second} {third}")


def paragraphs(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in re.split(r"\n\s*\n", text) if p.strip())


@dataclass(frozen=True)
class ViewInputs:
    """What the view is built from besides the scorecard (kept apart so tests can build views directly)."""

    la_name: str
    config: ReportConfig = field(default_factory=ReportConfig)
    generated: dt.date = field(default_factory=dt.date.today)


def report_view(built: Built, profile: Profile, inputs: ViewInputs) -> ReportView:
    """The published (or internal) view of a built scorecard."""
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, not {profile!r}")
    code = built.period.code
    long, short = period_labels(built.period)
    council = inputs.config.council or f"{inputs.la_name} Council"
    areas = []
    for summary, judgements in built.areas:
        views = [
            indicator_view(j, built.series.get(j.meta.id, ()), profile, partners_of(built, j))
            for j in judgements
        ]
        grid = inputs.config.grid
        views = [
            replace(
                v,
                headline=v.id in inputs.config.headline,
                in_grid=grid == "all" or v.id in grid or j.meta.recorded,
            )
            for v, j in zip(views, judgements, strict=True)
        ]
        published = tuple(r.narrative for r in built.published.get(summary.area, ()))
        areas.append(replace(area_view(summary, judgements, views), published=published))
    cover = inputs.config.resolved(
        {
            "council": council,
            "la_name": inputs.la_name,
            "period": code,
            "period_label": long,
            "period_short": short,
            "committee": inputs.config.committee,
            "meeting_date": _day(inputs.config.meeting_date) if inputs.config.meeting_date else "",
        }
    )
    summary = (
        paragraphs(cover.executive_summary)
        if cover.executive_summary
        else drafted_summary(areas, long, council)
    )
    judgements = built.judgements()
    marking = INTERNAL_MARKING if profile == "internal" else None
    return ReportView(
        la_code=built.la_code,
        la_name=inputs.la_name,
        council=council,
        period_code=code,
        period_label=long,
        period_short=short,
        profile=profile,
        marking=marking,
        note=marking or PUBLISHED_NOTE,
        generated=inputs.generated,
        sn_average=judgements[0].sn_average if judgements else "mean",
        areas=tuple(areas),
        recent_periods=(recent := _recent_codes(areas, built.series)),
        recent_labels=tuple(_labels(areas).get(code, code) for code in recent),
        cover=cover,
        executive_summary=summary,
        priorities=priorities(areas, built.notes),
    )


def _labels(areas: Sequence[AreaView]) -> dict[str, str]:
    return {h.period_code: h.label for a in areas for v in a.indicators for h in v.history}


def _recent_codes(areas: Sequence[AreaView], series: Mapping[str, Sequence[Point]]) -> tuple[str, ...]:
    codes = {h.period_code for a in areas for v in a.indicators for h in v.history}
    ends = {
        p.period_code: p.period_end for points in series.values() for p in points if p.period_code in codes
    }
    return tuple(sorted(ends, key=ends.__getitem__)[-RECENT_PERIODS:])


# --- the cover's numbered sections, shared by the HTML/PDF report and the Word paper -------------------------


@dataclass(frozen=True)
class CoverSection:
    heading: str
    paragraphs: tuple[str, ...]
    items: tuple[str, ...] = ()
    ordered: bool = False


def cover_sections(report: ReportView) -> list[CoverSection]:
    c = report.cover
    officer = c.contact_officer
    contact = tuple(
        x for x in (officer.name, officer.job_title, officer.email and f"Email: {officer.email}",
                    officer.phone and f"Telephone: {officer.phone}") if x
    )  # fmt: skip
    return [
        CoverSection("Executive summary", report.executive_summary),
        CoverSection("Reason for scrutiny", paragraphs(c.reason_for_scrutiny)),
        CoverSection("Recommendations", (), tuple(c.recommendations), ordered=True),
        CoverSection(
            "Background papers", () if c.background_papers else ("None.",), tuple(c.background_papers)
        ),
        CoverSection("Resource and legal considerations", paragraphs(c.resource_and_legal_considerations)),
        CoverSection("Citizen impact", paragraphs(c.citizen_impact)),
        CoverSection("Environmental impact", paragraphs(c.environmental_impact)),
        CoverSection("Performance management", paragraphs(c.performance_management)),
        CoverSection("Equality implications", paragraphs(c.equality_implications)),
        CoverSection("Consultation", paragraphs(c.consultation)),
        CoverSection("Contact officer", contact),
    ]
