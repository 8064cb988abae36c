"""Every setting behind the figures, one frozen dataclass per concern, filled by the app's
sidebar and the CLI's flags: :class:`SegmentSettings` (the thresholds behind every segment),
:class:`ActionSettings` (the playbook), :class:`ReportSettings` (segments plus the models:
clusters, CLV horizon, holdout), and :func:`slice_size`.

Nothing here imports the engine, so every part (pyramid, value groups, matrix, RFM, ICP, the
playbook, the report and the scores) reads its settings without importing the others, and the
CLI builds its flags from them without loading the engine.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class ActionSettings:
    """Thresholds of the playbook, the learning relationship and the fatigue cap."""

    window_months: int = 12  # length of the scores' revenue_window, for the texts
    currency: str = ""  # the symbol before amounts in the texts (SegmentSettings.currency)
    # Win-back: overdue when recency > overdue_factor × the customer's median purchase gap.
    overdue_factor: float = 1.5
    min_purchase_days: int = 3
    p_alive_threshold: float = 0.5
    # Days from as_of until an action is due.
    callback_days: int = 3
    complaint_days: int = 1
    win_back_days: int = 7
    offer_days: int = 14
    plan_days: int = 30
    # Cross-sell model.
    crosssell_min_customers: int = 5
    crosssell_min_confidence: float = 0.3
    crosssell_min_lift: float = 1.1
    # Learning relationship: latest answer (interaction.answers_action) per customer/action.
    refused_outcomes: tuple[str, ...] = ("refused", "not interested", "declined")
    done_outcomes: tuple[str, ...] = ("done", "accepted", "resolved", "completed")
    cooloff_days: int = 90
    # A rule whose suggestion has no trigger date counts as re-triggered this often.
    repeat_days: int = 180
    # Contact fatigue: at most fatigue_cap contacts per customer per fatigue_days,
    # counting recorded interactions of these contact kinds (interactions.kind).
    fatigue_cap: int = 2
    fatigue_days: int = 30
    fatigue_contact_kinds: tuple[str, ...] = ("contact", "visit", "survey")
    # Rule ids to run; None runs every registered rule.
    enabled: tuple[str, ...] | None = None

    @property
    def fatigue_kinds(self) -> tuple[str, ...]:
        """The old name of :attr:`fatigue_contact_kinds`, for custom rules that read it."""
        return self.fatigue_contact_kinds


@dataclasses.dataclass(frozen=True)
class ReportSettings:
    """Every setting behind the figures, shared by the report, the pages and the CLI.
    Segment thresholds (window, tier shares, margin, unit costs...) live in ``segments``."""

    segments: SegmentSettings = SegmentSettings()
    k: int | None = None  # clusters; None = chosen by silhouette
    holdout: dt.date | None = None  # CLV calibration end for the holdout check
    horizon_months: int = 12
    annual_discount: float = 0.10
    # Models are fitted on every customer up to this many, above it on a fixed sample of
    # about this many (None = :data:`analysis.identify.facts.LOCAL_ROWS`).
    local_rows: int | None = None
    clv_model: str = "auto"  # the purchase model: auto (chosen by holdout error), bgnbd, mbgnbd, paretonbd, nbd

    @property
    def window_months(self) -> int:
        return self.segments.window_months

    @property
    def margin(self) -> float:
        return self.segments.margin

    @property
    def currency(self) -> str:
        return self.segments.currency

    @classmethod
    def from_args(cls, args, currency: str | None = None) -> "ReportSettings":
        """From CLI flags: one per SegmentSettings field (None = the default); ``currency``
        (the symbol) instead of the flag's text when given."""
        seg: dict[str, Any] = {
            f.name: getattr(args, f.name) for f in dataclasses.fields(SegmentSettings)
            if getattr(args, f.name, None) is not None
        }
        if currency is not None:
            seg["currency"] = currency
        holdout = getattr(args, "holdout", None)
        return cls(segments=SegmentSettings(**seg), k=getattr(args, "k", None),
                   holdout=dt.date.fromisoformat(holdout) if holdout else None,
                   local_rows=getattr(args, "local_rows", None), clv_model=getattr(args, "clv_model", None) or "auto")
