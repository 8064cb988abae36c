"""Differentiate customers (IDIC step 2): every label in one place.

The parts live in their own modules and all read :func:`analysis.identify.facts.customer_facts`:
:mod:`analysis.differentiate.pyramid` (tiers and migration), :mod:`analysis.differentiate.value` (MVC / MCC / BZ),
:mod:`analysis.differentiate.matrix` (satisfaction x volume, ABCD, strategies), :mod:`analysis.differentiate.rfm`.
This module joins them into one per-customer table (:func:`segment_customers`), the report
section (:func:`report_section`) and attitude change (:func:`attitude_change`).

Missing data: a function whose whole answer needs data the workspace lacks raises
:class:`NotEnoughData` with a plain message (e.g. the matrix without any survey).
:func:`segment_customers` and :func:`report_section` never raise for missing data: the
labels that cannot be computed are NULL / empty.
"""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd

from analysis.errors import NotEnoughData
from analysis.identify.facts import customer_facts, resolve_as_of
from analysis.i18n import lookup
from analysis.differentiate.matrix import CELLS, satisfaction_matrix, with_cells
from analysis.identify.overview import pareto
from analysis.differentiate.pyramid import (
    TIERS, customer_tiers, previous_as_of, pyramid, tier_migration, tier_then, tiers_then, with_tiers,
)
from analysis.differentiate.rfm import rfm, rfm_counts, segment_counts, with_rfm
from analysis.settings import SegmentSettings
from analysis.store import Tables, to_frame
from analysis.differentiate.value import add_reasons, value_expr, value_groups, value_totals
from analysis.vocabulary import label

__all__ = [
    "SegmentSettings", "TIERS", "pyramid", "tier_migration", "value_groups",
    "satisfaction_matrix", "rfm", "rfm_counts", "attitude_change", "segment_customers",
    "report_section",
]

LABEL_COLUMNS = [
    "customer_id", "tier", "previous_tier", "is_mvc", "is_mcc", "is_bz", "profit",
    "cost_to_serve", "potential", "gap", "share_of_wallet", "volume_tier",
    "satisfaction_tier", "cell", "abcd", "strategy", "r", "f", "m", "rfm_segment",
    "reason_mvc", "reason_mcc", "reason_bz",
]


def direction_label(code: str) -> str:
    """``"falling"`` -> "falling" / "下降"; other values as given."""
    return str(label("direction", code))


def attitude_change(tables: Tables, as_of: Any = None, settings: SegmentSettings | None = None) -> pd.DataFrame:
    """Customers whose window revenue moved against the previous window by at least
    ``change_pct`` of it and at least ``change_amount``. Only customers who bought in the
    previous window count (a first purchase is a new customer, not a change of attitude).

    Columns: customer_id, name, revenue_prev_window, revenue_window, change, change_pct,
    direction ("falling" / "rising"); falling first, then by size of the change.
    """
    s = settings or SegmentSettings()
    f = customer_facts(tables, as_of, s.window_months)
    f = f.filter(f.revenue_prev_window > 0)
    change = f.revenue_window - f.revenue_prev_window
    f = f.mutate(change=change, change_pct=change / f.revenue_prev_window)
    f = f.filter((f.change.abs() >= f.revenue_prev_window * s.change_pct) & (f.change.abs() >= s.change_amount))
    f = f.mutate(direction=ibis.ifelse(f.change < 0, "falling", "rising"))
    out = to_frame(f.select("customer_id", "name", "revenue_prev_window", "revenue_window", "change",
                            "change_pct", "direction"))
    out["_key"] = out["change"].abs()
    out = out.sort_values(["direction", "_key", "customer_id"], ascending=[True, False, True])
    return out.drop(columns="_key").reset_index(drop=True)


# Label columns that are sentences or names rather than codes: :func:`add_text` writes them
# from the other columns, so a stored frame can leave them out (they follow the language).
TEXT_COLUMNS = ["strategy", "reason_mvc", "reason_mcc", "reason_bz"]


def segment_customers(tables: Tables, as_of: Any = None, settings: SegmentSettings | None = None,
                      potential: "pd.Series | ibis.Table | None" = None, text: bool = True,
                      wallets: "pd.Series | None" = None) -> pd.DataFrame:
    """One row per customer in the universe with every label, then the facts columns.

    Labels: tier, previous_tier (one window earlier; "(new)" if unknown then, as
    :func:`~analysis.differentiate.pyramid.tier_then` says), is_mvc,
    is_mcc, is_bz (False for never-buyers), profit, cost_to_serve, potential, gap,
    share_of_wallet (NULL for never-buyers / without wallet), volume_tier (active only),
    satisfaction_tier (high/medium/low/none), cell ("<volume>/<satisfaction>", active
    only), abcd, strategy (cell strategy name), r, f, m, rfm_segment (buyers only),
    reason_mvc / reason_mcc / reason_bz. Sorted by customer id. ``text=False`` leaves out
    :data:`TEXT_COLUMNS` (see :func:`add_text`).
    """
    s = settings or SegmentSettings()
    as_of = resolve_as_of(tables, as_of)
    facts = customer_facts(tables, as_of, s.window_months)
    labelled = with_rfm(with_cells(with_tiers(facts, s), s))
    before = tiers_then(tables, previous_as_of(as_of, s.window_months), s).rename(previous_tier="tier")
    labelled = labelled.left_join(before, "customer_id").drop("customer_id_right")
    labelled = labelled.mutate(previous_tier=tier_then(labelled.previous_tier, labelled.signup_date,
                                                       labelled.has_purchased | (labelled.interactions > 0)))
    value = value_expr(tables, as_of, s, potential, wallets).drop(
        "active", "revenue_window", "revenue_prev_window", "wallet")
    labelled = labelled.left_join(value, "customer_id").drop("customer_id_right")
    frame = to_frame(labelled.order_by("customer_id"))

    frame["previous_tier"] = frame["previous_tier"].fillna("(new)")
    for col in ("is_mvc", "is_mcc", "is_bz"):
        frame[col] = frame[col].fillna(False).astype(bool)
    frame["abcd"] = [CELLS.get(c, {}).get("abcd") if isinstance(c, str) else None for c in frame["cell"]]
    for col in ("r", "f", "m"):
        frame[col] = frame[col].astype("Int64")
    for col in ("contacts_window", "complaints_window", "refunds_window"):
        frame[col] = pd.to_numeric(frame[col]).fillna(0).astype(int)
    rest = [c for c in frame.columns if c not in LABEL_COLUMNS and not c.startswith("_")]
    frame = frame[[c for c in LABEL_COLUMNS if c not in TEXT_COLUMNS] + rest].reset_index(drop=True)
    return add_text(frame, s) if text else frame


def add_text(frame: pd.DataFrame, settings: SegmentSettings | None = None) -> pd.DataFrame:
    """:data:`TEXT_COLUMNS` from the codes and figures of a ``segment_customers(...,
    text=False)`` frame: the cell's strategy and the MVC / MCC / BZ reasons."""
    s = settings or SegmentSettings()
    out = add_reasons(frame, s)
    strategies = {cell: lookup(entry["strategy"]) for cell, entry in CELLS.items()}
    out["strategy"] = out["cell"].map(strategies)
    rest = [c for c in out.columns if c not in LABEL_COLUMNS]
    return out[LABEL_COLUMNS + rest]


def report_section(tables: Tables, as_of: Any = None, settings: SegmentSettings | None = None,
                   potential: "pd.Series | ibis.Table | None" = None, wallets: "pd.Series | None" = None) -> dict:
    """The differentiate section of the report, plain JSON types only:

    - pareto: {top20_revenue_share, gini} (None when nobody bought in the window)
    - pyramid: [{tier, customers, revenue}] for all seven tiers in :data:`TIERS` order
    - value_groups: {MVC, MCC, BZ} counts
    - matrix: [{volume, satisfaction, customers, revenue, strategy}] for the nine surveyed
      cells; [] when there is no satisfaction data
    - rfm_segments: {segment: customers} for every segment; {} without purchases
    """
    s = settings or SegmentSettings()
    as_of = resolve_as_of(tables, as_of)
    try:
        _, top20, g = pareto(tables, as_of, s.window_months)
        pareto_part = {"top20_revenue_share": float(top20), "gini": float(g)}
    except NotEnoughData:
        pareto_part = {"top20_revenue_share": None, "gini": None}
    try:
        pyr = pyramid(tables, as_of, s)
        pyramid_part = [
            {"tier": str(r.tier), "customers": int(r.customers), "revenue": float(r.revenue)}
            for r in pyr.itertuples()
        ]
    except NotEnoughData:
        pyramid_part = [{"tier": t, "customers": 0, "revenue": 0.0} for t in TIERS]
    groups = value_totals(tables, as_of, s, potential, wallets)
    try:
        mat = satisfaction_matrix(tables, as_of, s)
        matrix_part = [
            {"volume": str(r.volume), "satisfaction": str(r.satisfaction), "customers": int(r.customers),
             "revenue": float(r.revenue), "strategy": str(r.strategy)}
            for r in mat.itertuples() if r.satisfaction != "none"
        ]
    except NotEnoughData:
        matrix_part = []
    try:
        counts = segment_counts(tables, as_of, s)
        rfm_part = {str(r.segment): int(r.customers) for r in counts.itertuples()}
    except NotEnoughData:
        rfm_part = {}
    return {
        "pareto": pareto_part,
        "pyramid": pyramid_part,
        "value_groups": {k: int(v) for k, v in groups.items()},
        "matrix": matrix_part,
        "rfm_segments": rfm_part,
    }

