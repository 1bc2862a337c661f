"""The Ofsted Annex A workbook reader: lists 1-11 read tolerantly, and every way a workbook is refused.

Workbooks are written here with XlsxWriter, cell by cell, so each test shows exactly what the file holds.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from click.testing import CliRunner

from csc_scorecard.cli import cli
from csc_scorecard.sources import annex_a
from csc_scorecard.sources.detect import discover
from csc_scorecard.sources.problems import ReturnRejected
from store_checks import query, table_checksums

D = dt.date
CHILD = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"]
ALLOCATED = ["Allocated Team", "Allocated Worker"]


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), dates)
                elif value is not None:
                    sheet.write(r, c, value)
    book.close()
    return path


def read(path: Path, **kw):
    return annex_a.read(path, la=kw.pop("la", "335"), **kw)


def rows(parsed, table: str) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "src_line"} for r in parsed.tables[table].to_pylist()]


def problems(path: Path, **kw) -> list[str]:
    with pytest.raises(ReturnRejected) as info:
        read(path, **kw)
    return [str(p) for p in info.value.problems]


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


BOY = ["C1", "a) Male", "a) WBRI", D(2010, 1, 2), 7]
GIRL = ["C2", "b) Female", "o) BAFR", None, None]


def full_workbook(path: Path) -> Path:
    """One or two rows in each of the 11 lists, as the Ofsted template words its columns, plus a cover sheet."""
    return workbook(
        path,
        {
            "Cover": [["Annex A for a test council"]],
            "List 1": [
                [*CHILD, "Date of Contact", "Contact Source"],
                [*BOY, D(2017, 3, 1), "q) 6: Police"],
                [*GIRL, D(2017, 3, 2), "a) 1A: Individual"],
            ],
            "List 2": [
                [*CHILD, "Assessment start date", "Assessment completion date", "Organisation completing assessment"],
                [*GIRL, D(2016, 11, 1), D(2016, 12, 1), "Early Help North"],
            ],
            "List 3": [
                [*CHILD, "Date of referral", "Referral Source", "Referral NFA?", "Number of Referrals in Last 12 Months", *ALLOCATED],
                [*BOY, D(2017, 3, 1), "q) 6: Police", "b) No", 2, "Front Door", "W01"],
            ],
            "List 4": [
                [*CHILD, "Does the Child have a Disability", "Continuous Assessment Start Date",
                 "Child Seen During Continuous Assessment", "Continuous Assessment Date of Authorisation",
                 "Was the child assessed as requiring LA children's social care support?", *ALLOCATED],
                [*BOY, "b) No", D(2017, 3, 2), "a) Yes", None, "c) Unknown", "Front Door", "W01"],
            ],
            "List 5": [
                [*CHILD, "Does the Child have a Disability", "Strategy discussion initiating Section 47 Enquiry Start Date",
                 "Was an Initial Child Protection Conference deemed unnecessary?",
                 "Date of Initial Child Protection Conference",
                 "Did the Initial Child Protection Conference Result in a Child Protection Plan",
                 "Number of Section 47 Enquiries in the last 12 months", "Number of ICPCs in the last 12 months", *ALLOCATED],
                [*BOY, "b) No", D(2017, 3, 3), "b) No", D(2017, 3, 20), "a) Yes", 1, 1, "Safeguarding", "W02"],
            ],
            "List 6": [
                [*CHILD, "Does the Child have a Disability", "CIN Start Date", "Primary Need Code",
                 "Date Child Was Last Seen", "CIN Closure Date", "Reason for Closure", "Case Status", *ALLOCATED],
                [*BOY, "b) No", D(2017, 3, 1), "N1 - Abuse or neglect", D(2017, 3, 28), None, None,
                 "b) Child Protection plan", "Safeguarding", "W02"],
            ],
            "List 7": [
                [*CHILD, "Does the Child have a Disability", "Child Protection Plan Start Date",
                 "Initial Category of Abuse", "Latest Category of Abuse", "Date of the Last Statutory Visit",
                 "Was the Child Seen Alone?", "Date of latest review conference", "Child Protection Plan End Date",
                 "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
                 "Number of Previous Child Protection Plans", *ALLOCATED],
                [*BOY, "b) No", D(2017, 3, 20), "a) Neglect", "d) Emotional abuse", D(2017, 3, 27), "a) Yes",
                 None, None, "b) No", 0, "Safeguarding", "W02"],
            ],
            "List 8": [
                [*CHILD, "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
                 "Does the Child have a Disability", "Date Started to be Looked After", "Child's Category of Need",
                 "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
                 "Start date of current legal status", "Child's Legal Status", "Date of Latest Statutory Review",
                 "Date of Last Social Work Visit", "What is the permanence plan for this child?",
                 "Date of Last IRO Visit / Contact to the Child", "Date of Last Health Assessment",
                 "Date of Last Dental Check", "Number of Placements in the Last 12 months",
                 "Date Ceased to be Looked After", "Reason Ceased to be Looked After",
                 "Start Date of Most Recent Placement", "Placement Type", "Placement Provider",
                 "Placement postcode", "URN of Placement", "Placement Location", "LA of Placement",
                 "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
                 "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
                 "Was the child offered a Return Interview after their last missing episode (Y/N)?",
                 "Did the child accept a Return Interview after their last missing episode (Y/N)?", *ALLOCATED],
                [*GIRL, "b) No", "b) No", D(2015, 6, 1), "N4 - Family in acute stress", "b) No", D(2015, 9, 1),
                 "C2: FCO", D(2017, 1, 5), D(2017, 3, 10), "f) Long-term fostering", D(2017, 2, 1), D(2016, 8, 1),
                 D(2016, 9, 1), 1, None, None, D(2016, 7, 1), "f) U6: Foster placement - not FFA",
                 "b) PR1: Own provision", "WS1 1AA", "SC123456", "a) In", None, 2, 0, "a) Yes", "b) No",
                 "Children in Care", "W03"],
            ],
            "List 9": [
                [*CHILD, "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
                 "Does the Child have a Disability", *ALLOCATED, "Allocated Personal Advisor", "Eligibility Category",
                 "Latest Pathway Plan Review Date", "LA in Touch", "Latest Date of Contact", "Type of Accommodation",
                 "Suitability of Accommodation", "Activity Status"],
                [*GIRL, "b) No", "b) No", "Care Leavers", None, "PA1", "b) Former relevant child", D(2017, 1, 9),
                 "a) Yes", D(2017, 3, 3), "D: Semi-independent", "a) Suitable", "F2: Full time in education"],
            ],
            "List 10": [
                ["Child Unique ID", "Family identifier", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
                 "Does the Child have a Disability", "Date the Child Entered Care",
                 "Date of Decision that Child Should be Placed for Adoption", "Date of Placement Order",
                 "Date of Matching Child and Prospective Adopters", "Date Placed for Adoption",
                 "Date of Adoption Order", "Date of Decision that Child Should No Longer be Placed for Adoption",
                 "Reason Why Child No Longer Placed for Adoption",
                 "Date the child was placed for fostering in FFA or concurrent planning placement"],
                ["C3", "F1", "a) Male", "a) WBRI", D(2015, 5, 5), 1, "b) No", D(2015, 6, 1), D(2016, 4, 20),
                 D(2016, 6, 1), D(2016, 9, 1), D(2016, 10, 1), None, None, None, None],
            ],
            "List 11": [
                ["Individual adopter identifier", "Family identifier", "Gender", "Ethnicity", "Disability",
                 "Is the (prospective) adopter fostering for adoption?", "Date enquiry received",
                 "Date Stage 1 started", "Date Stage 1 ended", "Date Stage 2 started", "Date Stage 2 ended",
                 "Date application submitted", "Date application approved", "Date adopter matched with child(ren)",
                 "Date child/children placed with adopter(s)", "No. of children placed", "Date of Adoption Order",
                 "Date of leaving adoption process", "Reason for leaving adoption process"],
                ["AD1", "F1", "b) Female", "a) WBRI", "b) No", "No", D(2015, 9, 1), D(2015, 10, 1), D(2015, 12, 1),
                 D(2016, 1, 1), D(2016, 4, 1), D(2016, 1, 1), D(2016, 4, 20), D(2016, 9, 1), D(2016, 10, 1), 1,
                 None, None, None],
            ],
        },
    )  # fmt: skip


@pytest.fixture
def full(tmp_path: Path) -> Path:
    return full_workbook(tmp_path / "Annex_A_2017-03-31.xlsx")


# ---- reading ------------------------------------------------------------------------------------------


def test_every_list_is_read_with_its_codes(full: Path) -> None:
    parsed = read(full)
    assert (parsed.kind, parsed.format, parsed.la_code, parsed.collection_year) == (
        "annex_a",
        "annex_a_xlsx",
        "335",
        "2016-17",
    )
    assert parsed.year_source == "as-at date 31/03/2017 (file name)"
    as_at = D(2017, 3, 31)
    assert rows(parsed, "annex_a_contacts") == [
        {
            "child_id": "C1",
            "sex": "M",
            "ethnicity": "WBRI",
            "dob": D(2010, 1, 2),
            "contact_date": D(2017, 3, 1),
            "contact_source": "6",
            "as_at_date": as_at,
        },
        {
            "child_id": "C2",
            "sex": "F",
            "ethnicity": "BAFR",
            "dob": None,
            "contact_date": D(2017, 3, 2),
            "contact_source": "1A",
            "as_at_date": as_at,
        },
    ]
    assert rows(parsed, "annex_a_referrals")[0] | {} == {
        "child_id": "C1",
        "sex": "M",
        "ethnicity": "WBRI",
        "dob": D(2010, 1, 2),
        "referral_date": D(2017, 3, 1),
        "referral_source": "6",
        "referral_nfa": False,
        "referrals_12m": 2,
        "allocated_team": "Front Door",
        "allocated_worker": "W01",
        "as_at_date": as_at,
    }
    assessment = rows(parsed, "annex_a_assessments")[0]
    assert (assessment["child_seen"], assessment["authorised_date"], assessment["needs_support"]) == (
        True,
        None,
        None,
    )
    s47 = rows(parsed, "annex_a_section47")[0]
    assert (s47["strategy_date"], s47["icpc_not_required"], s47["icpc_date"], s47["icpc_to_plan"]) == (
        D(2017, 3, 3),
        False,
        D(2017, 3, 20),
        True,
    )
    cin = rows(parsed, "annex_a_cin")[0]
    assert (cin["primary_need"], cin["case_status"], cin["last_seen_date"]) == ("N1", "CPP", D(2017, 3, 28))
    cp = rows(parsed, "annex_a_child_protection")[0]
    assert (
        cp["initial_category"],
        cp["latest_category"],
        cp["last_visit_date"],
        cp["seen_alone"],
        cp["previous_plans"],
    ) == ("NEG", "EMO", D(2017, 3, 27), True, 0)
    cla = rows(parsed, "annex_a_children_in_care")[0]
    assert {
        k: cla[k]
        for k in (
            "start_date",
            "category_of_need",
            "legal_status",
            "last_visit_date",
            "permanence_plan",
            "placement_type",
            "placement_provider",
            "placement_location",
            "missing_12m",
        )
    } == {
        "start_date": D(2015, 6, 1),
        "category_of_need": "N4",
        "legal_status": "C2",
        "last_visit_date": D(2017, 3, 10),
        "permanence_plan": "FOSTERING",
        "placement_type": "U6",
        "placement_provider": "PR1",
        "placement_location": "IN",
        "missing_12m": 2,
    }
    leaver = rows(parsed, "annex_a_care_leavers")[0]
    assert (
        leaver["eligibility"],
        leaver["in_touch"],
        leaver["activity"],
        leaver["accommodation_suitable"],
        leaver["allocated_personal_adviser"],
    ) == ("FORMER_RELEVANT", "YES", "F2", True, "PA1")
    assert rows(parsed, "annex_a_adoption")[0]["decision_date"] == D(2016, 4, 20)
    adopter = rows(parsed, "annex_a_adopters")[0]
    assert (adopter["adopter_id"], adopter["enquiry_date"], adopter["children_placed"], adopter["sex"]) == (
        "AD1",
        D(2015, 9, 1),
        1,
        "F",
    )
    assert rows(parsed, "annex_a_early_help")[0]["organisation"] == "Early Help North"


def test_headers_sheets_and_values_are_read_tolerantly(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "annex a.xlsx",
        {
            "Notes": [["Read me first"], ["Nothing here is a list"]],
            # No 'List N' in the name: recognised as list 1 by its header, two title rows above it.
            "Contacts": [
                ["Walsall Annex A"],
                [],
                ["CHILD_ID", "Sex", "contact date", "SOURCE OF CONTACT", "Something the council added"],
                ["1234", "Male", "03/03/2017", "1A", "x"],
                [1235.0, "female", "2017-03-04", "p1) 5D: LA services - early help", None],
            ],
            "list_7 - CP": [
                ["child id", "cp plan start date", "date of the last statutory visit"],
                ["1234", D(2017, 1, 1), "1/3/2017"],
            ],
        },
    )
    parsed = read(path)
    assert rows(parsed, "annex_a_contacts") == [
        {
            "child_id": "1234",
            "sex": "M",
            "ethnicity": None,
            "dob": None,
            "contact_date": D(2017, 3, 3),
            "contact_source": "1A",
            "as_at_date": D(2017, 3, 4),
        },
        {
            "child_id": "1235",
            "sex": "F",
            "ethnicity": None,
            "dob": None,
            "contact_date": D(2017, 3, 4),
            "contact_source": "5D",
            "as_at_date": D(2017, 3, 4),
        },
    ]
    assert rows(parsed, "annex_a_child_protection")[0]["last_visit_date"] == D(2017, 3, 1)
    # No date in the name: the as-at date is the latest date in the workbook.
    assert parsed.year_source == "as-at date 04/03/2017 (latest date in the workbook)"
    assert set(parsed.tables) == {"annex_a_contacts", "annex_a_child_protection"}


@pytest.mark.parametrize(
    ("name", "as_at"),
    [
        ("AnnexA_20170331.xlsx", D(2017, 3, 31)),
        ("Annex A 30-09-2016.xlsx", D(2016, 9, 30)),
        ("aa_2016.09.30.xlsx", D(2016, 9, 30)),
    ],
)
def test_as_at_date_from_the_file_name(name: str, as_at: dt.date) -> None:
    assert annex_a.as_at_from_name(name) == as_at


def test_year_option_must_agree_with_the_as_at_date_in_the_file_name(full: Path, tmp_path: Path) -> None:
    parsed = read(full, year="2016-17")
    assert (parsed.collection_year, parsed.year_source) == ("2016-17", "--year")
    with pytest.raises(ReturnRejected) as caught:
        read(full, year="2017-18")
    assert [str(p) for p in caught.value.problems] == [
        f"{full.name}: command line: --year = '2017-18': the file name {full.name!r} says collection year "
        "2016-17: rename it or correct --year"
    ]
    # A workbook whose name gives no date takes --year, whatever its latest date.
    unnamed = tmp_path / "annex_a.xlsx"
    shutil.copy(full, unnamed)
    assert read(unnamed, year="2017-18").collection_year == "2017-18"


# ---- refused input ------------------------------------------------------------------------------------


def one_list(tmp_path: Path, header: list, *data: list, name: str = "Annex_A_2017-03-31.xlsx") -> Path:
    return workbook(tmp_path / name, {"List 1": [header, *data]})


CONTACT_HEADER = [*CHILD, "Date of Contact", "Contact Source"]


def test_a_bad_date_an_unknown_code_and_a_missing_id_are_each_named(tmp_path: Path) -> None:
    path = one_list(
        tmp_path, CONTACT_HEADER,
        ["C1", "a) Male", "a) WBRI", None, None, "31/02/2017", "a) 1A: Individual"],
        ["C2", "x) Other", "a) WXYZ", None, None, D(2017, 3, 2), "Police"],
        [None, "a) Male", "a) WBRI", None, None, 42800, "q) 6: Police"],
    )  # fmt: skip
    # Gender and ethnicity are no indicator's: their unreadable answers are kept with a warning (tested below).
    assert problems(path) == [
        "Annex_A_2017-03-31.xlsx: sheet 'List 1' row 2: Date of Contact = '31/02/2017': not a valid date in the form dd/mm/YYYY",
        "Annex_A_2017-03-31.xlsx: sheet 'List 1' row 3: Contact Source = 'Police': not a recognised referral source value",
        "Annex_A_2017-03-31.xlsx: sheet 'List 1' row 4: Child Unique ID = (blank): mandatory field is missing",
        "Annex_A_2017-03-31.xlsx: sheet 'List 1' row 4: Date of Contact = '42800': a number, not a date: format the column as a date",
    ]


def test_a_column_the_indicators_need_must_be_there(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "Annex_A_2017-03-31.xlsx",
        {
            "List 7": [
                [*CHILD, "Child Protection Plan Start Date", "Allocated Team"],
                ["C1", None, None, None, None, D(2017, 1, 1), "T"],
            ]
        },
    )
    assert problems(path) == [
        "Annex_A_2017-03-31.xlsx: sheet 'List 7' row 1: last visit date = (blank): column missing: list 7 (Child protection) needs it"
    ]


def test_no_header_row_and_duplicates_and_a_second_sheet_for_a_list(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "Annex_A_2017-03-31.xlsx",
        {
            "List 1": [
                CONTACT_HEADER,
                ["C1", None, None, None, None, D(2017, 3, 1), None],
                ["C1", None, None, None, None, D(2017, 3, 1), "8"],
            ],
            "List 1 (copy)": [CONTACT_HEADER],
            "List 3": [["Name", "Notes"], ["Ann", "x"]],
        },
    )
    assert problems(path) == [
        "Annex_A_2017-03-31.xlsx: sheet 'List 1 (copy)': sheet = 'List 1 (copy)': a second sheet for list 1 ('List 1' has it)",
        "Annex_A_2017-03-31.xlsx: sheet 'List 3': header = (blank): no header row in the first 10 rows with 'child id' and 'referral date' (list 3, Referrals)",
        "Annex_A_2017-03-31.xlsx: sheet 'List 1' row 3: Child Unique ID, Date of Contact = 'C1, 2017-03-01': duplicate row: row 2 has the same child id and contact date",
    ]


def test_a_workbook_with_no_list_is_not_an_annex_a(tmp_path: Path) -> None:
    path = workbook(tmp_path / "budget.xlsx", {"Budget": [["Line", "Amount"], ["Staff", 10]]})
    assert problems(path) == [
        "budget.xlsx: workbook: sheets = 'Budget': not an Annex A workbook: no sheet is one of lists 1-11 (by its name or its header row)"
    ]


def test_not_a_workbook_empty_and_no_la(tmp_path: Path, full: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not really a zip")
    assert problems(broken)[0].startswith(
        "broken.xlsx: workbook: file = (blank): not a readable .xlsx workbook:"
    )
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert problems(empty) == ["empty.xlsx: workbook: file = (blank): the file is empty"]
    assert problems(full, la=None)[0] == (
        "Annex_A_2017-03-31.xlsx: command line: --la = (blank): an Annex A workbook carries no LA code: pass --la with the 3-digit DfE code"
    )


@pytest.fixture(scope="module")
def base_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("annex")
    db = folder / "s.duckdb"
    code, out = run("load", full_workbook(folder / "Annex_A_2017-03-31.xlsx"), "--la", "335", "--db", db)
    assert code == 0, out
    return db


BAD_WORKBOOKS = {
    "bad date": (lambda p: one_list(p, CONTACT_HEADER, ["C1", None, None, None, None, "2017-13-01", None]), "Date of Contact = '2017-13-01'"),
    "unknown code": (lambda p: one_list(p, CONTACT_HEADER, ["C1", None, None, None, None, D(2017, 3, 1), "99"]), "Contact Source = '99': not a recognised referral source value"),
    "missing column": (lambda p: one_list(p, [*CHILD, "Contact Source"], ["C1"]), "no header row in the first 10 rows"),
    "binary": (lambda p: _write(p / "Annex_A_2017-03-31.xlsx", bytes(range(256)) * 8), "not a readable .xlsx workbook"),
    "zip without a workbook": (lambda p: _zip(p / "Annex_A_2017-03-31.xlsx"), "not a readable .xlsx workbook"),
}  # fmt: skip


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a spreadsheet")
    return path


@pytest.mark.parametrize("case", sorted(BAD_WORKBOOKS))
def test_bad_workbook_is_refused_and_store_unchanged(case: str, base_store: Path, tmp_path: Path) -> None:
    make, expected = BAD_WORKBOOKS[case]
    path = make(tmp_path)
    before = table_checksums(base_store)
    code, out = run("load", path, "--la", "335", "--db", base_store)
    assert code != 0, out
    assert "Nothing was loaded" in out and path.name in out and expected in out, out
    assert table_checksums(base_store) == before


# ---- detection and the store ------------------------------------------------------------------------------


def test_a_workbook_in_a_folder_is_found_and_excel_lock_files_are_ignored(tmp_path: Path, full: Path) -> None:
    (tmp_path / "~$Annex_A_2017-03-31.xlsx").write_bytes(b"\x00lock")
    candidates, skipped = discover([tmp_path])
    assert [(c.format, c.name) for c in candidates] == [("annex_a_xlsx", "Annex_A_2017-03-31.xlsx")]
    assert skipped == []


def test_snapshots_of_two_years_both_stay_and_a_new_version_replaces_its_year(
    base_store: Path, tmp_path: Path
) -> None:
    db = tmp_path / "s.duckdb"
    older = workbook(
        tmp_path / "Annex_A_2016-03-31.xlsx",
        {
            "List 7": [
                [*CHILD, "Child Protection Plan Start Date", "Date of the Last Statutory Visit"],
                [*BOY, D(2016, 1, 4), D(2016, 3, 30)],
            ]
        },
    )
    code, out = run(
        "load", older, full_workbook(tmp_path / "Annex_A_2017-03-31.xlsx"), "--la", "335", "--db", db
    )
    assert code == 0, out
    # The same plan on two snapshots: two rows, one per as-at date (the snapshot lists keep every year's).
    assert query(db, "SELECT child_id, start_date, as_at_date FROM annex_a_child_protection ORDER BY as_at_date") == [
        ("C1", D(2016, 1, 4), D(2016, 3, 31)), ("C1", D(2017, 3, 20), D(2017, 3, 31)),
    ]  # fmt: skip
    newer = workbook(
        tmp_path / "v2" / "Annex_A_2016-03-31.xlsx" if (tmp_path / "v2").mkdir() is None else None,
        {
            "List 7": [
                [*CHILD, "Child Protection Plan Start Date", "Date of the Last Statutory Visit"],
                [*BOY, D(2016, 1, 4), D(2016, 3, 31)],
            ]
        },
    )
    code, out = run("load", newer, "--la", "335", "--db", db)
    assert code == 0 and "replaced load 1" in out, out
    assert query(
        db, "SELECT last_visit_date FROM annex_a_child_protection WHERE as_at_date = DATE '2016-03-31'"
    ) == [(D(2016, 3, 31),)]


# ---- free text in coded columns no indicator reads --------------------------------------------------------------


def test_free_text_in_a_coded_column_no_indicator_reads_is_kept_with_a_warning(tmp_path: Path) -> None:
    # Real workbooks hold words where list 4 and 6 want codes; no indicator reads those columns.
    path = workbook(
        tmp_path / "Annex_A_2017-03-31.xlsx",
        {
            "List 4": [
                [*CHILD, "Continuous Assessment Start Date", *ALLOCATED],
                ["C1", "a) Male", "see file note", None, None, D(2017, 3, 2), "Front Door", "W01"],
            ],
            "List 6": [
                [*CHILD, "CIN Start Date", "Primary Need Code", "Reason for Closure", "Case Status"],
                [
                    "C1",
                    "a) Male",
                    "a) WBRI",
                    None,
                    None,
                    D(2017, 3, 1),
                    "Housing issues",
                    "closed - moved",
                    "CIN",
                ],
            ],
        },
    )
    parsed = read(path)
    assert rows(parsed, "annex_a_assessments")[0]["ethnicity"] == "see file note"
    cin = rows(parsed, "annex_a_cin")[0]
    assert (cin["primary_need"], cin["closure_reason"], cin["case_status"]) == (
        "Housing issues", "closed - moved", "CIN",
    )  # fmt: skip
    assert [str(w) for w in parsed.warnings] == [
        f"{path.name}: sheet 'List 4' row 2: Ethnicity = 'see file note': not a recognised ethnicity value: kept "
        "as written, as no indicator reads it",
        f"{path.name}: sheet 'List 6' row 2: Primary Need Code = 'Housing issues': not a recognised primary need "
        "value: kept as written, as no indicator reads it",
        f"{path.name}: sheet 'List 6' row 2: Reason for Closure = 'closed - moved': not a recognised reason for "
        "closure value: kept as written, as no indicator reads it",
    ]
    # Through the command line: loaded, each warning said, and listed by `quality` until a new version replaces it.
    db = tmp_path / "s.duckdb"
    code, out = run("load", path, "--la", "335", "--db", db)
    assert code == 0, out
    assert out.count("warning: ") == 3 and "warning: " + str(parsed.warnings[1]) in out
    code, out = run("quality", "--db", db, "--format", "csv")
    assert code == 0 and out.count("kept_as_written") == 3 and "'Housing issues'" in out


def test_an_unreadable_code_in_a_column_an_indicator_reads_is_still_refused(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "Annex_A_2017-03-31.xlsx",
        {
            "List 8": [
                [
                    *CHILD,
                    "Date Started to be Looked After",
                    "Child's Legal Status",
                    "Date of Last Social Work Visit",
                ],
                ["C1", "a) Male", "a) WBRI", None, None, D(2016, 3, 2), "care order", D(2017, 3, 2)],
            ],
        },
    )
    assert problems(path) == [
        f"{path.name}: sheet 'List 8' row 2: Child's Legal Status = 'care order': not a recognised legal status value"
    ]


def test_the_coded_columns_an_indicator_reads_are_those_marked_read() -> None:
    """A column marked `read` refuses a bad code; one not marked keeps it: the catalogue decides which is which."""
    from csc_scorecard.catalogue import fragments as fr
    from csc_scorecard.catalogue import load_catalogue

    catalogue = load_catalogue()
    read_columns: set[tuple[str, str]] = set()
    for population in catalogue.populations.values():
        query = fr.parse_query(population.sql)
        aliases = {t.alias_or_name: t.name for t in query.find_all(fr.exp.Table)}
        for column in query.find_all(fr.exp.Column):
            if aliases.get(column.table, "").startswith("annex_a_"):
                read_columns.add((aliases[column.table], column.name))
    for annex in annex_a.LISTS:
        for column in annex.columns:
            if column.kind == "code":
                assert column.read == ((annex.table, column.target) in read_columns), (
                    annex.table,
                    column.target,
                )
