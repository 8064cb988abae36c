"""The action rules' history inputs on Spark: the demo exported to Parquet and read by a local
Spark session gives every input, answer and cross-sell rule the DuckDB workspace gives."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest

pytestmark = pytest.mark.spark

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -r requirements-dev.txt)")
if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
    pytest.skip("Java is not installed (Debian: apt-get install openjdk-17-jre-headless)", allow_module_level=True)

from analysis.customize import history  # noqa: E402
from analysis.identify.facts import data_range  # noqa: E402
from analysis.store import Workspace  # noqa: E402
from analysis.store.spark import export_parquet, spark_tables  # noqa: E402
from tests.customize.test_history import AS_OF, shop  # noqa: E402,F401  (the imported ugly shop)
from tests.store.test_spark import demo_parquet, spark  # noqa: E402,F401  (the session fixtures)


def assert_same(spark, folder, expected):
    got = history.action_inputs(spark_tables(spark, str(folder)), expected.as_of)
    pd.testing.assert_frame_equal(got.frame, expected.frame, check_dtype=False)
    pd.testing.assert_frame_equal(got.answers, expected.answers, check_dtype=False)
    pd.testing.assert_frame_equal(got.rules, expected.rules, check_dtype=False)


def test_demo_history_inputs_on_spark_equal_duckdb(spark, demo_db, demo_parquet):  # noqa: F811
    with Workspace(demo_db, read_only=True) as ws:
        expected = history.action_inputs(ws.tables(), data_range(ws.tables())[1])
    assert expected.frame["open_complaints"].gt(0).any() and expected.frame["crosssell_category"].notna().any()
    assert_same(spark, demo_parquet, expected)


def test_ugly_shop_history_inputs_on_spark_equal_duckdb(spark, shop, tmp_path):  # noqa: F811
    """Chinese and accented ids and categories, outcomes written every which way, answers."""
    with Workspace(shop, read_only=True) as ws:
        expected = history.action_inputs(ws.tables(), AS_OF)
        export_parquet(ws, tmp_path / "shop")
    assert len(expected.answers) == 2 and expected.frame["open_complaints"].gt(0).any()
    assert_same(spark, tmp_path / "shop", expected)
