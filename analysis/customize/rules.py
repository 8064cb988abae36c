"""The rule registry: a rule is a small function ``f(customer: CustomerContext) ->
list[Suggestion]`` registered with ``@rule(id=..., kind=...)`` (``kind`` is the action
family: service, treatment, retention, growth, efficiency). The built-in playbook
(:mod:`analysis.customize.playbook`) uses the same decorator a user's custom rule does."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import pandas as pd

from analysis import i18n
from analysis.customize.catalog import _BUILTIN_TEXTS, TEXTS, Fill, level_label, missing
from analysis.settings import ActionSettings


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
        return None if missing(value) else value

    def get(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        return default if missing(value) else value

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
        fill = Fill({
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
            trigger=None if missing(trigger) else trigger,
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
