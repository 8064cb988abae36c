"""Wallets estimated from look-alikes: the honest check on the demo company (its given
wallets hidden in turn), a workspace with purchases only, the per-customer inputs against
hand-computed figures, the estimator's known answers, and data that must not break it."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from analysis.store import Workspace
from analysis.differentiate.wallet import (
    WalletEstimator, estimate_wallets, holdout_estimates, wallet_inputs,
)
from tests.builders import make_workspace

SEED = 20261123


def naive_best_year(tx: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """Each customer's best 12-month window of net revenue counted back from ``as_of``
    (windows (as_of - k-1 years, as_of - k years]), computed here with pandas date offsets."""
    stamp = pd.Timestamp(as_of)
    bounds = [stamp - pd.DateOffset(years=k) for k in range(0, 40)]  # as_of, as_of - 1 year, ...
    dates = pd.to_datetime(tx["date"])
    window = pd.Series(0, index=tx.index)
    for k in range(1, len(bounds)):
        window += (dates <= bounds[k]).astype(int)
    per = tx.assign(window=window).groupby(["customer_id", "window"])["amount"].sum()
    return per.groupby(level=0).max().clip(lower=0).round(2)


# -- the honest check on the demo company ------------------------------------------------------
@pytest.fixture(scope="module")
def demo(demo_db):
    with Workspace(demo_db, read_only=True) as ws:
        frame = wallet_inputs(ws.tables()).to_pandas()
        customers = ws.query("SELECT customer_id, wallet FROM customers")
        tx = ws.query("SELECT customer_id, date, amount FROM transactions")
    return frame, customers, tx


def test_the_estimate_beats_the_customers_own_best_year_on_the_demo_with_its_wallets_hidden(demo):
    frame, customers, tx = demo
    wallets = estimate_wallets(frame)
    check = wallets.holdout
    print(wallets.summary())

    # The customers checked: every buyer with a given wallet, counted from the raw tables.
    as_of = pd.to_datetime(tx["date"]).max().date()
    given = customers[customers["wallet"] > 0].set_index("customer_id")["wallet"]
    buyers_given = given[given.index.isin(tx["customer_id"])]
    assert wallets.trained_on == "wallets" and wallets.given == len(given)
    assert check.customers == len(buyers_given) > 1500
    # The naive wallet (own best year), scored here without the module.
    best = naive_best_year(tx, as_of).reindex(buyers_given.index).fillna(0.0)
    ape = ((best - buyers_given).abs() / buyers_given).median()
    rho = best.rank().corr(buyers_given.rank())
    assert check.baseline_median_ape == pytest.approx(ape, rel=1e-9)
    assert check.baseline_spearman == pytest.approx(rho, rel=1e-9)
    # The estimate, each wallet unseen by the model that estimates it, beats it on both counts.
    assert check.median_ape < check.baseline_median_ape
    assert check.spearman > check.baseline_spearman
    assert not wallets.benchmark
    json.dumps(wallets.summary(), allow_nan=False)

    # Given wallets win, as typed; every other buyer is estimated from its peers.
    out = wallets.customers.set_index("customer_id")
    assert (out.loc[given.index, "wallet_source"] == "given").all()
    assert out.loc[given.index, "wallet_estimate"].tolist() == given.tolist()
    others = out[~out.index.isin(given.index) & out.index.isin(tx["customer_id"])]
    assert (others["wallet_source"] == "estimated").all() and len(others) == wallets.estimated
    assert (others["peers"] >= 30).all()
    never_bought = out[~out.index.isin(tx["customer_id"]) & ~out.index.isin(given.index)]
    assert never_bought["wallet_source"].isna().all() and never_bought["wallet_estimate"].isna().all()


def test_a_wallet_never_trains_its_own_estimate(demo):
    """The check is not circular: moving a customer's given wallet a hundredfold leaves that
    customer's held-out estimate exactly as it was, while it does move the others' (the
    model does learn from given wallets, only never from the one it estimates)."""
    frame = demo[0]
    before = holdout_estimates(frame)
    target = before.index[len(before) // 2]
    moved = frame.copy()
    moved.loc[moved["customer_id"] == target, "wallet"] *= 100
    after = holdout_estimates(moved)
    assert after[target] == before[target]
    assert (after != before).any()


def test_same_data_same_wallets(demo):
    frame = demo[0]
    one, two = estimate_wallets(frame, check=False), estimate_wallets(frame.sample(frac=1.0, random_state=1), check=False)
    pd.testing.assert_frame_equal(one.customers, two.customers)


# -- a workspace with purchases only --------------------------------------------------------
def test_a_purchases_only_workspace_gets_an_estimate_for_every_active_customer(demo, tmp_path):
    tx = demo[2].copy()
    ws = Workspace(tmp_path / "shop.duckdb")
    with ws.transaction() as cur:
        ws.append(cur, "transactions", tx)
    frame = wallet_inputs(ws.tables()).to_pandas()
    wallets = estimate_wallets(frame)

    # Active customers and their last-12-month revenue, from the raw lines.
    as_of = pd.Timestamp(pd.to_datetime(tx["date"]).max())
    recent = tx[pd.to_datetime(tx["date"]) > as_of - pd.DateOffset(years=1)]
    revenue = recent.groupby("customer_id")["amount"].sum()
    out = wallets.customers.set_index("customer_id")
    active = out.loc[revenue.index]
    assert len(active) == recent["customer_id"].nunique() > 2500
    assert (active["wallet_source"] == "estimated").all()
    assert (active["wallet_estimate"] >= active["revenue_year"]).all()
    assert np.allclose(active["revenue_year"], revenue)
    share = revenue.clip(lower=0) / active["wallet_estimate"]
    assert np.allclose(active["share_of_wallet"], share) and (active["share_of_wallet"] <= 1).all()
    assert np.allclose(active["headroom"], active["wallet_estimate"] - revenue.clip(lower=0))
    assert (active["peers"] >= 30).all()
    assert wallets.trained_on == "revenue" and wallets.quantile == 0.9
    assert wallets.benchmark and wallets.holdout is None
    assert wallets.summary() == {"given": 0, "estimated": len(out.dropna(subset=["wallet_estimate"])),
                                 "holdout": None}

    # "estimated from N similar customers (...)": N counts the customers of the fit (this
    # year's buyers) whose figures fall in the group as described.
    fit = frame[frame["revenue_year"] > 0]
    for customer in active.index[:: max(1, len(active) // 25)]:
        group, peers = active.loc[customer, "peer_group"], active.loc[customer, "peers"]
        assert set(group) <= {"orders_per_year", "order_value", "categories", "tenure_years"}
        inside = pd.Series(True, index=fit.index)
        for column, (low, high) in group.items():
            inside &= fit[column].between(low, high)
        assert inside.sum() == peers, (customer, group)


# -- the per-customer inputs, on figures worked out by hand -------------------------------------
def test_inputs_count_windows_back_from_the_as_of_date(tmp_path):
    tx = [
        # a: window 0 is (2023-06-30, 2024-06-30]: 100 + 300 = 400; window 1: 500 + 200 = 700
        {"customer_id": "a", "order_id": "1", "date": "2024-06-30", "amount": 100.0, "category": "Paper"},
        {"customer_id": "a", "order_id": "2", "date": "2023-07-01", "amount": 300.0, "category": "Ink"},
        {"customer_id": "a", "order_id": "3", "date": "2023-06-30", "amount": 500.0, "category": "Paper"},
        {"customer_id": "a", "order_id": "4", "date": "2022-12-01", "amount": 200.0, "category": "Desks"},
        # b: a refund that empties its only category this year; net revenue below zero
        {"customer_id": "b", "order_id": "5", "date": "2024-01-10", "amount": 50.0, "category": "Ink"},
        {"customer_id": "b", "order_id": "5", "date": "2024-01-20", "amount": -80.0, "category": "Ink"},
    ]
    customers = [{"customer_id": "a", "wallet": 5000.0, "industry": "Retail"},
                 {"customer_id": "p", "wallet": 900.0}]
    ws = make_workspace(tmp_path, customers=customers, transactions=tx)
    f = wallet_inputs(ws.tables(), "2024-06-30").to_pandas().set_index("customer_id")
    a, b, p = f.loc["a"], f.loc["b"], f.loc["p"]
    assert (a.revenue_year, a.best_year, a.categories) == (400.0, 700.0, 3.0)
    assert a.tenure_years == pytest.approx((dt.date(2024, 6, 30) - dt.date(2022, 12, 1)).days / 365.25)
    assert a.orders_per_year == pytest.approx(4 / a.tenure_years)
    assert a.order_value == 275.0  # 1,100 over 4 orders
    assert (b.revenue_year, b.best_year, b.categories, b.orders_per_year) == (-30.0, 0.0, 0.0, 1.0)
    assert not p.has_purchased and pd.isna(p.best_year) and p.wallet == 900.0

    wallets = estimate_wallets(f.reset_index()).customers.set_index("customer_id")
    assert wallets.loc["a", "wallet_source"] == "given" and wallets.loc["a", "headroom"] == 4600.0
    assert wallets.loc["a", "share_of_wallet"] == pytest.approx(400 / 5000)
    # a prospect's given wallet is all headroom; b spent nothing net, so its share is 0
    assert wallets.loc["p", "share_of_wallet"] == 0.0 and wallets.loc["p", "headroom"] == 900.0
    assert wallets.loc["b", "wallet_source"] == "estimated" and wallets.loc["b", "share_of_wallet"] == 0.0


def test_a_29_february_as_of_date_keeps_whole_years(tmp_path):
    tx = [
        {"customer_id": "a", "date": "2023-02-28", "amount": 10.0},  # window 1 (<= 2023-02-28)
        {"customer_id": "a", "date": "2023-03-01", "amount": 20.0},  # window 0
        {"customer_id": "a", "date": "2024-02-29", "amount": 40.0},  # window 0
        {"customer_id": "a", "date": "2022-03-01", "amount": 100.0},  # window 1
        {"customer_id": "a", "date": "2022-02-28", "amount": 1000.0},  # window 2
    ]
    ws = make_workspace(tmp_path, transactions=tx)
    f = wallet_inputs(ws.tables(), "2024-02-29").to_pandas().set_index("customer_id")
    expected = naive_best_year(pd.DataFrame(tx), dt.date(2024, 2, 29))
    assert f.loc["a", "revenue_year"] == 60.0
    assert f.loc["a", "best_year"] == expected["a"] == 1000.0


# -- the estimator ---------------------------------------------------------------------------
def two_groups(n=4000, seed=SEED):
    print("seed", seed)
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"industry": np.repeat(["Retail", "Finance"], n),
                      "noise": rng.random(2 * n)})
    mu = np.where(X["industry"] == "Retail", np.log(1000.0), np.log(5000.0))
    return X, np.exp(mu + 0.5 * rng.standard_normal(2 * n)), mu


def test_the_boosted_quantile_recovers_a_known_90th_percentile():
    X, y, mu = two_groups()
    model = WalletEstimator(quantile=0.9)
    assert model.fit(X, y) is model
    # the 0.9 quantile of a log-normal(mu, 0.5) is exp(mu + 0.5 * 1.2816)
    truth = np.exp(mu + 0.5 * 1.2815516)
    ratio = pd.Series(model.predict(X) / truth).groupby(X["industry"]).median()
    assert ratio.to_dict() == {"Finance": pytest.approx(1.0, abs=0.05), "Retail": pytest.approx(1.0, abs=0.05)}
    # Peers: the same industry and the same quarter of "noise", as described.
    groups = model.peer_groups(X.iloc[[0, -1]])
    for row, (peers, group) in zip([0, len(X) - 1], groups.itertuples(index=False)):
        low, high = group["noise"]
        same = (X["industry"] == X["industry"].iat[row]) & X["noise"].between(low, high)
        assert group["industry"] == X["industry"].iat[row] and peers == same.sum()
        assert 900 < peers < 1100  # a quarter of 4,000


def test_the_peer_model_is_the_quantile_of_each_peer_group():
    X, y, _ = two_groups(n=500)
    model = WalletEstimator(quantile=0.9, model="peers", min_peers=200, bands=2).fit(X, y)
    # bands=2 cuts "noise" at its median: retail customers below it form one peer group
    low = (X["industry"] == "Retail").to_numpy() & (X["noise"] < X["noise"].median()).to_numpy()
    got = model.predict(X)
    groups = model.peer_groups(X)
    first = np.flatnonzero(low)[0]
    assert groups.loc[first, "peers"] == low.sum() > 200
    assert groups.loc[first, "peer_group"]["industry"] == "Retail"
    assert got[low] == pytest.approx(np.full(low.sum(), np.quantile(y[low], 0.9)))
    assert clone(model).get_params() == model.get_params()
    with pytest.raises(ValueError):
        WalletEstimator(quantile=1.5).fit(X, y)



def test_a_boosted_fit_counts_its_peer_groups_only_when_they_are_asked_for(monkeypatch):
    """The check's cross-validated fits only predict: counting every peer group in each of
    them was a quarter of the check's time. Counted when asked for, they are the groups the
    estimator describes (the same figures as counted by hand)."""
    from analysis.differentiate import wallet_peers

    counted = []
    levels = wallet_peers._peer_levels
    monkeypatch.setattr(wallet_peers, "_peer_levels", lambda *a: counted.append(1) or levels(*a))
    X, y, _ = two_groups(n=1000)
    model = WalletEstimator(quantile=0.9).fit(X, y)
    model.predict(X)  # what a fold does
    assert counted == []
    groups = model.peer_groups(X.iloc[[0]])
    assert counted == [1]
    low, high = groups.iloc[0]["peer_group"]["noise"]
    same = (X["industry"] == X["industry"].iat[0]) & X["noise"].between(low, high)
    assert groups.iloc[0]["peers"] == same.sum()
    model.peer_groups(X.iloc[[1]])
    assert counted == [1]  # counted once

# -- data that must not break it ---------------------------------------------------------------
def test_one_customer(tmp_path):
    ws = make_workspace(tmp_path, transactions=[{"customer_id": "solo", "date": "2024-05-01", "amount": 120.0}])
    out = estimate_wallets(wallet_inputs(ws.tables()).to_pandas())
    row = out.customers.iloc[0]
    assert (row.wallet_source, row.wallet_estimate, row.peers, row.share_of_wallet) == ("estimated", 120.0, 1, 1.0)


def test_all_revenue_zero(tmp_path):
    tx = [{"customer_id": f"c{i}", "date": "2024-05-01", "amount": 0.0} for i in range(50)]
    ws = make_workspace(tmp_path, customers=[{"customer_id": "c1", "wallet": 300.0}], transactions=tx)
    out = estimate_wallets(wallet_inputs(ws.tables()).to_pandas())
    c = out.customers.set_index("customer_id")
    assert c.loc["c1", "wallet_source"] == "given" and c.loc["c1", "headroom"] == 300.0
    assert c.drop("c1")["wallet_source"].isna().all() and out.estimated == 0
    assert out.holdout is None and out.benchmark
    json.dumps(out.summary(), allow_nan=False)


def test_missing_and_unseen_attributes(tmp_path):
    rng = np.random.default_rng(SEED)
    n = 300
    customers = [{"customer_id": f"c{i:03d}", "industry": [None, "Retail", "Health"][i % 3],
                  "region": None if i % 7 else f"R{i}"} for i in range(n)]
    tx = [{"customer_id": f"c{i:03d}", "date": "2024-05-01", "amount": float(a)}
          for i, a in enumerate(rng.lognormal(6, 1, n))]
    ws = make_workspace(tmp_path, customers=customers, transactions=tx)
    frame = wallet_inputs(ws.tables()).to_pandas()
    out = estimate_wallets(frame).customers
    assert (out["wallet_source"] == "estimated").all() and np.isfinite(out["wallet_estimate"]).all()
    # 300 regions, more than the trees take as categories; a region never seen before
    model = WalletEstimator().fit(frame.assign(region=[f"R{i}" for i in range(n)])[["industry", "region"]],
                                  frame["revenue_year"])
    unseen = pd.DataFrame({"industry": ["Mining", None], "region": ["nowhere", None]})
    assert np.isfinite(model.predict(unseen)).all()
    # an unseen industry falls back to everyone; a missing one has its own peers (100 of 300)
    assert model.peer_groups(unseen)["peers"].tolist() == [n, n // 3]


def test_wallets_given_for_a_few_train_by_cross_validation_without_crashing(tmp_path):
    tx = [{"customer_id": c, "date": "2024-05-01", "amount": a} for c, a in (("a", 100.0), ("b", 300.0))]
    customers = [{"customer_id": "a", "wallet": 1000.0}, {"customer_id": "b", "wallet": 2000.0}]
    ws = make_workspace(tmp_path, customers=customers, transactions=tx)
    out = estimate_wallets(wallet_inputs(ws.tables()).to_pandas(), min_given=1)
    # Each wallet is estimated from the other one alone (the median of one wallet), never
    # below the customer's own best year: a 2,000 for a, 1,000 for b.
    h = out.holdout
    assert out.trained_on == "wallets" and h.customers == 2
    assert h.median_ape == pytest.approx((1.0 + 0.5) / 2)  # |2000-1000|/1000, |1000-2000|/2000
    assert h.baseline_median_ape == pytest.approx((0.9 + 0.85) / 2)
    assert (h.spearman, h.baseline_spearman) == (pytest.approx(-1.0), pytest.approx(1.0))
