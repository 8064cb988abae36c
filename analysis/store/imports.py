"""The statements of an import (:mod:`analysis.ingest.load`, :mod:`analysis.ingest.mapping`):
each a function taking the cursor of the import's open transaction (``cur``), so that all
the writes of one import land together or not at all. Frames are handed to DuckDB as Arrow
tables registered under a temporary name; values are bound as parameters.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from typing import TYPE_CHECKING, Iterator

from analysis.store.schema import SCHEMA, quote_ident, store_cast

if TYPE_CHECKING:
    import pandas as pd

_view_counter = itertools.count()


@contextlib.contextmanager
def registered(cur, frame: pd.DataFrame) -> Iterator[str]:
    """``frame`` readable by SQL under the (quoted) name given, for the block: as an Arrow table
    (DuckDB scans Arrow in parallel, much faster than a pandas frame of Arrow-backed strings)."""
    import pyarrow as pa

    name = f"_ingest_{next(_view_counter)}"
    cur.register(name, pa.Table.from_pandas(frame, preserve_index=False))
    try:
        yield quote_ident(name)
    finally:
        cur.unregister(name)


# -- the workspace's state ------------------------------------------------------------
def note(cur, key: str) -> str | None:
    """The note kept under ``key`` (e.g. the currency), as the open transaction sees it."""
    row = cur.execute('SELECT "value" FROM "notes" WHERE "key" = ?', [key]).fetchall()
    return row[0][0] if row else None


def has_rows(cur, table: str) -> bool:
    return bool(cur.execute(f"SELECT count(*) FROM {quote_ident(table)}").fetchall()[0][0])


# -- the imports log ----------------------------------------------------------------
def seen(cur, digest: str, table: str, sheet: str | None) -> bool:
    """These bytes (sha256) were imported into ``table`` from this sheet before."""
    return bool(cur.execute(
        'SELECT count(*) FROM "imports" WHERE content_hash = ? AND target_table = ? AND coalesce(sheet, \'\') = ?',
        [digest, table, sheet or ""],
    ).fetchall()[0][0])


def imported_before(cur, file_name: str, table: str) -> bool:
    """A file of this name was imported into ``table`` before."""
    return bool(cur.execute('SELECT count(*) FROM "imports" WHERE file_name = ? AND target_table = ?',
                            [file_name, table]).fetchall()[0][0])


def log_import(cur, import_id: int, file_name: str, sheet: str | None, digest: str, table: str, rows: int,
               skipped: int) -> None:
    """The sheet's row in ``imports``."""
    cur.execute(
        'INSERT INTO "imports" (import_id, file_name, sheet, content_hash, target_table, "rows", skipped_rows, '
        "imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, now())",
        [import_id, file_name, sheet, digest, table, rows, skipped],
    )


# -- remembered mappings --------------------------------------------------------------
def recall_mapping(ws, signature: str) -> tuple[str, dict[str, str]] | None:
    """The (table, mapping) kept for this header signature, if any."""
    row = ws.scalar("SELECT {'table': target_table, 'mapping': mapping_json} FROM \"mappings\" "
                    "WHERE header_signature = ?", [signature])  # one value: no frame (no pandas)
    if row is None:
        return None
    return str(row["table"]), json.loads(row["mapping"])


def remember_mapping(cur, signature: str, table: str, mapping: dict[str, str]) -> None:
    cur.execute(
        'INSERT OR REPLACE INTO "mappings" (header_signature, target_table, mapping_json, saved_at) '
        "VALUES (?, ?, ?, now())",
        [signature, table, json.dumps(mapping, ensure_ascii=False, sort_keys=True)],
    )


# -- writing rows ---------------------------------------------------------------------
def insert_rows(cur, table: str, frame: pd.DataFrame, replace: bool = False) -> None:
    """INSERT (OR REPLACE) the frame's rows, with explicit casts to the store's types
    (:func:`~analysis.store.schema.store_cast`); columns matched by name."""
    if frame.empty:
        return
    cols = [c for c in SCHEMA[table] if c in frame.columns]
    with registered(cur, frame[cols]) as view:
        select = ", ".join(store_cast(table, c, quote_ident(c)) for c in cols)
        cur.execute(
            f"INSERT {'OR REPLACE ' if replace else ''}INTO {quote_ident(table)} ({', '.join(map(quote_ident, cols))}) "
            f"SELECT {select} FROM {view}"
        )


def upsert_customers(cur, frame: pd.DataFrame) -> tuple[int, int]:
    """Insert new customers; fill existing ones' fields from the frame's non-empty cells.
    Returns (new, updated)."""
    with registered(cur, frame[["customer_id"]]) as view:
        existing = {r[0] for r in cur.execute(
            f'SELECT v.customer_id FROM {view} v SEMI JOIN "customers" c ON c.customer_id = v.customer_id'
        ).fetchall()}
    is_old = frame["customer_id"].isin(existing)
    new, old = frame[~is_old], frame[is_old]
    if len(new):
        insert_rows(cur, "customers", new)
    if len(old):
        fields = [c for c in old.columns if c not in ("customer_id", "import_id")]
        with registered(cur, old) as view:
            sets = ", ".join(
                f"{quote_ident(c)} = coalesce({store_cast('customers', c, 'v.' + quote_ident(c))}, "
                f'"customers".{quote_ident(c)})'
                for c in fields
            )
            cur.execute(f'UPDATE "customers" SET {sets} FROM {view} v WHERE "customers".customer_id = v.customer_id')
    return len(new), len(old)


# -- orders and accounts ------------------------------------------------------------------
def known_orders(cur, order_ids: pd.Series) -> set:
    """The order ids among these that are already purchases (with a customer or not) or in the
    order list (orders that were not revenue)."""
    import pandas as pd

    with registered(cur, pd.DataFrame({"order_id": order_ids.astype(object)})) as view:
        return {r[0] for r in cur.execute(
            f'SELECT order_id FROM {view} WHERE order_id IN (SELECT order_id FROM "transactions") '
            f'OR order_id IN (SELECT order_id FROM "guest_purchases") OR order_id IN (SELECT order_id FROM "orders")'
        ).fetchall()}


def replace_earlier_orders(cur, import_id: int) -> tuple[int, int]:
    """Take out the lines that earlier imports wrote for the orders this import gives again (an
    export of the last 90 days after one of the last 30: the same orders in both files), so that
    an order is counted once, as the latest file gives it. An order is given again when this
    import wrote a line of it that is not negative (a returns file's negative lines naming the
    original order leave the sale alone) or listed it as not revenue (an order paid in the first
    file and refunded in the second). Returns (orders, lines) taken out."""
    earlier = cur.execute(
        'SELECT EXISTS (SELECT 1 FROM "transactions" WHERE import_id <> ? AND order_id IS NOT NULL) '
        'OR EXISTS (SELECT 1 FROM "guest_purchases" WHERE import_id <> ? AND order_id IS NOT NULL)',
        [import_id, import_id]).fetchone()[0]
    if not earlier:
        return 0, 0
    given = ('(SELECT order_id FROM "transactions" WHERE import_id = ? AND amount >= 0 '
             'UNION SELECT order_id FROM "guest_purchases" WHERE import_id = ? AND amount >= 0 '
             'UNION SELECT order_id FROM "orders" WHERE import_id = ?)')
    where = f"import_id <> ? AND order_id IN {given}"
    params = [import_id] * 4
    orders, lines = cur.execute(
        f'SELECT count(DISTINCT order_id), count(*) FROM (SELECT order_id FROM "transactions" WHERE {where} '
        f'UNION ALL SELECT order_id FROM "guest_purchases" WHERE {where})', params + params).fetchone()
    if lines:
        for table in ("transactions", "guest_purchases"):
            cur.execute(f"DELETE FROM {quote_ident(table)} WHERE {where}", params)
    return int(orders), int(lines)


def order_links(cur, order_ids: pd.Series, purchases: bool) -> pd.DataFrame:
    """order_id, customer_id, date, status of the given orders among the order lists (table
    ``orders``) and, with ``purchases``, the purchases, already in the workspace or written
    earlier in this import (the same transaction); an order list's row first. The same data
    always links the same way, whatever order its rows were stored in: an order whose purchase
    lines name several customers (an export's error) links to the smallest of their ids."""
    import pandas as pd

    with registered(cur, pd.DataFrame({"order_id": order_ids.astype(object)})) as view:
        bought = ('UNION ALL SELECT order_id, min(customer_id), min("date"), NULL, 1 FROM "transactions" '
                  f'WHERE order_id IN (SELECT order_id FROM {view}) GROUP BY order_id') if purchases else ""
        return cur.execute(
            f'SELECT order_id, customer_id, CAST("date" AS TIMESTAMP) AS "date", status FROM ('
            f'SELECT order_id, customer_id, "date", status, 0 AS "source" FROM "orders" '
            f'WHERE order_id IN (SELECT order_id FROM {view}) {bought}) '
            'ORDER BY order_id, "source", customer_id').df()


def accounts_by_email(cur, import_id: int, table: str) -> int:
    """The e-mail ids this import wrote into ``table`` (a file with no customer id column: the
    e-mail is the id, lower case) that are the e-mail of a customer of the customer list under
    another id (written in any case, with spaces around it): each becomes an account of that
    customer (the smallest id when several share it), so its rows are the customer's
    (:func:`apply_accounts`). Returns how many e-mail ids were so found."""
    mails = ('SELECT lower(trim(email)) AS mail, min(customer_id) AS customer_id FROM "customers" '
             "WHERE email IS NOT NULL AND customer_id <> lower(trim(email)) GROUP BY 1")
    found = (f"SELECT DISTINCT t.customer_id AS account_id, m.customer_id, ? AS import_id FROM {quote_ident(table)} t "
             f"JOIN ({mails}) m ON t.customer_id = m.mail WHERE t.import_id = ? "
             'AND t.customer_id NOT IN (SELECT account_id FROM "accounts")')
    n = cur.execute(f"SELECT count(*) FROM ({found})", [import_id, import_id]).fetchone()[0]
    if n:
        cur.execute(f'INSERT INTO "accounts" {found}', [import_id, import_id])
    return int(n)


def add_accounts(cur, pairs: pd.DataFrame) -> None:
    """Keep (account_id, customer_id, import_id): the account is the customer's."""
    with registered(cur, pairs) as view:
        cur.execute(f'INSERT OR REPLACE INTO "accounts" SELECT account_id, customer_id, import_id FROM {view}')


def apply_accounts(cur) -> None:
    """Every row of an account becomes its person's: purchases and contacts are re-keyed, and an
    account's own customer-list row is merged into the person's (its non-empty values filling
    the person's empty ones) and removed."""
    if not has_rows(cur, "accounts"):
        return
    for table in ("transactions", "interactions"):
        cur.execute(f'UPDATE {quote_ident(table)} SET customer_id = a.customer_id FROM "accounts" a '
                    f"WHERE {quote_ident(table)}.customer_id = a.account_id")
    fields = [c for c in SCHEMA["customers"] if c not in ("customer_id", "import_id")]
    cur.execute('INSERT INTO "customers" (customer_id) SELECT DISTINCT a.customer_id FROM "accounts" a '
                'JOIN "customers" c ON c.customer_id = a.account_id '
                'WHERE a.customer_id NOT IN (SELECT customer_id FROM "customers")')
    sets = ", ".join(f'{quote_ident(f)} = coalesce("customers".{quote_ident(f)}, m.{quote_ident(f)})' for f in fields)
    picks = ", ".join(f"last(c.{quote_ident(f)} ORDER BY c.{quote_ident(f)} IS NOT NULL) AS {quote_ident(f)}"
                      for f in fields)
    cur.execute(f'UPDATE "customers" SET {sets} FROM (SELECT a.customer_id AS person, {picks} FROM "accounts" a '
                f'JOIN "customers" c ON c.customer_id = a.account_id GROUP BY a.customer_id) m '
                f'WHERE "customers".customer_id = m.person')
    cur.execute('DELETE FROM "customers" WHERE customer_id IN (SELECT account_id FROM "accounts")')


def guest_totals(cur, day) -> tuple[int, float, int] | None:
    """(guest purchase lines, their revenue, purchase lines with a customer) on or before
    ``day``; None for a workspace written before guest purchases were kept."""
    import duckdb

    try:
        lines, revenue, others = cur.execute(
            'SELECT (SELECT count(*) FROM "guest_purchases" WHERE "date" <= ?), '
            '(SELECT coalesce(sum("amount"), 0) FROM "guest_purchases" WHERE "date" <= ?), '
            '(SELECT count(*) FROM "transactions" WHERE "date" <= ?)', [day, day, day]).fetchone()
    except duckdb.CatalogException:
        return None
    return int(lines), float(revenue), int(others)
