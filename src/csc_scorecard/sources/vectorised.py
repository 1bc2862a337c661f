"""Field checks as DuckDB SQL over a whole table of raw text at once: the vectorised twin of fields.py.

A reader that has flattened a return into columns of raw text (None where an element or cell is absent) says
what each stored column is made from (`Column`) and gets back the store's Arrow table, or None when any value
would fail its check. The checks are the same rules as FieldChecker's, never looser: a value that this module
cannot be sure of (whitespace Python would strip but this does not, digits other than 0-9, a code that is not
plain ASCII) counts as failing. On None the reader reads the return again value by value in Python, which
words every Problem (file, line or element, field, value, rule) exactly as it always has: faults are rare and
their wording lives in one place, while a good return is checked in DuckDB without a Python step per value.

    table = convert(connect(), raw, (Column("child_id", "text", "LAchildID", required=True), ...), schema)
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

# What Python's str.strip() strips (str.isspace()), so that a cleaned value here is the one fields.clean gives.
_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_PARTIAL = "(?i)([0-9]{2}|zz)/([0-9]{2}|zz)/([0-9]{4}|zzzz)"
_MACROS = (
    # fields.clean: stripped, None when blank
    # (trimming a value that starts and ends with a printable ASCII character would change nothing: the
    # trim with Python's whole whitespace set is slow, so it runs only on the few values that need it)
    "CREATE MACRO clean(v) AS CASE WHEN v = '' THEN NULL WHEN v[1] BETWEEN '!' AND '~' AND v[-1] BETWEEN '!' "
    f"AND '~' THEN v ELSE nullif(trim(v, '{_WHITESPACE}'), '') END",
    # a real day written YYYY-MM-DD (fields.FieldChecker.date, "iso"); year 0 is no day in Python
    r"CREATE MACRO iso_day(v) AS CASE WHEN regexp_full_match(v, '[0-9]{4}-[0-9]{2}-[0-9]{2}') "
    r"AND NOT starts_with(v, '0000') THEN try_cast(v AS DATE) END",
    # Excel's 1/4/2016 padded to 01/04/2016, as the 903 reader pads it before checking
    r"CREATE MACRO padded_dmy(v) AS CASE WHEN regexp_full_match(v, '[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}') "
    r"THEN lpad(split_part(v, '/', 1), 2, '0') || '/' || lpad(split_part(v, '/', 2), 2, '0') || '/' "
    r"|| split_part(v, '/', 3) ELSE v END",
    r"CREATE MACRO dmy_day(v) AS CASE WHEN regexp_full_match(v, '[0-9]{2}/[0-9]{2}/[0-9]{4}') "
    r"AND NOT ends_with(v, '0000') THEN try_strptime(v, '%d/%m/%Y')::DATE END",
    # ssda903._partial_date_ok: dd/mm/YYYY with ZZ for an unknown day or month (or year); a full date is real
    f"CREATE MACRO partial_dmy_ok(v) AS regexp_full_match(v, '{_PARTIAL}') AND CASE WHEN "
    "regexp_full_match(v, '[0-9]{2}/[0-9]{2}/[0-9]{4}') THEN dmy_day(v) IS NOT NULL ELSE "
    "(upper(split_part(v, '/', 1)) = 'ZZ' OR try_cast(split_part(v, '/', 1) AS INTEGER) BETWEEN 1 AND 31) AND "
    "(upper(split_part(v, '/', 2)) = 'ZZ' OR try_cast(split_part(v, '/', 2) AS INTEGER) BETWEEN 1 AND 12) END",
    # FieldChecker.boolean: true/false or 1/0, any case (plain ASCII only, so lower() is Python's)
    "CREATE MACRO boolean_ok(v) AS regexp_full_match(v, '[A-Za-z01]+') AND lower(v) IN ('true', 'false', '1', '0')",
    # FieldChecker.integer with minimum 0: digits 0-9 only (Python's isdigit takes other digits too)
    "CREATE MACRO whole(v) AS CASE WHEN regexp_full_match(v, '[0-9]+') THEN try_cast(v AS INTEGER) END",
)

KINDS = (
    "text", "iso_date", "dmy_date", "masked_dmy_date", "partial_dmy", "code", "upper_code", "boolean", "whole",
    "flag", "iso_dates", "codes", "sql",
)  # fmt: skip


@dataclass(frozen=True)
class Column:
    """One stored column: `kind` of check on the raw column `raw` (a list column for iso_dates and codes).

    `codes`: the valid codes (code, upper_code, codes); `maximum` for whole; for kind "sql", `raw` is an SQL
    expression over the cleaned raw columns (named c_<raw column>) and `ok` its check."""

    name: str
    kind: str
    raw: str
    required: bool = False
    codes: frozenset[str] = frozenset()
    maximum: int | None = None
    ok: str = "TRUE"


def _literal(codes: frozenset[str]) -> str:
    return "[" + ", ".join("'" + c.replace("'", "''") + "'" for c in sorted(codes)) + "]::VARCHAR[]"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# What a kind reads besides the cleaned text c_<raw>, each computed once per raw column in a layer of its own:
# DuckDB expands macros inline, so a macro nested in another would repeat its argument many times over.
_PADDED, _DMY, _ISO, _WHOLE, _LIST = "p_", "d_", "i_", "w_", "l_"
_NEEDS = {
    "dmy_date": (_PADDED, _DMY), "masked_dmy_date": (_PADDED, _DMY), "partial_dmy": (_PADDED,),
    "iso_date": (_ISO,), "whole": (_WHOLE,), "iso_dates": (_LIST,), "codes": (_LIST,),
}  # fmt: skip
_LAYERS = (
    {_PADDED: "padded_dmy({c})", _ISO: "iso_day({c})", _WHOLE: "whole({c})", _LIST: "list_transform({raw}, lambda x: clean(x))"},
    {_DMY: "dmy_day({p})"},
)  # fmt: skip


def _value_and_check(column: Column) -> tuple[str, str]:
    """(SQL for the stored value, SQL that is TRUE when FieldChecker would add no Problem) over cleaned text."""
    v, p, d, i, w, listed = (
        _quoted(prefix + column.raw) for prefix in ("c_", _PADDED, _DMY, _ISO, _WHOLE, _LIST)
    )
    present = f"{v} IS NOT NULL"
    blank_ok = "FALSE" if column.required else "TRUE"
    kind = column.kind
    if kind == "text":
        return v, f"({present} OR {blank_ok})"
    if kind in ("iso_date", "dmy_date"):
        day = i if kind == "iso_date" else d
        return day, f"(CASE WHEN {present} THEN {day} IS NOT NULL ELSE {blank_ok} END)"
    if kind == "code":
        return (
            v,
            f"(CASE WHEN {present} THEN list_contains({_literal(column.codes)}, {v}) ELSE {blank_ok} END)",
        )
    if kind == "upper_code":  # compared and kept upper-cased (903); ASCII only, so upper() is Python's
        check = f"regexp_full_match({v}, '[ -~]+') AND list_contains({_literal(column.codes)}, upper({v}))"
        return f"upper({v})", f"(CASE WHEN {present} THEN {check} ELSE {blank_ok} END)"
    if kind == "boolean":
        return (
            f"lower({v}) IN ('true', '1')",
            f"(CASE WHEN {present} THEN boolean_ok({v}) ELSE {blank_ok} END)",
        )
    if kind == "whole":
        top = "" if column.maximum is None else f" AND {w} <= {column.maximum}"
        return w, f"(CASE WHEN {present} THEN {w} IS NOT NULL{top} ELSE {blank_ok} END)"
    if kind == "flag":  # the 903's 0 or 1
        return (
            f"try_cast({v} AS INTEGER)",
            f"(CASE WHEN {present} THEN {v} IN ('0', '1') ELSE {blank_ok} END)",
        )
    if kind == "partial_dmy":  # the 903's DATE_PERM: zz for an unknown day or month, kept as written (padded)
        return p, f"(CASE WHEN {present} THEN partial_dmy_ok({p}) ELSE {blank_ok} END)"
    if kind == "masked_dmy_date":  # a social worker date up to 2024-25: ZZ parts make it unknown
        masked = f"contains(upper({v}), 'Z')"
        return f"CASE WHEN {masked} THEN NULL ELSE {d} END", (
            f"(CASE WHEN NOT {present} THEN {blank_ok} WHEN {masked} THEN regexp_full_match({v}, '{_PARTIAL}') "
            f"ELSE {d} IS NOT NULL END)"
        )
    if kind == "iso_dates":  # every repeat a real day (each is required)
        days = f"list_transform({listed}, lambda x: iso_day(x))"
        return days, f"({listed} IS NULL OR len(list_filter({days}, lambda d: d IS NULL)) = 0)"
    if kind == "codes":
        valid = f"lambda c: NOT coalesce(list_contains({_literal(column.codes)}, c), FALSE)"
        return listed, f"({listed} IS NULL OR len(list_filter({listed}, {valid})) = 0)"
    if kind == "sql":
        return column.raw, f"({column.ok})"
    raise ValueError(f"unknown column kind {kind}")


@cache
def _database() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"threads": 1})  # one thread: readers already run one per core
    for macro in _MACROS:
        con.execute(macro)
    return con


def connect() -> duckdb.DuckDBPyConnection:
    """A connection to this process's in-memory DuckDB with the check macros (made once: it takes longer to
    make than to check a small return); close it when done."""
    return _database().cursor()


def convert(
    con: duckdb.DuckDBPyConnection,
    raw: pa.Table | str,
    columns: Sequence[Column],
    schema: pa.Schema,
    *,
    raw_columns: Sequence[str] = (),
    params: Sequence[object] = (),
    extra_ok: str = "TRUE",
) -> pa.Table | None:
    """The store's table made from `raw`, or None if any row fails a check.

    `raw` is an Arrow table of text columns and src_line, or a table expression (a read_csv call, with its
    `params`) whose text columns are `raw_columns`, one row a line after a header line (src_line from 2). Each
    text column is cleaned once as c_<name>; `extra_ok` is a further check per row over them."""
    if isinstance(raw, pa.Table):
        if raw.num_rows == 0:  # no value to check, and planning the query costs some 5 ms
            return schema.empty_table()
        raw_columns = [f.name for f in raw.schema if f.name != "src_line" and not pa.types.is_list(f.type)]
    source = "raw_rows" if isinstance(raw, pa.Table) else raw
    cleaned = ", ".join(f"clean({_quoted(name)}) AS {_quoted('c_' + name)}" for name in raw_columns)
    source = f"(SELECT *, {cleaned} FROM {source})"
    for layer in _LAYERS:
        made = {
            f"{template.format(c=_quoted('c_' + c.raw), p=_quoted(_PADDED + c.raw), raw=_quoted(c.raw))} "
            f"AS {_quoted(prefix + c.raw)}"
            for c in columns
            for prefix, template in layer.items()
            if prefix in _NEEDS.get(c.kind, ())
        }
        if made:
            source = f"(SELECT *, {', '.join(sorted(made))} FROM {source})"
    values, checks = zip(*(_value_and_check(c) for c in columns), strict=True)
    selected = ", ".join(f"{value} AS {_quoted(c.name)}" for value, c in zip(values, columns, strict=True))
    lines = ", src_line" if isinstance(raw, pa.Table) else ""
    # in the order read: DuckDB keeps insertion order
    query = f"SELECT {selected}{lines}, ({' AND '.join(checks)} AND {extra_ok}) AS row_ok FROM {source}"
    if isinstance(raw, pa.Table):
        con.register("raw_rows", raw)
    try:
        with warnings.catch_warnings():
            # con.sql would plan the query twice (to describe the relation, then to run it), which costs more
            # than the extra copy of the rows that DuckDB warns a result of con.execute makes into Arrow
            warnings.filterwarnings("ignore", "Arrow output on a DB-API result", UserWarning)
            table = con.execute(query, list(params) or None).to_arrow_table()
    finally:
        if isinstance(raw, pa.Table):
            con.unregister("raw_rows")
    ok = table.column("row_ok")
    if ok.null_count or not pc.all(ok, min_count=0).as_py():
        return None
    if "src_line" not in table.column_names:  # a file read in order, one row a line after its header
        table = table.append_column("src_line", pa.array(range(2, table.num_rows + 2), pa.int32()))
    for missing in (f for f in schema if f.name not in table.column_names):  # no reader fills it: None
        table = table.append_column(missing.name, pa.nulls(table.num_rows, missing.type))
    return table.select(schema.names).cast(schema)


def duplicated(table: pa.Table, key: Sequence[str]) -> bool:
    """Whether two rows share a key none of whose parts is missing (a row missing one is already a Problem)."""
    keyed = table.select(list(key))
    for name in key:
        keyed = keyed.filter(pc.is_valid(keyed[name]))
    counts = keyed.group_by(list(key)).aggregate([([], "count_all")])
    return counts.num_rows > 0 and pc.max(counts["count_all"]).as_py() > 1


__all__ = ["KINDS", "Column", "connect", "convert", "duplicated"]
