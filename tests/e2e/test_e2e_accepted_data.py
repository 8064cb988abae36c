"""In the real browser, on a workspace whose names, regions and categories hold HTML (tests/nasty.py):
the charts draw that data as typed text, never as a link or bold type, and the pages of a
customer with only refunds and of one with a 300-character product render without an error."""

import re

import pytest
from playwright.sync_api import expect

from tests import nasty

pytestmark = pytest.mark.e2e


def wait_idle(page):
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=120_000)


@pytest.fixture(scope="module")
def nasty_name(app_server):
    """The nasty workspace beside the served demo, so the sidebar (and a link) can open it.
    Built once per server: pytest may set this fixture up again, while the app holds the file."""
    if not (app_server["folder"] / "nasty.duckdb").exists():
        nasty.nasty_workspace(app_server["folder"], name="nasty")
    return "nasty"


def data_links(page) -> int:
    """<a> elements inside the charts' drawings (plotly's toolbar links are outside the SVG)."""
    return page.locator(".js-plotly-plot svg a").count()


def test_html_in_the_data_is_drawn_as_text(page, app_server, nasty_name, screenshot):
    page.goto(f"{app_server['url']}/?workspace={nasty_name}")
    expect(page.get_by_role("heading", name=re.compile("Overview"))).to_be_visible(timeout=90_000)
    wait_idle(page)
    charts = page.get_by_test_id("stPlotlyChart")
    expect(charts.nth(2)).to_be_visible(timeout=60_000)  # Pareto, months, then revenue by region
    charts.nth(2).scroll_into_view_if_needed()
    ticks = charts.nth(2).locator("g.ytick text")
    expect(ticks.filter(has_text=nasty.LINK)).to_have_count(1)  # the region's name, as typed
    expect(ticks.filter(has_text=nasty.BOLD)).to_have_count(1)
    assert charts.nth(2).locator("g.ytick text b, g.ytick text a").count() == 0
    assert data_links(page) == 0
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot("overview-regions")
    page.get_by_role("tab", name="Product category").click()
    wait_idle(page)
    expect(page.locator("g.ytick text:visible").filter(has_text=nasty.LINK)).to_have_count(1)
    assert data_links(page) == 0
    screenshot("overview-categories")


@pytest.mark.parametrize("cid", [nasty.REFUNDS_ONLY, nasty.EMOJI])
def test_customer_pages_of_nasty_customers(page, app_server, nasty_name, screenshot, cid):
    page.goto(f"{app_server['url']}/customer?workspace={nasty_name}&customer={cid}")
    expect(page.get_by_role("heading", name=re.compile("Customer"))).to_be_visible(timeout=90_000)
    wait_idle(page)
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert data_links(page) == 0
    screenshot(cid)


@pytest.mark.parametrize("path, heading", [
    ("segments", "Segments"), ("clusters", "Clusters and personas"), ("actions", "Action plan"),
    ("pyramid", "Customer pyramid"), ("value", "Most valuable"), ("matrix", "Satisfaction by volume"),
    ("present", "Workshop"), ("cohorts", "Cohorts"),
])
def test_no_page_turns_data_into_links(page, app_server, nasty_name, screenshot, path, heading):
    page.goto(f"{app_server['url']}/{path}?workspace={nasty_name}")
    expect(page.get_by_role("heading", name=re.compile(heading)).first).to_be_visible(timeout=90_000)
    wait_idle(page)
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(timeout=60_000)
    wait_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert data_links(page) == 0
    assert page.locator(".js-plotly-plot svg text b").filter(has_text="bold").count() == 0
    screenshot(path)
