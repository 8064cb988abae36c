"""Every cache of the app, one function per result, each saying what it is keyed on.

Streamlit caches are shared by every session of one server, so every entry is keyed by the
workspace path and what the result depends on (nothing user-specific is kept here):

- :func:`key`: the workspace's data version and the language; a new import or a recorded
  contact changes it, and the next call recomputes;
- :func:`key_at`: what figures as of a date depend on (``Workspace.version_at``), so a
  contact recorded after the as-of date keeps the per-customer scores and what is derived
  from them;
- :func:`key_plan`: :func:`key_at` and the workspace's campaigns, for the action plan (which
  learns from the measured campaigns) and what reads it: a new campaign changes the plan,
  not the scores;

then the as-of date and the settings the result is computed with. The language is in both
keys because reasons, strategies, personas and notes are written in it (analysis.i18n); the
scores stored in the workspace are language-neutral, so a second language only writes the
text again.

Models are resources, fitted once per data version and settings and shared by everything
that reads them: the CLV models (:func:`_clv_fit`, read by the scores, the CLV page's summary
and its outlook) and the clusters (:func:`cluster_fit`, read by the scores and the Clusters
page). Results are data: a pandas frame, a dict, a small dataclass. They are kept once in
this process as resources and each caller gets its own cheap view (:func:`_shared`), because
``st.cache_data`` would unpickle a full copy on every click (seconds for a million
customers); small results of the campaign pages are plain ``st.cache_data``.

The per-customer scores (:func:`scores`) are stored in the workspace too
(:mod:`analysis.scores`): the first call for a workspace, as-of date and settings whose
scores are not stored yet draws a progress bar with each stage while they are computed and
stored (issue 15 §2); later calls, another session and a restarted app read them back.

Each computation reads the workspace inside ``SharedWorkspace.reading()`` (the app holds no
connection between operations, see analysis.store), and never waits for another cache entry
meanwhile: a write waits for the reads in progress, and such a wait could close a circle.
Size: one short function per cached result (about fifty), which is this module's one job;
split, the keys would be written twice.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as dt
import json
from typing import TYPE_CHECKING, Any, Iterator

import pandas as pd
import streamlit as st

from analysis import i18n
from analysis import scores as scores_module
from analysis.demo import is_demo
from analysis.errors import NotEnoughData
from analysis.differentiate import clusters, headroom, icp, matrix, pyramid, segments, views
from analysis.i18n import t
from analysis.identify import cohorts as cohorts_module
from analysis.identify import customers, facts, overview
from analysis.interact import timeline
from analysis.masking import Masker, workspace_secret
from analysis.scores import Scores, score_customers
from analysis.store import campaigns as campaign_store
from ui import workspace
from ui.later import later

if TYPE_CHECKING:
    from analysis.predict.clv_data import CLVFit

# What the first screen does not need (SciPy, scikit-learn behind them): imported at first use.
plan = later("analysis.customize.plan")
campaigns = later("analysis.interact.campaigns.workspace")
profit = later("analysis.interact.campaigns.profit")
clv_data = later("analysis.predict.clv_data")
clv_fits = later("analysis.predict.fit")
story = later("analysis.workshop.story")


def key() -> tuple[str, str]:
    """(workspace path, data version and language) of this session's workspace."""
    ws = workspace.current()
    return str(ws.path), f"{ws.data_version()}|{i18n.language()}"


def key_at(as_of: dt.date) -> tuple[str, str]:
    """(workspace path, what figures as of ``as_of`` depend on, with the language): unlike
    :func:`key`, a contact recorded after ``as_of`` leaves it unchanged."""
    ws = workspace.current()
    return str(ws.path), json.dumps([ws.version_at(as_of), i18n.language()], sort_keys=True)


def key_plan(as_of: dt.date) -> tuple[str, str, str]:
    """(workspace path, :func:`key_at`'s version, the campaigns' stamp): the action plan's key.
    The campaigns are a key of their own so that the plan's cache can pass path and version
    on to the scores' unchanged (a campaign leaves the scores as they are)."""
    ws = workspace.current()
    return (*key_at(as_of), campaign_store.campaigns_version(ws))


@contextlib.contextmanager
def _tables(path: str) -> Iterator:
    """The workspace at ``path``'s tables, inside one read."""
    ws = workspace.by_path(path)
    with ws.reading():
        yield ws.tables()


def _shared(value: Any) -> Any:
    """A caller's own view of a shared cached value. pandas copy-on-write makes a shallow
    copy cost nothing and keeps the cached frame unchanged whatever the caller does to its
    copy; st.cache_data would instead unpickle a full copy (about a second for 200,000
    customers) on every call. Dataclasses, dicts and lists are copied part by part the same
    way (a list of texts, such as a million customer ids, by one shallow copy); anything else
    is deep-copied."""
    if isinstance(value, pd.DataFrame):
        return value.copy(deep=False)
    if value is None or isinstance(value, (str, int, float, bool, dt.date)):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: _shared(getattr(value, f.name))
                                             for f in dataclasses.fields(value) if f.init})
    if isinstance(value, dict):
        return {k: _shared(v) for k, v in value.items()}
    if isinstance(value, list):
        return list(value) if value and isinstance(value[0], str) else [_shared(v) for v in value]
    if type(value) is tuple:
        return tuple(_shared(v) for v in value)
    return copy.deepcopy(value)


def _view(cached, *args) -> Any:
    """``cached(*args)`` under a spinner (shown only after half a second), as the caller's own view."""
    with st.spinner(t("Computing…")):
        return _shared(cached(*args))


# -- the workspace's dates ------------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=64)
def _default_as_of(path: str, version: str) -> dt.date:
    with _tables(path) as tables:
        return facts.resolve_as_of(tables)


def default_as_of() -> dt.date:
    """The workspace's default as-of date (:func:`analysis.identify.facts.resolve_as_of`)."""
    return _default_as_of(*key())


@st.cache_resource(show_spinner=False, max_entries=64)
def _data_range(path: str, version: str) -> tuple[dt.date, dt.date] | None:
    with _tables(path) as tables:
        return facts.data_range(tables)


def data_range() -> tuple[dt.date, dt.date] | None:
    """(first, last) day of any purchase or contact in the workspace, None when it has neither."""
    return _data_range(*key())


def table_counts() -> dict[str, int]:
    """Rows per table (not cached: a count is quick, and the Data page shows it after an import)."""
    ws = workspace.current()
    return {name: ws.count(name) for name in ("customers", "transactions", "interactions", "imports")}


@st.cache_data(show_spinner=False, max_entries=64)
def _is_demo(path: str, version: str) -> bool:
    ws = workspace.by_path(path)
    with ws.reading():
        return is_demo(ws)


def demo() -> bool:
    """Whether this session's workspace is the demo company."""
    return _is_demo(*key())


# -- Overview and Cohorts (per data version) --------------------------------------------------


def _on_one_read(path: str, figures: dict) -> dict:
    """``{name: figure(tables)}`` on one pinned read of the workspace: the per-customer facts
    the figures share are computed once (``Tables.pinned()``), not once per figure (seconds
    apiece for a million customers). A figure the data cannot give is kept as its
    NotEnoughData, raised by :func:`_figure` when that figure is asked for."""
    with _tables(path) as tables:
        pinned = tables.pinned()
        found: dict = {}
        for name, figure in figures.items():
            try:
                found[name] = figure(pinned)
            except NotEnoughData as exc:
                found[name] = exc
        return found


def _figure(cached, name: str, *args) -> Any:
    """Figure ``name`` of ``cached(*args)`` (a :func:`_on_one_read` result), as the caller's own view."""
    found = _view(cached, *args)[name]
    if isinstance(found, NotEnoughData):
        raise found
    return found


#: the breakdowns by a customer attribute, read from the Overview's one computation of the
#: facts (the category breakdown reads the purchase lines alone)
FIRST_SCREEN_BREAKDOWNS = ("region", "industry", "channel")


@st.cache_resource(show_spinner=False, max_entries=32)
def _first_screen(path: str, version: str, as_of: dt.date, window: int) -> dict:
    """The Overview's headline figures and its region, industry and channel breakdowns, on
    one read (:func:`_on_one_read`)."""
    figures = {"kpis": lambda tables: overview.kpis(tables, as_of, window)}
    for by in FIRST_SCREEN_BREAKDOWNS:
        figures[by] = lambda tables, by=by: overview.breakdown(tables, as_of, by, window)
    return _on_one_read(path, figures)


def kpis(as_of: dt.date, window: int) -> dict:
    """The Overview's headline figures (:func:`analysis.identify.overview.kpis`)."""
    return _figure(_first_screen, "kpis", *key(), as_of, int(window))


@st.cache_data(show_spinner=False, max_entries=32)
def _guest_purchases(path: str, version: str, as_of: dt.date) -> dict | None:
    ws = workspace.by_path(path)
    with ws.reading():
        return overview.guest_purchases(ws, as_of)


def guest_purchases(as_of: dt.date) -> dict | None:
    """Purchases without a customer (:func:`analysis.identify.overview.guest_purchases`)."""
    return _guest_purchases(*key(), as_of)


@st.cache_resource(show_spinner=False, max_entries=32)
def _pareto(path: str, version: str, as_of: dt.date, window: int) -> tuple:
    with _tables(path) as tables:
        return overview.pareto(tables, as_of, window)


def pareto(as_of: dt.date, window: int) -> tuple[pd.DataFrame, float, float]:
    """(80/20 curve, top 20% share, Gini) (:func:`analysis.identify.overview.pareto`)."""
    return _view(_pareto, *key(), as_of, window)


@st.cache_resource(show_spinner=False, max_entries=32)
def _revenue_by_month(path: str, version: str, as_of: dt.date) -> pd.DataFrame:
    with _tables(path) as tables:
        return overview.revenue_by_month(tables, as_of)


def revenue_by_month(as_of: dt.date) -> pd.DataFrame:
    """Revenue, orders and buyers per month (:func:`analysis.identify.overview.revenue_by_month`)."""
    return _view(_revenue_by_month, *key(), as_of)


@st.cache_resource(show_spinner=False, max_entries=32)
def _month_buyers(path: str, version: str, as_of: dt.date, month: str) -> list[str]:
    with _tables(path) as tables:
        return overview.month_buyers(tables, as_of, month)


def month_buyers(as_of: dt.date, month: str) -> list[str]:
    """Ids of the customers who bought in ``month`` ("2024-05")."""
    return _view(_month_buyers, *key(), as_of, month)


@st.cache_resource(show_spinner=False, max_entries=32)
def _breakdown(path: str, version: str, as_of: dt.date, by: str, window: int) -> pd.DataFrame:
    with _tables(path) as tables:
        return overview.breakdown(tables, as_of, by, window)


def breakdown(as_of: dt.date, by: str, window: int) -> pd.DataFrame:
    """Revenue and customers by region, industry, channel or category."""
    if by in FIRST_SCREEN_BREAKDOWNS:
        return _figure(_first_screen, by, *key(), as_of, int(window))
    return _view(_breakdown, *key(), as_of, by, window)


@st.cache_resource(show_spinner=False, max_entries=32)
def _category_buyers(path: str, version: str, as_of: dt.date, category: str, window: int) -> list[str]:
    with _tables(path) as tables:
        return overview.category_buyers(tables, as_of, category, window)


def category_buyers(as_of: dt.date, category: str, window: int) -> list[str]:
    """Ids of the customers who bought in ``category`` in the window."""
    return _view(_category_buyers, *key(), as_of, category, window)


@st.cache_resource(show_spinner=False, max_entries=16)
def _cohorts(path: str, version: str, as_of: dt.date):
    with _tables(path) as tables:
        return cohorts_module.cohorts(tables, as_of)


def cohorts(as_of: dt.date):
    """The retention triangle (:func:`analysis.identify.cohorts.cohorts`)."""
    return _view(_cohorts, *key(), as_of)


@st.cache_resource(show_spinner=False, max_entries=32)
def _cohort_customers(path: str, version: str, as_of: dt.date, month: str, offset: int) -> list[str]:
    with _tables(path) as tables:
        return cohorts_module.cell_customers(tables, as_of, month, offset)


def cohort_customers(as_of: dt.date, month: str, offset: int) -> list[str]:
    """Ids of cohort ``month``'s customers who bought ``offset`` months later."""
    return _view(_cohort_customers, *key(), as_of, month, int(offset))


# -- Differentiate straight from the tables (per data version and segment settings) -----------


def _of_tables(name: str, compute, max_entries: int = 16):
    """A resource cache of ``compute(tables, *args)`` on the workspace at ``path``'s tables
    inside one read, keyed by (path, version, *args). Streamlit tells caches apart by the
    function's module, qualified name and source; every function made here has the same
    source, so each is given its own name before ``st.cache_resource`` wraps it."""
    def cached(path: str, version: str, *args):
        with _tables(path) as tables:
            return compute(tables, *args)

    cached.__name__ = cached.__qualname__ = name
    return st.cache_resource(show_spinner=False, max_entries=max_entries)(cached)


_satisfaction_matrix = _of_tables("_satisfaction_matrix", matrix.satisfaction_matrix)
_attitude_change = _of_tables("_attitude_change", segments.attitude_change)
_ideal_customer_profile = _of_tables("_ideal_customer_profile", icp.ideal_customer_profile)


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


def ideal_customer_profile(as_of: dt.date, segment_settings):
    """The ideal customer profile and look-alikes (:func:`analysis.differentiate.icp.ideal_customer_profile`)."""
    return _view(_ideal_customer_profile, *key(), as_of, segment_settings)


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


# -- the per-customer scores and the models behind them ----------------------------------------


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


def prepare_scores(as_of: dt.date, settings) -> None:
    """Compute and store the scores now, with the progress bar (after an import)."""
    scores(as_of, settings)


@st.cache_resource(show_spinner=False, max_entries=16)
def _clv_summary(path: str, version: str, as_of: dt.date, horizon_months: int, margin: float,
                 annual_discount: float, model: str) -> dict:
    ws = workspace.by_path(path)
    with ws.reading():
        return clv_data.clv_report(ws.tables().transactions, as_of, horizon_months=horizon_months, margin=margin,
                                   annual_discount=annual_discount, fitted=_clv_fit(ws, path, as_of, model))


def clv_summary(as_of: dt.date, horizon_months: int, margin: float, annual_discount: float, model: str) -> dict:
    """The CLV model's summary (the model chosen, parameters, counts, totals, notes) at a
    horizon, margin and discount, from the one kept fit."""
    return _view(_clv_summary, *key_at(as_of), as_of, int(horizon_months), float(margin),
                 float(annual_discount), str(model))


@st.cache_resource(show_spinner=False, max_entries=16)
def _clv_outlook(path: str, version: str, as_of: dt.date, settings, horizon_months: int) -> pd.DataFrame:
    ws = workspace.by_path(path)
    with ws.reading():
        return scores_module.outlook(_clv_fit(ws, path, as_of, settings.clv_model), settings, horizon_months)


def clv_outlook(as_of: dt.date, settings, horizon_months: int) -> pd.DataFrame:
    """Every customer's CLV outlook over ``horizon_months`` (with notes), from the one kept fit."""
    return _view(_clv_outlook, *key_at(as_of), as_of, settings, int(horizon_months))


_clv_validation = _of_tables("_clv_validation", clv_fits.workspace_validation)
_clv_churn = _of_tables("_clv_churn", clv_fits.workspace_churn)


def clv_validation(calibration_end: dt.date, as_of: dt.date, model: str):
    """The holdout check of purchase model ``model`` calibrated up to ``calibration_end``."""
    return _view(_clv_validation, *key(), calibration_end, as_of, model)


def clv_churn(calibration_end: dt.date, as_of: dt.date, model: str):
    """The churn check (reliability, Brier) of purchase model ``model`` on that split."""
    return _view(_clv_churn, *key(), calibration_end, as_of, model)


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
    "cluster_members": views.cluster_members, "headroom_ranking": headroom.ranking_in,
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


@st.cache_resource(show_spinner=False, max_entries=8)
def _masker(path: str, version: str, as_of: dt.date, settings) -> Masker:
    return Masker(_scores(path, version, as_of, settings).frame["customer_id"],
                  workspace_secret(workspace.by_path(path)))


def masker(as_of: dt.date, settings) -> Masker:
    """The workspace's masker: the same "Customer 0042" for the same customer on every page
    (built from the same ids and the same workspace key as the workshop story's)."""
    _scores_ready(as_of, settings)
    return _masker(*key_at(as_of), as_of, settings)


# -- one customer -------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=64)
def _customer_search(path: str, version: str, text: str, limit: int) -> pd.DataFrame:
    with _tables(path) as tables:
        return customers.search(tables, text, limit)


def customer_search(text: str, limit: int) -> pd.DataFrame:
    """Customers whose id or name contains ``text``."""
    return _view(_customer_search, *key(), text, int(limit))


@st.cache_resource(show_spinner=False, max_entries=64)
def _customer_profile(path: str, version: str, customer_id: str, as_of: dt.date, window: int):
    with _tables(path) as tables:
        return timeline.customer_profile(tables, customer_id, as_of, window)


def customer_profile(customer_id: str, as_of: dt.date, window: int):
    """One customer's profile (:func:`analysis.interact.timeline.customer_profile`)."""
    return _view(_customer_profile, *key(), customer_id, as_of, int(window))


@st.cache_resource(show_spinner=False, max_entries=64)
def _customer_events(path: str, version: str, customer_id: str, as_of: dt.date, currency: str) -> pd.DataFrame:
    with _tables(path) as tables:
        return timeline.customer_events(tables, customer_id, as_of, currency)


def customer_events(customer_id: str, as_of: dt.date, currency: str) -> pd.DataFrame:
    """One customer's purchases and contacts, newest first."""
    return _view(_customer_events, *key(), customer_id, as_of, currency)


@st.cache_resource(show_spinner=False, max_entries=64)
def _open_complaints(path: str, version: str, customer_id: str, as_of: dt.date) -> pd.DataFrame:
    with _tables(path) as tables:
        return customers.open_complaints(tables, customer_id, as_of)


def open_complaints(customer_id: str, as_of: dt.date) -> pd.DataFrame:
    """One customer's complaints still open as of the date."""
    return _view(_open_complaints, *key(), customer_id, as_of)


# -- suggested actions and the workshop story -------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=8)
def _plan(path: str, version: str, campaigns_version: str, as_of: dt.date, settings, action_settings) -> plan.Plan:
    # the kept scores themselves: the plan reads their stored numbers in the engine and
    # changes nothing, so their frame (every customer's words) is not made for it
    scored = _scores(path, version, as_of, settings)
    ws = workspace.by_path(path)
    with ws.reading():  # the workspace, not its tables: the plan reads its campaigns too
        return plan.plan_rows(ws, as_of, settings, action_settings, scores=scored)


@st.cache_resource(show_spinner=False, max_entries=8)
def _actions(path: str, version: str, campaigns_version: str, as_of: dt.date, settings,
             action_settings) -> pd.DataFrame:
    return _plan(path, version, campaigns_version, as_of, settings, action_settings).render()


def actions(as_of: dt.date, settings, action_settings) -> pd.DataFrame:
    """Every suggested action for every customer (:func:`analysis.customize.plan.all_actions`)."""
    _scores_ready(as_of, settings)
    with st.spinner(t("Working out every customer's suggested actions…")):
        return _shared(_actions(*key_plan(as_of), as_of, settings, action_settings))


@st.cache_resource(show_spinner=False, max_entries=64)
def _customer_actions(path: str, version: str, campaigns_version: str, as_of: dt.date, settings, action_settings,
                      customer_id: str) -> pd.DataFrame:
    scored = _shared(_scores(path, version, as_of, settings))
    ws = workspace.by_path(path)
    with ws.reading():
        return plan.customer_actions(ws, customer_id, as_of, settings, action_settings, scores=scored)


def customer_actions(customer_id: str, as_of: dt.date, settings, action_settings) -> pd.DataFrame:
    """One customer's suggested actions (:func:`analysis.customize.plan.customer_actions`),
    from that customer's inputs only: the whole plan is not worked out for one customer."""
    _scores_ready(as_of, settings)
    return _view(_customer_actions, *key_plan(as_of), as_of, settings, action_settings, str(customer_id))


@st.cache_resource(show_spinner=False, max_entries=8)
def _titled(path: str, version: str, campaigns_version: str, as_of: dt.date, settings,
            action_settings) -> pd.DataFrame:
    return _plan(path, version, campaigns_version, as_of, settings, action_settings).titled()


@st.cache_resource(show_spinner=False, max_entries=64)
def _of_actions(path: str, version: str, campaigns_version: str, as_of: dt.date, settings, action_settings,
                view: str, args: tuple) -> Any:
    if view in PLAN_VIEWS:
        return PLAN_VIEWS[view](_plan(path, version, campaigns_version, as_of, settings, action_settings), *args)
    return ACTION_VIEWS[view](_titled(path, version, campaigns_version, as_of, settings, action_settings), *args)


#: views of the whole action plan with its titles and no reasons: the pickers' options, the
#: titles, the filtered plan (no reasons) and its counts
ACTION_VIEWS = {"filter_options": plan.filter_options, "action_titles": plan.action_titles,
                "filtered": customers.apply_filters, "summary": plan.plan_summary}
#: views that write reasons: "page" (filters, limit), the first rows of the filtered plan
#: (what a page shows; :func:`every_action` writes all of them, for a download)
PLAN_VIEWS = {"page": lambda p, filters, limit: p.render(filters, limit)}


def of_actions(view: str, as_of: dt.date, settings, action_settings, *args) -> Any:
    """:data:`ACTION_VIEWS` ``[view](every suggested action with its title, *args)`` or
    :data:`PLAN_VIEWS` ``[view](the plan, *args)``, once per plan and arguments (a filter dict
    may be one of them): rebuilt from a million rows, each would take seconds. Reasons are
    written only by the plan views, for the rows they return."""
    _scores_ready(as_of, settings)
    with st.spinner(t("Working out every customer's suggested actions…")):
        return _shared(_of_actions(*key_plan(as_of), as_of, settings, action_settings, view,
                                   tuple(_hashable(a) for a in args)))


def every_action(as_of: dt.date, settings, action_settings, filters: dict) -> pd.DataFrame:
    """Every suggested action ``filters`` select, titles and reasons written: what a download
    of the Action plan holds, built when it is asked for and not kept (it can be a million rows)."""
    _scores_ready(as_of, settings)
    return _plan(*key_plan(as_of), as_of, settings, action_settings).render(filters)


def _hashable(value: Any) -> Any:
    """A filter dict ({name: [values]}) as a cache key: sorted pairs of tuples."""
    if isinstance(value, dict):
        return {k: list(v) if isinstance(v, (list, tuple)) else v for k, v in sorted(value.items())}
    return value


@st.cache_resource(show_spinner=False, max_entries=8)
def _story_data(path: str, version: str, campaigns_version: str, as_of: dt.date, settings, action_settings):
    scored = _shared(_scores(path, version, as_of, settings))
    ws = workspace.by_path(path)
    with ws.reading():  # the story's last slide reads the workspace's campaigns
        return story.story_data(ws, as_of, settings, action_settings, scores=scored)


def story_data(as_of: dt.date, settings, action_settings):
    """The workshop story's figures (:func:`analysis.workshop.story.story_data`)."""
    _scores_ready(as_of, settings)
    return _view(_story_data, *key_plan(as_of), as_of, settings, action_settings)


@st.cache_resource(show_spinner=False, max_entries=16)
def _story_slides(path: str, version: str, campaigns_version: str, as_of: dt.date, settings, action_settings,
                  mask: bool) -> list:
    data = _story_data(path, version, campaigns_version, as_of, settings, action_settings)
    return story.slides(data, mask=mask, secret=workspace_secret(workspace.by_path(path)) if mask else None)


def story_slides(as_of: dt.date, settings, action_settings, mask: bool) -> list:
    """The workshop story's slides, built once per data version, language and masking (a
    masked story labels a million customers, too slow to redo on every click). The list is
    the caller's; the slides and their figures are shared and only read."""
    _scores_ready(as_of, settings)
    with st.spinner(t("Computing…")):
        return list(_story_slides(*key_plan(as_of), as_of, settings, action_settings, bool(mask)))


# -- campaigns (small results: plain data) --------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=64)
def _campaign_measure(path: str, version: str, name: str) -> dict:
    ws = workspace.by_path(path)
    with ws.reading():
        return campaigns.measure(ws, name)


def campaign_measure(name: str) -> dict:
    """``campaign measure --json`` of the campaign ``name``."""
    return _campaign_measure(*key(), name)


@st.cache_data(show_spinner=False, max_entries=64)
def _campaign_members(path: str, version: str, name: str, arm: str) -> pd.DataFrame:
    ws = workspace.by_path(path)
    with ws.reading():
        return campaigns.group_members(ws, name, arm)


def campaign_members(name: str, arm: str) -> pd.DataFrame:
    """The customers of one group of a campaign with their response and value."""
    return _campaign_members(*key(), name, arm)


@st.cache_data(show_spinner=False, max_entries=16)
def _campaign_uplift(path: str, version: str, name: str, arm: str):
    ws = workspace.by_path(path)
    with ws.reading():
        return campaigns.uplift(ws, name, arm)


def campaign_uplift(name: str, arm: str):
    """The uplift model of a campaign's ``arm`` against its control group."""
    return _campaign_uplift(*key(), name, arm)


@st.cache_data(show_spinner=False, max_entries=16)
def _campaign_profit(path: str, version: str, name: str, arm: str, cost: float, margin: float, settings) -> pd.DataFrame:
    ws = workspace.by_path(path)
    with ws.reading():
        return profit.campaign_profit(ws, name, arm, cost, margin, settings)


def campaign_profit(name: str, arm: str, cost: float, margin: float, settings) -> pd.DataFrame:
    """Incremental profit of contacting the top share of a campaign's list by predicted
    uplift, by CLV and everyone alike (:func:`analysis.interact.campaigns.profit.campaign_profit`)."""
    return _campaign_profit(*key(), name, arm, float(cost), float(margin), settings)


@st.cache_data(show_spinner=False, max_entries=16)
def _campaign_selection(path: str, version: str, campaigns_version: str, as_of: dt.date, filters: dict, settings,
                        action_settings) -> tuple[pd.DataFrame, dt.date]:
    ws = workspace.by_path(path)
    with ws.reading():
        return campaigns.select_customers(ws, as_of, filters, settings, action_settings)


def campaign_selection(as_of: dt.date, filters: dict, settings, action_settings) -> tuple[pd.DataFrame, dt.date]:
    """The customers the action plan's ``filters`` select, with their facts, for a new campaign."""
    _scores_ready(as_of, settings)
    with st.spinner(t("Computing…")):
        return _campaign_selection(*key(), campaign_store.campaigns_version(workspace.current()), as_of, filters,
                                   settings, action_settings)


@st.cache_data(show_spinner=False, max_entries=32)
def _campaign_plan(path: str, version: str, customer_ids: list[str], holdout: float, as_of: dt.date, days: int,
                   lift: float) -> dict:
    ws = workspace.by_path(path)
    with ws.reading():
        return campaigns.plan(ws, customer_ids, holdout, as_of, days, lift)


def campaign_plan(customer_ids: list[str], holdout: float, as_of: dt.date, days: int, lift: float) -> dict:
    """What a campaign to ``customer_ids`` can detect before anything is sent."""
    return _campaign_plan(*key(), customer_ids, holdout, as_of, int(days), lift)
