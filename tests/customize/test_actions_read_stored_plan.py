"""`actions` reads the plan the app stored after an import (issue 15 §2, the whole plan):
a consultant prints the plan from the command line before and after the app stored it, and
gets the same rows, reasons and order, without the plan being worked out again."""

from __future__ import annotations

import io
import json

import pandas as pd

from analysis import money
from analysis.customize import runner, stored_plan
from analysis.scores import score_customers
from analysis.settings import ActionSettings, ReportSettings, SegmentSettings
from analysis.store import Workspace
from tests.cli import run, run_json


def test_actions_print_the_stored_plan_as_the_worked_out_one(demo_copy, capsys, monkeypatch):
    whole = ["actions", "--db", demo_copy, "--limit", "0"]
    narrowed = ["actions", "--db", demo_copy, "--limit", "5", "--tier", "top", "--tier", "big"]
    before = run_json(capsys, *whole), run_json(capsys, *narrowed)
    assert len(before[0]) > 1000 and len(before[1]) == 5
    with Workspace(demo_copy) as ws:  # what the Data page's step after an import stores
        settings = ReportSettings(segments=SegmentSettings(currency=money.symbol(ws.currency())))  # amounts in the workspace's currency
        actions = ActionSettings(window_months=settings.window_months, currency=settings.currency)
        score_customers(ws, None, settings)
        assert stored_plan.store(ws, None, settings, actions)

    def worked_out(*args, **kwargs):
        raise AssertionError("the plan was worked out again instead of read")

    monkeypatch.setattr(runner, "plan", worked_out)
    after = run_json(capsys, *whole), run_json(capsys, *narrowed)
    assert after == before
    # the figures are the plan's own: the rows are in priority order, each reason written
    assert [r["priority"] for r in after[0]] == sorted((r["priority"] for r in after[0]), reverse=True)
    assert all(r["reason"] for r in after[0]) and {r["tier"] for r in after[1]} <= {"top", "big"}
    json.dumps(after)  # strict JSON as printed


def test_export_writes_each_customers_top_action_from_the_stored_plan(demo_copy, capsys, monkeypatch, tmp_path):
    """A manager exports the customer list with each one's top action, before and after the
    app stored the plan: the same file byte for byte, the plan not worked out again, and each
    customer's top action the first of their rows that `actions --limit 0` prints."""
    def export(name, *more):
        out = tmp_path / name
        code, _, err = run(capsys, "export", "--db", demo_copy, "--out", out, *more)
        assert code == 0, err
        return out.read_bytes()

    before = export("before.csv"), export("before_complaints.csv", "--action", "complaint_follow_up")
    whole = run_json(capsys, "actions", "--db", demo_copy, "--limit", "0")
    with Workspace(demo_copy) as ws:  # what the Data page's step after an import stores
        settings = ReportSettings(segments=SegmentSettings(currency=money.symbol(ws.currency())))
        actions = ActionSettings(window_months=settings.window_months, currency=settings.currency)
        score_customers(ws, None, settings)
        assert stored_plan.store(ws, None, settings, actions)
        listed = {str(c) for (c,) in ws.cursor().execute("SELECT DISTINCT customer_id FROM customers").fetchall()}

    def worked_out(*args, **kwargs):
        raise AssertionError("the plan was worked out again instead of read")

    monkeypatch.setattr(runner, "plan", worked_out)
    after = export("after.csv"), export("after_complaints.csv", "--action", "complaint_follow_up")
    assert after == before
    # the figures from the raw rows: every listed customer once; each one's top action is the
    # first of their rows in the whole plan (printed in the plan's order), with its reason
    exported = pd.read_csv(io.BytesIO(after[0]), dtype=str, encoding="utf-8-sig", keep_default_na=False)
    first: dict[str, dict] = {}
    for row in whole:
        first.setdefault(str(row["customer_id"]), row)
    assert listed <= set(exported["customer_id"]) and exported["customer_id"].is_unique
    assert len(first) > 100
    for cid, title, reason in zip(exported["customer_id"], exported["top_action"], exported["top_action_reason"]):
        top = first.get(cid)
        assert (title, reason) == ((top["title"], top["reason"]) if top else ("", "")), cid
    complaints = pd.read_csv(io.BytesIO(after[1]), dtype=str, encoding="utf-8-sig", keep_default_na=False)
    wanted = {str(r["customer_id"]): r for r in whole if r["action"] == "complaint_follow_up"}
    assert sorted(complaints["customer_id"]) == sorted(wanted) and len(wanted) > 0
    assert all(complaints["top_action_reason"] == [wanted[c]["reason"] for c in complaints["customer_id"]])
