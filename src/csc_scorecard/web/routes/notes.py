"""Analysts' own achievements and priorities per area: added and removed from the scorecard page (analysts
only, CSRF-checked like every form, and written to the access log)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from ...periods import PeriodError, parse_period
from ...store.area_notes import KINDS, add_area_note, remove_area_note
from ...store.commentary import CommentaryError
from ..auth import client_address, require
from ..state import Session
from .common import services, store_catalogue

router = APIRouter()
Analyst = Annotated[Session, Depends(require("analyst"))]


def _back(la: str, period: str, area: str) -> RedirectResponse:
    slug = re.sub(r"[^a-z0-9]+", "-", area.replace("_", " ")).strip("-")
    return RedirectResponse(f"/?la={la}&period={period}&saved=note#{slug}", 303)


@router.post("/area-notes")
def add_note(
    request: Request,
    session: Analyst,
    la: Annotated[str, Form(pattern=r"^\d{3}$")],
    period: Annotated[str, Form(max_length=20)],
    area: Annotated[str, Form(max_length=40)],
    kind: Annotated[str, Form(max_length=20)],
    text: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    if area not in store_catalogue(request).by_area() or kind not in KINDS:
        raise HTTPException(400, "Choose an area and whether it is an achievement or a priority.")
    try:
        parse_period(period)
    except PeriodError as error:
        raise HTTPException(400, str(error)) from None
    if not text.strip():
        raise HTTPException(400, f"Enter the {kind}.")
    svc = services(request)
    try:
        note = svc.store.write(
            lambda con: add_area_note(con, la, area, period, kind, text, author=session.user.name),
            timeout=svc.settings.write_timeout_seconds,
        )
    except CommentaryError as error:
        raise HTTPException(400, str(error)) from None
    svc.state.log(
        session.user, "area_note_added", la_code=la, period=period, detail=f"{kind} {note.note_id} ({area})",
        client=client_address(request),
    )  # fmt: skip
    return _back(la, period, area)


@router.post("/area-notes/{note_id}/remove")
def remove_note(request: Request, session: Analyst, note_id: int) -> Response:
    svc = services(request)
    try:
        note = svc.store.write(
            lambda con: remove_area_note(con, note_id), timeout=svc.settings.write_timeout_seconds
        )
    except CommentaryError as error:
        raise HTTPException(404, str(error)) from None
    svc.state.log(
        session.user, "area_note_removed", la_code=note.la_code, period=note.period,
        detail=f"{note.kind} {note.note_id} ({note.area})", client=client_address(request),
    )  # fmt: skip
    return _back(note.la_code, note.period, note.area)
