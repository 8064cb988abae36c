"""Suggested actions: the runner of the rule registry.

A rule is a function ``f(customer: CustomerContext) -> list[Suggestion]`` registered with
``@rule(id=..., kind=...)`` (:mod:`analysis.customize.rules`); the built-in one-to-one
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

import numpy as np
import pandas as pd

from analysis.customize import playbook  # noqa: F401  (registers the built-in rules)
from analysis.customize import learned as learned_rules  # registers the rules that learn from campaigns
from analysis.customize.catalog import TEXTS, render  # noqa: F401  (for custom rules)
from analysis.customize.crosssell import CoPurchaseModel
from analysis.identify.facts import to_date
from analysis.customize.inputs import interactions_as_of, latest_answers, open_complaints, prepare, purchase_gaps  # noqa: F401
from analysis.customize.rules import RULES, CustomerContext, Rule, Suggestion, known_actions, rule, unregister  # noqa: F401
from analysis.settings import ActionSettings


# ---------------------------------------------------------------------------------------
# Running the rules.
# ---------------------------------------------------------------------------------------
COPY_COLUMNS = ["name", "tier", "cell", "cluster_name", "rfm_segment", "region"]
SUGGESTION_COLUMNS = [
    "customer_id", "action", "kind", "title", "reason", "priority", "due", "channel",
    *COPY_COLUMNS, "open_since",
]


def _run_rules(frame: pd.DataFrame, rules: Iterable[Rule], as_of: dt.date, settings: ActionSettings) -> pd.DataFrame:
    rules = list(rules)
    everyone = np.ones(len(frame), dtype=bool)
    masks = [r.when(frame).to_numpy(bool) if r.when is not None else everyone for r in rules]
    union = np.logical_or.reduce(masks) if masks else everyone[:0]
    # One dict per candidate customer, built once and shared by every rule.
    columns = list(frame.columns)
    values = frame[union].to_numpy(dtype=object)
    records = {
        pos: CustomerContext(dict(zip(columns, row)), as_of, settings)
        for pos, row in zip(np.nonzero(union)[0], values)
    }
    rows: list[dict[str, Any]] = []
    for r, mask in zip(rules, masks):
        for pos in np.nonzero(mask)[0]:
            for s in r.func(records[pos]) or ():
                rows.append({**s.__dict__, "kind": r.kind, "rule": r.id})
    columns = [*Suggestion.__dataclass_fields__, "kind", "rule"]
    return pd.DataFrame(rows, columns=columns)


def _learn(found: pd.DataFrame, answers: pd.DataFrame, as_of: dt.date, settings: ActionSettings) -> pd.DataFrame:
    """Drop suggestions the customer's latest answer does not call for."""
    if found.empty or answers.empty:
        return found
    merged = found.merge(answers, on=["customer_id", "action"], how="left")
    repeat = merged["rule"].map(lambda r: RULES[r].repeat_days if r in RULES else None)
    repeat = repeat.fillna(settings.repeat_days).astype(int)
    default_trigger = pd.Timestamp(as_of) - pd.to_timedelta(repeat, unit="D")
    trigger = pd.to_datetime(merged["trigger"]).fillna(default_trigger)
    answered = pd.to_datetime(merged["answered_at"])
    refused = merged["outcome_norm"].isin(settings.refused_outcomes).fillna(False)
    done = merged["outcome_norm"].isin(settings.done_outcomes).fillna(False)
    cooling = refused & ((pd.Timestamp(as_of) - answered.dt.normalize()).dt.days < settings.cooloff_days)
    settled = done & (answered >= trigger)
    return merged[~(cooling | settled).to_numpy(bool)][found.columns]


def _supersede(found: pd.DataFrame) -> pd.DataFrame:
    """Drop the suggestions another suggestion for the same customer supersedes
    (:attr:`Rule.supersedes`): a lapsed top customer gets a win-back, not also a thank-you."""
    pairs = [(r.id, gone) for r in RULES.values() for gone in r.supersedes]
    if found.empty or not pairs:
        return found
    has = set(zip(found["customer_id"], found["action"]))
    dropped = {(c, gone) for c, a in has for winner, gone in pairs if a == winner}
    keep = [(c, a) not in dropped for c, a in zip(found["customer_id"], found["action"])]
    return found[keep]


def _open_since(trigger: pd.Series) -> pd.Series:
    """The day each suggestion's trigger arose (a survey, a complaint, the last purchase) as
    a datetime64 day, NaT for rules without one."""
    return pd.to_datetime(trigger.astype(object), errors="coerce").dt.normalize()


def _cap(found: pd.DataFrame, frame: pd.DataFrame, settings: ActionSettings) -> pd.DataFrame:
    """Keep at most ``fatigue_cap`` capped contacts per customer, less those already recorded
    in the last ``fatigue_days``; the highest priorities stay."""
    capped = found["rule"].map(lambda r: RULES[r].capped if r in RULES else True).astype(bool)
    if found.empty:
        return found
    recent = found["customer_id"].map(frame.set_index("customer_id")["recent_contacts"]).astype(float).fillna(0)
    allowed = (settings.fatigue_cap - recent).clip(lower=0)
    ordered = found.assign(_capped=capped.to_numpy(), _allowed=allowed.to_numpy()).sort_values(
        ["customer_id", "priority", "due", "action"], ascending=[True, False, True, True], kind="stable"
    )
    rank = ordered[ordered["_capped"]].groupby("customer_id").cumcount()
    ordered["_rank"] = rank.reindex(ordered.index).fillna(-1)
    keep = ~ordered["_capped"] | (ordered["_rank"] < ordered["_allowed"])
    return ordered[keep].drop(columns=["_capped", "_allowed", "_rank"])


def suggest(
    scores: pd.DataFrame,
    interactions: pd.DataFrame,
    transactions: pd.DataFrame,
    as_of: Any,
    settings: ActionSettings = ActionSettings(),
    crosssell_model: CoPurchaseModel | None = None,
    rules: Iterable[str] | None = None,
    learned: "learned_rules.Learning | None" = None,
) -> pd.DataFrame:
    """Every registered rule over every customer in ``scores``, after the learning
    relationship, the superseded actions (:attr:`Rule.supersedes`) and the fatigue cap:
    highest priority first, then the longest open (the oldest trigger; actions without a
    trigger after those with one at the same priority).

    Columns: customer_id, action, kind, title, reason, priority, due, channel, name, tier,
    cell, cluster_name, rfm_segment, region, open_since (the day the trigger arose, or None).
    ``learned``: what the measured campaigns teach (:mod:`analysis.customize.learned`).
    """
    as_of = to_date(as_of)
    ids = list(rules) if rules is not None else (
        list(settings.enabled) if settings.enabled is not None else list(RULES)
    )
    unknown = [r for r in ids if r not in RULES]
    if unknown:
        raise ValueError(f"unknown rule ids {unknown}; registered: {sorted(RULES)}")
    frame = prepare(scores, interactions, transactions, as_of, settings, crosssell_model)
    found = _run_rules(frame, (RULES[r] for r in ids), as_of, settings)
    found = learned_rules.apply_lessons(found, learned)  # before the cap: a lowered action yields its place
    if not found.empty:
        found = found.sort_values("priority", ascending=False, kind="stable")
        found = found.drop_duplicates(["customer_id", "action"], keep="first")
        i = interactions_as_of(interactions, as_of)
        found = _learn(found, latest_answers(i), as_of, settings)
        found = _supersede(found)
        found = _cap(found, frame, settings)
    extra = frame.set_index("customer_id").reindex(columns=COPY_COLUMNS)
    out = found.join(extra, on="customer_id")
    opened = _open_since(out["trigger"])
    out = out.assign(_opened=opened).sort_values(
        ["priority", "_opened", "due", "customer_id", "action"], ascending=[False, True, True, True, True],
        kind="stable", ignore_index=True, na_position="last",
    )
    out["open_since"] = out["_opened"].dt.date.astype(object).where(out["_opened"].notna(), None)
    out["priority"] = out["priority"].astype(int)
    return out[SUGGESTION_COLUMNS]


def customer_actions(
    scores: pd.DataFrame,
    interactions: pd.DataFrame,
    transactions: pd.DataFrame,
    customer_id: str,
    as_of: Any,
    settings: ActionSettings = ActionSettings(),
    crosssell_model: CoPurchaseModel | None = None,
    learned: "learned_rules.Learning | None" = None,
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
    return suggest(one, mine(interactions), mine(transactions), as_of, settings, crosssell_model, learned=learned)
