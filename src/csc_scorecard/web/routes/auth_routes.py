"""Signing in and out (local accounts and, when configured, OIDC), and changing one's own password."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from ..auth import (
    LOGIN_CSRF_COOKIE,
    Throttle,
    client_address,
    current_session,
    login_redirect_target,
    require,
    session_cookie_name,
)
from ..rendering import Services, render
from ..state import Session, StateError, User

router = APIRouter()


def _services(request: Request) -> Services:
    return request.app.state.services


def _throttle(services: Services) -> Throttle:
    s = services.settings
    return Throttle(services.state, s.login_max_failures, s.login_window_minutes * 60)


def start_session(services: Services, user: User, response: Response) -> None:
    token, _ = services.state.create_session(user.username, hours=services.settings.session_hours)
    response.set_cookie(
        session_cookie_name(services.settings),
        token,
        max_age=int(services.settings.session_hours * 3600),
        path="/",
        secure=services.settings.https,
        httponly=True,
        samesite="strict",
    )


@router.get("/healthz", include_in_schema=False)
def healthz() -> PlainTextResponse:
    return PlainTextResponse("ok")


def _login_page(
    request: Request, *, error: str | None = None, username: str = "", status: int = 200
) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html",
        {
            "login_csrf": token,
            "error": error,
            "username": username,
            "next": request.query_params.get("next", ""),
        },
        status=status,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=_services(request).settings.https,
    )
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    if current_session(request) is not None:
        return RedirectResponse(login_redirect_target(request.query_params.get("next")), status_code=303)
    return _login_page(request)


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    services = _services(request)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, csrf_token):
        return _login_page(request, error="The sign-in form had expired. Please try again.", status=403)
    client = client_address(request)
    throttle = _throttle(services)
    if throttle.blocked(username, client):
        services.state.log(username.strip().lower()[:64] or "-", "sign_in_throttled", client=client)
        minutes = int(services.settings.login_window_minutes)
        error = f"Too many failed sign-ins. Wait {minutes} minutes and try again, or ask an admin to reset your password."
        return _login_page(request, error=error, username=username, status=429)
    user = services.state.verify_password(username, password) if username and password else None
    if user is None:
        throttle.failed(username, client)
        services.state.log(username.strip().lower()[:64] or "-", "sign_in_failed", client=client)
        return _login_page(
            request, error="The user name or password is not right.", username=username, status=401
        )
    throttle.succeeded(username, client)
    services.state.log(user, "sign_in", client=client)
    response = RedirectResponse(login_redirect_target(next), status_code=303)
    start_session(services, user, response)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, session: Annotated[Session, Depends(require("viewer"))]) -> Response:
    services = _services(request)
    services.state.end_session(request.cookies.get(session_cookie_name(services.settings)))
    services.state.log(session.user, "sign_out", client=client_address(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(session_cookie_name(services.settings), path="/")
    return response


@router.get("/account")
def account(request: Request, session: Annotated[Session, Depends(require("viewer"))]) -> Response:
    return render(request, "account.html", {"saved": request.query_params.get("saved")})


@router.post("/account/password")
def change_password(
    request: Request,
    session: Annotated[Session, Depends(require("viewer"))],
    current: Annotated[str, Form()] = "",
    new: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    services = _services(request)
    client, name = client_address(request), session.user.username
    throttle = _throttle(services)
    if throttle.blocked(name, client):  # guessing the password through this form is throttled like sign-in
        services.state.log(session.user, "password_change_throttled", client=client)
        minutes = int(services.settings.login_window_minutes)
        error = f"Too many wrong passwords. Wait {minutes} minutes and try again, or ask an admin to reset it"
        return render(request, "account.html", {"errors": {"current": error}}, status=429)
    errors: dict[str, str] = {}
    if services.state.verify_password(name, current) is None:
        throttle.failed(name, client)
        services.state.log(session.user, "password_change_failed", client=client)
        errors["current"] = "Your current password is not right"
    elif new != confirm:
        errors["confirm"] = "The new passwords do not match"
    else:
        throttle.succeeded(name, client)
        try:
            services.state.set_password(name, new)
        except StateError as error:
            errors["new"] = _sentence(str(error))
    if errors:
        return render(request, "account.html", {"errors": errors}, status=400)
    services.state.log(session.user, "password_changed", client=client_address(request))
    response = RedirectResponse("/login", status_code=303)  # every session ended with the change
    response.delete_cookie(session_cookie_name(services.settings), path="/")
    return response


# --- OIDC (e.g. Microsoft Entra ID), only when configured ---------------------------------------------------


def _oauth(request: Request):
    services = _services(request)
    oidc = services.settings.oidc
    if oidc is None:
        return None
    client = getattr(request.app.state, "oidc_client", None)
    if client is None:
        from authlib.integrations.starlette_client import OAuth  # optional extra: csc-scorecard[oidc]

        oauth = OAuth()
        oauth.register(
            "oidc",
            server_metadata_url=oidc.metadata_url,
            client_id=oidc.client_id,
            client_secret=oidc.client_secret,
            client_kwargs={"scope": "openid email profile"},
        )
        client = request.app.state.oidc_client = oauth.oidc
    return client


@router.get("/login/oidc")
async def oidc_start(request: Request) -> Response:
    client = _oauth(request)
    if client is None:
        return render(request, "error.html", {"title": "Page not found", "message": ""}, status=404)
    return await client.authorize_redirect(request, str(request.url_for("oidc_callback")))


@router.get("/login/oidc/callback", name="oidc_callback")
async def oidc_callback(request: Request) -> Response:
    client = _oauth(request)
    if client is None:
        return render(request, "error.html", {"title": "Page not found", "message": ""}, status=404)
    services = _services(request)
    from authlib.integrations.base_client import OAuthError

    try:
        token = await client.authorize_access_token(request)
    except OAuthError as error:
        return render(
            request, "error.html", {"title": "Sign-in failed", "message": error.description or ""}, status=401
        )
    claims = token.get("userinfo") or {}
    role = services.settings.oidc.role_for(claims)
    name = claims.get("preferred_username") or claims.get("email") or claims.get("sub", "")
    if role is None:
        services.state.log(str(name)[:64] or "-", "sign_in_refused", detail="no role granted by the provider")
        message = "Your account has no role for this dashboard. Ask your administrator to assign one."
        return render(request, "error.html", {"title": "You cannot sign in", "message": message}, status=403)
    try:
        user = services.state.oidc_user(str(claims["sub"]), str(name), claims.get("name"), role)
    except StateError as error:
        return render(
            request, "error.html", {"title": "You cannot sign in", "message": str(error)}, status=403
        )
    services.state.log(user, "sign_in", detail="oidc", client=client_address(request))
    # A page, not a redirect: after a cross-site redirect from the provider a browser would not send the
    # SameSite=Strict cookie with the next request; a same-site navigation from this page does.
    response: Response = HTMLResponse(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=/">'
        '<title>Signed in</title></head><body><p><a href="/">Continue to the scorecard</a></p></body></html>'
    )
    start_session(services, user, response)
    return response


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
