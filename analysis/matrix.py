"""The satisfaction-by-volume matrix: how to sell to and how to treat each customer.

Rows (volume): active customers split into terciles of window revenue, highest first, ties
by customer id (``high`` gets the extra customer when the count does not divide by 3).
Columns (satisfaction): the latest survey on a 5-point equivalent, ``high`` >= 4, ``low``
<= 2, ``medium`` between; no survey is ``none``, never guessed, and those three cells are
kept apart from the nine.

Selling follows volume (one-to-one / one-to-many / through retailers); the relationship
follows satisfaction (partner / improve / correct).

ABCD classes, decided here and shown in every cell:
- A  high volume x high satisfaction: the partners.
- B  medium volume x high satisfaction: loyal (satisfied) but lower value.
- C  low volume, whatever the satisfaction (surveyed or not): the many small customers
     served through retailers and self-service.
- D  high or medium volume with medium or low satisfaction: worth a relationship but not
     yet satisfied, often from poor communication.
- None: high or medium volume without a survey (ask first).

All texts are data in :data:`SELLING`, :data:`RELATIONSHIP` and :data:`CELLS`, keyed by
stable ids (``"<volume>/<satisfaction>"``) so they can be translated.
"""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd

from analysis.errors import NotEnoughData
from analysis.features import customer_facts
from analysis.segment_settings import SegmentSettings
from analysis.store import Tables

VOLUMES = ("high", "medium", "low")
SATISFACTIONS = ("high", "medium", "low")
NO_SURVEY = "none"

SELLING = {
    "high": "One-to-one: a named account manager",
    "medium": "One-to-many: by region with a relationship plan",
    "low": "Through retailers / self-service",
}
RELATIONSHIP = {
    "high": "Partner",
    "medium": "Improve",
    "low": "Correct: call back, fix the complaint fast, learn what went wrong",
    NO_SURVEY: "Ask: get a satisfaction score before choosing",
}

# cell id -> strategy name, ABCD class, actions (2-3 short imperative lines).
CELLS: dict[str, dict[str, Any]] = {
    "high/high": {"strategy": "Partner with key accounts", "abcd": "A", "actions": [
        "Give each a named account manager and meet every quarter",
        "Invite them to shape new products and services",
        "Ask for referrals and a case study"]},
    "high/medium": {"strategy": "Deepen key accounts", "abcd": "D", "actions": [
        "Ask what would make them rate you a 5, then do it",
        "Agree a service plan with named contacts and response times",
        "Review the account with them every quarter"]},
    "high/low": {"strategy": "Rescue key accounts", "abcd": "D", "actions": [
        "Call back this week, with a senior person on the line",
        "Fix the open complaint and confirm it is fixed",
        "Write down what went wrong and change the process"]},
    "medium/high": {"strategy": "Grow loyal customers", "abcd": "B", "actions": [
        "Offer the next product up through the regional plan",
        "Reward loyalty with early access or volume terms",
        "Ask for referrals"]},
    "medium/medium": {"strategy": "Improve regional relationships", "abcd": "D", "actions": [
        "Add them to a regular regional contact plan",
        "Ask one question about what to improve and act on the answer",
        "Send useful content, not only offers"]},
    "medium/low": {"strategy": "Correct and keep", "abcd": "D", "actions": [
        "Call back and fix the complaint fast",
        "Find the cause and tell them what changed",
        "Follow up a month later"]},
    "low/high": {"strategy": "Serve efficiently, let them advocate", "abcd": "C", "actions": [
        "Make reordering and self-service easy",
        "Invite reviews and referrals"]},
    "low/medium": {"strategy": "Serve efficiently", "abcd": "C", "actions": [
        "Route questions to retailers or self-service",
        "Answer common questions with an FAQ",
        "Send occasional offers through the retailer"]},
    "low/low": {"strategy": "Fix the basics", "abcd": "C", "actions": [
        "Resolve complaints through the standard service process",
        "Check the retailer's service",
        "Look for causes these customers share"]},
    "high/none": {"strategy": "Ask key accounts", "abcd": None, "actions": [
        "Ask for a satisfaction score at the next account review",
        "Note what they say in the customer log"]},
    "medium/none": {"strategy": "Ask for feedback", "abcd": None, "actions": [
        "Send a short satisfaction survey",
        "Follow up non-responders once"]},
    "low/none": {"strategy": "Survey a sample", "abcd": "C", "actions": [
        "Survey a sample online or through the retailer",
        "Keep serving them through self-service"]},
}

NO_SURVEY_MESSAGE = (
    "No satisfaction scores yet: import survey results (contacts with a satisfaction score) "
    "to see the satisfaction-by-volume matrix."
)


def cell_id(volume: str, satisfaction: str) -> str:
    return f"{volume}/{satisfaction}"


def with_cells(facts, settings: SegmentSettings | None = None):
    """``facts`` plus volume_tier (active customers only, else NULL), satisfaction_tier
    (high/medium/low/none) and cell ("<volume>/<satisfaction>", NULL when not active)."""
    s = settings or SegmentSettings()
    w = ibis.window(group_by=facts.active, order_by=[ibis.desc(facts.revenue_window), facts.customer_id])
    third = ibis.ntile(3).over(w)
    volume = ibis.cases((third == 0, "high"), (third == 1, "medium"), else_="low")
    sat = facts.satisfaction_5
    satisfaction = ibis.cases(
        (sat.isnull(), NO_SURVEY),
        (sat >= s.satisfaction_high, "high"),
        (sat <= s.satisfaction_low, "low"),
        else_="medium",
    )
    out = facts.mutate(
        volume_tier=ibis.ifelse(facts.active, volume, ibis.null("string")),
        satisfaction_tier=satisfaction,
    )
    return out.mutate(cell=out.volume_tier.concat("/", out.satisfaction_tier))


def cell_texts() -> pd.DataFrame:
    """The strategy table, one row per cell id: cell, volume, satisfaction, strategy,
    selling, relationship, actions (list of str), abcd."""
    rows = []
    for cid, spec in CELLS.items():
        volume, satisfaction = cid.split("/")
        rows.append({
            "cell": cid, "volume": volume, "satisfaction": satisfaction,
            "strategy": spec["strategy"], "selling": SELLING[volume],
            "relationship": RELATIONSHIP[satisfaction], "actions": list(spec["actions"]),
            "abcd": spec["abcd"],
        })
    return pd.DataFrame(rows)


def satisfaction_matrix(tables: Tables, as_of: Any = None, settings: SegmentSettings | None = None) -> pd.DataFrame:
    """Twelve rows: the nine surveyed cells (volume high..low x satisfaction high..low),
    then the three ``satisfaction == "none"`` cells of active customers without a survey.

    Columns: cell, volume, satisfaction, customers, revenue (window), strategy, selling,
    relationship, actions, abcd. Raises NotEnoughData when no active customer has a survey.
    """
    s = settings or SegmentSettings()
    f = with_cells(customer_facts(tables, as_of, s.window_months), s)
    f = f.filter(f.active)
    counts = f.group_by("cell").aggregate(
        customers=f.customer_id.count(), revenue=f.revenue_window.sum()
    ).to_pandas()
    surveyed = counts[~counts.cell.str.endswith("/" + NO_SURVEY)]
    if surveyed.empty:
        raise NotEnoughData(NO_SURVEY_MESSAGE)
    order = [cell_id(v, x) for v in VOLUMES for x in SATISFACTIONS] + [cell_id(v, NO_SURVEY) for v in VOLUMES]
    out = pd.DataFrame({"cell": order}).merge(counts, on="cell", how="left")
    out["customers"] = out["customers"].fillna(0).astype(int)
    out["revenue"] = out["revenue"].fillna(0.0).astype(float)
    out = out.merge(cell_texts(), on="cell", how="left")
    out["abcd"] = out["abcd"].astype(object).where(out["abcd"].notna(), None)
    return out[["cell", "volume", "satisfaction", "customers", "revenue", "strategy",
                "selling", "relationship", "actions", "abcd"]]
