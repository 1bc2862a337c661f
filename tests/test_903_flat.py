"""A 903 CSV return checked in DuckDB (sources/ssda903_flat.py) gives exactly what the value-by-value reader
gives, and leaves to it every return it would word a Problem for (tests/test_ssda903.py checks those words)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from csc_scorecard.sources import ssda903
from csc_scorecard.sources.ssda903_flat import FLAT_FROM_BYTES, read_csv_checked

FIXTURES = Path(__file__).parent / "fixtures" / "ssda903"


def value_by_value(folder: Path, year: str | None = None) -> dict:
    files = sorted(folder.iterdir())
    assert sum(f.stat().st_size for f in files) < FLAT_FROM_BYTES  # so read_csv reads it value by value
    parsed = ssda903.read_csv(files, la="335", year=year, folder_name=folder.name)
    return _as_dict(parsed)


def checked(folder: Path, year: str | None = None) -> dict | None:
    parsed = read_csv_checked(sorted(folder.iterdir()), la="335", year=year, folder_name=folder.name)
    return None if parsed is None else _as_dict(parsed)


def _as_dict(parsed) -> dict:
    return {
        "year": (parsed.collection_year, parsed.year_source),
        "sha256": parsed.sha256,
        "tables": {name: table.to_pylist() for name, table in parsed.tables.items()},
    }


@pytest.mark.parametrize("name", ["903_2016-17", "903_2025-26"])
def test_each_fixture_reads_the_same_in_duckdb(name):
    expected = value_by_value(FIXTURES / name)
    assert sum(map(len, expected["tables"].values())) > 5
    assert checked(FIXTURES / name) == expected


def test_the_year_from_the_latest_date_is_the_same(tmp_path):
    folder = tmp_path / "no_year_in_the_name"
    shutil.copytree(FIXTURES / "903_2016-17", folder)
    expected = value_by_value(folder)
    assert expected["year"] == ("2016-17", "latest date")
    assert checked(folder) == expected


def edited(tmp_path: Path, file: str, old: str, new: str, fixture: str = "903_2016-17") -> Path:
    folder = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, folder)
    text = (folder / file).read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    (folder / file).write_text(text.replace(old, new), encoding="utf-8")
    return folder


# Values the value-by-value reader accepts, each as it reads them.
ACCEPTED = [
    ("children.csv", "C001,14/03/2005", "C001,14/3/2005"),  # Excel's unpadded date
    ("children.csv", "C001,14/03/2005,1,WBRI", "C001,14/03/2005,1,wbri"),  # codes upper-cased
    ("children.csv", "UN2,", " un2 ,"),  # why the UPN is unknown
    ("placements.csv", ",LS1 1,WF1 1,", ",\u00a0LS1 1 ,WF1 1,"),  # Python's strip
    ("prevperm.csv", "zz/05/2012", "ZZ/05/2012"),
    ("health.csv", "C001,14/03/2005,17,", "C001,14/03/2005,040,"),
    ("missing.csv", "01/02/2017,\n", "01/02/2017,"),  # no newline at the end
]


@pytest.mark.parametrize(("file", "old", "new"), ACCEPTED)
def test_accepted_values_read_the_same(tmp_path, file, old, new):
    folder = edited(tmp_path, file, old, new)
    expected = value_by_value(folder)
    found = checked(folder)
    assert found == expected or (found is None and "\u00a0" in new)


REFUSED = [
    ("children.csv", "C001,14/03/2005", "C001,31/02/2005"),
    ("children.csv", "C001,14/03/2005", "C001,14/03/0000"),
    ("children.csv", "C001,14/03/2005,1,WBRI", "C001,14/03/2005,1,XXXX"),
    ("children.csv", "C001,14/03/2005,1,WBRI", "C001,14/03/2005,,WBRI"),  # mandatory SEX
    ("children.csv", "UN2,C002", "UN2,C001"),  # two rows, one CHILD
    ("children.csv", "2,BAFR,15/01/2017,1", "2,BAFR,15/01/2017,2"),  # MOTHER 0 or 1
    ("children.csv", "2,BAFR,15/01/2017,1", "2,BAFR,15/01/2017,x"),
    ("health.csv", "C001,14/03/2005,17,", "C001,14/03/2005,41,"),
    ("prevperm.csv", "zz/05/2012", "zz/13/2012"),
    ("placements.csv", "10/06/2016,S,C2,N1,U4,PR1,X1", "10/06/2016,S,C2,N1,U4,PR1,"),  # REC once DEC is given
    ("placements.csv", "C001,10/06/2016,,P", "C001,10/06/2016,01/04/2017,P"),  # after the year end
    ("missing.csv", "05/12/2016,06/12/2016", "05/12/2016,06/12/2017"),
    ("careleavers.csv", "C004,21/04/1998", "C004,21/04/2000"),  # 17th birthday after the year end
    ("reviews.csv", "C001,14/03/2005,20/06/2016,PN1\n", "C001,14/03/2005,20/06/2016,PN1\n\n"),  # a blank line
    ("reviews.csv", "C001,14/03/2005,20/06/2016,PN1\n", "C001,14/03/2005,20/06/2016,PN1\n,,,\n"),
    ("reviews.csv", "C001,14/03/2005,20/06/2016,PN1\n", "C001,14/03/2005,20/06/2016\n"),  # a short row
    ("reviews.csv", "C001,14/03/2005,20/06/2016,PN1\n", 'C001,14/03/2005,"20/06/2016",PN1\n'),  # quoted
    ("reviews.csv", "CHILD,DOB,REVIEW,REVIEW_CODE", "CHILD,DOB,REVIEW,REVIEW_CODE,EXTRA"),
]


@pytest.mark.parametrize(("file", "old", "new"), REFUSED)
def test_returns_with_problems_are_left_to_the_value_by_value_reader(tmp_path, file, old, new):
    assert checked(edited(tmp_path, file, old, new)) is None


def test_windows_line_ends_read_the_same(tmp_path):
    folder = edited(tmp_path, "reviews.csv", "PN3", "PN3")
    for path in folder.iterdir():
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    expected = value_by_value(folder)
    assert checked(folder) == expected


def test_a_windows_1252_file_is_left_to_the_value_by_value_reader(tmp_path):
    folder = edited(tmp_path, "placements.csv", "LS1 1,LS2 2", "LS1 1,LS2 2")
    path = folder / "placements.csv"
    path.write_bytes(path.read_bytes().replace(b"LS2 2", b"LS2 \xe92"))
    assert checked(folder) is None
    assert value_by_value(folder)["tables"]["cla_episodes"][0]["pl_post"] == "LS2 \u00e92"
