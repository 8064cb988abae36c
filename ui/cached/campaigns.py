"""Interact through campaigns: the caches of the Campaigns page (a campaign's measure, members,
uplift and profit; a new campaign's selection, plan and target list)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from analysis import stored_scores
from analysis.i18n import t
from ui import workspace
from ui.cached.core import _hashable, _shared, key, key_plan
from ui.cached.customize import _plan
from ui.cached.scoring import _scores, _scores_ready, scores
from ui.later import later

# What the first screen does not need (SciPy, scikit-learn behind them): imported at first use.
campaigns = later("analysis.interact.campaigns.workspace")
selection = later("analysis.interact.campaigns.selection")
profit = later("analysis.interact.campaigns.profit")


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
