"""indicators, catalogue, benchmarks, judge and commentary through the real CLI on a real store.

The fixture returns (tests/fixtures/returns) hold, for 2016-17: T001 referred 13/05/2016 (assessed in 27
working days, S47 then a CP plan from 10/06/2016, still open), T002 referred 09/09/2016 (NFA, closed that day)
and again 13/01/2017 (open, assessment not authorised); 903: T101 looked after since 04/03/2015 (moved
15/01/2017), T102 looked after 21/10/2016 to 10/02/2017 (V2, returned home E4A).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from csc_scorecard.cli import cli
from store_checks import query

FIXTURES = Path(__file__).parent / "fixtures" / "returns"


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


# The 2015-16 census before the fixture's year, with one closed referral: re-referrals look back 12 months
# before the window, so without it the 2016-17 re-referral rate would be withheld (tests/test_history.py).
CIN_2015_16 = """<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header>
    <CollectionDetails><Collection>CIN</Collection><Year>2016</Year><ReferenceDate>2016-03-31</ReferenceDate></CollectionDetails>
    <Source><SourceLevel>L</SourceLevel><LEA>335</LEA><SoftwareCode>Case management system</SoftwareCode>
      <Release>1.0</Release><SerialNo>1</SerialNo><DateTime>2016-05-01T10:00:00</DateTime></Source>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers><LAchildID>T000</LAchildID><PersonBirthDate>2009-01-05</PersonBirthDate><GenderCurrent>1</GenderCurrent></ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity><Disabilities><Disability>NONE</Disability></Disabilities></ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2015-04-10</CINreferralDate><ReferralSource>6</ReferralSource><PrimaryNeedCode>N9</PrimaryNeedCode>
        <CINclosureDate>2015-04-10</CINclosureDate><ReasonForClosure>RC8</ReasonForClosure><ReferralNFA>true</ReferralNFA>
      </CINdetails>
    </Child>
  </Children>
</Message>
"""


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    path = folder / "s.duckdb"
    earlier = folder / "CIN_335_2015-16.xml"
    earlier.write_text(CIN_2015_16, encoding="utf-8")
    code, out = run("load", FIXTURES, earlier, "--la", "335", "--db", path)
    assert code == 0, out
    return path


def rows(out: str) -> dict[str, dict[str, str]]:
    return {r["indicator_id"]: r for r in csv.DictReader(io.StringIO(out))}


def test_indicators_csv_has_the_contract_columns_and_hand_worked_values(db: Path) -> None:
    code, out = run(
        "indicators", "--period", "2016-17", "--indicator", "referrals_count", "--indicator", "cin_count",
        "--indicator", "cla_count", "--indicator", "re_referrals_12m_pct", "--format", "csv", "--db", db,
    )  # fmt: skip
    assert code == 0, out
    assert out.splitlines()[0].startswith("la_code,indicator_id,period,numerator,denominator,value")
    got = rows(out)
    assert got["referrals_count"]["value"] == "3"  # three referral dates in 2016-17
    assert got["cin_count"]["value"] == "2"  # T001's and T002's second episode open at 31 March 2017
    assert got["cla_count"]["value"] == "1"  # T101; T102 ceased 10/02/2017
    # T002's 13/01/2017 referral follows the 09/09/2016 one within 12 months: 1 of 3.
    assert (got["re_referrals_12m_pct"]["numerator"], got["re_referrals_12m_pct"]["denominator"]) == (
        "1",
        "3",
    )
    assert query(db, "SELECT count(*) FROM indicator_results WHERE period = '2016-17'") == [(4,)]


def test_every_period_type_is_accepted(db: Path) -> None:
    for args in (["--period", "2016-17Q3"], ["--period", "2016-09"], ["--period", "R12:2016-12"],
                 ["--from", "2016-09-01", "--to", "2016-09-30"]):  # fmt: skip
        code, out = run("indicators", *args, "--indicator", "referrals_count", "--format", "json", "--db", db)
        assert code == 0, out
        assert json.loads(out)[0]["indicator_id"] == "referrals_count"
    code, out = run(
        "indicators", "--period", "2016-09", "--indicator", "referrals_count", "--format", "json", "--db", db
    )
    assert json.loads(out)[0]["value"] == 1  # only T002's 09/09/2016 referral


def test_bad_period_and_unknown_indicator_are_usage_errors(db: Path) -> None:
    code, out = run("indicators", "--period", "2016-18", "--db", db)
    assert code == 2 and "2016-18" in out
    code, out = run("indicators", "--period", "2016-17", "--indicator", "no_such", "--db", db)
    assert code == 2 and "no_such" in out


def test_explain_shows_sql_and_the_records_counted(db: Path) -> None:
    code, out = run("indicators", "--explain", "re_referrals_12m_pct", "--period", "2016-17", "--db", db)
    assert code == 0, out
    assert "SELECT" in out and "Numerator records (1)" in out and "T002" in out


def test_catalogue_lists_and_describes(db: Path) -> None:
    code, out = run("catalogue", "--format", "csv")
    assert code == 0 and "assessments_45wd_pct" in out and "cla_longterm_stability_pct" in out
    code, out = run("catalogue", "assessments_45wd_pct")
    assert code == 0 and "Continue_Assess_Comp" in out


def test_benchmarks_csv_pins_walsall_2016_17(db: Path) -> None:
    code, out = run(
        "benchmarks", "--la", "335", "--indicator", "re_referrals_12m_pct", "--year", "2016-17", "--format", "csv",
        "--db", db,
    )  # fmt: skip
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == "la_code,indicator_id,year,comparator,value"
    assert "335,re_referrals_12m_pct,2016-17,la,21.7" in lines
    assert "335,re_referrals_12m_pct,2016-17,england,21.9" in lines
    assert "335,re_referrals_12m_pct,2016-17,region,23.4" in lines


def test_judge_prints_the_scorecard_with_rules(db: Path, tmp_path: Path) -> None:
    targets = tmp_path / "targets.toml"
    targets.write_text(
        'la = "335"\n[[target]]\nindicator = "re_referrals_12m_pct"\nvalue = 22.0\ntolerance = 2.0\n'
        "valid_from = 2016-04-01\n"
    )
    code, out = run("judge", "--period", "2016-17", "--targets", targets, "--rules", "--db", db)
    assert code == 0, out
    assert "Front door" in out and "Children in care" in out
    # 33.3% against a target of 22.0 with tolerance 2 (lower is better): red.
    assert "RED" in out and "33.3%" in out


def test_commentary_round_trip_with_formula_neutralised(db: Path, tmp_path: Path) -> None:
    code, out = run(
        "commentary", "set", "--la", "335", "--indicator", "cin_count", "--period", "2016-17", "--text",
        "=HYPERLINK(\"x\") reviewed", "--db", db,
    )  # fmt: skip
    assert code == 0, out
    code, out = run("commentary", "add-action", "--la", "335", "--indicator", "cin_count", "--period", "2016-17",
                    "--text", "Audit open cases", "--owner", "Service manager", "--due", "2017-06-30", "--db", db)  # fmt: skip
    assert code == 0, out
    code, out = run("commentary", "export", tmp_path, "--db", db)
    assert code == 0, out
    assert "'=HYPERLINK" in (tmp_path / "commentary.csv").read_text()
    code, out = run("commentary", "show", "--la", "335", "--period", "2017-18", "--format", "csv", "--db", db)
    assert "Audit open cases" in out  # carried forward: not closed
    action_id = out.split("#")[1].split()[0]
    code, out = run("commentary", "close-action", action_id, "--period", "2017-18", "--db", db)
    assert code == 0, out
    code, out = run("commentary", "show", "--la", "335", "--period", "2018-19", "--format", "csv", "--db", db)
    assert "Audit open cases" not in out
