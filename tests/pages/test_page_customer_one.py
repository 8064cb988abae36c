"""The Customer page for one customer only (issue 15 §1: it opens in under 1 s at a million
customers): a manager opens the app on a workspace whose scores are stored, goes to the
Customer page in a fresh process, types part of a customer's name and opens them. The
figures shown (revenue, orders, last purchase, the suggested win-back and its reason) are
those of the customer's own raw rows, and the page read that customer only: the uplift
model's library (scikit-learn, seconds to import) is not loaded and every customer's
history inputs are not worked out.

Run in a fresh interpreter: the test process itself has imported everything already."""

from __future__ import annotations

import datetime as dt
import statistics
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb

from tests.pagetest import in_fresh_process

OPEN_CUSTOMER = """
at.switch_page("pages/customer.py").run()
at.text_input(key="cu_search").set_value(args[0]).run()
next(sb for sb in at.selectbox if sb.label == "Customer").set_value(args[1]).run()
actions = next(d.value for d in at.dataframe if "Action" in d.value.columns)
result = {
    "errors": [str(e.value) for e in at.exception],
    "options": list(next(sb for sb in at.selectbox if sb.label == "Customer").options),
    "metrics": {m.label: m.value for m in at.metric},
    "actions": actions.astype(str).to_dict(orient="records"),
    "loaded": sorted(m for m in ("sklearn",) if m in sys.modules),
}
"""


def _store_scores(db: Path) -> dt.date:
    """The workspace as after a shop's import (no campaigns run yet) with its scores stored
    as the Data page stores them."""
    from analysis.identify.facts import resolve_as_of
    from analysis.scores import score_customers
    from analysis.settings import ReportSettings
    from analysis.store import Workspace

    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM campaign_members")
        con.execute("DELETE FROM campaigns")
    with Workspace(db) as ws:
        as_of = resolve_as_of(ws.tables(), None)
        score_customers(ws, as_of, ReportSettings())
    return as_of


def digits(text: str) -> int:
    return int("".join(c for c in text if c.isdigit()))


def test_a_manager_finds_a_lapsed_customer_by_name_and_reads_their_figures_and_win_back(demo_copy):
    as_of = _store_scores(demo_copy)
    cid, typed = "C01967", "nguyen sys"  # a customer who used to buy every week and stopped
    with duckdb.connect(str(demo_copy), read_only=True) as con:  # the figures from the raw rows
        name = con.execute("SELECT name FROM customers WHERE customer_id = ?", [cid]).fetchall()[0][0]
        lines = con.execute("SELECT order_id, date, amount FROM transactions WHERE customer_id = ? AND date <= ?",
                            [cid, as_of]).fetchall()
        matching = [r[0] for r in con.execute(
            "SELECT customer_id FROM customers WHERE lower(name) LIKE ? ORDER BY customer_id", [f"%{typed}%"]).fetchall()]
        stored_inputs = con.execute("SELECT count(*) FROM results WHERE kind = 'action_inputs'").fetchall()[0][0]
    assert stored_inputs == 0
    revenue = sum(Decimal(str(a)) for _, _, a in lines)
    orders = len({o if o is not None else d.isoformat() for o, d, _ in lines})
    days = sorted({d for _, d, _ in lines})
    last = days[-1]
    usual_gap = statistics.median((b - a).days for a, b in zip(days, days[1:]))

    shown = in_fresh_process(OPEN_CUSTOMER, demo_copy, typed, cid)
    assert shown["errors"] == []
    assert [o.split(" — ")[0] for o in shown["options"]] == matching  # every customer the text names
    m = shown["metrics"]
    assert digits(m["Revenue (all time)"]) == int(revenue.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert digits(m["Orders"]) == orders
    assert m["Last purchase"] == f"{last.day} {last:%b %Y}"
    assert m["Buys every"] == f"{usual_gap:g} days"
    assert shown["actions"], shown["actions"]
    win_back = [a for a in shown["actions"] if a["Action"] == "Win back"]
    assert len(win_back) == 1
    reason = win_back[0]["Why"]
    assert reason.startswith(f"Last bought {(as_of - last).days} days ago; usually buys every {usual_gap:g} days;")
    assert typed in name.lower() and cid in matching
    # one customer read: no uplift model library, no history inputs of every customer
    assert shown["loaded"] == []
    with duckdb.connect(str(demo_copy), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM results WHERE kind = 'action_inputs'").fetchall()[0][0] == 0


def test_a_manager_finds_customers_by_e_mail_and_unlisted_buyers_without_reading_the_purchase_lines(demo_copy):
    """The search matches the id, the name and the e-mail of the customer list, and finds a
    buyer the list does not name among the stored scores' customers: typing a few letters
    does not scan every purchase line."""
    import ibis

    from tests.pagetest import open_page

    with duckdb.connect(str(demo_copy)) as con:  # a shop's orders naming a customer not on its list
        con.execute("INSERT INTO transactions (order_id, customer_id, date, amount, category) VALUES "
                    "('X1', 'W00777', DATE '2026-05-02', 120.50, 'Paper'), "
                    "('X2', 'W00777', DATE '2026-06-01', 80.00, 'Paper')")
        by_mail = [r[0] for r in con.execute(
            "SELECT customer_id FROM customers WHERE lower(email) LIKE '%harborcomponents%' ORDER BY 1").fetchall()]
    assert by_mail
    _store_scores(demo_copy)
    at = open_page(demo_copy, "customer")
    queries: list[str] = []
    before = ibis.options.verbose, ibis.options.verbose_log
    ibis.options.verbose, ibis.options.verbose_log = True, queries.append
    try:
        at.text_input(key="cu_search").set_value("HarborComponents").run()
        found_by_mail = [o.split(" — ")[0] for o in next(sb for sb in at.selectbox if sb.label == "Customer").options]
        searched = list(queries)
        at.text_input(key="cu_search").set_value("w0077").run()
        found_unlisted = [o.split(" — ")[0] for o in next(sb for sb in at.selectbox if sb.label == "Customer").options]
    finally:
        ibis.options.verbose, ibis.options.verbose_log = before
    assert not at.exception, at.exception
    assert found_by_mail[:len(by_mail)] == by_mail
    assert found_unlisted == ["W00777"]
    assert {m.label: m.value for m in at.metric}["Orders"] == "2"
    assert searched and not [q for q in searched if '"transactions"' in q and "LIKE" in q.upper() or
                             '"transactions"' in q and "CONTAINS" in q.upper() or
                             '"transactions"' in q and "STRPOS" in q.upper()]
