"""Everything known about each customer as of a date, in one frame: the facts, the pyramid
tier, MVC/MCC/BZ, the matrix cell, the RFM segment, the cluster persona and the CLV outlook.

This is what the customer page, the action rules and the exports read. It is computed once
per workspace, data version and as-of date (the app caches it; see ``ui/cached.py``).

MCC potential: when the purchase model can be fitted, a customer's potential is the revenue
the model expects from them over the next activity window (expected purchases x expected
spend); otherwise :mod:`analysis.value` falls back to the trend and the wallet estimate.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Callable

import numpy as np
import pandas as pd

from analysis.clusters import fit_clusters
from analysis.clv_data import customer_clv
from analysis.errors import NotEnoughData
from analysis.features import resolve_as_of
from analysis.report import ReportSettings
from analysis.segments import segment_customers
from analysis.store import Tables

CLV_COLUMNS = ["p_alive", "expected_purchases", "expected_next_purchase", "expected_spend", "clv", "clv_note"]


@dataclasses.dataclass
class Scores:
    """The per-customer frame, the cluster personas, and why any part is missing."""

    frame: pd.DataFrame
    as_of: dt.date
    personas: list[dict]
    messages: dict[str, str]


def attempt(messages: dict[str, str], name: str, fn: Callable[[], Any]) -> Any:
    """``fn()``, or None with the plain reason kept in ``messages[name]``."""
    try:
        return fn()
    except NotEnoughData as exc:
        messages[name] = str(exc)
        return None


def outlook(tables: Tables, as_of: dt.date, settings: ReportSettings, horizon_months: int) -> pd.DataFrame:
    """The CLV model's per-customer outlook over ``horizon_months``."""
    return customer_clv(
        tables.transactions, as_of, horizon_months=horizon_months,
        margin=settings.margin, annual_discount=settings.annual_discount,
    )


def potential_revenue(clv_frame: pd.DataFrame) -> pd.Series:
    """Expected revenue in the outlook's horizon, indexed by customer id (MCC potential)."""
    values = clv_frame["expected_purchases"] * clv_frame["expected_spend"]
    return pd.Series(values.to_numpy(), index=clv_frame["customer_id"].astype(str), name="potential")


def score_customers(tables: Tables, as_of: Any = None, settings: ReportSettings = ReportSettings()) -> Scores:
    as_of = resolve_as_of(tables, as_of)
    messages: dict[str, str] = {}
    clv_frame = attempt(messages, "clv", lambda: outlook(tables, as_of, settings, settings.horizon_months))
    potential = None
    if clv_frame is not None:
        same = settings.horizon_months == settings.window_months
        window_frame = clv_frame if same else outlook(tables, as_of, settings, settings.window_months)
        potential = potential_revenue(window_frame)
    frame = segment_customers(tables, as_of, settings.segments, potential)

    if clv_frame is not None:
        clv_part = clv_frame.rename(columns={"note": "clv_note"})[["customer_id", *CLV_COLUMNS]]
        frame = frame.merge(clv_part, on="customer_id", how="left")
    else:
        for col in CLV_COLUMNS:
            frame[col] = np.nan

    personas: list[dict] = []
    fitted = attempt(messages, "clusters", lambda: fit_clusters(
        tables, as_of, settings.k, settings.window_months, currency=settings.currency))
    if fitted is not None:
        features, model = fitted
        names = model.persona_names()
        labels = pd.DataFrame({
            "customer_id": features.index.astype(str),
            "cluster": model.labels_,
            "cluster_name": [names[c] for c in model.labels_],
        })
        frame = frame.merge(labels, on="customer_id", how="left")
        frame["cluster"] = frame["cluster"].astype("Int64")
        personas = model.personas_
    else:
        frame["cluster"] = pd.array([pd.NA] * len(frame), dtype="Int64")
        frame["cluster_name"] = None
    return Scores(frame=frame, as_of=as_of, personas=personas, messages=messages)


LIST_COLUMNS = ["customer_id", "name", "tier", "revenue", "orders", "last_purchase", "p_alive",
                "expected_next_purchase", "clv", "clv_note"]


def top_by_clv(frame: pd.DataFrame, n: int = 50) -> pd.DataFrame:
    """The ``n`` customers with the highest predicted CLV."""
    ranked = frame[frame["clv"].notna()].sort_values(["clv", "customer_id"], ascending=[False, True])
    return ranked.head(n)[LIST_COLUMNS].reset_index(drop=True)


def likely_lost(frame: pd.DataFrame, n: int = 50, min_orders: int = 2) -> pd.DataFrame:
    """Repeat customers the purchase model thinks most likely gone (lowest P(alive)), the
    most valuable first among equals: the win-back list."""
    repeat = frame[(frame["orders"] >= min_orders) & frame["p_alive"].notna()]
    ranked = repeat.sort_values(["p_alive", "revenue", "customer_id"], ascending=[True, False, True])
    return ranked.head(n)[LIST_COLUMNS].reset_index(drop=True)
