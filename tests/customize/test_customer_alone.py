"""One customer without every customer's facts (issue 15 §1): once the workspace is as after
an import (scores, history inputs and the action plan stored, as the Data page stores them),
``customer ID`` reads that customer's rows alone. The learning of the measured campaigns is
read by its key, so nothing reads a million customers' facts, and the plan is not worked
out again: with both made to fail, a manager still gets the customer's profile (revenue and
orders as their raw purchase lines give them) and their suggestions, the persuadable's
predicted lift as an uplift model fitted here independently gives it."""

from __future__ import annotations

import json
import re
import sys
from decimal import Decimal

import duckdb
import pytest

from analysis.cli import main
from tests.customize.test_learned import WIN_BACK, independent_persuadables


def store_as_after_an_import(db) -> None:
    """What the Data page stores after an import: the scores, the history inputs, the plan
    (with the default settings, in the workspace's currency, as the app's sidebar gives them)."""
    from analysis import money
    from analysis.customize.history import action_inputs
    from analysis.customize.stored_plan import store
    from analysis.scores import score_customers
    from analysis.settings import ActionSettings, ReportSettings, SegmentSettings
    from analysis.store import Workspace

    with Workspace(db) as ws:
        currency = money.symbol(ws.currency())
        settings, actions = ReportSettings(SegmentSettings(currency=currency)), ActionSettings(currency=currency)
        score_customers(ws, None, settings)
        action_inputs(ws, None, actions)
        store(ws, None, settings, actions)


def stored_plan_rows(db, customer_id: str) -> list[tuple[str, str]]:
    """(action, rule) of the customer's rows of the stored plan, in the plan's order."""
    with duckdb.connect(str(db), read_only=True) as con:
        (tables,) = con.execute("SELECT tables_json FROM results WHERE kind = 'action_plan'").fetchone()
        name = json.loads(tables)["rows"].replace('"', '""')
        return [tuple(r) for r in con.execute(f'SELECT action, rule FROM "{name}" WHERE customer_id = ? ORDER BY pos',
                                               [customer_id]).fetchall()]


def a_persuadable(db) -> tuple[str, list[tuple[str, str]], float, Decimal, int]:
    """(a customer of the stored plan whom the win-back's uplift model calls persuadable,
    their stored (action, rule) rows, their lift from an uplift model fitted independently,
    their revenue and orders from their raw purchase lines)."""
    with duckdb.connect(str(db), read_only=True) as con:
        (tables,) = con.execute("SELECT tables_json FROM results WHERE kind = 'action_plan'").fetchone()
        name = json.loads(tables)["rows"].replace('"', '""')
        cid = con.execute(f"SELECT min(customer_id) FROM \"{name}\" WHERE rule = 'persuadable'").fetchone()[0]
        lines = con.execute("SELECT order_id, amount FROM transactions WHERE customer_id = ?", [cid]).fetchall()
    stored = stored_plan_rows(db, cid)
    assert ("win_back", "persuadable") in stored
    lift = independent_persuadables(db).set_index("customer_id")["lift"][cid]
    return cid, stored, lift, sum(Decimal(str(a)) for _, a in lines), len({o for o, _ in lines})


def without_every_customers_facts(monkeypatch) -> None:
    """Reading every customer's stored facts, computing the whole scores frame, and working
    out a plan in the engine all fail from here on."""
    import importlib

    from analysis import scores
    from analysis.customize import runner

    # the modules that take these names at import, imported before (else they would keep the failing ones)
    for name in ("analysis.customize.plan", "analysis.customize.stored_plan", "analysis.customize.customer",
                 "analysis.customize.history", "analysis.cli", "ui.cached"):
        try:
            importlib.import_module(name)
        except ImportError:  # a module this version has not got
            pass

    def fails(*args, **kwargs):
        raise AssertionError("every customer's facts were read, or the plan worked out, for one customer")

    for function in ("stored_columns", "score_customers"):
        real = getattr(scores, function)
        for module in [m for name, m in sys.modules.items() if name.startswith("analysis") and m is not None]:
            if getattr(module, function, None) is real:
                monkeypatch.setattr(module, function, fails)
    monkeypatch.setattr(runner, "plan", fails)


def test_customer_reads_one_customer_with_the_learning_by_its_key(demo_copy, capsys, monkeypatch):
    store_as_after_an_import(demo_copy)
    cid, stored, lift, revenue, orders = a_persuadable(demo_copy)

    without_every_customers_facts(monkeypatch)
    capsys.readouterr()
    assert main(["customer", cid, "--db", str(demo_copy), "--json"]) == 0
    detail = json.loads(capsys.readouterr().out)

    assert detail["profile"]["customer_id"] == cid
    assert detail["profile"]["orders"] == orders
    assert Decimal(str(detail["profile"]["revenue"])) == revenue
    assert [a["action"] for a in detail["actions"]] == [action for action, _ in stored]
    learned = [a for a in detail["actions"] if a["reason"].startswith(f"In the “{WIN_BACK}” test")]
    assert len(learned) == 1 and learned[0]["action"] == "win_back"
    points = float(re.search(r"answered ([0-9.]+) points more often", learned[0]["reason"]).group(1))
    assert points == pytest.approx(100 * lift, abs=0.051)

    # the plain text says the same
    assert main(["customer", cid, "--db", str(demo_copy)]) == 0
    assert f"] {learned[0]['title']}: {learned[0]['reason']}" in capsys.readouterr().out
