"""`csc-scorecard load` and `status` end to end, through the real CLI and a real DuckDB file.

Bad input must exit non-zero, name the file, location, field, value and rule, and leave every table of the
store exactly as it was (checked by checksumming every table before and after).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from csc_scorecard.cli import cli
from store_checks import query, table_checksums

FIXTURES = Path(__file__).parent / "fixtures" / "returns"
CIN = FIXTURES / "CIN_335_2016-17.xml"
RETURN_903 = FIXTURES / "903_335_2016-17"


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A store already holding the fixture CIN census and 903 return."""
    db = tmp_path / "s.duckdb"
    code, out = run("load", CIN, RETURN_903, "--la", "335", "--db", db)
    assert code == 0, out
    return db


def test_load_reports_each_return_and_status_lists_them(store: Path) -> None:
    assert query(
        store, "SELECT kind, format, la_code, collection_year, year_source FROM loads ORDER BY 1"
    ) == [
        ("cin", "cin_xml", "335", "2016-17", "header"),
        ("ssda903", "ssda903_csv", "335", "2016-17", "folder name"),
    ]
    assert query(store, "SELECT count(*) FROM cin_episodes") == [(3,)]
    assert query(store, "SELECT count(*) FROM cla_episodes") == [(4,)]
    assert query(store, "SELECT count(*) FROM children") == [(4,)]
    code, out = run("status", "--db", store)
    assert code == 0
    assert "CIN census (XML)" in out and "SSDA903 (CSV)" in out and "folder name" in out


def test_reloading_the_same_files_is_a_no_op(store: Path) -> None:
    before = table_checksums(store)
    code, out = run("load", FIXTURES, "--la", "335", "--db", store)
    assert code == 0, out
    assert out.count("already loaded") == 2
    assert table_checksums(store) == before


def test_new_version_replaces_old(store: Path, tmp_path: Path) -> None:
    newer = tmp_path / "903_335_2016-17"
    shutil.copytree(RETURN_903, newer)
    episodes = newer / "episodes.csv"
    episodes.write_text(
        episodes.read_text().replace(
            "T102,21/10/2016,S,V2,N4,K2,PR4,10/02/2017,E4A", "T102,21/10/2016,S,V2,N4,K2,PR4,,"
        )
    )
    code, out = run("load", newer, "--la", "335", "--db", store)
    assert code == 0, out
    assert "replaced load 2" in out
    assert query(store, "SELECT dec, rec FROM cla_episodes WHERE child_id = 'T102'") == [(None, None)]
    assert query(store, "SELECT load_id, status FROM loads WHERE kind = 'ssda903' ORDER BY 1") == [
        (2, "replaced"),
        (3, "current"),
    ]


def bad_903(tmp_path: Path, name: str, text: str | bytes) -> Path:
    folder = tmp_path / "903_335_2016-17"
    shutil.copytree(RETURN_903, folder)
    target = folder / name
    if isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text)
    return folder


BAD_CIN = {
    "malformed": (CIN.read_text().replace("</CINdetails>\n    </Child>", "</Child>", 1), "not well-formed"),
    "bad date": (
        CIN.read_text().replace("2016-05-13</CINreferralDate>", "2016-02-30</CINreferralDate>"),
        "2016-02-30",
    ),
    "unknown code": (CIN.read_text().replace("<ReferralSource>2A<", "<ReferralSource>ZZ<"), "ZZ"),
    "missing child id": (CIN.read_text().replace("<LAchildID>T001</LAchildID>", ""), "LAchildID"),
    "entity bomb": (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n'
        "<Message>&lol2;</Message>\n",
        "DOCTYPE",
    ),
    "not a return": ("<html><body>hello</body></html>\n", "not a CIN census"),
    "empty": ("", "empty"),
}


@pytest.mark.parametrize("case", sorted(BAD_CIN))
def test_bad_cin_file_is_refused_and_store_unchanged(case: str, store: Path, tmp_path: Path) -> None:
    text, expected = BAD_CIN[case]
    bad = tmp_path / "bad.xml"
    bad.write_text(text)
    before = table_checksums(store)
    code, out = run("load", bad, "--db", store)
    assert code != 0
    assert "Nothing was loaded" in out
    assert "bad.xml" in out and expected in out
    assert table_checksums(store) == before


BAD_903 = {
    "wrong header": ("episodes.csv", "CHILD,DECOM,RNE,LEGAL\nT1,01/01/2017,S,C1\n", "not an SSDA903 table"),
    "missing mandatory column": (
        "header.csv",
        "CHILD,SEX,ETHNIC,UPN,MOTHER,MC_DOB\nT101,2,WBRI,A999000000101,0,\n",
        "DOB",
    ),
    "bad date": (
        "missing.csv",
        "CHILD,DOB,MISSING,MIS_START,MIS_END\nT102,02/09/2003,M,31/02/2017,\n",
        "31/02/2017",
    ),
    "unknown code": (
        "missing.csv",
        "CHILD,DOB,MISSING,MIS_START,MIS_END\nT102,02/09/2003,Q,05/12/2016,\n",
        "Q",
    ),
    "binary": ("missing.csv", bytes(range(256)) * 8, "binary"),
    "empty": ("missing.csv", "", "empty"),
}


@pytest.mark.parametrize("case", sorted(BAD_903))
def test_bad_903_return_is_refused_and_store_unchanged(case: str, store: Path, tmp_path: Path) -> None:
    name, text, expected = BAD_903[case]
    folder = bad_903(tmp_path, name, text)
    before = table_checksums(store)
    code, out = run("load", folder, "--la", "335", "--db", store)
    assert code != 0, out
    assert name in out and expected in out
    assert table_checksums(store) == before


def test_one_bad_file_stops_the_whole_batch(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    folder = bad_903(
        tmp_path, "missing.csv", "CHILD,DOB,MISSING,MIS_START,MIS_END\nT102,02/09/2003,Q,05/12/2016,\n"
    )
    code, out = run("load", CIN, folder, "--la", "335", "--db", db)
    assert code != 0 and "missing.csv" in out
    assert not db.exists() or query(db, "SELECT count(*) FROM loads") == [(0,)]


def test_903_csv_without_la_is_refused(tmp_path: Path) -> None:
    code, out = run("load", RETURN_903, "--db", tmp_path / "s.duckdb")
    assert code != 0 and "--la" in out


def test_year_option_and_latest_date_fallback(tmp_path: Path) -> None:
    plain = tmp_path / "returns" / "plain"
    shutil.copytree(RETURN_903, plain)
    db = tmp_path / "s.duckdb"
    code, out = run("load", plain, "--la", "335", "--db", db)
    assert code == 0, out
    # Latest date in the data is 15/01/2017 (episode start), in collection year 2016-17.
    assert query(db, "SELECT collection_year, year_source FROM loads") == [("2016-17", "latest date")]
    db2 = tmp_path / "s2.duckdb"
    code, out = run("load", plain, "--la", "335", "--year", "2017-18", "--db", db2)
    assert code == 0, out
    assert query(db2, "SELECT collection_year, year_source FROM loads") == [("2017-18", "--year")]
