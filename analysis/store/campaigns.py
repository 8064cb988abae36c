"""Every SQL statement the campaigns need (tables ``campaigns`` and ``campaign_members``,
documented in data/README.md). Values are bound as parameters, identifiers quoted.

A workspace written before campaigns existed and opened read-only has neither table: it then
has no campaigns (the readers below answer empty), and its first write creates them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import duckdb

from analysis.errors import UserError
from analysis.i18n import t
from analysis.store.schema import SCHEMA
from analysis.store.workspace import Workspace

if TYPE_CHECKING:  # pandas is imported where frames are built: the CLI's `log` starts without it
    import pandas as pd

CAMPAIGN_COLUMNS = list(SCHEMA["campaigns"])
MEMBER_COLUMNS = list(SCHEMA["campaign_members"])


def _empty(columns) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def insert_campaign(ws: Workspace, record: dict[str, Any], members: pd.DataFrame) -> int:
    """Store a campaign and its members in one transaction; returns its ``campaign_id``.
    A name already used is the user's error, and nothing is written."""
    import pandas as pd

    with ws.transaction() as cur:
        taken = cur.execute('SELECT count(*) FROM "campaigns" WHERE "name" = ?', [record["name"]]).fetchall()[0][0]
        if taken:
            raise UserError(t("There is already a campaign named {name!r} in this workspace; choose another name.",
                              name=record["name"]))
        campaign_id = ws.next_id(cur, "campaigns", "campaign_id")
        row = pd.DataFrame([{**{c: None for c in CAMPAIGN_COLUMNS}, **record, "campaign_id": campaign_id,
                             "created_at": pd.Timestamp.now().floor("s")}])[CAMPAIGN_COLUMNS]
        row = row.astype({c: object for c in ("action", "channel", "filters_json", "file_name")})
        ws.append(cur, "campaigns", row)
        frame = members.assign(campaign_id=campaign_id)
        frame = frame[[c for c in MEMBER_COLUMNS if c in frame.columns]]
        ws.append(cur, "campaign_members", frame)
    return campaign_id


def campaigns(ws: Workspace) -> pd.DataFrame:
    """Every campaign, newest first, with its number of members and of control customers."""
    try:
        return ws.query(
            'SELECT c.*, count(m."arm") AS "customers", count(m."arm") FILTER (WHERE m."arm" = c."control_arm") '
            'AS "control_customers" FROM "campaigns" c LEFT JOIN "campaign_members" m USING ("campaign_id") '
            'GROUP BY ALL ORDER BY c."created_at" DESC, c."campaign_id" DESC')
    except duckdb.CatalogException:
        return _empty([*CAMPAIGN_COLUMNS, "customers", "control_customers"])


def campaigns_version(ws: Workspace) -> str:
    """A stamp that changes whenever a campaign is stored (created in the app, or an experiment
    imported): the action plan learns from the campaigns and the workshop story tells them, so
    their caches are keyed by it beside the data version. "0-0" without any campaign."""
    try:
        row = ws.query('SELECT coalesce(max("campaign_id"), 0) AS "last", count(*) AS "count" FROM "campaigns"')
    except duckdb.CatalogException:
        return "0-0"
    return f"{int(row['last'].iloc[0])}-{int(row['count'].iloc[0])}"


def campaign(ws: Workspace, name: str) -> dict | None:
    """The campaign named ``name`` as a dict of its columns, or None."""
    try:
        found = ws.query('SELECT * FROM "campaigns" WHERE "name" = ?', [name])
    except duckdb.CatalogException:
        return None
    return None if found.empty else found.iloc[0].to_dict()


def members(ws: Workspace, campaign_id: int) -> pd.DataFrame:
    """The campaign's members in their order."""
    return ws.query('SELECT * FROM "campaign_members" WHERE "campaign_id" = ? ORDER BY "row_number"',
                    [int(campaign_id)])


def target_members(ws: Workspace, campaign_id: int, control_arm: str) -> pd.DataFrame:
    """customer_id and arm of the campaign's members outside its control group, in their
    order (not the features kept with them: a list of a million is read in a moment)."""
    return ws.query('SELECT "customer_id", "arm" FROM "campaign_members" WHERE "campaign_id" = ? AND "arm" <> ? '
                    'ORDER BY "row_number"', [int(campaign_id), str(control_arm)])


def window_purchases(ws: Workspace, campaign_id: int, start: dt.date, days: int) -> pd.DataFrame:
    """Per member with a purchase line from ``start`` to ``start + days`` (excluded): the
    number of purchase lines with a positive amount and the net amount (refunds subtract)."""
    end = start + dt.timedelta(days=int(days))
    return ws.query(
        'SELECT t."customer_id", count(*) FILTER (WHERE t."amount" > 0) AS "purchases", sum(t."amount") AS "amount" '
        'FROM "transactions" t JOIN "campaign_members" m ON m."customer_id" = t."customer_id" '
        'WHERE m."campaign_id" = ? AND t."date" >= ? AND t."date" < ? GROUP BY t."customer_id"',
        [int(campaign_id), start, end])


def window_answers(ws: Workspace, campaign_id: int, action: str, start: dt.date, days: int) -> pd.DataFrame:
    """The contacts recorded for members answering ``action`` in the response window."""
    begin = dt.datetime.combine(start, dt.time())
    end = begin + dt.timedelta(days=int(days))
    return ws.query(
        'SELECT i."customer_id", i."outcome" FROM "interactions" i JOIN "campaign_members" m '
        'ON m."customer_id" = i."customer_id" WHERE m."campaign_id" = ? AND i."answers_action" = ? '
        'AND i."occurred_at" >= ? AND i."occurred_at" < ?', [int(campaign_id), action, begin, end])


def action_answered(ws: Workspace, customer_id: str, when: dt.datetime) -> str | None:
    """The action a contact with ``customer_id`` at ``when`` answers as a campaign member: the
    action of the latest campaign that targeted the customer (not in its control group) and
    whose response window holds that day. None when there is none."""
    day = _day(when)
    try:
        return ws.scalar(
            'SELECT c."action" FROM "campaigns" c JOIN "campaign_members" m USING ("campaign_id") '
            'WHERE m."customer_id" = ? AND m."arm" <> c."control_arm" AND c."action" IS NOT NULL '
            'AND c."start_date" <= ? AND date_diff(\'day\', c."start_date", ?) < c."window_days" '
            'ORDER BY c."start_date" DESC, c."campaign_id" DESC LIMIT 1',
            [str(customer_id), day, day])
    except duckdb.CatalogException:
        return None


def _day(when) -> dt.date:
    """The day of ``when`` (a datetime, a date, or what pandas reads as a moment)."""
    if isinstance(when, dt.datetime):
        return when.date()
    if isinstance(when, dt.date):
        return when
    import pandas as pd

    return pd.Timestamp(when).date()


def last_order_number(ws: Workspace, prefix: str) -> int:
    """The largest number of the order ids written ``prefix`` + digits (0 when none): new
    orders of the demo's simulated campaign responses follow it."""
    return int(ws.scalar(
        'SELECT coalesce(max(CAST(substr("order_id", ?) AS BIGINT)), 0) FROM "transactions" '
        'WHERE starts_with("order_id", ?) AND regexp_full_match(substr("order_id", ?), \'[0-9]+\')',
        [len(prefix) + 1, prefix, len(prefix) + 1]))
