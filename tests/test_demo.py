"""The demo company: deterministic, and realistic enough for a one-to-one workshop."""

import hashlib
import time
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analysis.demo import CATEGORIES, INDUSTRIES, REGIONS, build_demo
from analysis.errors import UserError
from analysis.store import Workspace

SEED = 20261123
END = date(2026, 6, 30)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    ws = Workspace(path)
    started = time.perf_counter()
    counts = build_demo(ws, seed=SEED)
    print(f"demo seed={SEED}: {counts} built in {time.perf_counter() - started:.1f} s")
    data = {
        "ws": ws,
        "counts": counts,
        "customers": ws.query("SELECT * FROM customers"),
        "tx": ws.query("SELECT * FROM transactions"),
        "ix": ws.query("SELECT * FROM interactions"),
    }
    data["tx"]["date"] = pd.to_datetime(data["tx"]["date"])
    data["ix"]["occurred_at"] = pd.to_datetime(data["ix"]["occurred_at"])
    yield data
    ws.close()


def _table_digests(ws: Workspace) -> dict[str, str]:
    return {
        t: hashlib.sha256(ws.query(f"SELECT * FROM {t}").to_csv(index=False).encode()).hexdigest()
        for t in ("customers", "transactions", "interactions")
    }


def _small(tmp_path, name: str, seed: int) -> Workspace:
    ws = Workspace(tmp_path / f"{name}.duckdb")
    build_demo(ws, seed=seed, n_customers=400, years=2.0)
    return ws


def test_same_seed_gives_identical_tables_and_another_seed_does_not(tmp_path):
    print(f"seeds {SEED} and {SEED + 1}")
    a, b, c = _small(tmp_path, "a", SEED), _small(tmp_path, "b", SEED), _small(tmp_path, "c", SEED + 1)
    da, db, dc = _table_digests(a), _table_digests(b), _table_digests(c)
    assert da == db
    assert all(da[t] != dc[t] for t in da)


def test_counts_are_returned_and_written(demo):
    ws, counts = demo["ws"], demo["counts"]
    assert counts == {t: ws.count(t) for t in ("customers", "transactions", "interactions")}
    assert counts["customers"] == 6000
    assert counts["transactions"] > 100_000


def test_refuses_a_workspace_with_data(demo):
    ws = demo["ws"]
    before = ws.count("transactions")
    with pytest.raises(UserError, match="already has data"):
        build_demo(ws)
    assert ws.count("transactions") == before


def test_customers_are_listed_with_clean_ids_and_unique_names(demo):
    cust = demo["customers"]
    assert len(cust) >= 5000
    assert cust["customer_id"].str.fullmatch(r"C\d{5}").all()
    assert cust["customer_id"].is_unique and cust["name"].is_unique
    assert set(cust["region"]) == set(REGIONS)
    assert set(cust["industry"].dropna()) == set(INDUSTRIES)
    assert set(cust["channel"]) == {"Direct sales", "Online", "Partner"}
    assert cust["email"].dropna().str.endswith("example.com").all()
    assert cust["phone"].dropna().str.contains(" 555 ").all()
    assert cust["signup_date"].notna().all()


def test_prospects_and_suspects(demo):
    cust, tx, ix = demo["customers"], demo["tx"], demo["ix"]
    bought = cust["customer_id"].isin(set(tx["customer_id"].unique()))
    contacted = cust["customer_id"].isin(set(ix["customer_id"].unique()))
    prospects = (~bought & contacted).mean()
    suspects = (~bought & ~contacted).mean()
    assert 0.06 <= prospects <= 0.14
    assert 0.02 <= suspects <= 0.07


def test_two_and_a_half_years_of_seasonal_purchases(demo):
    tx = demo["tx"]
    assert tx["date"].max() <= pd.Timestamp(END)
    assert (tx["date"].max() - tx["date"].min()).days >= 2 * 365
    assert set(tx["category"]) == set(CATEGORIES)
    lines = tx.groupby("order_id").size()
    assert lines.min() >= 1 and lines.max() <= 4 + tx["amount"].lt(0).sum()
    assert lines.gt(1).mean() > 0.3
    # Revenue per day by calendar month: Q4 peak above the July dip.
    sales = tx[tx["amount"] > 0]
    per_day = sales.groupby(sales["date"].dt.month)["amount"].sum() / sales.groupby(
        sales["date"].dt.month
    )["date"].nunique()
    assert per_day.loc[[11, 12]].mean() > 1.3 * per_day.loc[7]


def test_revenue_is_heavy_tailed(demo):
    revenue = demo["tx"].groupby("customer_id")["amount"].sum().sort_values(ascending=False)
    top = revenue.iloc[: int(0.2 * len(revenue))].sum() / revenue.sum()
    print(f"top 20% of buyers bring {top:.1%} of net revenue")
    assert 0.65 <= top <= 0.9
    assert revenue.iloc[0] > 50 * revenue.median()


def test_refunds_reference_an_earlier_purchase(demo):
    tx = demo["tx"]
    refunds = tx[tx["amount"] < 0]
    assert 0.005 <= len(refunds) / len(tx) <= 0.03
    assert (refunds["quantity"] < 0).all()
    sales = tx[tx["amount"] > 0]
    matched = refunds.merge(sales, on=["order_id", "customer_id", "product"], suffixes=("", "_sale"))
    matched = matched[matched["date_sale"] < matched["date"]]
    assert matched.drop_duplicates(["order_id", "product", "date", "amount"]).shape[0] == len(
        refunds.drop_duplicates(["order_id", "product", "date", "amount"])
    )


def test_purchasing_customers_drop_out_and_some_change_attitude(demo):
    tx = demo["tx"]
    sales = tx[tx["amount"] > 0]
    by = sales.groupby("customer_id")
    orders, last = by["order_id"].nunique(), by["date"].max()
    lapsed = (orders >= 3) & (last < pd.Timestamp(END) - pd.Timedelta(days=365))
    assert lapsed.sum() > 100  # repeat buyers who stopped: P(alive) will vary
    year = np.where(sales["date"] > pd.Timestamp(2025, 6, 30), "last",
                    np.where(sales["date"] > pd.Timestamp(2024, 6, 30), "prev", "old"))
    spend = sales.groupby(["customer_id", year])["amount"].sum().unstack(fill_value=0)
    still_buying = last.reindex(spend.index) > pd.Timestamp(END) - pd.Timedelta(days=60)
    big = spend["prev"] > 2000
    assert (big & still_buying & (spend["last"] < 0.35 * spend["prev"])).sum() >= 20  # falling
    assert (big & (spend["last"] > 2.0 * spend["prev"])).sum() >= 20  # rising


def test_categories_follow_industry_and_co_occur(demo):
    tx, cust = demo["tx"], demo["customers"]
    sales = tx[tx["amount"] > 0].merge(cust[["customer_id", "industry"]], on="customer_id")
    share = pd.crosstab(sales["industry"], sales["category"], values=sales["amount"],
                        aggfunc="sum", normalize="index")
    assert share.loc["Technology", "Software"] > 1.5 * share.loc["Hospitality", "Software"]
    assert share.loc["Hospitality", "Furniture"] > 1.5 * share.loc["Technology", "Furniture"]
    # Electronics orders carry Software more often than other orders do (lift > 1).
    basket = sales.groupby(["order_id", "category"]).size().unstack(fill_value=0) > 0
    p_soft = basket["Software"].mean()
    p_soft_given_elec = basket.loc[basket["Electronics"], "Software"].mean()
    assert p_soft_given_elec > 1.2 * p_soft


def test_wallets_show_growable_customers(demo):
    cust, tx = demo["customers"], demo["tx"]
    assert 0.3 <= cust["wallet"].notna().mean() <= 0.5
    spend = tx.groupby("customer_id")["amount"].sum() / 2.5
    w = cust.set_index("customer_id")["wallet"].dropna()
    share = (spend.reindex(w.index).fillna(0) / w)
    assert (share[w >= 10_000] < 0.1).sum() >= 50
    assert (share > 0.6).sum() >= 50


def test_interactions_are_office_hours_with_ids_in_time_order(demo):
    ix = demo["ix"]
    assert ix["interaction_id"].tolist() == list(range(1, len(ix) + 1))
    ordered = ix.sort_values("interaction_id")["occurred_at"]
    assert ordered.is_monotonic_increasing
    assert ix["occurred_at"].dt.hour.between(8, 17).all()
    assert (ix["occurred_at"].dt.dayofweek < 5).all()
    assert set(ix["kind"]) == {"contact", "visit", "complaint", "survey"}
    assert set(ix["channel"]) == {"phone", "email", "visit", "web", "chat"}
    assert {"interested", "not interested", "order placed", "no answer"} <= set(ix["outcome"].dropna())
    notes = ix["note"].dropna()
    for ch in "&<>'":
        assert notes.str.contains(ch, regex=False).any(), ch


def test_complaints_are_resolved_except_some_recent_ones(demo):
    ix = demo["ix"]
    complaints = ix[ix["kind"] == "complaint"]
    open_ = complaints[complaints["outcome"].isna() | (complaints["outcome"] == "open")]
    assert 0 < len(open_) < 0.15 * len(complaints)
    assert complaints["outcome"].isna().any() and (complaints["outcome"] == "open").any()
    recent = open_["occurred_at"] > pd.Timestamp(END) - pd.Timedelta(days=30)
    assert recent.any()
    # Still open by the app's rule: nothing marked "resolved" at or after an open complaint.
    last_resolved = ix[ix["outcome"] == "resolved"].groupby("customer_id")["occurred_at"].max()
    later = last_resolved.reindex(open_["customer_id"]).to_numpy()
    assert (pd.isna(later) | (later < open_["occurred_at"].to_numpy())).all()
    # Each resolved complaint has a later resolution contact of the same customer.
    resolutions = ix[(ix["kind"] == "contact") & (ix["outcome"] == "resolved")]
    resolved = complaints[complaints["outcome"] == "resolved"]
    assert len(resolutions) == len(resolved)
    first_c = resolved.groupby("customer_id")["occurred_at"].min()
    first_r = resolutions.groupby("customer_id")["occurred_at"].min()
    assert (first_r.reindex(first_c.index) > first_c).all()


def test_surveys_cover_most_buyers_and_track_behaviour(demo):
    ix, tx = demo["ix"], demo["tx"]
    surveys = ix[ix["kind"] == "survey"]
    assert surveys["satisfaction"].between(1, 5).all() and (surveys["scale"] == 5).all()
    assert set(surveys["satisfaction"]) == {1, 2, 3, 4, 5}
    buyers = tx["customer_id"].unique()
    latest = surveys.sort_values("interaction_id").groupby("customer_id")["satisfaction"].last()
    assert 0.4 <= latest.index.isin(buyers).sum() / len(buyers) <= 0.7
    assert surveys.groupby("customer_id").size().gt(1).sum() > 300  # several for some
    complaints = ix[ix["kind"] == "complaint"].groupby("customer_id").size()
    n_c = complaints.reindex(latest.index, fill_value=0)
    assert latest[n_c >= 2].mean() < latest[n_c == 0].mean() - 0.3
    last_buy = tx[tx["amount"] > 0].groupby("customer_id")["date"].max().reindex(latest.index)
    lapsed = last_buy < pd.Timestamp(END) - pd.Timedelta(days=365)
    assert latest[lapsed].mean() < latest[~lapsed].mean() - 0.2


def test_below_zero_customers_cost_more_than_they_bring(demo):
    ix, tx = demo["ix"], demo["tx"]
    revenue = tx.groupby("customer_id")["amount"].sum()
    complaints = ix[ix["kind"] == "complaint"].groupby("customer_id").size()
    contacts = ix.groupby("customer_id").size()
    low = revenue[revenue < revenue.median()].index
    heavy = complaints.reindex(low, fill_value=0).ge(5) & contacts.reindex(low, fill_value=0).ge(15)
    assert heavy.sum() >= 10
