"""Analysts' pages: drill-through to the records behind a figure (each view written to the access log),
commentary and actions, the data page (loads, lineage, quality) and uploading returns."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import shutil
from typing import Annotated

import duckdb
from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from ...engine import explain
from ...engine.manual import catalogue_for
from ...ingest import UPLOAD_FORM, LoadOptions, commit, prepare
from ...output import to_csv
from ...periods import PeriodError, parse_period
from ...sources.problems import Problem, ReturnRejected
from ...store.commentary import (
    STATUSES,
    CommentaryError,
    add_action,
    get_action,
    get_commentary,
    neutralise,
    set_commentary,
    update_action,
)
from ...store.quality import LISTED
from ...store.status import canonical_counts, load_records
from ..auth import client_address, require
from ..quality import quality
from ..rendering import render
from ..state import Session
from ..uploads import TooLarge, UploadFolder
from .common import reading, scope_query, services, store_catalogue
from .pages import La, Period

router = APIRouter()
Analyst = Annotated[Session, Depends(require("analyst"))]
RECORDS_SHOWN = 100  # per page of the drill-through


# --- drill-through -------------------------------------------------------------------------------------------


@router.get("/indicator/{indicator_id}/records")
def records(
    request: Request,
    session: Analyst,
    indicator_id: str,
    la: La = None,
    period: Period = None,
    breakdown: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z][a-z0-9_]*$")] = None,
    value: Annotated[str | None, Query(max_length=100)] = None,
    start: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """The records counted in a figure, a page at a time. Each page viewed is written to the access log
    (with how many records it showed) before anything is shown."""
    with reading(request, la, period) as r:
        if indicator_id not in (catalogue := catalogue_for(r.con)).indicators:
            raise HTTPException(404, f"There is no indicator {indicator_id!r}.")
        scope, svc = r.scope, services(request)
        key = (r.snapshot.loads_version, scope.la_code, scope.period_code, indicator_id, breakdown)
        try:  # paging through the records should not re-run the query for every page
            found = svc.scorecards.explanations.get(
                key,
                lambda: explain(r.con, indicator_id, scope.period, scope.la_code, breakdown=breakdown),
            )
        except Exception as error:  # a breakdown the indicator does not allow, say: the catalogue explains
            raise HTTPException(404, str(error)) from None
        numerator, denominator = found.numerator_records, found.denominator_records
        if breakdown is not None and value is not None:
            numerator = [rec for rec in numerator if str(rec.get("breakdown_value")) == value]
            denominator = [rec for rec in denominator if str(rec.get("breakdown_value")) == value]
        shown = [(title, rows[start : start + RECORDS_SHOWN], len(rows)) for title, rows in (
            ("Counted in the numerator", numerator), ("In the denominator", denominator))]  # fmt: skip
        detail = ", ".join(
            [f"breakdown {breakdown}={value}"] * bool(breakdown) + [f"from record {start + 1}"] * bool(start)
        )
        services(request).state.log(
            session.user, "drill_through", la_code=r.scope.la_code, indicator_id=indicator_id,
            period=r.scope.period_code, detail=detail or None, records=sum(len(rows) for _, rows, _ in shown),
            client=client_address(request),
        )  # fmt: skip
        more = start + RECORDS_SHOWN < max(len(numerator), len(denominator))
        return render(
            request,
            "records.html",
            {
                "indicator": catalogue.indicator(indicator_id),
                "scope": r.scope,
                "query": scope_query(r.scope),
                "explanation": found,
                "tables": shown,
                "start": start,
                "next_start": start + RECORDS_SHOWN if more else None,
                "previous_start": max(0, start - RECORDS_SHOWN) if start else None,
                "page_query": request.url.query,
                "breakdown": breakdown,
                "value": value,
            },
        )


# --- commentary and actions ------------------------------------------------------------------------------------


def _version(value: dt.datetime | None) -> str:
    return value.isoformat() if value else ""


def _back(indicator_id: str, la: str, period: str, saved: str) -> RedirectResponse:
    return RedirectResponse(
        f"/indicator/{indicator_id}?la={la}&period={period}&saved={saved}#commentary", 303
    )


class Conflict(Exception):
    def __init__(self, message: str, theirs: str | None):
        super().__init__(message)
        self.theirs = theirs


def _check_keys(request: Request, indicator_id: str, la: str, period: str) -> None:
    if indicator_id not in store_catalogue(request).indicators or not re.fullmatch(r"\d{3}", la):
        raise HTTPException(404, "No such indicator or LA.")
    try:
        parse_period(period)
    except PeriodError as error:
        raise HTTPException(400, str(error)) from None


@router.post("/indicator/{indicator_id}/commentary")
def save_commentary(
    request: Request,
    session: Analyst,
    indicator_id: str,
    la: Annotated[str, Form()],
    period: Annotated[str, Form()],
    text: Annotated[str, Form(max_length=10_000)] = "",
    version: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Save commentary unless someone else saved it since this form was loaded (then show both texts). Text
    that looks as if it may identify a child is saved with a warning on the page; `confirm` records that the
    analyst checked it does not."""
    _check_keys(request, indicator_id, la, period)
    if not text.strip():
        return _commentary_problem(request, indicator_id, la, period, "Enter the commentary", text)
    confirmed_by = session.user.name if confirm else None

    def save(con: duckdb.DuckDBPyConnection):
        con.begin()
        try:
            current = get_commentary(con, la, indicator_id, period)
            if _version(current.updated_at if current else None) != version:
                raise Conflict(
                    "Someone else saved this commentary after you opened the page.",
                    current.text if current else None,
                )
            saved = set_commentary(con, la, indicator_id, period, text.strip(), author=session.user.name,
                                   confirmed_by=confirmed_by, now=dt.datetime.now())  # fmt: skip
            con.commit()
            return saved
        except BaseException:
            con.rollback()
            raise

    try:
        saved = services(request).store.write(save, timeout=services(request).settings.write_timeout_seconds)
    except Conflict as conflict:
        return _commentary_problem(
            request, indicator_id, la, period, str(conflict), text, theirs=conflict.theirs, status=409
        )
    except CommentaryError as error:
        return _commentary_problem(request, indicator_id, la, period, str(error), text)
    services(request).state.log(
        session.user, "commentary_saved", la_code=la, indicator_id=indicator_id, period=period,
        detail=_identifiers_note(saved),
    )  # fmt: skip
    return _back(indicator_id, la, period, "commentary")


def _identifiers_note(saved) -> str | None:
    """For the access log: what a saved text seems to hold and whether it was confirmed (never the text)."""
    if not saved.identifiers:
        return None
    state = f"confirmed by {saved.confirmed_by}" if saved.confirmed_at else "warned, not confirmed"
    return f"may identify a child ({', '.join(saved.identifiers)}): {state}"


def _commentary_problem(
    request: Request,
    indicator_id: str,
    la: str,
    period: str,
    message: str,
    mine: str,
    *,
    theirs: str | None = None,
    status: int = 400,
) -> Response:
    from .pages import indicator

    request.scope.setdefault("csc", {})["form_error"] = {
        "field": "text",
        "message": message,
        "mine": mine,
        "theirs": theirs,
    }
    page = indicator(request, request.scope["csc"]["session"], indicator_id, la, period)
    page.status_code = status
    return page


@router.post("/indicator/{indicator_id}/actions")
def add_action_route(
    request: Request,
    session: Analyst,
    indicator_id: str,
    la: Annotated[str, Form()],
    period: Annotated[str, Form()],
    text: Annotated[str, Form(max_length=2000)] = "",
    owner: Annotated[str, Form(max_length=200)] = "",
    due: Annotated[str, Form(max_length=10)] = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    _check_keys(request, indicator_id, la, period)
    try:
        due_date = dt.date.fromisoformat(due) if due else None
    except ValueError:
        return _action_problem(request, indicator_id, la, period, "Enter the due date as YYYY-MM-DD", "due")
    if not text.strip():
        return _action_problem(request, indicator_id, la, period, "Enter the action", "action-text")
    confirmed_by = session.user.name if confirm else None
    saved = services(request).store.write(
        lambda con: get_action(con, add_action(con, la, indicator_id, period, text.strip(),
                                               owner=owner.strip() or None, due_date=due_date,
                                               confirmed_by=confirmed_by, by=session.user.name)),
        timeout=services(request).settings.write_timeout_seconds,
    )  # fmt: skip
    note = _identifiers_note(saved)
    services(request).state.log(
        session.user, "action_added", la_code=la, indicator_id=indicator_id, period=period,
        detail=f"action {saved.action_id}" + (f"; {note}" if note else ""),
    )  # fmt: skip
    return _back(indicator_id, la, period, "action")


def _action_problem(
    request: Request, indicator_id: str, la: str, period: str, message: str, field: str
) -> Response:
    from .pages import indicator

    request.scope.setdefault("csc", {})["form_error"] = {"field": field, "message": message}
    page = indicator(request, request.scope["csc"]["session"], indicator_id, la, period)
    page.status_code = 400
    return page


@router.post("/actions/{action_id}")
def update_action_route(
    request: Request,
    session: Analyst,
    action_id: int,
    period: Annotated[str, Form()],
    status: Annotated[str, Form()],
    version: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Change an action's status (closing it closes it in the period shown), with a note of what was done (both
    kept in its history), or confirm that its text does not identify a child. Refused if it changed meanwhile."""
    if status not in STATUSES:
        raise HTTPException(400, f"status must be one of {', '.join(STATUSES)}")

    def change(con: duckdb.DuckDBPyConnection):
        con.begin()
        try:
            old = get_action(con, action_id)
            if _version(old.updated_at) != version:
                raise Conflict("Someone else changed this action after you opened the page.", old.text)
            closed = period if status == "closed" else None
            by = session.user.name if confirm else None
            new = update_action(con, action_id, status=status, closed_period=closed, confirmed_by=by,
                                by=session.user.name, note=note, now=dt.datetime.now())  # fmt: skip
            con.commit()
            return new
        except BaseException:
            con.rollback()
            raise

    try:
        action = services(request).store.write(
            change, timeout=services(request).settings.write_timeout_seconds
        )
    except CommentaryError as error:
        raise HTTPException(404 if "no action" in str(error) else 400, str(error)) from None
    except Conflict as conflict:
        raise HTTPException(409, f"{conflict} Reload the page to see the change.") from None
    services(request).state.log(
        session.user, "action_updated", la_code=action.la_code, indicator_id=action.indicator_id, period=period,
        detail=f"action {action_id}: {status}" + (f"; {note}" if (note := _identifiers_note(action)) else ""),
    )  # fmt: skip
    return _back(action.indicator_id, action.la_code, period, "action")


# --- data page -----------------------------------------------------------------------------------------------


@router.get("/data")
def data_page(request: Request, session: Analyst, la: La = None, period: Period = None) -> Response:
    with reading(request, la, period) as r:
        built = r.built

        def gather() -> tuple:
            loads = load_records(r.con, include_replaced=True)
            files = dict(r.con.execute("SELECT load_id, files FROM loads").fetchall())
            return loads, files, canonical_counts(r.con), quality(r.con, r.scope.la_code)

        # All of it changes only with the loads, like the scorecard.
        loads, files, counts, found = services(request).scorecards.derive(built, ("data-page",), gather)
        small = [j for j in built.judgements() if j.small_numbers.small or j.point is None or j.value is None]
        snapshot = r.snapshot
        if found.shown:  # child-level records on the page: written to the access log, as a drill-through is
            services(request).state.log(
                session.user, "drill_through", la_code=r.scope.la_code, detail="data page: flagged records",
                records=len(found.shown), client=client_address(request),
            )  # fmt: skip
        return render(
            request,
            "data.html",
            {
                "scope": r.scope,
                "query": scope_query(r.scope),
                "loads": loads,
                "files": files,
                "counts": counts.get(r.scope.la_code, {}),
                "quality": found,
                "small": small,
                "snapshot_taken": dt.datetime.fromtimestamp(snapshot.taken_at).strftime("%Y-%m-%d %H:%M:%S"),
                "refresh_problem": services(request).store.last_refresh_problem,
            },
        )


@router.get("/data/quality.csv")
def quality_csv(request: Request, session: Analyst, la: La = None, period: Period = None) -> Response:
    """Every flagged record of the LA, as `csc-scorecard quality --format csv` gives them (written to the
    access log)."""
    with reading(request, la, period) as r:
        found = quality(r.con, r.scope.la_code)
        services(request).state.log(
            session.user, "drill_through", la_code=r.scope.la_code, detail="data quality CSV",
            records=len(found.records), client=client_address(request),
        )  # fmt: skip
        name = f"quality_{r.scope.la_code}.csv"
    safe = [{k: neutralise(v) if isinstance(v, str) else v for k, v in row.items()} for row in found.records]
    return Response(
        to_csv(LISTED, safe),  # opened in a spreadsheet: no cell may be read as a formula
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- upload ----------------------------------------------------------------------------------------------------


@router.get("/upload")
def upload_form(request: Request, session: Analyst) -> Response:
    return render(request, "upload.html", {})


@router.post("/upload")
def upload(
    request: Request,
    session: Analyst,
    files: Annotated[list[UploadFile] | None, File()] = None,
    la: Annotated[str, Form(max_length=3)] = "",
    year: Annotated[str, Form(max_length=7)] = "",
) -> Response:
    """Check and load uploaded returns: all or nothing, exactly as `csc-scorecard load` does."""
    svc = services(request)
    options = LoadOptions(la=la.strip() or None, year=year.strip() or None, origin=UPLOAD_FORM)
    problems = options.problems()
    files = [f for f in files or [] if f.filename]
    if not files:
        problems.append(Problem("upload", "-", "files", None, "choose at least one return to upload"))
    if problems:
        return render(
            request, "upload.html", {"rejected": ReturnRejected(problems), "la": la, "year": year}, status=400
        )
    root = svc.store.work_dir / "uploads" / secrets.token_hex(8)
    try:
        folder = UploadFolder(root, svc.settings.max_upload_mb * 1024 * 1024)
        try:
            for f in files:  # at the paths they were chosen with: folders kept, zips unpacked
                folder.add(f)
        except TooLarge:
            raise HTTPException(413, f"The upload is over {svc.settings.max_upload_mb} MB.") from None
        try:
            if (refused := folder.rejected()) is not None:
                raise refused
            batch = prepare([root], options)
            report = svc.store.write(
                lambda con: commit(con, batch, by=session.user.name),
                timeout=svc.settings.write_timeout_seconds,
            )
        except ReturnRejected as rejected:
            rejected = folder.relative(rejected)
            svc.state.log(
                session.user,
                "upload_rejected",
                detail=f"{rejected.total} problem(s)",
                client=client_address(request),
            )
            return render(request, "upload.html", {"rejected": rejected, "la": la, "year": year}, status=400)
        names = ", ".join(f.filename or "" for f in files)[:500]
        svc.state.log(
            session.user,
            "upload",
            detail=names,
            records=sum(sum(o.rows.values()) for o in report.outcomes),
            client=client_address(request),
        )
        return render(request, "upload.html", {"report": report, "outcomes": report.outcomes})
    finally:
        shutil.rmtree(root, ignore_errors=True)
