"""An SSD value as the store holds it: from a CSV cell (text) or a database column (typed), one set of rules.

The SSD's columns are SQL Server types (datetime, nchar flags, nvarchar codes), so an extract writes dates as
`2017-01-20`, `2017-01-20 00:00:00.000` or, from Excel, `20/01/2017`; flags as Y/N (1/0, Yes/No, True/False).
A value that fits none of these is a Problem naming the file (or table), the line (or row), the field and the
rule, and the reader goes on to report every other one.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from ..dates import parse_day
from ..problems import Problems

_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
)
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
YES = frozenset({"Y", "YES", "1", "TRUE", "T"})
NO = frozenset({"N", "NO", "0", "FALSE", "F"})


class Values:
    """Converts one table's values; each bad value adds a Problem and gives None."""

    def __init__(self, problems: Problems):
        self.problems = problems

    def text(self, raw: object, where: str, field: str, *, required: bool = False) -> str | None:
        if raw is None:
            value = None
        elif isinstance(raw, float) and raw.is_integer():
            value = str(int(raw))  # an id a database holds as a number
        else:
            value = str(raw).strip() or None
        if value is None and required:
            self.problems.add(where, field, None, "mandatory field is missing")
        return value

    def date(self, raw: object, where: str, field: str, *, required: bool = False) -> dt.date | None:
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        value = self.text(raw, where, field, required=required)
        if value is None:
            return None
        day = parse_date(value)
        if day is None:
            self.problems.add(
                where, field, value, "not a date (YYYY-MM-DD, YYYY-MM-DD hh:mm:ss or dd/mm/YYYY)"
            )
        return day

    def flag(self, raw: object, where: str, field: str) -> bool | None:
        if isinstance(raw, bool):
            return raw
        value = self.text(raw, where, field)
        if value is None:
            return None
        if value.upper() in YES:
            return True
        if value.upper() in NO:
            return False
        self.problems.add(where, field, value, "must be Y or N (or 1/0, Yes/No, True/False)")
        return None

    def integer(self, raw: object, where: str, field: str) -> int | None:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        value = self.text(raw, where, field)
        if value is None:
            return None
        if value.lstrip("-").isdigit():
            return int(value)
        self.problems.add(where, field, value, "must be a whole number")
        return None

    def number(self, raw: object, where: str, field: str) -> float | None:
        if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
            return float(raw)
        value = self.text(raw, where, field)
        if value is None:
            return None
        try:
            return float(value)
        except ValueError:
            self.problems.add(where, field, value, "must be a number (a full stop for decimals)")
            return None


def parse_date(value: str) -> dt.date | None:
    """The calendar day of an ISO date or date-time, or of dd/mm/YYYY (with a time); None if neither."""
    return parse_day(value, _DMY, _ISO)


__all__ = ["NO", "YES", "Values", "parse_date"]
