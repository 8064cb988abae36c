"""One customer's story: every purchase, refund and contact in time order, and a profile.

Read with Ibis filters on :class:`analysis.store.Tables`, so only this customer's rows leave
the database (and the same code runs on Spark); on a workspace, the customer's rows are read
alone by plain SQL (:mod:`analysis.store.one_customer`), and the profile's facts come from
the stored scores when they are stored (:func:`stored_profile`): the Customer page compiles
no engine expression for them.
"""

from __future__ import annotations

from typing import Any

import ibis
import numpy as np
import pandas as pd

from analysis import i18n
from analysis.identify import facts
from analysis.customize.inputs import purchase_gaps
from analysis.errors import UserError
from analysis.i18n import N_, t
from analysis.interact.contacts import contact_channel_label, outcome_label
from analysis.vocabulary import label
from analysis.store import Tables, Workspace, one_customer, to_frame

EVENT_COLUMNS = [
    "time", "kind", "channel", "amount", "category", "product", "order_id", "satisfaction",
    "scale", "satisfaction_5", "outcome", "note", "detail", "interaction_id",
]
# Lanes of the timeline, top to bottom; other kinds follow in alphabetical order.
KIND_ORDER = ("purchase", "refund", "contact", "visit", "survey", "complaint", "resolution")

# User-facing words of the one-line descriptions (translated with the rest of the UI).
DETAIL_TEXTS = {
    "purchase": N_("Bought {what} for {amount:,.2f}"),
    "refund": N_("Refund of {amount:,.2f} for {what}"),
    "interaction": N_("{kind} by {channel}"),
    "score": N_("score {satisfaction:g} of {scale:g}"),
    "outcome": N_("outcome: {outcome}"),
    "nothing": N_("(no product)"),
}
def event_type_label(code: Any) -> Any:
    """An event type ("purchase", "refund", "complaint", ...: the ``kind`` column of
    :func:`customer_events`, the lanes' names) in the current language."""
    return label("event_type", code)


def _text(key: str, **values: Any) -> str:
    return i18n.t(DETAIL_TEXTS[key], **values)


def _tables(ws_or_tables: Workspace | Tables) -> Tables:
    return ws_or_tables.tables() if isinstance(ws_or_tables, Workspace) else ws_or_tables


def _only(tables: Tables, customer_id: str) -> Tables:
    return Tables(*(t.filter(t.customer_id == customer_id) for t in (
        tables.customers, tables.transactions, tables.interactions)))


def _what(product: Any, category: Any) -> str:
    names = [str(v) for v in (product, category) if isinstance(v, str) and v.strip()]
    if len(names) == 2:
        return f"{names[0]} ({names[1]})"
    return names[0] if names else _text("nothing")


def _interaction_detail(row: pd.Series) -> str:
    parts = [_text(
        "interaction", kind=str(event_type_label(row["kind"])).capitalize(),
        channel=contact_channel_label(row["channel"]) if isinstance(row["channel"], str) else "?")]
    if pd.notna(row["satisfaction"]):
        parts.append(_text("score", satisfaction=row["satisfaction"], scale=row["scale"]))
    if isinstance(row["outcome"], str) and row["outcome"]:
        parts.append(_text("outcome", outcome=outcome_label(row["outcome"])))
    text = t("; ").join(parts)
    if isinstance(row["note"], str) and row["note"].strip():
        text += " — " + " ".join(row["note"].split())
    return text


def customer_events(ws_or_tables: Workspace | Tables, customer_id: str, as_of: Any = None,
                    currency: str = "") -> pd.DataFrame:
    """Every purchase, refund and interaction of one customer up to ``as_of`` (all when
    None), oldest first (purchases of one day by order id, product, category, amount). Columns: :data:`EVENT_COLUMNS`; satisfaction on its own scale and
    as ``satisfaction_5`` (score / scale × 5, scale 5 when missing). Amounts in ``detail``
    carry ``currency``, the workspace's symbol."""
    as_of = None if as_of is None else facts.to_date(as_of)
    if isinstance(ws_or_tables, Workspace):  # that customer's rows, read alone (no engine expression)
        return events_of(one_customer.purchase_lines(ws_or_tables, str(customer_id), as_of),
                         one_customer.contacts(ws_or_tables, str(customer_id), as_of), currency)
    tables = _only(ws_or_tables, str(customer_id))
    t, i = tables.transactions, tables.interactions
    if as_of is not None:
        t = facts.purchases(tables, as_of)
        i = facts.interactions_until(tables, as_of)
    return events_of(to_frame(t.select("date", "amount", "category", "product", "order_id")),
                     i.select(*INTERACTION_COLUMNS).to_pandas(), currency)


#: the columns of an interaction the timeline reads
INTERACTION_COLUMNS = ("interaction_id", "occurred_at", "kind", "channel", "satisfaction", "scale", "outcome", "note")


def events_of(tx: pd.DataFrame, ix: pd.DataFrame, currency: str = "") -> pd.DataFrame:
    """:func:`customer_events` of one customer's purchase lines ``tx`` (date, amount,
    category, product, order_id) and interactions ``ix`` (:data:`INTERACTION_COLUMNS`)."""
    buys = pd.DataFrame({
        "time": pd.to_datetime(tx["date"]),
        "kind": np.where(tx["amount"] < 0, "refund", "purchase"),
        "amount": tx["amount"].astype(float),
        "category": tx["category"], "product": tx["product"], "order_id": tx["order_id"],
    })
    # The stored order of purchase lines is not a contract (README, Decisions): lines of one day
    # are shown by order id, product, category and amount, whatever order they were written in.
    buys = buys.sort_values(["time", "order_id", "product", "category", "amount"], kind="stable",
                            na_position="last", ignore_index=True)
    buys["detail"] = [
        _text(k, what=_what(p, c), amount=i18n.Amount(abs(a), currency))
        for k, p, c, a in zip(buys["kind"], buys["product"], buys["category"], buys["amount"])
    ]
    kind = ix["kind"].astype("string").str.strip().str.lower().fillna("contact")
    scale = ix["scale"].astype(float).where(ix["scale"].notna(), 5.0)
    contacts = pd.DataFrame({
        "time": pd.to_datetime(ix["occurred_at"]),
        "kind": kind.astype(object),
        "channel": ix["channel"],
        "satisfaction": ix["satisfaction"].astype(float),
        "scale": scale.where(ix["satisfaction"].notna()),
        "satisfaction_5": ix["satisfaction"].astype(float) / scale * 5.0,
        "outcome": ix["outcome"], "note": ix["note"],
        "interaction_id": ix["interaction_id"].astype("Int64"),
    })
    contacts["detail"] = [_interaction_detail(r) for _, r in contacts.iterrows()]
    parts = [p for p in (buys, contacts) if len(p)]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in EVENT_COLUMNS}).astype(
            {"time": "datetime64[us]", "amount": float, "satisfaction": float, "scale": float, "satisfaction_5": float})
    events = pd.concat(parts, ignore_index=True).reindex(columns=EVENT_COLUMNS)
    events["interaction_id"] = events["interaction_id"].astype("Int64")
    rank = {k: n for n, k in enumerate(KIND_ORDER)}
    events["_lane"] = events["kind"].map(rank).fillna(len(rank))
    events = events.sort_values(["time", "_lane", "interaction_id"], kind="stable", ignore_index=True)
    return events.drop(columns="_lane")


def of_kinds(events: pd.DataFrame, kinds: list[str] | None) -> pd.DataFrame:
    """The events of the given kinds (all when ``kinds`` is empty or None)."""
    return events if not kinds else events[events["kind"].isin(kinds)].reset_index(drop=True)


def customer_profile(
    ws_or_tables: Workspace | Tables,
    customer_id: str,
    as_of: Any = None,
    window_months: int = facts.DEFAULT_WINDOW_MONTHS,
) -> dict[str, Any]:
    """Profile fields and key numbers of one customer as of a date (default: the last
    purchase date in the whole workspace). Keys: the columns of
    :func:`analysis.identify.facts.customer_facts` plus email, phone, average_order_value,
    usual_gap_days (the purchase cycle the playbook's win-back reads,
    :func:`analysis.customize.inputs.purchase_gaps`: median days between purchase days, None below 3
    purchase days), top_category and as_of. Unknown id: :class:`UserError`."""
    everyone = _tables(ws_or_tables)
    as_of = facts.resolve_as_of(everyone, as_of)
    cid = str(customer_id)
    mine = _only(everyone, cid)
    found = to_frame(facts.customer_facts(mine, as_of, window_months))
    if found.empty:
        raise UserError(t("customer {cid!r} is not in this workspace (no customer record, purchase or contact).",
                          cid=cid))
    profile = {k: (None if _is_missing(v) else v) for k, v in found.iloc[0].to_dict().items()}
    contact = mine.customers.select("email", "phone").limit(1).to_pandas()
    for col in ("email", "phone"):
        profile[col] = contact[col].iloc[0] if len(contact) and pd.notna(contact[col].iloc[0]) else None
    orders = profile.get("orders") or 0
    profile["average_order_value"] = profile["revenue"] / orders if orders else None
    days = facts.purchases(mine, as_of).select("customer_id", "date").to_pandas()
    gap = purchase_gaps(days, as_of, PROFILE_PURCHASE_DAYS).get("gap_days", pd.Series(dtype=float)).get(cid)
    profile["usual_gap_days"] = None if gap is None or pd.isna(gap) else float(gap)
    cats = to_frame(facts.category_revenue(mine, as_of).order_by([ibis.desc("revenue"), "category"]).limit(1))
    profile["top_category"] = cats["category"].iloc[0] if len(cats) else None
    profile["as_of"] = as_of
    return profile


#: the purchase days a profile's purchase cycle needs (:func:`customer_profile`'s ``usual_gap_days``)
PROFILE_PURCHASE_DAYS = 3

#: the facts counted in whole numbers (:func:`analysis.identify.facts.customer_facts`' int64
#: columns), given as ints whatever type the stored scores keep them in
WHOLE_FACTS = ("orders", "purchase_days", "orders_window", "refunds", "interactions", "contacts", "complaints",
               "recency_days", "tenure_days")


def stored_profile(ws: Workspace, row: pd.DataFrame, as_of: Any, gap_days: Any = None) -> dict[str, Any]:
    """:func:`customer_profile` of the customer whose row of the stored scores is ``row``
    (one row of :func:`analysis.scores.score_customer`, scored as of ``as_of`` with the same
    window: its facts are :func:`analysis.identify.facts.customer_facts`' row), with the
    e-mail, phone and top category read alone (:mod:`analysis.store.one_customer`) and the
    purchase cycle ``gap_days`` when the caller has it (the stored history inputs of the
    action plan, whose win-back reads it); else it is worked out from the customer's
    purchase days."""
    as_of = facts.to_date(as_of)
    found = row.iloc[0]
    cid = str(found["customer_id"])
    profile = {k: (None if _is_missing(found[k]) else found[k]) for k in facts.FACT_COLUMNS}
    for k in WHOLE_FACTS:  # a stored column with missing values holds floats: the facts' own type
        if isinstance(profile.get(k), float):
            profile[k] = int(profile[k])
    profile["email"], profile["phone"] = (None if _is_missing(v) else v
                                          for v in one_customer.contact_details(ws, cid))
    orders = profile.get("orders") or 0
    profile["average_order_value"] = profile["revenue"] / orders if orders else None
    if gap_days is None:
        days = one_customer.purchase_lines(ws, cid, as_of)[["customer_id", "date"]]
        gap_days = purchase_gaps(days, as_of, PROFILE_PURCHASE_DAYS).get("gap_days", pd.Series(dtype=float)).get(cid)
    profile["usual_gap_days"] = None if _is_missing(gap_days) else float(gap_days)
    profile["top_category"] = one_customer.top_category(ws, cid, as_of)
    profile["as_of"] = as_of
    return profile


def _is_missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


__all__ = ["customer_events", "customer_profile", "events_of", "stored_profile", "EVENT_COLUMNS", "KIND_ORDER", "DETAIL_TEXTS"]

