"""Purchase rows as shops export them: line amounts from unit prices, order statuses, returns,
refunds, order-level fields written once per order, and guest checkouts.

Decisions (shown in the import summary and documented in README's import rules):

- **Line amount.** Without a line-total column, a line's amount is quantity x unit price less
  the line's discount, computed exactly in decimal from the values as written and rounded
  half away from zero to the cent, line by line (3 x 1.005 = 3.015 -> 3.02). An empty
  quantity counts as one unit.
- **Order-level fields** (customer id, e-mail, name, phone, region, city, country, address,
  status, refunded amount, currency, channel, industry) that an export writes on an order's
  first line only (Shopify) are carried to the order's other lines. A refunded amount is per
  order: it is taken once per order.
- **Status.** Each status is read as one of :data:`STATUSES`. Completed, paid and shipped
  orders are revenue; unpaid, cancelled, closed (交易关闭), refunded, returned and held ones
  are not (they are counted, with their value, per status, and not written). A partially
  refunded order is revenue, less its refunded amount. A status the vocabulary does not know
  counts as revenue and is reported under its own words.
- **Returns.** An invoice number that is a cancellation (a leading ``C`` before digits, in a
  file whose other invoice numbers are digits, as many ERPs write them) and a negative
  quantity make the line a return: a negative amount, not an error.
- **Refunds.** A refunded amount on an order that stays revenue becomes one refund line
  (a negative amount, dated as the order) so that net revenue is right.
- **Guest checkouts.** A line without a customer id is kept out of every per-customer figure
  in the table ``guest_purchases``; the summary and the Overview say how many lines and how
  much revenue they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import numpy as np
import pandas as pd

from analysis.i18n import N_
from analysis.ingest.value_rules import CANCELLATION, INVOICE, ORDER_FIELDS
from analysis.ingest.values import parse_number

# Canonical statuses: whether they are revenue, and their words (N_ for the summary).
REVENUE, NOT_REVENUE = True, False
STATUSES: dict[str, tuple[bool, str]] = {
    "completed": (REVENUE, N_("completed")),
    "paid": (REVENUE, N_("paid")),
    "shipped": (REVENUE, N_("shipped")),
    "partially_refunded": (REVENUE, N_("partially refunded")),
    "return": (REVENUE, N_("returns and cancellation invoices (negative lines)")),
    "unpaid": (NOT_REVENUE, N_("unpaid")),
    "on_hold": (NOT_REVENUE, N_("on hold")),
    "cancelled": (NOT_REVENUE, N_("cancelled or voided")),
    "closed": (NOT_REVENUE, N_("closed (交易关闭)")),
    "refunded": (NOT_REVENUE, N_("fully refunded")),
    "returned": (NOT_REVENUE, N_("returned to the seller")),
}

# What exports write, lower case with spaces, underscores and hyphens as one space -> status.
_WORDS = {
    "completed": ["completed", "complete", "delivered", "fulfilled", "closed won", "交易成功", "交易完成", "已完成",
                  "订单完成", "完成", "收款确认（服务完成）", "收款确认(服务完成)", "已收货", "买家已签收", "已签收",
                  "shipped delivered to buyer", "trade success", "trade finished"],
    "paid": ["paid", "processing", "approved", "invoiced", "unshipped", "awaiting shipment", "买家已付款，等待卖家发货",
             "买家已付款,等待卖家发货", "买家已付款", "待发货", "待成团", "等待成团", "等待出库", "等待发货",
             "买家已确认，等待卖家发货", "已付款", "wait seller send goods", "已审核", "审核通过"],
    "shipped": ["shipped", "shipping", "partially shipped", "partial", "in transit", "卖家已发货，等待买家确认",
                "卖家已发货,等待买家确认", "卖家已发货，等待买家确认收货并付款", "已发货", "待收货", "等待买家确认",
                "发往配送中心", "等待确认收货", "部分发货", "shipped out for delivery", "shipped picked up",
                "wait buyer confirm goods"],
    "unpaid": ["pending", "pending payment", "unpaid", "authorized", "partially paid", "expired", "on hold", "failed",
               "created", "draft", "checkout draft", "awaiting payment", "等待买家付款", "待付款", "等待付款", "未付款",
               "等待买家确认货到付款订单信息", "pending waiting for pick up", "wait buyer pay"],
    "on_hold": ["已锁定", "锁定", "暂停", "locked", "paused"],
    "cancelled": ["cancelled", "canceled", "voided", "void", "取消", "已取消", "订单取消", "unavailable",
                  "交易被淘宝关闭", "trade canceled", "trade closed by user", "作废", "已作废"],
    "closed": ["交易关闭", "已关闭", "订单关闭", "关闭", "trade closed"],
    "refunded": ["refunded", "fully refunded", "退款成功", "退款成功（全额退款）", "退款成功(全额退款)", "已退款",
                 "全额退款"],
    "partially_refunded": ["partially refunded", "partial refund", "退款成功（部分退款）", "退款成功(部分退款)",
                           "部分退款"],
    "returned": ["returned", "shipped returned to seller", "shipped returning to seller", "shipped rejected by buyer",
                 "已退货", "退货"],
}


def _key(text: str) -> str:
    return " ".join(str(text).strip().lower().replace("_", " ").replace("-", " ").split())


VOCABULARY = {_key(w): code for code, words in _WORDS.items() for w in words}


def status_codes(status: pd.Series) -> pd.Series:
    """Each row's canonical status (:data:`STATUSES`), the stripped text itself where the
    vocabulary does not know it, None where the row has no status."""
    distinct = pd.unique(status.dropna())
    known = {v: VOCABULARY.get(_key(v), str(v).strip()) for v in distinct}
    return status.map(known).astype(object).where(status.notna(), None)


def is_revenue(code) -> bool:
    """Whether lines of a status count as sales (unknown statuses do)."""
    return code is None or STATUSES.get(code, (REVENUE, ""))[0]


def _revenue(status: pd.Series) -> pd.Series:
    """:func:`is_revenue` of each line's status code, once per distinct code."""
    known = {code: bool(is_revenue(code)) for code in status.dropna().unique()}
    return status.map(known).fillna(True).astype(bool) if known else pd.Series(True, index=status.index)


# -- lines --------------------------------------------------------------------------
_CENT = Decimal("0.01")


def _decimal(value) -> Decimal | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    try:
        return Decimal(repr(float(value)))
    except (InvalidOperation, ValueError):
        return None


def line_amounts(unit_price: pd.Series, quantity: pd.Series | None = None,
                 discount: pd.Series | None = None) -> pd.Series:
    """quantity x unit price - |discount| per line, exact in decimal from the values as written
    (their shortest decimal form), rounded half away from zero to the cent; NaN where the unit
    price is missing. An empty quantity counts as one unit."""
    n = len(unit_price)
    q = quantity if quantity is not None else pd.Series(np.nan, index=unit_price.index)
    d = discount if discount is not None else pd.Series(np.nan, index=unit_price.index)
    out = np.full(n, np.nan)
    # Most lines at once, in whole cents: a price and a discount written with at most two
    # decimals (their shortest form is c / 100 for a whole c) and a whole quantity give the
    # same figure as the decimal arithmetic below, without rounding (bounded so that the cents
    # stay below 2**53).
    p_, q_, d_ = (np.asarray(x, dtype="float64") for x in (unit_price, q, d))
    with np.errstate(invalid="ignore", over="ignore"):
        pc, dc = np.round(p_ * 100), np.round(np.abs(d_) * 100)
        units = np.where(np.isnan(q_), 1.0, q_)
        simple = (np.isfinite(p_) & (np.abs(p_) < 1e7) & (pc / 100 == p_)
                  & np.isfinite(units) & (units == np.round(units)) & (np.abs(units) < 1e6)
                  & (np.isnan(d_) | ((np.abs(d_) < 1e7) & (dc / 100 == np.abs(d_)))))
        cents = pc[simple].astype(np.int64) * units[simple].astype(np.int64) \
            - np.nan_to_num(dc[simple]).astype(np.int64)
    out[simple] = cents / 100
    for i in np.flatnonzero(~simple):
        p, qq, dd = p_[i], q_[i], d_[i]
        price = _decimal(p)
        if price is None:
            continue
        count = _decimal(qq)
        off = _decimal(dd)
        line = price * (Decimal(1) if count is None else count) - (abs(off) if off is not None else 0)
        out[i] = float(line.quantize(_CENT, rounding=ROUND_HALF_UP))
    return pd.Series(out, index=unit_price.index)


def preview_amounts(preview: pd.DataFrame, mapping: dict[str, str]) -> pd.Series | None:
    """The amounts :func:`line_amounts` gives the preview's rows (None when the mapping has a line
    total or no unit price), for the app to show before importing."""
    if "amount" in mapping or "unit_price" not in mapping:
        return None

    def number(fld):
        return parse_number(preview[mapping[fld]])[0] if mapping.get(fld) in preview else None

    return line_amounts(number("unit_price"), number("quantity"), number("discount"))


def carry_order_fields(out: dict[str, pd.Series]) -> int:
    """Fill an order's empty order-level cells (:data:`ORDER_FIELDS`) from the first line of
    the order that has them, in place; returns how many cells were filled."""
    order = out.get("order_id")
    if order is None or not order.notna().any():
        return 0
    filled = 0
    has_order = order.notna()
    for fld in ORDER_FIELDS:
        col = out.get(fld)
        if col is None or not (col.isna() & has_order).any():
            continue
        first = col.groupby(order).transform("first")
        take = col.isna() & has_order & first.notna()
        if take.any():
            out[fld] = col.where(~take, first)
            filled += int(take.sum())
    return filled


def money_sum(amounts: pd.Series) -> float:
    """A sum of amounts in whole cents, so that it is the same whatever order it is added in."""
    return round(float(np.round(amounts.to_numpy(dtype="float64") * 100).sum()) / 100, 2)


def cancellation_invoices(order: pd.Series) -> pd.Series:
    """Lines whose invoice number marks a cancellation: ``C`` then digits, in a file whose other
    invoice numbers are digits (an ERP's credit notes, e.g. C536379 beside 536365)."""
    text = order.astype("str")
    c_digits = text.str.fullmatch(CANCELLATION).fillna(False).astype(bool) & order.notna()
    if not c_digits.any():
        return c_digits
    digits = text.str.fullmatch(INVOICE).fillna(False).astype(bool) & order.notna()
    return c_digits if digits.any() else pd.Series(False, index=order.index)


@dataclass
class Settled:
    """Purchase rows sorted into what is written where, with what the summary says."""

    lines: pd.DataFrame  # revenue lines with a customer id (transactions)
    guests: pd.DataFrame  # revenue lines without one (guest_purchases)
    not_revenue: pd.DataFrame  # lines of orders that are not revenue (their orders go to the order list)
    by_status: dict[str, dict] = field(default_factory=dict)  # status -> {lines, value, revenue}
    refund_lines: int = 0


def settle(frame: pd.DataFrame) -> Settled:
    """Sort typed purchase rows: non-revenue statuses out (counted per status), returns made
    negative, refund lines added for refunded amounts, guest lines apart."""
    frame = frame.copy()
    status = status_codes(frame["status"]) if "status" in frame else pd.Series(None, index=frame.index, dtype=object)
    returns = pd.Series(False, index=frame.index)
    if "order_id" in frame:
        returns |= cancellation_invoices(frame["order_id"])
    if "quantity" in frame:
        returns |= frame["quantity"].fillna(0) < 0
    frame.loc[returns, "amount"] = -frame.loc[returns, "amount"].abs()
    status = status.where(~(returns & _revenue(status)), "return")
    revenue = _revenue(status)
    by_status: dict[str, dict] = {}
    for code, rows in frame.groupby(status.fillna("").to_numpy(), sort=False):
        if code == "":
            continue
        by_status[str(code)] = {"lines": int(len(rows)), "value": money_sum(rows["amount"]),
                                "revenue": bool(is_revenue(code))}
    kept = frame[revenue.to_numpy()]
    refunds = _refund_lines(kept, status[revenue.to_numpy()]) if "refunded" in frame else kept.iloc[0:0]
    if len(refunds):
        kept = pd.concat([kept, refunds], ignore_index=True)
    ids = kept["customer_id"] if "customer_id" in kept else pd.Series(None, index=kept.index, dtype=object)
    guest = ids.isna().to_numpy()
    dropped = frame[~revenue.to_numpy()].assign(status=status[~revenue.to_numpy()])
    return Settled(kept[~guest].reset_index(drop=True), kept[guest].reset_index(drop=True),
                   dropped.reset_index(drop=True), by_status, len(refunds))


def _refund_lines(kept: pd.DataFrame, status: pd.Series) -> pd.DataFrame:
    """One negative line per revenue order with a refunded amount (taken once per order)."""
    refunded = kept["refunded"]
    has = refunded.notna() & (refunded != 0)
    if not has.any():
        return kept.iloc[0:0]
    rows = kept[has.to_numpy()]
    key = rows["order_id"] if "order_id" in rows else pd.Series(range(len(rows)), index=rows.index)
    first = rows[~key.duplicated().to_numpy() | key.isna().to_numpy()]
    out = pd.DataFrame({c: first[c] for c in ("order_id", "customer_id", "date", "import_id") if c in first})
    out["amount"] = -first["refunded"].abs().to_numpy()
    out["product"] = None
    return out.reset_index(drop=True)
