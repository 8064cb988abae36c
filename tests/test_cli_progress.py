"""The command line tells the stages of long work on stderr (issue 15 §4) and starts fast."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def cli(*argv, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *argv], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, **kwargs)


def test_a_manager_follows_the_stages_of_import_report_and_actions(tmp_path):
    """Import a shop's file, then the report and the action plan, each with --progress:
    stderr names every stage in order with a share that only grows, stdout stays strict JSON
    with the figures of the file; without --progress, --json keeps stderr empty."""
    rows = [{"customer": f"K{c:02d}", "day": f"2025-{1 + (c * 7 + i) % 12:02d}-{1 + (c + i) % 28:02d}",
             "amount": round(10 + c * 1.25 + i * 3.5, 2)} for c in range(40) for i in range(1 + c % 4)]
    sales = pd.DataFrame(rows)
    path = tmp_path / "sales.csv"
    sales.rename(columns={"customer": "customer_id", "day": "date"}).to_csv(path, index=False)
    db = str(tmp_path / "shop.duckdb")

    done = cli("ingest", str(path), "--db", db, "--json", "--progress")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows"] == len(sales)
    assert [line.split("] ", 1)[1] for line in done.stderr.splitlines()] == [
        "Importing 1 file: reading, checking and writing", "Import done"]

    done = cli("report", "--db", db, "--json", "--progress")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["customers"] == sales["customer"].nunique()
    assert round(report["revenue"], 2) == round(sales["amount"].sum(), 2)
    stages = [line.split("] ", 1)[1] for line in done.stderr.splitlines()]
    assert stages[0] == "Counting customers, purchases and revenue" and stages[-1] == "Report ready"
    assert "Finding clusters and personas" in stages
    shares = [int(line[1:5].strip().rstrip("%")) for line in done.stderr.splitlines()]
    assert shares == sorted(shares) and shares[-1] == 100

    done = cli("actions", "--db", db, "--json", "--progress", "--limit", "5")
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) <= 5
    stages = [line.split("] ", 1)[1] for line in done.stderr.splitlines()]
    assert stages[0] == "Fitting the purchase and spend models (lifetime value)"
    assert stages[-2:] == ["Working out every customer's suggested actions", "Actions ready"]

    quiet = cli("actions", "--db", db, "--json", "--limit", "5")
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert json.loads(quiet.stdout) == json.loads(done.stdout)

    zh = cli("report", "--db", db, "--json", "--progress", "--lang", "zh")
    assert "正在寻找聚类和客户画像" in zh.stderr and json.loads(zh.stdout)["customers"] == report["customers"]


def test_help_imports_no_heavy_library():
    """``--help`` answers without pandas, Ibis, scikit-learn, plotly or DuckDB (a fast start;
    the timing itself is in benchmarks/cli_start.py)."""
    code = ("import runpy, sys\nsys.argv = ['analysis', '--help']\n"
            "try:\n    runpy.run_module('analysis', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('pandas', 'ibis', 'sklearn', 'plotly', 'duckdb', 'numpy') if m in sys.modules),"
            " file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "usage" in done.stdout
    assert done.stderr.strip().splitlines()[-1] == "[]"
