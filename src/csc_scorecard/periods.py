"""Period codes of `spec/indicators.md`: financial years, year-to-date quarters, months, rolling 12 months.

2016-17       financial year 2016-04-01 .. 2017-03-31
2016-17Q3     year to date at the end of Q3: 2016-04-01 .. 2016-12-31
2016-12       one calendar month
R12:2016-12   rolling 12 months ending with that month: 2016-01-01 .. 2016-12-31
2016-05-01..2016-08-15   any window (what --from/--to produce)
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_FY = re.compile(r"^(\d{4})-(\d{2})$")
_FYQ = re.compile(r"^(\d{4})-(\d{2})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_R12 = re.compile(r"^R12:(\d{4})-(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


class PeriodError(ValueError):
    pass


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar date `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def financial_year_label(start_year: int) -> str:
    """2016 -> '2016-17'."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def financial_year_of(day: dt.date) -> str:
    """The financial (collection) year, 1 April to 31 March, that contains `day`."""
    return financial_year_label(day.year if day.month >= 4 else day.year - 1)


def parse_financial_year(label: str) -> int:
    """'2016-17' -> 2016 (the year it starts); rejects '2016-18'."""
    m = _FY.match(label.strip())
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise PeriodError(f"{label!r} is not a financial year like 2016-17")
    return int(m.group(1))


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date
    code: str

    @property
    def financial_year(self) -> str:
        """The financial year the window ends in (which population estimate and benchmark year apply)."""
        return financial_year_of(self.end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def parse_period(code: str) -> Period:
    code = code.strip()
    if m := _FYQ.match(code):
        start_year = parse_financial_year(f"{m.group(1)}-{m.group(2)}")
        quarter = int(m.group(3))
        end = add_months(dt.date(start_year, 4, 1), 3 * quarter) - dt.timedelta(days=1)
        return Period(dt.date(start_year, 4, 1), end, code)
    if m := _R12.match(code):
        year, month = int(m.group(1)), int(m.group(2))
        _check_month(month, code)
        end = month_end(year, month)
        return Period(add_months(dt.date(year, month, 1), -11), end, code)
    if (m := _FY.match(code)) and (int(m.group(1)) + 1) % 100 == int(m.group(2)):
        start_year = int(m.group(1))
        return Period(dt.date(start_year, 4, 1), dt.date(start_year + 1, 3, 31), code)
    if m := _MONTH.match(code):
        year, month = int(m.group(1)), int(m.group(2))
        _check_month(month, code)
        return Period(dt.date(year, month, 1), month_end(year, month), code)
    if m := _RANGE.match(code):
        return window(dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2)))
    raise PeriodError(
        f"{code!r} is not a period: use 2016-17, 2016-17Q3, 2016-12, R12:2016-12 or --from/--to"
    )


def _check_month(month: int, code: str) -> None:
    if not 1 <= month <= 12:
        raise PeriodError(f"{code!r}: month must be 01-12")


def window(start: dt.date, end: dt.date) -> Period:
    if end < start:
        raise PeriodError(f"the window ends ({end}) before it starts ({start})")
    return Period(start, end, f"{start.isoformat()}..{end.isoformat()}")


def quarters(first: str, last: str) -> list[Period]:
    """Every year-to-date quarter code from `first` to `last` inclusive, e.g. 2013-14Q1 .. 2016-17Q4."""
    out: list[Period] = []
    start = parse_period(first)
    stop = parse_period(last)
    year, q = parse_financial_year(start.code[:7]), int(start.code[-1])
    while True:
        period = parse_period(f"{financial_year_label(year)}Q{q}")
        if period.end > stop.end:
            return out
        out.append(period)
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
