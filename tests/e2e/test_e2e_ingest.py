"""In the real browser: the exports people have, uploaded as they come from the shop, imported with
no mapping, then seen on the Overview (issue 13). Screenshots in test-artifacts/."""

import csv
import io
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from analysis import i18n

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


def wait_idle(page):
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=90_000)


def choose_files(page, app_server, workspace: str, paths: list[Path], lang: str = "en") -> None:
    """On the Data page, a new workspace named ``workspace`` and the files chosen in the uploader."""
    page.goto(app_server["url"] + f"/data?lang={lang}")
    expect(page.get_by_test_id("stFileUploader")).to_be_visible(timeout=60_000)
    wait_idle(page)
    name = page.get_by_test_id("stTextInput").locator("input").first
    name.fill(workspace)
    name.press("Enter")
    wait_idle(page)
    page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files([str(p) for p in paths])


def import_files(page, app_server, workspace: str, paths: list[Path], looks_like: str, screenshot, lang: str = "en"):
    choose_files(page, app_server, workspace, paths, lang)
    expect(page.get_by_text(looks_like, exact=True).first).to_be_visible(timeout=60_000)
    wait_idle(page)
    page.get_by_test_id("stDataFrame").first.scroll_into_view_if_needed()  # the mapping, above the preview
    screenshot("mapping")
    page.get_by_test_id("stButton").filter(has_text=re.compile("^(Import|导入)$")).click()
    expect(page.get_by_test_id("stAlertContentSuccess")).to_be_visible(timeout=90_000)
    wait_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot("imported")
    assert (app_server["folder"] / f"{workspace}.duckdb").exists()


def overview_revenue(page, app_server, workspace: str, lang: str = "en") -> str:
    page.goto(app_server["url"] + f"/?workspace={workspace}&lang={lang}")
    metric = page.get_by_test_id("stMetric").filter(has_text="收入" if lang == "zh" else "Revenue")
    expect(metric).to_be_visible(timeout=90_000)
    wait_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    return metric.inner_text()


def test_uk_invoice_lines(page, app_server, tmp_path, screenshot):
    src = tmp_path / "invoice_lines.csv"
    shutil.copy(FIXTURES / "invoice_lines.csv", src)
    lines = list(csv.DictReader(src.open()))
    amounts = [(r, Decimal(r["Quantity"]) * Decimal(r["UnitPrice"])) for r in lines if r["CustomerID"]]
    revenue = sum(-abs(a) if r["InvoiceNo"].startswith("C") else a for r, a in amounts)  # a C invoice is a return
    guests = [r for r in lines if not r["CustomerID"]]
    import_files(page, app_server, "uk-retail", [src],
                 "Looks like an invoice-line export (invoice, stock code, quantity, unit price)", screenshot)
    summary = page.get_by_test_id("stAlertContentSuccess")
    expect(summary).to_contain_text("amounts computed as quantity × unit price")
    expect(summary).to_contain_text(f"{i18n.percent(len(guests) / len(lines))} of lines ({len(guests)})")
    assert overview_revenue(page, app_server, "uk-retail").endswith(i18n.number(float(revenue)))
    expect(page.get_by_text(re.compile(r"of purchase lines \(2\).*have no customer id"))).to_be_visible()
    screenshot("overview")


def test_taobao_order_report_in_gbk(page, app_server, tmp_path, screenshot):
    src = tmp_path / "淘宝订单报表.csv"
    shutil.copy(FIXTURES / "taobao_order_report.csv", src)
    rows = list(csv.DictReader(io.StringIO(src.read_bytes().decode("gbk"))))
    paid = [r for r in rows if r["订单状态"] in ("交易成功", "卖家已发货，等待买家确认")]
    revenue = sum(Decimal(r["买家实际支付金额"]) - Decimal(r["退款金额"]) for r in paid)
    import_files(page, app_server, "taobao", [src], "看起来是淘宝/天猫订单报表", screenshot, lang="zh")
    summary = page.get_by_test_id("stAlertContentSuccess")
    expect(summary).to_contain_text("没有客户编号列：按买家账号区分客户")
    expect(summary).to_contain_text("交易关闭：2 行")
    text = overview_revenue(page, app_server, "taobao", lang="zh")
    assert text.replace("\n", " ").endswith(i18n.number(float(revenue)))
    screenshot("overview")


def test_a_relational_export_in_one_go(page, app_server, screenshot):
    files = sorted((FIXTURES / "olist").glob("*.csv"))
    items = list(csv.DictReader((FIXTURES / "olist" / "olist_order_items_dataset.csv").open()))
    status = {r["order_id"]: r["order_status"] for r in csv.DictReader(
        (FIXTURES / "olist" / "olist_orders_dataset.csv").open())}
    revenue = sum(Decimal(r["price"]) for r in items if status[r["order_id"]] != "canceled")
    import_files(page, app_server, "olist", files, "Looks like an Olist orders file (links orders to customers)",
                 screenshot)
    summary = page.get_by_test_id("stAlertContentSuccess")
    expect(summary).to_contain_text("5 accounts belong to a person with another id")
    expect(summary).to_contain_text("1 row names an order that is not among the orders or purchases: not imported")
    assert overview_revenue(page, app_server, "olist").endswith(i18n.number(float(revenue)))
    screenshot("overview")


def test_amazon_report_saved_on_a_western_windows_in_chinese(page, app_server, tmp_path, screenshot):
    """An Amazon Seller Central order report in Windows-1252 ("Zoë Müller", "1,234.50"), uploaded by a
    manager reading the app in Chinese: the mapping step names its fields in Chinese, the import
    needs no mapping, and the Overview's revenue is the report's item prices added up here."""
    src = tmp_path / "amazon_orders.txt"
    shutil.copy(FIXTURES / "amazon_order_report_cp1252.txt", src)
    rows = list(csv.DictReader(io.StringIO(src.read_bytes().decode("cp1252")), delimiter="\t"))
    revenue = sum(Decimal(r["item-price"].replace(",", "")) for r in rows)
    import_files(page, app_server, "amazon", [src], "看起来是亚马逊卖家中心订单报告", screenshot, lang="zh")
    assert overview_revenue(page, app_server, "amazon", lang="zh").endswith(i18n.number(float(revenue)))
    screenshot("overview")
