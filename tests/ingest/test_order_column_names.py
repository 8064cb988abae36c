"""A shop owner's till or shop export heads its order numbers "Order", "Order #" or "订单编码":
import keeps them as order ids, so two orders a customer placed on one day are two orders in
the figures (they were counted once per customer-day, without a warning, when the column was
not recognised: fewer orders and a larger average order than the file's)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest

from analysis.cli import main

LINES = [  # order, customer, date, amount: C1 orders twice on 3 March, once by two lines
    ("1001", "C1", "2025-03-03", "120.50"),
    ("1002", "C1", "2025-03-03", "30.25"),
    ("1003", "C2", "2025-03-04", "99.99"),
    ("1003", "C2", "2025-03-04", "0.01"),
    ("1004", "C3", "2025-04-01", "250.00"),
]


@pytest.mark.parametrize("header", ["Order", "Order #", "订单编码"])
def test_an_order_column_named_as_shops_name_it_counts_each_order(tmp_path, capsys, header):
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([header, "Customer", "Date", "Amount"])
    writer.writerows(LINES)
    path = tmp_path / "till.csv"
    path.write_text(text.getvalue(), encoding="utf-8")
    db = tmp_path / "shop.duckdb"

    assert main(["ingest", str(path), "--db", str(db), "--json"]) == 0
    capsys.readouterr()
    assert main(["report", "--db", str(db), "--json"]) == 0
    kpis = json.loads(capsys.readouterr().out)["kpis"]

    orders = len({order for order, *_ in LINES})  # 4 orders, though C1's two share a day
    revenue = sum(Decimal(amount) for *_, amount in LINES)
    assert kpis["orders"] == orders
    assert Decimal(str(kpis["revenue"])) == revenue
    assert kpis["average_order_value"] == pytest.approx(float(revenue / orders), abs=1e-9)
    assert kpis["repeat_rate"] == pytest.approx(1 / 3)  # C1 came back for a second order
