"""Reviews linked to their customer through the order id (issue 13 §4) link the same way
whatever order the purchase lines were written in, even when an export's order names two
customers."""

from __future__ import annotations

import pytest

from tests.cli import ok_json, run_json

LINES = [("O1", "C2", "10"), ("O1", "C1", "5"), ("O2", "C1", "7")]


@pytest.mark.parametrize("order", [LINES, LINES[::-1]], ids=["C2 first", "C1 first"])
def test_a_review_of_an_order_naming_two_customers_goes_to_the_same_customer_whatever_the_line_order(
        tmp_path, capsys, order):
    purchases, reviews, db = tmp_path / "orders.csv", tmp_path / "reviews.csv", tmp_path / "w.duckdb"
    purchases.write_text("order_id,customer_id,date,amount\n"
                         + "".join(f"{o},{c},2024-01-05,{a}\n" for o, c, a in order), encoding="utf-8")
    reviews.write_text("review_id,order_id,review_score,review_creation_date\nr1,O1,2,2024-01-10\n", encoding="utf-8")
    ok_json(capsys, "ingest", purchases, "--db", db, "--json")
    got = run_json(capsys, "ingest", reviews, "--db", db)
    assert got["linked"] == 1 and got["unlinked"] == 0
    # the smallest of the order's customer ids, as the import rules say; the other has no survey
    one, two = (run_json(capsys, "customer", c, "--db", db) for c in ("C1", "C2"))
    assert one["profile"]["satisfaction_5"] == 2.0 and "survey" in [e["kind"] for e in one["events"]]
    assert two["profile"]["satisfaction_5"] is None and "survey" not in [e["kind"] for e in two["events"]]
