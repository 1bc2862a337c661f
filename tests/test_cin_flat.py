"""The CIN census checked in DuckDB (sources/cin_flat.py) gives exactly the tables the value-by-value reader gives,
and leaves to it every return it would word a Problem for (tests/test_cin_census.py checks those words)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from csc_scorecard.sources.cin_census import _Reader, read, read_flat
from csc_scorecard.sources.problems import Problems, ReturnRejected
from csc_scorecard.sources.xmlsafe import iterparse
from test_cin_census import BASE, FIXTURES, write


def value_by_value(path: Path, la: str | None = None) -> dict[str, list[dict]]:
    problems = Problems(path.name)
    reader = _Reader(problems, la=la, year=None)
    reader.run(iterparse(path, problems, tags=_Reader.ACTS_ON))
    assert not problems.total, problems.items
    return {name: table.to_pylist() for name, table in reader.tables.finish().items()}


def flat(path: Path, la: str | None = None) -> dict[str, list[dict]] | None:
    found = read_flat(path, la=la, year=None)
    return None if found is None else {name: table.to_pylist() for name, table in found[1].items()}


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.xml")))
def test_each_fixture_reads_the_same_flat(name):
    path = FIXTURES / name
    la = "384"  # as tests/test_cin_census.py reads them (one has DfE's dummy LEA 999, one none)
    expected = value_by_value(path, la)
    assert sum(map(len, expected.values())) >= 3
    assert flat(path, la) == expected


# Values the value-by-value reader accepts, each as it reads them: DuckDB must give the same, or leave the
# return to it (it never gives something else).
ACCEPTED = [
    ("<LAchildID>B1</LAchildID>", "<LAchildID>\u00a0 B1\t</LAchildID>"),  # Python's strip, not just spaces
    ("<PersonBirthDate>2010-01-01</PersonBirthDate>", "<PersonBirthDate>\n  2010-01-01\n</PersonBirthDate>"),
    ("<ReferralNFA>false</ReferralNFA>", "<ReferralNFA>FALSE</ReferralNFA>"),
    ("<ReferralNFA>false</ReferralNFA>", "<ReferralNFA>1</ReferralNFA>"),
    ("<NumberOfPreviousCPP>0</NumberOfPreviousCPP>", "<NumberOfPreviousCPP>007</NumberOfPreviousCPP>"),
    ("<NumberOfPreviousCPP>0</NumberOfPreviousCPP>", "<NumberOfPreviousCPP>-0</NumberOfPreviousCPP>"),
    ("<LAchildID>B1</LAchildID>", "<LAchildID>B1</LAchildID><LAchildID>B2</LAchildID>"),  # the first counts
    ("<LAchildID>B1</LAchildID>", "<LAchildID>B<x/>1</LAchildID>"),  # text before a nested element
    ("<Ethnicity>WBRI</Ethnicity>", "<Ethnicity>WBRI</Ethnicity><Disabilities/>"),  # an empty list
    (
        "<Ethnicity>WBRI</Ethnicity>",
        "<Ethnicity>WBRI</Ethnicity><Disabilities><Disability>NONE</Disability></Disabilities>"
        "<Disabilities><Disability>XX</Disability></Disabilities>",  # only the first Disabilities is read
    ),
    (
        "<AssessmentActualStartDate>2016-06-02</AssessmentActualStartDate>",
        "<AssessmentActualStartDate>2016-06-02</AssessmentActualStartDate><FactorsIdentifiedAtAssessment>"
        "<AssessmentFactors> 21 </AssessmentFactors><AssessmentFactors>1C</AssessmentFactors>"
        "</FactorsIdentifiedAtAssessment>",
    ),
    (
        "<NumberOfPreviousCPP>0</NumberOfPreviousCPP>",
        "<NumberOfPreviousCPP>0</NumberOfPreviousCPP><Reviews><CPPreviewDate>2016-08-01</CPPreviewDate>"
        "<CPPreviewDate>2016-09-01</CPPreviewDate></Reviews>",
    ),
    ("<Message>", '<Message xmlns:p="urn:x">'),  # a namespace declared: tags read by local name
    ("<Ethnicity>WBRI</Ethnicity>", '<p:Ethnicity xmlns:p="urn:x">WBRI</p:Ethnicity>'),  # any namespace
]


@pytest.mark.parametrize(("old", "new"), ACCEPTED)
def test_accepted_values_read_the_same(tmp_path, old, new):
    path = write(tmp_path, BASE, (old, new), name="good.xml")
    expected = value_by_value(path)
    found = flat(path)
    assert found is None or found == expected
    assert found is not None or new in (
        "<LAchildID>\u00a0 B1\t</LAchildID>",
        "<NumberOfPreviousCPP>-0</NumberOfPreviousCPP>",
        "<LAchildID>B<x/>1</LAchildID>",
    )


# Returns the value-by-value reader objects to: the flat read gives up, so that it words the Problems.
REFUSED = [
    ("<PersonBirthDate>2010-01-01</PersonBirthDate>", "<PersonBirthDate>2010-02-30</PersonBirthDate>"),
    ("<PersonBirthDate>2010-01-01</PersonBirthDate>", "<PersonBirthDate>0000-01-01</PersonBirthDate>"),
    ("<PersonBirthDate>2010-01-01</PersonBirthDate>", "<PersonBirthDate>2010-1-01</PersonBirthDate>"),
    ("<PersonBirthDate>2010-01-01</PersonBirthDate>", ""),  # no birth date element
    ("<GenderCurrent>1</GenderCurrent>", "<GenderCurrent>1</GenderCurrent><Sex>M</Sex>"),
    ("<GenderCurrent>1</GenderCurrent>", ""),
    ("<GenderCurrent>1</GenderCurrent>", "<GenderCurrent>1</GenderCurrent><Sex/>"),  # even empty
    ("<Ethnicity>WBRI</Ethnicity>", "<Ethnicity>wbri</Ethnicity>"),
    ("<Ethnicity>WBRI</Ethnicity>", "<Ethnicity>WBRI</Ethnicity><Disabilities><Disability/></Disabilities>"),
    ("<ReferralNFA>false</ReferralNFA>", "<ReferralNFA>no</ReferralNFA>"),
    ("<ReferralNFA>false</ReferralNFA>", ""),
    ("<ReferralSource>2A</ReferralSource>", "<ReferralSource>  </ReferralSource>"),
    ("<NumberOfPreviousCPP>0</NumberOfPreviousCPP>", "<NumberOfPreviousCPP>+1</NumberOfPreviousCPP>"),
    (
        "<NumberOfPreviousCPP>0</NumberOfPreviousCPP>",
        "<NumberOfPreviousCPP>0</NumberOfPreviousCPP><Reviews><CPPreviewDate>2016-08-32</CPPreviewDate></Reviews>",
    ),
    ("<LAchildID>B1</LAchildID>", ""),
    ("      <ChildCharacteristics>\n        <Ethnicity>WBRI</Ethnicity>\n      </ChildCharacteristics>\n", ""),
    ("<LEA>384</LEA>", "<LEA>999</LEA>"),  # a Header problem
    ("  </Children>", "  <Child><ChildIdentifiers><LAchildID>B1</LAchildID><PersonBirthDate>2010-01-01"
     "</PersonBirthDate><GenderCurrent>1</GenderCurrent></ChildIdentifiers><ChildCharacteristics><Ethnicity>"
     "WBRI</Ethnicity></ChildCharacteristics></Child>\n  </Children>"),  # the same child twice
]  # fmt: skip


@pytest.mark.parametrize(("old", "new"), REFUSED)
def test_returns_with_problems_are_left_to_the_value_by_value_reader(tmp_path, old, new):
    assert flat(write(tmp_path, BASE, (old, new))) is None


# Elements of a known name in a place the value-by-value reader does not look, and repeated elements: each
# (old, new) with the table and column it would move, and that column as both readers read it, worked by hand.
_S47 = "<Section47><S47ActualStartDate>2016-06-05</S47ActualStartDate><ICPCnotRequired>false</ICPCnotRequired></Section47>"
_ASSESSMENT = "<AssessmentActualStartDate>2016-06-02</AssessmentActualStartDate>"
_NEG = "<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>"
_PLANS = "<CINPlanDates><CINPlanStartDate>2016-06-03</CINPlanStartDate></CINPlanDates>"
_S47_ICPC = _S47.replace("</Section47>", "<DateOfInitialCPC>2016-06-20</DateOfInitialCPC></Section47>")
_JUNE = [dt.date(2016, 6, 1)]
MISPLACED_OR_REPEATED = [
    # an episode's field among the Child's identifiers (and no Disabilities to fill its row's list) is not read
    ("<LAchildID>B1</LAchildID>", "<LAchildID>B1</LAchildID><CINreferralDate>2016-05-01</CINreferralDate>",
     "cin_episodes", "referral_date", _JUNE),
    ("<LAchildID>B1</LAchildID>", "<LAchildID>B1</LAchildID><Disability>HAND</Disability>",
     "children", "disabilities", [None]),
    ("<LAchildID>B1</LAchildID>", "<LAchildID>B1</LAchildID><Disabilities><Disability>HAND</Disability></Disabilities>",
     "children", "disabilities", [None]),
    ("<Ethnicity>WBRI</Ethnicity>", "<Ethnicity>WBRI</Ethnicity><Disability>HAND</Disability>",
     "children", "disabilities", [None]),
    (_ASSESSMENT, _ASSESSMENT + "<PrimaryNeedCode>N1</PrimaryNeedCode>", "cin_episodes", "primary_need", [None]),
    (_ASSESSMENT, _ASSESSMENT + "<AssessmentFactors>21</AssessmentFactors>", "assessments", "factors", [None]),
    (_NEG, _NEG + "<CPPreviewDate>2016-08-01</CPPreviewDate>", "cp_plans", "review_dates", [None]),
    ("<Ethnicity>WBRI</Ethnicity>", "<Ethnicity>WBRI</Ethnicity>" + _S47, "section47", "start_date", []),
    (_ASSESSMENT, _ASSESSMENT + _PLANS, "cin_plans", "start_date", []),
    ("<ReferralNFA>false</ReferralNFA>", "<ReferralNFA>false</ReferralNFA><CINdetails><CINreferralDate>2016-05-01"
     "</CINreferralDate><ReferralSource>2A</ReferralSource><ReferralNFA>false</ReferralNFA></CINdetails>",
     "cin_episodes", "referral_date", _JUNE),
    # DateOfInitialCPC, a field of both CINdetails and Section47, read in each, and in no other place
    ("<ReferralNFA>false</ReferralNFA>", "<ReferralNFA>false</ReferralNFA>" + _S47_ICPC, "section47", "icpc_date",
     [dt.date(2016, 6, 20)]),
    ("<ReferralNFA>false</ReferralNFA>", "<ReferralNFA>false</ReferralNFA>" + _S47_ICPC, "cin_episodes",
     "initial_cpc_date", [None]),
    (_ASSESSMENT, _ASSESSMENT + "<DateOfInitialCPC>2016-06-20</DateOfInitialCPC>", "cin_episodes",
     "initial_cpc_date", [None]),
    # repeats: the first of a field, of a holder of repeats, of ChildIdentifiers; every part, in order
    ("<LAchildID>B1</LAchildID>", "<LAchildID>B1</LAchildID><UPN/><UPN>A123456789012</UPN>", "children", "upn",
     [None]),
    ("<PersonBirthDate>2010-01-01</PersonBirthDate>", "<PersonBirthDate/><PersonBirthDate>2010-01-01"
     "</PersonBirthDate>", "children", "dob", [None]),
    ("<CINreferralDate>2016-06-01</CINreferralDate>",
     "<CINreferralDate>2016-06-01</CINreferralDate><CINreferralDate>2016-05-01</CINreferralDate>",
     "assessments", "referral_date", _JUNE),
    ("<GenderCurrent>1</GenderCurrent>", "<GenderCurrent>1</GenderCurrent><PersonBirthDate>2011-01-01"
     "</PersonBirthDate>", "children", "dob", [dt.date(2010, 1, 1)]),
    ("<ChildIdentifiers>", "<ChildIdentifiers><LAchildID>B2</LAchildID><PersonBirthDate>2011-01-01"
     "</PersonBirthDate><GenderCurrent>2</GenderCurrent></ChildIdentifiers><ChildIdentifiers>",
     "cp_plans", "child_id", ["B2"]),
    (_ASSESSMENT, _ASSESSMENT + "<FactorsIdentifiedAtAssessment><AssessmentFactors>21</AssessmentFactors>"
     "</FactorsIdentifiedAtAssessment><FactorsIdentifiedAtAssessment><AssessmentFactors>1C</AssessmentFactors>"
     "</FactorsIdentifiedAtAssessment>", "assessments", "factors", [["21"]]),
    (_NEG, _NEG + "<Reviews><CPPreviewDate>2016-08-01</CPPreviewDate></Reviews><Reviews><CPPreviewDate>"
     "2016-09-01</CPPreviewDate></Reviews>", "cp_plans", "review_dates", [[dt.date(2016, 8, 1)]]),
    ("<Assessments>", _PLANS + _S47 + "<Assessments>" + _ASSESSMENT.replace("02", "09") + "</Assessments>"
     + _PLANS.replace("03", "04") + "<Assessments>", "assessments", "start_date",
     [dt.date(2016, 6, 9), dt.date(2016, 6, 2)]),
    ("<Assessments>", _PLANS + _S47 + "<Assessments>" + _ASSESSMENT.replace("02", "09") + "</Assessments>"
     + _PLANS.replace("03", "04") + "<Assessments>", "cin_plans", "start_date",
     [dt.date(2016, 6, 3), dt.date(2016, 6, 4)]),
]  # fmt: skip


@pytest.mark.parametrize("message", ["<Message>", '<Message xmlns="http://www.dcsf.gov.uk/schemas/cin">'])
@pytest.mark.parametrize(("old", "new", "table", "column", "expected"), MISPLACED_OR_REPEATED)
def test_misplaced_and_repeated_elements_read_as_the_value_by_value_reader_reads_them(
    tmp_path, message, old, new, table, column, expected
):
    path = write(tmp_path, BASE, (old, new), ("<Message>", message), name="good.xml")
    found = flat(path)
    assert found == value_by_value(path)
    assert [row[column] for row in found[table]] == expected


# A field moved out of its place into another, where the value-by-value reader does not read it: the return
# lacks it, and the flat read leaves the return to that reader to say so.
MOVED = [
    (("<ReferralSource>2A</ReferralSource>", ""), (_ASSESSMENT, _ASSESSMENT + "<ReferralSource>2A</ReferralSource>"),
     "bad.xml: Child[1]/CINdetails[1] (line 23): ReferralSource = (blank): mandatory field is missing"),
    ((_ASSESSMENT, ""), ("<ReferralNFA>false</ReferralNFA>", "<ReferralNFA>false</ReferralNFA>" + _ASSESSMENT),
     "bad.xml: Child[1]/CINdetails[1]/Assessments[1] (line 27): AssessmentActualStartDate = (blank): "
     "mandatory field is missing"),
    (("<LAchildID>B1</LAchildID>", ""), ("<ReferralNFA>false</ReferralNFA>", "<ReferralNFA>false</ReferralNFA>"
     "<LAchildID>B1</LAchildID>"),
     "bad.xml: Child[1]/ChildIdentifiers (line 15): LAchildID = (blank): mandatory field is missing"),
]  # fmt: skip


@pytest.mark.parametrize(("removed", "added", "expected"), MOVED)
def test_a_field_in_the_wrong_place_is_not_read(tmp_path, removed, added, expected):
    path = write(tmp_path, BASE, removed, added)
    assert flat(path) is None
    with pytest.raises(ReturnRejected) as caught:
        read(path)
    assert [str(p) for p in caught.value.problems] == [expected]
