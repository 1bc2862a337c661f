"""Shared set-up for the dashboard's tests: a private copy of the synthetic council's store, a state file with
one user per role, and sessions made without the sign-in form (which has its own tests)."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from csc_scorecard.config import WebSettings, load_settings
from csc_scorecard.examples import TARGETS as EXAMPLE_TARGETS
from csc_scorecard.web.state import StateStore

REPO = Path(__file__).resolve().parents[1]
TARGETS = EXAMPLE_TARGETS
PASSWORD = "correct horse battery staple"
USERS = {"viewer": "vera", "analyst": "ann", "admin": "adam"}
ROLES = ("viewer", "analyst", "admin")


@dataclass
class Site:
    settings: WebSettings
    state: StateStore

    @property
    def db(self) -> Path:
        return self.settings.db


def make_site(folder: Path, source_db: Path, **settings) -> Site:
    """A copy of `source_db` in `folder`, with its own state file and one user per role."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "scorecard.duckdb"
    shutil.copyfile(source_db, db)
    config = load_settings(env={}, db=db, targets=TARGETS, snapshot_dir=folder / "snapshots", **settings).web
    state = StateStore(config.state_path)
    for role, name in USERS.items():
        state.create_user(name, PASSWORD, role)
    return Site(config, state)


def session_cookie(site: Site, role: str) -> dict[str, str]:
    """A Cookie header for a fresh session of the user with `role`, and its CSRF token as X-CSRF-Token."""
    token, session = site.state.create_session(USERS[role])
    return {"Cookie": f"csc_session={token}", "X-CSRF-Token": session.csrf_token}


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
