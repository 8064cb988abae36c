"""The customer pyramid (Peppers & Rogers; Curry & Curry, *The Customer Marketing Method*, 2000).

Active customers (a purchase in the window) are ranked by window revenue, highest first,
ties broken by customer id: top (first 1%), big (next 4%), medium (next 15%), small (the
rest). An active customer whose window revenue is <= 0 (only refunds, or purchases of 0.00)
is still active but is never top, big or medium: whatever their rank (a shop with one such
customer ranks them first), they are small; the slices' sizes still count every active
customer. Below the active tiers: inactive (bought before, not in the window), prospect
(never bought, but has been contacted: any interaction, surveys included), suspect (never
bought, no interaction: only listed).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import pandas as pd

from analysis.errors import NotEnoughData
from analysis.identify.facts import customer_facts, money_zero, resolve_as_of
from analysis.i18n import t
from analysis.settings import SegmentSettings, slice_size
from analysis.store import Tables, to_frame
from analysis.vocabulary import NEW_TIER, label

TIERS = ("top", "big", "medium", "small", "inactive", "prospect", "suspect")
ACTIVE_TIERS = TIERS[:4]
NEW = NEW_TIER  # previous tier of a customer not yet known at the previous date


def tier_label(code: str) -> str:
    """The display name of a tier code (``"top"`` -> "top" / "顶级客户"); other values as given."""
    return str(label("tier", code))


def ranked_active(facts, order_col: str = "revenue_window"):
    """``facts`` with ``_rank`` (0 = best) and ``_n`` (how many) among active customers,
    ordered by ``order_col`` descending, ties by customer id."""
    w = ibis.window(group_by=facts.active, order_by=[ibis.desc(facts[order_col]), facts.customer_id])
    return facts.mutate(
        _rank=ibis.row_number().over(w),
        _n=facts.customer_id.count().over(ibis.window(group_by=facts.active)),
    )


def with_tiers(facts, settings: SegmentSettings | None = None):
    """``facts`` plus a ``tier`` column (one of :data:`TIERS`)."""
    s = settings or SegmentSettings()
    r = ranked_active(facts)
    top = slice_size(r._n, s.top_share)
    big = slice_size(r._n, s.top_share + s.big_share)
    medium = slice_size(r._n, s.top_share + s.big_share + s.medium_share)
    paying = r.active & (r.revenue_window > 0)
    tier = ibis.cases(
        (paying & (r._rank < top), "top"),
        (paying & (r._rank < big), "big"),
        (paying & (r._rank < medium), "medium"),
        (r.active, "small"),
        (r.has_purchased, "inactive"),
        (r.interactions > 0, "prospect"),
        else_="suspect",
    )
    return r.mutate(tier=tier).drop("_rank", "_n")


def customer_tiers(tables: Tables, as_of: Any = None, settings: SegmentSettings | None = None):
    """Ibis table: customer_id, tier."""
    s = settings or SegmentSettings()
    return with_tiers(customer_facts(tables, as_of, s.window_months), s).select("customer_id", "tier")


def tiers_then(tables: Tables, as_of: dt.date, settings: SegmentSettings | None = None):
    """Ibis table: customer_id, tier at an earlier date ``as_of`` (one window before now, for
    the moves between tiers), of the customers known then. A listed customer who signed up
    after ``as_of`` and had neither bought nor been contacted by then was no suspect then (the
    list did not hold them yet): they are left out, so the moves count them new since then."""
    s = settings or SegmentSettings()
    f = with_tiers(customer_facts(tables, as_of, s.window_months), s)
    later = (f.tier == "suspect") & f.signup_date.notnull() & (f.signup_date.cast("date") > ibis.literal(as_of))
    return f.filter(~later).select("customer_id", "tier")


def tier_then(before, signup_date, known_now):
    """The tier a customer is counted in one window ago, for the moves (an Ibis expression):
    ``before`` from :func:`tiers_then` (NULL when not known then), new since then also for a
    customer listed without a signup date who was a suspect then and has bought or been
    contacted since (``known_now``): nothing says the list held them before that purchase or
    contact (an import fills the list from the purchase rows' names and e-mails)."""
    unlisted = (before == "suspect") & signup_date.isnull() & known_now
    return ibis.cases((before.isnull(), ibis.literal(NEW)), (unlisted, ibis.literal(NEW)), else_=before)


def pyramid(tables: Tables, as_of: Any = None, settings: SegmentSettings | None = None) -> pd.DataFrame:
    """One row per tier, in :data:`TIERS` order, present even when empty.

    Columns: tier, customers, customer_share (of all customers in the universe), revenue
    (window revenue for the active tiers, all-time revenue for inactive, 0 for prospects and
    suspects), revenue_share (active tiers: share of the window's revenue; inactive: share of
    all-time revenue). Raises NotEnoughData when the workspace has no customers at all.
    """
    s = settings or SegmentSettings()
    f = with_tiers(customer_facts(tables, as_of, s.window_months), s)
    revenue = layer_revenue(f)
    counts = to_frame(
        f.mutate(_rev=revenue)
        .group_by("tier")
        .aggregate(customers=f.customer_id.count(), revenue=ibis._._rev.sum())
    )
    if counts.empty:
        raise NotEnoughData(t("No customers yet: import a customer list or transactions first."))
    totals = to_frame(f.aggregate(total=f.revenue.sum()))
    return layers(counts, float(totals["total"].iloc[0] or 0.0))


def layer_revenue(f):
    """What a layer's revenue counts of each customer of ``f`` (facts with tier): the window's
    revenue for the active, all purchases ever for the inactive, nothing for the others."""
    return ibis.cases((f.active, f.revenue_window), (f.has_purchased, f.revenue), else_=money_zero(f.revenue))


def layers(counts: pd.DataFrame, all_time: float) -> pd.DataFrame:
    """:func:`pyramid`'s table from the customers and revenue per tier (``counts``: tier,
    customers, revenue; tiers nobody is in may be missing) and all revenue ever."""
    out = pd.DataFrame({"tier": list(TIERS)}).merge(counts, on="tier", how="left")
    out["customers"] = out["customers"].fillna(0).astype(int)
    out["revenue"] = out["revenue"].fillna(0.0).astype(float)
    out["customer_share"] = out["customers"] / out["customers"].sum()
    active_rev = out.loc[out.tier.isin(ACTIVE_TIERS), "revenue"].sum()
    out["revenue_share"] = [
        (rev / active_rev if active_rev else 0.0) if tier in ACTIVE_TIERS
        else (rev / all_time if tier == "inactive" and all_time else 0.0)
        for tier, rev in zip(out.tier, out.revenue)
    ]
    return out[["tier", "customers", "customer_share", "revenue", "revenue_share"]]


def previous_as_of(as_of: dt.date, window_months: int) -> dt.date:
    """The as-of date one window earlier."""
    return (pd.Timestamp(as_of) - pd.DateOffset(months=window_months)).date()


def tier_migration(tables: Tables, as_of: Any = None, settings: SegmentSettings | None = None) -> pd.DataFrame:
    """How customers moved between tiers from one window earlier to now (for a Sankey).

    Columns: from_tier, to_tier, customers, sorted in tier order. A customer not yet known
    one window earlier (:func:`tiers_then`) comes from ``"(new)"``.
    """
    s = settings or SegmentSettings()
    as_of = resolve_as_of(tables, as_of)
    f = with_tiers(customer_facts(tables, as_of, s.window_months), s)
    now = f.select("customer_id", "tier", "signup_date", _known=f.has_purchased | (f.interactions > 0))
    before = tiers_then(tables, previous_as_of(as_of, s.window_months), s).rename(from_tier="tier")
    joined = now.left_join(before, "customer_id").drop("customer_id_right")
    joined = joined.mutate(from_tier=tier_then(joined.from_tier, joined.signup_date, joined._known))
    return moves_in_order(
        joined.group_by(["from_tier", "tier"]).aggregate(customers=joined.customer_id.count())
        .rename(to_tier="tier").to_pandas()
    )


def moves_in_order(out: pd.DataFrame) -> pd.DataFrame:
    """:func:`tier_migration`'s table from the customers per (from_tier, to_tier), in tier order."""
    order = {t: n for n, t in enumerate((*TIERS, NEW))}
    out["customers"] = out["customers"].astype(int)
    out = out.sort_values(["from_tier", "to_tier"], key=lambda col: col.map(order)).reset_index(drop=True)
    return out[["from_tier", "to_tier", "customers"]]
