"""What the scorecard says about an indicator, as plain data: one Judgement per indicator and period, one
AreaSummary per scorecard section. judge/scorecard.py makes them; narrative.py words them; publish and the web
show them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ..periods import Period
from ..store.commentary import Action, Commentary
from .bands import DEFAULT_BANDS, Band
from .benchmarks import Comparator
from .indicator import IndicatorMeta, Point
from .position import Position, QuartileBand
from .projection import Projection
from .rag import Rag
from .smallnumbers import DEFAULT_THRESHOLDS, SmallNumbers
from .spc import SpcOptions, SpcResult
from .targets import Target
from .trend import Trend

POSITION_KINDS = ("sn_mean", "sn_median", "england", "region")


@dataclass(frozen=True)
class JudgeOptions:
    change_bands: Mapping[str, Band] = field(default_factory=lambda: dict(DEFAULT_BANDS))  # trend
    position_bands: Mapping[str, Band] = field(default_factory=lambda: dict(DEFAULT_BANDS))  # v benchmarks
    small_number_thresholds: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    sn_version: str | None = None  # None: the list in force at the period's year end (benchmarks.py)
    sn_average: Literal["mean", "median"] = "mean"  # which SN average the narrative uses (both are judged)
    spc: SpcOptions = field(default_factory=SpcOptions)

    def __post_init__(self) -> None:
        if self.sn_average not in ("mean", "median"):
            raise ValueError(f"sn_average must be mean or median, not {self.sn_average!r}")


@dataclass(frozen=True)
class Judgement:
    meta: IndicatorMeta
    la_code: str
    period: Period
    point: Point | None
    display: str  # the value as shown: "21.7%"
    target: Target | None
    rag: Rag
    trend_previous: Trend
    trend_last_year: Trend
    trend_continuing: bool  # the previous period moved the same way too ("continue to reduce")
    comparators: tuple[Comparator, ...]
    benchmark_rule: str
    benchmark_basis: str  # "", "projected year end" or "part year": what was set beside the annual benchmarks
    positions: Mapping[str, Position]  # sn_mean, sn_median, england, region
    quartile: QuartileBand  # this period's value among every LA's published values
    published_quartile: QuartileBand  # the LA's own published value, same year
    spc: SpcResult | None
    spc_rule: str
    small_numbers: SmallNumbers
    projection: Projection
    sn_average: str
    last_full_year: Point | None = (
        None  # last year's whole-year figure, beside a part-year count's projection
    )
    narrative: str = ""
    commentary: Commentary | None = None
    actions: tuple[Action, ...] = ()

    @property
    def period_code(self) -> str:
        return self.period.code

    @property
    def value(self) -> float | None:
        return self.point.value if self.point else None

    @property
    def direction(self) -> Trend:
        """The comparison that says which way the figure moved: the same point last year for a year-to-date
        count (which only grows through the year), otherwise the previous period."""
        if self.trend_previous.rule.startswith("Not compared"):
            return self.trend_last_year
        return self.trend_previous

    @property
    def sn_position(self) -> Position:
        return self.positions[f"sn_{self.sn_average}"]

    def rules(self) -> list[tuple[str, str]]:
        """Every judgement with the rule that produced it, in reading order (a rule that starts with its own
        name does not repeat it: 'Benchmarks: LAIT ...', not 'Benchmarks: Benchmarks: LAIT ...')."""
        return [(name, rule.removeprefix(f"{name}: ")) for name, rule in self._rules()]

    def _rules(self) -> list[tuple[str, str]]:
        return [
            ("RAG", self.rag.rule),
            ("Trend v previous period", self.trend_previous.rule),
            ("Trend v same period last year", self.trend_last_year.rule),
            ("Benchmarks", self.benchmark_rule),
            *((f"Position v {p.name}", p.rule) for p in self.positions.values()),
            ("Quartile (this period)", self.quartile.rule),
            ("Quartile (published)", self.published_quartile.rule),
            ("SPC", self.spc_rule),
            ("Small numbers", self.small_numbers.rule),
            ("Projection", self.projection.rule),
        ]


@dataclass(frozen=True)
class AreaSummary:
    area: str
    period: Period | None  # the period judged (None when the judgements are for different periods)
    indicators: tuple[str, ...]
    green: int
    amber: int
    red: int
    not_rated: int
    improved: tuple[str, ...]  # labels, in input order
    worsened: tuple[str, ...]
    narrative: str
