"""The small-number suppression rule, written once: judge flags it, publish and the web apply it.

DfE suppresses counts of 1 to 5 in what it publishes, and so does everything csc-scorecard publishes:
- a count of 1 to 5 is shown as `c`;
- a percentage whose numerator or denominator is 1 to 5 is `c` (its numerator too, and its denominator when
  that is the small one); so is a rate whose numerator is 1 to 5 (per 10,000 children, or per 1,000 aged 10
  to 17 whatever unit it is declared with: rule_unit), and an average (days, caseload) taken over 1 to 5 cases;
- secondary suppression: no count of 1 to 5 may be worked out from the figures shown together, by subtracting
  one from another or adding them up. What is shown together, and how its figures add up (`Total`):
  - one figure: a percentage's denominator is its numerator plus the rest (39 of 40 gives away the 1);
  - a series of year-to-date quarters of a flow: each quarter's count is the quarter before plus the quarter
    alone (Q3 less Q2), for the numerator, the denominator and the rest alike;
  - a breakdown shown with its total: the rows add up to the total, column by column.
  - indicators that count the same children (a count and the numerator of a percentage, equal in every
    period both show: `counted_alike`): a figure suppressed in one is suppressed in the other, or one would
    show what the other hides (Q3 of the count beside Q4 of the percentage's numerator).
  When a count of 1 to 5 could be worked out, another figure it was worked out from is suppressed too: the
  smallest (a true zero only as a last resort), and an earlier period or a row before the period reported or
  the total. A figure's value is suppressed with its numerator or denominator (the value and one of them give
  the other away).
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

SMALL = (1, 5)  # DfE suppresses these counts in published tables
SUPPRESSED = "c"  # what a suppressed figure is shown as
RESTS_ON_SMALL = "it rests on a count of 1 to 5"
REVEALS_SMALL = "with the total shown it would reveal a count of 1 to 5"
SECONDARY = "with the figures shown beside it, it would reveal a count of 1 to 5"
SUPPRESSED_RANGE = "a number of children between 1 and 5"  # what a narrative says the hidden figure is


@dataclass(frozen=True)
class Suppression:
    """What of one figure is suppressed in published outputs, and why."""

    value: bool = False
    numerator: bool = False
    denominator: bool = False
    reason: str = ""

    @property
    def any(self) -> bool:
        return self.value or self.numerator or self.denominator


NOT_SUPPRESSED = Suppression()


def is_small(count: float | None) -> bool:
    return count is not None and SMALL[0] <= count <= SMALL[1]


class Measured(Protocol):
    unit: str

    @property
    def is_rate(self) -> bool: ...


def rule_unit(meta: Measured) -> str:
    """The unit the rule reads an indicator's figures as: a rate over a population protects the count of
    children behind it whatever unit it is declared with (first-time entrants per 100,000 children aged 10 to
    17 are an average over the population in thousands, but the 1 to 5 entrants are children)."""
    return "rate_per_10k" if meta.is_rate else meta.unit


def suppression(
    unit: str, numerator: float | None, denominator: float | None, value: float | None
) -> Suppression:
    """What of one figure is suppressed in published outputs (the module docstring's rules)."""
    if unit == "count":
        count = value if value is not None else numerator
        return Suppression(True, True, False, RESTS_ON_SMALL) if is_small(count) else NOT_SUPPRESSED
    if unit == "percent":
        if is_small(denominator):
            return Suppression(True, True, True, RESTS_ON_SMALL)
        if is_small(numerator):
            return Suppression(True, True, False, RESTS_ON_SMALL)
        if numerator is not None and denominator is not None and is_small(denominator - numerator):
            return Suppression(True, True, False, REVEALS_SMALL)
        return NOT_SUPPRESSED
    if unit == "rate_per_10k":
        return Suppression(True, True, False, RESTS_ON_SMALL) if is_small(numerator) else NOT_SUPPRESSED
    # an average (days, caseload): the denominator is the number of cases it is taken over
    return Suppression(True, True, True, RESTS_ON_SMALL) if is_small(denominator) else NOT_SUPPRESSED


# --- secondary suppression: what a reader can work out from figures shown together ------------------------

Key = Hashable


@dataclass(frozen=True)
class Total:
    """`total` is the sum of `parts`: a relation between figures that a reader can use."""

    total: Key
    parts: tuple[Key, ...]

    @property
    def members(self) -> tuple[Key, ...]:
        return (self.total, *self.parts)


def derivable(values: Mapping[Key, float | None], shown: Iterable[Key], totals: Sequence[Total]) -> dict:
    """Every figure that can be worked out from the shown ones by single subtractions and sums, repeated until
    nothing more follows: {key: value}, the shown figures included."""
    known = {k: values[k] for k in shown if values.get(k) is not None}
    usable = [t for t in totals if all(values.get(k) is not None for k in t.members)]
    changed = True
    while changed:
        changed = False
        for t in usable:
            unknown = [k for k in t.members if k not in known]
            if len(unknown) != 1:
                continue
            k = unknown[0]
            parts = sum(known[p] for p in t.parts if p != k)
            known[k] = parts if k == t.total else known[t.total] - parts
            changed = True
    return known


def protect(
    values: Mapping[Key, float | None],
    hidden: Iterable[Key],
    totals: Sequence[Total],
    *,
    shown: Iterable[Key],
    counts: Iterable[Key],
    with_: Mapping[Key, tuple[Key, ...]] | None = None,
    fixed: Iterable[Key] = (),
    later: Iterable[Key] = (),
) -> set:
    """The hidden figures, extended until no count of 1 to 5 can be worked out from the shown ones.

    `shown`: every figure on display (the rest, e.g. a quarter alone, are never shown but can be worked out);
    `counts`: the figures that count children; `with_`: figures hidden along with a figure (its value);
    `fixed`: figures whose display is decided elsewhere (a breakdown's total); `later`: figures to hide only
    when nothing else will do (the period reported)."""
    hidden, on_show, fixed, later = set(hidden), set(shown), set(fixed), set(later)
    counts = [k for k in counts if is_small(values.get(k))]
    with_ = with_ or {}
    by_member: dict[Key, list[Total]] = {}
    for t in totals:
        for k in t.members:
            by_member.setdefault(k, []).append(t)
    while True:
        hidden = _along(hidden, with_)
        visible = on_show - hidden
        known = derivable(values, visible, totals)
        leak = next((k for k in counts if k in known and k not in visible), None)
        if leak is None:
            return hidden
        chosen = _complement(leak, known, visible, by_member, values, fixed, later)
        if not chosen:  # nothing left to choose from: hide all that the count was worked out from
            chosen = {
                k for t in by_member.get(leak, ()) for k in t.members if k in visible and k not in fixed
            }
            if not chosen:
                raise ValueError(f"cannot protect a count of 1 to 5 ({leak!r}): only fixed figures reveal it")
        hidden |= chosen


def _along(hidden: set, with_: Mapping[Key, tuple[Key, ...]]) -> set:
    out, todo = set(hidden), list(hidden)
    while todo:
        for k in with_.get(todo.pop(), ()):
            if k not in out:
                out.add(k)
                todo.append(k)
    return out


def _complement(
    leak: Key,
    known: Mapping[Key, float],
    visible: set,
    by_member: Mapping[Key, list[Total]],
    values: Mapping[Key, float | None],
    fixed: set,
    later: set,
) -> set:
    """One shown figure whose suppression stops `leak` being worked out the way it is: the smallest non-zero
    figure it comes from, preferring ones that are not `later`; a derived figure's own sources are looked at
    when the relation that gives the leak away holds no shown figure that may be hidden."""
    seen, frontier = {leak}, [leak]
    while frontier:
        candidates: set = set()
        next_frontier = []
        for key in frontier:
            for t in by_member.get(key, ()):
                others = [k for k in t.members if k != key]
                if not all(k in known for k in others):
                    continue
                for k in others:
                    if k in visible and k not in fixed:
                        candidates.add(k)
                    elif k not in visible and k not in seen:
                        seen.add(k)
                        next_frontier.append(k)
        if candidates:
            best = min(candidates, key=lambda k: (k in later, values[k] == 0, values[k], repr(k)))
            return {best}
        frontier = next_frontier
    return set()


class Row(Protocol):
    numerator: float | None
    denominator: float | None
    value: float | None


class SeriesPoint(Row, Protocol):
    @property
    def period(self) -> PeriodLike: ...


class PeriodLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def quarter(self) -> int | None: ...
    @property
    def financial_year(self) -> str: ...


COLUMNS = ("value", "num", "den", "rest")


def _child_counts(unit: str) -> tuple[str, ...]:
    """The columns that count children (a percentage's rest is one too); the others are days, values, or a
    rate's population (published by ONS)."""
    return {"count": ("num",), "percent": ("num", "den", "rest"), "rate_per_10k": ("num",)}.get(
        unit, ("den",)
    )


def _additive(unit: str) -> tuple[str, ...]:
    """The columns that add up across rows or quarters (a rate's denominator is a population, not a flow)."""
    return {"count": ("num",), "percent": ("num", "den", "rest"), "rate_per_10k": ("num",)}.get(
        unit, ("num", "den")
    )


class _Figures:
    """Figures shown together, as keys (row, column) with their values; a row is a period or a breakdown value."""

    def __init__(self, unit: str):
        self.unit = unit
        self.values: dict[Key, float | None] = {}
        self.totals: list[Total] = []
        self.with_: dict[Key, tuple[Key, ...]] = {}
        self.shown: set[Key] = set()
        self.counts: list[Key] = []

    def add_row(self, i: Key, r: Row) -> None:
        v = self.values
        v[(i, "value")], v[(i, "num")], v[(i, "den")] = r.value, r.numerator, r.denominator
        self.shown |= {(i, "value"), (i, "num"), (i, "den")}
        if self.unit == "count":  # the value is the count itself, and the numerator says it again
            self.with_[(i, "num")], self.with_[(i, "value")] = ((i, "value"),), ((i, "num"),)
        else:
            self.with_[(i, "num")] = self.with_[(i, "den")] = ((i, "value"),)
        if self.unit == "percent":
            rest = None if r.numerator is None or r.denominator is None else r.denominator - r.numerator
            v[(i, "rest")] = rest
            self.totals.append(Total((i, "den"), ((i, "num"), (i, "rest"))))
        self.counts += [(i, c) for c in _child_counts(self.unit)]

    def add_sum(self, total: Key, parts: Sequence[Key], column: str) -> None:
        """total = the sum of parts in one column, when it holds (a child counted in two rows breaks it)."""
        keys = [(p, column) for p in parts]
        values = [self.values.get(k) for k in (*keys, (total, column))]
        if any(x is None for x in values) or abs(sum(values[:-1]) - values[-1]) > 1e-6:  # type: ignore[arg-type]
            return
        self.totals.append(Total((total, column), tuple(keys)))

    def add_difference(self, later: Key, earlier: Key, column: str) -> None:
        """later = earlier + the later alone: a year to date and the one before it."""
        a, b = self.values.get((later, column)), self.values.get((earlier, column))
        if a is None or b is None:
            return
        alone = (later, f"{column} alone")
        self.values[alone] = a - b
        self.totals.append(Total((later, column), ((earlier, column), alone)))
        if column in _child_counts(self.unit):
            self.counts.append(alone)

    def protect(self, primary: Mapping[Key, Suppression], **options) -> dict[Key, Suppression]:
        hidden = set()
        for i, s in primary.items():
            hidden |= {k for k, on in (((i, "value"), s.value), ((i, "num"), s.numerator),
                                       ((i, "den"), s.denominator)) if on}  # fmt: skip
        hidden = protect(self.values, hidden, self.totals, shown=self.shown, counts=self.counts,
                         with_=self.with_, **options)  # fmt: skip
        out = {}
        for i, s in primary.items():
            flags = ((i, "value") in hidden, (i, "num") in hidden, (i, "den") in hidden)
            same = flags == (s.value, s.numerator, s.denominator)
            out[i] = s if same else Suppression(*flags, s.reason or SECONDARY)
        return out


def _series(unit: str, kind: str, points: Sequence[SeriesPoint]) -> _Figures:
    """A series' figures; for a flow, each year-to-date quarter is the quarter before plus the quarter alone."""
    figures = _Figures(unit)
    for i, p in enumerate(points):
        figures.add_row(i, p)
    if kind != "flow":
        return figures
    by_quarter = {(p.period.financial_year, p.period.quarter): i for i, p in enumerate(points)
                  if p.period.kind == "ytd_quarter"}  # fmt: skip
    for (year, quarter), i in by_quarter.items():
        earlier = by_quarter.get((year, (quarter or 0) - 1))
        if earlier is None:
            continue
        for column in _additive(unit):
            figures.add_difference(i, earlier, column)
        alone = [(i, f"{c} alone") for c in ("den", "num", "rest")]
        if unit == "percent" and all(k in figures.values for k in alone):
            figures.totals.append(Total(alone[0], tuple(alone[1:])))
    return figures


def _primary(unit: str, rows: Sequence[Row]) -> list[Suppression]:
    return [suppression(unit, r.numerator, r.denominator, r.value) for r in rows]


def series_suppression(unit: str, kind: str, points: Sequence[SeriesPoint]) -> list[Suppression]:
    """Each period's suppression when a series is shown together (a trend table, a chart, recent periods):
    the primary rule per period, then no count of 1 to 5 may be worked out from the figures shown, e.g. a
    year-to-date quarter of a flow less the one before it. The last period is the one reported, so earlier
    ones are suppressed in its place where that will do."""
    try:
        return list(_series_rule(unit, kind, tuple(points)))
    except TypeError:  # points that cannot be kept as a key (not frozen) are worked out every time
        return list(_series_rule.__wrapped__(unit, kind, tuple(points)))


@functools.lru_cache(maxsize=4096)
def _series_rule(unit: str, kind: str, points: tuple[SeriesPoint, ...]) -> tuple[Suppression, ...]:
    """series_suppression, kept: a scorecard asks for each series' rule again for every indicator shown with it
    (with_partners), and a page for every view of the same scorecard."""
    last = len(points) - 1
    hidden = _series(unit, kind, points).protect(
        dict(enumerate(_primary(unit, points))), later=[(last, c) for c in COLUMNS]
    )
    return tuple(hidden[i] for i in range(len(points)))


Partner = tuple[str, str, Sequence[SeriesPoint]]  # (unit, kind, points) of another indicator shown with it


_COUNTED = {
    False: ("numerator",),
    True: ("numerator", "denominator"),
}  # by "is a percentage": columns that count


def _counts(unit: str, p: SeriesPoint) -> dict[str, float | None]:
    """The counts of children a point shows: a count's value is its numerator."""
    numerator = p.value if unit == "count" and p.numerator is None else p.numerator
    return {"numerator": numerator, "denominator": p.denominator if unit == "percent" else None}


def counted_alike(
    unit: str, points: Sequence[SeriesPoint], other_unit: str, other: Sequence[SeriesPoint]
) -> list[tuple[str, str]]:
    """(column, other's column) pairs holding the same count in every period both show, in 3 periods or more
    with a count above 0: two indicators counting the same children."""
    if (
        points and other and points[-1].period == other[-1].period
    ):  # most pairs differ in the last period already
        mine_last, yours_last = _counts(unit, points[-1]), _counts(other_unit, other[-1])
        open_pairs = [
            (m, y)
            for m in _COUNTED[unit == "percent"]
            for y in _COUNTED[other_unit == "percent"]
            if mine_last[m] is None or yours_last[y] is None or mine_last[m] == yours_last[y]
        ]
        if not open_pairs:
            return []
    theirs = {p.period: _counts(other_unit, p) for p in other}
    shared = [(_counts(unit, p), theirs[p.period]) for p in points if p.period in theirs]
    pairs = []
    for mine in ("numerator", "denominator"):
        for yours in ("numerator", "denominator"):
            known = [(a[mine], b[yours]) for a, b in shared if a[mine] is not None and b[yours] is not None]
            if sum(1 for a, _ in known if a) >= 3 and all(a == b for a, b in known):
                pairs.append((mine, yours))
    return pairs


def with_partners(
    unit: str, points: Sequence[SeriesPoint], hidden: Sequence[Suppression], partners: Sequence[Partner]
) -> list[Suppression]:
    """`hidden` with what the partners (indicators counting the same children) hide in the same periods: each
    partner's own series rule, applied to the periods shown here."""
    out = list(hidden)
    codes = {p.period for p in points}
    for other_unit, other_kind, other in partners:
        pairs = counted_alike(unit, points, other_unit, other)
        if not pairs:
            continue
        theirs = [p for p in other if p.period in codes]
        their_hidden = dict(zip((p.period for p in theirs), series_suppression(other_unit, other_kind, theirs),
                                strict=True))  # fmt: skip
        for i, p in enumerate(points):
            h = their_hidden.get(p.period)
            if h is None:
                continue
            for mine, yours in pairs:
                if getattr(h, yours) and not getattr(out[i], mine):
                    s = out[i]
                    numerator = s.numerator or mine == "numerator"
                    denominator = s.denominator or mine == "denominator"
                    out[i] = Suppression(True, numerator, denominator, s.reason or SECONDARY)
    return out


def twins(series: Mapping[str, tuple[str, Sequence[SeriesPoint]]]) -> dict[str, tuple[str, ...]]:
    """For each indicator (id: (rule unit, points)), the others that may count the same children: those sharing
    the same count above 0 in the same period at least 3 times, which counted_alike needs of any pair of columns.
    Worked out once for a whole scorecard, through the counts, rather than for every pair of indicators; the
    twins are given in the order of `series`, and counted_alike still decides."""
    holders: dict[tuple, list[str]] = {}
    for ident, (unit, points) in series.items():
        for p in points:
            for count in {c for c in _counts(unit, p).values() if c}:
                holders.setdefault((p.period, count), []).append(ident)
    shared: dict[tuple[str, str], int] = {}
    for idents in holders.values():
        for i, a in enumerate(idents):
            for b in idents[i + 1 :]:
                if a != b:
                    shared[a, b] = shared.get((a, b), 0) + 1
    alike: dict[str, set[str]] = {}
    for (a, b), n in shared.items():
        if n >= 3:
            alike.setdefault(a, set()).add(b)
            alike.setdefault(b, set()).add(a)
    return {ident: tuple(k for k in series if k in alike.get(ident, ())) for ident in series}


def windows_suppression(
    unit: str, kind: str, rows: Sequence[Row], nested: Sequence[tuple[int, int]]
) -> list[Suppression]:
    """Each figure's suppression when one indicator's figures for several windows are shown together (the monthly
    board: the month, the 12 months to its end, the year to date, the same point last year): the primary rule per
    figure, then, for a flow, no count of 1 to 5 may be worked out as a window less a window inside it (`nested`:
    (window, window inside it) pairs: the year to date less the month is the year to date before the month)."""
    figures = _Figures(unit)
    for i, r in enumerate(rows):
        figures.add_row(i, r)
    if kind == "flow":
        values = figures.values
        for whole, part in nested:
            for column in _additive(unit):
                a, b = values.get((whole, column)), values.get((part, column))
                if a is None or b is None:
                    continue
                rest = ((whole, part), column)  # the whole less the part: never shown, but worked out
                values[rest] = a - b
                figures.totals.append(Total((whole, column), ((part, column), rest)))
                if column in _child_counts(unit):
                    figures.counts.append(rest)
    hidden = figures.protect(dict(enumerate(_primary(unit, rows))))
    return [hidden[i] for i in range(len(rows))]


def breakdown_suppression(
    unit: str,
    rows: Sequence[Row],
    *,
    kind: str = "stock",
    series: Sequence[SeriesPoint] = (),
    series_hidden: Sequence[Suppression] = (),
) -> list[Suppression]:
    """Each row's suppression when a breakdown of the last period of `series` is shown beside that series
    (whose suppression, `series_hidden`, is decided by series_suppression and stays as it is): the primary rule
    per row, then no count of 1 to 5 may be worked out from the rows, their total and the series, column by
    column; the rows add up to the total."""
    figures = _series(unit, kind, series)
    primary: dict[Key, Suppression] = dict(enumerate(series_hidden))
    ids = [("row", j) for j in range(len(rows))]
    for key, r, s in zip(ids, rows, _primary(unit, rows), strict=True):
        figures.add_row(key, r)
        primary[key] = s
    if series:
        for column in ("num", "den", "rest"):
            figures.add_sum(len(series) - 1, ids, column)
    fixed = [(i, c) for i in range(len(series)) for c in COLUMNS]
    hidden = figures.protect(primary, fixed=fixed)
    out = [hidden[key] for key in ids]
    total = series_hidden[-1] if series_hidden else NOT_SUPPRESSED
    if total.numerator or total.denominator:  # rows never add up to a total the series hides
        out = [
            Suppression(
                True,
                s.numerator or total.numerator,
                s.denominator or total.denominator,
                s.reason or SECONDARY,
            )
            for s in out
        ]
    return out
