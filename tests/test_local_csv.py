"""The local CSV templates (docs/templates/): recognition by header set, values, and every way a file is refused.

Refusals go through the real `load` command into a real store: the command exits non-zero, the output names the
file, line, column, value and rule, and every table of the store is unchanged.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from csc_scorecard.cli import cli
from csc_scorecard.sources import local_csv
from csc_scorecard.sources.detect import discover, recognise
from csc_scorecard.sources.problems import ReturnRejected
from csc_scorecard.sources.ssda903 import TABLE_COLUMNS
from store_checks import query, table_checksums

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "templates" / "examples"

HEADERS = {name: ",".join(c.name for c in t.columns) for name, t in local_csv.TEMPLATES_BY_NAME.items()}


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = folder / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return folder


def rejected(call) -> ReturnRejected:
    with pytest.raises(ReturnRejected) as info:
        call()
    return info.value


def read_folder(folder: Path, kind: str, year: str | None = None):
    files = sorted(folder.glob("*.csv"))
    return local_csv.read(files, kind=kind, la="335", year=year, folder_name=folder.name)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A store holding the documented examples (every template, loaded from docs/templates/examples)."""
    db = tmp_path / "s.duckdb"
    code, out = run("load", EXAMPLES, "--la", "335", "--db", db)
    assert code == 0, out
    return db


# ---- the examples in docs/templates/examples -----------------------------------------------------------


def test_every_example_file_loads_as_its_kind(store: Path) -> None:
    rows = query(
        store, "SELECT kind, format, collection_year, year_source, row_counts FROM loads ORDER BY kind"
    )
    assert [(k, f, y, s) for k, f, y, s, _ in rows] == [
        ("case_audits", "case_audits_csv", "2016-17", "folder name"),
        ("csww", "csww_xml", "2016-17", "census date 30/09/2016 (ReferenceDate)"),
        ("early_help", "early_help_csv", "2016-17", "folder name"),
        ("workforce", "workforce_csv", "2016-17", "folder name"),
        ("youth_justice", "youth_justice_csv", "2016-17", "folder name"),
    ]
    counts = {
        "eh_contacts": 5, "eh_assessments": 4, "eh_closures": 3, "sw_workers": 6, "sw_caseloads": 4,
        "sw_establishment": 2, "youth_justice": 4, "case_audits": 4, "csww_workers": 5, "csww_vacancies": 1,
    }  # fmt: skip
    for table, n in counts.items():
        assert query(store, f"SELECT count(*) FROM {table}") == [(n,)], table


def test_example_values_are_read_and_normalised(store: Path) -> None:
    # 'Family Star' and 'Step down' are read as their codes; the blank completion date stays blank.
    assert query(
        store, "SELECT assessment_tool, completed_date FROM eh_assessments WHERE child_id = 'EH0002'"
    ) == [("FAMILY_STAR", dt.date(2016, 6, 20))]
    assert query(store, "SELECT completed_date FROM eh_assessments WHERE child_id = 'EH0003'") == [(None,)]
    assert query(store, "SELECT closure_outcome FROM eh_closures WHERE child_id = 'EH0004'") == [
        ("STEP_DOWN",)
    ]
    assert query(store, "SELECT asye, agency, fte FROM sw_workers WHERE worker_id = 'W004'") == [
        (False, False, 0.8)
    ]
    assert query(store, "SELECT grade, themes FROM case_audits WHERE audit_id = 'QA2016-004'") == [
        ("INADEQUATE", ["Planning", "Chronology", "Risk analysis"])
    ]
    assert query(store, "SELECT child_id, themes FROM case_audits WHERE audit_id = 'QA2016-003'") == [
        (None, None)
    ]


def test_reloading_the_examples_changes_nothing(store: Path) -> None:
    before = table_checksums(store)
    code, out = run("load", EXAMPLES, "--la", "335", "--db", store)
    assert code == 0, out
    assert out.count("already loaded") == 5
    assert table_checksums(store) == before


def test_a_new_version_of_a_kind_replaces_all_its_files(store: Path, tmp_path: Path) -> None:
    # The new early help return has only the contacts file: the assessments and closures would go with the old
    # load, so it is refused unless the analyst says so.
    folder = write(
        tmp_path / "early_help_2016-17", {"c.csv": HEADERS["early_help_contacts"] + "\nX1,,01/05/2016,2A\n"}
    )
    before = table_checksums(store)
    code, out = run("load", folder, "--la", "335", "--db", store)
    assert code == 1 and "Nothing was loaded: 1 problem(s) found." in out
    assert (
        "early_help_2016-17: -: tables = 'eh_assessments, eh_closures': a new version of the Early help return of "
        "2016-17 for LA 335 without table(s) the loaded version (load 3) holds: eh_assessments (4 rows), "
        "eh_closures (3 rows) would vanish from the store; load the whole return, or pass --replace-partial to "
        "replace it anyway"
    ) in out
    assert table_checksums(store) == before
    code, out = run("load", folder, "--la", "335", "--replace-partial", "--db", store)
    assert code == 0, out
    assert "replaced load" in out
    assert query(store, "SELECT child_id FROM eh_contacts") == [("X1",)]
    assert query(store, "SELECT count(*) FROM eh_assessments") == [(0,)]
    assert query(store, "SELECT count(*) FROM sw_workers") == [(6,)]  # another kind: untouched


# ---- recognition --------------------------------------------------------------------------------------


def test_headers_are_matched_as_sets_in_any_case_order_and_spacing() -> None:
    found = local_csv.classify_header(["Contact Date", "CHILD ID", " contact-source ", "DOB"])
    assert found.exact and found.template is not None and found.template.name == "early_help_contacts"
    # Optional columns may be left out.
    assert local_csv.classify_header(["child_id", "contact_date"]).template.name == "early_help_contacts"
    assert local_csv.classify_header(["audit_id", "audit_date", "team", "grade"]).exact


def test_a_near_miss_names_the_template_and_what_differs() -> None:
    found = local_csv.classify_header(
        ["worker_id", "team", "team_type", "role", "asye", "agency", "fte", "start"]
    )
    assert not found.exact and found.template.name == "workforce_workers"
    assert found.missing == ("start_date", "end_date") and found.unknown == ("start",)


def test_no_template_header_can_be_taken_for_an_ssda903_table() -> None:
    template_sets = [{c.name for c in t.columns} for t in local_csv.TEMPLATES]
    for table, columns in TABLE_COLUMNS.items():
        names = [c.lower() for c in columns]
        assert (
            local_csv.classify_header(columns).template is None
            or not local_csv.classify_header(columns).exact
        )
        assert all(set(names) != s for s in template_sets), table
    for template in local_csv.TEMPLATES:
        from csc_scorecard.sources.ssda903 import classify_header

        assert not classify_header([c.name for c in template.columns]).exact


def test_detection_groups_a_folders_csvs_by_kind(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "mixed_2016-17",
        {
            "contacts.csv": HEADERS["early_help_contacts"] + "\n",
            "closures.csv": HEADERS["early_help_closures"] + "\n",
            "audits.csv": HEADERS["case_audits"] + "\n",
            "episodes.csv": ",".join(TABLE_COLUMNS["Episodes"]) + "\n",
            "nearly.csv": "child_id,dob,contact_date,contact_sauce\n",  # closest to a template: its reader explains
        },
    )
    candidates, _ = discover([folder])
    formats = {c.format: sorted(p.name for p in c.files) for c in candidates}
    assert formats == {
        "case_audits_csv": ["audits.csv"],
        "early_help_csv": ["closures.csv", "contacts.csv", "nearly.csv"],
        "ssda903_csv": ["episodes.csv"],
    }
    assert recognise(folder / "nearly.csv").kind == "early_help"


# ---- values and years ---------------------------------------------------------------------------------


def test_dates_in_either_form_codes_and_flags(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "w",
        {
            "workers.csv": HEADERS["workforce_workers"]
            + "\nW1,Team A,children in care,Social Worker,yes,0,.5,1/4/2016,2017-01-31\n",
        },
    )
    parsed = read_folder(folder, "workforce", year="2016-17")
    assert parsed.tables["sw_workers"].to_pylist()[0] | {"src_line": None} == {
        "worker_id": "W1", "team": "Team A", "team_type": "CHILDREN_IN_CARE", "role": "SOCIAL_WORKER",
        "asye": True, "agency": False, "fte": 0.5, "start_date": dt.date(2016, 4, 1),
        "end_date": dt.date(2017, 1, 31), "src_line": None,
    }  # fmt: skip
    assert parsed.year_source == "--year"


@pytest.mark.parametrize(
    ("folder", "files", "year", "source"),
    [
        ("audits_2015-16", {"a.csv": "audit_id,audit_date,team,grade\nA1,01/05/2015,T,GOOD\n"}, "2015-16", "folder name"),
        ("audits", {"audits_2016_17.csv": "audit_id,audit_date,team,grade\nA1,01/05/2016,T,GOOD\n"}, "2016-17", "file name"),
        ("audits", {"a.csv": "audit_id,audit_date,team,grade\nA1,01/05/2016,T,GOOD\nA2,02/04/2017,T,GOOD\n"}, "2017-18", "latest date"),
    ],
)  # fmt: skip
def test_collection_year_from_folder_file_or_latest_date(tmp_path, folder, files, year, source) -> None:
    parsed = read_folder(write(tmp_path / folder, files), "case_audits")
    assert (parsed.collection_year, parsed.year_source) == (year, source)


# ---- refused input: every template, through the CLI, store unchanged ------------------------------------

H = HEADERS
BAD: dict[str, tuple[str, str | bytes, str]] = {
    # case: (file name, content, the problem line expected in the output)
    "contacts missing column": (
        "c.csv", "child_id,dob\nA,01/01/2010\n",
        "c.csv: line 1: contact_date = (blank): column missing: the header looks like the early_help_contacts template",
    ),
    "contacts bad date": (
        "c.csv", H["early_help_contacts"] + "\nA,,31/02/2017,2A\n",
        "c.csv: line 2: contact_date = '31/02/2017': not a valid date in the form dd/mm/YYYY (or YYYY-MM-DD)",
    ),
    "contacts unknown source": (
        "c.csv", H["early_help_contacts"] + "\nA,,01/02/2017,2C\n",
        "c.csv: line 2: contact_source = '2C': not a valid CIN ReferralSource code for 2016-17",
    ),
    "contacts missing child": (
        "c.csv", H["early_help_contacts"] + "\n,,01/02/2017,2A\n",
        "c.csv: line 2: child_id = (blank): mandatory field is missing",
    ),
    "contacts duplicate": (
        "c.csv", H["early_help_contacts"] + "\nA,,01/02/2017,2A\nA,,01/02/2017,3A\n",
        "c.csv: line 3: child_id, contact_date = 'A, 01/02/2017': duplicate row: line 2 has the same child_id and contact_date",
    ),
    "contacts after the year": (
        "c.csv", H["early_help_contacts"] + "\nA,,01/04/2017,2A\n",
        "c.csv: line 2: contact_date = '01/04/2017': after the end of the collection year 2016-17 (31/03/2017)",
    ),
    "assessments unknown tool": (
        "a.csv", H["early_help_assessments"] + "\nA,01/05/2016,,Signs of Safety,T\n",
        "a.csv: line 2: assessment_tool = 'Signs of Safety': not one of the assessment_tool codes: EHA, FAMILY_STAR, OUTCOMES_STAR, CAF, OTHER",
    ),
    "assessments completed before start": (
        "a.csv", H["early_help_assessments"] + "\nA,01/05/2016,30/04/2016,EHA,T\n",
        "a.csv: line 2: assessment_completed_date = '30/04/2016': before the assessment start date (01/05/2016)",
    ),
    "closures unknown outcome": (
        "x.csv", H["early_help_closures"] + "\nA,01/05/2016,01/06/2016,HAPPY\n",
        "x.csv: line 2: closure_outcome = 'HAPPY': not one of the closure_outcome codes",
    ),
    "workers bad fte": (
        "w.csv", H["workforce_workers"] + "\nW1,T,SAFEGUARDING,SOCIAL_WORKER,N,N,1.2,01/05/2016,\n",
        "w.csv: line 2: fte = '1.2': must be a full-time equivalent above 0 and at most 1 (e.g. 0.6)",
    ),
    "workers bad flag": (
        "w.csv", H["workforce_workers"] + "\nW1,T,SAFEGUARDING,SOCIAL_WORKER,maybe,N,1,01/05/2016,\n",
        "w.csv: line 2: asye = 'maybe': must be Y or N",
    ),
    "workers unknown role": (
        "w.csv", H["workforce_workers"] + "\nW1,T,SAFEGUARDING,CHIEF,N,N,1,01/05/2016,\n",
        "w.csv: line 2: role = 'CHIEF': not one of the role codes",
    ),
    "workers wrong field count": (
        "w.csv", H["workforce_workers"] + "\nW1,T,SAFEGUARDING\n",
        "w.csv: line 2: row = '3 fields': has 3 fields but the header has 9",
    ),
    "caseloads negative": (
        "k.csv", H["workforce_caseloads"] + "\nW1,31/03/2017,-2\n",
        "k.csv: line 2: cases = '-2': must be a whole number of at least 0",
    ),
    "establishment not a number": (
        "e.csv", H["workforce_establishment"] + "\nT,01/04/2016,four\n",
        "e.csv: line 2: funded_fte = 'four': must be a number of at least 0 (a full stop for decimals)",
    ),
    "youth justice not a quarter end": (
        "y.csv", H["youth_justice"] + "\n15/06/2016,25000,3,,,,\n",
        "y.csv: line 2: quarter_end = '15/06/2016': must be the last day of a quarter (31/03, 30/06, 30/09 or 31/12)",
    ),
    "youth justice more reoffenders than cohort": (
        "y.csv", H["youth_justice"] + "\n30/06/2016,25000,3,10,11,20,0\n",
        "y.csv: line 2: reoffenders = '11': more than reoffending_cohort (10)",
    ),
    "audits unknown grade": (
        "q.csv", H["case_audits"] + "\nA1,,01/06/2016,T,Excellent,\n",
        "q.csv: line 2: grade = 'Excellent': not one of the grade codes: OUTSTANDING, GOOD, REQUIRES_IMPROVEMENT, INADEQUATE",
    ),
    "audits header only a near miss": (
        "q.csv", "audit_id,audit_date,team,grade,score\nA1,01/06/2016,T,GOOD,3\n",
        "q.csv: line 1: score = 'score': not a column of the case_audits template",
    ),
    "utf16 that is not": (
        "q.csv", (H["case_audits"] + "\n").encode("utf-16") + b"\x00\xd8",  # half a surrogate pair at the end
        "q.csv: line 2: file = (blank): not valid UTF-16 text, as its byte-order mark says",
    ),
    "two encodings": (
        "q.csv", (H["case_audits"] + "\nA1,,01/06/2016,Zoë,GOOD,\n").encode() + b"A2,,01/06/2016,Jos\xe9,GOOD,\n",
        "q.csv: line 3: file = (blank): not UTF-8 (byte 0xE9), while line 2 is UTF-8 ('ë'): the file mixes "
        "encodings; save it as CSV UTF-8",
    ),
    "binary": ("q.csv", bytes(range(256)) * 8, "q.csv: line 1: file = (blank): a binary file"),
    "empty": ("q.csv", "", "q.csv: line 1: file = (blank): the file is empty"),
}  # fmt: skip


@pytest.fixture(scope="module")
def base_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("base") / "s.duckdb"
    code, out = run("load", EXAMPLES, "--la", "335", "--db", db)
    assert code == 0, out
    return db


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_template_file_is_refused_and_store_unchanged(
    case: str, base_store: Path, tmp_path: Path
) -> None:
    name, content, expected = BAD[case]
    folder = write(tmp_path / "local_2016-17", {name: content})
    before = table_checksums(base_store)
    code, out = run("load", folder, "--la", "335", "--db", base_store)
    assert code != 0, out
    assert "Nothing was loaded" in out
    assert expected in out, out
    assert table_checksums(base_store) == before


def test_a_caseload_for_a_worker_the_workers_file_lacks(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "workforce_2016-17",
        {
            "w.csv": H["workforce_workers"] + "\nW1,T,SAFEGUARDING,SOCIAL_WORKER,N,N,1,01/05/2016,\n",
            "k.csv": H["workforce_caseloads"] + "\nW1,31/03/2017,12\nW9,31/03/2017,3\n",
        },
    )
    error = rejected(lambda: read_folder(folder, "workforce"))
    assert [str(p) for p in error.problems] == [
        "k.csv: line 3: worker_id = 'W9': not in the workers file (w.csv)"
    ]


def test_two_files_for_one_template_and_no_la(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "audits_2016-17",
        {"a.csv": H["case_audits"] + "\n", "b.csv": H["case_audits"] + "\n"},
    )
    error = rejected(
        lambda: local_csv.read(
            sorted(folder.glob("*.csv")), kind="case_audits", la=None, year=None, folder_name=folder.name
        )
    )
    shown = [str(p) for p in error.problems]
    assert (
        "audits_2016-17: command line: --la = (blank): the case audits template carries no LA code: pass --la with the 3-digit DfE code"
        in shown
    )
    assert any(
        s.startswith(
            "b.csv: line 1: header = 'case_audits': a second file for the case_audits template (a.csv has it)"
        )
        for s in shown
    )


def test_a_template_without_dates_needs_a_year(tmp_path: Path) -> None:
    folder = write(tmp_path / "audits", {"a.csv": H["case_audits"] + "\n"})
    error = rejected(lambda: read_folder(folder, "case_audits"))
    assert [p.field for p in error.problems] == ["--year"]
    assert "no collection year" in error.problems[0].rule
