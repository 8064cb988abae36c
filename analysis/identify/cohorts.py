"""Cohorts by first-purchase month (Identify): the retention triangle, revenue per cohort and the
average retention curve.

A customer's cohort is the calendar month of their first purchase (a line with a positive
amount) on or before the as-of date. For month offset m = 0, 1, 2, ..., the retention of a cohort
is the share of its customers with a purchase (a positive line) in the calendar month m months
after the cohort's month; offset 0 is 100% by definition. Refunds never make a customer
"retained", but they do count in the cohort's net revenue.

Decision (the issue is silent): a cell exists only when its calendar month is complete at the
as-of date (its last day is on or before it); the as-of date's own month counts when the as-of
date is its last day. A partial month would read as a fall in retention that is only the calendar.
Cohorts whose first month is not complete yet are listed with their size and revenue and no
retention beyond offset 0. The average curve weights each cohort by its size, over the cohorts
observed at that offset (sum of retained customers / sum of cohort sizes), the usual "blended"
curve of cohort analysis (e.g. Fader & Hardie, "Exploring the Distribution of Customer
Lifetime Value", 2011 — cohort survival as the share of the starting cohort still buying).

Everything up to the small cohort x offset table is an Ibis expression over the workspace's
tables, so the same code runs on DuckDB and on Spark; only that table (at most a few thousand
cells) comes to pandas, and the app keeps it in the workspace (:func:`stored_cohorts`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import ibis
import pandas as pd

from analysis.errors import NotEnoughData
from analysis.identify.facts import purchases, resolve_as_of, to_date
from analysis.i18n import N_
from analysis.store import Tables, to_frame

NO_PURCHASES = N_("No purchases yet: import transactions to see cohorts.")


@dataclass(frozen=True)
class Cohorts:
    """The cohorts of a workspace at an as-of date.

    ``table``: one row per cohort month (oldest first) with ``cohort_month`` ("2025-01"),
    ``customers``, ``revenue`` (net, every line of its customers up to the as-of date),
    ``revenue_per_customer`` and one column per month offset 0..n holding the retention share
    (NaN where the month is not complete yet). ``counts``: the same shape with the number of
    retained customers. ``average``: the size-weighted retention per offset."""

    as_of: dt.date
    table: pd.DataFrame
    counts: pd.DataFrame
    average: pd.Series

    @property
    def offsets(self) -> list[int]:
        return [int(c) for c in self.average.index]

    @property
    def offsets_with_data(self) -> list[int]:
        """The offsets from month 0 to the last one in which any cohort's customer bought: the
        months a chart's axis spans. Months after it (an as-of date past the last purchase)
        hold only zeros and are left off the charts; the table keeps them."""
        bought = [o for o in self.offsets if self.counts[o].fillna(0).gt(0).any()]
        return list(range(0, max(bought, default=0) + 1))


def _month_number(column):
    """Months since year 0 of a date column: offsets are differences of these."""
    return column.year().cast("int64") * 12 + column.month().cast("int64") - 1


def _last_complete_month(as_of: dt.date) -> int:
    """The month number of the last calendar month complete at ``as_of``."""
    number = as_of.year * 12 + as_of.month - 1
    next_day = as_of + dt.timedelta(days=1)
    return number if next_day.month != as_of.month else number - 1


def _month_text(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def cohort_table(tables: Tables, as_of: Any = None):
    """Ibis: (cohort, offset, retained, customers, revenue), one row per cell with a buyer:
    ``cohort`` a month number, ``retained`` the customers of that cohort buying (a positive
    line) in that offset month, ``customers`` and ``revenue`` (net) the cohort's size and
    revenue. The purchase lines are grouped once, by customer and month; the cohorts and the
    cells are read from that (every cohort has its month-0 cell, so each cohort is there)."""
    as_of = resolve_as_of(tables, as_of)
    p = purchases(tables, as_of)
    months = p.mutate(month=_month_number(p.date)).group_by(["customer_id", "month"]).aggregate(
        bought=(p.amount > 0).any(), revenue=p.amount.sum())
    bought = months.filter(months.bought)
    first = bought.group_by("customer_id").aggregate(cohort=bought.month.min())
    spent = months.group_by("customer_id").aggregate(revenue=months.revenue.sum())
    per = first.join(spent, "customer_id")
    sizes = per.group_by("cohort").aggregate(customers=per.customer_id.count(), revenue=per.revenue.sum())
    joined = bought.join(first, "customer_id")
    cells = joined.mutate(offset=joined.month - joined.cohort).group_by(["cohort", "offset"]).aggregate(
        retained=joined.customer_id.count())
    return cells.join(sizes, "cohort").select("cohort", "offset", "retained", "customers", "revenue")


def cohorts(tables: Tables, as_of: Any = None) -> Cohorts:
    """The retention triangle, revenue per cohort and average curve (see the module docstring).
    Raises NotEnoughData when nobody has bought by the as-of date."""
    as_of = resolve_as_of(tables, as_of)
    return from_cells(as_of, to_frame(cohort_table(tables, as_of)))


#: stored cohorts: the kind of result, and its format (a change computes older ones again)
KIND, FORMAT = "cohorts", 1


def stored_cohorts(ws, as_of: Any = None) -> Cohorts:
    """:func:`cohorts` of the workspace ``ws``, its cells kept in it (a small result of kind
    ``cohorts``, keyed by the purchases and the as-of date: contacts do not change cohorts), so
    a later process reads a few hundred cells instead of grouping every purchase line again.
    Nothing is stored on a workspace open read-only."""
    with ws.reading():
        as_of = to_date(as_of) if as_of is not None else resolve_as_of(ws.tables())
        key = ws.result_key(KIND, format=FORMAT, as_of=as_of.isoformat(),
                            purchases=ws.version_at(as_of)["purchases"])
        frames, _ = ws.stored_result(KIND, key, lambda: ({"cells": to_frame(cohort_table(ws.tables(), as_of))}, {}))
    return from_cells(as_of, frames["cells"])


def from_cells(as_of: dt.date, cells: pd.DataFrame) -> Cohorts:
    """The :class:`Cohorts` of :func:`cohort_table`'s rows."""
    if cells.empty:
        raise NotEnoughData(NO_PURCHASES)
    sizes = (cells.drop_duplicates("cohort")[["cohort", "customers", "revenue"]]
             .sort_values("cohort").reset_index(drop=True))
    last = _last_complete_month(as_of)
    first_cohort = int(sizes["cohort"].min())
    offsets = list(range(0, max(0, last - first_cohort) + 1)) or [0]
    counts = (cells.pivot_table(index="cohort", columns="offset", values="retained", aggfunc="sum")
              .reindex(index=sizes["cohort"], columns=offsets).fillna(0).astype("int64"))
    observed = pd.DataFrame({o: (sizes["cohort"] + o <= last).to_numpy() for o in offsets}, index=sizes["cohort"])
    observed[0] = True  # everyone in a cohort bought in its first month, whether complete or not
    share = counts.div(sizes.set_index("cohort")["customers"], axis=0).where(observed)
    counted = counts.where(observed)
    weights = sizes.set_index("cohort")["customers"]
    average = pd.Series({o: float(counted[o].sum() / weights[observed[o]].sum()) for o in offsets if observed[o].any()},
                        dtype="float64")
    revenue = sizes["revenue"].astype("float64").round(2)
    table = pd.DataFrame({
        "cohort_month": [_month_text(int(c)) for c in sizes["cohort"]],
        "customers": sizes["customers"].astype("int64").to_numpy(),
        "revenue": revenue.to_numpy(),
        "revenue_per_customer": (revenue / sizes["customers"]).round(2).to_numpy(),
    })
    retention = share.reset_index(drop=True)
    retention.columns = [int(c) for c in retention.columns]
    counted = counted.reset_index(drop=True)
    counted.columns = retention.columns
    return Cohorts(as_of=as_of, table=pd.concat([table, retention], axis=1),
                   counts=pd.concat([table[["cohort_month", "customers"]], counted], axis=1), average=average)


def report_section(tables: Tables, as_of: Any = None) -> dict:
    """``report --json``'s ``cohorts`` and ``cohort_average``. ``cohorts``: one row per cohort
    month, oldest first:
    ``{"cohort_month", "customers", "revenue", "retention": [share at offset 0, 1, ...]}`` with
    only the offsets complete at the as-of date (so rows shorten towards recent cohorts), shares
    rounded to 6 decimals. ``cohort_average``: the size-weighted retention per month offset
    (index = offset), rounded the same way."""
    c = cohorts(tables, as_of)
    rows = []
    for _, row in c.table.iterrows():
        shares = [row[o] for o in c.offsets if pd.notna(row[o])]
        rows.append({"cohort_month": row["cohort_month"], "customers": int(row["customers"]),
                     "revenue": float(row["revenue"]), "retention": [round(float(s), 6) for s in shares]})
    return {"cohorts": rows, "cohort_average": [round(float(v), 6) for v in c.average]}


def cell_key(cohort_month: str, offset: int) -> str:
    """The key of one cell of the triangle, "2025-01/3": what a click on it sends back."""
    return f"{cohort_month}/{int(offset)}"


def cells_shown(c: Cohorts) -> list[str]:
    """The keys of every cell with a share (complete months), newest cohort first."""
    return [cell_key(m, o) for i, m in reversed(list(enumerate(c.table["cohort_month"])))
            for o in c.offsets if pd.notna(c.table.at[i, o])]


def cell_customers(tables: Tables, as_of: Any = None, cohort_month: str = "", offset: int = 0) -> list[str]:
    """Ids of the customers of cohort ``cohort_month`` ("2025-01") who bought in its month
    ``offset``: the customers behind one cell of the triangle (as many as its count)."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(cohort_month)):
        raise ValueError(f"cohort_month must look like 2025-01, not {cohort_month!r}")
    as_of = resolve_as_of(tables, as_of)
    year, month = (int(x) for x in cohort_month.split("-"))
    cohort = year * 12 + month - 1
    p = purchases(tables, as_of)
    bought = p.filter(p.amount > 0).mutate(month=_month_number(p.date))
    first = bought.group_by("customer_id").aggregate(cohort=bought.month.min())
    members = first.filter(first.cohort == ibis.literal(cohort))
    then = bought.filter(bought.month == ibis.literal(cohort + int(offset))).select("customer_id").distinct()
    ids = then.join(members, "customer_id").select("customer_id")
    return sorted(to_frame(ids)["customer_id"].astype(str))
