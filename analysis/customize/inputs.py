"""The history inputs the rules read, for callers that hold pandas frames: each function
here puts its frames in a private in-memory engine and runs the engine expressions of
:mod:`analysis.customize.history` (the one definition of every input), so a workspace, a
Spark session and a test's frames give the same figures. :func:`prepare` joins the inputs to
the per-customer scores frame."""

from __future__ import annotations

import datetime as dt
import numpy as np
import pandas as pd

from analysis.customize import history
from analysis.customize.crosssell import CoPurchaseModel
from analysis.customize.history import PREPARED_COLUMNS  # noqa: F401  (the rules' inputs, named here too)
from analysis.settings import ActionSettings
from analysis.store import to_frame


def normalise_outcome(outcome: pd.Series) -> pd.Series:
    """Outcome text as the rules compare it: lower case, single spaces, '_'/'-' as space
    (in pandas; :func:`analysis.customize.normal.outcome_text` is the engine's)."""
    return (
        outcome.astype("string").str.lower()
        .str.replace(r"[_\-\s]+", " ", regex=True).str.strip()
    )


def _day_end(as_of: dt.date) -> pd.Timestamp:
    return pd.Timestamp(as_of) + pd.Timedelta(days=1)


def interactions_as_of(interactions: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The interactions up to the end of ``as_of`` as the rules read them: timestamps,
    text ids, kinds in lower case and ``outcome_norm`` (:func:`normalise_outcome`)."""
    i = interactions.copy()
    i["occurred_at"] = pd.to_datetime(i["occurred_at"])
    i = i[i["occurred_at"] < _day_end(as_of)]
    i["customer_id"] = i["customer_id"].astype(str)
    i["kind"] = i["kind"].astype("string").str.lower().str.strip()
    i["outcome_norm"] = normalise_outcome(i["outcome"]) if "outcome" in i else pd.NA
    return i


def purchase_gaps(transactions: pd.DataFrame, as_of: dt.date, min_purchase_days: int = 3) -> pd.DataFrame:
    """Per customer: purchase days up to ``as_of`` and the median gap in days between
    consecutive purchase days (NaN with fewer than ``min_purchase_days``)
    (:func:`analysis.customize.history.purchase_gaps`)."""
    t = history.frames_tables(transactions=transactions).transactions
    out = to_frame(history.purchase_gaps(t.filter(t.date <= as_of), min_purchase_days).order_by("customer_id"))
    return out.astype({"customer_id": object, "purchase_days_seen": "int64", "gap_days": "float64"}).set_index("customer_id")


def open_complaints(interactions: pd.DataFrame) -> pd.DataFrame:
    """The complaints still open among ``interactions`` (:func:`interactions_as_of`), one row
    each (:func:`analysis.customize.history.open_complaint_rows`)."""
    i = history.frames_tables(interactions=interactions).interactions
    found = to_frame(history.open_complaint_rows(i).order_by(["occurred_at", "interaction_id"]))
    return found.astype({"customer_id": object})


def complaint_state(interactions: pd.DataFrame) -> pd.DataFrame:
    """Per customer with an open complaint: how many, the first and the latest open one
    (:func:`analysis.customize.history.complaint_state`)."""
    i = history.frames_tables(interactions=interactions).interactions
    out = to_frame(history.complaint_state(i).order_by("customer_id")).astype({"customer_id": object})
    out = out.astype({"open_complaints": "int64"})
    for c in ("open_complaint_at", "last_open_complaint_at"):
        out[c] = pd.to_datetime(out[c]).astype("datetime64[us]")
    return out.set_index("customer_id")


def latest_answers(interactions: pd.DataFrame) -> pd.DataFrame:
    """The latest answer per (customer_id, action): answered_at and normalised outcome
    (:func:`analysis.customize.history.latest_answers`)."""
    i = history.frames_tables(interactions=interactions).interactions
    return history.answers_frame(history.latest_answers(i))


def prepare(
    scores: pd.DataFrame,
    interactions: pd.DataFrame,
    transactions: pd.DataFrame,
    as_of: dt.date,
    settings: ActionSettings = ActionSettings(),
    crosssell_model: CoPurchaseModel | None = None,
    inputs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The scores frame plus the history inputs the rules read (:data:`PREPARED_COLUMNS`):
    ``inputs`` when given (:func:`analysis.customize.history.action_inputs`' frame, kept with
    the scores), else computed in a private engine from the ``interactions`` and
    ``transactions`` frames (with ``crosssell_model``'s rules when given). Customers without
    a history get no gap, no survey, no offer, and zero open complaints and recent contacts."""
    if inputs is None:
        tables = history.frames_tables(interactions, transactions)
        rules = None if crosssell_model is None else crosssell_model.rules_
        inputs = history.inputs_frame(history.history_inputs(tables, as_of, settings, rules=rules))
    # same-named columns of the scores frame (e.g. the facts' last_survey) give way to them
    frame = scores.drop(columns=[c for c in PREPARED_COLUMNS if c in scores.columns])
    frame["customer_id"] = frame["customer_id"].astype(str)
    frame = frame.merge(inputs[["customer_id", *PREPARED_COLUMNS]], on="customer_id", how="left")
    for c in ("open_complaints", "recent_contacts"):
        frame[c] = frame[c].fillna(0).astype(int)
    if not frame["crosssell_category"].notna().any():
        for c in ("category", "antecedent", "confidence", "lift"):
            frame[f"crosssell_{c}"] = np.nan
    return frame.reset_index(drop=True)
