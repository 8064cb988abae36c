"""In the real browser: every Differentiate page renders without an error, a click on a pyramid
layer and on a matrix cell lists that layer's / cell's customers, and screenshots are kept."""

import re

import pytest
from playwright.sync_api import expect

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
    expect(cell).to_have_value(re.compile("high volume, high satisfaction"))
    chart = page.get_by_test_id("stPlotlyChart").first
    chart.scroll_into_view_if_needed()
    box = chart.locator(".nsewdrag").first.bounding_box()
    # columns run low..high satisfaction, rows high..low volume: click the middle-left cell
    page.mouse.click(box["x"] + box["width"] / 6, box["y"] + box["height"] / 2)
    wait_idle(page)
    expect(cell).to_have_value(re.compile("medium volume, low satisfaction"), timeout=30_000)
    expect(page.get_by_text("Correct and keep").first).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.get_by_text("What to do with a cell").scroll_into_view_if_needed()
    screenshot("clicked-medium-low")
