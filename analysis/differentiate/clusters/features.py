"""Clustering features (:func:`cluster_features`), one row per *buying* customer, aggregated
with Ibis: recency_days, frequency (orders), monetary (net revenue), avg_order_value,
tenure_days, ``cat_<category>`` (share of the customer's positive revenue in each category;
the :data:`MAX_CATEGORIES` biggest categories by revenue get a column, the rest go to
``cat_other``), and, when any survey exists, satisfaction_5 with a has_survey flag. A
customer without a survey gets the median satisfaction_5 of those with one, so the missing
score neither pulls the customer up nor down; has_survey keeps the difference."""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd

from analysis.identify.facts import customer_facts, money_zero, resolve_as_of, shared_category_revenue
from analysis.i18n import t
from analysis.store import Tables, to_frame
from analysis.vocabulary import label

# Fewer buying customers than this cannot be clustered meaningfully: with k up to 8 a
# cluster would hold two or three customers and the silhouette would be noise.
MIN_CUSTOMERS = 20


# Categories beyond the biggest few by revenue are pooled, so a product-level "category"
# column cannot explode the feature count.
MAX_CATEGORIES = 8


OTHER = "other"  # the pooled smaller categories


NO_CATEGORY = "(none)"  # purchase lines without a category (see features.category_revenue)


def feature_label(column: str) -> str:
    """Plain-English label of a feature column (``cat_Books`` -> "Share of Books")."""
    if column.startswith("cat_"):
        return t("Share of {category}", category=column[4:])
    return label("feature", column)


def feature_table(tables: Tables, as_of: Any = None, window_months: int = 12):
    """(Ibis table, category columns): the raw features of :func:`cluster_features`, one
    row per buying customer, evaluated where the data lives; satisfaction_5 is still NULL
    for customers without a survey (see :func:`fill_features`)."""
    as_of = resolve_as_of(tables, as_of)
    f = customer_facts(tables, as_of, window_months)
    f = f.filter(f.has_purchased)
    orders = f.orders.cast("float64")
    base = f.select(
        "customer_id",
        recency_days=f.recency_days.cast("float64"),
        frequency=orders,
        monetary=f.revenue.cast("float64"),
        avg_order_value=ibis.ifelse(orders > 0, f.revenue / orders, 0.0),
        tenure_days=f.tenure_days.cast("float64"),
        satisfaction_5=f.satisfaction_5.cast("float64"),
    )

    cats = shared_category_revenue(tables, as_of)
    zero = money_zero(cats.revenue)  # shares are summed exactly, then divided
    cats = cats.mutate(positive=ibis.greatest(cats.revenue, zero))
    ranking = to_frame(
        cats.group_by("category").aggregate(total=cats.positive.sum())
        .order_by([ibis.desc("total"), "category"])
    )
    names = [str(c) for c in ranking["category"]]
    kept = names[:MAX_CATEGORIES]
    if len(names) > MAX_CATEGORIES:  # the rest, with any real category called "other"
        kept = [c for c in kept if c != OTHER]
    columns = {}
    if len(names) > 1:
        safe = cats.positive.sum().nullif(zero)  # positive: 0 is the only total not above 0

        def share(part):
            return ibis.coalesce((part.sum() / safe).cast("float64"), 0.0)

        for name in kept:
            columns[f"cat_{name}"] = share(ibis.ifelse(cats.category == name, cats.positive, zero))
        if len(kept) < len(names):
            columns[f"cat_{OTHER}"] = share(ibis.ifelse(cats.category.isin(kept), zero, cats.positive))
        mix = cats.group_by("customer_id").aggregate(**columns)
        base = base.left_join(mix, "customer_id").drop("customer_id_right")
    return base, list(columns)


def fill_features(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The feature matrix from rows of :func:`feature_table` (index customer_id): missing
    category shares are 0; when anyone answered a survey, missing satisfaction_5 takes the
    median and has_survey says who answered; otherwise satisfaction_5 is dropped."""
    frame = frame.copy()
    for col in columns:
        frame[col] = frame[col].fillna(0.0).astype(float)
    has_survey = frame["satisfaction_5"].notna()
    if has_survey.any():
        frame["satisfaction_5"] = frame["satisfaction_5"].fillna(frame["satisfaction_5"].median())
        frame["has_survey"] = has_survey.astype(float)
        order = [c for c in frame.columns if not c.startswith("cat_")]
        frame = frame[order + list(columns)]
    else:
        frame = frame.drop(columns="satisfaction_5")
    return frame.astype(float)


def filled_table(table, features: pd.DataFrame, columns: list[str]):
    """:func:`feature_table`'s rows filled as :func:`fill_features` filled ``features``
    (the same median satisfaction), in the engine: what :meth:`CustomerClusters.assign`
    reads to assign every customer without bringing them back."""
    fills = {col: ibis.coalesce(table[col], 0.0) for col in columns}
    if "has_survey" in features.columns:
        answered = features.loc[features["has_survey"] > 0, "satisfaction_5"]
        median = float(answered.median())
        fills["has_survey"] = table.satisfaction_5.notnull().cast("float64")
        fills["satisfaction_5"] = ibis.coalesce(table.satisfaction_5, median)
    return table.mutate(**fills)


def cluster_features(tables: Tables, as_of: Any = None, window_months: int = 12) -> pd.DataFrame:
    """One row per buying customer (index customer_id, sorted), numeric features only.

    Columns: recency_days, frequency, monetary, avg_order_value, tenure_days,
    [satisfaction_5, has_survey] when anyone answered a survey (missing scores take the
    median), then cat_<category> shares of positive revenue (absent when there is only one
    category). ``window_months`` is passed to :func:`customer_facts`; the features
    themselves cover all purchases up to ``as_of``.
    """
    table, columns = feature_table(tables, as_of, window_months)
    return fill_features(to_frame(table.order_by("customer_id")).set_index("customer_id"), columns)
