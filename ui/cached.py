"""Cached calls into `analysis`, keyed by workspace file, data version and arguments.

Streamlit caches are shared by every session of one server, so entries are keyed by the
workspace path and its data version: a new import or a recorded contact changes the
version and the next call recomputes. The per-customer scores and what is derived from
them are keyed by the data they depend on as of the date (:func:`key_at`), so a contact
recorded after the as-of date keeps them. Both keys carry the language too, because reasons,
strategies, personas and notes are written in it (analysis.i18n); the stored scores in the
workspace are language-neutral, so a second language only writes the text again. Nothing
user-specific is kept here.

Each computation reads the workspace inside ``SharedWorkspace.reading()`` (the app holds no
connection between operations, see analysis.store), and never waits for another cache entry
meanwhile: a write waits for the reads in progress, and such a wait could close a circle.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import importlib
import json
from typing import Any, Callable

import pandas as pd
import streamlit as st

from analysis import i18n
from analysis.workshop import story
from analysis.customize import plan
from analysis.identify import facts
from analysis.i18n import t
from analysis.masking import Masker, workspace_secret
from analysis.predict import clv_data
from analysis.predict.clv_data import CLVFit
from analysis.predict.fit import fit_workspace_clv
from analysis import scores as scores_module
from analysis.scores import Scores, score_customers
from ui import workspace


def key() -> tuple[str, str]:
    """(workspace path, data version) of this session's workspace."""
    ws = workspace.current()
    return str(ws.path), f"{ws.data_version()}|{i18n.language()}"


def key_at(as_of: dt.date) -> tuple[str, str]:
    """(workspace path, what figures as of ``as_of`` depend on): unlike :func:`key`, a
    contact recorded after ``as_of`` leaves it unchanged (see ``Workspace.version_at``)."""
    ws = workspace.current()
    return str(ws.path), json.dumps([ws.version_at(as_of), i18n.language()], sort_keys=True)


@st.cache_resource(show_spinner=False, max_entries=256)
def _run(path: str, version: str, module: str, name: str, args: tuple, kwargs: tuple) -> Any:
    fn = getattr(importlib.import_module(module), name)
    ws = workspace.by_path(path)
    with ws.reading():
        return fn(ws.tables(), *args, **dict(kwargs))


def on_tables(fn: Callable, *args, **kwargs) -> Any:
    """``fn(tables, *args, **kwargs)`` for this session's workspace, computed once per data
    version. ``fn`` must be a module-level function of `analysis` taking Tables first.
    The result is kept once in this process (shared by every session) and each call gets a
    cheap view of it (:func:`_shared`): st.cache_data would unpickle a full copy on every
    click, seconds for a million customers' features."""
    path, version = key()
    with st.spinner(t("Computing…")):  # shown only when it takes longer than half a second
        return _shared(_run(path, version, fn.__module__, fn.__name__, args, tuple(sorted(kwargs.items()))))


@st.cache_data(show_spinner=False, max_entries=256)
def _run_ws(path: str, version: str, module: str, name: str, args: tuple, kwargs: tuple) -> Any:
    fn = getattr(importlib.import_module(module), name)
    ws = workspace.by_path(path)
    with ws.reading():
        return fn(ws, *args, **dict(kwargs))


def on_workspace(fn: Callable, *args, **kwargs) -> Any:
    """Like :func:`on_tables` for functions that take the Workspace itself."""
    path, version = key()
    return _run_ws(path, version, fn.__module__, fn.__name__, args, tuple(sorted(kwargs.items())))


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


@st.cache_resource(show_spinner=False, max_entries=8)
def _local_clv_fit(path: str, purchases: str, as_of: dt.date, model: str) -> CLVFit | None:
    """The CLV models fitted on the workspace's purchases as of ``as_of`` (the purchase model
    chosen as ``model`` says, ``ReportSettings.clv_model``), once per version of the
    purchases (a contact or a customer update leaves them): the scores, the CLV
    page's summary and its outlook all score this one fit. A resource, not data: the fit is
    read only (scoring keeps no memo in it), and copying it would copy its summary. None
    when the purchases are too many to fit locally: such a fit refers to a table of the
    connection it was made on, closed when the read ends, so each read fits it anew (those
    workspaces' scores are stored in the workspace, see analysis.scores). Raises
    NotEnoughData (not cached) when there is nothing to model."""
    ws = workspace.by_path(path)
    with ws.reading():
        transactions = ws.tables().transactions
        if not clv_data.fits_locally(transactions, as_of):
            return None
        return fit_workspace_clv(transactions, as_of, model)


def _clv_fit(ws, path: str, as_of: dt.date, model: str) -> CLVFit:
    """The kept fit (:func:`_local_clv_fit`), or one made now inside the caller's read.
    Waited for inside a read: computing it only reads, so it never waits for those reads."""
    fit = _local_clv_fit(path, ws.version_at(as_of)["purchases"], as_of, model)
    return fit if fit is not None else fit_workspace_clv(ws.tables().transactions, as_of, model)


@st.cache_resource(show_spinner=False, max_entries=8)
def _scores(path: str, version: str, as_of: dt.date, settings) -> Scores:
    ws = workspace.by_path(path)
    with ws.reading():  # the scores computed here are stored in the workspace when the reading ends
        return score_customers(ws, as_of, settings, clv_fit=lambda: _clv_fit(ws, path, as_of, settings.clv_model))


def scores(as_of: dt.date, settings) -> "Scores":
    """The per-customer frame (tiers, cells, segments, clusters, CLV) for this workspace:
    kept once in this process per data version (shared by every session, see
    :func:`_shared`), and stored in the workspace itself (see :mod:`analysis.scores`) so
    a restarted app or the CLI read it instead of recomputing."""
    with st.spinner(t("Computing…")):
        return _shared(_scores(*key_at(as_of), as_of, settings))


@st.cache_resource(show_spinner=False, max_entries=16)
def _clv_summary(path: str, version: str, as_of: dt.date, horizon_months: int, margin: float,
                 annual_discount: float, model: str) -> dict:
    ws = workspace.by_path(path)
    with ws.reading():
        return clv_data.clv_report(ws.tables().transactions, as_of, horizon_months=horizon_months, margin=margin,
                                   annual_discount=annual_discount, fitted=_clv_fit(ws, path, as_of, model))


def clv_summary(as_of: dt.date, horizon_months: int, margin: float, annual_discount: float, model: str) -> dict:
    """The CLV model's summary (the model chosen, parameters, counts, totals, notes) at a
    horizon, margin and discount, from the one kept fit; per purchases version, as-of date,
    those values, the model setting and the language (the notes are sentences)."""
    with st.spinner(t("Computing…")):
        return _shared(_clv_summary(*key_at(as_of), as_of, int(horizon_months), float(margin),
                                    float(annual_discount), str(model)))


@st.cache_resource(show_spinner=False, max_entries=16)
def _clv_outlook(path: str, version: str, as_of: dt.date, settings, horizon_months: int) -> pd.DataFrame:
    ws = workspace.by_path(path)
    with ws.reading():
        return scores_module.outlook(_clv_fit(ws, path, as_of, settings.clv_model), settings, horizon_months)


def clv_outlook(as_of: dt.date, settings, horizon_months: int) -> pd.DataFrame:
    """Every customer's CLV outlook over ``horizon_months`` (with notes), from the one kept
    fit; a resource with read-only views (:func:`_shared`): a frame per customer."""
    with st.spinner(t("Computing…")):
        return _shared(_clv_outlook(*key_at(as_of), as_of, settings, int(horizon_months)))


@st.cache_resource(show_spinner=False, max_entries=64)
def _derived(path: str, version: str, as_of: dt.date, settings, module: str, name: str, args: tuple) -> Any:
    fn = getattr(importlib.import_module(module), name)
    return fn(_scores(path, version, as_of, settings).frame, *args)


def from_scores(fn: Callable, as_of: dt.date, settings, *args) -> Any:
    """``fn(frame, *args)`` on the per-customer frame, computed once per data version: for
    the sorted lists, groups and samples a page would otherwise rebuild on every click.
    ``fn`` must be a module-level function of `analysis` that does not change ``frame``."""
    return _shared(_derived(*key_at(as_of), as_of, settings, fn.__module__, fn.__name__, args))


@st.cache_resource(show_spinner=False, max_entries=32)
def _run_scored_shared(path: str, version: str, module: str, name: str, as_of: dt.date, settings,
                       action_settings) -> Any:
    scored = _shared(_scores(path, version, as_of, settings))
    fn = getattr(importlib.import_module(module), name)
    ws = workspace.by_path(path)
    with ws.reading():
        return fn(ws, as_of, settings, action_settings, scores=scored)


def with_scores(fn: Callable, as_of: dt.date, settings, action_settings) -> Any:
    """``fn(workspace, as_of, settings, action_settings, scores=...)`` for this session's
    workspace (so the action plan reads its campaigns), handed the cached per-customer frame
    instead of computing it again."""
    with st.spinner(t("Computing…")):
        return _shared(_run_scored_shared(*key_at(as_of), fn.__module__, fn.__name__, as_of, settings,
                                          action_settings))


def actions(as_of: dt.date, settings, action_settings) -> pd.DataFrame:
    """Every suggested action for every customer (computed once per data version)."""
    return with_scores(plan.all_actions, as_of, settings, action_settings)


@st.cache_resource(show_spinner=False, max_entries=64)
def _from_actions(path: str, version: str, as_of: dt.date, settings, action_settings, module: str, name: str,
                  args: tuple) -> Any:
    everything = _run_scored_shared(path, version, plan.all_actions.__module__, plan.all_actions.__name__,
                                    as_of, settings, action_settings)
    fn = getattr(importlib.import_module(module), name)
    return fn(everything, *args)


def _hashable(value: Any) -> Any:
    """A filter dict ({name: [values]}) as a cache key: sorted pairs of tuples."""
    if isinstance(value, dict):
        return tuple(sorted((k, tuple(v) if isinstance(v, (list, tuple)) else v) for k, v in value.items()))
    return value


def from_actions(fn: Callable, as_of: dt.date, settings, action_settings, *args) -> Any:
    """``fn(every suggested action, *args)``, computed once per data version and arguments
    (a filter dict may be one of them): the filtered plan, its counts and the pickers'
    options, which would otherwise be rebuilt from a million rows on every click. ``fn``
    must be a module-level function of `analysis` that does not change the frame."""
    with st.spinner(t("Computing…")):
        return _shared(_from_actions(*key_at(as_of), as_of, settings, action_settings, fn.__module__, fn.__name__,
                                     tuple(_hashable(a) for a in args)))


@st.cache_resource(show_spinner=False, max_entries=16)
def _story_slides(path: str, version: str, as_of: dt.date, settings, action_settings, mask: bool) -> list:
    data = _run_scored_shared(path, version, story.story_data.__module__, story.story_data.__name__, as_of,
                              settings, action_settings)
    return story.slides(data, mask=mask, secret=workspace_secret(workspace.by_path(path)) if mask else None)


def story_slides(as_of: dt.date, settings, action_settings, mask: bool) -> list:
    """The workshop story's slides, built once per data version, language and masking (a
    masked story labels a million customers, too slow to redo on every click). The list is
    the caller's; the slides and their figures are shared and only read."""
    with st.spinner(t("Computing…")):
        return list(_story_slides(*key_at(as_of), as_of, settings, action_settings, bool(mask)))


@st.cache_resource(show_spinner=False, max_entries=8)
def _masker(path: str, version: str, as_of: dt.date, settings) -> Masker:
    return Masker(_scores(path, version, as_of, settings).frame["customer_id"],
                  workspace_secret(workspace.by_path(path)))


def masker(as_of: dt.date, settings) -> Masker:
    """The workspace's masker: the same "Customer 0042" for the same customer on every page
    (built from the same ids and the same workspace key as the workshop story's)."""
    return _masker(*key_at(as_of), as_of, settings)


def default_as_of() -> dt.date:
    """The workspace's default as-of date (:func:`analysis.identify.facts.resolve_as_of`)."""
    return on_tables(facts.resolve_as_of)


def data_range() -> tuple[dt.date, dt.date] | None:
    """(first, last) day of any purchase or contact in the workspace, None when it has neither."""
    return on_tables(facts.data_range)


def table_counts() -> dict[str, int]:
    ws = workspace.current()
    return {t: ws.count(t) for t in ("customers", "transactions", "interactions", "imports")}
