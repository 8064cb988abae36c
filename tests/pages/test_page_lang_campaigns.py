"""A campaign's groups and its members' answers read in words, in both languages: the app's
own groups are "control group" / "对照组" and "target group" / "目标组" (never the codes), and
the members' columns say what they hold (no raw ``response`` / ``value``)."""

from __future__ import annotations

import json

from analysis import i18n
from tests.interact.counting import responders_by_group
from tests.pagetest import open_page


def test_a_chinese_manager_reads_a_campaigns_groups_and_members_in_chinese(demo_copy):
    groups = responders_by_group(demo_copy, "Spring catalogue e-mail")
    (n0, x0) = groups["control"]
    for lang, control, target, responded, value in (
            ("en", "control group", "target group", "Responded (1 = yes)", "Response value"),
            ("zh", "对照组", "目标组", "是否响应（1 = 是）", "响应金额")):
        with i18n.using(lang):  # AppTest writes each widget's value with the page's format_func, in this thread
            at = open_page(demo_copy, "campaigns", timeout=300, params={"lang": lang})
            at.selectbox(key="cp_pick").set_value("Spring catalogue e-mail").run()
            at.selectbox(key="cp_group").set_value("control").run()
        spec = json.loads(at.get("plotly_chart")[0].proto.spec)
        assert list(spec["data"][0]["x"]) == [control, target]
        assert list(spec["data"][0]["customdata"]) == ["control", "target"]  # the click's keys stay codes
        assert list(at.selectbox(key="cp_group").options) == [control, target]
        assert not at.exception, at.exception
        members = at.dataframe(key="cp_members_table").value
        assert "response" not in members.columns and "value" not in members.columns
        money = [c for c in members.columns if c.startswith(value)]
        assert len(members) == n0 and int(members[responded].sum()) == x0
        assert money and "$" in money[0]  # the demo is in US dollars
