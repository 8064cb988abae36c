"""Suggested actions: a registry of small rules and the built-in one-to-one playbook.

A rule is a function ``f(customer: CustomerContext) -> list[Suggestion]`` registered with
``@rule(id=..., kind=...)``. The built-in playbook below uses the same decorator a user's
custom rule does. :func:`suggest` runs every rule over the per-customer scores frame, then
applies the *learning relationship* (Peppers & Rogers, "Managing Customer Relationships",
ch. 10: each interaction should teach the firm something, so an action the customer has
already answered is not asked again until their answer calls for it) and a
contact-fatigue cap.

Inputs that need the history (usual purchase interval, open complaints, recent contacts,
answers to earlier actions, cross-sell offers) are computed once with groupbys in
:func:`prepare` and read by the rules as attributes of :class:`CustomerContext`, so the
rules never query per customer. A rule may also give a vectorised ``when`` mask so its
function only runs on candidate rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

from analysis import i18n
from analysis.settings import ActionSettings
from analysis.customize.crosssell import CoPurchaseModel
from analysis.identify.facts import to_date
from analysis.i18n import N_
from analysis.vocabulary import label

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
# Words for the codes a reason or a list shows: analysis.vocabulary (the codes stay as data).


def level_label(code: Any) -> Any:
    """"high" / "medium" / "low" (a volume or satisfaction tier) in the current language."""
    return label("action_level", code)


def family_label(code: Any) -> Any:
    """An action family ("retention", "growth", ...) in the current language."""
    return label("action_family", code)


def channel_label(code: Any) -> Any:
    """An action's channel ("phone", "visit", ...) in the current language."""
    return label("action_channel", code)


def _missing(value: Any) -> bool:
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


class _Fill(dict):
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
        value = super().__getitem__(key)
        if _missing(value):
            return _NA
        if key in MONEY_FIELDS and isinstance(value, (int, float)) and not isinstance(value, bool):
            return i18n.Amount(value, self.currency)
        return value


def render(action: str, key: str = "reason", _row: dict[str, Any] | None = None, **values: Any) -> str:
    """The text ``key`` of ``action`` from :data:`TEXTS`, filled with ``values`` (then
    ``_row``); a missing value prints as "n/a". Built-in texts are in the current language."""
    return i18n.lookup(TEXTS[action][key]).format_map(_Fill(values, _row))


# ---------------------------------------------------------------------------------------
# Settings, suggestions and the customer a rule sees.
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Suggestion:
    """One suggested action for one customer. ``trigger`` is the moment the condition
    arose (a survey, a complaint, the last purchase); an answer "done" after it stops the
    suggestion until the next trigger."""

    customer_id: str
    action: str
    title: str
    reason: str
    priority: int
    due: dt.date
    channel: str
    trigger: Any = None  # a date or datetime


@dataclass(frozen=True)
class CustomerContext:
    """One customer's scores row and precomputed inputs, read as attributes
    (``customer.tier``, ``customer.gap_days``). Missing values read as None."""

    values: dict[str, Any]
    as_of: dt.date
    settings: ActionSettings = field(default_factory=ActionSettings)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name in ("values", "as_of", "settings"):
            raise AttributeError(name)
        try:
            value = self.values[name]
        except KeyError:
            raise AttributeError(f"customer has no field {name!r}") from None
        return None if _missing(value) else value

    def get(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        return default if _missing(value) else value

    def suggestion(
        self,
        action: str,
        priority: float,
        *,
        due_days: int,
        channel: str,
        trigger: Any = None,
        text: str = "reason",
        **values: Any,
    ) -> Suggestion:
        """A :class:`Suggestion` whose title and reason come from :data:`TEXTS`, filled
        with this customer's fields, the settings' numbers and ``values``."""
        fill = _Fill({
            "window_months": self.settings.window_months,
            "p_alive_threshold": self.settings.p_alive_threshold,
            "due_days": due_days,
            "volume_tier": level_label(self.values.get("volume_tier")),
            "satisfaction_tier": level_label(self.values.get("satisfaction_tier")),
            **values,
        }, self.values, self.settings.currency)
        texts = TEXTS[action]
        return Suggestion(
            customer_id=str(self.values["customer_id"]),
            action=action,
            title=i18n.lookup(texts["title"]).format_map(fill),
            reason=i18n.lookup(texts[text]).format_map(fill),
            priority=int(max(0, min(100, round(priority)))),
            due=self.as_of + dt.timedelta(days=int(due_days)),
            channel=channel,
            trigger=None if _missing(trigger) else trigger,
        )


# ---------------------------------------------------------------------------------------
# The registry.
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    func: Callable[[CustomerContext], list[Suggestion]]
    when: Callable[[pd.DataFrame], pd.Series] | None = None
    capped: bool = True  # counts against the contact-fatigue cap
    repeat_days: int | None = None  # overrides ActionSettings.repeat_days
    supersedes: tuple[str, ...] = ()  # actions this one replaces for the same customer


RULES: dict[str, Rule] = {}


def rule(
    id: str,
    kind: str,
    *,
    when: Callable[[pd.DataFrame], pd.Series] | None = None,
    capped: bool = True,
    repeat_days: int | None = None,
    supersedes: Iterable[str] = (),
    title: str | None = None,
    reason: str | None = None,
    replace: bool = False,
):
    """Register ``f(customer) -> list[Suggestion]`` as rule ``id`` of family ``kind``.

    ``when(frame) -> bool Series`` optionally pre-selects candidate customers in one
    vectorised step; ``capped=False`` exempts the rule from the contact-fatigue cap (an
    internal review, a service recovery); ``supersedes`` names actions that make no sense
    next to this one for the same customer (a lapsed customer is won back, not thanked):
    they are dropped wherever this one is suggested; ``title``/``reason`` add the rule's
    texts to :data:`TEXTS` under ``id``.
    """

    def register(func):
        if id in RULES and not replace:
            raise ValueError(f"a rule with id {id!r} is already registered")
        if title is not None or reason is not None:
            TEXTS[id] = {"title": title or id, "reason": reason or ""}
        RULES[id] = Rule(id, kind, func, when, capped, repeat_days, tuple(supersedes))
        return func

    return register


def unregister(id: str) -> None:
    """Remove a custom rule ``id`` and the texts it brought. Built-in texts stay."""
    RULES.pop(id, None)
    if id not in _BUILTIN_TEXTS:
        TEXTS.pop(id, None)


def known_actions() -> list[str]:
    """Every action id a rule or the text table knows, sorted."""
    return sorted(set(RULES) | set(TEXTS))


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


# ---------------------------------------------------------------------------------------
# Running the rules.
# ---------------------------------------------------------------------------------------
COPY_COLUMNS = ["name", "tier", "cell", "cluster_name", "rfm_segment", "region"]
SUGGESTION_COLUMNS = [
    "customer_id", "action", "kind", "title", "reason", "priority", "due", "channel",
    *COPY_COLUMNS, "open_since",
]


def normalise_outcome(outcome: pd.Series) -> pd.Series:
    """Outcome text as the rules compare it: lower case, single spaces, '_'/'-' as space."""
    return (
        outcome.astype("string").str.lower()
        .str.replace(r"[_\-\s]+", " ", regex=True).str.strip()
    )


def _day_end(as_of: dt.date) -> pd.Timestamp:
    return pd.Timestamp(as_of) + pd.Timedelta(days=1)


def interactions_as_of(interactions: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The interactions up to the end of ``as_of`` as the rules read them: timestamps,
    text ids, kinds in lower case and ``outcome_norm`` (:func:`normalise_outcome`)."""
    i = interactions.copy()
    i["occurred_at"] = pd.to_datetime(i["occurred_at"])
    i = i[i["occurred_at"] < _day_end(as_of)]
    i["customer_id"] = i["customer_id"].astype(str)
    i["kind"] = i["kind"].astype("string").str.lower().str.strip()
    i["outcome_norm"] = normalise_outcome(i["outcome"]) if "outcome" in i else pd.NA
    return i


def purchase_gaps(transactions: pd.DataFrame, as_of: dt.date, min_purchase_days: int = 3) -> pd.DataFrame:
    """Per customer: purchase days up to ``as_of`` and the median gap in days between
    consecutive purchase days (NaN with fewer than ``min_purchase_days``)."""
    t = transactions[["customer_id", "date"]].copy()
    t["date"] = pd.to_datetime(t["date"]).dt.normalize()
    t["customer_id"] = t["customer_id"].astype(str)
    t = t[t["date"] <= pd.Timestamp(as_of)].drop_duplicates().sort_values(["customer_id", "date"])
    t["gap"] = t.groupby("customer_id")["date"].diff().dt.days
    out = t.groupby("customer_id").agg(purchase_days_seen=("date", "size"), gap_days=("gap", "median"))
    out.loc[out["purchase_days_seen"] < min_purchase_days, "gap_days"] = np.nan
    return out


def open_complaints(interactions: pd.DataFrame) -> pd.DataFrame:
    """The complaints still open among ``interactions`` (as :func:`interactions_as_of` gives
    them), one row each. A complaint is open when no interaction at or after it has outcome
    "resolved" (a ``resolution`` interaction with no outcome also resolves)."""
    i = interactions
    complaints = i[i["kind"].eq("complaint").fillna(False)]
    if complaints.empty:  # (also sidesteps a pandas 3 failure joining two empty Arrow-backed key columns)
        return complaints
    resolves = i["outcome_norm"].eq("resolved").fillna(False) | (
        i["kind"].eq("resolution").fillna(False) & i["outcome_norm"].isna()
    )
    last_resolved = i[resolves].groupby("customer_id")["occurred_at"].max().rename("last_resolved")
    complaints = complaints.join(last_resolved, on="customer_id")
    still = complaints["last_resolved"].isna() | (complaints["occurred_at"] > complaints["last_resolved"])
    return complaints[still].drop(columns="last_resolved")


def complaint_state(interactions: pd.DataFrame) -> pd.DataFrame:
    """Per customer with an open complaint (:func:`open_complaints`): how many, the first and
    the latest open one."""
    open_ = open_complaints(interactions)
    if open_.empty:
        return pd.DataFrame(
            {"open_complaints": pd.Series(dtype=int), "open_complaint_at": pd.Series(dtype="datetime64[us]"),
             "last_open_complaint_at": pd.Series(dtype="datetime64[us]")},
            index=pd.Index([], name="customer_id", dtype=str),
        )
    return open_.groupby("customer_id").agg(
        open_complaints=("occurred_at", "size"),
        open_complaint_at=("occurred_at", "min"),
        last_open_complaint_at=("occurred_at", "max"),
    )


def latest_answers(interactions: pd.DataFrame) -> pd.DataFrame:
    """The latest answer per (customer_id, action): answered_at and normalised outcome."""
    i = interactions[interactions["answers_action"].notna()] if "answers_action" in interactions else interactions.iloc[:0]
    i = i.sort_values("occurred_at", kind="stable")
    last = i.groupby(["customer_id", "answers_action"], as_index=False).last()
    return last.rename(columns={"answers_action": "action", "occurred_at": "answered_at"})[
        ["customer_id", "action", "answered_at", "outcome_norm"]
    ]


PREPARED_COLUMNS = (
    "gap_days", "last_survey", "open_complaints", "open_complaint_at", "last_open_complaint_at",
    "recent_contacts", "crosssell_category", "crosssell_antecedent", "crosssell_confidence", "crosssell_lift",
)


def prepare(
    scores: pd.DataFrame,
    interactions: pd.DataFrame,
    transactions: pd.DataFrame,
    as_of: dt.date,
    settings: ActionSettings = ActionSettings(),
    crosssell_model: CoPurchaseModel | None = None,
) -> pd.DataFrame:
    """The scores frame plus the history inputs the rules read, each computed once:
    gap_days, last_survey, open_complaints, open_complaint_at, last_open_complaint_at,
    recent_contacts, crosssell_category/antecedent/confidence/lift."""
    # the history inputs below are computed here from the interactions; same-named columns
    # of the scores frame (e.g. the facts' last_survey) give way to them
    frame = scores.drop(columns=[c for c in PREPARED_COLUMNS if c in scores.columns])
    frame["customer_id"] = frame["customer_id"].astype(str)
    frame = frame.set_index("customer_id", drop=False)
    i = interactions_as_of(interactions, as_of)
    t = transactions.copy()
    t["customer_id"] = t["customer_id"].astype(str)
    t = t[pd.to_datetime(t["date"]) <= pd.Timestamp(as_of)]

    frame = frame.join(purchase_gaps(t, as_of, settings.min_purchase_days)[["gap_days"]])
    surveys = i[i["satisfaction"].notna()] if "satisfaction" in i else i.iloc[:0]
    frame = frame.join(surveys.groupby("customer_id")["occurred_at"].max().rename("last_survey"))
    frame = frame.join(complaint_state(i))
    frame["open_complaints"] = frame["open_complaints"].fillna(0).astype(int)
    since = _day_end(as_of) - pd.Timedelta(days=settings.fatigue_days)
    recent = i[(i["occurred_at"] >= since) & i["kind"].isin(settings.fatigue_kinds).fillna(False)]
    frame = frame.join(recent.groupby("customer_id").size().rename("recent_contacts"))
    frame["recent_contacts"] = frame["recent_contacts"].fillna(0).astype(int)

    if crosssell_model is None and "category" in t:
        crosssell_model = CoPurchaseModel(
            settings.crosssell_min_customers, settings.crosssell_min_confidence, settings.crosssell_min_lift
        ).fit(t)
    offers = crosssell_model.recommend(t) if crosssell_model is not None and "category" in t else None
    if offers is not None and len(offers):
        offers = offers.set_index("customer_id")[["category", "antecedent", "confidence", "lift"]]
        frame = frame.join(offers.add_prefix("crosssell_"))
    else:
        for col in ("category", "antecedent", "confidence", "lift"):
            frame[f"crosssell_{col}"] = np.nan
    return frame.reset_index(drop=True)


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
    frame = prepare(scores, interactions, transactions, as_of, settings, crosssell_model)
    found = _run_rules(frame, (RULES[r] for r in ids), as_of, settings)
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
