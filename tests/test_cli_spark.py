"""`indicators --engine spark` through the real CLI gives the DuckDB figures (the full differential test is
tests/test_spark.py)."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from csc_scorecard.cli import cli


@pytest.mark.spark
def test_indicators_engine_spark_matches_duckdb(synthetic_council: dict) -> None:
    def run(engine: str) -> list[dict[str, str]]:
        result = CliRunner().invoke(
            cli,
            ["indicators", "--period", "2016-17", "--indicator", "cla_count", "--indicator", "re_referrals_12m_pct",
             "--engine", engine, "--format", "csv", "--db", str(synthetic_council["db"])],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        return list(csv.DictReader(io.StringIO(result.output[result.output.index("la_code,") :])))

    duck, spark = run("duckdb"), run("spark")
    assert len(duck) == 2
    assert duck == spark
