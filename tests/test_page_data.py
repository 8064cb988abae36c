"""The Data page through AppTest: upload into a new workspace, errors in plain words."""

import datetime as dt
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

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
    from analysis.ingest import validate

    monkeypatch.setattr(validate, "import_day", lambda: dt.date(2026, 12, 6))
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
    at.selectbox(key="data_existing").set_value("shop").run()
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
