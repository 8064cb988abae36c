"""In the real browser, in English and Chinese: the CLV page shows which purchase model is used
and why (the candidates' table), and the churn check's reliability diagram with both scores in
words. Screenshots are kept."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("lang, heading, used, churn", [
    ("en", "Which purchase model?", "Yes", "no purchase in the last 90 days means gone"),
    ("zh", "采用哪个购买模型？", "是", "最近 90 天未购买即视为流失"),
])
def test_the_clv_page_shows_the_models_and_the_churn_check(page, app_server, screenshot, lang, heading, used, churn):
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(app_server["url"] + f"/clv?lang={lang}")
    expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=180_000)
    table = page.get_by_test_id("stTable")
    expect(table).to_contain_text("Pareto/NBD", timeout=60_000)
    bgnbd = table.locator("tr").filter(has_text="BG/NBD").filter(has_not_text="MBG/NBD")
    expect(bgnbd).to_contain_text(used)  # the demo's history picks BG/NBD
    expect(page.get_by_text(re.compile(re.escape(churn)))).to_be_visible(timeout=180_000)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=180_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(f"clv-models-{lang}")
    page.get_by_text(re.compile(re.escape(churn))).scroll_into_view_if_needed()
    screenshot(f"clv-churn-{lang}")
