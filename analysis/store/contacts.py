"""The statements of recording one contact (:func:`analysis.interact.contacts.record_interaction`):
whether a customer is known, and the new row. Plain SQL with bound values on the open
transaction's cursor, so that the CLI's ``log`` writes a contact without loading pandas or
Ibis (it starts in well under a second)."""

from __future__ import annotations

from typing import Any

import duckdb

from analysis.store.schema import SCHEMA, quote_ident

INTERACTION_COLUMNS = list(SCHEMA["interactions"])


def known_customer(cur: duckdb.DuckDBPyConnection, customer_id: str) -> bool:
    """True when ``customer_id`` is in the customer list, the purchases or the contacts."""
    return bool(cur.execute(
        'SELECT EXISTS (SELECT 1 FROM "customers" WHERE "customer_id" = ?)'
        ' OR EXISTS (SELECT 1 FROM "transactions" WHERE "customer_id" = ?)'
        ' OR EXISTS (SELECT 1 FROM "interactions" WHERE "customer_id" = ?)',
        [customer_id] * 3).fetchall()[0][0])


def insert_interaction(cur: duckdb.DuckDBPyConnection, row: dict[str, Any]) -> None:
    """Insert one contact (a dict by column name; a missing column is NULL); call inside
    :meth:`~analysis.store.Workspace.transaction`."""
    unknown = set(row) - set(INTERACTION_COLUMNS)
    if unknown:
        raise ValueError(f"unknown columns for interactions: {sorted(unknown)}")
    cols = [c for c in INTERACTION_COLUMNS if c in row]
    cur.execute(f'INSERT INTO "interactions" ({", ".join(quote_ident(c) for c in cols)}) '
                f'VALUES ({", ".join("?" for _ in cols)})', [row[c] for c in cols])
