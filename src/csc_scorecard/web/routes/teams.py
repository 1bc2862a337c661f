"""By team and by worker: the indicators that can be split by the team (or worker) a child was allocated to.

The team view is for every signed-in user (managers and the board), shown with the same small-number rule as
every published figure for viewers. The worker view names individual workers: analysts only, each view written
to the access log, and never in a report pack (publish/ reads no breakdown).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...catalogue import load_catalogue
from ...engine import compute
from ..auth import client_address, require
from ..present import breakdown_rows, partners_of, profile_for
from ..rendering import render
from ..state import Session
from .common import reading, scope_query, services
from .pages import WORKER_LEVEL, La, Period

router = APIRouter()
Viewer = Annotated[Session, Depends(require("viewer"))]
Manager = Annotated[Session, Depends(require("manager"))]
# The breakdowns each view uses, best first: an indicator is shown by the first it allows.
TEAM_BREAKDOWNS = ("allocated_team", "team")
WORKER_BREAKDOWNS = ("allocated_worker", "worker")


def _split(request: Request, r, session: Session, breakdowns: tuple[str, ...]) -> list[dict]:
    """Per indicator on the scorecard that allows one of `breakdowns`, its rows for the period."""
    catalogue, built, profile = load_catalogue(), r.built, profile_for(session.user)
    chosen = {}
    for j in built.judgements():
        allowed = [b for b in breakdowns if b in catalogue.definition(j.meta.id).breakdowns]
        if allowed and j.value is not None:
            chosen[j.meta.id] = allowed[0]
    sections = []
    for breakdown in breakdowns:
        ids = [i for i, b in chosen.items() if b == breakdown]
        if not ids:
            continue

        def results(ids=ids, breakdown=breakdown):
            return compute(r.con, [r.scope.period], ids, breakdown, [r.scope.la_code])

        found = services(request).scorecards.derive(built, ("by", breakdown, *ids), results)
        for indicator_id in ids:
            j = built.judgement(indicator_id)
            mine = [x for x in found if x.indicator_id == indicator_id]
            sections.append(
                {
                    "indicator_id": indicator_id,
                    "label": j.meta.label,
                    "breakdown_label": catalogue.breakdowns[breakdown].label,
                    "rows": breakdown_rows(
                        j, built.series.get(indicator_id, ()), mine, profile, partners_of(built, j)
                    ),
                }
            )
    return sections


@router.get("/teams")
def teams(request: Request, session: Viewer, la: La = None, period: Period = None) -> Response:
    with reading(request, la, period) as r:
        sections = _split(request, r, session, TEAM_BREAKDOWNS)
        return render(request, "teams.html", {
            "scope": r.scope, "query": scope_query(r.scope), "sections": sections, "workers": False,
            "profile": profile_for(session.user),
        })  # fmt: skip


@router.get("/teams/workers")
def workers(request: Request, session: Manager, la: La = None, period: Period = None) -> Response:
    with reading(request, la, period) as r:
        sections = _split(request, r, session, WORKER_BREAKDOWNS)
        services(request).state.log(
            session.user, "worker_view", la_code=r.scope.la_code, period=r.scope.period_code,
            records=sum(len(s["rows"]) for s in sections), client=client_address(request),
        )  # fmt: skip
        return render(request, "teams.html", {
            "scope": r.scope, "query": scope_query(r.scope), "sections": sections, "workers": True,
            "profile": profile_for(session.user),
        })  # fmt: skip


__all__ = ["TEAM_BREAKDOWNS", "WORKER_BREAKDOWNS", "WORKER_LEVEL", "router"]
