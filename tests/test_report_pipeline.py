"""The whole path a manager takes (issue 15 §2): import the customer list, the purchases and the
contacts from their CSV files, then ask for ``report --json``. The figures are checked against
the raw rows of the files (counted here with the csv module and Decimal), and the report's
structure is pinned where it was made cheaper: each distinct purchase history's CLV figures
are worked out once per report (the MCC potential and the ``clv`` section share one scoring
when their horizons agree; the purchase lines are grouped by category once)."""

from __future__ import annotations

import csv
import datetime as dt
import random
import re
from decimal import Decimal
from pathlib import Path

import pytest

from analysis.predict import clv_data
from tests.cli import ok_json

FIRST_DAY = dt.date(2023, 1, 1)


def write_shop(folder: Path, seed: int = 7) -> dict:
    """customers.csv, transactions.csv and interactions.csv of a small shop (60 listed customers,
    two more who only buy or only complain), as its owner exports them; returns the rows as
    written (text) by file name."""
    rng = random.Random(seed)
    customers = [{"customer_id": f"C{i:02d}", "name": f"Firm {i}", "region": rng.choice(["North", "South"]),
                  "industry": rng.choice(["Retail", "Health"]), "channel": rng.choice(["web", "sales rep"]),
                  "signup_date": (FIRST_DAY + dt.timedelta(days=rng.randrange(200))).isoformat(),
                  "wallet": rng.choice(["", "", str(rng.randrange(500, 5000))])} for i in range(1, 61)]
    lines, order = [], 0
    for c in [f"C{i:02d}" for i in range(1, 61)] + ["X99"]:
        level = rng.choice([20, 45, 90, 200, 450])  # what this customer usually spends
        for _ in range(rng.choice([1, 1, 2, 3, 5, 8])):
            order += 1
            day = FIRST_DAY + dt.timedelta(days=rng.randrange(900))
            amount = Decimal(level * rng.randrange(70, 130)) / 100
            if rng.random() < 0.05:
                amount = -amount / 4  # a refund
            lines.append({"customer_id": c, "order_id": f"O{order}", "date": day.isoformat(),
                          "amount": str(amount.quantize(Decimal("0.01"))), "quantity": str(rng.randrange(1, 5)),
                          "product": "P1", "category": rng.choice(["Paper", "Ink", "Desks"])})
    contacts = [{"customer_id": rng.choice(["C03", "C07", "C11", "C20", "Y50"]),
                 "date": (FIRST_DAY + dt.timedelta(days=rng.randrange(900))).isoformat(),
                 "channel": "phone", "kind": kind, "satisfaction": str(rng.randrange(1, 6)) if kind == "survey" else "",
                 "scale": "5" if kind == "survey" else ""}
                for kind in ["call", "complaint", "survey"] * 6]
    files = {"customers.csv": customers, "transactions.csv": lines, "interactions.csv": contacts}
    for name, rows in files.items():
        with open(folder / name, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return files


def expected_figures(files: dict) -> dict:
    """The report's counts from the raw rows (every line falls on or before the last day)."""
    lines, customers, contacts = files["transactions.csv"], files["customers.csv"], files["interactions.csv"]
    ids = {r["customer_id"] for r in customers} | {r["customer_id"] for r in lines} | {
        r["customer_id"] for r in contacts}
    sale_days: dict[str, set] = {}
    for r in lines:
        if Decimal(r["amount"]) >= 0:
            sale_days.setdefault(r["customer_id"], set()).add(r["date"])
    return {
        "as_of": max(r["date"] for r in lines + contacts),
        "customers": len(ids),
        "listed_customers": len(customers),
        "transactions": len(lines),
        "revenue": float(sum(Decimal(r["amount"]) for r in lines)),
        "orders": len({(r["customer_id"], r["order_id"]) for r in lines}),
        "buyers": len({r["customer_id"] for r in lines}),
        "clv_customers": len(sale_days),
        "clv_repeat": sum(len(days) > 1 for days in sale_days.values()),
    }


def scorings(monkeypatch) -> list[int]:
    """How many distinct histories each scoring of the CLV fit worked out, one entry a call."""
    calls: list[int] = []
    real = clv_data._history_scores

    def counted(fit, histories, *args, **kwargs):
        calls.append(len(histories))
        return real(fit, histories, *args, **kwargs)

    monkeypatch.setattr(clv_data, "_history_scores", counted)
    return calls


def queries_by_category(monkeypatch) -> list[str]:
    """The SQL of every query compiled for DuckDB that groups the purchase lines by category
    (analysis.identify.facts.category_revenue: a line without a category is "(none)")."""
    from ibis.backends.duckdb import Backend

    found: list[str] = []
    real = Backend.compile

    def compile(self, *args, **kwargs):
        sql = real(self, *args, **kwargs)
        if re.search(r'COALESCE\("t\d+"\."category", \'\(none\)\'\)', sql):  # category_revenue's lines
            found.append(sql)
        return sql

    monkeypatch.setattr(Backend, "compile", compile)
    return found


def test_three_files_imported_then_the_report_scores_each_history_once(tmp_path, capsys, monkeypatch):
    files = write_shop(tmp_path)
    db = tmp_path / "shop.duckdb"
    imported = ok_json(capsys, "ingest", *(tmp_path / name for name in files), "--db", db, "--json")
    assert imported["rows"] == sum(len(rows) for rows in files.values())

    calls, by_category = scorings(monkeypatch), queries_by_category(monkeypatch)
    report = ok_json(capsys, "report", "--db", db, "--json")
    want = expected_figures(files)
    assert report["as_of"] == want["as_of"]
    for key in ("customers", "listed_customers", "transactions"):
        assert report[key] == want[key], key
    assert report["revenue"] == pytest.approx(want["revenue"], abs=0.005)
    assert report["kpis"]["orders"] == want["orders"] and report["kpis"]["buyers"] == want["buyers"]
    assert report["clv"] is not None, report["messages"]
    assert report["clv"]["n_customers"] == want["clv_customers"]
    assert report["clv"]["n_repeat"] == want["clv_repeat"]
    assert sum(report["value_groups"].values()) > 0
    # the MCC potential (value groups) and the clv section read one scoring of the fit
    assert len(calls) == 1, calls
    # the wallets' breadth and the clusters' category shares read one grouping of the lines
    assert report["wallet"] is not None and report["clusters"] is not None, report["messages"]
    assert len(by_category) == 1, by_category

    # A window other than the CLV horizon: each is scored at its own horizon, and the clv
    # section (which does not depend on the window) is the same.
    calls.clear()
    half = ok_json(capsys, "report", "--db", db, "--json", "--window-months", "6")
    assert len(calls) == 2, calls
    assert half["clv"] == report["clv"]
    assert half["kpis"]["revenue_window"] <= report["kpis"]["revenue_window"]

