"""An SSD extract as a snapshot: when it was taken, which days it holds in full, and the return it becomes.

An SSD is rebuilt (nightly) from the case-management system with a timeframe: every record active on any day
from the window start (six years back, by default) to the run date. Both dates come from the extract's
`ssd_vw_current_time_windows` when it has it; otherwise the run date is the day after the latest event dated
in the data, and the window the SSD's standard six years before it. The snapshot holds every day from the window
start to the day before the run (the run day is still being recorded).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from importlib.resources import files

from ...periods import add_years, financial_year_of
from ..fields import checked_la
from ..model import ParsedReturn, Snapshot
from ..problems import Problems
from . import mapping
from .extract import Extract
from .spec import TIME_WINDOWS, ssd_tables
from .values import Values

STANDARD_TIMEFRAME_YEARS = 6  # the SSD's @ssd_timeframe_years default
# Dates of things that happened (never planned): the latest of them is the last day the extract recorded.
EVENT_FIELDS = (
    ("ssd_contacts", "cont_contact_date"),
    ("ssd_cin_episodes", "cine_referral_date"),
    ("ssd_cin_assessments", "cina_assessment_start_date"),
    ("ssd_s47_enquiry", "s47e_s47_start_date"),
    ("ssd_cp_plans", "cppl_cp_plan_start_date"),
    ("ssd_cla_episodes", "clae_cla_episode_start_date"),
    ("ssd_missing", "miss_missing_episode_start_date"),
    ("ssd_cp_visits", "cppv_cp_visit_date"),
    ("ssd_cla_visits", "clav_cla_visit_date"),
    ("ssd_involvements", "invo_involvement_start_date"),
)


@cache
def read_fields() -> dict[str, frozenset[str]]:
    """Per SSD table, the fields the mapping reads (a header must have them), found in mapping.py's own text so
    that the list cannot drift from what it reads."""
    text = files(__package__).joinpath("mapping.py").read_text(encoding="utf-8")
    named = set(re.findall(r'\.get\("([a-z0-9_]+)"\)', text))
    return {table: frozenset(named & set(fields)) for table, fields in ssd_tables().items()}


def _time_windows(extract: Extract, problems: Problems) -> tuple[dt.date, dt.date] | None:
    table = extract.tables[TIME_WINDOWS]
    if len(table.rows) != 1:
        problems.add(
            table.source,
            TIME_WINDOWS,
            f"{len(table.rows)} rows",
            "must have one row: the run date and window of the SSD this extract was taken from",
        )
        return None
    where, row = table.rows[0]
    values = Values(table.problems)
    run = values.date(row.get("ssd_run_date"), where, "ssd_run_date", required=True)
    start = values.date(row.get("ssd_window_start"), where, "ssd_window_start", required=True)
    if run is None or start is None:
        return None
    if start >= run:
        table.problems.add(
            where, "ssd_window_start", f"{start:%Y-%m-%d}", f"not before the run date ({run:%d/%m/%Y})"
        )
        return None
    return run, start


def _latest_event(extract: Extract) -> dt.date | None:
    latest = None
    for name, field in EVENT_FIELDS:
        table = extract.tables.get(name)
        if table is None:
            continue
        values = Values(Problems(table.source))  # bad dates are reported by the mapping, once
        for where, row in table.rows:
            day = values.date(row.get(field), where, field)
            if day is not None and (latest is None or day > latest):
                latest = day
    return latest


def decide(extract: Extract, problems: Problems) -> Snapshot | None:
    """When the snapshot was taken and the days it holds, or None with the reason added to `problems`."""
    if TIME_WINDOWS in extract.tables:
        found = _time_windows(extract, problems)
        if found is None:
            return None
        run, start = found
        decided_by = TIME_WINDOWS
    else:
        latest = _latest_event(extract)
        if latest is None:
            problems.add(
                "extract",
                TIME_WINDOWS,
                None,
                "no dated events to tell when the extract was taken: include ssd_vw_current_time_windows",
            )
            return None
        run = latest + dt.timedelta(days=1)
        start = add_years(run, -STANDARD_TIMEFRAME_YEARS)
        decided_by = (
            f"the latest date in the data ({latest:%d/%m/%Y}) and the SSD's standard "
            f"{STANDARD_TIMEFRAME_YEARS}-year timeframe"
        )
    taken = dt.datetime.combine(run, dt.time())
    return Snapshot(taken, start, run - dt.timedelta(days=1), decided_by)


def to_return(extract: Extract, la: str | None, year: str | None) -> ParsedReturn:
    """Map a read extract onto the canonical tables; raises ReturnRejected listing every problem."""
    problems = extract.problems
    la_code = checked_la(la, problems, "an SSD extract")
    if (year or "").strip():
        problems.add(
            "command line",
            "--year",
            year,
            "an SSD extract is a snapshot, not a year's return: "
            "its dates come from the extract (leave --year out)",
        )
    mapping.check_companions(extract, problems)
    held = mapping.tables_held(extract)
    if not held:
        problems.add(
            "extract",
            "tables",
            ", ".join(sorted(extract.tables)) or None,
            "none of the SSD tables the store maps (ssd_person, ssd_cin_episodes, ssd_cla_episodes, ...)",
        )
    snapshot = decide(extract, problems)
    extract.raise_if_any()  # the extract's shape first: a mapping of a broken one would only repeat it
    buffers, notes = mapping.build(extract)
    extract.raise_if_any()
    assert la_code is not None and snapshot is not None
    unused = sorted(set(extract.tables) - mapping.USED_SSD_TABLES - {TIME_WINDOWS})
    notes += [f"read but not used by the scorecard: {', '.join(unused)}"] if unused else []
    return ParsedReturn(
        kind="ssd",
        format=extract.format,
        source_name=extract.source_name,
        files=extract.files,
        sha256=extract.sha256,
        la_code=la_code,
        collection_year=financial_year_of(snapshot.covers_to),
        year_source="snapshot",
        tables={name: buffer.to_arrow() for name, buffer in buffers.items()},
        snapshot=snapshot,
        notes=notes,
    )


__all__ = ["EVENT_FIELDS", "STANDARD_TIMEFRAME_YEARS", "decide", "read_fields", "to_return"]
