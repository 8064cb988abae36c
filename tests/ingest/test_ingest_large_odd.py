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
    db = str(tmp_path / "shop.duckdb")
    capsys.readouterr()  # the seed printed above

    assert cli.main(["ingest", str(path), "--db", db, "--json"]) == 0
    ingested = json.loads(capsys.readouterr().out)
    assert cli.main(["report", "--db", db, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)

    assert taken == [] and _CountedRead.reads == 1  # the careful pass alone, one read of the file
    file = ingested["files"][0]
    assert file["rows"] == 4000 and file["skipped"] == 0 and ingested["currency"] == "USD"
    assert file["currency_evidence"] == f"'{marked[0]}' in column 'Amount'"  # the first cell that says it
    assert Decimal(str(report["kpis"]["revenue"])) == cents
    assert report["kpis"]["buyers"] == len(buyers)
    assert report["kpis"]["orders"] == 4000
