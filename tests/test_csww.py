"""The CSWW census XML reader: the documented example, detection beside the CIN census, and refused input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from csc_scorecard.cli import cli
from csc_scorecard.sources import csww
from csc_scorecard.sources.detect import recognise
from csc_scorecard.sources.problems import ReturnRejected
from store_checks import table_checksums

EXAMPLE = (
    Path(__file__).resolve().parents[1] / "docs" / "templates" / "examples" / "csww" / "CSWW_335_2016.xml"
)
CIN = Path(__file__).parent / "fixtures" / "returns" / "CIN_335_2016-17.xml"


def problems(path: Path, **kw) -> list[str]:
    with pytest.raises(ReturnRejected) as info:
        csww.read(path, **kw)
    return [str(p) for p in info.value.problems]


def test_the_example_is_read() -> None:
    parsed = csww.read(EXAMPLE)
    assert (parsed.kind, parsed.format, parsed.la_code, parsed.collection_year) == (
        "csww",
        "csww_xml",
        "335",
        "2016-17",
    )
    assert parsed.year_source == "census date 30/09/2016 (ReferenceDate)"
    workers = [
        {k: v for k, v in r.items() if k != "src_line"} for r in parsed.tables["csww_workers"].to_pylist()
    ]
    assert workers[2] == {
        "swe_no": "SW0000000003", "agency": False, "fte": 1.0, "org_role": "5", "role_start_date": dt.date(2014, 1, 1),
        "role_end_date": dt.date(2016, 5, 31), "reason_leave": "1", "fte30": None, "cases30": None,
        "working_days_lost": None, "reference_date": dt.date(2016, 9, 30),
    }  # fmt: skip
    assert [w["agency"] for w in workers] == [False, False, False, True, False]
    vacancies = parsed.tables["csww_vacancies"].to_pylist()[0]
    assert (
        vacancies["vacancies_fte"],
        vacancies["agency_cover_fte"],
        vacancies["agency_cover_headcount"],
    ) == (1.5, 1.0, 1)


def test_detection_tells_a_csww_message_from_a_cin_census() -> None:
    assert recognise(EXAMPLE).format == "csww_xml"
    assert recognise(CIN).format == "cin_xml"


def xml(tmp_path: Path, header: str, body: str, name: str = "csww.xml") -> Path:
    path = tmp_path / name
    path.write_text(f'<?xml version="1.0"?>\n<Message>\n{header}\n{body}\n</Message>\n', encoding="utf-8")
    return path


HEADER = (
    "<Header><CollectionDetails><Collection>CSWW</Collection><Year>2016</Year>"
    "<ReferenceDate>2016-09-30</ReferenceDate></CollectionDetails><Source><LEA>335</LEA></Source></Header>"
)
VACANCIES = "<LALevelVacancies><NumberOfVacancies>2.00</NumberOfVacancies><NoAgencyFTE>1.00</NoAgencyFTE><NoAgencyHeadcount>1</NoAgencyHeadcount></LALevelVacancies>"


def test_every_worker_field_is_checked(tmp_path: Path) -> None:
    body = VACANCIES + (
        "<CSWWWorker><AgencyWorker>2</AgencyWorker><SWENo>SW123</SWENo><FTE>1.5</FTE><OrgRole>9</OrgRole>"
        "<RoleStartDate>2016-02-30</RoleStartDate><Cases30>many</Cases30></CSWWWorker>"
        "<CSWWWorker><AgencyWorker>0</AgencyWorker><SWENo>SW0000000001</SWENo><FTE>1</FTE>"
        "<RoleStartDate>2015-01-01</RoleStartDate><RoleEndDate>2016-10-01</RoleEndDate><ReasonLeave>11</ReasonLeave></CSWWWorker>"
    )  # fmt: skip
    assert problems(xml(tmp_path, HEADER, body)) == [
        "csww.xml: CSWWWorker[1]/AgencyWorker (line 4): AgencyWorker = '2': must be 0 or 1",
        "csww.xml: CSWWWorker[1]/SWENo (line 4): SWENo = 'SW123': not a Social Work England number (2 letters and 10 digits)",
        "csww.xml: CSWWWorker[1]/OrgRole (line 4): OrgRole = '9': not a valid OrgRole code (1 to 6)",
        "csww.xml: CSWWWorker[1]/RoleStartDate (line 4): RoleStartDate = '2016-02-30': not a valid date in the form YYYY-MM-DD",
        "csww.xml: CSWWWorker[1]/FTE (line 4): FTE = '1.5': must be a decimal from 0 to 1",
        "csww.xml: CSWWWorker[1]/Cases30 (line 4): Cases30 = 'many': must be a whole number of at least 0",
        "csww.xml: CSWWWorker[2]/ReasonLeave (line 4): ReasonLeave = '11': not a valid ReasonLeave code (1 to 10)",
        "csww.xml: CSWWWorker[2]/RoleEndDate (line 4): RoleEndDate = '2016-10-01': after the census date (2016-09-30)",
    ]


def test_header_and_vacancies_are_checked(tmp_path: Path) -> None:
    worker = "<CSWWWorker><AgencyWorker>0</AgencyWorker><SWENo>SW0000000001</SWENo></CSWWWorker>"
    no_vacancies = xml(tmp_path, HEADER, worker, "a.xml")
    assert problems(no_vacancies) == [
        "a.xml: line 2: LALevelVacancies = (blank): mandatory element is missing"
    ]
    other_la = xml(tmp_path, HEADER, VACANCIES + worker, "b.xml")
    assert problems(other_la, la="384") == [
        "b.xml: Header/Source/LEA (line 3): LEA = '335': does not agree with --la 384"
    ]
    no_year = xml(tmp_path, "<Header><Source><LEA>335</LEA></Source></Header>", VACANCIES + worker, "c.xml")
    assert problems(no_year) == [
        "c.xml: Header: ReferenceDate = (blank): no collection year: the Header has no ReferenceDate or Year; pass --year"
    ]
    assert csww.read(no_year, year="2016-17").year_source == "census date 30/09/2016 (--year)"
    no_workers = xml(tmp_path, HEADER, VACANCIES, "d.xml")
    assert problems(no_workers) == [
        "d.xml: Message: CSWWWorker = (blank): no CSWWWorker elements: a census return lists its workers"
    ]


def test_a_doctype_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY a "b">]>\n<Message><CSWWWorker/></Message>\n'
    )
    assert problems(path) == [
        "x.xml: line 2: DOCTYPE = (blank): DTDs and entity declarations are not allowed in a return"
    ]


def test_a_bad_census_is_refused_through_load_and_the_store_is_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    runner = CliRunner()
    assert runner.invoke(cli, ["load", str(EXAMPLE), "--db", str(db)]).exit_code == 0
    before = table_checksums(db)
    bad = xml(
        tmp_path,
        HEADER,
        VACANCIES + "<CSWWWorker><AgencyWorker>0</AgencyWorker></CSWWWorker>",
        "CSWW_335_2017.xml",
    )
    result = runner.invoke(cli, ["load", str(bad), "--db", str(db)])
    assert result.exit_code != 0
    assert (
        "CSWW_335_2017.xml: CSWWWorker[1] (line 4): SWENo = (blank): mandatory field is missing"
        in result.output
    )
    assert table_checksums(db) == before
