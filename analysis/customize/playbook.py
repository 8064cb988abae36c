"""The built-in one-to-one playbook: each rule registered with the same ``@rule`` decorator
a user's custom rule uses (:mod:`analysis.customize.rules`). Every built-in rule is an engine
rule: its condition, priority, reason variant and trigger are Ibis expressions over the
customers table (scores and history inputs, one row per customer; see
:mod:`analysis.customize.runner`), written from the customer's own figures; the decorated
rule's ``values`` gives the figures its reason adds, a column at a time (columns, or
functions of the customers' columns: :class:`~analysis.customize.rules.CustomerColumns`), for
the rows whose texts are shown; no Python runs per row. Importing this module registers
them; :mod:`analysis.customize.actions` does."""

from __future__ import annotations

from typing import Any

import ibis
import numpy as np
import pandas as pd

from analysis.customize.rules import CustomerColumns, rule
from analysis.settings import ActionSettings


# ---------------------------------------------------------------------------------------
# The customers table as the rules read it: a missing column reads as missing values, NaN
# as missing, text compared in lower case.
# ---------------------------------------------------------------------------------------
def _col(t: ibis.Table, name: str, type_: str = "string") -> Any:
    return t[name] if name in t.columns else ibis.null(type_)


def _num(t: ibis.Table, name: str) -> Any:
    value = _col(t, name, "float64").cast("float64")
    return ibis.ifelse(value.isnan(), ibis.null("float64"), value)


def _known(t: ibis.Table, name: str) -> Any:
    value = _col(t, name)
    if value.type().is_floating():
        return value.notnull() & ~value.isnan().fill_null(False)
    return value.notnull()


def _is(t: ibis.Table, name: str, value: str) -> Any:
    return (_col(t, name).cast("string").lower() == value).fill_null(False)


def _flag(t: ibis.Table, name: str) -> Any:
    return _col(t, name, "boolean").cast("boolean").fill_null(False)


# Thanking, asking for a referral or inviting to the partner programme contradicts what a
# customer who has lapsed, complained or rated us low needs first.
_PRAISE = ("thank_you_referral", "partner_invite")


def _complaint_date(c: CustomerColumns) -> pd.Series:
    """The day the oldest open complaint was made (a moment; the reason shows its day)."""
    return pd.to_datetime(c.open_complaint_at)


def _days_open(c: CustomerColumns) -> pd.Series:
    """Whole days from the oldest open complaint's day to the as-of date."""
    return (pd.Timestamp(c.as_of) - _complaint_date(c).dt.normalize()).dt.days.astype("Int64")


def _whole(values: pd.Series) -> pd.Series:
    """A count as a whole number (``int``: "2", not "2.0")."""
    return pd.Series(np.trunc(pd.to_numeric(values)), index=values.index).astype("Int64")


@rule(
    id="complaint_follow_up", family="service", capped=False, supersedes=_PRAISE,
    condition=lambda t: _num(t, "open_complaints").fill_null(0) > 0,
    priority=95, due_days="complaint_days", channel="phone",
    trigger=lambda t: _col(t, "last_open_complaint_at", "timestamp"),
    values={"complaint_date": _complaint_date, "days_open": _days_open,
            "open_complaints": lambda c: _whole(c.open_complaints)},
)
def complaint_follow_up(c: CustomerColumns) -> None:
    """A complaint with no later interaction marked resolved: call within a day."""


@rule(
    id="satisfaction_callback", family="treatment", supersedes=_PRAISE,
    condition=lambda t: _is(t, "satisfaction_tier", "low"),
    priority=lambda t: ibis.cases((_is(t, "volume_tier", "high"), 90), (_is(t, "volume_tier", "medium"), 85),
                                  else_=80),
    text=lambda t: ibis.ifelse(_known(t, "satisfaction_5"), "reason", "reason_no_score"),
    due_days="callback_days", channel="phone", trigger=lambda t: _col(t, "last_survey", "timestamp"),
    values={},
)
def satisfaction_callback(c: CustomerColumns) -> None:
    """Low satisfaction, in any volume tier: call back within a few days (higher volume first)."""


@rule(
    id="partner_invite", family="treatment",
    condition=lambda t: _is(t, "volume_tier", "high") & _is(t, "satisfaction_tier", "high"),
    priority=60, due_days="offer_days", channel="visit", trigger=lambda t: _col(t, "last_survey", "timestamp"),
    values={},
)
def partner_invite(c: CustomerColumns) -> None:
    """High volume and high satisfaction: invite to the partner programme."""


@rule(
    id="relationship_plan", family="treatment",
    condition=lambda t: _is(t, "volume_tier", "medium") & ~_is(t, "satisfaction_tier", "low"),
    priority=45, due_days="plan_days", channel="visit",
    values={},
)
def relationship_plan(c: CustomerColumns) -> None:
    """Medium volume (and not unhappy): agree a relationship plan to move them up."""


def _overdue(t: ibis.Table, s: ActionSettings) -> Any:
    """Overdue against the customer's own median purchase gap (known only with enough
    purchase days)."""
    gap = _num(t, "gap_days")
    return (gap.notnull() & (gap > 0) & (_num(t, "recency_days") > s.overdue_factor * gap)).fill_null(False)


def _fading(t: ibis.Table, s: ActionSettings) -> Any:
    p_alive = _num(t, "p_alive")
    return (p_alive.notnull() & (p_alive < s.p_alive_threshold)).fill_null(False)


def _win_back_priority(t: ibis.Table, s: ActionSettings) -> Any:
    """65, +15 for a top or big customer, +10 for a most valuable one, +10 x (1 - P(alive))
    (or +5 when only overdue)."""
    p_alive = _num(t, "p_alive")
    tier = _col(t, "tier").cast("string").lower().isin(["top", "big"]).fill_null(False)
    return (ibis.literal(65) + ibis.ifelse(tier, 15, 0) + ibis.ifelse(_flag(t, "is_mvc"), 10, 0)
            + ibis.cases((p_alive.notnull(), 10 * (1 - p_alive)), (_overdue(t, s), 5.0), else_=0.0))


@rule(
    id="win_back", family="retention", supersedes=_PRAISE,
    condition=lambda t, s: _num(t, "recency_days").notnull() & (_overdue(t, s) | _fading(t, s)),
    priority=_win_back_priority,
    text=lambda t, s: ibis.cases((_overdue(t, s) & _num(t, "p_alive").notnull(), "reason"),
                                 (_overdue(t, s), "reason_overdue"), else_="reason_p_alive"),
    due_days="win_back_days", channel="phone", trigger=lambda t: _col(t, "last_purchase", "timestamp"),
    values={},
)
def win_back(c: CustomerColumns) -> None:
    """Overdue against the customer's own median purchase gap (needs enough purchase
    days), or P(alive) below the threshold: call to win them back."""


@rule(
    id="cross_sell", family="growth", condition=lambda t: _known(t, "crosssell_category"),
    priority=lambda t: 30 + 30 * _num(t, "crosssell_confidence"), due_days="offer_days", channel="email",
    values={"category": "crosssell_category", "antecedent": "crosssell_antecedent",
            "confidence": "crosssell_confidence", "lift": "crosssell_lift"},
)
def cross_sell(c: CustomerColumns) -> None:
    """Offer the category similar customers buy and this one never has (see crosssell.py):
    the reason reads the offer's columns named in ``values`` (one per placeholder)."""


@rule(
    id="cost_to_serve_review", family="efficiency", capped=False, condition=lambda t: _flag(t, "is_bz"),
    priority=40, due_days="plan_days", channel="internal",
    values={},
)
def cost_to_serve_review(c: CustomerColumns) -> None:
    """Below-zero customer: an internal review of what serving them costs."""


@rule(
    id="thank_you_referral", family="retention", condition=lambda t: _is(t, "tier", "top"),
    priority=55, due_days="offer_days", channel="visit",
    values={},
)
def thank_you_referral(c: CustomerColumns) -> None:
    """Top-tier customer: thank them and ask for a referral."""


def _wallet_known(t: ibis.Table) -> Any:
    return (_num(t, "wallet") > 0).fill_null(False) & _num(t, "revenue_window").notnull()


@rule(
    id="grow_share_of_wallet", family="growth", condition=lambda t: _flag(t, "is_mcc"),
    priority=50, due_days="plan_days", channel="visit",
    text=lambda t: ibis.ifelse(_wallet_known(t), "reason_wallet", "reason"),
    values={"share_of_wallet": lambda c: _share_of_wallet(c.revenue_window, c.wallet)},
)
def grow_share_of_wallet(c: CustomerColumns) -> None:
    """Most growable customer: grow share of wallet (uses the wallet estimate when given)."""


def _share_of_wallet(revenue: pd.Series, wallet: pd.Series) -> pd.Series:
    """Revenue in the window over the estimated wallet, where the wallet is above 0 (else missing)."""
    revenue, wallet = pd.to_numeric(revenue).astype("float64"), pd.to_numeric(wallet).astype("float64")
    return (revenue / wallet).where((wallet > 0) & revenue.notna())
