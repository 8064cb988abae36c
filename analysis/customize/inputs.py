"""The history a rule reads, computed once for every customer with groupbys (never per
customer): contacts up to the as-of date, usual purchase interval, open complaints, the
latest answer to each earlier action, cross-sell offers; :func:`prepare` joins them to the
per-customer scores frame."""

from __future__ import annotations

import datetime as dt
import numpy as np
import pandas as pd

from analysis.customize.crosssell import CoPurchaseModel
from analysis.settings import ActionSettings


def normalise_outcome(outcome: pd.Series) -> pd.Series:
    """Outcome text as the rules compare it: lower case, single spaces, '_'/'-' as space."""
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
    consecutive purchase days (NaN with fewer than ``min_purchase_days``)."""
    t = transactions[["customer_id", "date"]].copy()
    t["date"] = pd.to_datetime(t["date"]).dt.normalize()
    t["customer_id"] = t["customer_id"].astype(str)
    t = t[t["date"] <= pd.Timestamp(as_of)].drop_duplicates().sort_values(["customer_id", "date"])
    t["gap"] = t.groupby("customer_id")["date"].diff().dt.days
    out = t.groupby("customer_id").agg(purchase_days_seen=("date", "size"), gap_days=("gap", "median"))
    out.loc[out["purchase_days_seen"] < min_purchase_days, "gap_days"] = np.nan
    return out


def open_complaints(interactions: pd.DataFrame) -> pd.DataFrame:
    """The complaints still open among ``interactions`` (as :func:`interactions_as_of` gives
    them), one row each. A complaint is open when no interaction at or after it has outcome
    "resolved" (a ``resolution`` interaction with no outcome also resolves)."""
    i = interactions
    complaints = i[i["kind"].eq("complaint").fillna(False)]
    if complaints.empty:  # (also sidesteps a pandas 3 failure joining two empty Arrow-backed key columns)
        return complaints
    resolves = i["outcome_norm"].eq("resolved").fillna(False) | (
        i["kind"].eq("resolution").fillna(False) & i["outcome_norm"].isna()
    )
    last_resolved = i[resolves].groupby("customer_id")["occurred_at"].max().rename("last_resolved")
    complaints = complaints.join(last_resolved, on="customer_id")
    still = complaints["last_resolved"].isna() | (complaints["occurred_at"] > complaints["last_resolved"])
    return complaints[still].drop(columns="last_resolved")


def complaint_state(interactions: pd.DataFrame) -> pd.DataFrame:
    """Per customer with an open complaint (:func:`open_complaints`): how many, the first and
    the latest open one."""
    open_ = open_complaints(interactions)
    if open_.empty:
        return pd.DataFrame(
            {"open_complaints": pd.Series(dtype=int), "open_complaint_at": pd.Series(dtype="datetime64[us]"),
             "last_open_complaint_at": pd.Series(dtype="datetime64[us]")},
            index=pd.Index([], name="customer_id", dtype=str),
        )
    return open_.groupby("customer_id").agg(
        open_complaints=("occurred_at", "size"),
        open_complaint_at=("occurred_at", "min"),
        last_open_complaint_at=("occurred_at", "max"),
    )


def latest_answers(interactions: pd.DataFrame) -> pd.DataFrame:
    """The latest answer per (customer_id, action): answered_at and normalised outcome."""
    i = interactions[interactions["answers_action"].notna()] if "answers_action" in interactions else interactions.iloc[:0]
    i = i.sort_values("occurred_at", kind="stable")
    last = i.groupby(["customer_id", "answers_action"], as_index=False).last()
    return last.rename(columns={"answers_action": "action", "occurred_at": "answered_at"})[
        ["customer_id", "action", "answered_at", "outcome_norm"]
    ]


PREPARED_COLUMNS = (
    "gap_days", "last_survey", "open_complaints", "open_complaint_at", "last_open_complaint_at",
    "recent_contacts", "crosssell_category", "crosssell_antecedent", "crosssell_confidence", "crosssell_lift",
)


def prepare(
    scores: pd.DataFrame,
    interactions: pd.DataFrame,
    transactions: pd.DataFrame,
    as_of: dt.date,
    settings: ActionSettings = ActionSettings(),
    crosssell_model: CoPurchaseModel | None = None,
) -> pd.DataFrame:
    """The scores frame plus the history inputs the rules read, each computed once:
    gap_days, last_survey, open_complaints, open_complaint_at, last_open_complaint_at,
    recent_contacts, crosssell_category/antecedent/confidence/lift."""
    # the history inputs below are computed here from the interactions; same-named columns
    # of the scores frame (e.g. the facts' last_survey) give way to them
    frame = scores.drop(columns=[c for c in PREPARED_COLUMNS if c in scores.columns])
    frame["customer_id"] = frame["customer_id"].astype(str)
    frame = frame.set_index("customer_id", drop=False)
    i = interactions_as_of(interactions, as_of)
    t = transactions.copy()
    t["customer_id"] = t["customer_id"].astype(str)
    t = t[pd.to_datetime(t["date"]) <= pd.Timestamp(as_of)]

    frame = frame.join(purchase_gaps(t, as_of, settings.min_purchase_days)[["gap_days"]])
    surveys = i[i["satisfaction"].notna()] if "satisfaction" in i else i.iloc[:0]
    frame = frame.join(surveys.groupby("customer_id")["occurred_at"].max().rename("last_survey"))
    frame = frame.join(complaint_state(i))
    frame["open_complaints"] = frame["open_complaints"].fillna(0).astype(int)
    since = _day_end(as_of) - pd.Timedelta(days=settings.fatigue_days)
    recent = i[(i["occurred_at"] >= since) & i["kind"].isin(settings.fatigue_kinds).fillna(False)]
    frame = frame.join(recent.groupby("customer_id").size().rename("recent_contacts"))
    frame["recent_contacts"] = frame["recent_contacts"].fillna(0).astype(int)

    if crosssell_model is None and "category" in t:
        crosssell_model = CoPurchaseModel(
            settings.crosssell_min_customers, settings.crosssell_min_confidence, settings.crosssell_min_lift
        ).fit(t)
    offers = crosssell_model.recommend(t) if crosssell_model is not None and "category" in t else None
    if offers is not None and len(offers):
        offers = offers.set_index("customer_id")[["category", "antecedent", "confidence", "lift"]]
        frame = frame.join(offers.add_prefix("crosssell_"))
    else:
        for col in ("category", "antecedent", "confidence", "lift"):
            frame[f"crosssell_{col}"] = np.nan
    return frame.reset_index(drop=True)
