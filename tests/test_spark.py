"""The report on Spark (issue 7 section 3): the demo company exported to Parquet, reported by
a local Spark session, must give every figure the DuckDB report gives on the same data."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import time

import pandas as pd
import pytest

pytestmark = pytest.mark.spark

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -r requirements-dev.txt)")
if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
    pytest.skip("Java is not installed (Debian: apt-get install openjdk-17-jre-headless)", allow_module_level=True)

from analysis.cli import main  # noqa: E402
from analysis.errors import UserError  # noqa: E402
from analysis.report import ReportSettings, build_report  # noqa: E402
from analysis.spark import export_parquet, spark_session, spark_tables  # noqa: E402
from analysis.store import SCHEMA, Workspace  # noqa: E402

REL = 1e-6


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


def assert_same(expected, actual, where="report"):
    """Recursive equality; floats equal to REL relative (or 1e-9 absolute near zero)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), where
        assert sorted(expected) == sorted(actual), f"{where}: keys differ"
        for key in expected:
            assert_same(expected[key], actual[key], f"{where}.{key}")
    elif isinstance(expected, (list, tuple)):
        assert isinstance(actual, (list, tuple)) and len(expected) == len(actual), f"{where}: lengths differ"
        for i, (e, a) in enumerate(zip(expected, actual)):
            assert_same(e, a, f"{where}[{i}]")
    elif isinstance(expected, float) and not isinstance(actual, bool):
        assert isinstance(actual, (int, float)), f"{where}: {actual!r} is not a number"
        if math.isnan(expected):
            assert math.isnan(actual), f"{where}: {actual} != NaN"
        else:
            assert actual == pytest.approx(expected, rel=REL, abs=1e-9), f"{where}: {actual} != {expected}"
    else:
        assert type(actual) is type(expected) and actual == expected, f"{where}: {actual!r} != {expected!r}"


def test_assert_same_catches_differences():
    assert_same({"a": [1, 2.0, "x"]}, {"a": [1, 2.0 * (1 + 1e-8), "x"]})
    for other in ({"a": [1, 2.001, "x"]}, {"a": [2, 2.0, "x"]}, {"a": [1, 2.0]}, {"b": [1, 2.0, "x"]}):
        with pytest.raises(AssertionError):
            assert_same({"a": [1, 2.0, "x"]}, other)


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
    expected = json.loads(json.dumps(expected, default=_json_default))
    # The demo fills every section: a null section would make the comparison hollow.
    for key in ("kpis", "clusters", "clv"):
        assert expected[key] is not None, expected["messages"]
    assert expected["matrix"] and expected["rfm_segments"] and expected["pareto"]["gini"] is not None
    assert_same(expected, got)


def _json_default(value):
    from analysis.cli import _json_default as default

    return default(value)


def test_a_transactions_file_alone_and_catalog_tables(spark, demo_parquet):
    """A Parquet file with only the required columns: the rest are NULL and the customer
    list and contacts are empty. A catalog table finds its <name>_customers companion."""
    sales = pd.DataFrame({
        "Customer_ID": ["a", "a", "b"],
        "date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]).date,
        "amount": [10, 20, 5],  # integers: cast to the store's DOUBLE
        "extra": [1, 2, 3],
    })
    path = demo_parquet.parent / "sales_only.parquet"
    sales.to_parquet(path)
    t = spark_tables(spark, str(path))
    assert list(t.transactions.columns) == list(SCHEMA["transactions"])
    assert list(t.customers.columns) == list(SCHEMA["customers"])
    assert t.customers.count().to_pyarrow().as_py() == 0
    assert t.interactions.count().to_pyarrow().as_py() == 0
    assert str(t.transactions.schema()["amount"]).startswith("float64")
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
