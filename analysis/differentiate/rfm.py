"""RFM scores and segments (Hughes, *Strategic Database Marketing*, 1994).

Every customer who has bought gets quintile scores 1..5 (5 = best) on
R = days since the last purchase (fewer is better), F = orders, M = net revenue, all as of
the as-of date. The score is the quintile of the customer's mid-rank among buyers, worst to
best: ``p = (share of buyers strictly worse + share with an equal or worse value) / 2`` and
``score = ceil(5 p)`` (Hazen's plotting position). Distinct values give equal-count
quintiles (1..10 -> 1,1,2,2,3,3,4,4,5,5); equal values always share one score (all tied ->
3), so the scores are deterministic and a one-time buyer is never scored as a frequent one
because of its id. With many ties a quintile can hold more or less than a fifth.

Segments come from (R, F) by the rules in :data:`RFM_SEGMENTS`, the classic R x F segment
map; the first rule that matches wins and the rules cover all 25 combinations.
"""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd

from analysis.errors import NotEnoughData
from analysis.identify.facts import customer_facts
from analysis.i18n import N_, lookup, t
from analysis.settings import SegmentSettings
from analysis.store import Tables, to_frame

# (segment, R scores, F scores, what it means). Edit here; the first match wins.
RFM_SEGMENTS: list[tuple[str, tuple[int, int], tuple[int, int], str]] = [
    (N_("champions"), (5, 5), (4, 5), N_("Bought recently, buy often: reward them, ask for referrals")),
    (N_("loyal customers"), (3, 4), (4, 5), N_("Buy often, fairly recently: upsell, ask for reviews")),
    (N_("potential loyalists"), (4, 5), (2, 3), N_("Recent, a few orders: offer membership or a plan")),
    (N_("new customers"), (5, 5), (1, 1), N_("Bought for the first time just now: welcome, onboard")),
    (N_("promising"), (4, 4), (1, 1), N_("Recent first-time buyers: build awareness, free trials")),
    (N_("need attention"), (3, 3), (3, 3), N_("Average recency and frequency: limited-time offers")),
    (N_("about to sleep"), (3, 3), (1, 2), N_("Fading, few orders: share popular products, reconnect")),
    (N_("cannot lose them"), (1, 2), (5, 5), N_("Bought very often, long ago: win them back in person")),
    (N_("at risk"), (1, 2), (3, 4), N_("Bought often, long ago: personal emails, renewals")),
    (N_("hibernating"), (2, 2), (1, 2), N_("Few orders, long ago: offer other categories, special offers")),
    (N_("lost"), (1, 1), (1, 2), N_("Lowest recency and frequency: revive with outreach, else let go")),
]
SEGMENT_NAMES = [name for name, *_ in RFM_SEGMENTS]
NO_RULE = N_("(no rule)")  # the segment of customers an edited rule table does not cover
NO_PURCHASES = N_("No purchases yet: import transactions to score customers by RFM.")


def segment_label(name: str) -> str:
    """The display name of a segment: a built-in one in the current language ("champions" ->
    "冠军客户"), a user's own as typed. The names themselves are the codes in the data."""
    return lookup(name) if name in SEGMENT_NAMES or name == NO_RULE else str(name)


def segment_rules() -> pd.DataFrame:
    """The rules for display: segment, r_min, r_max, f_min, f_max, description (in the
    current language; the segment names are codes, see :func:`segment_label`)."""
    return pd.DataFrame(
        [(n, r[0], r[1], f[0], f[1], lookup(d)) for n, r, f, d in RFM_SEGMENTS],
        columns=["segment", "r_min", "r_max", "f_min", "f_max", "description"],
    )


def segment_of(r: int, f: int) -> str | None:
    """The segment for an (R, F) pair by the first matching rule (plain Python)."""
    for name, (r0, r1), (f0, f1), _ in RFM_SEGMENTS:
        if r0 <= r <= r1 and f0 <= f <= f1:
            return name
    return None


def with_rfm(facts):
    """``facts`` plus r, f, m (1..5) and rfm_segment for customers who have bought (NULL
    for the rest)."""
    bought = facts.has_purchased

    def quintile(col, better_low: bool = False):
        key = ibis.desc(facts[col]) if better_low else facts[col]
        w = ibis.window(group_by=bought, order_by=[key])
        n = facts.customer_id.count().over(ibis.window(group_by=bought))
        p = (ibis.rank().over(w) / n + ibis.cume_dist().over(w)) / 2
        score = ibis.greatest(ibis.least((p * 5 - 1e-9).ceil(), 5), 1)
        return ibis.ifelse(bought, score.cast("int64"), ibis.null("int64"))

    out = facts.mutate(r=quintile("recency_days", better_low=True), f=quintile("orders"), m=quintile("revenue"))
    cases = [
        ((out.r >= r0) & (out.r <= r1) & (out.f >= f0) & (out.f <= f1), name)
        for name, (r0, r1), (f0, f1), _ in RFM_SEGMENTS
    ]
    return out.mutate(rfm_segment=ibis.cases(*cases, else_=ibis.null("string")))


def rfm(tables: Tables, as_of: Any = None, settings: SegmentSettings | None = None) -> pd.DataFrame:
    """Per buying customer: customer_id, recency_days, orders, revenue, r, f, m,
    rfm_score ("555"), rfm_segment; sorted by customer id. Raises NotEnoughData without
    purchases."""
    s = settings or SegmentSettings()
    f = with_rfm(customer_facts(tables, as_of, s.window_months))
    out = to_frame(
        f.filter(f.has_purchased)
        .select("customer_id", "recency_days", "orders", "revenue", "r", "f", "m", "rfm_segment")
        .order_by("customer_id")
    )
    if out.empty:
        raise NotEnoughData(t(NO_PURCHASES))
    for col in ("r", "f", "m"):
        out[col] = out[col].astype(int)
    out["rfm_score"] = out.r.astype(str) + out.f.astype(str) + out.m.astype(str)
    return out[["customer_id", "recency_days", "orders", "revenue", "r", "f", "m", "rfm_score", "rfm_segment"]]


def rfm_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Per segment in rule order, all present: segment, customers, revenue, customer_share,
    description."""
    grouped = frame.groupby("rfm_segment").agg(customers=("customer_id", "size"), revenue=("revenue", "sum"))
    return _in_rule_order(grouped)


def segment_counts(tables: Tables, as_of: Any = None, settings: SegmentSettings | None = None) -> pd.DataFrame:
    """:func:`rfm_counts` of :func:`rfm`, counted where the data lives: what the report
    needs, without bringing every buyer's scores back. Raises NotEnoughData without purchases."""
    s = settings or SegmentSettings()
    f = with_rfm(customer_facts(tables, as_of, s.window_months))
    f = f.filter(f.has_purchased)
    grouped = to_frame(f.group_by("rfm_segment").aggregate(customers=f.count(), revenue=f.revenue.sum())
                       ).set_index("rfm_segment")
    if grouped.empty:
        raise NotEnoughData(t(NO_PURCHASES))
    return _in_rule_order(grouped)


def _in_rule_order(grouped: pd.DataFrame) -> pd.DataFrame:
    """Customers and revenue per segment (index rfm_segment) as the rules list them."""
    out = segment_rules()[["segment", "description"]].merge(
        grouped, left_on="segment", right_index=True, how="left")
    out["customers"] = out["customers"].fillna(0).astype(int)
    out["revenue"] = out["revenue"].fillna(0.0).astype(float)
    total = out["customers"].sum()
    out["customer_share"] = out["customers"] / total if total else 0.0
    return out[["segment", "customers", "revenue", "customer_share", "description"]]


def rf_grid(frame: pd.DataFrame) -> pd.DataFrame:
    """R x F customer counts: a 5 x 5 frame, index r 5..1, columns f 1..5."""
    return grid_of(pd.crosstab(frame.r, frame.f))


def grid_of(counts: pd.DataFrame) -> pd.DataFrame:
    """:func:`rf_grid` from customer counts indexed by r with a column per f (any present)."""
    grid = counts.reindex(index=[5, 4, 3, 2, 1], columns=[1, 2, 3, 4, 5], fill_value=0)
    grid.index.name, grid.columns.name = "r", "f"
    return grid
