"""One customer's rows, read alone (the Customer page): plain SQL with the customer id and
the as-of date bound, so that showing one customer of a million reads that customer's rows
and the first rows of a list only, and compiles no engine expression (issue 15 §1)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from analysis.store.schema import SCHEMA, quote_ident

if TYPE_CHECKING:  # pandas is imported where frames are built: the CLI's `log` starts without it
    import pandas as pd

#: the columns of a purchase line the timeline shows
LINE_COLUMNS = ("customer_id", "date", "amount", "category", "product", "order_id")


def _frame(ws: Any, sql: str, params: list) -> pd.DataFrame:
    with ws.reading():
        return ws.cursor().sql(sql, params=params).to_arrow_table().to_pandas()


def _day_end(as_of: dt.date) -> dt.datetime:
    return dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())


def purchase_lines(ws: Any, customer_id: str, as_of: dt.date | None) -> pd.DataFrame:
    """The customer's purchase lines on or before ``as_of`` (all when None), in the table's
    order: :data:`LINE_COLUMNS`, amounts as the nearest float to the exact amount (as
    :func:`analysis.store.to_frame` gives them)."""
    picked = ", ".join('CAST("amount" AS DOUBLE) AS "amount"' if c == "amount" else quote_ident(c)
                       for c in LINE_COLUMNS)
    where, params = '"customer_id" = ?', [str(customer_id)]
    if as_of is not None:
        where, params = where + ' AND "date" <= ?', params + [as_of]
    return _frame(ws, f'SELECT {picked} FROM "transactions" WHERE {where}', params)


def contacts(ws: Any, customer_id: str, as_of: dt.date | None) -> pd.DataFrame:
    """Every column of the customer's interactions up to the end of ``as_of`` (all when
    None), in the table's order."""
    picked = ", ".join(quote_ident(c) for c in SCHEMA["interactions"])
    where, params = '"customer_id" = ?', [str(customer_id)]
    if as_of is not None:
        where, params = where + ' AND "occurred_at" < ?', params + [_day_end(as_of)]
    return _frame(ws, f'SELECT {picked} FROM "interactions" WHERE {where}', params)


def contact_details(ws: Any, customer_id: str) -> tuple[Any, Any]:
    """(e-mail, phone) of the customer in the customer list, (None, None) when unlisted."""
    with ws.reading():
        row = ws.cursor().execute('SELECT "email", "phone" FROM "customers" WHERE "customer_id" = ? LIMIT 1',
                                  [str(customer_id)]).fetchone()
    return (None, None) if row is None else (row[0], row[1])


def top_category(ws: Any, customer_id: str, as_of: dt.date) -> str | None:
    """The category of the customer's largest net revenue up to ``as_of`` (ties by name; a
    line without a category counts as "(none)"), as ``analysis.identify.facts.category_revenue``
    sums it (exact decimals); None without purchases."""
    with ws.reading():
        row = ws.cursor().execute(
            'SELECT coalesce("category", \'(none)\') AS "c", sum("amount") AS "r" FROM "transactions" '
            'WHERE "customer_id" = ? AND "date" <= ? GROUP BY 1 ORDER BY "r" DESC, "c" LIMIT 1',
            [str(customer_id), as_of]).fetchone()
    return None if row is None else row[0]
