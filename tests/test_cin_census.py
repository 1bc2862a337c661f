"""CIN census XML reader: every schema variant read value by value, every kind of bad input refused.

Fixtures under tests/fixtures/cin/ are hand-written; the expected values below were read off them by hand.
Bad inputs are built from one small valid return (BASE) by changing a single line, so each Problem's line
number is known: the Child starts on line 14 and its CINdetails on line 23.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from csc_scorecard.sources.cin_census import read
from csc_scorecard.sources.problems import ReturnRejected

FIXTURES = Path(__file__).parent / "fixtures" / "cin"
D = dt.date


def rows(parsed, table: str) -> list[dict]:
    return parsed.tables[table].to_pylist()


# ---- valid returns, one per schema variant ------------------------------------------------------------


def test_2016_17_gendercurrent_return():
    path = FIXTURES / "cin_2016-17_gendercurrent.xml"
    parsed = read(path)

    assert (parsed.kind, parsed.format, parsed.source_name, parsed.files) == (
        "cin",
        "cin_xml",
        path.name,
        [path],
    )
    assert (parsed.la_code, parsed.collection_year, parsed.year_source) == ("384", "2016-17", "header")
    assert len(parsed.sha256) == 64
    assert parsed.rows_per_table() == {
        "children": 3,
        "cin_episodes": 4,
        "assessments": 1,
        "cin_plans": 0,
        "section47": 2,
        "cp_plans": 1,
    }
    no_903 = {"mother": None, "mc_dob": None, "source": "cin"}
    assert rows(parsed, "children") == [
        {
            "child_id": "T1001",
            "upn": "A123456789012",
            "former_upn": "B12345678901X",
            "upn_unknown": None,
            "dob": D(2009, 7, 15),
            "expected_dob": None,
            "sex": "M",
            "sex_code": "1",
            "ethnicity": "WBRI",
            "disabilities": ["MOB", "LD"],
            "death_date": None,
            **no_903,
            "src_line": 20,
        },
        {
            "child_id": "T1002",
            "upn": None,
            "former_upn": None,
            "upn_unknown": "UN7",
            "dob": None,
            "expected_dob": D(2017, 5, 20),
            "sex": "U",
            "sex_code": "0",
            "ethnicity": "NOBT",
            "disabilities": None,
            "death_date": None,
            **no_903,
            "src_line": 76,
        },
        {
            "child_id": "T1003",
            "upn": None,
            "former_upn": None,
            "upn_unknown": None,
            "dob": D(2001, 2, 28),
            "expected_dob": None,
            "sex": "U",
            "sex_code": "9",
            "ethnicity": "REFU",
            "disabilities": ["NONE"],
            "death_date": D(2017, 3, 1),
            **no_903,
            "src_line": 97,
        },
    ]
    assert rows(parsed, "cin_episodes") == [
        {
            "child_id": "T1001",
            "referral_date": D(2016, 5, 3),
            "referral_source": "1A",
            "primary_need": "N1",
            "closure_date": D(2016, 12, 1),
            "closure_reason": "RC4",
            "referral_nfa": False,
            "initial_cpc_date": D(2016, 6, 1),
            "src_line": 35,
        },
        {
            "child_id": "T1001",
            "referral_date": D(2017, 2, 10),
            "referral_source": "10",
            "primary_need": None,
            "closure_date": None,
            "closure_reason": None,
            "referral_nfa": True,
            "initial_cpc_date": None,
            "src_line": 70,
        },
        {
            "child_id": "T1002",
            "referral_date": D(2017, 1, 20),
            "referral_source": "3B",
            "primary_need": "N2",
            "closure_date": None,
            "closure_reason": None,
            "referral_nfa": False,
            "initial_cpc_date": None,
            "src_line": 86,
        },
        {
            "child_id": "T1003",
            "referral_date": D(2015, 9, 14),
            "referral_source": "5C",
            "primary_need": "N3",
            "closure_date": D(2017, 3, 1),
            "closure_reason": "RC2",
            "referral_nfa": False,
            "initial_cpc_date": None,
            "src_line": 110,
        },
    ]
    assert rows(parsed, "assessments") == [
        {
            "child_id": "T1001",
            "referral_date": D(2016, 5, 3),
            "start_date": D(2016, 5, 4),
            "internal_review_date": D(2016, 5, 20),
            "authorised_date": D(2016, 6, 10),
            "factors": ["18A", "16A"],  # legacy 18A is accepted
            "src_line": 42,
        }
    ]
    assert rows(parsed, "section47") == [
        {
            "child_id": "T1001",
            "referral_date": D(2016, 5, 3),
            "start_date": D(2016, 5, 10),
            "icpc_target_date": D(2016, 5, 31),
            "icpc_date": D(2016, 6, 1),
            "icpc_not_required": False,
            "src_line": 51,
        },
        {
            "child_id": "T1002",
            "referral_date": D(2017, 1, 20),
            "start_date": D(2017, 1, 23),
            "icpc_target_date": None,
            "icpc_date": None,
            "icpc_not_required": True,
            "src_line": 90,
        },
    ]
    assert rows(parsed, "cp_plans") == [
        {
            "child_id": "T1001",
            "referral_date": D(2016, 5, 3),
            "start_date": D(2016, 6, 1),
            "end_date": D(2016, 11, 30),
            "initial_category": "PHY",
            "latest_category": "MUL",
            "previous_plans": 0,  # a first plan: 0 is accepted although the xsd says positiveInteger
            "review_dates": [D(2016, 8, 24), D(2016, 11, 23)],
            "src_line": 58,
        }
    ]
    assert rows(parsed, "cin_plans") == []


def test_2024_25_sex_return():
    parsed = read(FIXTURES / "cin_2024-25_sex.xml", la="384")  # its LEA is DfE's dummy 999

    assert (parsed.la_code, parsed.collection_year, parsed.year_source) == ("384", "2024-25", "header")
    children = rows(parsed, "children")
    assert [(c["child_id"], c["sex"], c["sex_code"]) for c in children] == [
        ("S2001", "F", "F"),
        ("S2002", "M", "M"),
        ("S2003", "U", "U"),
    ]
    assert children[0] == {
        "child_id": "S2001",
        "upn": "C999000000001",
        "former_upn": None,
        "upn_unknown": None,
        "dob": D(2015, 1, 31),
        "expected_dob": None,
        "sex": "F",
        "sex_code": "F",
        "ethnicity": "MWBA",
        "disabilities": ["AUT"],
        "death_date": None,
        "mother": None,
        "mc_dob": None,
        "source": "cin",
        "src_line": 15,
    }
    assert (children[1]["ethnicity"], children[1]["disabilities"], children[1]["src_line"]) == (
        "AOTH",
        None,
        68,
    )
    assert (children[2]["dob"], children[2]["expected_dob"], children[2]["ethnicity"]) == (
        None,
        D(2025, 6, 1),
        "WIRT",
    )
    assert rows(parsed, "cin_episodes") == [
        {
            "child_id": "S2001",
            "referral_date": D(2024, 4, 2),
            "referral_source": "5D",
            "primary_need": "N1",
            "closure_date": None,
            "closure_reason": None,
            "referral_nfa": False,  # FALSE
            "initial_cpc_date": D(2024, 5, 7),
            "src_line": 28,
        },
        {
            "child_id": "S2002",
            "referral_date": D(2024, 11, 11),
            "referral_source": "2A",
            "primary_need": "N9",
            "closure_date": D(2024, 12, 12),
            "closure_reason": "RC9",
            "referral_nfa": True,  # TRUE
            "initial_cpc_date": None,
            "src_line": 77,
        },
        {
            "child_id": "S2003",
            "referral_date": D(2025, 3, 3),
            "referral_source": "3A",
            "primary_need": None,
            "closure_date": None,
            "closure_reason": None,
            "referral_nfa": False,
            "initial_cpc_date": None,
            "src_line": 102,
        },
    ]
    assert rows(parsed, "assessments") == [
        {
            "child_id": "S2001",
            "referral_date": D(2024, 4, 2),
            "start_date": D(2024, 4, 3),
            "internal_review_date": None,
            "authorised_date": D(2024, 5, 30),
            "factors": ["18B", "24A", "19C"],
            "src_line": 34,
        },
        {
            "child_id": "S2001",
            "referral_date": D(2024, 4, 2),
            "start_date": D(2025, 2, 3),
            "internal_review_date": None,
            "authorised_date": None,
            "factors": None,
            "src_line": 43,
        },
        {
            "child_id": "S2002",
            "referral_date": D(2024, 11, 11),
            "start_date": D(2024, 11, 12),
            "internal_review_date": None,
            "authorised_date": D(2024, 12, 12),
            "factors": ["21"],
            "src_line": 84,
        },
    ]
    assert rows(parsed, "cin_plans") == [
        {
            "child_id": "S2001",
            "referral_date": D(2024, 4, 2),
            "start_date": D(2024, 6, 3),
            "end_date": D(2024, 9, 30),
            "src_line": 46,
        },
        {
            "child_id": "S2001",
            "referral_date": D(2024, 4, 2),
            "start_date": D(2025, 1, 6),
            "end_date": None,
            "src_line": 50,
        },
    ]
    assert rows(parsed, "section47") == [
        {
            "child_id": "S2001",
            "referral_date": D(2024, 4, 2),
            "start_date": D(2024, 4, 15),
            "icpc_target_date": D(2024, 5, 7),
            "icpc_date": D(2024, 5, 7),
            "icpc_not_required": False,
            "src_line": 53,
        }
    ]
    assert rows(parsed, "cp_plans") == [
        {
            "child_id": "S2001",
            "referral_date": D(2024, 4, 2),
            "start_date": D(2024, 5, 7),
            "end_date": D(2024, 6, 2),
            "initial_category": "SAB",
            "latest_category": "EMO",
            "previous_plans": 2,
            "review_dates": None,
            "src_line": 59,
        }
    ]


def test_2025_26_return_with_year_only():
    parsed = read(FIXTURES / "cin_2025-26.xml", la="384", year="2025-26")

    assert (parsed.la_code, parsed.collection_year, parsed.year_source) == ("384", "2025-26", "header")
    assert rows(parsed, "children") == [
        {
            "child_id": "N3001",
            "upn": None,
            "former_upn": None,
            "upn_unknown": "UN1",
            "dob": D(2023, 3, 14),
            "expected_dob": None,
            "sex": "U",
            "sex_code": "U",
            "ethnicity": "CHNE",
            "disabilities": ["HEAR", "VIS", "DDA"],
            "death_date": None,
            "mother": None,
            "mc_dob": None,
            "source": "cin",
            "src_line": 14,
        }
    ]
    assert rows(parsed, "cin_episodes") == [
        {
            "child_id": "N3001",
            "referral_date": D(2025, 4, 1),
            "referral_source": "6",
            "primary_need": "N0",
            "closure_date": None,
            "closure_reason": None,
            "referral_nfa": False,
            "initial_cpc_date": None,
            "src_line": 29,
        }
    ]
    keys = {"child_id": "N3001", "referral_date": D(2025, 4, 1)}
    assert rows(parsed, "section47") == [
        {
            **keys,
            "start_date": D(2025, 4, 2),
            "icpc_target_date": D(2025, 4, 24),
            "icpc_date": None,
            "icpc_not_required": True,
            "src_line": 34,
        },
        {
            **keys,
            "start_date": D(2025, 9, 1),
            "icpc_target_date": D(2025, 9, 22),
            "icpc_date": D(2025, 9, 19),
            "icpc_not_required": False,
            "src_line": 39,
        },
    ]
    assert rows(parsed, "cp_plans") == [
        {
            **keys,
            "start_date": D(2025, 9, 19),
            "end_date": None,
            "initial_category": "NEG",
            "latest_category": "NEG",
            "previous_plans": 1,
            "review_dates": [D(2025, 12, 10)],
            "src_line": 45,
        }
    ]
    assert rows(parsed, "assessments") == []
    assert rows(parsed, "cin_plans") == []


def test_default_namespace_and_la_from_argument():
    parsed = read(FIXTURES / "cin_2019-20_namespaced.xml", la="384")

    assert (parsed.la_code, parsed.collection_year, parsed.year_source) == ("384", "2019-20", "header")
    assert rows(parsed, "children") == [
        {
            "child_id": "NS-01",
            "upn": None,
            "former_upn": None,
            "upn_unknown": None,
            "dob": D(2011, 12, 25),
            "expected_dob": None,
            "sex": "F",
            "sex_code": "2",
            "ethnicity": "BAFR",
            "disabilities": None,
            "death_date": None,
            "mother": None,
            "mc_dob": None,
            "source": "cin",
            "src_line": 12,
        }
    ]
    assert rows(parsed, "cin_episodes") == [
        {
            "child_id": "NS-01",
            "referral_date": D(2019, 10, 8),
            "referral_source": "7",
            "primary_need": "N5",
            "closure_date": None,
            "closure_reason": None,
            "referral_nfa": False,
            "initial_cpc_date": None,
            "src_line": 21,
        }
    ]
    assert rows(parsed, "assessments") == [
        {
            "child_id": "NS-01",
            "referral_date": D(2019, 10, 8),
            "start_date": D(2019, 10, 9),
            "internal_review_date": None,
            "authorised_date": D(2019, 11, 20),
            "factors": ["19A", "11A"],
            "src_line": 26,
        }
    ]
    assert parsed.rows_per_table() == {
        "children": 1,
        "cin_episodes": 1,
        "assessments": 1,
        "cin_plans": 0,
        "section47": 0,
        "cp_plans": 0,
    }


def test_shared_example_reads():
    example = Path("/work/shared/examples/CIN_Census_2024-25_example.xml")
    if not example.exists():
        pytest.skip("the shared example return is not on this machine")
    parsed = read(example, la="384")  # its LEA is DfE's dummy 999: --la names the LA
    assert (parsed.la_code, parsed.collection_year) == ("384", "2024-25")
    assert parsed.rows_per_table()["cin_episodes"] == 3


# ---- bad input ----------------------------------------------------------------------------------------

BASE = """<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header>
    <CollectionDetails>
      <Collection>CIN</Collection>
      <Year>2017</Year>
      <ReferenceDate>2017-03-31</ReferenceDate>
    </CollectionDetails>
    <Source>
      <LEA>384</LEA>
    </Source>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers>
        <LAchildID>B1</LAchildID>
        <PersonBirthDate>2010-01-01</PersonBirthDate>
        <GenderCurrent>1</GenderCurrent>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>WBRI</Ethnicity>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2016-06-01</CINreferralDate>
        <ReferralSource>2A</ReferralSource>
        <ReferralNFA>false</ReferralNFA>
        <Assessments>
          <AssessmentActualStartDate>2016-06-02</AssessmentActualStartDate>
        </Assessments>
        <ChildProtectionPlans>
          <CPPstartDate>2016-07-01</CPPstartDate>
          <InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>0</NumberOfPreviousCPP>
        </ChildProtectionPlans>
      </CINdetails>
    </Child>
  </Children>
</Message>
"""


def write(tmp_path: Path, text: str, *changes: tuple[str, str], name: str = "bad.xml") -> Path:
    """BASE (or `text`) with each (old, new) replaced exactly once, written to tmp_path/name."""
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path, **kwargs) -> list[str]:
    with pytest.raises(ReturnRejected) as caught:
        read(path, **kwargs)
    return [str(p) for p in caught.value.problems]


def test_base_return_is_valid(tmp_path):
    parsed = read(write(tmp_path, BASE, name="good.xml"))
    assert rows(parsed, "children")[0]["src_line"] == 14
    assert rows(parsed, "cin_episodes")[0]["src_line"] == 23
    assert rows(parsed, "cp_plans")[0]["previous_plans"] == 0


def test_malformed_xml_names_the_line(tmp_path):
    path = write(tmp_path, BASE, ("<Ethnicity>WBRI</Ethnicity>", "<Ethnicity>WBRI</Ethnic>"))
    [problem] = problems_of(path)
    assert problem.startswith("bad.xml: line 21: XML = (blank): not well-formed XML: Opening and ending tag")


def test_entity_expansion_bomb_is_refused_fast(tmp_path):
    lols = "\n".join(f'  <!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE Message [\n  <!ENTITY lol0 "lol">\n'
        + lols
        + "\n]>\n"
        + BASE.split("\n", 1)[1].replace("<LAchildID>B1</LAchildID>", "<LAchildID>&lol9;</LAchildID>")
    )
    path = write(tmp_path, bomb)
    started = time.perf_counter()
    [problem] = problems_of(path)
    assert time.perf_counter() - started < 1.0
    assert (
        problem
        == "bad.xml: line 2: DOCTYPE = (blank): DTDs and entity declarations are not allowed in a return"
    )


def test_external_entity_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    xxe = (
        f'<?xml version="1.0"?>\n<!DOCTYPE Message [ <!ENTITY xxe SYSTEM "file://{secret}"> ]>\n'
        + BASE.split("\n", 1)[1].replace("<LAchildID>B1</LAchildID>", "<LAchildID>&xxe;</LAchildID>")
    )
    path = write(tmp_path, xxe)
    [problem] = problems_of(path)
    assert (
        problem
        == "bad.xml: line 2: DOCTYPE = (blank): DTDs and entity declarations are not allowed in a return"
    )
    assert "TOP-SECRET" not in problem


def test_bad_dates_are_each_reported(tmp_path):
    path = write(
        tmp_path,
        BASE,
        ("<CINreferralDate>2016-06-01<", "<CINreferralDate>2017-02-30<"),
        ("<CPPstartDate>2016-07-01<", "<CPPstartDate>31/03/2017<"),
    )
    assert problems_of(path) == [
        "bad.xml: Child[1]/CINdetails[1]/CINreferralDate (line 24): CINreferralDate = '2017-02-30': "
        "not a valid date in the form YYYY-MM-DD",
        "bad.xml: Child[1]/CINdetails[1]/ChildProtectionPlans[1]/CPPstartDate (line 31): "
        "CPPstartDate = '31/03/2017': not a valid date in the form YYYY-MM-DD",
    ]


def test_unknown_code(tmp_path):
    path = write(tmp_path, BASE, ("<ReferralSource>2A<", "<ReferralSource>11<"))
    assert problems_of(path) == [
        "bad.xml: Child[1]/CINdetails[1]/ReferralSource (line 25): ReferralSource = '11': "
        "not a valid ReferralSource code for 2016-17"
    ]


def test_code_lists_follow_the_year(tmp_path):
    # RC9 and 5D arrived later: errors in a 2016-17 return, fine in a 2022-23 one.
    changes = (
        (
            "<ReferralNFA>false</ReferralNFA>",
            "<ReferralNFA>false</ReferralNFA><ReasonForClosure>RC9</ReasonForClosure>",
        ),
        ("<ReferralSource>2A<", "<ReferralSource>5D<"),
    )
    assert problems_of(write(tmp_path, BASE, *changes)) == [
        "bad.xml: Child[1]/CINdetails[1]/ReferralSource (line 25): ReferralSource = '5D': "
        "not a valid ReferralSource code for 2016-17",
        "bad.xml: Child[1]/CINdetails[1]/ReasonForClosure (line 26): ReasonForClosure = 'RC9': "
        "not a valid ReasonForClosure code for 2016-17",
    ]
    year_2022_23 = (
        ("<Year>2017<", "<Year>2023<"),
        ("<ReferenceDate>2017-03-31<", "<ReferenceDate>2023-03-31<"),
    )
    episode = rows(read(write(tmp_path, BASE, *changes, *year_2022_23, name="ok.xml")), "cin_episodes")[0]
    assert (episode["closure_reason"], episode["referral_source"]) == ("RC9", "5D")


def test_legacy_factors_accepted_and_never_valid_codes_refused(tmp_path):
    factors = (
        "<AssessmentActualStartDate>2016-06-02</AssessmentActualStartDate>",
        "<AssessmentActualStartDate>2016-06-02</AssessmentActualStartDate><FactorsIdentifiedAtAssessment>"
        "<AssessmentFactors>19A</AssessmentFactors><AssessmentFactors>8A</AssessmentFactors>"
        "<AssessmentFactors>24A</AssessmentFactors></FactorsIdentifiedAtAssessment>",
    )
    assert problems_of(write(tmp_path, BASE, factors)) == [
        "bad.xml: Child[1]/CINdetails[1]/Assessments[1]/FactorsIdentifiedAtAssessment/AssessmentFactors[2] "
        "(line 28): AssessmentFactors = '8A': not a valid AssessmentFactors code for 2016-17",
        "bad.xml: Child[1]/CINdetails[1]/Assessments[1]/FactorsIdentifiedAtAssessment/AssessmentFactors[3] "
        "(line 28): AssessmentFactors = '24A': not a valid AssessmentFactors code for 2016-17",
    ]


def test_missing_mandatory_fields(tmp_path):
    path = write(
        tmp_path,
        BASE,
        ("<ReferralSource>2A</ReferralSource>", ""),
        ("<PersonBirthDate>2010-01-01</PersonBirthDate>", ""),
        (
            "<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>",
            "<InitialCategoryOfAbuse> </InitialCategoryOfAbuse>",
        ),
    )
    assert problems_of(path) == [
        "bad.xml: Child[1]/ChildIdentifiers (line 15): PersonBirthDate = (blank): "
        "PersonBirthDate or ExpectedPersonBirthDate must be given",
        "bad.xml: Child[1]/CINdetails[1] (line 23): ReferralSource = (blank): mandatory field is missing",
        "bad.xml: Child[1]/CINdetails[1]/ChildProtectionPlans[1]/InitialCategoryOfAbuse (line 32): "
        "InitialCategoryOfAbuse = (blank): mandatory field is missing",
    ]


def test_sex_in_a_2016_17_return(tmp_path):
    path = write(tmp_path, BASE, ("<GenderCurrent>1</GenderCurrent>", "<Sex>M</Sex>"))
    assert problems_of(path) == [
        "bad.xml: Child[1]/ChildIdentifiers/Sex (line 18): Sex = 'M': Sex is not collected in 2016-17: "
        "before 2024-25 the element is GenderCurrent (1/2/0/9)"
    ]


def test_gendercurrent_in_a_2024_25_return(tmp_path):
    path = write(
        tmp_path,
        BASE,
        ("<Year>2017<", "<Year>2025<"),
        ("<ReferenceDate>2017-03-31<", "<ReferenceDate>2025-03-31<"),
    )
    assert problems_of(path) == [
        "bad.xml: Child[1]/ChildIdentifiers/GenderCurrent (line 18): GenderCurrent = '1': GenderCurrent is not "
        "collected in 2024-25: from 2024-25 the element is Sex (M/F/U)"
    ]


def test_wrong_codes_for_sex_and_booleans_and_counts(tmp_path):
    path = write(
        tmp_path,
        BASE,
        ("<GenderCurrent>1<", "<GenderCurrent>M<"),
        ("<ReferralNFA>false<", "<ReferralNFA>no<"),
        ("<NumberOfPreviousCPP>0<", "<NumberOfPreviousCPP>-1<"),
    )
    assert problems_of(path) == [
        "bad.xml: Child[1]/ChildIdentifiers/GenderCurrent (line 18): GenderCurrent = 'M': "
        "not a valid GenderCurrent code for 2016-17",
        "bad.xml: Child[1]/CINdetails[1]/ReferralNFA (line 26): ReferralNFA = 'no': must be true/false or 1/0",
        "bad.xml: Child[1]/CINdetails[1]/ChildProtectionPlans[1]/NumberOfPreviousCPP (line 34): "
        "NumberOfPreviousCPP = '-1': must be a whole number of at least 0",
    ]


def test_wrong_root_element(tmp_path):
    path = write(tmp_path, BASE, ("<Message>", "<CHILDREN>"), ("</Message>", "</CHILDREN>"))
    assert problems_of(path) == [
        "bad.xml: line 2: root element = 'CHILDREN': a CIN census return's root element must be Message"
    ]


def test_empty_file(tmp_path):
    path = write(tmp_path, "")
    assert problems_of(path) == ["bad.xml: line 1: file = (blank): the file is empty"]


def test_no_header(tmp_path):
    header = BASE[BASE.index("  <Header>") : BASE.index("  <Children>")]
    path = write(tmp_path, BASE, (header, ""))
    assert problems_of(path) == [
        "bad.xml: line 4: Header = (blank): the return has no Header before its Children "
        "(the Header gives the collection year and LA)"
    ]


def test_no_children(tmp_path):
    child = BASE[BASE.index("    <Child>") : BASE.index("  </Children>")]
    path = write(tmp_path, BASE, (child, ""))
    assert problems_of(path) == [
        "bad.xml: line 2: Child = (blank): the return has no Children/Child: nothing to load"
    ]


def test_header_checks(tmp_path):
    path = write(
        tmp_path,
        BASE,
        ("<Collection>CIN<", "<Collection>SWF<"),
        ("<Year>2017<", "<Year>2018<"),
    )
    assert problems_of(path, la="380") == [
        "bad.xml: Header/CollectionDetails/Collection (line 5): Collection = 'SWF': "
        "the Header must say Collection CIN",
        "bad.xml: Header/CollectionDetails/Year (line 6): Year = '2018': "
        "disagrees with ReferenceDate 2017-03-31 (collection year 2016-17)",
        "bad.xml: Header/Source[1]/LEA (line 10): LEA = '384': disagrees with --la 380",
    ]


def test_reference_date_must_be_31_march(tmp_path):
    path = write(tmp_path, BASE, ("<ReferenceDate>2017-03-31<", "<ReferenceDate>2017-04-01<"))
    assert problems_of(path) == [
        "bad.xml: Header/CollectionDetails/ReferenceDate (line 7): ReferenceDate = '2017-04-01': "
        "must be a 31 March in the form YYYY-MM-DD"
    ]


def test_year_argument(tmp_path):
    assert problems_of(write(tmp_path, BASE), year="2017-18") == [
        "bad.xml: Header (line 3): --year = '2017-18': the return's Header says collection year 2016-17"
    ]
    no_year = write(
        tmp_path,
        BASE,
        ("<Year>2017</Year>", ""),
        ("<ReferenceDate>2017-03-31</ReferenceDate>", ""),
        name="y.xml",
    )
    parsed = read(no_year, year="2016-17")
    assert (parsed.collection_year, parsed.year_source) == ("2016-17", "--year")
    assert problems_of(no_year) == [
        "y.xml: Header (line 3): ReferenceDate = (blank): "
        "no collection year: the Header has no ReferenceDate or Year; pass --year"
    ]


def test_year_outside_the_schemas(tmp_path):
    path = write(
        tmp_path,
        BASE,
        ("<Year>2017<", "<Year>2013<"),
        ("<ReferenceDate>2017-03-31<", "<ReferenceDate>2013-03-31<"),
    )
    assert problems_of(path) == [
        "bad.xml: Header (line 3): collection year = '2012-13': "
        "no CIN census schema for 2012-13: years 2013-14 to 2025-26 can be read"
    ]


def test_la_must_be_known(tmp_path):
    path = write(tmp_path, BASE, ("<LEA>384</LEA>", ""))
    assert problems_of(path) == [
        "bad.xml: Header (line 3): LEA = (blank): no LA: the Header has no Source/LEA and no --la given"
    ]
    assert problems_of(write(tmp_path, BASE, ("<LEA>384<", "<LEA>38<"), name="b2.xml")) == [
        "b2.xml: Header/Source[1]/LEA (line 10): LEA = '38': not an English LA's 3-digit DfE code: correct "
        "it, or pass --la to name the LA"
    ]


@pytest.mark.parametrize("lea", ["999", "001", "E08000030", "335 "])
def test_an_lea_that_is_no_english_la_is_refused_unless_la_names_one(tmp_path, lea):
    # 999 is DfE's dummy, 001 no LA, E08000030 an ONS code; "335 " is Walsall once stripped.
    path = write(tmp_path, BASE, ("<LEA>384<", f"<LEA>{lea}<"))
    if lea.strip() == "335":
        assert read(path).la_code == "335"
        return
    assert problems_of(path) == [
        f"bad.xml: Header/Source[1]/LEA (line 10): LEA = '{lea}': not an English LA's 3-digit DfE code: "
        "correct it, or pass --la to name the LA"
    ]
    assert read(path, la="335").la_code == "335"
    assert problems_of(path, la="999") == [
        "bad.xml: Header (line 3): --la = '999': not an English LA code (3 digits, e.g. 335)",
        f"bad.xml: Header/Source[1]/LEA (line 10): LEA = '{lea}': not an English LA's 3-digit DfE code: "
        "correct it, or pass --la to name the LA",
    ]


def test_a_child_in_two_child_blocks_is_refused(tmp_path):
    # The store keeps one row per child: the second block's characteristics would silently replace the first's.
    child = BASE[BASE.index("    <Child>") : BASE.index("  </Children>")]
    second = child.replace("<CINreferralDate>2016-06-01<", "<CINreferralDate>2016-09-01<")
    other = child.replace("<LAchildID>B1<", "<LAchildID>B2<")
    path = write(tmp_path, BASE, (child, child + other + second))
    assert problems_of(path) == [
        "bad.xml: Child[3]/ChildIdentifiers/LAchildID (line 64): LAchildID = 'B1': a second Child block for "
        "this child (Child[1]/ChildIdentifiers/LAchildID (line 16) is the first): a census has one per child"
    ]


def test_every_problem_is_collected_before_rejecting(tmp_path):
    children = BASE[BASE.index("    <Child>") : BASE.index("  </Children>")]
    bad = children.replace("<Ethnicity>WBRI<", "<Ethnicity>XXXX<")
    bad = "".join(bad.replace("<LAchildID>B1<", f"<LAchildID>B{n}<") for n in range(30))
    path = write(tmp_path, BASE, (children, bad))
    with pytest.raises(ReturnRejected) as caught:
        read(path)
    # Every problem is counted; the first 20 of one rule are kept, and a summary lists the first 3.
    assert caught.value.total == 30
    assert len(caught.value.problems) == 20
    assert str(caught.value.problems[19]).startswith(
        "bad.xml: Child[20]/ChildCharacteristics/Ethnicity (line"
    )
    lines = caught.value.summary().splitlines()
    assert len(lines) == 4 and lines[2].startswith("bad.xml: Child[3]/ChildCharacteristics/Ethnicity (line")
    assert lines[3] == "  ... and 27 more like this (Ethnicity: not a valid Ethnicity code for 2016-17)"


# ---- memory -------------------------------------------------------------------------------------------

CHILD = """  <Child>
   <ChildIdentifiers><LAchildID>C{n:06d}</LAchildID><PersonBirthDate>2012-0{m}-1{d}</PersonBirthDate><GenderCurrent>{g}</GenderCurrent></ChildIdentifiers>
   <ChildCharacteristics><Ethnicity>WBRI</Ethnicity><Disabilities><Disability>NONE</Disability></Disabilities></ChildCharacteristics>
   <CINdetails><CINreferralDate>2016-0{m}-1{d}</CINreferralDate><ReferralSource>2A</ReferralSource><ReferralNFA>false</ReferralNFA>
    <Assessments><AssessmentActualStartDate>2016-0{m}-2{d}</AssessmentActualStartDate><FactorsIdentifiedAtAssessment><AssessmentFactors>3A</AssessmentFactors></FactorsIdentifiedAtAssessment></Assessments>
   </CINdetails>
  </Child>
"""


def write_large(path: Path, children: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write(BASE[: BASE.index("    <Child>")])
        for n in range(children):
            out.write(CHILD.format(n=n, m=n % 9 + 1, d=n % 10, g="12"[n % 2]))
        out.write("  </Children>\n</Message>\n")
    return path


def test_python_memory_stays_flat(tmp_path):
    """tracemalloc sees Python objects: the row buffers must be moved into Arrow as the file is read."""
    path = write_large(tmp_path / "large.xml", 12_000)
    tracemalloc.start()
    try:
        parsed = read(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    arrow_bytes = sum(table.nbytes for table in parsed.tables.values())
    assert parsed.rows_per_table() == {
        "children": 12_000,
        "cin_episodes": 12_000,
        "assessments": 12_000,
        "cin_plans": 0,
        "section47": 0,
        "cp_plans": 0,
    }
    last = rows(parsed, "assessments")[-1]
    assert (last["child_id"], last["start_date"], last["factors"]) == ("C011999", D(2016, 3, 29), ["3A"])
    assert peak < 3 * arrow_bytes + 20_000_000
    # Sharper: Python's share stays below the file's own size (holding every row as Python objects until
    # the end would need about 13 MB here, for a 7.8 MB file).
    assert peak < path.stat().st_size


_RSS_PROBE = """
import sys
from pathlib import Path
from lxml import etree
from csc_scorecard.sources.cin_census import read
from csc_scorecard.sources.vectorised import connect
connect().close()  # DuckDB's in-memory database, which a large return's flat read starts: no part of a parse
if sys.argv[1] == "stream":
    assert read(Path(sys.argv[2])).rows_per_table()["children"] > 0
else:
    assert len(etree.parse(sys.argv[2]).getroot()) > 0
# VmHWM (peak RSS of this process image); getrusage's ru_maxrss would include the parent's at fork.
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")))
"""


def test_no_dom_is_built(tmp_path):
    """libxml2's memory is invisible to tracemalloc, so compare the process's peak RSS with a full parse.

    Both processes import the same modules and start DuckDB, so the difference in peak RSS is the parse itself:
    a DOM of this file needs about 65 MB more than the streamed read, which reads it flat (its growth is the
    raw text's Arrow tables and DuckDB's checks of them)."""
    path = write_large(tmp_path / "large.xml", 30_000)

    def rss_growth(mode: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", _RSS_PROBE, mode, str(path)], capture_output=True, text=True, check=True
        )
        return int(done.stdout.strip())

    streamed, dom = rss_growth("stream"), rss_growth("dom")  # peak RSS in KB
    assert dom - streamed > 50_000, (streamed, dom)


# ---- code lists ---------------------------------------------------------------------------------------


def test_cin_code_lists_by_year():
    from csc_scorecard.sources.codelists import codelist, list_names

    assert list_names("cin") == [
        "AssessmentFactors",
        "CategoryOfAbuse",
        "Disability",
        "Ethnicity",
        "GenderCurrent",
        "PrimaryNeedCode",
        "ReasonForClosure",
        "ReferralSource",
        "Sex",
        "UPNunknown",
    ]
    years = ["2015-16", "2019-20", "2020-21", "2021-22", "2022-23", "2023-24", "2024-25", "2025-26"]

    def first_year(name: str, code: str) -> str | None:
        return next((y for y in years if code in codelist("cin", name, y)), None)

    assert first_year("ReferralSource", "5D") == "2021-22"
    assert first_year("ReasonForClosure", "RC9") == "2022-23"
    assert first_year("AssessmentFactors", "18B") == "2020-21"
    assert first_year("AssessmentFactors", "24A") == "2021-22"
    for legacy in ("18A", "19A"):
        assert all(legacy in codelist("cin", "AssessmentFactors", y) for y in years)
    assert first_year("AssessmentFactors", "8A") is None  # never valid
    assert codelist("cin", "GenderCurrent", "2023-24") == {"1", "2", "0", "9"}
    assert codelist("cin", "GenderCurrent", "2024-25") == frozenset()
    assert codelist("cin", "Sex", "2025-26") == {"M", "F", "U"}
    assert len(codelist("cin", "Ethnicity", "2016-17")) == 20
    assert {"REFU", "NOBT"} <= codelist("cin", "Ethnicity", "2025-26")
    assert len(codelist("cin", "AssessmentFactors", "2025-26")) == 39 + 4 + 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # the root's own start tag is read before the error: the root is what is wrong, as ever
            '<?xml version="1.0"?>\n<Foo>\n  <A>1<\n',
            "bad.xml: line 2: root element = 'Foo': a CIN census return's root element must be Message",
        ),
        (  # no Header or Child at all
            '<?xml version="1.0"?>\n<Foo>\n  <A>1</A>\n</Foo>\n',
            "bad.xml: line 2: root element = 'Foo': a CIN census return's root element must be Message",
        ),
        (
            '<?xml version="1.0"?>\n<Message>\n  <Header>\n    <A>1<\n',
            "bad.xml: line 4: XML = (blank): not well-formed XML: StartTag: invalid element name, line 4, column 10",
        ),
    ],
)
def test_only_the_elements_read_are_streamed_and_the_problems_are_the_same(tmp_path, text, expected):
    """The parser hands Python only the elements the reader acts on (xmlsafe.iterparse's tags); a broken or
    foreign document gives the problem it gave when every element was streamed."""
    assert problems_of(write(tmp_path, text)) == [expected]


def test_a_return_in_a_namespace_reads_the_same(tmp_path):
    plain = read(write(tmp_path, BASE, name="plain.xml"))
    spaced = read(
        write(
            tmp_path,
            BASE,
            ("<Message>", '<Message xmlns="http://www.dcsf.gov.uk/schemas/cin">'),
            name="ns.xml",
        )
    )
    assert {n: t.to_pylist() for n, t in spaced.tables.items()} == {
        n: t.to_pylist() for n, t in plain.tables.items()
    }
    assert rows(spaced, "children")
