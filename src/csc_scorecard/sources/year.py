"""The collection year of a return, decided in one place for every reader.

The year is the key a newer load of the same return replaces, and it chooses the code lists a return is
checked against, so every reader decides it the same way, in this order:

1. **header**: the year the return states about itself (a CIN or CSWW census Header). A `--year` that
   contradicts it is a problem naming both.
2. **--year**: the analyst's option. A year in the folder or a file name that contradicts it is a problem
   naming both (a lone 2017 allows 2016-17 and 2017-18).
3. **folder name**: a year in the name of a folder return's folder (903 CSV tables, local templates).
4. **file name**: a year in the file names; file names that give different years are a problem.
5. **latest date**: the financial year of the latest dated event in the data.

Each reader offers the evidence it has (a CIN census has a header and no event-date fallback; a 903 CSV
return has no header); the order among them is fixed here. The year must then be one the reader can check.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..periods import PeriodError, financial_year_label, financial_year_of, parse_financial_year
from .problems import Problems

_SPAN4 = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_ ]((?:19|20)\d{2})(?!\d)")
_SPAN2 = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_ ]?(\d{2})(?!\d)")
_YEAR_END = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def year_in_name(name: str) -> str | None:
    """The collection year a file or folder name gives: 2016-17, 2016_17, 201617, 2016-2017 -> '2016-17';
    a lone 2017 is the year ending March 2017 -> '2016-17'. A span wins over a lone year; else the first."""
    years = years_in_name(name)
    return years[0] if years else None


def years_in_name(name: str) -> tuple[str, ...]:
    """The collection years a name may mean, the likeliest first: a span means one year; a lone 2017 means the
    year ending March 2017 and, less likely, the one starting in April 2017."""
    for m in _SPAN4.finditer(name):
        if int(m.group(2)) == int(m.group(1)) + 1:
            return (financial_year_label(int(m.group(1))),)
    for m in _SPAN2.finditer(name):
        if int(m.group(2)) == (int(m.group(1)) + 1) % 100:
            return (financial_year_label(int(m.group(1))),)
    m = _YEAR_END.search(name)
    return (financial_year_label(int(m.group(1)) - 1), financial_year_label(int(m.group(1)))) if m else ()


@dataclass(frozen=True)
class Stated:
    """What a return's own header says: its year, or None when the header gives none."""

    year: str | None
    where: str  # the header's location, for Problems: "Header (line 3)"
    field: str  # what should give the year: "ReferenceDate"
    missing: str  # what is missing, in the analyst's words: "the Header has no ReferenceDate or Year"
    detail: str = ""  # what the year was read from, named in a conflict: "census of 30/09/2016"


@dataclass(frozen=True)
class Latest:
    """The last step: the latest dated event in the data, found only when nothing before it gives a year."""

    date: Callable[[], dt.date | None]
    what: str  # what is searched, for "no collection year": "event dates in the data"


@dataclass(frozen=True)
class Years:
    """The collection years a reader can check, and why not others."""

    first: str
    last: str
    outside: (
        str  # with {year}, {first}, {last}: "no SSDA903 code lists for {year}: {first} to {last} can be read"
    )


@dataclass(frozen=True)
class Decision:
    year: str
    source: (
        str  # recorded in `loads.year_source`: "header", "--year", "folder name", "file name", "latest date"
    )
    latest: dt.date | None = None  # the date the year came from, when the source is "latest date"


def decide(
    problems: Problems,
    years: Years,
    *,
    stated: Stated | None = None,
    option: str | None = None,
    folder: str | None = None,
    files: Sequence[str] = (),
    latest: Latest | None = None,
    from_name: Callable[[str], str | None] = year_in_name,
) -> Decision | None:
    """The collection year and how it was decided, or None with the reason added to `problems`.

    A `--year` contradicting the header is added as a problem but the header's year is still returned, so
    that the reader goes on to report everything else in the file.
    """
    option = (option or "").strip() or None
    if option is not None and not _is_year(option):
        problems.add("command line", "--year", option, "not a collection year like 2016-17")
        return None
    found = _first_year(problems, stated, option, folder, files, latest, from_name)
    if found is None:
        return None
    if not years.first <= found.year <= years.last:
        rule = years.outside.format(year=found.year, first=years.first, last=years.last)
        if found.latest is not None:
            rule += f"; it was taken from the latest date in the data ({found.latest:%d/%m/%Y}): pass --year"
        where = stated.where if stated is not None and found.source == "header" else "command line"
        problems.add(where, "collection year", found.year, rule)
        return None
    return found


def _first_year(
    problems: Problems,
    stated: Stated | None,
    option: str | None,
    folder: str | None,
    files: Sequence[str],
    latest: Latest | None,
    from_name: Callable[[str], str | None],
) -> Decision | None:
    if stated is not None and stated.year is not None:
        if option is not None and option != stated.year:
            detail = f" ({stated.detail})" if stated.detail else ""
            problems.add(
                stated.where,
                "--year",
                option,
                f"the return's Header says collection year {stated.year}{detail}",
            )
        return Decision(stated.year, "header")
    if option is not None:
        _check_names(problems, option, folder, files, from_name)
        return Decision(option, "--year")
    if folder is not None and (from_folder := from_name(folder)) is not None:
        return Decision(from_folder, "folder name")
    named = {name: y for name in files if (y := from_name(name)) is not None}
    if len(set(named.values())) > 1:
        listed = ", ".join(f"{name}: {y}" for name, y in sorted(named.items()))
        problems.add(
            "folder", "file names", listed, "the file names give different collection years: pass --year"
        )
        return None
    if named:
        return Decision(next(iter(named.values())), "file name")
    day = latest.date() if latest is not None else None
    if day is not None:
        return Decision(financial_year_of(day), "latest date", day)
    _no_year(problems, stated, folder, files, latest)
    return None


def _check_names(
    problems: Problems,
    option: str,
    folder: str | None,
    files: Sequence[str],
    from_name: Callable[[str], str | None],
) -> None:
    """A --year that a year in the folder or a file name contradicts is a problem naming both: a 2016-17 folder
    loaded with --year 2014-15 would replace the real 2014-15 return."""
    named = [("folder name", folder)] if folder is not None else []
    named += [("file name", name) for name in files]
    for what, name in named:
        meant = years_in_name(name) if from_name is year_in_name else tuple(filter(None, [from_name(name)]))
        if meant and option not in meant:
            problems.add(
                "command line",
                "--year",
                option,
                f"the {what} {name!r} says collection year {meant[0]}: rename it or correct --year",
            )


def _no_year(
    problems: Problems, stated: Stated | None, folder: str | None, files: Sequence[str], latest: Latest | None
) -> None:
    missing = [stated.missing] if stated is not None else []
    if folder is not None:
        missing.append("none in the folder or file names")
    elif files:
        missing.append("none in the file name" + ("s" if len(files) > 1 else ""))
    if latest is not None:
        missing.append(f"no {latest.what}")
    where, field = (stated.where, stated.field) if stated is not None else ("command line", "--year")
    problems.add(where, field, None, f"no collection year: {' and '.join(missing)}; pass --year")


def _is_year(text: str) -> bool:
    try:
        parse_financial_year(text)
    except PeriodError:
        return False
    return True


__all__ = ["Decision", "Latest", "Stated", "Years", "decide", "year_in_name", "years_in_name"]
