"""`actions` reads the plan the app stored after an import (issue 15 §2, the whole plan):
a consultant prints the plan from the command line before and after the app stored it, and
gets the same rows, reasons and order, without the plan being worked out again."""

from __future__ import annotations

import json

from analysis import money
from analysis.customize import runner, stored_plan
from analysis.scores import score_customers
from analysis.settings import ActionSettings, ReportSettings, SegmentSettings
from analysis.store import Workspace
from tests.cli import run_json


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
