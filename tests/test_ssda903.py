"""SSDA903 reader: CSV folders and XML, the collection year, code lists by year, and refused input."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from csc_scorecard.sources.codelists import codelist
from csc_scorecard.sources.model import sha256_file, sha256_files
from csc_scorecard.sources.problems import ReturnRejected
from csc_scorecard.sources.ssda903 import (
    STORE_TABLE,
    TABLE_COLUMNS,
    match_header,
    read_csv,
    read_xml,
)
from csc_scorecard.sources.tables import TABLES_BY_NAME

FIXTURES = Path(__file__).parent / "fixtures" / "ssda903"
RETURN_2016 = FIXTURES / "903_2016-17"
RETURN_2025 = FIXTURES / "903_2025-26"
XML_2016 = FIXTURES / "xml" / "903_2016-17.xml"
D = dt.date

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
REVIEWS = "CHILD,DOB,REVIEW,REVIEW_CODE\n"
OC3 = "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n"


def csv_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.csv"))


def rows(table) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "src_line"} for r in table.to_pylist()]


def write(folder: Path, files: dict[str, str | bytes]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        paths.append(path)
    return paths


def rejected(call) -> ReturnRejected:
    with pytest.raises(ReturnRejected) as caught:
        call()
    return caught.value


def assert_problem(error: ReturnRejected, file: str, location: str, field: str, rule: str) -> None:
    """One reported line names the file, the location and the field, and states the rule."""
    head = f"{file}: {location}: {field} = "
    lines = str(error).splitlines()
    assert any(line.startswith(head) and rule in line for line in lines), (head, rule, lines)


# ---- the 12 tables ------------------------------------------------------------------------------------


def test_table_columns_and_store_tables_cover_the_12_dfe_tables():
    assert list(TABLE_COLUMNS) == [
        "Header",
        "Episodes",
        "UASC",
        "Reviews",
        "OC2",
        "OC3",
        "AD1",
        "PlacedAdoption",
        "PrevPerm",
        "Missing",
        "SWEpisodes",
        "DoLo",
    ]
    assert TABLE_COLUMNS["Episodes"][:3] == ("CHILD", "DECOM", "RNE")
    assert TABLE_COLUMNS["DoLo"] == ("CHILD", "DOB", "DOLO_START", "DOLO_END")
    assert set(STORE_TABLE) == set(TABLE_COLUMNS)
    for store_table in STORE_TABLE.values():
        assert "ssda903" in TABLES_BY_NAME[store_table].returns


# ---- header recognition -------------------------------------------------------------------------------


def test_match_header_ignores_order_case_whitespace_and_bom():
    assert match_header(["\ufeffdob", " CHILD", "Sex ", "ethnic", "UPN", "MC_DOB", "mother"]) == (
        "Header",
        "",
    )
    assert match_header(["CHILD", "DOB", "DOLO_START", "DOLO_END"]) == ("DoLo", "")
    assert match_header(["SW_ID", "CHILD", "DOB", "SW_DECOM", "SW_DEC", "SW_REASON"]) == ("SWEpisodes", "")


def test_match_header_explains_the_closest_table():
    episodes = [c for c in TABLE_COLUMNS["Episodes"] if c != "DECOM"]
    assert match_header(episodes) == (None, "looks like Episodes but is missing DECOM")
    assert match_header(["CHILD", "SEX", "DOB"]) == (None, "looks like UASC but is missing DUC")
    assert match_header([*TABLE_COLUMNS["OC3"], "NOTES"]) == (
        None,
        "looks like OC3 but has unknown column(s) NOTES",
    )
    assert match_header([*TABLE_COLUMNS["OC3"], "child"]) == (
        None,
        "looks like OC3 but repeats column(s) CHILD",
    )
    assert match_header(["Name", "Age"]) == (
        None,
        "not an SSDA903 table: its columns match none of the 12 DfE tables",
    )


# ---- a whole CSV return, every table ------------------------------------------------------------------


@pytest.fixture(scope="module")
def csv_2016():
    return read_csv(csv_files(RETURN_2016), la="384", year=None, folder_name=RETURN_2016.name)


def test_csv_return_metadata(csv_2016):
    files = csv_files(RETURN_2016)
    assert csv_2016.kind == "ssda903"
    assert csv_2016.format == "ssda903_csv"
    assert csv_2016.source_name == "903_2016-17"
    assert csv_2016.la_code == "384"
    assert csv_2016.collection_year == "2016-17"
    assert csv_2016.year_source == "folder name"
    assert csv_2016.files == files
    assert csv_2016.sha256 == sha256_files(files)
    # Only the tables the folder has files for: no SWEpisodes or DoLo here.
    assert csv_2016.rows_per_table() == {
        "children": 4,
        "cla_episodes": 5,
        "uasc": 1,
        "cla_reviews": 3,
        "oc2": 1,
        "oc3": 1,
        "ad1": 1,
        "placed_adoption": 1,
        "prev_perm": 2,
        "missing": 2,
    }
    for name, table in csv_2016.tables.items():
        assert table.schema == TABLES_BY_NAME[name].arrow_schema()


def test_csv_header_columns_in_any_order_and_unknown_upn(csv_2016):
    common = {"former_upn": None, "expected_dob": None, "disabilities": None, "death_date": None}
    assert rows(csv_2016.tables["children"]) == [
        {"child_id": "C001", "upn": "A123456789012", "upn_unknown": None, "dob": D(2005, 3, 14), "sex": "M",
         "sex_code": "1", "ethnicity": "WBRI", "mother": None, "mc_dob": None, "source": "ssda903", **common},
        {"child_id": "C002", "upn": None, "upn_unknown": "UN2", "dob": D(2000, 9, 2), "sex": "F",
         "sex_code": "2", "ethnicity": "BAFR", "mother": 1, "mc_dob": D(2017, 1, 15), "source": "ssda903",
         **common},
        {"child_id": "C003", "upn": "B123456789012", "upn_unknown": None, "dob": D(2010, 6, 30), "sex": "F",
         "sex_code": "2", "ethnicity": "MWBC", "mother": 0, "mc_dob": None, "source": "ssda903", **common},
        {"child_id": "C004", "upn": None, "upn_unknown": "UN5", "dob": D(1998, 4, 21), "sex": "M",
         "sex_code": "1", "ethnicity": "WIRI", "mother": None, "mc_dob": None, "source": "ssda903", **common},
    ]  # fmt: skip
    assert [r["src_line"] for r in csv_2016.tables["children"].to_pylist()] == [2, 3, 4, 5]


def test_csv_episodes_with_legacy_codes_and_blank_provider(csv_2016):
    episodes = rows(csv_2016.tables["cla_episodes"])
    assert episodes[0] == {
        "child_id": "C001", "decom": D(2015, 5, 1), "rne": "S", "ls": "C2", "cin": "N1", "place": "U4",
        "place_provider": "PR1", "dec": D(2016, 6, 10), "rec": "X1", "reason_place_change": None,
        "home_post": "LS1 1", "pl_post": "LS2 2", "urn": "SC111111",
    }  # fmt: skip
    assert episodes[1]["dec"] is None and episodes[1]["rec"] is None
    assert episodes[1]["reason_place_change"] == "CARPL"
    # P2 (independent living) with no provider, ended by E44 (SGO, other carers): both valid in 2016-17.
    assert episodes[3] == {
        "child_id": "C002", "decom": D(2016, 12, 20), "rne": "T", "ls": "V2", "cin": "N4", "place": "P2",
        "place_provider": None, "dec": D(2017, 3, 20), "rec": "E44", "reason_place_change": None,
        "home_post": "WF2 2", "pl_post": "WF6 6", "urn": None,
    }  # fmt: skip
    assert [(e["child_id"], e["place"], e["rec"]) for e in episodes] == [
        ("C001", "U4", "X1"),
        ("C001", "U6", None),
        ("C002", "H5", "X1"),
        ("C002", "P2", "E44"),
        ("C003", "A5", "E11"),
    ]


def test_csv_other_tables(csv_2016):
    t = csv_2016.tables
    assert rows(t["uasc"]) == [{"child_id": "C002", "duc": None}]
    assert rows(t["cla_reviews"]) == [
        {"child_id": "C001", "review_date": D(2016, 6, 20), "review_code": "PN1"},
        {"child_id": "C001", "review_date": D(2016, 12, 15), "review_code": "PN3"},
        {"child_id": "C003", "review_date": D(2016, 5, 10), "review_code": None},
    ]
    assert rows(t["oc2"]) == [
        {"child_id": "C001", "sdq_score": 17, "sdq_reason": None, "convicted": 0, "health_check": 1,
         "immunisations": 1, "teeth_check": 1, "health_assessment": 1, "substance_misuse": 0,
         "intervention_received": None, "intervention_offered": None}
    ]  # fmt: skip
    assert rows(t["oc3"]) == [{"child_id": "C004", "in_touch": "YES", "activ": "F3", "accom": "U1"}]
    assert rows(t["ad1"]) == [
        {"child_id": "C003", "date_int": D(2016, 6, 10), "date_match": D(2016, 9, 15), "foster_care": 1,
         "nb_adoptr": "2", "sex_adoptr": "MF", "ls_adoptr": "L12"}
    ]  # fmt: skip
    assert rows(t["placed_adoption"]) == [
        {
            "child_id": "C003",
            "date_placed": D(2016, 6, 1),
            "date_placed_ceased": None,
            "reason_placed_ceased": None,
        }
    ]
    assert rows(t["prev_perm"]) == [
        {"child_id": "C001", "prev_perm": "Z1", "la_perm": None, "date_perm": None},
        {"child_id": "C002", "prev_perm": "P2", "la_perm": None, "date_perm": "zz/05/2012"},
    ]
    assert rows(t["missing"]) == [
        {"child_id": "C002", "missing": "M", "mis_start": D(2016, 12, 5), "mis_end": D(2016, 12, 6)},
        {"child_id": "C002", "missing": "A", "mis_start": D(2017, 2, 1), "mis_end": None},
    ]


def test_csv_2025_26_codes_social_workers_and_dolo():
    parsed = read_csv(csv_files(RETURN_2025), la="384", year=None, folder_name=RETURN_2025.name)
    t = parsed.tables
    assert parsed.collection_year == "2025-26"
    assert set(t) == {"children", "cla_episodes", "oc3", "sw_episodes", "dolo"}
    # SEX M/F/U from 2024-25; 1/2 still read.
    assert [(c["child_id"], c["sex"], c["sex_code"], c["upn_unknown"]) for c in rows(t["children"])] == [
        ("D001", "F", "F", None),
        ("D002", "M", "M", "UN1"),
        ("D003", "F", "2", None),
    ]
    assert [(e["place"], e["place_provider"], e["urn"]) for e in rows(t["cla_episodes"])] == [
        ("Z11", None, None),
        ("U1", "PR1", None),
        ("K3", "PR4", "2400001"),
    ]
    assert rows(t["sw_episodes"]) == [
        {"child_id": "D001", "sw_id": "SW1001", "sw_decom": D(2025, 5, 12), "sw_dec": D(2025, 10, 31),
         "sw_reason": "LEFTRL"},
        {"child_id": "D001", "sw_id": "SW1002", "sw_decom": D(2025, 10, 31), "sw_dec": None, "sw_reason": None},
    ]  # fmt: skip
    assert rows(t["dolo"]) == [
        {"child_id": "D002", "dolo_start": D(2025, 10, 1), "dolo_end": D(2025, 11, 30)}
    ]
    assert rows(t["oc3"]) == [
        {"child_id": "D003", "in_touch": "YES", "activ": "F4", "accom": "Z1"},
        {"child_id": "D004", "in_touch": "RHOM", "activ": "0", "accom": "0"},
    ]


def test_header_recognised_whatever_the_file_is_called(tmp_path):
    folder = tmp_path / "903_2016-17"
    # A Reviews table saved as "episodes.csv", an Episodes table saved as "header.txt".
    shutil.copy(RETURN_2016 / "reviews.csv", write(folder, {"episodes.csv": ""})[0])
    shutil.copy(RETURN_2016 / "placements.csv", write(folder, {"header.txt": ""})[0])
    parsed = read_csv(sorted(folder.iterdir()), la="384", year=None, folder_name=folder.name)
    assert parsed.rows_per_table() == {"cla_episodes": 5, "cla_reviews": 3}


def test_codes_upper_cased_and_excel_dates_padded(tmp_path):
    files = write(
        tmp_path / "r",
        {
            "h.csv": HEADER + "c9,1,4/7/2009,wbri,,,\n",
            "e.csv": EPISODES + "c9,1/4/2016,s,c2,n1,u4,pr1,,,,,,\n",
        },
    )
    parsed = read_csv(files, la="384", year="2016-17", folder_name="r")
    assert rows(parsed.tables["children"])[0]["ethnicity"] == "WBRI"
    assert rows(parsed.tables["children"])[0]["dob"] == D(2009, 7, 4)
    episode = rows(parsed.tables["cla_episodes"])[0]
    assert (episode["child_id"], episode["decom"], episode["rne"], episode["place"]) == (
        "c9",
        D(2016, 4, 1),
        "S",
        "U4",
    )


def test_header_only_file_is_an_empty_table(tmp_path):
    files = write(
        tmp_path / "r", {"h.csv": HEADER, "e.csv": EPISODES + "C1,01/04/2016,S,C2,N1,U4,PR1,,,,,,\n"}
    )
    parsed = read_csv(files, la="384", year="2016-17", folder_name="r")
    assert parsed.rows_per_table() == {"children": 0, "cla_episodes": 1}


# ---- the collection year ------------------------------------------------------------------------------


def copy_return(tmp_path: Path, folder: str, rename=lambda name: name) -> list[Path]:
    target = tmp_path / folder
    target.mkdir()
    return [Path(shutil.copy(p, target / rename(p.name))) for p in csv_files(RETURN_2016)]


def test_year_from_option_beats_names_that_allow_it(tmp_path):
    # A lone 2017 is the year ending March 2017 by default, but also allows the one starting in April 2017.
    files = copy_return(tmp_path, "903_2017", rename=lambda name: f"2016-17_{name}")
    parsed = read_csv(files, la="384", year="2016-17", folder_name="903_2017")
    assert (parsed.collection_year, parsed.year_source) == ("2016-17", "--year")


def test_year_option_contradicting_the_folder_name_is_refused_naming_both(tmp_path):
    files = copy_return(tmp_path, "903_2017-18")
    with pytest.raises(ReturnRejected) as caught:
        read_csv(files, la="384", year="2016-17", folder_name="903_2017-18")
    assert [str(p) for p in caught.value.problems] == [
        "903_2017-18: command line: --year = '2016-17': the folder name '903_2017-18' says collection year "
        "2017-18: rename it or correct --year"
    ]


def test_year_from_file_names(tmp_path):
    files = copy_return(tmp_path, "return", rename=lambda name: f"SSDA903_2017_{name}")
    parsed = read_csv(files, la="384", year=None, folder_name="return")
    assert (parsed.collection_year, parsed.year_source) == ("2016-17", "file name")


def test_year_from_latest_date(tmp_path):
    # The latest event date is DEC 20/03/2017 (MC_DOB 15/01/2017 is not an event): 2016-17.
    files = copy_return(tmp_path, "return")
    parsed = read_csv(files, la="384", year=None, folder_name="return")
    assert (parsed.collection_year, parsed.year_source) == ("2016-17", "latest date")


def test_year_from_latest_date_crosses_into_the_next_year(tmp_path):
    files = write(tmp_path / "r", {"e.csv": EPISODES + "C1,01/04/2017,S,C2,N1,U4,PR1,,,,,,\n"})
    parsed = read_csv(files, la="384", year=None, folder_name="r")
    assert (parsed.collection_year, parsed.year_source) == ("2017-18", "latest date")


def test_year_from_a_stray_future_date_is_explained(tmp_path):
    files = write(tmp_path / "r", {"e.csv": EPISODES + "C1,01/04/2016,S,C2,N1,U4,PR1,01/05/2029,E11,,,,\n"})
    error = rejected(lambda: read_csv(files, la="384", year=None, folder_name="r"))
    assert_problem(error, "r", "command line", "collection year", "latest date in the data (01/05/2029)")


def test_file_names_that_disagree_on_the_year(tmp_path):
    files = write(tmp_path / "r", {"h_2016-17.csv": HEADER, "e_2017-18.csv": EPISODES})
    error = rejected(lambda: read_csv(files, la="384", year=None, folder_name="r"))
    assert_problem(error, "r", "folder", "file names", "the file names give different collection years")


def test_no_year_anywhere(tmp_path):
    files = write(tmp_path / "r", {"h.csv": HEADER + "C1,1,01/01/2010,WBRI,,,\n"})
    error = rejected(lambda: read_csv(files, la="384", year=None, folder_name="r"))
    assert_problem(error, "r", "command line", "--year", "no collection year")


def test_bad_year_option_and_a_year_without_code_lists(tmp_path):
    files = write(tmp_path / "r", {"h.csv": HEADER})
    error = rejected(lambda: read_csv(files, la="384", year="2016-18", folder_name="r"))
    assert_problem(error, "r", "command line", "--year", "not a collection year like 2016-17")
    error = rejected(lambda: read_csv(files, la="384", year="2012-13", folder_name="r"))
    assert_problem(error, "r", "command line", "collection year", "no SSDA903 code lists for 2012-13")


# ---- code lists by year -------------------------------------------------------------------------------


def test_code_lists_change_in_the_pinned_years():
    assert {"E43", "E44"} <= codelist("ssda903", "REC", "2017-18")
    assert not {"E45", "E48"} & codelist("ssda903", "REC", "2017-18")
    assert {"E45", "E46", "E47", "E48"} <= codelist("ssda903", "REC", "2018-19")
    assert not {"E43", "E44"} & codelist("ssda903", "REC", "2018-19")
    assert {"F3", "P3"} <= codelist("ssda903", "ACTIV", "2020-21")
    assert codelist("ssda903", "ACTIV", "2021-22") == frozenset(
        {"F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6", "0"}
    )
    assert "K3" not in codelist("ssda903", "PLACE", "2022-23")
    assert {"K3", "H5", "P2", "Z1"} <= codelist("ssda903", "PLACE", "2024-25")
    place_2025 = codelist("ssda903", "PLACE", "2025-26")
    assert {"K3", "Z11", "Z12", "Z13", "Z14"} <= place_2025 and not {"H5", "P2", "Z1"} & place_2025
    assert len(codelist("ssda903", "PLACE", "2016-17")) == 27
    for year in ("2015-16", "2025-26"):
        accom = codelist("ssda903", "ACCOM", year)
        assert "S1" not in accom and "X1" not in accom and {"S2", "X2", "0"} <= accom
    assert codelist("ssda903", "SEX", "2023-24") == frozenset({"1", "2"})
    assert codelist("ssda903", "SEX", "2024-25") == frozenset({"1", "2", "M", "F", "U"})


@pytest.mark.parametrize(
    ("year", "files", "line", "field", "value"),
    [
        ("2016-17", {"e.csv": EPISODES + "C1,01/04/2016,S,C2,N1,K3,PR1,,,,,,\n"}, 2, "PLACE", "K3"),
        ("2016-17", {"e.csv": EPISODES + "C1,01/04/2016,S,C2,N1,Q9,PR1,,,,,,\n"}, 2, "PLACE", "Q9"),
        ("2025-26", {"e.csv": EPISODES + "C1,01/04/2025,S,C2,N1,Z1,,,,,,,\n"}, 2, "PLACE", "Z1"),
        (
            "2018-19",
            {"e.csv": EPISODES + "C1,01/04/2018,S,C2,N1,U4,PR1,02/05/2018,E43,,,,\n"},
            2,
            "REC",
            "E43",
        ),
        (
            "2017-18",
            {"e.csv": EPISODES + "C1,01/04/2017,S,C2,N1,U4,PR1,02/05/2017,E45,,,,\n"},
            2,
            "REC",
            "E45",
        ),
        ("2021-22", {"o.csv": OC3 + "C1,01/01/2003,YES,F3,U1\n"}, 2, "ACTIV", "F3"),
        ("2016-17", {"o.csv": OC3 + "C1,01/01/1998,NO,G5,S1\n"}, 2, "ACCOM", "S1"),
        ("2016-17", {"h.csv": HEADER + "C1,M,01/01/2010,WBRI,,,\n"}, 2, "SEX", "M"),
        ("2016-17", {"h.csv": HEADER + "C1,1,01/01/2010,WBRI,,2,\n"}, 2, "MOTHER", "2"),
    ],
)
def test_unknown_code_for_the_year(tmp_path, year, files, line, field, value):
    paths = write(tmp_path / "r", files)
    error = rejected(lambda: read_csv(paths, la="384", year=year, folder_name="r"))
    rule = "must be 0 or 1" if field == "MOTHER" else f"not a valid {field} code for {year}"
    assert_problem(error, paths[0].name, f"line {line}", field, rule)
    assert f"= '{value}'" in str(error)


# ---- refused input ------------------------------------------------------------------------------------


def test_wrong_header(tmp_path):
    files = write(tmp_path / "r", {"h.csv": HEADER, "mystery.csv": "Name,Age\nAnn,9\n"})
    error = rejected(lambda: read_csv(files, la="384", year="2016-17", folder_name="r"))
    assert_problem(error, "mystery.csv", "line 1", "header", "not an SSDA903 table")
    assert error.total == 1


def test_missing_mandatory_column(tmp_path):
    header = EPISODES.replace("DECOM,", "")
    files = write(tmp_path / "r", {"eps.csv": header + "C1,S,C2,N1,U4,PR1,,,,,,\n"})
    error = rejected(lambda: read_csv(files, la="384", year="2016-17", folder_name="r"))
    assert_problem(
        error, "eps.csv", "line 1", "DECOM", "column missing: the header looks like the Episodes table"
    )


def test_bad_dates(tmp_path):
    files = write(
        tmp_path / "r",
        {"rev.csv": REVIEWS + "C1,01/01/2010,31/02/2017,PN1\nC1,01/01/2010,2017-03-31,PN1\n"},
    )
    error = rejected(lambda: read_csv(files, la="384", year="2016-17", folder_name="r"))
    assert_problem(error, "rev.csv", "line 2", "REVIEW", "not a valid date in the form dd/mm/YYYY")
    assert_problem(error, "rev.csv", "line 3", "REVIEW", "not a valid date in the form dd/mm/YYYY")
    assert "'31/02/2017'" in str(error) and "'2017-03-31'" in str(error)
    assert error.total == 2


def test_missing_child_and_other_mandatory_fields(tmp_path):
    files = write(
        tmp_path / "r",
        {
            "h.csv": HEADER + ",1,01/01/2010,WBRI,,,\n",
            "e.csv": EPISODES + "C1,01/04/2016,S,C2,N1,U4,PR1,01/05/2016,,,,,\n",
            "o.csv": OC3 + "C2,01/01/1998,YES,,U1\n",
        },
    )
    error = rejected(lambda: read_csv(files, la="384", year="2016-17", folder_name="r"))
    assert_problem(error, "h.csv", "line 2", "CHILD", "mandatory field is missing")
    assert_problem(error, "e.csv", "line 2", "REC", "mandatory when DEC is given")
    assert_problem(error, "o.csv", "line 2", "ACTIV", "mandatory field is missing")
    assert error.total == 3


def test_ragged_row(tmp_path):
    files = write(tmp_path / "r", {"h.csv": HEADER + "C1,1,01/01/2010,WBRI,,,\n\nC2,1,01/01/2010\n"})
    error = rejected(lambda: read_csv(files, la="384", year="2016-17", folder_name="r"))
    assert_problem(error, "h.csv", "line 4", "row", "has 3 fields but the header has 7")


def test_empty_file(tmp_path):
    files = write(tmp_path / "r", {"h.csv": HEADER, "empty.csv": ""})
    error = rejected(lambda: read_csv(files, la="384", year="2016-17", folder_name="r"))
    assert_problem(error, "empty.csv", "line 1", "file", "empty file")


def test_binary_file_given_as_csv(tmp_path):
    files = write(
        tmp_path / "r", {"h.csv": HEADER, "book.csv": b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00"}
    )
    error = rejected(lambda: read_csv(files, la="384", year="2016-17", folder_name="r"))
    assert_problem(error, "book.csv", "line 1", "file", "not a CSV text file (it holds binary data)")


def test_windows_1252_and_utf16_are_read_but_undecodable_files_are_not(tmp_path):
    files = write(
        tmp_path / "r",
        {
            "latin.csv": (HEADER + "C1,1,01/01/2010,WBRI,,,\nC\xe92,1,01/01/2010,WBRI,,,\n").encode("cp1252"),
            "wide.csv": (EPISODES + "C\xe92,01/04/2016,S,C2,N1,U4,PR1,,,,,,\n").encode("utf-16"),
        },
    )
    parsed = read_csv(files, la="384", year="2016-17", folder_name="r")
    assert [c["child_id"] for c in rows(parsed.tables["children"])] == ["C1", "C\xe92"]
    assert [e["child_id"] for e in rows(parsed.tables["cla_episodes"])] == ["C\xe92"]
    files = write(
        tmp_path / "s",
        {
            "odd.csv": HEADER.encode() + b"C1,1,01/01/2010,WBRI,,,\nC\x81,1,01/01/2010,WBRI,,,\n",
            "mixed.csv": EPISODES.encode()
            + "Z\xeb,01/04/2016,S,C2,N1,U4,PR1,,,,,,\n".encode()
            + "C\xe92,01/04/2016,S,C2,N1,U4,PR1,,,,,,\n".encode("cp1252"),
        },
    )
    error = rejected(lambda: read_csv(files, la="384", year="2016-17", folder_name="s"))
    assert_problem(error, "odd.csv", "line 3", "file", "neither UTF-8 nor Windows-1252 text")
    assert_problem(error, "mixed.csv", "line 3", "file", "not UTF-8 (byte 0xE9), while line 2 is UTF-8")


def test_two_files_for_one_table(tmp_path):
    files = write(tmp_path / "r", {"a.csv": HEADER, "b.csv": "DOB,CHILD,SEX,ETHNIC,UPN,MOTHER,MC_DOB\n"})
    error = rejected(lambda: read_csv(files, la="384", year="2016-17", folder_name="r"))
    assert_problem(error, "b.csv", "line 1", "header", "a second file for the Header table (a.csv has it)")


def test_duplicate_episode(tmp_path):
    row = "C1,01/04/2016,S,C2,N1,U4,PR1,,,,,,\n"
    files = write(tmp_path / "r", {"e.csv": EPISODES + row + row.replace("01/04", "1/4")})
    error = rejected(lambda: read_csv(files, la="384", year="2016-17", folder_name="r"))
    assert_problem(error, "e.csv", "line 3", "CHILD, DECOM", "duplicate Episodes row: line 2 has the same")


def test_la_is_required_for_csv(tmp_path):
    files = write(tmp_path / "r", {"h.csv": HEADER})
    error = rejected(lambda: read_csv(files, la=None, year="2016-17", folder_name="r"))
    assert_problem(error, "r", "command line", "--la", "pass --la")
    error = rejected(lambda: read_csv(files, la="Wakefield", year="2016-17", folder_name="r"))
    assert_problem(error, "r", "command line", "--la", "must be the 3-digit DfE LA code")


def test_problems_from_every_file_are_reported_together(tmp_path):
    files = write(
        tmp_path / "r",
        {
            "h.csv": HEADER + "C1,3,01/01/2010,WBRI,,,\n",
            "e.csv": EPISODES + "C1,01/04/2016,X,C2,N1,U4,PR1,,,,,,\n",
        },
    )
    error = rejected(lambda: read_csv(files, la=None, year="2016-17", folder_name="r"))
    assert {(p.file, p.field) for p in error.problems} == {("r", "--la"), ("h.csv", "SEX"), ("e.csv", "RNE")}


def test_numbers_flags_and_partial_dates(tmp_path):
    oc2 = ",".join(TABLE_COLUMNS["OC2"]) + "\n"
    files = write(
        tmp_path / "r",
        {
            "oc2.csv": oc2 + "C1,01/01/2010,41,,2,,,,,,,\n",
            "pp.csv": "CHILD,DOB,PREV_PERM,LA_PERM,DATE_PERM\nC1,01/01/2010,P1,,zz/13/2012\nC2,01/01/2010,P1,,30/02/2012\n",
        },
    )
    error = rejected(lambda: read_csv(files, la="384", year="2016-17", folder_name="r"))
    assert_problem(error, "oc2.csv", "line 2", "SDQ_SCORE", "must be a whole number from 0 to 40")
    assert_problem(error, "oc2.csv", "line 2", "CONVICTED", "must be 0 or 1")
    assert_problem(error, "pp.csv", "line 2", "DATE_PERM", "zz for an unknown day or month")
    assert_problem(error, "pp.csv", "line 3", "DATE_PERM", "zz for an unknown day or month")


def test_masked_social_worker_dates_by_year(tmp_path):
    sw = ",".join(TABLE_COLUMNS["SWEpisodes"]) + "\n"
    files = write(tmp_path / "r", {"sw.csv": sw + "C1,01/01/2010,SW1,ZZ/ZZ/ZZZZ,,MANAGE\n"})
    parsed = read_csv(files, la="384", year="2023-24", folder_name="r")
    assert rows(parsed.tables["sw_episodes"]) == [
        {"child_id": "C1", "sw_id": "SW1", "sw_decom": None, "sw_dec": None, "sw_reason": "MANAGE"}
    ]
    error = rejected(lambda: read_csv(files, la="384", year="2025-26", folder_name="r"))
    assert_problem(error, "sw.csv", "line 2", "SW_DECOM", "not a valid date in the form dd/mm/YYYY")


# ---- XML ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def xml_2016():
    return read_xml(XML_2016, la="384", year=None)


def test_xml_return_metadata(xml_2016):
    assert xml_2016.format == "ssda903_xml"
    assert xml_2016.source_name == "903_2016-17.xml"
    assert (xml_2016.collection_year, xml_2016.year_source) == ("2016-17", "file name")
    assert xml_2016.sha256 == sha256_file(XML_2016)
    assert xml_2016.files == [XML_2016]


def test_xml_gives_the_same_tables_as_csv(xml_2016, csv_2016):
    assert set(xml_2016.tables) == set(csv_2016.tables)
    for name, table in xml_2016.tables.items():
        assert table.drop_columns(["src_line"]).equals(csv_2016.tables[name].drop_columns(["src_line"])), name


def test_xml_src_lines_point_at_the_elements(xml_2016):
    text = XML_2016.read_text().splitlines()
    for name in ("children", "cla_episodes", "cla_reviews", "missing"):
        for line in xml_2016.tables[name].column("src_line").to_pylist():
            assert text[line - 1].strip().startswith(("<HEADER", "<EPISODE", "<AREVIEW", "<AMISSING")), name


def test_xml_year_from_latest_date_and_option(tmp_path):
    copy = Path(shutil.copy(XML_2016, tmp_path / "return.xml"))
    parsed = read_xml(copy, la="384", year=None)
    assert (parsed.collection_year, parsed.year_source) == ("2016-17", "latest date")
    parsed = read_xml(copy, la="384", year="2016-17")
    assert parsed.year_source == "--year"


XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<EXPSSDA903>\n'


def child_xml(child: str, *episodes: str, header_extra: str = "", dob: str = "01/01/2010") -> str:
    header = (
        f"<HEADER><CHILDID>{child}</CHILDID><SEX>1</SEX><DOB>{dob}</DOB><ETHNIC>WBRI</ETHNIC>"
        f"{header_extra}</HEADER>"
    )
    body = "".join(f"<EPISODE>{e}</EPISODE>\n" for e in episodes)
    return f"<CHILD>\n{header}\n{body}</CHILD>\n"


EPISODE_OK = "<DECOM>01/04/2016</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U4</PL>"


def test_xml_problem_locations(tmp_path):
    bad_episode = "<DECOM>31/02/2017</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>Q9</PL>"
    text = (
        XML_HEAD
        + child_xml("X1", EPISODE_OK)
        + child_xml("X2", EPISODE_OK, bad_episode, header_extra="<UASC>2</UASC>")
        + "<CHILD>\n<HEADER><SEX>1</SEX><DOB>01/01/2010</DOB><ETHNIC>WBRI</ETHNIC></HEADER>\n</CHILD>\n"
        + "</EXPSSDA903>\n"
    )
    path = write(tmp_path, {"return.xml": text})[0]
    error = rejected(lambda: read_xml(path, la="384", year="2016-17"))
    # Lines: 1 prolog, 2 root, 3 <CHILD>, 4 HEADER, 5 EPISODE, 6 </CHILD>, 7 <CHILD>, 8 HEADER, 9-10 EPISODEs.
    assert_problem(error, "return.xml", "CHILD[2]/EPISODE[2]/DECOM (line 10)", "DECOM", "not a valid date")
    assert_problem(error, "return.xml", "CHILD[2]/EPISODE[2]/PL (line 10)", "PLACE", "not a valid PLACE code")
    assert_problem(error, "return.xml", "CHILD[2]/HEADER/UASC (line 8)", "UASC", "must be 0 or 1")
    assert_problem(error, "return.xml", "CHILD[3]/HEADER (line 13)", "CHILD", "mandatory field is missing")
    assert error.total == 4


def test_xml_duplicate_child_and_missing_header(tmp_path):
    text = XML_HEAD + child_xml("X1") + child_xml("X1") + "<CHILD><EPISODE/></CHILD>\n</EXPSSDA903>\n"
    path = write(tmp_path, {"return.xml": text})[0]
    error = rejected(lambda: read_xml(path, la="384", year="2016-17"))
    # Lines: 1 prolog, 2 root, 3-5 first CHILD (HEADER on 4), 6-8 second (HEADER on 7), 9 third.
    assert_problem(
        error,
        "return.xml",
        "CHILD[2]/HEADER/CHILDID (line 7)",
        "CHILD",
        "duplicate Header row: CHILD[1]/HEADER",
    )
    assert_problem(error, "return.xml", "CHILD[3] (line 9)", "HEADER", "mandatory element is missing")


def test_xml_blank_groups_and_wrapped_fields(tmp_path):
    # An empty PERMANENCE group carries no row; leaves inside a wrapper belong to the HEADER (as V903 reads
    # them); an unknown element is ignored.
    extra = (
        "<PERMANENCE><PREV_PERM/><LA_PERM/><DATE_PERM/></PERMANENCE>"
        "<CARE_LEAVER><IN_TOUCH>no</IN_TOUCH><ACTIV>G5</ACTIV><ACCOM>b2</ACCOM></CARE_LEAVER>"
        "<PL_LA>E08000036</PL_LA>"
    )
    # A care leaver of 2016-17 (OC3) is 17 to 21 in the year: born 1998.
    text = XML_HEAD + child_xml("X1", EPISODE_OK, header_extra=extra, dob="01/01/1998") + "</EXPSSDA903>\n"
    path = write(tmp_path, {"return.xml": text})[0]
    parsed = read_xml(path, la="384", year="2016-17")
    assert rows(parsed.tables["prev_perm"]) == []
    assert rows(parsed.tables["oc3"]) == [{"child_id": "X1", "in_touch": "NO", "activ": "G5", "accom": "B2"}]
    assert [(e["child_id"], e["place"]) for e in rows(parsed.tables["cla_episodes"])] == [("X1", "U4")]


def test_xml_without_children(tmp_path):
    path = write(tmp_path, {"return.xml": '<?xml version="1.0"?>\n<Message><Header/></Message>\n'})[0]
    error = rejected(lambda: read_xml(path, la="384", year="2016-17"))
    assert_problem(error, "return.xml", "line 2", "CHILD", "not an SSDA903 XML return")


def test_xml_entity_bomb_refused(tmp_path):
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n'
        "<EXPSSDA903><CHILD><HEADER><CHILDID>&lol2;</CHILDID></HEADER></CHILD></EXPSSDA903>\n"
    )
    path = write(tmp_path, {"bomb.xml": bomb})[0]
    error = rejected(lambda: read_xml(path, la="384", year="2016-17"))
    assert_problem(error, "bomb.xml", "line 2", "DOCTYPE", "DTDs and entity declarations are not allowed")


def test_xml_not_well_formed_and_empty(tmp_path):
    path = write(tmp_path, {"broken.xml": XML_HEAD + "<CHILD><HEADER></CHILD>\n"})[0]
    error = rejected(lambda: read_xml(path, la="384", year="2016-17"))
    assert_problem(error, "broken.xml", "line 3", "XML", "not well-formed XML")
    path = write(tmp_path, {"empty.xml": ""})[0]
    error = rejected(lambda: read_xml(path, la="384", year="2016-17"))
    assert_problem(error, "empty.xml", "line 1", "file", "empty file")


def test_xml_la_is_required(tmp_path):
    error = rejected(lambda: read_xml(XML_2016, la=None, year=None))
    assert_problem(error, "903_2016-17.xml", "command line", "--la", "pass --la")


def test_episodes_from_before_2023_24_may_lack_reason_place_change() -> None:
    from csc_scorecard.sources.ssda903 import match_header

    old = [
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "HOME_POST",
        "PL_POST",
        "URN",
    ]
    assert match_header(old) == ("Episodes", "")
    assert match_header([c for c in old if c != "URN"])[0] is None


# ---- dates that do not fit the collection year ----------------------------------------------------------------

MISSING = "CHILD,DOB,MISSING,MIS_START,MIS_END\n"


def episode(child: str, decom: str, dec: str = "", rec: str = "") -> str:
    return f"{child},{decom},S,C2,N1,U4,PR1,{dec},{rec},,,,\n"


def fit_return(tmp_path: Path, folder: str, episodes: str, missing: str = "", oc3: str = "") -> list[Path]:
    files = {
        "h.csv": HEADER + "C1,1,01/01/2005,WBRI,,,\nC2,1,01/06/1999,WBRI,,,\n",
        "e.csv": EPISODES + episodes,
    }
    if missing:
        files["m.csv"] = MISSING + missing
    if oc3:
        files["o.csv"] = OC3 + oc3
    return write(tmp_path / folder, files)


def test_dates_on_the_last_day_of_the_year_fit_it(tmp_path):
    files = fit_return(
        tmp_path, "r", episode("C1", "31/03/2017") + episode("C2", "01/04/2014", "31/03/2017", "E13"),
        missing="C1,01/01/2005,M,31/03/2017,31/03/2017\n",
        oc3="C2,01/06/1999,YES,F1,S2\n",  # born 01/06/1999: 17 on 01/06/2016, in the year
    )  # fmt: skip
    assert read_csv(files, la="384", year="2016-17", folder_name="r").collection_year == "2016-17"


def test_an_episode_starting_after_the_year_end_is_refused_naming_the_year_the_data_looks_like(tmp_path):
    # A 2016-17 return loaded with --year 2015-16 (the folder name does not say): it would replace 2015-16's.
    files = fit_return(
        tmp_path, "903", episode("C1", "01/04/2016") + episode("C2", "10/01/2016", "02/02/2017", "E13")
    )
    error = rejected(lambda: read_csv(files, la="384", year="2015-16", folder_name="903"))
    assert [str(p) for p in error.problems] == [
        "e.csv: line 2: DECOM = '01/04/2016': the episode starts 01/04/2016, after the end of collection year "
        "2015-16 (given by --year) on 31/03/2016: the data looks like 2016-17",
        "e.csv: line 3: DEC = '02/02/2017': the episode ends 02/02/2017, after the end of collection year "
        "2015-16 (given by --year) on 31/03/2016: the data looks like 2016-17",
    ]


def test_missing_incidents_and_care_leavers_after_the_year_end_are_refused(tmp_path):
    files = fit_return(
        tmp_path, "903", episode("C1", "01/04/2015"),
        missing="C1,01/01/2005,M,01/03/2016,01/04/2016\nC1,01/01/2005,A,02/04/2016,\n",
        oc3="C2,01/06/1999,YES,F1,S2\n",  # 17 on 01/06/2016: a care leaver of 2016-17, not 2015-16
    )  # fmt: skip
    error = rejected(lambda: read_csv(files, la="384", year="2015-16", folder_name="903"))
    assert [(p.file, p.location, p.field, p.value) for p in error.problems] == [
        ("m.csv", "line 2", "MIS_END", "01/04/2016"),
        ("m.csv", "line 3", "MIS_START", "02/04/2016"),
        ("o.csv", "line 2", "DOB", "01/06/1999"),
    ]
    assert error.problems[2].rule == (
        "the 17th birthday is 01/06/2016, after the end of collection year 2015-16 (given by --year) on "
        "31/03/2016: the data looks like 2016-17"
    )


def test_a_lone_year_in_the_folder_name_holding_the_next_years_data_is_refused(tmp_path):
    # A folder named 2017 is read as 2016-17; data of 2017-18 in it does not fit.
    files = fit_return(tmp_path, "2017", episode("C1", "03/04/2017"))
    error = rejected(lambda: read_csv(files, la="384", year=None, folder_name="2017"))
    assert [str(p) for p in error.problems] == [
        "e.csv: line 2: DECOM = '03/04/2017': the episode starts 03/04/2017, after the end of collection year "
        "2016-17 (read from the folder name) on 31/03/2017: the data looks like 2017-18"
    ]


def test_no_episode_open_in_the_year_is_refused(tmp_path):
    # 2014-15 data loaded as 2016-17: every episode ended before 1 April 2016.
    files = fit_return(
        tmp_path, "903_2016-17",
        episode("C1", "01/04/2014", "31/03/2016", "E13") + episode("C2", "01/05/2014", "20/03/2015", "E4A"),
    )  # fmt: skip
    error = rejected(lambda: read_csv(files, la="384", year=None, folder_name="903_2016-17"))
    assert [str(p) for p in error.problems] == [
        "e.csv: every episode: DECOM, DEC = (blank): no episode (2 in the return) is open at any time in collection "
        "year 2016-17 (read from the folder name), 01/04/2016 to 31/03/2017: the data looks like 2015-16"
    ]
    # One ending on the year's first day was open on that day: the return fits.
    files = fit_return(tmp_path, "903_2016-17b", episode("C1", "01/04/2014", "01/04/2016", "E13"))
    assert read_csv(files, la="384", year="2016-17", folder_name="903_2016-17b").collection_year == "2016-17"


def test_xml_dates_after_the_year_end_are_refused_too(tmp_path):
    text = XML_HEAD + child_xml(
        "X1", "<DECOM>01/04/2017</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U4</PL>"
    )
    path = write(tmp_path, {"return.xml": text + "</EXPSSDA903>\n"})[0]
    error = rejected(lambda: read_xml(path, la="384", year="2016-17"))
    assert [str(p) for p in error.problems] == [
        "return.xml: CHILD[1]/EPISODE[1]/DECOM (line 5): DECOM = '01/04/2017': the episode starts 01/04/2017, "
        "after the end of collection year 2016-17 (given by --year) on 31/03/2017: the data looks like 2017-18"
    ]
