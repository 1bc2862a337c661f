"""The dashboard's own state: users, sessions, failed sign-ins and the access log, in a SQLite file beside the
store (stdlib sqlite3, WAL).

Why not the DuckDB store: DuckDB lets one process write at a time, and the CLI must be able to load a return
while the dashboard serves. SQLite in WAL mode lets every thread and process read while one writes, and each
write here is a short `BEGIN IMMEDIATE` transaction that waits (busy_timeout) rather than fails, so concurrent
edits queue instead of being lost, and everything survives a restart.

Passwords are Argon2id hashes (argon2-cffi's defaults, rehashed when those change). Session tokens are random
and only their SHA-256 is stored, so a copy of this file cannot be used to sign in.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..private_files import private_file, private_folder

# Each role can do everything the ones before it can. A manager sees what a viewer sees (published figures) and,
# for their teams' work, the worker-level views; an analyst sees every figure and edits.
ROLES: tuple[str, ...] = ("viewer", "manager", "analyst", "admin")
MIN_PASSWORD = 12  # NCSC: length beats complexity rules
MAX_PASSWORD = 256
USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-@")
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not a real password: evens out the time of a sign-in for an unknown user")

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE users (
        username TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
        password_hash TEXT,                  -- NULL: signs in through OIDC only
        oidc_subject TEXT UNIQUE,
        display_name TEXT,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        username TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
        csrf_token TEXT NOT NULL,
        created_at REAL NOT NULL,
        last_seen REAL NOT NULL,
        expires_at REAL NOT NULL
    );
    CREATE INDEX sessions_by_user ON sessions (username);
    CREATE TABLE login_failures (key TEXT NOT NULL, at REAL NOT NULL);
    CREATE INDEX login_failures_by_key ON login_failures (key, at);
    CREATE TABLE access_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        username TEXT NOT NULL,
        role TEXT NOT NULL,
        action TEXT NOT NULL,
        la_code TEXT,
        indicator_id TEXT,
        period TEXT,
        detail TEXT,
        records INTEGER,
        client TEXT
    );
    CREATE INDEX access_log_by_action ON access_log (action, id);
    """,
    # 2: failures keep the account and the address apart, so a lock-out can be per account and address
    """
    DROP TABLE login_failures;
    CREATE TABLE sign_in_failures (
        username TEXT NOT NULL,
        address TEXT NOT NULL,
        account_exists INTEGER NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX sign_in_failures_by_user ON sign_in_failures (username, at);
    CREATE INDEX sign_in_failures_by_address ON sign_in_failures (address, at);
    """,
    # 3: the manager role (worker-level views of their teams' work). SQLite cannot change a CHECK: the table is
    # made again; sessions end with it (everyone signs in once more after the upgrade).
    """
    CREATE TABLE users_with_managers (
        username TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'manager', 'analyst', 'admin')),
        password_hash TEXT,
        oidc_subject TEXT UNIQUE,
        display_name TEXT,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    INSERT INTO users_with_managers
        SELECT username, role, password_hash, oidc_subject, display_name, disabled, created_at, updated_at
        FROM users;
    DELETE FROM sessions;
    DROP TABLE users;
    ALTER TABLE users_with_managers RENAME TO users;
    """,
)


class StateError(ValueError):
    """A user-facing problem with an account (bad name, weak password, last admin...)."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    display_name: str | None
    disabled: bool
    has_password: bool
    oidc_subject: str | None
    created_at: str
    updated_at: str

    def can(self, role: str) -> bool:
        """Whether this user has `role` or a higher one."""
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def name(self) -> str:
        return self.display_name or self.username


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str
    expires_at: float


@dataclass(frozen=True)
class Failures:
    """Failed sign-ins within a window: of one account from one address, of the account from anywhere, and the
    number of existing accounts that failed from the address."""

    account_at_address: int
    account: int
    accounts_from_address: int


@dataclass(frozen=True)
class AccessEntry:
    id: int
    at: str
    username: str
    role: str
    action: str
    la_code: str | None
    indicator_id: str | None
    period: str | None
    detail: str | None
    records: int | None
    client: str | None


def _now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_username(username: str) -> str:
    name = (username or "").strip().lower()
    if not 2 <= len(name) <= 64 or not set(name) <= USERNAME_CHARS:
        raise StateError(
            f"user name {username!r}: 2 to 64 characters, letters, digits, '.', '_', '-' or '@' (e.g. an email)"
        )
    return name


def check_password(password: str, username: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise StateError(f"the password must have at least {MIN_PASSWORD} characters (a passphrase is best)")
    if len(password) > MAX_PASSWORD:
        raise StateError(f"the password must have at most {MAX_PASSWORD} characters")
    if password.strip().lower() == username.lower():
        raise StateError("the password must not be the user name")


def check_role(role: str) -> str:
    if role not in ROLES:
        raise StateError(f"role {role!r}: one of {', '.join(ROLES)}")
    return role


_USER_COLUMNS = (
    "username, role, display_name, disabled, password_hash IS NOT NULL, oidc_subject, created_at, updated_at"
)

_SESSION_USER_COLUMNS = ", ".join(f"u.{column}" for column in _USER_COLUMNS.split(", "))


def _user(row: Sequence) -> User:
    return User(row[0], row[1], row[2], bool(row[3]), bool(row[4]), row[5], row[6], row[7])


class StateStore:
    """One SQLite file. Every method opens its own short connection, so it is safe from any thread."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        private_folder(self.path.parent)
        if not self.path.exists():
            private_file(self.path)  # SQLite makes its -wal and -shm files with the same mode
        with self._connect() as con:
            con.execute("PRAGMA journal_mode = WAL")  # persistent: readers never wait for a writer
            self._migrate(con)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            con.execute("PRAGMA busy_timeout = 30000")
            con.execute("PRAGMA foreign_keys = ON")
            con.execute("PRAGMA synchronous = NORMAL")
            yield con
        finally:
            con.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the write lock at once (waiting up to busy_timeout for it)."""
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def _migrate(self, con: sqlite3.Connection) -> None:
        con.execute("BEGIN IMMEDIATE")
        try:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise RuntimeError(f"{self.path} is from a newer csc-scorecard (state version {version})")
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in script.split(";"):
                    if statement.strip():
                        con.execute(statement)
                con.execute(f"PRAGMA user_version = {number}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    # --- users ---------------------------------------------------------------------------------------------

    def create_user(
        self,
        username: str,
        password: str | None,
        role: str,
        *,
        display_name: str | None = None,
        oidc_subject: str | None = None,
    ) -> User:
        name = check_username(username)
        check_role(role)
        if password is None and oidc_subject is None:
            raise StateError("a user needs a password (or an OIDC subject)")
        if password is not None:
            check_password(password, name)
        password_hash = _HASHER.hash(password) if password is not None else None
        now = _now_text()
        try:
            with self._write() as con:
                con.execute(
                    "INSERT INTO users (username, role, password_hash, oidc_subject, display_name, created_at, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [name, role, password_hash, oidc_subject, display_name, now, now],
                )
        except sqlite3.IntegrityError:
            raise StateError(f"user {name!r} already exists") from None
        return self.user(name)

    def user(self, username: str) -> User:
        with self._connect() as con:
            row = con.execute(
                f"SELECT {_USER_COLUMNS} FROM users WHERE username = ?", [username.strip().lower()]
            ).fetchone()
        if row is None:
            raise StateError(f"no user {username!r}")
        return _user(row)

    def users(self) -> list[User]:
        with self._connect() as con:
            rows = con.execute(f"SELECT {_USER_COLUMNS} FROM users ORDER BY username").fetchall()
        return [_user(r) for r in rows]

    def _active_admins(self, con: sqlite3.Connection) -> int:
        return con.execute("SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0").fetchone()[0]

    def update_user(self, username: str, *, role: str | None = None, disabled: bool | None = None) -> User:
        """Change a role or enable/disable an account; a disabled or demoted user's sessions end at once.
        The last enabled admin can be neither demoted nor disabled (nobody could then manage users)."""
        name = username.strip().lower()
        if role is not None:
            check_role(role)
        with self._write() as con:
            row = con.execute("SELECT role, disabled FROM users WHERE username = ?", [name]).fetchone()
            if row is None:
                raise StateError(f"no user {username!r}")
            new_role = role or row[0]
            new_disabled = row[1] if disabled is None else int(disabled)
            losing_admin = row[0] == "admin" and not row[1] and (new_role != "admin" or new_disabled)
            if losing_admin and self._active_admins(con) <= 1:
                raise StateError(f"{name} is the only admin: make another admin first")
            con.execute(
                "UPDATE users SET role = ?, disabled = ?, updated_at = ? WHERE username = ?",
                [new_role, new_disabled, _now_text(), name],
            )
            if new_disabled or new_role != row[0]:
                con.execute("DELETE FROM sessions WHERE username = ?", [name])
        return self.user(name)

    def set_password(self, username: str, password: str) -> None:
        """Set a new password and end every session of the user (a reset must lock out whoever had it)."""
        name = username.strip().lower()
        check_password(password, name)
        password_hash = _HASHER.hash(password)
        with self._write() as con:
            changed = con.execute(
                "UPDATE users SET password_hash = ?, updated_at = ? WHERE username = ?",
                [password_hash, _now_text(), name],
            ).rowcount
            if not changed:
                raise StateError(f"no user {username!r}")
            con.execute("DELETE FROM sessions WHERE username = ?", [name])

    def verify_password(self, username: str, password: str) -> User | None:
        """The user if the password matches an enabled account, else None (in about the same time either way)."""
        name = (username or "").strip().lower()
        with self._connect() as con:
            row = con.execute(
                "SELECT password_hash, disabled FROM users WHERE username = ?", [name]
            ).fetchone()
        stored = row[0] if row and row[0] else _DUMMY_HASH
        try:
            _HASHER.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if row is None or not row[0] or row[1]:
            return None
        if _HASHER.check_needs_rehash(stored):
            with self._write() as con:
                con.execute(
                    "UPDATE users SET password_hash = ? WHERE username = ?", [_HASHER.hash(password), name]
                )
        return self.user(name)

    def oidc_user(self, subject: str, username: str, display_name: str | None, role: str) -> User:
        """The account for an OIDC subject, created on first sign-in; its role follows the provider's claims.
        A local account with the same name is linked only if it has no subject yet."""
        name = check_username(username)
        check_role(role)
        now = _now_text()
        with self._write() as con:
            row = con.execute("SELECT username FROM users WHERE oidc_subject = ?", [subject]).fetchone()
            if row is None:
                existing = con.execute("SELECT oidc_subject FROM users WHERE username = ?", [name]).fetchone()
                if existing is not None and existing[0] not in (None, subject):
                    raise StateError(f"user name {name!r} is already linked to another sign-in")
                if existing is None:
                    con.execute(
                        "INSERT INTO users (username, role, oidc_subject, display_name, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        [name, role, subject, display_name, now, now],
                    )
                else:
                    con.execute("UPDATE users SET oidc_subject = ? WHERE username = ?", [subject, name])
                row = (name,)
            con.execute(
                "UPDATE users SET role = ?, display_name = coalesce(?, display_name), updated_at = ? "
                "WHERE username = ?",
                [role, display_name, now, row[0]],
            )
        user = self.user(row[0])
        if user.disabled:
            raise StateError(f"the account {user.username!r} is disabled")
        return user

    # --- sessions ------------------------------------------------------------------------------------------

    def create_session(self, username: str, *, hours: float = 8.0) -> tuple[str, Session]:
        """A new session (the caller sets the token as the cookie); returns (token, session)."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = time.time()
        expires = now + hours * 3600
        with self._write() as con:
            con.execute("DELETE FROM sessions WHERE expires_at < ?", [now])  # housekeeping, cheap
            con.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)",
                [_token_hash(token), username, csrf, now, now, expires],
            )
        return token, Session(self.user(username), csrf, expires)

    def session(self, token: str | None, *, idle_minutes: float = 60.0) -> Session | None:
        """The live session for a cookie token: not expired, not idle too long, and its user enabled."""
        if not token:
            return None
        now = time.time()
        key = _token_hash(token)
        with self._connect() as con:
            row = con.execute(
                f"SELECT s.csrf_token, s.expires_at, s.last_seen, {_SESSION_USER_COLUMNS} "
                "FROM sessions s JOIN users u ON u.username = s.username WHERE s.token_hash = ?",
                [key],
            ).fetchone()
            if row is None:
                return None
            csrf, expires, last_seen = row[0], row[1], row[2]
            user = _user(row[3:])
            if user.disabled or expires < now or last_seen < now - idle_minutes * 60:
                con.execute("DELETE FROM sessions WHERE token_hash = ?", [key])
                return None
            if now - last_seen > 60:  # at most one write a minute per session
                con.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", [now, key])
        return Session(user, csrf, expires)

    def end_session(self, token: str | None) -> None:
        if token:
            with self._write() as con:
                con.execute("DELETE FROM sessions WHERE token_hash = ?", [_token_hash(token)])

    # --- sign-in throttling --------------------------------------------------------------------------------

    def record_failure(self, username: str, address: str) -> None:
        """A failed sign-in (or password change) for a user name from an address."""
        name, now = username.strip().lower(), time.time()
        with self._write() as con:
            con.execute("DELETE FROM sign_in_failures WHERE at < ?", [now - 86400])
            exists = con.execute("SELECT count(*) FROM users WHERE username = ?", [name]).fetchone()[0]
            con.execute("INSERT INTO sign_in_failures VALUES (?, ?, ?, ?)", [name, address, exists, now])

    def recent_failures(self, username: str, address: str, window_seconds: float) -> Failures:
        name, since = username.strip().lower(), time.time() - window_seconds
        with self._connect() as con:
            row = con.execute(
                "SELECT count(*) FILTER (WHERE username = ? AND address = ?), count(*) FILTER (WHERE username = ?), "
                "count(DISTINCT username) FILTER (WHERE address = ? AND account_exists) "
                "FROM sign_in_failures WHERE at > ? AND (username = ? OR address = ?)",
                [name, address, name, address, since, name, address],
            ).fetchone()
        return Failures(*row)

    def clear_failures(self, username: str, address: str) -> None:
        """After a success: the account's failures from that address are forgotten."""
        with self._write() as con:
            con.execute(
                "DELETE FROM sign_in_failures WHERE username = ? AND address = ?",
                [username.strip().lower(), address],
            )

    # --- access log ----------------------------------------------------------------------------------------

    def log(
        self,
        user: User | str,
        action: str,
        *,
        la_code: str | None = None,
        indicator_id: str | None = None,
        period: str | None = None,
        detail: str | None = None,
        records: int | None = None,
        client: str | None = None,
    ) -> int:
        """Append one entry (never updated or deleted by the app); returns its id. `user` is a User, or the
        name given at a refused sign-in."""
        username, role = (user.username, user.role) if isinstance(user, User) else (user, "-")
        with self._write() as con:
            cur = con.execute(
                "INSERT INTO access_log (at, username, role, action, la_code, indicator_id, period, detail, records, "
                "client) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    _now_text(),
                    username,
                    role,
                    action,
                    la_code,
                    indicator_id,
                    period,
                    detail,
                    records,
                    client,
                ],
            )
            return cur.lastrowid

    def access_log(
        self, *, limit: int = 100, action: str | None = None, before_id: int | None = None
    ) -> list[AccessEntry]:
        with self._connect() as con:
            rows = con.execute(
                "SELECT id, at, username, role, action, la_code, indicator_id, period, detail, records, client "
                "FROM access_log WHERE (? IS NULL OR action = ?) AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?",
                [action, action, before_id, before_id, limit],
            ).fetchall()
        return [AccessEntry(*r) for r in rows]


def create_user(state_path: Path | str, username: str, password: str, role: str) -> User:
    """Create a local account (for `csc-scorecard users add`, e.g. the first admin)."""
    return StateStore(state_path).create_user(username, password, role)
