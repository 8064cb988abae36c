"""End-to-end imports into a workspace (analysis/ingest/plan.py, load.py, validate.py)."""

import dataclasses
import io
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from analysis import i18n
from analysis.errors import UserError
from analysis.ingest import ingest_files, ingest_plans, plan_file
from analysis.store import Workspace
from tests.builders import xlsx_bytes

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ingest"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


@pytest.fixture
def ws(tmp_path):
    w = Workspace(tmp_path / "w.duckdb")
    yield w
    w.close()


def _write(tmp_path, name, content, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path




def _rows(ws, sql):
    return ws.query(sql).to_dict("records")


def test_gbk_erp_export_with_title_rows_and_yuan_amounts(ws):
    report = ingest_files(ws, [FIXTURES / "orders_gbk_title.csv"])
    (res,) = report.files
    assert (res.table, res.rows) == ("transactions", 3)
    got = ws.query("SELECT customer_id, order_id, CAST(date AS VARCHAR) d, amount, quantity, product "
                   "FROM transactions ORDER BY order_id")
    assert got["customer_id"].tolist() == ["00001", "00002", "00001"]
    assert got["amount"].tolist() == [1234.5, 88.0, 2000.0]
    assert got["d"].tolist() == ["2024-03-05", "2024-03-06", "2024-03-07"]
    assert got["product"].tolist() == ["绿茶", "乌龙茶", "茶具"]
    # purchases do not make anyone a *listed* customer: the customer list stays as it was
    assert ws.count("customers") == 0
    imp = _rows(ws, "SELECT * FROM imports")[0]
    assert imp["rows"] == 3 and imp["target_table"] == "transactions" and imp["file_name"] == "orders_gbk_title.csv"
    assert ws.scalar("SELECT count(*) FROM transactions WHERE import_id = ?", [imp["import_id"]]) == 3


def test_semicolon_decimal_comma_day_first(ws):
    ingest_files(ws, [FIXTURES / "orders_semicolon_eu.csv"])
    got = ws.query("SELECT CAST(date AS VARCHAR) d, amount FROM transactions ORDER BY date")
    assert got["d"].tolist() == ["2024-03-05", "2024-03-25", "2024-04-01"]
    assert got["amount"].tolist() == [1234.5, 12.0, -3.5]


def test_pipe_month_first_dollars(ws):
    ingest_files(ws, [FIXTURES / "orders_pipe.txt"])
    got = ws.query("SELECT customer_id, CAST(date AS VARCHAR) d, amount FROM transactions ORDER BY date")
    assert got.values.tolist() == [["7", "2024-03-05", 1000.0], ["8", "2024-12-25", 5.0]]


def test_utf16_interactions_survey_default_scale_and_time(ws):
    (res,) = ingest_files(ws, [FIXTURES / "interactions_utf16.txt"]).files
    assert res.table == "interactions" and res.rows == 3
    got = ws.query("SELECT interaction_id, customer_id, CAST(occurred_at AS VARCHAR) t, channel, kind, satisfaction, "
                   "scale, note FROM interactions ORDER BY occurred_at")
    assert got["interaction_id"].tolist() == [1, 2, 3]
    assert got["t"].tolist()[0] == "2024-03-05 14:30:00"
    assert got["kind"].tolist() == ["complaint", "survey", "回访"]  # 投诉 is the complaint the figures count
    assert got["scale"].tolist() == [5.0, 5.0, 5.0]
    assert got["channel"].tolist() == ["电话", "微信", "门店"]


def test_customers_new_then_updated_with_non_empty_fields(ws, tmp_path):
    (res,) = ingest_files(ws, [FIXTURES / "customers_bom.csv"]).files
    assert (res.rows, res.new_customers, res.updated_customers) == (3, 3, 0)
    assert ws.scalar("SELECT CAST(signup_date AS VARCHAR) FROM customers WHERE customer_id = '00003'") == "2023-09-10"
    update = _write(tmp_path, "upd.csv", "客户编号,地区,行业\n00001,杭州,\n00009,成都,餐饮\n")
    (res,) = ingest_files(ws, [update]).files
    assert (res.new_customers, res.updated_customers) == (1, 1)
    row = _rows(ws, "SELECT name, region, industry FROM customers WHERE customer_id = '00001'")[0]
    assert row == {"name": "华东贸易", "region": "杭州", "industry": "零售"}  # empty cell keeps the old value
    assert ws.count("customers") == 4


def test_repeated_customer_ids_in_one_file_are_merged_the_last_value_winning(ws, tmp_path):
    path = _write(tmp_path, "c.csv", "customer id,name,region\n1,A,North\n2,B,South\n1,C,\n2,B,South\n")
    (res,) = ingest_files(ws, [path]).files
    assert (res.rows, res.rows_merged, res.new_customers) == (4, 2, 2)
    assert _rows(ws, "SELECT customer_id, name, region FROM customers ORDER BY 1") == [
        {"customer_id": "1", "name": "C", "region": "North"}, {"customer_id": "2", "name": "B", "region": "South"}]


def test_workbook_sheets_routed_to_three_tables(ws, tmp_path):
    data = xlsx_bytes({
        "订单": [["销售报表"], [], ["客户编号", "订单日期", "金额"], ["00001", "2024-03-05", 10.5], ["00002", 45357, 20]],
        "客户": [["客户编号", "客户名称", "地区"], ["00001", "甲", "上海"], [3.0, "丙", "北京"]],
        "互动": [["客户编号", "日期", "类型", "满意度", "量表"], ["00002", "2024-03-05 10:00", "拜访", 8, 10]],
        "说明": [["这个工作簿的说明"], ["随便写写"]],
    })
    path = _write(tmp_path, "book.xlsx", data)
    plans = plan_file("book.xlsx", data)
    assert [p.table for p in plans] == ["transactions", "customers", "interactions", None]
    assert plans[0].header_line == 3 and "match no table" in plans[3].reason
    report = ingest_files(ws, [path])
    assert [(r.sheet, r.table, r.rows) for r in report.files] == [
        ("订单", "transactions", 2), ("客户", "customers", 2), ("互动", "interactions", 1), ("说明", None, 0)]
    assert ws.query("SELECT CAST(date AS VARCHAR) d FROM transactions ORDER BY d")["d"].tolist() == [
        "2024-03-05", "2024-03-06"]  # the second date is an Excel serial number
    assert sorted(ws.query("SELECT customer_id FROM customers")["customer_id"]) == ["00001", "3"]  # the customer list sheet; 00002 only bought
    assert _rows(ws, "SELECT satisfaction, scale FROM interactions") == [{"satisfaction": 8.0, "scale": 10.0}]
    assert any("skipped" in line for line in report.summary())
    json.dumps(report.to_dict())


def test_workbook_with_no_matching_sheet(ws, tmp_path):
    path = _write(tmp_path, "b.xlsx", xlsx_bytes({"A": [["foo", "bar"], [1, 2]]}))
    with pytest.raises(UserError, match="Columns found: sheet 'A': 'foo', 'bar'.*Needed: transactions needs"):
        ingest_files(ws, [path])


def test_parquet_and_compact_dates(ws, tmp_path):
    buf = io.BytesIO()
    pd.DataFrame({"customer_id": [1, 2], "date": [20240305, 20240306], "revenue": [1.5, 2.5]}).to_parquet(buf)
    path = _write(tmp_path, "t.parquet", buf.getvalue())
    (res,) = ingest_files(ws, [path]).files
    assert res.rows == 2
    assert ws.query("SELECT customer_id, CAST(date AS VARCHAR) d FROM transactions ORDER BY d").values.tolist() == [
        ["1", "2024-03-05"], ["2", "2024-03-06"]]


def test_invalid_rows_rejected_with_lines_columns_values(ws, tmp_path):
    lines = ["Sales report", "", "customer id,date,amount"] + [f"c{i},2024-01-0{i % 9 + 1},{i}" for i in range(10)]
    lines[5] = "c2,2024-01-03,abc"  # line 6
    lines[7] = ",2024-01-05,5"  # line 8: no customer id, a guest checkout (valid)
    lines[8] = "c5,not a date,5"  # line 9
    lines += [f"x{i},2024-01-01,bad{i}" for i in range(5)]  # lines 14..18
    path = _write(tmp_path, "bad.csv", "\n".join(lines) + "\n")
    with pytest.raises(UserError) as err:
        ingest_files(ws, [path])
    msg = str(err.value)
    assert msg.startswith("bad.csv: 7 of 15 rows are invalid")
    assert "line 6, column 'amount': 'abc' is not an amount" in msg
    assert "line 8" not in msg
    assert "line 9, column 'date': 'not a date' is not a date" in msg
    assert "and 2 more invalid rows" in msg
    assert ws.count("transactions") == 0 and ws.count("imports") == 0


def test_skip_invalid_imports_the_valid_rows(ws, tmp_path):
    path = _write(tmp_path, "s.csv", "customer id,date,amount\n1,2024-01-01,5\n2,2024-01-02,x\n3,2024-01-03,7\n")
    (res,) = ingest_files(ws, [path], skip_invalid=True).files
    assert (res.rows, res.skipped) == (2, 1)
    assert res.skipped_examples == ["line 3, column 'amount': 'x' is not an amount such as 1234.50 or ¥1,234.50"]
    assert ws.scalar("SELECT sum(amount) FROM transactions") == 12.0
    assert ws.scalar("SELECT skipped_rows FROM imports") == 1


def test_ambiguous_dates_refused_naming_file_and_column(ws, tmp_path):
    path = _write(tmp_path, "amb.csv", "customer id,date,amount\n1,03/05/2024,5\n2,04/06/2024,6\n")
    with pytest.raises(UserError, match=r"amb.csv: date.*both parts <= 12"):
        ingest_files(ws, [path])


@pytest.mark.parametrize("content", [b"", b"customer id,date,amount\n", b"\n\n"])
def test_empty_files(ws, tmp_path, content):
    path = _write(tmp_path, "empty.csv", content)
    with pytest.raises(UserError, match="no data rows"):
        ingest_files(ws, [path])


def test_unrecognisable_columns_message(ws, tmp_path):
    path = _write(tmp_path, "x.csv", "kunde,datum,betrag\n1,2024-01-01,5\n")
    with pytest.raises(UserError) as err:
        ingest_files(ws, [path])
    msg = str(err.value)
    assert "Columns found: 'kunde', 'datum', 'betrag'" in msg
    assert "transactions needs date, and amount or unit_price" in msg and "--map" in msg


def test_overrides_and_remembered_mapping(ws, tmp_path):
    first = _write(tmp_path, "a.csv", "kunde,datum,betrag\n1,2024-01-01,5\n")
    overrides = {"customer_id": "kunde", "date": "datum", "amount": "Betrag"}  # case-insensitive column
    (res,) = ingest_files(ws, [first], overrides=overrides).files
    assert res.rows == 1
    second = _write(tmp_path, "b.csv", "Kunde, Datum ,BETRAG\n2,2024-01-02,6\n")
    (plan,) = plan_file("b.csv", second.read_bytes(), ws=ws)
    assert plan.remembered and plan.table == "transactions"
    assert plan.mapping == {"customer_id": "Kunde", "date": "Datum", "amount": "BETRAG"}
    (res,) = ingest_files(ws, [second]).files
    assert res.rows == 1 and ws.scalar("SELECT sum(amount) FROM transactions") == 11.0


def test_override_beats_automatic_mapping(ws, tmp_path):
    path = _write(tmp_path, "o.csv", "customer id,date,amount,net amount\n1,2024-01-01,5,4\n")
    ingest_files(ws, [path], overrides={"amount": "net amount"})
    assert ws.scalar("SELECT amount FROM transactions") == 4.0


def test_override_naming_a_missing_column(ws, tmp_path):
    path = _write(tmp_path, "o.csv", "customer id,date,amount\n1,2024-01-01,5\n")
    with pytest.raises(UserError, match=r"amount=Umsatz.*Columns found: 'customer id', 'date', 'amount'"):
        ingest_files(ws, [path], overrides={"amount": "Umsatz"})


def test_failed_second_file_leaves_workspace_unchanged(ws, tmp_path):
    good = _write(tmp_path, "good.csv", "customer id,date,amount\n1,2024-01-01,5\n")
    cust = _write(tmp_path, "cust.csv", "customer id,name\n1,A\n")
    bad = _write(tmp_path, "bad.csv", "customer id,date,amount\n1,2024-01-01,oops\n")
    with pytest.raises(UserError, match="bad.csv"):
        ingest_files(ws, [good, cust, bad])
    for table in ("transactions", "customers", "interactions", "imports", "mappings"):
        assert ws.count(table) == 0, table


def test_same_content_again_is_a_duplicate(ws, tmp_path):
    path = _write(tmp_path, "d.csv", "customer id,date,amount\n1,2024-01-01,5\n")
    ingest_files(ws, [path])
    report = ingest_files(ws, [path])
    assert report.files[0].duplicate and report.files[0].rows == 0
    assert "already imported" in report.summary()[0]
    assert ws.count("transactions") == 1 and ws.count("imports") == 1
    # the same file twice in one call: the second copy is the duplicate
    other = _write(tmp_path, "e.csv", "customer id,date,amount\n2,2024-01-01,6\n")
    report = ingest_files(ws, [other, other])
    assert [r.duplicate for r in report.files] == [False, True] and ws.count("transactions") == 2


def test_plans_edited_by_the_app(ws):
    data = "编号,时间,钱\n1,2024-01-01,5\n".encode("gbk")
    (plan,) = plan_file("m.csv", data)
    assert plan.table is None and plan.encoding == "gb18030" and plan.n_rows == 1
    assert plan.preview.shape == (1, 3)
    plan.table = "transactions"
    plan.mapping = {"customer_id": "编号", "date": "时间", "amount": "钱"}
    (res,) = ingest_plans(ws, [plan], {"m.csv": data}).files
    assert res.rows == 1
    assert ws.scalar("SELECT mapping_json FROM mappings") == json.dumps(plan.mapping, ensure_ascii=False, sort_keys=True)
    plan.mapping = {"customer_id": "编号"}
    with pytest.raises(UserError, match="not found: date, amount"):
        ingest_plans(ws, [plan], {"m.csv": b"\xb1\xe0\xba\xc5,x\n2,3\n"})


def test_cdnow_master(ws):
    path = SHARED / "CDNOW_master.txt"
    if not path.exists():
        pytest.skip("../shared/datasets is not available")

    expected_sum = Decimal(0)
    with path.open() as fh:
        next(fh)
        expected_lines = 0
        for line in fh:
            expected_sum += Decimal(line.split()[3])
            expected_lines += 1
    (res,) = ingest_files(ws, [path]).files
    assert res.rows == expected_lines == 69_659
    assert ws.count("customers") == 0
    assert ws.scalar("SELECT count(DISTINCT customer_id) FROM transactions") == 23_570
    assert ws.scalar("SELECT sum(amount) FROM transactions") == expected_sum  # exact: amounts are DECIMAL
    assert ws.scalar("SELECT CAST(min(date) AS VARCHAR) FROM transactions") == "1997-01-01"
    assert ws.scalar("SELECT min(customer_id) FROM transactions") == "00001"


def test_satisfaction_above_the_default_scale_is_invalid(ws, tmp_path):
    path = _write(tmp_path, "s.csv", "customer id,date,csat\n1,2024-01-01 09:30,4\n2,2024-01-02,9\n")
    with pytest.raises(UserError, match=r"line 3, column 'csat': '9' is not a score between 0 and the scale"):
        ingest_files(ws, [path])
    ok = _write(tmp_path, "t.csv", "customer id,date,csat,scale\n1,2024-01-01 09:30,4,5\n2,2024-01-02,9,10\n")
    (res,) = ingest_files(ws, [ok]).files
    assert res.rows == 2 and ws.scalar("SELECT count(*) FROM interactions WHERE kind = 'survey'") == 2
    assert ws.scalar("SELECT CAST(min(occurred_at) AS VARCHAR) FROM interactions") == "2024-01-01 09:30:00"


# -- Chinese ----------------------------------------------------------------------------------------
GBK_BAD_AMOUNT = "销售明细\n客户编号,订单日期,金额\n00001,2024-03-05,100\n00002,2024-03-06,一百元\n00003,2024-03-07,\n"


def test_gbk_file_with_a_bad_amount_explained_in_chinese(ws, tmp_path):
    path = _write(tmp_path, "订单.csv", GBK_BAD_AMOUNT, encoding="gbk")
    with i18n.using("zh"), pytest.raises(UserError) as err:
        ingest_files(ws, [path])
    assert str(err.value).splitlines() == [
        "订单.csv：3 行中有 2 行无效，未导入任何数据。",
        "  第 4 行，列 '金额'：'一百元' 不是有效的金额（例如 1234.50 或 ¥1,234.50）",
        "  第 5 行，列 '金额' 为空（需要：有效的金额（例如 1234.50 或 ¥1,234.50））",
        "请修正这些行，或使用 --skip-invalid 只导入有效的行。",
    ]
    assert ws.count("transactions") == 0 and ws.count("imports") == 0
    with pytest.raises(UserError) as err:  # the same file, in English
        ingest_files(ws, [path])
    assert "line 4, column '金额': '一百元' is not an amount such as 1234.50" in str(err.value)


def test_summary_and_skipped_rows_in_chinese(ws, tmp_path):
    path = _write(tmp_path, "订单.csv", GBK_BAD_AMOUNT, encoding="gbk")
    with i18n.using("zh"):
        report = ingest_files(ws, [path], skip_invalid=True)
        assert report.summary() == [
            "订单.csv：已导入 1 行交易数据",
            "  跳过了 2 行无效数据：",
            "    第 4 行，列 '金额'：'一百元' 不是有效的金额（例如 1234.50 或 ¥1,234.50）",
            "    第 5 行，列 '金额' 为空（需要：有效的金额（例如 1234.50 或 ¥1,234.50））",
        ]
        again = ingest_files(ws, [path], skip_invalid=True)
        assert again.summary() == ["订单.csv：此前已导入到交易数据，未做任何更改"]
    assert again.summary() == ["订单.csv: already imported into transactions; nothing changed"]
    ingest_files(ws, [_write(tmp_path, "老客户.csv", "客户编号,客户名称\n00001,华东\n")])
    customers = _write(tmp_path, "客户.csv", "客户编号,客户名称\n00001,华东贸易\n00009,新客户\n")
    with i18n.using("zh"):
        assert ingest_files(ws, [customers]).summary() == ["客户.csv：已导入 2 行客户数据（新增 1 个客户，更新 1 个客户）"]


def test_unmatched_columns_in_chinese(ws, tmp_path):
    odd = _write(tmp_path, "x.csv", "kunde,datum,betrag\n1,2024-01-01,5\n")
    with i18n.using("zh"):
        (plan,) = plan_file(str(odd), odd.read_bytes())
        assert plan.reason.startswith("列 'kunde'、'datum'、'betrag' 与任何表都不匹配（transactions 表需要 date，以及 "
                                      "amount 或 unit_price（由 customer_id、电子邮箱或买家账号说明是谁购买）；")
        with pytest.raises(UserError) as err:
            ingest_files(ws, [odd])
    assert str(err.value).startswith("x.csv：没有识别出任何客户数据列。文件中的列：'kunde'、'datum'、'betrag'。需要：")
    book = _write(tmp_path, "b.xlsx", xlsx_bytes({"销售": [["customer id", "date"], ["1", "2024-01-01"]]}))
    (plan,) = plan_file(str(book), book.read_bytes())
    with i18n.using("zh"), pytest.raises(UserError) as err:
        ingest_plans(ws, [dataclasses.replace(plan, table="transactions", mapping={"customer_id": "customer id"})],
                     {str(book): book.read_bytes()})
    assert str(err.value).startswith("b.xlsx，工作表 '销售'：导入 transactions 表需要 date，以及 amount 或 unit_price"
                                     "（由 customer_id、电子邮箱或买家账号说明是谁购买）；未找到：date、amount 或 "
                                     "unit_price。文件中的列：'customer id'、'date'")


def test_contact_without_kind_or_score_in_both_languages(ws, tmp_path):
    path = _write(tmp_path, "i.csv", "customer id,date,type,csat\n1,2024-01-01,call,4\n2,2024-01-02,,\n")
    with pytest.raises(UserError, match=r"line 3, column \"type' or 'csat\" is empty \(needed: a contact type or a satis"):
        ingest_files(ws, [path])
    with i18n.using("zh"), pytest.raises(UserError, match=r"第 3 行，列 \"type' 或 'csat\" 为空（需要：接触类型或满意度评分）"):
        ingest_files(ws, [path])


def test_line_numbers_after_quoted_line_breaks(ws, tmp_path):
    text = ('customer id,note,date,amount\r\nC1,"two\r\nlines",2024-01-01,5\r\nC2,x,2024-01-02,abc\r\n'
            'C3,"a\nb\nc",2024-01-03,1\r\nC4,y,2024-01-04,zz\r\n')
    path = _write(tmp_path, "notes.csv", text)
    with pytest.raises(UserError) as err:
        ingest_files(ws, [path])
    # an editor shows C2 on line 4 and C4 on line 8
    assert "line 4, column 'amount': 'abc'" in str(err.value) and "line 8, column 'amount': 'zz'" in str(err.value)
