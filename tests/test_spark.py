"""DuckDB and Spark give the same figures: every core indicator for the synthetic council, on both engines.

The queries are the engine's SQLGlot trees written in each dialect; Spark reads Parquet exports of the store.
One Spark session (local[2]) serves the whole test session.
"""

from __future__ import annotations

import pytest

from conftest import SYNTH_YEARS
from csc_scorecard.catalogue import CORE_INDICATOR_IDS, load_catalogue
from csc_scorecard.config import SparkSettings, load_settings
from csc_scorecard.engine import compute
from csc_scorecard.engine.adapters import adapter_for
from csc_scorecard.engine.adapters.spark import SparkAdapter, spark_session, stop_sessions
from csc_scorecard.engine.build import results_query
from csc_scorecard.engine.compute import build_requests
from csc_scorecard.periods import parse_period
from csc_scorecard.store import connect

pytestmark = pytest.mark.spark
pytest.importorskip("pyspark", reason="the Spark engine is the optional extra csc-scorecard[spark]")

# Every year, in-year quarters (year to date) at both ends of the loaded years, a rolling year and a month.
PERIOD_CODES = (*SYNTH_YEARS, "2013-14Q1", "2014-15Q2", "2015-16Q3", "2016-17Q1", "R12:2015-12", "2016-09")
PERIODS = [parse_period(code) for code in PERIOD_CODES]


@pytest.fixture(scope="session")
def spark():
    session = spark_session(SparkSettings(shuffle_partitions=2))
    yield session
    stop_sessions()


@pytest.fixture(scope="module")
def store(synthetic_council: dict):
    con = connect(synthetic_council["db"])
    yield con
    con.close()


def _keyed(results) -> dict:
    return {(r.indicator_id, r.la_code, r.period, r.breakdown_value): r for r in results}


@pytest.fixture(scope="module")
def both_engines(store, spark) -> tuple[dict, dict]:
    with SparkAdapter(store, spark=spark) as adapter:
        on_spark = compute(adapter, PERIODS, list(CORE_INDICATOR_IDS), la_codes=["335"])
    on_duckdb = compute(store, PERIODS, list(CORE_INDICATOR_IDS), la_codes=["335"])
    return _keyed(on_duckdb), _keyed(on_spark)


def _assert_same(duck, spark) -> None:
    assert (spark.numerator, spark.denominator) == (duck.numerator, duck.denominator), duck
    if duck.value is None:
        assert spark.value is None, duck
    else:
        assert spark.value == pytest.approx(duck.value, rel=0, abs=1e-9), duck
    assert (spark.population_year, spark.notes, spark.load_ids) == (
        duck.population_year,
        duck.notes,
        duck.load_ids,
    )


@pytest.mark.parametrize("indicator_id", CORE_INDICATOR_IDS)
def test_core_indicator_identical_on_duckdb_and_spark(indicator_id: str, both_engines) -> None:
    duckdb_results, spark_results = both_engines
    keys = sorted(k for k in duckdb_results if k[0] == indicator_id)
    assert [k[2] for k in keys] == sorted(PERIOD_CODES)
    assert sorted(k for k in spark_results if k[0] == indicator_id) == keys
    for key in keys:
        _assert_same(duckdb_results[key], spark_results[key])
    # Not a vacuous comparison: the synthetic council has figures for most windows.
    assert any(duckdb_results[k].value is not None for k in keys)


@pytest.mark.parametrize(
    ("breakdown", "indicator_ids"),
    [
        ("age_band", ["cla_count", "referrals_count"]),  # age_in_years() over add_months
        ("disability", ["referrals_count"]),  # arrays: array_length, array_contains
        ("placement_type", ["cla_starts_count"]),
    ],
)
def test_breakdowns_identical_on_duckdb_and_spark(store, spark, breakdown, indicator_ids) -> None:
    periods = [parse_period("2015-16"), parse_period("2016-17Q2")]
    with SparkAdapter(store, spark=spark) as adapter:
        on_spark = _keyed(compute(adapter, periods, indicator_ids, breakdown))
    on_duckdb = _keyed(compute(store, periods, indicator_ids, breakdown))
    assert list(on_spark) == list(on_duckdb)  # the same rows in the same order (NULL breakdown values first)
    assert len({k[3] for k in on_duckdb}) > 1
    for key, duck in on_duckdb.items():
        _assert_same(duck, on_spark[key])


def test_compute_with_engine_spark_cleans_up(store, spark, synthetic_council: dict) -> None:
    """compute(con, ..., engine="spark") makes the adapter itself and removes its Parquet exports after."""
    year = [parse_period("2016-17")]
    (on_spark,) = compute(store, year, ["cla_count"], la_codes=["335"], engine="spark")
    (on_duckdb,) = compute(store, year, ["cla_count"], la_codes=["335"])
    assert (
        on_spark.numerator
        == on_duckdb.numerator
        == synthetic_council["truth"]["indicators"]["2016-17"]["cla_count"]["numerator"]
    )
    adapter = SparkAdapter(store, spark=spark)
    adapter.register(["cla_episodes", "ref_calendar"])
    assert sorted(p.name for p in adapter.workdir.iterdir()) == [
        "cla_episodes.parquet",
        "ref_calendar.parquet",
    ]
    assert (
        adapter.spark.table("ref_calendar").count()
        == store.execute("SELECT count(*) FROM ref_calendar").fetchone()[0]
    )
    adapter.close()
    assert not adapter.workdir.exists()
    with pytest.raises(ValueError, match="not a table or view in the store"):
        adapter.register(["no_such_table"])


def test_transpiled_sql_is_sparks_own(store, spark) -> None:
    """What the dialects disagree on is written the Spark way (a change here means a sqlglot upgrade moved it)."""
    catalogue = load_catalogue()
    (request,) = build_requests(catalogue, PERIODS, ["cla_count"], "age_band", None, {})
    with adapter_for(store, "spark") as adapter:
        assert isinstance(adapter, SparkAdapter)
        sql = adapter.sql(results_query(catalogue, request))
    assert "COLLECT_LIST(DISTINCT" in sql  # ARRAY_AGG(DISTINCT ...)
    assert "ADD_MONTHS(" in sql and "INTERVAL" not in sql  # add_years/age_in_years macros
    assert "NULLS LAST" in sql  # DuckDB sorts NULLs last ascending, Spark first: made explicit
    (days,) = build_requests(catalogue, PERIODS, ["adoption_a1_days"], None, None, {})
    assert "DATEDIFF(" in results_query(catalogue, days).sql(dialect="spark")  # date_diff('day', a, b)


def test_settings_from_the_environment() -> None:
    assert load_settings(env={}).spark.master == "local[2]"
    settings = load_settings(
        env={
            "CSC_SCORECARD_SPARK_MASTER": "spark://cluster:7077",
            "CSC_SCORECARD_SPARK_WORKDIR": "/shared/csc",
            "CSC_SCORECARD_SPARK_SHUFFLE_PARTITIONS": "64",
            "CSC_SCORECARD_SPARK_DRIVER_MEMORY": "4g",
        }
    ).spark
    assert (settings.master, str(settings.workdir), settings.shuffle_partitions, settings.driver_memory) == (
        "spark://cluster:7077",
        "/shared/csc",
        64,
        "4g",
    )


def test_the_spark_adapter_reads_a_duckdb_store() -> None:
    with pytest.raises(TypeError, match="reads a DuckDB store connection"):
        SparkAdapter("not a connection")  # type: ignore[arg-type]
