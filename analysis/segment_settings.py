"""The thresholds behind every segment, in one frozen dataclass the app and the CLI fill.

Kept apart from :mod:`analysis.differentiate.segments` so the parts (pyramid, value groups, matrix, RFM,
ICP) can import it without importing each other. ``analysis.differentiate.segments`` re-exports it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from analysis import i18n
from analysis.i18n import t

DEFAULT_WINDOW_MONTHS = 12  # the activity window; analysis.identify.facts re-exports it


@dataclass(frozen=True)
class SegmentSettings:
    """Segment thresholds. Shares are fractions of the active customers (0.2 = 20%).

    window_months: length of the activity window; a customer is active with a purchase in it.
    top_share, big_share, medium_share: pyramid slices of the active customers ranked by
        window revenue (first 1%, next 4%, next 15%; the rest are small). Each slice's size
        is rounded up, so a business with under 100 active customers still has a top one.
    margin: gross margin on net revenue used for profit (0.30 = 30%).
    cost_per_contact, cost_per_complaint, cost_per_refund: cost to serve, per contact
        (any interaction but a survey), per complaint (on top of its contact cost) and per
        refund line, counted within the window.
    mvc_share: Most Valuable Customers = this top share of active customers by profit.
    mcc_share: Most Growable Customers = this top share of active customers by the gap
        between potential and actual window revenue.
    satisfaction_high, satisfaction_low: on the 5-point equivalent, a latest survey >= high
        is "high", <= low is "low", anything between is "medium"; no survey is "none".
    change_pct, change_amount: attitude change = window revenue moved by at least this
        fraction of the previous window's revenue AND at least this amount.
    icp_share: the ideal customer profile is what sets this top share (by window revenue
        among active customers) apart from the rest.
    currency: the symbol put before amounts (``analysis.money.symbol`` of the workspace's
        currency: "¥", "£"); empty when the currency is unknown, so no amount claims one.
    """

    window_months: int = DEFAULT_WINDOW_MONTHS
    top_share: float = 0.01
    big_share: float = 0.04
    medium_share: float = 0.15
    margin: float = 0.30
    cost_per_contact: float = 15.0
    cost_per_complaint: float = 60.0
    cost_per_refund: float = 25.0
    mvc_share: float = 0.20
    mcc_share: float = 0.20
    satisfaction_high: float = 4.0
    satisfaction_low: float = 2.0
    change_pct: float = 0.50
    change_amount: float = 100.0
    icp_share: float = 0.20
    currency: str = ""

    def __post_init__(self):
        shares = {
            "top_share": self.top_share, "big_share": self.big_share,
            "medium_share": self.medium_share, "mvc_share": self.mvc_share,
            "mcc_share": self.mcc_share, "icp_share": self.icp_share,
        }
        for name, value in shares.items():
            if not 0 <= value <= 1:
                raise ValueError(t("{name} must be between 0 and 1, got {value}", name=name, value=value))
        if self.top_share + self.big_share + self.medium_share > 1:
            raise ValueError(t("top_share + big_share + medium_share must not exceed 1"))
        if self.window_months < 1:
            raise ValueError(t("window_months must be at least 1, got {value}", value=self.window_months))
        if self.satisfaction_low >= self.satisfaction_high:
            raise ValueError(t("satisfaction_low must be below satisfaction_high"))


def slice_size(n, share: float):
    """How many of ``n`` ranked customers a share covers: ``ceil(n * share)``, with a tiny
    tolerance so that 100 x 0.05 is 5, not 6. ``n`` may be an int or an Ibis expression."""
    if isinstance(n, (int, float)):
        return math.ceil(n * share - 1e-9)
    return (n * share - 1e-9).ceil()


def money(value: float, currency: str = "") -> str:
    """An amount for a sentence: ``$12,340``, ``-$85`` (:func:`analysis.i18n.money`)."""
    return i18n.money(value, currency)
