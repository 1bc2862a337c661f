"""Field checks shared by the readers: dates parse, codes are in that year's list, mandatory fields present.

A failed check adds a Problem and returns None, so the reader carries on and reports everything at once.
"""

from __future__ import annotations

import datetime as dt
import re

from .codelists import codelist
from .problems import Problems

LA_CODE = re.compile(r"^\d{3}$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DMY = re.compile(r"^\d{2}/\d{2}/\d{4}$")
_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


class FieldChecker:
    """Checks values for one return; `kind` and `collection_year` choose the code lists."""

    def __init__(self, problems: Problems, kind: str, collection_year: str, date_format: str):
        self.problems = problems
        self.kind = kind
        self.collection_year = collection_year
        self.date_format = date_format  # "iso" (CIN XML, YYYY-MM-DD) or "dmy" (903, dd/mm/YYYY)

    def text(self, value: str | None, location: str, field: str, *, required: bool = False) -> str | None:
        value = (value or "").strip() or None
        if value is None and required:
            self.problems.add(location, field, value, "mandatory field is missing")
        return value

    def date(self, value: str | None, location: str, field: str, *, required: bool = False) -> dt.date | None:
        value = self.text(value, location, field, required=required)
        if value is None:
            return None
        pattern, shape = (_ISO, "YYYY-MM-DD") if self.date_format == "iso" else (_DMY, "dd/mm/YYYY")
        if pattern.match(value):
            try:
                if self.date_format == "iso":
                    return dt.date.fromisoformat(value)
                day, month, year = value.split("/")
                return dt.date(int(year), int(month), int(day))
            except ValueError:
                pass
        self.problems.add(location, field, value, f"not a valid date in the form {shape}")
        return None

    def code(
        self, value: str | None, location: str, field: str, list_name: str, *, required: bool = False
    ) -> str | None:
        value = self.text(value, location, field, required=required)
        if value is None:
            return None
        valid = codelist(self.kind, list_name, self.collection_year)
        if value not in valid:
            self.problems.add(
                location, field, value, f"not a valid {list_name} code for {self.collection_year}"
            )
            return None
        return value

    def boolean(self, value: str | None, location: str, field: str, *, required: bool = False) -> bool | None:
        value = self.text(value, location, field, required=required)
        if value is None:
            return None
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        self.problems.add(location, field, value, "must be true/false or 1/0")
        return None

    def integer(
        self, value: str | None, location: str, field: str, *, required: bool = False, minimum: int = 0
    ) -> int | None:
        value = self.text(value, location, field, required=required)
        if value is None:
            return None
        if value.lstrip("-").isdigit() and int(value) >= minimum:
            return int(value)
        self.problems.add(location, field, value, f"must be a whole number of at least {minimum}")
        return None


def clean(value: str | None) -> str | None:
    """The value stripped, or None when blank."""
    return (value or "").strip() or None


def checked_la(la: str | None, problems: Problems, what: str) -> str | None:
    """The --la option, for a return that carries no LA code of its own (`what` names it: "an Annex A
    workbook")."""
    la = clean(la)
    if la is None:
        problems.add(
            "command line", "--la", None, f"{what} carries no LA code: pass --la with the 3-digit DfE code"
        )
        return None
    if not LA_CODE.match(la):
        problems.add("command line", "--la", la, "must be the 3-digit DfE LA code")
        return None
    return la
