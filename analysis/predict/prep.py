"""The per-customer summaries the CLV models are fitted on and scored from: Ibis expressions
on ``tables.transactions`` (so they run on DuckDB or Spark); only per-customer (and per-day)
summaries come back to pandas.

Conventions, as in the BG/NBD and Gamma-Gamma papers:

* A *purchase day* is a customer-day with at least one line of amount >= 0 (a $0 line is
  a purchase, e.g. a free item). Several lines on one day count as one transaction,
  worth the day's net total (a same-day refund reduces it).
* A day with refund lines only (amount < 0) is not a purchase: it counts neither as a
  transaction nor towards recency, and its total is reported in ``refund_total`` rather
  than netted into ``monetary_value``.
* frequency = purchase days - 1 (repeat purchases); recency = first to last purchase day;
  T = first purchase day to the end of the period; both in ``time_unit`` (weeks).
* monetary_value = average net total of the repeat purchase days (the first purchase day
  excluded); 0 for one-time buyers.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
from ibis import _

from analysis.errors import NotEnoughData
from analysis.i18n import t
from analysis.store import to_frame

TIME_UNITS = {"day": 1.0, "week": 7.0}


def _unit_days(time_unit: str) -> float:
    try:
        return TIME_UNITS[time_unit]
    except KeyError:
        raise ValueError(f"time_unit must be one of {sorted(TIME_UNITS)}, not {time_unit!r}") from None


def _as_date(value) -> dt.date:
    return pd.Timestamp(value).date()


def _purchase_days(transactions, end: dt.date, start: dt.date | None = None, after: dt.date | None = None):
    """Ibis: one row per customer-day in the window, with its net total and whether it
    is a purchase day (at least one line with amount >= 0)."""
    t = transactions
    cond = t.date <= end
    if start is not None:
        cond &= t.date >= start
    if after is not None:
        cond &= t.date > after
    return (
        t.filter(cond)
        .group_by(["customer_id", "date"])
        .aggregate(total=_.amount.sum(), sale_lines=(_.amount >= 0).cast("int64").sum())
        .mutate(is_purchase=_.sale_lines > 0)
    )


def _first_purchases(days):
    """Ibis: each customer's first purchase day."""
    return days.filter(_.is_purchase).group_by("customer_id").aggregate(first_date=_.date.min())


def _per_customer(transactions, end: dt.date, start: dt.date | None = None):
    """Ibis: one row per customer with a purchase day in the window: first_date,
    last_date, n_days (purchase days), sales_total, refund_total, first_total (the first
    purchase day's net total)."""
    days = _purchase_days(transactions, end, start)
    per = days.group_by("customer_id").aggregate(
        first_date=_.date.min(where=_.is_purchase),
        last_date=_.date.max(where=_.is_purchase),
        n_days=_.is_purchase.cast("int64").sum(),
        sales_total=_.total.sum(where=_.is_purchase),
        refund_total=_.total.sum(where=~_.is_purchase),
        # one row per day, so the total of the earliest purchase day is the first day's
        first_total=_.total.argmin(_.date, where=_.is_purchase),
    )
    return per.filter(_.n_days > 0)


def summary_table(transactions, end: dt.date):
    """Ibis: :func:`rfm_summary`'s model inputs computed in the engine, one row per
    customer: customer_id, frequency, recency_days, T_days (whole days; the model's weeks
    are days / 7), monetary_value, nonpositive_spend."""
    per = _per_customer(transactions, _as_date(end))
    frequency = per.n_days - 1
    repeat_total = per.sales_total.cast("float64") - per.first_total.cast("float64")
    monetary = ibis.ifelse(frequency > 0, repeat_total / frequency.cast("float64"), 0.0)
    return per.select(
        "customer_id",
        frequency=frequency.cast("int64"),
        recency_days=per.last_date.delta(per.first_date, unit="day").cast("int64"),
        T_days=ibis.literal(_as_date(end)).delta(per.first_date, unit="day").cast("int64"),
        monetary_value=monetary.cast("float64"),
        nonpositive_spend=(frequency > 0) & (monetary <= 0),
    )


def rfm_summary(
    transactions,
    calibration_end: dt.date,
    first_date: dt.date | None = None,
    time_unit: str = "week",
) -> pd.DataFrame:
    """Per-customer frequency / recency / T / monetary value from transactions up to and
    including ``calibration_end`` (and from ``first_date`` on, when given).

    Indexed by customer_id; columns frequency, recency, T, monetary_value, n_days,
    first_purchase, last_purchase, refund_total, nonpositive_spend (a repeat customer whose
    repeat purchase days net to zero or less; such customers cannot enter the Gamma-Gamma
    model). Customers with no purchase day in the window are left out.
    """
    unit = _unit_days(time_unit)
    end = _as_date(calibration_end)
    start = None if first_date is None else _as_date(first_date)
    frame = to_frame(_per_customer(transactions, end, start))

    cols = ["frequency", "recency", "T", "monetary_value", "n_days", "first_purchase",
            "last_purchase", "refund_total", "nonpositive_spend"]
    if frame.empty:
        out = pd.DataFrame(columns=cols)
        out.index.name = "customer_id"
        return out
    first = pd.to_datetime(frame["first_date"])
    last = pd.to_datetime(frame["last_date"])
    end_ts = pd.Timestamp(end)
    n_days = frame["n_days"].astype("int64")
    frequency = n_days - 1
    repeat_total = frame["sales_total"].astype(float) - frame["first_total"].astype(float)
    monetary = (repeat_total / frequency.where(frequency > 0)).fillna(0.0)
    out = pd.DataFrame(
        {
            "frequency": frequency.to_numpy(),
            "recency": ((last - first).dt.days / unit).to_numpy(),
            "T": ((end_ts - first).dt.days / unit).to_numpy(),
            "monetary_value": monetary.to_numpy(float),
            "n_days": n_days.to_numpy(),
            "first_purchase": first.to_numpy(),
            "last_purchase": last.to_numpy(),
            "refund_total": frame["refund_total"].fillna(0.0).astype(float).to_numpy(),
            "nonpositive_spend": ((frequency > 0) & (monetary <= 0)).to_numpy(),
        },
        index=pd.Index(frame["customer_id"].to_numpy(), name="customer_id"),
    )
    return out.sort_index()


def _need_customers(summary: pd.DataFrame, end: dt.date) -> None:
    if summary.empty:
        raise NotEnoughData(t("no purchases on or before {end:%Y-%m-%d}; nothing to model yet", end=end))
