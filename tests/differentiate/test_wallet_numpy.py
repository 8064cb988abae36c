"""Wallets of a customer list that fits in memory are applied to its rows in NumPy, not
compiled into one engine expression (issue 15 §2: the whole-process report at 200,000
customers): a wholesaler imports its customer list, some accounts with the wallet its sales
reps wrote down, and a year of orders, then runs ``report --json``. The fitted trees are
never written as an expression, and the figures are what the raw rows say; on the demo the
two ways of applying the model give the same figures for every customer."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from analysis.differentiate import headroom, wallet_model, wallet_peers
from analysis.differentiate.wallet import engine_wallets, holdout_estimates, wallet_inputs
from analysis.store import Workspace, materialize
from tests.cli import ok_json
from tests.differentiate.test_wallet_engine import same_customers

SEED = 20261207
ACCOUNTS = 1_500


def wholesaler(capsys, folder):
    """(customer list, orders, workspace): customers.csv (id, industry, region, wallet for
    40% of them) and orders.csv (a year of orders for 90% of the accounts), imported."""
    print("seed", SEED, file=sys.stderr)  # stdout carries the commands' JSON
    rng = np.random.default_rng(SEED)
    ids = np.array([f"W{i:04d}" for i in range(ACCOUNTS)])
    industry = rng.choice(["Cafes", "Hotels", "Schools", "Clinics"], ACCOUNTS)
    region = rng.choice(["North", "South", "East"], ACCOUNTS)
    wallet = np.round(rng.lognormal(8, 0.5, ACCOUNTS), 2)
    given = rng.random(ACCOUNTS) < 0.4
    customers = pd.DataFrame({"customer_id": ids, "industry": industry, "region": region,
                              "wallet": np.where(given, wallet, np.nan)})
    buying = np.flatnonzero(rng.random(ACCOUNTS) < 0.9)
    orders = rng.integers(1, 5, len(buying))
    who = np.repeat(buying, orders)
    amount = np.round(wallet[who] * rng.uniform(0.05, 0.25, len(who)), 2)
    day = pd.Timestamp("2025-12-31") - pd.to_timedelta(rng.integers(0, 360, len(who)), unit="D")
    tx = pd.DataFrame({"customer_id": ids[who], "order_id": [f"O{k}" for k in range(len(who))],
                       "date": day.strftime("%Y-%m-%d"), "amount": amount})
    files = {"customers.csv": customers, "orders.csv": tx}
    for name, frame in files.items():
        frame.to_csv(folder / name, index=False)
    db = folder / "wholesaler.duckdb"
    ok_json(capsys, "ingest", *[folder / name for name in files], "--db", db, "--json")
    return customers, tx, db


def expressions_written(monkeypatch) -> list:
    """What becomes an engine expression from here on: "trees" (the fitted trees) and
    "groups" (the peer groups' joins)."""
    written = []
    for owner, name, what in ((wallet_model.WalletEstimator, "with_log", "trees"),
                              (wallet_peers.PeerGroups, "columns_expr", "groups")):
        def counted(self, *a, _original=getattr(owner, name), _what=what, **k):
            written.append(_what)
            return _original(self, *a, **k)
        monkeypatch.setattr(owner, name, counted)
    return written


def test_a_wholesalers_wallets_are_applied_to_its_rows_without_compiling_the_trees(tmp_path, capsys, monkeypatch):
    customers, tx, db = wholesaler(capsys, tmp_path)
    written = expressions_written(monkeypatch)
    report = ok_json(capsys, "report", "--db", db, "--json")
    assert written == []  # neither the trees nor the peer groups became an engine expression

    # The counts, from the raw rows: a given wallet is a positive one in the list; every
    # other account that bought gets an estimate.
    given = customers["wallet"].notna() & (customers["wallet"] > 0)
    bought = customers["customer_id"].isin(tx["customer_id"])
    wallet = report["wallet"]
    assert wallet["given"] == int(given.sum())
    assert wallet["estimated"] == int((bought & ~given).sum())
    # The check's baseline, the naive wallet being the account's year of orders (every order
    # lies in the last 12 months), from the raw rows of the customers it checked.
    with Workspace(db, read_only=True) as ws:
        checked = holdout_estimates(wallet_inputs(ws.tables()).to_pandas()).index
    assert wallet["holdout"]["customers"] == len(checked) == int((bought & given).sum())
    stated = customers.set_index("customer_id")["wallet"].loc[checked]
    best = tx.groupby("customer_id")["amount"].sum().round(2).loc[checked]
    assert wallet["holdout"]["baseline_median_ape"] == pytest.approx(((best - stated).abs() / stated).median(),
                                                                     rel=1e-9)


@pytest.mark.parametrize("model", ["boosting", "peers"])
def test_the_demo_companys_wallets_are_the_same_applied_in_numpy_or_in_the_engine(demo_db, model):
    with Workspace(demo_db, read_only=True) as ws:
        inputs = materialize(wallet_inputs(ws.tables()))
        in_engine = engine_wallets(inputs, model=model, in_numpy=False)
        in_numpy = engine_wallets(inputs, model=model, in_numpy=True)
        by_default = headroom.customer_wallets(ws.tables(), None)
        engine_frame, numpy_frame = in_engine.frame(), in_numpy.frame()
        if model == "boosting":
            same_customers(by_default.frame(), numpy_frame)
    assert len(numpy_frame) == 6000 and in_numpy.in_engine
    same_customers(engine_frame, numpy_frame)
    # to the cent is not enough here: the very same doubles
    a = engine_frame.set_index("customer_id").sort_index()
    b = numpy_frame.set_index("customer_id").sort_index()
    for column in ("wallet_estimate", "headroom", "share_of_wallet"):
        assert a[column].equals(b[column]), column
    assert in_numpy.summary() == in_engine.summary()
