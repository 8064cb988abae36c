"""Interact with one customer: the caches of the Customer page.

Each reads that customer's rows alone (their row of the stored scores, their stored history
inputs and plan rows, their purchases and contacts), so the page never reads a million
customers to show one; the kept scores serve where nothing could be stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from analysis import scores as scores_module
from analysis.identify import customers
from analysis.interact import timeline
from ui import workspace
from ui.cached.core import _shared, _view, key, key_at, key_plan
from ui.cached.scoring import _scores, _scores_ready, scores, stored_list
from ui.later import later

# What the first screen does not need (SciPy, scikit-learn behind them): imported at first use.
stored_plan = later("analysis.customize.stored_plan")


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


# -- one customer's actions from the kept scores (where they could not be stored) --------------


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
