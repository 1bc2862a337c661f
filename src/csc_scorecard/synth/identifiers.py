"""Unique pupil numbers: a check letter and 12 digits (LA, establishment, year allocated, serial).

A child under 5 (or unborn) has no UPN yet and is recorded with UPNunknown UN6; an unaccompanied asylum-seeking
child with UN4 (newly arrived).
"""

from __future__ import annotations

import datetime as dt

from ..sources.upn import check_letter
from .dates import age_on
from .model import Child


def upn(child: Child, la_code: str) -> str:
    n = int(child.id[-7:])
    digits = f"{la_code}{(n * 37) % 9000 + 1000:04d}{(child.dob.year + 5) % 100:02d}{n % 1000:03d}"
    return check_letter(digits) + digits


def upn_or_unknown(child: Child, la_code: str, on: dt.date) -> tuple[str, str]:
    """('UPN', value) or ('UPNunknown', code) as at `on`."""
    if child.uasc:
        return "UPNunknown", "UN4"
    if child.dob > on or age_on(child.dob, on) < 5:
        return "UPNunknown", "UN6"
    if not child.upn:
        child.upn = upn(child, la_code)
    return "UPN", child.upn
