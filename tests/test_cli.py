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


def test_customer_actions_log_export_on_demo(demo_copy, tmp_path, capsys):
    db = str(demo_copy)
    code, out, _ = run(capsys, "customer", "C00042", "--db", db, "--json")
    assert code == 0
    detail = json.loads(out)
    assert set(detail) >= {"profile", "events", "actions"}
    assert detail["profile"]["customer_id"] == "C00042"
    assert detail["profile"]["tier"] in {"top", "big", "medium", "small", "inactive", "prospect", "suspect"}
    times = [e["time"] for e in detail["events"]]
    assert times == sorted(times) and len(times) >= 1

    code, out, _ = run(capsys, "log", "C00042", "--db", db, "--kind", "complaint", "--channel", "phone",
                       "--date", "2026-06-29", "--note", "Late delivery")
    assert code == 0 and "recorded" in out
    code, out, _ = run(capsys, "customer", "C00042", "--db", db, "--json")
    detail = json.loads(out)
    assert any(e["kind"] == "complaint" and e["note"] == "Late delivery" for e in detail["events"])
    assert any(a["action"] == "complaint_follow_up" for a in detail["actions"])

    code, out, _ = run(capsys, "actions", "--db", db, "--limit", "5", "--json")
    top = json.loads(out)
    assert code == 0 and 1 <= len(top) <= 5
    assert [a["priority"] for a in top] == sorted((a["priority"] for a in top), reverse=True)
    assert {"customer_id", "action", "reason", "priority", "due", "channel"} <= set(top[0])
    code, out, _ = run(capsys, "actions", "--db", db, "--tier", "top", "--json")
    assert {a["tier"] for a in json.loads(out)} == {"top"}

    out_csv = tmp_path / "all.csv"
    code, _, _ = run(capsys, "export", "--db", db, "--out", str(out_csv))
    assert code == 0
    import pandas as pd

    frame = pd.read_csv(out_csv, encoding="utf-8-sig", dtype=str)
    assert len(frame) == 6000
    assert list(frame.columns[:6]) == ["customer_id", "name", "tier", "cell", "cluster_name", "rfm_segment"]
    out_xlsx = tmp_path / "top.xlsx"
    code, _, _ = run(capsys, "export", "--db", db, "--out", str(out_xlsx), "--tier", "top")
    assert code == 0
    assert set(pd.read_excel(out_xlsx, engine="calamine")["tier"]) == {"top"}


def test_log_rejects_bad_input_without_writing(demo_copy, capsys):
    from analysis.store import Workspace

    before = Workspace(demo_copy).count("interactions")
    code, _, err = run(capsys, "log", "NOPE", "--db", str(demo_copy), "--kind", "contact", "--channel", "phone")
    assert code == 2 and err.startswith("error:") and "NOPE" in err
    code, _, err = run(capsys, "log", "C00042", "--db", str(demo_copy), "--kind", "contact", "--channel", "phone",
                       "--satisfaction", "9", "--scale", "5")
    assert code == 2 and err.startswith("error:")
    assert Workspace(demo_copy).count("interactions") == before


def test_thresholds_are_flags_and_holdout_adds_validation(demo_copy, capsys):
    db = str(demo_copy)
    code, out, _ = run(capsys, "report", "--db", db, "--json")
    base = json.loads(out)
    code, out, _ = run(capsys, "report", "--db", db, "--json", "--mvc-share", "0.1", "--holdout", "2026-01-01")
    assert code == 0
    changed = json.loads(out)
    assert changed["value_groups"]["MVC"] < base["value_groups"]["MVC"]
    holdout = changed["clv"]["holdout"]
    assert holdout and "errors" in json.dumps(holdout)
    assert set(changed["clv"]["bgnbd"]) == {"r", "alpha", "a", "b"}
    assert set(changed["clv"]["gamma_gamma"]) == {"p", "q", "gamma"}
    code, _, err = run(capsys, "report", "--db", db, "--json", "--satisfaction-low", "5")
    assert code == 2 and err.startswith("error:") and "satisfaction_low" in err
