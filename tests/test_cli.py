"""The CLI contracts of the issues: commands, flags, JSON keys, `error:` lines and exit 2."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.cli import main

ROOT = Path(__file__).resolve().parents[1]

SALES_CSV = "客户编号,订单日期,金额\nC1,2024-01-05,100.50\nC1,2024-03-01,50\nC2,2024-02-10,20\n"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ingest_then_report(tmp_path, capsys):
    src = tmp_path / "sales.csv"
    src.write_text(SALES_CSV, encoding="utf-8")
    db = tmp_path / "w.duckdb"
    code, out, _ = run(capsys, "ingest", str(src), "--db", str(db), "--json")
    assert code == 0
    result = json.loads(out)
    assert result["files"][0]["rows"] == 3
    code, out, _ = run(capsys, "report", "--db", str(db), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["as_of"] == "2024-03-01"
    assert report["customers"] == 2
    assert report["transactions"] == 3
    assert report["revenue"] == pytest.approx(170.5)
    code, out, _ = run(capsys, "report", "--db", str(db), "--as-of", "2024-01-31", "--json")
    assert json.loads(out)["transactions"] == 1


def test_failed_ingest_is_one_error_line_exit_2_and_no_workspace(tmp_path, capsys):
    src = tmp_path / "bad.csv"
    src.write_text("客户编号,订单日期,金额\nC1,2024-01-05,abc\n", encoding="utf-8")
    db = tmp_path / "new.duckdb"
    code, out, err = run(capsys, "ingest", str(src), "--db", str(db))
    assert code == 2
    assert err.startswith("error:") and len(err.strip().splitlines()) == 1
    assert "bad.csv" in err and "abc" in err
    assert not db.exists()


def test_missing_file_and_missing_workspace_are_user_errors(tmp_path, capsys):
    code, _, err = run(capsys, "ingest", str(tmp_path / "nope.csv"), "--db", str(tmp_path / "w.duckdb"))
    assert code == 2 and err.startswith("error:") and "nope.csv" in err
    code, _, err = run(capsys, "report", "--db", str(tmp_path / "absent.duckdb"), "--json")
    assert code == 2 and err.startswith("error:")
    assert not (tmp_path / "absent.duckdb").exists()


def test_bad_map_flag(tmp_path, capsys):
    src = tmp_path / "sales.csv"
    src.write_text(SALES_CSV, encoding="utf-8")
    code, _, err = run(capsys, "ingest", str(src), "--db", str(tmp_path / "w.duckdb"), "--map", "amount")
    assert code == 2 and "FIELD=COLUMN" in err


def test_module_entry_point_and_usage_errors():
    done = subprocess.run([sys.executable, "-m", "analysis", "report", "--bogus"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.startswith("error:") and "Traceback" not in done.stderr
