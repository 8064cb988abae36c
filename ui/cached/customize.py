"""Customize: the caches of the action plan (the Action plan page, and what the Campaigns and
Workshop pages read of it).

One plan per :func:`ui.cached.core.key_plan`, as-of date and settings: the plan stored in the
workspace (:class:`analysis.customize.stored_plan.StoredPlan`), whose views
(:data:`PLAN_VIEWS`) are asked of the engine.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from analysis.i18n import t
from ui import workspace
from ui.cached.core import _hashable, _shared, key_plan
from ui.cached.scoring import _scores, _scores_ready
from ui.later import later

# What the first screen does not need (SciPy, scikit-learn behind them): imported at first use.
selection = later("analysis.interact.campaigns.selection")
stored_plan = later("analysis.customize.stored_plan")


# -- suggested actions ------------------------------------------------------------------------


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
