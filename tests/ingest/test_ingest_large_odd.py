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
from analysis.store import bulk_split


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
    for module in (bulk_sql, bulk_split, bulk_careful):  # every read of a CSV by the bulk import
        monkeypatch.setattr(module, "_READ", _CountedRead(module._READ))
    db = str(tmp_path / "shop.duckdb")
    capsys.readouterr()  # the seed printed above

    assert cli.main(["ingest", str(path), "--db", db, "--json"]) == 0
    ingested = json.loads(capsys.readouterr().out)
    assert cli.main(["report", "--db", db, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)

    assert taken == [] and _CountedRead.reads == 1  # the careful pass alone, one read of the file
    # (the odd lines are staged from that read, not read again)
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



def _count_staged(monkeypatch) -> list[int]:
    """The number of lines each split pass stages for the value rules (the rows of its stage)."""
    staged, original = [], bulk_split._stage_odd_lines

    def stage(cur, found, *rest):
        original(cur, found, *rest)
        staged.append(cur.execute(f'SELECT count(*) FROM "{found.stage}"').fetchall()[0][0])

    monkeypatch.setattr(bulk_split, "_stage_odd_lines", stage)
    return staged


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
    staged = _count_staged(monkeypatch)
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


def _hand_written_export(rng: random.Random, n: int, bad: dict[int, tuple[str, str]]):
    """(lines, cents, buyers, quantity, odd lines) of a shop export with hand-written amounts
    ("$1,234.50"), dates ("2024/03/05") and quantities ("1,200"), and the cells ``bad`` (data row
    -> (column, cell)) nobody can read; the figures are those of the other rows."""
    lines = ["Customer ID,Order ID,Order Date,Amount,Quantity,Product\n"]
    cents, buyers, quantity, odd_lines = Decimal(0), set(), 0, 0
    for i in range(n):
        customer = f"C{rng.randrange(700):04d}"
        value = Decimal(rng.randrange(100, 900_000)) / 100
        month, day = rng.randrange(1, 13), rng.randrange(1, 29)
        units = rng.choice([1, 2, 3, 1200, 2500]) if i % 47 == 9 else rng.randrange(1, 9)
        cells = {"Amount": f'"${value:,.2f}"' if i % 23 == 4 else f"{value:.2f}",
                 "Order Date": f"2024/{month:02d}/{day:02d}" if i % 29 == 6 else f"2024-{month:02d}-{day:02d}",
                 "Quantity": f'"{units:,}"' if i % 47 == 9 else str(units)}
        if i in bad:
            column, cell = bad[i]
            cells[column] = cell
        else:
            cents, quantity = cents + value, quantity + units
            buyers.add(customer)
        odd_lines += any(not c.strip('"').replace(".", "").replace("-", "").isdigit() for c in cells.values())
        lines.append(f"{customer},O{i:05d},{cells['Order Date']},{cells['Amount']},{cells['Quantity']},P{i % 50}\n")
    return lines, cents, buyers, quantity, odd_lines


def test_hand_written_amounts_dates_and_quantities_are_found_in_the_one_read_and_bad_cells_named(
        tmp_path, monkeypatch, capsys):
    """A manager's large export with hand-written amounts ("$1,234.50"), dates ("2024/03/05") and
    quantities ("1,200"), one amount nobody can read ("twelve") and one date that is no day
    ("2024/02/30"). Imported as it is, it is refused naming the file, both lines, their columns
    and values, and no workspace is left behind; with --skip-invalid the two lines are skipped
    and named, and the revenue to the cent, the lines, the buyers and the units are the raw
    rows'. The file is read once by DuckDB: the odd lines are found by that read's casts and
    staged from it (not kept as lines the reader rejects and read again from a file of their own),
    and they alone are staged."""
    import os

    import duckdb

    seed = 20261211
    print("seed", seed)
    bad = {1700: ("Amount", "twelve"), 2900: ("Order Date", "2024/02/30")}
    lines, cents, buyers, units, odd_lines = _hand_written_export(random.Random(seed), 4500, bad)
    path = tmp_path / "shop_export.csv"
    path.write_text("".join(lines), encoding="utf-8")
    monkeypatch.setattr(reading, "LARGE_FILE", path.stat().st_size - 1)
    for module in (bulk_sql, bulk_split, bulk_careful):  # every read of a CSV by the bulk import
        monkeypatch.setattr(module, "_READ", _CountedRead(module._READ))
    staged = _count_staged(monkeypatch)
    db = str(tmp_path / "shop.duckdb")
    capsys.readouterr()

    assert cli.main(["ingest", str(path), "--db", db, "--json"]) == 2
    error = capsys.readouterr().err
    assert "shop_export.csv" in error and "Traceback" not in error
    for i, (column, cell) in bad.items():
        assert f"line {i + 2}" in error and f"'{column}'" in error and f"'{cell}'" in error
    assert not os.path.exists(db)  # the failed import left no workspace behind

    _CountedRead.reads, staged[:] = 0, []
    assert cli.main(["ingest", str(path), "--db", db, "--skip-invalid", "--json"]) == 0
    file = json.loads(capsys.readouterr().out)["files"][0]
    assert (file["rows"], file["skipped"]) == (4498, 2)
    named = " ".join(file["skipped_examples"])
    for i, (column, cell) in bad.items():
        assert f"line {i + 2}" in named and f"'{column}'" in named and f"'{cell}'" in named
    assert _CountedRead.reads == 1  # one read of the CSV, the odd lines staged from it
    assert staged == [odd_lines]  # the odd lines alone
    with duckdb.connect(db, read_only=True) as con:
        got = con.execute("SELECT count(*), sum(amount), count(DISTINCT customer_id), sum(quantity) "
                          "FROM transactions").fetchall()[0]
    assert got == (4498, cents, len(buyers), units)
    assert cli.main(["report", "--db", db, "--json"]) == 0
    kpis = json.loads(capsys.readouterr().out)["kpis"]
    assert Decimal(str(kpis["revenue"])) == cents and kpis["buyers"] == len(buyers)


def test_an_export_the_split_pass_gives_up_on_leaves_the_workspace_as_it_was(tmp_path, monkeypatch):
    """A manager's large export with hand-written amounts and, far down, a guest checkout (a line
    without a customer id): the split pass gives up on it and the file is staged whole. The
    guest line is kept apart, the revenue of the customers' lines is the raw rows', and the
    workspace's settings are as before the import (the split pass's unordered INSERT changed only
    its own cursor's: another cursor of the workspace, as another session of the app has, still
    keeps rows in their order)."""
    from analysis.ingest.load import ingest_files
    from analysis.store.workspace import Workspace

    seed = 20261212
    print("seed", seed)
    lines, cents, buyers, _ = _export(random.Random(seed), 30_000)
    guest = lines[28_000].split(",")  # past the head the import is planned from (1 MB)
    lines[28_000] = ",".join([""] + guest[1:])
    cents -= Decimal(guest[3].strip('"').replace("$", "").replace(",", ""))
    path = tmp_path / "shop_export.csv"
    path.write_text("".join(lines), encoding="utf-8")
    monkeypatch.setattr(reading, "LARGE_FILE", path.stat().st_size - 1)
    split = []
    original = bulk_split.insert_split
    monkeypatch.setattr(bulk_split, "insert_split", lambda *a, **k: split.append(1) or original(*a, **k))
    ws = Workspace(tmp_path / "shop.duckdb")
    try:
        report = ingest_files(ws, [path])
        file = report.files[0]
        assert path.stat().st_size > 1 << 20 and split and (file.rows, file.guest_lines) == (30_000, 1)
        other = ws.cursor()
        assert other.execute("SELECT current_setting('preserve_insertion_order')").fetchall() == [(True,)]
        assert other.execute("SELECT sum(amount) FROM transactions").fetchall() == [(cents,)]
    finally:
        ws.close()


def test_a_line_with_a_field_too_many_in_a_large_export_is_refused_by_its_line(tmp_path, monkeypatch, capsys):
    """The same kind of export, with one line far down (past the head the import is planned
    from) carrying a field too many: DuckDB's read cannot split it, so the whole file goes the
    pandas way, which refuses it naming the file, the line and the fields it expected and saw,
    even with --skip-invalid (the line cannot be read as a row at all), and the workspace keeps
    what it had: the revenue of an earlier import, to the cent."""
    import os

    seed = 20261213
    print("seed", seed)
    first, cents, _, _, _ = _hand_written_export(random.Random(seed), 4000, {})
    path = tmp_path / "shop_export.csv"
    path.write_text("".join(first), encoding="utf-8")
    lines, _, _, _, _ = _hand_written_export(random.Random(seed + 1), 30_000, {})
    lines[28_001] = lines[28_001].rstrip("\n") + ",gift wrap\n"  # data row 28,000: line 28,002
    ragged = tmp_path / "shop_export_2.csv"
    ragged.write_text("".join(lines), encoding="utf-8")
    assert os.path.getsize(ragged) > 1 << 20
    monkeypatch.setattr(reading, "LARGE_FILE", path.stat().st_size - 1)
    db = str(tmp_path / "shop.duckdb")
    assert cli.main(["ingest", str(path), "--db", db, "--json"]) == 0
    capsys.readouterr()

    assert cli.main(["ingest", str(ragged), "--db", db, "--skip-invalid", "--json"]) == 2
    error = capsys.readouterr().err
    assert "shop_export_2.csv" in error and "line 28002" in error and "Traceback" not in error
    assert cli.main(["report", "--db", db, "--json"]) == 0
    kpis = json.loads(capsys.readouterr().out)["kpis"]
    assert Decimal(str(kpis["revenue"])) == cents and kpis["orders"] == 4000
