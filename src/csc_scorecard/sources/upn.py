"""The DfE unique pupil number (UPN): 13 characters, a check letter then 12 digits (LA, establishment, year
allocated, serial); a temporary UPN ends in a letter instead of its last digit.

The check letter: each of characters 2 to 13 times its position (2 to 13), a letter of a temporary UPN counting
as its place in CHECK_LETTERS; the sum modulo 23 picks the letter from CHECK_LETTERS (no I, O or S).
"""

from __future__ import annotations

import re

CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
SHAPE = re.compile(r"[A-Z]\d{11}[0-9A-Z]")


def check_letter(rest: str) -> str:
    """The check letter for characters 2 to 13 of a UPN."""
    values = [int(c) if c.isdigit() else CHECK_LETTERS.index(c) for c in rest]
    return CHECK_LETTERS[sum(v * w for v, w in zip(values, range(2, 14), strict=True)) % 23]


def is_upn(text: str) -> bool:
    """A UPN (or temporary UPN) with the right check letter."""
    text = text.upper()
    if not SHAPE.fullmatch(text) or (text[-1].isalpha() and text[-1] not in CHECK_LETTERS):
        return False
    return text[0] == check_letter(text[1:])
