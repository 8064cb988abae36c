"""In the real browser: upload a CSV into a new workspace through the uploader, import it,
and see its counts. Also opens the Overview and checks that nothing on screen failed."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SALES = "客户编号,订单日期,金额\nC1,2024-01-05,\"￥1,234.50\"\nC1,2024-03-01,50\nC2,2024-02-10,20\nC3,2024-02-11,30\n"


def wait_idle(page):
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)


def test_overview_renders(page, app_server, screenshot):
    page.goto(app_server["url"])
    expect(page.get_by_text("The top 20% of customers bring")).to_be_visible(timeout=60_000)
    wait_idle(page)
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot("overview")
    # click the largest region's bar: its customers are listed below the chart
    region_chart = page.get_by_test_id("stPlotlyChart").nth(2)
    region_chart.scroll_into_view_if_needed()
    bar = region_chart.locator("g.point path").first.bounding_box()
    page.mouse.click(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    expect(page.get_by_text(re.compile(r"^[\d,]+ customers$")).first).to_be_visible(timeout=120_000)
    wait_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot("region-clicked")


def import_into_new_workspace(page, url: str, src, name: str, rows: int, screenshot=None) -> None:
    """On the Data page: name a new workspace, upload ``src`` (``rows`` purchase lines), import it."""
    page.goto(url + "/data")
    expect(page.get_by_role("heading", name=re.compile("Data"))).to_be_visible(timeout=60_000)
    box = page.get_by_label("Name of the new workspace")
    box.fill(name)
    box.press("Enter")
    wait_idle(page)
    page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(str(src))
    expect(page.get_by_text(f"{rows} data rows", exact=False)).to_be_visible(timeout=30_000)
    wait_idle(page)
    if screenshot:
        screenshot("mapping")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text(f"{rows} rows imported into transactions", exact=False)).to_be_visible(timeout=60_000)
    wait_idle(page)


def test_upload_csv_into_new_workspace(page, app_server, tmp_path, screenshot):
    src = tmp_path / "北区销售.csv"
    src.write_bytes(SALES.encode("gbk"))
    import_into_new_workspace(page, app_server["url"], src, "north-sales", 4, screenshot)
    metric = page.get_by_test_id("stMetric").filter(has_text="Purchase lines")
    expect(metric).to_contain_text("4")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert (app_server["folder"] / "north-sales.duckdb").exists()
    screenshot("imported")
