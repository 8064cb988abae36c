"""The same report on Apache Spark: the Ibis expressions of :mod:`analysis` run unchanged on
Ibis's PySpark backend, so every per-customer aggregate, tier, cell and score is computed in
Spark and only what the models are fitted on comes back: per-customer summaries up to
:data:`analysis.store.engine.LOCAL_ROWS` customers, above that the distinct purchase histories
with counts (BG/NBD, exact) and hash samples (Gamma-Gamma, clusters), with every customer
then scored and assigned to a cluster in Spark (see :func:`analysis.clv_data.fit_clv` and
:func:`analysis.clusters.cluster_report`).

    python -m analysis report --engine spark --source PATH_OR_TABLE [--as-of D] --json

``--source`` is one of
- a Parquet file or folder of transactions (columns as ``analysis.store.SCHEMA["transactions"]``;
  only ``customer_id``, ``date`` and ``amount`` are required, other columns may be absent);
- a folder holding ``transactions.parquet`` and, optionally, ``customers.parquet`` and
  ``interactions.parquet`` (what :func:`export_parquet` writes);
- a table in the Spark catalog (``sales`` or ``db.sales``); ``<name>_customers`` and
  ``<name>_interactions`` are used when they exist.
A missing customer list or contact history is an empty table with the store's columns.

Where Spark runs (:func:`spark_session`):
- by default a local Spark inside this process (``local[2]``; needs Java 17+,
  Debian package ``openjdk-17-jre-headless``);
- ``SPARK_REMOTE=sc://host:15002`` connects to a Spark Connect server (Spark 3.4+; install
  ``pyspark[connect]`` on the client);
- ``ONE_TO_ONE_SPARK_MASTER=spark://host:7077`` (or ``yarn``, ``k8s://...``, ``local[8]``)
  starts a classic session against that cluster manager; further settings come from
  ``spark-defaults.conf`` in ``$SPARK_CONF_DIR`` as usual (executor memory, Hive metastore
  for catalog tables, S3/HDFS credentials).
Paths must then be readable by the cluster (``hdfs://``, ``s3a://``, a shared disk).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from analysis.errors import UserError
from analysis.store import DATA_TABLES, SCHEMA, Tables

LOCAL_MASTER = "local[2]"
SHUFFLE_PARTITIONS = 4
DRIVER_MEMORY = "1g"
REQUIRED = {
    "customers": ("customer_id",),
    "transactions": ("customer_id", "date", "amount"),
    "interactions": ("customer_id", "occurred_at", "kind"),
}
# DuckDB type of the store -> Spark SQL type.
_SPARK_TYPES = {"VARCHAR": "string", "DATE": "date", "DOUBLE": "double", "BIGINT": "bigint",
                "TIMESTAMP": "timestamp"}


def _spark_type(duckdb_type: str) -> str:
    kind = duckdb_type.split()[0]
    if kind.startswith("DECIMAL"):  # amounts: exact in Spark too, DECIMAL(18,2) -> decimal(18,2)
        return kind.lower()
    return _SPARK_TYPES[kind]


def spark_session(app_name: str = "one-to-one"):
    """A Spark session: Spark Connect when ``SPARK_REMOTE`` is set, the cluster named by
    ``ONE_TO_ONE_SPARK_MASTER`` when that is set, else a small local Spark (``local[2]``,
    no UI, 4 shuffle partitions, 1 GB driver). An existing session is reused.
    The session time zone is UTC, so dates and contact times read as written."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise UserError("--engine spark needs pyspark: pip install pyspark==4.3.0 (and Java 17)") from exc

    remote = os.environ.get("SPARK_REMOTE")
    if remote:
        return SparkSession.builder.remote(remote).appName(app_name).getOrCreate()
    master = os.environ.get("ONE_TO_ONE_SPARK_MASTER")
    builder = SparkSession.builder.appName(app_name).config("spark.sql.session.timeZone", "UTC")
    if master:
        builder = builder.master(master)
    else:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = (
            builder.master(LOCAL_MASTER)
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", str(SHUFFLE_PARTITIONS))
            .config("spark.default.parallelism", "2")
            .config("spark.driver.memory", DRIVER_MEMORY)
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.sql.adaptive.enabled", "true")
        )
    session = builder.getOrCreate()
    if not master:
        session.sparkContext.setLogLevel("ERROR")
    return session


# A store column and the import's field of the same meaning, where the names differ.
_FIELD_OF = {("interactions", "occurred_at"): "date"}


def _recognised(columns: list[str], table: str, overrides: dict[str, str] | None) -> dict[str, str]:
    """{store column: source column} as the import recognises the names (``order_date`` is
    the date; see :func:`analysis.ingest.mapping.auto_map`), ``--map FIELD=COLUMN`` first;
    a column already named as in the store keeps its place."""
    from analysis.ingest.mapping import apply_overrides, auto_map, check_overrides, resolve_column

    overrides = {f: resolve_column(c, columns) or c for f, c in check_overrides(overrides).items()}
    mapping = apply_overrides(table, auto_map(columns, table), overrides)
    present = {c.lower(): c for c in columns}
    out = {}
    for name in SCHEMA[table]:
        field = _FIELD_OF.get((table, name), name)
        if field in overrides:
            out[name] = mapping[field]
        elif name in present:
            out[name] = present[name]
        elif field in mapping:
            out[name] = mapping[field]
    return out


def _conform(frame, table: str, where: str, overrides: dict[str, str] | None = None):
    """``frame`` with exactly the store's columns for ``table``, in order and with its types:
    columns found under the names the import recognises (and ``overrides``), missing optional
    columns NULL, extra columns dropped."""
    from pyspark.sql import functions as F

    present = _recognised(list(frame.columns), table, overrides)
    missing = [c for c in REQUIRED[table] if c not in present]
    if missing:
        raise UserError(
            f"{where}: the {table} need a column {', '.join(missing)}; "
            f"found {', '.join(frame.columns) or 'no columns'}"
        )
    cols = []
    for name, duck_type in SCHEMA[table].items():
        spark_type = _spark_type(duck_type)
        col = F.col(f"`{present[name]}`") if name in present else F.lit(None)
        cols.append(col.cast(spark_type).alias(name))
    return frame.select(*cols)


def _empty(session, table: str):
    schema = ", ".join(f"`{c}` {_spark_type(t)}" for c, t in SCHEMA[table].items())
    return session.createDataFrame([], schema)


def _read_parquet(session, path: str):
    try:
        return session.read.parquet(path)
    except Exception as exc:  # AnalysisException (path missing) differs between classic and Connect
        raise UserError(f"{path}: cannot read it as Parquet ({str(exc).splitlines()[0]})") from exc


def _try_parquet(session, path: str):
    """A Parquet read, or None when it fails (used to probe remote folders)."""
    try:
        return session.read.parquet(path)
    except Exception:
        return None


def _parquet_frames(session, source: str) -> dict[str, Any]:
    """A folder in the export layout (``transactions.parquet`` and optional companions), else
    a Parquet file or folder of transactions."""
    base = source.rstrip("/")
    remote = "://" in source
    if remote:
        found = None if base.endswith(".parquet") else _try_parquet(session, f"{base}/transactions.parquet")
    elif (Path(source) / "transactions.parquet").exists():
        found = _read_parquet(session, f"{base}/transactions.parquet")
    else:
        found = None
    if found is None:
        if not remote and not Path(source).exists():
            raise UserError(f"{source}: no such Parquet file or folder")
        return {"transactions": _read_parquet(session, source)}
    frames = {"transactions": found}
    for table in ("customers", "interactions"):
        path = f"{base}/{table}.parquet"
        if remote:
            frame = _try_parquet(session, path)
        else:
            frame = _read_parquet(session, path) if Path(path).exists() else None
        if frame is not None:
            frames[table] = frame
    return frames


def _catalog_frames(session, name: str) -> dict[str, Any]:
    if not session.catalog.tableExists(name):
        raise UserError(
            f"{name}: no such Parquet file or folder, and no table of that name in the Spark catalog"
        )
    frames = {"transactions": session.table(name)}
    for table in ("customers", "interactions"):
        if session.catalog.tableExists(f"{name}_{table}"):
            frames[table] = session.table(f"{name}_{table}")
    return frames


def _is_path(source: str) -> bool:
    return "://" in source or Path(source).exists() or source.endswith(".parquet") or os.sep in source


def spark_tables(session, source: str, overrides: dict[str, str] | None = None) -> Tables:
    """The three data tables as Ibis tables on ``session`` (see the module docstring for
    what ``source`` may be). Nothing is copied: each table is a temporary view over the
    source with the store's column names and types; the source's columns are recognised as
    the import recognises them, ``overrides`` ({field: column}, ``--map``) first."""
    import ibis

    if not source:
        raise UserError("--engine spark needs --source: a Parquet file or folder, or a Spark table")
    source = str(source)
    frames = _parquet_frames(session, source) if _is_path(source) else _catalog_frames(session, source)
    con = ibis.pyspark.connect(session)
    tag = uuid.uuid4().hex[:8]
    tables = []
    for table in DATA_TABLES:
        frame = frames.get(table)
        frame = _empty(session, table) if frame is None else _conform(frame, table, source, overrides)
        view = f"one_to_one_{table}_{tag}"
        frame.createOrReplaceTempView(view)
        tables.append(con.table(view))
    return Tables(*tables)


def spark_report(source: str, settings=None, as_of: Any = None, session=None,
                 overrides: dict[str, str] | None = None) -> dict[str, Any]:
    """``build_report`` on Spark: every key of ``report --json``, computed from ``source``.
    ``as_of`` may be a function of the tables (the CLI checks its flags against the data)."""
    from analysis.report import ReportSettings, build_report

    session = session or spark_session()
    tables = spark_tables(session, source, overrides)
    return build_report(tables, as_of(tables) if callable(as_of) else as_of, settings or ReportSettings())


def spark_actions(source: str, settings=None, action_settings=None, as_of: Any = None, filters=None,
                  limit: int | None = None, session=None, overrides: dict[str, str] | None = None):
    """``action_list`` on Spark: the suggested actions of ``actions --json`` from ``source``
    (the rules, learning, supersede and fatigue cap run in Spark; only the rows returned are
    written in words)."""
    from analysis.customize.plan import ActionSettings, ReportSettings, action_list

    session = session or spark_session()
    tables = spark_tables(session, source, overrides)
    return action_list(tables, as_of(tables) if callable(as_of) else as_of, filters, limit,
                       settings or ReportSettings(), action_settings or ActionSettings())


def export_parquet(ws, folder: str | Path) -> dict[str, Path]:
    """Write a workspace's customers, transactions and interactions to
    ``folder/<table>.parquet`` (the layout ``--source FOLDER`` reads). Returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = ws.tables()
    paths = {}
    for table in DATA_TABLES:
        path = folder / f"{table}.parquet"
        getattr(tables, table).to_parquet(path)
        paths[table] = path
    return paths
