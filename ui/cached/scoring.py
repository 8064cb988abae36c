"""The per-customer scores, the models behind them, and the views of them that every page reads.

Models are resources, fitted once per data version and settings and shared by everything
that reads them: the CLV models (:func:`_clv_fit`, read by the scores, the CLV page's summary
and its outlook) and the clusters (:func:`cluster_fit`, read by the scores and the Clusters
page).

The per-customer scores (:func:`scores`) are stored in the workspace too
(:mod:`analysis.scores`): the first call for a workspace, as-of date and settings whose
scores are not stored yet draws a progress bar with each stage while they are computed and
stored (issue 15 §2); later calls, another session and a restarted app read them back.
After an import, :func:`prepare_scores` stores them with the action plan's inputs and the
plan itself, under one bar. Their views: :func:`of_scores` (the frame's lists and groups),
:func:`stored_list` (a list's first rows asked of the stored scores in DuckDB) and
:func:`masker`. (The module is not called ``scores``: the package's :func:`scores` would hide it.)
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from analysis import scores as scores_module
from analysis import stored_scores
from analysis.differentiate import clusters, headroom, stored_views, views
from analysis.i18n import t
from analysis.identify import customers
from analysis.masking import Masker, engine_masker, workspace_secret
from analysis.scores import Scores, score_customers
from ui import workspace
from ui.cached.core import _hashable, _tables, _view, key_at
from ui.later import later

if TYPE_CHECKING:
    from analysis.predict.clv_data import CLVFit

# What the first screen does not need (SciPy, scikit-learn behind them): imported at first use.
stored_plan = later("analysis.customize.stored_plan")
clv_data = later("analysis.predict.clv_data")
clv_fits = later("analysis.predict.fit")


# -- the per-customer scores and the models behind them ----------------------------------------


@st.cache_resource(show_spinner=False, max_entries=16)
def _cluster_fit(path: str, version: str, as_of: dt.date, k: int | None, window_months: int, currency: str) -> tuple:
    with _tables(path) as tables:
        return clusters.fit_clusters(tables, as_of, k, window_months, currency=currency)


def cluster_fit(as_of: dt.date, k: int | None, window_months: int, currency: str) -> tuple:
    """(features, fitted :class:`~analysis.differentiate.clusters.CustomerClusters`), a
    resource fitted once per data version, as-of date, k (None: chosen by silhouette),
    window, currency and language (the personas are written at fit time): the scores'
    clusters and the Clusters page's are this one fit. Shared and read only."""
    with st.spinner(t("Computing…")):
        return _cluster_fit(*key_at(as_of), as_of, k, int(window_months), currency)


@st.cache_resource(show_spinner=False, max_entries=8)
def _local_clv_fit(path: str, purchases: str, as_of: dt.date, model: str) -> CLVFit | None:
    """The CLV models fitted on the workspace's purchases as of ``as_of`` (the purchase model
    chosen as ``model`` says, ``ReportSettings.clv_model``), once per version of the
    purchases (a contact or a customer update leaves them): the scores, the CLV page's
    summary and its outlook all score this one fit. A resource, not data: the fit is read
    only (scoring keeps no memo in it), and copying it would copy its summary. None when the
    purchases are too many to fit locally: such a fit refers to a table of the connection it
    was made on, closed when the read ends, so each read fits it anew (those workspaces'
    scores are stored in the workspace, see analysis.scores). Raises NotEnoughData (not
    cached) when there is nothing to model."""
    with _tables(path) as tables:
        if not clv_data.fits_locally(tables.transactions, as_of):
            return None
        return clv_fits.fit_workspace_clv(tables.transactions, as_of, model)


def _clv_fit(ws, path: str, as_of: dt.date, model: str) -> CLVFit:
    """The kept fit (:func:`_local_clv_fit`), or one made now inside the caller's read.
    Waited for inside a read: computing it only reads, so it never waits for those reads."""
    fit = _local_clv_fit(path, ws.version_at(as_of)["purchases"], as_of, model)
    return fit if fit is not None else clv_fits.fit_workspace_clv(ws.tables().transactions, as_of, model)


def _compute_scores(path: str, version: str, as_of: dt.date, settings, progress=None) -> Scores:
    """:func:`analysis.scores.score_customers` on the workspace with the kept model fits."""
    ws = workspace.by_path(path)
    with ws.reading():  # the scores computed here are stored in the workspace when the reading ends
        return score_customers(
            ws, as_of, settings, clv_fit=lambda: _clv_fit(ws, path, as_of, settings.clv_model), progress=progress,
            clusters_fit=lambda: _cluster_fit(path, version, as_of, settings.k, settings.window_months,
                                              settings.currency))


@st.cache_resource(show_spinner=False, max_entries=8)
def _scores(path: str, version: str, as_of: dt.date, settings, _computed: Scores | None = None) -> Scores:
    """The scores kept in this process; ``_computed`` (left out of the key) when
    :func:`scores` has just computed them under a progress bar."""
    _known.add((path, version, as_of, settings))
    return _computed if _computed is not None else _compute_scores(path, version, as_of, settings)


# (path, version, as-of, settings) of the scores this process has kept: those are not looked
# up in the workspace again. Only decides whether a progress bar may be needed; a key left
# here after the cache was cleared only means the recomputation shows a spinner instead.
_known: set = set()


def _with_progress(path: str, version: str, as_of: dt.date, settings) -> Scores | None:
    """The scores computed now under a progress bar with each stage, when they are neither
    kept in this process nor stored in the workspace; else None."""
    if (path, version, as_of, settings) in _known:
        return None
    ws = workspace.by_path(path)
    with ws.reading():
        if scores_module.is_stored(ws, as_of, settings):
            return None
    bar = st.progress(0.0, text=t("Preparing this workspace's scores: this happens once per data version."))

    def report(stage: str, done: float) -> None:
        bar.progress(min(max(done, 0.0), 1.0), text=t("Preparing the scores · {stage}", stage=stage))

    try:
        return _compute_scores(path, version, as_of, settings, progress=report)
    finally:
        bar.empty()


def scores(as_of: dt.date, settings) -> Scores:
    """The per-customer frame (tiers, cells, segments, clusters, CLV) for this workspace,
    kept once in this process per :func:`key_at`, as-of date and settings and stored in the
    workspace itself (:mod:`analysis.scores`). When neither holds them yet, they are computed
    under a progress bar that names each stage."""
    path, version = key_at(as_of)
    computed = _with_progress(path, version, as_of, settings)
    return _view(_scores, path, version, as_of, settings, computed)


# The shares of the progress bar after an import that the history inputs of the action plan
# and the action plan itself take (each about a sixth of the scores' time at 1,000,000 customers).
INPUTS_SHARE = 0.15
PLAN_SHARE = 0.15


def prepare_scores(as_of: dt.date, settings, action_settings=None) -> None:
    """Compute and store the scores now, then the action plan's history inputs (contacts,
    complaints, purchase gaps, cross-sell offers: :func:`analysis.customize.history.action_inputs`)
    and last the action plan itself (:func:`analysis.customize.stored_plan.store`) for
    ``action_settings`` (the sidebar's), under one progress bar with each stage (after an
    import): the Action plan, Campaigns, Workshop and Customer pages then read the stored plan
    instead of working it out."""
    from analysis.customize import history
    from analysis.settings import ActionSettings

    action_settings = action_settings or ActionSettings()
    path, version = key_at(as_of)
    ws = workspace.by_path(path)
    with ws.reading():
        inputs_done = history.inputs_stored(ws, as_of, action_settings)
        if inputs_done and stored_plan.is_stored(ws, as_of, settings, action_settings):
            scores(as_of, settings)
            return
        scored = (path, version, as_of, settings) in _known or scores_module.is_stored(ws, as_of, settings)
    bar = st.progress(0.0, text=t("Preparing this workspace's scores: this happens once per data version."))

    def report(stage: str, done: float) -> None:
        bar.progress(min(max(done, 0.0), 1.0), text=t("Preparing the scores · {stage}", stage=stage))

    try:
        computed = None if scored else _compute_scores(
            path, version, as_of, settings,
            progress=lambda stage, done: report(stage, done * (1 - INPUTS_SHARE - PLAN_SHARE)))
        kept = _view(_scores, path, version, as_of, settings, computed)
        if not inputs_done:
            report(t("Contacts, complaints and purchase gaps"), 1 - INPUTS_SHARE - PLAN_SHARE)
            with ws.reading():  # stored in the workspace when the reading ends, as the scores
                history.action_inputs(ws, as_of, action_settings)
        report(t("The action plan: every customer's suggested actions"), 1 - PLAN_SHARE)
        stored_plan.store(ws, as_of, settings, action_settings, scores=kept)
    finally:
        bar.empty()


# -- views of the scores (per key_at, as-of date and settings) -------------------------------


@st.cache_resource(show_spinner=False, max_entries=64)
def _of_scores(path: str, version: str, as_of: dt.date, settings, view: str, args: tuple) -> Any:
    """One view of the per-customer frame, by the name of :data:`SCORE_VIEWS`."""
    return SCORE_VIEWS[view](_scores(path, version, as_of, settings).frame, *args)


#: the sorted lists, groups and samples of the scores that a page would otherwise rebuild on
#: every click; each reads the frame and never changes it
SCORE_VIEWS = {
    "tier_customers": views.tier_customers, "cell_customers": views.cell_customers,
    "volume_summary": views.volume_summary, "value_group": views.value_group,
    "wallet_summary": views.wallet_summary, "scatter_sample": views.scatter_sample,
    "rules_summary": views.rules_summary, "rules_segment": views.rules_segment, "rules_cell": views.rules_cell,
    "movers": views.movers, "cluster_members": views.cluster_members, "headroom_ranking": headroom.ranking_in,
    "top_by_clv": scores_module.top_by_clv, "likely_lost": scores_module.likely_lost,
    "biggest": customers.biggest,
}


def of_scores(view: str, as_of: dt.date, settings, *args) -> Any:
    """:data:`SCORE_VIEWS` ``[view](frame, *args)`` on the scores, once per scores and arguments."""
    _scores_ready(as_of, settings)
    return _view(_of_scores, *key_at(as_of), as_of, settings, view, args)


def _scores_ready(as_of: dt.date, settings) -> None:
    """Make sure the scores are kept (with the progress bar if they must be computed)."""
    path, version = key_at(as_of)
    computed = _with_progress(path, version, as_of, settings)
    if computed is not None:
        _scores(path, version, as_of, settings, computed)


# -- lists of the stored scores (issue 15 §2) ---------------------------------------------------
#
# The rows a page lists are asked of the stored scores in DuckDB
# (:mod:`analysis.differentiate.stored_views`); only the rows shown get their text. When the
# scores could not be stored (another program held the workspace), the same rows come from
# the frame kept in this process, as :func:`of_scores` gives them.


def _stored_read(path: str, as_of: dt.date, settings, compute) -> Any:
    """``compute(stored scores)`` inside one read of the workspace at ``path``; None when
    its scores are not stored."""
    ws = workspace.by_path(path)
    with ws.reading():
        stored = stored_scores.read_stored(ws, as_of, settings)
        return None if stored is None else compute(stored)


#: the lists of customers a Differentiate page shows: name -> (the ordered engine expression
#: of :mod:`analysis.differentiate.stored_views`, its pandas twin in :data:`SCORE_VIEWS`)
STORED_LISTS = {
    "value_group": (stored_views.value_list, "value_group"),
    "tier_customers": (stored_views.tier_list, "tier_customers"),
    "cell_customers": (stored_views.cell_list, "cell_customers"),
    "movers": (stored_views.movers_list, "movers"),
    "rules_segment": (stored_views.segment_list, "rules_segment"),
    "rules_cell": (stored_views.rf_cell_list, "rules_cell"),
    # the CLV page's lists and the Customer page's first choices, read for their first rows
    "top_by_clv": (stored_scores.clv_list, "top_by_clv"),
    "likely_lost": (stored_scores.lost_list, "likely_lost"),
    "biggest": (stored_scores.biggest_list, "biggest"),
}


def _first_rows(stored, view: str, args: tuple, limit: int | None,
                first: bool = False) -> tuple[pd.DataFrame, int]:
    """(the first ``limit`` rows of list ``view`` with their text, how many it has; with
    ``first``, the list is its first ``limit`` rows: found on the ordering columns alone, not
    counted)."""
    expr = STORED_LISTS[view][0](stored.table, *args)
    if first:
        rows = stored.first_rows({view: expr}, limit)[view]
        return rows, len(rows)
    rows = stored.rows(expr, limit)
    if view == "value_group":  # the reason the customer is in the group
        rows["reason"] = rows[f"reason_{args[0].lower()}"]
    return rows, (len(rows) if limit is None else stored_views.count(expr))


@st.cache_resource(show_spinner=False, max_entries=64)
def _stored_list(path: str, version: str, as_of: dt.date, settings, view: str, args: tuple, limit: int,
                 first: bool = False):
    return _stored_read(path, as_of, settings, lambda stored: _first_rows(stored, view, args, limit, first))


def stored_list(view: str, as_of: dt.date, settings, *args, first: int | None = None) -> dict:
    """List ``view`` of :data:`STORED_LISTS` for ``args``: {"rows": its first
    :data:`ui.lists.MAX_SHOWN` rows with their text, "count": how many it has, "whole": a
    function giving every row (for a download)}; what :func:`ui.lists.customer_list` takes.
    ``first``: the list is its first ``first`` rows only (the CLV page's top 50; its pandas
    twin then takes ``first`` as its last argument). Read from the stored scores in DuckDB;
    from the frame kept in this process when the scores could not be stored."""
    from ui.lists import MAX_SHOWN

    _scores_ready(as_of, settings)
    path, version = key_at(as_of)
    key = tuple(_hashable(a) for a in args)
    limit = MAX_SHOWN if first is None else int(first)
    found = _view(_stored_list, path, version, as_of, settings, view, key, limit, first is not None)
    if found is None:  # not stored: the frame's own view
        frame = of_scores(STORED_LISTS[view][1], as_of, settings, *args, *(() if first is None else (int(first),)))
        return {"rows": frame, "count": len(frame), "whole": lambda: frame}
    if first is not None:
        rows = found[0]
        return {"rows": rows, "count": len(rows), "whole": lambda: rows}
    rows, count = found
    return {"rows": rows, "count": count, "whole": lambda: _stored_read(
        path, as_of, settings, lambda stored: _first_rows(stored, view, args, None))[0]}


# -- the masker: the same "Customer 0042" for the same customer on every page ------------------


@st.cache_resource(show_spinner=False, max_entries=8)
def _masker(path: str, version: str, as_of: dt.date, settings) -> Masker:
    ws = workspace.by_path(path)
    secret = workspace_secret(ws)
    with ws.reading():
        table = scores_module.stored_table(ws, as_of, settings)
        if table is not None:  # numbered from the stored ids: no other column of any customer is read
            return engine_masker(table, secret)
    return Masker(_scores(path, version, as_of, settings).frame["customer_id"], secret)


def masker(as_of: dt.date, settings) -> Masker:
    """The workspace's masker: the same "Customer 0042" for the same customer on every page
    (built from the same ids and the same workspace key as the workshop story's; from the
    stored scores' ids alone when they are stored,
    :func:`analysis.masking.engine_masker`)."""
    _scores_ready(as_of, settings)
    return _masker(*key_at(as_of), as_of, settings)
