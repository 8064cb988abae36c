"""Who responded to a campaign: one row per member with the response, the value and the
features kept at the start (see :mod:`.workspace` for the definition of a response).

Apart from :mod:`.workspace` so that the action plan's learning from campaigns
(:mod:`analysis.customize.learned`) reads the same responses without importing the
campaign commands, which themselves read the action plan.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import UserError
from analysis.i18n import t
from analysis.store import campaigns as sql

DEFAULT_WINDOW_DAYS = 30


def check_window(days: Any) -> int:
    """``days`` as a response window (1 to 3650 whole days), else the user's error."""
    if isinstance(days, bool) or not isinstance(days, (int, np.integer)) or not 1 <= days <= 3650:
        raise UserError(t("The response window must be a whole number of days from 1 to 3650, not {value}.",
                          value=days))
    return int(days)


def outcomes(ws, found: dict, window: int | None = None, positive: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per member: customer_id, arm, response (0/1), value, and the features."""
    m = sql.members(ws, found["campaign_id"])
    if found["source"] == "import":
        frame = m[["row_number", "customer_id", "arm", "response", "value"]].copy()
        frame["value"] = frame["value"].astype(float)
    else:
        from analysis.settings import ActionSettings
        from analysis.customize.inputs import normalise_outcome

        days = check_window(window if window is not None else int(found["window_days"]))
        start = pd.Timestamp(found["start_date"]).date()
        bought = sql.window_purchases(ws, found["campaign_id"], start, days).set_index("customer_id")
        frame = m[["row_number", "customer_id", "arm"]].copy()
        frame["response"] = frame["customer_id"].map(bought["purchases"]).fillna(0).gt(0).astype(int)
        frame["value"] = frame["customer_id"].map(bought["amount"]).astype(float).fillna(0.0)
        action = found.get("action")
        if action is not None and not pd.isna(action):
            answers = sql.window_answers(ws, found["campaign_id"], action, start, days)
            done = positive or ActionSettings().done_outcomes
            said_yes = set(answers.loc[normalise_outcome(answers["outcome"]).isin(done).fillna(False), "customer_id"])
            frame.loc[frame["customer_id"].isin(said_yes), "response"] = 1
    frame["features_json"] = m["features_json"].to_numpy()
    return frame.reset_index(drop=True)


def features(frame: pd.DataFrame) -> pd.DataFrame:
    """The features kept with each member (``features_json``) as columns."""
    rows = [json.loads(x) if isinstance(x, str) else {} for x in frame["features_json"]]
    return pd.DataFrame.from_records(rows, index=frame.index)
