"""The workspace's figures as of a date: what ``python -m analysis report --json`` prints.

The keys are a contract (issues 2, 3, 4): ``as_of, customers, listed_customers,
transactions, revenue`` always; then ``kpis``, ``pareto``, ``pyramid``, ``value_groups``,
``matrix``, ``rfm_segments``, ``clusters`` and ``clv``. A section that the data cannot
support (say, no repeat buyers for the CLV model) is ``null`` and its plain-language reason
is in ``messages[section]``; the rest of the report is still produced.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from analysis.errors import NotEnoughData
from analysis.features import DEFAULT_WINDOW_MONTHS, customer_universe, purchases, resolve_as_of
from analysis.store import Tables


@dataclasses.dataclass(frozen=True)
class ReportSettings:
    """Settings shared by the report, the pages and the CLI."""

    window_months: int = DEFAULT_WINDOW_MONTHS
    margin: float = 0.30
    k: int | None = None
    holdout: dt.date | None = None
    horizon_months: int = 12
    annual_discount: float = 0.10

    @classmethod
    def from_args(cls, args) -> "ReportSettings":
        values: dict[str, Any] = {"window_months": args.window_months, "k": args.k}
        if args.margin is not None:
            values["margin"] = args.margin
        if args.holdout:
            values["holdout"] = dt.date.fromisoformat(args.holdout)
        return cls(**values)


def basic_counts(tables: Tables, as_of: dt.date) -> dict[str, Any]:
    """Counts over purchases on or before ``as_of``."""
    bought = purchases(tables, as_of)
    stats = bought.aggregate(transactions=bought.count(), revenue=bought.amount.sum()).to_pandas().iloc[0]
    return {
        "as_of": as_of.isoformat(),
        "customers": int(customer_universe(tables, as_of).count().to_pyarrow().as_py()),
        "listed_customers": int(tables.customers.count().to_pyarrow().as_py()),
        "transactions": int(stats["transactions"]),
        "revenue": round(float(stats["revenue"] or 0.0), 2),
    }


def build_report(tables: Tables, as_of: Any = None, settings: ReportSettings = ReportSettings()) -> dict[str, Any]:
    as_of = resolve_as_of(tables, as_of)
    report = basic_counts(tables, as_of)
    messages: dict[str, str] = {}
    for name, section in SECTIONS:
        try:
            report.update(section(tables, as_of, settings, report))
        except NotEnoughData as exc:
            report[name] = None
            messages[name] = str(exc)
    report["messages"] = messages
    return report


# (name, fn(tables, as_of, settings, report_so_far) -> dict of keys); filled as sections land.
SECTIONS: list[tuple[str, Any]] = []
