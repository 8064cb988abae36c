"""The ideal customer profile: what sets the top customers apart, and who else looks like them.

The top group is the first ``icp_share`` (20%) of active customers by window revenue (ties
by customer id); "the rest" are the other active customers. For each attribute (region,
industry, channel, main category by all-time revenue, order size band = tercile of average
order value among buyers) and each value:

    lift = share of the top group with that value / share of the rest with it.

Candidates (prospects and small customers) are ranked by a naive-Bayes log-likelihood ratio
(e.g. Hand & Yu 2001, "Idiot's Bayes", eq. 3): the sum over their known attributes of
``log((n_top,v + 1) / (N_top + K) / ((n_rest,v + 1) / (N_rest + K)))`` with Laplace
smoothing (K values of that attribute). Unknown or never-seen values add nothing.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any

import ibis
import pandas as pd

from analysis.errors import NotEnoughData
from analysis.identify.facts import category_revenue, customer_facts, resolve_as_of
from analysis.i18n import N_, lookup, money, percent, t
from analysis.differentiate.pyramid import ranked_active, with_tiers
from analysis.settings import SegmentSettings, slice_size
from analysis.store import Tables, to_frame
from analysis.vocabulary import codes, label

ATTRIBUTES = ("region", "industry", "channel", "main_category", "order_size")
UNKNOWN = N_("(unknown)")  # the value code for a missing attribute
MIN_ACTIVE = 5
CANDIDATE_TIERS = ("prospect", "small")
BAND_NAMES = {0: N_("small orders ({low}-{high})"), 1: N_("medium orders ({low}-{high})"),
              2: N_("large orders ({low}-{high})")}


def attribute_label(attribute: str) -> str:
    """``"main_category"`` -> "main category" / "主要产品类别"."""
    return label("attribute", attribute) if attribute in codes("attribute") else attribute.replace("_", " ")


def value_label(value: str) -> str:
    """An attribute value for display: "(unknown)" in the current language, the rest as is."""
    return lookup(UNKNOWN) if value == UNKNOWN else str(value)


@dataclass(frozen=True)
class IcpResult:
    """lifts: attribute, value, top_customers, rest_customers, top_share, rest_share, lift
    (NaN when the rest has none), weight (smoothed log-lift used in the score); sorted by
    attribute then lift. candidates: customer_id, name, tier, score, similar_because;
    best first. explanation: one sentence on the score. members: customer_id, name, tier,
    is_top, revenue_window and the attributes of every active customer and candidate (what
    :func:`top_customers_with` lists)."""

    top_customers: int
    rest_customers: int
    lifts: pd.DataFrame
    candidates: pd.DataFrame
    explanation: str
    members: pd.DataFrame = field(default_factory=pd.DataFrame)


def lift_key(attribute: str, value: str) -> str:
    """The key of one bar of the lift chart: "region=North"."""
    return f"{attribute}={value}"


def top_customers_with(result: IcpResult, key: str) -> pd.DataFrame:
    """The top customers having the attribute value ``key`` (:func:`lift_key`), biggest
    window revenue first: the customers behind the "top" share of that lift bar."""
    attribute, value = key.split("=", 1)
    if attribute not in ATTRIBUTES:
        raise ValueError(f"attribute must be one of {', '.join(ATTRIBUTES)}, not {attribute!r}")
    m = result.members
    found = m[m["is_top"] & (m[attribute].astype(str) == value)]
    return found.sort_values(["revenue_window", "customer_id"], ascending=[False, True]).reset_index(drop=True)


def _attribute_frame(tables: Tables, as_of, s: SegmentSettings) -> pd.DataFrame:
    facts = with_tiers(customer_facts(tables, as_of, s.window_months), s)
    r = ranked_active(facts)
    # zero or negative revenue (refunds only) is never a top customer (see analysis.differentiate.pyramid)
    r = r.mutate(is_top=r.active & (r.revenue_window > 0) & (r._rank < slice_size(r._n, s.icp_share)))
    cat = category_revenue(tables, as_of)
    cat = cat.mutate(_k=ibis.row_number().over(
        ibis.window(group_by=cat.customer_id, order_by=[ibis.desc(cat.revenue), cat.category])))
    main = cat.filter(cat._k == 0).select("customer_id", main_category="category")
    r = r.left_join(main, "customer_id").drop("customer_id_right")
    aov = ibis.ifelse(r.orders > 0, r.revenue / r.orders, ibis.null("float64"))
    r = r.mutate(_aov=aov)
    band = ibis.ntile(3).over(ibis.window(group_by=r._aov.isnull(), order_by=[r._aov, r.customer_id]))
    r = r.mutate(_band=ibis.ifelse(r._aov.notnull(), band, ibis.null("int64")))
    keep = r.active | r.tier.isin(list(CANDIDATE_TIERS))
    return to_frame(r.filter(keep).select(
        "customer_id", "name", "tier", "active", "is_top", "revenue_window", "region", "industry",
        "channel", "main_category", "_aov", "_band",
    ))


def _band_labels(frame: pd.DataFrame, currency: str) -> dict[int, str]:
    bounds = frame.dropna(subset=["_band"]).groupby("_band")["_aov"].agg(["min", "max"])
    labels = {}
    for band, row in bounds.iterrows():
        band = int(band)
        labels[band] = t(BAND_NAMES[band], low=money(row["min"], currency),
                                                       high=money(row["max"], currency))
    return labels


def ideal_customer_profile(tables: Tables, as_of: Any = None, settings: SegmentSettings | None = None,
                           limit: int | None = 50) -> IcpResult:
    """Lifts of each attribute value among the top customers and the best look-alikes
    among prospects and small customers (``limit`` rows, None for all). Raises
    NotEnoughData with fewer than 5 active customers."""
    s = settings or SegmentSettings()
    as_of = resolve_as_of(tables, as_of)
    frame = _attribute_frame(tables, as_of, s)
    active = frame[frame.active.astype(bool)]
    if len(active) < MIN_ACTIVE:
        raise NotEnoughData(t(
            "The ideal customer profile needs at least {minimum} active customers "
            "(a purchase in the last {months} months); there are {count}.",
            minimum=MIN_ACTIVE, months=s.window_months, count=len(active)))
    labels = _band_labels(frame, s.currency)
    frame["order_size"] = [labels.get(int(b)) if pd.notna(b) else None for b in frame["_band"]]
    for col in ATTRIBUTES:
        frame[col] = frame[col].astype(object).where(frame[col].notna(), UNKNOWN)
    is_top = frame.is_top.astype(bool)
    top, rest = frame[is_top], frame[frame.active.astype(bool) & ~is_top]
    n_top, n_rest = len(top), len(rest)

    rows, weights = [], {}
    for attr in ATTRIBUTES:
        values = sorted(set(top[attr]) | set(rest[attr]))
        k = len(values)
        tc, rc = top[attr].value_counts(), rest[attr].value_counts()
        for value in values:
            a, b = int(tc.get(value, 0)), int(rc.get(value, 0))
            ts, rs = a / n_top, (b / n_rest if n_rest else 0.0)
            w = math.log(((a + 1) / (n_top + k)) / ((b + 1) / (n_rest + k)))
            rows.append({"attribute": attr, "value": value, "top_customers": a, "rest_customers": b,
                         "top_share": ts, "rest_share": rs,
                         "lift": ts / rs if rs else float("nan"), "weight": w})
            if value != UNKNOWN:
                weights[(attr, value)] = w
    lifts = pd.DataFrame(rows).sort_values(["attribute", "weight"], ascending=[True, False])

    cands = frame[frame.tier.isin(CANDIDATE_TIERS)].copy()
    scores, because = [], []
    for row in cands.itertuples(index=False):
        parts = [(attr, getattr(row, attr), weights.get((attr, getattr(row, attr)), 0.0)) for attr in ATTRIBUTES]
        scores.append(sum(w for *_, w in parts))
        good = sorted((p for p in parts if p[2] > 0), key=lambda p: -p[2])[:3]
        items = [t("{attribute} = {value} (x{lift:.1f})", attribute=attribute_label(a), value=value_label(v),
                   lift=math.exp(w)) for a, v, w in good]
        because.append(functools.reduce(lambda a, b: t("{a}, {b}", a=a, b=b), items) if items else "")
    cands["score"] = scores
    cands["similar_because"] = because
    cands = cands.sort_values(["score", "customer_id"], ascending=[False, True])
    if limit is not None:
        cands = cands.head(limit)
    explanation = t(
        "Score: for each known attribute, how much more common the customer's value is among "
        "the top {share} than among the other active customers (log of the smoothed "
        "ratio), added up; above 0 means they look more like the top customers than the rest do.",
        share=percent(s.icp_share))
    return IcpResult(
        top_customers=n_top, rest_customers=n_rest,
        lifts=lifts.reset_index(drop=True),
        candidates=cands[["customer_id", "name", "tier", "score", "similar_because"]].reset_index(drop=True),
        explanation=explanation,
        members=frame.assign(is_top=is_top)[
            ["customer_id", "name", "tier", "is_top", "revenue_window", *ATTRIBUTES]].reset_index(drop=True),
    )
