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
from analysis.identify.facts import category_revenue, customer_facts, resolve_as_of, with_stored_facts
from analysis.i18n import N_, lookup, money, percent, t
from analysis.differentiate.pyramid import ranked_active, with_tiers
from analysis.settings import SegmentSettings, slice_size
from analysis.store import Tables, materialize, to_frame
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
    is_top, revenue_window and the attributes of every top customer (what
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


def _attribute_table(tables: Tables, as_of, s: SegmentSettings, tiers: Any = None):
    """The ICP's rows as an engine table: every active customer and every candidate with
    is_top, window revenue, the attributes, the average order value ``_aov`` and its band
    ``_band`` (tercile among all buyers). ``tiers``: the stored scores, whose tier column is
    the one :func:`~analysis.differentiate.pyramid.with_tiers` gives (not ranked again)."""
    facts = customer_facts(tables, as_of, s.window_months)
    facts = with_tiers(facts, s) if tiers is None else facts.join(tiers.select("customer_id", "tier"), "customer_id")
    r = ranked_active(facts)
    # zero or negative revenue (refunds only) is never a top customer (see analysis.differentiate.pyramid)
    r = r.mutate(is_top=r.active & (r.revenue_window > 0) & (r._rank < slice_size(r._n, s.icp_share)))
    cat = category_revenue(tables, as_of)  # the category of the most revenue, ties by name
    main = cat.group_by("customer_id").aggregate(
        main_category=cat.category.first(order_by=[ibis.desc(cat.revenue), cat.category]))
    r = r.left_join(main, "customer_id").drop("customer_id_right")
    aov = ibis.ifelse(r.orders > 0, r.revenue / r.orders, ibis.null("float64"))
    r = r.mutate(_aov=aov)
    band = ibis.ntile(3).over(ibis.window(group_by=r._aov.isnull(), order_by=[r._aov, r.customer_id]))
    r = r.mutate(_band=ibis.ifelse(r._aov.notnull(), band, ibis.null("int64")))
    keep = r.active | r.tier.isin(list(CANDIDATE_TIERS))
    r = r.filter(keep).select(
        "customer_id", "name", "tier", "active", "is_top", "revenue_window", "region", "industry",
        "channel", "main_category", "_aov", "_band",
    )
    exact = {name: "float64" for name, kind in r.schema().items() if kind.is_decimal()}
    return r.cast(exact) if exact else r  # what to_frame gives: money as the nearest float


def _band_labels(bounds: pd.DataFrame, currency: str) -> dict[int, str]:
    """{band: "small orders (low-high)"} from each band's lowest and highest order value."""
    return {int(row.band): t(BAND_NAMES[int(row.band)], low=money(row.low, currency), high=money(row.high, currency))
            for row in bounds.itertuples(index=False)}


def _values(frame, attribute: str, labels: dict[int, str]):
    """The value of ``attribute`` per row of the engine table ``frame``: :data:`UNKNOWN` when
    missing; the order size is its band's label (``labels``: {band: label})."""
    if attribute == "order_size":  # (no band without a purchase)
        cases = [(frame._band == band, text) for band, text in labels.items()]
        return ibis.cases(*cases, else_=UNKNOWN) if cases else ibis.literal(UNKNOWN, "string")
    return ibis.coalesce(frame[attribute].cast("string"), ibis.literal(UNKNOWN))


def _counts(frame, labels: dict[int, str]) -> pd.DataFrame:
    """attribute, value, top, rest: how many top and other active customers have each value,
    counted in the engine (one query for every attribute)."""
    active = frame.filter(frame.active)
    parts = [active.group_by(value=_values(active, attr, labels)).aggregate(
        top=active.is_top.cast("int64").sum(), rest=(~active.is_top).cast("int64").sum(),
    ).mutate(attribute=ibis.literal(attr)) for attr in ATTRIBUTES]
    return to_frame(ibis.union(*parts))


def _weights_table(weights: dict[tuple[str, str], float], attribute: str):
    """The smoothed log-lifts of ``attribute``'s known values as an in-memory table: value, weight."""
    found = [(value, w) for (attr, value), w in weights.items() if attr == attribute]
    return ibis.memtable({"_value": [v for v, _ in found], "_w": [w for _, w in found]},
                         schema={"_value": "string", "_w": "float64"})


def _scored(frame, weights: dict[tuple[str, str], float], labels: dict[int, str]):
    """The candidates (prospects and small customers) of ``frame`` with their score: the
    weights of their values added up in :data:`ATTRIBUTES` order (0 for an unknown or
    never-seen value), in the engine."""
    c = frame.filter(frame.tier.isin(list(CANDIDATE_TIERS)))
    c = c.mutate(**{f"_v{n}": _values(c, attr, labels) for n, attr in enumerate(ATTRIBUTES)})
    for n, attr in enumerate(ATTRIBUTES):
        table = _weights_table(weights, attr)
        c = c.left_join(table, c[f"_v{n}"] == table._value).drop("_value").rename(**{f"_w{n}": "_w"})
    score = ibis.literal(0.0)
    for n in range(len(ATTRIBUTES)):
        score = score + ibis.coalesce(c[f"_w{n}"], ibis.literal(0.0))
    return c.mutate(score=score, **{attr: c[f"_v{n}"] for n, attr in enumerate(ATTRIBUTES)})


def _because(row: Any, weights: dict[tuple[str, str], float]) -> str:
    """"region = North (x2.0), ..." : the candidate's three values most typical of the top customers."""
    parts = [(attr, getattr(row, attr), weights.get((attr, getattr(row, attr)), 0.0)) for attr in ATTRIBUTES]
    good = sorted((p for p in parts if p[2] > 0), key=lambda p: -p[2])[:3]
    items = [t("{attribute} = {value} (x{lift:.1f})", attribute=attribute_label(a), value=value_label(v),
               lift=math.exp(w)) for a, v, w in good]
    return functools.reduce(lambda a, b: t("{a}, {b}", a=a, b=b), items) if items else ""


def ideal_customer_profile(tables: Tables, as_of: Any = None, settings: SegmentSettings | None = None,
                           limit: int | None = 50, stored: Any = None) -> IcpResult:
    """Lifts of each attribute value among the top customers and the best look-alikes
    among prospects and small customers (``limit`` rows, None for all). Raises
    NotEnoughData with fewer than 5 active customers.

    Computed in the engine: the per-customer rows are kept there (:func:`materialize`), the
    counts per value and the candidates' scores are asked of it, and only the counts, the
    first ``limit`` candidates and the top customers leave it; no purchase line is read
    into pandas. ``stored``: the scores stored in the workspace (``analysis.scores.stored_table``
    for the same as-of date and settings), whose facts are read instead of being grouped
    again from the purchase lines (:func:`~analysis.identify.facts.with_stored_facts`)."""
    s = settings or SegmentSettings()
    as_of = resolve_as_of(tables, as_of)
    if stored is not None:
        tables = with_stored_facts(tables, stored, as_of, s.window_months)
    frame = materialize(_attribute_table(tables, as_of, s, stored))
    bounds = to_frame(frame.filter(frame._band.notnull()).group_by(band=frame._band).aggregate(
        low=frame._aov.min(), high=frame._aov.max()).order_by("band"))
    labels = _band_labels(bounds, s.currency)
    counts = _counts(frame, labels)
    first = counts[counts.attribute == ATTRIBUTES[0]]
    n_top, n_rest = int(first["top"].sum()), int(first["rest"].sum())
    if n_top + n_rest < MIN_ACTIVE:
        raise NotEnoughData(t(
            "The ideal customer profile needs at least {minimum} active customers "
            "(a purchase in the last {months} months); there are {count}.",
            minimum=MIN_ACTIVE, months=s.window_months, count=n_top + n_rest))

    rows, weights = [], {}
    for attr in ATTRIBUTES:
        mine = counts[counts.attribute == attr]
        tc, rc = dict(zip(mine["value"], mine["top"])), dict(zip(mine["value"], mine["rest"]))
        values = sorted(mine["value"])  # every value some active customer has
        k = len(values)
        for value in values:
            a, b = int(tc.get(value, 0)), int(rc.get(value, 0))
            ts, rs = (a / n_top if n_top else 0.0), (b / n_rest if n_rest else 0.0)
            w = math.log(((a + 1) / (n_top + k)) / ((b + 1) / (n_rest + k)))
            rows.append({"attribute": attr, "value": value, "top_customers": a, "rest_customers": b,
                         "top_share": ts, "rest_share": rs,
                         "lift": ts / rs if rs else float("nan"), "weight": w})
            if value != UNKNOWN:
                weights[(attr, value)] = w
    lifts = pd.DataFrame(rows).sort_values(["attribute", "weight"], ascending=[True, False])

    ranked = _scored(frame, weights, labels).order_by([ibis.desc("score"), "customer_id"])
    cands = to_frame((ranked if limit is None else ranked.limit(limit)).select(
        "customer_id", "name", "tier", "score", *ATTRIBUTES))
    cands["similar_because"] = [_because(row, weights) for row in cands.itertuples(index=False)]
    explanation = t(
        "Score: for each known attribute, how much more common the customer's value is among "
        "the top {share} than among the other active customers (log of the smoothed "
        "ratio), added up; above 0 means they look more like the top customers than the rest do.",
        share=percent(s.icp_share))
    top = frame.filter(frame.is_top)
    members = to_frame(top.select("customer_id", "name", "tier", "is_top", "revenue_window",
                                  **{attr: _values(top, attr, labels) for attr in ATTRIBUTES}))
    return IcpResult(
        top_customers=n_top, rest_customers=n_rest,
        lifts=lifts.reset_index(drop=True),
        candidates=cands[["customer_id", "name", "tier", "score", "similar_because"]].reset_index(drop=True),
        explanation=explanation,
        members=members.astype({"is_top": bool}),
    )
