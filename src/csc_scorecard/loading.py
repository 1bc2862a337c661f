"""Reading returns from disk and loading them into the store, as one step the CLI and web share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .periods import parse_financial_year
from .refdata import local_authorities
from .sources.detect import read_returns
from .sources.model import KIND_NAMES
from .sources.problems import Problem, ReturnRejected
from .store.connection import connect
from .store.load import LoadOutcome, load_returns

_KIND_NAMES = KIND_NAMES


@dataclass
class LoadReport:
    db: Path
    outcomes: list[LoadOutcome]
    skipped: list[Path]

    def lines(self) -> list[str]:
        names = local_authorities()
        out = []
        for o in self.outcomes:
            la_name = names[o.la_code].name if o.la_code in names else "unknown LA"
            what = f"{_KIND_NAMES[o.kind]} {o.collection_year} for {o.la_code} {la_name} from {o.source_name}"
            if o.action == "already loaded":
                out.append(f"already loaded: {what} (load {o.load_id}; identical file, nothing changed)")
            else:
                rows = sum(o.rows.values())
                out.append(
                    f"{o.action}: {what}: {rows:,} rows as load {o.load_id} (year taken from {o.year_source})"
                )
        if self.skipped:
            out.append(
                f"skipped {len(self.skipped)} file(s) that are not returns (.xml, .csv or .xlsx): "
                + ", ".join(p.name for p in self.skipped[:5])
                + ("..." if len(self.skipped) > 5 else "")
            )
        out.append(f"store: {self.db}")
        return out


def load_paths(paths: list[Path], *, db: Path, la: str | None = None, year: str | None = None) -> LoadReport:
    _check_options(la, year)
    parsed, skipped = read_returns(paths, la=la, year=year)
    if not parsed:
        raise ReturnRejected([Problem(", ".join(map(str, paths)), "-", "paths", None, "no returns found")])
    con = connect(db)
    try:
        outcomes = load_returns(con, parsed)
    finally:
        con.close()
    return LoadReport(db, outcomes, skipped)


def _check_options(la: str | None, year: str | None) -> None:
    problems = []
    if la is not None and la not in local_authorities():
        problems.append(Problem("--la", "-", "--la", la, "not an English LA code (3 digits, e.g. 335)"))
    if year is not None:
        try:
            parse_financial_year(year)
        except ValueError as error:
            problems.append(Problem("--year", "-", "--year", year, str(error)))
    if problems:
        raise ReturnRejected(problems)
