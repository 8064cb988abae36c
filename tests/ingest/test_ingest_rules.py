"""What import refuses because analysis could not use it (issue 12 §3, §1): amounts too large
to keep, dates out of range or after the day of import, and ids that differ only by characters
nobody sees. Each test follows a user: the file they import, then the commands they run next."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from analysis import money
from analysis.ingest import ingest_files, rules, validate
from analysis.store import Workspace
from tests.cli import run


@pytest.fixture
def day(monkeypatch):
    """The day of import, pinned."""
    today = dt.date(2026, 12, 6)
    monkeypatch.setattr(rules, "import_day", lambda: today)
    return today


GOOD = ["C1,2024-01-05,100.50", "C2,2024-02-10,20", "C1,2024-03-01,50"]


def _file(tmp_path, rows, name="sales.csv", header="customer id,date,amount"):
    path = tmp_path / name
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("cell, words", [
    ("C3,2024-03-02,1e309", "column 'amount': '1e309' is not an amount"),
    ("C3,2024-03-02,1e308", "column 'amount': '1e308' is too large for an amount"),
    ("C3,2024-03-02,\"10,000,000,000,000,000\"", "column 'amount': '10,000,000,000,000,000' is too large"),
    ("C3,9999-12-31,5", "column 'date': '9999-12-31' is after the day of import (6 Dec 2026)"),
    ("C3,0001-01-01,5", "column 'date': '0001-01-01' is before 1 Jan 1900"),
])
def test_out_of_range_cells_are_refused_then_skipped_and_every_command_works(tmp_path, capsys, day, cell, words):
    src = _file(tmp_path, GOOD + [cell])
    db = tmp_path / "w.duckdb"
    code, out, err = run(capsys, "ingest", src, "--db", db)
    assert code == 2 and out == ""
    assert err.startswith(f"error: sales.csv: 1 of 4 rows are invalid, nothing was imported; line 5, {words}")
    assert err.count("\n") == 1 and ".;" not in err
    assert "--skip-invalid" in err and "tick" not in err
    assert not db.exists()
    code, out, err = run(capsys, "ingest", src, "--db", db, "--skip-invalid", "--json")
    assert code == 0, err
    assert json.loads(out)["files"][0]["rows"] == 3 and json.loads(out)["files"][0]["skipped"] == 1
    code, out, err = run(capsys, "report", "--db", db, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["revenue"] == pytest.approx(170.5) and report["as_of"] == "2024-03-01"
    for argv in (("customer", "C1", "--db", db, "--json"), ("actions", "--db", db, "--json")):
        code, out, err = run(capsys, *argv)
        assert code == 0 and "Traceback" not in err, err
        json.loads(out)


def test_the_range_is_money_in_range():
    for value in (9_999_999_999_999_998.0, 1e16, -1e16, 1e308, 123.45, -0.01):
        import pandas as pd

        codes = validate.range_codes("amount", pd.Series([value]), validate.Rules())
        assert (codes is None or codes.iloc[0] is None) == money.in_range(value), value


def test_a_row_dated_after_the_day_of_import_is_refused_unless_allowed(tmp_path, capsys, day):
    tomorrow = (day + dt.timedelta(days=1)).isoformat()
    src = _file(tmp_path, GOOD + [f"C3,{day.isoformat()},7", f"C4,2099-01-05,9", f"C5,{tomorrow},1"])
    db = tmp_path / "w.duckdb"
    code, _, err = run(capsys, "ingest", src, "--db", db)
    assert code == 2
    assert err == (
        "error: sales.csv: 2 of 6 rows are invalid, nothing was imported; "
        "line 6, column 'date': '2099-01-05' is after the day of import (6 Dec 2026); "
        "line 7, column 'date': '2026-12-07' is after the day of import (6 Dec 2026); "
        "Fix these rows, or import with --skip-invalid to import only the valid rows; "
        "If the dates after the day of import are right, import with --allow-future-dates.\n")
    code, out, err = run(capsys, "ingest", src, "--db", db, "--allow-future-dates", "--json")
    assert code == 0, err
    assert json.loads(out)["files"][0]["rows"] == 6
    code, out, _ = run(capsys, "report", "--db", db, "--json")
    assert json.loads(out)["as_of"] == "2099-01-05"


def test_skipping_future_rows_keeps_the_as_of_at_the_real_last_purchase(tmp_path, capsys, day):
    src = _file(tmp_path, GOOD + ["C4,2099-01-05,9"])
    db = tmp_path / "w.duckdb"
    code, out, err = run(capsys, "ingest", src, "--db", db, "--skip-invalid")
    assert code == 0 and "line 5, column 'date': '2099-01-05' is after the day of import" in out
    code, out, _ = run(capsys, "report", "--db", db, "--json")
    report = json.loads(out)
    assert report["as_of"] == "2024-03-01" and report["kpis"]["active_customers"] == 2


def test_future_contacts_and_signups_follow_the_same_rule(tmp_path, day):
    contacts = _file(tmp_path, ["C1,2024-01-05 10:00,call", "C2,2030-01-01 09:00,visit"], name="c.csv",
                     header="customer id,date,type")
    customers = _file(tmp_path, ["C1,Acme,2024-01-01", "C2,Beta,2031-05-05"], name="l.csv",
                      header="customer id,name,signup date")
    with Workspace(tmp_path / "w.duckdb") as ws:
        for path, line in ((contacts, "line 3, column 'date': '2030-01-01 09:00'"),
                           (customers, "line 3, column 'signup date': '2031-05-05'")):
            with pytest.raises(Exception) as err:
                ingest_files(ws, [path])
            assert f"{line} is after the day of import" in str(err.value)
        ingest_files(ws, [contacts, customers], allow_future_dates=True)
        assert ws.count("interactions") == 2 and ws.count("customers") == 2


INVISIBLE = ["C001", "C001\u200b", "Ｃ００１", "\ufeffC001", "C\u200d001", "C001\u00a0", "C\u2060001"]


def test_ids_differing_only_by_invisible_or_full_width_characters_are_one_customer(tmp_path, capsys, day):
    rows = [f"{cid},ORD-{i},2024-01-0{i + 1},10" for i, cid in enumerate(INVISIBLE)]
    purchases = _file(tmp_path, rows, header="customer id,order id,date,amount")
    customers = _file(tmp_path, ["Ｃ００１,Acme Ltd,North", "\u200bC002,Beta,South"], name="customers.csv",
                      header="customer id,name,region")
    db = tmp_path / "w.duckdb"
    code, out, err = run(capsys, "ingest", purchases, customers, "--db", db)
    assert code == 0, err
    # distinct written forms that changed: the zero-width space, the full-width form, the BOM,
    # the joiner, the word joiner (a no-break space at the end is stripped like any space)
    assert "5 ids written with invisible or full-width characters were normalised" in out
    code, out, err = run(capsys, "ingest", purchases, customers, "--db", tmp_path / "j.duckdb", "--json")
    files = json.loads(out)["files"]
    assert [f["ids_normalised"] for f in files] == [5, 2]
    code, out, _ = run(capsys, "report", "--db", db, "--json")
    report = json.loads(out)
    assert report["customers"] == 2 and report["transactions"] == 7 and report["revenue"] == pytest.approx(70)
    code, out, _ = run(capsys, "customer", "C001", "--db", db, "--json")
    assert code == 0 and "Acme Ltd" in out
    with Workspace(db, read_only=True) as ws:
        assert sorted(ws.query("SELECT customer_id FROM customers")["customer_id"]) == ["C001", "C002"]
        assert ws.scalar("SELECT count(DISTINCT customer_id) FROM transactions") == 1


# -- the currency the amounts are in -------------------------------------------------------------
def test_a_gbk_file_of_yuan_amounts_makes_a_yuan_workspace(tmp_path, capsys, day):
    src = tmp_path / "订单.csv"
    src.write_bytes("客户编号,订单日期,金额\nC1,2024-01-05,\"￥1,234.50\"\nC2,2024-01-06,88\n".encode("gbk"))
    db = tmp_path / "w.duckdb"
    code, out, err = run(capsys, "ingest", src, "--db", db, "--json")
    assert code == 0, err
    got = json.loads(out)
    assert got["currency"] == "CNY" and got["files"][0]["currency_evidence"] == "'￥1,234.50' in column '金额'"
    with Workspace(db, read_only=True) as ws:
        assert ws.currency() == "CNY"
    code, out, _ = run(capsys, "ingest", _file(tmp_path, ["C3,2024-02-01,5"], name="more.csv"), "--db", db)
    assert code == 0 and "currency" not in out  # plain numbers: nothing said, nothing changed


@pytest.mark.parametrize("header, rows, code, evidence", [
    ("customer id,date,dollar_value", ["1,2024-01-01,5.5"], "USD", "the column name 'dollar_value'"),
    ("客户编号,日期,金额(元)", ["1,2024-01-01,5.5"], "CNY", "the column name '金额(元)'"),
    ("customer id,date,amount,currency", ["1,2024-01-01,5,eur", "2,2024-01-01,6,EUR"], "EUR",
     "column 'currency': 'eur'"),
    ("customer id,date,amount", ["1,2024-01-01,£5", "2,2024-01-01,6"], "GBP", "'£5' in column 'amount'"),
])
def test_the_currency_is_read_from_signs_codes_a_currency_column_or_the_column_name(tmp_path, capsys, day, header,
                                                                                    rows, code, evidence):
    db = tmp_path / "w.duckdb"
    result, out, err = run(capsys, "ingest", _file(tmp_path, rows, header=header), "--db", db)
    assert result == 0, err
    assert f"amounts in {code} ({evidence})" in out and f"The workspace's currency is now {code}." in out
    with Workspace(db, read_only=True) as ws:
        assert ws.currency() == code


def test_a_file_mixing_currencies_is_refused_naming_the_rows(tmp_path, capsys, day):
    rows = ["C1,2024-01-01,¥10", "C2,2024-01-02,$5", "C3,2024-01-03,7", "C4,2024-01-04,RMB 8", "C5,2024-01-05,USD 9"]
    db = tmp_path / "w.duckdb"
    code, _, err = run(capsys, "ingest", _file(tmp_path, rows), "--db", db, "--skip-invalid")
    assert code == 2 and not db.exists()
    assert err == ("error: sales.csv: the amounts are in more than one currency (CNY on lines 2, 5; USD on lines 3, "
                   "6), and a workspace keeps all its figures in one; amounts are never converted. Import each "
                   "currency's rows into a workspace of its own.\n")
    column = _file(tmp_path, ["1,2024-01-01,5,CNY", "2,2024-01-01,6,人民币", "3,2024-01-01,6,GBP"], name="c.csv",
                   header="customer id,date,amount,币种")
    code, _, err = run(capsys, "ingest", column, "--db", db)
    assert code == 2 and "(CNY on lines 2, 3; GBP on line 4)" in err
    unknown = _file(tmp_path, ["1,2024-01-01,5,CNY", "2,2024-01-01,6,Dollars?"], name="u.csv",
                    header="customer id,date,amount,currency")
    code, _, err = run(capsys, "ingest", unknown, "--db", db)
    assert code == 2 and "line 3, column 'currency': 'Dollars?' is not a currency such as CNY, USD, EUR or GBP" in err


def test_a_file_in_another_currency_than_the_workspace_is_refused_saying_both(tmp_path, capsys, day):
    db = tmp_path / "shop.duckdb"
    assert run(capsys, "ingest", _file(tmp_path, ["C1,2024-01-01,¥10"]), "--db", db)[0] == 0
    uk = _file(tmp_path, ["C2,2024-01-02,£5", "C3,2024-01-03,£6"], name="uk.csv")
    code, _, err = run(capsys, "ingest", uk, "--db", db)
    assert code == 2
    assert err == ("error: uk.csv: the amounts are in GBP ('£5' in column 'amount'), but workspace “shop” keeps its "
                   "figures in CNY, and amounts are never converted; Import the file into another workspace "
                   "(another --db), or, if CNY is wrong, change the workspace's currency on the app's Data page and "
                   "import again.\n")
    with Workspace(db, read_only=True) as ws:
        assert ws.count("transactions") == 1 and ws.currency() == "CNY"
    # two files of one import in two currencies: the second is refused and nothing is written
    code, _, err = run(capsys, "ingest", uk, _file(tmp_path, ["C4,2024-01-04,€4"], name="eu.csv"), "--db",
                       tmp_path / "new.duckdb")
    assert code == 2 and "eu.csv: the amounts are in EUR" in err and "keeps its figures in GBP" in err
    assert not (tmp_path / "new.duckdb").exists()
