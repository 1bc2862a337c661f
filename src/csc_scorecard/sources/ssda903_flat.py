"""An SSDA903 CSV return read by DuckDB's read_csv and checked in SQL: the rules of ssda903._Converter and
_YearFit over whole tables at once (sources/vectorised.py).

Only a plain file is read this way: UTF-8, no quotes, no NUL, every line after the header a row of the header's
width (so a row's line is its position). `read_csv_flat` returns None for anything else, and for any value or
row the value-by-value reader would object to; `ssda903.read_csv` then reads the return that way, which words
every Problem exactly as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ..periods import parse_financial_year
from . import ssda903 as rules
from . import vectorised
from .codelists import codelist
from .fields import checked_la
from .model import ParsedReturn, sha256_files
from .problems import Problems
from .tables import TABLES_BY_NAME
from .vectorised import Column
from .year import Latest, decide

# Below this many bytes a return is read value by value: DuckDB takes some 6 ms to plan each table's checks,
# longer than Python takes to check a small table. The lines cross between 0.25 and 0.29 MB (`ssda903.read_csv`'s
# CPU, one process, national synthetic returns, best of five: 0.22 MB 0.083 s flat against 0.078 s; 0.25 MB 0.085
# against 0.085; 0.27 MB 0.091 against 0.096; 0.31 MB 0.092 against 0.105; 0.35 MB 0.091 against 0.116; 0.44 MB
# 0.104 against 0.157).
FLAT_FROM_BYTES = 300_000


def read_csv_flat(
    files: list[Path], *, la: str | None, year: str | None, folder_name: str
) -> ParsedReturn | None:
    """The return, or None when the value-by-value reader must read it (a problem, a file not plain, or a
    return smaller than FLAT_FROM_BYTES)."""
    if sum(p.stat().st_size for p in files) < FLAT_FROM_BYTES:
        return None
    return read_csv_checked(files, la=la, year=year, folder_name=folder_name)


def read_csv_checked(
    files: list[Path], *, la: str | None, year: str | None, folder_name: str
) -> ParsedReturn | None:
    """`read_csv_flat` whatever the return's size."""
    scratch = Problems(folder_name)
    la_code = checked_la(la, scratch, "the SSDA903 CSV")
    if not files or la_code is None:
        return None
    plain: dict[str, _Plain] = {}
    for path in files:
        found = _plain(path)
        if found is None or found.table in plain:
            return None
        plain[found.table] = found
    con = vectorised.connect()
    try:
        decided = decide(
            scratch,
            rules.YEARS,
            option=year,
            folder=folder_name,
            files=[p.name for p in files],
            latest=Latest(lambda: _latest(con, plain.values()), "event dates in the data"),
        )
        if decided is None or scratch.total:
            return None
        tables = {}
        for table in rules.TABLE_COLUMNS:
            if table in plain:
                converted = _convert(con, plain[table], decided.year)
                if converted is None:
                    return None
                tables[rules.STORE_TABLE[table]] = converted
    except duckdb.Error:
        return None  # a row of another width, or something else read_csv will not take: say so in Python
    finally:
        con.close()
    if not _fits_the_year(tables, decided.year):
        return None
    return ParsedReturn(
        kind=rules.KIND,
        format="ssda903_csv",
        source_name=folder_name,
        files=files,
        sha256=sha256_files(files),
        la_code=la_code,
        collection_year=decided.year,
        year_source=decided.source,
        tables=tables,
    )


@dataclass(frozen=True)
class _Plain:
    path: Path
    table: str  # the DfE table its header is
    columns: tuple[str, ...]  # as the header names them
    rows: int  # lines after the header

    def source(self) -> str:
        """The file as a table expression (its one parameter, the path), with any column DfE added later."""
        given = ", ".join(f"'{c}': 'VARCHAR'" for c in self.columns)
        later = "".join(
            f', NULL::VARCHAR AS "{c}"' for c in rules.TABLE_COLUMNS[self.table] if c not in self.columns
        )
        return (
            f"(SELECT *{later} FROM read_csv(?, header = true, delim = ',', quote = '', escape = '', "
            f"columns = {{{given}}}, auto_detect = false, strict_mode = true, null_padding = false))"
        )


def _plain(path: Path) -> _Plain | None:
    """The file's table and lines, or None when the file is not plain: not UTF-8, quoted, holding NUL or a lone
    carriage return, or with a header that is not exactly one DfE table's."""
    data = path.read_bytes()
    if not data.strip() or data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data or b'"' in data:
        return None
    crlf = data.count(b"\r\n")
    if data.count(b"\r") != crlf or crlf not in (0, data.count(b"\n")):
        return None  # a lone carriage return, or line ends of both kinds
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    end = data.find(b"\n")
    header = (data if end < 0 else data[:end]).decode("utf-8-sig").rstrip("\r").split(",")
    found = rules.classify_header(header)
    if not found.exact or found.table is None:
        return None
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    return _Plain(path, found.table, tuple(rules._column_name(h) for h in header), lines - 1)


def _latest(con: duckdb.DuckDBPyConnection, files: Iterable[_Plain]) -> dt.date | None:
    """The latest event date in the data, read as ssda903._loose_date reads one."""
    days = []
    for plain in files:
        dated = [c for c in plain.columns if c in rules.EVENT_DATES]
        if dated:
            latest = ", ".join(f'max(dmy_day(padded_dmy(clean("{c}"))))' for c in dated)
            days.extend(
                con.execute(f"SELECT {latest} FROM {plain.source()}", [str(plain.path)]).fetchall()[0]
            )
    return max((d for d in days if d is not None), default=None)


def _convert(con: duckdb.DuckDBPyConnection, plain: _Plain, year: str) -> pa.Table | None:
    table = plain.table
    required = rules.MANDATORY[table]
    columns = [_column(spec, spec.column in required, year) for spec in rules.FIELDS[table]]
    extra = "TRUE"
    if table == "Header":
        columns = [c for c in columns if c.name != "upn"] + _header_columns()
    elif (
        table == "Episodes"
    ):  # REC is mandatory once DEC is given (a DEC that is no date is a problem anyway)
        extra = '("c_DEC" IS NULL OR "c_REC" IS NOT NULL)'
    elif table == "OC3":  # the 17th birthday (29 February's on 28 February, as periods.add_years) in the year
        end = dt.date(parse_financial_year(year) + 1, 3, 31)
        extra = f"coalesce(CAST(\"d_DOB\" + INTERVAL 17 YEAR AS DATE) <= DATE '{end}', TRUE)"
    # a row of blank cells is skipped by the value-by-value reader: leave such a file to it
    extra += " AND NOT (" + " AND ".join(f'"c_{c}" IS NULL' for c in rules.TABLE_COLUMNS[table]) + ")"
    spec = TABLES_BY_NAME[rules.STORE_TABLE[table]]
    converted = vectorised.convert(
        con, plain.source(), columns, spec.arrow_schema(), raw_columns=rules.TABLE_COLUMNS[table],
        params=[str(plain.path)], extra_ok=extra,
    )  # fmt: skip
    if converted is None or converted.num_rows != plain.rows:
        return None  # a problem, or blank lines (which the value-by-value reader skips and counts)
    targets = {f.column: f.target for f in rules.FIELDS[table]}
    key = [targets[c] for c in rules.KEY_COLUMNS[table]]
    return None if vectorised.duplicated(converted, [k for k in key if k]) else converted


def _column(spec, required: bool, year: str) -> Column:
    """One field of FIELDS as a Column; a field checked but not kept gets a name no table has."""
    name = spec.target or f"checked {spec.column}"
    if spec.kind == "text":
        return Column(name, "text", spec.column, required)
    if spec.kind == "date":
        return Column(name, "dmy_date", spec.column, required)
    if spec.kind == "code":
        return Column(
            name, "upper_code", spec.column, required, codelist(rules.KIND, spec.codes or spec.column, year)
        )
    if spec.kind == "flag":
        return Column(name, "flag", spec.column, required)
    if spec.kind == "int":
        return Column(name, "whole", spec.column, required, maximum=spec.maximum)
    if spec.kind == "partial_date":
        return Column(name, "partial_dmy", spec.column, required)
    if spec.kind == "sw_date":
        masked = year <= rules.MASKED_SW_DATES_UNTIL
        return Column(name, "masked_dmy_date" if masked else "dmy_date", spec.column, required)
    raise ValueError(f"unknown field kind {spec.kind}")


def _header_columns() -> list[Column]:
    """What _Converter._header derives: sex from the code, a UN1.. UPN as the reason the UPN is unknown."""
    sex = "CASE " + " ".join(f"WHEN upper(\"c_SEX\") = '{k}' THEN '{v}'" for k, v in rules.SEX_TO_MF.items())
    unknown = "regexp_full_match(\"c_UPN\", '(?i)UN[0-9]{1,2}')"
    return [
        Column("sex", "sql", sex + " END"),
        Column("upn", "sql", f'CASE WHEN {unknown} THEN NULL ELSE "c_UPN" END'),
        Column("upn_unknown", "sql", f'CASE WHEN {unknown} THEN upper("c_UPN") END'),
        Column("source", "sql", f"'{rules.KIND}'"),
    ]


def _fits_the_year(tables: dict[str, pa.Table], year: str) -> bool:
    """_YearFit finds nothing: no episode or missing incident dated after the year end (OC3's 17th birthdays
    are checked row by row in _convert: the store keeps no OC3 DOB), and an episode open in the year if there
    are episodes."""
    start = dt.date(parse_financial_year(year), 4, 1)
    end = dt.date(parse_financial_year(year) + 1, 3, 31)
    dated = {"cla_episodes": ("decom", "dec"), "missing": ("mis_start", "mis_end")}
    for name, columns in dated.items():
        for column in columns if name in tables else ():
            latest = pc.max(tables[name][column]).as_py()
            if latest is not None and latest > end:
                return False
    episodes = tables.get("cla_episodes")
    if episodes is None or episodes.num_rows == 0:
        return True
    starts_by_end = pc.less_equal(episodes["decom"], pa.scalar(end))
    ended_before = pc.fill_null(pc.less(episodes["dec"], pa.scalar(start)), False)
    return pc.any(pc.and_(starts_by_end, pc.invert(ended_before))).as_py() is True


__all__ = ["FLAT_FROM_BYTES", "read_csv_checked", "read_csv_flat"]
