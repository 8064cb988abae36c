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
