"""User administration and the access log (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from ..auth import client_address, require
from ..rendering import render
from ..state import ROLES, Session, StateError
from .common import services

router = APIRouter(prefix="/admin")
Admin = Annotated[Session, Depends(require("admin"))]
ACTIONS = (
    "drill_through", "upload", "upload_rejected", "commentary_saved", "action_added", "action_updated",
    "report_download", "report_refused", "sign_in", "sign_in_failed", "sign_in_throttled", "sign_in_refused",
    "sign_out", "password_changed", "password_change_failed", "password_change_throttled", "user_created",
    "user_updated", "password_reset", "area_note_added", "area_note_removed",
)  # fmt: skip


def _users_page(
    request: Request, *, errors: dict[str, str] | None = None, form: dict | None = None, status: int = 200
) -> Response:
    context = {
        "users": services(request).state.users(),
        "roles": ROLES,
        "errors": errors or {},
        "form": form or {},
        "saved": request.query_params.get("saved"),
    }
    return render(request, "users.html", context, status=status)


@router.get("/users")
def users(request: Request, session: Admin) -> Response:
    return _users_page(request)


@router.post("/users")
def create_user(
    request: Request,
    session: Admin,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    role: Annotated[str, Form()] = "viewer",
) -> Response:
    try:
        user = services(request).state.create_user(username, password, role)
    except StateError as error:
        field = "password" if "password" in str(error) else "role" if "role" in str(error) else "username"
        return _users_page(
            request,
            errors={field: _sentence(str(error))},
            form={"username": username, "role": role},
            status=400,
        )
    services(request).state.log(
        session.user, "user_created", detail=f"{user.username} as {user.role}", client=client_address(request)
    )
    return RedirectResponse("/admin/users?saved=created", status_code=303)


@router.post("/users/{username}")
def update_user(
    request: Request,
    session: Admin,
    username: str,
    role: Annotated[str | None, Form()] = None,
    disabled: Annotated[str | None, Form(pattern="^(yes|no)$")] = None,
    password: Annotated[str | None, Form(max_length=256)] = None,
) -> Response:
    """Change a role, enable or disable an account, or set a new password (ending the user's sessions)."""
    state = services(request).state
    try:
        if password:
            state.set_password(username, password)
            detail = f"{username}: password reset"
            action = "password_reset"
        else:
            user = state.update_user(
                username, role=role or None, disabled=None if disabled is None else disabled == "yes"
            )
            detail = f"{user.username}: role {user.role}, {'disabled' if user.disabled else 'enabled'}"
            action = "user_updated"
    except StateError as error:
        return _users_page(request, errors={f"user-{username}": _sentence(str(error))}, status=400)
    state.log(session.user, action, detail=detail, client=client_address(request))
    return RedirectResponse("/admin/users?saved=updated", status_code=303)


@router.get("/access-log")
def access_log(
    request: Request,
    session: Admin,
    action: Annotated[str | None, Query(max_length=40)] = None,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    chosen = action if action in ACTIONS else None
    entries = services(request).state.access_log(limit=100, action=chosen, before_id=before)
    return render(request, "access_log.html", {"entries": entries, "actions": ACTIONS, "action": chosen})


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
