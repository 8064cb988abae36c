"""In the real browser: open a customer, record a contact, see it on the timeline; visit the
lifetime-value and action-plan pages."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def wait_idle(page):
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=120_000)


def test_record_a_contact_and_see_it_on_the_timeline(page, app_server, screenshot):
    page.goto(app_server["url"] + "/customer")
    search = page.get_by_label("Search by customer id, name or e-mail")
    expect(search).to_be_visible(timeout=60_000)
    search.fill("C00042")
    search.press("Enter")
    expect(page.get_by_role("combobox", name="Customer")).to_have_value(re.compile("^C00042"), timeout=120_000)
    wait_idle(page)
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart).to_be_visible(timeout=120_000)
    expect(chart.locator("text", has_text=re.compile("^complaint$"))).to_have_count(0)
    screenshot("before")

    form = page.get_by_test_id("stForm")
    kind = form.get_by_role("combobox", name="Kind")
    kind.click()
    kind.fill("complaint")  # typing opens the list and filters it
    option = page.get_by_role("option", name="complaint", exact=True)
    expect(option).to_be_visible(timeout=30_000)
    option.click()
    expect(kind).to_have_value("complaint")
    form.get_by_label("Note").fill("Toner arrived damaged")
    form.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("Saved: complaint")).to_be_visible(timeout=120_000)
    wait_idle(page)
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart.locator("text", has_text=re.compile("^complaint$")).first).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot("after")


@pytest.mark.parametrize("path, heading", [("clv", "Lifetime value"), ("actions", "Action plan")])
def test_page_renders(page, app_server, screenshot, path, heading):
    page.goto(f"{app_server['url']}/{path}")
    expect(page.get_by_role("heading", name=re.compile(heading))).to_be_visible(timeout=60_000)
    wait_idle(page)
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(path)


def test_a_dot_of_the_value_scatter_opens_that_customer(page, app_server, screenshot):
    page.goto(app_server["url"] + "/value")
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart).to_be_visible(timeout=120_000)
    wait_idle(page)
    chart.scroll_into_view_if_needed()
    dot = chart.locator("g.points path.point").first.bounding_box()
    page.mouse.click(dot["x"] + dot["width"] / 2, dot["y"] + dot["height"] / 2)
    expect(page.get_by_role("heading", name=re.compile("Customer"))).to_be_visible(timeout=120_000)
    expect(page.get_by_role("combobox", name="Customer")).to_have_value(re.compile(r"^C\d{5} — "), timeout=60_000)
    wait_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot("opened")


def test_a_customers_events_read_in_chinese(page, app_server, screenshot):
    """A shared link in Chinese opens the customer; the table of all events opens under the
    timeline (its event types are checked word by word in tests/pages/test_page_customer.py)."""
    page.goto(app_server["url"] + "/customer?lang=zh&customer=C00042")
    expect(page.get_by_role("heading", name="时间线")).to_be_visible(timeout=120_000)
    wait_idle(page)
    expander = page.get_by_text(re.compile(r"^全部 [\d,]+ 个事件（表格）$"))
    expect(expander).to_be_visible(timeout=60_000)
    expander.click()
    table = page.get_by_test_id("stExpanderDetails").get_by_test_id("stDataFrame")
    expect(table).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    table.scroll_into_view_if_needed()
    screenshot("events")
