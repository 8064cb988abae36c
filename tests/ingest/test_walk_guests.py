"""A shop's manager uploads a Shopify orders export in euros, with guest checkouts (orders without an
e-mail), on the Data page, then opens the Overview: the line about the guests' revenue is in the
workspace's currency, as the Revenue tile beside it (it said "53 of revenue" under "€26,164").
The guest revenue is worked out here from the rows the test writes."""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

from tests.pagetest import import_files, open_page

HEADER = ["Name", "Email", "Financial Status", "Currency", "Created at", "Lineitem quantity", "Lineitem name",
          "Lineitem price", "Lineitem discount"]


def shopify_export() -> list[dict]:
    rows = []
    for n in range(12):
        guest = n % 4 == 1  # a point-of-sale order: no e-mail
        for k in range(1 + n % 2):
            line = {"Name": f"#{1001 + n}", "Created at": f"2024-0{1 + n % 9}-1{n % 9} 09:30:00 +0100",
                    "Lineitem quantity": str(1 + k), "Lineitem name": "Mug 😀" if k else "<b>Tea</b>",
                    "Lineitem price": ["12.49", "3.35"][k], "Lineitem discount": "0.00"}
            if k == 0:
                line.update({"Email": "" if guest else f"b{n % 3}@example.com", "Financial Status": "paid",
                             "Currency": "EUR"})
            rows.append(line)
    return rows


def test_the_overview_gives_the_guests_revenue_in_the_workspaces_currency(tmp_path):
    rows = shopify_export()
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=HEADER, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    orders: dict[str, list[dict]] = {}
    for r in rows:
        orders.setdefault(r["Name"], []).append(r)
    guest_lines = [r for lines in orders.values() if not lines[0]["Email"] for r in lines]
    guest_revenue = sum(Decimal(r["Lineitem quantity"]) * Decimal(r["Lineitem price"]) for r in guest_lines)

    import_files(tmp_path / "start.duckdb", "shop", [("orders_export.csv", buf.getvalue().encode("utf-8-sig"))])
    at = open_page(tmp_path / "shop.duckdb")
    caption = next(c.value for c in at.caption if "guest checkouts" in c.value)
    whole = guest_revenue.quantize(Decimal(1), ROUND_HALF_UP)
    assert f"({len(guest_lines)}), €{whole:,} of revenue" in caption, caption
