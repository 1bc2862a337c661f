"""How the catalogue covers LAIT's children's social care measures (its data dictionary): each is computed by an
indicator, shown as published (a measure no return a council makes can give), or excluded here with a reason.

A measure in none of the three is a gap: tests/test_catalogue.py fails on it, so a new LAIT measure is noticed.
"""

from __future__ import annotations

from dataclasses import dataclass

from .checks import lait_measures
from .models import Catalogue

# Measures the catalogue neither computes nor shows, with why. Every one of LAIT's 107 children's social care
# measures is computed or shown as published today, so none is excluded; a measure added here needs a reason a
# reader would accept (e.g. "withdrawn by DfE in 2020; no later values").
LAIT_EXCLUDED: dict[str, str] = {}


@dataclass(frozen=True)
class LaitCoverage:
    computed: dict[str, tuple[str, ...]]  # measure -> the indicators computing it
    published: dict[str, str]  # measure -> the published-only entry showing it
    excluded: dict[str, str]  # measure -> reason
    missing: tuple[str, ...]  # in LAIT's dictionary and none of the above
    unknown: tuple[str, ...]  # excluded here but not a measure of the dictionary (a typo, or withdrawn)


def lait_coverage(catalogue: Catalogue, excluded: dict[str, str] | None = None) -> LaitCoverage:
    excluded = LAIT_EXCLUDED if excluded is None else excluded
    computed: dict[str, tuple[str, ...]] = {}
    for ind in catalogue.indicators.values():
        if ind.lait:
            computed[ind.lait] = (*computed.get(ind.lait, ()), ind.id)
    published = {m.lait: m.id for m in catalogue.published.values()}
    measures = lait_measures()
    missing = sorted(measures - set(computed) - set(published) - set(excluded))
    return LaitCoverage(
        computed, published, dict(excluded), tuple(missing), tuple(sorted(set(excluded) - measures))
    )


__all__ = ["LAIT_EXCLUDED", "LaitCoverage", "lait_coverage"]
