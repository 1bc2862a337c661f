"""Who may do what: session cookies, roles checked by a dependency on every route, CSRF on every state-changing
request, sign-in throttling, and the security headers every response carries.

- The session cookie holds a random token (its SHA-256 is stored in the state file): HttpOnly, SameSite=Strict,
  Secure and `__Host-` prefixed behind TLS. Sessions end at sign-out, after `session_hours`, after
  `idle_minutes` without a request, or at once when the user is disabled, demoted or given a new password.
- CSRF: every POST must carry the session's token (form field `csrf_token` or header `X-CSRF-Token`; HTMX
  sends the header from the body's hx-headers). The sign-in form, which has no session yet, uses a
  double-submit cookie. On top of that a POST whose Origin names another site, or whose Sec-Fetch-Site says
  cross-site, is refused before any handler runs.
- Throttling: after `login_max_failures` failed sign-ins (or password changes) for an account from one address
  within `login_window_minutes`, that account is refused from that address for the rest of the window,
  password right or wrong; colleagues behind the same address carry on, and so does the account elsewhere.
  Guessing wider is stopped too: an account that fails four times as often from all addresses together is
  refused everywhere, and an address from which four times as many different existing accounts failed is
  refused for every account (mistyped names that are no account do not count, so one person's typos cannot
  lock out an office).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..config import WebSettings
from .state import Session, StateStore

LOGIN_CSRF_COOKIE = "csc_login_csrf"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# Charts are SVG documents: nothing in them may run or load anything.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def session_cookie_name(settings: WebSettings) -> str:
    return "__Host-csc_session" if settings.https else "csc_session"


class LoginRequired(Exception):
    """No live session: send the browser to the sign-in page."""


class Forbidden(Exception):
    """Signed in, but the role does not allow this."""

    def __init__(self, message: str = "Your role does not allow this page."):
        super().__init__(message)


class CsrfFailed(Exception):
    pass


@dataclass(frozen=True)
class Throttle:
    state: StateStore
    max_failures: int
    window_seconds: float
    wider: int = 4  # an account from all addresses, or an address for all accounts, gets this many times more

    def blocked(self, username: str, client: str) -> bool:
        f = self.state.recent_failures(username, client, self.window_seconds)
        return (
            f.account_at_address >= self.max_failures
            or f.account >= self.wider * self.max_failures
            or f.accounts_from_address >= self.wider * self.max_failures
        )

    def failed(self, username: str, client: str) -> None:
        self.state.record_failure(username, client)

    def succeeded(self, username: str, client: str) -> None:
        self.state.clear_failures(username, client)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def current_session(request: Request) -> Session | None:
    """The request's session, looked up once per request."""
    if "session" not in request.scope.setdefault("csc", {}):
        services = request.app.state.services
        token = request.cookies.get(session_cookie_name(services.settings))
        request.scope["csc"]["session"] = services.state.session(
            token, idle_minutes=services.settings.idle_minutes
        )
    return request.scope["csc"]["session"]


def require(role: str) -> Callable[[Request], Awaitable[Session]]:
    """A FastAPI dependency: the session of a user with `role` or higher, else LoginRequired / Forbidden.
    For unsafe methods it also checks the CSRF token."""

    async def dependency(request: Request) -> Session:
        session = current_session(request)
        if session is None:
            raise LoginRequired()
        if not session.user.can(role):
            raise Forbidden()
        if request.method in UNSAFE_METHODS:
            await check_csrf(request, session.csrf_token)
        return session

    dependency.__name__ = f"require_{role}"
    return dependency


async def check_csrf(request: Request, expected: str) -> None:
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()  # Starlette caches it, so the handler reads the same form
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not secrets.compare_digest(sent, expected):
        raise CsrfFailed()


def login_redirect_target(path: str | None) -> str:
    """A local path to return to after signing in (never another site)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    parts = urlsplit(path)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login" if target == "/" else f"/login?next={quote(target, safe='')}"


def same_origin(origin: str, hosts: list[str | None]) -> bool:
    """Whether a request's Origin names this site: the Host header, or the X-Forwarded-Host a TLS proxy sets
    when it passes a different Host on."""
    netloc = urlsplit(origin).netloc
    return any(host and netloc == host for host in hosts)


class SecurityHeaders:
    """Pure ASGI middleware: headers on every response; cross-site unsafe requests refused outright."""

    def __init__(self, app: ASGIApp, *, https: bool, max_upload_mb: int = 200):
        self.app = app
        self.https = https
        self.max_upload = max_upload_mb * 1024 * 1024

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        if scope["method"] in UNSAFE_METHODS:
            origin, site = headers.get("origin"), headers.get("sec-fetch-site")
            hosts = [headers.get("host"), headers.get("x-forwarded-host")]
            if (origin and origin != "null" and not same_origin(origin, hosts)) or site == "cross-site":
                await _plain(send, 403, b"Cross-site request refused.")
                return
            # Refuse an over-large body before anything parses it: uploads up to the setting, forms 1 MB.
            limit = self.max_upload if scope["path"] == "/upload" else 1024 * 1024
            length = headers.get("content-length")
            if length is None or not length.isdigit() or int(length) > limit:
                status = 411 if length is None else 413
                await _plain(
                    send, status, b"Length required." if status == 411 else b"The request is too large."
                )
                return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                h = MutableHeaders(scope=message)
                svg = h.get("content-type", "").startswith("image/svg")
                h.setdefault("Content-Security-Policy", SVG_CSP if svg else CSP)
                h["X-Content-Type-Options"] = "nosniff"
                h["Referrer-Policy"] = "same-origin"
                h["X-Frame-Options"] = "DENY"
                h["Cross-Origin-Opener-Policy"] = "same-origin"
                h["Cross-Origin-Resource-Policy"] = "same-origin"
                h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
                if self.https:
                    h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
                if not static:  # pages and charts differ by role and hold figures: never kept by a cache
                    h["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _plain(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-security-policy", CSP.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
