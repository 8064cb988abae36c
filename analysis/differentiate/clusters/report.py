"""What the clusters give the rest of the engine: the fitted model on a workspace
(:func:`fit_clusters`), the ``clusters`` section of ``report --json`` (:func:`cluster_report`,
every customer assigned in the engine above the local limit) and the 2-D projection the
Clusters page draws."""

from __future__ import annotations

import math
from typing import Any

import ibis
import numpy as np
import pandas as pd
from sklearn.decomposition import PCA

from analysis.differentiate.clusters.features import cluster_features, feature_table, fill_features, filled_table
from analysis.differentiate.clusters.model import CustomerClusters, _sample
from analysis.identify.facts import hash_sample, local_limit
from analysis.store import Tables, materialize, to_frame

# At most this many points in the 2-D projection (a chart cannot show more usefully).
PROJECTION_POINTS = 5000


def projection(features: pd.DataFrame, model: CustomerClusters,
               max_points: int = PROJECTION_POINTS) -> pd.DataFrame:
    """2-D PCA of the standardised features for a scatter chart: a fixed sample of at
    most ``max_points`` customers. Columns: customer_id, x, y, cluster, persona."""
    pick = _sample(len(features), max_points, model.random_state)
    part = features.iloc[pick]
    z = model.transform(part)
    n_comp = min(2, z.shape[1], len(z))
    xy = PCA(n_components=n_comp, random_state=model.random_state).fit_transform(z)
    if xy.shape[1] < 2:
        xy = np.column_stack([xy, np.zeros(len(xy))])
    clusters = model.predict(part)
    names = model.persona_names()
    return pd.DataFrame({
        "customer_id": part.index.to_numpy(),
        "x": xy[:, 0], "y": xy[:, 1],
        "cluster": clusters,
        "persona": [names[c] for c in clusters],
    })


def fit_clusters(tables: Tables, as_of: Any = None, k: int | None = None, window_months: int = 12,
                 random_state: int = 0, currency: str = "") -> tuple[pd.DataFrame, CustomerClusters]:
    """(features, fitted model) for a workspace; raises NotEnoughData below MIN_CUSTOMERS."""
    features = cluster_features(tables, as_of, window_months)
    model = CustomerClusters(k=k, random_state=random_state, currency=currency).fit(features)
    return features, model


def cluster_report(tables: Tables, as_of: Any = None, k: int | None = None, window_months: int = 12,
                   random_state: int = 0, max_local: int | None = None) -> dict:
    """{"k", "silhouette", "sizes", "names"} in plain JSON types, sizes and names ordered by
    cluster number. Raises NotEnoughData with fewer than MIN_CUSTOMERS buying customers.

    Up to ``max_local`` buying customers (default :data:`analysis.identify.facts.LOCAL_ROWS`)
    the feature matrix comes back whole, as :func:`fit_clusters` does. Above it, only a
    fixed sample of about ``max_local`` customers comes back (:func:`analysis.identify.facts.hash_sample`:
    the same customers on every engine); the model is fitted and the personas are written
    on it, and every customer is then assigned to the nearest centre
    (:meth:`CustomerClusters.assign`) in the engine, which also counts the sizes."""
    table, columns = feature_table(tables, as_of, window_months)
    table = materialize(table)  # counted, sampled and assigned below: computed once
    n = int(table.count().to_pyarrow().as_py())
    limit = local_limit(max_local)
    rows = to_frame(hash_sample(table, n, limit).order_by("customer_id")).set_index("customer_id")
    features = fill_features(rows, columns)
    model = CustomerClusters(k=k, random_state=random_state).fit(features)
    if n <= limit:
        sizes = [int(p["size"]) for p in model.personas_]
    else:
        sizes = engine_sizes(model, filled_table(table, features, columns))
    silhouette = model.silhouette_
    return {
        "k": int(model.k_),
        "silhouette": round(float(silhouette), 4) if math.isfinite(silhouette) else None,
        "sizes": sizes,
        "names": [str(p["name"]) for p in model.personas_],
    }


def engine_sizes(model: CustomerClusters, table) -> list[int]:
    """Customers per cluster (by cluster number) when every row of ``table`` (filled
    features, see :func:`filled_table`) is assigned in the engine."""
    counts = (model.assign(table)
              .group_by("cluster").aggregate(n=ibis._.count()).to_pandas())
    found = dict(zip(counts["cluster"].astype(int), counts["n"].astype(int)))
    return [int(found.get(c, 0)) for c in range(model.k_)]
