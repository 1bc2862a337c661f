"""What `csc-scorecard demo` ships beside the synthetic returns: the example manual measures (the kinds the Walsall
Q3 2016-17 scrutiny report gives) with a year of values, loaded through the real `load` path into a real store;
and the README's own example of the measures YAML, which must declare as it reads."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from csc_scorecard.cli import cli
from csc_scorecard.demo import load_example_measures, write_example_values
from csc_scorecard.examples import MANUAL_VALUES
from csc_scorecard.sources.manual import MeasureDeclaration, TargetSpec, parse_declarations
from store_checks import query

README = Path(__file__).parents[1] / "README.md"


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_the_example_values_move_to_the_demos_latest_year(tmp_path):
    shipped = MANUAL_VALUES.read_text(encoding="utf-8").splitlines()
    moved = write_example_values(tmp_path, "2018-19").read_text(encoding="utf-8").splitlines()
    assert moved[0] == shipped[0] == "measure_id,period,value,denominator,note"
    assert len(moved) == len(shipped)
    # January 2016 to March 2017 as shipped; two years on, January 2018 to March 2019, the values unchanged.
    assert shipped[1] == "step_up_students,2016-03,3,," and moved[1] == "step_up_students,2018-03,3,,"
    assert moved[-1] == "nqsw_recruited,2019-03,1,,"
    assert [line.split(",")[2] for line in moved] == [line.split(",")[2] for line in shipped]


def test_the_demo_ships_manual_measures_with_a_year_of_values(tmp_path):
    db = tmp_path / "demo.duckdb"
    values, lines = load_example_measures(db, tmp_path / "manual", "2018-19", "335")
    assert values.exists()
    assert len(lines) == 1 and lines[0].startswith("loaded: Manual measure values")
    assert lines[0].endswith("(manual measures: measures.yaml)")

    code, out = run("measures", "list", "--format", "csv", "--db", db)
    assert code == 0, out
    assert {line.split(",")[0] for line in out.splitlines()[1:]} == {
        "step_up_students", "frontline_units", "neet_engaged", "nqsw_recruited",
    }  # fmt: skip
    # Every month of the latest year for the monthly measures, every quarter for the quarterly one.
    assert query(
        db,
        "SELECT measure_id, count(DISTINCT period) FROM manual_values "
        "WHERE period BETWEEN '2018-04' AND '2019-03' GROUP BY ALL ORDER BY 1",
    ) == [("frontline_units", 12), ("neet_engaged", 12), ("nqsw_recruited", 12), ("step_up_students", 4)]

    # So the year has a figure for each, worked by hand from manual_values.csv (April to March):
    #   neet_engaged (flow)      1+2+2+3+2+3+3+4+3+4+3+4 = 34
    #   nqsw_recruited (flow)    0+1+0+0+6+5+2+1+0+1+2+1 = 19
    #   frontline_units (stock)  the latest month, March: 2
    #   step_up_students (stock, by quarter)  the latest quarter, January to March: 4
    code, out = run("indicators", "--period", "2018-19", "--db", db, "--format", "csv")
    assert code == 0, out
    figures = {
        row[1]: row[3]
        for line in out.splitlines()[1:]
        if (row := line.split(","))[1]
        in ("neet_engaged", "nqsw_recruited", "frontline_units", "step_up_students")
    }
    assert figures == {
        "neet_engaged": "34",
        "nqsw_recruited": "19",
        "frontline_units": "2",
        "step_up_students": "4",
    }


def _readme_yaml() -> str:
    section = README.read_text(encoding="utf-8").split("### Manual measures", 1)[1]
    return re.search(r"```yaml\n(.*?)```", section, re.DOTALL).group(1)


def test_the_readme_documents_every_field_of_the_measures_yaml(tmp_path):
    text = _readme_yaml()
    documented = set(re.findall(r"^\s*-?\s*([a-z_]+):", text, re.MULTILINE)) | set(
        re.findall(r"[{,]\s*([a-z_]+):", text)
    )
    fields = set(MeasureDeclaration.model_fields) | set(TargetSpec.model_fields) | {"measures"}
    assert fields - documented == set()
    assert documented - fields == set()
    measures = parse_declarations(text, "README.md")
    assert [m.id for m in measures] == ["neet_engaged", "audits_good_pct"]

    (tmp_path / "measures.yaml").write_text(text, encoding="utf-8")
    code, out = run("measures", "declare", tmp_path / "measures.yaml", "--db", tmp_path / "s.duckdb")
    assert code == 0, out
