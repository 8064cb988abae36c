"""One customer, and lists of customers, as the customer page, the Actions page, the CLI
(`customer`, `actions`, `export`) and exports see them.

Each function accepts precomputed :class:`analysis.scores.Scores` so the app computes the
per-customer frame once per workspace, data version and as-of date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Sequence

import ibis
import pandas as pd

from analysis import actions, headroom, i18n, timeline
from analysis.crosssell import CoPurchaseModel
from analysis.errors import UserError
from analysis.features import interactions_until, purchases, resolve_as_of
from analysis.report import ReportSettings
from analysis.scores import Scores, score_customers
from analysis.store import Tables, Workspace, to_frame

# Filter name -> column of the scores / actions frame. Shared by the CLI and the Actions page.
FILTER_COLUMNS = {
    "customer_id": "customer_id",
    "tier": "tier",
    "previous_tier": "previous_tier",
    "cell": "cell",
    "cluster_name": "cluster_name",
    "rfm_segment": "rfm_segment",
    "r": "r",
    "f": "f",
    "region": "region",
    "industry": "industry",
    "channel": "channel",
    "action": "action",
}
PROFILE_LABELS = [
    "tier", "previous_tier", "cell", "abcd", "strategy", "rfm_segment", "cluster_name",
    "is_mvc", "is_mcc", "is_bz", "profit", "potential", "share_of_wallet",
    "reason_mvc", "reason_mcc", "reason_bz", "p_alive", "expected_next_purchase", "clv", "clv_note",
    "wallet_estimate", "wallet_source", "wallet_peers", "headroom",
]
EXPORT_COLUMNS = ["customer_id", "name", "tier", "cell", "cluster_name", "rfm_segment", "region",
                  "top_action", "top_action_reason"]


def _tables(source: Workspace | Tables) -> Tables:
    return source.tables() if isinstance(source, Workspace) else source


def history(tables: Tables, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(interactions, transactions) up to ``as_of`` as pandas frames, for the action rules."""
    i = interactions_until(tables, as_of).to_pandas()
    t = to_frame(purchases(tables, as_of).select("customer_id", "date", "amount", "category", "order_id"))
    return i, t


def crosssell_model(transactions: pd.DataFrame, settings: actions.ActionSettings) -> CoPurchaseModel:
    return CoPurchaseModel(
        settings.crosssell_min_customers, settings.crosssell_min_confidence, settings.crosssell_min_lift
    ).fit(transactions)


def apply_filters(frame: pd.DataFrame, filters: dict[str, list[str] | None] | Sequence | None) -> pd.DataFrame:
    """Keep rows whose column is one of the given values, for every filter that is set.
    ``filters`` is a dict or its (name, values) pairs."""
    for name, values in dict(filters or {}).items():
        if not values:
            continue
        column = FILTER_COLUMNS[name]
        if column not in frame:
            continue
        frame = frame[frame[column].astype("string").isin([str(v) for v in values])]
    return frame


def ranked(frame: pd.DataFrame, by: tuple[str, ...] = ("revenue_window", "revenue")) -> pd.DataFrame:
    """``frame`` ordered by what a list of customers is about: the ``by`` columns, biggest
    first (missing values last), then customer id. A list of active customers reads by
    window revenue, then all-time revenue."""
    by = [c for c in by if c in frame]
    return frame.sort_values([*by, "customer_id"], ascending=[False] * len(by) + [True],
                             na_position="last", kind="stable").reset_index(drop=True)


def all_actions(
    source: Workspace | Tables,
    as_of: Any = None,
    settings: ReportSettings = ReportSettings(),
    action_settings: actions.ActionSettings = actions.ActionSettings(),
    scores: Scores | None = None,
) -> pd.DataFrame:
    """Every suggested action for every customer, highest priority first."""
    tables = _tables(source)
    as_of = resolve_as_of(tables, as_of)
    scores = scores or score_customers(source, as_of, settings)
    interactions, transactions = history(tables, as_of)
    model = crosssell_model(transactions, action_settings)
    return actions.suggest(scores.frame, interactions, transactions, as_of, action_settings, model)


def action_list(
    source: Workspace | Tables,
    as_of: Any = None,
    filters: dict | None = None,
    limit: int | None = None,
    settings: ReportSettings = ReportSettings(),
    action_settings: actions.ActionSettings = actions.ActionSettings(),
    scores: Scores | None = None,
) -> pd.DataFrame:
    """The top suggested actions across customers, filtered, highest priority first."""
    found = apply_filters(all_actions(source, as_of, settings, action_settings, scores), filters)
    return found.head(limit) if limit else found


def export_list(
    source: Workspace | Tables,
    as_of: Any = None,
    filters: dict | None = None,
    settings: ReportSettings = ReportSettings(),
    scores: Scores | None = None,
    action_settings: actions.ActionSettings = actions.ActionSettings(),
) -> pd.DataFrame:
    """Every customer (filtered) with id, name, tier, matrix cell, cluster, segment and the
    top suggested action. With an ``action`` filter, only customers who have that action."""
    tables = _tables(source)
    as_of = resolve_as_of(tables, as_of)
    scores = scores or score_customers(source, as_of, settings)
    suggested = all_actions(tables, as_of, settings, action_settings, scores=scores)
    wanted = (filters or {}).get("action")
    if wanted:
        suggested = suggested[suggested["action"].isin(wanted)]
    top = suggested.drop_duplicates("customer_id")[["customer_id", "title", "reason"]].rename(
        columns={"title": "top_action", "reason": "top_action_reason"})
    frame = scores.frame.merge(top, on="customer_id", how="inner" if wanted else "left")
    rest = {k: v for k, v in (filters or {}).items() if k != "action"}
    return apply_filters(frame, rest)[EXPORT_COLUMNS].reset_index(drop=True)


def customer_detail(
    source: Workspace | Tables,
    customer_id: str,
    as_of: Any = None,
    settings: ReportSettings = ReportSettings(),
    action_settings: actions.ActionSettings = actions.ActionSettings(),
    scores: Scores | None = None,
) -> dict[str, Any]:
    """{"profile", "events", "actions"} for one customer: the profile with every label, the
    events in time order, and the suggested next actions."""
    tables = _tables(source)
    as_of = resolve_as_of(tables, as_of)
    profile = timeline.customer_profile(tables, customer_id, as_of, settings.window_months)
    scores = scores or score_customers(source, as_of, settings)
    row = scores.frame[scores.frame["customer_id"] == str(customer_id)]
    if not row.empty:
        labels = row.iloc[0]
        profile.update({k: labels.get(k) for k in PROFILE_LABELS if k in labels.index})
        profile["wallet_basis"] = headroom.source_text(labels.get("wallet_source"), labels.get("wallet_peers"),
                                                       labels.get("wallet_peer_group"), settings.currency)
    events = timeline.customer_events(tables, customer_id, as_of, settings.currency)
    interactions, transactions = history(tables, as_of)
    model = crosssell_model(transactions, action_settings)
    suggested = actions.customer_actions(
        scores.frame, interactions, transactions, customer_id, as_of, action_settings, model)
    return {
        "profile": {k: _plain(v) for k, v in profile.items()},
        "events": [{k: _plain(v) for k, v in e.items()} for e in events.to_dict(orient="records")],
        "actions": [{k: _plain(v) for k, v in a.items()} for a in suggested.to_dict(orient="records")],
    }


def open_complaints(source: Workspace | Tables, customer_id: str, as_of: Any = None) -> pd.DataFrame:
    """One customer's complaints still open as of a date (the ones the playbook's follow-up
    is about, :func:`analysis.actions.open_complaints`), oldest first: interaction_id,
    occurred_at, channel, note."""
    tables = _tables(source)
    as_of = resolve_as_of(tables, as_of)
    i = interactions_until(tables, as_of)
    mine = i.filter(i.customer_id == str(customer_id)).to_pandas()
    found = actions.open_complaints(actions.interactions_as_of(mine, as_of))
    columns = ["interaction_id", "occurred_at", "channel", "note"]
    return found.sort_values("occurred_at")[columns].reset_index(drop=True)


def search(source: Workspace | Tables, text: str, limit: int = 20) -> pd.DataFrame:
    """Customers whose id or name contains ``text`` (case-insensitive): customer_id, name."""
    tables = _tables(source)
    needle = text.strip().lower()
    if not needle:
        raise UserError(i18n.t("Type part of a customer id or name to search."))
    c = tables.customers
    listed = c.filter(
        c.customer_id.lower().contains(needle) | ibis.coalesce(c.name, "").lower().contains(needle)
    ).select("customer_id", "name")
    t = tables.transactions
    unlisted = t.filter(t.customer_id.lower().contains(needle)).select(
        "customer_id", name=ibis.null("string"))
    schema = {"customer_id": "string", "name": "string"}
    found = ibis.union(listed.cast(schema), unlisted.anti_join(c, "customer_id").cast(schema), distinct=True)
    return found.order_by("customer_id").limit(limit).to_pandas()


def _plain(value: Any) -> Any:
    """NaN/NaT -> None, numpy scalars -> Python, dates -> ISO strings (JSON-ready)."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.isoformat() if not pd.isna(value) else None
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def count_by_action(found: pd.DataFrame) -> pd.DataFrame:
    """How many customers each kind of action is suggested for: action, title, customers,
    mean priority; most frequent first."""
    if found.empty:
        return pd.DataFrame({"action": [], "title": [], "customers": [], "priority": []})
    counts = found.groupby(["action", "title"], as_index=False).agg(
        customers=("customer_id", "nunique"), priority=("priority", "mean"))
    return counts.sort_values(["customers", "action"], ascending=[False, True]).reset_index(drop=True)


def plan_summary(frame: pd.DataFrame, filters: dict | Sequence | None = None) -> dict:
    """The action plan ``frame`` narrowed by ``filters`` (see :func:`apply_filters`), in
    figures: {"counts": :func:`count_by_action`, "actions": rows, "customers": distinct
    customers}."""
    found = apply_filters(frame, filters)
    return {"counts": count_by_action(found), "actions": len(found), "customers": int(found["customer_id"].nunique())}


def action_titles(frame: pd.DataFrame) -> dict[str, str]:
    """{action code: its title} over an action plan frame."""
    if "action" not in frame:
        return {}
    pairs = frame[["action", "title"]].drop_duplicates("action")
    return dict(zip(pairs["action"].astype(str), pairs["title"].astype(str)))


def filter_options(frame: pd.DataFrame) -> dict[str, list[str]]:
    """The distinct values of each filter column present in ``frame``, sorted, for pickers."""
    return {
        name: sorted(frame[col].dropna().astype(str).unique())
        for name, col in FILTER_COLUMNS.items() if col in frame and name != "customer_id"
    }


def biggest(frame: pd.DataFrame, n: int = 50) -> pd.DataFrame:
    """The ``n`` customers with the most revenue in the window (then all time): customer_id,
    name. The customer page offers them before anything is typed."""
    keys = frame[["revenue_window", "revenue", "customer_id"]]
    ranked = keys.sort_values(["revenue_window", "revenue", "customer_id"], ascending=[False, False, True]).head(n)
    return frame.loc[ranked.index, ["customer_id", "name"]].reset_index(drop=True)


def with_customer(matches: pd.DataFrame, frame: pd.DataFrame, customer_id: str | None) -> pd.DataFrame:
    """``matches`` (customer_id, name) with ``customer_id`` first when the per-customer ``frame``
    knows it: a shared link (``?customer=C00042``) opens on that customer."""
    if not customer_id:
        return matches
    known = frame.loc[frame["customer_id"] == str(customer_id), ["customer_id", "name"]]
    rest = matches[matches["customer_id"] != str(customer_id)]
    return pd.concat([known, rest], ignore_index=True) if len(known) else matches
