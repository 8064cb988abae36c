"""In the real browser: every Differentiate page renders without an error; a click on a pyramid
layer, a matrix cell, an R x F cell, a migration cell, a lift bar and a month bar of the
Overview lists the customers behind it; screenshots are kept."""

import re

import pytest
from playwright.sync_api import expect

from analysis import i18n

pytestmark = pytest.mark.e2e

PAGES = {
    "pyramid": "Customer pyramid",
    "value": "Most valuable, most growable, below zero",
    "matrix": "Satisfaction by volume",
    "segments": "Segments",
    "clusters": "Clusters and personas",
}


def wait_idle(page):
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=90_000)


def open_page(page, url, stem):
    page.goto(f"{url}/{stem}")
    expect(page.get_by_role("heading", name=re.compile(PAGES[stem]))).to_be_visible(timeout=90_000)
    wait_idle(page)
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(timeout=60_000)
    wait_idle(page)


@pytest.mark.parametrize("stem", list(PAGES))
def test_page_renders(page, app_server, screenshot, stem):
    open_page(page, app_server["url"], stem)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text(re.compile(r"^\d[\d,]* customers?$")).first).to_be_visible()
    screenshot(stem)


def picker(page, label):
    return page.get_by_role("combobox", name=label)


def test_click_a_pyramid_layer_lists_its_customers(page, app_server, screenshot):
    open_page(page, app_server["url"], "pyramid")
    layer = picker(page, "Layer")
    expect(layer).to_have_value(re.compile(r"^top \("))
    chart = page.get_by_test_id("stPlotlyChart").first
    chart.scroll_into_view_if_needed()
    bar = chart.locator("g.point path").nth(1).bounding_box()  # bars in tier order: top, big, ...
    page.mouse.click(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    wait_idle(page)
    expect(layer).to_have_value(re.compile(r"^big \("), timeout=30_000)
    expect(page.get_by_text(re.compile(r"^\d[\d,]* customers$")).first).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.get_by_text("Customers in a layer").scroll_into_view_if_needed()
    screenshot("clicked-big")


def test_click_a_matrix_cell_lists_its_customers(page, app_server, screenshot):
    open_page(page, app_server["url"], "matrix")
    cell = picker(page, "Cell")
    # where to start: the most urgent cell with customers, picked before any click
    expect(cell).to_have_value(re.compile("high volume, low satisfaction: Rescue key accounts"))
    expect(page.get_by_text(re.compile("^Start here: Rescue key accounts")).first).to_be_visible()
    chart = page.get_by_test_id("stPlotlyChart").first
    chart.scroll_into_view_if_needed()
    box = chart.locator(".nsewdrag").first.bounding_box()
    # rows high, medium, low satisfaction and no survey; columns low..high volume: the middle of row 3
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] * 5 / 8)
    wait_idle(page)
    expect(cell).to_have_value(re.compile("medium volume, low satisfaction"), timeout=30_000)
    expect(page.get_by_text("Correct and keep").first).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.get_by_text("What to do with a cell").scroll_into_view_if_needed()
    screenshot("clicked-medium-low")


def click_mark(page, chart, trace: int, key: str):
    """Click the centre of the mark of ``trace`` whose customdata starts with ``key`` (for the
    grids: the invisible marker over the cell, i.e. the middle of the cell)."""
    chart.scroll_into_view_if_needed()
    keys = chart.locator(".js-plotly-plot").evaluate(
        f"el => el.data[{trace}].customdata.map(c => Array.isArray(c) ? c[0] : c)")
    box = chart.locator("g.point path, path.point").nth(keys.index(key)).bounding_box()  # bars, markers
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_idle(page)


def expect_listed(page, chosen, value: re.Pattern, screenshot, name: str) -> str:
    """After a click: the picker ``chosen`` shows ``value`` (group 1: how many customers) and
    the list under it counts that many; a screenshot from the picker down. Returns the count."""
    expect(chosen).to_have_value(value, timeout=30_000)
    n = value.search(chosen.input_value()).group(1)
    expect(page.get_by_text(re.compile(rf"^{n} customers?$")).first).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    wait_idle(page)
    chosen.evaluate("el => el.scrollIntoView({block: 'center'})")
    screenshot(name)
    return n


def test_click_an_rfm_cell_lists_its_customers(page, app_server, screenshot):
    open_page(page, app_server["url"], "segments")
    cell = picker(page, "Customers in an R × F cell")
    expect(cell).to_have_value("")
    click_mark(page, page.get_by_test_id("stPlotlyChart").first, 1, "1/5")
    expect_listed(page, cell, re.compile(r"^R 1 · F 5 \(([\d,]+) customers?\)$"), screenshot, "clicked-R1-F5")


def test_click_a_migration_cell_lists_who_moved(page, app_server, screenshot):
    open_page(page, app_server["url"], "pyramid")
    move = picker(page, "Customers who moved")
    expect(move).to_have_value("")
    click_mark(page, page.get_by_test_id("stPlotlyChart").nth(1), 1, "big->medium")
    expect_listed(page, move, re.compile(r"^big → medium: moved down \(([\d,]+) customers?\)$"), screenshot,
                  "clicked-big-to-medium")


def test_click_a_lift_bar_lists_the_top_customers_with_that_value(page, app_server, screenshot):
    open_page(page, app_server["url"], "segments")
    page.get_by_role("tab", name="Ideal customer profile").click()
    wait_idle(page)
    trait = picker(page, "Top customers with")
    expect(trait).to_have_value("")
    chart = page.get_by_test_id("stPlotlyChart").filter(has_text="What is more common among the top customers")
    keys = chart.locator(".js-plotly-plot").evaluate("el => el.data[0].customdata.map(c => c[0])")
    click_mark(page, chart, 0, keys[-1])  # the top bar: the highest lift
    attribute, value = keys[-1].split("=", 1)
    label = re.escape(f"{attribute.replace('_', ' ')}: {value} · ")
    expect_listed(page, trait, re.compile(rf"^{label}.* · ([\d,]+) top customers?$"), screenshot, "clicked-lift")


def test_click_a_month_bar_lists_who_bought_then(page, app_server, screenshot):
    page.goto(app_server["url"])
    expect(page.get_by_role("heading", name=re.compile("Overview"))).to_be_visible(timeout=90_000)
    wait_idle(page)
    chart = page.get_by_test_id("stPlotlyChart").nth(1)
    expect(chart).to_be_visible(timeout=60_000)
    months = chart.locator(".js-plotly-plot").evaluate("el => el.data[0].customdata.map(c => [c[0], c[2]])")
    month, buyers = months[-2]
    chosen = picker(page, "Who bought in a month")
    expect(chosen).to_have_value("")
    click_mark(page, chart, 0, month)
    shown = i18n.month(f"{month}-01")  # the picker and the heading say "May 2026"
    n = expect_listed(page, chosen, re.compile(rf"^{shown} \(([\d,]+) buyers\)$"), screenshot, f"clicked-{month}")
    assert n == f"{buyers:,}"  # the list counts the bar's buyers
    expect(page.get_by_text(f"Customers who bought in {shown}")).to_be_visible()
