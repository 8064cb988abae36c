"""The profit view of a campaign (issue 16 §3): incremental profit of contacting the top k% of
its customers ranked by the uplift model's predicted uplift, by lifetime value, or everyone
alike, for a contact cost and a margin (the workspace's settings: cost per contact, gross
margin on net revenue).

Measured on the uplift evaluation's held-out customers, so the model is judged on customers
it did not learn from (:func:`analysis.customize.uplift.profit_view`): at a share ``k`` of the
campaign's list, ``contacted x (value per treated - value per control customer among the
top k) x margin - contacted x cost``, with ``contacted`` that share of every customer of the
group and the control group.

Decision: the lifetime value that ranks customers is the one known *the day before the
campaign started* (the per-customer scores as of that day, stored like any other), never
today's: today's CLV already contains what the campaign made customers buy, and ranking by it
would credit CLV with the campaign's own effect. Customers without a CLV come last. An
imported experiment has no CLV (its customers are not the workspace's) and no ranking by it;
without a value column it has no revenue, and the view is not drawn.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analysis.errors import NotEnoughData
from analysis.i18n import t


def clv_before(ws, name: str, settings=None) -> pd.Series | None:
    """Each customer's CLV as of the day before campaign ``name`` started (indexed by
    customer id); None for an imported experiment or when no CLV could be fitted."""
    from analysis.interact.campaigns.workspace import get_campaign
    from analysis.scores import score_customers, stored_columns
    from analysis.settings import ReportSettings

    found = get_campaign(ws, name)
    if found["source"] != "app":
        return None
    day = pd.Timestamp(found["start_date"]).date() - dt.timedelta(days=1)
    settings = settings or ReportSettings()
    scored = score_customers(ws, day, settings)  # stored in the workspace the first time
    frame = stored_columns(ws, ["customer_id", "clv"], day, settings)  # not every customer's words
    frame = scored.frame if frame is None else frame
    if frame["clv"].notna().sum() == 0:
        return None
    return pd.Series(frame["clv"].to_numpy(dtype=float), index=frame["customer_id"].astype(str))


def campaign_profit(ws, name: str, arm: str, cost: float, margin: float, settings=None, test_share: float = 0.5,
                    seed: int = 0) -> pd.DataFrame:
    """:func:`analysis.customize.uplift.profit_view` of campaign ``name``'s group ``arm`` on the
    held-out customers of its uplift evaluation (:func:`~.workspace.uplift` with the same
    ``test_share`` and ``seed``): revenue in the response window as the value, ``margin`` the
    margin rate on it, ``cost`` per contact, and the CLV the day before the start
    (:func:`clv_before`) as the other ranking."""
    from analysis.customize.uplift import evaluate_uplift, profit_view
    from analysis.interact.campaigns.workspace import uplift_data

    X, treatment, y, frame = uplift_data(ws, name, arm)
    value = frame["value"].to_numpy(dtype=float)
    if not np.isfinite(value).all():
        raise NotEnoughData(t("This campaign has no revenue per customer, so its profit cannot be shown."))
    evaluation = evaluate_uplift(X, treatment, y, test_share=test_share, seed=seed)
    rows = evaluation.test.index.to_numpy()
    clv = clv_before(ws, name, settings)
    score = None
    if clv is not None:
        known = frame["customer_id"].astype(str).map(clv).to_numpy(dtype=float)[rows]
        score = np.where(np.isfinite(known), known, -np.inf)  # no CLV: last
    return profit_view(value[rows], treatment[rows], evaluation.test["uplift"].to_numpy(), cost, margin,
                       score=score, population=len(frame))
