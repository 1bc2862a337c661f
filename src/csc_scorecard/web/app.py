"""The FastAPI application: services shared by every request, templates, error pages and the routes."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.templating import Jinja2Templates

from ..config import WebSettings
from ..store.connection import StoreMissing
from .auth import CsrfFailed, Forbidden, LoginRequired, SecurityHeaders, current_session, login_url
from .proxies import ForwardedHeaders
from .rendering import STATIC, Services, render, template_environment
from .routes import admin, analyst, auth_routes, board, measures, notes, pages, teams
from .scorecards import ScopeError, Scorecards
from .snapshot import StoreBusy, StoreGateway
from .state import StateStore

log = logging.getLogger("csc_scorecard.web")


def create_app(settings: WebSettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = app.state.services.store
        _first_snapshot(store)
        yield
        store.close()

    app = FastAPI(title="csc-scorecard", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    templates = Jinja2Templates(env=template_environment())
    app.state.services = Services(
        settings=settings,
        state=StateStore(settings.state_path),
        store=StoreGateway(settings.db, settings.snapshot_dir),
        scorecards=Scorecards(settings.targets),
        templates=templates,
    )
    services = app.state.services
    services.store.on_new_loads.append(
        lambda snapshot: services.scorecards.build_first_page(snapshot, settings.la_code)
    )
    if not (STATIC / "app.css").exists():
        log.warning("front-end assets are not built: run `python -m csc_scorecard.web.assets build`")
    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    for module in (auth_routes, pages, board, teams, analyst, notes, measures, admin):
        app.include_router(module.router)
    if (
        settings.oidc is not None
    ):  # Authlib keeps the OIDC state and nonce in a signed cookie for the round trip
        from starlette.middleware.sessions import SessionMiddleware

        secret = settings.secret_key or secrets.token_urlsafe(32)
        app.add_middleware(
            SessionMiddleware, secret_key=secret, session_cookie="csc_oidc_state", max_age=600,
            same_site="lax", https_only=settings.https,
        )  # fmt: skip
    app.add_middleware(SecurityHeaders, https=settings.https, max_upload_mb=settings.max_upload_mb)
    app.add_middleware(ForwardedHeaders, trusted_proxies=settings.trusted_proxies)  # outermost: runs first
    _error_pages(app)

    return app


def _first_snapshot(store: StoreGateway) -> None:
    """Take the first snapshot as the server starts rather than on the first request (the loads it finds are
    worked on ahead: StoreGateway.on_new_loads)."""
    try:
        store.refresh()
    except (StoreMissing, StoreBusy) as error:  # the first request says so, on its page
        log.info("no snapshot at start: %s", error)
    except Exception:  # nor does anything else stop the server starting: the first request tries again
        log.exception("the first snapshot of the store failed")


def _error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _: LoginRequired) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": login_url(request)})
        return RedirectResponse(login_url(request), status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, error: Forbidden) -> Response:
        return render(
            request, "error.html", {"title": "You cannot see this page", "message": str(error)}, status=403
        )

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, _: CsrfFailed) -> Response:
        message = (
            "The form had expired or did not come from this site. Go back, reload the page and try again."
        )
        return render(
            request, "error.html", {"title": "The form could not be sent", "message": message}, status=403
        )

    @app.exception_handler(StoreMissing)
    async def _missing(request: Request, error: StoreMissing) -> Response:
        return render(request, "error.html", {"title": "No data yet", "message": str(error)}, status=503)

    @app.exception_handler(ScopeError)
    async def _scope(request: Request, error: ScopeError) -> Response:
        return render(request, "error.html", {"title": "Nothing to show", "message": str(error)}, status=404)

    @app.exception_handler(StoreBusy)
    async def _busy(request: Request, error: StoreBusy) -> Response:
        return render(
            request, "error.html", {"title": "The data is being updated", "message": str(error)}, status=503
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        fields = ", ".join(str(e["loc"][-1]) for e in error.errors())
        return render(
            request,
            "error.html",
            {"title": "Something in the address is not right", "message": f"Check: {fields}."},
            status=400,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        if current_session(request) is None and error.status_code == 404:
            return RedirectResponse(login_url(request), status_code=303)  # say nothing about what exists
        titles = {404: "Page not found", 405: "Not allowed", 413: "The file is too large"}
        title = titles.get(error.status_code, "Something went wrong")
        return render(
            request, "error.html", {"title": title, "message": error.detail}, status=error.status_code
        )
