"""The monthly board for one LA and month: `build_board(con, la, month, targets) -> Board`.

It is the month's scorecard (pipeline.build, so the same judgements, commentary and actions as any page) with,
for every indicator, the 12 months to the month's end, the year to date and the year to date at the same point
last year, computed in the same pass with the rolling 12 months of the last two years (what the dashboard
charts for an indicator that is not monthly by nature). Then what changed since last month, by the rules of
judge/board.py; "data loaded since the last pack" starts from the last board pack written for an earlier month
(store/board_packs.py records what each pack was built from). The board pack (publish/board_pack.py) and the dashboard's monthly view render a Board.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import duckdb

from .engine.manual import catalogue_for
from .judge.board import (
    SECTIONS,
    BoardRow,
    Change,
    action_changes,
    figure_change,
    load_changes,
    monthly_by_nature,
    new_signal,
    quality_changes,
    rolling_rag,
    target_change,
)
from .judge.indicator import Point
from .judge.judgement import Judgement, JudgeOptions
from .judge.targets import Targets
from .periods import Period, add_months, add_years, month_end, parse_period, window
from .pipeline import Built, build, with_declared_targets
from .sources.registry import kind_names
from .store.board_packs import last_pack_before, latest_ids
from .store.commentary import Action
from .store.manual_values import values_recorded_after
from .store.quality import flagged_rules
from .store.status import load_records

CHARTED_MONTHS = 24  # months of history the dashboard charts


@dataclass(frozen=True)
class BoardWindows:
    month: Period
    rolling: Period  # the 12 months ending with the month
    year_to_date: Period  # 1 April to the month's end
    last_year: Period  # the year to date at the same point last year

    @property
    def all(self) -> tuple[Period, ...]:
        return (self.month, self.rolling, self.year_to_date, self.last_year)


def board_windows(month: Period) -> BoardWindows:
    if month.kind != "month":
        raise ValueError(f"a board is for a month (YYYY-MM), not {month.words}")
    start = dt.date(month.year_start, 4, 1)
    last_end = month_end(month.end.year - 1, month.end.month)
    return BoardWindows(
        month,
        parse_period(f"R12:{month.end:%Y-%m}"),
        window(start, month.end),
        window(add_years(start, -1), last_end),
    )


def charted_months(month: Period) -> list[Period]:
    """The months the dashboard charts, oldest first, ending with `month`."""
    first = add_months(month.start, 1 - CHARTED_MONTHS)
    return [parse_period(f"{add_months(first, n):%Y-%m}") for n in range(CHARTED_MONTHS)]


@dataclass(frozen=True)
class Board:
    # The month's scorecard; its series hold the months, the 12-month windows and both years to date.
    built: Built
    windows: BoardWindows
    areas: tuple[tuple[str, tuple[BoardRow, ...]], ...]  # area name, its indicators
    # What changed, without the actions (each profile words those: `what_changed`).
    changes: tuple[Change, ...]
    since: dt.datetime | None  # when the last board pack for an earlier month was written (None: none)
    built_from: tuple[int, int]  # the latest load and manual value it saw (store/board_packs.latest_ids)

    @property
    def month(self) -> Period:
        return self.windows.month

    def rows(self) -> list[BoardRow]:
        return [r for _, rows in self.areas for r in rows]

    def row(self, indicator_id: str) -> BoardRow | None:
        return next((r for r in self.rows() if r.meta.id == indicator_id), None)

    def points(self, indicator_id: str, kind: str) -> list[Point]:
        """The indicator's charted months ("month") or rolling 12 months ("rolling_12"), oldest first."""
        wanted = {p.end for p in charted_months(self.month)}
        return [
            p
            for p in self.built.series.get(indicator_id, ())
            if p.period.kind == kind and p.period_end in wanted
        ]

    def actions(self) -> list[tuple[Judgement, Action]]:
        return [(j, a) for j in self.built.judgements() for a in j.actions]

    def what_changed(
        self, text: Callable[[Judgement, Action], str | None] = lambda j, a: a.text
    ) -> list[Change]:
        """Every change in the order of judge/board.SECTIONS; `text` words an action (None leaves it out)."""
        worded = [(j.meta, a, t) for j, a in self.actions() if (t := text(j, a)) is not None]
        every = [*self.changes, *action_changes(worded, self.month)]
        order = {kind: n for n, (kind, _) in enumerate(SECTIONS)}
        return sorted(every, key=lambda c: order[c.kind])  # stable: each section keeps its own order


def _row(j: Judgement, built: Built, w: BoardWindows, quarterly: bool) -> BoardRow:
    by_code = {p.period_code: p for p in built.series.get(j.meta.id, ())}
    rolling = by_code.get(w.rolling.code)
    return BoardRow(
        j, rolling, by_code.get(w.year_to_date.code), by_code.get(w.last_year.code),
        rolling_rag(j.meta, rolling, j.target), monthly_by_nature(j.meta, quarterly=quarterly),
    )  # fmt: skip


def _changes(
    rows: Sequence[BoardRow], built: Built, w: BoardWindows, targets: Targets | None, options: JudgeOptions
) -> list[Change]:
    previous, earlier_rolling = w.month.previous(), w.rolling.previous()
    out: list[Change] = []
    for r in rows:
        meta, series = r.meta, built.series.get(r.meta.id, ())
        by_period = {p.period: p for p in series}
        if r.monthly:
            months = [p for p in series if p.period.kind == "month"]
            if (found := new_signal(meta, months, w.month, r.judgement.target, options.spc)) is not None:
                out.append(found)
        before_target = targets.target_for(built.la_code, meta.id, previous.end) if targets else None
        before = rolling_rag(meta, by_period.get(earlier_rolling), before_target)
        if (found := target_change(meta, r.rag, before, w.rolling)) is not None:
            out.append(found)
        if (
            found := figure_change(meta, by_period.get(w.month), by_period.get(previous), w.month)
        ) is not None:
            out.append(found)
    return out


def build_board(
    con: duckdb.DuckDBPyConnection,
    la_code: str,
    month: Period,
    *,
    targets: Targets | None = None,
    options: JudgeOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> Board:
    """The month's scorecard, every indicator's other windows, and what changed since last month."""
    w = board_windows(month)
    options = options or JudgeOptions()
    rolling = [parse_period(f"R12:{m.end:%Y-%m}") for m in charted_months(month)]
    built = build(con, la_code, month, targets=targets, options=options, progress=progress,
                  extra_periods=[*rolling, w.year_to_date, w.last_year])  # fmt: skip
    catalogue = catalogue_for(con)
    quarterly = {i.id for i in catalogue.indicators.values() if i.manual and i.manual.frequency == "quarter"}
    areas = tuple(
        (summary.area, tuple(_row(j, built, w, j.meta.id in quarterly) for j in judgements))
        for summary, judgements in built.areas
    )
    rows = [r for _, area in areas for r in area]
    targets = with_declared_targets(targets, catalogue, la_code)
    changes = _changes(rows, built, w, targets, options)
    last = last_pack_before(con, la_code, month.code)
    after = (last.last_load_id, last.last_value_id) if last else (0, 0)
    labels = {r.meta.id: r.meta.label for r in rows}
    loads = [r for r in load_records(con) if r.la_code == la_code]
    changes += quality_changes(flagged_rules(con, la_code), loads, after=after[0])
    changes += load_changes(
        loads, values_recorded_after(con, la_code, after[1]), kind_names=kind_names(), labels=labels, after=after,
    )  # fmt: skip
    return Board(built, w, areas, tuple(changes), last.written_at if last else None, latest_ids(con))


__all__ = ["CHARTED_MONTHS", "Board", "BoardWindows", "board_windows", "build_board", "charted_months"]
