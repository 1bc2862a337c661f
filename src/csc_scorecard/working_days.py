"""England and Wales working days: Monday to Friday, not a bank holiday.

Duration convention (`spec/indicators.md`): the number of working days d with start < d <= end, a start on a
non-working day rolling forward to the next working day; a same-day completion is 0 and "within 45 working
days" means a duration of 45 or less. Bank holidays come from the shipped GOV.UK list (2010-2030), and a local
CSV (`date` column) can add new proclamations.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
from functools import cache
from importlib.resources import files
from pathlib import Path

FIRST_YEAR, LAST_YEAR = 2010, 2030
BANK_HOLIDAYS_CSV = "bank_holidays/england_and_wales_bank_holidays_2010_to_2030.csv"  # under reference/
_EPOCH = dt.date(FIRST_YEAR, 1, 1)


def _read_dates(lines: list[str]) -> set[dt.date]:
    return {dt.date.fromisoformat(row["date"]) for row in csv.DictReader(lines)}


@cache
def bank_holidays(extra_csv: Path | None = None) -> frozenset[dt.date]:
    shipped = files("csc_scorecard").joinpath("reference").joinpath(BANK_HOLIDAYS_CSV)
    days = _read_dates(shipped.read_text(encoding="utf-8").splitlines())
    if extra_csv is not None:
        days |= _read_dates(extra_csv.read_text(encoding="utf-8").splitlines())
    return frozenset(days)


def is_working_day(day: dt.date, holidays: frozenset[dt.date] | None = None) -> bool:
    return day.weekday() < 5 and day not in (holidays if holidays is not None else bank_holidays())


@cache
def _ordinals(extra_csv: Path | None = None) -> tuple[dt.date, ...]:
    """Every working day of the calendar's range, in order (about 5,300 dates)."""
    holidays = bank_holidays(extra_csv)
    last = dt.date(LAST_YEAR, 12, 31)
    days, day = [], _EPOCH
    while day <= last:
        if is_working_day(day, holidays):
            days.append(day)
        day += dt.timedelta(days=1)
    return tuple(days)


def _check_range(day: dt.date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"{day} is outside the working-day calendar ({FIRST_YEAR}-{LAST_YEAR})")


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days d with start < d <= end, after rolling a non-working start forward; may be negative."""
    _check_range(start)
    _check_range(end)
    days = _ordinals()
    rolled = days[bisect.bisect_left(days, start)]  # first working day on or after start
    return bisect.bisect_right(days, end) - bisect.bisect_right(days, rolled)


def calendar_rows() -> list[tuple[dt.date, bool, int]]:
    """(date, is_working_day, working_day_number) for every calendar date; the engine's calendar table.

    working_day_number counts working days up to and including the date, so a duration is the difference of
    two numbers (after the start has rolled forward to a working day).
    """
    holidays = bank_holidays()
    rows, count, day = [], 0, _EPOCH
    last = dt.date(LAST_YEAR, 12, 31)
    while day <= last:
        working = is_working_day(day, holidays)
        count += working
        rows.append((day, working, count))
        day += dt.timedelta(days=1)
    return rows
