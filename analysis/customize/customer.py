"""One customer's suggested actions and detail, read alone (issue 15 §1: the Customer page
and ``customer ID`` at a million customers in well under a second).

Once the workspace's scores are stored (after an import), showing one customer reads that
customer's rows only, each by plain SQL with the id bound: their row of the stored scores
(:func:`analysis.scores.score_customer`), their rows of the stored action plan
(:func:`analysis.customize.stored_plan.stored_customer_actions`) written from their own
stored history inputs, the learning by its key with their persuadable row alone
(:func:`analysis.customize.learned.learning`), their purchase lines and contacts
(:mod:`analysis.store.one_customer`). Nothing reads every customer's facts, and the plan is
worked out (for that customer alone, :func:`analysis.customize.plan.customer_actions`) only
when it is not stored under the settings asked. Where the scores are not stored (a
read-only workspace never scored, bare tables) :func:`analysis.customize.plan.customer_detail`
works everything out as before; the figures are the same either way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from analysis.customize import history, learned, plan, stored_plan
from analysis.ids import kept_customer_id
from analysis.identify.facts import resolve_as_of
from analysis.interact import timeline
from analysis.scores import Scores, score_customer, stored_columns
from analysis.settings import ActionSettings, ReportSettings
from analysis.store import Tables, Workspace


def suggestions(ws: Workspace, customer_id: str, as_of: dt.date, settings: ReportSettings = ReportSettings(),
                action_settings: ActionSettings = ActionSettings(), one: Scores | None = None) -> pd.DataFrame | None:
    """One customer's suggested actions, written, in the plan's order (the rows of
    :func:`analysis.customize.plan.all_actions` for them): their rows of the stored plan,
    else worked out for them alone, from their row of the stored scores (``one``, read here
    when not given). None when the scores are not stored."""
    one = one if one is not None else score_customer(ws, customer_id, as_of, settings)
    if one is None:
        return None

    def facts() -> pd.DataFrame:  # only when the learning is not stored yet
        return stored_columns(ws, ["customer_id", *learned.MODEL_FEATURES], as_of, settings)

    found = stored_plan.stored_customer_actions(ws, customer_id, as_of, settings, action_settings, one, facts)
    if found is not None:
        return found
    return plan.customer_actions(ws, customer_id, as_of, settings, action_settings, scores=one, facts=facts)


def customer_detail(source: Workspace | Tables, customer_id: str, as_of: Any = None,
                    settings: ReportSettings = ReportSettings(),
                    action_settings: ActionSettings = ActionSettings()) -> dict[str, Any]:
    """:func:`analysis.customize.plan.customer_detail` (what ``customer ID --json`` prints),
    from that customer's rows alone when the scores are stored (module docstring). The id is
    read as import keeps ids (:func:`analysis.ids.kept_customer_id`: ``@SUM(A1)`` finds
    ``@sum(a1)``)."""
    customer_id = kept_customer_id(customer_id)
    if isinstance(source, Workspace):
        as_of = resolve_as_of(source, as_of)  # the days read by plain SQL: no engine expression
        one = score_customer(source, customer_id, as_of, settings)
        if one is not None and not one.frame.empty:
            profile = timeline.stored_profile(source, one.frame, as_of, _usual_gap(source, customer_id, as_of,
                                                                                   action_settings))
            events = timeline.customer_events(source, customer_id, as_of, settings.currency)
            suggested = suggestions(source, customer_id, as_of, settings, action_settings, one)
            return plan.detail_of(profile, one.frame, events, suggested, settings)
    return plan.customer_detail(source, customer_id, as_of, settings, action_settings)


def _usual_gap(ws: Workspace, customer_id: str, as_of: dt.date, action_settings: ActionSettings) -> Any:
    """The customer's purchase cycle from their row of the action plan's history inputs when
    it is the profile's (the same purchase days: :data:`timeline.PROFILE_PURCHASE_DAYS`), NaN
    below them; None when it is not (the profile then works it out from their purchase lines)."""
    if action_settings.min_purchase_days != timeline.PROFILE_PURCHASE_DAYS:
        return None
    inputs, _ = history.customer_inputs(ws, as_of, action_settings, str(customer_id))
    if inputs.empty:
        return None
    gap = inputs["gap_days"].iloc[0]
    return float("nan") if pd.isna(gap) else float(gap)

