"""Shared fixtures: a synthetic Walsall built once per session, through the real CLI into a real store."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from csc_scorecard.cli import cli

SYNTH_LA = "335"
SYNTH_YEARS = ("2013-14", "2014-15", "2015-16", "2016-17")


@pytest.fixture(scope="session")
def synthetic_council(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """{"returns": folder, "db": store, "truth": ground_truth.json} for Walsall 2013-14 to 2016-17, seed 7."""
    root = tmp_path_factory.mktemp("synthetic_walsall")
    returns, db = root / "returns", root / "scorecard.duckdb"
    runner = CliRunner()
    years = f"{SYNTH_YEARS[0]}:{SYNTH_YEARS[-1]}"
    result = runner.invoke(
        cli,
        [
            "synth",
            "--la",
            SYNTH_LA,
            "--years",
            years,
            "--seed",
            "7",
            "--no-local-data",
            "--out",
            str(returns),
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["load", str(returns), "--la", SYNTH_LA, "--db", str(db)])
    assert result.exit_code == 0, result.output
    truth = json.loads((returns / "ground_truth.json").read_text(encoding="utf-8"))
    return {"returns": returns, "db": db, "truth": truth, "load_output": result.output}
