"""A manager imports a large, plain purchase export from the command line, imports it again by
mistake, then asks for the report. The import is DuckDB's reader writing the file whole, so the
process loads neither pandas, NumPy, pyarrow nor Ibis (their import alone costs about half of
what DuckDB needs to read a million lines); the report's revenue is the Decimal sum of the raw
cells, each kept to the cent as written (half away from zero, from the shortest text of its
value: "1.0049999999999999999" is 1.005, so 1.01), and its buyers are the raw rows' customers.

Each command runs in a process of its own, as a person types it. The large-file threshold
(analysis.ingest.reading.LARGE_FILE, 1 MiB) is lowered in that process so that a file of a
couple of megabytes takes the large-file path, which keeps the test quick."""

import json
import os
import random
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal

from tests.test_cli_startup import HEAVY, ROOT, RUNNER

# The CLI runner of tests/test_cli_startup.py (heavy modules loaded by the end written to
# $MODULES_OUT), with the large-file threshold at $LARGE_FILE.
LARGE_RUNNER = """
import os
from analysis.ingest import reading
reading.LARGE_FILE = int(os.environ["LARGE_FILE"])
""" + RUNNER


def ingest(tmp_path, large_file: int, *argv):
    """(completed process, heavy modules it loaded) of ``python -m analysis ingest *argv``."""
    out = tmp_path / "modules.json"
    env = {**os.environ, "MODULES_OUT": str(out), "HEAVY": json.dumps(HEAVY), "LARGE_FILE": str(large_file)}
    done = subprocess.run([sys.executable, "-c", LARGE_RUNNER, "ingest", *map(str, argv)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env=env)
    return done, json.loads(out.read_text())


def write_export(tmp_path, lines: list[str], least: int):
    """(path, size, workspace path) of the export written as UTF-8, larger than ``least`` bytes
    (more than the head the plan is made from, 1 MB)."""
    path = tmp_path / "shop_export.csv"
    path.write_text("".join(lines), encoding="utf-8")
    size = path.stat().st_size
    assert size > least
    return path, size, tmp_path / "shop.duckdb"


def report_kpis(db) -> dict:
    """The KPIs of ``python -m analysis report --json`` on the workspace ``db``."""
    shown = subprocess.run([sys.executable, "-m", "analysis", "report", "--db", str(db), "--json"], cwd=ROOT,
                           capture_output=True, text=True, timeout=600)
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)["kpis"]


def _cents(text: str) -> Decimal:
    """What the workspace keeps for an amount cell: its value's shortest text, to the cent, half
    away from zero (computed here with Python's own float repr and Decimal)."""
    return Decimal(repr(float(text))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_a_plain_large_export_imports_without_pandas_and_reports_to_the_cent(tmp_path):
    seed = 20261207
    rng = random.Random(seed)
    print("seed", seed)
    odd_forms = ["1.005", "2.675", "0.125", "1.0049999999999999999", "12.3450000000000001", "2.5e1", "7.", ".5"]
    lines = ["Customer ID,Order ID,Order Date,Amount (USD),Quantity,Product,Category\n"]
    total, buyers = Decimal(0), set()
    n = 30_000
    for i in range(n):
        customer = f"C{rng.randrange(2500):05d}"
        amount = odd_forms[i // 1000] if i % 1000 == 999 and i // 1000 < len(odd_forms) \
            else f"{rng.randrange(100, 250_000) / 100:.2f}"
        month, day = rng.randrange(1, 13), rng.randrange(1, 29)
        lines.append(f"{customer},O{i:06d},2024-{month:02d}-{day:02d},{amount},{rng.randrange(1, 4)},"
                     f"\"Product {i % 70} (boxed)\",Category {i % 9}\n")
        total += _cents(amount)
        buyers.add(customer)
    path, size, db = write_export(tmp_path, lines, 2_000_000)

    done, heavy = ingest(tmp_path, size - 1, path, "--db", db, "--json")
    assert done.returncode == 0, done.stderr
    assert heavy == []  # DuckDB's reader wrote the whole file: no pandas, NumPy, pyarrow or Ibis
    report = json.loads(done.stdout)
    file = report["files"][0]
    assert (file["rows"], file["skipped"], file["duplicate"], file["guest_lines"]) == (n, 0, False, 0)
    assert report["currency"] == "USD" and file["currency_evidence"] == "the column name 'Amount (USD)'"

    again, heavy = ingest(tmp_path, size - 1, path, "--db", db, "--json")  # the same file, by mistake
    assert again.returncode == 0, again.stderr
    assert heavy == []
    assert json.loads(again.stdout)["files"][0]["duplicate"] is True

    kpis = report_kpis(db)
    assert Decimal(str(kpis["revenue"])) == total
    assert kpis["buyers"] == len(buyers)
    assert kpis["orders"] == n
