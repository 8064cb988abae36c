"""In the real browser, in English and Chinese: the first screen says the demo is a demo company
and Streamlit's "Deploy" button is gone; tiles show their whole value (never "25 Jun …"); the
satisfaction-by-volume page starts at its most urgent cell; a click on a row of the action
plan opens that customer. Screenshots are kept."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# Tiles whose value does not fit: the text is wider than the box that shows it.
CUT_TILES = """
() => [...document.querySelectorAll('[data-testid="stMetricValue"]')]
  .filter(v => v.scrollWidth > v.clientWidth + 1 || [...v.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1))
  .map(v => v.textContent)
"""


def wait_idle(page):
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=120_000)


def open_path(page, url, path, heading):
    page.goto(url + path)
    expect(page.get_by_role("heading", name=re.compile(heading)).first).to_be_visible(timeout=120_000)
    wait_idle(page)


@pytest.mark.parametrize("lang, notice", [("en", "This is a demo company."), ("zh", "这是一家演示公司。")])
def test_first_screen_says_demo_and_has_no_deploy_button(page, app_server, screenshot, lang, notice):
    page.set_viewport_size({"width": 1280, "height": 900})
    open_path(page, app_server["url"], f"/?lang={lang}", "Overview|概览")
    expect(page.get_by_text(notice)).to_be_visible()
    assert page.get_by_text(notice).bounding_box()["y"] < 400  # on the first screen, above the figures
    expect(page.get_by_test_id("stAppDeployButton")).to_have_count(0)
    expect(page.get_by_role("button", name="Deploy")).to_have_count(0)
    assert page.evaluate(CUT_TILES) == []
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(f"overview-{lang}")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_customer_tiles_show_whole_values(page, app_server, screenshot, lang):
    page.set_viewport_size({"width": 1280, "height": 1000})
    open_path(page, app_server["url"], f"/customer?customer=C03905&lang={lang}", "Customer|客户")
    expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=60_000)
    values = page.get_by_test_id("stMetricValue").all_inner_texts()
    assert len(values) == 12 and not [v for v in values if "…" in v or "nan" in v.lower()]
    assert page.evaluate(CUT_TILES) == []
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(f"customer-{lang}")


@pytest.mark.parametrize("lang, start", [("en", "Rescue key accounts"), ("zh", "挽救重点客户")])
def test_the_matrix_starts_at_its_most_urgent_cell(page, app_server, screenshot, lang, start):
    page.set_viewport_size({"width": 1280, "height": 1000})
    open_path(page, app_server["url"], f"/matrix?lang={lang}", "Satisfaction by volume|满意度-购买量矩阵")
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart).to_be_visible(timeout=60_000)
    expect(chart.locator("text", has_text=re.compile("Start here|从这里开始")).first).to_be_visible()
    cell = page.get_by_role("combobox", name=re.compile("^(Cell|单元格)$"))
    expect(cell).to_have_value(re.compile(start))  # picked before any click
    expect(page.get_by_test_id("stAlertContainer").first).to_contain_text(start)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(f"matrix-{lang}")


def test_a_click_on_a_row_opens_that_customer(page, app_server, screenshot):
    page.set_viewport_size({"width": 1280, "height": 1000})
    open_path(page, app_server["url"], "/actions", "Action plan")
    expect(page.get_by_text(re.compile(r"^[\d,]+ actions for [\d,]+ customers$"))).to_be_visible()
    grid = page.get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    # the row markers are the table's first column; rows are 35 px under a 35 px header
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 35 + 17)
    expect(page.get_by_role("heading", name=re.compile("Customer"))).to_be_visible(timeout=120_000)
    wait_idle(page)
    picked = page.get_by_role("combobox", name="Customer")
    expect(picked).to_have_value(re.compile(r"^C\d{5} — "), timeout=60_000)
    assert re.search(r"customer=C\d{5}", page.url)
    assert page.url.split("customer=")[1][:6] == picked.input_value()[:6]
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot("opened-from-the-plan")
