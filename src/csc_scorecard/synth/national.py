"""Every English LA at once: a synthetic national set, each LA calibrated to its own published figures.

    out/<la_code>/cin/CIN_Census_<LA>_<YYYY-YY>.xml    one synthetic council per folder, as generate() writes it
    out/<la_code>/903/903_<LA>_<YYYY-YY>/*.csv
    out/<la_code>/ground_truth.json

The LAs are the 152 of the 2016-17 list (reference/la_codes/la_list_2016_17_152_las.csv). Each gets its own
seed, derived from the national seed and its code, so one LA's returns do not depend on which others were
generated with it. `load_national` loads each folder as that LA (a 903 CSV return does not carry its LA).

    results = generate_national(parse_years("2013-14:2016-17"), seed=1, out=Path("national"), workers=2)
    load_national(Path("national"), Path("national.duckdb"))
"""

from __future__ import annotations

import hashlib
import os
from collections import deque
from collections.abc import Sequence
from pathlib import Path

from ..ingest import LoadOptions, LoadReport, Preparing, commit, national_origin, prepare_in
from ..refdata import read_csv
from ..sources.problems import ReturnRejected
from ..store.connection import connect
from ..workers import WorkerPool
from .generate import SynthResult, generate

LA_LIST = "la_codes/la_list_2016_17_152_las.csv"
COMMITTED_BEFORE_CHECKPOINT = "256MB"  # how much DuckDB log a national load lets grow between checkpoints


def national_la_codes() -> list[str]:
    """The 152 LA codes of the 2016-17 list, in the list's order."""
    return [row["old_la_code"] for row in read_csv(LA_LIST)]


def la_seed(seed: int, la_code: str) -> int:
    """A per-LA seed: stable for (seed, LA) whatever else is generated, and different between LAs."""
    digest = hashlib.sha256(f"national:{seed}:{la_code}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def generate_national(
    years: list[str],
    seed: int,
    out: Path,
    scale: float = 1.0,
    la_codes: Sequence[str] | None = None,
    *,
    workers: int = 1,
) -> list[SynthResult]:
    """Generate each LA (default all 152) under out/<la_code>/; results in the order of `la_codes`.

    Args:
        years: contiguous collection years, e.g. parse_years("2013-14:2016-17").
        seed: the national seed; each LA's own seed is la_seed(seed, code).
        out: the national folder.
        scale: multiplies every LA's volumes.
        la_codes: a subset of the 2016-17 list (default every LA in it).
        workers: processes generating LAs side by side (each LA is one process's work).
    """
    codes = _checked_codes(la_codes)
    out = Path(out)
    jobs = [(code, years, la_seed(seed, code), out / code, scale) for code in codes]
    if workers <= 1 or len(jobs) <= 1:
        return [_generate_one(*job) for job in jobs]
    with WorkerPool(min(workers, len(jobs))) as pool:
        futures = [pool.submit(_generate_one, *job) for job in jobs]
        return [f.result() for f in futures]


def _generate_one(la_code: str, years: list[str], seed: int, out: Path, scale: float) -> SynthResult:
    return generate(la_code, years, seed, out, scale=scale)


def _checked_codes(la_codes: Sequence[str] | None) -> list[str]:
    known = national_la_codes()
    if la_codes is None:
        return known
    unknown = [c for c in la_codes if c not in known]
    if unknown:
        raise ValueError(f"not in the 2016-17 list of 152 LAs ({LA_LIST}): {', '.join(unknown)}")
    return list(la_codes)


def national_folders(out: Path) -> list[tuple[str, Path]]:
    """(la_code, folder) for each LA folder under a national set, in code order."""
    return sorted(
        (folder.name, folder)
        for folder in Path(out).iterdir()
        if folder.is_dir() and folder.name.isdigit() and len(folder.name) == 3
    )


def load_national(out: Path, db: Path, *, workers: int | None = None) -> list[LoadReport]:
    """Load every LA folder of a national set into one store, each as its own LA (folder name = LA code).

    Each LA is prepared and committed as `load <folder> --la <code>` would (all its returns in one
    transaction, nothing stored for an LA with a problem, which stops the run), but with one pool of reader
    processes for the whole set, reading a few LAs ahead while the one before is committed: parsing is the
    cost, and a pool per LA would start and import its workers 152 times.
    """
    folders = national_folders(out)
    if not folders:
        raise FileNotFoundError(f"no LA folders (named by 3-digit LA code) under {out}")
    options = [LoadOptions(la=code, origin=national_origin(folder)) for code, folder in folders]
    problems = [p for o in options for p in o.problems()]
    if problems:
        raise ReturnRejected(problems)
    workers = workers or os.cpu_count() or 1
    con = connect(db)
    # The readers keep every core busy, so DuckDB's own threads only contend with them for the commits; and a
    # checkpoint at each LA's commit (DuckDB's default, once its log passes 16 MB) rewrites the same tables 152
    # times: deferred, they are rewritten every COMMITTED_BEFORE_CHECKPOINT of log and when the store is closed.
    con.execute("SET threads = 1")
    con.execute(f"SET checkpoint_threshold = '{COMMITTED_BEFORE_CHECKPOINT}'")
    reports = []
    try:
        with WorkerPool(workers) as pool:
            pending = iter(zip(folders, options, strict=True))
            queued: deque[Preparing] = deque()

            def read_ahead() -> None:
                found = next(pending, None)
                if found is not None:
                    (_, folder), la_options = found
                    queued.append(prepare_in(pool, [folder], la_options))

            for _ in range(2 * workers):  # a few LAs ahead, so readers never wait and memory stays bounded
                read_ahead()
            while queued:
                preparing = queued.popleft()
                read_ahead()
                reports.append(commit(con, preparing.batch()))
    finally:
        con.close()
    return reports


__all__ = ["generate_national", "la_seed", "load_national", "national_folders", "national_la_codes"]
