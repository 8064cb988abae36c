"""Mapped raw cells -> rows ready for a store table, and the reasons rows are invalid.

A row is invalid when a required field is empty, any mapped cell cannot be read as its
field's type, or a value is outside what the workspace can hold or analyse (:class:`Rules`):
an amount of 10^16 or more (``analysis.money.in_range``: amounts are kept as DECIMAL(18, 2)),
a date before 1900, or a date after the day of import (unless the rules allow future dates,
then after 2199). By default a file with invalid rows is refused whole; the message names
the file, the line numbers a user sees, the column and the value for the first
:data:`SHOW_ERRORS` rows and counts the rest. With ``skip_invalid`` the valid rows are kept
and the invalid ones reported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis import i18n
from analysis.errors import UserError, commas, semicolons
from analysis.i18n import N_, lookup, t, tn
from analysis.ingest import identity, orders
from analysis.ingest import dates
from analysis.ingest import values as V
from analysis.ingest.reading import RawSheet
from analysis.money import MAX_ABS_AMOUNT

SHOW_ERRORS = 5
DEFAULT_SCALE = 5.0

# field -> (parser, what a valid value looks like; English, shown through ``lookup``)
_NUMBER = (V.parse_number, N_("a number"))
PARSERS = {
    "customer_id": (V.parse_id, N_("a customer id")),
    "order_id": (V.parse_id, N_("an order id")),
    "date": (dates.parse_date, N_("a date")),
    "signup_date": (dates.parse_date, N_("a date")),
    "amount": (V.parse_number, N_("an amount such as 1234.50 or ¥1,234.50")),
    "quantity": _NUMBER,
    "wallet": (V.parse_number, N_("an amount")),
    "satisfaction": _NUMBER,
    "scale": _NUMBER,
    "currency": (V.parse_currency, N_("a currency such as CNY, USD, EUR or GBP")),
    "unit_price": (V.parse_number, N_("a unit price such as 12.50")),
    "discount": (V.parse_number, N_("an amount")),
    "refunded": (V.parse_number, N_("an amount")),
    "person_id": (V.parse_id, N_("a customer id")),
}
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
        code = V.currency_of_name(mapping[fld])
        if code:
            return CurrencyRows(code, rows, [first_line], mark_evidence("name", mapping[fld]))
    return None


def sheet_currency(file_label: str, mapping: dict[str, str], src: pd.DataFrame, lines: np.ndarray,
                   keep: np.ndarray, currency_codes: pd.Series | None) -> CurrencyRows | None:
    """:func:`judge_currency` for a sheet read by pandas: each kept row's currency is its
    currency column's, else the first sign, word or code in its amount cells, else what the
    amount column's name states."""
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
        named = V.currency_of_name(mapping[fld])
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


@dataclass
class Prepared:
    """Typed rows for one table plus what was wrong with the others."""

    frame: pd.DataFrame  # store column names, valid rows only
    lines: np.ndarray  # source line of each kept row
    invalid_count: int = 0
    examples: list[str] = field(default_factory=list)  # "line 7, column '金额': 'abc' is not an amount"
    ids_normalised: int = 0  # distinct ids changed by values.normalise_id
    future: bool = False  # some invalid row is dated after the day of import
    currency: CurrencyRows | None = None  # what the amounts say their currency is
    carried: int = 0  # order-level cells carried to an order's other lines
    linked: int = 0  # rows given their customer through their order id
    unlinked: int = 0  # rows with an order id no known order has
    unlinked_examples: list[str] = field(default_factory=list)


def describe(col: str, value, expected: str, empty: bool) -> str:
    if empty:
        return t("column {column!r} is empty (needed: {expected})", column=col, expected=lookup(expected))
    return t("column {column!r}: {value!r} is not {expected}", column=col, value=str(value), expected=lookup(expected))


def is_empty(value) -> bool:
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


def prepare(raw: RawSheet, table: str, mapping: dict[str, str], file_label: str, rules: Rules,
            links=None) -> Prepared:
    """Parse and check every mapped column of ``raw`` for ``table``.

    Purchase rows first get their order-level fields carried to the order's other lines and,
    without a line total, their amount from quantity x unit price (:mod:`.orders`); a purchase
    without a customer id is valid (a guest checkout). A customer list with repeated ids is
    merged later (:func:`analysis.ingest.identity.merge_repeated`).
    """
    src = raw.frame
    n = len(src)
    if n == 0:
        raise UserError(t("{file}: no data rows below the header", file=file_label))
    out: dict[str, pd.Series] = {}
    # field -> [(rows, column, reason(position, value, empty) -> words)]; listed in mapping order
    by_field: dict[str, list[tuple[pd.Series, str, object]]] = {f: [] for f in mapping}
    bad: dict[str, pd.Series] = {}
    stats: dict = {}
    future = pd.Series(False, index=range(n))
    for fld, col in mapping.items():
        parser, _ = PARSERS.get(fld, (V.parse_text, "text"))
        if parser is dates.parse_date:
            values, wrong = parser(src[col], keep_time=(table == "interactions"), column=f"{file_label}: {col}")
        elif parser is V.parse_id:
            values, wrong = parser(src[col], stats)
            values = identity.emails_as_ids(values)
        else:
            values, wrong = parser(src[col])
        out[fld] = values.reset_index(drop=True)
        bad[fld] = wrong.reset_index(drop=True)
    carried = 0
    if table == "transactions":
        carried = orders.carry_order_fields(out)
    link = _link(out, table, links)
    if table == "transactions" and "amount" not in out and "unit_price" in out:
        out["amount"] = orders.line_amounts(out["unit_price"], out.get("quantity"), out.get("discount"))
    for fld, col in mapping.items():
        expected = PARSERS.get(fld, (V.parse_text, "text"))[1]
        wrong = bad[fld]
        target = "amount" if fld == "unit_price" and "amount" not in mapping else fld
        if target in REQUIRED[table]:
            wrong = wrong | out[target].isna()
        if wrong.any():
            by_field[fld].append((wrong, col, lambda p, v, e, _c=col, _x=expected: describe(_c, v, _x, e)))
        codes = range_codes(target, out[target], rules)
        if codes is not None:
            by_field[fld].append((codes.notna(), col,
                                  lambda p, v, e, _c=col, _k=codes: describe_range(_k.iloc[p], _c, v, rules)))
            future |= codes == FUTURE
    problems = [p for f in mapping for p in by_field[f]]
    if link.undated is not None:  # order items with no date of their own, whose order is not known
        col = mapping["order_id"]
        problems.append((link.undated, col, lambda p, v, e, _c=col: describe(
            _c, v, N_("the id of an order already imported or imported with it (the file has no dates)"), e)))

    if table == "interactions":
        kind = out.get("kind")
        sat = out.get("satisfaction")
        if kind is None:
            kind = pd.Series(np.nan, index=range(n), dtype=object)
        if sat is not None:
            kind = kind.where(kind.notna() | sat.isna(), "survey")
        need = kind.isna()
        if need.any():
            names = [repr(mapping[f]) for f in ("kind", "satisfaction") if f in mapping]
            cols = t("{a} or {b}", a=names[0], b=names[1]) if len(names) == 2 else "".join(names)
            cols = cols.strip("'")
            problems.append((need, cols, lambda p, v, e, _c=cols: describe(
                _c, v, N_("a contact type or a satisfaction score"), e)))
        out["kind"] = kind
        if sat is not None and "scale" not in out:
            out["scale"] = pd.Series(np.where(sat.notna(), DEFAULT_SCALE, np.nan), index=range(n))
        elif sat is not None:
            out["scale"] = out["scale"].where(out["scale"].notna() | sat.isna(), DEFAULT_SCALE)
        if sat is not None:
            over = sat.notna() & ((sat < 0) | (sat > out["scale"]))
            if over.any():
                col = mapping["satisfaction"]
                problems.append((over, col, lambda p, v, e, _c=col: describe(
                    _c, v, N_("a score between 0 and the scale (5 unless the file has a scale column)"), e)))
        out["occurred_at"] = out.pop("date")

    bad_any = pd.Series(False, index=range(n))
    for mask, _, _ in problems:
        bad_any |= mask
    examples = []
    for pos in np.flatnonzero(bad_any.to_numpy())[:SHOW_ERRORS]:
        reasons = []
        for mask, col, reason in problems:
            if mask.iloc[pos]:
                value = src[col].iloc[pos] if col in src.columns else None
                reasons.append(reason(pos, value, is_empty(value)))
        examples.append(t("line {line}, {reasons}", line=raw.lines[pos], reasons=semicolons(reasons)))
    invalid = int(bad_any.sum())
    any_future = bool((future & bad_any).any())

    frame = pd.DataFrame(out)
    if link.drop is not None:  # contacts whose order is not known: left out and reported, not invalid
        bad_any = bad_any & ~link.drop
        invalid = int(bad_any.sum())
    if invalid and not rules.skip_invalid:
        raise invalid_rows_error(file_label, invalid, n, examples, rules, any_future)
    keep = ~bad_any.to_numpy()
    if link.drop is not None:
        keep &= ~link.drop.to_numpy()
    currency = sheet_currency(file_label, mapping, src, raw.lines, keep, out.get("currency"))
    unlinked = link.unlinked_rows.to_numpy() if link.unlinked_rows is not None else np.zeros(n, bool)
    shown = [t("line {line}, order {order!r}", line=raw.lines[i], order=str(out["order_id"].iloc[i]))
             for i in np.flatnonzero(unlinked)[:SHOW_ERRORS]]
    return Prepared(frame[keep].reset_index(drop=True), raw.lines[keep], invalid, examples,
                    stats.get("normalised", 0), any_future, currency, carried, link.linked, int(unlinked.sum()), shown)


@dataclass
class _Linked:
    linked: int = 0  # rows given their customer through their order id
    unlinked_rows: pd.Series | None = None  # rows with an order id that no known order has
    drop: pd.Series | None = None  # contacts left out for want of a customer
    undated: pd.Series | None = None  # purchase rows with neither a date nor a known order


def _link(out: dict[str, pd.Series], table: str, links) -> _Linked:
    """Rows with an order id but no customer id take the customer (and, when they have none, the
    date and status) of that order among the purchases and order lists already imported or
    imported with them (``links(order_ids)`` -> order_id, customer_id, date, status)."""
    order = out.get("order_id")
    if order is None or table not in ("transactions", "interactions"):
        return _Linked()
    cid = out.get("customer_id", pd.Series(None, index=order.index, dtype=object))
    need = cid.isna() & order.notna()
    undated = table == "transactions" and "date" not in out
    if undated:
        out["date"] = pd.Series(pd.NaT, index=order.index, dtype="datetime64[us]")
        need = need | order.notna()
    if links is None or not need.any():
        return _Linked(undated=out["date"].isna().reset_index(drop=True) if undated else None)
    found = links(order[need].drop_duplicates()).drop_duplicates("order_id").set_index("order_id")
    known = need & order.isin(found.index)
    got = order.map(found["customer_id"]).astype(object).where(known, None)
    out["customer_id"] = cid.where(cid.notna(), got)
    if known.any():
        if "date" in out:
            day = pd.Series(pd.to_datetime(order[known].map(found["date"])).astype("datetime64[us]"),
                            index=order[known].index)
            fill = known & out["date"].isna()
            out["date"] = out["date"].copy()
            out["date"][fill] = day[fill[known]]
        if "status" in out or table == "transactions":
            have = out.get("status", pd.Series(None, index=order.index, dtype=object)).astype(object)
            out["status"] = have.where(have.notna() | ~known, order.map(found["status"]).astype(object))
    unlinked = need & got.isna() & cid.isna()
    if table == "transactions":  # undated ones are invalid rows, reported as such
        unlinked &= out["date"].notna()
    result = _Linked(int((need & got.notna() & cid.isna()).sum()), unlinked)
    if table == "interactions":
        result.drop = unlinked.reset_index(drop=True)
    elif out["date"].isna().any():
        result.undated = out["date"].isna().reset_index(drop=True)
    return result
