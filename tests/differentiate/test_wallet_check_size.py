"""The wallet check on a large customer list, as a distributor runs it: a customer list of
30,000 accounts, every one with the wallet its sales rep wrote down, and a year of orders,
imported with ``ingest``; then ``report --json``. The check estimates folds of the given
wallets until at least 10,000 are checked (two folds of 6,000 here), so the model is fitted
three times (once to apply, twice to check), not six; its baseline figures are recomputed
here from the raw rows of the checked customers."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from analysis.differentiate import wallet_model
from analysis.differentiate.wallet import holdout_estimates, wallet_inputs
from analysis.store import Workspace
from tests.cli import ok_json

SEED = 20261207
ACCOUNTS = 30_000


def distributor(tmp_path):
    """customers.csv (id, industry, region, wallet) and orders.csv (a year of orders, every
    account buying 1-3 times a share of its wallet)."""
    print("seed", SEED, file=sys.stderr)  # stdout carries the commands' JSON
    rng = np.random.default_rng(SEED)
    ids = [f"A{i:05d}" for i in range(ACCOUNTS)]
    industry = rng.choice(["Retail", "Health", "Hotels", "Schools", "Offices"], ACCOUNTS)
    region = rng.choice(["North", "South", "East", "West"], ACCOUNTS)
    scale = pd.Series(industry).map({"Retail": 1.0, "Health": 2.5, "Hotels": 1.5, "Schools": 0.7,
                                     "Offices": 1.2}).to_numpy()
    wallet = np.round(rng.lognormal(8, 0.6, ACCOUNTS) * scale, 2)
    customers = pd.DataFrame({"customer_id": ids, "industry": industry, "region": region, "wallet": wallet})
    orders = rng.integers(1, 4, ACCOUNTS)
    share = rng.uniform(0.1, 0.9, ACCOUNTS)
    who = np.repeat(np.arange(ACCOUNTS), orders)
    amount = np.round(wallet[who] * share[who] / orders[who] * rng.uniform(0.8, 1.2, len(who)), 2)
    day = pd.Timestamp("2025-12-31") - pd.to_timedelta(rng.integers(0, 300, len(who)), unit="D")
    tx = pd.DataFrame({"customer_id": np.array(ids)[who], "order_id": [f"O{k}" for k in range(len(who))],
                       "date": day.strftime("%Y-%m-%d"), "amount": amount})
    customers.to_csv(tmp_path / "customers.csv", index=False)
    tx.to_csv(tmp_path / "orders.csv", index=False)
    return customers, tx


def test_a_large_customer_list_of_wallets_is_checked_on_two_folds_with_three_fits(tmp_path, capsys, monkeypatch):
    customers, tx = distributor(tmp_path)
    db = tmp_path / "distributor.duckdb"
    ok_json(capsys, "ingest", tmp_path / "customers.csv", tmp_path / "orders.csv", "--db", db, "--json")

    fits = []
    fit = wallet_model.WalletEstimator.fit
    monkeypatch.setattr(wallet_model.WalletEstimator, "fit", lambda self, X, y: fits.append(len(X)) or fit(self, X, y))
    report = ok_json(capsys, "report", "--db", db, "--json")
    monkeypatch.undo()

    wallet = report["wallet"]
    assert wallet["given"] == ACCOUNTS and wallet["estimated"] == 0
    # One fit on every account to estimate, one per fold checked on the other four fifths.
    assert len(fits) == 3
    assert fits[0] == ACCOUNTS and fits[1:] == [ACCOUNTS * 4 // 5] * 2
    holdout = wallet["holdout"]
    assert holdout["customers"] == 2 * ACCOUNTS // 5 == 12_000

    # The customers checked, and their naive wallet (every order lies in the last 12 months,
    # so the best year is the sum of the account's orders), from the raw rows.
    with Workspace(db, read_only=True) as ws:
        checked = holdout_estimates(wallet_inputs(ws.tables()).to_pandas()).index
    assert len(checked) == 12_000 and set(checked) <= set(customers["customer_id"])
    given = customers.set_index("customer_id")["wallet"].loc[checked]
    best = tx.groupby("customer_id")["amount"].sum().round(2).loc[checked]  # money, to the cent
    assert holdout["baseline_median_ape"] == pytest.approx(((best - given).abs() / given).median(), rel=1e-9)
    assert holdout["baseline_spearman"] == pytest.approx(best.rank().corr(given.rank()), rel=1e-9)
    # The estimate, each wallet unseen by the model that estimates it, beats the naive one.
    assert holdout["median_ape"] < holdout["baseline_median_ape"]
    assert holdout["spearman"] > holdout["baseline_spearman"]
