"""analysis.ingest.odd_cells reads the odd cells of a large CSV without pandas: whenever it takes
a column's cells, its values (and the currency each amount writes) are those of the pandas value
rules (values.parse_number, values.currency_marks, dates.parse_date), on many columns of cells in
the forms either reads; and the forms people write most ("$1,234.50", "2024/03/05") are taken."""

import datetime as dt
import random

import pandas as pd

from analysis.ingest import dates, odd_cells, values

MARKS = ["", "", "$", "US$", "usd", "USD", "Usd", "€", "£", "¥", "hk$", "RMB", "元", "JP¥", "$$", "x", "(", "'"]


def _number(rng: random.Random) -> str:
    v = rng.choice([rng.randrange(0, 10 ** rng.randrange(1, 10)), rng.random() * 1000])
    grouped = f"{v:,.2f}"
    return rng.choice([
        grouped, f"{v:.2f}", f"{v:,.0f}", f"{v:,.3f}", f"{int(v)}", f"{v:.1f}".replace(".", ","),
        grouped.replace(",", "X").replace(".", ",").replace("X", "."), f"{v:.2f}-", f"-{grouped}", f"{grouped})",
        "1,23", "12,5", "1-2", "1..2", ",5", "1,2345", "-", "--1", "1e5", "5.", ".5", "1e400", f"{grouped} ",
    ])


def _expected_numbers(cells: list[str]) -> tuple[list, list]:
    text = pd.Series(cells, dtype=object).astype("str")
    parsed, _ = values.parse_number(text)
    codes = values.currency_marks(text)
    return ([None if pd.isna(x) else float(x) for x in parsed],
            [None if c is None or c != c else c for c in codes])


def _compare(seed: int, column, read, expected) -> int:
    """How many of 2,500 random columns (``column(rng)``: distinct cells) ``read`` took; each
    taken one's values are ``expected(cells)``, the pandas value rules' reading."""
    rng = random.Random(seed)
    print("seed", seed)
    taken = 0
    for _ in range(2500):
        cells = list(dict.fromkeys(column(rng)))
        got = read(cells)
        if got is not None:
            taken += 1
            assert got == expected(cells), cells
    return taken


def _amounts(rng: random.Random) -> list[str]:
    return [rng.choice(MARKS) + _number(rng) + rng.choice(["", "", "", "", "€", " USD"])
            for _ in range(rng.randrange(1, 5))]


def _dates(rng: random.Random) -> list[str]:
    cells = []
    for _ in range(rng.randrange(1, 4)):
        y, m, d = rng.choice([2024, 1999, 1650, 1700, 2261, 2300, 24, 1000]), rng.randrange(0, 14), rng.randrange(0, 33)
        a, b = rng.choice([("/", "/"), (".", "."), ("-", "-"), ("/", "-")])
        cells.append(rng.choice([f"{y:04d}{a}{m:02d}{b}{d:02d}", f"{y}{a}{m}{b}{d}", f"{d:02d}/{m:02d}/{y}",
                                 f"{y}/{m}/{d} 10:00", f"{y}{m:02d}{d:02d}"]))
    return cells


def _expected_dates(cells: list[str]) -> list:
    parsed, _ = dates.parse_date(pd.Series(cells, dtype=object).astype("str"), keep_time=False, column="Date",
                                 counts=pd.Series([1] * len(cells), dtype="int64"))
    return [None if pd.isna(x) else x.date() for x in parsed]


def test_numbers_read_without_pandas_are_those_of_the_value_rules():
    taken = _compare(20261207, _amounts, odd_cells.read_numbers, _expected_numbers)
    assert taken > 300  # many columns are read here, not only a few easy ones


def test_dates_read_without_pandas_are_those_of_the_value_rules():
    assert _compare(20261208, _dates, odd_cells.read_dates, _expected_dates) > 100


def test_the_forms_exports_write_most_are_read_and_the_others_left_to_the_value_rules():
    assert odd_cells.read_numbers(["$1,234.50", "USD 5", "7"]) is None  # a space: the value rules
    assert odd_cells.read_numbers(["$1,234.50", "€1.234,50", "12,5"]) == _expected_numbers(
        ["$1,234.50", "€1.234,50", "12,5"])
    assert odd_cells.read_numbers(["$1,234.50", "¥12,000", "-£3.10"]) is None  # a minus before the mark
    assert odd_cells.read_numbers(["$1,234.50", "¥12,000"]) == ([1234.5, 12000.0], ["USD", "CNY"])
    assert odd_cells.read_numbers(["(5.00)"]) is None
    assert odd_cells.read_dates(["2024/03/05", "2024.3.5", "2024/02/30"]) == [
        dt.date(2024, 3, 5), dt.date(2024, 3, 5), None]
    assert odd_cells.read_dates(["2024/03/05", "05/03/2024"]) is None  # day or month first: the whole column's call
    assert odd_cells.read_dates(["2024/03/05 10:00"]) is None
