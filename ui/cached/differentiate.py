"""Differentiate: the caches of the Value, Pyramid, Matrix, Segments and Clusters pages.

Once the scores are stored (issue 15 §2), counts, sums and the rows a page shows are asked of
them in DuckDB (:mod:`analysis.differentiate.stored_views`, :data:`STORED_PAGES`); where they
could not be stored (a read-only workspace), the same figures come from the tables
(:func:`pyramid_layers`, :func:`satisfaction_matrix`, :func:`attitude_change`) or from the
frame kept in this process (:func:`ui.cached.scoring.of_scores`). The Clusters page reads
the clusters' figures stored with the scores, or the one kept fit
(:func:`ui.cached.scoring.cluster_fit`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from analysis import i18n
from analysis import scores as scores_module
from analysis import stored_scores
from analysis.differentiate import clusters, headroom, icp, matrix, pyramid, segments, stored_views, views
from analysis.errors import NotEnoughData
from analysis.identify import customers
from ui import workspace
from ui.cached.core import _figure, _hashable, _of_tables, _on_one_read, _view, key, key_at
from ui.cached.scoring import (
    _cluster_fit, _first_rows, _scores_ready, _stored_read, cluster_fit, of_scores, scores, stored_list,
)


# -- Differentiate straight from the tables (per data version and segment settings) -----------


_satisfaction_matrix = _of_tables("_satisfaction_matrix", matrix.satisfaction_matrix)
_attitude_change = _of_tables("_attitude_change", segments.attitude_change)


@st.cache_resource(show_spinner=False, max_entries=16)
def _pyramid_page(path: str, version: str, as_of: dt.date, settings) -> dict:
    """The pyramid's tiers and the moves between tiers, on one read (:func:`_on_one_read`):
    the tiers as of the date are computed once for both."""
    return _on_one_read(path, {
        "layers": lambda tables: pyramid.pyramid(tables, as_of, settings),
        "migration": lambda tables: pyramid.tier_migration(tables, as_of, settings),
    })


def pyramid_layers(as_of: dt.date, segment_settings) -> pd.DataFrame:
    """The pyramid's tiers (:func:`analysis.differentiate.pyramid.pyramid`)."""
    return _figure(_pyramid_page, "layers", *key(), as_of, segment_settings)


def tier_migration(as_of: dt.date, segment_settings) -> pd.DataFrame:
    """How customers moved between tiers since the previous window."""
    return _figure(_pyramid_page, "migration", *key(), as_of, segment_settings)


def satisfaction_matrix(as_of: dt.date, segment_settings) -> pd.DataFrame:
    """The satisfaction-by-volume cells (:func:`analysis.differentiate.matrix.satisfaction_matrix`)."""
    return _view(_satisfaction_matrix, *key(), as_of, segment_settings)


def attitude_change(as_of: dt.date, segment_settings) -> pd.DataFrame:
    """Rising and falling customers (:func:`analysis.differentiate.segments.attitude_change`)."""
    return _view(_attitude_change, *key(), as_of, segment_settings)


@st.cache_resource(show_spinner=False, max_entries=16)
def _ideal_customer_profile(path: str, version: str, as_of: dt.date, settings):
    ws = workspace.by_path(path)
    with ws.reading():  # the facts of the stored scores when stored, else grouped from the lines
        return icp.ideal_customer_profile(ws.tables(), as_of, settings.segments,
                                          stored=scores_module.stored_table(ws, as_of, settings))


def ideal_customer_profile(as_of: dt.date, settings):
    """The ideal customer profile and look-alikes (:func:`analysis.differentiate.icp.ideal_customer_profile`)
    computed in the engine from the facts of the scores stored for ``settings`` (the
    sidebar's); per :func:`key_at`, as-of date and settings."""
    _scores_ready(as_of, settings)
    return _view(_ideal_customer_profile, *key_at(as_of), as_of, settings)


# -- the Differentiate pages from the stored scores (issue 15 §2) -------------------------------
#
# Counts, sums and the rows a page shows are asked of the stored scores in DuckDB
# (:mod:`analysis.differentiate.stored_views`); only the rows shown get their text. When the
# scores could not be stored (another program held the workspace), the same figures come from
# the tables or the frame kept in this process, as :func:`of_scores` gives them.


def _value_page(stored) -> dict:
    """What the Value page shows first, from the stored scores."""
    from ui.lists import MAX_SHOWN

    sample, buyers = stored_views.scatter_sample(stored.table)
    lists = {group: stored_views.value_list(stored.table, group) for group in views.GROUPS}
    rows = stored.first_rows({**lists, "headroom": stored_views.headroom_list(stored.table)}, MAX_SHOWN)
    counts = stored_views.value_counts(stored.table)
    for group in views.GROUPS:  # the reason the customer is in the group
        rows[group]["reason"] = rows[group][f"reason_{group.lower()}"]
    return {"scores": stored.scores(), "counts": counts, "groups": {g: (rows[g], counts[g]) for g in views.GROUPS},
            "wallet": stored_views.wallet_summary(stored.table), "scatter": (stored.numbers(sample), buyers),
            "headroom": rows["headroom"]}


def _each(figures: dict, stored) -> dict:
    """``{name: figure(stored table)}``, a figure the data cannot give kept as its
    NotEnoughData (raised by :func:`_stored_or` when that figure is asked for)."""
    found: dict = {}
    for name, figure in figures.items():
        try:
            found[name] = figure(stored.table)
        except NotEnoughData as exc:
            found[name] = exc
    return found


def _pyramid_figures(stored) -> dict:
    """The pyramid's layers and moves, from the stored tiers."""
    return _each({"layers": stored_views.pyramid_layers, "migration": stored_views.tier_migration}, stored)


def _matrix_figures(stored) -> dict:
    """The matrix's cells and the volume tiers, from the stored cells."""
    return _each({"cells": stored_views.satisfaction_matrix, "volume": stored_views.volume_summary}, stored)


def _segments_figures(stored, rules) -> dict:
    """The RFM segments by ``rules`` (counts, grid) and whether anybody has RFM scores."""
    return {"has_rfm": stored_views.has_rfm(stored.table), "summary": stored_views.rules_summary(stored.table, rules)}


def _attitude_figures(stored, settings) -> dict:
    """The falling and rising customers: {direction: (first rows, how many)}."""
    from ui.lists import MAX_SHOWN

    out = {}
    for direction in ("falling", "rising"):
        expr = stored_views.attitude_list(stored.table, settings.segments, direction)
        out[direction] = (stored.rows(expr, MAX_SHOWN), stored_views.count(expr))
    return out


STORED_PAGES = {"value": _value_page, "pyramid": _pyramid_figures, "matrix": _matrix_figures,
                "segments": _segments_figures, "attitude": lambda stored: _attitude_figures(stored, stored.settings)}


@st.cache_resource(show_spinner=False, max_entries=32)
def _stored_page(path: str, version: str, as_of: dt.date, settings, page: str, args: tuple) -> dict | None:
    return _stored_read(path, as_of, settings, lambda stored: STORED_PAGES[page](stored, *args))


def stored_page(page: str, as_of: dt.date, settings, *args) -> dict | None:
    """The figures of :data:`STORED_PAGES` ``[page]`` asked of the stored scores in one read,
    kept per :func:`key_at`, as-of date, settings and ``args``; None when the scores are not
    stored (another program held the workspace then: use the frame's views)."""
    _scores_ready(as_of, settings)
    return _view(_stored_page, *key_at(as_of), as_of, settings, page, tuple(_hashable(a) for a in args))


def _stored_or(page: str, name: str, as_of: dt.date, settings, fallback, *args) -> Any:
    """Figure ``name`` of :func:`stored_page` ``(page, ...)``, or ``fallback()`` when the scores
    are not stored; a NotEnoughData kept for it is raised."""
    found = stored_page(page, as_of, settings, *args)
    if found is None:
        return fallback()
    if isinstance(found[name], NotEnoughData):
        raise found[name]
    return found[name]


def value_figures(as_of: dt.date, settings) -> dict:
    """What the Value page shows first: {"scores": the :class:`Scores` messages and wallet
    summary (its frame may hold no row), "counts": {group: members}, "groups": {group: its
    list, as :func:`stored_list` gives it}, "wallet":
    :func:`~analysis.differentiate.views.wallet_summary`, "scatter": (buyers plotted, buyers),
    "headroom": the first rows of the headroom ranking}."""
    from ui.lists import MAX_SHOWN

    def from_frame() -> dict:
        scored = scores(as_of, settings)
        groups = {g: stored_list("value_group", as_of, settings, g) for g in views.GROUPS}
        return {"scores": scored, "counts": {g: groups[g]["count"] for g in views.GROUPS}, "groups": groups,
                "wallet": of_scores("wallet_summary", as_of, settings),
                "scatter": of_scores("scatter_sample", as_of, settings),
                "headroom": of_scores("headroom_ranking", as_of, settings, MAX_SHOWN, settings.currency,
                                      i18n.language())}

    found = stored_page("value", as_of, settings)
    if found is None:
        return from_frame()
    found["headroom"] = headroom.ranking(found["headroom"], None, settings.currency)
    path = key_at(as_of)[0]
    found["groups"] = {g: {"rows": rows, "count": count, "whole": lambda g=g: _stored_read(
        path, as_of, settings, lambda stored: _first_rows(stored, "value_group", (g,), None))[0]}
        for g, (rows, count) in found["groups"].items()}
    return found


def pyramid_figure(name: str, as_of: dt.date, settings) -> pd.DataFrame:
    """The pyramid's ``"layers"`` (:func:`analysis.differentiate.pyramid.pyramid`) or
    ``"migration"`` (:func:`~analysis.differentiate.pyramid.tier_migration`), from the stored tiers."""
    fallback = {"layers": pyramid_layers, "migration": tier_migration}[name]
    return _stored_or("pyramid", name, as_of, settings, lambda: fallback(as_of, settings.segments))


def matrix_cells(as_of: dt.date, settings) -> pd.DataFrame:
    """The satisfaction-by-volume cells, from the stored cells; raises NotEnoughData without surveys."""
    return _stored_or("matrix", "cells", as_of, settings, lambda: satisfaction_matrix(as_of, settings.segments))


def volume_cells(as_of: dt.date, settings) -> pd.DataFrame:
    """The volume tiers alone (:func:`analysis.differentiate.views.volume_summary`)."""
    return _stored_or("matrix", "volume", as_of, settings, lambda: of_scores("volume_summary", as_of, settings))


def rfm_figures(as_of: dt.date, settings, rules) -> dict:
    """{"has_rfm": whether anybody has RFM scores, "summary": :func:`analysis.differentiate.views.rules_summary`
    by ``rules`` (None: the built-in rules)}."""
    found = stored_page("segments", as_of, settings, rules)
    if found is not None:
        return found
    frame = scores(as_of, settings).frame
    return {"has_rfm": bool(frame["r"].notna().any()), "summary": of_scores("rules_summary", as_of, settings, rules)}


def attitude_lists(as_of: dt.date, settings) -> dict:
    """{"falling" | "rising": {"rows", "count", "whole"}} (as :func:`stored_list`) of
    :func:`analysis.differentiate.segments.attitude_change`, from the stored window revenues."""
    found = stored_page("attitude", as_of, settings)
    out = {}
    for direction in ("falling", "rising"):
        if found is None:
            change = attitude_change(as_of, settings.segments)
            rows = change[change["direction"] == direction].reset_index(drop=True)
            out[direction] = {"rows": rows, "count": len(rows), "whole": lambda rows=rows: rows}
            continue
        path = key_at(as_of)[0]
        rows, count = found[direction]
        out[direction] = {"rows": rows, "count": count, "whole": lambda d=direction: _stored_read(
            path, as_of, settings, lambda stored: stored.rows(stored_views.attitude_list(
                stored.table, settings.segments, d)))}
    return out


# -- the Clusters page, read from the clusters' figures stored with the scores ----------------


@st.cache_resource(show_spinner=False, max_entries=16)
def _stored_clusters(path: str, version: str, as_of: dt.date, settings) -> tuple | None:
    """(model figures, projection points) stored with the scores; when the scores are stored
    without them (an older workspace), fitted once now and stored. None when the scores are
    not stored."""
    ws = workspace.by_path(path)
    with ws.reading():
        if not scores_module.is_stored(ws, as_of, settings):
            return None
        found = stored_scores.stored_clusters(ws, as_of, settings)
        if found is not None:
            return found
    features, model = _cluster_fit(path, version, as_of, settings.k, settings.window_months, settings.currency)
    with ws.reading():
        scores_module.store_models(ws, as_of, settings, clusters=(features, model))
    return model, clusters.projection(features, model)


def clusters_view(as_of: dt.date, settings, k: int | None) -> tuple[Any, pd.DataFrame, bool]:
    """(model, projection points, stored) of the Clusters page: with ``k`` None and the
    settings' own k (None: by silhouette), the figures stored with the scores (a process that
    opens the page fits nothing, ``stored`` True); else the kept fit
    (:func:`cluster_fit`) and its projection."""
    if k is None and settings.k is None:
        _scores_ready(as_of, settings)
        found = _view(_stored_clusters, *key_at(as_of), as_of, settings)
        if found is not None:
            return found[0], found[1], True
    features, model = cluster_fit(as_of, k, settings.window_months, settings.currency)
    return model, _view(_projection, *key_at(as_of), as_of, k, settings.window_months, settings.currency), False


@st.cache_resource(show_spinner=False, max_entries=16)
def _projection(path: str, version: str, as_of: dt.date, k: int | None, window_months: int, currency: str):
    features, model = _cluster_fit(path, version, as_of, k, window_months, currency)
    return clusters.projection(features, model)


@st.cache_resource(show_spinner=False, max_entries=32)
def _cluster_list(path: str, version: str, as_of: dt.date, settings, cluster: int, limit: int | None):
    ws = workspace.by_path(path)
    with ws.reading():
        return stored_scores.stored_rows(ws, as_of, settings, lambda s: s.cluster == cluster,
                                         ("revenue", "revenue_window"), limit=limit)


def cluster_list(as_of: dt.date, settings, k: int | None, names: list[str], cluster: int,
                 limit: int) -> tuple[pd.DataFrame, int, Any]:
    """(the first ``limit`` members of cluster number ``cluster``, how many it has, a function
    that gives them all): from the stored scores in DuckDB when the page shows the scores'
    clusters, else from the kept fit's labels (:func:`views.cluster_members`)."""
    if k is None and settings.k is None:
        found = _view(_cluster_list, *key_at(as_of), as_of, settings, int(cluster), int(limit))
        if found is not None:
            def whole() -> pd.DataFrame:
                return _cluster_list(*key_at(as_of), as_of, settings, int(cluster), None)[0].frame
            return found[0].frame, found[1], whole
    features, model = cluster_fit(as_of, k, settings.window_months, settings.currency)
    members = of_scores("cluster_members", as_of, settings, features.index.to_numpy(str), model.labels_, names)
    chosen = customers.apply_filters(members, {"cluster_name": [names[cluster]]})
    return chosen, len(chosen), lambda: chosen
