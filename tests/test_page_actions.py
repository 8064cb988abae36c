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
