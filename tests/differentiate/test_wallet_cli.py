"""Customer share from the command line, as a user gets it: a shop's transactions-only export
imported with ``ingest``, then ``report --json`` and ``customer --json``; and the demo company,
whose customer list gives some wallets. Figures are recomputed here from the raw rows."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from analysis.store import Workspace
from tests.cli import import_shop, ok_json as run  # a command's --json output, failing on a non-zero exit

SEED = 20261206
WALLET_KEYS = {"wallet_estimate", "wallet_source", "share_of_wallet", "headroom"}


def shop_export(n: int = 160) -> pd.DataFrame:
    """Three years of a shop's orders: no customer list, so no wallet anywhere."""
    rng = np.random.default_rng(SEED)
    rows = []
    for i in range(n):
        orders = int(rng.integers(1, 12))
        basket = float(rng.lognormal(4, 0.8))
        for k in range(orders):
            day = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.integers(0, 3 * 365)))
            rows.append({"customer_id": f"S{i:04d}", "date": day.date().isoformat(),
                         "amount": round(basket * float(rng.uniform(0.5, 1.5)), 2),
                         "category": ["Tea", "Cups", "Pots", "Gifts"][int(rng.integers(0, 4))],
                         "order_id": f"O{i:04d}-{k}"})
    return pd.DataFrame(rows)


def last_year(tx: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Net revenue of the 12 months ending on ``as_of`` per customer, computed with pandas."""
    dates = pd.to_datetime(tx["date"])
    inside = (dates > as_of - pd.DateOffset(months=12)) & (dates <= as_of)
    return tx[inside].groupby("customer_id")["amount"].sum().round(2)


def test_a_transactions_only_shop_gets_an_estimated_wallet_for_every_active_customer(tmp_path, capsys):
    tx = shop_export()
    db = import_shop(capsys, tmp_path, tx)

    report = run(capsys, "report", "--db", str(db), "--json")
    as_of = pd.Timestamp(report["as_of"])
    assert as_of == pd.to_datetime(tx["date"]).max()
    # Nobody is given: every customer who has bought is estimated, and nothing was measured.
    assert report["wallet"] == {"given": 0, "estimated": tx["customer_id"].nunique(), "holdout": None}

    revenue = last_year(tx, as_of)
    active = sorted(revenue.index)
    assert len(active) > 50
    rng = np.random.default_rng(SEED)
    for cid in rng.choice(active, size=4, replace=False):
        profile = run(capsys, "customer", str(cid), "--db", str(db), "--json")["profile"]
        assert WALLET_KEYS <= set(profile)
        assert profile["wallet_source"] == "estimated"
        wallet, spend = profile["wallet_estimate"], max(float(revenue[cid]), 0.0)
        assert wallet == round(wallet, 2) and wallet >= spend
        assert profile["headroom"] == pytest.approx(round(wallet - spend, 2), abs=0.005)
        assert profile["share_of_wallet"] == pytest.approx(spend / wallet, rel=1e-9)
        assert profile["wallet_peers"] >= 30
        assert profile["wallet_basis"].startswith(f"estimated from {profile['wallet_peers']:,} ")
        # The same customer in Chinese: the source in words, the figures unchanged.
        zh = run(capsys, "--lang", "zh", "customer", str(cid), "--db", str(db), "--json")["profile"]
        assert zh["wallet_estimate"] == wallet
        assert zh["wallet_basis"].startswith(f"根据 {profile['wallet_peers']:,} 位")


def test_on_the_demo_the_given_wallets_win_and_the_check_is_reported(demo_db, capsys):
    with Workspace(demo_db, read_only=True) as ws:
        customers = ws.query("SELECT customer_id, wallet FROM customers")
        tx = ws.query("SELECT customer_id, date, amount FROM transactions")
    given = customers[customers["wallet"] > 0].set_index("customer_id")["wallet"].astype(float)
    bought = set(tx["customer_id"])

    report = run(capsys, "report", "--db", str(demo_db), "--json")
    wallet = report["wallet"]
    assert wallet["given"] == len(given)
    assert wallet["estimated"] == len(bought - set(given.index))
    holdout = wallet["holdout"]
    assert set(holdout) >= {"customers", "median_ape", "baseline_median_ape", "spearman"}
    assert holdout["customers"] == len(bought & set(given.index))
    assert holdout["median_ape"] < holdout["baseline_median_ape"]

    revenue = last_year(tx, pd.Timestamp(report["as_of"]))
    cid = sorted(c for c in given.index if revenue.get(c, 0) > 0)[0]
    profile = run(capsys, "customer", cid, "--db", str(demo_db), "--json")["profile"]
    spend = float(revenue[cid])
    assert profile["wallet_source"] == "given" and profile["wallet_basis"] == "given by you"
    assert profile["wallet_estimate"] == given[cid]
    assert profile["headroom"] == pytest.approx(max(round(given[cid] - spend, 2), 0.0), abs=0.005)
    assert profile["share_of_wallet"] == pytest.approx(spend / given[cid], rel=1e-9)
