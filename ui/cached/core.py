"""What every cache of the app stands on: its keys, one read of the workspace, the caller's own
view of a shared value, and the workspace's dates.

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

Results are data: a pandas frame, a dict, a small dataclass. They are kept once in this
process as resources and each caller gets its own cheap view (:func:`_shared`), because
``st.cache_data`` would unpickle a full copy on every click (seconds for a million
customers); small results of the campaign pages are plain ``st.cache_data``.

Each computation reads the workspace inside ``SharedWorkspace.reading()`` (the app holds no
connection between operations, see analysis.store), and never waits for another cache entry
meanwhile: a write waits for the reads in progress, and such a wait could close a circle.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as dt
import json
from typing import Any, Iterator

import pandas as pd
import streamlit as st

from analysis import i18n
from analysis.demo import is_demo
from analysis.errors import NotEnoughData
from analysis.i18n import t
from analysis.identify import facts
from analysis.store import campaigns as campaign_store
from ui import workspace


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


# -- what the rooms' caches are made of ------------------------------------------------------


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


def _hashable(value: Any) -> Any:
    """A filter dict ({name: [values]}) as a cache key: sorted pairs of tuples."""
    if isinstance(value, dict):
        return {k: list(v) if isinstance(v, (list, tuple)) else v for k, v in sorted(value.items())}
    return value


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
    return facts.data_range(workspace.by_path(path))  # the workspace's days by plain SQL: no Ibis backend


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
