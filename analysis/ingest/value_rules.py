"""The value rules of an import, as data: the forms in which a cell may write an amount, a date
or an id. Defined once, here; both readers are made from them:

- the pandas path's parsers (:mod:`.values`, :mod:`.dates`) build their patterns from these
  names each time they read a column (so a form added here, even at run time, is read at once);
- the DuckDB bulk path (:mod:`analysis.store.bulk`, :mod:`analysis.store.bulk_careful`) binds the
  plain forms below as parameters of its SQL (RE2 and strptime: the same patterns), and hands
  every distinct cell that is not in a plain form to :mod:`.values` / :mod:`.dates`, so the other
  forms need no SQL of their own.

A new form is one entry here (``tests/ingest/test_ingest_bulk.py`` adds one at run time and
sees both readers accept it). Patterns are RE2 / Arrow syntax, where ``\\d`` is an ASCII digit.
"""

from __future__ import annotations

# -- plain forms: read by a cast alone, on both paths --------------------------------
PLAIN_NUMBER = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"  # then cast to float; inf is refused
PLAIN_DATE = "%Y-%m-%d"  # a year-first date with dashes (strptime); years 1000-9999 on the SQL side
# "123.0": a whole number that went through an Excel float, read as "123" once some id of the
# column ends in ".0" (values.parse_id; Python's \d there: any Unicode decimal digit).
WHOLE_FLOAT_ID = r"^(-?\d+)\.0+$"
# Invoice numbers (full matches): a cancellation's "C536379" and a plain one "536379" (a file whose
# lines have plain ones reads a "C" one as a return: analysis.ingest.orders, and the same in SQL).
CANCELLATION, INVOICE = "[Cc][0-9]+", "[0-9]+"
# The fields of a purchase row that belong to the order, not to the line: an empty one is carried
# from the order's other lines (analysis.ingest.orders, and the same in SQL).
ORDER_FIELDS = ("customer_id", "email", "name", "phone", "region", "city", "country", "address", "status",
                "refunded", "currency", "channel", "industry", "date")

# -- amounts -------------------------------------------------------------------------
# Currency signs, words and codes an amount cell may write, lower case -> ISO code, beyond those
# of analysis.money (its SYMBOLS, their signs, and its MARKS), which values.currency_marks_table adds.
EXTRA_CURRENCY_MARKS: dict[str, str] = {}
# Removed from an amount before it is read: spaces (thousands groups "1 234,50", no-break and thin
# spaces) and the Swiss apostrophe ("1'234.50").
AMOUNT_SPACES = (r"\s", "\u00a0", "\u2009", "\u202f", "'")
# A negative amount written between these (accounting style "(5.00)", full-width "（5）").
NEGATIVE_BRACKETS = (("(", ")"), ("（", "）"))
NEGATIVE_TRAILING_MINUS = True  # "5.00-" (some ERPs)
# Separators. Decimal comma: some value written 1.234,50 or 12,5 (not 1,234) and none 1,234.50.
BOTH_COMMA_LAST = r"^-?\d{1,3}(\.\d{3})*\.\d{3},\d+$|^-?\d+\.\d{3},\d+$"
ONLY_COMMA_DECIMAL = r"^-?\d+,(\d{1,2}|\d{4,})$"
BOTH_DOT_LAST = r"^-?\d{1,3}(,\d{3})+\.\d+$"
THOUSANDS = r"^-?\d{1,3}(,\d{3})+(\.\d*)?$"  # "1,234" alone: one thousand two hundred thirty-four

# -- dates (read by analysis.ingest.dates in this order: YMD, COMPACT, XYZ, SERIAL, month names) --
YMD = r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:[ T]+(?P<t>.*))?$"
XYZ = r"^(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4}|\d{2})(?:[ T]+(?P<t>.*))?$"  # day/month decided per column
COMPACT = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"
SERIAL = r"^\d{1,6}(\.\d+)?$"  # Excel's serial day numbers
# A time of day; a UTC offset after it ("+0100", "-07:00", "Z": Shopify, Amazon) is left aside, so
# the date is the shop's local date as written.
TIME = r"^(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?\s*(?P<ampm>[AaPp][Mm])?\s*(?:Z|[+-]\d{2}:?\d{2})?$"
