"""The playbook's settings (:class:`ActionSettings`), apart from the playbook itself so that
reading them (the CLI builds its flags from them) does not load the analysis engine."""

from __future__ import annotations

from dataclasses import dataclass


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
    # counting recorded interactions of these kinds.
    fatigue_cap: int = 2
    fatigue_days: int = 30
    fatigue_kinds: tuple[str, ...] = ("contact", "visit", "survey")
    # Rule ids to run; None runs every registered rule.
    enabled: tuple[str, ...] | None = None
