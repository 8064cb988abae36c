"""Recording a contact with a customer: validate the form, write one row.

Interact, the third step of IDIC (Peppers & Rogers): every contact is recorded so the next
one can build on it, and an answer to a suggested action (``answers_action``) is what the
learning relationship in :mod:`analysis.customize.actions` reads.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from analysis import i18n
from analysis.errors import UserError
from analysis.ids import kept_customer_id
from analysis.i18n import t
from analysis.customize.catalog import TEXTS
from analysis.store import Workspace
from analysis.store.contacts import insert_interaction, known_customer
from analysis.vocabulary import label, labeller

KINDS = ("contact", "complaint", "survey", "visit", "resolution")
CHANNELS = ("phone", "email", "visit", "web", "chat", "letter", "event")
# Outcomes the playbook understands; other text is kept as typed.
OUTCOMES = ("done", "accepted", "resolved", "refused", "not interested", "no answer", "call back later")
# What the app's contact form offers: a complaint is closed one way only, by
# :func:`close_complaints` (the Customer page's "Mark resolved"), never by a kind or an outcome
# picked in the form. The CLI's `log` and imports still take any of the above.
FORM_KINDS = tuple(k for k in KINDS if k != "resolution")
FORM_OUTCOMES = tuple(o for o in OUTCOMES if o != "resolved")
EARLIEST = dt.datetime(1900, 1, 1)  # no contact is dated before it (nor is any imported row)
NOTE_MAX_CHARS = 2000
SHORT_MAX_CHARS = 100  # outcome, recorded_by
# Words a person reads for the codes above: analysis.vocabulary (the codes stay as data).
# Built-in actions whose texts come with their rule (analysis/customize/learned.py), not from
# the playbook's text table: known here without importing the rules' modules (and pandas),
# so `log --answers persuadable` starts as fast as any other `log`.
LEARNED_ACTIONS = frozenset({"persuadable"})


contact_kind_label = labeller("contact_kind")  # "complaint" -> its word in the current language
contact_channel_label = labeller("contact_channel")  # "phone" -> ...
outcome_label = labeller("outcome")  # "no answer" -> ...


def _choice(value: Any, allowed: tuple[str, ...], field: str) -> str:
    text = "" if value is None else str(value).strip().lower()
    if text not in allowed:
        raise UserError(t("{field} {value!r} is not one of: {allowed}.", field=label("contact_field", field),
                          value=value, allowed=", ".join(allowed)))
    return text


def _short_text(value: Any, field: str, limit: int) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if len(text) > limit:
        raise UserError(t("{field} is {length} characters long; at most {limit} are allowed.",
                          field=label("contact_field", field), length=len(text), limit=limit))
    return text or None


def _number(value: Any, field: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UserError(t("{field} {value!r} is not a number.", field=label("contact_field", field), value=value)) from None
    if math.isnan(number) or math.isinf(number):
        raise UserError(t("{field} {value!r} is not a number.", field=label("contact_field", field), value=value))
    return number


def _when(date: Any, now: dt.datetime) -> dt.datetime:
    """The moment of the contact: now, a datetime, or a date (taken as its midnight)."""
    if date is None:
        return now.replace(microsecond=0)
    when = _iso_moment(date)
    if when is None and isinstance(date, str):
        when = _written_moment(date)
    if when is None:  # other forms ("today", "May 2024", numpy dates...): as pandas reads them
        import pandas as pd

        try:
            stamp = pd.Timestamp(date)
        except (TypeError, ValueError):
            raise UserError(t("date {date!r} is not a date; expected e.g. 2024-05-31 or 2024-05-31 14:30.",
                              date=date)) from None
        if pd.isna(stamp):
            raise UserError(t("date {date!r} is not a date; expected e.g. 2024-05-31 or 2024-05-31 14:30.", date=date))
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert(None)
        when = stamp.to_pydatetime()
    if when < EARLIEST:
        raise UserError(t("date {day} is before 1900; enter the day the contact happened.", day=when.date().isoformat()))
    if when > now + dt.timedelta(minutes=1):
        raise UserError(t("date {when:%Y-%m-%d %H:%M} is in the future; record a contact once it has happened.",
                          when=when))
    return when


_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}:\d{2})?")


def _iso_moment(date: Any) -> dt.datetime | None:
    """``date`` as a naive datetime (UTC when it carries a zone) when it is a datetime, a date
    or ISO text (``2024-05-31``, ``2024-05-31 14:30``), the moment pandas would read; None for
    anything else. Without pandas: the CLI's ``log`` starts fast."""
    if isinstance(date, str):
        if not _ISO_MOMENT.fullmatch(date.strip()):
            return None
        try:
            date = dt.datetime.fromisoformat(date.strip())
        except ValueError:
            return None
    if isinstance(date, dt.datetime):
        if type(date) is not dt.datetime:  # a pandas Timestamp (nanoseconds): pandas's own path
            return None
        if date.tzinfo is not None:
            date = date.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return date
    if isinstance(date, dt.date):
        return dt.datetime.combine(date, dt.time())
    return None


def _written_moment(text: str) -> dt.datetime | None:
    """A date written another way ("31 May 2024", "06/29/2026 2pm", "29.06.2026") as a naive
    datetime (UTC when it carries a zone), read without pandas when the text names its year,
    month and day: the moment pandas reads then (pandas reads such text with the same
    parser, python-dateutil). None when pandas must decide: its own words ("today", "now"),
    a date missing its year, month or day (pandas fills them its own way), a zone the parser
    does not know, or text that is no date (pandas's refusal is the error shown)."""
    import warnings

    from dateutil import parser

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # a part the text does not name comes from the default: two defaults tell
            first = parser.parse(text, default=dt.datetime(1, 1, 1))
            second = parser.parse(text, default=dt.datetime(2, 2, 2))
    except (ValueError, OverflowError, TypeError):  # dateutil's ParserError is a ValueError
        return None
    if caught or first != second:
        return None
    if first.tzinfo is not None:
        first = first.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return first


def close_complaints(ws: Workspace, customer_id: str, open_since: Any, on: Any, channel: str = "phone",
                     note: str | None = None) -> int:
    """The one way the app closes a customer's open complaints: a ``resolution`` with outcome
    ``resolved`` that answers the playbook's ``complaint_follow_up``, recorded on the day
    ``on``, at the latest complaint's own time when that is the same day (a resolution at
    midnight would come before it and close nothing). ``open_since`` is the latest open
    complaint's time. Returns the new interaction id; a day before that complaint is refused."""
    import pandas as pd

    latest = pd.Timestamp(open_since).to_pydatetime()
    day = pd.Timestamp(on).date()
    if day < latest.date():
        raise UserError(t("The complaint was made on {complaint}; it cannot be resolved on {date}, before that.",
                          complaint=i18n.date(latest), date=i18n.date(day)))
    when = max(dt.datetime.combine(day, dt.time()), latest)
    return record_interaction(ws, customer_id, kind="resolution", channel=channel, date=when, outcome="resolved",
                              note=note, answers_action="complaint_follow_up", recorded_by="app")


def is_known_customer(ws: Workspace, customer_id: str) -> bool:
    """True when the id is in the customer list, the purchases or the contacts."""
    with ws.reading():
        return known_customer(ws.cursor(), customer_id)


def validate_interaction(
    customer_id: Any,
    kind: Any,
    channel: Any,
    date: Any = None,
    satisfaction: Any = None,
    scale: Any = None,
    outcome: Any = None,
    note: Any = None,
    answers_action: Any = None,
    recorded_by: Any = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The row to store, or a :class:`UserError` naming the field and what is allowed.
    Does not look at the workspace (see :func:`record_interaction` for the customer check)."""
    now = now or dt.datetime.now()
    cid = "" if customer_id is None else kept_customer_id(customer_id)  # as import keeps it
    if not cid:
        raise UserError(t("customer id is empty; enter the id of the customer you contacted."))
    row: dict[str, Any] = {
        "customer_id": cid,
        "kind": _choice(kind, KINDS, "kind"),
        "channel": _choice(channel, CHANNELS, "channel"),
        "occurred_at": _when(date, now),
    }
    value, top = _number(satisfaction, "satisfaction"), _number(scale, "scale")
    if value is None and top is not None:
        raise UserError(t("a scale was given without a satisfaction score; enter the score too."))
    if value is not None:
        top = 5.0 if top is None else top
        if top <= 0:
            raise UserError(t("scale {scale!r} must be greater than 0 (e.g. 5 or 10).", scale=scale))
        if not 0 <= value <= top:
            raise UserError(t("satisfaction {satisfaction!r} is outside 0 to {top:g}.", satisfaction=satisfaction, top=top))
    row["satisfaction"], row["scale"] = value, (top if value is not None else None)
    out = _short_text(outcome, "outcome", SHORT_MAX_CHARS)
    if out is not None and " ".join(out.lower().replace("_", " ").split()) in OUTCOMES:
        out = " ".join(out.lower().replace("_", " ").split())
    row["outcome"] = out
    row["note"] = _short_text(note, "note", NOTE_MAX_CHARS)
    row["recorded_by"] = _short_text(recorded_by, "recorded by", SHORT_MAX_CHARS)
    action = _short_text(answers_action, "answered action", SHORT_MAX_CHARS)
    # A built-in action is known without the rules' modules; another one (a custom rule's) needs them.
    if action is not None and action not in TEXTS and action not in LEARNED_ACTIONS:
        from analysis.customize.actions import known_actions

        if action not in known_actions():
            raise UserError(t("answered action {action!r} is not one of: {allowed}.", action=action,
                              allowed=", ".join(known_actions())))
    row["answers_action"] = action
    return row


def record_interaction(ws: Workspace, customer_id: Any, kind: Any, channel: Any, **details: Any) -> int:
    """Validate and store one interaction; returns its new ``interaction_id``. ``details`` are
    :func:`validate_interaction`'s fields by name (date, satisfaction, scale, outcome, note,
    answers_action, recorded_by).

    The id is taken and the row written in one :meth:`Workspace.transaction`, so two
    people saving at the same moment both get their row, with different ids.
    """
    row = validate_interaction(customer_id, kind, channel, **details)
    if row["answers_action"] is None and row["kind"] == "contact":  # a campaign's contact answers its action
        from analysis.store.campaigns import action_answered

        row["answers_action"] = action_answered(ws, row["customer_id"], row["occurred_at"])
    with ws.transaction() as cur:
        # Checked inside the transaction: two people saving at once both see the customer.
        if not known_customer(cur, row["customer_id"]):
            raise UserError(t(
                "customer {customer_id!r} is not in this workspace; import them (customer "
                "list or purchases) before recording a contact.", customer_id=row["customer_id"]
            ))
        new_id = ws.next_id(cur, "interactions", "interaction_id")
        insert_interaction(cur, {"interaction_id": new_id, **row})
    return new_id
