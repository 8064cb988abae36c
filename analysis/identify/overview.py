"""The business at a glance: KPIs, concentration (Pareto / Lorenz / Gini), revenue by month
and breakdowns by region, industry, channel and category.

Concentration is measured over one period's net revenue per buying customer (the window by
default; ``window_months=None`` for all time), negative totals counted as 0. Gini is the
sample Gini coefficient ``G = (n + 1 - 2 * sum_r r * y_r / sum y) / n`` with ``r`` the rank
from the largest (Gini 1912; the discrete Lorenz-curve form, e.g. Damgaard & Weiner 2000,
eq. 2), so equal revenues give 0 and one customer holding everything gives (n - 1) / n.

Missing data: functions that cannot say anything raise :class:`NotEnoughData` with the
reason (no purchases, no region in the customer list, ...); the caller shows the message.
"""

from __future__ import annotations

import math
import re
from typing import Any

import ibis
import pandas as pd

from analysis.errors import NotEnoughData
from analysis.identify.facts import (
    DEFAULT_WINDOW_MONTHS, customer_facts, money_zero, purchases, resolve_as_of, to_date, window_bounds,
)
from analysis import i18n
from analysis.i18n import N_
from analysis.settings import slice_size
from analysis.store import Tables, to_frame

UNKNOWN = N_("(unknown)")  # the value code for a missing attribute
BREAKDOWNS = ("region", "industry", "channel", "category")
NO_PURCHASES = N_("No purchases yet: import transactions to see revenue figures.")
NO_BREAKDOWN = {
    "region": N_("No customers with a region yet: import data that has a region column to see revenue by region."),
    "industry": N_("No customers with an industry yet: import data that has an industry column to see revenue "
                   "by industry."),
    "channel": N_("No customers with a channel yet: import data that has a channel column to see revenue "
                  "by channel."),
    "category": N_("No purchases with a category yet: import data that has a category column to see revenue "
                   "by category."),
}


def kpis(tables: Tables, as_of: Any = None, window_months: int = DEFAULT_WINDOW_MONTHS) -> dict:
    """Headline numbers as plain Python values: as_of (ISO date), customers (listed or
    seen), active_customers (a purchase in the window), buyers (ever bought), revenue (net,
    all purchases on or before as_of), revenue_window, orders, average_order_value
    (revenue / orders, None without orders), repeat_rate (share of buyers with >= 2 orders,
    None without buyers)."""
    as_of = resolve_as_of(tables, as_of)
    f = customer_facts(tables, as_of, window_months)
    row = to_frame(f.aggregate(
        customers=f.customer_id.count(),
        active_customers=f.active.sum(),
        buyers=f.has_purchased.sum(),
        revenue=f.revenue.sum(),
        revenue_window=f.revenue_window.sum(),
        orders=f.orders.sum(),
        repeaters=(f.orders >= 2).sum(),
    )).iloc[0]
    buyers = int(row.buyers or 0)
    orders = int(row.orders or 0)
    revenue = float(row.revenue or 0.0)
    return {
        "as_of": as_of.isoformat(),
        "customers": int(row.customers or 0),
        "active_customers": int(row.active_customers or 0),
        "buyers": buyers,
        "revenue": revenue,
        "revenue_window": float(row.revenue_window or 0.0),
        "orders": orders,
        "average_order_value": revenue / orders if orders else None,
        "repeat_rate": int(row.repeaters or 0) / buyers if buyers else None,
    }


def guest_purchases(ws, as_of: Any) -> dict | None:
    """Purchases without a customer id (``guest_purchases``, guest checkouts) on or before
    ``as_of``: ``lines``, ``revenue`` and ``share`` (of all purchase lines); None when there
    are none. They are in no per-customer figure; the Overview says how much they are."""
    from analysis.store.imports import guest_totals

    day = to_date(as_of) if as_of is not None else resolve_as_of(ws.tables())
    totals = guest_totals(ws.cursor(), day)
    if totals is None:  # a workspace written before guest purchases were kept
        return None
    lines, revenue, others = totals
    if not lines:
        return None
    return {"lines": int(lines), "revenue": float(revenue), "share": lines / (lines + others)}


def _period_revenue(tables: Tables, as_of: Any, window_months: int | None):
    """Ibis table customer_id, value: net revenue per buyer in the period, floored at 0
    (exact: the curve's running sums and the Gini's weighted sum are exact too). When this
    computation has the per-customer facts of that window at hand (``Tables.knows``), they
    give the same figures without grouping the purchase lines again: the buyers of the
    window are the customers with an order in it, and their revenue is ``revenue_window``."""
    as_of = resolve_as_of(tables, as_of)
    if window_months is not None and tables.knows(("customer_facts", as_of, window_months)):
        f = customer_facts(tables, as_of, window_months)
        per = f.filter(f.orders_window > 0).select("customer_id", value=f.revenue_window)
        return per.mutate(value=ibis.greatest(per.value, money_zero(per.value)))
    t = purchases(tables, as_of)
    if window_months is not None:
        start, _ = window_bounds(as_of, window_months)
        t = t.filter(t.date > ibis.literal(start))
    per = t.group_by("customer_id").aggregate(value=t.amount.sum())
    return per.mutate(value=ibis.greatest(per.value, money_zero(per.value)))


def pareto(tables: Tables, as_of: Any = None, window_months: int | None = DEFAULT_WINDOW_MONTHS,
           max_points: int = 500) -> tuple[pd.DataFrame, float, float]:
    """(curve, top20_revenue_share, gini) over buyers in the period.

    curve: customer_share, revenue_share (cumulative, customers sorted by revenue, highest
    first; starts at 0, 0), at most ``max_points`` + 2 evenly spaced points. The top 20%
    is ``ceil(0.2 n)`` customers. Raises NotEnoughData when nobody bought in the period.
    """
    per = _period_revenue(tables, as_of, window_months)
    w = ibis.window(order_by=[ibis.desc(per.value), per.customer_id])
    ranked = per.mutate(rank=ibis.row_number().over(w) + 1)
    ranked = ranked.mutate(cum=ranked.value.sum().over(ibis.window(order_by=[ranked.rank], rows=(None, 0))))
    totals = to_frame(ranked.aggregate(n=ranked.count(), total=ranked.value.sum(),
                                       weighted=(ranked.rank * ranked.value).sum())).iloc[0]
    n = int(totals.n or 0)
    total = float(totals.total or 0.0)
    if n == 0 or total <= 0:
        raise NotEnoughData(i18n.lookup(NO_PURCHASES) if n == 0
                            else i18n.t("No positive revenue in the period to measure concentration."))
    gini = (n + 1 - 2 * float(totals.weighted) / total) / n
    k = slice_size(n, 0.2)
    step = max(1, n // max_points)
    picked = ranked.filter((ranked.rank % step == 0) | (ranked.rank == n) | (ranked.rank == k))
    pts = to_frame(picked.select("rank", "cum").order_by("rank"))
    top20 = float(pts.loc[pts["rank"] == k, "cum"].iloc[0]) / total
    curve = pd.DataFrame({
        "customer_share": [0.0, *(pts["rank"] / n)],
        "revenue_share": [0.0, *(pts["cum"] / total)],
    })
    return curve, top20, max(0.0, gini)


def top20_revenue_share(tables: Tables, as_of: Any = None, window_months: int | None = DEFAULT_WINDOW_MONTHS) -> float:
    """Share of the period's revenue brought by the top 20% of buyers."""
    return pareto(tables, as_of, window_months)[1]


def gini(tables: Tables, as_of: Any = None, window_months: int | None = DEFAULT_WINDOW_MONTHS) -> float:
    """Gini coefficient of revenue per buyer in the period (0 = all equal)."""
    return pareto(tables, as_of, window_months)[2]


def pareto_sentence(top_share: float, top: float = 0.2) -> str:
    """"The top 20% of customers bring 78% of revenue.\""""
    return i18n.t("The top {top} of customers bring {share} of revenue.", top=i18n.percent(top),
                  share=i18n.percent(top_share))


def revenue_by_month(tables: Tables, as_of: Any = None, months: int | None = None) -> pd.DataFrame:
    """month (first day, a date), revenue (net), orders, customers (distinct buyers), one row
    per calendar month with purchases up to as_of (the last ``months`` months if given)."""
    as_of = resolve_as_of(tables, as_of)
    t = purchases(tables, as_of)
    if months is not None:
        first = (pd.Timestamp(as_of).to_period("M") - (months - 1)).to_timestamp().date()
        t = t.filter(t.date >= ibis.literal(first))
    t = t.mutate(month=t.date.truncate("M"), _order=ibis.coalesce(t.order_id, t.date.cast("string")))
    out = to_frame(t.group_by("month").aggregate(
        revenue=t.amount.sum(), orders=(t.customer_id.concat("|", t._order)).nunique(),
        customers=t.customer_id.nunique(),
    ).order_by("month"))
    if out.empty:
        raise NotEnoughData(i18n.lookup(NO_PURCHASES))
    out["month"] = pd.to_datetime(out["month"]).dt.date
    out["orders"] = out["orders"].astype(int)
    out["customers"] = out["customers"].astype(int)
    return out[["month", "revenue", "orders", "customers"]]


def breakdown(tables: Tables, as_of: Any = None, by: str = "region",
              window_months: int | None = DEFAULT_WINDOW_MONTHS) -> pd.DataFrame:
    """Revenue by a customer attribute (region, industry, channel) or by product category.

    Columns: <by>, customers (customers in the universe with that value; for category,
    buyers of it in the period), revenue (net, in the period), share (of the period's
    revenue); missing values are "(unknown)"; sorted by revenue, highest first.
    Raises NotEnoughData when no customer or purchase has that attribute at all.
    """
    if by not in BREAKDOWNS:
        raise ValueError(f"breakdown by must be one of {', '.join(BREAKDOWNS)}, not {by!r}")
    as_of = resolve_as_of(tables, as_of)
    if by == "category":
        t = purchases(tables, as_of)
        if window_months is not None:
            start, _ = window_bounds(as_of, window_months)
            t = t.filter(t.date > ibis.literal(start))
        t = t.mutate(category=ibis.coalesce(t.category, ibis.literal(UNKNOWN)))
        out = to_frame(t.group_by("category").aggregate(customers=t.customer_id.nunique(), revenue=t.amount.sum()))
    else:
        f = customer_facts(tables, as_of, window_months or DEFAULT_WINDOW_MONTHS)
        rev = f.revenue_window if window_months is not None else f.revenue
        f = f.mutate(_key=ibis.coalesce(f[by], ibis.literal(UNKNOWN)), _rev=rev)
        out = to_frame(f.group_by("_key").aggregate(customers=f.count(), revenue=f._rev.sum()).rename({by: "_key"}))
    if out.empty or set(out[by]) == {UNKNOWN}:
        raise NotEnoughData(i18n.lookup(NO_BREAKDOWN[by]))
    out["customers"] = out["customers"].astype(int)
    out["revenue"] = out["revenue"].astype(float)
    total = math.fsum(out["revenue"])  # exactly rounded, whatever order the groups came in
    out["share"] = out["revenue"] / total if total else 0.0
    return out.sort_values(["revenue", by], ascending=[False, True]).reset_index(drop=True)[[by, "customers", "revenue", "share"]]


def category_buyers(tables: Tables, as_of: Any = None, category: str = UNKNOWN,
                    window_months: int | None = DEFAULT_WINDOW_MONTHS) -> list[str]:
    """Ids of the customers who bought ``category`` in the period (the customers behind a
    bar of the category breakdown; "(unknown)" means lines without a category)."""
    as_of = resolve_as_of(tables, as_of)
    t = purchases(tables, as_of)
    if window_months is not None:
        start, _ = window_bounds(as_of, window_months)
        t = t.filter(t.date > ibis.literal(start))
    t = t.filter(ibis.coalesce(t.category, ibis.literal(UNKNOWN)) == category)
    return sorted(t.select("customer_id").distinct().to_pandas()["customer_id"].astype(str))


def month_keys(monthly: pd.DataFrame) -> list[str]:
    """The months of :func:`revenue_by_month` as "2024-05": the chart's labels and click keys."""
    return [str(m)[:7] for m in monthly["month"]]


def month_buyers(tables: Tables, as_of: Any = None, month: str = "") -> list[str]:
    """Ids of the customers with a purchase line in calendar month ``month`` ("2024-05") up
    to as_of: the buyers behind a bar of :func:`revenue_by_month` (as many as its
    ``customers``)."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(month)):
        raise ValueError(f"month must look like 2024-05, not {month!r}")
    as_of = resolve_as_of(tables, as_of)
    first = pd.Period(month, freq="M")
    t = purchases(tables, as_of)
    t = t.filter((t.date >= ibis.literal(first.start_time.date()))
                 & (t.date <= ibis.literal(first.end_time.date())))
    return sorted(t.select("customer_id").distinct().to_pandas()["customer_id"].astype(str))
