"""The indicator engine: catalogue entries built into SQLGlot queries, run through an engine adapter."""

from .adapters import ADAPTERS, EngineAdapter, adapter_for
from .compute import IndicatorResult, compute
from .explain import Explanation, explain
from .results import read_results, save_results

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
