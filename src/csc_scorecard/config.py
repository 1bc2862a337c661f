"""Settings, in one place: defaults, then a TOML settings file, then the environment, then command-line options.

The file is named by `--settings FILE` (any command) or CSC_SCORECARD_SETTINGS. Its tables:

    [store]      db                      the DuckDB store
    [scorecard]  la, targets, report_config
    [spark]      master, workdir, shuffle_partitions, driver_memory
    [web]        the dashboard's own settings, and [web.oidc] for single sign-on

Every setting, its table, its environment variable and its default are listed in docs/settings.md, generated
from SETTINGS below (`python -m csc_scorecard.config > docs/settings.md`; a test fails when it is stale).
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

SETTINGS_ENV = "CSC_SCORECARD_SETTINGS"


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
    """What the dashboard runs with: the shared settings it needs (store, LA, targets, report texts), filled
    from [store] and [scorecard], and its own from [web]."""

    db: Path = Path("scorecard.duckdb")
    la_code: str | None = None  # None: the LA loaded (the first, when the store holds several)
    targets: Path | None = None
    report_config: Path | None = None  # the report pack's cover texts (docs/report.md)
    state: Path | None = None  # None: <db stem>.web.sqlite beside the store
    snapshot_dir: Path | None = None  # None: a private temporary folder per server process
    https: bool = False  # behind TLS: Secure cookies and Strict-Transport-Security
    session_hours: float = 8.0  # a session ends this long after sign-in
    idle_minutes: float = 60.0  # ... or after this long without a request
    login_max_failures: int = 5  # failed sign-ins per user name (and per address) ...
    login_window_minutes: float = 15.0  # ... within this window, before sign-in is refused for the window
    trusted_proxies: tuple[str, ...] = ()  # addresses or networks whose X-Forwarded-* headers are believed
    max_upload_mb: int = 200
    write_timeout_seconds: float = 30.0  # how long an upload or edit waits for the CLI to release the store
    secret_key: str | None = None  # signs the OIDC state cookie; None: random per process
    board_landing: tuple[str, ...] = ()  # roles whose landing page is the monthly board (what changed)
    oidc: OidcSettings | None = None

    @property
    def state_path(self) -> Path:
        return self.state or self.db.with_name(f"{self.db.stem}.web.sqlite")


@dataclass(frozen=True)
class SparkSettings:
    master: str = "local[2]"  # spark://host:7077 for a cluster
    workdir: Path | None = None  # None: a fresh temporary folder per adapter
    shuffle_partitions: int = 8  # Spark's 200 suit a cluster, not a laptop
    driver_memory: str | None = None  # None: Spark's default (1g); local mode runs everything in the driver
    app_name: str = "csc-scorecard"
    extra_conf: dict[str, str] = field(default_factory=dict)


def _default_cache_dir() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME")
    try:
        return Path(base or Path.home() / ".cache") / "csc-scorecard"
    except RuntimeError:  # no home folder to be found: nothing kept
        return None


@dataclass(frozen=True)
class Settings:
    db: Path = Path("scorecard.duckdb")
    lock_timeout_seconds: float = 60.0  # how long a command waits while another program writes to the store
    la_code: str | None = None
    targets: Path | None = None
    report_config: Path | None = None
    cache_dir: Path | None = field(default_factory=_default_cache_dir)  # None: nothing kept (disk_cache.py)
    spark: SparkSettings = field(default_factory=SparkSettings)
    web: WebSettings = field(default_factory=WebSettings)


@dataclass(frozen=True)
class Setting:
    """One documented setting: where it lives in the file, its environment variable, what it means."""

    table: str  # store, scorecard, spark, web, web.oidc
    name: str  # the key in the table
    env: str
    target: tuple[str, str]  # (section of Settings: "" top level, "spark", "web", "oidc"; field name)
    default: str
    meaning: str


ROLE_NAMES = ("viewer", "manager", "analyst", "admin")  # the dashboard's roles (web/state.py ROLES)

SETTINGS: tuple[Setting, ...] = (
    Setting("store", "db", "CSC_SCORECARD_DB", ("", "db"), "`scorecard.duckdb`", "the store (a DuckDB file)"),
    Setting("store", "lock_timeout_seconds", "CSC_SCORECARD_LOCK_TIMEOUT", ("", "lock_timeout_seconds"), "60",
            "how long a command waits, saying so, while another program writes to the store (a load, the "
            "dashboard saving an upload) before it gives up"),
    Setting("store", "cache_dir", "CSC_SCORECARD_CACHE_DIR", ("", "cache_dir"),
            "`$XDG_CACHE_HOME/csc-scorecard` or `~/.cache/csc-scorecard`",
            "the checked catalogue and built queries, kept between commands (no child's data); empty: none"),
    Setting("scorecard", "la", "CSC_SCORECARD_LA", ("", "la_code"), "the LA loaded, when there is one",
            "the LA a scorecard, pack or page is for"),
    Setting("scorecard", "targets", "CSC_SCORECARD_TARGETS", ("", "targets"), "none (nothing rated)",
            "targets TOML for RAG (docs/targets.md)"),
    Setting("scorecard", "report_config", "CSC_SCORECARD_REPORT_CONFIG", ("", "report_config"), "built-in texts",
            "the report pack's cover texts (docs/report.md)"),
    Setting("spark", "master", "CSC_SCORECARD_SPARK_MASTER", ("spark", "master"), "`local[2]`",
            "the Spark master URL, e.g. `spark://host:7077` for a cluster"),
    Setting("spark", "workdir", "CSC_SCORECARD_SPARK_WORKDIR", ("spark", "workdir"), "a temporary folder",
            "where the Parquet exports go; on a cluster, a path every executor can read"),
    Setting("spark", "shuffle_partitions", "CSC_SCORECARD_SPARK_SHUFFLE_PARTITIONS",
            ("spark", "shuffle_partitions"), "8", "`spark.sql.shuffle.partitions`"),
    Setting("spark", "driver_memory", "CSC_SCORECARD_SPARK_DRIVER_MEMORY", ("spark", "driver_memory"),
            "Spark's (1g)", "`spark.driver.memory`; give a national run in local mode 4g"),
    Setting("web", "state", "CSC_SCORECARD_WEB_STATE", ("web", "state"), "`<store>.web.sqlite` beside the store",
            "users, sessions, throttling, access log"),
    Setting("web", "snapshot_dir", "CSC_SCORECARD_WEB_SNAPSHOTS", ("web", "snapshot_dir"),
            "a temporary folder per process", "where snapshots of the store are kept"),
    Setting("web", "https", "CSC_SCORECARD_WEB_HTTPS", ("web", "https"), "false",
            "behind TLS: Secure cookies and HSTS"),
    Setting("web", "session_hours", "CSC_SCORECARD_WEB_SESSION_HOURS", ("web", "session_hours"), "8",
            "a session's longest life"),
    Setting("web", "idle_minutes", "CSC_SCORECARD_WEB_IDLE_MINUTES", ("web", "idle_minutes"), "60",
            "a session ends after this long unused"),
    Setting("web", "login_max_failures", "CSC_SCORECARD_WEB_LOGIN_MAX_FAILURES", ("web", "login_max_failures"),
            "5", "failed sign-ins per name before it is refused"),
    Setting("web", "login_window_minutes", "CSC_SCORECARD_WEB_LOGIN_WINDOW_MINUTES",
            ("web", "login_window_minutes"), "15", "... within this window, and for it"),
    Setting("web", "trusted_proxies", "CSC_SCORECARD_WEB_TRUSTED_PROXIES", ("web", "trusted_proxies"), "none",
            "proxies (addresses or networks, comma-separated in the environment) whose `X-Forwarded-*` headers "
            "are believed"),
    Setting("web", "max_upload_mb", "CSC_SCORECARD_WEB_MAX_UPLOAD_MB", ("web", "max_upload_mb"), "200",
            "the largest upload"),
    Setting("web", "write_timeout_seconds", "CSC_SCORECARD_WEB_WRITE_TIMEOUT", ("web", "write_timeout_seconds"),
            "30", "how long an edit or upload waits for the store"),
    Setting("web", "secret_key", "CSC_SCORECARD_WEB_SECRET", ("web", "secret_key"), "random per process",
            "signs the OIDC round-trip cookie"),
    Setting("web", "board_landing", "CSC_SCORECARD_WEB_BOARD_LANDING", ("web", "board_landing"),
            "none (the scorecard)", "roles (viewer, manager, analyst, admin; comma-separated in the environment) whose "
            "landing page is the monthly board: what changed since last month"),
    Setting("web.oidc", "metadata_url", "CSC_SCORECARD_OIDC_METADATA_URL", ("oidc", "metadata_url"), "required",
            "the provider's `.well-known/openid-configuration`"),
    Setting("web.oidc", "client_id", "CSC_SCORECARD_OIDC_CLIENT_ID", ("oidc", "client_id"), "required", ""),
    Setting("web.oidc", "client_secret", "CSC_SCORECARD_OIDC_CLIENT_SECRET", ("oidc", "client_secret"),
            "required", ""),
    Setting("web.oidc", "role_claim", "CSC_SCORECARD_OIDC_ROLE_CLAIM", ("oidc", "role_claim"), "`roles`",
            "the ID-token claim holding roles or groups"),
    Setting("web.oidc", "admin_values", "CSC_SCORECARD_OIDC_ADMIN_VALUES", ("oidc", "admin_values"),
            "`CSC.Admin`", "claim values that make an admin (comma-separated in the environment)"),
    Setting("web.oidc", "analyst_values", "CSC_SCORECARD_OIDC_ANALYST_VALUES", ("oidc", "analyst_values"),
            "`CSC.Analyst`", "... an analyst"),
    Setting("web.oidc", "viewer_values", "CSC_SCORECARD_OIDC_VIEWER_VALUES", ("oidc", "viewer_values"),
            "`CSC.Viewer`", "... a viewer"),
    Setting("web.oidc", "default_role", "CSC_SCORECARD_OIDC_DEFAULT_ROLE", ("oidc", "default_role"),
            "none (refuse)", "the role of a user with none of those"),
    Setting("web.oidc", "button_text", "CSC_SCORECARD_OIDC_BUTTON_TEXT", ("oidc", "button_text"),
            '"Sign in with your council account"', "the link on the sign-in page"),
)  # fmt: skip
_SECTION_TYPES: dict[str, type] = {
    "": Settings,
    "spark": SparkSettings,
    "web": WebSettings,
    "oidc": OidcSettings,
}
SHARED_WITH_WEB = ("db", "la_code", "targets", "report_config")


def _convert(section: str, name: str, value: Any, origin: str) -> Any:
    """A raw TOML or environment value as the field's type, or a SettingsError naming where it came from."""
    kind = str({f.name: f.type for f in fields(_SECTION_TYPES[section])}[name])
    try:
        if value is None or (isinstance(value, str) and value == "" and "None" in kind):
            return None
        if "Path" in kind:
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
        if kind.startswith("int"):
            return int(value)
        if "tuple" in kind:
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(str(v).strip() for v in items if str(v).strip())
        return str(value)
    except (TypeError, ValueError) as error:
        raise SettingsError(f"{origin}: {name} = {value!r}: {error}") from None


def _from_file(file: Path) -> dict[tuple[str, str], tuple[Any, str]]:
    try:
        data = tomllib.loads(Path(file).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SettingsError(f"{file}: {error}") from None
    tables = {
        "store": data.pop("store", {}),
        "scorecard": data.pop("scorecard", {}),
        "spark": data.pop("spark", {}),
        "web": data.pop("web", {}),
    }
    tables["web.oidc"] = tables["web"].pop("oidc", {})
    if data:
        raise SettingsError(
            f"{file}: unknown table(s) {', '.join(sorted(data))}: use store, scorecard, spark, web"
        )
    known = {(s.table, s.name): s for s in SETTINGS}
    out = {}
    for table, values in tables.items():
        for name, value in values.items():
            setting = known.get((table, name))
            if setting is None:
                names = ", ".join(s.name for s in SETTINGS if s.table == table)
                raise SettingsError(
                    f"{file}: unknown setting {name!r} in [{table}] (settings there: {names})"
                )
            out[setting.target] = (value, str(file))
    return out


def settings_file(env: Mapping[str, str] | None = None) -> Path | None:
    value = (os.environ if env is None else env).get(SETTINGS_ENV)
    return Path(value) if value else None


def load_settings(
    file: Path | None = None, *, env: Mapping[str, str] | None = None, **overrides: Any
) -> Settings:
    """The settings from defaults, `file` (default: the one CSC_SCORECARD_SETTINGS names), the environment, then
    `overrides` by field name (db, la_code, targets, report_config, or any web field); None overrides are ignored,
    so command-line options left unset do not hide the file or the environment."""
    env = os.environ if env is None else env
    file = file or settings_file(env)
    raw: dict[tuple[str, str], tuple[Any, str]] = _from_file(file) if file else {}
    for setting in SETTINGS:
        if setting.env in env:
            raw[setting.target] = (env[setting.env], setting.env)
    values: dict[str, dict[str, Any]] = {section: {} for section in _SECTION_TYPES}
    oidc_origin = "environment"
    for (section, name), (value, origin) in raw.items():
        if section == "oidc":
            values["oidc"][name] = value  # converted below, once all are known
            oidc_origin = origin if origin == str(file) else oidc_origin
        else:
            values[section][name] = _convert(section, name, value, origin)
    web_fields = {f.name for f in fields(WebSettings)}
    for name, value in overrides.items():
        if value is None:
            continue
        section = "" if name in SHARED_WITH_WEB else "web" if name in web_fields else None
        if section is None:
            raise TypeError(f"load_settings() got an unexpected setting {name!r}")
        values[section][name] = value
    top = values[""]
    web = replace(
        WebSettings(),
        **values["web"],
        **{name: top[name] for name in SHARED_WITH_WEB if name in top},
        oidc=_oidc(values["oidc"], oidc_origin),
    )
    settings = Settings(**top, spark=replace(SparkSettings(), **values["spark"]), web=web)
    if settings.la_code is not None and not (settings.la_code.isdigit() and len(settings.la_code) == 3):
        raise SettingsError(f"la_code {settings.la_code!r}: a 3-digit DfE LA code")
    unknown = [r for r in settings.web.board_landing if r not in ROLE_NAMES]
    if unknown:
        raise SettingsError(
            f"board_landing: {', '.join(unknown)}: roles are viewer, manager, analyst and admin"
        )
    try:
        proxy_networks(settings.web.trusted_proxies)
    except ValueError as error:
        raise SettingsError(f"trusted_proxies: {error}") from None
    return settings


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def proxy_networks(trusted: Sequence[str]) -> list[Network]:
    """The trusted proxies as networks; ValueError names one that is not an address or network."""
    out = []
    for entry in trusted:
        try:
            out.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"{entry!r} is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/24)"
            ) from None
    return out


def _oidc(values: Mapping[str, Any], origin: str) -> OidcSettings | None:
    if not values:
        return None
    missing = [k for k in ("metadata_url", "client_id", "client_secret") if not values.get(k)]
    if missing:
        raise SettingsError(f"{origin}: OIDC needs {', '.join(missing)} as well")
    oidc = OidcSettings(**{k: _convert("oidc", k, v, origin) for k, v in values.items()})
    if oidc.default_role is not None and oidc.default_role not in ROLE_NAMES:
        raise SettingsError(
            f"{origin}: default_role {oidc.default_role!r}: viewer, manager, analyst, admin or empty"
        )
    return oidc


def render_markdown() -> str:
    """docs/settings.md: every setting with its table, environment variable and default."""
    lines = [
        "# Settings",
        "",
        "Generated from `src/csc_scorecard/config.py` by `python -m csc_scorecard.config > docs/settings.md`; a test",
        "fails when this file is stale.",
        "",
        "Every setting comes from, in order, its default, a TOML settings file, the environment, and the command",
        "line (a command's own option, such as `--db` or `--la`, wins). The file is named by `--settings FILE`",
        f"(before the command: `csc-scorecard --settings council.toml judge ...`) or by `{SETTINGS_ENV}`.",
        "",
        "```toml",
        "[store]",
        'db = "/srv/csc/scorecard.duckdb"',
        "",
        "[scorecard]",
        'la = "335"',
        'targets = "/srv/csc/targets.toml"',
        "",
        "[web]",
        "https = true",
        "```",
    ]
    for table in dict.fromkeys(s.table for s in SETTINGS):
        lines += [
            "",
            f"## `[{table}]`",
            "",
            "| setting | environment | default | meaning |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| `{s.name}` | `{s.env}` | {s.default} | {s.meaning} |" for s in SETTINGS if s.table == table
        ]
    return "\n".join(lines) + "\n"


__all__ = [
    "SETTINGS",
    "OidcSettings",
    "Settings",
    "SettingsError",
    "SparkSettings",
    "WebSettings",
    "load_settings",
]

if __name__ == "__main__":
    print(render_markdown(), end="")
