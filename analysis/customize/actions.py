"""Suggested actions: the runner of the rule registry.

A rule is a function ``f(customer: CustomerContext) -> list[Suggestion]`` registered with
``@rule(id=..., family=...)`` (:mod:`analysis.customize.rules`); the built-in one-to-one
playbook (:mod:`analysis.customize.playbook`) uses the same decorator a user's custom rule
does, and its texts are in :mod:`analysis.customize.catalog`. :func:`suggest` runs every rule
over the per-customer scores frame, then applies the *learning relationship* (Peppers &
Rogers, "Managing Customer Relationships", ch. 10: each interaction should teach the firm
something, so an action the customer has already answered is not asked again until their
answer calls for it) and a contact-fatigue cap.

Inputs that need the history (usual purchase interval, open complaints, recent contacts,
answers to earlier actions, cross-sell offers) are computed once with groupbys in
:func:`analysis.customize.inputs.prepare` and read by the rules as attributes of
:class:`CustomerContext`, so the rules never query per customer. A rule may also give a
vectorised ``when`` mask so its function only runs on candidate rows.

This module is the customize room's face: importing it registers the playbook, and the
names a custom rule needs (``rule``, ``Suggestion``, ``CustomerContext``, ``TEXTS``...) are
importable from here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

import ibis
import pandas as pd

from analysis.customize import playbook, runner  # noqa: F401  (registers the built-in rules)
from analysis.customize import learned  # noqa: F401  (registers the rules that learn from campaigns)
from analysis.customize.catalog import TEXTS, render  # noqa: F401  (for custom rules)
from analysis.customize.crosssell import CoPurchaseModel
from analysis.identify.facts import to_date
from analysis.customize.inputs import interactions_as_of, latest_answers, open_complaints, prepare, purchase_gaps  # noqa: F401
from analysis.customize.rules import (  # noqa: F401
    RULES, CustomerColumns, CustomerContext, Rule, Suggestion, known_actions, rule, unregister,
)
from analysis.customize.runner import COPY_COLUMNS, SUGGESTION_COLUMNS  # noqa: F401
from analysis.settings import ActionSettings


# ---------------------------------------------------------------------------------------
# Running the rules (in the engine: :mod:`analysis.customize.runner`).
# ---------------------------------------------------------------------------------------
def suggest(
    scores: pd.DataFrame,
    interactions: pd.DataFrame,
    transactions: pd.DataFrame,
    as_of: Any,
    settings: ActionSettings = ActionSettings(),
    crosssell_model: CoPurchaseModel | None = None,
    rules: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Every registered rule over every customer in ``scores``, after the learning
    relationship, the superseded actions (:attr:`Rule.supersedes`) and the fatigue cap:
    highest priority first, then the longest open (the oldest trigger; actions without a
    trigger after those with one at the same priority).

    Columns: customer_id, action, kind, title, reason, priority, due, channel, name, tier,
    cell, cluster_name, rfm_segment, region, open_since (the day the trigger arose, or None).
    """
    as_of = to_date(as_of)
    ids = list(rules) if rules is not None else (
        list(settings.enabled) if settings.enabled is not None else list(RULES)
    )
    unknown = [r for r in ids if r not in RULES]
    if unknown:
        raise ValueError(f"unknown rule ids {unknown}; registered: {sorted(RULES)}")
    customers = runner.from_frame(prepare(scores, interactions, transactions, as_of, settings, crosssell_model))
    found = runner.plan(customers, answers_memtable(interactions, as_of), as_of, settings, ids).to_pandas()
    return runner.render(found, customers, as_of, settings)


def answers_memtable(interactions: pd.DataFrame, as_of: dt.date) -> ibis.Table | None:
    """The latest answer per (customer, action) up to ``as_of`` as an Ibis table (None without
    any)."""
    answers = latest_answers(interactions_as_of(interactions, as_of))
    if answers.empty:
        return None
    return ibis.memtable(answers.assign(
        customer_id=answers["customer_id"].astype(str), action=answers["action"].astype(str),
        answered_at=pd.to_datetime(answers["answered_at"]), outcome_norm=answers["outcome_norm"].astype("string")))


def customer_actions(
    scores: pd.DataFrame,
    interactions: pd.DataFrame,
    transactions: pd.DataFrame,
    customer_id: str,
    as_of: Any,
    settings: ActionSettings = ActionSettings(),
    crosssell_model: CoPurchaseModel | None = None,
) -> pd.DataFrame:
    """:func:`suggest` for one customer. The cross-sell model is still fitted on every
    customer's purchases (pass ``crosssell_model`` to reuse one)."""
    cid = str(customer_id)
    one = scores[scores["customer_id"].astype(str) == cid]
    if crosssell_model is None and "category" in transactions:
        crosssell_model = CoPurchaseModel(
            settings.crosssell_min_customers, settings.crosssell_min_confidence, settings.crosssell_min_lift
        ).fit(transactions[pd.to_datetime(transactions["date"]) <= pd.Timestamp(as_of)])
    mine = lambda df: df[df["customer_id"].astype(str) == cid]  # noqa: E731
    return suggest(one, mine(interactions), mine(transactions), as_of, settings, crosssell_model)
