"""A manager imports her shop's orders and her service desk's contacts on the Data page: the
step after the import stores the whole action plan last (issue 15 §2), before any page asks
for it; the Action plan page then shows its figures from the stored rows, and they are the
plan's figures worked out apart on the bare tables. When she later records a campaign that
did not beat its control group, the plan is worked out again: the page does not show the
plan stored before the campaign."""

from __future__ import annotations

import json

from analysis.cli import main
from analysis.customize.plan import all_actions
from analysis.store import Workspace
from tests.pagetest import import_files, open_page
from tests.pages.test_page_actions_after_import import _digits, _files


def _stored_plans(db) -> list[tuple[str, int, int]]:
    """(key, rows, complaint follow-ups) of each action plan stored in workspace ``db``."""
    with Workspace(db, read_only=True) as ws:
        cur = ws.cursor()
        out = []
        for key, tables in cur.execute("SELECT result_key, tables_json FROM results WHERE kind = 'action_plan'"
                                       ).fetchall():
            name = json.loads(tables)["rows"].replace('"', '""')
            n, follow = cur.execute(f'SELECT count(*), count(*) FILTER (WHERE action = ?) FROM "{name}"',
                                    ["complaint_follow_up"]).fetchone()
            out.append((key, n, follow))
    return out


def test_the_plan_stored_after_an_import_is_what_the_action_plan_page_shows(demo_copy, capsys):
    orders, contacts, still_open = _files()
    at = import_files(demo_copy, "desk", [("orders.csv", orders), ("contacts.csv", contacts)])
    db = demo_copy.parent / "desk.duckdb"

    stored = _stored_plans(db)  # stored by the step after the import, before any page asked
    assert len(stored) == 1
    with Workspace(db, read_only=True) as ws:  # the same plan worked out apart, on the bare tables
        expected = all_actions(ws.tables())
    assert stored[0][1] == len(expected) > 0
    assert stored[0][2] == len(still_open)  # one follow-up per complaint her file leaves open

    at.switch_page("pages/actions.py").run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert _digits(metrics["Suggested actions"]) == len(expected)
    assert _digits(metrics["Customers"]) == expected["customer_id"].nunique()
    assert _digits(metrics["Kinds of action"]) == len(expected[["action", "title"]].drop_duplicates())
    at.multiselect(key="ac_action").set_value(["complaint_follow_up"]).run()
    assert not at.exception, at.exception
    table = at.dataframe[-1].value
    assert set(table["Customer"]) == still_open
    assert not any("priority lowered" in r for r in table["Why"])
    assert len(_stored_plans(db)) == 1  # the page read the stored plan: none worked out again

    # She records the follow-up calls made on 1 December to half of them (the others held
    # out); no one bought in the fortnight after: the calls did not beat the control group.
    capsys.readouterr()
    assert main(["campaign", "create", "Complaint calls", "--db", str(db), "--action", "complaint_follow_up",
                 "--start", "2025-12-01", "--window", "14", "--holdout", "0.5", "--seed", "7", "--json"]) == 0
    capsys.readouterr()

    again = open_page(db, "actions")
    again.multiselect(key="ac_action").set_value(["complaint_follow_up"]).run()
    assert not again.exception, again.exception
    table = again.dataframe[-1].value
    assert set(table["Customer"]) == still_open
    assert all(r.endswith("priority lowered.") and "Complaint calls" in r for r in table["Why"])
    assert set(table["Priority"]) == {95 - 20}  # the playbook's 95, less the lesson's 20 points
    assert len(_stored_plans(db)) == 2  # worked out again for the new campaign, and stored
