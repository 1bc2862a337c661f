"""The Spark adapter: the same catalogue queries, transpiled by SQLGlot and run with `spark.sql` over Parquet.

The store stays a DuckDB file. Each table a query reads (canonical tables, ref_calendar, ref_population, ...)
is exported once by DuckDB (`COPY ... TO ... (FORMAT parquet)`) into a working folder and registered as a Spark
temporary view of the same name; the query tree is then written in the Spark dialect and run there.

    with SparkAdapter(store_con) as spark:          # or compute(con, periods, engine="spark")
        results = compute(spark, periods)

Settings: the [spark] table of the settings file or the CSC_SCORECARD_SPARK_* environment (config.py,
docs/settings.md): the master URL (default `local[2]`; a cluster must then read the working folder, so set
`workdir` to a path every executor sees), shuffle partitions and driver memory.

pyspark is an optional extra (`pip install 'csc-scorecard[spark]'`); it is imported only when a session starts.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import sqlglot
from sqlglot import exp

from ...catalogue import fragments as fr
from ...config import SparkSettings, load_settings
from .base import EngineAdapter, Relation

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


# Errors only: Spark's INFO/WARN chatter (and the "default log4j profile" banner) would drown the CLI's output.
# PySpark counts as a shell, so Spark would reset the root level to WARN (and say so) unless the logger of the
# class that starts it has a level of its own.
_QUIET_LOG4J = """\
rootLogger.level = error
logger.repl.name = org.apache.spark.repl.Main
logger.repl.level = error
logger.submit.name = org.apache.spark.deploy.SparkSubmit
logger.submit.level = error
logger.gateway.name = org.apache.spark.api.python.PythonGatewayServer
logger.gateway.level = error
rootLogger.appenderRef.stderr.ref = stderr
appender.stderr.type = Console
appender.stderr.name = stderr
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""

# In local mode the driver's JVM is the whole of Spark on 2 cores, and G1's concurrent and parallel threads cost it
# more CPU than a serial collector (benchmarks/README.md, session 6). Java options in extra_conf come after these;
# another collector needs `-XX:-UseSerialGC` before it (the JVM refuses to start with two).
_LOCAL_JAVA_OPTIONS = "-XX:+UseSerialGC"

_SPARK_TYPES = {"VARCHAR": "STRING"}  # Relation's column types, where Spark's DDL names them otherwise

_SESSION_LOCK = threading.Lock()
_SESSIONS: dict[str, SparkSession] = {}
_SCRATCH: list[Path] = []  # each session's warehouse, local and log folders, removed when it stops


def spark_session(settings: SparkSettings | None = None) -> SparkSession:
    """One Spark session per master for the process (starting Spark takes seconds, so it is kept)."""
    settings = settings or load_settings().spark
    with _SESSION_LOCK:
        session = _SESSIONS.get(settings.master)
        if session is None or session.sparkContext._jsc is None:  # stopped sessions are started again
            session = _start(settings)
            _SESSIONS[settings.master] = session
        return session


def _start(settings: SparkSettings) -> SparkSession:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise RuntimeError(
            "the Spark engine needs pyspark: pip install 'csc-scorecard[spark]' (and Java 17 or later)"
        ) from None
    # Spark writes managed tables and Derby files under the working directory unless told otherwise.
    scratch = Path(tempfile.mkdtemp(prefix="csc-scorecard-spark-"))
    if not _SCRATCH:
        atexit.register(_remove_scratch)  # after PySpark's own exit hook has stopped the JVM
    _SCRATCH.append(scratch)
    logging = scratch / "log4j2.properties"
    logging.write_text(_QUIET_LOG4J, encoding="utf-8")
    java_options = f"-Dderby.system.home={scratch / 'derby'} -Dlog4j2.configurationFile={logging.as_uri()}"
    if settings.master.startswith("local"):
        java_options = f"{_LOCAL_JAVA_OPTIONS} {java_options}"
    conf = {
        "spark.sql.warehouse.dir": str(scratch / "warehouse"),
        "spark.local.dir": str(scratch / "local"),
        "spark.sql.shuffle.partitions": str(settings.shuffle_partitions),
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        **({"spark.driver.memory": settings.driver_memory} if settings.driver_memory else {}),
        **settings.extra_conf,
        # Java options given in extra_conf come after the session's own rather than replacing them.
        "spark.driver.extraJavaOptions": " ".join(
            filter(None, (java_options, settings.extra_conf.get("spark.driver.extraJavaOptions")))
        ),
    }
    builder = SparkSession.builder.master(settings.master).appName(settings.app_name)
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def stop_sessions() -> None:
    """Stop every session this process started (tests call it once at the end)."""
    with _SESSION_LOCK:
        for session in _SESSIONS.values():
            session.stop()
        _SESSIONS.clear()
        _remove_scratch()


def _remove_scratch() -> None:
    while _SCRATCH:
        shutil.rmtree(_SCRATCH.pop(), ignore_errors=True)


class SparkAdapter(EngineAdapter):
    """Runs the engine's trees on Spark, over Parquet exports of the DuckDB store the connection opens."""

    dialect = "spark"
    SUPPORTS_CORRELATED_SCALAR_SUBQUERIES = True  # Spark decorrelates scalar subqueries with aggregates
    SUPPORTS_WINDOW_FUNCTIONS = True
    SUPPORTS_NULL_SAFE_EQUALITY = True  # IS NOT DISTINCT FROM, as DuckDB writes it
    SUPPORTS_ARRAY_AGG_DISTINCT = True  # COLLECT_SET(...), ARRAY_DISTINCT(...)
    CHEAP_DISTINCT_AGGREGATES = False  # Spark's Expand copies every row once per distinct expression

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        *,
        spark: SparkSession | None = None,
        settings: SparkSettings | None = None,
    ):
        if not isinstance(connection, duckdb.DuckDBPyConnection):
            raise TypeError(
                f"the Spark adapter reads a DuckDB store connection, not {type(connection).__name__}"
            )
        super().__init__(connection)
        settings = settings or load_settings().spark
        # A session of its own (same SparkContext), so two stores' views never meet.
        self.spark = (spark or spark_session(settings)).newSession()
        self._owns_workdir = settings.workdir is None
        self.workdir = (
            Path(tempfile.mkdtemp(prefix="csc-scorecard-parquet-"))
            if settings.workdir is None
            else settings.workdir
        )
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.exported: dict[str, Path] = {}
        self.inputs: set[str] = set()  # views of the relations given with a query (Relation)

    def sql(self, expression: exp.Expression, pretty: bool = False) -> str:
        return expression.sql(dialect=self.dialect, pretty=pretty, unsupported_level=sqlglot.ErrorLevel.RAISE)

    def fetch(self, expression: exp.Expression) -> list[dict[str, Any]]:
        self.register(sorted(fr.referenced_tables(expression)))
        return [row.asDict(recursive=False) for row in self.spark.sql(self.sql(expression)).collect()]

    def run(self, sql: str, tables: Sequence[str], inputs: Mapping[str, Relation]) -> list[dict[str, Any]]:
        self.register(sorted(tables))
        for name, relation in inputs.items():
            self.spark.sql(_values(relation)).createOrReplaceTempView(name)
            self.inputs.add(name)
        staged = _Staged(self.spark, sql)
        try:
            return [row.asDict(recursive=False) for row in staged.result().collect()]
        finally:
            staged.release()

    def register(self, tables: list[str]) -> None:
        """Export each store table not yet exported to Parquet and make it a Spark view of the same name."""
        for table in tables:
            if table not in self.exported:
                self.exported[table] = self._export(table)
                self.spark.read.parquet(str(self.exported[table])).createOrReplaceTempView(table)

    def _export(self, table: str) -> Path:
        if not self._in_store(table):
            raise ValueError(f"the query reads {table!r}, which is not a table or view in the store")
        self.workdir.mkdir(parents=True, exist_ok=True)  # again, if close() removed it
        path = self.workdir / f"{table}.parquet"
        relation = exp.select("*").from_(exp.to_table(table)).sql(dialect="duckdb")
        self.connection.execute(f"COPY ({relation}) TO '{_quoted_path(path)}' (FORMAT parquet)")
        return path

    def _in_store(self, table: str) -> bool:
        rows = self.connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
        ).fetchall()
        return rows[0][0] > 0

    def close(self) -> None:
        """Drop the views and the exports (the shared Spark session keeps running)."""
        for table in [*self.exported, *self.inputs]:
            self.spark.catalog.dropTempView(table)
        self.exported.clear()
        self.inputs.clear()
        if self._owns_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> SparkAdapter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _Staged:
    """A batch query run a CTE at a time: each CTE a temporary view, and those read more than once or by the
    final SELECT computed there and then, kept (a local checkpoint) and read from what was kept.

    Spark inlines every CTE where it is read, so one batch (dozens of populations and slots, a population read
    by up to 7 slots) is one tree with each population copied into it, computed again for each copy unless Spark
    happens to find two identical exchanges. Kept, each population is computed once and each slot's aggregates
    are planned on their own. A checkpoint rather than a cache: a cached view keeps its whole plan behind it,
    and matching the final SELECT's plan against the cache took 88 s on the synthetic Walsall.
    (benchmarks/README.md: at 1 LA this leaves Spark's CPU where it was; at national scale the time is in the
    slots' aggregates.)
    """

    def __init__(self, spark: SparkSession, sql: str):
        self.spark = spark
        self.tree = sqlglot.parse_one(sql, dialect="spark")
        self.views: list[str] = []
        self.kept: list[Any] = []  # the JVM's RDDs behind the checkpoints, released after the batch

    def result(self) -> Any:
        ctes = self.tree.args.get("with_")
        if ctes is None:
            return self.spark.sql(self.tree.sql(dialect="spark"))
        final = self.tree.copy()
        final.set("with_", None)
        defined = {cte.alias for cte in ctes.expressions}
        reads = Counter(t.name for t in self.tree.find_all(exp.Table) if not t.db and t.name in defined)
        read_last = {t.name for t in final.find_all(exp.Table)}
        for cte in ctes.expressions:
            if cte.args["alias"].columns or ctes.args.get("recursive"):
                raise ValueError(
                    f"a batch's CTE {cte.alias!r} has column aliases or is recursive: cannot run alone"
                )
            frame = self.spark.sql(cte.this.sql(dialect="spark"))
            if reads[cte.alias] > 1 or cte.alias in read_last:
                frame = self._keep(frame)
            frame.createOrReplaceTempView(cte.alias)
            self.views.append(cte.alias)
        return self.spark.sql(final.sql(dialect="spark"))

    def _keep(self, frame: Any) -> Any:
        context = self.spark.sparkContext._jsc  # a checkpoint is a persisted RDD: the one new here is its
        before = set(context.getPersistentRDDs())
        kept = frame.localCheckpoint(eager=True)
        persistent = context.getPersistentRDDs()
        self.kept.extend(persistent[key] for key in set(persistent) - before)
        return kept

    def release(self) -> None:
        for view in self.views:
            self.spark.catalog.dropTempView(view)
        for rdd in self.kept:
            rdd.unpersist(False)


def _values(relation: Relation) -> str:
    """A relation as a query of literal rows. Spark plans it as a local relation of known size, so a join with it
    is a broadcast; a DataFrame made from Python rows is an RDD of unknown size (joined by shuffling and sorting
    the other side, or as a cartesian product: benchmarks/README.md, issue 18 item 5), and every read of it runs
    a Python worker (PySpark re-pickles the rows: `RDD._reserialize`)."""
    types = [_SPARK_TYPES.get(kind, kind) for _, kind in relation.columns]
    names = [column for column, _ in relation.columns]
    if not relation.rows:
        nulls = [exp.cast(exp.null(), kind).as_(name) for name, kind in zip(names, types, strict=True)]
        return exp.select(*nulls).where(exp.false()).sql(dialect="spark")
    rows = [
        tuple(
            exp.cast(exp.null() if value is None else exp.Literal.string(str(value)), kind)
            for value, kind in zip(row, types, strict=True)
        )
        for row in relation.rows
    ]
    return exp.select("*").from_(exp.values(rows, alias="t", columns=names)).sql(dialect="spark")


def _quoted_path(path: Path) -> str:
    return str(path).replace("'", "''")


__all__ = ["SparkAdapter", "SparkSettings", "spark_session", "stop_sessions"]
