"""The scrutiny report pack: scorecard.xlsx, report.html/report.pdf, paper.docx and slides.pptx from one published
view."""

from .model import INTERNAL_MARKING, PROFILES
from .pack import PackResult, warm_up_charts, write_pack

__all__ = ["INTERNAL_MARKING", "PROFILES", "PackResult", "warm_up_charts", "write_pack"]
