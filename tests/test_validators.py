"""`validate` runs the real DfE validators in their own environment on small hand-written returns.

Fixtures (tests/fixtures/validators/) are clean except for deliberate errors:
- 903_335_2024-25/ (CSV): C1002's episode ceases 20/05/2024 before it starts 01/06/2024 (rule 356, episodes.csv
  line 3); C1003 has PLACE ZZ (rule 146, episodes.csv line 4) and REVIEW_CODE PN9 (rule 167, reviews.csv line 3).
- 903_335_2024-25.xml: C1001 and C1002 of the same return as XML; C1002's episode as above (356), its <CHILD> on
  line 31.
- CIN_Census_335_2024-25.xml: C2002's second CIN episode closes 2024-09-01 before its referral 2024-09-09 (rule
  8630, CINdetails record 3, <Child> on line 66). A two-child return also breaks the return-level query 2887Q
  (fewer than 8 disability codes used), which has no child.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from csc_scorecard.validators import environment
from csc_scorecard.validators.summary import (
    ChildSummary,
    RuleSummary,
    ValidationReport,
    render_text,
    to_csv,
    to_json,
    validate,
)

# Every test that runs the real validators is slow: the first one may set up their environment, and each
# run starts a fresh interpreter that imports pandas and ~300 rules (1-2 s).
FIXTURES = Path(__file__).parent / "fixtures" / "validators"
CSV_903 = FIXTURES / "903_335_2024-25"
XML_903 = FIXTURES / "903_335_2024-25.xml"
CIN = FIXTURES / "CIN_Census_335_2024-25.xml"


@pytest.fixture(scope="session")
def validators_venv() -> Path:
    """The configured environment if it exists, else the repository's .venv-validators, set up if needed."""
    configured = os.environ.get(environment.ENV_VAR)
    if configured and Path(configured).exists():
        return Path(configured)
    venv = environment.default_venv()
    environment.install(venv)  # downloads from PyPI once (about 30 s); a no-op when already set up
    return venv


@pytest.mark.slow
def test_install_sets_up_a_usable_environment(validators_venv: Path) -> None:
    python = environment.find_python(validators_venv)
    assert python == environment.venv_python(validators_venv)
    assert (validators_venv / environment.STAMP).read_text() == environment.stamp_text()


@pytest.fixture(scope="session")
def report_903_csv(validators_venv: Path) -> ValidationReport:
    return validate([CSV_903], la=None, year=None, venv=validators_venv)


@pytest.fixture(scope="session")
def report_cin(validators_venv: Path) -> ValidationReport:
    return validate([CIN], la=None, year=None, venv=validators_venv)


@pytest.mark.slow
def test_903_csv_finds_the_deliberate_errors_on_the_right_children(report_903_csv: ValidationReport) -> None:
    (run,) = report_903_csv.runs
    assert run.error is None
    assert (run.ruleset, run.collection_year, run.ruleset_note) == ("lac2024_25", "2024-25", None)
    assert run.validator == "csc-validator-be-903 0.1.17"
    found = {(f.rule, f.child, f.table, f.row, f.line, f.file) for f in report_903_csv.findings}
    assert found == {
        ("356", "C1002", "Episodes", 2, 3, "episodes.csv"),
        ("146", "C1003", "Episodes", 3, 4, "episodes.csv"),
        ("167", "C1003", "Reviews", 2, 3, "reviews.csv"),
    }
    dec = next(f for f in report_903_csv.findings if f.rule == "356")
    assert dec.message == "The date the episode ceased is before the date the same episode started."
    assert dec.fields == ("DECOM",)
    assert dec.rule_type is None  # the 903 validator does not class its rules


@pytest.mark.slow
def test_903_csv_summaries_count_the_findings(report_903_csv: ValidationReport) -> None:
    by_rule = {s.rule: s for s in report_903_csv.by_rule}
    assert by_rule["356"] == RuleSummary(
        "903", "356", None, "The date the episode ceased is before the date the same episode started.", 1, 1
    )
    assert sorted((s.rule, s.count, s.children) for s in by_rule.values()) == [
        ("146", 1, 1),
        ("167", 1, 1),
        ("356", 1, 1),
    ]
    assert report_903_csv.by_child == [
        ChildSummary("C1003", 2, ("146", "167"), ("903_335_2024-25",)),
        ChildSummary("C1002", 1, ("356",), ("903_335_2024-25",)),
    ]


@pytest.mark.slow
def test_903_xml_is_validated_too(validators_venv: Path) -> None:
    report = validate([XML_903], la="335", year="2024-25", venv=validators_venv)
    (run,) = report.runs
    assert (run.error, run.format, run.ruleset) == (None, "ssda903_xml", "lac2024_25")
    assert [(f.rule, f.child, f.table, f.row, f.line) for f in report.findings] == [
        ("356", "C1002", "Episodes", 2, 31)
    ]


@pytest.mark.slow
def test_cin_finds_the_deliberate_error_and_the_return_level_query(report_cin: ValidationReport) -> None:
    (run,) = report_cin.runs
    assert run.error is None
    assert (run.ruleset, run.collection_year) == ("cin2024_25", "2024-25")  # from the header's <Year>2025
    assert run.validator == "csc-validator-be-cin 0.1.13"
    closure = [f for f in report_cin.findings if f.rule == "8630"]
    assert [(f.child, f.table, f.row, f.line, f.rule_type) for f in closure] == [
        ("C2002", "CINdetails", 3, 66, "error")
    ]
    assert set(closure[0].fields) == {"CINreferralDate", "CINclosureDate"}
    assert {(f.rule, f.child, f.rule_type) for f in report_cin.findings} == {
        ("8630", "C2002", "error"),
        ("2887Q", None, "query"),
    }


@pytest.mark.slow
def test_cin_summaries_count_the_findings(report_cin: ValidationReport) -> None:
    assert [(s.rule, s.rule_type, s.count, s.children) for s in report_cin.by_rule] == [
        ("2887Q", "query", 1, 0),
        ("8630", "error", 1, 1),
    ]
    # The return-level query has no child, so only C2002 is listed.
    assert report_cin.by_child == [ChildSummary("C2002", 1, ("8630",), ("CIN_Census_335_2024-25.xml",))]


@pytest.mark.slow
def test_both_returns_in_one_run_render_and_export(validators_venv: Path) -> None:
    report = validate([CSV_903, CIN], la="335", year=None, venv=validators_venv)
    assert sorted(run.name for run in report.runs) == ["903_335_2024-25", "CIN_Census_335_2024-25.xml"]
    assert len(report.findings) == 5

    text = render_text(report)
    assert text.index("Findings by rule") < text.index("Children with the most findings")
    rule_lines = [
        line.split() for line in text.splitlines() if line.startswith("  903 ") or line.startswith("  CIN ")
    ]
    assert [row[:5] for row in rule_lines] == [
        ["903", "146", "-", "1", "1"],
        ["903", "167", "-", "1", "1"],
        ["903", "356", "-", "1", "1"],
        ["CIN", "2887Q", "query", "1", "0"],
        ["CIN", "8630", "error", "1", "1"],
    ]
    assert "  C1003         2  146, 167" in text

    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert len(rows) == 5
    row = next(r for r in rows if r["rule"] == "8630")
    assert (row["child"], row["table"], row["row"], row["line"], row["type"]) == (
        "C2002",
        "CINdetails",
        "3",
        "66",
        "error",
    )
    children = list(csv.DictReader(io.StringIO(to_csv(report, "children"))))
    assert [(c["child"], c["findings"], c["rules"]) for c in children] == [
        ("C1003", "2", "146;167"),
        ("C1002", "1", "356"),
        ("C2002", "1", "8630"),
    ]

    exported = json.loads(to_json(report))
    assert len(exported["findings"]) == 5
    assert {r["rule"]: r["count"] for r in exported["by_rule"]} == {
        "146": 1,
        "167": 1,
        "356": 1,
        "2887Q": 1,
        "8630": 1,
    }


@pytest.mark.slow
def test_years_before_the_oldest_ruleset_use_it_and_say_so(validators_venv: Path) -> None:
    report = validate([CSV_903], la="335", year="2016-17", venv=validators_venv)
    (run,) = report.runs
    assert (run.error, run.ruleset, run.collection_year) == (None, "lac2022_23", "2016-17")
    assert run.ruleset_note.startswith("the validator has no ruleset for 2016-17 (it ships 2022-23 to ")
    assert "note: the validator has no ruleset for 2016-17" in render_text(report)


@pytest.mark.slow
def test_a_903_return_without_year_or_la_is_reported_not_run(validators_venv: Path, tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    folder.mkdir()
    for name in ("header.csv", "episodes.csv"):
        (folder / name).write_bytes((CSV_903 / name).read_bytes())
    report = validate([folder], la=None, year=None, venv=validators_venv)
    assert report.findings == []
    assert report.runs[0].error == (
        "collection year not known: give --year, or name the folder like 903_335_2024-25"
    )
    report = validate([folder], la=None, year="2024-25", venv=validators_venv)
    assert (
        report.runs[0].error
        == "local authority not known: give --la, or name the folder like 903_335_2024-25"
    )
    assert "NOT VALIDATED: local authority not known" in render_text(report)


def test_a_missing_environment_says_run_make_validators(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(environment.ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(environment.ValidatorsMissing, match=r"run `make validators`") as raised:
        validate([CSV_903], la=None, year=None)
    assert str(tmp_path / "nowhere") in str(raised.value)


def test_an_unfinished_environment_is_not_used(tmp_path: Path) -> None:
    venv = tmp_path / "half"
    python = environment.venv_python(venv)
    python.parent.mkdir(parents=True)
    python.write_text("")  # the interpreter is there but install never finished (no stamp)
    with pytest.raises(
        environment.ValidatorsMissing, match=r"incomplete or for other versions.*make validators"
    ):
        environment.find_python(venv)


def test_venv_location_follows_the_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(environment.ENV_VAR, str(tmp_path / "v"))
    assert environment.venv_path() == tmp_path / "v"
    monkeypatch.delenv(environment.ENV_VAR)
    assert environment.venv_path() == Path(__file__).resolve().parents[1] / ".venv-validators"


@pytest.mark.slow
def test_council_exports_are_read_as_they_come(validators_venv: Path, tmp_path: Path) -> None:
    """Windows-1252 text, CRLF, blank lines before a header and a stray CSV neither stop nor shift anything."""
    folder = tmp_path / "903_335_2024-25"
    folder.mkdir()
    for name in ("header.csv", "episodes.csv", "reviews.csv"):
        text = (CSV_903 / name).read_text().replace("C1003", "C1003é")  # é is 0xE9 in cp1252, invalid UTF-8
        if name == "episodes.csv":
            text = "\n\n" + text
        (folder / name).write_bytes(text.replace("\n", "\r\n").encode("cp1252"))
    (folder / "notes.csv").write_text("note,author\nchecked,me\n")
    report = validate([folder], la=None, year=None, venv=validators_venv)
    (run,) = report.runs
    assert run.error is None
    assert run.files_ignored == ("notes.csv",)
    # Two blank lines before the episodes header move its records down two lines (3 -> 5, 4 -> 6); the child
    # id is given as written, not as the validator upper-cased it (C1003É).
    assert {(f.rule, f.child, f.file, f.line) for f in report.findings} == {
        ("356", "C1002", "episodes.csv", 5),
        ("146", "C1003é", "episodes.csv", 6),
        ("167", "C1003é", "reviews.csv", 3),
    }


# Runs in the validators' environment: the runner's linear-time CIN conversion must give exactly the tables
# that cin_validator.convert_data gives (it only avoids re-copying each table for every child).
_SAME_TABLES = """
import importlib.util, sys, xml.etree.ElementTree as ET
import pandas as pd
from cin_validator import cin_validator
spec = importlib.util.spec_from_file_location("runner_cin", sys.argv[1])
runner = importlib.util.module_from_spec(spec)
spec.loader.exec_module(runner)
root = ET.parse(sys.argv[2]).getroot()
theirs, ours = cin_validator.convert_data(root), runner.convert_data(root)
assert list(ours) == list(theirs)
for name in theirs:
    pd.testing.assert_frame_equal(ours[name], theirs[name], check_exact=True)
print(sum(len(table) for table in ours.values()))
"""


@pytest.mark.slow
def test_fast_cin_conversion_gives_the_validators_own_tables(validators_venv: Path, tmp_path: Path) -> None:
    # 60 children cycling through the fixture's two (CPP with reviews; two episodes, one closed) and a child
    # with no CIN episode, two disabilities and no UPN, each with its own id.
    text = CIN.read_text()
    head, rest = text.split("<Children>")
    children = re.findall(r"<Child>.*?</Child>", rest, re.S)
    children.append(
        "<Child><ChildIdentifiers><LAchildID>Z</LAchildID><PersonBirthDate>2016-01-01</PersonBirthDate>"
        "<Sex>F</Sex></ChildIdentifiers><ChildCharacteristics><Ethnicity>WBRI</Ethnicity><Disabilities>"
        "<Disability>MOB</Disability><Disability>HAND</Disability></Disabilities></ChildCharacteristics></Child>"
    )
    many = [re.sub(r"<LAchildID>(\w+)", rf"<LAchildID>\g<1>_{i}", children[i % 3]) for i in range(60)]
    mixed = tmp_path / "mixed.xml"
    mixed.write_text(head + "<Children>" + "\n".join(many) + "</Children></Message>")
    runner = Path(environment.__file__).with_name("runner_cin.py")
    python = environment.find_python(validators_venv)
    done = subprocess.run(
        [str(python), "-I", "-c", _SAME_TABLES, str(runner), str(mixed)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # Rows over all tables, per 3 children: ChildIdentifiers 3, ChildCharacteristics 3, Disabilities 1+1+2,
    # CINdetails 1+2, Assessments 1+1, AssessmentFactorsList 2+1, Section47 1, ChildProtectionPlans 1,
    # Reviews 1 (the validator makes one row per <Reviews>, whatever the number of CPPreviewDate in it),
    # CINplanDates 0: 21, so 420 for 60 children, and 1 Header row.
    assert done.stdout.split() == ["421"]


def test_validate_command_prints_summaries_and_writes_exports(validators_venv: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from csc_scorecard.cli import cli

    result = CliRunner().invoke(
        cli,
        ["validate", str(FIXTURES / "903_335_2024-25"), "--la", "335", "--csv", str(tmp_path / "out")],
        env={"CSC_SCORECARD_VALIDATORS_VENV": str(validators_venv), "COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "Findings by rule" in result.output and "356" in result.output and "C1002" in result.output
    rules = (tmp_path / "out" / "validation_rules.csv").read_text()
    assert "356" in rules
