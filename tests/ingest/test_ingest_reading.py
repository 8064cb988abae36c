"""Decoding, delimiter sniffing, header rows, workbooks (analysis/ingest/reading.py, sheets.py, workbooks.py)."""

import io
from pathlib import Path

import pandas as pd
import pytest

import analysis.ingest.reading as reading
import analysis.ingest.workbooks as workbooks
from analysis import i18n
from analysis.errors import UserError
from analysis.ingest.reading import WHITESPACE, decode, find_header, read_any, read_text, sniff_delimiter
from tests.builders import xlsx_bytes

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ingest"
TEXT = "客户编号,金额\n00001,12\n"


@pytest.mark.parametrize(
    "data, encoding",
    [
        (TEXT.encode("utf-8"), "utf-8"),
        ("\ufeff".encode() + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("gbk"), "gb18030"),
        ("客户,金额\n甲,￥5\n".encode("gb18030"), "gb18030"),
    ],
)
def test_decode_encodings(data, encoding):
    text, got = decode(data)
    assert got == encoding
    assert text.replace("\ufeff", "").startswith("客户")


def test_decode_refuses_binary_garbage():
    with pytest.raises(UserError, match="UTF-8"):
        decode(bytes([0x81, 0x20, 0xFF, 0xFE, 0x00]) * 3 + b"\x81")


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_sniff_delimiters(sep):
    lines = [sep.join(["id", "date", "amount"]), sep.join(["1", "2024-01-01", "5"]), sep.join(["2", "2024-01-02", "6"])]
    assert sniff_delimiter(lines) == sep


def test_tab_wins_over_commas_inside_values():
    lines = ["id\tamount", "1\t1,234.50", "2\t2,000.00"]
    assert sniff_delimiter(lines) == "\t"


def test_whitespace_separated_text():
    raw = read_text(b" customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n 00002 19970112  5   77.00\r\n")
    assert raw.delimiter == WHITESPACE
    assert list(raw.frame.columns) == ["customer_id", "date", "number_of_cds", "dollar_value"]
    assert raw.frame.iloc[1].tolist() == ["00002", "19970112", "5", "77.00"]
    assert raw.lines.tolist() == [2, 3]


def test_header_below_title_and_blank_line():
    raw = read_any("orders.csv", (FIXTURES / "orders_gbk_title.csv").read_bytes())[0]
    assert raw.header_line == 3 and raw.encoding == "gb18030"
    assert list(raw.frame.columns)[:4] == ["客户编号", "订单号", "订单日期", "实付金额"]
    assert raw.lines.tolist() == [4, 5, 6]
    assert raw.frame["实付金额"].tolist()[0] == "￥1,234.50"


def test_header_found_by_width_when_names_are_unknown():
    rows = [["Report"], [], ["a", "b", "c"], ["1", "2", "3"], ["4", "5", "6"]]
    assert find_header(rows) == 2


def test_blank_lines_keep_line_numbers_and_empty_columns_dropped():
    raw = read_text(b"id,amount,\n1,5,\n\n2,6,\n")
    assert list(raw.frame.columns) == ["id", "amount"]
    assert raw.lines.tolist() == [2, 4]


def test_utf16_tab_text():
    raw = read_any("x.txt", (FIXTURES / "interactions_utf16.txt").read_bytes())[0]
    assert raw.encoding == "utf-16" and raw.delimiter == "\t"
    assert raw.frame.shape == (3, 6)




def test_xlsx_sheets_with_title_rows_and_excel_row_numbers():
    data = xlsx_bytes({"Orders": [["2024 sales"], [], ["customer id", "date", "amount"], ["1", "2024-01-01", 5.5]],
                  "Empty": []})
    sheets = read_any("book.xlsx", data)
    assert [s.sheet for s in sheets] == ["Orders", "Empty"]
    orders = sheets[0]
    assert orders.header_line == 3 and orders.lines.tolist() == [4]
    assert orders.frame["amount"].tolist() == [5.5]
    assert sheets[1].frame.empty


def test_parquet():
    buf = io.BytesIO()
    pd.DataFrame({"customer_id": ["1", "2"], "amount": [1.0, 2.0]}).to_parquet(buf)
    raw = read_any("t.parquet", buf.getvalue())[0]
    assert raw.frame.shape == (2, 2) and raw.lines.tolist() == [2, 3]


def test_workbook_bytes_with_text_name_are_explained():
    with pytest.raises(UserError, match="xlsx"):
        read_any("book.csv", xlsx_bytes({"S": [["a"]]}))


def test_large_utf8_files_use_the_arrow_reader_with_same_result(monkeypatch):
    import analysis.ingest.reading as reading

    data = "\ufeffReport\n\ncustomer id;date;amount\n00001;2024-01-01;\"1,5\"\n00002;2024-01-02;7\n".encode()
    small = read_text(data)
    monkeypatch.setattr(reading, "LARGE_FILE", 1)
    calls = []
    original = reading._read_large
    monkeypatch.setattr(reading, "_read_large", lambda *a: calls.append(1) or original(*a))
    large = read_text(data)
    assert calls and large.encoding == "utf-8-sig" and large.delimiter == ";"
    assert large.frame.astype(object).values.tolist() == small.frame.astype(object).values.tolist()
    assert large.lines.tolist() == small.lines.tolist() == [4, 5]
    # a file that is not UTF-8 after the sniffed head falls back to the full decoder
    gbk = ("customer id,name\n" + "1,a\n" * 3 + "2,华东\n").encode("gbk")
    assert read_text(gbk).frame["name"].tolist()[-1] == "华东"


def test_errors_in_chinese():
    with i18n.using("zh"), pytest.raises(UserError) as err:
        decode(bytes([0x81, 0x20, 0xFF, 0xFE, 0x00]) * 3 + b"\x81")
    assert str(err.value).startswith("该文件不是 UTF-8、UTF-16 或 GBK/GB18030 编码的文本。")
    with i18n.using("zh"), pytest.raises(UserError, match="重命名为 .xlsx"):
        read_any("book.csv", xlsx_bytes({"S": [["a"]]}))
    with i18n.using("zh"):
        assert reading._delim_name(";") == "分号" and reading._delim_name("#") == "'#'"
    assert reading._delim_name(";") == "semicolons"


# -- workbooks that would expand beyond what a reader can hold ------------------------------------
HEADER_ROW = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>customer id</t></is></c><c r="B1" t="inlineStr"><is><t>date'
              b'</t></is></c><c r="C1" t="inlineStr"><is><t>amount</t></is></c></row>')


def test_a_zip_bomb_workbook_is_refused_before_it_is_expanded(tmp_path):
    """1,100,000 rows of 'x' in 150 KB. Run as a user would, with the memory a small server
    has (1.5 GB of address space): one error line, exit 2, nothing created."""
    import resource
    import subprocess
    import sys

    from tests.builders import xlsx_from_xml

    data = xlsx_from_xml([HEADER_ROW], repeat=(b'<row><c t="inlineStr"><is><t>x</t></is></c></row>', 1_100_000))
    assert len(data) < 300_000
    path = tmp_path / "orders.xlsx"
    path.write_bytes(data)
    limit = 1536 * 2**20
    run = subprocess.run(
        [sys.executable, "-m", "analysis", "ingest", str(path), "--db", str(tmp_path / "w.duckdb")],
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)), capture_output=True, text=True,
        cwd=Path(__file__).resolve().parents[2])
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr == (f"error: {path}: sheet 'Orders' has more than 1,048,576 rows or 16,384 columns, more than "
                          "Excel allows: the workbook is damaged or was not written by a spreadsheet program, and it "
                          "was not read\n")
    assert not (tmp_path / "w.duckdb").exists()


def test_two_far_apart_cells_are_not_expanded_into_a_grid(monkeypatch):
    from tests.builders import xlsx_from_xml

    far = b'<row r="200000"><c r="ZZ200000"><v>1</v></c></row>'  # a 200,000 x 702 grid to calamine: 4 GB
    data = xlsx_from_xml([HEADER_ROW, far])
    def expanded(*args, **kwargs):
        pytest.fail("the workbook was expanded")

    monkeypatch.setattr(workbooks, "_workbook_sheets", expanded, raising=False)
    monkeypatch.setattr(pd, "read_excel", expanded)
    with pytest.raises(UserError, match=r"sheet 'Orders' has at least 200,000 rows and 702 columns, more than "
                                        r"7,000,000 cells in the workbook.*Save the sheet as “CSV UTF-8”"):
        read_any("orders.xlsx", data)


def test_cells_are_counted_over_all_sheets_and_a_workbook_within_the_limit_reads(monkeypatch):
    monkeypatch.setattr(workbooks, "MAX_WORKBOOK_CELLS", 36)  # two sheets of 6 rows x 3 columns
    rows = [["customer id", "date", "amount"]] + [[f"C{i}", "2024-01-01", i] for i in range(5)]
    assert [s.frame.shape for s in read_any("b.xlsx", xlsx_bytes({"A": rows, "B": rows}))] == [(5, 3), (5, 3)]
    with pytest.raises(UserError, match=r"sheet 'C' has at least \d rows and 3 columns, more than 36 cells"):
        read_any("b.xlsx", xlsx_bytes({"A": rows, "B": rows, "C": rows}))


def test_a_western_windows_file_is_not_read_as_chinese():
    """Windows-1252 bytes where every accented letter is followed by a letter also decode as
    GB18030, to rare characters: the file is read as the Western text it is; a GBK file stays GBK."""
    from analysis.ingest.reading import decode

    western = "customer,name,city\nC1,Müller,Léon\nC2,Gómez,Zürich\n".encode("cp1252")
    western.decode("gb18030")  # the trap: a valid GB18030 reading exists
    assert decode(western) == ("customer,name,city\nC1,Müller,Léon\nC2,Gómez,Zürich\n", "cp1252")
    chinese = "客户编号,姓名,城市\nC1,张伟,杭州\nC2,李娜,喆城\n".encode("gbk")  # 喆 is GBK, not GB2312
    assert decode(chinese) == ("客户编号,姓名,城市\nC1,张伟,杭州\nC2,李娜,喆城\n", "gb18030")


def test_a_large_invoice_line_csv_read_by_pyarrow_imports_like_a_small_one(tmp_path, monkeypatch):
    """Invoice lines (unit prices) are read by pandas at any size; above the large-file size pyarrow
    splits the file, in chunks. Datetimes, cancellation invoices and guest lines come out as in a
    small file: revenue worked out here by hand from the rows."""
    from analysis.ingest import ingest_files, reading
    from analysis.store import Workspace

    rows = [("536365", "6", "2024-12-01 08:26:00", "2.55", "17850"), ("536365", "2", "2024-12-01 08:26:00", "3.39", "17850"),
            ("C536379", "-1", "2024-12-01 09:41:00", "27.50", "14527"), ("536380", "24", "2024-12-01 09:45:00", "0.85", ""),
            ("536381", "3", "2024-12-02 10:03:00", "1,234.50", "15311")]
    text = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n" + "".join(
        f'{inv},85123A,ITEM,{q},{d},"{p}",{c},United Kingdom\n' for inv, q, d, p, c in rows)
    path = tmp_path / "invoices.csv"
    path.write_text(text)
    from decimal import Decimal

    revenue = 6 * Decimal("2.55") + 2 * Decimal("3.39") - Decimal("27.50") + 3 * Decimal("1234.50")  # guest apart
    from pyarrow import csv as pacsv

    monkeypatch.setattr(reading, "LARGE_FILE", 0)
    options = pacsv.ReadOptions  # blocks of 256 bytes: the columns come in chunks, as from a file of 50 MB
    monkeypatch.setattr(pacsv, "ReadOptions", lambda **kw: options(**{**kw, "block_size": 256}))
    with Workspace(tmp_path / "w.duckdb") as ws:
        report = ingest_files(ws, [path]).to_dict()
        assert report["rows"] == 5 and report["guest_lines"] == 1
        assert ws.scalar('SELECT sum(amount) FROM "transactions"') == revenue
        assert str(ws.scalar('SELECT max("date") FROM "transactions"'))[:10] == "2024-12-02"
