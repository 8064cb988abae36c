"""The action plan from the command line, as a user gets it: a shop's order export and its
contact log imported with ``ingest``, a custom rule written as engine expressions, then
``actions --limit``, ``customer --json`` and ``export --action``. Who has an open complaint,
who is overdue against their own median gap and the figures in the reasons are recomputed
here from the raw rows."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from analysis.customize.actions import rule, unregister
from tests.differentiate.test_wallet_cli import run

SEED = 20261207
AS_OF = dt.date(2025, 12, 31)


def shop(tmp_path):
    """Orders of 120 customers (every 20-40 days for a while, some stop) and a contact log
    with complaints, some resolved later."""
    rng = np.random.default_rng(SEED)
    print("seed", SEED)
    orders, contacts = [], []
    for i in range(120):
        cid = f"S{i:03d}"
        day = dt.date(2024, 1, 1) + dt.timedelta(days=int(rng.integers(0, 60)))
        stop = AS_OF - dt.timedelta(days=int(rng.integers(0, 300)))
        step = int(rng.integers(20, 41))
        n = 0
        while day <= stop:
            orders.append({"order_id": f"O{i:03d}-{n}", "customer_id": cid, "order_date": day.isoformat(),
                           "amount": f"{float(rng.uniform(20, 300)):.2f}"})
            day += dt.timedelta(days=step + int(rng.integers(-3, 4)))
            n += 1
        if i % 7 == 0:
            when = dt.datetime(2025, 6, 1, 10) + dt.timedelta(days=int(rng.integers(0, 150)))
            contacts.append({"customer_id": cid, "occurred_at": when.isoformat(sep=" "), "kind": "complaint",
                             "channel": "phone", "outcome": ""})
            if i % 14 == 0:  # resolved a week later
                contacts.append({"customer_id": cid, "occurred_at": (when + dt.timedelta(days=7)).isoformat(sep=" "),
                                 "kind": "contact", "channel": "phone", "outcome": "resolved"})
            if i % 21 == 0:  # and a second complaint, still open
                contacts.append({"customer_id": cid, "occurred_at": (when + dt.timedelta(days=20)).isoformat(sep=" "),
                                 "kind": "complaint", "channel": "email", "outcome": ""})
    orders.append({"order_id": "O-last", "customer_id": "S120", "order_date": AS_OF.isoformat(), "amount": "50.00"})
    pd.DataFrame(orders).to_csv(tmp_path / "orders.csv", index=False)
    pd.DataFrame(contacts).to_csv(tmp_path / "contacts.csv", index=False)
    return pd.DataFrame(orders), pd.DataFrame(contacts)


def open_complaints(contacts: pd.DataFrame) -> dict[str, list[pd.Timestamp]]:
    """Complaints with no later (or same-time) contact marked resolved, per customer."""
    c = contacts.assign(occurred_at=pd.to_datetime(contacts["occurred_at"]))
    out: dict[str, list[pd.Timestamp]] = {}
    for cid, rows in c.groupby("customer_id"):
        resolved = rows.loc[rows["outcome"].fillna("").eq("resolved"), "occurred_at"].max()
        still = rows[(rows["kind"] == "complaint") & (pd.isna(resolved) | (rows["occurred_at"] > resolved))]
        if len(still):
            out[cid] = sorted(still["occurred_at"])
    return out


def overdue(orders: pd.DataFrame) -> dict[str, tuple[int, float]]:
    """Customers whose days since the last purchase exceed 1.5 times their own median gap
    between purchase days (with at least 3 purchase days): {id: (recency, median gap)}."""
    out = {}
    for cid, rows in orders.groupby("customer_id"):
        days = sorted({dt.date.fromisoformat(d) for d in rows["order_date"]})
        if len(days) < 3:
            continue
        gap = float(np.median([(b - a).days for a, b in zip(days, days[1:])]))
        recency = (AS_OF - days[-1]).days
        if recency > 1.5 * gap:
            out[cid] = (recency, gap)
    return out


@pytest.fixture()
def escalate():
    """A user's own rule, written as engine expressions: two or more open complaints go to
    the manager, first of all."""
    rule(id="escalate_complaints", kind="service", capped=False,
         condition=lambda t: t.open_complaints >= 2, priority=99, due_days=1, channel="phone",
         title="Escalate to the manager",
         reason="{open_complaints} open complaints, the first of {open_complaint_at:%Y-%m-%d}.")(lambda c: {})
    yield
    unregister("escalate_complaints")


def imported_shop(tmp_path, capsys) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """(orders, contacts, workspace path): the :func:`shop` imported with ``ingest``."""
    orders, contacts = shop(tmp_path)
    db = str(tmp_path / "shop.duckdb")
    assert main(["ingest", str(tmp_path / "orders.csv"), "--db", db]) == 0
    assert main(["ingest", str(tmp_path / "contacts.csv"), "--db", db, "--table", "interactions"]) == 0
    capsys.readouterr()
    return orders, contacts, db


def test_a_shop_owner_follows_the_plan_from_the_command_line(tmp_path, capsys, escalate):
    orders, contacts, db = imported_shop(tmp_path, capsys)
    complaints, late = open_complaints(contacts), overdue(orders)
    assert len(complaints) >= 5 and len(late) >= 10

    plan = run(capsys, "actions", "--db", db, "--as-of", AS_OF.isoformat(), "--limit", "100000", "--json")
    by = lambda action: {r["customer_id"]: r for r in plan if r["action"] == action}  # noqa: E731
    follow = by("complaint_follow_up")
    assert set(follow) == set(complaints)
    for cid, r in follow.items():
        first = complaints[cid][0]
        assert r["reason"].startswith(f"Complaint of {first:%Y-%m-%d} ({(AS_OF - first.date()).days} days ago)")
        assert r["reason"].endswith(f"open complaints: {len(complaints[cid])}.")
    escalated = by("escalate_complaints")
    assert set(escalated) == {c for c, days in complaints.items() if len(days) >= 2} != set()
    for cid, r in escalated.items():
        assert r["reason"] == f"{len(complaints[cid])} open complaints, the first of {complaints[cid][0]:%Y-%m-%d}."
        assert r["priority"] == 99 and r["due"] == (AS_OF + dt.timedelta(days=1)).isoformat()
    wins = by("win_back")
    assert set(late) <= set(wins)
    for cid, (recency, gap) in late.items():
        assert wins[cid]["reason"].startswith(f"Last bought {recency} days ago; usually buys every {gap:.0f} days")
    # the plan's order: priority first, then the longest open
    keys = [(-r["priority"], r["open_since"] or "9999") for r in plan]
    assert keys == sorted(keys)

    top = run(capsys, "actions", "--db", db, "--as-of", AS_OF.isoformat(), "--limit", "7", "--json")
    assert top == plan[:7]
    assert [r["action"] for r in top[:len(escalated)]] == ["escalate_complaints"] * len(escalated)

    one = sorted(late)[0]
    detail = run(capsys, "customer", one, "--db", db, "--as-of", AS_OF.isoformat(), "--json")
    mine = [{k: r[k] for k in ("action", "title", "reason", "priority", "due")} for r in plan if r["customer_id"] == one]
    assert [{k: a[k] for k in ("action", "title", "reason", "priority", "due")} for a in detail["actions"]] == mine
    assert "win_back" in [a["action"] for a in detail["actions"]]

    out = tmp_path / "calls.csv"
    assert main(["export", "--db", db, "--as-of", AS_OF.isoformat(), "--action", "complaint_follow_up",
                 "--out", str(out)]) == 0
    exported = pd.read_csv(out, dtype=str)
    assert set(exported["customer_id"]) == set(complaints)
    for cid, reason in zip(exported["customer_id"], exported["top_action_reason"]):
        assert reason.startswith(f"Complaint of {complaints[cid][0]:%Y-%m-%d}")
