"""Reading the catalogue: every `indicators/*.yaml` shipped with the package, plus any local folders.

Loading validates everything (the models, the cross-references, the portable-SQL lint) and raises one
CatalogueError listing every problem, each naming its file and entry. A command usually gets the checked
catalogue from disk_cache.py, so the YAML reader and the checks are imported only when one is built.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .models import Catalogue, CatalogueError, CatalogueFile

AREA_ORDER = (
    "front_door",
    "children_in_need",
    "child_protection",
    "children_in_care",
    "placement_stability",
    "adoption",
    "care_leavers",
    "health",
    "early_help",
    "workforce",
    "youth_justice",
    "quality_assurance",
)
SHIPPED = files("csc_scorecard").joinpath("catalogue", "indicators")


def _file_order(path: Path) -> tuple[int, str]:
    stem = path.stem
    return (AREA_ORDER.index(stem) if stem in AREA_ORDER else len(AREA_ORDER), stem)


def catalogue_files(extra_dirs: Iterable[Path] = ()) -> list[Path]:
    shipped = sorted((Path(str(p)) for p in SHIPPED.iterdir() if p.name.endswith(".yaml")), key=_file_order)
    local = [p for d in extra_dirs for p in sorted(Path(d).glob("*.yaml"), key=_file_order)]
    return shipped + local


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    text = path.read_text(encoding="utf-8")
    try:
        try:  # libyaml's reader, ten times faster, where built
            data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:  # read again for the pure-Python reader's clearer message
            data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise CatalogueError([f"{path.name}:{where}: not valid YAML: {problem}"]) from None
    if not isinstance(data, dict):
        raise CatalogueError([f"{path.name}: expected a mapping with area/populations/breakdowns/indicators"])
    return data


def _with_file_area(data: dict[str, Any]) -> dict[str, Any]:
    area = data.get("area")
    for section in ("indicators", "published"):
        entries = data.get(section)
        if area and isinstance(entries, list):
            data = {**data, section: [_default_area(i, area) for i in entries]}
    return data


def _default_area(entry: object, area: str) -> object:
    return {"area": area, **entry} if isinstance(entry, dict) else entry


def _entry_name(data: dict[str, Any], loc: tuple[int | str, ...]) -> tuple[str, tuple[int | str, ...]]:
    """('indicator re_referrals_12m_pct', remaining loc) for a pydantic error location."""
    if len(loc) >= 2 and loc[0] in ("indicators", "published") and isinstance(loc[1], int):
        entry = data[str(loc[0])][loc[1]]
        ident = entry.get("id", f"#{loc[1] + 1}") if isinstance(entry, dict) else f"#{loc[1] + 1}"
        kind = "indicator" if loc[0] == "indicators" else "published measure"
        return f"{kind} {ident}", loc[2:]
    if len(loc) >= 2 and loc[0] in ("populations", "breakdowns"):
        return f"{str(loc[0])[:-1]} {loc[1]}", loc[2:]
    return "file", loc


def _format_errors(path: Path, data: dict[str, Any], error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        entry, rest = _entry_name(data, tuple(item["loc"]))
        field = ".".join(str(p) for p in rest) or "(entry)"
        message = item["msg"].removeprefix("Value error, ")
        got = item.get("input")
        shown = f" (got {got!r})" if item["type"] != "missing" and not isinstance(got, dict | list) else ""
        problems.append(f"{path.name}: {entry}: {field}: {message}{shown}")
    return problems


def _parse_file(path: Path) -> CatalogueFile:
    data = _with_file_area(_read_yaml(path))
    try:
        return CatalogueFile.model_validate(data)
    except ValidationError as error:
        raise CatalogueError(_format_errors(path, data, error)) from None


def _merge(parsed: list[tuple[Path, CatalogueFile]]) -> tuple[Catalogue, list[str]]:
    indicators, populations, breakdowns, published, origins = {}, {}, {}, {}, {}
    problems: list[str] = []
    for path, content in parsed:
        sections = (
            ("indicator", {i.id: i for i in content.indicators}, indicators),
            ("population", content.populations, populations),
            ("breakdown", content.breakdowns, breakdowns),
            ("published", {m.id: m for m in content.published}, published),
        )
        for kind, entries, target in sections:
            for name, entry in entries.items():
                key = f"{kind} {name}"
                if key in origins:
                    problems.append(f"{path.name}: {key} is already declared in {origins[key]}")
                    continue
                origins[key] = path.name
                target[name] = entry
        if len(content.indicators) != len({i.id for i in content.indicators}):
            problems.append(f"{path.name}: an indicator id is repeated in the file")
        if len(content.published) != len({m.id for m in content.published}):
            problems.append(f"{path.name}: a published measure's id is repeated in the file")
    for name in sorted(set(published) & set(indicators)):
        problems.append(f"{origins[f'published {name}']}: published {name} is also an indicator's id")
    return Catalogue(indicators, populations, breakdowns, origins, published), problems


def fingerprint(paths: Iterable[Path]) -> str:
    """A digest of the files' names and contents, in order."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).name.encode() + b"\0" + Path(path).read_bytes() + b"\0")
    return digest.hexdigest()


def build_catalogue(paths: Iterable[Path]) -> Catalogue:
    """Read, validate and lint the given files; one CatalogueError lists every problem found."""
    from .checks import check
    from .lint import lint_catalogue

    paths = list(paths)
    parsed, problems = [], []
    for path in paths:
        try:
            parsed.append((path, _parse_file(path)))
        except CatalogueError as error:
            problems.extend(error.problems)
    catalogue, merge_problems = _merge(parsed)
    problems.extend(merge_problems)
    if not problems:
        problems.extend(check(catalogue))
    if not problems:
        problems.extend(str(issue) for issue in lint_catalogue(catalogue))
    if problems:
        raise CatalogueError(problems)
    return dataclasses.replace(catalogue, fingerprint=fingerprint(paths))


__all__ = ["AREA_ORDER", "build_catalogue", "catalogue_files", "fingerprint"]
