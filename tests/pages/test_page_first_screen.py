"""The app's first screen (issue 15 §2: under 3 s): a manager opens the app on a workspace and
reads the Overview; the figures are right and nothing the first screen does not need is
loaded (SciPy and scikit-learn take seconds to import; they wait for the page that needs them).

Run in a fresh interpreter: the test process itself has imported everything already."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]

OPEN_FIRST_SCREEN = """
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=300)
at.session_state["workspace_path"] = sys.argv[2]
at.run()
print(json.dumps({
    "errors": [str(e.value) for e in at.exception],
    "title": at.title[0].value if at.title else None,
    "metrics": {m.label: m.value for m in at.metric},
    "loaded": sorted(m for m in ("sklearn", "scipy", "jinja2", "kaleido", "pyspark") if m in sys.modules),
}))
"""


def open_first_screen(db: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", OPEN_FIRST_SCREEN, str(ROOT / "app.py"), str(db)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def digits(text: str) -> int:
    return int("".join(c for c in text if c.isdigit()))


def test_first_screen_shows_the_overview_without_loading_the_models(demo_copy):
    with duckdb.connect(str(demo_copy), read_only=True) as con:  # the figures from the raw rows
        customers = con.execute("SELECT count(*) FROM (SELECT customer_id FROM customers UNION "
                            "SELECT customer_id FROM transactions WHERE customer_id IS NOT NULL "
                            "UNION SELECT customer_id FROM interactions WHERE customer_id IS NOT NULL)").fetchone()[0]
        revenue = con.execute("SELECT sum(amount) FROM transactions WHERE customer_id IS NOT NULL").fetchone()[0]
    shown = open_first_screen(demo_copy)
    assert shown["errors"] == []
    assert shown["title"].endswith("Overview")
    assert digits(shown["metrics"]["Customers"]) == customers
    assert digits(shown["metrics"]["Revenue"]) == int(Decimal(revenue).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    # the first screen waits for none of the models' libraries
    assert shown["loaded"] == []


def test_first_screen_computes_the_customer_facts_once(demo_copy, monkeypatch):
    """The headline figures and the region, industry and channel breakdowns read one
    computation of the per-customer facts (each used to compute them again: seconds apiece
    for a million customers); the breakdowns' figures are those of the raw rows."""
    from analysis.identify import facts
    from tests.pagetest import open_page

    with duckdb.connect(str(demo_copy)) as con:  # the figures not stored yet (another test's run may have)
        con.execute("DELETE FROM results WHERE kind = 'overview'")
    built = []
    original = facts._customer_facts
    monkeypatch.setattr(facts, "_customer_facts", lambda *a, **k: built.append(a[1:]) or original(*a, **k))
    at = open_page(demo_copy)
    assert len(built) == 1, built
    with duckdb.connect(str(demo_copy), read_only=True) as con:  # customers per region, from the raw rows
        regions = dict(con.execute(
            "SELECT coalesce(c.region, '(unknown)'), count(*) FROM (SELECT customer_id FROM customers UNION "
            "SELECT customer_id FROM transactions WHERE customer_id IS NOT NULL UNION "
            "SELECT customer_id FROM interactions WHERE customer_id IS NOT NULL) u "
            "LEFT JOIN customers c USING (customer_id) GROUP BY 1").fetchall())
    bars = [json.loads(c.proto.spec)["data"][0].get("customdata") or [] for c in at.get("plotly_chart")]
    by_region = next(b for b in bars if b and {row[0] for row in b} == set(regions))
    assert {row[0]: row[1] for row in by_region} == regions


def _shop_files(seed: int = 11) -> tuple[bytes, bytes, list[tuple[str, str, dt.date, Decimal, str]], dict]:
    """A shop's customer list (some without a region) and its order lines (order, customer,
    date, amount, category; a few refunds), with the rows the test computes from."""
    import csv
    import io
    import random

    rng = random.Random(seed)
    regions = {f"S{c:03d}": rng.choice(["North", "South", "East", ""]) for c in range(90)}
    people, lines = io.StringIO(), io.StringIO()
    w = csv.writer(people)
    w.writerow(["Customer", "Name", "Region"])
    for cid, region in regions.items():
        w.writerow([cid, f"Client {cid}", region])
    rows = []
    w = csv.writer(lines)
    w.writerow(["Order", "Customer", "Date", "Amount", "Category"])
    order = 5000
    for cid in regions:
        for _ in range(rng.randint(0, 4)):
            order += 1
            day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 700))
            for _ in range(rng.randint(1, 2)):  # an order of one or two lines
                amount = Decimal(rng.randint(-2000, 90000)) / 100
                category = rng.choice(["Paper", "Ink", "Desks"])
                w.writerow([order, cid, day.isoformat(), f"{amount}", category])
                rows.append((str(order), cid, day, amount, category))
    return people.getvalue().encode(), lines.getvalue().encode(), rows, regions


def _numbers(values) -> list:
    """A plotly array as numbers (plotly may send a typed array, base64-encoded)."""
    import base64

    import numpy as np

    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def test_the_app_opened_again_shows_the_overview_without_grouping_the_purchase_lines(demo_copy):
    """A manager imports her shop's customer list and orders on the Data page (the scores and
    the Overview's figures are stored then), and opens the app again the next day: the
    Overview's figures are those of her rows, and none of them is computed again from the
    purchase lines (each such pass takes seconds over ten million lines). Every query the
    engine runs for the first screen is recorded; none groups the purchase lines."""
    import ibis
    import streamlit as st

    from tests.pagetest import open_page

    people, orders, rows, regions = _shop_files()
    at = open_page(demo_copy, "data")
    at.text_input(key="data_new_name").set_value("shop").run()
    at.file_uploader(key="data_upload").set_value([("customers.csv", people, "text/csv"),
                                                    ("orders.csv", orders, "text/csv")]).run()
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    shop = demo_copy.parent / "shop.duckdb"

    st.cache_data.clear()  # the next day: the app started again, nothing in memory
    st.cache_resource.clear()
    queries: list[str] = []
    before = ibis.options.verbose, ibis.options.verbose_log
    ibis.options.verbose, ibis.options.verbose_log = True, queries.append
    try:
        again = open_page(shop)
        cohorts_page = open_page(shop, "cohorts")  # then the Cohorts page
    finally:
        ibis.options.verbose, ibis.options.verbose_log = before
    grouping_lines = [q for q in queries if '"transactions"' in q and "GROUP BY" in q.upper()]
    assert grouping_lines == [], f"{len(grouping_lines)} queries group the purchase lines: {grouping_lines[0][:300]}"

    # the figures from the raw rows
    as_of = max(day for _, _, day, _, _ in rows)
    start = as_of.replace(year=as_of.year - 1)  # the 12-month window: start < date <= as_of
    revenue = {}
    for _, cid, _, amount, _ in rows:
        revenue[cid] = revenue.get(cid, Decimal(0)) + amount
    orders_of = {}
    for order, cid, _, _, _ in rows:
        orders_of.setdefault(cid, set()).add(order)
    active = {cid for _, cid, day, _, _ in rows if day > start}
    shown = {m.label: m.value for m in again.metric}
    assert digits(shown["Customers"]) == len(regions)
    assert digits(shown["Active customers"]) == len(active)
    total = sum(revenue.values())
    assert digits(shown["Revenue"]) == int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    repeat = sum(len(o) >= 2 for o in orders_of.values()) / len(orders_of)
    assert shown["Repeat rate"] == f"{round(repeat * 100)}%"

    charts = [json.loads(c.proto.spec)["data"][0] for c in again.get("plotly_chart")]
    by_month = next(c for c in charts if c.get("customdata") and str(c["customdata"][0][0])[:2] == "20")
    month_revenue = {}
    for _, _, day, amount, _ in rows:
        key = day.strftime("%Y-%m")
        month_revenue[key] = month_revenue.get(key, Decimal(0)) + amount
    assert {row[0]: round(Decimal(str(y)), 2) for row, y in zip(by_month["customdata"], _numbers(by_month["y"]))} \
        == month_revenue
    window_by_region = {}
    for _, cid, day, amount, _ in rows:
        if day > start:
            name = regions[cid] or "(unknown)"
            window_by_region[name] = window_by_region.get(name, Decimal(0)) + amount
    by_region = next(c for c in charts if c.get("customdata") and {r[0] for r in c["customdata"]} <= set(
        window_by_region) | {"(unknown)"} and len(c["customdata"]) >= 3)
    counted = {name: sum((regions[c] or "(unknown)") == name for c in regions) for name in window_by_region}
    assert {r[0]: r[1] for r in by_region["customdata"]} == counted
    assert {r[0]: round(Decimal(str(x)), 2) for r, x in zip(by_region["customdata"], _numbers(by_region["x"]))} == {
        name: window_by_region.get(name, Decimal(0)) for name in counted}

    # the retention triangle: each cell's buyers, from the raw rows
    months_bought = {}
    for _, cid, day, amount, _ in rows:
        if amount > 0:
            months_bought.setdefault(cid, set()).add(day.year * 12 + day.month - 1)
    cohort_of = {cid: min(m) for cid, m in months_bought.items()}
    heat = json.loads(cohorts_page.get("plotly_chart")[0].proto.spec)["data"][0]
    cells = [(cell, z) for row, zs in zip(heat["customdata"], heat["z"]) for cell, z in zip(row, zs)]
    assert len([z for _, z in cells if z is not None]) > 20
    for (key, count, size), z in cells:
        month, offset = key.split("/")
        cohort = int(month[:4]) * 12 + int(month[5:]) - 1
        members = [cid for cid, first in cohort_of.items() if first == cohort]
        assert size == len(members)
        if z is not None:
            assert count == sum(cohort + int(offset) in months_bought[cid] for cid in members), key
