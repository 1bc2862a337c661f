"""The one collection-year decision (sources/year.py): each step of the order, each conflict, by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from csc_scorecard.sources.problems import Problems
from csc_scorecard.sources.year import Latest, Stated, Years, decide, year_in_name

YEARS = Years("2013-14", "2025-26", "no code lists for {year}: {first} to {last} can be read")
HEADER_2016 = Stated("2016-17", "Header (line 3)", "ReferenceDate", "the Header has no ReferenceDate or Year")
NO_HEADER_YEAR = Stated(None, "Header (line 3)", "ReferenceDate", "the Header has no ReferenceDate or Year")


def never() -> dt.date | None:
    raise AssertionError("the latest date is looked for only when nothing before it gives a year")


def latest(day: dt.date | None) -> Latest:
    return Latest(lambda: day, "event dates in the data")


def run(**evidence) -> tuple[tuple[str, str] | None, list[str]]:
    problems = Problems("r")
    found = decide(problems, YEARS, **evidence)
    return ((found.year, found.source) if found else None), [str(p) for p in problems.items]


# ---- the order: each step decides when those before it say nothing ------------------------------------------


def test_the_header_comes_first() -> None:
    evidence = dict(folder="903_2014-15", files=["a_2015-16.csv"], latest=Latest(never, "dates"))
    assert run(stated=HEADER_2016, **evidence) == (("2016-17", "header"), [])


def test_a_year_option_agreeing_with_the_header_is_no_problem() -> None:
    assert run(stated=HEADER_2016, option="2016-17") == (("2016-17", "header"), [])


def test_year_option_when_the_header_gives_none() -> None:
    assert run(stated=NO_HEADER_YEAR, option="2015-16") == (("2015-16", "--year"), [])


def test_year_option_beats_folder_file_names_and_dates() -> None:
    evidence = dict(folder="903 returns", files=["a_2017.csv", "b.csv"], latest=Latest(never, "dates"))
    assert run(option=" 2016-17 ", **evidence) == (("2016-17", "--year"), [])


def test_a_lone_year_in_a_name_allows_either_year_it_may_mean() -> None:
    # "2017" is the year ending March 2017 when nothing else says, but does not contradict 2017-18.
    for option in ("2016-17", "2017-18"):
        assert run(option=option, folder="903_2017", files=["a_2017.csv"]) == ((option, "--year"), [])


def test_year_option_contradicting_the_folder_or_file_names_names_both() -> None:
    # A 2016-17 folder loaded with --year 2014-15 would replace the real 2014-15 return.
    assert run(option="2014-15", folder="903_2016-17", files=["a_2016-17.csv", "b.csv", "c_2016.csv"]) == (
        ("2014-15", "--year"),
        [
            "r: command line: --year = '2014-15': the folder name '903_2016-17' says collection year 2016-17: "
            "rename it or correct --year",
            "r: command line: --year = '2014-15': the file name 'a_2016-17.csv' says collection year 2016-17: "
            "rename it or correct --year",
            "r: command line: --year = '2014-15': the file name 'c_2016.csv' says collection year 2015-16: "
            "rename it or correct --year",
        ],
    )


def test_a_readers_own_name_reading_is_checked_against_the_year_option_too() -> None:
    as_at = {"annex_a_2017-04-30.xlsx": "2017-18"}
    assert run(option="2016-17", files=["annex_a_2017-04-30.xlsx"], from_name=as_at.get)[1] == [
        "r: command line: --year = '2016-17': the file name 'annex_a_2017-04-30.xlsx' says collection year "
        "2017-18: rename it or correct --year"
    ]


def test_folder_name_beats_file_names_and_dates() -> None:
    evidence = dict(files=["a_2015-16.csv", "b_2015-16.csv"], latest=Latest(never, "dates"))
    assert run(folder="903_2014-15", **evidence) == (("2014-15", "folder name"), [])


def test_file_names_when_the_folder_name_has_no_year() -> None:
    found = run(
        folder="returns", files=["a_2015-16.csv", "b.csv", "c_2016.csv"], latest=Latest(never, "dates")
    )
    assert found == (("2015-16", "file name"), [])  # "c_2016" is the year ending March 2016: the same year


def test_latest_date_last() -> None:
    # 1 April starts a new collection year: 31/03/2017 is 2016-17, 01/04/2017 is 2017-18.
    assert run(folder="returns", files=["a.csv"], latest=latest(dt.date(2017, 3, 31))) == (
        ("2016-17", "latest date"),
        [],
    )
    assert run(files=["a.xml"], latest=latest(dt.date(2017, 4, 1))) == (("2017-18", "latest date"), [])


def test_a_name_reader_of_the_readers_own() -> None:
    # Annex A reads an as-at date from its file name, and the year is that date's financial year.
    as_at = {"annex_a_2016-10-01.xlsx": "2016-17"}
    assert run(files=["annex_a_2016-10-01.xlsx"], from_name=as_at.get) == (("2016-17", "file name"), [])


# ---- conflicts and missing evidence ---------------------------------------------------------------------------


def test_year_option_contradicting_the_header_names_both() -> None:
    stated = Stated("2016-17", "Header (line 3)", "ReferenceDate", "-", detail="census of 30/09/2016")
    assert run(stated=stated, option="2017-18") == (
        ("2016-17", "header"),  # still decided, so that the reader reports everything else in the file too
        [
            "r: Header (line 3): --year = '2017-18': "
            "the return's Header says collection year 2016-17 (census of 30/09/2016)"
        ],
    )


def test_file_names_giving_different_years() -> None:
    assert run(folder="returns", files=["h_2016-17.csv", "e_2017-18.csv", "x.csv"]) == (
        None,
        [
            "r: folder: file names = 'e_2017-18.csv: 2017-18, h_2016-17.csv: 2016-17': "
            "the file names give different collection years: pass --year"
        ],
    )


def test_a_year_option_that_is_not_a_year() -> None:
    assert run(stated=HEADER_2016, option="2016-18") == (
        None,
        ["r: command line: --year = '2016-18': not a collection year like 2016-17"],
    )


def test_no_year_anywhere_says_where_it_looked() -> None:
    assert run(folder="returns", files=["h.csv"], latest=latest(None)) == (
        None,
        [
            "r: command line: --year = (blank): no collection year: none in the folder or file names "
            "and no event dates in the data; pass --year"
        ],
    )
    assert run(stated=NO_HEADER_YEAR) == (
        None,
        [
            "r: Header (line 3): ReferenceDate = (blank): "
            "no collection year: the Header has no ReferenceDate or Year; pass --year"
        ],
    )


def test_a_year_the_reader_cannot_check() -> None:
    stated = Stated("2012-13", "Header (line 3)", "ReferenceDate", "-")
    assert run(stated=stated) == (
        None,
        [
            "r: Header (line 3): collection year = '2012-13': no code lists for 2012-13: 2013-14 to 2025-26 can be read"
        ],
    )
    assert run(option="2026-27") == (
        None,
        [
            "r: command line: collection year = '2026-27': no code lists for 2026-27: 2013-14 to 2025-26 can be read"
        ],
    )


def test_a_year_from_a_stray_late_date_is_explained() -> None:
    assert run(files=["e.csv"], latest=latest(dt.date(2029, 5, 1))) == (
        None,
        [
            "r: command line: collection year = '2029-30': no code lists for 2029-30: 2013-14 to 2025-26 can be "
            "read; it was taken from the latest date in the data (01/05/2029): pass --year"
        ],
    )


# ---- years in names ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "year"),
    [
        ("903_2016-17", "2016-17"),
        ("SSDA903 2016_17", "2016-17"),
        ("ssda903_201617.csv", "2016-17"),
        ("return 2016-2017", "2016-17"),
        ("header_2017.csv", "2016-17"),
        ("extract_2017-03-31.csv", "2016-17"),
        ("903_2099-17", "2098-99"),  # 2099 is read as a lone year: the 2-digit part does not follow it
        ("episodes.csv", None),
        ("export_20170331.csv", None),
        ("903", None),
    ],
)
def test_year_in_name(name: str, year: str | None) -> None:
    assert year_in_name(name) == year
