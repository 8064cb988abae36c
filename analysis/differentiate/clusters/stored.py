"""A fitted :class:`~analysis.differentiate.clusters.model.CustomerClusters` as stored with the
scores (:mod:`analysis.scores`), and read back without scikit-learn: what the Clusters page
shows of a model (k, the silhouette of every k tried, profiles, z-scores, personas, the 2-D
projection of a fixed sample) is a few small tables, so a process that opens the page on a
workspace whose scores are stored reads them instead of fitting k-means again.

The record holds numbers only; the personas are written from the stored profiles and
z-scores in the reader's language and currency (:func:`make_personas`, as the fit does).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

from analysis.differentiate.clusters.personas import make_personas


@dataclasses.dataclass
class StoredClusters:
    """The learned figures of a fitted ``CustomerClusters`` that the Clusters page and its
    charts read, under the estimator's names (``k_``, ``silhouette_``, ``silhouette_by_k_``,
    ``feature_names_``, ``profiles_``, ``zscores_``, ``personas_``, ``k_range``)."""

    k_: int
    silhouette_: float
    silhouette_by_k_: dict[int, float]
    k_range: tuple[int, int]
    feature_names_: list[str]
    profiles_: pd.DataFrame
    zscores_: pd.DataFrame
    personas_: list[dict]

    def persona_names(self) -> list[str]:
        return [p["name"] for p in self.personas_]


def clusters_record(model: Any, points: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], dict]:
    """(frames, meta) to store for a fitted model and its projection ``points``
    (:func:`~analysis.differentiate.clusters.report.projection`; the persona column is left
    out: names are words)."""
    frames = {
        "profiles": model.profiles_.reset_index(),
        "zscores": model.zscores_.reset_index(),
        "points": points[["customer_id", "x", "y", "cluster"]].reset_index(drop=True),
    }
    meta = {
        "k": int(model.k_),
        "silhouette": float(model.silhouette_),
        "silhouette_by_k": [[int(k), float(v)] for k, v in model.silhouette_by_k_.items()],
        "k_range": [int(model.k_range[0]), int(model.k_range[1])],
        "feature_names": list(model.feature_names_),
    }
    return frames, meta


def from_record(frames: dict[str, pd.DataFrame], meta: dict, currency: str = "") -> tuple[StoredClusters, pd.DataFrame]:
    """(the model's figures, the projection points with their persona) from a stored record
    (:func:`clusters_record`), the personas written now in the current language."""
    profiles = frames["profiles"].set_index("cluster")
    zscores = frames["zscores"].set_index("cluster")
    personas = make_personas(profiles, zscores, currency)
    model = StoredClusters(
        k_=int(meta["k"]), silhouette_=float(meta["silhouette"]),
        silhouette_by_k_={int(k): float(v) for k, v in meta["silhouette_by_k"]},
        k_range=(int(meta["k_range"][0]), int(meta["k_range"][1])),
        feature_names_=list(meta["feature_names"]), profiles_=profiles, zscores_=zscores, personas_=personas)
    points = frames["points"].copy()
    names = model.persona_names()
    points["cluster"] = points["cluster"].astype(int)
    points["persona"] = [names[c] for c in points["cluster"]]
    return model, points


def personas_of(points: pd.DataFrame, customer_ids) -> list[str]:
    """The persona names of the clicked ``customer_ids`` among the projection ``points``
    (customer_id, persona): a click on a dot of the map picks its cluster."""
    ids = [str(c) for c in customer_ids]
    if not ids:
        return []
    return list(points.loc[points["customer_id"].astype(str).isin(ids), "persona"])
