"""The workspace's figures as of a date: what ``python -m analysis report --json`` prints.

The keys are a contract (issues 2, 3, 4): ``as_of, customers, listed_customers,
transactions, revenue`` always, ``currency`` (the ISO code the amounts are in, null when
unknown); then ``kpis``, ``pareto``, ``pyramid``, ``value_groups``,
``matrix``, ``rfm_segments``, ``clusters``, ``clv`` and ``wallet`` (:mod:`analysis.differentiate.headroom`). A section that the data cannot
support (say, no repeat buyers for the CLV model) is ``null`` and its plain-language reason
is in ``messages[section]``; the rest of the report is still produced.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from analysis.i18n import t
from analysis.identify.facts import customer_universe, purchases, resolve_as_of
from analysis.money import code_of_symbol
from analysis.settings import ReportSettings
from analysis.store import Tables, to_frame


def basic_counts(tables: Tables, as_of: dt.date) -> dict[str, Any]:
    """Counts over purchases on or before ``as_of``."""
    bought = purchases(tables, as_of)
    stats = to_frame(bought.aggregate(transactions=bought.count(), revenue=bought.amount.sum())).iloc[0]
    return {
        "as_of": as_of.isoformat(),
        "customers": int(customer_universe(tables, as_of).count().to_pyarrow().as_py()),
        "listed_customers": int(tables.customers.count().to_pyarrow().as_py()),
        "transactions": int(stats["transactions"]),
        "revenue": 0.0 if pd.isna(stats["revenue"]) else round(float(stats["revenue"]), 2),  # no purchase: 0, not null
    }


def build_report(tables: Tables, as_of: Any = None, settings: ReportSettings = ReportSettings(),
                 progress=None) -> dict[str, Any]:
    """Every key of ``report --json``. Sections the data cannot support are null, with the
    reason in ``messages``. ``progress(stage, done)`` hears each stage as it begins
    (:mod:`analysis.progress`)."""
    from analysis.progress import silent
    from analysis.differentiate import segments
    from analysis.identify import overview
    from analysis.differentiate.clusters import cluster_report
    from analysis.differentiate import headroom
    from analysis.predict.clv_data import clv_report, potential_table, score_table
    from analysis.identify import cohorts
    from analysis.predict.fit import fit_workspace_clv
    from analysis.scores import attempt

    tell = progress or silent
    tell(t("Counting customers, purchases and revenue"), 0.0)
    as_of = resolve_as_of(tables, as_of)
    tables = tables.pinned()  # the per-customer facts are computed once for every section
    report = basic_counts(tables, as_of)
    report["currency"] = code_of_symbol(settings.currency)  # ISO 4217, None when unknown
    messages: dict[str, str] = {}
    report["kpis"] = attempt(messages, "kpis", lambda: overview.kpis(tables, as_of, settings.window_months))
    # The CLV models are fitted once: their window outlook is the MCC potential, and the
    # same fit gives the clv section.
    tell(t("Fitting the purchase and spend models (lifetime value)"), 0.10)
    clv_fit = attempt(messages, "clv", lambda: fit_workspace_clv(tables.transactions, as_of, settings.clv_model,
                                                                       settings.local_rows))
    # every customer's potential stays in the engine; scored once, and again for the clv
    # section only when its horizon is not the window's
    scored = None if clv_fit is None else score_table(clv_fit, settings.window_months, settings.margin,
                                                      settings.annual_discount)
    potential = None if scored is None else potential_table(
        clv_fit, settings.window_months, settings.margin, settings.annual_discount, scored=scored)
    tell(t("Estimating wallets"), 0.35)
    wallets = attempt(messages, "wallet", lambda: headroom.customer_wallets(tables, as_of, settings.local_rows))
    tell(t("Per-customer facts, tiers, matrix cells and RFM segments"), 0.50)
    report.update(segments.report_section(tables, as_of, settings.segments, potential,
                                          None if wallets is None else headroom.estimated(wallets)))
    tell(t("Finding clusters and personas"), 0.65)
    report["clusters"] = attempt(messages, "clusters", lambda: cluster_report(
        tables, as_of, settings.k, settings.window_months, max_local=settings.local_rows))
    tell(t("Lifetime value section and its checks"), 0.85)
    report["clv"] = None if clv_fit is None else attempt(messages, "clv", lambda: clv_report(
        tables.transactions, as_of, horizon_months=settings.horizon_months, margin=settings.margin,
        annual_discount=settings.annual_discount, holdout_date=settings.holdout, fitted=clv_fit,
        scored=scored if settings.horizon_months == settings.window_months else None))
    if report["clv"] is not None and settings.holdout is not None:  # calibrated churn (issue 17)
        from analysis.predict.fit import churn_on_split
        report["clv"]["holdout"]["churn"] = churn_on_split(
            tables.transactions, settings.holdout, as_of, report["clv"]["model"]).as_dict()
    report["wallet"] = None if wallets is None else headroom.wallet_section(wallets)
    tell(t("Cohorts"), 0.95)
    report.update(attempt(messages, "cohorts", lambda: cohorts.report_section(tables, as_of))
                  or {"cohorts": None, "cohort_average": None})
    report["messages"] = messages
    tell(t("Report ready"), 1.0)
    return report
