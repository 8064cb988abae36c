"""Codes -> words, in both languages: the one home of what a person reads for each code the
data and the engine use. The codes themselves stay in frames, filters, the URL's parameters
and ``report --json``; only what is shown goes through :func:`label`.

Each family is one sort of code, with one meaning (issue 14: ``kind`` and ``channel`` used to
mean several things):

- ``tier`` (pyramid), ``volume`` / ``satisfaction`` (the matrix's columns and rows),
  ``urgency`` (a matrix cell's level), ``abcd`` (what an ABCD class means), ``direction``
  (attitude change), ``move`` (a customer's move between tiers), ``arm`` (a campaign's groups as
  the app draws them; an imported experiment's own group names are shown as they are);
- ``contact_kind`` (interactions.kind), ``contact_channel`` (interactions.channel),
  ``outcome`` (interactions.outcome), ``contact_field`` (the fields of a contact, in errors);
- ``import_field``: the fields a column of an imported file is mapped to (the Data page's mapping);
- ``event_type``: a row of a customer's timeline, a purchase, a refund or a contact kind;
- ``action_family`` (service, treatment, retention...), ``action_level`` (a volume or
  satisfaction tier as a suggestion's reason says it), ``action_channel`` (how an action is
  carried out: a contact channel, or "internal");
- ``attribute`` (the ideal customer profile's attributes), ``feature`` (the clusters' features),
  ``step`` (the IDIC steps).

Glossary: one word, one meaning, in the code's names as in the UI.

=================  ==========================================================================
word               meaning (where it lives)
=================  ==========================================================================
contact kind       what a contact was: contact, complaint, survey, visit, resolution
                   (``interactions.kind``; ``contact_kind_label``; ``ActionSettings.fatigue_contact_kinds``)
contact channel    how a contact was made: phone, e-mail, visit... (``interactions.channel``;
                   ``contact_channel_label``; the import field ``contact_channel``)
event type         a row of a customer's timeline: purchase, refund or a contact kind
                   (``timeline.customer_events``' ``kind`` column; ``event_type_label``)
action family      the family of a suggested action: service, treatment, retention, growth,
                   efficiency (``@rule(family=...)``, ``Rule.family``; ``action_family_label``)
action channel     how a suggested action is carried out: a contact channel or "internal"
                   (``@rule(channel=...)``; ``action_channel_label``)
sales channel      where a customer buys (``customers.channel``, the import field ``channel``):
                   the user's own words, shown as they are
=================  ==========================================================================

Old names kept so that nothing written against them breaks: ``@rule(kind=...)`` and
``Rule.kind`` (the action family) and ``ActionSettings.fatigue_kinds`` (read only). The CLI's
contracts keep theirs: ``log --kind/--channel`` are a contact's kind and channel, and
``actions --json``'s ``kind`` and ``channel`` are the action family and the action channel.

RFM segment names are their own message ids (:func:`analysis.differentiate.rfm.segment_label`).
The Chinese texts are in the catalogs under ``analysis/locale/zh/`` like every other text.
"""

from __future__ import annotations

from typing import Any, Callable

from analysis.i18n import N_, lookup

NEW_TIER = "(new)"  # previous tier of a customer not yet known at the previous date
NO_SURVEY = "none"  # the satisfaction code of a customer without a survey

_CONTACT_KINDS = {"contact": N_("contact"), "complaint": N_("complaint"), "survey": N_("survey"),
                  "visit": N_("visit"), "resolution": N_("resolution")}
_CONTACT_CHANNELS = {"phone": N_("phone"), "email": N_("email"), "visit": N_("visit"), "web": N_("web"),
                     "chat": N_("chat"), "letter": N_("letter"), "event": N_("event")}

FAMILIES: dict[str, dict[str, str]] = {
    "tier": {
        "top": N_("tier|top"), "big": N_("tier|big"), "medium": N_("tier|medium"), "small": N_("tier|small"),
        "inactive": N_("tier|inactive"), "prospect": N_("tier|prospect"), "suspect": N_("tier|suspect"),
        NEW_TIER: N_("tier|new since then"),
    },
    "volume": {"high": N_("high volume"), "medium": N_("medium volume"), "low": N_("low volume")},
    "satisfaction": {"high": N_("high satisfaction"), "medium": N_("medium satisfaction"),
                     "low": N_("low satisfaction"), NO_SURVEY: N_("no survey")},
    "urgency": {"act": N_("act now"), "plan": N_("plan"), "keep": N_("keep up")},
    "abcd": {
        "A": N_("High volume and high satisfaction: the partners"),
        "B": N_("Medium volume and high satisfaction: loyal but lower value"),
        "C": N_("Low volume: the many small customers, served through retailers and self-service"),
        "D": N_("High or medium volume, medium or low satisfaction: worth a relationship, not yet satisfied, "
                "often from poor communication"),
    },
    "direction": {"falling": N_("falling"), "rising": N_("rising")},
    "arm": {"control": N_("arm|control group"), "target": N_("arm|target group")},
    "move": {"new": N_("move|joined"), "same": N_("stayed"), "up": N_("moved up"), "down": N_("moved down")},
    "contact_kind": _CONTACT_KINDS,
    "contact_channel": _CONTACT_CHANNELS,
    "outcome": {"done": N_("done"), "accepted": N_("accepted"), "resolved": N_("resolved"),
                "refused": N_("refused"), "not interested": N_("not interested"),
                "no answer": N_("no answer"), "call back later": N_("call back later")},
    "contact_field": {"kind": N_("kind"), "channel": N_("channel"), "satisfaction": N_("satisfaction"),
                      "scale": N_("scale"), "outcome": N_("outcome"), "note": N_("note"),
                      "recorded by": N_("recorded by"), "answered action": N_("answered action")},
    "import_field": {  # the fields a column of an imported file can be mapped to (analysis.ingest.mapping)
        "customer_id": N_("field|customer id"), "order_id": N_("field|order id"), "date": N_("field|date"),
        "amount": N_("field|amount"), "quantity": N_("field|quantity"), "unit_price": N_("field|unit price"),
        "discount": N_("field|discount"), "product": N_("field|product"), "category": N_("field|category"),
        "status": N_("field|order status"), "refunded": N_("field|refunded amount"),
        "currency": N_("field|currency"), "name": N_("field|name"), "email": N_("field|e-mail"),
        "phone": N_("field|phone"), "region": N_("field|region"), "city": N_("field|city"),
        "country": N_("field|country"), "address": N_("field|address"), "industry": N_("field|industry"),
        "channel": N_("field|sales channel"), "contact_channel": N_("field|contact channel"), "signup_date": N_("field|signup date"),
        "wallet": N_("field|wallet"), "person_id": N_("field|person id"), "kind": N_("field|contact type"),
        "satisfaction": N_("field|satisfaction"), "scale": N_("field|satisfaction scale"),
        "outcome": N_("field|outcome"), "note": N_("field|note"),
    },
    "event_type": {"purchase": N_("purchase"), "refund": N_("refund"), **_CONTACT_KINDS},
    "action_family": {"service": N_("service"), "treatment": N_("treatment"), "retention": N_("retention"),
                      "growth": N_("growth"), "efficiency": N_("efficiency")},
    "action_level": {"high": N_("high"), "medium": N_("medium"), "low": N_("low"), "none": N_("none")},
    "action_channel": {**_CONTACT_CHANNELS, "internal": N_("internal")},
    "attribute": {"region": N_("region"), "industry": N_("industry"), "channel": N_("channel"),
                  "main_category": N_("main category"), "order_size": N_("order size")},
    "feature": {
        "recency_days": N_("Days since last purchase"),
        "frequency": N_("Orders"),
        "monetary": N_("Net revenue"),
        "avg_order_value": N_("Average order value"),
        "tenure_days": N_("Days as a customer"),
        "satisfaction_5": N_("Satisfaction (of 5)"),
        "has_survey": N_("Answered a survey"),
    },
    "step": {"identify": N_("identify"), "differentiate": N_("differentiate"), "interact": N_("interact"),
             "customize": N_("customize")},
}


def label(family: str, code: Any) -> Any:
    """The word for ``code`` of ``family`` in the current language; an unknown code (a user's
    own value, free text, a missing value) comes back as it is."""
    words = FAMILIES[family]
    return lookup(words[code]) if isinstance(code, str) and code in words else code


def labeller(family: str) -> Callable[[Any], Any]:
    """``label`` of one family as a one-argument function (a picker's ``format_func``, a
    column's formatter)."""
    if family not in FAMILIES:
        raise KeyError(family)
    return lambda code: label(family, code)


def codes(family: str) -> tuple[str, ...]:
    """Every code of ``family`` that has words, in the order above."""
    return tuple(FAMILIES[family])
