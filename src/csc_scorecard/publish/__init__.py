"""The scrutiny report pack: scorecard.xlsx, report.html/report.pdf, paper.docx and slides.pptx from one published
view.

The pack's names are loaded when first used: `judge` prints through publish.terminal and must not pay for
python-docx, python-pptx and Jinja, which the pack imports; nor `report` before it has started the pack's helper
process (`start_helper`, which imports only the helper).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import names_from

if TYPE_CHECKING:
    from .helper import start_helper
    from .model import INTERNAL_MARKING, PROFILES
    from .pack import PackResult, write_pack

_WHERE = {
    "INTERNAL_MARKING": "model",
    "PROFILES": "model",
    "PackResult": "pack",
    "start_helper": "helper",
    "write_pack": "pack",
}


__getattr__ = names_from(__name__, _WHERE)

__all__ = ["INTERNAL_MARKING", "PROFILES", "PackResult", "start_helper", "write_pack"]
