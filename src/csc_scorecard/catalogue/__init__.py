"""The indicator catalogue: indicators declared in YAML (`indicators/*.yaml`), validated and linted at load.

    from csc_scorecard.catalogue import load_catalogue
    catalogue = load_catalogue()                 # the shipped catalogue (cached)
    catalogue.indicator("re_referrals_12m_pct")  # as declared
    catalogue.definition("referrals_rate")       # as the engine runs it (rates resolved against their count)

A council adds local indicators by writing YAML in a folder of its own: `load_catalogue(Path("my_indicators"))`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .. import disk_cache
from .loader import build_catalogue, catalogue_files, fingerprint
from .models import Breakdown, Catalogue, CatalogueError, Indicator, OptionSpec, Population

# The ids fixed by spec/indicators.md, in its order: a public interface that never changes.
CORE_INDICATOR_IDS: tuple[str, ...] = (
    "referrals_count",
    "referrals_rate",
    "re_referrals_12m_pct",
    "referrals_nfa_pct",
    "assessments_45wd_pct",
    "s47_count",
    "s47_icpc_15wd_pct",
    "cin_count",
    "cin_rate",
    "cpp_count",
    "cpp_rate",
    "cpp_starts_count",
    "cpp_second_pct",
    "cpp_2yrs_ended_pct",
    "cla_count",
    "cla_rate",
    "cla_starts_count",
    "cla_ceased_count",
    "ceased_adopted_pct",
    "ceased_sgo_count",
    "cla_3plus_placements_pct",
    "cla_longterm_stability_pct",
    "adoption_a1_days",
    "adoption_a2_days",
    "care_leavers_19_21_suitable_accom_pct",
    "care_leavers_19_21_eet_pct",
    "care_leavers_17_18_suitable_accom_pct",
    "care_leavers_17_18_eet_pct",
    "cla_missing_pct",
)


@cache
def load_catalogue(*extra_dirs: Path) -> Catalogue:
    """The shipped catalogue plus the YAML files in `extra_dirs`; raises CatalogueError listing every problem.

    Once checked, the same files give the same catalogue: it is kept on disk between commands (disk_cache.py),
    by the files' contents and the catalogue code's source."""
    paths = catalogue_files(extra_dirs)
    name = disk_cache.key(fingerprint(paths), disk_cache.code_digest("catalogue", "sources", "refdata.py"))
    return disk_cache.get("catalogue", name, lambda: build_catalogue(paths))


def get_indicator(indicator_id: str) -> Indicator:
    return load_catalogue().indicator(indicator_id)


__all__ = [
    "CORE_INDICATOR_IDS",
    "Breakdown",
    "Catalogue",
    "CatalogueError",
    "Indicator",
    "OptionSpec",
    "Population",
    "get_indicator",
    "load_catalogue",
]
