"""In the real browser: make a campaign for the top tier on the Campaigns page, download its
list, and see a past campaign's measurement; in English and in Chinese."""

import csv
import io
import re

import duckdb
import pytest
from playwright.sync_api import expect

from tests.test_e2e_interact import wait_idle

pytestmark = pytest.mark.e2e


def test_create_a_campaign_download_its_list_and_see_a_measurement(page, app_server, screenshot):
    page.goto(app_server["url"] + "/campaigns")
    expect(page.get_by_role("heading", name=re.compile("Campaigns"))).to_be_visible(timeout=120_000)
    wait_idle(page)
    # A past campaign's measurement: its verdict and the chart of response by group.
    expect(page.get_by_role("heading", name=re.compile("^(worked|inconclusive|backfired): "))).to_be_visible(
        timeout=120_000)
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(timeout=120_000)
    screenshot("measured")

    tier = page.get_by_role("combobox", name="Pyramid tier")
    tier.click()
    tier.fill("top")
    tier.press("Enter")
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"With [\d,]+ targeted and [\d,]+ held out"))).to_be_visible(timeout=120_000)
    page.get_by_label("Campaign name").fill("Top tier thank-you")
    page.get_by_label("Campaign name").press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Create the campaign").click()
    expect(page.get_by_text(re.compile("Campaign “Top tier thank-you” is stored"))).to_be_visible(timeout=180_000)
    wait_idle(page)
    screenshot("created")

    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="⬇️ CSV").last.click()
    rows = list(csv.DictReader(io.StringIO(open(info.value.path(), encoding="utf-8-sig").read())))
    with duckdb.connect(str(app_server["db"]), read_only=True) as con:
        stored = con.execute("SELECT m.customer_id, m.arm FROM campaign_members m JOIN campaigns c USING "
                             "(campaign_id) WHERE c.name = 'Top tier thank-you'").fetchall()
    target = {c for c, arm in stored if arm == "target"}
    control = {c for c, arm in stored if arm == "control"}
    ids = {r[next(iter(r))] for r in rows}  # the first column is the customer id
    assert ids == target and not ids & control and len(control) == round(0.1 * len(stored))
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_the_campaigns_page_in_chinese(page, app_server, screenshot):
    page.goto(app_server["url"] + "/campaigns?lang=zh")
    expect(page.get_by_role("heading", name=re.compile("营销活动")).first).to_be_visible(timeout=120_000)
    wait_idle(page)
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(timeout=120_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot("zh")
