"""The monthly board on the dashboard (every signed-in user): what changed since last month with every indicator's
month, 12 months, year to date and same point last year (`/board`, the landing page of the roles the settings
name in `board_landing`), and the month by month view (`/board/months`): each indicator's last 24 months as an
XmR chart where it is monthly by nature, else its rolling 12 months. Both render a board.Board, built once per
snapshot, targets, LA and month, with the commentary and actions as they are now; viewers see it published."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from ...board import Board, build_board
from ...periods import Period, PeriodError, add_months, parse_financial_year, parse_period
from ...pipeline import with_current_notes
from ...publish.board_view import board_view
from ...store.board_packs import last_pack_before
from ...store.status import loaded_years, notes_version
from ..auth import require
from ..monthly import LEGEND, monthly_charts
from ..present import profile_for
from ..rendering import render
from ..scorecards import ScopeError
from ..state import Session
from .common import Reading, reading, services
from .pages import La

router = APIRouter()
Viewer = Annotated[Session, Depends(require("viewer"))]
Month = Annotated[str | None, Query(max_length=7, pattern=r"^\d{4}-\d{2}$")]


def month_choices(years: list[str]) -> list[Period]:
    """Every month of the collection years loaded, latest first."""
    out = []
    for year in sorted(years, reverse=True):
        start = parse_financial_year(year)
        out += [
            parse_period(f"{add_months(parse_period(f'{start}-04').start, n):%Y-%m}")
            for n in range(11, -1, -1)
        ]
    return out


def _month(r: Reading, month: str | None) -> tuple[Period, list[Period]]:
    choices = month_choices(loaded_years(r.con, r.scope.la_code))
    try:
        chosen = parse_period(month) if month else choices[0]
    except PeriodError as error:
        raise ScopeError(f"month {month!r}: {error}") from None
    if chosen not in choices:
        raise ScopeError(f"{chosen.words}: the returns loaded do not cover it")
    return chosen, choices


def _board(request: Request, r: Reading, month: Period) -> Board:
    svc = services(request)
    mtime, targets = svc.scorecards.targets()
    # A pack written for an earlier month moves "since the last pack" without a new load.
    last = last_pack_before(r.con, r.scope.la_code, month.code)
    key = ("board", r.snapshot.loads_version, mtime, r.scope.la_code, month.code, last.pack_id if last else 0)
    board = svc.scorecards.derived.get(
        key,
        lambda: build_board(r.con, r.scope.la_code, month, targets=targets, options=svc.scorecards.options),
    )
    notes = notes_version(r.con, r.scope.la_code)  # commentary and actions change without a new load
    current = svc.scorecards.derived.get(
        (*key, "notes", notes), lambda: with_current_notes(board.built, r.con)
    )
    return replace(board, built=current)


def _context(r: Reading, month: Period, choices: list[Period]) -> dict:
    return {
        "scope": r.scope,
        "month": month,
        "months": choices,
        "month_query": f"la={r.scope.la_code}&month={month.end:%Y-%m}",
    }


@router.get("/board")
def board_page(request: Request, session: Viewer, la: La = None, month: Month = None) -> Response:
    with reading(request, la, None) as r:
        chosen, choices = _month(r, month)
        view = board_view(_board(request, r, chosen), profile_for(session.user))
        return render(request, "board.html", {**_context(r, chosen, choices), "view": view})


@router.get("/board/months")
def months_page(request: Request, session: Viewer, la: La = None, month: Month = None) -> Response:
    with reading(request, la, None) as r:
        chosen, choices = _month(r, month)
        board = _board(request, r, chosen)
        profile = profile_for(session.user)
        mtime, _ = services(request).scorecards.targets()
        key = ("board-charts", r.snapshot.loads_version, mtime, r.scope.la_code, chosen.code, profile)
        charts = services(request).scorecards.derived.get(
            key, lambda: monthly_charts(board, profile, services(request).scorecards.options.spc)
        )
        return render(
            request, "board_months.html", {**_context(r, chosen, choices), "areas": charts, "legend": LEGEND}
        )


__all__ = ["month_choices", "router"]
