"""In the real browser: a shop's GBK file of ￥ amounts imported on the Data page, its currency
confirmed there, and the Overview in yuan, to the exact sum, in English and in Chinese (万 on
the revenue axis)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_e2e_data import import_into_new_workspace, wait_idle
from tests.test_money import YUAN_CSV, YUAN_LINES, amount, whole

pytestmark = pytest.mark.e2e


def pick(page, label: str, option: str, typed: str) -> None:
    box = page.get_by_role("combobox", name=label)
    box.click()
    box.fill(typed)  # typing opens the list and filters it
    choice = page.get_by_role("option", name=option, exact=True)
    expect(choice).to_be_visible(timeout=30_000)
    choice.click()
    wait_idle(page)


def test_a_gbk_file_of_yuan_reads_in_yuan(page, app_server, tmp_path, screenshot):
    src = tmp_path / "网店销售.csv"
    src.write_bytes(YUAN_CSV)
    import_into_new_workspace(page, app_server["url"], src, "yuan-shop", len(YUAN_LINES))
    page.get_by_role("combobox", name="Currency of the amounts").scroll_into_view_if_needed()
    screenshot("data-imported")
    pick(page, "Currency of the amounts", "CNY (¥)", "CNY")
    expect(page.get_by_role("combobox", name="Currency of the amounts")).to_have_value("CNY (¥)")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot("data-currency")

    page.get_by_test_id("stSidebarNavLink").filter(has_text="Overview").click()
    total = whole(sum(amount(a) for _, _, a in YUAN_LINES), "¥")
    revenue = page.get_by_test_id("stMetric").filter(has_text="Revenue").first
    expect(revenue).to_contain_text(total, timeout=120_000)
    wait_idle(page)
    months = page.get_by_test_id("stPlotlyChart").filter(has=page.locator(".g-xtitle", has_text="Month"))
    expect(months.locator(".ytick text").filter(has_text="¥").first).to_be_visible(timeout=60_000)
    expect(months.locator(".g-ytitle")).to_have_text("Net revenue (¥)")
    expect(page.get_by_text("$")).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot("overview-yuan")

    pick(page, "Language · 语言", "简体中文", "简体")
    revenue = page.get_by_test_id("stMetric").filter(has_text="收入").first
    expect(revenue).to_contain_text(total, timeout=120_000)
    months = page.get_by_test_id("stPlotlyChart").filter(has=page.locator(".g-xtitle", has_text="月份"))
    ticks = months.locator(".ytick text")
    expect(ticks.filter(has_text=re.compile("^¥1万$"))).to_have_count(1, timeout=60_000)
    expect(ticks.filter(has_text=re.compile("k$"))).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot("overview-yuan-zh")


def test_the_demo_in_chinese_reads_dollars_in_wan(page, app_server, screenshot):
    page.goto(app_server["url"] + "/?lang=zh")
    months = page.get_by_test_id("stPlotlyChart").filter(has=page.locator(".g-xtitle", has_text="月份"))
    ticks = months.locator(".ytick text")
    expect(ticks.filter(has_text=re.compile(r"^\$\d+(\.\d+)?万$")).first).to_be_visible(timeout=120_000)
    expect(ticks.filter(has_text=re.compile("k$"))).to_have_count(0)
    expect(page.get_by_test_id("stMetric").filter(has_text="收入").first).to_contain_text("$")
    wait_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot("overview-zh")
    page.goto(app_server["url"] + "/pyramid?lang=zh")
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(timeout=120_000)
    wait_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot("pyramid-zh")
