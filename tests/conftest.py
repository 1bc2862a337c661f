"""Shared fixtures: a synthetic Walsall built once per session, through the real CLI into a real store."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from csc_scorecard.cli import cli

SYNTH_LA = "335"
SYNTH_YEARS = ("2013-14", "2014-15", "2015-16", "2016-17")
LOCAL_DATA_YEARS = ("2014-15", "2015-16", "2016-17")


def _synthesise(root: Path, years: tuple[str, ...], *options: str) -> dict:
    """Write the council's returns with `synth`, load them with `load`: {"returns", "db", "truth", "load_output"}."""
    returns, db = root / "returns", root / "scorecard.duckdb"
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["synth", "--la", SYNTH_LA, "--years", f"{years[0]}:{years[-1]}", *options, "--out", str(returns)],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["load", str(returns), "--la", SYNTH_LA, "--db", str(db)])
    assert result.exit_code == 0, result.output
    truth = json.loads((returns / "ground_truth.json").read_text(encoding="utf-8"))
    return {"returns": returns, "db": db, "truth": truth, "load_output": result.output}


@pytest.fixture(scope="session", autouse=True)
def _cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The catalogue and queries kept between commands (disk_cache.py) go to the session's own folder, not the
    user's, so that no test depends on what an earlier run left there."""
    os.environ["CSC_SCORECARD_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def synthetic_council(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """{"returns": folder, "db": store, "truth": ground_truth.json} for Walsall 2013-14 to 2016-17, seed 7."""
    return _synthesise(
        tmp_path_factory.mktemp("synthetic_walsall"), SYNTH_YEARS, "--seed", "7", "--no-local-data"
    )


@pytest.fixture(scope="session")
def synthetic_council_with_local_data(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The same council, 2014-15 to 2016-17 at half its size, with its local data too: Annex A, early help,
    workforce, youth justice, case audits and CSWW files for the same children (what every indicator reads)."""
    root = tmp_path_factory.mktemp("synthetic_walsall_local")
    return _synthesise(root, LOCAL_DATA_YEARS, "--seed", "7", "--scale", "0.5", "--local-data")


@pytest.fixture(scope="session")
def spark():
    """One Spark session (local[2]) for the whole test session: starting Spark takes seconds. The CLI's
    `--engine spark` finds it too (one session per master per process)."""
    pytest.importorskip("pyspark", reason="the Spark engine is the optional extra csc-scorecard[spark]")
    from csc_scorecard.engine.adapters.spark import SparkSettings, spark_session, stop_sessions

    # The tests run a few hundred small queries on small data, where compiling code (Spark's generated code, the
    # JVM's C2 compiler) and parallel garbage collection cost more CPU than they save: without them the Spark
    # tests take half the CPU time. The results are the same either way.
    small_data = {
        "spark.sql.codegen.wholeStage": "false",
        "spark.sql.codegen.factoryMode": "NO_CODEGEN",
        "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=256m -XX:+UseSerialGC",
    }
    session = spark_session(SparkSettings(shuffle_partitions=2, extra_conf=small_data))
    yield session
    stop_sessions()
