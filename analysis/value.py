"""Most Valuable, Most Growable and Below-Zero customers (Peppers & Rogers, *Managing
Customer Relationships*, ch. 5: MVCs, MGCs and BZs).

- profit = margin x net window revenue - cost to serve, where cost to serve counts the
  window's contacts x cost_per_contact + complaints x cost_per_complaint + refund lines x
  cost_per_refund.
- MVC: the top ``mvc_share`` of active customers by profit (ties by customer id), profit > 0.
- MCC (most growable): the top ``mcc_share`` of active customers by gap = potential - window
  revenue, gap > 0. The potential is the one passed in (e.g. a CLV model's 12-month
  prediction, a Series indexed by customer id, or an Ibis table (customer_id, potential) in
  the same engine); for customers it does not cover, it is the
  larger of the trend projection (window revenue + the rise since the previous window, if
  it rose from a positive previous window: a first window alone is no trend) and the
  customer's wallet: given in the customer list, else estimated from look-alikes
  (:mod:`analysis.headroom`).
- BZ: an active customer whose profit in the window is < 0: they buy, but serving them
  costs more than their margin. A lapsed customer's contacts are a win-back cost and a
  never-buying prospect's are acquisition cost; neither is a loss on a customer served.

A customer can be MVC and MCC at once.
"""

from __future__ import annotations

from typing import Any

import ibis
import numpy as np
import pandas as pd

from analysis.features import customer_facts, money_zero, resolve_as_of, service_facts
from analysis.i18n import money, percent, t, tn
from analysis.pyramid import ranked_active
from analysis.segment_settings import SegmentSettings, slice_size
from analysis.store import Tables, to_frame

VALUE_COLUMNS = [
    "customer_id", "active", "revenue_window", "revenue_prev_window", "wallet",
    "contacts_window", "complaints_window", "refunds_window", "margin", "cost_to_serve",
    "profit", "potential", "potential_source", "gap", "share_of_wallet",
    "is_mvc", "is_mcc", "is_bz", "reason_mvc", "reason_mcc", "reason_bz",
]


def value_expr(tables: Tables, as_of: Any = None, settings: SegmentSettings | None = None,
               potential: "pd.Series | ibis.Table | None" = None, wallets: "pd.Series | None" = None):
    """Ibis table of the value columns (without the reason strings), one row per customer
    who has ever bought. ``wallets``: estimated wallets by customer id
    (:func:`analysis.headroom.estimated`), used where the customer list gives none."""
    s = settings or SegmentSettings()
    as_of = resolve_as_of(tables, as_of)
    f = customer_facts(tables, as_of, s.window_months).filter(ibis._.has_purchased)
    svc = service_facts(tables, as_of, s.window_months)
    f = f.left_join(svc, "customer_id").drop("customer_id_right")
    margin = f.revenue_window * s.margin
    cost = (
        f.contacts_window * s.cost_per_contact
        + f.complaints_window * s.cost_per_complaint
        + f.refunds_window * s.cost_per_refund
    )
    zero = money_zero(f.revenue_window)
    rise = ibis.ifelse(
        f.revenue_prev_window > 0,
        ibis.greatest(f.revenue_window - f.revenue_prev_window, zero),
        zero,
    )
    trend = f.revenue_window + rise
    f = _joined(f, wallets, "_estimate")
    given_wallet = f.wallet.notnull() & (f.wallet > 0)
    wallet = ibis.ifelse(given_wallet, f.wallet.cast("float64"), f._estimate)
    has_wallet = wallet.notnull() & (wallet > 0)
    from_wallet = has_wallet & (wallet > trend.cast("float64"))
    f = f.mutate(
        margin=margin.cast("float64"),
        cost_to_serve=cost.cast("float64"),
        profit=(margin - cost).cast("float64"),
        _computed=ibis.ifelse(from_wallet, wallet, trend.cast("float64")),
        _computed_source=ibis.ifelse(from_wallet, ibis.ifelse(given_wallet, "wallet", "estimate"), "trend"),
        share_of_wallet=ibis.ifelse(has_wallet, f.revenue_window.cast("float64") / wallet, ibis.null("float64")),
    )
    f = _joined(f, potential, "_given")
    f = f.mutate(
        potential=ibis.coalesce(f._given, f._computed),
        potential_source=ibis.ifelse(f._given.notnull(), "given", f._computed_source),
    )
    f = f.mutate(gap=f.potential - f.revenue_window)
    by_profit = ranked_active(f, "profit")
    f = by_profit.mutate(
        is_mvc=by_profit.active & (by_profit._rank < slice_size(by_profit._n, s.mvc_share)) & (by_profit.profit > 0)
    ).drop("_rank", "_n")
    by_gap = ranked_active(f, "gap")
    f = by_gap.mutate(
        is_mcc=by_gap.active & (by_gap._rank < slice_size(by_gap._n, s.mcc_share)) & (by_gap.gap > 0)
    ).drop("_rank", "_n")
    f = f.mutate(is_bz=f.active & (f.profit < 0))
    return f.select(*[c for c in VALUE_COLUMNS if not c.startswith("reason_")])


def _joined(f, values: "pd.Series | ibis.Table | None", name: str):
    """``f`` with the column ``name``: ``values`` by customer id (a Series, or an Ibis table
    (customer_id, potential) in the same engine), NULL where they say nothing."""
    if isinstance(values, ibis.Table):
        g = values.select(customer_id=values.customer_id.cast("string"), **{name: values.potential.cast("float64")})
        return f.left_join(g.filter(g[name].notnull()), "customer_id").drop("customer_id_right")
    if values is None:
        return f.mutate(**{name: ibis.null("float64")})
    given = pd.DataFrame({
        "customer_id": values.index.astype(str),
        name: pd.to_numeric(values, errors="coerce").astype(float).to_numpy(),
    }).dropna()
    g = ibis.memtable(given, schema={"customer_id": "string", name: "float64"})
    return f.left_join(g, "customer_id").drop("customer_id_right")


# The columns the reason sentences are written from.
_REASON_INPUTS = ["is_mvc", "is_mcc", "is_bz", "profit", "potential_source", "share_of_wallet", "wallet",
                  "gap", "potential", "revenue_window", "revenue_prev_window", "contacts_window",
                  "complaints_window", "refunds_window", "margin", "cost_to_serve"]


def add_reasons(frame: pd.DataFrame, settings: SegmentSettings | None = None) -> pd.DataFrame:
    """Add reason_mvc, reason_mcc, reason_bz: one sentence per customer in a group, else ''."""
    s = settings or SegmentSettings()
    cur = s.currency
    months = s.window_months
    out = frame.copy()

    def mvc(r):
        if not r.is_mvc:
            return ""
        return t("Profit {profit} in the last {months} months: top {share}",
                 profit=money(r.profit, cur), months=months, share=percent(s.mvc_share))

    def mcc(r):
        if not r.is_mcc:
            return ""
        if r.potential_source == "wallet":
            return t("Spends {share} of an estimated {wallet} wallet (room for {gap})",
                     share=percent(r.share_of_wallet), wallet=money(r.wallet, cur), gap=money(r.gap, cur))
        if r.potential_source == "estimate":
            return t("Spends {share} of a {wallet} wallet estimated from similar customers (room for {gap})",
                     share=percent(r.share_of_wallet), wallet=money(r.potential, cur), gap=money(r.gap, cur))
        if r.potential_source == "given":
            return t("Predicted {potential} in the next {months} months against {revenue} in the last "
                     "{months} months (gap {gap})", potential=money(r.potential, cur), months=months,
                     revenue=money(r.revenue_window, cur), gap=money(r.gap, cur))
        return t("Revenue rose from {before} to {now}; on that trend {potential} next (gap {gap})",
                 before=money(r.revenue_prev_window, cur), now=money(r.revenue_window, cur),
                 potential=money(r.potential, cur), gap=money(r.gap, cur))

    def bz(r):
        if not r.is_bz:
            return ""
        return t("Margin {margin} minus cost to serve {cost} ({contacts}, {complaints}, {refunds})",
                 margin=money(r.margin, cur), cost=money(r.cost_to_serve, cur),
                 contacts=tn("{n} contact", "{n} contacts", int(r.contacts_window)),
                 complaints=tn("{n} complaint", "{n} complaints", int(r.complaints_window)),
                 refunds=tn("{n} refund", "{n} refunds", int(r.refunds_window)))

    for col, flag, sentence in (("reason_mvc", "is_mvc", mvc), ("reason_mcc", "is_mcc", mcc),
                                ("reason_bz", "is_bz", bz)):
        inside = out[flag].fillna(False).astype(bool).to_numpy()
        texts = np.full(len(out), "", dtype=object)
        texts[inside] = [sentence(r) for r in out.loc[inside, _REASON_INPUTS].itertuples(index=False)]
        out[col] = texts.tolist()
    return out


def value_groups(tables: Tables, as_of: Any = None, settings: SegmentSettings | None = None,
                 potential: "pd.Series | ibis.Table | None" = None, wallets: "pd.Series | None" = None) -> pd.DataFrame:
    """MVC / MCC / BZ per customer who has ever bought, sorted by profit (highest first).

    Columns: customer_id, active, revenue_window, revenue_prev_window, wallet,
    contacts_window, complaints_window, refunds_window, margin (margin x window revenue),
    cost_to_serve, profit, potential, potential_source ("given", "trend", "wallet" or
    "estimate": an estimated wallet), gap,
    share_of_wallet (NaN without a wallet), is_mvc, is_mcc, is_bz, reason_mvc, reason_mcc,
    reason_bz. Empty (with these columns) when nobody has bought yet.
    """
    s = settings or SegmentSettings()
    frame = to_frame(value_expr(tables, as_of, s, potential, wallets).order_by([ibis.desc("profit"), "customer_id"]))
    for col in ("is_mvc", "is_mcc", "is_bz", "active"):
        frame[col] = frame[col].astype(bool)
    return add_reasons(frame, s)[VALUE_COLUMNS]


def value_totals(tables: Tables, as_of: Any = None, settings: SegmentSettings | None = None,
                 potential: "pd.Series | ibis.Table | None" = None, wallets: "pd.Series | None" = None) -> dict[str, int]:
    """{"MVC": n, "MCC": n, "BZ": n}, counted in the database: what :func:`value_counts`
    gives from :func:`value_groups`, without building every customer's reason sentence."""
    f = value_expr(tables, as_of, settings or SegmentSettings(), potential, wallets)
    row = f.aggregate(
        MVC=f.is_mvc.cast("int64").sum(), MCC=f.is_mcc.cast("int64").sum(), BZ=f.is_bz.cast("int64").sum(),
    ).to_pandas().iloc[0]
    return {k: int(0 if pd.isna(row[k]) else row[k]) for k in ("MVC", "MCC", "BZ")}


def value_counts(frame: pd.DataFrame) -> dict[str, int]:
    """{"MVC": n, "MCC": n, "BZ": n} from a :func:`value_groups` frame."""
    return {k: int(frame[c].sum()) for k, c in (("MVC", "is_mvc"), ("MCC", "is_mcc"), ("BZ", "is_bz"))}
