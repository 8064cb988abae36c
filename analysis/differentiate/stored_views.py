"""The Differentiate pages' figures asked of the stored scores in the engine.

:mod:`analysis.differentiate.views` shapes the per-customer frame in pandas; a workspace whose
scores are stored (:func:`analysis.stored_scores.read_stored`) answers the same questions in
DuckDB instead, so the Value, Pyramid, Matrix and Segments pages of a million customers read
a few dozen numbers and the rows they show, never every customer (issue 15 §2). Each function
here gives exactly what its pandas twin gives on the same frame (the tests compare them):

- counts, sums and shares are Ibis aggregates over the stored table, finished by the same
  pandas code as the computation from the workspace's tables
  (:func:`~analysis.differentiate.pyramid.layers`,
  :func:`~analysis.differentiate.matrix.cells_table`, ...);
- a list is an ordered expression (:func:`tier_list`, :func:`value_list`, ...) with the
  order of its twin (biggest first, missing values last, ties by customer id); the caller
  reads its first rows and writes their text (:meth:`analysis.stored_scores.StoredScores.rows`).

Tier moves need no second computation: the stored frame holds each customer's tier one
window earlier (``previous_tier``), so the moves are a count per pair of tiers. The RFM rules
a user edits depend on the R and F scores alone, so the segments' counts are read as the 25
(R, F) cells and the rules applied to those cells.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from analysis.differentiate.matrix import cells_table
from analysis.differentiate.pyramid import NEW, TIERS, layer_revenue, layers, moves_in_order
from analysis.differentiate.rfm import NO_RULE, grid_of, segment_rules
from analysis.differentiate.views import GROUPS, TIER_ORDER, rule_counts, volume_table
from analysis.errors import NotEnoughData
from analysis.i18n import t as tr
from analysis.store import to_frame

#: What each group's list is ordered by (column, descending), as :func:`~analysis.differentiate.views.value_group`.
GROUP_ORDER = {"MVC": ("profit", True), "MCC": ("gap", True), "BZ": ("profit", False)}


def _frame(expr) -> pd.DataFrame:
    return to_frame(expr)


#: the money columns a figure sums; stored as float64, summed as the exact decimals they hold
MONEY = ("revenue", "revenue_window", "revenue_prev_window")


def _exact(t):
    """``t`` with its :data:`MONEY` columns as exact decimals (cents), so that a sum is the
    one the workspace's own tables give, to the last digit (:func:`analysis.identify.facts.money_zero`)."""
    return t.mutate(**{c: t[c].cast("decimal(38, 2)") for c in MONEY})


def _ranked(expr, by: tuple[str, ...]):
    """``expr`` in :func:`analysis.identify.customers.ranked`'s order: ``by`` biggest first,
    missing values last, then customer id."""
    by = [c for c in by if c in expr.columns]
    return expr.order_by([*[expr[c].desc(nulls_first=False) for c in by], expr.customer_id])


def count(expr) -> int:
    """How many rows ``expr`` has."""
    return int(expr.count().to_pandas())


# -- Value ---------------------------------------------------------------------------------------


def value_counts(t) -> dict[str, int]:
    """{"MVC": n, "MCC": n, "BZ": n}: the members of each group."""
    row = _frame(t.aggregate(**{g: t[col].cast("int64").sum() for g, col in GROUPS.items()})).iloc[0]
    return {g: int(0 if pd.isna(row[g]) else row[g]) for g in GROUPS}


def value_list(t, group: str):
    """The members of ``group`` in :func:`~analysis.differentiate.views.value_group`'s order."""
    if group not in GROUPS:
        raise ValueError(f"group must be one of {list(GROUPS)}, got {group!r}")
    by, descending = GROUP_ORDER[group]
    members = t.filter(t[GROUPS[group]].fill_null(False))
    return members.order_by([ibis.desc(members[by]) if descending else members[by], members.customer_id])


def wallet_summary(t) -> dict:
    """:func:`~analysis.differentiate.views.wallet_summary`: customers with a share of wallet, its median."""
    row = _frame(t.aggregate(customers=t.share_of_wallet.count(), median=t.share_of_wallet.median())).iloc[0]
    customers = int(row["customers"])
    return {"customers": customers, "median_share": float(row["median"]) if customers else None}


#: what the value scatter draws of each buyer (and what masking replaces)
SCATTER_COLUMNS = ["customer_id", "name", "revenue_window", "potential", "profit", "gap", "is_mvc", "is_mcc", "is_bz"]


def scatter_sample(t, max_points: int = 4000, seed: int = 0):
    """(the buyers to plot as an expression in customer order, number of buyers): the points
    :func:`~analysis.differentiate.views.scatter_sample` plots, picked in the engine. pandas'
    ``sample(k, random_state=seed)`` takes positions ``RandomState(seed).choice(n, k,
    replace=False)`` of the frame it samples; the same positions are taken here, counted in
    customer order (the stored frame's order) among the flagged or the other buyers. Only
    :data:`SCATTER_COLUMNS` are read."""
    buyers = t.filter(t.has_purchased.fill_null(False)).select(SCATTER_COLUMNS)
    flag = buyers.is_mvc.fill_null(False) | buyers.is_mcc.fill_null(False) | buyers.is_bz.fill_null(False)
    counts = _frame(buyers.aggregate(n=buyers.count(), flagged=flag.cast("int64").sum())).iloc[0]
    n, flagged = int(counts["n"]), int(0 if pd.isna(counts["flagged"]) else counts["flagged"])
    if n <= max_points:
        return buyers.order_by("customer_id"), n
    marked = buyers.mutate(_flag=flag)
    marked = marked.mutate(_pos=ibis.row_number().over(ibis.window(group_by=marked._flag, order_by=marked.customer_id)))
    random = np.random.RandomState(seed)
    among = flagged >= max_points  # sampled among the flagged buyers, else among the others
    picked = (random.choice(flagged, max_points, replace=False) if among
              else random.choice(n - flagged, max_points - flagged, replace=False))
    chosen = ibis.memtable(pd.DataFrame({"_pick": np.sort(picked).astype("int64")}))
    joined = marked.left_join(chosen, marked._pos == chosen._pick)
    drawn = joined._pick.notnull() & (joined._flag == among)
    sampled = joined.filter(drawn if among else drawn | joined._flag)
    return sampled.drop("_flag", "_pos", "_pick").order_by("customer_id"), n


def headroom_list(t):
    """Customers with a wallet, most revenue still to win first, as
    :func:`~analysis.differentiate.headroom.ranking` orders them."""
    have = t.filter(t.headroom.notnull())
    return have.order_by([ibis.desc(have.headroom), have.customer_id])


# -- Pyramid ----------------------------------------------------------------------------------


def pyramid_layers(t) -> pd.DataFrame:
    """:func:`analysis.differentiate.pyramid.pyramid` of the stored tiers."""
    t = _exact(t)
    counts = _frame(t.mutate(_rev=layer_revenue(t)).group_by("tier").aggregate(
        customers=ibis._.customer_id.count(), revenue=ibis._._rev.sum()))
    if counts.empty:
        raise NotEnoughData(tr("No customers yet: import a customer list or transactions first."))
    total = _frame(t.aggregate(total=t.revenue.sum()))["total"].iloc[0]
    return layers(counts, float(0.0 if pd.isna(total) else total))


def tier_migration(t) -> pd.DataFrame:
    """:func:`analysis.differentiate.pyramid.tier_migration` from the stored tier now and one window earlier."""
    moved = t.mutate(from_tier=ibis.coalesce(t.previous_tier, ibis.literal(NEW)))
    return moves_in_order(_frame(moved.group_by(["from_tier", "tier"]).aggregate(
        customers=moved.customer_id.count()).rename(to_tier="tier")))


def tier_list(t, tier: str):
    """The customers of ``tier`` in :func:`~analysis.differentiate.views.tier_customers`' order."""
    return _ranked(t.filter(t.tier == tier), TIER_ORDER.get(tier, ("revenue_window", "revenue")))


def movers_list(t, key: str):
    """The customers who made the move ``key`` ("big->medium"), as
    :func:`~analysis.differentiate.views.movers` orders them."""
    from analysis.differentiate.views import MOVE

    from_tier, to_tier = key.split(MOVE, 1)
    found = t.filter((t.previous_tier == from_tier) & (t.tier == to_tier))
    return found.order_by([ibis.desc(found.revenue_prev_window), ibis.desc(found.revenue_window), found.customer_id])


# -- Matrix -----------------------------------------------------------------------------------


def satisfaction_matrix(t) -> pd.DataFrame:
    """:func:`analysis.differentiate.matrix.satisfaction_matrix` of the stored cells."""
    active = _exact(t).filter(t.active)
    return cells_table(_frame(active.group_by("cell").aggregate(
        customers=active.customer_id.count(), revenue=active.revenue_window.sum())))


def volume_summary(t) -> pd.DataFrame:
    """:func:`analysis.differentiate.views.volume_summary` of the stored volume tiers."""
    active = _exact(t).filter(t.volume_tier.notnull())
    grouped = _frame(active.group_by("volume_tier").aggregate(
        customers=active.customer_id.count(), revenue=active.revenue_window.sum()))
    return volume_table(grouped.set_index("volume_tier"))


def cell_list(t, cell: str):
    """The customers of matrix cell ``cell``, biggest window revenue first."""
    return _ranked(t.filter(t.cell == cell), ("revenue_window", "revenue"))


# -- Segments ---------------------------------------------------------------------------------


def has_rfm(t) -> bool:
    """Whether any customer has RFM scores (somebody bought)."""
    return count(t.filter(t.r.notnull())) > 0


def _rf_cells(t) -> pd.DataFrame:
    """Customers and all-time revenue per (r, f) of the scored buyers."""
    scored = _exact(t).filter(t.r.notnull() & t.f.notnull())
    return _frame(scored.group_by(["r", "f"]).aggregate(customers=scored.customer_id.count(),
                                                        revenue=scored.revenue.sum()))


def rules_summary(t, rules: pd.DataFrame | None = None) -> dict:
    """:func:`analysis.differentiate.views.rules_summary` from the 25 (R, F) cells."""
    rules = segment_rules() if rules is None else rules
    cells = _rf_cells(t)
    cells["r"], cells["f"] = cells["r"].astype(int), cells["f"].astype(int)
    segment = pd.Series([None] * len(cells), index=cells.index, dtype=object)
    for rule in rules.itertuples(index=False):
        hit = segment.isna() & cells["r"].between(rule.r_min, rule.r_max) & cells["f"].between(rule.f_min, rule.f_max)
        segment[hit] = rule.segment
    cells["_seg"] = segment.where(segment.notna(), NO_RULE)
    grouped = cells.groupby("_seg").agg(customers=("customers", "sum"), revenue=("revenue", "sum"))
    grid = grid_of(cells.pivot_table(index="r", columns="f", values="customers", aggfunc="sum", fill_value=0))
    return {"counts": rule_counts(grouped, rules), "grid": grid.astype(int)}


def _with_segment(t, rules: pd.DataFrame | None):
    """The scored buyers of ``t`` with ``rfm_segment`` by ``rules`` (first match wins) and r,
    f, m as whole numbers."""
    rules = segment_rules() if rules is None else rules
    scored = t.filter(t.r.notnull() & t.f.notnull())
    cases = [((scored.r >= int(rule.r_min)) & (scored.r <= int(rule.r_max)) & (scored.f >= int(rule.f_min))
              & (scored.f <= int(rule.f_max)), str(rule.segment)) for rule in rules.itertuples(index=False)]
    segment = ibis.cases(*cases, else_=ibis.null("string")) if cases else ibis.null("string")
    return scored.mutate(rfm_segment=segment)


def segment_list(t, rules: pd.DataFrame | None, segment: str):
    """The customers ``rules`` put in ``segment``, best R, F and M first, then by revenue."""
    members = _with_segment(t, rules)
    return _ranked(members.filter(members.rfm_segment == segment), ("r", "f", "m", "revenue"))


def rf_cell_list(t, rules: pd.DataFrame | None, cell: str):
    """The customers of the R x F cell ``cell`` ("5/1"), highest revenue (all time) first."""
    r, f = (int(x) for x in cell.split("/", 1))
    members = _with_segment(t, rules)
    found = members.filter((members.r == r) & (members.f == f))
    return found.order_by([ibis.desc(found.revenue), found.customer_id])


def attitude_list(t, settings, direction: str):
    """The ``direction`` ("falling" / "rising") customers of
    :func:`analysis.differentiate.segments.attitude_change`, from the stored window revenues,
    in its order (biggest change first, then customer id)."""
    before = t.filter(t.revenue_prev_window > 0)
    now, prev = (before[c].cast("decimal(38, 2)") for c in ("revenue_window", "revenue_prev_window"))
    f = before.mutate(_change=now - prev, _prev=prev)  # exact, as from the workspace's own tables
    f = f.filter((f._change.abs() >= f._prev * settings.change_pct) & (f._change.abs() >= settings.change_amount))
    f = f.filter(f._change < 0) if direction == "falling" else f.filter(f._change >= 0)
    f = f.mutate(change=f._change.cast("float64"), change_pct=(f._change / f._prev).cast("float64"),
                 direction=ibis.literal(direction))
    return f.order_by([ibis.desc(f._change.abs()), f.customer_id]).drop("_change", "_prev")


# -- the Workshop story ------------------------------------------------------------------------


def coverage(t) -> dict:
    """How well the interactions cover the customers, as the workshop's worksheet states it
    (:func:`analysis.workshop.story.coverage_of` on the frame): customers, contacted (at least
    one contact), contacts, complaints, surveyed (a satisfaction score)."""
    contacts, complaints = t.contacts.fill_null(0), t.complaints.fill_null(0)
    row = _frame(t.aggregate(customers=t.count(), contacted=(contacts > 0).cast("int64").sum(),
                             contacts=contacts.sum(), complaints=complaints.sum(),
                             surveyed=t.satisfaction_5.count())).iloc[0]
    return {k: int(0 if pd.isna(row[k]) else row[k]) for k in ("customers", "contacted", "contacts", "complaints",
                                                               "surveyed")}


def clv_values(t) -> pd.DataFrame:
    """The lifetime values (one ``clv`` column) of the customers who have one, in customer
    order: the frame's ``clv`` column without its missing values, what the CLV distribution
    bins and sums (the ids are not read: a million of them would cost more than the values)."""
    valued = t.filter(t.clv.notnull())
    return _frame(valued.order_by("customer_id").select("clv"))
