"""The board's dashboard: an authenticated web app over the same scorecard the terminal and report show.

    from csc_scorecard.web import create_app, serve, create_user
    create_user(state_path, "alice", "a long passphrase", "admin")
    serve(load_settings(db=Path("scorecard.duckdb")).web)   # uvicorn on 127.0.0.1:8000 (config.load_settings)

Design (docs/web.md): the store is read from a private snapshot copy refreshed when the store file changes, so
the CLI can load returns while the dashboard serves; users, sessions, login throttling and the access log live in
a SQLite file beside the store (WAL), so they survive restarts and concurrent edits without touching DuckDB's
single-writer lock.
"""

from __future__ import annotations

from ..config import WebSettings
from .state import ROLES, StateError, create_user

__all__ = ["ROLES", "StateError", "WebSettings", "create_app", "create_user", "serve"]


def create_app(settings: WebSettings):  # imported lazily: the CLI's users command needs no FastAPI import
    from .app import create_app as _create

    return _create(settings)


def serve(settings: WebSettings, *, host: str = "127.0.0.1", port: int = 8000, **uvicorn_options) -> None:
    from .server import serve as _serve

    _serve(settings, host=host, port=port, **uvicorn_options)
