"""Large purchase files through DuckDB (analysis/ingest/bulk.py, analysis/store/bulk*.py) against the pandas path.

Every case imports the same file twice, into two workspaces: once with the size threshold
at 0 (so the file goes to bulk.py) and once with it out of reach (the pandas path). The
tables' rows (as multisets: the stored order is not a contract), the imports log, the report
and any error message must be the same.
"""

import re

import duckdb
import pytest

from analysis.errors import UserError
from analysis.ingest import bulk, ingest_files, reading
from analysis.store import bulk as bulk_sql
from analysis.store import bulk_careful
from analysis.store import Workspace

HEADER = "customer id,order id,date,amount,quantity,product,category\n"


def _run(tmp_path, name, path, monkeypatch, threshold, skip_invalid=False, overrides=None, extra=()):
    monkeypatch.setattr(reading, "LARGE_FILE", threshold)
    ws = Workspace(tmp_path / f"{name}.duckdb")
    try:
        try:
            report = ingest_files(ws, [path, *extra], overrides=overrides, skip_invalid=skip_invalid).to_dict()
        except UserError as exc:
            report = f"error: {exc}"
        tables = {t: ws.query(f'SELECT * EXCLUDE (imported_at) FROM "{t}"' if t == "imports" else f'SELECT * FROM "{t}"')
                  .astype(object).where(lambda f: f.notna(), None).values.tolist()
                  for t in ("transactions", "guest_purchases", "imports", "customers", "mappings")}
        tables["mappings"] = [r[:3] for r in tables["mappings"]]
    finally:
        ws.close()
    return report, tables


@pytest.fixture
def paths(monkeypatch):
    """Which way bulk.py took: 'direct' (one INSERT), 'careful' (staged) or 'pandas'."""
    taken = []
    for module, name, label in ((bulk_sql, "insert_direct", "direct"), (bulk_careful, "check_and_insert", "careful")):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _o=original, _l=label, **k: taken.append(_l) or _o(*a, **k))
    original_scan = bulk_careful.scan
    monkeypatch.setattr(bulk_careful, "scan", lambda *a, **k: (lambda got: got if got[0] is not None else taken.append("pandas") or got)(
        original_scan(*a, **k)))
    return taken


def purchase_rows(n: int, changed: dict[int, str]) -> list[str]:
    """``n`` valid rows of customer id, order id, date, amount, quantity, product; some replaced."""
    rows = [f"c{i},o{i},2024-01-0{i % 9 + 1},{i},," for i in range(n)]
    for i, row in changed.items():
        rows[i] = row
    return rows


def both(tmp_path, monkeypatch, content, name="t.csv", **kw):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    fast = _run(tmp_path, "fast", path, monkeypatch, 0, **kw)
    slow = _run(tmp_path, "slow", path, monkeypatch, 10**12, **kw)
    assert multisets(fast) == multisets(slow)
    return slow  # the rows in the file's order, as the pandas path writes them


def multisets(outcome):
    """(report, tables) with each table's rows as a multiset: the order rows are stored in is
    not a contract (README, Decisions); every reader that shows rows orders them itself."""
    report, tables = outcome
    return report, {name: sorted(rows, key=repr) for name, rows in tables.items()}


def test_plain_file_goes_straight_in_typed_by_the_reader(tmp_path, monkeypatch, paths):
    typed = []
    original = bulk_sql._typed_select
    monkeypatch.setattr(bulk_sql, "_typed_select", lambda *a: typed.append(1) or original(*a))
    rows = "".join(f'"C{i}","O{i // 2}",2024-0{i % 9 + 1}-1{i % 10},{i * 1.25},{i % 3 + 1},"P {i}","Cat"\n'
                   for i in range(200))
    report, tables = both(tmp_path, monkeypatch, HEADER.replace(" id", "_id") + rows)
    assert paths == ["direct"] and typed == [1]  # "_" in the header does not count
    assert report["files"][0]["rows"] == 200 and len(tables["transactions"]) == 200
    assert tables["imports"][0][5] == 200


def test_crlf_bom_title_rows_exponents_and_empty_quantities(tmp_path, monkeypatch, paths):
    text = ("\ufeffSales export\r\n\r\n" + HEADER.replace("\n", "\r\n")
            + "1,A,2024-3-5,1e3,,x,y\r\n2,B,2024-03-06,+5,2,x,\r\n3,C,2024-03-07,.5,,,\r\n4,D,2024-12-31,5.,1.5,p,q\r\n")
    _, tables = both(tmp_path, monkeypatch, text)
    assert paths == ["direct"]
    assert [r[3] for r in tables["transactions"]] == [1000.0, 5.0, 0.5, 5.0]


def test_currency_thousands_parentheses_and_day_first_dates(tmp_path, monkeypatch, paths):
    text = ("客户编号;订单日期;金额\n"
            "00001;05/03/2024;\"1.234,50\"\n00002;25/03/2024;12,5\n00003;01/04/2024;(3,50)\n"
            "00004;2024-04-02;¥7\n00001;20240403;￥ 8\n")
    report, tables = both(tmp_path, monkeypatch, text, name="eu.csv")
    assert paths == ["careful"]  # the head already shows a cell for the rules: no optimistic pass
    assert [r[3] for r in tables["transactions"]] == [1234.5, 12.5, -3.5, 7.0, 8.0]
    assert report["files"][0]["rows"] == 5
    assert report["currency"] == "CNY" and report["files"][0]["currency_evidence"] == "'¥7' in column '金额'"


def test_ids_ending_in_point_zero_and_unicode_digits(tmp_path, monkeypatch, paths):
    text = HEADER + "123.0,1,2024-01-01,1,,,\n00012,2,2024-01-01,1,,,\n12.00,3,2024-01-01,1,,,\n１２３.0,4,2024-01-01,1,,,\n"
    _, tables = both(tmp_path, monkeypatch, text)
    assert [r[1] for r in tables["transactions"]] == ["123", "00012", "12", "123"]  # full-width digits: NFKC
    assert "careful" in paths


def test_ids_with_invisible_and_full_width_characters_normalised_the_same(tmp_path, monkeypatch, paths):
    text = HEADER + ("C001,O1,2024-01-01,1,,,\nC001\u200b,O2\ufeff,2024-01-01,1,,,\nＣ００１,Ｏ３,2024-01-01,1,,,\n"
                     "C\u200d001,O4,2024-01-01,1,,,\n\u200b,O5,2024-01-01,1,,,\n")
    report, tables = both(tmp_path, monkeypatch, text, skip_invalid=True)
    assert paths == ["careful"]  # the head already shows a cell for the rules: no optimistic pass
    assert [r[:2] for r in tables["transactions"]] == [["O1", "C001"], ["O2", "C001"], ["O3", "C001"], ["O4", "C001"]]
    assert [r[0] for r in tables["guest_purchases"]] == ["O5"]  # an id of invisible characters only: no id
    assert report["files"][0]["ids_normalised"] == 6 and report["files"][0]["skipped"] == 0


@pytest.mark.parametrize("skip_invalid", [False, True])
def test_out_of_range_amounts_and_dates_named_the_same(tmp_path, monkeypatch, paths, skip_invalid):
    from analysis.ingest import rules

    monkeypatch.setattr(rules, "import_day", lambda: __import__("datetime").date(2026, 12, 6))
    rows = purchase_rows(10, {1: "c1,o1,2024-01-02,1e308,,", 2: "c2,o2,9999-12-31,5,,", 3: "c3,o3,0001-01-01,5,,",
                              4: "c4,o4,2099-01-05,\"¥10,000,000,000,000,000\",,", 6: "c6,o6,2026-12-07,-1e16,,"})
    text = "customer id,order id,date,amount,quantity,product\n" + "\n".join(rows) + "\n"
    report, tables = both(tmp_path, monkeypatch, text, skip_invalid=skip_invalid)
    assert paths == ["careful"]  # the head already shows a cell for the rules: no optimistic pass
    if skip_invalid:
        assert report["files"][0]["skipped"] == 5 and len(tables["transactions"]) == 5
    else:
        assert report.startswith("error: t.csv: 5 of 10 rows are invalid")
        assert "line 3, column 'amount': '1e308' is too large for an amount" in report
        assert "line 4, column 'date': '9999-12-31' is after the day of import (6 Dec 2026)" in report
        assert "line 5, column 'date': '0001-01-01' is before 1 Jan 1900" in report
        assert ("line 6, column 'date': '2099-01-05' is after the day of import (6 Dec 2026); "
                "column 'amount': '¥10,000,000,000,000,000' is too large") in report
        assert "--allow-future-dates" in report and tables["transactions"] == []


def test_whitespace_around_cells_is_stripped_the_same(tmp_path, monkeypatch, paths):
    text = HEADER + " C1 ,O1 ,2024-01-01 , 5 ,1,\u3000茶\u3000,a\nC2,\u2009O2,2024-01-02,6\u00a0,,b ,\n  ,  ,  ,  ,  ,  ,  \nC3,O3,2024-01-03,7,,c,d\n"
    _, tables = both(tmp_path, monkeypatch, text)
    assert paths == ["careful"]  # the head already shows a cell for the rules: no optimistic pass
    assert [r[1] for r in tables["transactions"]] == ["C1", "C2", "C3"]
    assert [r[5] for r in tables["transactions"]] == ["茶", "b", "c"]


@pytest.mark.parametrize("skip_invalid", [False, True])
def test_invalid_rows_named_the_same(tmp_path, monkeypatch, paths, skip_invalid):
    rows = purchase_rows(12, {2: "c2,o2,2024-01-03,abc,,", 4: ",o4,2024-01-05,5,,",  # 4: a guest checkout, valid
                              5: "c5,o5,not a date,5,x,", 7: "c7,o7,2024-02-30,inf,,", 8: "c8,o8,2024-01-01,1_000,,",
                              9: "c9,o9,0099-01-01,+-5,1e999,"})
    text = "Report\n\ncustomer id,order id,date,amount,quantity,product\n" + "\n".join(rows) + "\n"
    report, tables = both(tmp_path, monkeypatch, text, skip_invalid=skip_invalid)
    assert paths == ["careful"]  # the head already shows a cell for the rules: no optimistic pass
    if skip_invalid:
        assert report["files"][0]["skipped"] == 5 and len(report["files"][0]["skipped_examples"]) == 5
        assert report["files"][0]["guest_lines"] == 1 and tables["guest_purchases"][0][0] == "o4"
    else:
        assert report.startswith("error: t.csv: 5 of 12 rows are invalid") and "line 6, column 'amount': 'abc'" in report
        assert tables["transactions"] == [] and tables["imports"] == []


def test_ambiguous_dates_message_names_the_first_rows(tmp_path, monkeypatch, paths):
    text = HEADER + "1,a,03/05/2024,1,,,\n2,b,2024-01-01,1,,,\n3,c,03/05/2024,1,,,\n4,d,04/06/2024,1,,,\n"
    report, _ = both(tmp_path, monkeypatch, text)
    assert paths == ["careful"]  # the head already shows a cell for the rules: no optimistic pass
    assert "dates such as '03/05/2024', '03/05/2024', '04/06/2024'" in report


def test_day_month_votes_count_rows_not_distinct_values(tmp_path, monkeypatch, paths):
    text = HEADER + "1,a,13/01/2024,1,,,\n2,b,01/13/2024,1,,,\n3,c,01/13/2024,1,,,\n4,d,01/14/2024,1,,,\n"
    report, tables = both(tmp_path, monkeypatch, text, skip_invalid=True)
    assert paths == ["careful"]  # the head already shows a cell for the rules: no optimistic pass
    assert report["files"][0]["skipped"] == 1  # month first wins 3 rows to 1; 13/01/2024 is then invalid


@pytest.mark.parametrize("content, why", [
    (HEADER + "1,a,2024-01-01,1,,,\n\n2,b,2024-01-02,2,,,\n", "blank line"),
    (HEADER + '1,"a\nb",2024-01-01,1,,,\n2,b,2024-01-02,2,,,\n', "line break inside quotes"),
    (HEADER + "1,a,2024-01-01,1,,,\r2,b,2024-01-02,2,,,\n", "lone carriage return"),
    (HEADER + '1, "a",2024-01-01,1,,,\n2,b,2024-01-02,2,,,\n', "space before a quote"),
    (HEADER + "1,a,2024-01-01,1,,,\n2,b,2024-01-02\n", "ragged row"),
    (HEADER + "1,a,2024-01-01,1,,,\n,,,,,,\n2,b,2024-01-02,2,,,\n", "empty row"),
    (HEADER + "1,a,2024-01-01,1,,\tx,\n2,b,2024-01-02,2,,,\n", "a tab in a comma-separated file"),
])
def test_files_duckdb_reads_differently_give_the_pandas_result(tmp_path, monkeypatch, paths, content, why):
    both(tmp_path, monkeypatch, content)
    # a space or tab next to a cell in the head: straight to the careful pass, which finds it is pandas's
    first = [] if why in ("space before a quote", "a tab in a comma-separated file") else ["direct"]
    assert paths == first + ["careful" if why == "empty row" else "pandas"], why


@pytest.mark.parametrize("extra", [",", ",,"])
def test_empty_fields_past_the_last_column_are_dropped_both_ways(tmp_path, monkeypatch, paths, extra):
    report, tables = both(tmp_path, monkeypatch, HEADER + f"1,a,2024-01-01,1,,x,y{extra}\n2,b,2024-01-02,2,,,\n")
    assert len(tables["transactions"]) == 2


def test_gbk_after_a_utf8_head_falls_back(tmp_path, monkeypatch, paths):
    monkeypatch.setattr(bulk, "HEAD_BYTES", 100)
    text = (HEADER + "1,a,2024-01-01,1,,x,y\n" * 5).encode() + "2,b,2024-01-02,2,,华东,茶\n".encode("gbk")
    report, tables = both(tmp_path, monkeypatch, text)
    assert paths == ["direct", "pandas"] and tables["transactions"][-1][5] == "华东"


def test_an_odd_cell_past_the_head_still_takes_the_optimistic_pass_first(tmp_path, monkeypatch, paths):
    """The cheap look sees only the head: a file whose first odd cells come later is written the
    plain way, rolled back, and read by the careful pass, with the pandas path's result."""
    monkeypatch.setattr(bulk, "HEAD_BYTES", 120)
    rows = purchase_rows(40, {30: 'c30,o30,05/03/2024,"$1,234.50",,', 35: "c35,o35,25/03/2024,7,,"})
    report, tables = both(tmp_path, monkeypatch, "customer id,order id,date,amount,quantity,product\n"
                          + "\n".join(rows) + "\n")
    assert paths == ["direct", "careful"]
    assert [r[3] for r in tables["transactions"]][30] == 1234.5 and report["currency"] == "USD"


def test_tab_separated_with_map_and_remembered_mapping(tmp_path, monkeypatch, paths):
    text = "kunde\tdatum\tbetrag\n1\t2024-01-01\t5\n2\t2024-01-02\t6\n"
    _, tables = both(tmp_path, monkeypatch, text, name="m.tsv",
                     overrides={"customer_id": "kunde", "date": "datum", "amount": "betrag"})
    assert paths == ["direct"] and tables["mappings"][0][1] == "transactions"


def test_duplicate_and_atomic_failure(tmp_path, monkeypatch, paths):
    good = HEADER + "1,a,2024-01-01,1,,,\n"
    bad = tmp_path / "bad.csv"
    bad.write_text("customer id,date,amount\n1,2024-01-01,oops\n")
    report, tables = both(tmp_path, monkeypatch, good, extra=[bad])
    assert report.startswith("error: bad.csv") and all(not v for v in tables.values())
    path = tmp_path / "d.csv"
    path.write_text(good)
    monkeypatch.setattr(reading, "LARGE_FILE", 0)
    with Workspace(tmp_path / "dup.duckdb") as ws:
        assert not ingest_files(ws, [path, path]).files[0].duplicate
        assert ingest_files(ws, [path]).files[0].duplicate
        assert ws.count("transactions") == 1 and ws.count("imports") == 1
    monkeypatch.setattr(reading, "LARGE_FILE", 10**12)  # the pandas path sees the same content hash
    with Workspace(tmp_path / "dup.duckdb") as ws:
        assert ingest_files(ws, [path]).files[0].duplicate


def test_customer_files_read_whole_by_pandas(tmp_path, monkeypatch, paths):
    _, tables = both(tmp_path, monkeypatch, "customer id,name,region\n1,A,x\n2,B,y\n", name="c.csv")
    assert paths == [] and len(tables["customers"]) == 2


def test_strip_chars_and_digits_match_python():
    assert set(bulk.STRIP_CHARS) == {chr(i) for i in range(0x110000) if chr(i).isspace()}
    chars = [chr(i) for i in range(0x110000) if not 0xD800 <= i <= 0xDFFF]
    python = {c for c in chars if re.fullmatch(r"\d", c)}
    con = duckdb.connect()
    re2 = {r[0] for r in con.execute("SELECT c FROM (SELECT unnest(?) AS c) WHERE regexp_full_match(c, ?)",
                                     [chars, bulk.python_digits()]).fetchall()}
    assert python == re2


def test_invalid_rows_named_in_chinese_on_both_paths(tmp_path, monkeypatch, paths):
    from analysis import i18n

    rows = purchase_rows(6, {2: "c2,o2,2024-01-03,abc,,"})
    text = "customer id,order id,date,amount,quantity,product\n" + "\n".join(rows) + "\n"
    with i18n.using("zh"):
        report, _ = both(tmp_path, monkeypatch, text)
    assert paths == ["careful"]  # the head already shows a cell for the rules: no optimistic pass
    assert "6 行中有 1 行无效" in report and "第 4 行" in report and "'abc'" in report


@pytest.mark.parametrize("content, currency", [
    (HEADER + "1,a,2024-01-01,¥5,,,\n2,b,2024-01-02,6,,,\n", "CNY"),
    (HEADER.replace("amount", "dollar_value") + "1,a,2024-01-01,5,,,\n", "USD"),
    ("customer id,date,amount,币种\n1,2024-01-01,5,人民币\n2,2024-01-02,6,CNY\n", "CNY"),
    (HEADER + "1,a,2024-01-01,¥5,,,\n2,b,2024-01-02,$6,,,\n3,c,2024-01-02,US$7,,,\n", "mixed"),
    ("customer id,date,amount,currency\n1,2024-01-01,5,GBP\n2,2024-01-02,6,EUR\n3,2024-01-02,6,x\n", "mixed"),
])
def test_the_currency_is_found_the_same_both_ways(tmp_path, monkeypatch, paths, content, currency):
    report, tables = both(tmp_path, monkeypatch, content, skip_invalid=True)
    if currency == "mixed":
        assert report.startswith("error: t.csv: the amounts are in more than one currency (")
        assert tables["transactions"] == []
    else:
        assert report["currency"] == currency


def test_amounts_kept_to_the_cent_as_written_both_ways(tmp_path, monkeypatch, paths):
    """With amounts stored as DECIMAL(18,2), each is rounded half away from zero from the value as
    written (1.005 -> 1.01), not from its binary approximation (1.00499... -> 1.00)."""
    from analysis.store import SCHEMA

    monkeypatch.setitem(SCHEMA["transactions"], "amount", "DECIMAL(18,2) NOT NULL")
    rows = "".join(f"c{i},o{i},2024-01-0{i + 1},{v},,,\n"
                   for i, v in enumerate(["1.005", "2.675", "-2.675", "0.125", "9999999999999998", "\"¥1,234.565\""]))
    _, tables = both(tmp_path, monkeypatch, HEADER + rows)
    assert [r[3] for r in tables["transactions"]] == [1.01, 2.68, -2.68, 0.13, 9999999999999998.0, 1234.57]


def test_guests_order_fields_on_the_first_line_and_returns_the_same_both_ways(tmp_path, monkeypatch, paths):
    """Invoice lines: the customer and date written on an order's first line only, a line without
    any customer (a guest checkout), a cancellation invoice (C + digits) and a negative quantity."""
    text = HEADER + ("C1,536365,2024-01-05,15.30,6,Heart,\n,536365,,20.34,6,Lantern,\n"
                     ",536366,2024-01-06,11.10,6,Warmer,\nC2,C536379,2024-01-07,27.50,1,Discount,\n"
                     "C2,536380,2024-01-08,9.00,-3,Mug,\nC3,536381,2024-01-09,5.00,1,Cup,\n")
    report, tables = both(tmp_path, monkeypatch, text)
    assert paths == ["careful"]  # the head already shows a cell for the rules: no optimistic pass
    assert [(r[0], r[1], str(r[2])[:10], r[3]) for r in tables["transactions"]] == [
        ("536365", "C1", "2024-01-05", 15.30), ("536365", "C1", "2024-01-05", 20.34),
        ("C536379", "C2", "2024-01-07", -27.50), ("536380", "C2", "2024-01-08", -9.0),
        ("536381", "C3", "2024-01-09", 5.0)]
    assert [(r[0], r[2]) for r in tables["guest_purchases"]] == [("536366", 11.10)]
    file = report["files"][0]
    assert (file["customer_lines"], file["guest_lines"], file["guest_revenue"], file["carried"]) == (5, 1, 11.1, 2)
    assert file["by_status"] == {"return": {"lines": 2, "value": -36.5, "revenue": True}}


@pytest.mark.parametrize("cell", ['="00123"', "'00123"])
def test_numbers_excel_keeps_as_text_read_the_same_both_ways(tmp_path, monkeypatch, paths, cell):
    report, tables = both(tmp_path, monkeypatch, HEADER + f"{cell},a,2024-01-01,5,,,\nC2,b,2024-01-02,6,,,\n")
    assert paths == ["direct", "pandas"] and tables["transactions"][0][1] == "00123"


def test_both_readers_follow_one_set_of_value_rules(tmp_path, monkeypatch, paths):
    """The value rules live once, in analysis.ingest.value_rules and .rules: a stricter amount
    range and a plain-number form without exponents, changed there alone, change what both
    readers accept, with the same messages (line, column, value)."""
    from analysis.ingest import rules as R, value_rules

    wide = R.value_range

    def narrow(fld, rules):
        got = wide(fld, rules)
        return R.ValueRange(True, None, 500.0, None, R.TOO_BIG) if fld == "amount" else got

    monkeypatch.setattr(R, "value_range", narrow)
    monkeypatch.setattr(value_rules, "PLAIN_NUMBER", r"^[-+]?(\d+\.?\d*|\.\d+)$")
    rows = [f"c{i},o{i},2024-01-0{i % 9 + 1},{i},1,P,K" for i in range(30)]
    rows[4], rows[9] = "c4,o4,2024-01-05,600,1,P,K", "c9,o9,2024-01-01,1e2,1,P,K"
    report, _ = both(tmp_path, monkeypatch, HEADER + "\n".join(rows) + "\n")
    assert report.startswith("error: t.csv: 2 of 30 rows are invalid")
    assert "line 6, column 'amount': '600' is too large" in report and "line 11, column 'amount': '1e2'" in report
    assert "careful" in paths


def test_a_form_added_to_the_value_rules_alone_is_read_by_both_readers(tmp_path, monkeypatch, paths):
    """A new amount form is one entry in analysis.ingest.value_rules: a currency word ("12块",
    colloquial yuan) and a bracketed negative ("[5.00]") are refused by both readers until they
    are added there, and then read the same by both (the pandas parser and the bulk path)."""
    from analysis.ingest import value_rules

    rows = [f"c{i},o{i},2024-01-0{i % 9 + 1},{i}.25,1,P,K" for i in range(20)]
    rows[3], rows[7], rows[11] = "c3,o3,2024-01-04,12块,1,P,K", "c7,o7,2024-01-08,\"1,234.50块\",1,P,K", \
        "c11,o11,2024-01-03,[5.00],1,P,K"
    text = HEADER + "\n".join(rows) + "\n"
    (tmp_path / "before").mkdir()
    before, _ = both(tmp_path / "before", monkeypatch, text)
    assert before.startswith("error: t.csv: 3 of 20 rows are invalid") and "'12块'" in before and "'[5.00]'" in before
    monkeypatch.setitem(value_rules.EXTRA_CURRENCY_MARKS, "块", "CNY")
    monkeypatch.setattr(value_rules, "NEGATIVE_BRACKETS", value_rules.NEGATIVE_BRACKETS + (("[", "]"),))
    paths.clear()
    report, tables = both(tmp_path, monkeypatch, text)
    assert paths == ["careful"]
    assert [r[3] for r in tables["transactions"]][3:12:4] == [12.0, 1234.5, -5.0]
    assert report["files"][0]["rows"] == 20 and report["currency"] == "CNY"
    assert report["files"][0]["currency_evidence"] == "'12块' in column 'amount'"


# A corpus of the values people's files hold, field by field: each goes through both readers in a
# file of otherwise plain rows, and both must give the same value or the same refusal (line,
# column, value). One column's decisions (decimal comma, day or month first) are taken from the
# whole column, so each corpus is a column a file could hold.
NASTY_VALUES = {
    "amount": ["1,234.50", "$1,234.50", "USD 12", "12 usd", "US$ 7", "(5.00)", "5.00-", "(-5)", "+5", "-0",
               "1e3", "1E-2", "1e309", "inf", "NaN", "abc", "1 234.50", "7,50", "１２３", "١٢٣", "12.5.3", ".5",
               "5.", "--5", "0x10", "1_000", "$ 300", "1'234.50", "\u00a012\u00a0", "$-3", "-$3", "$(3.50)"],
    "date": ["2024-01-05", "2024/1/5", "2024.1.5", "2024年1月5日", "20240105", "25/01/2024", "5 Mar 2024",
             "Mar 5, 2024", "2024-02-30", "2024-13-01", "0099-01-01", "45000", "2024-01-05T10:00:00",
             "2024-01-05 10:00", "yesterday", "２０２４-０１-０５", "2024-1-5", "1899-12-31", "2024-01-05Z",
             "5/1/24", " 2024-01-06 ", "2024-01-05\u200b"],
    "customer id": ["Ｃ００１", "C001\u200b", "\ufeffC002", "C\u00a0003", "C004\u3000", "00123", "123.0", "١٢٣.0",
                    "C😀", "מזהה", "<b>C010</b>", "\u202eC007", "c001", "C 008", "\u00adC009",
                    "=1+1", "-5.0", "1e3"],
}


@pytest.mark.parametrize("column", list(NASTY_VALUES))
def test_a_corpus_of_nasty_values_gives_the_same_value_or_refusal_both_ways(tmp_path, monkeypatch, paths, column):
    plain = {"customer id": "c{i}", "order id": "o{i}", "date": "2024-01-0{d}", "amount": "{i}.25",
             "quantity": "1", "product": "P", "category": "K"}
    rows = []
    for i, value in enumerate(NASTY_VALUES[column] * 3):  # each value more than once: distinct values
        cells = {k: v.format(i=i, d=i % 9 + 1) for k, v in plain.items()}
        cells[column] = value if i % 2 == 0 or i >= len(NASTY_VALUES[column]) else cells[column]
        rows.append(",".join('"' + c.replace('"', '""') + '"' if "," in c or '"' in c else c for c in cells.values()))
    report, tables = both(tmp_path, monkeypatch, HEADER + "\n".join(rows) + "\n", skip_invalid=True)
    assert "careful" in paths  # the bulk side read them with the Python rules, not the pandas path whole
    assert tables["transactions"] or tables["guest_purchases"]
