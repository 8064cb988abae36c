"""The Actions page through AppTest: the plan, counts per action, filters and export."""

from tests.pagetest import open_page
from ui.lists import HEADERS


def test_action_plan_filters_and_exports(demo_copy):
    at = open_page(demo_copy, "actions")
    metrics = {m.label: m.value for m in at.metric}
    total = int(metrics["Suggested actions"].replace(",", ""))
    assert total > 100
    table = at.dataframe[-1].value
    priority = table[HEADERS.get("priority", "priority")]
    assert list(priority) == sorted(priority, reverse=True)
    at.multiselect(key="ac_tier").set_value(["top"]).run()
    assert not at.exception, at.exception
    table = at.dataframe[-1].value
    assert set(table["Pyramid tier"]) == {"top"}
    assert int(at.metric[0].value.replace(",", "")) < total
    at.multiselect(key="ac_action").set_value(["thank_you_referral"]).run()
    table = at.dataframe[-1].value
    assert set(table[HEADERS.get("title", "title")]) == {"Thank and ask for a referral"}
    assert set(table["Pyramid tier"]) == {"top"}


def test_fatigue_cap_is_a_user_setting(demo_copy):
    at = open_page(demo_copy, "actions")
    capped = int(at.metric[0].value.replace(",", ""))
    at.number_input(key="fatigue_cap").set_value(5).run()
    assert not at.exception, at.exception
    assert int(at.metric[0].value.replace(",", "")) > capped


def test_the_list_counts_actions_and_customers_reads_oldest_first_and_opens_a_customer(demo_copy):
    import datetime as dt
    import re

    from analysis.customize.plan import all_actions
    from analysis.store import Workspace

    with Workspace(demo_copy) as ws:  # the plan as the command line computes it
        plan = all_actions(ws)
    at = open_page(demo_copy, "actions")
    line = next(m.value for m in at.markdown if re.match(r"\*\*[\d,]+ actions? for", m.value))
    assert line == f"**{len(plan):,} actions for {plan['customer_id'].nunique():,} customers**"
    assert len(plan) > plan["customer_id"].nunique()  # several actions for some customers: not "customers"
    table = at.dataframe[-1].value
    rows = list(zip(table["Priority"], table["Open since"]))
    for (p1, o1), (p2, o2) in zip(rows, rows[1:]):  # priority, then the trigger open longest
        assert p1 > p2 or (p1 == p2 and (o2 != o2 or (o1 == o1 and o1 <= o2))), (p1, o1, p2, o2)
    assert isinstance(table["Open since"].dropna().iloc[0], (dt.date, dt.datetime))
    second = table["Customer"].iloc[1]
    at.session_state["ac_list_table"] = {"selection": {"rows": [1], "columns": [], "cells": []}}  # a click
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value.endswith("Customer") and at.query_params["customer"] == second
    assert [sb.value for sb in at.selectbox if sb.label == "Customer"] == [second]


def _cli_actions(db, *flags):
    """``actions --json`` as a manager runs it, in its own process."""
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "analysis", "actions", "--db", str(db), "--json", "--limit", "0", *flags],
                          capture_output=True, text=True, check=True)  # --limit 0: every row
    return json.loads(done.stdout)


def test_a_long_plan_shows_its_first_rows_with_the_counts_of_the_whole(demo_copy, monkeypatch):
    import ui.lists

    monkeypatch.setattr(ui.lists, "MAX_SHOWN", 25)  # the demo's plan is longer than a page of 25 rows
    every = _cli_actions(demo_copy)
    at = open_page(demo_copy, "actions")
    assert int(at.metric[0].value.replace(",", "")) == len(every) > 25
    assert int(at.metric[1].value.replace(",", "")) == len({r["customer_id"] for r in every})
    assert any("Showing the first 25 of" in c.value for c in at.caption)
    at.multiselect(key="ac_action").set_value(["win_back"]).run()
    assert not at.exception, at.exception
    won = _cli_actions(demo_copy, "--action", "win_back")
    assert len(won) > 25
    assert int(at.metric[0].value.replace(",", "")) == len(won)
    assert int(at.metric[1].value.replace(",", "")) == len({r["customer_id"] for r in won})
    line = next(m.value for m in at.markdown if m.value.startswith("**") and " for " in m.value)
    assert line == f"**{len(won):,} actions for {len({r['customer_id'] for r in won}):,} customers**"
    table = at.dataframe[-1].value
    assert len(table) == 25
    assert list(table["Customer"]) == [r["customer_id"] for r in won[:25]]
    assert list(table["Why"]) == [r["reason"] for r in won[:25]]
    assert list(table["Priority"]) == [r["priority"] for r in won[:25]]


def test_the_page_writes_the_reasons_of_the_rows_it_shows_only(demo_copy, monkeypatch):
    import ui.lists
    from analysis.customize import writing

    monkeypatch.setattr(ui.lists, "MAX_SHOWN", 10)
    written = []
    real = writing.write

    def spy(rows, found, as_of, settings, reasons=True, **kw):
        if reasons:
            written.append(int(rows["title"].isna().sum()))
        return real(rows, found, as_of, settings, **kw, **({} if reasons else {"reasons": False}))

    monkeypatch.setattr(writing, "write", spy)
    at = open_page(demo_copy, "actions")
    assert int(at.metric[0].value.replace(",", "")) > 100
    assert len(at.dataframe[-1].value) == 10
    assert 0 < sum(written) <= 10, written  # ten reasons written, not the whole plan's
