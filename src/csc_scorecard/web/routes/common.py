"""What most pages need: the services, the snapshot to read, and the scorecard for the page's LA and period."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
from fastapi import Request

from ...catalogue import Catalogue
from ...engine.manual import catalogue_for
from ...pipeline import Built
from ..rendering import Services
from ..scorecards import Scope, resolve_scope
from ..snapshot import Snapshot


def services(request: Request) -> Services:
    return request.app.state.services


@dataclass
class Reading:
    snapshot: Snapshot
    con: duckdb.DuckDBPyConnection
    scope: Scope
    _services: Services
    _built: Built | None = None

    @property
    def built(self) -> Built:
        if self._built is None:
            self._built = self._services.scorecards.get(self.snapshot, self.scope)
        return self._built


@contextmanager
def reading(request: Request, la: str | None = None, period: str | None = None) -> Iterator[Reading]:
    """A cursor on the current snapshot and the page's scope; the scorecard is built (or taken from the
    cache) only when a page asks for it."""
    svc = services(request)
    with svc.store.reading() as snapshot:
        con = snapshot.cursor()
        try:
            scope = resolve_scope(con, la or None, period or None, svc.settings.la_code)
            yield Reading(snapshot, con, scope, svc)
        finally:
            con.close()


def store_catalogue(request: Request) -> Catalogue:
    """The catalogue with the manual measures the store (its current snapshot) declares."""
    with services(request).store.reading() as snapshot:
        con = snapshot.cursor()
        try:
            return catalogue_for(con)
        finally:
            con.close()


def scope_query(scope: Scope) -> str:
    return f"la={scope.la_code}&period={scope.period_code}"
