"""The monthly board pack's view: what the five files render, so they cannot disagree.

Every figure is rounded per its unit and, in the published profile, suppressed by the rule of
judge/suppression.py applied to the four windows shown together (a window less one inside it, such as the year
to date less the month, is a count too). A suppressed 12 months withholds its RAG, a suppressed month its SPC
icon, and either year to date the comparison with last year. What changed is worded without any figure; an
action's text follows the scrutiny pack's rules (publish/model.py), and a published pack is not written while
free text that may identify a child is unconfirmed (publish/board_pack.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..board import Board, BoardWindows
from ..judge.actions import overdue
from ..judge.board import SECTIONS, BoardRow
from ..judge.judgement import Judgement
from ..judge.suppression import NOT_SUPPRESSED, Suppression, windows_suppression
from ..judge.trend import trend
from .model import (
    INTERNAL_MARKING,
    PUBLISHED_NOTE,
    SPC_VARIATION,
    UNIT_LABELS,
    ActionView,
    Figure,
    Profile,
    TrendView,
    _safe_text,
)
from .report_config import ReportConfig

if TYPE_CHECKING:  # publish reads actions through the judgements, not the store
    from ..store.commentary import Action

WITHHELD = TrendView(None, None, None)
KEY = (
    "Each indicator is shown for the month, the 12 months to its end, the year to date (from 1 April) and the year "
    "to date at the same point last year.",
    "RAG rates the 12 months against the local target in force at the month's end: green is on or better than "
    "the target; amber is worse but within the agreed tolerance; red is beyond it. – means no target or no value.",
    "SPC (monthly figures only): the month against the process limits of the months before it (NHS Making Data "
    "Count method).",
    "c: suppressed to protect children's privacy (a count of 1 to 5, or a figure that would reveal one).",
)


@dataclass(frozen=True)
class BoardLine:
    id: str
    label: str
    unit: str
    unit_label: str
    polarity_text: str
    monthly: bool  # charted month by month (else as rolling 12 months)
    month: Figure
    rolling: Figure
    year_to_date: Figure
    last_year: Figure
    target: Figure | None
    rag: str | None  # the 12 months against the target; None when not rated or withheld
    spc: str | None  # a key of model.SPC_VARIATION
    versus_last_year: TrendView  # the year to date against the same point last year
    actions: tuple[ActionView, ...]

    @property
    def rag_text(self) -> str:
        return self.rag.capitalize() if self.rag else "–"

    @property
    def spc_text(self) -> str:
        return SPC_VARIATION.get(self.spc or "", "–")

    @property
    def figures(self) -> tuple[Figure, Figure, Figure, Figure]:
        return (self.month, self.rolling, self.year_to_date, self.last_year)

    @property
    def has_data(self) -> bool:
        """Any figure, shown or suppressed (else the data it needs is not loaded)."""
        return any(f.value is not None or f.suppressed for f in self.figures)


@dataclass(frozen=True)
class BoardView:
    la_code: str
    la_name: str
    council: str
    title: str  # "Performance and Improvement Board: December 2016"
    month_words: str  # "December 2016"
    headings: tuple[str, str, str, str]  # the four windows as column headings
    profile: Profile
    marking: str | None
    note: str
    generated: dt.date
    since: str  # what "since the last board pack" means, in words
    changes: tuple[tuple[str, tuple[str, ...]], ...]  # (section, its sentences), sections with any only
    areas: tuple[tuple[str, tuple[BoardLine, ...]], ...]
    overdue: tuple[str, ...]  # the overdue actions' lines
    config: ReportConfig = field(default_factory=ReportConfig)
    key: tuple[str, ...] = KEY

    def lines(self) -> list[BoardLine]:
        return [line for _, lines in self.areas for line in lines]


def headings(w: BoardWindows) -> tuple[str, str, str, str]:
    return (w.month.short, w.rolling.short, _span(w.year_to_date), _span(w.last_year))


def _span(p) -> str:
    """'Apr–Dec 2016' for a year to date (a window in whole months)."""
    first = f"{p.start:%b}" + ("" if p.start.year == p.end.year else f" {p.start.year}")
    return (
        f"{first}–{p.end:%b %Y}"
        if (p.start.year, p.start.month) != (p.end.year, p.end.month)
        else f"{p.end:%b %Y}"
    )


def _suppressions(r: BoardRow, w: BoardWindows, profile: Profile) -> list[Suppression]:
    points = [r.judgement.point, r.rolling, r.year_to_date, r.last_year]
    if profile != "published":
        return [NOT_SUPPRESSED] * 4
    rows = [p if p is not None else _EMPTY for p in points]
    nested = [(1, 0), (1, 2)] if w.year_to_date.start == w.month.start else [(1, 0), (1, 2), (2, 0)]
    return windows_suppression(r.meta.unit, r.meta.kind, rows, nested)


@dataclass(frozen=True)
class _Nothing:
    numerator: float | None = None
    denominator: float | None = None
    value: float | None = None


_EMPTY = _Nothing()


def _figure(point, unit: str, hidden: Suppression) -> Figure:
    return Figure.of(point.value if point is not None else None, unit, suppressed=hidden.value)


def board_line(r: BoardRow, w: BoardWindows, profile: Profile) -> BoardLine:
    j, unit = r.judgement, r.meta.unit
    hidden = _suppressions(r, w, profile)
    month, rolling, ytd, last = (_figure(p, unit, s) for p, s in zip(
        (j.point, r.rolling, r.year_to_date, r.last_year), hidden, strict=True))  # fmt: skip
    versus = WITHHELD
    if not (hidden[2].value or hidden[3].value):
        t = trend(r.meta, r.year_to_date, r.last_year, "last_year", reference_period=w.last_year)
        versus = TrendView(t.reference_code, t.movement, t.judgement)
    spc = j.spc.variation_icon if r.monthly and j.spc is not None and not hidden[0].value else None
    any_hidden = any(s.any for s in hidden)
    actions = tuple(
        ActionView(text, a.owner, a.due_date, a.status, overdue(a, w.month.end))
        for a in j.actions
        if (text := _safe_text(a, has_suppression=any_hidden, profile=profile)) is not None
    )
    return BoardLine(
        id=r.meta.id,
        label=r.meta.label,
        unit=unit,
        unit_label=UNIT_LABELS.get(unit, unit),
        polarity_text=r.meta.polarity_text.capitalize(),
        monthly=r.monthly,
        month=month,
        rolling=rolling,
        year_to_date=ytd,
        last_year=last,
        target=Figure.of(j.target.value, unit) if j.target else None,
        rag=None if hidden[1].value else r.rag.status,
        spc=spc,
        versus_last_year=versus,
        actions=actions,
    )


def _since(board: Board) -> str:
    if board.since is None:
        return "No board pack for an earlier month is recorded, so every load is listed."
    return (
        f"Since the last board pack, written on {board.since.day} {board.since:%B %Y} at {board.since:%H:%M}."
    )


def board_view(
    board: Board, profile: Profile, *, config: ReportConfig | None = None, generated: dt.date | None = None
) -> BoardView:
    config = config or ReportConfig()
    w = board.windows
    lines = {r.meta.id: board_line(r, w, profile) for r in board.rows()}
    hidden_ids = {i for i, line in lines.items() if any(f.suppressed for f in line.figures)}

    def action_text(j: Judgement, a: Action) -> str | None:
        return _safe_text(a, has_suppression=j.meta.id in hidden_ids, profile=profile)

    changes = board.what_changed(action_text)
    sections = tuple(
        (title, texts)
        for kind, title in SECTIONS
        if (texts := tuple(c.text for c in changes if c.kind == kind))
    )
    marking = INTERNAL_MARKING if profile == "internal" else None
    council = config.council or f"{board.built.la_name} Council"
    return BoardView(
        la_code=board.built.la_code,
        la_name=board.built.la_name,
        council=council,
        title=f"Performance and Improvement Board: {w.month.words}",
        month_words=w.month.words,
        headings=headings(w),
        profile=profile,
        marking=marking,
        note=marking or PUBLISHED_NOTE,
        generated=generated or dt.date.today(),
        since=_since(board),
        changes=sections,
        areas=tuple(
            (area, shown)
            for area, rows in board.areas
            if (shown := tuple(lines[r.meta.id] for r in rows if lines[r.meta.id].has_data))
        ),
        overdue=tuple(c.text for c in changes if c.kind == "overdue"),
        config=config,
    )


def table_rows(view: BoardView) -> Sequence[tuple[str, BoardLine]]:
    return [(area, line) for area, lines in view.areas for line in lines]


__all__ = ["KEY", "BoardLine", "BoardView", "board_line", "board_view", "headings", "table_rows"]
