"""Smoke test of the benchmark harness (`make bench`) at a tiny size, so it cannot rot.

It checks that every step runs, that results land in the Markdown table, and that the pandas
peer computes the same figures as the product. It asserts no timings: those belong to
benchmarks/RESULTS.md, measured on purpose, not in CI.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.csv as pacsv
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402
import run  # noqa: E402


def test_generate_writes_the_asked_sizes_and_columns(tmp_path):
    paths = generate.generate(tmp_path, customers=300, lines=2500, seed=3)
    tx = pacsv.read_csv(paths["transactions"])
    customers = pacsv.read_csv(paths["customers"])
    contacts = pacsv.read_csv(paths["interactions"])
    assert tx.num_rows == 2500
    assert tx.column_names == ["customer_id", "order_id", "date", "amount", "quantity", "product", "category"]
    assert customers.num_rows == 300
    assert contacts.num_rows == 60
    buyers = set(tx.column("customer_id").to_pylist())
    assert buyers <= set(customers.column("customer_id").to_pylist())
    assert 0 < len(buyers) < 300  # some listed customers never buy
    # Same seed, same bytes.
    again = generate.generate(tmp_path / "again", customers=300, lines=2500, seed=3)
    assert again["transactions"].read_bytes() == paths["transactions"].read_bytes()


def test_measure_reports_each_child_process_own_peak_memory(tmp_path):
    # From a lean parent: a child's ru_maxrss starts from its parent's resident size.
    code = (
        "import json, sys; sys.path.insert(0, 'benchmarks'); import run; from pathlib import Path; "
        "w = Path(sys.argv[1]); py = sys.executable; "
        "big = run.measure([py, '-c', 'x = bytearray(300 * 2**20)'], w, 'big', 60); "
        "small = run.measure([py, '-c', 'pass'], w, 'small', 60); "
        "bad = run.measure([py, '-c', 'raise SystemExit(\\'boom\\')'], w, 'bad', 60); "
        "print(json.dumps([big, small, bad]))"
    )
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    big, small, bad = json.loads(done.stdout)
    assert big["rc"] == 0 and small["rc"] == 0
    assert small["peak_gib"] < 0.1
    assert big["peak_gib"] > small["peak_gib"] + 0.25
    assert bad["rc"] == 1 and "boom" in bad["error"]
    # A worker reports its own peak (VmHWM), which does not include the parent's memory.
    assert run.own_peak_gib() > 0


def test_the_whole_run_at_a_tiny_size(tmp_path):
    out = tmp_path / "RESULTS.md"
    r = run.main(["--customers", "400", "--lines", "4000", "--clv-fit-customers", "2000", "--work",
                  str(tmp_path / "work"), "--out", str(out), "--pages", "data", "--no-peers"])
    for step in ("import_ours", "import_duckdb", "report_ours", "report_pandas", "clusters_ours",
                 "clusters_pandas", "clv_ours", "clv_fit_ours", "paretonbd_fit_ours"):
        assert not r[step].get("error"), (step, r[step].get("error"))
        assert r[step]["peak_gib"] > 0
    assert r["import_duckdb"]["rows"] == 4000
    assert set(r["pages"]) == {"pages/data.py"}
    assert r["pages"]["pages/data.py"]["errors"] == []
    # The peer computes the product's figures (a wrong peer would make the ratio meaningless).
    for key in ("customers", "transactions", "revenue", "pyramid counts", "rfm segment counts", "pareto"):
        assert r["agreement"][key] == "same", (key, r["agreement"][key])

    text = out.read_text()
    assert "| 1. import transactions CSV (whole process) |" in text
    assert "| 2. full report (every key of report --json) |" in text
    assert "| pages/data.py |" in text
    assert "| 4c. Pareto/NBD fit alone, 2,000 simulated customers |" in text
    assert "400 listed customers, 4,000 purchase lines" in text
    assert "cores" in text and "DuckDB" in text


def test_the_targets_of_issues_15_and_18_are_measured_in_one_run(tmp_path):
    """The action plan from the stored scores, the wallets from the workspace and the whole
    pipeline against the pandas peer: each runs, counts what it should, and lands in the
    targets table with a met? column (no timing asserted)."""
    out = tmp_path / "RESULTS.md"
    r = run.main(["--customers", "300", "--lines", "3000", "--work", str(tmp_path / "work"), "--out", str(out),
                  "--steps", "actions", "wallet", "pipeline"])
    assert not r["store_scores"].get("error"), r["store_scores"].get("error")  # the plan reads stored scores
    plan, top = r["actions_plan"], r["actions_top"]
    for m in (plan, top):
        assert not m.get("error"), m.get("error")
        assert m["peak_gib"] > 0 and m["rows"] == m["with_reason"] > 0
    assert top["rows"] == min(plan["rows"], 1000) and top["customers"] == plan["customers"]
    # Every listed customer (generate.py lists 300) gets a wallet: given or estimated.
    wallet = r["wallet"]
    assert not wallet.get("error"), wallet.get("error")
    assert wallet["result"]["customers"] == 300 and wallet["result"]["given"] > 0
    pipe = r["pipeline"]
    if pipe.get("skipped"):  # lifetimes not installed: said so, not failed
        assert "lifetimes" in pipe["skipped"], pipe
    else:
        for part in ("ingest", "report", "pandas"):
            assert pipe[part]["rc"] == 0 and pipe[part]["cpu"] > 0, (part, pipe[part].get("error"))
        assert pipe["ours"]["wall"] == pytest.approx(pipe["ingest"]["wall"] + pipe["report"]["wall"])
        assert "Estimating wallets" in pipe["report"]["stages"]
        # The report process printed the same counts as the pandas peer computed.
        ours = json.loads((tmp_path / "work" / "pipeline_report.out").read_text())
        theirs = json.loads((tmp_path / "work" / "pipeline_pandas.out").read_text())
        assert (ours["customers"], ours["transactions"], ours["revenue"]) == \
            (theirs["customers"], theirs["transactions"], theirs["revenue"])
    text = out.read_text()
    assert "## Targets of issues 15 and 18 (300 customers / 3,000 lines)" in text
    assert "| whole action plan, every reason written |" in text
    assert "| the Action plan page's first 1,000 rows |" in text
    assert "| every customer's wallet from the workspace |" in text
    assert "| whole-process ingest" in text and "<= 0.25x" in text
