"""The playbook's texts: every user-facing word of a suggested action, keyed by action id (a
title and a reason with ``{fields}`` filled from the customer's scores row), and how they
are filled (:func:`render`; amounts with the workspace's currency, a missing value as "n/a").
A custom rule adds its own texts here through :func:`analysis.customize.rules.rule`."""

from __future__ import annotations

from typing import Any

from analysis import i18n
from analysis.i18n import N_
from analysis.vocabulary import labeller


# ---------------------------------------------------------------------------------------
# Texts. Every user-facing word of the playbook is here, keyed by action id, so the whole
# table can be translated. Placeholders are filled from the customer's scores row, the
# precomputed inputs and the values the rule passes; a missing value prints as "n/a".
# ---------------------------------------------------------------------------------------
TEXTS: dict[str, dict[str, str]] = {
    "partner_invite": {
        "title": N_("Invite to the partner programme"),
        "reason": N_(
            "High volume (revenue {revenue_window:,.0f} in the last {window_months} months) "
            "and high satisfaction ({satisfaction_5:.1f} of 5): a candidate partner."
        ),
    },
    "satisfaction_callback": {
        "title": N_("Call back within {due_days} days"),
        "reason": N_(
            "Latest satisfaction {satisfaction_5:.1f} of 5 is low; {volume_tier} volume, "
            "revenue {revenue_window:,.0f} in the last {window_months} months, "
            "{complaints:.0f} complaints."
        ),
        "reason_no_score": N_(
            "Satisfaction is low; {volume_tier} volume, revenue {revenue_window:,.0f} in the "
            "last {window_months} months, {complaints:.0f} complaints."
        ),
    },
    "relationship_plan": {
        "title": N_("Agree a relationship plan"),
        "reason": N_(
            "Medium volume: revenue {revenue_window:,.0f} in the last {window_months} months "
            "over {orders:.0f} orders, satisfaction {satisfaction_tier}; a plan of regular "
            "contact and tailored offers can move them up."
        ),
    },
    "win_back": {
        "title": N_("Win back"),
        "reason": N_(
            "Last bought {recency_days:.0f} days ago; usually buys every {gap_days:.0f} days; "
            "P(alive) {p_alive:.0%}."
        ),
        "reason_overdue": N_(
            "Last bought {recency_days:.0f} days ago; usually buys every {gap_days:.0f} days."
        ),
        "reason_p_alive": N_(
            "Last bought {recency_days:.0f} days ago; P(alive) {p_alive:.0%}, below "
            "{p_alive_threshold:.0%}."
        ),
    },
    "complaint_follow_up": {
        "title": N_("Follow up the open complaint"),
        "reason": N_(
            "Complaint of {complaint_date:%Y-%m-%d} ({days_open} days ago) has no resolution "
            "recorded; open complaints: {open_complaints}."
        ),
    },
    "cross_sell": {
        "title": N_("Offer {category}"),
        "reason": N_(
            "{confidence:.0%} of customers who buy {antecedent} also buy {category} "
            "(lift {lift:.1f}); this customer has never bought {category}."
        ),
    },
    "cost_to_serve_review": {
        "title": N_("Review the cost to serve"),
        "reason": N_(
            "Profit {profit:,.0f} on revenue {revenue:,.0f}; {contacts:.0f} contacts and "
            "{complaints:.0f} complaints so far. Review discounts, service level and order "
            "minimums."
        ),
    },
    "thank_you_referral": {
        "title": N_("Thank and ask for a referral"),
        "reason": N_(
            "Top-tier customer: revenue {revenue_window:,.0f} in the last {window_months} "
            "months, {orders:.0f} orders since {first_purchase:%Y-%m-%d}."
        ),
    },
    "grow_share_of_wallet": {
        "title": N_("Grow share of wallet"),
        "reason": N_(
            "Most growable customer: revenue {revenue_window:,.0f} in the last "
            "{window_months} months; find the needs a competitor still serves."
        ),
        "reason_wallet": N_(
            "Most growable customer: revenue {revenue_window:,.0f} in the last "
            "{window_months} months is {share_of_wallet:.0%} of an estimated wallet of "
            "{wallet:,.0f}."
        ),
    },
}


_BUILTIN_TEXTS = frozenset(TEXTS)


NOT_AVAILABLE = N_("n/a")


# The words of an action's codes, from the one vocabulary (analysis.vocabulary): a volume or
# satisfaction level as a reason says it ("high"), an action family ("growth") and an
# action channel ("phone", "internal").
action_level_label = labeller("action_level")
action_family_label = labeller("action_family")
action_channel_label = labeller("action_channel")


def missing(value: Any) -> bool:
    """None, NaN, NaT or pd.NA (a value that is not equal to itself)."""
    try:
        return value is None or bool(value != value)
    except (TypeError, ValueError):
        return True


class _NotAvailable:
    """Stands in for a missing value: formats as "n/a" whatever the format spec."""

    def __format__(self, spec: str) -> str:
        return i18n.lookup(NOT_AVAILABLE)


_NA = _NotAvailable()


# Fields of the scores row that are amounts: a text shows them with the currency's symbol.
MONEY_FIELDS = frozenset({"revenue", "revenue_window", "revenue_prev_window", "profit", "wallet", "potential",
                          "gap", "margin", "cost_to_serve", "clv"})


class Fill(dict):
    """Placeholder values for str.format_map: the given values first, then the customer's
    row; a missing value becomes "n/a"; an amount (:data:`MONEY_FIELDS`) is written with
    ``currency`` before it, whatever number format the text asks for ("{profit:,.0f}")."""

    def __init__(self, values: dict[str, Any], row: dict[str, Any] | None = None, currency: str = ""):
        super().__init__(values)
        self.row = row or {}
        self.currency = currency

    def __missing__(self, key: str) -> Any:
        if key not in self.row:
            raise KeyError(key)
        return self.row[key]

    def __getitem__(self, key: str) -> Any:
        return fill_value(key, super().__getitem__(key), self.currency)


def fill_value(key: str, value: Any, currency: str) -> Any:
    """Placeholder ``key``'s ``value`` as a text gets it: "n/a" when missing, an amount
    (:data:`MONEY_FIELDS`) with ``currency`` before it, anything else as it is."""
    if missing(value):
        return _NA
    if key in MONEY_FIELDS and isinstance(value, (int, float)) and not isinstance(value, bool):
        return i18n.Amount(value, currency)
    return value


def render(action: str, key: str = "reason", _row: dict[str, Any] | None = None, **values: Any) -> str:
    """The text ``key`` of ``action`` from :data:`TEXTS`, filled with ``values`` (then
    ``_row``); a missing value prints as "n/a". Built-in texts are in the current language."""
    return i18n.lookup(TEXTS[action][key]).format_map(Fill(values, _row))
