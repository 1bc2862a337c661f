"""The dashboard's settings: defaults, then a TOML file's `[web]` table, then environment variables, then
arguments (the CLI's options). Every setting is documented in docs/web.md (a test checks)."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from ..store.connection import DEFAULT_DB
from .proxies import networks


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class OidcSettings:
    """Sign-in through an OpenID Connect provider (e.g. Microsoft Entra ID), beside or instead of passwords.

    The user's role comes from the `role_claim` claim of the ID token (Entra app roles arrive in `roles`):
    a value listed in admin_values makes an admin, and so on; with none of them the user gets `default_role`,
    and with no default role the sign-in is refused.
    """

    metadata_url: str  # https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration
    client_id: str
    client_secret: str
    role_claim: str = "roles"
    admin_values: tuple[str, ...] = ("CSC.Admin",)
    analyst_values: tuple[str, ...] = ("CSC.Analyst",)
    viewer_values: tuple[str, ...] = ("CSC.Viewer",)
    default_role: str | None = None
    button_text: str = "Sign in with your council account"

    def role_for(self, claims: Mapping[str, Any]) -> str | None:
        """The highest role the claims grant, else the default role (None: refuse the sign-in)."""
        raw = claims.get(self.role_claim) or []
        values = {raw} if isinstance(raw, str) else set(raw)
        for role, granted in (
            ("admin", self.admin_values),
            ("analyst", self.analyst_values),
            ("viewer", self.viewer_values),
        ):
            if values & set(granted):
                return role
        return self.default_role


@dataclass(frozen=True)
class WebSettings:
    db: Path = DEFAULT_DB
    state: Path | None = None  # None: <db stem>.web.sqlite beside the store
    snapshot_dir: Path | None = None  # None: a private temporary folder per server process
    la_code: str | None = None  # None: the LA loaded (the first, when the store holds several)
    targets: Path | None = None
    report_config: Path | None = None  # the report pack's cover texts (docs/report.md)
    https: bool = False  # behind TLS: Secure cookies and Strict-Transport-Security
    session_hours: float = 8.0  # a session ends this long after sign-in
    idle_minutes: float = 60.0  # ... or after this long without a request
    login_max_failures: int = 5  # failed sign-ins per user name (and per address) ...
    login_window_minutes: float = 15.0  # ... within this window, before sign-in is refused for the window
    trusted_proxies: tuple[str, ...] = ()  # addresses or networks whose X-Forwarded-* headers are believed
    max_upload_mb: int = 200
    write_timeout_seconds: float = 30.0  # how long an upload or edit waits for the CLI to release the store
    secret_key: str | None = None  # signs the OIDC state cookie; None: random per process
    oidc: OidcSettings | None = None

    @property
    def state_path(self) -> Path:
        return self.state or self.db.with_name(f"{self.db.stem}.web.sqlite")


ENV = {  # environment variable -> setting
    "CSC_SCORECARD_DB": "db",
    "CSC_SCORECARD_WEB_STATE": "state",
    "CSC_SCORECARD_WEB_SNAPSHOTS": "snapshot_dir",
    "CSC_SCORECARD_LA": "la_code",
    "CSC_SCORECARD_TARGETS": "targets",
    "CSC_SCORECARD_REPORT_CONFIG": "report_config",
    "CSC_SCORECARD_WEB_HTTPS": "https",
    "CSC_SCORECARD_WEB_SESSION_HOURS": "session_hours",
    "CSC_SCORECARD_WEB_IDLE_MINUTES": "idle_minutes",
    "CSC_SCORECARD_WEB_LOGIN_MAX_FAILURES": "login_max_failures",
    "CSC_SCORECARD_WEB_LOGIN_WINDOW_MINUTES": "login_window_minutes",
    "CSC_SCORECARD_WEB_TRUSTED_PROXIES": "trusted_proxies",
    "CSC_SCORECARD_WEB_MAX_UPLOAD_MB": "max_upload_mb",
    "CSC_SCORECARD_WEB_WRITE_TIMEOUT": "write_timeout_seconds",
    "CSC_SCORECARD_WEB_SECRET": "secret_key",
}
OIDC_ENV = {
    "CSC_SCORECARD_OIDC_METADATA_URL": "metadata_url",
    "CSC_SCORECARD_OIDC_CLIENT_ID": "client_id",
    "CSC_SCORECARD_OIDC_CLIENT_SECRET": "client_secret",
    "CSC_SCORECARD_OIDC_ROLE_CLAIM": "role_claim",
    "CSC_SCORECARD_OIDC_ADMIN_VALUES": "admin_values",
    "CSC_SCORECARD_OIDC_ANALYST_VALUES": "analyst_values",
    "CSC_SCORECARD_OIDC_VIEWER_VALUES": "viewer_values",
    "CSC_SCORECARD_OIDC_DEFAULT_ROLE": "default_role",
    "CSC_SCORECARD_OIDC_BUTTON_TEXT": "button_text",
}


def _convert(cls: type, name: str, value: Any, origin: str) -> Any:
    """A raw TOML or environment value as the field's type, or a SettingsError naming where it came from."""
    kind = {f.name: f.type for f in fields(cls)}[name]
    try:
        if value is None or (isinstance(value, str) and value == "" and "None" in str(kind)):
            return None
        if "Path" in str(kind):
            return Path(value)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("1", "true", "yes", "on"):
                return True
            if str(value).lower() in ("0", "false", "no", "off", ""):
                return False
            raise ValueError("expected true or false")
        if kind == "float":
            return float(value)
        if kind == "int":
            return int(value)
        if "tuple" in str(kind):
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(str(v).strip() for v in items if str(v).strip())
        return str(value)
    except (TypeError, ValueError) as error:
        raise SettingsError(f"{origin}: {name} = {value!r}: {error}") from None


def _oidc(values: Mapping[str, Any], origin: str) -> OidcSettings | None:
    if not values:
        return None
    missing = [k for k in ("metadata_url", "client_id", "client_secret") if not values.get(k)]
    if missing:
        raise SettingsError(f"{origin}: OIDC needs {', '.join(missing)} as well")
    unknown = set(values) - {f.name for f in fields(OidcSettings)}
    if unknown:
        raise SettingsError(f"{origin}: unknown OIDC setting(s) {', '.join(sorted(unknown))}")
    oidc = OidcSettings(**{k: _convert(OidcSettings, k, v, origin) for k, v in values.items()})
    if oidc.default_role not in (None, "viewer", "analyst", "admin"):
        raise SettingsError(f"{origin}: default_role {oidc.default_role!r}: viewer, analyst, admin or empty")
    return oidc


def load_settings(
    file: Path | None = None, *, env: Mapping[str, str] | None = None, **overrides: Any
) -> WebSettings:
    """Settings from a TOML file's [web] table (and [web.oidc]), the environment, then `overrides`
    (None values in overrides are ignored, so CLI options left unset do not hide the environment)."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    oidc_values: dict[str, Any] = {}
    if file is not None:
        try:
            table = tomllib.loads(Path(file).read_text(encoding="utf-8")).get("web", {})
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise SettingsError(f"{file}: {error}") from None
        oidc_values.update(table.pop("oidc", {}))
        unknown = set(table) - {f.name for f in fields(WebSettings)}
        if unknown:
            raise SettingsError(f"{file}: unknown setting(s) in [web]: {', '.join(sorted(unknown))}")
        values.update({k: _convert(WebSettings, k, v, str(file)) for k, v in table.items()})
    for var, name in ENV.items():
        if var in env:
            values[name] = _convert(WebSettings, name, env[var], var)
    for var, name in OIDC_ENV.items():
        if var in env:
            oidc_values[name] = env[var]
    for name, value in overrides.items():
        if value is not None:
            values[name] = value
    settings = replace(WebSettings(), **values)
    settings = replace(settings, oidc=_oidc(oidc_values, str(file) if file else "environment"))
    if settings.la_code is not None and not (settings.la_code.isdigit() and len(settings.la_code) == 3):
        raise SettingsError(f"la_code {settings.la_code!r}: a 3-digit DfE LA code")
    try:
        networks(settings.trusted_proxies)
    except ValueError as error:
        raise SettingsError(f"trusted_proxies: {error}") from None
    return settings


SETTING_NAMES: tuple[str, ...] = tuple(f.name for f in fields(WebSettings))
OIDC_SETTING_NAMES: tuple[str, ...] = tuple(f.name for f in fields(OidcSettings))
__all__ = ["ENV", "OIDC_ENV", "OidcSettings", "SettingsError", "WebSettings", "load_settings"]
