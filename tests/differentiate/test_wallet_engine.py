"""Wallets applied in the engine (issue 18: "the model fitted on a sample, the estimate
applied in the engine"): the fitted trees written as one expression and the peer groups as
joins give, customer for customer, the figures the model gives in NumPy."""

from __future__ import annotations

import json

import ibis
import numpy as np
import pandas as pd
import pytest

from analysis.differentiate import headroom
from analysis.differentiate.wallet import WalletEstimator, engine_wallets, estimate_wallets, wallet_inputs
from analysis.store import Workspace

SEED = 20261207


def same_customers(numpy_side: pd.DataFrame, engine_side: pd.DataFrame) -> None:
    """Every column of the two per-customer frames, customer by customer: money to the
    cent, the rest exactly; peer groups as the JSON the scores store."""
    a = numpy_side.set_index("customer_id").sort_index()
    b = engine_side.set_index("customer_id").sort_index()
    assert list(a.index) == list(b.index)
    for column in ("wallet_estimate", "headroom", "revenue_year"):
        assert np.allclose(a[column], b[column], atol=0.005, rtol=0, equal_nan=True), column
    assert np.allclose(a["share_of_wallet"], b["share_of_wallet"], rtol=1e-9, equal_nan=True)
    assert a["wallet_source"].fillna("-").tolist() == b["wallet_source"].fillna("-").tolist()
    assert a["peers"].fillna(-1).astype(int).tolist() == b["peers"].fillna(-1).astype(int).tolist()
    assert [as_json(g) for g in a["peer_group"]] == [as_json(g) for g in b["peer_group"]]


def as_json(group):
    """A peer group as the JSON text the scores store (a dict from NumPy, text from the engine)."""
    if isinstance(group, dict):
        return json.dumps(group, ensure_ascii=False)
    return group if isinstance(group, str) else None


def test_the_demo_companys_wallets_in_the_engine_are_those_of_the_model(demo_db):
    """What the app and `report` now run (the engine) against the model applied in NumPy on
    the same customers: the same wallet, source, peers, share and headroom for all 6,000,
    and the same check on the given wallets."""
    with Workspace(demo_db, read_only=True) as ws:
        inputs = wallet_inputs(ws.tables())
        local = estimate_wallets(inputs.to_pandas())
        engine = headroom.customer_wallets(ws.tables(), None)
        assert engine.in_engine
        frame = engine.frame()
    assert len(frame) == len(local.customers) == 6000
    same_customers(local.customers, frame)
    assert engine.summary() == local.summary()
    assert engine.holdout.median_ape < engine.holdout.baseline_median_ape
    # the stored columns: the group's words come from the same JSON
    stored = headroom.wallet_columns(engine).set_index("customer_id")
    row = stored[stored["wallet_source"] == "estimated"].iloc[0]
    assert set(json.loads(row["wallet_peer_group"])) <= {"industry", "region", "channel", "orders_per_year",
                                                          "order_value", "categories", "tenure_years"}


def shop(n: int, seed: int = SEED) -> pd.DataFrame:
    """Customers with text, numbers, missing values and a category only some have."""
    print("seed", seed)
    rng = np.random.default_rng(seed)
    industry = rng.choice(["Retail", "Finance", "Health", None], n, p=[0.4, 0.3, 0.2, 0.1])
    spend = np.round(rng.lognormal(7, 1, n) * np.where(industry == "Finance", 3.0, 1.0), 2)
    orders = rng.integers(1, 20, n).astype(float)
    orders[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame({
        "customer_id": [f"c{i:05d}" for i in range(n)],
        "wallet": np.nan, "has_purchased": rng.random(n) < 0.95,
        "revenue_year": spend, "best_year": np.round(spend * rng.uniform(1, 1.5, n), 2),
        "industry": industry, "region": rng.choice(["North", "South", "East"], n),
        "orders_per_year": orders, "order_value": np.round(spend / np.maximum(orders, 1), 2),
    })


@pytest.mark.parametrize("model", ["boosting", "peers"])
def test_a_shop_without_wallets_gets_the_same_estimates_in_the_engine(model):
    frame = shop(3000)
    local = estimate_wallets(frame, model=model)
    engine = engine_wallets(ibis.memtable(frame), model=model)  # DuckDB, Ibis's default engine
    same_customers(local.customers, engine.frame())
    assert engine.summary() == local.summary() and engine.trained_on == "revenue"


def test_the_trees_as_an_expression_are_the_model_on_unseen_and_missing_values():
    frame = shop(2000)
    X, y = frame[["industry", "region", "orders_per_year", "order_value"]], frame["revenue_year"]
    model = WalletEstimator().fit(X, y)
    new = pd.DataFrame({"industry": ["Mining", None, "Retail", "Finance"], "region": ["North", "Moon", None, "East"],
                        "orders_per_year": [np.nan, 3.0, 40.0, 1.0], "order_value": [10.0, np.nan, 5000.0, 0.0]})
    table = ibis.memtable(new.assign(row=range(len(new))))
    got = model.with_log(table).order_by("row").to_pandas()["_log_estimate"].to_numpy()
    assert np.allclose(np.exp(got), model.predict(new), rtol=1e-12)
    # numbers only: no categorical split at all
    numbers = WalletEstimator().fit(X[["orders_per_year", "order_value"]], y)
    got = numbers.with_log(table).order_by("row").to_pandas()["_log_estimate"].to_numpy()
    assert np.allclose(np.exp(got), numbers.predict(new[["orders_per_year", "order_value"]]), rtol=1e-12)
