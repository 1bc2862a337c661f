"""Pages every signed-in user sees: the scorecard, an indicator, its chart and breakdowns, the report pack."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from ...engine import compute
from ...engine.manual import catalogue_for
from ...judge.actions import overdue
from ...pipeline import current_notes, with_current_notes
from ...publish.pack import UnconfirmedText
from ...store.commentary import action_history
from ..auth import require
from ..pack import report_pack
from ..present import breakdown_rows, chart, chart_text, partners_of, profile_for, single_view
from ..rendering import render
from ..state import Session
from .common import reading, scope_query, services

WORKER_LEVEL = frozenset({"allocated_worker", "worker"})  # breakdowns naming workers: managers and up

router = APIRouter()
Viewer = Annotated[Session, Depends(require("viewer"))]
La = Annotated[str | None, Query(max_length=3, pattern=r"^\d{3}$")]
Period = Annotated[str | None, Query(max_length=20, pattern=r"^[0-9QR:\-]+$")]
Name = Annotated[str | None, Query(max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]


@router.get("/")
def overview(request: Request, session: Viewer, la: La = None, period: Period = None) -> Response:
    if not request.query_params and session.user.role in services(request).settings.board_landing:
        return RedirectResponse("/board", 303)  # their landing page (settings: board_landing)
    profile = profile_for(session.user)
    with reading(request, la, period) as r:
        built = r.built
        view, noted = services(request).scorecards.view(built, r.con, profile)
        return render(
            request,
            "overview.html",
            {
                "view": view,
                "scope": r.scope,
                "query": scope_query(r.scope),
                "built": built,
                "notes": noted.notes,
                "areas": catalogue_for(r.con).by_area(),
                "profile": profile,
                "saved": request.query_params.get("saved"),
            },
        )


def _indicator_or_404(built, indicator_id: str):
    j = built.judgement(indicator_id)
    if j is None:
        raise HTTPException(404, f"There is no indicator {indicator_id!r} on this scorecard.")
    return j


@router.get("/indicator/{indicator_id}")
def indicator(
    request: Request,
    session: Viewer,
    indicator_id: str,
    la: La = None,
    period: Period = None,
    breakdown: Name = None,
) -> Response:
    profile = profile_for(session.user)
    with reading(request, la, period) as r:
        built = r.built
        j = current_notes(_indicator_or_404(built, indicator_id), r.con)
        view = single_view(built, j, profile)
        definition = catalogue_for(r.con).indicator(indicator_id)
        alt, caption = chart_text(view, built.la_name) if view.history else ("", "")
        context = {
            "chart_alt": alt,
            "chart_caption": caption,
            "view": view,
            "judgement": j,
            "definition": definition,
            "breakdowns": _breakdown_choices(r.con, definition, session.user.can("manager")),
            "scope": r.scope,
            "query": scope_query(r.scope),
            "profile": profile,
            "rules": _rules(j, view, profile),
            "overdue_ids": {a.action_id for a in j.actions if overdue(a, j.period.end)},
            "histories": {a.action_id: action_history(r.con, a.action_id) for a in j.actions}
            if session.user.can("analyst")
            else {},
            "saved": request.query_params.get("saved"),
            "form_error": request.scope.get("csc", {}).get("form_error"),
        }
        if breakdown:
            context.update(
                _breakdown(request, r, built, indicator_id, breakdown, profile, session.user.can("manager"))
            )
        return render(request, "indicator.html", context)


def _rules(j, view, profile: str) -> list[tuple[str, str]] | None:
    """The rule behind each judgement; withheld from the published profile when any figure in the series is
    suppressed, because the rules quote the figures they compare."""
    if profile == "published" and (view.suppressed or any(h.value.suppressed for h in view.history)):
        return None
    return j.rules()


def _breakdown_choices(con, definition, workers: bool = True) -> list[tuple[str, str]]:
    """The indicator's breakdowns; those naming workers only for managers and up (`workers`)."""
    catalogue = catalogue_for(con)
    return [
        (name, catalogue.breakdowns[name].label)
        for name in definition.breakdowns
        if name in catalogue.breakdowns and (workers or name not in WORKER_LEVEL)
    ]


def _breakdown(request: Request, r, built, indicator_id: str, name: str, profile: str, workers: bool) -> dict:
    definition = catalogue_for(r.con).indicator(indicator_id)
    if name not in definition.breakdowns or (not workers and name in WORKER_LEVEL):
        raise HTTPException(404, f"{indicator_id} has no breakdown {name!r}.")

    def results():
        return compute(r.con, [r.scope.period], [indicator_id], name, [r.scope.la_code])

    found = services(request).scorecards.derive(built, ("breakdown", indicator_id, name), results)
    j = _indicator_or_404(built, indicator_id)
    rows = breakdown_rows(j, built.series.get(indicator_id, ()), found, profile, partners_of(built, j))
    label = dict(_breakdown_choices(r.con, definition)).get(name, name)
    return {
        "breakdown": name,
        "breakdown_label": label,
        "breakdown_rows": rows,
        "indicator_label": definition.label,
    }


@router.get("/indicator/{indicator_id}/breakdown")
def breakdown_fragment(
    request: Request,
    session: Viewer,
    indicator_id: str,
    breakdown: Name = None,
    la: La = None,
    period: Period = None,
) -> Response:
    """The breakdown table alone, for HTMX to swap into the indicator page."""
    profile = profile_for(session.user)
    with reading(request, la, period) as r:
        built = r.built
        _indicator_or_404(built, indicator_id)
        context = {
            "scope": r.scope,
            "query": scope_query(r.scope),
            "indicator_id": indicator_id,
            "profile": profile,
        }
        if breakdown:
            context.update(
                _breakdown(request, r, built, indicator_id, breakdown, profile, session.user.can("manager"))
            )
        return render(request, "partials/breakdown.html", context)


@router.get("/indicator/{indicator_id}/chart.svg")
def chart_svg(
    request: Request, session: Viewer, indicator_id: str, la: La = None, period: Period = None
) -> Response:
    profile = profile_for(session.user)
    with reading(request, la, period) as r:
        built = r.built
        j = _indicator_or_404(built, indicator_id)
        cache = services(request).scorecards

        view = single_view(built, j, profile)
        if not view.history:
            raise HTTPException(404, f"{indicator_id} has no figures to chart yet.")

        def draw():
            return chart(view, built.la_name).svg

        svg = cache.derive(built, ("chart", indicator_id, profile), draw)
    return Response(svg, media_type="image/svg+xml")  # no-store, like every page: it differs by role


@router.get("/report")
def report_page(request: Request, session: Viewer, la: La = None, period: Period = None) -> Response:
    with reading(request, la, period) as r:
        return render(request, "report.html", {"scope": r.scope, "query": scope_query(r.scope)})


@router.get("/report/download")
def report_download(
    request: Request,
    session: Viewer,
    la: La = None,
    period: Period = None,
    profile: Annotated[str, Query(pattern="^(published|internal)$")] = "published",
) -> Response:
    if profile == "internal" and not session.user.can("analyst"):
        raise HTTPException(403, "Only analysts can download the internal pack.")
    svc = services(request)
    with reading(request, la, period) as r:
        scope = r.scope
        mtime, _ = svc.scorecards.targets()
        # A pack takes seconds to write; it changes only with a new snapshot (a load or an edit) or targets.
        # It renders the scorecard the pages show, with the commentary and actions as they are now.
        key = (r.snapshot.generation, mtime, scope.la_code, scope.period_code, profile)
        try:
            pack = svc.scorecards.packs.get(
                key,
                lambda: report_pack(
                    with_current_notes(r.built, r.con), profile,  # type: ignore[arg-type]
                    report_config=svc.settings.report_config,
                ),
            )  # fmt: skip
        except UnconfirmedText as refused:
            svc.state.log(session.user, "report_refused", la_code=scope.la_code, period=scope.period_code,
                          detail=f"{len(refused.found)} unconfirmed text(s) that may identify a child")  # fmt: skip
            return render(request, "error.html", {"title": "The pack was not written", "message": str(refused)},
                          status=409)  # fmt: skip
    filename = f"scorecard-{scope.la_code}-{scope.period_code.replace(':', '-')}-{profile}{pack.suffix}"
    svc.state.log(
        session.user, "report_download", la_code=scope.la_code, period=scope.period_code, detail=profile
    )
    return Response(
        pack.content,
        media_type=pack.media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
