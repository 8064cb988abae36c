"""A manager imports a large shop export whose amounts and dates are partly written by hand
("$1,234.50", "2024/03/05"), then asks for the report: the revenue to the cent and the buyers
must be those of the raw rows, and the file is read once for the rules (no optimistic pass
rolled back, one read of the CSV by DuckDB)."""

import json
import random
from decimal import Decimal

from analysis import cli
from analysis.ingest import reading
from analysis.store import bulk as bulk_sql
from analysis.store import bulk_careful
from analysis.store import bulk_split  # noqa: F401 (bound to the reader's text before it is counted below)


class _CountedRead(str):
    """analysis.store.bulk._READ, counting the statements that read the CSV."""

    reads = 0

    def format(self, *args, **kwargs):
        type(self).reads += 1
        return str.format(self, *args, **kwargs)


def test_a_large_export_with_hand_written_cells_is_read_once_and_reported_to_the_cent(tmp_path, monkeypatch, capsys):
    seed = 20261207
    rng = random.Random(seed)
    print("seed", seed)
    lines, cents, buyers, marked = ["Customer ID,Order ID,Order Date,Amount,Quantity,Product\n"], Decimal(0), set(), []
    for i in range(4000):
        customer = f"C{rng.randrange(600):04d}"
        value = Decimal(rng.randrange(100, 250_000)) / 100  # 1.00 .. 2,499.99
        month, day = rng.randrange(1, 13), rng.randrange(1, 29)
        odd = i % 37 == 5  # about 3% of the lines, from the head of the file on
        amount = f'"${value:,.2f}"' if odd else f"{value:.2f}"
        marked += [amount.strip('"')] if odd else []
        date = f"2024/{month:02d}/{day:02d}" if odd or i % 53 == 0 else f"2024-{month:02d}-{day:02d}"
        lines.append(f"{customer},O{i:05d},{date},{amount},1,Product {i % 40}\n")
        cents += value
        buyers.add(customer)
    path = tmp_path / "shop_export.csv"
    path.write_text("".join(lines), encoding="utf-8")
    monkeypatch.setattr(reading, "LARGE_FILE", path.stat().st_size - 1)  # just above the threshold
    taken = []
    direct = bulk_sql.insert_direct
    monkeypatch.setattr(bulk_sql, "insert_direct", lambda *a, **k: taken.append("optimistic pass") or direct(*a, **k))
    monkeypatch.setattr(bulk_careful, "_READ", _CountedRead(bulk_careful._READ))
    monkeypatch.setattr(bulk_sql, "_READ", _CountedRead(bulk_sql._READ))  # the careful pass's typed read
    db = str(tmp_path / "shop.duckdb")
    capsys.readouterr()  # the seed printed above

    assert cli.main(["ingest", str(path), "--db", db, "--json"]) == 0
    ingested = json.loads(capsys.readouterr().out)
    assert cli.main(["report", "--db", db, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)

    assert taken == [] and _CountedRead.reads == 1  # the careful pass alone, one read of the file
    # (the odd lines it sets aside are read again from a small file of their own)
    file = ingested["files"][0]
    assert file["rows"] == 4000 and file["skipped"] == 0 and ingested["currency"] == "USD"
    assert file["currency_evidence"] == f"'{marked[0]}' in column 'Amount'"  # the first cell that says it
    assert Decimal(str(report["kpis"]["revenue"])) == cents
    assert report["kpis"]["buyers"] == len(buyers)
    assert report["kpis"]["orders"] == 4000


def test_hand_written_cells_from_the_command_line_load_the_value_rules_beside_duckdbs_read(tmp_path):
    """The same manager, from the command line, each command a process of its own: the file's
    odd cells need the value rules (pandas), whose import (about half a second) runs beside
    DuckDB's read of the file instead of before it, so nothing the ingest command imports before
    that read loads a heavy library; the report's revenue and buyers are the raw rows'."""
    import os
    import subprocess
    import sys

    from tests.ingest.test_ingest_large_light import ingest, report_kpis, write_export
    from tests.test_cli_startup import HEAVY, ROOT

    seed = 20261208
    rng = random.Random(seed)
    print("seed", seed)
    lines, cents, buyers = ["Customer ID,Order ID,Order Date,Amount,Quantity,Product\n"], Decimal(0), set()
    n = 30_000
    for i in range(n):
        customer = f"C{rng.randrange(2500):05d}"
        value = Decimal(rng.randrange(100, 900_000)) / 100  # 1.00 .. 8,999.99
        month, day = rng.randrange(1, 13), rng.randrange(1, 29)
        odd = rng.random() < 0.03
        amount = f'"${value:,.2f}"' if odd else f"{value:.2f}"
        date = f"2024/{month:02d}/{day:02d}" if rng.random() < 0.03 else f"2024-{month:02d}-{day:02d}"
        lines.append(f"{customer},O{i:06d},{date},{amount},1,Product {i % 70}\n")
        cents += value
        buyers.add(customer)
    path, size, db = write_export(tmp_path, lines, 1_200_000)

    done, heavy = ingest(tmp_path, size - 1, path, "--db", db, "--json")
    assert done.returncode == 0, done.stderr
    assert "pandas" in heavy  # the value rules read the odd cells
    file = json.loads(done.stdout)["files"][0]
    assert (file["rows"], file["skipped"], file["duplicate"]) == (n, 0, False)

    before_read = subprocess.run(
        [sys.executable, "-c", "import json, sys; import analysis.cli, analysis.ingest.load, analysis.store.bulk_careful; "
         "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & set(json.loads(sys.argv[1])))))",
         json.dumps(HEAVY)], cwd=ROOT, capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert before_read.returncode == 0, before_read.stderr
    assert json.loads(before_read.stdout) == []  # what runs before the read loads none of them

    kpis = report_kpis(db)
    assert Decimal(str(kpis["revenue"])) == cents
    assert kpis["buyers"] == len(buyers)
