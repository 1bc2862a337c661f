"""Returns into the store in two steps, the one way every entry point loads them (CLI, web upload, demo and
national runs).

`prepare(paths, options) -> Batch` finds the files, recognises each return, reads and checks it, and decides
its LA and collection year; it never touches the store. `commit(store, batch) -> LoadReport` stores the whole
batch in one transaction. A problem anywhere stops `prepare` with ReturnRejected listing every problem, so
nothing is stored.

    report = commit(Path("scorecard.duckdb"), prepare([Path("returns")], LoadOptions(la="335")))
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from .periods import parse_financial_year
from .refdata import local_authorities
from .sources.detect import discover, read_one
from .sources.model import ParsedReturn
from .sources.problems import Problem, ReturnRejected
from .sources.registry import Candidate, kind_names
from .store.connection import connect
from .store.load import LoadOutcome, load_returns
from .workers import WorkerPool, parallel_from_bytes


@dataclass(frozen=True)
class Origin:
    """How an entry point names what it was given, so that a Problem points at what the analyst typed or chose,
    and suggests only what this entry point takes: readers word their problems for the command line ("pass
    --year"), and `reword` says them as the upload form or a national run would."""

    where: str | None = None  # a Problem's file; None: the option's own name (--la), or the paths given
    la: str = "--la"  # the LA's option or field, as a Problem's field
    year: str = "--year"
    paths: str = "paths"
    source: str = "command line"  # where the options are given, as a Problem's location
    give_la: str = "pass --la"  # how to give what a return does not say
    give_year: str = "pass --year"
    said_la: str = "--la"  # the value given, in a sentence ("disagrees with --la 385")
    said_year: str = "--year"

    def reword(self, problem: Problem) -> Problem:
        if self == COMMAND_LINE:
            return problem
        said = {"--la": self.said_la, "--year": self.said_year}
        rule = problem.rule.replace("pass --la", self.give_la).replace("pass --year", self.give_year)
        rule = _OPTION_WORD.sub(lambda m: said[m[0]], rule)
        return Problem(
            problem.file,
            self.source if problem.location == "command line" else problem.location,
            {"--la": self.la, "--year": self.year}.get(problem.field, problem.field),
            problem.value,
            rule,
        )


_OPTION_WORD = re.compile(r"(?<![\w-])--(?:la|year)\b")
COMMAND_LINE = Origin()
UPLOAD_FORM = Origin(
    "upload", la="la", year="year", paths="files", source="upload form", give_la='fill in "LA code"',
    give_year='fill in "Collection year"', said_la="the LA code", said_year="the collection year",
)  # fmt: skip


def national_origin(folder: Path) -> Origin:
    """A national run (`load-national`): each LA's code is its folder's name, and it takes no year."""
    return Origin(
        str(folder), la="folder name", year="collection year", source="folder name",
        give_la="name the LA's folder by its 3-digit DfE code",
        give_year="name the return's folder or file with its collection year (like 903_335_2016-17)",
        said_la="the LA folder", said_year="the collection year",
    )  # fmt: skip


@dataclass(frozen=True)
class LoadOptions:
    la: str | None = None  # 3-digit DfE code, for returns that do not carry one (903, Annex A, local CSVs)
    year: str | None = None  # collection year ("2016-17"), for returns whose year cannot be read from them
    origin: Origin = COMMAND_LINE
    # A new version of a return may lack tables the loaded version holds (they are then gone from the store).
    replace_partial: bool = False

    def problems(self) -> list[Problem]:
        out = []
        if self.la is not None and self.la not in local_authorities():
            out.append(self._problem(self.origin.la, self.la, "not an English LA code (3 digits, e.g. 335)"))
        if self.year is not None:
            try:
                parse_financial_year(self.year)
            except ValueError as error:
                out.append(self._problem(self.origin.year, self.year, str(error)))
        return out

    def _problem(self, name: str, value: str, rule: str) -> Problem:
        return Problem(self.origin.where or name, "-", name, value, rule)


@dataclass
class Batch:
    """Checked returns ready to store, and the files in folders that were skipped as not returns."""

    returns: list[ParsedReturn]
    skipped: list[Path] = field(default_factory=list)
    replace_partial: bool = False  # LoadOptions.replace_partial, which commit() needs


@dataclass
class LoadReport:
    db: Path
    outcomes: list[LoadOutcome]
    skipped: list[Path]

    def lines(self) -> list[str]:
        names, kinds = local_authorities(), kind_names()
        out = []
        for o in self.outcomes:
            la_name = names[o.la_code].name if o.la_code in names else "unknown LA"
            what = f"{kinds[o.kind]} {o.collection_year} for {o.la_code} {la_name} from {o.source_name}"
            if o.snapshot is not None:
                s = o.snapshot
                what = (
                    f"{kinds[o.kind]} taken {s.taken_at:%d/%m/%Y} for {o.la_code} {la_name} from {o.source_name}, "
                    f"holding {s.covers_from:%d/%m/%Y} to {s.covers_to:%d/%m/%Y} (dates from {s.decided_by})"
                )
            if o.action == "already loaded":
                out.append(f"already loaded: {what} (load {o.load_id}; identical file, nothing changed)")
            else:
                rows = sum(o.rows.values())
                year = "" if o.snapshot is not None else f" (year taken from {o.year_source})"
                out.append(f"{o.action}: {what}: {rows:,} rows as load {o.load_id}{year}")
            out.extend(f"  {note}" for note in o.notes)
        out.extend(self._warnings())
        if self.skipped:
            out.append(
                f"skipped {len(self.skipped)} file(s) that are not returns (.xml, .csv or .xlsx): "
                + ", ".join(p.name for p in self.skipped[:5])
                + ("..." if len(self.skipped) > 5 else "")
            )
        out.append(f"store: {self.db}")
        return out

    def _warnings(self, shown: int = 10) -> list[str]:
        found = [w for o in self.outcomes for w in o.warnings]
        out = [f"warning: {w}" for w in found[:shown]]
        if len(found) > shown:
            out.append(f"... and {len(found) - shown:,} more warnings: csc-scorecard quality lists them all")
        return out


def prepare(
    paths: Sequence[Path], options: LoadOptions = LoadOptions(), *, pool: WorkerPool | None = None
) -> Batch:
    """Find, recognise, read and check every return under `paths`; raises ReturnRejected listing every problem.

    Reading is parallel in `pool` if given, else in a pool of its own when the batch is large enough to gain
    (parsing is CPU-bound Python): one return per worker, largest first, results in the order found.
    """
    if pool is not None:
        return prepare_in(pool, paths, options).batch()
    candidates, skipped = _found(paths, options)
    workers = min(len(candidates), os.cpu_count() or 1)
    if workers > 1 and sum(map(_size, candidates)) >= parallel_from_bytes():
        with WorkerPool(workers) as own:
            return Preparing(
                _submit(own, candidates, options), skipped, options.origin, options.replace_partial
            ).batch()
    outcomes = [read_one(c, options.la, options.year) for c in candidates]
    return _batch(outcomes, skipped, options.origin, options.replace_partial)


def prepare_in(pool: WorkerPool, paths: Sequence[Path], options: LoadOptions = LoadOptions()) -> Preparing:
    """Start preparing a batch in `pool` and return at once, so that the caller can commit the batch before
    while this one is read; `.batch()` waits for it (and raises its problems)."""
    try:
        candidates, skipped = _found(paths, options)
    except ReturnRejected as rejected:
        return Preparing([], [], options.origin, rejected=rejected)
    return Preparing(_submit(pool, candidates, options), skipped, options.origin, options.replace_partial)


@dataclass
class Preparing:
    futures: list[Future]  # one per return, in the order found
    skipped: list[Path]
    origin: Origin = COMMAND_LINE
    replace_partial: bool = False
    rejected: ReturnRejected | None = None

    def batch(self) -> Batch:
        if self.rejected is not None:
            raise self.rejected
        return _batch([f.result() for f in self.futures], self.skipped, self.origin, self.replace_partial)


def prepare_database(
    url: str,
    *,
    schema: str | None = None,
    options: LoadOptions = LoadOptions(),
    password_file: Path | None = None,
) -> Batch:
    """A live database's SSD as a batch of one snapshot (sources/ssd/database.py); raises ReturnRejected."""
    from .sources.ssd.database import read

    problems = options.problems()
    if problems:
        raise ReturnRejected(problems)
    return Batch([read(url, options.la, schema=schema, password_file=password_file)])


def commit(
    store: Path | str | duckdb.DuckDBPyConnection, batch: Batch, *, by: str | None = None
) -> LoadReport:
    """Store a prepared batch in one transaction: a file, or a connection already open for writing. Raises
    ReturnRejected, storing nothing, for a new version of a return lacking tables the loaded one holds (unless
    the batch was prepared with replace_partial). `by`: who loads it, recorded with manual measures' values,
    which are also checked here against the measures the store declares: only the store knows them."""
    if isinstance(store, duckdb.DuckDBPyConnection):
        return LoadReport(_path_of(store), _load(store, batch, by), batch.skipped)
    con = connect(Path(store))
    try:
        return LoadReport(Path(store), _load(con, batch, by), batch.skipped)
    finally:
        con.close()


def _load(con: duckdb.DuckDBPyConnection, batch: Batch, by: str | None) -> list[LoadOutcome]:
    return load_returns(con, batch.returns, replace_partial=batch.replace_partial, by=by)


def _found(paths: Sequence[Path], options: LoadOptions) -> tuple[list[Candidate], list[Path]]:
    problems = options.problems()
    if problems:
        raise ReturnRejected(problems)
    paths = [Path(p) for p in paths]
    candidates, skipped = discover(paths)
    if not candidates:
        where = options.origin.where or ", ".join(map(str, paths))
        raise ReturnRejected([Problem(where, "-", options.origin.paths, None, "no returns found")])
    return candidates, skipped


def _submit(pool: WorkerPool, candidates: list[Candidate], options: LoadOptions) -> list[Future]:
    order = sorted(range(len(candidates)), key=lambda i: -_size(candidates[i]))
    futures = {i: pool.submit(read_one, candidates[i], options.la, options.year) for i in order}
    return [futures[i] for i in range(len(candidates))]


def _batch(
    outcomes: list[ParsedReturn | ReturnRejected],
    skipped: list[Path],
    origin: Origin,
    replace_partial: bool = False,
) -> Batch:
    rejected = [o for o in outcomes if isinstance(o, ReturnRejected)]
    if rejected:
        merged = ReturnRejected.merged(rejected)
        raise ReturnRejected([origin.reword(p) for p in merged.problems], merged.total, merged.counts)
    return Batch([o for o in outcomes if isinstance(o, ParsedReturn)], skipped, replace_partial)


def _size(candidate: Candidate) -> int:
    return sum(f.stat().st_size for f in candidate.files)


def _path_of(con: duckdb.DuckDBPyConnection) -> Path:
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return Path(row[0]) if row and row[0] else Path(":memory:")


__all__ = [
    "COMMAND_LINE",
    "UPLOAD_FORM",
    "Batch",
    "LoadOptions",
    "LoadReport",
    "Origin",
    "Preparing",
    "commit",
    "national_origin",
    "prepare",
    "prepare_database",
    "prepare_in",
]
