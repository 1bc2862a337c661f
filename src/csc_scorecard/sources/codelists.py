"""Per-year code lists, kept as data so that a new DfE release is a data change.

`codelists/<kind>.yaml` maps a list name to the collection years in which it changed. The first entry is a
full list; each later year either gives a full list again or `{add: [...], remove: [...]}` against the year
before. A year older than the first entry uses the first entry.

    PLACE:
      2015-16: [A3, A4, ...]
      2025-26: {add: [Z11, Z12, Z13, Z14], remove: [H5, P2, Z1]}
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import yaml

from ..periods import parse_financial_year


@cache
def _load(kind: str) -> dict[str, dict[str, object]]:
    text = files(__package__).joinpath("codelists", f"{kind}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    for name, years in data.items():
        for year in years:
            parse_financial_year(str(year))  # a typo in the data file fails loudly, once
        if not isinstance(years[min(years)], list):
            raise ValueError(f"codelists/{kind}.yaml: {name} must start with a full list")
    return data


@cache
def codelist(kind: str, name: str, collection_year: str) -> frozenset[str]:
    """The codes valid for `name` in a return of `kind` ('cin' or 'ssda903') for `collection_year`."""
    history = _load(kind)[name]
    codes: set[str] = set()
    for year in sorted(history):
        change = history[year]
        if year > collection_year and codes:
            break
        if isinstance(change, list):
            codes = {str(c) for c in change}
        else:
            codes |= {str(c) for c in change.get("add", [])}
            codes -= {str(c) for c in change.get("remove", [])}
    return frozenset(codes)


def list_names(kind: str) -> list[str]:
    return sorted(_load(kind))
