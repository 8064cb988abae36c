"""The rule registry. A rule is registered with ``@rule(id=..., family=...)`` (its action
family: service, treatment, retention, growth, efficiency; ``kind=`` is the old name of the
same argument and still accepted) in one of two shapes:

- **an engine rule**: its ``condition``, ``priority``, reason variant (``text``) and
  ``trigger`` are Ibis expressions over the one-row-per-customer table of scores and history
  inputs, so the runner (:mod:`analysis.customize.runner`) selects every customer it applies
  to in the engine (DuckDB or Spark). Its reason's extra figures are written only for the
  rows shown or exported: best given column-wise in ``values`` (a placeholder's column, or a
  function of the customers' columns, :class:`CustomerColumns`; ``values={}`` when the reason
  names only the customer's own fields), else by the decorated function of one customer
  (``f(customer: CustomerContext) -> dict``), called once per row;
- **a Python rule**: a function ``f(customer: CustomerContext) -> list[Suggestion]``, run on
  the rows its vectorised ``when`` mask selects (all customers without one).

The built-in playbook (:mod:`analysis.customize.playbook`) uses the same decorator a user's
custom rule does."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

import pandas as pd

from analysis import i18n
from analysis.customize.catalog import _BUILTIN_TEXTS, TEXTS, Fill, action_level_label, missing
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

    def texts(self, action: str, due_days: int, text: str = "reason", **values: Any) -> tuple[str, str]:
        """(title, reason) of ``action`` from :data:`TEXTS` (the reason variant ``text``),
        filled with this customer's fields, the settings' numbers and ``values``, in the
        current language."""
        fill = Fill({
            "window_months": self.settings.window_months,
            "p_alive_threshold": self.settings.p_alive_threshold,
            "due_days": due_days,
            "volume_tier": action_level_label(self.values.get("volume_tier")),
            "satisfaction_tier": action_level_label(self.values.get("satisfaction_tier")),
            **values,
        }, self.values, self.settings.currency)
        texts = TEXTS[action]
        return i18n.lookup(texts["title"]).format_map(fill), i18n.lookup(texts[text]).format_map(fill)

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
        title, reason = self.texts(action, due_days, text, **values)
        return Suggestion(
            customer_id=str(self.values["customer_id"]),
            action=action,
            title=title,
            reason=reason,
            priority=int(max(0, min(100, round(priority)))),
            due=self.as_of + dt.timedelta(days=int(due_days)),
            channel=channel,
            trigger=None if missing(trigger) else trigger,
        )


class CustomerColumns:
    """The customers of the plan rows whose texts are being written, column by column, for a
    rule's figures computed a column at a time (a function in its ``values`` mapping):
    ``c.wallet`` (or ``c["wallet"]``) is a pandas Series with one value per row, in the
    rows' order (missing values as NaN, None or NaT), ``c.as_of`` and ``c.settings`` as a
    :class:`CustomerContext` has them. Such a function returns one value per row (a Series,
    an array) or one value for all."""

    def __init__(self, read: Callable[[str], pd.Series], as_of: dt.date,
                 settings: ActionSettings = ActionSettings()):
        self._read, self.as_of, self.settings = read, as_of, settings

    def __getitem__(self, name: str) -> pd.Series:
        return self._read(name)

    def __getattr__(self, name: str) -> pd.Series:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._read(name)
        except KeyError:
            raise AttributeError(f"customer has no field {name!r}") from None


# ---------------------------------------------------------------------------------------
# The registry.
# ---------------------------------------------------------------------------------------
# An engine rule's expressions take the customers table (an ``ibis.Table``) and return an
# Ibis value; a number or a string stands for the same constant for every customer.
Expr = Callable[[Any], Any]
# A reason's figures: {placeholder: the customer's column, or f(CustomerColumns) -> one value
# per row}, or f(CustomerContext) -> {placeholder: value}, called per row.
Figures = Mapping[str, "str | Callable[[CustomerColumns], Any]"] | Callable[[CustomerContext], dict[str, Any]]


@dataclass(frozen=True)
class Rule:
    id: str
    family: str  # the action family (analysis.vocabulary's ``action_family``)
    func: Callable[[CustomerContext], list[Suggestion]] | None  # a Python rule's body
    when: Callable[[pd.DataFrame], pd.Series] | None = None
    capped: bool = True  # counts against the contact-fatigue cap
    repeat_days: int | None = None  # overrides ActionSettings.repeat_days
    supersedes: tuple[str, ...] = ()  # actions this one replaces for the same customer
    # an engine rule (see the module docstring); ``condition`` is None for a Python rule
    condition: Expr | None = None
    priority: Expr | float = 0
    text: Expr | str = "reason"
    trigger: Expr | None = None
    due_days: int | str | Callable[[ActionSettings], int] = 0
    channel: str = ""
    # the extra figures of the reason (see ``Figures``)
    values: Figures | None = None

    @property
    def kind(self) -> str:
        """The old name of :attr:`family` (``actions --json`` still calls it ``kind``)."""
        return self.family

    @property
    def in_engine(self) -> bool:
        return self.condition is not None

    def days_due(self, settings: ActionSettings) -> int:
        """The rule's ``due_days``: a number, the name of an :class:`ActionSettings` field or
        a function of the settings."""
        if isinstance(self.due_days, str):
            return int(getattr(settings, self.due_days))
        if callable(self.due_days):
            return int(self.due_days(settings))
        return int(self.due_days)


RULES: dict[str, Rule] = {}


def rule(
    id: str,
    family: str | None = None,
    *,
    kind: str | None = None,
    when: Callable[[pd.DataFrame], pd.Series] | None = None,
    capped: bool = True,
    repeat_days: int | None = None,
    supersedes: Iterable[str] = (),
    title: str | None = None,
    reason: str | None = None,
    replace: bool = False,
    condition: Expr | None = None,
    priority: Expr | float = 0,
    text: Expr | str = "reason",
    trigger: Expr | None = None,
    due_days: int | str | Callable[[ActionSettings], int] = 0,
    channel: str = "",
    values: Figures | None = None,
):
    """Register rule ``id`` of action family ``family`` ("service", "treatment", "retention",
    "growth", "efficiency"; ``kind=`` is its old name, still accepted for rules written
    before: give one of the two).

    With ``condition`` it is an engine rule: ``condition(t)`` (an Ibis boolean over the
    customers table ``t``) picks the customers, ``priority`` (a number or ``f(t)``, rounded
    and clipped to 0-100), ``text`` (the reason variant in :data:`TEXTS`, a key or ``f(t)``),
    ``trigger`` (``f(t)``: the moment the condition arose, or None), ``due_days`` (days, or
    the name of an :class:`ActionSettings` field) and ``channel`` describe the suggestion.
    The title and reason are filled with the customer's fields, the settings' numbers and
    the extra figures ``values`` gives, only for the rows whose texts are shown or exported:

    - a mapping, written a column at a time (no Python call per row): each placeholder
      names the customer's column it reads (``{"category": "crosssell_category"}``) or a
      function of the customers' columns that returns one value per row
      (``{"share": lambda c: c.revenue_window / c.wallet}``, ``c`` a
      :class:`CustomerColumns`); ``values={}`` when the texts name only the customer's own
      fields and the settings' numbers;
    - a function of one customer, ``f(customer: CustomerContext) -> dict``, called once per
      row; without ``values`` the decorated function is that function (as before).

    Without ``condition`` the decorated function is ``f(customer) -> list[Suggestion]`` and
    ``when(frame) -> bool Series`` optionally pre-selects its candidate customers in one
    vectorised step (an Ibis boolean over the customers table works too).

    For both: ``capped=False`` exempts the rule from the contact-fatigue cap (an internal
    review, a service recovery); ``supersedes`` names actions that make no sense next to this
    one for the same customer (a lapsed customer is won back, not thanked): they are dropped
    wherever this one is suggested; ``title``/``reason`` add the rule's texts to
    :data:`TEXTS` under ``id``.
    """

    if (family is None) == (kind is None):
        raise TypeError(f"rule {id!r}: give its action family as family=... (or kind=..., its old name), once")
    family = family if family is not None else kind

    def register(func):
        if id in RULES and not replace:
            raise ValueError(f"a rule with id {id!r} is already registered")
        if title is not None or reason is not None:
            TEXTS[id] = {"title": title or id, "reason": reason or ""}
        if condition is None:
            RULES[id] = Rule(id, family, func, when, capped, repeat_days, tuple(supersedes))
        else:
            RULES[id] = Rule(id, family, None, None, capped, repeat_days, tuple(supersedes), condition,
                             priority, text, trigger, due_days, channel, func if values is None else values)
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
