"""Customer share for every customer: each customer's wallet (given by the user, or
estimated from look-alikes by :mod:`analysis.differentiate.wallet`), share of wallet and headroom (the
revenue still to win), the source in words, the ranking by headroom, and how good the
estimate is, in words, beside the figures.

The per-customer columns are stored with the scores (:mod:`analysis.scores`), computed once
per data version and as-of date: ``wallet_estimate``, ``wallet_source`` ("given",
"estimated" or None), ``wallet_peers`` (how many similar customers an estimate comes from),
``wallet_peer_group`` (what they share, as JSON text) and ``headroom``. Only codes and
numbers are stored; the sentences (:func:`source_text`, :func:`accuracy_text`) are written
when shown, in the reader's language.

Decisions (the issue is silent on them):
- The summary of ``report --json`` (:func:`wallet_section`) is :meth:`Wallets.summary`: the
  issue's keys plus ``baseline_spearman`` in ``holdout`` (the naive rank correlation the
  estimate's is compared with).
- MCC: the purchase model's prediction stays the potential where it can be fitted; where it
  cannot, the potential is the larger of the trend and the wallet, given or else estimated
  (:func:`analysis.differentiate.value.value_expr`, ``wallets``), and the reason says which.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.i18n import N_, lookup, money, number, percent, t, tn
from analysis.differentiate.wallet_peers import group_json

if TYPE_CHECKING:  # the estimator needs scikit-learn: imported where wallets are estimated
    from analysis.differentiate.wallet import Wallets

COLUMNS = ["wallet_estimate", "wallet_source", "wallet_peers", "wallet_peer_group", "headroom"]
# Words for the attributes a peer group shares, numbers as "{low}-{high} <words>".
RANGE_WORDS = {
    "categories": N_("{low}-{high} product categories"),
    "tenure_years": N_("{low}-{high} years a customer"),
    "orders_per_year": N_("{low}-{high} orders a year"),
    "order_value": N_("{low}-{high} per order"),
}
RANKING_COLUMNS = ["customer_id", "name", "headroom", "wallet_estimate", "revenue_window", "share_of_wallet",
                   "wallet_basis"]


def customer_wallets(tables, as_of: dt.date, local_rows: int | None = None) -> Wallets:
    """:func:`analysis.differentiate.wallet.engine_wallets` on the workspace's customers as of
    ``as_of``: the model fitted on at most ``local_rows`` customers, applied to all in the
    engine (DuckDB or Spark)."""
    from analysis.differentiate.wallet import engine_wallets, wallet_inputs

    return engine_wallets(wallet_inputs(tables, as_of), max_rows=local_rows)


def wallet_columns(wallets: Wallets) -> pd.DataFrame:
    """customer_id and :data:`COLUMNS`, one row per customer, language-neutral (storable)."""
    w = wallets.frame()
    groups = [g if isinstance(g, str) else group_json(g) if isinstance(g, dict) else None for g in w["peer_group"]]
    return pd.DataFrame({
        "customer_id": w["customer_id"].astype(str).to_numpy(),
        "wallet_estimate": w["wallet_estimate"].to_numpy(dtype=float).round(2),  # money, to the cent
        "wallet_source": w["wallet_source"].to_numpy(dtype=object),
        "wallet_peers": pd.array(w["peers"], dtype="Int64"),
        "wallet_peer_group": np.array(groups, dtype=object),
        "headroom": w["headroom"].to_numpy(dtype=float).round(2),
    })


def estimated(wallets: Wallets) -> "pd.Series | ibis.Table":
    """The estimated wallets (not the given ones): what MCC uses where no wallet is given.
    In the engine, an Ibis table (customer_id, potential) there; else a Series indexed by
    customer id."""
    w = wallets.customers
    if wallets.in_engine:
        mine = w.filter(w.wallet_source == "estimated")
        return mine.select("customer_id", potential=mine.wallet_estimate)
    mine = w[w["wallet_source"] == "estimated"]
    return pd.Series(mine["wallet_estimate"].to_numpy(dtype=float), index=mine["customer_id"].astype(str),
                     name="wallet_estimate")


def wallet_section(wallets: Wallets) -> dict[str, Any]:
    """``report --json``'s ``wallet``: {"given", "estimated", "holdout": {...} or None}."""
    return wallets.summary()


def group_words(group: Any, currency: str = "") -> str:
    """What a peer group shares, in words: "Healthcare, East, 2-5 orders a year"."""
    if isinstance(group, str):
        group = json.loads(group)
    parts = []
    for attribute, value in (group or {}).items():
        if value is None:
            continue
        if isinstance(value, list):
            low, high = value
            if attribute == "order_value":
                low, high = money(low, currency), money(high, currency)
            else:
                low, high = number(low, 0 if float(low).is_integer() else 1), number(high, 0 if float(high).is_integer() else 1)
            template = RANGE_WORDS.get(attribute)
            parts.append(lookup(template).format(low=low, high=high) if template else f"{attribute} {low}-{high}")
        else:
            parts.append(str(value))
    return ", ".join(parts)


def source_text(source: Any, peers: Any = None, group: Any = None, currency: str = "") -> str:
    """Where a customer's wallet comes from, in words: "given by you", "estimated from 214
    similar customers (Healthcare, East)"; "" when there is no wallet."""
    if source == "given":
        return t("given by you")
    if source != "estimated":
        return ""
    n = int(peers) if peers is not None and not pd.isna(peers) else 0
    words = group_words(group, currency)
    if not words:
        return tn("estimated from {count} customer who buys", "estimated from all {count} customers who buy", n,
                  count=number(n))
    return tn("estimated from {count} similar customer ({group})", "estimated from {count} similar customers ({group})",
              n, count=number(n), group=words)


def ranking(frame: pd.DataFrame, n: int | None = None, currency: str = "") -> pd.DataFrame:
    """Customers with a wallet, the most revenue still to win first (then customer id):
    :data:`RANKING_COLUMNS`, ``wallet_basis`` being :func:`source_text`."""
    have = frame[frame["headroom"].notna()] if "headroom" in frame else frame.iloc[0:0]
    keys = have[["headroom", "customer_id"]].sort_values(["headroom", "customer_id"], ascending=[False, True])
    rows = have.loc[keys.index if n is None else keys.index[:n]].copy()
    rows["wallet_basis"] = [source_text(s, p, g, currency) for s, p, g in
                            zip(rows["wallet_source"], rows["wallet_peers"], rows["wallet_peer_group"])]
    return rows[[c for c in RANKING_COLUMNS if c in rows]].reset_index(drop=True)


def accuracy_text(summary: dict | None) -> str:
    """How good the wallets are on this data, in a sentence: the cross-validated errors
    against the naive baseline where wallets are given, else "a peer benchmark"."""
    holdout = (summary or {}).get("holdout")
    if not holdout:
        return t("No wallet is given in your customer list, so each estimate is a peer benchmark, not a "
                 "measurement: what similar customers spend with you at their best.")
    rho, base = holdout.get("spearman"), holdout.get("baseline_spearman")
    return t("Checked on the {n} wallets you gave, each estimated as if unknown: median error {ape} (the "
             "customer's own best year: {base_ape}); rank correlation {rho} (best year: {base_rho}).",
             n=number(holdout["customers"]), ape=percent(holdout["median_ape"]),
             base_ape=percent(holdout["baseline_median_ape"]),
             rho=number(rho, 2), base_rho=number(base, 2))


def with_wallets(frame: pd.DataFrame, wallets: Wallets | None) -> pd.DataFrame:
    """The per-customer ``frame`` with :data:`COLUMNS` (all missing when ``wallets`` is None)."""
    if wallets is None:
        out = frame.copy()
        for c in COLUMNS:
            out[c] = pd.array([pd.NA] * len(out), dtype="Int64") if c == "wallet_peers" else (
                np.nan if c in ("wallet_estimate", "headroom") else None)
        return out
    return frame.merge(wallet_columns(wallets), on="customer_id", how="left")


def wallet_line(row: Any, currency: str = "") -> str:
    """One customer's wallet in a sentence, for the customer page: "Wallet ¥4,046 a year:
    89% with you, ¥443 still to win; estimated from 40 similar customers (Hospitality,
    North)"; "" without a wallet. ``row``: a row of the per-customer frame."""
    wallet = row.get("wallet_estimate")
    if wallet is None or pd.isna(wallet):
        return ""
    return t("Wallet {wallet} a year: {share} with you, {headroom} still to win; {source}",
             wallet=money(wallet, currency), share=percent(row.get("share_of_wallet")),
             headroom=money(row.get("headroom"), currency),
             source=source_text(row.get("wallet_source"), row.get("wallet_peers"), row.get("wallet_peer_group"),
                                currency))


def ranking_in(frame: pd.DataFrame, n: int | None, currency: str, language: str) -> pd.DataFrame:
    """:func:`ranking` with its words in ``language`` (a cache keyed on it keeps one per language)."""
    from analysis.i18n import using

    with using(language):
        return ranking(frame, n, currency)
