"""The report on Spark (issue 7 section 3): the demo company exported to Parquet, reported by
a local Spark session, must give every figure the DuckDB report gives on the same data."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time

import pandas as pd
import pytest

pytestmark = pytest.mark.spark

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -r requirements-dev.txt)")
if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
    pytest.skip("Java is not installed (Debian: apt-get install openjdk-17-jre-headless)", allow_module_level=True)

from analysis.store import engine  # noqa: E402
from analysis.cli import main  # noqa: E402
from analysis.errors import UserError  # noqa: E402
from analysis.report import build_report  # noqa: E402
from analysis.settings import ReportSettings  # noqa: E402
from analysis.store.spark import export_parquet, spark_report, spark_session, spark_tables  # noqa: E402
from analysis.store import SCHEMA, Workspace  # noqa: E402
from tests.test_report import SAMPLED_LIMIT, as_json, assert_same, assert_sampled_report_close  # noqa: E402


@pytest.fixture(scope="session")
def spark():
    """One local Spark session for the whole run (starting one takes ~15 s)."""
    if os.environ.get("SPARK_REMOTE") or os.environ.get("ONE_TO_ONE_SPARK_MASTER"):
        pytest.skip("the Spark tests run on a local session; unset SPARK_REMOTE / ONE_TO_ONE_SPARK_MASTER")
    started = time.perf_counter()
    session = spark_session()
    print(f"spark session started in {time.perf_counter() - started:.1f} s")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def demo_parquet(demo_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo_parquet")
    with Workspace(demo_db, read_only=True) as ws:
        export_parquet(ws, folder)
    return folder


def test_every_figure_of_the_cli_report_on_spark_matches_duckdb(spark, demo_db, demo_parquet, capsys):
    """`report --engine spark --source FOLDER --json` (which is spark_report) against
    build_report on the DuckDB workspace, JSON to JSON. One Spark report per run: each
    Spark query costs seconds of planning, and the report runs a few dozen of them."""
    started = time.perf_counter()
    code = main(["report", "--engine", "spark", "--source", str(demo_parquet), "--json"])
    out, err = capsys.readouterr()
    print(f"spark report in {time.perf_counter() - started:.1f} s")
    assert code == 0, err
    got = json.loads(out)
    with Workspace(demo_db, read_only=True) as ws:
        expected = build_report(ws.tables(), None, ReportSettings())
    expected = as_json(expected)
    # The demo fills every section: a null section would make the comparison hollow.
    for key in ("kpis", "clusters", "clv", "wallet"):
        assert expected[key] is not None, expected["messages"]
    assert expected["wallet"]["holdout"] is not None  # the demo gives wallets: the check runs on Spark too
    assert expected["matrix"] and expected["rfm_segments"] and expected["pareto"]["gini"] is not None
    assert_same(expected, got)


def test_above_the_local_limit_spark_samples_the_same_customers_as_duckdb(spark, demo_db, demo_parquet,
                                                                       monkeypatch):
    """With fewer customers allowed on the driver than the demo has, both engines fit the
    models on the same hash samples and count everything else themselves: the Spark report
    equals the DuckDB report at the same limit, figure for figure, and against the full
    report the exact figures are unchanged and the model figures close."""
    with Workspace(demo_db, read_only=True) as ws:
        full = as_json(build_report(ws.tables(), None, ReportSettings()))
        monkeypatch.setattr(engine, "LOCAL_ROWS", SAMPLED_LIMIT)
        duck = as_json(build_report(ws.tables(), None, ReportSettings()))
    started = time.perf_counter()
    got = as_json(spark_report(str(demo_parquet), session=spark))
    print(f"sampled spark report in {time.perf_counter() - started:.1f} s")
    assert full["kpis"]["buyers"] > 2 * SAMPLED_LIMIT
    assert duck["clusters"] != full["clusters"] and duck["clv"]["gamma_gamma"] != full["clv"]["gamma_gamma"]
    assert_same(duck, got)
    assert_sampled_report_close(full, got)


def test_a_transactions_file_alone_and_catalog_tables(spark, demo_parquet):
    """A Parquet file with only the required columns: the rest are NULL and the customer
    list and contacts are empty. A catalog table finds its <name>_customers companion."""
    sales = pd.DataFrame({
        "Customer_ID": ["a", "a", "b"],
        "date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]).date,
        "amount": [10, 20, 5],  # integers: cast to the store's exact DECIMAL(18,2)
        "extra": [1, 2, 3],
    })
    path = demo_parquet.parent / "sales_only.parquet"
    sales.to_parquet(path)
    t = spark_tables(spark, str(path))
    assert list(t.transactions.columns) == list(SCHEMA["transactions"])
    assert list(t.customers.columns) == list(SCHEMA["customers"])
    assert t.customers.count().to_pyarrow().as_py() == 0
    assert t.interactions.count().to_pyarrow().as_py() == 0
    assert str(t.transactions.schema()["amount"]).startswith("decimal(18, 2)")
    frame = t.transactions.order_by("date").to_pandas()
    assert frame["amount"].tolist() == [10.0, 20.0, 5.0]
    assert frame["order_id"].isna().all()
    assert [pd.Timestamp(d).date() for d in frame["date"]] == [dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)]

    spark.read.parquet(str(demo_parquet / "transactions.parquet")).createOrReplaceTempView("demo_sales")
    spark.read.parquet(str(demo_parquet / "customers.parquet")).createOrReplaceTempView("demo_sales_customers")
    t = spark_tables(spark, "demo_sales")
    expected = pd.read_parquet(demo_parquet / "customers.parquet")
    assert t.customers.count().to_pyarrow().as_py() == len(expected) > 0
    assert t.interactions.count().to_pyarrow().as_py() == 0


def test_bad_sources_are_user_errors(spark, tmp_path, capsys):
    with pytest.raises(UserError, match="no table of that name"):
        spark_tables(spark, "no_such_table")
    with pytest.raises(UserError, match="no such Parquet"):
        spark_tables(spark, str(tmp_path / "absent.parquet"))
    pd.DataFrame({"customer_id": ["a"], "amount": [1.0]}).to_parquet(tmp_path / "nodate.parquet")
    with pytest.raises(UserError, match="date"):
        spark_tables(spark, str(tmp_path / "nodate.parquet"))
    code = main(["report", "--engine", "spark", "--source", "no_such_table", "--json"])
    _, err = capsys.readouterr()
    assert code == 2 and err.startswith("error:") and "no_such_table" in err


def test_wallets_are_estimated_in_spark_customer_for_customer_as_in_duckdb(spark, demo_db, demo_parquet):
    """Issue 18 on Spark: the wallet model fitted on the driver and applied in Spark (the
    trees as one expression, the peer groups as joins) gives every customer the wallet,
    source, peers, share and headroom DuckDB gives; the rows stay in Spark until read."""
    from analysis.differentiate import headroom
    from tests.differentiate.test_wallet_engine import same_customers

    with Workspace(demo_db, read_only=True) as ws:
        duck = headroom.customer_wallets(ws.tables(), None)
        expected = duck.frame()
    started = time.perf_counter()
    got = headroom.customer_wallets(spark_tables(spark, str(demo_parquet)), None)
    assert got.in_engine and type(got.customers).__module__.startswith("ibis")
    frame = got.frame()
    print(f"spark wallets in {time.perf_counter() - started:.1f} s")
    same_customers(expected, frame)
    assert got.summary() == duck.summary()


@pytest.mark.timeout(1800)
def test_the_action_plan_on_spark_is_the_duckdb_plan(spark, demo_db, demo_parquet, capsys, tmp_path):
    """`actions --engine spark --source FOLDER --tier top --json` (rules, learning, supersede
    and the fatigue cap in Spark) against `actions --db` on the same demo. The Parquet source
    holds the customers, purchases and contacts but no campaigns, so the DuckDB side is the
    demo without its campaigns (with them, the plan also learns from their results)."""
    import duckdb

    plain_db = tmp_path / "demo without campaigns.duckdb"
    shutil.copy(demo_db, plain_db)
    with duckdb.connect(str(plain_db)) as con:
        con.execute('DELETE FROM "campaign_members"')
        con.execute('DELETE FROM "campaigns"')

    def actions(*argv):
        assert main(["actions", *argv, "--as-of", "2026-03-31", "--tier", "top", "--limit", "300", "--json"]) == 0
        return json.loads(capsys.readouterr().out)

    started = time.perf_counter()
    # a Parquet source carries no workspace notes: its currency is given, as a user would
    got = actions("--engine", "spark", "--source", str(demo_parquet), "--currency", "USD")
    took = time.perf_counter() - started
    want = actions("--db", str(plain_db))
    print(f"spark actions in {took:.1f} s")
    assert len(want) > 20 and got == want


def test_a_source_with_its_own_column_names(spark, demo_parquet, tmp_path, capsys):
    """A Parquet export whose date column is `order_date` (a name the import recognises) or
    `day_of_sale` (named with --map) reads like the store's own names."""
    sales = spark.read.parquet(str(demo_parquet / "transactions.parquet"))
    sales.withColumnRenamed("date", "order_date").write.parquet(str(tmp_path / "orders.parquet"))
    sales.withColumnRenamed("date", "day_of_sale").withColumnRenamed("amount", "total") \
        .write.parquet(str(tmp_path / "odd.parquet"))

    def rows(source, overrides=None):
        t = spark_tables(spark, str(source), overrides).transactions
        return t.order_by(["customer_id", "date", "order_id", "amount"]).to_pandas()

    plain = rows(demo_parquet / "transactions.parquet")
    pd.testing.assert_frame_equal(rows(tmp_path / "orders.parquet"), plain)
    pd.testing.assert_frame_equal(rows(tmp_path / "odd.parquet", {"date": "day_of_sale", "amount": "Total"}), plain)
    code = main(["actions", "--engine", "spark", "--source", str(tmp_path / "odd.parquet"), "--json"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and "need a column date;" in err, err
