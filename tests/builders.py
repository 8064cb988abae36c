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


_XLSX_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
    'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Orders" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}


def xlsx_from_xml(rows: list[bytes] | None = None, repeat: tuple[bytes, int] | None = None) -> bytes:
    """A one-sheet workbook ("Orders") whose sheet XML is written by hand: ``rows`` (``<row>``
    elements) then ``repeat`` = (row XML, times). A few hundred kilobytes of repeated rows
    expand to millions of rows (a "zip bomb")."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for name, text in _XLSX_PARTS.items():
            book.writestr(name, text)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main"><sheetData>')
            for row in rows or ():
                sheet.write(row)
            if repeat:
                row, times = repeat
                block = row * 10_000
                for _ in range(times // 10_000):
                    sheet.write(block)
                sheet.write(row * (times % 10_000))
            sheet.write(b"</sheetData></worksheet>")
    return buf.getvalue()


def row_counts(monkeypatch, module, name: str) -> list[int]:
    """The number of rows each call of ``module.name`` (a function whose first argument is a
    frame of rows) is given, in call order; the function still runs."""
    sizes: list[int] = []
    real = getattr(module, name)

    def counted(rows, *args, **kwargs):
        sizes.append(len(rows))
        return real(rows, *args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return sizes
