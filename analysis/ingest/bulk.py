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
- Careful pass (:func:`~analysis.store.bulk.scan`, :func:`~analysis.store.bulk.check_and_insert`): the cells are staged in a
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
import functools
import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import UserError
from analysis.ingest import rules as R
from analysis.ingest import value_rules as VR
from analysis.ingest import values as V
from analysis.ingest.dates import parse_date
from analysis.ingest.reading import TEXT_SUFFIXES, WHITESPACE, RawSheet, TextFile, read_text, split_line

HEAD_BYTES = 1 << 20  # what :func:`peek` reads to plan the import
# The purchase fields this module reads; a file mapping others (unit prices, statuses, customer
# attributes) is read by pandas (analysis.ingest.validate and .orders).
FIELDS = ("customer_id", "order_id", "date", "amount", "quantity", "product", "category", "currency")
# The characters Python's str.strip() removes (tests check this against str.isspace).
STRIP_CHARS = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + \
    "\u2028\u2029\u202f\u205f\u3000"


def field_kind(fld: str) -> str:
    """How the bulk path reads a purchase field: "id", "number", "date", "currency" or "text"."""
    parser = R.PARSERS.get(fld, (V.parse_text, ""))[0]
    return {V.parse_id: "id", V.parse_number: "number", parse_date: "date",
            V.parse_currency: "currency"}.get(parser, "text")


# -- planning -----------------------------------------------------------------------
def peek(path: Path, size: int) -> RawSheet | None:
    """The head of a large text file as a :class:`RawSheet` whose ``source`` points at the
    whole file; None when the file is not for DuckDB's reader (not UTF-8, UTF-16,
    whitespace-separated, a header cell without a name, no data row in the head)."""
    if path.suffix.lower() not in TEXT_SUFFIXES:
        return None
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if size > len(head):
        head = head[: head.rfind(b"\n") + 1]
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
        raw = read_text(head)
    except (UnicodeDecodeError, UserError):
        return None
    if raw.encoding not in ("utf-8", "utf-8-sig") or raw.delimiter == WHITESPACE or raw.frame.empty:
        return None
    header_cells = split_line(text[:200_000].splitlines()[raw.header_line - 1], raw.delimiter)
    if len(header_cells) != raw.frame.shape[1] or not all(c.strip() for c in header_cells):
        return None  # a column without a name: whether pandas keeps it depends on the whole file
    raw.source = TextFile(path, raw.header_line, len(header_cells), raw.delimiter)
    return raw


def head_has_spaces(raw: RawSheet) -> bool:
    """Whether some cell in the head of a large file starts or ends with whitespace (then its
    cells are likely to need stripping: the careful pass stages them stripped at once)."""
    for column in raw.frame:
        cells = raw.frame[column].dropna().astype("str")
        if bool((cells != cells.str.strip()).any()):
            return True
    return False


def head_needs_rules(raw: RawSheet, mapping: dict[str, str]) -> bool:
    """Whether the head of a large file (:func:`peek`) already shows a cell the optimistic pass
    cannot write: an amount or date that is not in its plain form (value_rules.PLAIN_NUMBER,
    value_rules.PLAIN_DATE), a cell with whitespace around it, an id that is not plain ASCII or ends
    in ".0", a line without a customer id, whitespace around a cell (:func:`head_has_spaces`). Such a file goes straight to the careful pass
    instead of a whole optimistic pass rolled back (a cheap look: the head's cells only; a file
    whose first odd cell comes later is still caught by the optimistic pass)."""
    import pandas as pd

    for fld, column in mapping.items():
        if column not in raw.frame:
            return True
        text = raw.frame[column].astype("str").where(raw.frame[column].notna()).str.strip()
        present = text[text.notna() & (text != "")]
        kind = field_kind(fld)
        if kind == "number":
            got = V.to_float(present)
            if bool(got.isna().any()) or not bool(got.map(math.isfinite).all()):
                return True
        elif kind == "date":
            got = pd.to_datetime(present, format=VR.PLAIN_DATE, errors="coerce")
            if not bool((got.notna() & got.dt.year.between(1000, 9999)).all()) \
                    or not bool(present.str.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}").all()):
                return True
        elif kind == "id":
            if bool(present.str.endswith(".0").any()) or not bool(present.map(str.isascii).all()):
                return True
            if fld == "customer_id" and len(present) < len(text):
                return True  # a guest checkout: written apart by the careful pass
        elif kind == "currency":
            return True
    return head_has_spaces(raw)


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
            nl = chunk.count(b"\n")
            lines += nl
            prev, tail = chunk[-2:], chunk
            if refuse:
                continue
            rest = chunk.translate(None, _PRINTABLE)  # control characters and bytes above 126
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
