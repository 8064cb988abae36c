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
from analysis import stored_scores
from analysis.demo import is_demo
from analysis.errors import NotEnoughData
from analysis.differentiate import clusters, headroom, icp, matrix, pyramid, segments, stored_views, views
from analysis.i18n import t
from analysis.identify import cohorts as cohorts_module
from analysis.identify import customers, facts, first_screen, overview
from analysis.interact import timeline
from analysis.masking import Masker, engine_masker, workspace_secret
from analysis.scores import Scores, score_customers
from analysis.store import campaigns as campaign_store
from ui import workspace
from ui.later import later

if TYPE_CHECKING:
    from analysis.predict.clv_data import CLVFit

# What the first screen does not need (SciPy, scikit-learn behind them): imported at first use.
campaigns = later("analysis.interact.campaigns.workspace")
selection = later("analysis.interact.campaigns.selection")
stored_plan = later("analysis.customize.stored_plan")
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
    span = _data_range(path, version)  # the last day of any purchase or contact, as resolve_as_of
    return span[1] if span else dt.date.today()


def default_as_of() -> dt.date:
    """The workspace's default as-of date (:func:`analysis.identify.facts.resolve_as_of`)."""
    return _default_as_of(*key())


@st.cache_resource(show_spinner=False, max_entries=64)
def _data_range(path: str, version: str) -> tuple[dt.date, dt.date] | None:
    return facts.span_of(workspace.by_path(path).date_bounds())  # facts.data_range, without an Ibis backend


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
    """Figure ``name`` of ``cached(*args)`` (a dict of figures such as :func:`_on_one_read`'s,
    a figure the data cannot give being its NotEnoughData), as the caller's own view."""
    found = _view(cached, *args)[name]
    if isinstance(found, NotEnoughData):
        raise found
    return found


@st.cache_resource(show_spinner=False, max_entries=32)
def _first_screen(path: str, version: str, as_of: dt.date, window: int, settings) -> dict:
    """Every figure of the Overview (:func:`analysis.identify.first_screen.stored_figures`):
    read from the workspace when stored there, else computed (the per-customer figures from
    the scores stored for ``settings``, when they are) and stored. Keyed by the settings
    only because they name the stored scores that may serve; the figures do not depend on
    them."""
    ws = workspace.by_path(path)
    return first_screen.stored_figures(
        ws, as_of, window, stored_scores=lambda: None if settings is None else scores_module.stored_table(
            ws, as_of, settings))


def first_screens_ready(as_of: dt.date, settings) -> None:
    """The Overview's figures and the cohorts computed and stored (after an import, with the
    scores: the next time the app opens, its first screen and the Cohorts page read them)."""
    _view(_first_screen, *key(), as_of, settings.window_months, settings)
    with contextlib.suppress(NotEnoughData):
        _view(_cohorts, *key(), as_of)


def kpis(as_of: dt.date, window: int, settings=None) -> dict:
    """The Overview's headline figures (:func:`analysis.identify.overview.kpis`). ``settings``:
    the sidebar's, whose stored scores may serve (see :func:`_first_screen`)."""
    return _figure(_first_screen, "kpis", *key(), as_of, int(window), settings)


@st.cache_data(show_spinner=False, max_entries=32)
def _guest_purchases(path: str, version: str, as_of: dt.date) -> dict | None:
    ws = workspace.by_path(path)
    with ws.reading():
        return overview.guest_purchases(ws, as_of)


def guest_purchases(as_of: dt.date) -> dict | None:
    """Purchases without a customer (:func:`analysis.identify.overview.guest_purchases`)."""
    return _guest_purchases(*key(), as_of)


def pareto(as_of: dt.date, window: int, settings=None) -> tuple[pd.DataFrame, float, float]:
    """(80/20 curve, top 20% share, Gini) (:func:`analysis.identify.overview.pareto`)."""
    return _figure(_first_screen, "pareto", *key(), as_of, int(window), settings)


def revenue_by_month(as_of: dt.date, window: int, settings=None) -> pd.DataFrame:
    """Revenue, orders and buyers per month (:func:`analysis.identify.overview.revenue_by_month`;
    it does not depend on the window, the Overview's other figures do)."""
    return _figure(_first_screen, "months", *key(), as_of, int(window), settings)


@st.cache_resource(show_spinner=False, max_entries=32)
def _month_buyers(path: str, version: str, as_of: dt.date, month: str) -> list[str]:
    with _tables(path) as tables:
        return overview.month_buyers(tables, as_of, month)


def month_buyers(as_of: dt.date, month: str) -> list[str]:
    """Ids of the customers who bought in ``month`` ("2024-05")."""
    return _view(_month_buyers, *key(), as_of, month)


def breakdown(as_of: dt.date, by: str, window: int, settings=None) -> pd.DataFrame:
    """Revenue and customers by region, industry, channel or category."""
    if by not in overview.BREAKDOWNS:
        raise ValueError(f"breakdown by must be one of {', '.join(overview.BREAKDOWNS)}, not {by!r}")
    return _figure(_first_screen, by, *key(), as_of, int(window), settings)


@st.cache_resource(show_spinner=False, max_entries=32)
def _category_buyers(path: str, version: str, as_of: dt.date, category: str, window: int) -> list[str]:
    with _tables(path) as tables:
        return overview.category_buyers(tables, as_of, category, window)


def category_buyers(as_of: dt.date, category: str, window: int) -> list[str]:
    """Ids of the customers who bought in ``category`` in the window."""
    return _view(_category_buyers, *key(), as_of, category, window)


@st.cache_resource(show_spinner=False, max_entries=16)
def _cohorts(path: str, version: str, as_of: dt.date):
    return cohorts_module.stored_cohorts(workspace.by_path(path), as_of)


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


# -- what the CLV and Clusters pages show, read from the models stored with the scores -------


@st.cache_resource(show_spinner=False, max_entries=16)
def _clv_page(path: str, version: str, as_of: dt.date, settings, horizon_months: int,
              annual_discount: float) -> tuple[dict, pd.DataFrame] | None:
    """(summary, outlook) of the CLV page at the settings' horizon and discount from the
    scores and the model's figures stored in the workspace (no fit); the figures are stored
    now from the kept fit when the scores were stored before them. None when the scores are
    not stored or the page asks for another horizon or discount."""
    if (horizon_months, annual_discount) != (settings.horizon_months, settings.annual_discount):
        return None
    ws = workspace.by_path(path)
    with ws.reading():
        if not scores_module.is_stored(ws, as_of, settings):
            return None
        totals = stored_scores.stored_clv_totals(ws, as_of, settings)
        outlook = stored_scores.stored_outlook(ws, as_of, settings)
        if totals is None or outlook is None:
            return None
        figures = stored_scores.stored_clv_figures(ws, as_of, settings)
        if figures is None:  # scores stored before the model's figures were kept with them
            fit = _clv_fit(ws, path, as_of, settings.clv_model)
            scores_module.store_models(ws, as_of, settings, clv=fit)
            figures = clv_data.fit_figures(fit)
        summary = clv_data.summary_report(figures, totals, horizon_months, settings.margin, annual_discount)
        return summary, outlook


def clv_page(as_of: dt.date, settings, horizon_months: int, annual_discount: float) -> tuple[dict, pd.DataFrame]:
    """(:func:`clv_summary`, :func:`clv_outlook`) of the CLV page: read from the workspace's
    stored scores and model figures at the settings' horizon and discount (a process that
    opens the page fits nothing), else from the kept fit."""
    _scores_ready(as_of, settings)
    path, version = key_at(as_of)
    found = _view(_clv_page, path, version, as_of, settings, int(horizon_months), float(annual_discount))
    if found is not None:
        return found
    return (clv_summary(as_of, horizon_months, settings.margin, annual_discount, settings.clv_model),
            clv_outlook(as_of, settings, horizon_months))


@st.cache_resource(show_spinner=False, max_entries=16)
def _clv_check(path: str, version: str, calibration_end: dt.date, as_of: dt.date, model: str, settings) -> tuple:
    """(holdout check, churn check) stored beside the scores (computed and stored the first
    time), or computed here when the scores are not stored (then not kept in the workspace)."""
    ws = workspace.by_path(path)
    with ws.reading():
        if scores_module.is_stored(ws, as_of, settings):
            def compute() -> tuple[dict, dict]:
                tables = ws.tables()
                return clv_fits.check_record(clv_fits.workspace_validation(tables, calibration_end, as_of, model),
                                             clv_fits.workspace_churn(tables, calibration_end, as_of, model))
            return clv_fits.check_from_record(*stored_scores.stored_check(
                ws, as_of, settings, calibration_end, model, compute))
        tables = ws.tables()
        return (clv_fits.workspace_validation(tables, calibration_end, as_of, model),
                clv_fits.workspace_churn(tables, calibration_end, as_of, model))


def clv_check(calibration_end: dt.date, as_of: dt.date, model: str, settings) -> tuple:
    """(:func:`clv_validation`, :func:`clv_churn`) of the purchase model ``model`` on this
    split, stored with the workspace's scores: a later process reads them instead of fitting
    the model on the calibration period again."""
    return _view(_clv_check, *key_at(as_of), calibration_end, as_of, str(model), settings)


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


# -- the Differentiate pages from the stored scores (issue 15 §2) -------------------------------
#
# Counts, sums and the rows a page shows are asked of the stored scores in DuckDB
# (:mod:`analysis.differentiate.stored_views`); only the rows shown get their text. When the
# scores could not be stored (another program held the workspace), the same figures come from
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


# -- one customer -------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=64)
def _customer_search(path: str, version: str, text: str, limit: int, as_of: dt.date | None, settings) -> pd.DataFrame:
    ws = workspace.by_path(path)
    with ws.reading():
        known = None if as_of is None else scores_module.stored_table(ws, as_of, settings)
        return customers.search(ws.tables(), text, limit, known=known)


def customer_search(text: str, limit: int, as_of: dt.date | None = None, settings=None) -> pd.DataFrame:
    """Customers whose id, name or e-mail contains ``text`` (:func:`customers.search`); with
    the as-of date and settings, the unlisted ones among the stored scores' ids (when stored)
    instead of the purchase lines."""
    return _view(_customer_search, *key(), text, int(limit), as_of, settings if as_of is not None else None)


@st.cache_resource(show_spinner=False, max_entries=64)
def _customer_scores(path: str, version: str, as_of: dt.date, settings, customer_id: str) -> Any:
    ws = workspace.by_path(path)
    with ws.reading():
        return scores_module.score_customer(ws, customer_id, as_of, settings)


def _customer_row(path: str, version: str, as_of: dt.date, settings, customer_id: str) -> pd.DataFrame | None:
    found = _customer_scores(path, version, as_of, settings, customer_id)  # read once for the row and the plan
    return None if found is None else found.frame


def customer_row(customer_id: str, as_of: dt.date, settings) -> pd.DataFrame:
    """One customer's row of the scores (none when the scores do not know them), read alone
    from the stored scores (:func:`analysis.scores.score_customer`): the Customer page does
    not read a million customers to show one."""
    _scores_ready(as_of, settings)
    found = _view(_customer_row, *key_at(as_of), as_of, settings, str(customer_id))
    if found is None:  # the scores could not be stored (a read-only workspace)
        return customers.apply_filters(scores(as_of, settings).frame, {"customer_id": [str(customer_id)]})
    return found


@st.cache_resource(show_spinner=False, max_entries=64)
def _customer_suggestions(path: str, version: str, campaigns_version: str, as_of: dt.date, settings,
                          action_settings, customer_id: str) -> pd.DataFrame | None:
    from analysis.customize import customer  # imported with the plan, at first use

    one = _customer_scores(path, version, as_of, settings, customer_id)  # the kept row, before the read
    if one is None:
        return None
    ws = workspace.by_path(path)
    with ws.reading():  # that customer's rows of the stored plan, read alone; else worked out for them
        return customer.suggestions(ws, customer_id, as_of, settings, action_settings, one)


def customer_suggestions(customer_id: str, as_of: dt.date, settings, action_settings) -> pd.DataFrame:
    """One customer's suggested actions (:func:`analysis.customize.plan.customer_actions`)
    from that customer's stored row and the stored facts the learning reads, as the CLI's
    ``customer`` command does: the Customer page never reads every customer's scores. From
    the kept scores (:func:`customer_actions`) when they could not be stored."""
    _scores_ready(as_of, settings)
    found = _view(_customer_suggestions, *key_plan(as_of), as_of, settings, action_settings, str(customer_id))
    return found if found is not None else customer_actions(customer_id, as_of, settings, action_settings)


@st.cache_resource(show_spinner=False, max_entries=16)
def _biggest(path: str, version: str, as_of: dt.date, settings, n: int) -> pd.DataFrame | None:
    ws = workspace.by_path(path)
    with ws.reading():
        return customers.stored_biggest(ws, scores_module.stored_key(ws, as_of, settings), n)


def biggest_customers(as_of: dt.date, settings, n: int = 50) -> pd.DataFrame:
    """The ``n`` customers with the most revenue in the window (customer_id, name), what the
    Customer page offers before anything is typed: read by plain SQL from the stored scores
    (:func:`analysis.identify.customers.stored_biggest`), else their :func:`stored_list`."""
    _scores_ready(as_of, settings)
    found = _view(_biggest, *key_at(as_of), as_of, settings, int(n))
    if found is None:
        return stored_list("biggest", as_of, settings, first=n)["rows"][["customer_id", "name"]]
    return found


#: the purchase cycle's purchase days of the Customer page's profile
#: (:func:`analysis.interact.timeline.customer_profile`)
PROFILE_PURCHASE_DAYS = timeline.PROFILE_PURCHASE_DAYS


@st.cache_resource(show_spinner=False, max_entries=64)
def _customer_inputs(path: str, version: str, as_of: dt.date, action_settings, customer_id: str) -> pd.DataFrame:
    from analysis.customize import history  # imported with the plan, at first use

    ws = workspace.by_path(path)
    with ws.reading():
        return history.customer_inputs(ws, as_of, action_settings, customer_id)[0]


def _inputs_row(customer_id: str, as_of: dt.date, action_settings) -> pd.Series | None:
    """The customer's row of the action plan's history inputs (stored after an import: read
    alone, :func:`analysis.customize.history.customer_inputs`), None when there is none."""
    found = _view(_customer_inputs, *key_at(as_of), as_of, action_settings, str(customer_id))
    return found.iloc[0] if len(found) else None


@st.cache_resource(show_spinner=False, max_entries=64)
def _customer_profile(path: str, version: str, customer_id: str, as_of: dt.date, settings, gap: Any):
    row = _customer_row(path, version, as_of, settings, customer_id)  # the kept row, before the read
    ws = workspace.by_path(path)
    with ws.reading():
        if row is None or row.empty:  # not stored (or unknown: the error says so)
            return timeline.customer_profile(ws.tables(), customer_id, as_of, settings.window_months)
        return timeline.stored_profile(ws, row, as_of, gap)


def customer_profile(customer_id: str, as_of: dt.date, settings, action_settings=None):
    """One customer's profile (:func:`analysis.interact.timeline.customer_profile`): the
    facts of their row of the stored scores and their purchase cycle from the stored
    history inputs (for the action settings whose cycle needs the profile's three purchase
    days), each read alone (:func:`analysis.interact.timeline.stored_profile`)."""
    _scores_ready(as_of, settings)
    gap = None
    if action_settings is not None and action_settings.min_purchase_days == PROFILE_PURCHASE_DAYS:
        row = _inputs_row(customer_id, as_of, action_settings)
        if row is not None:  # NaN: fewer purchase days than a cycle needs
            gap = float("nan") if pd.isna(row["gap_days"]) else float(row["gap_days"])
    return _view(_customer_profile, *key_at(as_of), str(customer_id), as_of, settings, gap)


@st.cache_resource(show_spinner=False, max_entries=64)
def _customer_events(path: str, version: str, customer_id: str, as_of: dt.date, currency: str) -> pd.DataFrame:
    ws = workspace.by_path(path)
    with ws.reading():
        return timeline.customer_events(ws, customer_id, as_of, currency)


def customer_events(customer_id: str, as_of: dt.date, currency: str) -> pd.DataFrame:
    """One customer's purchases and contacts, newest first (that customer's rows read alone)."""
    return _view(_customer_events, *key(), customer_id, as_of, currency)


@st.cache_resource(show_spinner=False, max_entries=64)
def _open_complaints(path: str, version: str, customer_id: str, as_of: dt.date) -> pd.DataFrame:
    ws = workspace.by_path(path)
    with ws.reading():
        return customers.open_complaints(ws, customer_id, as_of)


def open_complaints(customer_id: str, as_of: dt.date, action_settings=None) -> pd.DataFrame:
    """One customer's complaints still open as of the date; none without working them out
    when the stored history inputs count none for them."""
    if action_settings is not None:
        row = _inputs_row(customer_id, as_of, action_settings)
        if row is not None and not (row["open_complaints"] > 0):
            return pd.DataFrame({c: pd.Series(dtype=object) for c in ("interaction_id", "occurred_at", "channel",
                                                                       "note")})
    return _view(_open_complaints, *key(), customer_id, as_of)


# -- suggested actions and the workshop story -------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=8)
def _plan(path: str, version: str, campaigns_version: str, as_of: dt.date, settings, action_settings) -> Any:
    # the kept scores themselves: the plan reads their stored numbers in the engine and
    # changes nothing, so their frame (every customer's words) is not made for it. The plan
    # stored in the workspace (after an import, or now: the first time these settings ask);
    # its views are asked of the engine (:class:`analysis.customize.stored_plan.StoredPlan`)
    scored = _scores(path, version, as_of, settings)
    return stored_plan.plan_of(workspace.by_path(path), as_of, settings, action_settings, scores=scored)


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
    # that customer's rows of the stored plan when it is stored, else from their inputs only
    return stored_plan.customer_actions(workspace.by_path(path), customer_id, as_of, settings, action_settings,
                                        scores=scored)


def customer_actions(customer_id: str, as_of: dt.date, settings, action_settings) -> pd.DataFrame:
    """One customer's suggested actions (:func:`analysis.customize.plan.customer_actions`),
    from that customer's inputs only: the whole plan is not worked out for one customer."""
    _scores_ready(as_of, settings)
    return _view(_customer_actions, *key_plan(as_of), as_of, settings, action_settings, str(customer_id))


@st.cache_resource(show_spinner=False, max_entries=64)
def _of_actions(path: str, version: str, campaigns_version: str, as_of: dt.date, settings, action_settings,
                view: str, args: tuple) -> Any:
    return PLAN_VIEWS[view](_plan(path, version, campaigns_version, as_of, settings, action_settings), *args)


#: views of the action plan, each asked of the stored plan's rows in the engine
#: (:class:`analysis.customize.stored_plan.StoredPlan`; :class:`analysis.customize.plan.Plan`
#: gives the same where the plan could not be stored): the pickers' options, {action: title},
#: "summary" (filters) the counts of :func:`analysis.customize.plan.plan_summary`; "page"
#: (filters, limit), the first rows of the filtered plan with their reasons (what a page
#: shows; :func:`every_action` writes all of them, for a download); "campaign_choices" (keys),
#: the pickers of a new campaign (:func:`analysis.interact.campaigns.selection.filter_choices`)
PLAN_VIEWS = {"filter_options": lambda p: p.options(), "action_titles": lambda p: p.titles(),
              "summary": lambda p, filters: p.summary(filters),
              "page": lambda p, filters, limit: p.render(filters, limit),
              # (options of the filters ``keys``, {action: title}) for a new campaign's pickers
              "campaign_choices": lambda p, keys: selection.filter_choices(p, keys)}


def of_actions(view: str, as_of: dt.date, settings, action_settings, *args) -> Any:
    """:data:`PLAN_VIEWS` ``[view](the plan, *args)``, once per plan and arguments (a filter
    dict may be one of them). Reasons are written for the rows a view returns only."""
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
    # the kept scores themselves (their frame is read only when they are not stored) and the
    # Action plan page's counts (:data:`PLAN_VIEWS` "summary", asked of the stored plan),
    # both before the read
    scored = _scores(path, version, as_of, settings)
    try:
        counted: Any = _of_actions(path, version, campaigns_version, as_of, settings, action_settings,
                                   "summary", (None,))
    except NotEnoughData as exc:
        counted = exc

    def summary() -> dict:
        if isinstance(counted, NotEnoughData):
            raise counted
        return _shared(counted)

    ws = workspace.by_path(path)
    with ws.reading():  # the story's last slide reads the workspace's campaigns
        return story.story_data(ws, as_of, settings, action_settings, scores=scored, summary=summary)


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


def campaign_members_named(name: str, arm: str, as_of: dt.date, settings) -> pd.DataFrame:
    """:func:`campaign_members` with each member's name and pyramid tier from the stored
    scores (those members' rows only); from the kept scores when they could not be stored."""
    members = campaign_members(name, arm)
    _scores_ready(as_of, settings)
    ws = workspace.current()
    with ws.reading():
        found = stored_scores.stored_of(ws, members["customer_id"].astype(str).tolist(), ["name", "tier"],
                                        as_of, settings)
    if found is None:
        found = scores(as_of, settings).frame[["customer_id", "name", "tier"]]
    return members.merge(found, on="customer_id", how="left")


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


# -- a new campaign: the customers the filters select (up to a million: kept once, shared) ----
#
# Keyed by :func:`key_plan` (the action plan they are selected from, the language of the
# personas' names and of the reasons) and the filters. The selection holds ids and a few
# facts, no reason: the reasons of the target list are written for the rows shown, and for
# every row only when a download asks (:func:`campaign_targets`).


#: the filters a new campaign is picked with on the Campaigns page
CAMPAIGN_FILTERS = ("tier", "cell", "action")


def _campaign_key(as_of: dt.date, settings, action_settings, filters: dict | None) -> tuple:
    return (*key_plan(as_of), as_of, settings, action_settings, _hashable(dict(filters or {})))


@st.cache_resource(show_spinner=False, max_entries=4)
def _campaign_facts(path: str, version: str, as_of: dt.date, settings) -> pd.DataFrame:
    scored = _scores(path, version, as_of, settings)
    ws = workspace.by_path(path)
    with ws.reading():
        return selection.customer_facts(ws, scored, settings)


@st.cache_resource(show_spinner=False, max_entries=8)
def _campaign_selection(path: str, version: str, campaigns_version: str, as_of: dt.date, settings, action_settings,
                        filters: dict) -> pd.DataFrame:
    chosen = _plan(path, version, campaigns_version, as_of, settings, action_settings)
    scored = _scores(path, version, as_of, settings)
    every = _campaign_facts(path, version, as_of, settings)  # read once for any filters
    ws = workspace.by_path(path)
    with ws.reading():
        return selection.select(ws, chosen, scored, filters, settings, facts=every)


def campaign_selection(as_of: dt.date, filters: dict, settings, action_settings) -> pd.DataFrame:
    """The customers the action plan's ``filters`` select, with the facts a campaign keeps
    (:func:`analysis.interact.campaigns.selection.select`): no reason written."""
    _scores_ready(as_of, settings)
    with st.spinner(t("Computing…")):
        return _shared(_campaign_selection(*_campaign_key(as_of, settings, action_settings, filters)))


@st.cache_resource(show_spinner=False, max_entries=32)
def _campaign_base_rate(path: str, version: str, campaigns_version: str, as_of: dt.date, settings, action_settings,
                        filters: dict, days: int) -> float | None:
    listed = _campaign_selection(path, version, campaigns_version, as_of, settings, action_settings, filters)
    ws = workspace.by_path(path)
    with ws.reading():
        return campaigns.past_response_rate(ws, listed["customer_id"], as_of, days)


def campaign_plan(as_of: dt.date, filters: dict, settings, action_settings, holdout: float, days: int,
                  lift: float) -> dict:
    """What a campaign to the customers ``filters`` select can detect before anything is sent
    (:func:`analysis.interact.campaigns.workspace.planned`); their past response rate is
    counted once per selection and window."""
    found = _campaign_key(as_of, settings, action_settings, filters)
    n = len(_campaign_selection(*found))
    with st.spinner(t("Computing…")):
        rate = _campaign_base_rate(*found, int(days))
    return campaigns.planned(n, holdout, rate, int(days), lift)


@st.cache_resource(show_spinner=False, max_entries=16)
def _campaign_targets(path: str, version: str, campaigns_version: str, name: str) -> pd.DataFrame:
    ws = workspace.by_path(path)
    with ws.reading():
        return campaigns.target_list(ws, name)


def _target_rows(path: str, version: str, campaigns_version: str, as_of: dt.date, settings, action_settings,
                 filters: dict, name: str, limit: int | None) -> pd.DataFrame:
    ids = _campaign_targets(path, version, campaigns_version, name)["customer_id"]
    chosen = _plan(path, version, campaigns_version, as_of, settings, action_settings)
    scored = _scores(path, version, as_of, settings)
    ws = workspace.by_path(path)
    with ws.reading():
        return selection.export_rows(ws, chosen, scored, ids if limit is None else ids.head(limit), filters, settings)


_campaign_target_rows = st.cache_resource(show_spinner=False, max_entries=16)(_target_rows)


def campaign_targets(name: str, as_of: dt.date, filters: dict, settings, action_settings,
                     limit: int) -> tuple[pd.DataFrame, int, Any]:
    """(the first ``limit`` customers campaign ``name`` contacts, with the export's columns
    and their top action written; how many it contacts; a function that writes every one of
    them): a download writes the whole list when it is asked for, and it is not kept."""
    found = _campaign_key(as_of, settings, action_settings, filters)
    _scores_ready(as_of, settings)
    n = len(_campaign_targets(*found[:3], name))
    with st.spinner(t("Computing…")):
        first = _shared(_campaign_target_rows(*found, name, int(limit)))
    return first, n, lambda: _target_rows(*found, name, None)
