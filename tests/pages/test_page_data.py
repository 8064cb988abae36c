"""The Data page through AppTest: upload into a new workspace, errors in plain words."""

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis import i18n
from ui import importing

from tests.pagetest import open_page

SALES_CSV = "客户编号,订单日期,金额\nC1,2024-01-05,\"￥1,234.50\"\nC1,2024-03-01,50\nC2,2024-02-10,20\n".encode("gbk")


def open_data_page(db: Path) -> AppTest:
    return open_page(db, "data")


def test_upload_into_a_new_workspace(demo_copy):
    at = open_data_page(demo_copy)
    at.text_input(key="data_new_name").set_value("acme").run()
    at.file_uploader(key="data_upload").set_value(("sales.csv", SALES_CSV, "text/csv")).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="map_0_0_table").value == "transactions"
    assert at.selectbox(key="map_0_0_transactions_amount").value == "金额"
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    new_db = demo_copy.parent / "acme.duckdb"
    assert new_db.exists()
    assert at.session_state["workspace_path"] == str(new_db)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Purchase lines"] == "3"
    assert any("3" in s.value for s in at.success)


def test_upload_error_is_plain_words_and_creates_nothing(demo_copy):
    at = open_data_page(demo_copy)
    at.text_input(key="data_new_name").set_value("broken").run()
    bad = "客户编号,订单日期,金额\nC1,2024-01-05,abc\n".encode("utf-8")
    at.file_uploader(key="data_upload").set_value(("bad.csv", bad, "text/csv")).run()
    at.button(key="data_import").click().run()
    assert not at.exception
    assert any("abc" in e.value and "line 2" in e.value for e in at.error)
    assert not (demo_copy.parent / "broken.duckdb").exists()
    assert at.session_state["workspace_path"] == str(demo_copy)


def test_new_workspace_name_must_be_free(demo_copy):
    at = open_data_page(demo_copy)
    at.text_input(key="data_new_name").set_value("demo").run()
    at.file_uploader(key="data_upload").set_value(("sales.csv", SALES_CSV, "text/csv")).run()
    at.button(key="data_import").click().run()
    assert any("already exists" in e.value for e in at.error)


def _plain(markdown: str) -> str:
    """What the reader sees of our escaped Markdown."""
    return re.sub(r"\\(.)", r"\1", markdown)


FUTURE_CSV = "customer id,date,amount\nC1,2024-01-05,10\nC2,2099-01-05,20\nC3,2024-02-01,*30*\n".encode()


def test_refusal_lists_each_problem_and_names_the_checkboxes_then_they_work(demo_copy, monkeypatch):
    from analysis.ingest import rules

    monkeypatch.setattr(rules, "import_day", lambda: dt.date(2026, 12, 6))
    at = open_data_page(demo_copy)
    at.text_input(key="data_new_name").set_value("future").run()
    at.file_uploader(key="data_upload").set_value(("future.csv", FUTURE_CSV, "text/csv")).run()
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    (error,) = at.error
    shown = _plain(error.value)
    assert shown.splitlines() == [
        "future.csv: 2 of 3 rows are invalid, nothing was imported.", "",
        "- line 3, column 'date': '2099-01-05' is after the day of import (6 Dec 2026)",
        "- line 4, column 'amount': '*30*' is not an amount such as 1234.50 or ¥1,234.50", "",
        "Fix these rows, or tick “Skip invalid rows” to import only the valid rows.", "",
        "If the dates after the day of import are right, tick “Allow dates after today”.",
    ]
    assert "\\*30\\*" in error.value  # the cell is shown as typed, never as emphasis
    assert "--" not in shown
    at.checkbox(key="data_allow_future").check().run()
    at.checkbox(key="data_skip_invalid").check().run()
    at.button(key="data_import").click().run()
    assert not at.exception and not at.error
    summary = _plain(at.success[0].value).splitlines()
    assert summary[0] == "future.csv: 2 rows imported into transactions"
    assert "- 1 invalid row skipped:" in summary
    assert "  - line 4, column 'amount': '*30*' is not an amount such as 1234.50 or ¥1,234.50" in summary
    assert {m.label: m.value for m in at.metric}["Purchase lines"] == "2"


def test_an_earlier_success_message_goes_when_a_new_file_is_chosen_or_an_import_fails(demo_copy):
    at = open_data_page(demo_copy)
    at.text_input(key="data_new_name").set_value("first").run()
    at.file_uploader(key="data_upload").set_value(("sales.csv", SALES_CSV, "text/csv")).run()
    at.button(key="data_import").click().run()
    assert at.success and "3 rows imported" in at.success[0].value
    bad = "客户编号,订单日期,金额\nC1,2024-01-05,abc\n".encode()
    at.radio(key="data_mode").set_value("existing").run()
    at.file_uploader(key="data_upload").set_value(("bad.csv", bad, "text/csv")).run()
    assert not at.success  # a new file: the old success is gone
    at.button(key="data_import").click().run()
    assert at.error and not at.success


def test_a_file_in_another_currency_is_refused_with_the_apps_advice(demo_copy):
    at = open_data_page(demo_copy)
    at.text_input(key="data_new_name").set_value("shop").run()
    at.file_uploader(key="data_upload").set_value(("sales.csv", SALES_CSV, "text/csv")).run()
    at.button(key="data_import").click().run()
    summary = _plain(at.success[0].value)
    assert "amounts in CNY ('￥1,234.50' in column '金额')" in summary
    assert "The workspace's currency is now CNY." in summary
    at.radio(key="data_mode").set_value("existing").run()
    target = next(b for b in at.selectbox if str(b.key).startswith("data_existing"))
    assert target.value == "shop"  # the workspace just imported, now the one viewed, is the default target
    uk = "customer id,date,amount\nC9,2024-05-01,£12.50\n".encode()
    at.file_uploader(key="data_upload").set_value(("uk.csv", uk, "text/csv")).run()
    at.button(key="data_import").click().run()
    assert not at.exception
    assert _plain(at.error[0].value).splitlines() == [
        "uk.csv: the amounts are in GBP ('£12.50' in column 'amount'), but workspace “shop” keeps its figures in "
        "CNY, and amounts are never converted.", "",
        "Import the file into a new workspace, or, if CNY is wrong, change “Currency of the amounts” above and "
        "import again."]
    assert {m.label: m.value for m in at.metric}["Purchase lines"] == "3"


# -- the exports people actually have, through the Data page --------------------------------------------
from tests.ingest.test_ingest_platforms import FIXTURES, SHAPES  # noqa: E402  (the figures a person works out)

LOOKS_LIKE = {
    "shopify_orders_export.csv": "Looks like a Shopify orders export",
    "woocommerce_orders.csv": "Looks like a WooCommerce orders export",
    "amazon_order_report.txt": "Looks like an Amazon Seller Central order report",
    "amazon_order_report_cp1252.txt": "Looks like an Amazon Seller Central order report",
    "taobao_order_report.csv": "Looks like a Taobao/Tmall order report (订单报表)",
    "jd_orders.csv": "Looks like a JD (京东) order export",
    "youzan_orders.csv": "Looks like a Youzan (有赞) order export",
    "invoice_lines.csv": "Looks like an invoice-line export (invoice, stock code, quantity, unit price)",
}


def _metric(at, label):
    return {m.label: m.value for m in at.metric}[label]


@pytest.mark.parametrize("name", list(SHAPES))
def test_each_platform_export_imports_through_the_data_page_with_no_mapping(demo_copy, name):
    revenue, buyers, orders, names, regions = SHAPES[name][2]()
    at = open_data_page(demo_copy)
    at.text_input(key="data_new_name").set_value("shop").run()
    at.file_uploader(key="data_upload").set_value((name, (FIXTURES / name).read_bytes(), "text/csv")).run()
    assert not at.exception, at.exception
    assert LOOKS_LIKE[name] in [i.value for i in at.info]
    at.button(key="data_import").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert f"read as {LOOKS_LIKE[name].removeprefix('Looks like ')}" in _plain(at.success[0].value)
    assert _metric(at, "Listed customers") == str(len(buyers) + _listed_extra(name))
    at.switch_page("pages/overview.py").run()
    assert not at.exception, at.exception
    assert _metric(at, "Revenue").endswith(i18n.number(float(revenue)))


def _listed_extra(name: str) -> int:
    """Customers a file lists who bought nothing that counts (a cancelled or refunded order)."""
    return {"shopify_orders_export.csv": 1, "woocommerce_orders.csv": 1, "taobao_order_report.csv": 1,
            "jd_orders.csv": 1, "youzan_orders.csv": 1}.get(name, 0)


def test_invoice_lines_amount_is_quantity_times_unit_price_in_the_preview_and_guests_on_the_overview(demo_copy):
    at = open_data_page(demo_copy)
    at.text_input(key="data_new_name").set_value("retail").run()
    data = (FIXTURES / "invoice_lines.csv").read_bytes()
    at.file_uploader(key="data_upload").set_value(("invoice_lines.csv", data, "text/csv")).run()
    assert at.selectbox(key="map_0_0_table").value == "transactions"
    assert at.selectbox(key="map_0_0_transactions_amount").value == importing.COMPUTED
    assert at.selectbox(key="map_0_0_transactions_unit_price").value == "UnitPrice"
    preview = at.dataframe[0].value
    assert list(preview.columns)[0] == "amount = quantity × unit price"
    assert preview.iloc[:4, 0].tolist() == ["15.30", "20.34", "11.10", "-27.50"]  # 6 x 2.55, 6 x 3.39, 6 x 1.85, -1 x 27.5
    at.button(key="data_import").click().run()
    assert not at.exception and not at.error
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    lines = list(csv.DictReader(io.StringIO(data.decode())))
    guests = [r for r in lines if not r["CustomerID"]]
    guest_revenue = sum(float(r["Quantity"]) * float(r["UnitPrice"]) for r in guests)
    caption = next(c.value for c in at.caption if "have no customer id" in c.value)
    assert caption.startswith(f"{i18n.percent(len(guests) / len(lines))} of purchase lines ({len(guests)}), ")
    assert f"{i18n.number(guest_revenue)} of revenue" in caption


def test_a_relational_export_uploaded_at_once(demo_copy):
    at = open_data_page(demo_copy)
    at.text_input(key="data_new_name").set_value("olist").run()
    files = [(p.name, p.read_bytes(), "text/csv") for p in sorted((FIXTURES / "olist").glob("*.csv"))]
    at.file_uploader(key="data_upload").set_value(files).run()
    assert not at.exception, at.exception
    assert "Looks like an Olist reviews file (satisfaction surveys)" in [i.value for i in at.info]
    at.button(key="data_import").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    summary = _plain(at.success[0].value)
    assert "olist_order_payments_dataset.csv: skipped, payments repeat the revenue of the order items; not imported" \
        in summary
    assert "- 4 rows linked to their customers through their order ids" in summary
    assert _metric(at, "Listed customers") == "4" and _metric(at, "Contacts & surveys") == "4"
def test_a_new_workspace_name_that_is_too_long_is_refused_in_plain_words(demo_copy):
    """Issue 12 §3: 250 letters or 100 Chinese characters made a traceback with server paths. A
    name may have at most 64 characters (analysis.store.MAX_NAME_CHARS); 64 are fine."""
    at = open_data_page(demo_copy)
    at.file_uploader(key="data_upload").set_value(("sales.csv", SALES_CSV, "text/csv")).run()
    for name, length in [("a" * 250, 250), ("北区销售" * 25, 100)]:
        at.text_input(key="data_new_name").set_value(name).run()
        at.button(key="data_import").click().run()
        assert not at.exception, at.exception
        assert [e.value for e in at.error] == [
            f"workspace name “{name[:24]}…” is {length} characters long; a name may have at most 64"]
        assert str(demo_copy.parent) not in at.error[0].value
    assert sorted(p.name for p in demo_copy.parent.iterdir()) == ["demo.duckdb"]
    at.text_input(key="data_new_name").set_value("北区销售" * 16).run()  # 64 characters
    at.button(key="data_import").click().run()
    assert not at.exception and not at.error
    assert (demo_copy.parent / ("北区销售" * 16 + ".duckdb")).exists()
