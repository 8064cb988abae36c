"""Cohorts as a user gets them: a shop's order export imported with ``ingest``, ``report --json``'s
``cohorts`` and ``cohort_average``; then the Cohorts page on the demo, a cell picked and its
customers listed. Every figure is recomputed here with pandas from the raw rows."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from analysis.store import Workspace
from tests.cli import import_shop, ok_json as run  # a command's --json output, failing on a non-zero exit
from tests.pagetest import open_page

SEED = 20261206


def orders(n: int = 120) -> pd.DataFrame:
    """Eighteen months of a shop's orders with refunds, ending in the middle of a month."""
    rng = np.random.default_rng(SEED)
    rows = []
    for i in range(n):
        start = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 480)))
        for k in range(int(rng.integers(1, 8))):
            day = start + pd.Timedelta(days=int(rng.integers(0, 200)) if k else 0)
            if day > pd.Timestamp("2025-06-14"):
                continue
            rows.append({"customer_id": f"K{i:03d}", "date": day.date().isoformat(), "order_id": f"O{i}-{k}",
                         "amount": round(float(rng.uniform(5, 300)), 2)})
        if rng.random() < 0.1:  # a refund now and then: never a "return" to buying
            rows.append({"customer_id": f"K{i:03d}", "date": (start + pd.Timedelta(days=40)).date().isoformat(),
                         "order_id": f"R{i}", "amount": -10.0})
    tx = pd.DataFrame(rows)
    last = pd.DataFrame([{"customer_id": "K999", "date": "2025-06-15", "order_id": "LAST", "amount": 50.0}])
    return pd.concat([tx[pd.to_datetime(tx["date"]) <= pd.Timestamp("2025-06-15")], last], ignore_index=True)


def expected(tx: pd.DataFrame, as_of: dt.date) -> tuple[list[dict], list[float]]:
    """The triangle by hand: cohort = month of the first positive line; a cell counts customers
    with a positive line in that month; only months complete at ``as_of``."""
    tx = tx.assign(month=pd.to_datetime(tx["date"]).dt.to_period("M"))
    bought = tx[tx["amount"] > 0]
    cohort = bought.groupby("customer_id")["month"].min()
    last_complete = pd.Period(as_of, "M") if (as_of + dt.timedelta(days=1)).day == 1 else pd.Period(as_of, "M") - 1
    rows, retained, sizes = [], {}, {}
    for month in sorted(cohort.unique()):
        members = set(cohort[cohort == month].index)
        shares = []
        offset = 0
        while offset == 0 or month + offset <= last_complete:
            buyers = set(bought.loc[bought["month"] == month + offset, "customer_id"]) & members
            shares.append(len(buyers) / len(members))
            retained[offset] = retained.get(offset, 0) + len(buyers)
            sizes[offset] = sizes.get(offset, 0) + len(members)
            offset += 1
        revenue = round(float(tx.loc[tx["customer_id"].isin(members), "amount"].sum()), 2)
        rows.append({"cohort_month": str(month), "customers": len(members), "revenue": revenue, "retention": shares})
    return rows, [retained[o] / sizes[o] for o in sorted(retained)]


def test_report_gives_the_retention_triangle_of_an_imported_shop(tmp_path, capsys):
    tx = orders()
    db = import_shop(capsys, tmp_path, tx)
    report = run(capsys, "report", "--db", str(db), "--json")
    assert report["as_of"] == "2025-06-15"  # mid-month: June is not complete, so no cell shows it
    rows, average = expected(tx, dt.date(2025, 6, 15))
    assert [r["cohort_month"] for r in report["cohorts"]] == [r["cohort_month"] for r in rows]
    for got, want in zip(report["cohorts"], rows):
        assert got["customers"] == want["customers"]
        assert got["revenue"] == pytest.approx(want["revenue"], abs=0.005)
        assert got["retention"] == pytest.approx(want["retention"], abs=1e-6)
    assert report["cohorts"][0]["retention"][0] == 1.0
    assert report["cohorts"][-1] == {"cohort_month": "2025-06", "customers": 1, "revenue": 50.0, "retention": [1.0]}
    assert report["cohort_average"] == pytest.approx(average, abs=1e-6)
    assert len(report["cohorts"][0]["retention"]) == 17  # Jan 2024 + 16 complete months to May 2025

    # At a month's last day that month counts.
    at_end = run(capsys, "report", "--db", str(db), "--as-of", "2025-05-31", "--json")
    rows, _ = expected(tx[pd.to_datetime(tx["date"]) <= pd.Timestamp("2025-05-31")], dt.date(2025, 5, 31))
    assert len(at_end["cohorts"]) == len(rows)
    for got, want in zip(at_end["cohorts"], rows):
        assert got["retention"] == pytest.approx(want["retention"], abs=1e-6)
    assert len(at_end["cohorts"][0]["retention"]) == 17  # May 2025 is complete on its last day
    day_before = run(capsys, "report", "--db", str(db), "--as-of", "2025-05-30", "--json")
    assert len(day_before["cohorts"][0]["retention"]) == 16  # ... and not the day before
    # This short history once kept the automatic CLV model choice busy for ten minutes
    # (Pareto/NBD integrating numerically): now it is left out, saying why, and the rest answers.
    refused = {c["model"]: c.get("refused") for c in day_before["clv"]["candidates"]} if day_before["clv"] else {}
    assert day_before["clv"] is None or "paretonbd" in refused


def test_an_empty_workspace_says_why(tmp_path, capsys):
    db = tmp_path / "empty.duckdb"
    with Workspace(db):
        pass
    report = run(capsys, "report", "--db", str(db), "--json")
    assert report["cohorts"] is None and report["cohort_average"] is None
    assert "cohorts" in report["messages"]


def demo_cell(demo_db, cohort: str, offset: int) -> set[str]:
    with Workspace(demo_db, read_only=True) as ws:
        tx = ws.query("SELECT customer_id, date, amount FROM transactions WHERE date <= DATE '2026-06-30'")
    bought = tx[tx["amount"] > 0].assign(month=pd.to_datetime(tx["date"]).dt.to_period("M"))
    first = bought.groupby("customer_id")["month"].min()
    members = set(first[first == pd.Period(cohort, "M")].index)
    return members & set(bought.loc[bought["month"] == pd.Period(cohort, "M") + offset, "customer_id"])


@pytest.mark.parametrize("lang, title, header", [("en", "Cohorts", "Customer"), ("zh", "同期群", "客户")])
def test_the_cohorts_page_lists_the_customers_of_a_cell(demo_db, lang, title, header):
    at = open_page(demo_db, "cohorts", params={"lang": lang})
    assert title in at.title[0].value
    assert len(at.get("plotly_chart")) == 3
    if lang == "zh":  # the picker reads in Chinese (AppTest can only pick by the labels of the test's language)
        assert at.selectbox(key="co_cell").options[0] == "2026年6月，第 0 个月"
        return
    at.selectbox(key="co_cell").set_value("2025-01/3").run()
    assert at.selectbox(key="co_cell").value == "2025-01/3"
    assert not at.exception, at.exception
    want = demo_cell(demo_db, "2025-01", 3)
    assert len(want) > 20
    listed = next(d.value for d in at.dataframe if header in d.value.columns)
    assert set(listed[header]) == want
    shown = " ".join(m.value for m in at.markdown)
    assert f"{len(want):,}" in shown


def heatmap_axis(at) -> tuple[list[int], tuple[float, float]]:
    """The month columns the Cohorts page's heatmap draws and its month axis' range."""
    import json

    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    return list(fig["data"][0]["x"]), tuple(fig["layout"]["xaxis"]["range"])


def test_the_cohort_months_run_from_month_0_to_the_last_month_with_a_purchase(tmp_path, capsys):
    """A shop owner imports orders, opens Cohorts: the month axis starts at month 0 (a month -1
    cannot exist) and ends at the last month anyone bought in. Then a call is logged months
    after the last order: the as-of date moves on, and the axis still ends at the last month
    with a purchase instead of running on through empty months."""
    tx = orders()
    db = import_shop(capsys, tmp_path, tx)
    tx_months = pd.to_datetime(tx["date"]).dt.to_period("M")
    bought = tx[tx["amount"] > 0].assign(month=tx_months[tx["amount"] > 0])
    first = bought.groupby("customer_id")["month"].min()

    def last_offset(as_of: dt.date) -> int:
        last_complete = pd.Period(as_of, "M") - (0 if (as_of + dt.timedelta(days=1)).day == 1 else 1)
        seen = bought[bought["month"] <= last_complete]
        return max((m - first[c]).n for c, m in zip(seen["customer_id"], seen["month"]))

    at = open_page(db, "cohorts")
    columns, (low, high) = heatmap_axis(at)
    want = last_offset(dt.date(2025, 6, 15))
    assert columns == list(range(0, want + 1))
    assert (low, high) == (-0.5, want + 0.5)  # month 0 is the first column, nothing left of it

    run(capsys, "log", "K001", "--db", str(db), "--kind", "contact", "--channel", "phone", "--date", "2025-11-20",
        "--json")
    at = open_page(db, "cohorts")
    assert "20 Nov 2025" in " ".join(c.value for c in at.caption)  # the as-of date is the call's
    columns, (low, high) = heatmap_axis(at)
    assert columns == list(range(0, want + 1))  # no purchase since June: July..October are not drawn
    assert (low, high) == (-0.5, want + 0.5)
