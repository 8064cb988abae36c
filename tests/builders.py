"""Tiny hand-built workspaces for tests: rows in, a real Workspace file out.

    ws = make_workspace(tmp_path,
        customers=[{"customer_id": "c1", "region": "North"}],
        transactions=[{"customer_id": "c1", "date": "2024-05-01", "amount": 100}],
        interactions=[{"customer_id": "c1", "occurred_at": "2024-05-02", "kind": "complaint"}])

Import as ``from tests.builders import make_workspace``. Missing columns are NULL; interactions get ids 1, 2, ... and kind "call" unless given;
dates may be strings. Other test files may import these helpers.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.store import Workspace


def _frame(rows: list[dict], dates: tuple[str, ...] = (), stamps: tuple[str, ...] = ()) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for col in dates:
        if col in frame:
            frame[col] = pd.to_datetime(frame[col]).dt.date
    for col in stamps:
        if col in frame:
            frame[col] = pd.to_datetime(frame[col])
    return frame


def add_rows(ws: Workspace, customers=(), transactions=(), interactions=()) -> Workspace:
    """Append rows (lists of dicts) to a workspace in one transaction."""
    # ids read before the transaction: next_id inside it leaves a pending result on the cursor
    first = int(ws.scalar('SELECT coalesce(max("interaction_id"), 0) + 1 FROM "interactions"'))
    with ws.transaction() as cur:
        if customers:
            ws.append(cur, "customers", _frame(list(customers), dates=("signup_date",)))
        if transactions:
            ws.append(cur, "transactions", _frame(list(transactions), dates=("date",)))
        if interactions:
            rows = []
            for n, row in enumerate(interactions):
                row = {"kind": "call", **row}
                row.setdefault("interaction_id", first + n)
                rows.append(row)
            ws.append(cur, "interactions", _frame(rows, stamps=("occurred_at",)))
    return ws


def make_workspace(tmp_path: Path, customers=(), transactions=(), interactions=(), name: str = "w.duckdb") -> Workspace:
    """A new workspace file under ``tmp_path`` holding the given rows."""
    ws = Workspace(Path(tmp_path) / name)
    return add_rows(ws, customers, transactions, interactions)


def buyers(amounts, date: str = "2024-06-01", prefix: str = "c") -> list[dict]:
    """One purchase per customer: ids c001, c002, ... with the given amounts."""
    width = max(3, len(str(len(amounts))))
    return [
        {"customer_id": f"{prefix}{n + 1:0{width}d}", "order_id": f"o{prefix}{n + 1}-{date}", "date": date, "amount": float(a)}
        for n, a in enumerate(amounts)
    ]


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx workbook in memory: {sheet name: rows of cells}; None cells stay empty."""
    import io

    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf)
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
    book.close()
    return buf.getvalue()
