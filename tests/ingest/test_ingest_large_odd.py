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


def test_hand_written_cells_from_the_command_line_are_read_without_pandas(tmp_path):
    """The same manager, from the command line, each command a process of its own: the file's
    odd cells ("$1,234.50", "2024/03/05") are in the forms analysis.ingest.odd_cells reads, so
    the import loads neither pandas, NumPy nor pyarrow (their import alone, about half a second
    of CPU, is half of what DuckDB needs to read a million lines), and nothing the ingest command
    imports before DuckDB's read loads a heavy library; the report's revenue and buyers are the
    raw rows'."""
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
    assert heavy == []  # the odd cells read without pandas, NumPy, pyarrow or Ibis
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



def _export(rng: random.Random, n: int) -> tuple[list[str], Decimal, set, int]:
    """(lines of a shop export with about 5% hand-written amounts or day-first dates, the sum of
    its amounts, its buyers, the number of lines with an odd cell)."""
    lines, cents, buyers, odd_lines = ["Customer ID,Order ID,Order Date,Amount,Quantity,Product\n"], Decimal(0), set(), 0
    for i in range(n):
        customer = f"C{rng.randrange(400):04d}"
        value = Decimal(rng.randrange(100, 500_000)) / 100
        month, day = rng.randrange(1, 13), rng.randrange(1, 29)
        odd_amount, odd_date = i % 41 == 7, i % 43 == 11 or i == 12
        day = 25 if i == 12 else day  # a day above 12: the column is day-first
        amount = f'"${value:,.2f}"' if odd_amount else f"{value:.2f}"
        date = f"{day:02d}/{month:02d}/2024" if odd_date else f"2024-{month:02d}-{day:02d}"
        lines.append(f"{customer},O{i:05d},{date},{amount},1,Product {i % 30}\n")
        cents, odd_lines = cents + value, odd_lines + (odd_amount or odd_date)
        buyers.add(customer)
    return lines, cents, buyers, odd_lines


def test_odd_cells_among_plain_rows_are_the_only_lines_staged_and_named_by_their_line(tmp_path, monkeypatch, capsys):
    """A manager's export with a few hand-written amounts and day-first dates ("$1,234.50",
    "25/03/2024") among plain rows: the plain rows go straight in, only the odd lines are staged
    for the value rules (the day-first decision taken from them), and the report's revenue and
    buyers are the raw rows'. The same export with one unreadable amount is refused, naming the
    file, the line, the column and the value, and changes nothing."""
    seed = 20261209
    print("seed", seed)
    lines, cents, buyers, odd_lines = _export(random.Random(seed), 3000)
    staged = []
    original = bulk_split._stage_odd_lines
    monkeypatch.setattr(bulk_split, "_stage_odd_lines", lambda cur, found, odd: staged.append(len(odd)) or
                        original(cur, found, odd))
    path = tmp_path / "shop_export.csv"
    path.write_text("".join(lines), encoding="utf-8")
    monkeypatch.setattr(reading, "LARGE_FILE", path.stat().st_size - 1)
    db = str(tmp_path / "shop.duckdb")
    capsys.readouterr()

    assert cli.main(["ingest", str(path), "--db", db, "--json"]) == 0
    file = json.loads(capsys.readouterr().out)["files"][0]
    assert (file["rows"], file["skipped"]) == (3000, 0)
    assert staged == [odd_lines]  # the odd lines alone
    assert cli.main(["report", "--db", db, "--json"]) == 0
    kpis = json.loads(capsys.readouterr().out)["kpis"]
    assert Decimal(str(kpis["revenue"])) == cents and kpis["buyers"] == len(buyers)
    assert cli.main(["customer", "C" + lines[13][1:5], "--db", db, "--json"]) == 0  # line 14: "25/03/2024"
    events = json.loads(capsys.readouterr().out)["events"]
    assert any(e["time"][:10] == f"2024-{lines[13].split(',')[2][3:5]}-25" for e in events)

    bad = lines[:1] + [line.replace("Product", "Item") for line in lines[1:]]  # other bytes: not a duplicate
    bad[2001] = bad[2001].replace(bad[2001].split(",")[3], '"12,34,5"')
    other = tmp_path / "shop_export_2.csv"
    other.write_text("".join(bad), encoding="utf-8")
    assert cli.main(["ingest", str(other), "--db", db, "--json"]) == 2
    error = capsys.readouterr().err
    assert "shop_export_2.csv" in error and "line 2002" in error and "'Amount'" in error and "'12,34,5'" in error
    assert cli.main(["report", "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["kpis"]["revenue"] == kpis["revenue"]  # nothing changed


def test_euro_amounts_and_dotted_dates_with_a_few_bad_cells_are_skipped_and_named_without_pandas(
        tmp_path, monkeypatch, capsys):
    """A European shop's export: some amounts written "€1.234,50" (decimal comma), some dates
    "2024.03.05", and two cells nobody can read ("12,34,5", "2024/02/30"). Imported with
    --skip-invalid, the two lines are skipped and named by line, column and value, every other
    line is kept to the cent (the decimal comma decided from the odd cells), and the odd cells
    are read by analysis.ingest.odd_cells, not by the pandas value rules."""
    from analysis.ingest import dates, values

    seed = 20261210
    rng = random.Random(seed)
    print("seed", seed)
    lines, cents, buyers = ["Customer ID,Order ID,Order Date,Amount,Quantity,Product\n"], Decimal(0), set()
    bad_lines = {1500: ("Amount", "12,34,5"), 2600: ("Order Date", "2024/02/30")}
    for i in range(4000):
        customer = f"C{rng.randrange(500):04d}"
        value = Decimal(rng.randrange(100, 500_000)) / 100
        month, day = rng.randrange(1, 13), rng.randrange(1, 29)
        amount = f'"€{value:,.2f}"'.replace(",", "X").replace(".", ",").replace("X", ".") if i % 29 == 3 \
            else f"{value:.2f}"
        date = f"2024.{month:02d}.{day:02d}" if i % 31 == 4 else f"2024-{month:02d}-{day:02d}"
        if i in bad_lines:
            column, cell = bad_lines[i]
            amount, date = (f'"{cell}"', date) if column == "Amount" else (amount, cell)
        else:
            cents += value
            buyers.add(customer)
        lines.append(f"{customer},O{i:05d},{date},{amount},1,Product {i % 30}\n")
    path = tmp_path / "eu_shop.csv"
    path.write_text("".join(lines), encoding="utf-8")
    monkeypatch.setattr(reading, "LARGE_FILE", path.stat().st_size - 1)

    def not_here(*args, **kwargs):
        raise AssertionError("the pandas value rules were asked")

    monkeypatch.setattr(values, "parse_number", not_here)
    monkeypatch.setattr(dates, "parse_date", not_here)
    db = str(tmp_path / "shop.duckdb")
    capsys.readouterr()

    assert cli.main(["ingest", str(path), "--db", db, "--skip-invalid", "--json"]) == 0
    ingested = json.loads(capsys.readouterr().out)
    file = ingested["files"][0]
    assert (file["rows"], file["skipped"]) == (3998, 2) and ingested["currency"] == "EUR"
    named = " ".join(file["skipped_examples"])
    for i, (column, cell) in bad_lines.items():
        assert f"line {i + 2}" in named and f"'{column}'" in named and f"'{cell}'" in named
    assert cli.main(["report", "--db", db, "--json"]) == 0
    kpis = json.loads(capsys.readouterr().out)["kpis"]
    assert Decimal(str(kpis["revenue"])) == cents and kpis["buyers"] == len(buyers)
