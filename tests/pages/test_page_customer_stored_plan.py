"""The Customer page reads that customer's rows of the stored action plan (issue 15 §1: the
page under 1 s at a million customers): a manager looks at the Action plan (which stores the
plan), then opens a lapsed customer on the Customer page. The suggestions shown are that
customer's rows of the stored plan, in its order, with the win-back's reason from their own
purchase lines, and the plan is not worked out again for them."""

from __future__ import annotations

import json
import statistics

import duckdb

from analysis.customize import runner
from tests.pagetest import open_page


def test_the_customer_page_shows_the_stored_plans_rows_of_that_customer(demo_copy, monkeypatch):
    cid, typed = "C01967", "nguyen sys"  # a customer who used to buy every week and stopped
    at = open_page(demo_copy, "actions")  # the Action plan stores the plan
    with duckdb.connect(str(demo_copy), read_only=True) as con:  # the figures from the raw rows
        (tables,) = con.execute("SELECT tables_json FROM results WHERE kind = 'action_plan'").fetchone()
        name = json.loads(tables)["rows"].replace('"', '""')
        stored = [r[0] for r in con.execute(f'SELECT action FROM "{name}" WHERE customer_id = ? ORDER BY pos',
                                            [cid]).fetchall()]
        days = sorted({r[0] for r in con.execute("SELECT DISTINCT date FROM transactions WHERE customer_id = ?",
                                                 [cid]).fetchall()})
        as_of = max(con.execute("SELECT max(date) FROM transactions").fetchone()[0],
                    con.execute("SELECT max(occurred_at) FROM interactions").fetchone()[0].date())
    assert "win_back" in stored

    def worked_out(*args, **kwargs):
        raise AssertionError("the plan was worked out again for one customer")

    monkeypatch.setattr(runner, "plan", worked_out)
    at.switch_page("pages/customer.py").run()
    at.text_input(key="cu_search").set_value(typed).run()
    next(sb for sb in at.selectbox if sb.label == "Customer").set_value(cid).run()
    assert not at.exception, at.exception
    shown = next(d.value for d in at.dataframe if "Action" in d.value.columns).astype(str).to_dict(orient="records")
    assert len(shown) == len(stored)
    win_back = [a for a in shown if a["Action"] == "Win back"]
    assert len(win_back) == 1 and shown.index(win_back[0]) == stored.index("win_back")
    usual_gap = statistics.median((b - a).days for a, b in zip(days, days[1:]))
    assert win_back[0]["Why"].startswith(
        f"Last bought {(as_of - days[-1]).days} days ago; usually buys every {usual_gap:g} days;")
