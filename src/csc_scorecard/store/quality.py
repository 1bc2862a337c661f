"""Data quality: what the store finds on the canonical tables at each rebuild, and lists rather than hides.

Structural faults (a date that does not parse, an unknown code, a missing id) refuse a load in the readers.
Logical faults that DfE's validators flag but councils submit anyway load: each record that breaks a rule
below is flagged in `quality_flags`, with the DfE validator's rule number where there is one, and listed by
`csc-scorecard quality` and on the dashboard's data page. A figure the fault would distort leaves the record
out and counts it in its notes (the catalogue's `leaves_out`, engine/build.py).

Three more kinds of record are flagged here:
- **open records a later return no longer carries**: a CIN episode, child protection plan or 903 episode open
  at the end of its return's year that the next loaded return of the same kind does not hold (its id
  changed, or it was deleted as recorded in error). For dates in that return's year the later return
  decides: `not_carried_from` is set to the first day of its year, and stock counts take the record as
  closed from then on;
- **facts that disagree between returns**: a child whose date of birth, or sex (M or F), differs between the
  returns loaded (CIN and 903, or two years). The store keeps one by a rule that does not depend on the
  order the returns were loaded in (store/load.py `CHILDREN_ORDER`), and lists every conflict;
- **a reader's warnings** (a coded Annex A answer no indicator reads, kept as written): stored with their load.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import duckdb

from ..periods import parse_financial_year
from ..sources.model import ParsedReturn
from ..sources.registry import kind_names
from ..sources.tables import TABLES_BY_NAME

FLAG_COLUMNS = (
    "la_code", "collection_year", "load_id", "table_name", "src_line", "child_id", "record", "rule", "dfe_rule",
    "detail", "found_by",
)  # fmt: skip
READER_WARNING = "kept_as_written"  # the rule of a reader's warning


def _day(column: str) -> str:
    """A date column as dd/mm/YYYY in SQL text (the columns are the rules' own, never input)."""
    return f"coalesce(strftime({column}, '%d/%m/%Y'), 'no date')"


@dataclass(frozen=True)
class Rule:
    id: str
    table: str  # the canonical table of the records it flags
    dfe: str | None  # the DfE validator rule it matches: "CIN 8608", "903 356"
    says: str  # what a flagged record is, in words
    sql: str  # la_code, collection_year, load_id, src_line, child_id, record, detail of each record; $la the LA


_EPISODE_REFERRED = "'episode referred ' || " + _day("e.referral_date")

RULES: tuple[Rule, ...] = (
    Rule(
        "assessment_authorised_before_start", "assessments", "CIN 8608",
        "an assessment authorised before it started",
        f"""SELECT a.la_code, a.collection_year, a.load_id, a.src_line, a.child_id,
              'assessment started ' || {_day("a.start_date")} || ' (referral ' || {_day("a.referral_date")} || ')',
              'authorised ' || {_day("a.authorised_date")} || ', before it started'
            FROM assessments AS a WHERE a.la_code = $la AND a.authorised_date < a.start_date""",
    ),
    Rule(
        "s47_conference_before_start", "section47", "CIN 8615",
        "an initial child protection conference before its section 47 enquiry started",
        f"""SELECT s.la_code, s.collection_year, s.load_id, s.src_line, s.child_id,
              'section 47 started ' || {_day("s.start_date")} || ' (referral ' || {_day("s.referral_date")} || ')',
              'initial conference ' || {_day("s.icpc_date")} || ', before the enquiry started'
            FROM section47 AS s WHERE s.la_code = $la AND s.icpc_date < s.start_date""",
    ),
    Rule(
        "cp_plan_ends_before_start", "cp_plans", "CIN 8925",
        "a child protection plan ending before it started",
        f"""SELECT p.la_code, p.collection_year, p.load_id, p.src_line, p.child_id,
              'plan started ' || {_day("p.start_date")},
              'ended ' || {_day("p.end_date")} || ', before it started'
            FROM cp_plans AS p WHERE p.la_code = $la AND p.end_date < p.start_date""",
    ),
    Rule(
        "cin_episode_closed_before_referral", "cin_episodes", "CIN 8630",
        "a CIN episode closed before its referral",
        f"""SELECT e.la_code, e.collection_year, e.load_id, e.src_line, e.child_id, {_EPISODE_REFERRED},
              'closed ' || {_day("e.closure_date")} || ', before the referral'
            FROM cin_episodes AS e WHERE e.la_code = $la AND e.closure_date < e.referral_date""",
    ),
    Rule(
        "cla_episode_ends_before_start", "cla_episodes", "903 356",
        "a care episode ending before it started",
        f"""SELECT e.la_code, e.collection_year, e.load_id, e.src_line, e.child_id,
              'episode started ' || {_day("e.decom")},
              'ceased ' || {_day("e.dec")} || ', before it started'
            FROM cla_episodes AS e WHERE e.la_code = $la AND e.dec < e.decom""",
    ),
    Rule(
        "missing_ends_before_start", "missing", "903 567",
        "a missing or away incident ending before it started",
        f"""SELECT m.la_code, m.collection_year, m.load_id, m.src_line, m.child_id,
              'incident (' || m.missing || ') started ' || {_day("m.mis_start")},
              'ended ' || {_day("m.mis_end")} || ', before it started'
            FROM missing AS m WHERE m.la_code = $la AND m.mis_end < m.mis_start""",
    ),
    Rule(
        "dob_after_year_end", "children", "CIN 8520, 903 301",
        "a date of birth after the end of the collection year",
        f"""SELECT c.la_code, c.collection_year, c.load_id, c.src_line, c.child_id, 'child',
              'born ' || {_day("c.dob")} || ', after the end of the ' || c.collection_year || ' return''s year'
            FROM children AS c
            WHERE c.la_code = $la AND c.dob > make_date(CAST(left(c.collection_year, 4) AS INTEGER) + 1, 3, 31)""",
    ),
    # Overlaps follow the validators' own tests. An open record a later return no longer carries ends when that
    # return's year begins.
    Rule(
        "cin_episodes_overlap", "cin_episodes", "CIN 8820",
        "a CIN episode starting while another of the child's is open",
        f"""SELECT e.la_code, e.collection_year, e.load_id, e.src_line, e.child_id, {_EPISODE_REFERRED},
              'starts while the episode referred ' || {_day("min(o.referral_date)")} || ' is open'
            FROM cin_episodes AS e
            JOIN cin_episodes AS o ON o.la_code = e.la_code AND o.child_id = e.child_id
              AND e.referral_date > o.referral_date
              AND (e.referral_date < coalesce(o.closure_date, o.not_carried_from)
                   OR (coalesce(o.closure_date, o.not_carried_from) IS NULL AND NOT coalesce(o.referral_nfa, FALSE)))
            WHERE e.la_code = $la
            GROUP BY e.la_code, e.collection_year, e.load_id, e.src_line, e.child_id, e.referral_date""",
    ),
    Rule(
        "cp_plans_overlap", "cp_plans", "CIN 8940",
        "a child protection plan starting on or before the end of another of the child's",
        f"""SELECT p.la_code, p.collection_year, p.load_id, p.src_line, p.child_id,
              'plan started ' || {_day("p.start_date")},
              'starts while the plan started ' || {_day("min(o.start_date)")} || ' is open'
            FROM cp_plans AS p
            JOIN cp_plans AS o ON o.la_code = p.la_code AND o.child_id = p.child_id
              AND p.start_date > o.start_date
              AND (p.start_date <= coalesce(o.end_date, o.not_carried_from)
                   OR coalesce(o.end_date, o.not_carried_from) IS NULL)
            WHERE p.la_code = $la
            GROUP BY p.la_code, p.collection_year, p.load_id, p.src_line, p.child_id, p.start_date""",
    ),
    Rule(
        "cla_episodes_overlap", "cla_episodes", "903 501",
        "a care episode starting before the previous one ceased",
        f"""SELECT e.la_code, e.collection_year, e.load_id, e.src_line, e.child_id,
              'episode started ' || {_day("e.decom")},
              'starts before the previous episode ceased on ' || {_day("e.previous_dec")}
            FROM (
              SELECT *, lag(dec) OVER (PARTITION BY la_code, child_id ORDER BY decom, load_id, src_line) AS previous_dec
              FROM cla_episodes WHERE la_code = $la
            ) AS e
            WHERE e.decom < e.previous_dec""",
    ),
    Rule(
        "missing_overlap", "missing", "903 574",
        "a missing or away incident starting while the previous one is open",
        f"""SELECT m.la_code, m.collection_year, m.load_id, m.src_line, m.child_id,
              'incident (' || m.missing || ') started ' || {_day("m.mis_start")},
              CASE WHEN m.previous_end IS NULL THEN 'starts while the previous incident has no end'
                   ELSE 'starts before the previous incident ended on ' || {_day("m.previous_end")} END
            FROM (
              SELECT *, lag(mis_end) OVER w AS previous_end, lag(mis_start) OVER w AS previous_start
              FROM missing WHERE la_code = $la
              -- the return's line settles a tie, so that the same record is named on every load
              WINDOW w AS (
                PARTITION BY la_code, child_id ORDER BY coalesce(mis_end, mis_start), mis_start, load_id, src_line
              )
            ) AS m
            WHERE m.previous_start IS NOT NULL AND (m.previous_end IS NULL OR m.mis_start < m.previous_end)""",
    ),
)  # fmt: skip


# ---- open records a later return no longer carries --------------------------------------------------------------

# Canonical tables of records that stay open until an end date, with that column.
OPEN_RECORDS = {"cin_episodes": "closure_date", "cp_plans": "end_date", "cla_episodes": "dec"}
_RECORD_WORDS = {
    "cin_episodes": ("CIN episode", "'referred ' || " + _day("t.referral_date")),
    "cp_plans": ("child protection plan", "'started ' || " + _day("t.start_date")),
    "cla_episodes": ("care episode", "'started ' || " + _day("t.decom")),
}


def _not_carried_rule(table: str) -> Rule:
    what, record = _RECORD_WORDS[table]
    named = kind_names().get(_kind(table), _kind(table))
    later = "CAST(year(t.not_carried_from) AS VARCHAR) || '-' || right(CAST(year(t.not_carried_from) + 1 AS VARCHAR), 2)"
    return Rule(
        _not_carried_id(table), table, None,
        f"an open {what} a later return does not carry",
        f"""SELECT t.la_code, t.collection_year, t.load_id, t.src_line, t.child_id, '{what} ' || {record},
              'open at the end of the ' || t.collection_year || ' {named}, not in the ' || {later}
              || ' {named}: not counted open from ' || {_day("t.not_carried_from")}
            FROM {table} AS t WHERE t.la_code = $la AND t.not_carried_from IS NOT NULL""",
    )  # fmt: skip


def _not_carried_id(table: str) -> str:
    return f"{table.removesuffix('s')}_not_carried"


def _kind(table: str) -> str:
    return TABLES_BY_NAME[table].returns[0]


def mark_not_carried(con: duckdb.DuckDBPyConnection, la_code: str) -> None:
    """Set `not_carried_from` on the LA's open records that the next loaded return of their kind (holding
    their table) does not carry. The canonical row comes from the latest return holding the record, so any
    later return holding the table is one that does not carry it."""
    loads = con.execute(
        "SELECT kind, collection_year, row_counts FROM loads WHERE la_code = ? AND status = 'current'",
        [la_code],
    ).fetchall()
    for table, end in OPEN_RECORDS.items():
        con.execute(f"UPDATE {table} SET not_carried_from = NULL WHERE la_code = ?", [la_code])
        holding = sorted(
            {year for kind, year, counts in loads if kind == _kind(table) and table in json.loads(counts)}
        )
        for year in holding:
            later = next((y for y in holding if y > year), None)
            if later is None:
                continue
            year_end = dt.date(parse_financial_year(year) + 1, 3, 31)
            con.execute(
                f"UPDATE {table} SET not_carried_from = ? WHERE la_code = ? AND collection_year = ? "
                f"AND ({end} IS NULL OR {end} > ?)",
                [dt.date(parse_financial_year(later), 4, 1), la_code, year, year_end],
            )


# ---- facts that disagree between returns --------------------------------------------------------------------------

_RETURN_NAME = "CASE l.kind WHEN 'cin' THEN 'CIN census' WHEN 'ssda903' THEN 'SSDA903' ELSE l.kind END"


def _conflict_rule(rule_id: str, column: str, words: str, shown: str, known: str) -> Rule:
    return Rule(
        rule_id, "children", None, f"a child whose {words} differs between returns",
        f"""WITH versions AS (
              SELECT r.child_id, r.{column} AS value, {shown} AS shown,
                     r.collection_year || ' ' || {_RETURN_NAME} AS in_return
              FROM raw_children AS r JOIN loads AS l ON l.load_id = r.load_id
              WHERE r.la_code = $la AND {known}
            ),
            differing AS (
              SELECT child_id, string_agg(shown || ' in the ' || in_return, ', ' ORDER BY in_return) AS said
              FROM versions GROUP BY child_id HAVING count(DISTINCT value) > 1
            )
            SELECT c.la_code, c.collection_year, c.load_id, c.src_line, c.child_id, 'child',
              '{words} differs: ' || d.said || '; the store uses the ' || c.collection_year || ' '
              || CASE c.source WHEN 'cin' THEN 'CIN census' WHEN 'ssda903' THEN 'SSDA903' ELSE c.source END || '''s'
            FROM children AS c JOIN differing AS d ON d.child_id = c.child_id
            WHERE c.la_code = $la""",
    )  # fmt: skip


CONFLICT_RULES = (
    _conflict_rule("dob_differs", "dob", "date of birth", _day("r.dob"), "r.dob IS NOT NULL"),
    _conflict_rule(
        "sex_differs", "sex", "sex", "r.sex", "r.sex IN ('M', 'F')"
    ),  # U (unknown, unborn) is no conflict
)


def all_rules() -> tuple[Rule, ...]:
    return (*RULES, *(_not_carried_rule(t) for t in OPEN_RECORDS), *CONFLICT_RULES)


def rule_ids() -> frozenset[str]:
    """Every rule's id: what an indicator may leave out. Without the rules' texts, which name the returns and
    so import every reader (sources.registry)."""
    return frozenset(
        (*(r.id for r in RULES), *map(_not_carried_id, OPEN_RECORDS), *(r.id for r in CONFLICT_RULES))
    )


def refresh(con: duckdb.DuckDBPyConnection, la_code: str) -> None:
    """Derive `not_carried_from` and flag every record of the LA that breaks a rule (after a canonical rebuild)."""
    mark_not_carried(con, la_code)
    con.execute("DELETE FROM quality_flags WHERE la_code = ? AND found_by = 'store'", [la_code])
    for rule in all_rules():
        con.execute(
            f"""INSERT INTO quality_flags ({", ".join(FLAG_COLUMNS)})
                SELECT f.la_code, f.collection_year, f.load_id, $table, f.src_line, f.child_id, f.record, $rule,
                       $dfe, f.detail, 'store'
                FROM ({rule.sql}) AS f (la_code, collection_year, load_id, src_line, child_id, record, detail)""",
            {"la": la_code, "table": rule.table, "rule": rule.id, "dfe": rule.dfe},
        )


def store_warnings(con: duckdb.DuckDBPyConnection, parsed: ParsedReturn, load_id: int) -> None:
    """A reader's warnings, kept with their load (and gone when a newer version replaces it)."""
    for warning in parsed.warnings:
        con.execute(
            f"INSERT INTO quality_flags ({', '.join(FLAG_COLUMNS)}) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, NULL, ?, 'reader')",
            [
                parsed.la_code, parsed.collection_year, load_id, parsed.kind, f"{warning.file}: {warning.location}",
                READER_WARNING, f"{warning.field} = {warning.value!r}: {warning.rule}",
            ],
        )  # fmt: skip


# ---- the listing -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    la_code: str
    collection_year: str
    kind: str  # the return's
    source_name: str  # its file or folder
    table: str
    line: int | None
    child_id: str | None
    record: str
    rule: str
    dfe_rule: str | None
    says: str  # the rule in words
    detail: str


LISTED = (
    "la_code", "collection_year", "return", "file", "line", "table", "child_id", "record", "rule", "dfe_rule",
    "what", "detail", "left_out_of",
)  # fmt: skip


def listed(found: list[Flag], leaving_out: dict[str, tuple[str, ...]]) -> list[dict[str, object]]:
    """The flags as rows of LISTED, with the indicators that leave each out (the catalogue's `leaves_out`)."""
    names = kind_names()
    return [
        {
            "la_code": f.la_code, "collection_year": f.collection_year, "return": names.get(f.kind, f.kind),
            "file": f.source_name, "line": f.line, "table": f.table, "child_id": f.child_id, "record": f.record,
            "rule": f.rule, "dfe_rule": f.dfe_rule, "what": f.says, "detail": f.detail,
            "left_out_of": " ".join(leaving_out.get(f.rule, ())),
        }
        for f in found
    ]  # fmt: skip


def rule_words() -> dict[str, str]:
    words = {rule.id: rule.says for rule in all_rules()}
    words[READER_WARNING] = "a value kept as written, with a warning"
    return words


@dataclass(frozen=True)
class FlaggedRule:
    """A rule that flags records of a collection year: what is said without the records (no child, no count)."""

    collection_year: str
    rule: str
    says: str


def flagged_rules(con: duckdb.DuckDBPyConnection, la_code: str) -> list[FlaggedRule]:
    """Each (collection year, rule) flagging a record of the LA, by year and rule, without reading the records."""
    rows = con.execute(
        "SELECT DISTINCT collection_year, rule FROM quality_flags WHERE la_code = ? ORDER BY 1, 2", [la_code]
    ).fetchall()
    words = rule_words()
    return [FlaggedRule(year, rule, words.get(rule, rule)) for year, rule in rows]


def flags(con: duckdb.DuckDBPyConnection, la_code: str | None = None) -> list[Flag]:
    """Every flagged record (of one LA, or all), by LA, year, rule and child: child-level, for analysts only."""
    rows = con.execute(
        """SELECT q.la_code, q.collection_year, l.kind, l.source_name, q.table_name, q.src_line, q.child_id,
                  q.record, q.rule, q.dfe_rule, q.detail
           FROM quality_flags AS q JOIN loads AS l ON l.load_id = q.load_id
           WHERE $la IS NULL OR q.la_code = $la
           ORDER BY q.la_code, q.collection_year, q.rule, q.child_id, q.src_line, q.record""",
        {"la": la_code},
    ).fetchall()
    words = rule_words()
    return [
        Flag(la, year, kind, source, table, line, child, record, rule, dfe, words.get(rule, rule), detail)
        for la, year, kind, source, table, line, child, record, rule, dfe, detail in rows
    ]


__all__ = [
    "CONFLICT_RULES",
    "LISTED",
    "OPEN_RECORDS",
    "READER_WARNING",
    "RULES",
    "Flag",
    "FlaggedRule",
    "Rule",
    "all_rules",
    "flagged_rules",
    "flags",
    "listed",
    "mark_not_carried",
    "refresh",
    "rule_ids",
    "rule_words",
    "store_warnings",
]
