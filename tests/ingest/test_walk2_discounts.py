"""A discount larger than the line it is taken off, in the exports a consultant is handed: a Shopify
orders export, a Chinese ERP's invoice lines (GBK, 折扣额) and an Amazon order report (a promotion
larger than the item's price). Before this was written such a line became a refund without a word
(quantity x price - discount < 0), and the revenue was too low. Decision (README, import rules):
the row is invalid, named with its line, column and value like an unreadable amount, and the file
is refused; with --skip-invalid the other rows are imported.

The figures are worked out here from the rows the test writes, with Decimal."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from tests.cli import ok_json, run

SHOPIFY = ["Name", "Email", "Financial Status", "Currency", "Created at", "Lineitem quantity", "Lineitem name",
           "Lineitem price", "Lineitem discount", "Billing Name"]


def write(path, header, rows, encoding="utf-8-sig", delimiter=","):
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def shopify_rows() -> list[dict]:
    rows = []
    for n in range(8):
        for k in range(1 + n % 2):
            line = {"Name": f"#{3000 + n}", "Created at": f"2024-06-{10 + n} 11:00:00 +0200",
                    "Lineitem quantity": str(1 + k), "Lineitem name": ["Mug", "Tea"][k],
                    "Lineitem price": ["15.00", "8.00"][k],
                    "Lineitem discount": "20.00" if (n, k) == (4, 0) else ("16.00" if (n, k) == (3, 1) else "1.50")}
            if k == 0:
                line.update({"Email": ["ann@shop.com", "ben@shop.com"][n % 2], "Financial Status": "paid",
                             "Currency": "EUR", "Billing Name": ["Ann", "Ben"][n % 2]})
            rows.append(line)
    return rows


def test_a_shopify_discount_larger_than_its_line_is_named_and_skipped_not_made_a_refund(tmp_path, capsys):
    rows = shopify_rows()
    src, db = tmp_path / "orders_export.csv", tmp_path / "shop.duckdb"
    write(src, SHOPIFY, rows)
    gross = [Decimal(r["Lineitem quantity"]) * Decimal(r["Lineitem price"]) for r in rows]
    over = [i for i, r in enumerate(rows) if Decimal(r["Lineitem discount"]) > gross[i]]
    assert [rows[i]["Lineitem discount"] for i in over] == ["20.00"]  # 16.00 off 2 x 8.00 is a free line, not more

    code, _, err = run(capsys, "ingest", src, "--db", db)
    assert code == 2
    assert f"line {over[0] + 2}, column 'Lineitem discount': '20.00' is more than the line it is taken off" in err
    assert not db.exists() or ok_json(capsys, "report", "--db", db, "--json")["transactions"] == 0

    summary = ok_json(capsys, "ingest", src, "--db", db, "--skip-invalid", "--json")
    assert summary["skipped"] == 1 and summary["rows"] == len(rows) - 1
    revenue = {}
    email = None
    for i, r in enumerate(rows):
        email = r.get("Email") or email  # Shopify writes the e-mail on the order's first line only
        if i not in over:
            revenue[email] = revenue.get(email, Decimal(0)) + gross[i] - Decimal(r["Lineitem discount"])
    report = ok_json(capsys, "report", "--db", db, "--json")
    assert Decimal(str(report["revenue"])) == sum(revenue.values())
    for who, amount in revenue.items():
        assert Decimal(str(ok_json(capsys, "customer", who, "--db", db, "--json")["profile"]["revenue"])) == amount


def test_an_erp_discount_larger_than_the_invoice_line_is_refused_in_chinese(tmp_path, capsys):
    lines = [{"单据编号": f"XS-{n:03d}", "单据日期": f"2024/3/{1 + n}", "客户编码": f"KH00{n % 2}",
              "客户名称": ["华美贸易", "腾达科技"][n % 2], "商品名称": "保温杯", "数量": "2", "单价": "10.00",
              "折扣额": "50.00" if n == 3 else "1.00", "单据状态": "已审核"} for n in range(6)]
    src, db = tmp_path / "销售出库单.csv", tmp_path / "erp.duckdb"
    write(src, list(lines[0]), lines, encoding="gbk")

    code, _, err = run(capsys, "--lang", "zh", "ingest", src, "--db", db)
    assert code == 2 and "第 5 行，列 '折扣额'：'50.00' 大于它所抵扣的那一行金额" in err

    ok_json(capsys, "ingest", src, "--db", db, "--skip-invalid", "--json")
    kept = [r for r in lines if r["折扣额"] != "50.00"]
    report = ok_json(capsys, "report", "--db", db, "--json")
    assert Decimal(str(report["revenue"])) == sum(Decimal(r["数量"]) * Decimal(r["单价"]) - Decimal(r["折扣额"])
                                                  for r in kept)


def test_an_amazon_promotion_larger_than_the_item_price_is_refused(tmp_path, capsys):
    header = ["order-id", "order-item-id", "purchase-date", "buyer-email", "buyer-name", "product-name",
              "quantity-purchased", "currency", "item-price", "item-promotion-discount"]
    rows = [{"order-id": f"302-{n}", "order-item-id": str(n), "purchase-date": f"2024-05-0{1 + n}T10:00:00+00:00",
             "buyer-email": "x@marketplace.amazon.de", "buyer-name": "Zoë", "product-name": "Becher",
             "quantity-purchased": "1", "currency": "EUR", "item-price": "19.99",
             "item-promotion-discount": "-25.00" if n == 2 else "-2.00"} for n in range(4)]
    src, db = tmp_path / "Orders-report.txt", tmp_path / "amazon.duckdb"
    write(src, header, rows, encoding="cp1252", delimiter="\t")
    code, _, err = run(capsys, "ingest", src, "--db", db)
    assert code == 2 and "line 4, column 'item-promotion-discount': '-25.00' is more than the line" in err
