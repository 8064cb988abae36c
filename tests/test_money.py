"""Exact money in the workspace's currency (issue 12 §2), followed as people use it.

A shop imports a GBK file of ￥ amounts and reads yuan on the Overview, to the exact sum; a
consultant changes the currency on the Data page and the pyramid follows; a UK retailer's file
reads in pounds on the command line; ``report --json`` is the same, byte for byte, on every run;
workspaces written before amounts were exact keep working. Expected figures are computed here
with Python's ``Decimal`` from the file's own text, never by the app's code.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from analysis.store import Workspace
from tests.pagetest import open_page

ROOT = Path(__file__).resolve().parents[1]

# A Chinese shop's export: GBK, full-width ￥ (the yen/yuan sign GBK has), thousands separators.
YUAN_LINES = [("C001", "2024-01-05", "￥1,234.50"), ("C002", "2024-01-20", "￥88.07"),
              ("C001", "2024-02-03", "￥12,000.00"), ("C003", "2024-02-14", "￥0.93"),
              ("C002", "2024-03-09", "￥445.00")]
YUAN_CSV = ("客户编号,订单日期,金额\n" + "".join(f'{c},{d},"{a}"\n' for c, d, a in YUAN_LINES)).encode("gbk")

# A UK retailer's invoice lines: day-first dates, pounds, a refund in parentheses.
POUND_LINES = [("INV-1001", "ACME Ltd", "25/01/2024", "Desk", "£1,250.00"),
               ("INV-1002", "Beta plc", "14/02/2024", "Chair", "£99.99"),
               ("INV-1003", "ACME Ltd", "28/03/2024", "Lamp", "£310.45"),
               ("INV-1004", "Beta plc", "30/03/2024", "Chair", "(£20.00)")]
POUND_CSV = ("Invoice No,Customer ID,Invoice Date,Product,Amount\n"
             + "".join(f'{i},{c},{d},{p},"{a}"\n' for i, c, d, p, a in POUND_LINES))


def amount(text: str) -> Decimal:
    """The amount a person reads in the file's cell: signs and separators off, () negative."""
    digits = text.strip("()").replace("￥", "").replace("£", "").replace(",", "")
    return -Decimal(digits) if text.startswith("(") else Decimal(digits)


def whole(value: Decimal, sign: str) -> str:
    """A figure as an account writes it in whole units: rounded half up, grouped, the sign first."""
    return f"{sign}{value.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"


def chart(at, n: int) -> dict:
    return json.loads(at.get("plotly_chart")[n].proto.spec)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, timeout=600)


# -- the app --------------------------------------------------------------------------------
def test_a_gbk_file_of_yuan_reads_in_yuan_to_the_exact_sum(demo_copy, capsys):
    at = open_page(demo_copy, "data")
    at.text_input(key="data_new_name").set_value("yuan-shop").run()
    at.file_uploader(key="data_upload").set_value(("销售.csv", YUAN_CSV, "text/csv")).run()
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    shop = demo_copy.parent / "yuan-shop.duckdb"
    assert at.session_state["workspace_path"] == str(shop)
    # the Data page shows the workspace's currency; the user confirms yuan there
    at.selectbox(key="data_currency").set_value("CNY").run()
    assert not at.exception, at.exception

    at.switch_page("pages/overview.py").run()
    assert not at.exception, at.exception
    total = sum(amount(a) for _, _, a in YUAN_LINES)
    assert total == Decimal("13768.50")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Revenue"] == whole(total, "¥") == "¥13,769"
    assert metrics["Average order value"] == whole(total / 5, "¥")
    by_month: dict[str, Decimal] = {}
    for _, day, a in YUAN_LINES:
        by_month[day[:7]] = by_month.get(day[:7], Decimal(0)) + amount(a)
    months = chart(at, 1)
    bars = months["data"][0]
    assert [cd[0] for cd in bars["customdata"]] == list(by_month)
    assert [cd[3] for cd in bars["customdata"]] == [whole(v, "¥") for v in by_month.values()]  # hovers
    assert "%{customdata[3]}" in bars["hovertemplate"] and "$" not in bars["hovertemplate"]
    assert months["layout"]["yaxis"]["tickprefix"] == "¥"
    assert months["layout"]["yaxis"]["title"]["text"] == "Net revenue (¥)"

    # in Chinese the axis counts in 万, and the hovers say the same
    at.selectbox(key="lang").set_value("zh").run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["收入"] == "¥13,769"
    months = chart(at, 1)
    assert months["layout"]["yaxis"]["ticktext"] == ["¥0", "¥0.25万", "¥0.5万", "¥0.75万", "¥1万", "¥1.25万"]
    assert months["layout"]["yaxis"]["tickvals"] == [0, 2500, 5000, 7500, 10000, 12500]
    assert [cd[3] for cd in months["data"][0]["customdata"]] == ["¥1,323", "¥1.2万", "¥445"]
    assert months["layout"]["yaxis"]["title"]["text"] == "净收入（¥）"

    # the command line reads the same workspace: the exact sum, and its currency (in this process:
    # the app still has the file open)
    from analysis.cli import main

    capsys.readouterr()
    assert main(["report", "--db", str(shop), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["currency"] == "CNY" and Decimal(str(report["revenue"])) == total


def test_changing_the_currency_on_the_data_page_changes_every_page(demo_copy):
    at = open_page(demo_copy, "data")
    assert at.selectbox(key="data_currency").value == "USD"  # the demo company is a US distributor
    at.switch_page("pages/pyramid.py").run()
    assert all("$" in text for text in chart(at, 0)["data"][0]["text"][:4])  # the active layers' revenue

    at.switch_page("pages/data.py").run()
    at.selectbox(key="data_currency").set_value("GBP").run()
    assert not at.exception, at.exception
    at.switch_page("pages/pyramid.py").run()
    assert not at.exception, at.exception
    bars = chart(at, 0)["data"][0]
    assert all("£" in text and "$" not in text for text in bars["text"][:4])
    assert all(cd[4].startswith("£") for cd in bars["customdata"][:4])  # hovers
    layers = next(d.value for d in at.dataframe if "Layer" in d.value.columns)
    assert "Revenue (£)" in layers.columns
    at.selectbox(key="pyr_tier").set_value("top").run()
    listed = at.dataframe[-1].value
    assert {"Revenue in window (£)", "Revenue, all time (£)"} <= set(listed.columns)
    at.switch_page("pages/overview.py").run()
    assert {m.label: m.value for m in at.metric}["Revenue"].startswith("£")
    with Workspace(demo_copy) as ws:  # (read-write, as the app in this process has it open)
        assert ws.currency() == "GBP"  # kept with the workspace, for the next visit and the CLI


def test_an_unknown_currency_shows_no_sign_and_the_data_page_asks_for_it(tmp_path):
    from tests.builders import make_workspace

    ws = make_workspace(tmp_path, transactions=[{"customer_id": "a", "date": "2024-01-01", "amount": 10.5},
                                                {"customer_id": "b", "date": "2024-02-01", "amount": 30.0}])
    ws.close()
    at = open_page(ws.path, "data")
    assert at.selectbox(key="data_currency").value is None
    assert any("currency is not known" in i.value for i in at.info)
    at.switch_page("pages/overview.py").run()
    assert {m.label: m.value for m in at.metric}["Revenue"] == "41"  # 40.50, no sign claimed
    months = chart(at, 1)
    assert "tickprefix" not in months["layout"]["yaxis"]
    assert months["layout"]["yaxis"]["title"]["text"] == "Net revenue"


def test_cost_to_serve_is_set_in_the_workspace_currency(demo_copy):
    at = open_page(demo_copy, "value")
    labels = {n.label for n in at.sidebar.number_input}
    assert {"Cost per contact ($)", "Cost per complaint ($)", "Cost per refund ($)"} <= labels


# -- the command line -------------------------------------------------------------------------
def test_a_uk_file_reads_in_pounds(tmp_path):
    src, db = tmp_path / "uk-invoices.csv", tmp_path / "uk.duckdb"
    src.write_text(POUND_CSV, encoding="utf-8")
    done = cli("ingest", str(src), "--db", str(db), "--json")
    assert done.returncode == 0, done.stderr.decode()
    total = sum(amount(a) for *_, a in POUND_LINES)
    assert total == Decimal("1640.44")

    done = cli("report", "--db", str(db), "--json", "--currency", "GBP")  # the flag overrides
    report = json.loads(done.stdout)
    assert report["currency"] == "GBP" and Decimal(str(report["revenue"])) == total
    assert Decimal(str(report["kpis"]["revenue"])) == total

    with Workspace(db) as ws:  # what the Data page's currency picker does (or import, once it detects £)
        if ws.currency() is None:
            ws.set_currency("GBP")
    report = json.loads(cli("report", "--db", str(db), "--json").stdout)
    assert report["currency"] == "GBP"
    acme = json.loads(cli("customer", "ACME Ltd", "--db", str(db), "--json").stdout)
    assert [e["detail"] for e in acme["events"] if e["kind"] == "purchase"] == [
        "Bought Desk for £1,250.00", "Bought Lamp for £310.45"]
    reasons = [a["reason"] for a in acme["actions"]]
    top = Decimal("1250.00") + Decimal("310.45")  # ACME is the top customer of the window
    assert any(f"revenue {whole(top, '£')} in the last 12 months" in r for r in reasons), reasons
    assert not any("$" in r for r in reasons)
    # --currency still overrides the workspace's, with a code or a sign
    euros = json.loads(cli("customer", "ACME Ltd", "--db", str(db), "--json", "--currency", "€").stdout)
    assert "Bought Desk for €1,250.00" in [e["detail"] for e in euros["events"]]
    assert json.loads(cli("report", "--db", str(db), "--json", "--currency", "eur").stdout)["currency"] == "EUR"


def drift_workspace(path: Path, lines: int = 300_000, customers: int = 3_000, seed: int = 7) -> Path:
    """Many lines of x.01 / x.07 / x.37 ... amounts, over more than one DuckDB row group: the
    kind of data whose floating-point sums come out different from run to run."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "order_id": [f"o{i}" for i in range(lines)],
        "customer_id": [f"c{c:05d}" for c in rng.integers(0, customers, lines)],
        "date": (pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 730, lines), unit="D")).date,
        "amount": rng.integers(1, 400, lines) + rng.choice([1, 7, 11, 17, 37, 71], lines) / 100,
    })
    with Workspace(path) as ws, ws.transaction() as cur:
        ws.append(cur, "transactions", frame)
    return path


def report_in_process(db: Path, threads: int, monkeypatch, capsys) -> bytes:
    """``report --json`` in this process, with DuckDB running ``threads`` threads."""
    from analysis.cli import main

    connect = duckdb.connect
    with monkeypatch.context() as m:
        m.setattr(duckdb, "connect", lambda database=":memory:", read_only=False, config=None, **kw: connect(
            database, read_only=read_only, config={**(config or {}), "threads": threads}, **kw))
        assert main(["report", "--db", str(db), "--json"]) == 0
    return capsys.readouterr().out.encode()


def test_report_json_is_byte_identical_on_every_run(tmp_path, monkeypatch, capsys):
    db = drift_workspace(tmp_path / "drift.duckdb")
    runs = [cli("report", "--db", str(db), "--json") for _ in range(2)]  # two separate processes
    assert all(r.returncode == 0 for r in runs), runs[0].stderr.decode()
    runs = [r.stdout for r in runs] + [report_in_process(db, n, monkeypatch, capsys) for n in (1, 4)]
    assert runs[0] == runs[1] == runs[2] == runs[3]
    report = json.loads(runs[0])
    with duckdb.connect(str(db), read_only=True) as con:  # the exact total, independently
        exact = con.execute('SELECT sum(CAST("amount" AS VARCHAR)::DECIMAL(38, 2)) FROM "transactions"').fetchone()[0]
    assert Decimal(str(report["revenue"])) == Decimal(str(report["kpis"]["revenue"])) == exact
    tiers = [Decimal(str(p["revenue"])) for p in report["pyramid"][:4]]
    assert all(t == t.quantize(Decimal("0.01")) for t in tiers)  # sums of cents are cents


def test_the_demo_report_is_byte_identical_on_every_run(demo_copy, monkeypatch, capsys):
    first = cli("report", "--db", str(demo_copy), "--json")
    assert first.returncode == 0, first.stderr.decode()
    assert report_in_process(demo_copy, 4, monkeypatch, capsys) == first.stdout
    assert json.loads(first.stdout)["currency"] == "USD"


# -- workspaces written before amounts were exact ------------------------------------------
def old_workspace(path: Path, amounts: list[float]) -> Path:
    """A workspace file as an earlier version wrote it: its tables, with amounts as DOUBLE."""
    from analysis.store import SCHEMA

    with duckdb.connect(str(path)) as con:
        for table, columns in SCHEMA.items():
            typed = ", ".join(f'"{c}" ' + ("DOUBLE" + " NOT NULL" * ("NOT NULL" in kind) if c in ("amount", "wallet")
                                           else kind) for c, kind in columns.items())
            con.execute(f'CREATE TABLE "{table}" ({typed})')
        con.execute("INSERT INTO customers (customer_id, name, wallet) VALUES ('a', 'Ann', 1234.5)")
        con.executemany("INSERT INTO transactions (customer_id, date, amount) VALUES ('a', DATE '2024-05-01' + ?, ?)",
                        list(enumerate(amounts)))
    return path


def column_types(path: Path) -> dict[str, str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return dict(con.execute("SELECT table_name || '.' || column_name, data_type FROM duckdb_columns() "
                                "WHERE column_name IN ('amount', 'wallet')").fetchall())


def test_an_older_workspace_keeps_working(tmp_path):
    from analysis.identify.overview import kpis

    amounts = [0.1, 0.2, 10.07, 3.333]  # 3.333 was never a cent: it is kept to the cent, 3.33
    exact = Decimal("0.10") + Decimal("0.20") + Decimal("10.07") + Decimal("3.33")
    read_only = old_workspace(tmp_path / "kept.duckdb", amounts)
    with Workspace(read_only, read_only=True) as ws:  # read as it is, without changing the file
        assert Decimal(repr(kpis(ws.tables())["revenue"])) == exact
    assert column_types(read_only)["transactions.amount"] == "DOUBLE"

    writable = old_workspace(tmp_path / "converted.duckdb", amounts)
    done = cli("report", "--db", str(writable), "--json")  # a reader: opens the file read-only
    assert done.returncode == 0, done.stderr.decode()
    assert Decimal(str(json.loads(done.stdout)["kpis"]["revenue"])) == exact
    assert column_types(writable)["transactions.amount"] == "DOUBLE"
    done = cli("log", "a", "--db", str(writable), "--kind", "contact", "--channel", "phone", "--date", "2024-05-02")
    assert done.returncode == 0, done.stderr.decode()  # a writer: converts the file once
    converted = column_types(writable)  # every money column of the file, guest purchases included
    assert {"transactions.amount", "customers.wallet"} <= set(converted)
    assert set(converted.values()) == {"DECIMAL(18,2)"}
    with duckdb.connect(str(writable), read_only=True) as con:
        assert con.execute("SELECT wallet FROM customers").fetchone()[0] == Decimal("1234.50")


def test_an_older_workspace_with_an_amount_too_large_is_refused_and_left_unchanged(tmp_path):
    db = old_workspace(tmp_path / "huge.duckdb", [12.5, 1e308])
    done = cli("report", "--db", str(db), "--json")
    assert done.returncode == 2 and done.stdout == b""
    error = done.stderr.decode()
    assert error.startswith("error: ") and error.count("\n") == 1
    assert "transactions.amount" in error and "1e+308" in error and "Traceback" not in error
    assert column_types(db)["transactions.amount"] == "DOUBLE"


# -- the shared pieces ------------------------------------------------------------------------
@pytest.mark.parametrize("sign, code", [("¥", "CNY"), ("JP¥", "JPY"), ("CHF ", "CHF"), ("£", "GBP"),
                                        ("us$", "USD"), ("", None), ("Fr.", None)])
def test_code_of_symbol(sign, code):
    from analysis.money import code_of_symbol

    assert code_of_symbol(sign) == code


def test_labels_name_the_currency_only_when_known():
    from analysis import i18n
    from analysis.money import in_currency

    assert in_currency("Revenue", "£") == "Revenue (£)" and in_currency("Revenue", "") == "Revenue"
    with i18n.using("zh"):
        assert in_currency("收入", "¥") == "收入（¥）"
    assert f"{i18n.Amount(-85.4, '$'):,.0f}" == "-$85" and f"{i18n.Amount(1250, '£'):,.2f}" == "£1,250.00"
    assert i18n.money(13768.5, "¥") == "¥13,769" and i18n.money(2.675, "$", 2) == "$2.68"  # half up, as written


def test_tables_round_amounts_as_tiles_do():
    from analysis.money import whole

    assert whole(pd.Series([12_340.5, -85.5, 2.49, 0.5, -0.4])).tolist() == [12_341, -86, 2, 1, 0]
    assert str(whole(pd.Series([-0.4])).iloc[0]) == "0.0"  # never "-0"
