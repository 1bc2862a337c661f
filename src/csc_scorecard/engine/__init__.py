"""The indicator engine: catalogue entries built into SQLGlot queries, run through an engine adapter.

Its names are imported when first used: a scorecard read back from saved results (results.py) needs none of
the query building, nor SQLGlot."""

from __future__ import annotations

import sys
from types import ModuleType
from typing import TYPE_CHECKING

from ..lazy import names_from

if TYPE_CHECKING:
    from .adapters import ADAPTERS, EngineAdapter, adapter_for
    from .compute import compute
    from .explain import Explanation, explain
    from .results import IndicatorResult, read_results, save_results

_MODULES = {
    "ADAPTERS": "adapters",
    "EngineAdapter": "adapters",
    "adapter_for": "adapters",
    "compute": "compute",
    "Explanation": "explain",
    "explain": "explain",
    "IndicatorResult": "results",
    "read_results": "results",
    "save_results": "results",
}


__getattr__ = names_from(__name__, _MODULES)


class _Package(ModuleType):
    """Python sets each submodule, once imported, as an attribute of its package: here `compute` and `explain`
    stay the functions of those names, as when this file imported them itself."""

    def __setattr__(self, name: str, value: object) -> None:
        if not (isinstance(value, ModuleType) and name in _MODULES):
            super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "ADAPTERS",
    "EngineAdapter",
    "Explanation",
    "IndicatorResult",
    "adapter_for",
    "compute",
    "explain",
    "read_results",
    "save_results",
]
