"""The scrutiny report pack: scorecard.xlsx, report.html/report.pdf, paper.docx and slides.pptx from one published
view.

The pack's names are loaded when first used: `judge` prints through publish.terminal and must not pay for
WeasyPrint, Altair and python-pptx, which the pack imports.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import INTERNAL_MARKING, PROFILES
    from .pack import PackResult, warm_up_charts, write_pack

_WHERE = {
    "INTERNAL_MARKING": "model",
    "PROFILES": "model",
    "PackResult": "pack",
    "warm_up_charts": "pack",
    "write_pack": "pack",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)


__all__ = ["INTERNAL_MARKING", "PROFILES", "PackResult", "warm_up_charts", "write_pack"]
