"""Mapped raw cells -> rows ready for a store table, and the reasons rows are invalid (the
pandas reader; the rules themselves, shared with the DuckDB bulk path, are in :mod:`.rules`).

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

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.errors import UserError, semicolons
from analysis.i18n import N_, t
from analysis.ingest import identity, orders
from analysis.ingest import dates
from analysis.ingest import values as V
from analysis.ingest.reading import RawSheet

# The value rules (shared with the bulk path) live in .rules; named here for the readers of a sheet.
from analysis.ingest.rules import (  # noqa: F401
    AMOUNT_FIELDS, DATE_FIELDS, DEFAULT_SCALE, EARLIEST_DATE, EARLY, FUTURE, LATE, LATEST_DATE, REQUIRED,
    SHOW_ERRORS, TOO_BIG, CurrencyRows, Rules, ValueRange, describe, describe_range, import_day, invalid_rows_error,
    is_empty, judge_currency, mark_evidence, named_currency, range_codes, sheet_currency, value_range,
)
from analysis.ingest import rules as R

# The parser of each kind of value (rules.KINDS).
PARSER_OF = {"id": V.parse_id, "number": V.parse_number, "date": dates.parse_date,
             "currency": V.parse_currency, "text": V.parse_text}


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
    # date columns whose day/month order other values decided: {column, day_first, by, either, example, read_as}
    dates_read: list[dict] = field(default_factory=list)


def prepare(raw: RawSheet, table: str, mapping: dict[str, str], file_label: str, rules: Rules,
            links=None, discount_off_amount: bool = False) -> Prepared:
    """Parse and check every mapped column of ``raw`` for ``table``.

    Purchase rows first get their order-level fields carried to the order's other lines and,
    without a line total, their amount from quantity x unit price (:mod:`.orders`); with
    ``discount_off_amount`` (an export whose line total is before the line's promotion: Amazon's
    item-price) the amount less the discount. A discount larger than what it is taken off makes
    the row invalid (:func:`_discount_over`). A purchase without a customer id is valid (a guest
    checkout). A customer list with repeated ids is merged later
    (:func:`analysis.ingest.identity.merge_repeated`).
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
    dates_read = []
    for fld, col in mapping.items():
        parser = PARSER_OF[R.kind(fld)]
        if parser is dates.parse_date:
            decided: dict = {}
            values, wrong = parser(src[col], keep_time=(table == "interactions"), column=f"{file_label}: {col}",
                                   decided=decided)
            if decided:
                dates_read.append({"column": col, **decided})
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
    over = None
    if table == "transactions" and "amount" not in out and "unit_price" in out:
        over = _discount_over(orders.line_amounts(out["unit_price"], out.get("quantity")), out.get("discount"))
        out["amount"] = orders.line_amounts(out["unit_price"], out.get("quantity"), out.get("discount"))
    elif table == "transactions" and discount_off_amount and "amount" in out and "discount" in out:
        over = _discount_over(out["amount"], out["discount"])
        out["amount"] = orders.line_amounts(out["amount"], None, out["discount"])
    for fld, col in mapping.items():
        expected = R.expected(fld)
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
    if over is not None and over.any():
        by_field["discount"].append((over, mapping["discount"], lambda p, v, e, _c=mapping["discount"]: t(
            "column {column!r}: {value!r} is more than the line it is taken off (a discount cannot turn a sale "
            "into a refund)", column=_c, value=str(v))))
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
        else:
            kind = kind_codes(kind)
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
        scale = R.default_scale(mapping["satisfaction"]) if sat is not None else DEFAULT_SCALE
        if sat is not None and "scale" not in out:
            out["scale"] = pd.Series(np.where(sat.notna(), scale, np.nan), index=range(n))
        elif sat is not None:
            out["scale"] = out["scale"].where(out["scale"].notna() | sat.isna(), scale)
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
    if link.drop is not None:  # contacts whose order is not known: left out and reported, not invalid
        bad_any = bad_any & ~link.drop
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
                    stats.get("normalised", 0), any_future, currency, carried, link.linked, int(unlinked.sum()), shown,
                    dates_read)


# What a contact file writes in its type column, lower case -> the contact kind every figure counts
# (analysis.interact.contacts.KINDS): the kinds' own words in both languages, and the words help desks
# use for a complaint or a survey. Other words are kept as written, a kind of their own ("call",
# "meeting", 来电: not counted as contacts by the fatigue cap, as before).
_KIND_WORDS = {
    "complaint": ["complaint", "complaints", "投诉", "客诉", "客户投诉", "投诉单"],
    "survey": ["survey", "surveys", "调查", "问卷", "问卷调查", "满意度调查"],
    "contact": ["contact", "contacts", "接触", "联系"],
    "visit": ["visit", "visits", "拜访"],
    "resolution": ["resolution", "问题解决"],
}
KIND_WORDS = {w: code for code, words in _KIND_WORDS.items() for w in words}


def kind_codes(kind: pd.Series) -> pd.Series:
    """Each contact's kind as the figures count it ("投诉", "Complaint" -> "complaint"), once per
    distinct value; a word not in :data:`KIND_WORDS` is kept as written. Before, a Chinese help
    desk's 投诉 was imported and counted as no complaint anywhere."""
    distinct = pd.unique(kind.dropna())
    codes = {v: KIND_WORDS.get(" ".join(str(v).lower().split()), v) for v in distinct}
    return kind.map(codes).astype(object).where(kind.notna(), None) if len(distinct) else kind


def _discount_over(gross: pd.Series, discount: pd.Series | None) -> pd.Series | None:
    """Rows whose discount is larger than the line it is taken off (quantity x unit price, or the
    line total before the promotion): the line would become a refund without a word. Invalid
    rows, named like an unreadable amount (README, import rules); None without a discount."""
    if discount is None:
        return None
    return (discount.abs() > gross.abs()).fillna(False).astype(bool)


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
    # Purchase lines of a sheet that says who bought are guest checkouts when they say nobody:
    # looked up in the order lists all the same, but not reported as unlinked when not found.
    guests = table == "transactions" and "customer_id" in out
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
        unlinked &= out["date"].notna() & (not guests)
    result = _Linked(int((need & got.notna() & cid.isna()).sum()), unlinked)
    if table == "interactions":
        result.drop = unlinked.reset_index(drop=True)
    elif out["date"].isna().any():
        result.undated = out["date"].isna().reset_index(drop=True)
    return result
