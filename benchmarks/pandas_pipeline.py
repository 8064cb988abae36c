"""The obvious alternative to the product's report: the same figures in plain pandas,
scikit-learn KMeans for clusters and, when installed, ``lifetimes`` for CLV.

Written as a competent analyst would: CSVs read with the pyarrow engine, vectorised
``groupby`` aggregates, no Python loops over rows. It follows the product's definitions
(features.py, pyramid.py, overview.py, rfm.py, value.py, matrix.py, clusters.py) closely
enough that the counts are comparable, but it is a benchmark peer, not a second product:
it is never imported by ``analysis`` or the app.

    python benchmarks/pandas_pipeline.py DIR   # DIR with transactions/customers/interactions.csv
"""

from __future__ import annotations

import json
import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

WINDOW_MONTHS = 12
SHARES = {"top": 0.01, "big": 0.04, "medium": 0.15}
MARGIN, COST_CONTACT, COST_COMPLAINT, COST_REFUND = 0.30, 15.0, 60.0, 25.0
MVC_SHARE = MCC_SHARE = 0.20
SAT_HIGH, SAT_LOW = 4.0, 2.0
RFM_SEGMENTS = [  # same rule table as analysis.differentiate.rfm
    ("champions", (5, 5), (4, 5)), ("loyal customers", (3, 4), (4, 5)),
    ("potential loyalists", (4, 5), (2, 3)), ("new customers", (5, 5), (1, 1)),
    ("promising", (4, 4), (1, 1)), ("need attention", (3, 3), (3, 3)),
    ("about to sleep", (3, 3), (1, 2)), ("cannot lose them", (1, 2), (5, 5)),
    ("at risk", (1, 2), (3, 4)), ("hibernating", (2, 2), (1, 2)), ("lost", (1, 1), (1, 2)),
]


def ceil_share(n: int, share: float) -> int:
    return math.ceil(n * share - 1e-9)


def load(folder: str | Path) -> dict[str, pd.DataFrame]:
    folder = Path(folder)
    tx = pd.read_csv(folder / "transactions.csv", engine="pyarrow")
    customers = pd.read_csv(folder / "customers.csv", engine="pyarrow")
    inter = pd.read_csv(folder / "interactions.csv", engine="pyarrow")
    for frame, col in ((tx, "date"), (customers, "signup_date"), (inter, "date")):
        frame[col] = pd.to_datetime(frame[col])
    customers["wallet"] = customers["wallet"].astype(float)
    return {"transactions": tx, "customers": customers, "interactions": inter}


def customer_facts(tx: pd.DataFrame, customers: pd.DataFrame, inter: pd.DataFrame,
                   as_of: pd.Timestamp) -> pd.DataFrame:
    """One row per customer in the universe (listed, bought or contacted), indexed by id."""
    start = as_of - pd.DateOffset(months=WINDOW_MONTHS)
    prev = as_of - pd.DateOffset(months=2 * WINDOW_MONTHS)
    t = tx[tx["date"] <= as_of]
    in_w = t["date"] > start
    in_prev = (t["date"] > prev) & ~in_w
    amt = t["amount"]
    t = t.assign(rev_w=amt.where(in_w, 0.0), rev_p=amt.where(in_prev, 0.0), refund=amt < 0,
                 refund_w=(amt < 0) & in_w, refund_amt=(-amt).clip(lower=0))
    g = t.groupby("customer_id", sort=False)
    facts = g.agg(first_purchase=("date", "min"), last_purchase=("date", "max"),
                  orders=("order_id", "nunique"), revenue=("amount", "sum"),
                  revenue_window=("rev_w", "sum"), revenue_prev_window=("rev_p", "sum"),
                  refunds=("refund", "sum"), refunds_window=("refund_w", "sum"),
                  refund_amount=("refund_amt", "sum"), quantity=("quantity", "sum"))

    i = inter[inter["date"] <= as_of]
    kind = i["kind"].str.lower()
    i = i.assign(contact=kind != "survey", complaint=kind == "complaint",
                 contact_w=(kind != "survey") & (i["date"] > start),
                 complaint_w=(kind == "complaint") & (i["date"] > start))
    ifacts = i.groupby("customer_id", sort=False).agg(
        interactions=("kind", "size"), contacts=("contact", "sum"), complaints=("complaint", "sum"),
        contacts_window=("contact_w", "sum"), complaints_window=("complaint_w", "sum"))
    surveys = i[i["satisfaction"].notna()].sort_values("date")
    latest = surveys.groupby("customer_id").tail(1).set_index("customer_id")
    ifacts["satisfaction_5"] = latest["satisfaction"] / latest["scale"].fillna(5.0) * 5.0

    ids = pd.Index(pd.concat([customers["customer_id"], facts.index.to_series(), ifacts.index.to_series()]).unique(),
                   name="customer_id")
    f = customers.set_index("customer_id").reindex(ids).join(facts).join(ifacts)
    for col in ("orders", "revenue", "revenue_window", "revenue_prev_window", "refunds", "refunds_window",
                "refund_amount", "interactions", "contacts", "complaints", "contacts_window", "complaints_window"):
        f[col] = f[col].fillna(0)
    f["has_purchased"] = f["first_purchase"].notna()
    f["active"] = (f["last_purchase"] > start).fillna(False).astype(bool)
    f["recency_days"] = (as_of - f["last_purchase"]).dt.days
    f["tenure_days"] = (as_of - f["first_purchase"].fillna(f["signup_date"])).dt.days
    return f


def ranked(f: pd.DataFrame, col: str) -> pd.Series:
    """0-based rank among active customers by ``col`` descending, ties by id."""
    act = f[f["active"]].reset_index()[["customer_id", col]]
    act = act.sort_values([col, "customer_id"], ascending=[False, True])
    return pd.Series(np.arange(len(act)), index=act["customer_id"].to_numpy())


def tiers(f: pd.DataFrame) -> pd.Series:
    rank = ranked(f, "revenue_window")
    n = len(rank)
    top = ceil_share(n, SHARES["top"])
    big = ceil_share(n, SHARES["top"] + SHARES["big"])
    medium = ceil_share(n, SHARES["top"] + SHARES["big"] + SHARES["medium"])
    active_tier = pd.Series(np.select([rank < top, rank < big, rank < medium], ["top", "big", "medium"], "small"),
                            index=rank.index)
    tier = pd.Series(np.where(f["has_purchased"], "inactive", np.where(f["interactions"] > 0, "prospect", "suspect")),
                     index=f.index)
    tier.loc[active_tier.index] = active_tier
    return tier


def pyramid(f: pd.DataFrame, tier: pd.Series) -> list[dict]:
    rev = np.where(f["active"], f["revenue_window"], np.where(f["has_purchased"], f["revenue"], 0.0))
    g = pd.DataFrame({"tier": tier, "rev": rev}).groupby("tier").agg(customers=("rev", "size"), revenue=("rev", "sum"))
    g = g.reindex(["top", "big", "medium", "small", "inactive", "prospect", "suspect"], fill_value=0)
    return [{"tier": t, "customers": int(r.customers), "revenue": float(r.revenue)} for t, r in g.iterrows()]


def pareto(tx: pd.DataFrame, as_of: pd.Timestamp) -> dict:
    start = as_of - pd.DateOffset(months=WINDOW_MONTHS)
    w = tx[(tx["date"] > start) & (tx["date"] <= as_of)]
    v = np.sort(w.groupby("customer_id")["amount"].sum().clip(lower=0).to_numpy())[::-1]
    n, total = len(v), v.sum()
    rank = np.arange(1, n + 1)
    gini = (n + 1 - 2 * (rank * v).sum() / total) / n
    return {"top20_revenue_share": float(v[:ceil_share(n, 0.2)].sum() / total), "gini": float(max(0.0, gini))}


def quintile(values: pd.Series) -> pd.Series:
    """Hazen mid-rank quintiles, 5 = highest value (analysis.differentiate.rfm)."""
    n = len(values)
    p = ((values.rank(method="min") - 1) / n + values.rank(method="max") / n) / 2
    return np.clip(np.ceil(p * 5 - 1e-9), 1, 5).astype(int)


def rfm_segments(f: pd.DataFrame) -> dict:
    b = f[f["has_purchased"]]
    r, fq = quintile(-b["recency_days"]), quintile(b["orders"])
    conds = [(r >= r0) & (r <= r1) & (fq >= f0) & (fq <= f1) for _, (r0, r1), (f0, f1) in RFM_SEGMENTS]
    seg = pd.Series(np.select(conds, [s for s, *_ in RFM_SEGMENTS], "none"), index=b.index)
    counts = seg.value_counts()
    return {name: int(counts.get(name, 0)) for name, *_ in RFM_SEGMENTS}


def value_groups(f: pd.DataFrame, potential: pd.Series | None) -> dict:
    b = f[f["has_purchased"]].copy()
    cost = b["contacts_window"] * COST_CONTACT + b["complaints_window"] * COST_COMPLAINT \
        + b["refunds_window"] * COST_REFUND
    b["profit"] = b["revenue_window"] * MARGIN - cost
    rise = np.where(b["revenue_prev_window"] > 0, (b["revenue_window"] - b["revenue_prev_window"]).clip(lower=0), 0)
    trend = b["revenue_window"] + rise
    wallet = b["wallet"]
    computed = np.where((wallet > 0) & (wallet > trend), wallet, trend)
    pot = pd.Series(computed, index=b.index)
    if potential is not None:
        pot = potential.reindex(b.index).fillna(pot)
    b["gap"] = pot - b["revenue_window"]
    by_profit, by_gap = ranked(b, "profit"), ranked(b, "gap")
    n = len(by_profit)
    mvc = by_profit.index[by_profit < ceil_share(n, MVC_SHARE)]
    mcc = by_gap.index[by_gap < ceil_share(n, MCC_SHARE)]
    return {"MVC": int((b.loc[mvc, "profit"] > 0).sum()), "MCC": int((b.loc[mcc, "gap"] > 0).sum()),
            "BZ": int((b["active"] & (b["profit"] < 0)).sum())}


def matrix(f: pd.DataFrame) -> list[dict]:
    a = f[f["active"]]
    rank = ranked(f, "revenue_window").reindex(a.index).to_numpy()
    n = len(a)
    q, r = divmod(n, 3)
    third = np.where(rank < r * (q + 1), rank // (q + 1), r + (rank - r * (q + 1)) // max(q, 1))
    volume = np.array(["high", "medium", "low"])[np.clip(third, 0, 2)]
    sat = a["satisfaction_5"]
    satisfaction = np.select([sat.isna(), sat >= SAT_HIGH, sat <= SAT_LOW], ["none", "high", "low"], "medium")
    g = pd.DataFrame({"v": volume, "s": satisfaction, "rev": a["revenue_window"].to_numpy()}).groupby(["v", "s"])
    g = g["rev"].agg(["size", "sum"])
    return [{"volume": v, "satisfaction": s, "customers": int(g["size"].get((v, s), 0)),
             "revenue": float(g["sum"].get((v, s), 0.0))}
            for v in ("high", "medium", "low") for s in ("high", "medium", "low")]


def cluster_features(tx: pd.DataFrame, f: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    b = f[f["has_purchased"]]
    x = pd.DataFrame({
        "recency_days": b["recency_days"], "frequency": b["orders"], "monetary": b["revenue"],
        "avg_order_value": np.where(b["orders"] > 0, b["revenue"] / b["orders"].where(b["orders"] > 0, 1), 0.0),
        "tenure_days": b["tenure_days"],
    }, index=b.index).astype(float)
    if b["satisfaction_5"].notna().any():
        x["satisfaction_5"] = b["satisfaction_5"].fillna(b["satisfaction_5"].median())
        x["has_survey"] = b["satisfaction_5"].notna().astype(float)
    t = tx[tx["date"] <= as_of]
    cat = t.assign(pos=t["amount"].clip(lower=0)).pivot_table(
        index="customer_id", columns="category", values="pos", aggfunc="sum", fill_value=0.0)
    top = cat.sum().sort_values(ascending=False).index
    if len(top) > 8:
        cat = pd.concat([cat[top[:8]], cat[top[8:]].sum(axis=1).rename("other")], axis=1)
    shares = cat.div(cat.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0).add_prefix("cat_")
    return x.join(shares).fillna(0.0)


def clusters(features: pd.DataFrame, k_range=(2, 8), seed: int = 0) -> dict:
    """log1p + standardise + KMeans on every customer for each k; silhouette on a sample
    of 20,000 (a full silhouette is quadratic)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    x = features.copy()
    for col in ("recency_days", "frequency", "monetary", "avg_order_value", "tenure_days"):
        x[col] = np.sign(x[col]) * np.log1p(x[col].abs())
    z = StandardScaler().fit_transform(x.to_numpy())
    best = None
    for k in range(k_range[0], k_range[1] + 1):
        labels = KMeans(n_clusters=k, random_state=seed).fit_predict(z)
        s = silhouette_score(z, labels, sample_size=min(20000, len(z)), random_state=seed)
        if best is None or s > best[1]:
            best = (k, s, labels)
    k, s, labels = best
    return {"k": k, "silhouette": round(float(s), 4), "sizes": np.bincount(labels).tolist()}


def clv(tx: pd.DataFrame, as_of: pd.Timestamp) -> tuple[dict | None, pd.Series | None]:
    """BG/NBD + Gamma-Gamma with ``lifetimes`` (None when it is not installed); also the
    expected revenue over the next window per customer (MCC potential)."""
    try:
        from lifetimes import BetaGeoFitter, GammaGammaFitter
        from lifetimes.utils import ConvergenceError, summary_data_from_transaction_data
    except ImportError:
        return None, None
    t = tx[(tx["date"] <= as_of) & (tx["amount"] >= 0)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = summary_data_from_transaction_data(t, "customer_id", "date", monetary_value_col="amount",
                                               observation_period_end=as_of, freq="D", freq_multiplier=7)
        try:
            bgf = BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
        except ConvergenceError:  # what lifetimes' own message advises
            bgf = BetaGeoFitter(penalizer_coef=0.001).fit(s["frequency"], s["recency"], s["T"])
        rep = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
        ggf = GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
        horizon = 365.25 / 7
        expected = bgf.conditional_expected_number_of_purchases_up_to_time(horizon, s["frequency"], s["recency"], s["T"])
        spend = ggf.conditional_expected_average_profit(s["frequency"], s["monetary_value"].where(s["monetary_value"] > 0, 0))
        spend = spend.where((s["frequency"] > 0) & (s["monetary_value"] > 0), ggf.conditional_expected_average_profit(
            pd.Series([0]), pd.Series([0.0])).iloc[0])
        p_alive = bgf.conditional_probability_alive(s["frequency"], s["recency"], s["T"])
        value = ggf.customer_lifetime_value(bgf, s["frequency"], s["recency"], s["T"], s["monetary_value"],
                                            time=12, discount_rate=0.10 / 12, freq="W")
    report = {"bgnbd": {k: float(v) for k, v in bgf.params_.items()},
              "gamma_gamma": {k: float(v) for k, v in ggf.params_.items()},
              "n_customers": int(len(s)), "n_repeat": int((s["frequency"] > 0).sum()),
              "mean_p_alive": float(np.mean(p_alive)), "total_clv": float(MARGIN * value.sum())}
    return report, expected * spend


def full_report(data: dict[str, pd.DataFrame]) -> dict:
    """The figures of ``report --json`` (as_of, counts, kpis, pareto, pyramid, value_groups,
    matrix, rfm_segments, clusters, clv) from in-memory DataFrames."""
    tx, customers, inter = data["transactions"], data["customers"], data["interactions"]
    as_of = tx["date"].max()
    f = customer_facts(tx, customers, inter, as_of)
    clv_part, potential = clv(tx, as_of)
    tier = tiers(f)
    report = {
        "as_of": as_of.date().isoformat(), "customers": int(len(f)), "listed_customers": int(len(customers)),
        "transactions": int((tx["date"] <= as_of).sum()), "revenue": round(float(f["revenue"].sum()), 2),
        "kpis": {"active_customers": int(f["active"].sum()), "buyers": int(f["has_purchased"].sum()),
                 "revenue_window": float(f["revenue_window"].sum()), "orders": int(f["orders"].sum()),
                 "repeat_rate": float((f["orders"] >= 2).sum() / max(1, f["has_purchased"].sum()))},
        "pareto": pareto(tx, as_of),
        "pyramid": pyramid(f, tier),
        "value_groups": value_groups(f, potential),
        "matrix": matrix(f),
        "rfm_segments": rfm_segments(f),
        "clusters": clusters(cluster_features(tx, f, as_of)),
        "clv": clv_part,
    }
    return report


def main(argv=None) -> None:
    folder = (argv or sys.argv[1:])[0]
    start = time.perf_counter()
    data = load(folder)
    loaded = time.perf_counter()
    report = full_report(data)
    print(json.dumps(report, indent=2, default=str))
    print(f"load {loaded - start:.1f}s, report {time.perf_counter() - loaded:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
