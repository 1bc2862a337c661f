"""A day written as dd/mm/YYYY or YYYY-MM-DD, as the returns, templates and SSD extracts write it: one rule for
what counts as a real date. Each reader keeps its own patterns (what may follow the date differs)."""

from __future__ import annotations

import datetime as dt
import re


def parse_day(text: str, dmy: re.Pattern[str], iso: re.Pattern[str]) -> dt.date | None:
    """The calendar day of `text`, matched by `dmy` (groups day, month, year) or `iso` (groups year, month,
    day); None if neither matches or it is no real date (31/02/2017)."""
    if m := dmy.match(text):
        year, month, day = m.group(3), m.group(2), m.group(1)
    elif m := iso.match(text):
        year, month, day = m.group(1), m.group(2), m.group(3)
    else:
        return None
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


__all__ = ["parse_day"]
