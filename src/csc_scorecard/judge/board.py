"""The monthly board: what each indicator shows for a month, and what changed since last month, as rules on plain
inputs (each worked by hand in tests/test_board.py).

Each indicator is shown for the month, the 12 months to its end, the year to date and the year to date at the
same point last year, and rated on the 12 months (comparable with an annual target whatever the month). It is
charted month by month as an XmR chart when it is monthly by nature (`monthly_by_nature`), else as rolling 12
months.

What changed since last month, in this order:
- **moved beyond normal variation**: an indicator charted month by month whose month is a special cause (an SPC
  rule fires at it, with enough points for limits) when the month before, judged on the months up to then,
  was not;
- **target newly missed / newly met**: the 12 months rated worse than green (amber or red) when the 12 months
  to last month were green, or green when they were not;
- **actions overdue / due**: open actions due before the month's end, and those due by the end of the next
  month (judge/actions.py);
- **figures newly missing**: a figure last month and none this month (a return not loaded, a manual measure's
  value not recorded, a figure withheld);
- **new data-quality problems**: a data-quality rule (store/quality.py) flagging records of a collection year for
  which a return was loaded after the last pack (the board has not seen that data); no count, as they count
  children's records;
- **data loaded since the last pack**: returns loaded and manual measures' values recorded after those the last
  board pack for an earlier month was built from (all of them when none is recorded).
The sentences quote no figure (a published pack may not show one that is suppressed) and no period code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ..periods import Period, add_months, month_end, window
from ..store.commentary import Action
from ..store.manual_values import ManualValue
from ..store.quality import FlaggedRule
from ..store.status import LoadRecord
from .actions import due_between, overdue
from .indicator import IndicatorMeta, Point
from .judgement import Judgement
from .narrative import and_list, count_of
from .rag import Rag, rag
from .scorecard import _new_measurements, _spc
from .spc import SpcOptions
from .targets import Target
from .units import fmt

ChangeKind = Literal["signal", "missed", "met", "overdue", "due", "missing", "quality", "loaded"]
SECTIONS: tuple[tuple[ChangeKind, str], ...] = (
    ("signal", "Moved beyond their normal variation"),
    ("missed", "Targets newly missed"),
    ("met", "Targets newly met"),
    ("overdue", "Actions overdue"),
    ("due", "Actions due before the next board"),
    ("missing", "Figures newly missing"),
    ("quality", "New data-quality problems"),
    ("loaded", "Data loaded since the last board pack"),
)
LOADS_LISTED = 8  # then "and N more"


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    text: str
    indicator_id: str | None = None
    action_id: int | None = None


@dataclass(frozen=True)
class BoardRow:
    """One indicator on the board: the month's judgement and the other windows' figures."""

    judgement: Judgement  # the month: its value, SPC over the months, commentary and actions
    rolling: Point | None  # the 12 months to the month's end
    year_to_date: Point | None
    last_year: Point | None  # the year to date at the same point last year
    rag: Rag  # the 12 months against the target in force at the month's end
    monthly: bool  # monthly by nature: charted as an XmR chart of its months

    @property
    def meta(self) -> IndicatorMeta:
        return self.judgement.meta


def monthly_by_nature(meta: IndicatorMeta, *, quarterly: bool = False) -> bool:
    """Counts (of events in the month, or on its last day) and stock rates per 10,000 are charted month by month;
    percentages, days and averages, which swing on a month's small numbers, as rolling 12 months; so is a manual
    measure recorded each quarter, which has no monthly figures."""
    return not quarterly and (meta.unit == "count" or (meta.kind == "stock" and meta.unit == "rate_per_10k"))


@dataclass(frozen=True)
class XmrPoint:
    """A month on an indicator's XmR chart: the limits of its segment and what kind of point it is."""

    mean: float
    upl: float
    lpl: float
    point_type: str  # common_cause, special_cause_improvement, ... (judge/spc.py)


def xmr_points(
    meta: IndicatorMeta, months: Sequence[Point], month: Period, target: Target | None, options: SpcOptions
) -> dict[str, XmrPoint]:
    """The months up to `month` as the judgement's XmR chart has them, by period code; empty when the chart has
    too few points for limits. A month repeating the one before (a figure carried forward) is not a point."""
    point = next((p for p in months if p.period == month), None)
    result, _ = _spc(meta, months, point, target, options)
    if result is None or result.variation_icon is None:
        return {}
    upto = sorted((p for p in months if p.value is not None and p.period.kind == "month" and p.period_end <= month.end),
                  key=lambda p: p.period_end)  # fmt: skip
    return {
        p.period_code: XmrPoint(result.mean[i], result.upl[i], result.lpl[i], result.point_type[i])
        for i, p in enumerate(_new_measurements(meta, upto))
    }


def rolling_rag(meta: IndicatorMeta, rolling: Point | None, target: Target | None) -> Rag:
    return rag(meta, rolling.value if rolling else None, target)


# --- what changed ---------------------------------------------------------------------------------------------


def _special(meta: IndicatorMeta, months: Sequence[Point], point: Point | None, target: Target | None,
             options: SpcOptions) -> tuple[str, int] | None:  # fmt: skip
    """(rule, direction) when an SPC rule fires at `point`, judged on the months up to it, else None."""
    result, _ = _spc(meta, months, point, target, options)
    if result is None or result.variation_icon is None or result.rule[-1] is None:
        return None
    return result.rule[-1], result.direction[-1]


SIGNAL_WORDS = {
    "outside": ("above the upper process limit", "below the lower process limit"),
    "trend": ("the last of seven months rising in a row", "the last of seven months falling in a row"),
    "two_of_three": ("two of the last three months near the upper limit", "two of the last three months near the lower limit"),
    "shift": ("the seventh month in a row above the average", "the seventh month in a row below the average"),
}  # fmt: skip


def new_signal(
    meta: IndicatorMeta, months: Sequence[Point], month: Period, target: Target | None, options: SpcOptions
) -> Change | None:
    """A special cause at `month` that the month before did not show (points: the indicator's months)."""
    by_period = {p.period: p for p in months}
    now = _special(meta, months, by_period.get(month), target, options)
    if now is None or _special(meta, months, by_period.get(month.previous()), target, options) is not None:
        return None
    rule, direction = now
    where = SIGNAL_WORDS[rule][0 if direction > 0 else 1]
    verdict = {1: "an improvement", -1: "a concern", 0: "a change"}[
        direction * {"increase": 1, "decrease": -1, "neutral": 0}[meta.improvement]
    ]
    their = "their" if meta.plural else "its"
    return Change("signal", f"{meta.label} in {month.words} moved beyond {their} normal variation: {where}, {verdict}.",
                  meta.id)  # fmt: skip


def target_change(meta: IndicatorMeta, now: Rag, before: Rag, rolling: Period) -> Change | None:
    """The 12 months to this month newly short of their target, or newly meeting it (`rolling`: those 12 months)."""
    if now.status is None or before.status is None or now.target is None:
        return None
    met_now, met_before = now.status == "green", before.status == "green"
    if met_now == met_before:
        return None
    target, earlier = fmt(now.target.value, meta.unit), rolling.previous()
    if met_now:
        text = f"{meta.label} met the target of {target} in the 12 months to {rolling.end:%B %Y}, after missing it in the 12 months to {earlier.end:%B %Y}."
        return Change("met", text, meta.id)
    rating = "red" if now.status == "red" else "amber: short of it, but within the tolerance"
    text = f"{meta.label} missed the target of {target} in the 12 months to {rolling.end:%B %Y} ({rating}), after meeting it in the 12 months to {earlier.end:%B %Y}."  # fmt: skip
    return Change("missed", text, meta.id)


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def action_changes(actions: Sequence[tuple[IndicatorMeta, Action, str]], month: Period) -> list[Change]:
    """Open actions overdue at the month's end or due by the end of the next month, oldest due first; each with
    the text to show for it (the caller decides what may be published)."""
    nxt = add_months(month.end.replace(day=1), 1)
    until = month_end(nxt.year, nxt.month)
    out = []
    for meta, action, text in sorted(actions, key=lambda a: (a[1].due_date or dt.date.max, a[1].action_id)):
        owner = f"; owner {action.owner}" if action.owner else ""
        if overdue(action, month.end):
            out.append(Change("overdue", f"{text} ({meta.label}{owner}): due {_day(action.due_date)}, {action.status}.",  # type: ignore[arg-type]
                              meta.id, action.action_id))  # fmt: skip
        elif due_between(action, month.end, until):
            out.append(Change("due", f"{text} ({meta.label}{owner}): due {_day(action.due_date)}.",  # type: ignore[arg-type]
                              meta.id, action.action_id))  # fmt: skip
    return out


def figure_change(
    meta: IndicatorMeta, now: Point | None, before: Point | None, month: Period
) -> Change | None:
    """A figure last month and none this month."""
    if before is None or before.value is None or (now is not None and now.value is not None):
        return None
    notes = now.notes if now is not None else ""
    why = (
        "no value has been recorded" if notes.startswith("no value recorded")
        else "it is withheld" if notes.startswith("withheld")
        else "the data it needs is not loaded"
    )  # fmt: skip
    return Change("missing", f"{meta.label}: no figure for {month.words} ({why}), though there was one for {month.previous().words}.", meta.id)  # fmt: skip


def quality_changes(
    flags: Sequence[FlaggedRule], loads: Sequence[LoadRecord], *, after: int = 0
) -> list[Change]:
    """The data-quality rules flagging records of a collection year with a return loaded after load `after` (the
    last pack's), by year and then rule; a manual measures' file writes no records the rules read."""
    years = {r.collection_year for r in loads if r.load_id > after and r.kind != "manual_values"}
    found = sorted({(f.collection_year, f.says) for f in flags if f.collection_year in years})
    return [
        Change("quality", f"Data for {year} loaded since the last board pack has records flagged as {says}: the "
                          "data page lists them.")
        for year, says in found
    ]  # fmt: skip


def _loaded(r: LoadRecord, kind_names: Mapping[str, str]) -> str:
    when = _day(dt.date.fromisoformat(r.loaded_at[:10]))
    return f"{kind_names.get(r.kind, r.kind)} {r.collection_year} loaded on {when} ({r.source_name})."


def load_changes(
    loads: Sequence[LoadRecord],
    values: Sequence[ManualValue],
    *,
    kind_names: Mapping[str, str],
    labels: Mapping[str, str],
    after: tuple[int, int] = (0, 0),
) -> list[Change]:
    """Returns loaded and manual values recorded after the last pack (`after`: the latest load id and value id it
    was built from), newest load first."""
    new = sorted((r for r in loads if r.load_id > after[0]), key=lambda r: r.load_id, reverse=True)
    out = [Change("loaded", _loaded(r, kind_names)) for r in new[:LOADS_LISTED]]
    if len(new) > LOADS_LISTED:
        out.append(Change("loaded", f"And {count_of(len(new) - LOADS_LISTED, 'more load')}."))
    by_measure: dict[str, list[ManualValue]] = {}
    for v in values:
        if v.value_id > after[1]:
            by_measure.setdefault(v.measure_id, []).append(v)
    for measure_id, recorded in by_measure.items():
        spans = sorted({(v.period_start, v.period_end) for v in recorded})
        span = window(spans[0][0], spans[-1][1]).words
        corrected = sum(v.replaces is not None for v in recorded)
        also = {0: "", 1: " (one replacing an earlier value)"}.get(
            corrected, f" ({corrected} replacing earlier values)"
        )
        who = and_list(sorted({v.entered_by or "unknown" for v in recorded}))
        label = labels.get(measure_id, measure_id)
        text = f"{label}: {count_of(len(recorded), 'value')} recorded for {span} by {who}{also}."
        out.append(Change("loaded", text, measure_id))
    return out


__all__ = [
    "SECTIONS",
    "BoardRow",
    "Change",
    "XmrPoint",
    "action_changes",
    "figure_change",
    "load_changes",
    "monthly_by_nature",
    "new_signal",
    "quality_changes",
    "rolling_rag",
    "target_change",
    "xmr_points",
]
