"""A German seller's Amazon order report (tab-separated, Windows-1252: "Zoë Müller"), with promotions
on some items, imported with no mapping. Amazon's item-price is the line's price before the
item's promotion (item-promotion-discount, which the seller pays): the revenue is item-price less
the promotion. Before this was written the promotions were ignored and the revenue too high,
without a word. The figures are worked out here from the rows the test writes, with Decimal."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from tests.cli import ok_json

HEADER = ["order-id", "order-item-id", "purchase-date", "payments-date", "buyer-email", "buyer-name", "sku",
          "product-name", "quantity-purchased", "currency", "item-price", "item-tax", "shipping-price",
          "shipping-tax", "item-promotion-discount", "ship-city", "ship-state", "ship-country", "sales-channel"]
BUYERS = [("abc123@marketplace.amazon.de", "Zoë Müller", "Bayern"), ("xyz@marketplace.amazon.de", "François Ça", "Hessen")]


def report_rows() -> list[dict]:
    rows = []
    for n in range(10):
        email, name, state = BUYERS[n % 2]
        for k in range(1 + n % 2):
            promo = ["0.00", "-2.00", "1.50", ""][(n + k) % 4]  # Amazon writes it with either sign, or not at all
            rows.append({"order-id": f"302-{1234567 + n}-{7654321 + n}", "order-item-id": f"{40000000000000 + 10 * n + k}",
                         "purchase-date": f"2024-0{1 + n % 9}-1{n}T10:15:00+00:00", "buyer-email": email,
                         "buyer-name": name, "sku": f"SKU-{k}", "product-name": 'Kaffeebecher "Groß"',
                         "quantity-purchased": str(1 + k), "currency": "EUR",
                         "item-price": ["19.99", "258.00"][k], "item-tax": "0.00", "shipping-price": "3.99",
                         "item-promotion-discount": promo, "ship-city": "München", "ship-state": state,
                         "ship-country": "DE", "sales-channel": "Amazon.de"})
    return rows


def test_an_amazon_order_report_takes_the_item_promotions_off_the_revenue(tmp_path, capsys):
    rows = report_rows()
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=HEADER, delimiter="\t", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    src, db = tmp_path / "Orders-report.txt", tmp_path / "amazon.duckdb"
    src.write_bytes(buf.getvalue().encode("cp1252"))
    revenue = {}
    for r in rows:
        line = Decimal(r["item-price"]) - abs(Decimal(r["item-promotion-discount"] or "0"))
        revenue[r["buyer-email"]] = revenue.get(r["buyer-email"], Decimal(0)) + line

    summary = ok_json(capsys, "ingest", src, "--db", db, "--json")
    assert summary["platform"] == "amazon_order_report" and summary["currency"] == "EUR"
    report = ok_json(capsys, "report", "--db", db, "--json")
    assert Decimal(str(report["revenue"])) == sum(revenue.values())
    for email, _, _ in BUYERS:
        profile = ok_json(capsys, "customer", email, "--db", db, "--json")["profile"]
        assert Decimal(str(profile["revenue"])) == revenue[email]
