"""Ofsted ILACS Annex A workbook reader: lists 1-11 from an .xlsx, checked into Arrow tables.

Columns and scopes are in spec/data-formats.md §3. Real workbooks vary (L-AA matches headers by regex), so
everything is matched tolerantly:

- **Sheets**: a sheet whose name says "List N" (List 1, list_1, "List 8 - Children in care") is list N; any
  other sheet is recognised by its header row (the list whose columns it matches best); cover, guidance and
  notes sheets match nothing and are ignored. A workbook with no list sheet is refused.
- **Header row**: the first of the top 10 rows holding the list's identity columns (child id and the list's
  key date); rows above it (titles) are ignored.
- **Columns**: each is found by a pattern over the header text (lower case, punctuation as spaces), so
  "Child Unique ID", "Child ID" and "child_unique_id" are one column. A column the indicators need (the
  child id, the key date, the visit dates) must be present; any other may be missing (it is then blank).
- **Values**: dates are Excel dates or text dd/mm/YYYY (or YYYY-MM-DD); coded answers are read from their
  code ("a) 1A: Individual" -> 1A, "N1 - Abuse or neglect" -> N1, "b) Child Protection plan" -> CPP) or
  their words; yes/no answers from "a) Yes", "Yes", "Y". A value that cannot be read is a Problem naming the
  sheet, row, column, value and rule, and nothing is loaded; except that a coded answer no indicator reads
  (councils' workbooks hold free text in lists 4 and 6) is kept as written, with a warning naming it.

A workbook does not name its LA, so `--la` is required. Its **as-at date** (the day it was produced, which
the current-state lists describe) comes from a date in the file name (2017-03-31, 31-03-2017, 20170331), else
the latest date in the workbook; the collection year is `--year`, else the financial year of the as-at date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ..periods import financial_year_of
from .codelists import codelist
from .dates import parse_day
from .fields import checked_la
from .model import ParsedReturn, sha256_file
from .problems import Problem, Problems
from .registry import Candidate, Reader
from .tables import new_buffers
from .year import Latest, Years, decide

KIND = "annex_a"
FIRST_YEAR, LAST_YEAR = "2010-11", "2029-30"  # the working-day calendar
YEARS = Years(FIRST_YEAR, LAST_YEAR, "outside the years the working-day calendar covers ({first} to {last})")
HEADER_SEARCH_ROWS = 10
_LIST_NAME = re.compile(r"\blist\s*[_\-.]?\s*(\d{1,2})\b", re.IGNORECASE)
_PREFIX = re.compile(r"^\s*\(?([a-z]{1,2}\d?)\)\s*", re.IGNORECASE)  # "a) ", "p1) ", "(b) "
_TOKEN = re.compile(r"[A-Z0-9]+")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+)?$")
_NAME_DATES = (
    (re.compile(r"(?<!\d)(20\d{2})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)"), (1, 2, 3)),
    (re.compile(r"(?<!\d)(\d{2})[-_.](\d{2})[-_.](20\d{2})(?!\d)"), (3, 2, 1)),
)


# ---- coded answers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coder:
    """Reads one coded answer: a known code among its tokens, else its words, else its letter prefix."""

    name: str  # as Problems call it
    codes: Callable[[], frozenset[str]] = frozenset
    words: tuple[tuple[str, str], ...] = ()  # (regex over the lower-case text, code), first match wins
    letters: tuple[tuple[str, str], ...] = ()  # ("a", code): the answer's letter in the Ofsted template

    def read(self, text: str) -> str | None:
        prefix = _PREFIX.match(text)
        rest = text[prefix.end() :] if prefix else text
        valid = self.codes()
        if prefix and prefix.group(1).upper() in valid:  # "F1) Full time in higher education"
            return prefix.group(1).upper()
        for token in _TOKEN.findall(rest.upper()):
            if token in valid:
                return token
        lower = rest.lower()
        for pattern, code in self.words:
            if re.search(pattern, lower):
                return code
        if prefix:
            return dict(self.letters).get(prefix.group(1).lower())
        return None


@cache
def _union(kind: str, name: str) -> frozenset[str]:
    """Every code the list ever held: an Annex A is not tied to one return's year."""
    years = ("2013-14", "2015-16", "2018-19", "2021-22", "2022-23", "2023-24", "2024-25", "2025-26")
    return frozenset().union(*(codelist(kind, name, y) for y in years))


def _from(kind: str, name: str) -> Callable[[], frozenset[str]]:
    return lambda: _union(kind, name)


def _fixed(*codes: str) -> Callable[[], frozenset[str]]:
    return lambda: frozenset(codes)


CODERS: dict[str, Coder] = {
    c.name: c
    for c in (
        Coder(
            "sex",
            _fixed("M", "F", "U", "N"),
            (("^fem", "F"), ("^mal", "M"), ("neither", "N"), ("not stated|not recorded|unknown", "U")),
            (("a", "M"), ("b", "F"), ("c", "U"), ("d", "N")),
        ),
        Coder("ethnicity", _from("cin", "Ethnicity")),
        Coder("referral source", _from("cin", "ReferralSource")),
        Coder("primary need", _from("cin", "PrimaryNeedCode")),
        Coder("reason for closure", _from("cin", "ReasonForClosure")),
        Coder(
            "case status",
            _fixed("LAC", "CPP", "CIN", "ASSESSMENT", "CLOSED"),
            (
                ("closed", "CLOSED"),
                ("looked", "LAC"),
                ("protection", "CPP"),
                ("need", "CIN"),
                ("assess", "ASSESSMENT"),
            ),
            (("a", "LAC"), ("b", "CPP"), ("c", "CIN"), ("d", "ASSESSMENT"), ("e", "CLOSED")),
        ),
        Coder(
            "category of abuse",
            _from("cin", "CategoryOfAbuse"),
            (
                ("neglect", "NEG"),
                ("physical", "PHY"),
                ("sexual", "SAB"),
                ("emotional", "EMO"),
                ("multiple", "MUL"),
            ),
            (("a", "NEG"), ("b", "PHY"), ("c", "SAB"), ("d", "EMO"), ("e", "MUL")),
        ),
        Coder("legal status", _from("ssda903", "LS")),
        Coder("placement type", _from("ssda903", "PLACE")),
        Coder("placement provider", _from("ssda903", "PLACE_PROVIDER")),
        Coder("reason ceased", _from("ssda903", "REC")),
        Coder(
            "placement location",
            _fixed("IN", "OUT"),
            (("^in", "IN"), ("^out", "OUT")),
            (("a", "IN"), ("b", "OUT")),
        ),
        Coder(
            "LA in touch",
            _from("ssda903", "IN_TOUCH"),
            (("^y", "YES"), ("^n", "NO")),
            (("a", "YES"), ("b", "NO"), ("c", "DIED"), ("d", "REFU"), ("e", "NREQ"), ("f", "RHOM")),
        ),
        Coder("activity", _from("ssda903", "ACTIV")),
        Coder(
            "eligibility",
            _fixed(),  # read from the words: "Former relevant child" holds the token RELEVANT
            (
                ("former", "FORMER_RELEVANT"),
                ("relevant", "RELEVANT"),
                ("qualif", "QUALIFYING"),
                ("eligible", "ELIGIBLE"),
            ),
            (("a", "RELEVANT"), ("b", "FORMER_RELEVANT"), ("c", "QUALIFYING"), ("d", "ELIGIBLE")),
        ),
        Coder(
            "permanence plan",
            _fixed(
                "RETURN_TO_FAMILY",
                "ADOPTION",
                "SGO_CAO",
                "SUPPORTED_LIVING",
                "RESIDENTIAL",
                "FOSTERING",
                "OTHER",
            ),
            (
                ("return", "RETURN_TO_FAMILY"),
                ("adopt", "ADOPTION"),
                ("sgo|cao|guardian", "SGO_CAO"),
                ("supported living", "SUPPORTED_LIVING"),
                ("residential", "RESIDENTIAL"),
                ("foster", "FOSTERING"),
                ("other", "OTHER"),
            ),
            tuple(
                zip(
                    "abcdefg",
                    (
                        "RETURN_TO_FAMILY",
                        "ADOPTION",
                        "SGO_CAO",
                        "SUPPORTED_LIVING",
                        "RESIDENTIAL",
                        "FOSTERING",
                        "OTHER",
                    ),
                    strict=True,
                )
            ),
        ),
        Coder("reason no longer placed", _from("ssda903", "REASON_PLACED_CEASED")),
        Coder(
            "reason for leaving",
            _fixed("1", "2", "3"),
            (("withdr", "1"), ("hold", "2"), ("refus", "3")),
        ),
    )
}
_YES = {"Y", "YES", "TRUE", "1"}
_NO = {"N", "NO", "FALSE", "0"}
_UNKNOWN = {"UNKNOWN", "NOT KNOWN", "U", "C) UNKNOWN"}


# ---- list columns -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    target: str  # the store table's column
    pattern: str  # regex over the normalised header text
    kind: str = "text"  # text | date | int | yesno | code
    coder: str | None = None  # CODERS key for kind "code"
    needed: bool = False  # the column must be in the sheet (the indicators or the identity need it)
    required: bool = False  # a value must be given
    # An indicator reads its codes (a test checks this against the catalogue): a coded value that cannot be read
    # refuses the workbook. In any other coded column it is kept as written, with a warning.
    read: bool = False

    def matches(self, header: str) -> bool:
        return re.search(self.pattern, header) is not None


def _col(target: str, pattern: str, kind: str = "text", coder: str | None = None, **kw: bool) -> Column:
    return Column(target, pattern, kind, coder, **kw)


_CHILD = (
    _col(
        "child_id",
        r"\b(child|person|unique)\b.*\b(id|identifier)\b|^id$|^child id",
        needed=True,
        required=True,
    ),
    _col("sex", r"^(gender|sex)\b", "code", "sex"),
    _col("ethnicity", r"^ethnic", "code", "ethnicity"),
    _col("dob", r"date of birth|^dob\b|\bdob$", "date"),
)
_DISABILITY = _col("disability", r"disabilit", "yesno")
_ALLOCATED = (
    _col("allocated_team", r"allocated team"),
    _col("allocated_worker", r"allocated (social )?worker"),
)


@dataclass(frozen=True)
class AnnexList:
    number: int
    title: str
    table: str
    columns: tuple[Column, ...]
    identity: tuple[str, ...]  # columns (targets) that find the header row and identify a row

    def column(self, target: str) -> Column:
        return next(c for c in self.columns if c.target == target)


LISTS: tuple[AnnexList, ...] = (
    AnnexList(
        1,
        "Contacts",
        "annex_a_contacts",
        (
            *_CHILD,
            _col("contact_date", r"date of contact|contact date", "date", needed=True, required=True),
            _col("contact_source", r"contact source|source of contact", "code", "referral source", read=True),
        ),
        ("child_id", "contact_date"),
    ),
    AnnexList(
        2,
        "Early help",
        "annex_a_early_help",
        (
            *_CHILD,
            _col("start_date", r"assessment start", "date", needed=True, required=True),
            _col("completed_date", r"assessment (completion|completed|end)", "date"),
            _col("organisation", r"organisation"),
        ),
        ("child_id", "start_date"),
    ),
    AnnexList(
        3,
        "Referrals",
        "annex_a_referrals",
        (
            *_CHILD,
            _col("referral_date", r"date of referral|referral date", "date", needed=True, required=True),
            _col("referral_source", r"referral source|source of referral", "code", "referral source"),
            _col("referral_nfa", r"\bnfa\b|no further action", "yesno"),
            _col("referrals_12m", r"number of referrals", "int"),
            *_ALLOCATED,
        ),
        ("child_id", "referral_date"),
    ),
    AnnexList(
        4,
        "Assessments",
        "annex_a_assessments",
        (
            *_CHILD,
            _DISABILITY,
            _col("start_date", r"assessment start", "date", needed=True, required=True),
            _col("child_seen", r"child seen", "yesno"),
            _col("authorised_date", r"authoris|authoriz", "date"),
            _col("needs_support", r"requiring|social care support", "yesno"),
            *_ALLOCATED,
        ),
        ("child_id", "start_date"),
    ),
    AnnexList(
        5,
        "Section 47 enquiries and ICPCs",
        "annex_a_section47",
        (
            *_CHILD,
            _DISABILITY,
            _col(
                "strategy_date",
                r"strategy discussion|s(ection)? ?47 enquiry start",
                "date",
                needed=True,
                required=True,
            ),
            _col("icpc_not_required", r"unnecessary|not required", "yesno"),
            _col("icpc_to_plan", r"result in a child protection plan", "yesno"),
            _col("icpc_date", r"date of (the )?(initial child protection conference|icpc)", "date"),
            _col("s47_12m", r"number of (section 47|s47)", "int"),
            _col("icpc_12m", r"number of (icpcs|initial child protection)", "int"),
            *_ALLOCATED,
        ),
        ("child_id", "strategy_date"),
    ),
    AnnexList(
        6,
        "Children in need",
        "annex_a_cin",
        (
            *_CHILD,
            _DISABILITY,
            _col("start_date", r"cin start", "date", needed=True),
            _col("primary_need", r"primary need", "code", "primary need"),
            _col("last_seen_date", r"last seen", "date"),
            _col("closure_date", r"closure date", "date"),
            _col("closure_reason", r"reason for closure", "code", "reason for closure"),
            _col("case_status", r"case status", "code", "case status", needed=True, required=True),
            *_ALLOCATED,
        ),
        ("child_id", "case_status"),
    ),
    AnnexList(
        7,
        "Child protection",
        "annex_a_child_protection",
        (
            *_CHILD,
            _DISABILITY,
            _col("start_date", r"plan start", "date", needed=True, required=True),
            _col("initial_category", r"initial category", "code", "category of abuse"),
            _col("latest_category", r"latest category", "code", "category of abuse"),
            _col("last_visit_date", r"last statutory visit", "date", needed=True),
            _col("seen_alone", r"seen alone", "yesno"),
            _col("latest_review_date", r"latest review", "date"),
            _col("end_date", r"plan end", "date"),
            _col("emergency_protection", r"emergency protection|police powers", "yesno"),
            _col("previous_plans", r"previous child protection plans|number of previous", "int"),
            *_ALLOCATED,
        ),
        ("child_id", "start_date"),
    ),
    AnnexList(
        8,
        "Children in care",
        "annex_a_children_in_care",
        (
            *_CHILD,
            _col("uasc", r"unaccompanied|\buasc\b", "yesno"),
            _DISABILITY,
            _col("start_date", r"started to be looked after", "date", needed=True, required=True),
            _col("category_of_need", r"category of need", "code", "primary need"),
            _col("legal_status_start", r"start date of current legal status", "date"),
            _col("legal_status", r"legal status", "code", "legal status", read=True),
            _col("latest_review_date", r"latest statutory review", "date"),
            _col("last_visit_date", r"last social work visit", "date", needed=True),
            _col("permanence_plan", r"permanence plan", "code", "permanence plan"),
            _col("last_iro_contact_date", r"\biro\b", "date"),
            _col("last_health_assessment_date", r"health assessment", "date"),
            _col("last_dental_check_date", r"dental", "date"),
            _col("placements_12m", r"number of placements", "int"),
            _col("ceased_date", r"date ceased", "date"),
            _col("reason_ceased", r"reason ceased", "code", "reason ceased"),
            _col("placement_start_date", r"start date of most recent placement", "date"),
            _col("placement_type", r"placement type", "code", "placement type"),
            _col("placement_provider", r"placement provider", "code", "placement provider"),
            _col("placement_location", r"placement location", "code", "placement location"),
            _col("missing_12m", r"number of .*missing", "int"),
            _col("absent_12m", r"number of .*absent", "int"),
            *_ALLOCATED,
        ),
        ("child_id", "start_date"),
    ),
    AnnexList(
        9,
        "Care leavers",
        "annex_a_care_leavers",
        (
            *_CHILD,
            _DISABILITY,
            _col("allocated_personal_adviser", r"personal advis"),
            *_ALLOCATED,
            _col("eligibility", r"eligibility", "code", "eligibility", needed=True),
            _col("pathway_review_date", r"pathway plan", "date"),
            _col("in_touch", r"in touch", "code", "LA in touch"),
            _col("latest_contact_date", r"latest date of contact|date of (latest|last) contact", "date"),
            _col("accommodation", r"type of accommodation"),
            _col("accommodation_suitable", r"suitab", "yesno"),
            _col("activity", r"activity", "code", "activity"),
        ),
        ("child_id", "eligibility"),
    ),
    AnnexList(
        10,
        "Adoption",
        "annex_a_adoption",
        (
            *_CHILD,
            _col("family_id", r"family identifier|family id"),
            _col("entered_care_date", r"entered care", "date"),
            _col("no_longer_placed_reason", r"reason .*no longer", "code", "reason no longer placed"),
            _col("no_longer_placed_date", r"no longer be placed", "date"),
            _col(
                "decision_date",
                r"decision that (the )?child should be placed",
                "date",
                needed=True,
                required=True,
            ),
            _col("placement_order_date", r"placement order", "date"),
            _col("matched_date", r"date of matching", "date"),
            _col("ffa_date", r"\bffa\b|fostering for adoption|concurrent", "date"),
            _col("placed_date", r"date placed for adoption", "date"),
            _col("adoption_order_date", r"adoption order", "date"),
        ),
        ("child_id", "decision_date"),
    ),
    AnnexList(
        11,
        "Adopters",
        "annex_a_adopters",
        (
            _col("adopter_id", r"adopter identifier|adopter id", needed=True, required=True),
            _col("family_id", r"family identifier|family id"),
            _col("sex", r"^(gender|sex)\b", "code", "sex"),
            _col("ethnicity", r"^ethnic", "code", "ethnicity"),
            _col("enquiry_date", r"enquiry", "date", needed=True, required=True),
            _col("stage1_start_date", r"stage 1 start", "date"),
            _col("stage1_end_date", r"stage 1 end", "date"),
            _col("stage2_start_date", r"stage 2 start", "date"),
            _col("stage2_end_date", r"stage 2 end", "date"),
            _col("application_date", r"application submitted", "date"),
            _col("approval_date", r"application approved", "date"),
            _col("matched_date", r"matched", "date"),
            _col("placed_date", r"placed with", "date"),
            _col("children_placed", r"no of children placed|number of children placed", "int"),
            _col("adoption_order_date", r"adoption order", "date"),
            _col("left_reason", r"reason for leaving", "code", "reason for leaving"),
            _col("left_date", r"leaving", "date"),
        ),
        ("adopter_id", "enquiry_date"),
    ),
)
LISTS_BY_NUMBER = {a.number: a for a in LISTS}


def normalise_header(text: object) -> str:
    """'Child Unique ID' -> 'child unique id'; 'Was the Child Seen Alone?' -> 'was the child seen alone'."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", str(text or "").lower()).split())


def map_columns(annex: AnnexList, headers: list[str]) -> dict[str, int]:
    """target -> position, each header claimed by the first column (in list order) whose pattern it matches."""
    claimed: set[int] = set()
    found: dict[str, int] = {}
    for column in annex.columns:
        for i, header in enumerate(headers):
            if i not in claimed and header and column.matches(header):
                found[column.target] = i
                claimed.add(i)
                break
    return found


def _identity_found(annex: AnnexList, headers: list[str]) -> bool:
    found = map_columns(annex, headers)
    return all(target in found for target in annex.identity)


def _header_row(annex: AnnexList, rows: list[list[object]]) -> int | None:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if _identity_found(annex, [normalise_header(cell) for cell in row]):
            return index
    return None


def list_of_sheet(name: str, rows: list[list[object]]) -> AnnexList | None:
    """The list a sheet holds: by a 'List N' name, else by the list whose columns its header row matches best."""
    named = _LIST_NAME.search(name)
    if named and int(named.group(1)) in LISTS_BY_NUMBER:
        return LISTS_BY_NUMBER[int(named.group(1))]
    best, best_score = None, 0
    for annex in LISTS:
        index = _header_row(annex, rows)
        if index is None:
            continue
        headers = [normalise_header(cell) for cell in rows[index]]
        score = len(map_columns(annex, headers))
        if score > best_score:
            best, best_score = annex, score
    return best


# ---- values -----------------------------------------------------------------------------------------


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an id typed as a number: 12345.0 -> "12345"
    if isinstance(value, dt.datetime):
        value = value.date()
    text = str(value).strip()
    return text or None


class _Cells:
    """Converts cells of one sheet, adding Problems (and warnings) that name the sheet, row and column."""

    def __init__(self, problems: Problems, sheet: str, warnings: list[Problem]):
        self.problems = problems
        self.sheet = sheet
        self.warnings = warnings

    def where(self, row: int) -> str:
        return f"sheet {self.sheet!r} row {row}"

    def value(self, column: Column, header: str, cell: object, row: int) -> object:
        text = _text(cell)
        if text is None:
            if column.required:
                self.problems.add(self.where(row), header, None, "mandatory field is missing")
            return None
        if column.kind == "date":
            return self._date(header, cell, text, row)
        if column.kind == "int":
            return self._int(header, cell, text, row)
        if column.kind == "yesno":
            return self._yesno(header, text, row)
        if column.kind == "code":
            assert column.coder is not None
            coder = CODERS[column.coder]
            code = coder.read(text)
            if code is None and not column.read:
                rule = f"not a recognised {coder.name} value: kept as written, as no indicator reads it"
                self.warnings.append(Problem(self.problems.file, self.where(row), header, text, rule))
                return text
            if code is None:
                self.problems.add(self.where(row), header, text, f"not a recognised {coder.name} value")
            return code
        return text

    def _date(self, header: str, cell: object, text: str, row: int) -> dt.date | None:
        if isinstance(cell, dt.datetime):
            return cell.date()
        if isinstance(cell, dt.date):
            return cell
        day = parse_text_date(text)
        if day is None:
            rule = (
                "a number, not a date: format the column as a date"
                if isinstance(cell, int | float)
                else "not a valid date in the form dd/mm/YYYY"
            )
            self.problems.add(self.where(row), header, text, rule)
        return day

    def _int(self, header: str, cell: object, text: str, row: int) -> int | None:
        if isinstance(cell, int | float) and float(cell).is_integer() and cell >= 0:
            return int(cell)
        if text.isdigit():
            return int(text)
        self.problems.add(self.where(row), header, text, "must be a whole number of at least 0")
        return None

    def _yesno(self, header: str, text: str, row: int) -> bool | None:
        prefix = _PREFIX.match(text)
        rest = (text[prefix.end() :] if prefix else text).strip().upper()
        if rest in _YES or rest.startswith("YES"):
            return True
        if rest in _NO or rest.startswith("NO"):
            return False
        if rest in _UNKNOWN or rest.startswith("UNKNOWN"):
            return None
        if prefix and prefix.group(1).lower() in ("a", "b"):
            return prefix.group(1).lower() == "a"
        self.problems.add(self.where(row), header, text, "must be yes or no (a) Yes, b) No, Y, N)")
        return None


def parse_text_date(text: str) -> dt.date | None:
    return parse_day(text, _DMY, _ISO)


# ---- the workbook -----------------------------------------------------------------------------------


@dataclass
class _Sheet:
    name: str
    annex: AnnexList
    header_index: int
    headers: list[str]  # as written (for Problems)
    positions: dict[str, int]
    rows: list[tuple[int, list[object]]] = field(default_factory=list)  # (Excel row number, cells)


def _open(path: Path, problems: Problems):
    from python_calamine import CalamineError, load_workbook  # a compiled reader: import only when needed

    try:
        return load_workbook(str(path))
    except (CalamineError, OSError, ValueError) as error:
        raise problems.fatal("workbook", "file", None, f"not a readable .xlsx workbook: {error}") from None
    except Exception as error:  # calamine raises its own types for zip and XML faults
        raise problems.fatal("workbook", "file", None, f"not a readable .xlsx workbook: {error}") from None


def _sheets(path: Path, problems: Problems) -> list[_Sheet]:
    workbook = _open(path, problems)
    sheets: list[_Sheet] = []
    seen: dict[int, str] = {}
    for name in workbook.sheet_names:
        try:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as error:
            problems.add(f"sheet {name!r}", "sheet", None, f"cannot be read: {error}")
            continue
        annex = list_of_sheet(name, rows)
        if annex is None:
            continue  # a cover, guidance or notes sheet
        if annex.number in seen:
            problems.add(
                f"sheet {name!r}",
                "sheet",
                name,
                f"a second sheet for list {annex.number} ({seen[annex.number]!r} has it)",
            )
            continue
        seen[annex.number] = name
        sheet = _sheet(name, annex, rows, problems)
        if sheet is not None:
            sheets.append(sheet)
    if not seen and not problems.total:
        raise problems.fatal(
            "workbook", "sheets", ", ".join(workbook.sheet_names)[:200],
            "not an Annex A workbook: no sheet is one of lists 1-11 (by its name or its header row)",
        )  # fmt: skip
    return sheets


def _sheet(name: str, annex: AnnexList, rows: list[list[object]], problems: Problems) -> _Sheet | None:
    index = _header_row(annex, rows)
    if index is None:
        wanted = " and ".join(repr(_label(annex.column(t))) for t in annex.identity)
        problems.add(
            f"sheet {name!r}",
            "header",
            None,
            f"no header row in the first {HEADER_SEARCH_ROWS} rows with {wanted} (list {annex.number}, "
            f"{annex.title})",
        )
        return None
    raw_headers = [_text(cell) or "" for cell in rows[index]]
    positions = map_columns(annex, [normalise_header(h) for h in raw_headers])
    for column in annex.columns:
        if column.needed and column.target not in positions:
            problems.add(
                f"sheet {name!r} row {index + 1}",
                _label(column),
                None,
                f"column missing: list {annex.number} ({annex.title}) needs it",
            )
    sheet = _Sheet(name, annex, index, raw_headers, positions)
    for offset, cells in enumerate(rows[index + 1 :], start=index + 2):
        if any(_text(c) is not None for c in cells):
            sheet.rows.append((offset, cells))
    return sheet


def _label(column: Column) -> str:
    """A readable column name for a Problem when the header itself is missing."""
    return column.target.replace("_", " ")


def _latest_date(sheets: list[_Sheet]) -> dt.date | None:
    latest: dt.date | None = None
    for sheet in sheets:
        dated = [i for t, i in sheet.positions.items() if sheet.annex.column(t).kind == "date" and t != "dob"]
        for _, cells in sheet.rows:
            for i in dated:
                cell = cells[i] if i < len(cells) else None
                day = (
                    cell.date()
                    if isinstance(cell, dt.datetime)
                    else cell
                    if isinstance(cell, dt.date)
                    else None
                )
                if day is None and isinstance(cell, str):
                    day = parse_text_date(cell.strip())
                if day is not None and (latest is None or day > latest):
                    latest = day
    return latest


def as_at_from_name(name: str) -> dt.date | None:
    for pattern, (y, m, d) in _NAME_DATES:
        for match in pattern.finditer(name):
            try:
                return dt.date(int(match.group(y)), int(match.group(m)), int(match.group(d)))
            except ValueError:
                continue
    return None


def _convert(
    sheet: _Sheet, as_at: dt.date, problems: Problems, warnings: list[Problem]
) -> list[tuple[int, dict[str, object]]]:
    cells_of = _Cells(problems, sheet.name, warnings)
    annex = sheet.annex
    out = []
    seen: dict[tuple[object, ...], int] = {}
    key = [t for t in _key_columns(annex) if t in sheet.positions]
    for row_number, cells in sheet.rows:
        row: dict[str, object] = {}
        for column in annex.columns:
            position = sheet.positions.get(column.target)
            if position is None:
                continue
            cell = cells[position] if position < len(cells) else None
            row[column.target] = cells_of.value(column, sheet.headers[position], cell, row_number)
        identity = tuple(row.get(t) for t in key)
        if key and all(part is not None for part in identity):
            first = seen.setdefault(identity, row_number)
            if first != row_number:
                problems.add(
                    cells_of.where(row_number),
                    ", ".join(sheet.headers[sheet.positions[t]] for t in key),
                    ", ".join(str(p) for p in identity),
                    f"duplicate row: row {first} has the same {' and '.join(_label(annex.column(t)) for t in key)}",
                )
        row.pop("legal_status_start", None)  # checked, not stored
        row["as_at_date"] = as_at
        out.append((row_number, row))
    return out


def _key_columns(annex: AnnexList) -> tuple[str, ...]:
    """The list's identity within one workbook (the store adds the as-at date for the snapshot lists)."""
    from .tables import TABLES_BY_NAME

    return tuple(c for c in TABLES_BY_NAME[annex.table].key if c != "as_at_date")


def read(path: Path, *, la: str | None = None, year: str | None = None) -> ParsedReturn:
    """Read one Annex A workbook; raises ReturnRejected listing every problem found."""
    path = Path(path)
    problems = Problems(path.name)
    if path.stat().st_size == 0:
        raise problems.fatal("workbook", "file", None, "the file is empty")
    la_code = checked_la(la, problems, "an Annex A workbook")
    sheets = _sheets(path, problems)
    # The as-at date is the snapshot's day, needed whatever gives the year: a date in the file name, else the
    # latest date in the workbook. Its financial year is the collection year unless --year says otherwise.
    named = as_at_from_name(path.name)
    latest = None if named else _latest_date(sheets)
    as_at = named or latest
    if as_at is None:
        problems.add(
            "workbook", "as-at date", None,
            "no date in the file name and no dates in the lists: name the file with its date (e.g. 2017-03-31)",
        )  # fmt: skip
        problems.raise_if_any()
    assert as_at is not None
    decided = decide(
        problems,
        YEARS,
        option=year,
        files=[path.name],
        latest=Latest(lambda: latest, "dates in the lists"),
        from_name=lambda name: financial_year_of(day) if (day := as_at_from_name(name)) else None,
    )
    if decided is None:
        problems.raise_if_any()
    assert decided is not None
    warnings: list[Problem] = []
    rows = {sheet.annex.table: _convert(sheet, as_at, problems, warnings) for sheet in sheets}
    problems.raise_if_any()
    assert la_code is not None
    buffers = new_buffers(KIND)
    for table, converted in rows.items():
        for line, row in converted:
            buffers[table].append(line, row)
    year_source = decided.source
    if year_source != "--year":  # the as-at date gave the year: say which date, and where it came from
        year_source = (
            f"as-at date {as_at:%d/%m/%Y} ({'file name' if named else 'latest date in the workbook'})"
        )
    return ParsedReturn(
        kind=KIND,
        format="annex_a_xlsx",
        source_name=path.name,
        files=[path],
        sha256=sha256_file(path),
        la_code=la_code,
        collection_year=decided.year,
        year_source=year_source,
        tables={table: buffers[table].to_arrow() for table in rows},
        warnings=warnings,
    )


def _read(candidate: Candidate, la: str | None, year: str | None) -> ParsedReturn:
    return read(candidate.files[0], la=la, year=year)


READERS = (
    Reader(
        format="annex_a_xlsx",
        format_name="Annex A (xlsx)",
        kind=KIND,
        kind_name="Annex A",
        container="xlsx",
        recognise=lambda head: 1.0,  # the only workbook csc-scorecard reads; its reader checks the lists
        read=_read,
        looks_for="Ofsted Annex A workbook",
    ),
)


__all__ = [
    "CODERS",
    "LISTS",
    "READERS",
    "AnnexList",
    "Coder",
    "as_at_from_name",
    "list_of_sheet",
    "read",
]
