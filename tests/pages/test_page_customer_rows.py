"""One customer's page reads that customer's rows (issue 15 §1): a manager imports her shop's
orders and her service desk's contacts on the Data page, then opens the Customer page on a
customer who bought several times, answered a survey and complained. The figures shown
(revenue, last 12 months, orders, last purchase, purchase cycle, satisfaction, the events of
the timeline, the open complaint) are those of the customer's own CSV rows; and no engine
query reads the purchase lines: the facts come from the scores stored after the import,
the timeline and the complaint from that customer's rows read alone."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import statistics
from decimal import ROUND_HALF_UP, Decimal

from tests.pagetest import import_files

SEED = 7
WHO = "M007"


def _files(seed: int = SEED) -> tuple[list[tuple[str, bytes]], list[list], list[list]]:
    """(the CSV files, the order rows, the contact rows)."""
    rng = random.Random(seed)
    print("seed", seed)
    orders = [["Order", "Customer", "Date", "Amount", "Category"]]
    contacts = [["Customer", "Date", "Type", "Satisfaction", "Note"]]
    order = 100
    for n in range(1, 31):
        cid = f"M{n:03d}"
        days = sorted(rng.sample(range(1, 300), rng.randint(1, 6) if cid != WHO else 5))
        for day in days:
            order += 1
            orders.append([f"A{order}", cid, (dt.date(2025, 1, 1) + dt.timedelta(days=day)).isoformat(),
                           f"{rng.randint(500, 60000) / 100:.2f}", rng.choice(["Tea", "Cups"])])
        if n % 4 == 0:
            contacts.append([cid, "2025-06-02", "call", "", "asked about prices"])
    contacts.append([WHO, "2025-05-10", "survey", "4", "happy with the tea"])
    contacts.append([WHO, "2025-09-20", "complaint", "", "parcel arrived broken"])
    files = []
    for name, rows in (("orders.csv", orders), ("contacts.csv", contacts)):
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        files.append((name, out.getvalue().encode()))
    return files, orders[1:], contacts[1:]


def _whole(amount: Decimal) -> str:
    return f"{int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)):,}"


def test_a_manager_opens_one_customer_after_an_import_and_reads_their_own_rows(demo_copy, monkeypatch):
    import importlib

    import ibis

    files, orders, contacts = _files()
    at = import_files(demo_copy, "teashop", files)
    mine = [r for r in orders if r[1] == WHO]
    days = sorted({dt.date.fromisoformat(r[2]) for r in mine})
    as_of = max(max(dt.date.fromisoformat(r[2]) for r in orders), max(dt.date.fromisoformat(r[1]) for r in contacts))
    start = dt.date(as_of.year - 1, as_of.month, as_of.day)
    revenue = sum(Decimal(r[3]) for r in mine)
    window = sum(Decimal(r[3]) for r in mine if dt.date.fromisoformat(r[2]) > start)
    cycle = statistics.median((b - a).days for a, b in zip(days, days[1:]))

    queries: list[str] = []
    read_for: list[str] = []
    one_customer = importlib.import_module("analysis.store.one_customer")  # the one-customer readers
    for name in ("purchase_lines", "contacts"):
        original = getattr(one_customer, name)
        monkeypatch.setattr(one_customer, name, lambda ws, cid, *a, _f=original: (read_for.append(cid), _f(ws, cid, *a))[1])
    before = ibis.options.verbose, ibis.options.verbose_log
    ibis.options.verbose, ibis.options.verbose_log = True, queries.append
    try:
        at.query_params["customer"] = WHO  # a shared link to the customer
        at.switch_page("pages/customer.py").run()
    finally:
        ibis.options.verbose, ibis.options.verbose_log = before
    assert not at.exception, at.exception

    m = {x.label: x.value for x in at.metric}
    assert m["Revenue (all time)"] == _whole(revenue)
    assert m["Last 12 months"] == _whole(window)
    assert m["Orders"] == str(len(mine))
    assert m["Last purchase"] == f"{days[-1].day} {days[-1]:%b %Y}"
    assert m["Buys every"] == f"{cycle:g} days"
    assert m["Satisfaction (of 5)"] == "4.0"
    events = [e.label for e in at.expander if e.label.startswith("All ")]
    assert events == [f"All {len(mine) + 2} events as a table"]  # the purchases, the survey, the complaint
    complaint = next(d.value for d in at.dataframe if "Note" in d.value.columns and len(d.value) == 1)
    assert complaint["Note"].tolist() == ["parcel arrived broken"]
    # no engine query read the purchase lines; the rows read were this customer's alone
    assert not [q for q in queries if '"transactions"' in str(q)], queries
    assert read_for and set(read_for) == {WHO}
