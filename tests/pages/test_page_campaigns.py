"""The Campaigns page through AppTest, as a manager uses it: read the demo's verdicts, look at
the campaign that worked and its groups, make a new campaign from a filter and download its
list; in English and in Chinese. Figures are recounted here from the workspace's own rows."""

from __future__ import annotations

import datetime as dt
import json
import re

import duckdb

from tests.interact.counting import responders_by_group
from tests.pagetest import open_page


def test_read_the_verdicts_look_at_a_campaign_and_make_a_new_one(demo_copy):
    at = open_page(demo_copy, "campaigns", timeout=300)
    table = at.dataframe[0].value
    verdicts = dict(zip(table["Campaign"], table["Verdict"]))
    groups = responders_by_group(demo_copy, "Spring win-back e-mail")
    (n0, x0), (n1, x1) = groups["control"], groups["target"]
    points = 100 * (x1 / n1 - x0 / n0)
    assert verdicts["Spring win-back e-mail"].startswith(f"worked: {points:+.1f} points")
    assert verdicts["Spring catalogue e-mail"].startswith("inconclusive: the interval includes zero")

    at.selectbox(key="cp_pick").set_value("Spring win-back e-mail").run()
    assert not at.exception, at.exception
    assert at.subheader[0].value.startswith(f"worked: {points:+.1f} points")
    # Whom it moves: the uplift model's Qini curve and the profit view, on the held-out half.
    assert any(c.value.startswith("Qini coefficient ") for c in at.caption)
    assert len(at.get("plotly_chart")) == 3  # response by group, Qini curve, profit view
    profit = json.loads(at.get("plotly_chart")[2].proto.spec)
    assert [trace["name"] for trace in profit["data"]] == ["By predicted uplift", "By lifetime value", "Everyone alike"]
    # The sidebar's settings price it: cost per contact 15, margin 30%.
    assert any(re.search(r"contact cost of \D*15\b", c.value) and "margin of 30%" in c.value for c in at.caption)
    # The control group's customers, picked from the chart's groups.
    at.selectbox(key="cp_group").set_value("control").run()
    members = at.dataframe(key="cp_members_table").value
    assert len(members) == n0 and int(members.iloc[:, [c == "Response" or c.lower() == "response"
                                                       for c in members.columns]].sum().iloc[0]) == x0

    # A new campaign for the top tier.
    at.multiselect(key="cp_tier").set_value(["top"]).run()
    assert not at.exception, at.exception
    planned = next(m.value for m in at.markdown if "held out" in m.value)
    target, control = (int(v.replace(",", "")) for v in re.findall(r"With ([\d,]+) targeted and ([\d,]+) held out",
                                                                     planned)[0])
    at.text_input(key="cp_name").set_value("Top tier thank-you").run()
    at.button(key="cp_create").click().run()
    assert not at.exception, at.exception
    with duckdb.connect(str(demo_copy), read_only=True) as con:
        stored = con.execute("SELECT m.customer_id, m.arm FROM campaign_members m JOIN campaigns c USING "
                             "(campaign_id) WHERE c.name = 'Top tier thank-you'").df()
    assert (int((stored["arm"] == "target").sum()), int((stored["arm"] == "control").sum())) == (target, control)
    assert control == round(0.1 * (target + control))
    targets = at.dataframe(key="cp_targets_table").value
    assert len(targets) == target
    assert not set(targets.iloc[:, 0]) & set(stored.loc[stored["arm"] == "control", "customer_id"])
    # Starting today, after the data's last day: no verdict before its response window is in the data.
    listed = at.dataframe[0].value
    assert listed.loc[listed["Campaign"] == "Top tier thank-you", "Verdict"].iloc[0].startswith(
        "too early to tell: the response window runs until ")


def test_the_page_speaks_chinese(demo_copy):
    at = open_page(demo_copy, "campaigns", timeout=300, params={"lang": "zh"})
    verdicts = " ".join(at.dataframe[0].value.iloc[:, -1])
    assert "有效" in verdicts and "尚无定论" in verdicts
    assert at.title[0].value.endswith("营销活动")


def test_a_new_measured_campaign_changes_the_action_plan_page(demo_copy, monkeypatch, capsys):
    """A manager reads the action plan for one action, makes a campaign of that action on the
    Campaigns page (started in April, its 30-day window over by the as-of date), then opens the
    Action plan again: the plan has learned from the campaign (every suggestion of the action
    lowered 20 points, the reason naming the campaign), as ``actions --json`` says it."""
    from analysis.interact.campaigns import workspace as campaign_workspace
    from tests.cli import ok_json

    action, name = "satisfaction_callback", "April satisfaction calls"
    monkeypatch.setattr(campaign_workspace, "new_seed", lambda: 7)  # a control group drawn the same way every run
    at = open_page(demo_copy, "actions", timeout=300)
    at.multiselect(key="ac_action").set_value([action]).run()
    before = at.dataframe[-1].value
    assert len(before) > 20 and not before["Why"].str.contains(name).any()

    at.switch_page("pages/campaigns.py").run()
    at.multiselect(key="cp_action").set_value([action]).run()
    at.date_input(key="cp_start").set_value(dt.date(2026, 4, 1)).run()
    at.number_input(key="cp_window").set_value(30).run()
    at.slider(key="cp_holdout").set_value(0.5).run()
    at.text_input(key="cp_name").set_value(name).run()
    at.button(key="cp_create").click().run()
    assert not at.exception, at.exception
    verdict = at.dataframe[0].value.set_index("Campaign").loc[name, "Verdict"]
    assert verdict.startswith("inconclusive")  # nobody was called: no difference beyond chance

    at.switch_page("pages/actions.py").run()
    at.multiselect(key="ac_action").set_value([action]).run()
    assert not at.exception, at.exception
    after = at.dataframe[-1].value
    assert after["Why"].str.contains(name).all()
    old = dict(zip(before["Customer"], before["Priority"]))
    assert all(p == old[c] - 20 for c, p in zip(after["Customer"], after["Priority"]) if c in old)
    cli = ok_json(capsys, "actions", "--db", str(demo_copy), "--action", action, "--limit", len(after), "--json")
    assert [(a["customer_id"], a["priority"], a["reason"]) for a in cli] == \
        list(zip(after["Customer"], after["Priority"], after["Why"]))
