"""Large purchase files read, checked and written by DuckDB instead of pandas.

The pandas path (:mod:`.reading` -> :mod:`.validate`) holds every cell of a file in memory
several times over; a 10-million-line file needs gigabytes. For a UTF-8 delimited text
file of at least :data:`~analysis.ingest.reading.LARGE_FILE` bytes that goes to
``transactions``, DuckDB's CSV reader does the work, with the same results
(``tests/ingest/test_ingest_bulk.py`` imports tricky files both ways and compares the tables,
the imports log and the messages). This module plans and reads bytes; the statements are in
:mod:`analysis.store.bulk`:

- Only the head of the file is read in Python (:func:`peek`), to find the delimiter, the
  header and the mapping exactly as for any other file.
- Optimistic pass (:func:`~analysis.store.bulk.insert_direct`): one ``INSERT ... SELECT ... FROM read_csv(...)``
  writes every row whose cells SQL reads alone (plain numbers, year-first dates, ids),
  while a thread hashes the file in chunks (duplicate imports) and checks its bytes
  (:func:`read_facts`). When the rows written are all the file's lines and no cell needs
  stripping, that is the import. Otherwise the transaction is rolled back and run again
  (:class:`Retry`), this file the careful way.
- Careful pass of the odd lines only (:func:`~analysis.store.bulk_split.insert_split`): one
  read types the cells in SQL and marks the lines with a cell it cannot cast; the plain rows go
  into ``transactions``, the odd lines alone are staged and checked as below; when the plain rows
  need care too (guests, returns, ids to normalise, a currency column), the whole file is:
- Careful pass (:func:`~analysis.store.bulk_careful.scan`, :func:`~analysis.store.bulk_careful.check_and_insert`): the cells are staged in a
  temporary table (stripped of the whitespace ``str.strip`` removes, when some cell has
  any); every other non-empty amount or date ("¥1,234.50", "05/03/2024") is parsed by
  :mod:`.values`, once per distinct value and with the row counts, so that decisions taken
  from the whole column (decimal comma, day or month first, ambiguous dates refused) come
  out the same; invalid rows are named by line, column and value as :mod:`.validate` does.
- Files DuckDB would split differently from pandas (blank lines, line breaks inside
  quotes, a lone carriage return, ragged rows, a space next to a quote, control
  characters, bytes that are not UTF-8 past the head) take the pandas path, whole.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import hashlib
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from analysis.ingest import rules as R
from analysis.ingest import value_rules as VR
from analysis.ingest.reading import (
    SNIFF_LINES, TEXT_SUFFIXES, WHITESPACE, RawSheet, TextFile, read_text, sniff_delimiter, split_line,
)
from analysis.ingest.sheets import column_names, find_header

HEAD_BYTES = 1 << 20  # what :func:`peek` reads to plan the import
# The purchase fields this module reads; a file mapping others (unit prices, statuses, customer
# attributes) is read by pandas (analysis.ingest.validate and .orders).
FIELDS = ("customer_id", "order_id", "date", "amount", "quantity", "product", "category", "currency")
# The characters Python's str.strip() removes (tests check this against str.isspace).
STRIP_CHARS = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + \
    "\u2028\u2029\u202f\u205f\u3000"


field_kind = R.kind  # how the bulk path reads a purchase field: "id", "number", "date", "currency" or "text"


# -- planning -----------------------------------------------------------------------
class HeadSheet(RawSheet):
    """The head of a large text file (:func:`peek`): its columns and first rows as text, read
    with Python's csv module, and ``source`` pointing at the whole file. The head's DataFrame
    (the cells as :func:`~analysis.ingest.reading.read_text` reads them) is made only when
    something asks for ``frame`` (the app's preview, a platform's cells): a plain CSV is planned
    and imported without pandas."""

    def __init__(self, head: bytes, names: list[str], rows: list[list[str]], header_line: int, encoding: str,
                 delimiter: str, source: TextFile):
        self._head, self._names, self._rows, self._read = head, names, rows, None
        super().__init__(None, None, None, header_line, encoding, delimiter, source)

    def _sheet(self) -> RawSheet:
        if self._read is None:
            self._read = read_text(self._head)
        return self._read

    @property
    def frame(self):
        if self._frame is None:
            self._frame = self._sheet().frame
        return self._frame

    @frame.setter
    def frame(self, value) -> None:
        self._frame = value
        if value is not None:  # a platform's cells: the frame speaks for the sheet from now on
            self._names = None

    @property
    def lines(self):
        return self._sheet().lines

    @lines.setter
    def lines(self, value) -> None:
        pass  # made from the head when asked

    @property
    def columns(self) -> list[str]:
        return list(self._names) if self._names is not None else super().columns

    @property
    def n_rows(self) -> int:
        return len(self._rows) if self._names is not None else super().n_rows

    def cells(self) -> tuple[list[str], list[list[str | None]]]:
        """(column names, rows of stripped cells, None where empty or missing)."""
        if self._names is None:
            frame = self.frame
            return self.columns, [[None if v is None or v != v else str(v).strip() or None for v in row]
                                  for row in frame.itertuples(index=False)]
        width = len(self._names)
        return self._names, [[(c.strip() or None) for c in row[:width]] + [None] * (width - len(row))
                             for row in self._rows]

    def has_spaces(self) -> bool:
        """Whether some cell of the head starts or ends with whitespace."""
        if self._names is None:
            return any(bool((c != c.str.strip()).any()) for c in (self.frame[k].dropna().astype("str")
                                                                  for k in self.frame))
        width = len(self._names)
        return any(c != c.strip() for row in self._rows for c in row[:width])


def peek(path: Path, size: int) -> HeadSheet | None:
    """The head of a large text file as a :class:`HeadSheet` whose ``source`` points at the
    whole file; None when the file is not for DuckDB's reader (not UTF-8, UTF-16,
    whitespace-separated, a header cell without a name, no data row in the head). Delimiter
    and header are found as :func:`~analysis.ingest.reading.read_text` finds them."""
    if path.suffix.lower() not in TEXT_SUFFIXES:
        return None
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if size > len(head):
        head = head[: head.rfind(b"\n") + 1]
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=True)
    except UnicodeDecodeError:
        return None
    head_lines = text[:200_000].splitlines()[: SNIFF_LINES * 3]
    delimiter = sniff_delimiter(head_lines)
    if not head_lines or delimiter == WHITESPACE:
        return None
    header_idx = find_header([split_line(ln, delimiter) for ln in head_lines])
    header_cells = split_line(head_lines[header_idx], delimiter)
    if not header_cells or not all(c.strip() for c in header_cells):
        return None  # a column without a name: whether pandas keeps it depends on the whole file
    body = io.StringIO(text, newline="")
    for _ in range(header_idx + 1):
        body.readline()
    try:
        rows = [row for row in csv.reader(body, delimiter=delimiter) if any(c.strip() for c in row)]
    except csv.Error:
        return None
    if not rows:
        return None
    encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    return HeadSheet(head, column_names(header_cells), rows, header_idx + 1, encoding, delimiter,
                     TextFile(path, header_idx + 1, len(header_cells), delimiter))


def head_has_spaces(raw: RawSheet) -> bool:
    """Whether some cell in the head of a large file starts or ends with whitespace (then its
    cells are likely to need stripping: the careful pass stages them stripped at once)."""
    return raw.has_spaces()


_PLAIN_NUMBER = re.compile(VR.PLAIN_NUMBER, re.ASCII)  # RE2's \d: an ASCII digit
_DASHED_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)  # what strptime's %Y-%m-%d (value_rules.PLAIN_DATE) reads


def _plain_number(cell: str) -> bool:
    return _PLAIN_NUMBER.fullmatch(cell) is not None and math.isfinite(float(cell))


def _plain_date(cell: str) -> bool:
    """A date in value_rules.PLAIN_DATE with a year from 1000 (the calendar's check, without
    strptime's cost per cell)."""
    found = _DASHED_DATE.fullmatch(cell)
    if found is None:
        return False
    try:
        return dt.date(*map(int, found.groups())).year >= 1000
    except ValueError:
        return False


def head_needs_rules(raw: RawSheet, mapping: dict[str, str]) -> bool:
    """Whether the head of a large file (:func:`peek`) already shows a cell the optimistic pass
    cannot write: an amount or date that is not in its plain form (value_rules.PLAIN_NUMBER,
    value_rules.PLAIN_DATE), an id that is not plain ASCII or ends in ".0", a line without a
    customer id, whitespace around a cell (:func:`head_has_spaces`). Such a file goes straight to
    the careful pass instead of a whole optimistic pass rolled back (a cheap look: the head's
    cells only; a file whose first odd cell comes later is still caught by the optimistic pass)."""
    names, rows = raw.cells()
    for fld, column in mapping.items():
        if column not in names:
            return True
        i = names.index(column)
        text = [row[i] for row in rows]
        present = [c for c in text if c is not None]
        kind = field_kind(fld)
        if kind == "number" and not all(map(_plain_number, present)):
            return True
        if kind == "date" and not all(map(_plain_date, present)):
            return True
        if kind == "id":
            if any(c.endswith(".0") or not c.isascii() for c in present):
                return True
            if fld == "customer_id" and len(present) < len(text):
                return True  # a guest checkout: written apart by the careful pass
        if kind == "currency":
            return True
    return head_has_spaces(raw)


def head_stages_whole(raw: RawSheet, mapping: dict[str, str]) -> bool:
    """Whether the head of a large file already shows what makes the careful pass stage every
    line (:mod:`analysis.store.bulk_split` cannot take it): whitespace around a cell, a line
    without a customer id, an id that is not plain ASCII or ends in ".0"."""
    if head_has_spaces(raw):
        return True
    names, rows = raw.cells()
    for fld, column in mapping.items():
        if field_kind(fld) != "id" or column not in names:
            continue
        i = names.index(column)
        present = [row[i] for row in rows if row[i] is not None]
        if fld == "customer_id" and len(present) < len(rows):
            return True
        if any(c.endswith(".0") or not c.isascii() for c in present):
            return True
    return False


@dataclass
class FileFacts:
    """What one read of the bytes tells: the sha256 (duplicate imports), the number of lines,
    whether pandas must read the file after all (``refuse``: a carriage return that is not
    part of CR LF, a control character other than the line breaks and the delimiter, or a
    space next to a quote, which DuckDB drops and pandas keeps), and whether some cell may
    start or end with whitespace (``trim``: then every cell is stripped in SQL)."""

    digest: str
    lines: int
    refuse: bool
    trim: bool
    direct: bool | None = None  # did insert_direct write every line below the header?
    split: bool | None = None  # did bulk_split.insert_split write the file (False: stage it whole)?


# UTF-8 of the non-ASCII characters str.strip removes.
_WIDE_SPACES = tuple(ch.encode() for ch in STRIP_CHARS if ord(ch) > 127)
_PRINTABLE = bytes(range(32, 127))  # what a plain ASCII line holds besides its line break
_NOT_CONTROL = bytes(range(32, 256))
_ASCII = bytes(range(128))


def read_facts(path: Path, delimiter: str) -> FileFacts:
    """:class:`FileFacts` in one pass over the file, in chunks, with the C loops of ``bytes``
    (count, find, translate; hashlib releases the GIL, so this runs beside DuckDB's scan, and
    needs no NumPy). Cells Excel marks as text (``="0123"``, ``'0123``) send the file to pandas,
    which unwraps them (values.as_text). Each chunk is looked at with the previous chunk's last
    two bytes in front (its neighbours), and a byte is judged by both of its neighbours, so a
    pattern across two chunks is seen once."""
    d = re.escape(delimiter.encode())
    ends = (delimiter.encode(), b"\n", b"\r")  # bytes a cell's value ends at
    allowed = b"\n\r" + (b"\t" if delimiter == "\t" else b"")
    # '0123: Excel's text mark opening a cell (found from the apostrophe, a literal: fast).
    apostrophe = re.compile(b"'(?<=[" + d + b"\n\r\"]')[0-9+]")
    # A space with a cell's end or a quote on either side and a byte after it; rare, so that
    # the exact look below (several scans) runs only on the chunks that have one.
    near = re.compile(b" (?:[" + d + b"\n\r\"]|(?<=[" + d + b"\n\r\"] )(?=[\\x00-\\xff]))")
    h, lines, prev = hashlib.sha256(), 0, b"\n"  # the file's start counts as a line break
    refuse = trim = False
    tail = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 18):
            h.update(chunk)
            buf, last = prev + chunk, len(prev) + len(chunk) - 1
            rest = chunk.translate(None, _PRINTABLE)  # line breaks, other control characters, bytes above 126
            nl = rest.count(b"\n")  # (short in a plain file: one byte a line)
            lines += nl
            prev, tail = chunk[-2:], chunk
            if refuse:
                continue
            plain = len(rest) == nl
            if not plain:
                ctrl = rest.translate(None, _NOT_CONTROL)
                if len(ctrl) != nl:  # CR of CR LF, the tab delimiter, or else
                    if ctrl.translate(None, allowed):
                        refuse = True
                        continue
                    if b"\r" in ctrl and buf.count(b"\r", 0, last) != buf.count(b"\r\n"):
                        refuse = True  # a lone CR (pandas breaks the line there; DuckDB does not)
                        continue
            if b"=" in buf and b'="' in buf:  # Excel's ="0123" (Taobao's order numbers): values.as_text unwraps it
                refuse = True
                continue
            if b"'" in buf and apostrophe.search(buf):
                refuse = True
                continue
            if near.search(buf):  # the space's neighbours (not the buffer's first or last byte)
                if buf.find(b'" ', 0, last) >= 0 or buf.find(b' "', 1) >= 0:
                    refuse = True
                    continue
                trim = trim or any(buf.find(e + b" ", 0, last) >= 0 or buf.find(b" " + e, 1) >= 0 for e in ends)
            if not trim and not plain and rest.translate(None, _ASCII):
                trim = any(w in buf for w in _WIDE_SPACES)
    if tail.endswith(b"\r"):
        refuse = True
    if tail and not tail.endswith(b"\n"):
        lines += 1
        trim = trim or tail.endswith(b" ")
    return FileFacts(h.hexdigest(), lines, refuse, trim)


class Retry(Exception):
    """The first, optimistic pass found what only the careful one handles; raised inside the
    import's transaction, which is rolled back and run again (the file's facts now known)."""


@functools.cache
def python_digits() -> str:
    """An RE2 class of the characters Python's ``\\d`` matches (category Nd of Python's own
    Unicode tables; RE2's ``\\p{Nd}`` follows a newer Unicode)."""
    codes = [i for i in range(0x110000) if unicodedata.category(chr(i)) == "Nd"]
    ranges = []
    for i in codes:
        if ranges and ranges[-1][1] == i - 1:
            ranges[-1][1] = i
        else:
            ranges.append([i, i])
    return "[" + "".join(f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in ranges) + "]"
