"""DuckDB and Spark give the same figures: every indicator of the catalogue (local ones included) for the synthetic
council with its local data, on both engines, for years, quarters, a rolling year and a month, and by breakdown:
every indicator that allows one, with at least one of its breakdowns, and every breakdown.

The queries are the engine's SQLGlot trees written in each dialect; Spark reads Parquet exports of the store.
One Spark session (local[2], conftest) serves the whole test session, and one adapter (each table exported
once) this module.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from conftest import LOCAL_DATA_YEARS
from csc_scorecard.catalogue import load_catalogue
from csc_scorecard.config import load_settings
from csc_scorecard.engine import IndicatorResult, compute
from csc_scorecard.engine.adapters import Relation, adapter_for
from csc_scorecard.engine.adapters.spark import _LOCAL_JAVA_OPTIONS, SparkAdapter, _Staged
from csc_scorecard.engine.build import results_query
from csc_scorecard.engine.compute import build_requests
from csc_scorecard.engine.coverage import needs_snapshot
from csc_scorecard.periods import parse_period
from csc_scorecard.store import connect

pytestmark = pytest.mark.spark
pytest.importorskip("pyspark", reason="the Spark engine is the optional extra csc-scorecard[spark]")

CATALOGUE = load_catalogue()
# The test council is loaded from its returns: what only an SSD snapshot gives (visits and caseloads from case
# records, the team and worker a child is allocated to) has no figure or group here.
SNAPSHOT_ONLY = {i for i in CATALOGUE.ids() if needs_snapshot(CATALOGUE, CATALOGUE.definition(i))}
SNAPSHOT_BREAKDOWNS = {"allocated_team", "allocated_worker", "worker"}
COMPARED_IDS = [i for i in CATALOGUE.ids() if i not in SNAPSHOT_ONLY]
# Every year loaded, in-year quarters (year to date) early and late, a rolling year and a month.
PERIOD_CODES = (*LOCAL_DATA_YEARS, "2014-15Q1", "2015-16Q3", "2016-17Q2", "R12:2016-12", "2016-09")
PERIODS = [parse_period(code) for code in PERIOD_CODES]
BREAKDOWN_PERIODS = [parse_period("2016-17"), parse_period("2016-17Q2")]

Results = dict[tuple[str, str | None], list[IndicatorResult]]  # (indicator, breakdown): rows in engine order


def breakdowns_compared() -> dict[str, list[str]]:
    """{breakdown: indicators compared with it}: every indicator that allows a breakdown, with age_band where it
    allows it (age_band reads the indicator's own breakdown date, the one part that differs by indicator),
    else with its breakdown compared least so far; then every breakdown no indicator has been compared with.
    Each (indicator, breakdown) pair is one more Spark query, and there are 138 of them."""
    compared: dict[str, list[str]] = {
        name: [] for name in CATALOGUE.breakdowns if name not in SNAPSHOT_BREAKDOWNS
    }
    for indicator_id in COMPARED_IDS:
        allowed = [b for b in CATALOGUE.definition(indicator_id).breakdowns if b not in SNAPSHOT_BREAKDOWNS]
        if allowed:
            chosen = "age_band" if "age_band" in allowed else min(allowed, key=lambda b: len(compared[b]))
            compared[chosen].append(indicator_id)
    for name, ids in compared.items():
        if not ids:
            ids.append(next(i for i in COMPARED_IDS if name in CATALOGUE.definition(i).breakdowns))
    return compared


BREAKDOWNS_COMPARED = breakdowns_compared()


@pytest.fixture(scope="module")
def store(synthetic_council_with_local_data: dict):
    con = connect(synthetic_council_with_local_data["db"])
    yield con
    con.close()


def _run(con, periods, ids: list[str], breakdown: str | None) -> Results:
    by_request: Results = defaultdict(list)
    for result in compute(con, periods, ids, breakdown, catalogue=CATALOGUE):
        by_request[result.indicator_id, breakdown].append(result)
    return by_request


@pytest.fixture(scope="module")
def both_engines(store, spark) -> tuple[Results, Results]:
    """Every indicator whole-LA, and with the breakdowns compared, on DuckDB and on Spark (one adapter)."""
    requests = [(None, PERIODS, COMPARED_IDS)]
    requests += [(name, BREAKDOWN_PERIODS, ids) for name, ids in BREAKDOWNS_COMPARED.items()]
    on_duckdb: Results = {}
    on_spark: Results = {}
    with SparkAdapter(store, spark=spark) as adapter:
        for breakdown, periods, ids in requests:
            on_spark.update(_run(adapter, periods, ids, breakdown))
            on_duckdb.update(_run(store, periods, ids, breakdown))
    return on_duckdb, on_spark


def _key(result: IndicatorResult) -> tuple:
    return (result.la_code, result.period, result.breakdown_value)


def _assert_same(duck: IndicatorResult, spark: IndicatorResult) -> None:
    assert (spark.population_year, spark.notes, spark.load_ids) == (
        duck.population_year,
        duck.notes,
        duck.load_ids,
    ), duck
    counts = (duck.numerator, duck.denominator)
    assert [type(n) for n in (spark.numerator, spark.denominator)] == [type(n) for n in counts], duck
    if (spark.numerator, spark.denominator, spark.value) == (*counts, duck.value):
        return
    # The one tolerance: a total of FTE is a sum of fractions, whose last digit depends on the order the rows
    # are added in, which neither engine fixes (DuckDB's own total can move from one run to the next).
    assert any(isinstance(n, float) for n in counts), duck
    assert CATALOGUE.indicator(duck.indicator_id).area == "workforce", duck
    for figure in ("numerator", "denominator", "value"):
        expected = getattr(duck, figure)
        close = expected if expected is None else pytest.approx(expected, rel=1e-9, abs=0)
        assert getattr(spark, figure) == close, (figure, duck)


@pytest.mark.parametrize("indicator_id", COMPARED_IDS)
def test_every_indicator_identical_on_duckdb_and_spark(indicator_id: str, both_engines) -> None:
    on_duckdb, on_spark = both_engines
    whole = on_duckdb[indicator_id, None]
    assert sorted(r.period for r in whole) == sorted(PERIOD_CODES)
    # Not a vacuous comparison: the synthetic council has a figure for the indicator in some window, or (A1 and
    # A2, whose adopted children entered care before the first return loaded) both engines say it is withheld.
    # A figure the returns of those years did not collect (social worker episodes from 2023-24) is "not collected".
    assert any(r.value is not None for r in whole) or all(
        r.notes.startswith(("withheld", "undefined", "not collected")) for r in whole
    )
    breakdowns = [name for name, ids in BREAKDOWNS_COMPARED.items() if indicator_id in ids]
    allowed = set(CATALOGUE.definition(indicator_id).breakdowns) - SNAPSHOT_BREAKDOWNS
    assert bool(breakdowns) == bool(allowed)
    for breakdown in (None, *breakdowns):
        duck, spark = (
            on_duckdb.get((indicator_id, breakdown), []),
            on_spark.get((indicator_id, breakdown), []),
        )
        # The same rows in the same order.
        assert [_key(r) for r in spark] == [_key(r) for r in duck], breakdown
        for duck_row, spark_row in zip(duck, spark, strict=True):
            _assert_same(duck_row, spark_row)


def test_every_breakdown_is_compared_with_more_than_one_group(both_engines) -> None:
    on_duckdb, _ = both_engines
    groups: dict[str, set] = defaultdict(set)
    for (_, breakdown), rows in on_duckdb.items():
        if breakdown is not None:
            groups[breakdown] |= {r.breakdown_value for r in rows if r.numerator}
    assert {name for name, values in groups.items() if len(values) > 1} == set(
        CATALOGUE.breakdowns
    ) - SNAPSHOT_BREAKDOWNS


def test_compute_with_engine_spark_cleans_up(store, spark, synthetic_council_with_local_data: dict) -> None:
    """compute(con, ..., engine="spark") makes the adapter itself and removes its Parquet exports after."""
    year = [parse_period("2016-17")]
    (on_spark,) = compute(store, year, ["cla_count"], la_codes=["335"], engine="spark")
    (on_duckdb,) = compute(store, year, ["cla_count"], la_codes=["335"])
    assert (
        on_spark.numerator
        == on_duckdb.numerator
        == synthetic_council_with_local_data["truth"]["indicators"]["2016-17"]["cla_count"]["numerator"]
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


def test_a_batch_runs_a_cte_at_a_time_and_releases_what_it_kept(store, spark) -> None:
    """A CTE read twice, and one the final SELECT reads, are computed once and kept; after the batch their views
    are gone and what was kept is released (a national run has dozens of batches)."""
    children = store.execute("SELECT count(DISTINCT child_id) FROM cla_episodes").fetchone()[0]
    context = spark.sparkContext._jsc
    before = set(context.getPersistentRDDs())
    with SparkAdapter(store, spark=spark) as adapter:
        adapter.register(["cla_episodes"])
        staged = _Staged(
            adapter.spark,
            "WITH kids AS (SELECT DISTINCT la_code, child_id FROM cla_episodes), "
            "n AS (SELECT la_code, count(*) AS children FROM kids GROUP BY la_code) "
            "SELECT n.la_code, n.children, k.again FROM n "
            "JOIN (SELECT la_code, count(*) AS again FROM kids GROUP BY la_code) AS k ON k.la_code = n.la_code",
        )
        rows = [tuple(row) for row in staged.result().collect()]
        assert rows == [("335", children, children)] and children > 0
        assert len(staged.kept) == 2 and len(set(context.getPersistentRDDs()) - before) == 2
        staged.release()
        views = adapter.spark.catalog
        assert (
            views.tableExists("cla_episodes") and not views.tableExists("kids") and not views.tableExists("n")
        )
        assert set(context.getPersistentRDDs()) == before


def test_a_relation_given_with_a_query_is_a_local_relation(store, spark) -> None:
    """The windows and LAs given with a batch are literal rows to Spark: a local relation of known size, so joins
    with them are broadcasts (not a cartesian product, nor the other side shuffled and sorted), not an RDD of
    unknown size. Their values come back as given, NULLs, quotes and fractions included."""
    windows = Relation(
        (("period_id", "INT"), ("period_end", "DATE"), ("annual_factor", "DOUBLE"), ("la_code", "VARCHAR")),
        [(1, date(2017, 3, 31), 1 / 3, "335"), (2, None, 4.0, "it's")],
    )
    empty = Relation((("la_code", "VARCHAR"),), [])
    with SparkAdapter(store, spark=spark) as adapter:
        rows = adapter.run(
            "SELECT w.*, (SELECT count(*) FROM none_here) AS none_here FROM windows AS w ORDER BY period_id",
            [],
            {"windows": windows, "none_here": empty},
        )
        plan = adapter.spark.table("windows").crossJoin(adapter.spark.table("none_here"))
        physical = plan._jdf.queryExecution().executedPlan().toString()
    assert [tuple(row.values()) for row in rows] == [
        (1, date(2017, 3, 31), 1 / 3, "335", 0),
        (2, None, 4.0, "it's", 0),
    ]
    assert "LocalTableScan" in physical and "ExistingRDD" not in physical and "Cartesian" not in physical


def test_transpiled_sql_is_sparks_own(store, spark) -> None:
    """What the dialects disagree on is written the Spark way (a change here means a sqlglot upgrade moved it)."""
    catalogue = load_catalogue()
    (request,) = build_requests(catalogue, PERIODS, ["cla_count"], "age_band", None, {})
    with adapter_for(store, "spark") as adapter:
        assert isinstance(adapter, SparkAdapter)
        sql = adapter.sql(results_query(catalogue, request, per_child=not adapter.CHEAP_DISTINCT_AGGREGATES))
    assert "COLLECT_SET(" in sql and "FLATTEN(" not in sql  # loads collected apart from the children
    assert "COUNT(DISTINCT" not in sql  # children counted per child first: no Expand of every row
    assert "ADD_MONTHS(" in sql and "INTERVAL" not in sql  # add_years/age_in_years macros
    assert "NULLS LAST" in sql  # DuckDB sorts NULLs last ascending, Spark first: made explicit
    (days,) = build_requests(catalogue, PERIODS, ["adoption_a1_days"], None, None, {})
    assert "DATEDIFF(" in results_query(catalogue, days).sql(dialect="spark")  # date_diff('day', a, b)


def test_java_options_in_extra_conf_add_to_the_sessions_own(spark) -> None:
    """conftest's session asks for the serial collector; the session's own log4j and Derby options stay, after a
    local session's serial collector (so that options given come last, and win)."""
    options = spark.sparkContext.getConf().get("spark.driver.extraJavaOptions")
    assert "-Dlog4j2.configurationFile=" in options and "-Dderby.system.home=" in options
    assert f"{_LOCAL_JAVA_OPTIONS} -Dderby.system.home=" in options  # after Spark's own defaults
    assert options.index("-Dlog4j2.configurationFile=") < options.index("-XX:ReservedCodeCacheSize=256m")
    beans = spark.sparkContext._jvm.java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()
    assert [bean.getName() for bean in beans] == ["Copy", "MarkSweepCompact"]  # the JVM runs -XX:+UseSerialGC


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


def test_records_left_out_and_not_carried_are_the_same_on_spark(spark, tmp_path) -> None:
    """The joins the synthetic council never exercises (it has no flagged record): an assessment authorised
    before it started left out, and an open episode the next census no longer carries, on both engines."""
    from pathlib import Path

    from click.testing import CliRunner

    from csc_scorecard.cli import cli

    fixture = (Path(__file__).parent / "fixtures" / "returns" / "CIN_335_2016-17.xml").read_text()
    fixture = fixture.replace(
        "<AssessmentAuthorisationDate>2016-06-21<", "<AssessmentAuthorisationDate>2016-05-08<"
    )
    returns = tmp_path / "returns"
    returns.mkdir()
    (returns / "CIN_335_2016-17.xml").write_text(fixture)
    (returns / "CIN_335_2017-18.xml").write_text(  # T002's episode is gone from the next census
        fixture.replace("<Year>2017<", "<Year>2018<").replace("2017-03-31<", "2018-03-31<")
        .replace("<LAchildID>T002<", "<LAchildID>T003<")
    )  # fmt: skip
    db = tmp_path / "s.duckdb"
    loaded = CliRunner().invoke(cli, ["load", str(returns), "--db", str(db)])
    assert loaded.exit_code == 0, loaded.output
    con = connect(db)
    try:
        periods = [parse_period(p) for p in ("2016-17", "2017-18Q1")]
        ids = ["assessments_45wd_pct", "cin_count"]
        on_duckdb = compute(con, periods, ids)
        with SparkAdapter(con, spark=spark) as adapter:
            on_spark = compute(adapter, periods, ids)
    finally:
        con.close()
    assert on_spark == on_duckdb
    assert "left out: 1 record" in on_duckdb[0].notes
    # At 31 March 2017 T001, T002 and T003 (referred in 2016, in the 2017-18 census); from 1 April 2017 T002 is
    # not, as the 2017-18 census does not carry it.
    assert [r.numerator for r in on_duckdb if r.indicator_id == "cin_count"] == [3, 2]
