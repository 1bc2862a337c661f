"""Light data-quality checks, shown on the dashboard's data page and, when data loaded since the last board pack
fails one, in the board's what changed: counts of records that break a simple rule, per LA and collection year,
never the records themselves (an analyst finds them with the validators or `indicators --explain`). DfE's full
rule sets run separately: `csc-scorecard validate`."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class Check:
    id: str
    table: str
    rule: str  # what a good record does
    where: str  # SQL condition that finds a record breaking the rule (fixed text, never user input)


CHECKS: tuple[Check, ...] = (
    Check("dob_missing", "children", "every child has a date of birth (or an expected one)",
          "dob IS NULL AND expected_dob IS NULL"),
    Check("dob_future", "children", "no date of birth after the end of the collection year",
          "dob > make_date(CAST(left(collection_year, 4) AS INTEGER) + 1, 3, 31)"),
    Check("cin_closed_before_referral", "cin_episodes", "a CIN episode closes on or after its referral",
          "closure_date < referral_date"),
    Check("assessment_before_start", "assessments", "an assessment is authorised on or after it starts",
          "authorised_date < start_date"),
    Check("cp_plan_ends_before_start", "cp_plans", "a child protection plan ends on or after it starts",
          "end_date < start_date"),
    Check("cla_episode_ends_before_start", "cla_episodes", "a care episode ends on or after it starts",
          "dec < decom"),
)  # fmt: skip


@dataclass(frozen=True)
class Finding:
    check: Check
    la_code: str
    collection_year: str
    failing: int
    checked: int


def run_checks(con: duckdb.DuckDBPyConnection, la_code: str | None = None) -> list[Finding]:
    """Every check on the canonical tables, one finding per (check, LA, year) with at least one record."""
    out: list[Finding] = []
    for check in CHECKS:
        rows = con.execute(
            f"SELECT la_code, collection_year, count(*) FILTER (WHERE {check.where}), count(*) FROM {check.table} "
            "WHERE ? IS NULL OR la_code = ? GROUP BY ALL ORDER BY 1, 2",
            [la_code, la_code],
        ).fetchall()
        out.extend(Finding(check, la, year, failing, checked) for la, year, failing, checked in rows)
    return out
