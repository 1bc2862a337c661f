"""Shared set-up for the dashboard's tests: a private copy of the synthetic council's store, a state file with
one user per role, and sessions made without the sign-in form (which has its own tests)."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

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


SERVE = """
import sys
from pathlib import Path
from csc_scorecard.config import load_settings
from csc_scorecard.web import serve
serve(load_settings(Path(sys.argv[1]), env={}).web, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


@contextmanager
def live_server(site: Site, folder: Path, **web) -> Iterator[str]:
    """The real server (`serve`, uvicorn, in its own process) for `site` on a free loopback port, with extra
    [web] settings; yields its base URL."""
    table = {"state": str(site.settings.state_path), "snapshot_dir": str(folder / "live-snapshots"), **web}
    config = folder / "live.toml"
    config.write_text(
        f"[store]\ndb = {_toml(str(site.db))}\n[scorecard]\ntargets = {_toml(str(TARGETS))}\n[web]\n"
        + "".join(f"{k} = {_toml(v)}\n" for k, v in table.items()),
        encoding="utf-8",
    )
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(config), str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(base: str, process: subprocess.Popen, seconds: float = 30) -> None:
    """Until the server at `base` answers /healthz; a server that stops or never answers is killed and its
    output raised."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the server did not start: {process.stdout.read()}")
        time.sleep(0.1)


def _toml(value) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
