"""The built-in one-to-one playbook: each rule registered with the same ``@rule`` decorator
a user's custom rule uses (:mod:`analysis.customize.rules`). Importing this module registers
them; :mod:`analysis.customize.actions` does."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.customize.rules import CustomerContext, Suggestion, rule


# ---------------------------------------------------------------------------------------
# The built-in playbook.
# ---------------------------------------------------------------------------------------
def _col(frame: pd.DataFrame, name: str, default: Any = None) -> pd.Series:
    if name in frame:
        return frame[name]
    return pd.Series(default, index=frame.index)


def _is(frame: pd.DataFrame, name: str, value: str) -> pd.Series:
    return _col(frame, name).astype("string").str.lower().eq(value).fillna(False).astype(bool)


def _flag(frame: pd.DataFrame, name: str) -> pd.Series:
    return _col(frame, name, False).fillna(False).astype(bool)


# Thanking, asking for a referral or inviting to the partner programme contradicts what a
# customer who has lapsed, complained or rated us low needs first.
_PRAISE = ("thank_you_referral", "partner_invite")


@rule(
    id="complaint_follow_up", kind="service", capped=False, supersedes=_PRAISE,
    when=lambda f: _col(f, "open_complaints", 0).fillna(0) > 0,
)
def complaint_follow_up(c: CustomerContext) -> list[Suggestion]:
    """A complaint with no later interaction marked resolved: call within a day."""
    if not c.get("open_complaints", 0):
        return []
    first = pd.Timestamp(c.open_complaint_at)
    return [c.suggestion(
        "complaint_follow_up", 95, due_days=c.settings.complaint_days, channel="phone",
        trigger=c.last_open_complaint_at, complaint_date=first,
        days_open=(c.as_of - first.date()).days, open_complaints=int(c.open_complaints),
    )]


@rule(id="satisfaction_callback", kind="treatment", supersedes=_PRAISE,
      when=lambda f: _is(f, "satisfaction_tier", "low"))
def satisfaction_callback(c: CustomerContext) -> list[Suggestion]:
    """Low satisfaction, in any volume tier: call back within a few days (higher volume first)."""
    if str(c.get("satisfaction_tier", "")).lower() != "low":
        return []
    volume = str(c.get("volume_tier", "")).lower()
    priority = {"high": 90, "medium": 85}.get(volume, 80)
    text = "reason" if c.satisfaction_5 is not None else "reason_no_score"
    return [c.suggestion(
        "satisfaction_callback", priority, due_days=c.settings.callback_days, channel="phone",
        trigger=c.last_survey, text=text,
    )]


@rule(
    id="partner_invite", kind="treatment",
    when=lambda f: _is(f, "volume_tier", "high") & _is(f, "satisfaction_tier", "high"),
)
def partner_invite(c: CustomerContext) -> list[Suggestion]:
    """High volume and high satisfaction: invite to the partner programme."""
    if (str(c.get("volume_tier", "")).lower(), str(c.get("satisfaction_tier", "")).lower()) != ("high", "high"):
        return []
    return [c.suggestion(
        "partner_invite", 60, due_days=c.settings.offer_days, channel="visit", trigger=c.last_survey,
    )]


@rule(
    id="relationship_plan", kind="treatment",
    when=lambda f: _is(f, "volume_tier", "medium") & ~_is(f, "satisfaction_tier", "low"),
)
def relationship_plan(c: CustomerContext) -> list[Suggestion]:
    """Medium volume (and not unhappy): agree a relationship plan to move them up."""
    if str(c.get("volume_tier", "")).lower() != "medium" or str(c.get("satisfaction_tier", "")).lower() == "low":
        return []
    return [c.suggestion("relationship_plan", 45, due_days=c.settings.plan_days, channel="visit")]


def _win_back_candidates(f: pd.DataFrame) -> pd.Series:
    """Bought before and has a usual gap or a P(alive); the rule applies the thresholds."""
    recency = pd.to_numeric(_col(f, "recency_days"), errors="coerce")
    gap = pd.to_numeric(_col(f, "gap_days"), errors="coerce")
    p_alive = pd.to_numeric(_col(f, "p_alive"), errors="coerce")
    return recency.notna() & ((gap > 0) | p_alive.notna())


@rule(id="win_back", kind="retention", supersedes=_PRAISE, when=_win_back_candidates)
def win_back(c: CustomerContext) -> list[Suggestion]:
    """Overdue against the customer's own median purchase gap (needs enough purchase
    days), or P(alive) below the threshold: call to win them back."""
    s = c.settings
    recency, gap, p_alive = c.recency_days, c.get("gap_days"), c.get("p_alive")
    if recency is None:
        return []
    overdue = gap is not None and gap > 0 and recency > s.overdue_factor * gap
    fading = p_alive is not None and p_alive < s.p_alive_threshold
    if not (overdue or fading):
        return []
    if overdue:
        text = "reason" if p_alive is not None else "reason_overdue"
    else:
        text = "reason_p_alive"
    priority = 65
    priority += 15 if str(c.get("tier", "")).lower() in ("top", "big") else 0
    priority += 10 if c.get("is_mvc") else 0
    priority += 10 * (1 - p_alive) if p_alive is not None else (5 if overdue else 0)
    return [c.suggestion(
        "win_back", priority, due_days=s.win_back_days, channel="phone", trigger=c.last_purchase,
        text=text,
    )]


@rule(id="cross_sell", kind="growth", when=lambda f: _col(f, "crosssell_category").notna())
def cross_sell(c: CustomerContext) -> list[Suggestion]:
    """Offer the category similar customers buy and this one never has (see crosssell.py)."""
    if c.get("crosssell_category") is None:
        return []
    return [c.suggestion(
        "cross_sell", 30 + 30 * c.crosssell_confidence, due_days=c.settings.offer_days,
        channel="email", category=c.crosssell_category, antecedent=c.crosssell_antecedent,
        confidence=c.crosssell_confidence, lift=c.crosssell_lift,
    )]


@rule(id="cost_to_serve_review", kind="efficiency", capped=False, when=lambda f: _flag(f, "is_bz"))
def cost_to_serve_review(c: CustomerContext) -> list[Suggestion]:
    """Below-zero customer: an internal review of what serving them costs."""
    if not c.get("is_bz"):
        return []
    return [c.suggestion("cost_to_serve_review", 40, due_days=c.settings.plan_days, channel="internal")]


@rule(id="thank_you_referral", kind="retention", when=lambda f: _is(f, "tier", "top"))
def thank_you_referral(c: CustomerContext) -> list[Suggestion]:
    """Top-tier customer: thank them and ask for a referral."""
    if str(c.get("tier", "")).lower() != "top":
        return []
    return [c.suggestion("thank_you_referral", 55, due_days=c.settings.offer_days, channel="visit")]


@rule(id="grow_share_of_wallet", kind="growth", when=lambda f: _flag(f, "is_mcc"))
def grow_share_of_wallet(c: CustomerContext) -> list[Suggestion]:
    """Most growable customer: grow share of wallet (uses the wallet estimate when given)."""
    if not c.get("is_mcc"):
        return []
    wallet, revenue = c.get("wallet"), c.get("revenue_window")
    extra: dict[str, Any] = {}
    text = "reason"
    if wallet and wallet > 0 and revenue is not None:
        text, extra["share_of_wallet"] = "reason_wallet", revenue / wallet
    return [c.suggestion(
        "grow_share_of_wallet", 50, due_days=c.settings.plan_days, channel="visit", text=text, **extra,
    )]
