"""A consultant uploads the client's ledger as it comes out of the accounts package, on the Data
page: a notes sheet first, the orders on the second sheet under two title rows and a merged
"Order" / "Customer" band, a hidden cost column and an empty one, quantities stored as text,
pound-formatted prices, order dates written three ways (date cells, bare Excel serial numbers,
and day-first text: '13/01/2024' beside '04/02/2024'), and a totals row at the bottom.

The totals row has no date: the import names it (Excel row, column) and imports nothing until
"Skip invalid rows" is ticked. The summary then says how the day-first text dates were read
(before this was written it said nothing, and a '04/02/2024' could have been 2 April for all
the room knew). The figures are worked out here from the rows, with Decimal."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import xlsxwriter

from analysis import i18n
from tests.cli import ok_json, run
from tests.pagetest import open_page

CUSTOMERS = [("C001", "Alice Brown", "London"), ("C002", "Bob Smith", "Leeds"), ("C003", "Chloé Dubois", "Kent"),
             ("C004", "Dan O'Neil", "Leeds")]


def ledger_lines() -> list[dict]:
    lines = []
    for n in range(20):
        cid, name, region = CUSTOMERS[(n // 2) % 4]
        qty, price = 1 + n % 3, [Decimal("12.50"), Decimal("4.99"), Decimal("120.00"), Decimal("0.35")][n % 4]
        discount = Decimal("2.00") if n % 5 == 0 else Decimal(0)
        lines.append({"order": f"SO-{1000 + n // 2}", "day": dt.date(2024, 1 + (n // 2) % 4, 1 + (n // 2 * 3) % 28),
                      "cid": cid, "name": name, "region": region, "product": ["Tea", "Mug", "Kettle", "Kettle"][n % 4],
                      "qty": qty, "price": price, "discount": discount, "total": qty * price - discount,
                      "status": "Cancelled" if n == 7 else "Completed"})
    return lines


def workbook(lines: list[dict]) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    notes = book.add_worksheet("Read me")
    notes.write(0, 0, "Exported from the accounts package by J. Doe")
    sheet = book.add_worksheet("Orders")
    bold, pounds = book.add_format({"bold": True}), book.add_format({"num_format": "£#,##0.00"})
    sheet.write(0, 0, "Acme Ltd - Sales ledger Q1 2024", bold)
    sheet.write(1, 0, "Printed 02/04/2024")
    sheet.merge_range(2, 0, 2, 1, "Order", bold)
    sheet.merge_range(2, 2, 2, 4, "Customer", bold)
    header = ["Order No", "Order Date", "Customer ID", "Customer Name", "Region", "Cost", "", "Product", "Qty",
              "Unit Price", "Discount", "Line Total", "Status"]
    for j, h in enumerate(header):
        sheet.write(3, j, h, bold)
    sheet.set_column(5, 5, None, None, {"hidden": True})
    for i, line in enumerate(lines):
        r = 4 + i
        sheet.write(r, 0, line["order"])
        if i % 3 == 0:
            sheet.write_datetime(r, 1, dt.datetime.combine(line["day"], dt.time()),
                                 book.add_format({"num_format": "dd/mm/yyyy"}))
        elif i % 3 == 1:
            sheet.write_number(r, 1, (line["day"] - dt.date(1899, 12, 30)).days)  # a serial, not formatted
        else:
            sheet.write_string(r, 1, line["day"].strftime("%d/%m/%Y"))
        sheet.write(r, 2, line["cid"])
        sheet.write(r, 3, line["name"])
        sheet.write(r, 4, line["region"])
        sheet.write_number(r, 5, 1.0)
        sheet.write(r, 7, line["product"])
        sheet.write_string(r, 8, str(line["qty"]))  # a number stored as text
        sheet.write_number(r, 9, float(line["price"]), pounds)
        sheet.write_number(r, 10, float(line["discount"]), pounds)
        sheet.write_number(r, 11, float(line["total"]), pounds)
        sheet.write(r, 12, line["status"])
    totals = 4 + len(lines)
    sheet.write(totals, 0, "Total", bold)
    sheet.write_number(totals, 11, float(sum(line["total"] for line in lines)), pounds)
    book.close()
    return buf.getvalue()


def _plain(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def test_a_ledger_workbook_with_a_totals_row_and_day_first_dates_on_the_data_page(demo_copy, tmp_path, capsys):
    lines = ledger_lines()
    data = workbook(lines)
    text_dates = [line["day"] for i, line in enumerate(lines) if i % 3 == 2]
    either = [d for d in text_dates if d.day <= 12 and d.day != d.month]
    decisive = min(d for d in text_dates if d.day > 12)
    assert either and decisive  # the sheet has both kinds, as written above

    at = open_page(demo_copy, "data")
    at.text_input(key="data_new_name").set_value("ledger").run()
    at.file_uploader(key="data_upload").set_value(
        ("Q1 ledger.xlsx", data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="map_0_1_table").value == "transactions"
    at.button(key="data_import").click().run()
    totals_row = 4 + len(lines) + 1
    assert any(f"line {totals_row}, column 'Order Date' is empty" in _plain(e.value) for e in at.error), \
        [e.value for e in at.error]
    assert not (demo_copy.parent / "ledger.duckdb").exists()

    at.checkbox(key="data_skip_invalid").check().run()
    at.button(key="data_import").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    summary = _plain(at.success[0].value)
    first = min(either)  # the summary names the earliest of each
    assert (f"column 'Order Date': dates read day first (day/month/year), as '{decisive:%d/%m/%Y}' shows; "
            f"{len(either)} dates could be read either way, and were read so "
            f"('{first:%d/%m/%Y}' is {i18n.date(first)})") in summary, summary

    db = demo_copy.parent / "ledger.duckdb"
    sold = [line for line in lines if line["status"] == "Completed"]
    revenue: dict[str, Decimal] = {}
    for line in sold:
        revenue[line["cid"]] = revenue.get(line["cid"], Decimal(0)) + line["total"]
    report = ok_json(capsys, "report", "--db", db, "--json")
    assert Decimal(str(report["revenue"])) == sum(revenue.values())
    assert report["kpis"]["buyers"] == len(revenue)
    assert report["kpis"]["orders"] == len({line["order"] for line in sold})
    for cid, amount in revenue.items():
        profile = ok_json(capsys, "customer", cid, "--db", db, "--json")["profile"]
        assert Decimal(str(profile["revenue"])) == amount
        assert profile["first_purchase"][:10] == min(line["day"] for line in sold if line["cid"] == cid).isoformat()
    out = tmp_path / "plan.csv"
    code, _, err = run(capsys, "export", "--db", db, "--out", out)
    assert code == 0, err
    exported = {r["customer_id"]: r for r in csv.DictReader(io.StringIO(out.read_text("utf-8-sig")))}
    assert {(r["customer_id"], r["name"], r["region"]) for r in exported.values()} == set(CUSTOMERS)
