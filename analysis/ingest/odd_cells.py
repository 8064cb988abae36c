"""The odd cells of a large CSV read without pandas, when they are in the forms most exports
write: an amount with a currency sign or code in front and thousands commas ("$1,234.50",
"USD1,234", "1.234,50"), a year-first date with slashes or dots ("2024/03/05", "2024.3.5").

The bulk import (:mod:`analysis.store.bulk_careful`) hands each odd column's distinct cells here
first; only when every one of them is in such a form does it take these values, else it reads the
column with :func:`analysis.ingest.values.parse_number` / :func:`analysis.ingest.dates.parse_date`
as before (and then loads pandas, NumPy and pyarrow: about half a second, more than DuckDB needs
to read a million plain lines). The values are those of the pandas readers, step by step, built
from the same data (:mod:`.value_rules`, :func:`.currency_names.currency_marks_table`; Python's
``re`` with ``re.ASCII`` where the pandas readers use RE2, whose ``\\d`` is an ASCII digit):
``tests/ingest/test_ingest_odd_cells.py`` compares the two on every form either reads.

Decision: a column is read here only when each of its cells is one of these forms, so that the
column-wide decisions (decimal comma, day or month first) come from the same cells either way;
any other cell (a time of day, a day-first date, a space, a bracket, a sign after the number)
sends the whole column to the pandas readers.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from analysis.ingest import value_rules as VR
from analysis.ingest.currency_names import currency_marks_table

_NUMBER_CHARS = frozenset("0123456789,.-")  # what is left of an amount cell once its mark is taken away
_DATE_CHARS = frozenset("0123456789/.-")
# Dates read here: the years pandas' nanosecond timestamps hold whole (1677-09-21 .. 2262-04-11).
_YEARS = (1700, 2261)


@functools.cache
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.ASCII)


def _marks_apart() -> bool:
    """Whether no currency mark, space rule (value_rules.AMOUNT_SPACES) or negative bracket can
    match inside the number part of a cell (digits, ",", ".", "-"): then taking the mark in front
    away is all that values.parse_number's removal of marks and spaces does to such a cell."""
    if any(ch in _NUMBER_CHARS for mark in currency_marks_table() for ch in mark):
        return False
    if any(re.search(p, ch) for p in VR.AMOUNT_SPACES for ch in _NUMBER_CHARS):
        return False
    return not any(ch in _NUMBER_CHARS for pair in VR.NEGATIVE_BRACKETS for part in pair for ch in part)


# A cell read here: a mark in front (none, or a whole mark of the table) and a number part of
# ASCII digits, ",", "." and "-" (fullmatch).
_CELL = re.compile(r"([^0-9,.\-]*)([0-9,.\-]+)")


def _whole_mark(mark: str, table: dict[str, str]) -> bool:
    """Whether ``mark`` is a mark of the table whose case both readers fold alike (ASCII, or a
    mark without case: "€", "元")."""
    return mark.lower() in table and (mark.isascii() or mark.lower() == mark == mark.upper())


def read_numbers(cells: list[str]) -> tuple[list[float | None], list[str | None]] | None:
    """(values, currency codes) of a number column's distinct non-empty cells, as
    values.parse_number and values.currency_marks read them (None: an invalid cell, or no mark);
    None when some cell is not in a form read here."""
    if not _marks_apart():
        return None
    table, plain = currency_marks_table(), _compiled(VR.PLAIN_NUMBER)
    codes_of: dict[str, str | None] = {"": None}  # mark in front -> the currency it writes
    values: list[float | None] = [None] * len(cells)
    codes: list[str | None] = [None] * len(cells)
    todo = []  # (place, code, number part with a trailing minus taken off, negative?): parse_number's rules
    for place, cell in enumerate(cells):
        found = _CELL.fullmatch(cell)
        if found is None:
            return None
        mark, number = found.groups()
        if mark not in codes_of:
            if not _whole_mark(mark, table):
                return None
            codes_of[mark] = table[mark.lower()]
        if plain.search(cell) is not None:  # a plain number: cast, no mark
            values[place] = _finite(float(cell))
            continue
        todo.append((place, codes_of[mark], *_trailing_minus(number)))
    both_comma, only_comma = _compiled(VR.BOTH_COMMA_LAST), _compiled(VR.ONLY_COMMA_DECIMAL)
    decimal_comma = any(both_comma.search(s) or only_comma.search(s) for _, _, s, _ in todo)
    if decimal_comma and any(_compiled(VR.BOTH_DOT_LAST).search(s) for _, _, s, _ in todo):
        decimal_comma = False
    thousands = _compiled(VR.THOUSANDS)
    for place, code, s, neg in todo:
        if decimal_comma:
            s = s.replace(".", "").replace(",", ".")
        elif thousands.search(s):
            s = s.replace(",", "")
        value = float(s) if plain.search(s) is not None else None
        values[place] = None if value is None else _finite(-abs(value) if neg else value)
        codes[place] = code
    return values, codes


def _trailing_minus(s: str) -> tuple[str, bool]:
    """values.parse_number's "5.00-" (value_rules.NEGATIVE_TRAILING_MINUS): (the text, negative?)."""
    neg = False
    if VR.NEGATIVE_TRAILING_MINUS and s.endswith("-") and not s.startswith("-"):
        s, neg = s[:-1], True
    return s, neg and not s.startswith("-")


def _finite(value: float) -> float | None:
    return value if value - value == 0 else None  # inf and nan are invalid (values._finite)


def read_dates(cells: list[str]) -> list[dt.date | None] | None:
    """The dates of a date column's distinct non-empty cells, as dates.parse_date reads them (None:
    an invalid cell); None when some cell is not a year-first date with "/" or "." between its
    parts (value_rules.YMD without a time; years 1700-2261), which only the pandas reader reads."""
    ymd, out = _compiled(VR.YMD), []
    for cell in cells:
        found = ymd.search(cell) if not set(cell) - _DATE_CHARS else None
        if found is None or found.group("t") is not None or ("/" not in cell and "." not in cell):
            return None
        y, m, d = (int(found.group(k)) for k in ("y", "m", "d"))
        if not _YEARS[0] <= y <= _YEARS[1]:
            return None
        try:
            out.append(dt.date(y, m, d))
        except ValueError:  # 2024/02/30, 2024/13/01: no such day
            out.append(None)
    return out
