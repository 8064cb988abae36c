"""The Data page through AppTest: upload into a new workspace, errors in plain words."""

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
