"""What every route needs and the app provides: the shared services and rendering a page with its template.

Routes import this module, and app.py imports the routes, so the dependency runs one way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, select_autoescape
from starlette.templating import Jinja2Templates

from ..config import WebSettings
from ..publish.model import period_labels
from .auth import current_session
from .scorecards import Scorecards
from .snapshot import StoreGateway
from .state import StateStore

HERE = Path(__file__).parent
STATIC = HERE / "static"


@dataclass
class Services:
    settings: WebSettings
    state: StateStore
    store: StoreGateway
    scorecards: Scorecards
    templates: Jinja2Templates


def template_environment() -> Environment:
    loader = ChoiceLoader(
        [
            FileSystemLoader(HERE / "templates"),
            # govuk-frontend-jinja's templates import one another by this prefix; a plain PackageLoader fails.
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    env = Environment(
        loader=loader, autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True
    )
    env.globals["static_version"] = _static_version()
    env.filters["period_label"] = lambda period: period_labels(period)[0]
    env.filters["slug"] = lambda text: re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    env.filters["regex_drop_start"] = lambda query: re.sub(r"&?start=\d*", "", query).lstrip("&")
    env.filters["role_item"] = lambda role, selected: {
        "value": role,
        "text": role,
        "selected": role == selected,
    }
    return env


def _static_version() -> str:
    stamp = STATIC / "build.txt"
    return stamp.read_text(encoding="utf-8").strip() if stamp.exists() else "unbuilt"


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HTMLResponse:
    services: Services = request.app.state.services
    session = current_session(request)
    base = {
        "request": request,
        "session": session,
        "user": session.user if session else None,
        "csrf_token": session.csrf_token if session else None,
        "path": request.url.path,
        "settings": services.settings,
        "oidc": services.settings.oidc is not None,
    }
    return services.templates.TemplateResponse(request, name, {**base, **(context or {})}, status_code=status)
