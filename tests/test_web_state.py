"""The dashboard's own state: users, sessions, throttling, access log."""

from __future__ import annotations

import re
import sqlite3
import time

import pytest

from csc_scorecard.config import OidcSettings
from csc_scorecard.web import create_user
from csc_scorecard.web.state import Failures, StateError, StateStore

PASSWORD = "correct horse battery staple"


@pytest.fixture
def state(tmp_path) -> StateStore:
    return StateStore(tmp_path / "state.sqlite")


def test_passwords_are_stored_as_argon2id_hashes_only(state):
    state.create_user("Alice@Council.example", PASSWORD, "analyst")
    con = sqlite3.connect(state.path)
    (stored,) = con.execute(
        "SELECT password_hash FROM users WHERE username = 'alice@council.example'"
    ).fetchone()
    con.close()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert state.verify_password("ALICE@council.example", PASSWORD).role == "analyst"  # names ignore case
    assert state.verify_password("alice@council.example", "wrong password here") is None
    assert state.verify_password("nobody", PASSWORD) is None


@pytest.mark.parametrize(
    ("username", "password", "role", "message"),
    [
        ("ok.name", "short", "viewer", "at least 12 characters"),
        ("ok.name", "ok.name", "viewer", "at least 12 characters"),
        ("samepassword", "samepassword", "viewer", "must not be the user name"),
        ("bad name!", PASSWORD, "viewer", "2 to 64 characters"),
        ("ok.name", PASSWORD, "superuser", "role 'superuser': one of viewer, manager, analyst, admin"),
    ],
)
def test_account_rules(state, username, password, role, message):
    with pytest.raises(StateError, match=re.escape(message)):
        state.create_user(username, password, role)


def test_a_user_name_is_taken_once(state):
    state.create_user("bob", PASSWORD, "viewer")
    with pytest.raises(StateError, match="user 'bob' already exists"):
        state.create_user("BOB", PASSWORD, "admin")


def test_only_the_hash_of_a_session_token_is_stored(state):
    state.create_user("carol", PASSWORD, "viewer")
    token, session = state.create_session("carol")
    con = sqlite3.connect(state.path)
    stored = [r[0] for r in con.execute("SELECT token_hash FROM sessions")]
    con.close()
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64
    assert state.session(token).user.username == "carol"
    assert state.session(token).csrf_token == session.csrf_token
    assert state.session("made-up-token") is None


def test_sessions_end_when_expired_idle_or_the_password_changes(state):
    state.create_user("dan", PASSWORD, "viewer")
    expired, _ = state.create_session("dan", hours=-1)
    assert state.session(expired) is None
    idle, _ = state.create_session("dan")
    con = sqlite3.connect(state.path)
    con.execute("UPDATE sessions SET last_seen = ?", [time.time() - 2 * 3600])
    con.commit()
    con.close()
    assert state.session(idle, idle_minutes=60) is None
    live, _ = state.create_session("dan")
    state.set_password("dan", "a brand new passphrase")
    assert state.session(live) is None
    assert state.verify_password("dan", "a brand new passphrase") is not None


def test_roles_are_ordered(state):
    viewer = state.create_user("v1", PASSWORD, "viewer")
    admin = state.create_user("a1", PASSWORD, "admin")
    assert [viewer.can(r) for r in ("viewer", "analyst", "admin")] == [True, False, False]
    assert [admin.can(r) for r in ("viewer", "analyst", "admin")] == [True, True, True]


def test_the_last_admin_is_kept(state):
    state.create_user("root", PASSWORD, "admin")
    with pytest.raises(StateError, match="root is the only admin"):
        state.update_user("root", role="viewer")
    state.create_user("second", PASSWORD, "admin")
    assert state.update_user("root", disabled=True).disabled


def test_throttling_counts_failures_per_account_and_address_in_the_window_only(state):
    state.create_user("eve", PASSWORD, "viewer")
    state.create_user("mallory", PASSWORD, "viewer")
    state.record_failure("Eve", "1.2.3.4")
    state.record_failure("eve", "1.2.3.4")
    state.record_failure("eve", "5.6.7.8")
    state.record_failure("mallory", "1.2.3.4")
    state.record_failure("no.such.user", "1.2.3.4")  # a mistyped name is no account
    assert state.recent_failures("eve", "1.2.3.4", 60) == Failures(2, 3, 2)
    assert state.recent_failures("eve", "5.6.7.8", 60) == Failures(1, 3, 1)
    assert state.recent_failures("eve", "1.2.3.4", 0) == Failures(0, 0, 0)
    state.clear_failures("eve", "1.2.3.4")
    assert state.recent_failures("eve", "1.2.3.4", 60) == Failures(0, 1, 1)


def test_oidc_users_are_created_on_first_sign_in_and_follow_their_claims(state):
    first = state.oidc_user("sub-123", "Fay@Council.example", "Fay Jones", "viewer")
    again = state.oidc_user("sub-123", "fay@council.example", None, "analyst")
    assert (first.username, first.role, first.has_password) == ("fay@council.example", "viewer", False)
    assert (again.role, again.display_name) == ("analyst", "Fay Jones")
    with pytest.raises(StateError, match="already linked to another sign-in"):
        state.oidc_user("sub-456", "fay@council.example", None, "viewer")


def test_oidc_roles_come_from_the_configured_claim():
    oidc = OidcSettings("https://idp.example/.well-known/openid-configuration", "id", "secret")
    assert oidc.role_for({"roles": ["CSC.Viewer", "CSC.Analyst"]}) == "analyst"  # the highest granted
    assert oidc.role_for({"roles": "CSC.Admin"}) == "admin"
    assert oidc.role_for({"roles": ["Other.App"]}) is None  # no default role: sign-in refused
    assert OidcSettings("u", "i", "s", role_claim="groups", default_role="viewer").role_for({}) == "viewer"


def test_the_state_survives_reopening(tmp_path):
    path = tmp_path / "state.sqlite"
    create_user(path, "gail", PASSWORD, "admin")
    StateStore(path).log(StateStore(path).user("gail"), "drill_through", indicator_id="cla_count", records=12)
    reopened = StateStore(path)
    assert reopened.user("gail").role == "admin"
    entry = reopened.access_log(limit=1)[0]
    assert (entry.username, entry.role, entry.action, entry.indicator_id, entry.records) == (
        "gail", "admin", "drill_through", "cla_count", 12,
    )  # fmt: skip


def test_a_state_file_from_before_managers_keeps_its_users_and_takes_the_role(tmp_path):
    from csc_scorecard.web.state import MIGRATIONS

    path = tmp_path / "state.sqlite"
    con = sqlite3.connect(path)  # as csc-scorecard left it before the manager role: state version 2
    for script in MIGRATIONS[:2]:
        con.executescript(script)
    con.execute("PRAGMA user_version = 2")
    con.execute("INSERT INTO users VALUES ('old.analyst', 'analyst', NULL, NULL, NULL, 0, 'then', 'then')")
    con.commit()
    with pytest.raises(sqlite3.IntegrityError):  # the old table refuses the new role
        con.execute("UPDATE users SET role = 'manager'")
    con.close()
    state = StateStore(path)
    assert state.user("old.analyst").role == "analyst"
    state.create_user("new.manager", "a long enough passphrase", "manager")
    assert state.user("new.manager").can("viewer") and not state.user("new.manager").can("analyst")
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
