"""Finding customers and listing them: search by id or name, the filters and orders every
list of customers uses (the pages, the CLI's `actions` and `export`), and one customer's
open complaints. A customer's suggested actions are in :mod:`analysis.customize.plan`.
"""

from __future__ import annotations

from typing import Any, Sequence

import ibis
import pandas as pd

from analysis import i18n
from analysis.customize import inputs
from analysis.errors import UserError
from analysis.identify.facts import interactions_until, resolve_as_of, to_date
from analysis.store import Tables, Workspace, one_customer

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


def source_tables(source: Workspace | Tables) -> Tables:
    """The tables of a workspace, or the tables themselves."""
    return source.tables() if isinstance(source, Workspace) else source


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


def open_complaints(source: Workspace | Tables, customer_id: str, as_of: Any = None) -> pd.DataFrame:
    """One customer's complaints still open as of a date (the ones the playbook's follow-up
    is about, :func:`analysis.customize.inputs.open_complaints`), oldest first: interaction_id,
    occurred_at, channel, note."""
    if isinstance(source, Workspace) and as_of is not None:  # that customer's rows, read alone
        as_of = to_date(as_of)
        mine = one_customer.contacts(source, str(customer_id), as_of)
    else:
        tables = source_tables(source)
        as_of = resolve_as_of(tables, as_of)
        i = interactions_until(tables, as_of)
        mine = i.filter(i.customer_id == str(customer_id)).to_pandas()
    found = inputs.open_complaints(inputs.interactions_as_of(mine, as_of))
    columns = ["interaction_id", "occurred_at", "channel", "note"]
    return found.sort_values("occurred_at")[columns].reset_index(drop=True)


def search(source: Workspace | Tables, text: str, limit: int = 20, known: Any = None) -> pd.DataFrame:
    """Customers whose id, name or e-mail contains ``text`` (case-insensitive): customer_id,
    name; the first ``limit`` by id. Listed customers are found in the customer list; a
    customer who bought without being listed by id among the purchase lines, or, when
    ``known`` is given (a table with a customer_id column: the stored scores, one row per
    customer), among its ids, a million rows instead of ten million lines."""
    tables = source_tables(source)
    needle = text.strip().lower()
    if not needle:
        raise UserError(i18n.t("Type part of a customer id or name to search."))
    c = tables.customers
    listed = c.filter(
        c.customer_id.lower().contains(needle) | ibis.coalesce(c.name, "").lower().contains(needle)
        | ibis.coalesce(c.email, "").lower().contains(needle)
    ).select("customer_id", "name")
    t = tables.transactions if known is None else known
    unlisted = t.filter(t.customer_id.lower().contains(needle)).select(
        "customer_id", name=ibis.null("string"))
    schema = {"customer_id": "string", "name": "string"}
    found = ibis.union(listed.cast(schema), unlisted.anti_join(c, "customer_id").cast(schema), distinct=True)
    return found.order_by("customer_id").limit(limit).to_pandas()


def biggest(frame: pd.DataFrame, n: int = 50) -> pd.DataFrame:
    """The ``n`` customers with the most revenue in the window (then all time): customer_id,
    name. The customer page offers them before anything is typed."""
    keys = frame[["revenue_window", "revenue", "customer_id"]]
    ranked = keys.sort_values(["revenue_window", "revenue", "customer_id"], ascending=[False, False, True]).head(n)
    return frame.loc[ranked.index, ["customer_id", "name"]].reset_index(drop=True)


#: the order of :func:`biggest`: (column, ascending), missing values last
BIGGEST_ORDER = [("revenue_window", False), ("revenue", False), ("customer_id", True)]


def stored_biggest(ws: Workspace, key: str, n: int = 50) -> pd.DataFrame | None:
    """:func:`biggest` of the scores stored under ``key`` (``analysis.scores.stored_key``),
    their first ``n`` rows read alone by plain SQL; None when they are not stored."""
    found = ws.load_result_rows(key, "frame", None, columns=["customer_id", "name"], order=BIGGEST_ORDER, limit=n)
    return None if found is None else found.reset_index(drop=True)


def with_customer(matches: pd.DataFrame, frame: pd.DataFrame, customer_id: str | None) -> pd.DataFrame:
    """``matches`` (customer_id, name) with ``customer_id`` first when the per-customer ``frame``
    knows it: a shared link (``?customer=C00042``) opens on that customer."""
    if not customer_id:
        return matches
    known = frame.loc[frame["customer_id"] == str(customer_id), ["customer_id", "name"]]
    rest = matches[matches["customer_id"] != str(customer_id)]
    return pd.concat([known, rest], ignore_index=True) if len(known) else matches
