"""Free text that may identify a child: what an analyst's commentary or action text holds that looks like a child
identifier, checked before it can go into a published pack (docs/report.md says what happens then).

What is looked for, and reported by kind only (never the text found, which must not reach a log):
- **a child id from the store**: a word equal to a child id in the canonical `children` table;
- **a UPN**: 13 characters, a letter then 12 digits (or a temporary UPN, ending in a letter) with the right DfE
  check letter, or any UPN in the store;
- **a date of birth**: a date near "DOB", "date of birth", "born" or "birthday";
- **a date of birth beside a name**: a date in a sentence that also has what looks like a person's name (a title
  and a capitalised word, two capitalised words side by side that are not common service words ("Front Door"),
  or "Child A", "young person J"), when the date is the date of birth of a child in the store, or within the
  last 25 years.
These are warnings, not proof: a team called after a person, or a date that happens to be a birthday, looks
the same, so an analyst can confirm that a text does not identify a child.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable

import duckdb

from ..sources.upn import is_upn

CHILD_ID = "a child id from the store"
UPN = "a UPN"
DATE_OF_BIRTH = "a date of birth"
BIRTH_AND_NAME = "a date of birth beside a name"

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")  # fmt: skip
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
DATES = (
    re.compile(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})\b"),  # 12/03/2009, 12.3.09
    re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"),  # 2009-03-12
    re.compile(
        rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\.?,?\s+(\d{{4}})\b", re.IGNORECASE
    ),  # 12 March 2009
)
BIRTH_WORDS = re.compile(r"\b(?:d\.?o\.?b\.?|date of birth|born|birthday)\b", re.IGNORECASE)
TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Master|Mx|Dr)\.?\s+[A-Z][a-z]+")
CHILD_NAMED = re.compile(
    r"\b(?i:child|young person|baby|infant|sibling|brother|sister|son|daughter|boy|girl)\s+(?:[A-Z][a-z]+|[A-Z]\.?)(?![a-z])"
)
# Capitalised words common in children's services commentary that are not names.
_NOT_NAMES = """
a an the this that these those our their its his her in on at by for from of to and or but with since after before
during until by children child childrens young people person family families social care service services
council board panel team teams hub front door mash early help court order orders plan plans review reviews
conference conferences office ofsted dfe department education health police school schools hospital head
manager managers director directors lead officer officers worker workers unit units quarter year month week
england wales region regional local authority national performance improvement scrutiny committee leaving
fostering adoption residential placement placements protection need needs practice quality assurance audit
audits independent reviewing chair partnership safeguarding multi agency agencies duty assessment assessments
referral referrals contact contacts new old north south east west central street road house centre center
monday tuesday wednesday thursday friday saturday sunday
"""
NOT_NAMES = frozenset(_NOT_NAMES.split()) | frozenset(MONTHS)
TOKENS = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{3,}")


def _dates(text: str) -> list[tuple[int, int, dt.date]]:
    """(start, end, date) of every date written in the text (day first, as in England)."""
    found = []
    for pattern in DATES:
        for m in pattern.finditer(text):
            a, b, c = m.groups()
            try:
                if pattern is DATES[1]:
                    day, month, year = int(c), int(b), int(a)
                elif pattern is DATES[2]:
                    day, year = int(a), int(c)
                    month = next(i for i, name in enumerate(MONTHS, 1) if name.startswith(b.lower()[:3]))
                else:
                    day, month, year = int(a), int(b), int(c)
                    year += (
                        2000
                        if year < 100 and year <= dt.date.today().year % 100
                        else 1900
                        if year < 100
                        else 0
                    )
                found.append((m.start(), m.end(), dt.date(year, month, day)))
            except (ValueError, StopIteration):
                continue
    return found


SENTENCE_END = re.compile(r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)[.!?](?=\s|$)|\n+")


def _sentence(text: str, at: int) -> str:
    """The sentence (or line) of the text that holds position `at` (a title's full stop ends none)."""
    start = 0
    for m in SENTENCE_END.finditer(text):
        if m.end() > at:
            return text[start : m.end()]
        start = m.end()
    return text[start:]


def _has_name(sentence: str) -> bool:
    if TITLE.search(sentence) or CHILD_NAMED.search(sentence):
        return True
    words = list(re.finditer(r"[A-Za-z][A-Za-z'\-]*", sentence))
    for first, second in itertools.pairwise(words):
        if sentence[first.end() : second.start()].strip():
            continue  # not next to each other
        pair = (first.group(), second.group())
        if all(w[0].isupper() and not w.isupper() and w.lower() not in NOT_NAMES for w in pair):
            return True
    return False


def _store_values(con: duckdb.DuckDBPyConnection | None, column: str, values: Iterable) -> set:
    values = list(set(values))
    if con is None or not values:
        return set()
    rows = con.execute(
        f"SELECT DISTINCT v FROM (SELECT unnest(?) AS v) JOIN children ON children.{column} = v", [values]
    ).fetchall()
    return {r[0] for r in rows}


def identifying(con: duckdb.DuckDBPyConnection | None, text: str | None) -> tuple[str, ...]:
    """The kinds of child identifier the text seems to hold (see the module docstring), in a fixed order; the
    store's child ids, UPNs and dates of birth are looked up only when `con` is given."""
    if not text:
        return ()
    found: set[str] = set()
    tokens = {t.strip("-_") for t in TOKENS.findall(text)}
    if _store_values(con, "child_id", (t for t in tokens if any(c.isdigit() for c in t))):
        found.add(CHILD_ID)
    candidates = {t.upper() for t in tokens if len(t) == 13}
    if any(is_upn(t) for t in candidates) or _store_values(con, "upn", candidates):
        found.add(UPN)
    dates = _dates(text)
    births = _store_values(con, "dob", (d for _, _, d in dates))
    recent = dt.date.today() - dt.timedelta(days=25 * 366)
    for start, end, date in dates:
        near = text[max(0, start - 40) : end + 40]
        if BIRTH_WORDS.search(near):
            found.add(DATE_OF_BIRTH)
        sentence = _sentence(text, start).strip()
        if (date in births or recent <= date <= dt.date.today()) and _has_name(sentence):
            found.add(BIRTH_AND_NAME)
    return tuple(kind for kind in (CHILD_ID, UPN, DATE_OF_BIRTH, BIRTH_AND_NAME) if kind in found)
