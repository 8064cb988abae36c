"""The satisfaction-by-volume matrix: how to sell to and how to treat each customer.

Volume: active customers split into terciles of window revenue, highest first, ties by
customer id (``high`` gets the extra customer when the count does not divide by 3); a
customer whose window revenue is zero or negative (refunds only) is ``low`` whatever their
rank, as in the pyramid (:mod:`analysis.differentiate.pyramid`).
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

Urgency, decided here (:data:`URGENCY`, most urgent first) and shown as the cells' colour, so
a manager sees where to start, not where the money is: unhappy customers of high, then
medium volume come first (*act now*); then the middling key accounts, the key accounts and
regular customers without a score, the middling regular customers and the unhappy small ones
(*plan*); the happy and the small satisfied or unsurveyed customers last (*keep up*). The
most urgent cell that has customers is where to start (:func:`start_here`).

All texts are data in :data:`SELLING`, :data:`RELATIONSHIP` and :data:`CELLS`, keyed by
stable ids (``"<volume>/<satisfaction>"``), marked with ``N_`` and translated when read
(:func:`cell_texts`), so the codes never change with the language.
"""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd

from analysis.errors import NotEnoughData
from analysis.identify.facts import customer_facts
from analysis.i18n import N_, lookup
from analysis.settings import SegmentSettings
from analysis.store import Tables, to_frame
from analysis.vocabulary import NO_SURVEY, codes, label

VOLUMES = ("high", "medium", "low")
SATISFACTIONS = ("high", "medium", "low")

SELLING = {
    "high": N_("One-to-one: a named account manager"),
    "medium": N_("One-to-many: by region with a relationship plan"),
    "low": N_("Through retailers / self-service"),
}
RELATIONSHIP = {
    "high": N_("Partner"),
    "medium": N_("Improve"),
    "low": N_("Correct: call back, fix the complaint fast, learn what went wrong"),
    NO_SURVEY: N_("Ask: get a satisfaction score before choosing"),
}

# cell id -> strategy name, ABCD class, actions (2-3 short imperative lines).
CELLS: dict[str, dict[str, Any]] = {
    "high/high": {"strategy": N_("Partner with key accounts"), "abcd": "A", "actions": [
        N_("Give each a named account manager and meet every quarter"),
        N_("Invite them to shape new products and services"),
        N_("Ask for referrals and a case study")]},
    "high/medium": {"strategy": N_("Deepen key accounts"), "abcd": "D", "actions": [
        N_("Ask what would make them rate you a 5, then do it"),
        N_("Agree a service plan with named contacts and response times"),
        N_("Review the account with them every quarter")]},
    "high/low": {"strategy": N_("Rescue key accounts"), "abcd": "D", "actions": [
        N_("Call back this week, with a senior person on the line"),
        N_("Fix the open complaint and confirm it is fixed"),
        N_("Write down what went wrong and change the process")]},
    "medium/high": {"strategy": N_("Grow loyal customers"), "abcd": "B", "actions": [
        N_("Offer the next product up through the regional plan"),
        N_("Reward loyalty with early access or volume terms"),
        N_("Ask for referrals")]},
    "medium/medium": {"strategy": N_("Improve regional relationships"), "abcd": "D", "actions": [
        N_("Add them to a regular regional contact plan"),
        N_("Ask one question about what to improve and act on the answer"),
        N_("Send useful content, not only offers")]},
    "medium/low": {"strategy": N_("Correct and keep"), "abcd": "D", "actions": [
        N_("Call back and fix the complaint fast"),
        N_("Find the cause and tell them what changed"),
        N_("Follow up a month later")]},
    "low/high": {"strategy": N_("Serve efficiently, let them advocate"), "abcd": "C", "actions": [
        N_("Make reordering and self-service easy"),
        N_("Invite reviews and referrals")]},
    "low/medium": {"strategy": N_("Serve efficiently"), "abcd": "C", "actions": [
        N_("Route questions to retailers or self-service"),
        N_("Answer common questions with an FAQ"),
        N_("Send occasional offers through the retailer")]},
    "low/low": {"strategy": N_("Fix the basics"), "abcd": "C", "actions": [
        N_("Resolve complaints through the standard service process"),
        N_("Check the retailer's service"),
        N_("Look for causes these customers share")]},
    "high/none": {"strategy": N_("Ask key accounts"), "abcd": None, "actions": [
        N_("Ask for a satisfaction score at the next account review"),
        N_("Note what they say in the customer log")]},
    "medium/none": {"strategy": N_("Ask for feedback"), "abcd": None, "actions": [
        N_("Send a short satisfaction survey"),
        N_("Follow up non-responders once")]},
    "low/none": {"strategy": N_("Survey a sample"), "abcd": "C", "actions": [
        N_("Survey a sample online or through the retailer"),
        N_("Keep serving them through self-service")]},
}

# Every cell, most urgent first; its urgency level ("act", "plan", "keep") in URGENCY_LEVELS.
URGENCY = ("high/low", "medium/low", "high/medium", "high/none", "medium/medium", "medium/none", "low/low",
           "high/high", "medium/high", "low/medium", "low/none", "low/high")
URGENCY_LEVELS = {cell: ("act" if n < 2 else "plan" if n < 7 else "keep") for n, cell in enumerate(URGENCY)}

NO_SURVEY_MESSAGE = N_(
    "No satisfaction scores yet: import survey results (contacts with a satisfaction score) "
    "to see the satisfaction-by-volume matrix."
)

# The ABCD classes (what each means: analysis.vocabulary, family "abcd").
ABCD_CLASSES = codes("abcd")


def volume_label(code: str) -> str:
    """``"high"`` -> "high volume" / "高购买量"."""
    return str(label("volume", code))


def satisfaction_label(code: str) -> str:
    """``"low"`` -> "low satisfaction" / "低满意度"; ``"none"`` -> "no survey"."""
    return str(label("satisfaction", code))


def abcd_description(letter: str | None) -> str:
    """What an ABCD class means, in a sentence ("" for no class)."""
    return label("abcd", letter) if letter in ABCD_CLASSES else ""


def level_label(level: str) -> str:
    """An urgency level ("act") in words ("act now" / "立即行动")."""
    return str(label("urgency", level))


def cell_id(volume: str, satisfaction: str) -> str:
    return f"{volume}/{satisfaction}"


def start_here(cells: pd.DataFrame) -> pd.Series | None:
    """The row of ``cells`` (columns cell, customers, ...) to act on first: the most urgent
    cell (:data:`URGENCY`) that has customers; None when every cell is empty."""
    rank = {c: n for n, c in enumerate(URGENCY)}
    busy = cells[(cells["customers"] > 0) & cells["cell"].isin(rank)]
    if busy.empty:
        return None
    return busy.loc[busy["cell"].map(rank).idxmin()]


def with_cells(facts, settings: SegmentSettings | None = None):
    """``facts`` plus volume_tier (active customers only, else NULL), satisfaction_tier
    (high/medium/low/none) and cell ("<volume>/<satisfaction>", NULL when not active)."""
    s = settings or SegmentSettings()
    w = ibis.window(group_by=facts.active, order_by=[ibis.desc(facts.revenue_window), facts.customer_id])
    third = ibis.ntile(3).over(w)
    paying = facts.revenue_window > 0
    volume = ibis.cases((paying & (third == 0), "high"), (paying & (third == 1), "medium"), else_="low")
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
    selling, relationship, actions (list of str), abcd, urgency (1 = most urgent) and level
    (act, plan, keep)."""
    rows = []
    for cid, spec in CELLS.items():
        volume, satisfaction = cid.split("/")
        rows.append({
            "cell": cid, "volume": volume, "satisfaction": satisfaction,
            "strategy": lookup(spec["strategy"]), "selling": lookup(SELLING[volume]),
            "relationship": lookup(RELATIONSHIP[satisfaction]), "actions": [lookup(a) for a in spec["actions"]],
            "abcd": spec["abcd"], "urgency": URGENCY.index(cid) + 1, "level": URGENCY_LEVELS[cid],
        })
    return pd.DataFrame(rows)


def satisfaction_matrix(tables: Tables, as_of: Any = None, settings: SegmentSettings | None = None) -> pd.DataFrame:
    """Twelve rows: the nine surveyed cells (volume high..low x satisfaction high..low),
    then the three ``satisfaction == "none"`` cells of active customers without a survey.

    Columns: cell, volume, satisfaction, customers, revenue (window), strategy, selling,
    relationship, actions, abcd, urgency, level. Raises NotEnoughData when no active
    customer has a survey.
    """
    s = settings or SegmentSettings()
    f = with_cells(customer_facts(tables, as_of, s.window_months), s)
    f = f.filter(f.active)
    return cells_table(to_frame(f.group_by("cell").aggregate(
        customers=f.customer_id.count(), revenue=f.revenue_window.sum()
    )))


def cells_table(counts: pd.DataFrame) -> pd.DataFrame:
    """:func:`satisfaction_matrix`'s twelve rows from the active customers and their window
    revenue per cell (``counts``: cell, customers, revenue). Raises NotEnoughData when no
    cell of surveyed customers has anyone."""
    surveyed = counts[~counts.cell.str.endswith("/" + NO_SURVEY)]
    if surveyed.empty:
        raise NotEnoughData(lookup(NO_SURVEY_MESSAGE))
    order = [cell_id(v, x) for v in VOLUMES for x in SATISFACTIONS] + [cell_id(v, NO_SURVEY) for v in VOLUMES]
    out = pd.DataFrame({"cell": order}).merge(counts, on="cell", how="left")
    out["customers"] = out["customers"].fillna(0).astype(int)
    out["revenue"] = out["revenue"].fillna(0.0).astype(float)
    out = out.merge(cell_texts(), on="cell", how="left")
    out["abcd"] = out["abcd"].astype(object).where(out["abcd"].notna(), None)
    return out[["cell", "volume", "satisfaction", "customers", "revenue", "strategy",
                "selling", "relationship", "actions", "abcd", "urgency", "level"]]
