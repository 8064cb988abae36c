"""A shop owner exports their orders every month, each time "the last 60 days", and imports each
export into the same workspace: the exports overlap, so an order is in two files (and its status
may have changed in between: paid in March's export, refunded in April's). Before this was
written every overlapping order counted twice, with no word in the summary: the revenue was
too high. An order given again replaces the lines an earlier file gave it; a returns file whose
negative lines name the original order leaves the sale alone.

The figures are worked out here from the rows the test writes (the latest export's word on each
order), with Decimal, not by the import's code."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from tests.cli import ok_json

HEADER = ["Name", "Email", "Financial Status", "Currency", "Created at", "Lineitem quantity", "Lineitem name",
          "Lineitem price", "Lineitem discount", "Billing Name", "Refunded Amount"]


def order(n: int, status: str, refunded: str = "0.00") -> list[dict]:
    """Shopify's lines of order #100n: the order-level cells on its first line only."""
    lines = []
    for k in range(1 + n % 3):
        line = {"Name": f"#{1000 + n}", "Created at": f"2024-{3 + n // 10:02d}-{1 + n % 28:02d} 10:00:00 +0100",
                "Lineitem quantity": str(1 + k), "Lineitem name": ["Mug", "Tea, 1kg", "Poster\n(A2)"][k],
                "Lineitem price": ["12.50", "9.99", "45.10"][k], "Lineitem discount": "1.00" if k else "0.00"}
        if k == 0:
            line.update({"Email": f"buyer{n % 4}@example.com", "Financial Status": status, "Currency": "EUR",
                         "Billing Name": f"Buyer {n % 4}", "Refunded Amount": refunded})
        lines.append(line)
    return lines


def write(path, orders: list[list[dict]]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=HEADER, lineterminator="\r\n")
    writer.writeheader()
    for lines in orders:
        writer.writerows(lines)
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))


def revenue(orders: dict[int, list[dict]]) -> Decimal:
    """Net revenue of the orders, each as the latest export gives it."""
    total = Decimal(0)
    for lines in orders.values():
        head = lines[0]
        if head["Financial Status"] not in ("paid", "partially_refunded"):
            continue
        for line in lines:
            total += Decimal(line["Lineitem quantity"]) * Decimal(line["Lineitem price"]) \
                - Decimal(line["Lineitem discount"])
        total -= Decimal(head["Refunded Amount"])
    return total


def test_overlapping_monthly_exports_count_each_order_once_as_the_latest_export_gives_it(tmp_path, capsys):
    march = {n: order(n, "paid") for n in range(0, 20)}
    april = {n: order(n, "paid") for n in range(12, 30)}  # orders 12-19 in both
    april[13] = order(13, "refunded", refunded="0.00")  # refunded since March's export
    april[15] = order(15, "partially_refunded", refunded="5.00")
    db = tmp_path / "shop.duckdb"
    write(tmp_path / "orders_march.csv", list(march.values()))
    write(tmp_path / "orders_april.csv", list(april.values()))

    ok_json(capsys, "ingest", tmp_path / "orders_march.csv", "--db", db, "--json")
    second = ok_json(capsys, "ingest", tmp_path / "orders_april.csv", "--db", db, "--json")

    latest = {**march, **april}
    report = ok_json(capsys, "report", "--db", db, "--json")
    assert Decimal(str(report["revenue"])) == revenue(latest)
    assert report["kpis"]["orders"] == sum(1 for lines in latest.values() if lines[0]["Financial Status"] != "refunded")
    given_twice = set(march) & set(april)
    assert second["files"][0]["orders_replaced"] == len(given_twice)  # every one was revenue in March
    assert second["files"][0]["lines_replaced"] == sum(len(march[n]) for n in given_twice)


def test_a_returns_file_naming_the_original_orders_takes_the_returns_off_and_keeps_the_sales(tmp_path, capsys):
    sales = [{"订单编号": f"SO{n:03d}", "客户编号": f"C{n % 3}", "日期": f"2024-05-{1 + n:02d}", "金额": f"{100 + n}.50"}
             for n in range(9)]
    returns = [{"订单编号": f"SO{n:03d}", "客户编号": f"C{n % 3}", "日期": f"2024-06-{1 + n:02d}", "金额": f"-{10 + n}.00"}
               for n in (1, 4)]
    db = tmp_path / "erp.duckdb"
    for name, rows in (("销售.csv", sales), ("退货.csv", returns)):
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        (tmp_path / name).write_bytes(buf.getvalue().encode("gbk"))
        ok_json(capsys, "ingest", tmp_path / name, "--db", db, "--json")

    report = ok_json(capsys, "report", "--db", db, "--json")
    assert Decimal(str(report["revenue"])) == sum(Decimal(r["金额"]) for r in sales + returns)


def test_guest_orders_of_a_later_export_are_guest_checkouts_not_orders_that_are_not_found(tmp_path, capsys):
    """A later export's point-of-sale orders (no e-mail) are said to be guest checkouts, once; they
    were also listed as "rows that name orders that are not among the orders or purchases" once an
    earlier export had put its unpaid orders in the order list."""
    march = [order(n, "pending" if n == 2 else "paid") for n in range(6)]
    april = [order(n, "paid") for n in range(6, 12)]
    for lines in april[1::2]:
        lines[0]["Email"] = ""  # guest checkouts
    guest_lines = sum(len(lines) for lines in april[1::2])
    db = tmp_path / "shop.duckdb"
    write(tmp_path / "orders_march.csv", march)
    write(tmp_path / "orders_april.csv", april)
    ok_json(capsys, "ingest", tmp_path / "orders_march.csv", "--db", db, "--json")
    second = ok_json(capsys, "ingest", tmp_path / "orders_april.csv", "--db", db, "--json")
    assert second["guest_lines"] == guest_lines
    assert second["unlinked"] == 0 and second["files"][0]["unlinked_examples"] == []
