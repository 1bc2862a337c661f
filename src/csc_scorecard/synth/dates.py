"""Date arithmetic for the generator: working days on the project's calendar, ages, and the two date formats.

Generation needs to go *forward* a number of working days (an assessment of 45 working days ends on the
date that `working_days.working_days_between` counts as 45), so this keeps its own index of working days over
a wider range than the reporting calendar: before 2010 and after 2030 (backdated histories and periods planned
beyond the last return) it counts weekdays only, which never reaches a written figure.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from ..periods import add_years
from ..working_days import bank_holidays

ONE_DAY = dt.timedelta(days=1)
_FIRST = dt.date(1990, 1, 1)
_LAST = dt.date(2045, 12, 31)


@cache
def _index() -> tuple[list[dt.date], list[int]]:
    """Working days in order, and for each calendar day the position of the first working day on or after it."""
    holidays = bank_holidays()
    days: list[dt.date] = []
    next_index: list[int] = []
    day = _FIRST
    while day <= _LAST:
        next_index.append(len(days))
        if day.weekday() < 5 and day not in holidays:
            days.append(day)
        day += ONE_DAY
    return days, next_index


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The date whose working-day duration from `start` is n (start rolled forward to a working day first)."""
    days, next_index = _index()
    return days[next_index[start.toordinal() - _FIRST.toordinal()] + n]


def birthday(dob: dt.date, years: int) -> dt.date:
    return add_years(dob, years)


def age_on(dob: dt.date, day: dt.date) -> int:
    """Age in completed years on `day`."""
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def iso(day: dt.date | None) -> str:
    return "" if day is None else day.isoformat()


def dmy(day: dt.date | None) -> str:
    return "" if day is None else f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def year_bounds(start_year: int) -> tuple[dt.date, dt.date]:
    """1 April and 31 March of the collection year starting in `start_year`."""
    return dt.date(start_year, 4, 1), dt.date(start_year + 1, 3, 31)
