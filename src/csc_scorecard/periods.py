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
from typing import Literal

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


PeriodKind = Literal["year", "ytd_quarter", "month", "rolling_12", "window"]


@dataclass(frozen=True, order=True)
class Period:
    """A reporting window, parsed once from its code at the edge (CLI option, URL, form) and passed as a value.

    It knows what the judgement and publish stages ask of a period: its kind, the period before it, the same
    period last year, and its history back to the first collection year loaded.
    """

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

    @property
    def kind(self) -> PeriodKind:
        """year, ytd_quarter, month, rolling_12 or window (from --from/--to)."""
        if self.code.startswith("R12:"):
            return "rolling_12"
        if ".." in self.code:
            return "window"
        if "Q" in self.code:
            return "ytd_quarter"
        if (self.start.month, self.start.day) == (4, 1) and self.end == dt.date(self.start.year + 1, 3, 31):
            return "year"
        return "month"

    @property
    def quarter(self) -> int | None:
        """1 to 4 for a year-to-date quarter, else None."""
        return int(self.code[-1]) if self.kind == "ytd_quarter" else None

    @property
    def year_start(self) -> int:
        """The first calendar year of the financial year the window ends in: 2016 for 2016-17Q3."""
        return self.end.year if self.end.month >= 4 else self.end.year - 1

    @property
    def words(self) -> str:
        """The window in plain English: 'April to December 2016', 'April 2016 to March 2017', 'December 2016',
        '1 May to 15 August 2016'. A rolling 12 months is its months too ('January to December 2016')."""
        start, end = self.start, self.end
        whole_months = start.day == 1 and end == month_end(end.year, end.month)
        if not whole_months:
            first = f"{start.day} {start:%B}" + ("" if start.year == end.year else f" {start.year}")
            return f"{first} to {end.day} {end:%B %Y}"
        if (start.year, start.month) == (end.year, end.month):
            return f"{end:%B %Y}"
        first = f"{start:%B}" + ("" if start.year == end.year else f" {start.year}")
        return f"{first} to {end:%B %Y}"

    @property
    def short(self) -> str:
        """A column heading: '2016-17', 'Apr-Dec 2016', 'Dec 2016', '12 months to Dec 2016', '1 May-15 Aug 2016'."""
        kind = self.kind
        if kind == "year":
            return self.code
        if kind == "month":
            return f"{self.end:%b %Y}"
        if kind == "rolling_12":
            return f"12 months to {self.end:%b %Y}"
        if kind == "ytd_quarter":
            first = f"{self.start:%b}" + ("" if self.start.year == self.end.year else f" {self.start.year}")
            return f"{first}–{self.end:%b %Y}"
        return f"{self.start.day} {self.start:%b}–{self.end.day} {self.end:%b %Y}"

    @property
    def end_words(self) -> str:
        """The last day in plain English, for a figure counted on it: 'the end of December 2016'
        ('15 August 2016' for a window that does not end with a month)."""
        if self.end == month_end(self.end.year, self.end.month):
            return f"the end of {self.end:%B %Y}"
        return f"{self.end.day} {self.end:%B %Y}"

    def when(self, stock: bool) -> str:
        """'in April to December 2016' for a flow, 'at the end of December 2016' for a stock."""
        if stock:
            return ("at " if self.end_words.startswith("the") else "on ") + self.end_words
        whole = self.start.day == 1 and self.end == month_end(self.end.year, self.end.month)
        return f"in {self.words}" if whole else f"from {self.words}"

    @property
    def full_year_like(self) -> bool:
        """Twelve months long (a year, Q4, rolling 12 months): comparable with annual published figures."""
        return self.days >= 365

    def previous(self) -> Period:
        """The period before: Q2 for Q3 (the previous year's Q4 for Q1), last year, last month, or the window
        of the same length just before."""
        kind = self.kind
        if kind == "ytd_quarter":
            quarter = self.quarter or 1
            if quarter == 1:
                return parse_period(f"{financial_year_label(self.year_start - 1)}Q4")
            return parse_period(f"{financial_year_label(self.year_start)}Q{quarter - 1}")
        if kind == "year":
            return parse_period(financial_year_label(self.start.year - 1))
        if kind in ("month", "rolling_12"):
            last_month = self.end.replace(day=1) - dt.timedelta(days=1)
            return parse_period(f"{'R12:' if kind == 'rolling_12' else ''}{last_month:%Y-%m}")
        end = self.start - dt.timedelta(days=1)
        return window(end - dt.timedelta(days=self.days - 1), end)

    def last_year(self) -> Period:
        """The same period a year earlier."""
        kind = self.kind
        if kind == "ytd_quarter":
            return parse_period(f"{financial_year_label(self.year_start - 1)}Q{self.quarter}")
        if kind == "year":
            return parse_period(financial_year_label(self.start.year - 1))
        if kind in ("month", "rolling_12"):
            return parse_period(f"{'R12:' if kind == 'rolling_12' else ''}{add_years(self.end, -1):%Y-%m}")
        return window(add_years(self.start, -1), add_years(self.end, -1))

    def history(self, first_year: str) -> list[Period]:
        """This period and every earlier one of the same kind back to the start of `first_year` (the first
        collection year loaded), oldest first. A window has no history but itself."""
        first = parse_financial_year(first_year)
        kind = self.kind
        if kind == "year":
            return [parse_period(financial_year_label(y)) for y in range(first, self.start.year)] + [self]
        if kind == "ytd_quarter":
            last = (self.year_start, self.quarter or 4)
            return [
                parse_period(f"{financial_year_label(y)}Q{q}")
                for y in range(first, self.year_start + 1)
                for q in range(1, 5)
                if (y, q) <= last
            ]
        if kind in ("month", "rolling_12"):
            months, month = [], self.end.replace(day=1)
            while month.year * 12 + month.month >= first * 12 + 4:
                months.append(month)
                month = add_months(month, -1)
            prefix = "R12:" if kind == "rolling_12" else ""
            return [parse_period(f"{prefix}{m.year}-{m.month:02d}") for m in reversed(months)]
        return [self]


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
    raise PeriodError(f"{code!r} is not a period: use 2016-17, 2016-17Q3, 2016-12 or R12:2016-12")


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
