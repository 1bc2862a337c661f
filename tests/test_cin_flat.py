"""The CIN census checked in DuckDB (sources/cin_flat.py) gives exactly the tables the value-by-value reader gives,
and leaves to it every return it would word a Problem for (tests/test_cin_census.py checks those words)."""

from __future__ import annotations

from pathlib import Path

import pytest

from csc_scorecard.sources.cin_census import _Reader, read_flat
from csc_scorecard.sources.problems import Problems
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
