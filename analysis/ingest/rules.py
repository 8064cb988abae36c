"""What a valid value of each field is, and how an invalid one is told: the one set of value
rules both import readers apply (the pandas path, :mod:`.validate`; the DuckDB bulk path,
:mod:`analysis.store.bulk`). The kind of value per field (:data:`KINDS`: which parser of
:mod:`.values` / :mod:`.dates` reads it, :mod:`.validate`), required fields, the ranges a workspace can hold (:func:`value_range`), the
sheet's currency (:func:`sheet_currency`), and the messages naming file, line, column and value.

pandas and NumPy are imported by the functions that take frames, not by this module: a large
CSV written by DuckDB's reader alone (analysis.ingest.bulk) is imported without them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analysis import i18n
from analysis.errors import UserError, commas, semicolons
from analysis.i18n import N_, lookup, t, tn
from analysis.ingest.currency_names import currency_of_name
from analysis.money import MAX_ABS_AMOUNT

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

SHOW_ERRORS = 5
DEFAULT_SCALE = 5.0
# A survey column's scale when the file has no scale column: written in its name ("Score (0-10)",
# "Rating /10", "满分10"), else 10 for a Net Promoter question (0-10 by definition), else 5.
_SCALE_IN_NAME = re.compile(r"(?:\b[01]\s*(?:-|–|~|to|到|至)\s*|/\s*|out of\s*|满分\s*)(\d{1,3})(?!\d)", re.IGNORECASE)
_NPS_WORDS = ("nps", "net promoter", "recommend", "推荐")


def default_scale(column: str) -> float:
    """The scale of the satisfaction scores in ``column`` when no scale column says it: a scale
    its name writes (``(0-10)``, ``/10``, ``out of 7``, ``满分10``), 10 for a Net Promoter
    question (Reichheld, "The One Number You Need to Grow", HBR 2003: 0-10), else
    :data:`DEFAULT_SCALE`. An NPS file read on a 5-point scale refused every score above 5, and
    with the invalid rows skipped kept only the detractors' scores."""
    name = str(column)
    found = _SCALE_IN_NAME.search(name)
    if found and int(found.group(1)) > 1:
        return float(found.group(1))
    lower = name.lower()
    return 10.0 if any(w in lower for w in _NPS_WORDS) else DEFAULT_SCALE

# field -> (the kind of value, what a valid one looks like; English, shown through ``lookup``). The
# kind names the parser (analysis.ingest.validate.PARSER_OF): "id" values.parse_id, "number"
# values.parse_number, "date" dates.parse_date, "currency" values.parse_currency; any other
# field is "text" (values.parse_text).
_NUMBER = ("number", N_("a number"))
KINDS = {
    "customer_id": ("id", N_("a customer id")),
    "order_id": ("id", N_("an order id")),
    "date": ("date", N_("a date")),
    "signup_date": ("date", N_("a date")),
    "amount": ("number", N_("an amount such as 1234.50 or ¥1,234.50")),
    "quantity": _NUMBER,
    "wallet": ("number", N_("an amount")),
    "satisfaction": _NUMBER,
    "scale": _NUMBER,
    "currency": ("currency", N_("a currency such as CNY, USD, EUR or GBP")),
    "unit_price": ("number", N_("a unit price such as 12.50")),
    "discount": ("number", N_("an amount")),
    "refunded": ("number", N_("an amount")),
    "person_id": ("id", N_("a customer id")),
}
TEXT = ("text", "text")  # the kind of a field not in KINDS


def kind(fld: str) -> str:
    """How ``fld``'s cells are read: "id", "number", "date", "currency" or "text"."""
    return KINDS.get(fld, TEXT)[0]


def expected(fld: str) -> str:
    """What a valid value of ``fld`` looks like (English; shown through ``lookup``)."""
    return KINDS.get(fld, TEXT)[1]


REQUIRED = {  # a purchase without a customer id is a guest checkout (analysis.ingest.orders)
    "transactions": ("date", "amount"),
    "customers": ("customer_id",),
    "interactions": ("customer_id", "date"),
    "orders": ("order_id", "customer_id"),
}
AMOUNT_FIELDS = ("amount", "wallet", "unit_price")  # kept as DECIMAL(18, 2): |value| < MAX_ABS_AMOUNT
DATE_FIELDS = ("date", "signup_date")
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)  # the latest date accepted when future dates are allowed
_AMOUNT_LIMIT = float(MAX_ABS_AMOUNT)  # 1e16 is exact in binary: |x| < it is money.in_range for floats


def import_day() -> dt.date:
    """The day of import: the latest calendar date anywhere on Earth (UTC+14), so that a shop
    that exports this morning in Beijing is not refused for today's orders by a server whose
    clock still says yesterday."""
    return (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=14)).date()


@dataclass(frozen=True)
class Rules:
    """What an import accepts, and in whose words it advises.

    ``skip_invalid``: import the valid rows and report the rest (else refuse the file).
    ``allow_future_dates``: dates after the day of import are valid (up to 2199).
    ``app``: advice names the Data page's checkboxes; otherwise the command line's flags.
    ``today``: the day of import (:func:`import_day` when None)."""

    skip_invalid: bool = False
    allow_future_dates: bool = False
    app: bool = False
    today: dt.date | None = None

    @property
    def day(self) -> dt.date:
        return self.today or import_day()

    @property
    def latest(self) -> dt.date:
        return LATEST_DATE if self.allow_future_dates else self.day


# -- the file's currency -------------------------------------------------------------
@dataclass(frozen=True)
class CurrencyRows:
    """The rows of a sheet in one currency: how many, the first lines, and what says so."""

    code: str
    rows: int
    lines: list[int]
    evidence: str  # "'¥12' in column 'amount'", "column 'currency': 'USD'", "the column name 'dollar_value'"


def mark_evidence(kind: str, column: str, value=None) -> str:
    """Where a row's currency was read (``kind``: "mark", "column" or "name"), in words."""
    if kind == "mark":
        return t("{value!r} in column {column!r}", value=str(value), column=column)
    if kind == "column":
        return t("column {column!r}: {value!r}", column=column, value=str(value))
    return t("the column name {column!r}", column=column)


def judge_currency(file_label: str, groups: list[CurrencyRows]) -> CurrencyRows | None:
    """The sheet's currency from its rows grouped by currency (rows that state none left out):
    None when no row states one; a :class:`UserError` naming the lines of each currency when
    they state several (a workspace keeps one, and amounts are never converted)."""
    if len(groups) <= 1:
        return groups[0] if groups else None
    shown = [t("{code} on {lines}{more}", code=g.code, lines=tn("line {lines}", "lines {lines}", len(g.lines),
                                                                   lines=commas(g.lines)),
               more=t(" (and {n} more)", n=g.rows - len(g.lines)) if g.rows > len(g.lines) else "")
             for g in sorted(groups, key=lambda g: g.lines[0])]
    raise UserError(t(
        "{file}: the amounts are in more than one currency ({currencies}), and a workspace keeps all its figures "
        "in one; amounts are never converted. Import each currency's rows into a workspace of its own.",
        file=file_label, currencies=semicolons(shown)))


def named_currency(mapping: dict[str, str], rows: int, first_line: int) -> CurrencyRows | None:
    """The currency the name of an amount column states, for a sheet whose amounts are all
    plain numbers."""
    for fld in (f for f in AMOUNT_FIELDS if f in mapping):
        code = currency_of_name(mapping[fld])
        if code:
            return CurrencyRows(code, rows, [first_line], mark_evidence("name", mapping[fld]))
    return None


def sheet_currency(file_label: str, mapping: dict[str, str], src: pd.DataFrame, lines: np.ndarray,
                   keep: np.ndarray, currency_codes: pd.Series | None) -> CurrencyRows | None:
    """:func:`judge_currency` for a sheet read by pandas: each kept row's currency is its
    currency column's, else the first sign, word or code in its amount cells, else what the
    amount column's name states."""
    import pandas as pd

    from analysis.ingest import values as V

    n = len(src)
    code = pd.Series(None, index=range(n), dtype=object)
    kind = pd.Series(None, index=range(n), dtype=object)
    where = pd.Series(None, index=range(n), dtype=object)
    if currency_codes is not None:
        has = currency_codes.reset_index(drop=True).notna()
        code, kind, where = code.where(~has, currency_codes), kind.where(~has, "column"), \
            where.where(~has, mapping["currency"])
    for fld in (f for f in AMOUNT_FIELDS if f in mapping):
        col = mapping[fld]
        marks = V.currency_marks(src[col]).reset_index(drop=True)
        fill = code.isna() & marks.notna()
        code, kind, where = code.where(~fill, marks), kind.where(~fill, "mark"), where.where(~fill, col)
    for fld in (f for f in AMOUNT_FIELDS if f in mapping):
        named = currency_of_name(mapping[fld])
        if named:
            fill = code.isna()
            code, kind, where = code.where(~fill, named), kind.where(~fill, "name"), where.where(~fill, mapping[fld])
    code = code[keep & code.notna().to_numpy()]
    groups = []
    for c, rows in code.groupby(code, sort=False):
        first = rows.index[0]
        value = src[where[first]].iloc[first] if kind[first] != "name" else None
        groups.append(CurrencyRows(str(c), len(rows), [int(x) for x in lines[rows.index[:SHOW_ERRORS]]],
                                   mark_evidence(kind[first], where[first], value)))
    return judge_currency(file_label, groups)


# Why a parsed value is out of range (codes shared with the DuckDB path in bulk.py).
EARLY, FUTURE, LATE, TOO_BIG = "early", "future", "late", "big"


@dataclass(frozen=True)
class ValueRange:
    """Where a field's parsed values must lie to be kept: one rule read by both readers
    (:func:`range_codes` here; the bulk path's SQL, analysis.store.bulk). Values below ``low``
    get ``low_code``; above ``high`` (amounts: at or above it in absolute value) ``high_code``."""

    by_abs: bool
    low: object | None
    high: object
    low_code: str | None
    high_code: str


def value_range(fld: str, rules: Rules) -> ValueRange | None:
    """The range of ``fld``'s values, None when it has none."""
    if fld in AMOUNT_FIELDS:
        return ValueRange(True, None, _AMOUNT_LIMIT, None, TOO_BIG)
    if fld in DATE_FIELDS:
        return ValueRange(False, EARLIEST_DATE, rules.latest, EARLY, LATE if rules.allow_future_dates else FUTURE)
    return None


def range_codes(fld: str, values: pd.Series, rules: Rules) -> pd.Series | None:
    """Per row, the reason a parsed value cannot be kept (one of the codes above) or None;
    None for the whole column when the field has no range (:func:`value_range`)."""
    import numpy as np
    import pandas as pd

    bounds = value_range(fld, rules)
    if bounds is None:
        return None
    if bounds.by_abs:
        low = pd.Series(False, index=values.index)
        high = values.notna() & ~(values.abs() < bounds.high)
    else:
        day = values.dt.normalize()
        low, high = day < pd.Timestamp(bounds.low), day > pd.Timestamp(bounds.high)
    if not (low.any() or high.any()):
        return None
    return pd.Series(np.where(low, bounds.low_code, np.where(high, bounds.high_code, None)), index=values.index)


def describe_range(code: str, col: str, value, rules: Rules) -> str:
    """The reason for an out-of-range value, in words."""
    if code == TOO_BIG:
        return t("column {column!r}: {value!r} is too large for an amount (at most 16 digits before the decimal "
                 "point)", column=col, value=str(value))
    if code == EARLY:
        return t("column {column!r}: {value!r} is before {date}", column=col, value=str(value),
                 date=i18n.date(EARLIEST_DATE))
    if code == FUTURE:
        return t("column {column!r}: {value!r} is after the day of import ({date})", column=col, value=str(value),
                 date=i18n.date(rules.day))
    return t("column {column!r}: {value!r} is after {date}", column=col, value=str(value), date=i18n.date(LATEST_DATE))


def describe(col: str, value, expected: str, empty: bool) -> str:
    if empty:
        return t("column {column!r} is empty (needed: {expected})", column=col, expected=lookup(expected))
    return t("column {column!r}: {value!r} is not {expected}", column=col, value=str(value), expected=lookup(expected))


def is_empty(value) -> bool:
    import pandas as pd

    return value is None or (not isinstance(value, str) and pd.isna(value)) or str(value).strip() == ""


_SKIP_ADVICE = {
    False: N_("Fix these rows, or import with --skip-invalid to import only the valid rows."),
    True: N_("Fix these rows, or tick “Skip invalid rows” to import only the valid rows."),
}
_FUTURE_ADVICE = {
    False: N_("If the dates after the day of import are right, import with --allow-future-dates."),
    True: N_("If the dates after the day of import are right, tick “Allow dates after today”."),
}


def invalid_rows_error(file_label: str, invalid: int, n: int, examples: list[str], rules: Rules,
                       future: bool = False) -> UserError:
    """A file refused for its invalid rows: how many, the first ones with line, column and
    value (each on its own line), and what to do, in the words of the app or the command line."""
    more = invalid - len(examples)
    lines = [t("{file}: {invalid} of {total} rows are invalid, nothing was imported.", file=file_label,
               invalid=invalid, total=n)]
    lines += ["  " + e for e in examples]
    if more > 0:
        lines.append("  " + t("... and {n} more invalid rows.", n=more))
    lines.append(t(_SKIP_ADVICE[rules.app]))
    if future and not rules.allow_future_dates:
        lines.append(t(_FUTURE_ADVICE[rules.app]))
    return UserError("\n".join(lines))
