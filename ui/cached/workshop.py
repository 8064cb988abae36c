"""The workshop: the caches of the Present page's story (its figures and its slides)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from analysis.errors import NotEnoughData
from analysis.i18n import t
from analysis.masking import workspace_secret
from ui import workspace
from ui.cached.core import _shared, _view, key_plan
from ui.cached.customize import _of_actions
from ui.cached.scoring import _scores, _scores_ready
from ui.later import later

# What the first screen does not need (SciPy, scikit-learn behind them): imported at first use.
story = later("analysis.workshop.story")


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
