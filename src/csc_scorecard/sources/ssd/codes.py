"""How the SSD's codes become the returns' codes: explicit tables, never a guess.

Most SSD fields hold the returns' own codes (CIN ReferralSource, 903 LS, PLACE, REC...): those are checked
against the CIN census and SSDA903 code lists of any year (a snapshot spans many). Where the SSD's categories
are words (category of abuse, missing episode type) or the systems differ (sex as M/F or 1/2, flags), the
tables below say which value means which code; a value in none of them is a Problem, not a guess. Each table
names the SSD category file it follows (data-to-insight/ssd-data-model, data/categories__future_release/).
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

import yaml

from ..codelists import codelist

# pers_sex (sex.yml: 1 Male, 2 Female) and pers_gender (gender.yml: 0 unborn, 1, 2, 9), or the letters some
# systems write: the store's M, F, U as for the returns.
SEX = {
    "M": "M",
    "1": "M",
    "MALE": "M",
    "F": "F",
    "2": "F",
    "FEMALE": "F",
    "U": "U",
    "0": "U",
    "9": "U",
    "UNKNOWN": "U",
    "NOT KNOWN": "U",
    "INDETERMINATE": "U",
    "UNBORN": "U",
}
# cppl_cp_plan_initial/latest_category (category_of_abuse.yml: the words) or the CIN census codes.
CATEGORY_OF_ABUSE = {
    "NEG": "NEG",
    "NEGLECT": "NEG",
    "PHY": "PHY",
    "PHYSICAL ABUSE": "PHY",
    "PHYSICAL": "PHY",
    "SAB": "SAB",
    "SEXUAL ABUSE": "SAB",
    "SEXUAL": "SAB",
    "EMO": "EMO",
    "EMOTIONAL ABUSE": "EMO",
    "EMOTIONAL": "EMO",
    "MUL": "MUL",
    "MULTIPLE": "MUL",
}
# miss_missing_episode_type (missing.yml: M, A) or the words.
MISSING_TYPE = {
    "M": "M",
    "MISSING": "M",
    "MISSING FROM CARE": "M",
    "A": "A",
    "AWAY": "A",
    "ABSENT": "A",
    "AWAY FROM PLACEMENT WITHOUT AUTHORISATION": "A",
}
# perm_permanence_order_type: which orders are adoptions (AD1), which are the other permanence orders.
ADOPTION_ORDERS = frozenset({"ADOPTION", "ADOPTION ORDER", "E11", "E12"})
OTHER_ORDERS = frozenset(
    {
        "SPECIAL GUARDIANSHIP ORDER",
        "SGO",
        "CHILD ARRANGEMENTS ORDER",
        "CAO",
        "RESIDENCE ORDER",
        "E41",
        "E43",
        "E44",
        "E45",
        "E46",
        "E47",
        "E48",
    }
)
# link_identifier_type values that are a UPN (ssd_linked_identifiers: 'Unique Pupil Number').
UPN_TYPES = frozenset({"UNIQUE PUPIL NUMBER", "UPN"})
# immi_immigration_status values that are unaccompanied asylum-seeking status (uasc_status.yml: 1).
UASC_STATUSES = frozenset(
    {"UASC", "1", "UNACCOMPANIED ASYLUM SEEKING CHILD", "UNACCOMPANIED ASYLUM-SEEKING CHILD"}
)


def words(value: str) -> str:
    """'Physical  abuse ' -> 'PHYSICAL ABUSE': the key the tables above are read with."""
    return " ".join(value.replace("_", " ").split()).upper()


@cache
def any_year(kind: str, name: str) -> frozenset[str]:
    """Every code of a CIN ('cin') or SSDA903 ('ssda903') list valid in any year: a snapshot spans many."""
    text = files("csc_scorecard.sources").joinpath("codelists", f"{kind}.yaml").read_text(encoding="utf-8")
    years = sorted(str(y) for y in yaml.safe_load(text)[name])
    return frozenset().union(*(codelist(kind, name, year) for year in years))


def code_list(value: str) -> list[str]:
    """A list of codes as the SSD holds it: a JSON list (["1A","2B"]), a JSON object of flags
    ({"1A": "Y", "2B": "N"}), or codes separated by commas, semicolons or spaces."""
    text = value.strip()
    if text.startswith(("[", "{")):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            raise ValueError("not valid JSON") from None
        if isinstance(parsed, dict):
            return [
                str(k).strip().upper()
                for k, v in parsed.items()
                if str(v).strip().upper() in ("Y", "1", "TRUE", "YES")
            ]
        if isinstance(parsed, list):
            return [str(v).strip().upper() for v in parsed if str(v).strip()]
        raise ValueError("JSON that is neither a list nor an object")
    return [part.upper() for part in text.replace(";", ",").replace(",", " ").split()]


__all__ = [
    "ADOPTION_ORDERS",
    "CATEGORY_OF_ABUSE",
    "MISSING_TYPE",
    "OTHER_ORDERS",
    "SEX",
    "UASC_STATUSES",
    "UPN_TYPES",
    "any_year",
    "code_list",
    "words",
]
