"""A throwaway PostgreSQL cluster for tests and benchmarks: Debian's server (`make system-packages` installs
it), started on a free local port in a folder of its own, with a password, and removed afterwards.

PostgreSQL refuses to run as root, so as root the cluster is the `postgres` user's (runuser); as anyone else
it is theirs. Nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import csv
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from csc_scorecard.sources.ssd.spec import TIME_WINDOWS, field_types, ssd_tables

USER = "csc"
PASSWORD = "a throwaway password for tests"
SQL_TYPES = {"datetime": "timestamp", "int": "integer", "float": "double precision"}


def server_bin() -> Path:
    """The folder holding initdb and pg_ctl: on the PATH, else Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not versions:
        raise RuntimeError("no PostgreSQL server found: run `make system-packages` (Debian's postgresql)")
    return Path(versions[-1]).parent


@dataclass(frozen=True)
class Cluster:
    port: int
    database: str = "postgres"

    @property
    def url(self) -> str:
        """The SQLAlchemy URL without the password, as an analyst types it."""
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{self.database}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def cluster() -> Iterator[Cluster]:
    binaries = server_bin()
    root = Path(tempfile.mkdtemp(prefix="csc-postgres-"))
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    data, password_file, log = root / "data", root / "password", root / "server.log"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    if as_root:
        owner = pwd.getpwnam("postgres")
        for path in (root, password_file):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    port = _free_port()
    run = {"check": True, "capture_output": True, "text": True}
    subprocess.run(
        [*prefix, str(binaries / "initdb"), "-D", str(data), "-U", USER, "--auth=scram-sha-256",
         f"--pwfile={password_file}", "--encoding=UTF8", "--no-instructions"],
        **run,
    )  # fmt: skip
    options = f"-p {port} -h 127.0.0.1 -k {root} -c fsync=off"
    subprocess.run(
        [*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"],
        **run,
    )
    try:
        yield Cluster(port)
    finally:
        subprocess.run([*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       check=False, capture_output=True)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


def fill_from_extract(url: str, password: str, folder: Path, schema: str) -> dict[str, int]:
    """Create the SSD's tables (the data model's types) in `schema`, copy a CSV extract into them, and make
    its time windows a view, as the SSD's deployment scripts do."""
    import psycopg

    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    types = field_types()
    counts = {}
    with psycopg.connect(conninfo, password=password, autocommit=True) as con:
        con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        for path in sorted(folder.glob("ssd_*.csv")):
            table = path.stem
            with path.open(encoding="utf-8") as handle:
                reader = csv.reader(handle)
                header = next(reader)
                rows = [[value if value != "" else None for value in row] for row in reader]
            counts[table] = len(rows)
            if table == TIME_WINDOWS:
                run, start = rows[0][header.index("ssd_run_date")], rows[0][header.index("ssd_window_start")]
                con.execute(
                    f'CREATE VIEW "{schema}"."{table}" AS SELECT DATE \'{run}\' AS ssd_run_date, '
                    f"DATE '{start}' AS ssd_window_start"
                )
                continue
            ddl = ", ".join(f'"{c}" {SQL_TYPES.get(types[(table, c)], "text")}' for c in ssd_tables()[table])
            con.execute(f'CREATE TABLE "{schema}"."{table}" ({ddl})')
            names = ", ".join(f'"{h}"' for h in header)
            with con.cursor().copy(f'COPY "{schema}"."{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
    return counts


__all__ = ["PASSWORD", "USER", "Cluster", "cluster", "fill_from_extract", "server_bin"]
