"""Manual measures on the dashboard (analysts only): the measures in force with their latest values, a form to
record or correct a value (CSRF-checked like every form, and written to the access log), and each measure's
history: who entered what, when, from where, and what it replaced."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from ...sources.manual import number
from ...store.manual_values import ManualValueError, current_values, declared, record, value_history
from ..auth import client_address, require
from ..rendering import render
from ..state import Session
from .common import reading, scope_query, services
from .pages import La

router = APIRouter()
Analyst = Annotated[Session, Depends(require("analyst"))]
RECENT = 6  # values shown per measure on the page


def _page(request: Request, la: str | None, *, form: dict | None = None, error: dict | None = None,
          status: int = 200) -> Response:  # fmt: skip
    with reading(request, la, None) as r:
        measures = declared(r.con)
        values = current_values(r.con, measures, [r.scope.la_code])
        recent = {m: [v for v in values if v.measure_id == m][-RECENT:][::-1] for m in measures}
        return render(
            request,
            "measures.html",
            {
                "scope": r.scope,
                "query": scope_query(r.scope),
                "measures": measures,
                "measure_items": [
                    {"value": m.id, "text": m.label, "selected": m.id == (form or {}).get("measure_id")}
                    for m in measures.values()
                ],
                "recent": recent,
                "form": form or {},
                "form_error": error,
                "saved": request.query_params.get("saved"),
                "last_month": (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m"),
            },
            status=status,
        )


@router.get("/measures")
def measures_page(request: Request, session: Analyst, la: La = None) -> Response:
    return _page(request, la)


@router.post("/measures/values")
def record_value(
    request: Request,
    session: Analyst,
    la: Annotated[str, Form(pattern=r"^\d{3}$")],
    measure_id: Annotated[str, Form(max_length=60)],
    period: Annotated[str, Form(max_length=7)] = "",
    value: Annotated[str, Form(max_length=30)] = "",
    denominator: Annotated[str, Form(max_length=30)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Record one value: it replaces the current one for the period, which stays in the history."""
    form = {
        "measure_id": measure_id,
        "period": period,
        "value": value,
        "denominator": denominator,
        "note": note,
    }

    def problem(field: str, message: str) -> Response:
        return _page(request, la, form=form, error={"field": field, "message": message}, status=400)

    amount, base = number(value), number(denominator)
    if amount is None:
        return problem("value", "Enter the value as a number of 0 or more, like 12 or 3.5")
    if denominator.strip() and base is None:
        return problem("denominator", "Enter the denominator as a number above 0, or leave it blank")
    svc = services(request)
    try:
        saved = svc.store.write(
            lambda con: record(con, la, measure_id, period.strip(), amount, denominator=base, note=note,
                               by=session.user.name, source="dashboard"),
            timeout=svc.settings.write_timeout_seconds,
        )  # fmt: skip
    except ManualValueError as error:
        return problem(error.field, str(error))
    detail = (
        "unchanged"
        if saved is None
        else f"value {saved.value_id}: {amount:g}"
        + (f" of {base:g}" if base is not None else "")
        + (f", replacing value {saved.replaces}" if saved.replaces else "")
    )
    svc.state.log(session.user, "manual_value_recorded", la_code=la, indicator_id=measure_id, period=period,
                  detail=detail, client=client_address(request))  # fmt: skip
    return RedirectResponse(f"/measures?la={la}&saved={measure_id}#{measure_id}", 303)


@router.get("/measures/{measure_id}/history")
def history_page(request: Request, session: Analyst, measure_id: str, la: La = None) -> Response:
    with reading(request, la, None) as r:
        found = value_history(r.con, r.scope.la_code, measure_id)
        measure = declared(r.con).get(measure_id)
        if measure is None and not found:
            raise HTTPException(404, f"There is no manual measure {measure_id!r}.")
        services(request).state.log(session.user, "manual_value_history", la_code=r.scope.la_code,
                                    indicator_id=measure_id, records=len(found), client=client_address(request))  # fmt: skip
        return render(
            request,
            "measure_history.html",
            {"scope": r.scope, "query": scope_query(r.scope), "measure_id": measure_id, "measure": measure,
             "values": found},
        )  # fmt: skip


__all__ = ["router"]
