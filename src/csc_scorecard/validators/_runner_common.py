"""Shared by runner_903.py and runner_cin.py, which load it by path.

Runs in the validators' own environment (python -I): standard library and the validators only, never
csc_scorecard. The protocol: a JSON job on stdin, one JSON object on stdout; `{"error": ...}` when the
return could not be validated. Everything the validators print or log is kept off stdout, and nothing they
say about a child reaches stderr.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import logging
import pkgutil
import re
import sys
import traceback
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from xml.parsers import expat

_SNIFF = 64 * 1024


class JobError(Exception):
    """The return cannot be validated as given; the message says why (no child-level data)."""


def year_label(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"


def start_year(collection_year: str) -> int:
    """'2024-25' -> 2024."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", collection_year.strip())
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise JobError(f"{collection_year!r} is not a collection year like 2024-25")
    return int(match.group(1))


def available_rulesets(package: str, prefix: str) -> dict[int, str]:
    """{start year: module name} of the rulesets the validator ships, e.g. {2022: 'lac2022_23', ...}."""
    found: dict[int, str] = {}
    for module in pkgutil.iter_modules(importlib.import_module(package).__path__):
        match = re.fullmatch(rf"{prefix}(\d{{4}})_(\d{{2}})", module.name)
        if match:
            found[int(match.group(1))] = module.name
    return dict(sorted(found.items()))


def choose_ruleset(rulesets: dict[int, str], start: int) -> tuple[str, str | None]:
    """The ruleset for the collection year, or the nearest one with a note saying which and why."""
    if start in rulesets:
        return rulesets[start], None
    earlier = [year for year in rulesets if year < start]
    chosen = max(earlier) if earlier else min(rulesets)
    first, last = year_label(min(rulesets)), year_label(max(rulesets))
    return rulesets[chosen], (
        f"the validator has no ruleset for {year_label(start)} (it ships {first} to {last}); checked with "
        f"{rulesets[chosen]} (the {year_label(chosen)} rules and code lists) over the {year_label(start)} "
        f"collection period, so codes retired since {year_label(start)} are reported as errors"
    )


def package_version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


def read_bytes_checked(path: Path) -> bytes:
    """File content; a DOCTYPE is refused (entity expansion), as csc-scorecard's own reader does."""
    content = path.read_bytes()
    if b"<!DOCTYPE" in content[:_SNIFF].upper():
        raise JobError(f"{path.name}: has a DOCTYPE, which is refused (entity expansion)")
    return content


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_without_namespaces(content: bytes, name: str) -> ET.Element:
    """The XML tree with namespace prefixes dropped: the validators look elements up by bare name."""
    try:
        root = ET.fromstring(content)
    except ET.ParseError as error:
        raise JobError(f"{name}: not well-formed XML ({error})") from None
    for element in root.iter():
        element.tag = local_name(element.tag)
    return root


def element_lines(content: bytes, path: tuple[str | None, ...]) -> list[int]:
    """Line of the start tag of each element at `path` (local names below the root; None = any name)."""
    lines: list[int] = []
    stack: list[str] = []
    parser = expat.ParserCreate()

    def start(name: str, _attrs: dict) -> None:
        stack.append(name.rsplit(":", 1)[-1])
        below_root = stack[1:]
        if len(below_root) == len(path) and all(
            p is None or p == s for p, s in zip(path, below_root, strict=True)
        ):
            lines.append(parser.CurrentLineNumber)

    def end(_name: str) -> None:
        stack.pop()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.Parse(content, True)
    return lines


def child_ordinals(ids: list[str | None]) -> dict[str, int]:
    """{child id: position} for ids that occur once; a repeated id cannot be placed by id alone."""
    counts: dict[str, int] = {}
    for child in ids:
        if child is not None:
            counts[child] = counts.get(child, 0) + 1
    return {child: i for i, child in enumerate(ids) if child is not None and counts[child] == 1}


def clean(value: object) -> str | None:
    """A cell value as text; pandas' missing values (NaN, NA, None) as None."""
    if value is None:
        return None
    text = str(value)
    return None if text in ("nan", "NaN", "<NA>", "None", "NaT", "") else text


def run(main: Callable[[dict, io.StringIO], dict]) -> None:
    """Read the job, run `main(job, printed)` with what the validators print going to `printed` (it may name
    children, so it stays in this process), then print the result as JSON."""
    job = json.load(sys.stdin)
    real_stdout = sys.stdout
    captured = io.StringIO()
    logging.disable(logging.CRITICAL)  # their INFO logs name rows; rule failures are collected instead
    warnings.simplefilter("ignore")
    code = 0
    try:
        with contextlib.redirect_stdout(captured):
            result = main(job, captured)
    except JobError as error:
        result, code = {"error": str(error)}, 1
    except Exception as error:  # the validator's own failure: its type and message, then the traceback
        traceback.print_exc(file=sys.stderr)
        result, code = {"error": f"the validator failed: {type(error).__name__}: {error}"}, 1
    json.dump(result, real_stdout)
    real_stdout.write("\n")
    real_stdout.flush()
    sys.exit(code)
