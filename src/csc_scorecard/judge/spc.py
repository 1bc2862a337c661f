"""Statistical process control for one series: the NHS "Making Data Count" XmR method of `spec/spc.md`.

Parity target: NHSRplotthedots 0.2.2, with the MDC deviations that spec chooses by default (no outlier
screening, 2-sigma rule counting points beyond 3 sigma, improvement winning a conflict). The rule functions
keep R's names and 0/1 vectors so the package's own unit-test vectors can be checked against them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from statistics import fmean
from typing import Literal

Improvement = Literal["increase", "decrease", "neutral"]
Rule = Literal["outside", "trend", "two_of_three", "shift"]

LIMIT = 2.66  # MDC and R use 2.66, not 3/d2 = 2.6596 (abspc), so limits match the Excel tools.
NEAR = 2 * LIMIT / 3  # the 2-sigma "near limit" lines
SCREEN = 3.267  # D4 for n = 2: a moving range at or above 3.267 * MR-bar is an outlier when screening
COLOURS = {  # R/ptd_spc_colours.R
    "common_cause": "#a6a6a6",
    "special_cause_improvement": "#00b0f0",
    "special_cause_concern": "#e46c0a",
    "special_cause_neutral": "#490092",
    "target": "#de1b1b",
}
_DIRECTION = {"increase": 1, "decrease": -1, "neutral": 0}
_PER_POINT = ("mean", "upl", "lpl", "upper_2s", "lower_2s", "segment", "point_type", "rule", "direction")


@dataclass(frozen=True)
class SpcOptions:
    shift_n: int = 7  # MDC Excel offers 6 or 7; R fixes 7 (issue #202)
    trend_n: int = 7
    screen_outliers: bool = False  # MDC Excel does not screen; R's default is True
    two_sigma_includes_outside: bool = True  # MDC since Nov 2023 (issue #194); False = R 0.2.2
    trend_repeats_break: bool = True  # R 0.2.2; False counts a run of equal values once (2017 NHSI guide)
    fix_after_n_points: int | None = None
    min_points_for_limits: int = 13  # MDC Single Chart tool shows limits and icons from 13 points

    def __post_init__(self) -> None:
        if self.fix_after_n_points is not None and self.fix_after_n_points < 12:
            raise ValueError("fix_after_n_points must be at least 12 (MDC guidance)")
        if self.shift_n < 2 or self.trend_n < 3 or self.min_points_for_limits < 2:
            raise ValueError("shift_n >= 2, trend_n >= 3 and min_points_for_limits >= 2 are required")


@dataclass(frozen=True)
class Limits:
    mean: float
    mr_bar: float  # NaN when there is no moving range (a one-point segment)

    @property
    def upl(self) -> float:
        return self.mean + LIMIT * self.mr_bar

    @property
    def lpl(self) -> float:
        return self.mean - LIMIT * self.mr_bar

    @property
    def upper_2s(self) -> float:
        return self.mean + NEAR * self.mr_bar

    @property
    def lower_2s(self) -> float:
        return self.mean - NEAR * self.mr_bar


def limits(values: Sequence[float], *, screen_outliers: bool = False, fix_after: int | None = None) -> Limits:
    """Mean and MR-bar of one segment; with `fix_after`, only its first n points count."""
    base = list(values[:fix_after] if fix_after else values)
    mrs = [abs(b - a) for a, b in pairwise(base)]
    mr_bar = fmean(mrs) if mrs else math.nan
    # A flat series has MR-bar 0 and nothing to screen; R would drop every MR and return NaN limits.
    if screen_outliers and mr_bar > 0:
        mr_bar = fmean([mr for mr in mrs if mr < SCREEN * mr_bar])  # strict <, screened once
    return Limits(fmean(base), mr_bar)


# --- rule functions: same inputs and outputs as the R package's ptd_* helpers ---------------------------


def seven_point_one_side_mean(side: Sequence[int], n: int = 7) -> list[int]:
    """1 at i when side[i] != 0 and the n points ending at i share that side (a 0 side breaks the run)."""
    return [
        int(s != 0 and i >= n - 1 and all(x == s for x in side[i - n + 1 : i])) for i, s in enumerate(side)
    ]


def part_of_seven_trend(v: Sequence[int], n: int = 7) -> list[int]:
    """1 at i when a run of n ending at i or at one of the next n-1 points was found (|v| == 1)."""
    return [int(any(abs(x) == 1 for x in v[i : i + n])) for i in range(len(v))]


def _trend_windows(y: Sequence[float], n: int, repeats_break: bool) -> list[tuple[int, int, int]]:
    """(first, last, direction) of every n-point run of strictly rising or falling values."""
    groups = [[i, i] for i in range(len(y))]
    if not repeats_break:  # a run of equal values is one point: it neither counts nor breaks the trend
        groups = []
        for i, v in enumerate(y):
            if groups and y[groups[-1][0]] == v:
                groups[-1][1] = i
            else:
                groups.append([i, i])
    steps = [_sign(y[b[0]] - y[a[0]]) for a, b in pairwise(groups)]
    windows = []
    for end in range(n - 1, len(groups)):
        run = set(steps[end - n + 1 : end])
        if run in ({1}, {-1}):
            windows.append((groups[end - n + 1][0], groups[end][1], run.pop()))
    return windows


def seven_point_trend(y: Sequence[float], n: int = 7, repeats_break: bool = True) -> list[int]:
    """+1/-1 at the last point of every n-point rising/falling run, else 0 (R: an equal step breaks it)."""
    out = [0] * len(y)
    for _, last, direction in _trend_windows(y, n, repeats_break):
        out[last] = direction
    return out


def two_in_three(close: Sequence[int], side: Sequence[int]) -> list[int]:
    """1 at i when a 3-point window holding i has >= 2 `close` points, all 3 on the same side of the mean."""
    c, s = [0, 0, *close, 0, 0], [0, 0, *side, 0, 0]  # zero padding, as in R: a short window never fires
    return [
        int(any(sum(c[k : k + 3]) >= 2 and abs(sum(s[k : k + 3])) == 3 for k in (i, i + 1, i + 2)))
        for i in range(len(close))
    ]


def part_of_two_in_three(v: Sequence[int], close: Sequence[int]) -> list[int]:
    """Only the points that are themselves close to a limit are flagged, not the third point."""
    return [int(a == 1 and abs(b) == 1) for a, b in zip(v, close, strict=True)]


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


# --- one segment ---------------------------------------------------------------------------------------


def _candidates(y: Sequence[float], lim: Limits, o: SpcOptions) -> list[list[tuple[Rule, int]]]:
    """Per point, every (rule, direction) that fires, in precedence order outside > trend > 2-of-3 > shift."""
    side = [_sign(v - lim.mean) for v in y]
    outside = [v > lim.upl or v < lim.lpl for v in y]  # strict, as R
    # "close" is beyond a 2-sigma line; R 0.2.2 leaves out points beyond 3 sigma, MDC since 2023 counts them.
    close = [
        int((v > lim.upper_2s or v < lim.lower_2s) and (o.two_sigma_includes_outside or not outside[i]))
        for i, v in enumerate(y)
    ]
    near = part_of_two_in_three(two_in_three(close, side), close)
    shift = part_of_seven_trend(seven_point_one_side_mean(side, o.shift_n), o.shift_n)
    trend: list[list[int]] = [[] for _ in y]
    # Later runs first: a point at a peak takes the direction of the run that continues after it, as R's
    # "step to the next point" does; improvement may still overrule that in _choose.
    for first, last, direction in reversed(_trend_windows(y, o.trend_n, o.trend_repeats_break)):
        for i in range(first, last + 1):
            if direction not in trend[i]:
                trend[i].append(direction)
    cands: list[list[tuple[Rule, int]]] = []
    for i in range(len(y)):
        here: list[tuple[Rule, int]] = [("outside", side[i])] if outside[i] else []
        here += [("trend", d) for d in trend[i]]
        here += [("two_of_three", side[i])] if near[i] else []
        here += [("shift", side[i])] if shift[i] else []
        cands.append(here)
    return cands


def _choose(cands: list[tuple[Rule, int]], direction: int) -> tuple[Rule | None, int]:
    """First rule by precedence, except that improvement wins a conflict (MDC Single Chart tool, #194)."""
    if not cands:
        return None, 0
    improving = [c for c in cands if c[1] * direction > 0]
    return improving[0] if improving else cands[0]


def _point_type(d: int, direction: int) -> str:
    if d == 0:
        return "common_cause"
    if direction == 0:
        return "special_cause_neutral_high" if d > 0 else "special_cause_neutral_low"
    return "special_cause_improvement" if d * direction > 0 else "special_cause_concern"


# --- whole series ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpcResult:
    improvement: Improvement
    target: float | None
    options: SpcOptions
    segment: list[int]  # per point: its segment number, 0-based
    mean: list[float]
    upl: list[float]
    lpl: list[float]
    upper_2s: list[float]
    lower_2s: list[float]
    point_type: list[str]
    rule: list[Rule | None]
    direction: list[int]  # per point: +1 above/increasing, -1 below/decreasing, 0 common cause
    short_group_warning: list[bool]  # per segment: fewer than min_points_for_limits points (trial limits)
    variation_icon: str | None
    assurance_icon: str | None

    def explain(self) -> str:
        """One plain-English sentence saying why the icons are what they are."""
        latest = sum(1 for s in self.segment if s == self.segment[-1])
        if self.variation_icon is None:
            return (
                f"only {latest} points in the latest segment; limits and icons need at least "
                f"{self.options.min_points_for_limits}, so no judgement is made"
            )
        rule, d = self.rule[-1], self.direction[-1]
        if rule is None:
            text = "no special-cause rule fires for the latest point, so the variation is common cause"
        else:
            high = d > 0
            edge = "above the upper" if high else "below the lower"
            what = {
                "outside": f"the latest point is {edge} process limit",
                "trend": f"{self.options.trend_n} points in a row {'rising' if high else 'falling'}",
                "two_of_three": f"2 of 3 points beyond the {'upper' if high else 'lower'} 2-sigma line",
                "shift": f"{self.options.shift_n} points in a row {'above' if high else 'below'} the mean",
            }[rule]
            verdict = {
                "increase": f"{self.point_type[-1].removeprefix('special_cause_')} because higher is better",
                "decrease": f"{self.point_type[-1].removeprefix('special_cause_')} because lower is better",
                "neutral": "neither improvement nor concern because no improvement direction is set",
            }[self.improvement]
            text = f"{what} (rule: {rule}); {verdict}"
        if self.assurance_icon is not None:
            how = {"consistent_pass": "always passes", "consistent_fail": "always fails"}
            text += f"; against the target {self.target:g} the process "
            text += how.get(self.assurance_icon, "hits and misses")
        return text


def _variation_icon(point_type: str, direction: int) -> str:
    kind = point_type.removeprefix("special_cause_")
    if kind == "common_cause" or kind.startswith("neutral_"):
        return kind
    # high/low is where the values sit: improvement is high when higher is better, and concern is then low.
    return f"{kind}_{'high' if (kind == 'improvement') == (direction > 0) else 'low'}"


def _assurance_icon(target: float, upl: float, lpl: float, direction: int) -> str:
    # Strict inequalities, as R: a target exactly on a limit is "inconsistent" (PowerBI-SPC #116 writes >=).
    if target > upl:
        return "consistent_fail" if direction > 0 else "consistent_pass"
    if target < lpl:
        return "consistent_pass" if direction > 0 else "consistent_fail"
    return "inconsistent"


def spc(
    values: Sequence[float],
    improvement: Improvement,
    *,
    target: float | None = None,
    rebase_at: Sequence[int] = (),
    options: SpcOptions = SpcOptions(),
) -> SpcResult:
    """XmR limits, special-cause rules and MDC icons; each index in `rebase_at` starts a new segment."""
    if improvement not in _DIRECTION:
        raise ValueError(f"improvement must be increase, decrease or neutral, not {improvement!r}")
    y = [float(v) for v in values]
    if not y or not all(math.isfinite(v) for v in y):
        raise ValueError("values must be a non-empty sequence of finite numbers")
    if any(not 0 <= r < len(y) for r in rebase_at):
        raise ValueError(f"rebase_at indexes must lie in 0..{len(y) - 1}")
    direction = _DIRECTION[improvement]
    cols: dict[str, list] = {name: [] for name in _PER_POINT}
    short: list[bool] = []
    for k, (a, b) in enumerate(pairwise(sorted({0, *rebase_at, len(y)}))):
        part = y[a:b]  # rules and limits never look across a rebase
        lim = limits(part, screen_outliers=options.screen_outliers, fix_after=options.fix_after_n_points)
        for cands in _candidates(part, lim, options):
            rule, d = _choose(cands, direction)
            cols["rule"].append(rule)
            cols["direction"].append(d)
            cols["point_type"].append(_point_type(d, direction))
        for name, value in [("segment", k), *((n, getattr(lim, n)) for n in _PER_POINT[:5])]:
            cols[name] += [value] * (b - a)
        short.append(b - a < options.min_points_for_limits)
    # Icons come from the latest point and its segment's limits; trial limits (a short segment) give none.
    variation = assurance = None
    if not short[-1]:
        variation = _variation_icon(cols["point_type"][-1], direction)
        if target is not None and direction != 0:
            assurance = _assurance_icon(target, cols["upl"][-1], cols["lpl"][-1], direction)
    return SpcResult(
        improvement,
        target,
        options,
        short_group_warning=short,
        variation_icon=variation,
        assurance_icon=assurance,
        **cols,
    )


def point_colour(point_type: str) -> str:
    """Chart colour of a point type; both neutral types share the neutral purple."""
    return COLOURS["special_cause_neutral" if "neutral" in point_type else point_type]
