"""One customer's plan, as a manager gets it once the workspace's plan is stored: the shop's
orders and contacts imported, the Action plan opened once in the app (scores and the plan's
inputs stored), then ``customer ID --json`` for an overdue customer and ``actions --limit 5
--json``. The figures of the reasons are recomputed here from the raw rows, and one
customer's plan must read that customer's stored rows only, never everyone's inputs."""

from __future__ import annotations

from analysis.customize import plan
from analysis.store import Workspace
from tests.customize.test_actions_cli import AS_OF, imported_shop, open_complaints, overdue
from tests.differentiate.test_wallet_cli import run


def test_a_manager_opens_one_customer_and_the_top_five_from_the_stored_plan(tmp_path, capsys, monkeypatch):
    orders, contacts, db = imported_shop(tmp_path, capsys)
    with Workspace(db) as ws:  # the Action plan page opened once: everything it needs is stored
        whole = plan.all_actions(ws, AS_OF)
        stored = ws.query('SELECT "result_key" FROM "results" WHERE "kind" = \'action_inputs\'')["result_key"]
    late, complaints = overdue(orders), open_complaints(contacts)
    assert len(late) >= 10 and len(complaints) >= 5

    loaded = []
    real = Workspace.load_result
    monkeypatch.setattr(Workspace, "load_result", lambda self, key, *a, **k: loaded.append(key) or real(self, key, *a, **k))
    cid = max(late, key=lambda c: (late[c][0], c))  # the longest lapsed of the overdue customers
    detail = run(capsys, "customer", cid, "--db", db, "--as-of", AS_OF.isoformat(), "--json")
    recency, gap = late[cid]
    win = [a for a in detail["actions"] if a["action"] == "win_back"]
    assert len(win) == 1 and win[0]["customer_id"] == cid
    assert win[0]["reason"].startswith(f"Last bought {recency} days ago; usually buys every {gap:.0f} days")
    assert len(stored) == 1 and stored[0] not in loaded  # everyone's stored inputs were not read
    mine = whole[whole["customer_id"] == cid]
    assert [a["reason"] for a in detail["actions"]] == mine["reason"].tolist()

    top = run(capsys, "actions", "--db", db, "--as-of", AS_OF.isoformat(), "--limit", "5", "--json")
    # the five open complaints open longest come first (priority 95, the oldest trigger first)
    oldest = sorted(complaints, key=lambda c: (complaints[c][-1], c))[:5]
    assert [r["customer_id"] for r in top] == oldest
    for r in top:
        first = complaints[r["customer_id"]][0]
        assert r["action"] == "complaint_follow_up" and r["priority"] == 95
        assert r["reason"] == (f"Complaint of {first:%Y-%m-%d} ({(AS_OF - first.date()).days} days ago) has no "
                               f"resolution recorded; open complaints: {len(complaints[r['customer_id']])}.")
