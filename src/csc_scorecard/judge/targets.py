"""Local targets: what each council has agreed a good figure is, per indicator, for a stretch of time.

Read from a TOML file (format in docs/targets.md). Each entry names the LA, the indicator, the target value, a
tolerance (how far on the wrong side of the target still counts as amber, in the indicator's own unit) and the
dates it applies from and (optionally) to. The target used for a period is the one valid on the period's
last day; two entries for the same LA and indicator may not overlap, so that choice is never ambiguous.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

LA_CODE = re.compile(r"^\d{3}$")
INDICATOR_ID = re.compile(r"^[a-z][a-z0-9_]*$")
ENTRY_KEYS = {"la", "indicator", "value", "tolerance", "valid_from", "valid_to", "note"}
TOP_KEYS = {"la", "target"}


class TargetsError(ValueError):
    """A targets file that cannot be used; the message lists every problem, each naming file and entry."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Target:
    la_code: str
    indicator_id: str
    value: float
    tolerance: float  # absolute, in the indicator's unit; 0 means there is no amber
    valid_from: dt.date
    valid_to: dt.date | None  # inclusive; None = until further notice
    note: str | None = None
    source: str = ""  # "targets.toml, target 2": where it was set, for the rule text

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class Targets:
    entries: tuple[Target, ...] = ()

    def target_for(self, la_code: str, indicator_id: str, day: dt.date) -> Target | None:
        """The target valid on `day` (a period's last day), or None when none is set."""
        for target in self.entries:
            if target.la_code == la_code and target.indicator_id == indicator_id and target.valid_on(day):
                return target
        return None

    def __len__(self) -> int:
        return len(self.entries)

    def with_declared(self, la_code: str, declared: Iterable[tuple[str, float, float]]) -> Targets:
        """These targets, then one for each (indicator, value, tolerance) declared with a manual measure: it
        applies at any date on which no entry here does, so a targets file's entry wins."""
        extra = tuple(
            Target(la_code, indicator, value, tolerance, dt.date.min, None, None, "declared with the measure")
            for indicator, value, tolerance in declared
        )
        return Targets(self.entries + extra) if extra else self


def load_targets(path: Path | str, *, known_indicators: Iterable[str] | None = None) -> Targets:
    """Read and check a targets file; `known_indicators` (the catalogue's ids) also rejects unknown ids."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TargetsError([f"{path}: no such targets file"]) from None
    except UnicodeDecodeError as e:
        raise TargetsError([f"{path}: not UTF-8 text ({e.reason} at byte {e.start})"]) from None
    return parse_targets(text, str(path), known_indicators=known_indicators)


def parse_targets(
    text: str, file: str = "targets.toml", *, known_indicators: Iterable[str] | None = None
) -> Targets:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise TargetsError([f"{file}: not valid TOML: {e}"]) from None
    problems: list[str] = []
    for key in sorted(set(data) - TOP_KEYS):
        problems.append(f"{file}: unknown top-level key {key!r} (allowed: la, and [[target]] tables)")
    default_la = data.get("la")
    if default_la is not None and not (isinstance(default_la, str) and LA_CODE.match(default_la)):
        problems.append(f'{file}: la = {default_la!r}: must be a 3-digit LA code in quotes, e.g. "335"')
        default_la = None
    entries = data.get("target", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        problems.append(f"{file}: 'target' must be an array of tables, written [[target]]")
        entries = []
    known = set(known_indicators) if known_indicators is not None else None
    targets = []
    for number, entry in enumerate(entries, start=1):
        target = _entry(entry, f"{file}, target {number}", default_la, known, problems)
        if target is not None:
            targets.append(target)
    problems += _overlaps(targets)
    if problems:
        raise TargetsError(problems)
    return Targets(tuple(targets))


def _entry(
    entry: dict, where: str, default_la: str | None, known: set[str] | None, problems: list[str]
) -> Target | None:
    """One [[target]] table, or None after adding its problems."""
    name = entry.get("indicator")
    where = f"{where} ({name})" if isinstance(name, str) else where
    before = len(problems)

    def bad(key: str, rule: str) -> None:
        value = entry.get(key)
        shown = value.isoformat() if isinstance(value, dt.date) else repr(value)
        problems.append(f"{where}: {key} = {shown}: {rule}" if key in entry else f"{where}: {key}: {rule}")

    for key in sorted(set(entry) - ENTRY_KEYS):
        bad(key, f"unknown key (allowed: {', '.join(sorted(ENTRY_KEYS))})")
    la = entry.get("la", default_la)
    if la is None:
        bad("la", 'required (or give a top-level la = "335" for every entry)')
    elif not (isinstance(la, str) and LA_CODE.match(la)):
        bad("la", 'must be a 3-digit LA code in quotes, e.g. "335"')
    if not isinstance(name, str) or not INDICATOR_ID.match(name):
        bad("indicator", "required: an indicator id such as re_referrals_12m_pct")
    elif known is not None and name not in known:
        bad("indicator", "not an indicator in the catalogue")
    value = _number(entry, "value", bad, required=True)
    tolerance = _number(entry, "tolerance", bad, required=False)
    if tolerance is not None and tolerance < 0:
        bad("tolerance", "must be 0 or more (it is a distance from the target, in the indicator's unit)")
    valid_from = _date(entry, "valid_from", bad, required=True)
    valid_to = _date(entry, "valid_to", bad, required=False)
    if valid_from and valid_to and valid_to < valid_from:
        bad("valid_to", f"is before valid_from ({valid_from})")
    note = entry.get("note")
    if note is not None and not isinstance(note, str):
        bad("note", "must be text in quotes")
    if len(problems) > before:
        return None
    return Target(la, name, value, tolerance or 0.0, valid_from, valid_to, note, where)  # type: ignore[arg-type]


def _number(entry: dict, key: str, bad, *, required: bool) -> float | None:
    value = entry.get(key)
    if value is None:
        if required:
            bad(key, "required: a number")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        bad(key, "must be a number (no quotes, no % sign)")
        return None
    return float(value)


def _date(entry: dict, key: str, bad, *, required: bool) -> dt.date | None:
    value = entry.get(key)
    if value is None:
        if required:
            bad(key, "required: a date like 2016-04-01")
        return None
    if isinstance(value, dt.datetime):
        bad(key, "must be a date without a time, like 2016-04-01")
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    bad(key, "must be a date like 2016-04-01")
    return None


def _overlaps(targets: list[Target]) -> list[str]:
    problems = []
    for i, a in enumerate(targets):
        for b in targets[i + 1 :]:
            if (a.la_code, a.indicator_id) != (b.la_code, b.indicator_id):
                continue
            a_end, b_end = a.valid_to or dt.date.max, b.valid_to or dt.date.max
            if a.valid_from <= b_end and b.valid_from <= a_end:
                problems.append(
                    f"{b.source}: overlaps {a.source.rsplit(', ', 1)[-1]} for LA {a.la_code} "
                    f"(valid {_span(b)} v {_span(a)}): end the earlier one with valid_to"
                )
    return problems


def _span(t: Target) -> str:
    return f"{t.valid_from} to {t.valid_to or 'open-ended'}"
