"""The CLV models on a workspace's purchases: one fit (:func:`fit_clv`), one way of scoring
every customer (:func:`score_table`), and the JSON summary (:func:`clv_report`).

Scoring is an Ibis expression over the per-customer summary the fit keeps (its ``table``), so it
runs where the data lives, on DuckDB or Spark, at any size: the purchase model's figures depend
on a customer's history (frequency, recency, T) alone and are computed once per distinct
history, then joined back; the spend model's conditional expectation is a closed form, written
as an expression. The per-customer summary is :mod:`.prep`, the holdout check :mod:`.holdout`,
the sentences :mod:`.notes`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import ibis
import numpy as np
import pandas as pd
from ibis import _

from analysis.i18n import t
from analysis.identify.facts import hash_sample, local_limit
from analysis.predict.bgnbd import BetaGeoModel
from analysis.predict.choose import ModelChoice, candidate_rows, fit_purchase_model, p_alive
from analysis.predict.clv import DAYS_PER_MONTH, discounted_expected_purchases
from analysis.predict.gamma_gamma import GammaGammaModel
from analysis.predict.holdout import holdout_validation
from analysis.predict.notes import clv_notes
from analysis.predict.prep import TIME_UNITS, _as_date, _need_customers, summary_table
from analysis.store import materialize, to_frame

HISTORY = ["frequency", "recency_days", "T_days"]


@dataclass
class CLVFit:
    """The purchase (BG/NBD or a rival, :mod:`analysis.predict.choose`) and spend (Gamma-Gamma)
    models fitted on the purchases up to ``as_of``. Fitting is the slow part; scoring at any
    horizon, margin or discount reuses one fit (:func:`score_table`, :func:`score_clv`).

    ``table`` is the per-customer :func:`analysis.predict.prep.summary_table` the models were
    fitted on, kept where it was computed (in memory for DuckDB, cached in Spark), and what
    every score reads. A fit made in the engine (more customers than the local limit, see
    :func:`fit_clv`) also has ``histories``: the distinct (frequency, recency_days, T_days)
    with their ``customers``, on which its purchase model was fitted.

    A fit holds no memo: scoring leaves it as it was, so a fit shared between callers (the
    app keeps one per data version, ``ui/cached/scoring.py``) gives each the same scores."""

    as_of: dt.date
    bg: BetaGeoModel
    gg: GammaGammaModel
    table: Any = field(repr=False)
    time_unit: str = "week"
    histories: pd.DataFrame | None = field(default=None, repr=False)
    model: str = "bgnbd"  # the purchase model in ``bg``: "bgnbd", or "nbd" when nobody looks lapsed
    note: str | None = None  # untranslated sentence saying why (analysis.predict.choose)
    selection: Any = field(default=None, repr=False)  # how ``model`` was chosen (analysis.predict.fit)

    @property
    def in_engine(self) -> bool:
        """Whether the purchase model was fitted on distinct histories in the engine."""
        return self.histories is not None


def fit_clv(transactions, as_of: dt.date, max_local: int | None = None, purchase_model: str = "bgnbd") -> CLVFit:
    """Fit both models on purchases up to and including ``as_of`` (weeks).

    The purchase model is fitted on every customer's own (frequency, recency, T) up to
    ``max_local`` customers (default :data:`analysis.identify.facts.LOCAL_ROWS`). Above it,
    on the distinct histories with their customer counts, aggregated in the engine. This is
    exact, not a sample: the likelihood of identical histories is the same, so the weighted
    fit is the fit on every customer (it is what the fitter does internally anyway), and
    whole days make the distinct histories few (at most one per first and last purchase day
    and count), far fewer than customers; only the order of the sums differs, in the last
    digits.

    Gamma-Gamma is fitted on the repeat customers with a positive spend, up to ``max_local``
    of them; above, on a fixed hash sample (:func:`analysis.identify.facts.hash_sample`) of
    about ``max_local``: its likelihood has a term in each customer's own average spend, a
    continuous value, so there is no small exact summary; three parameters from 200,000
    customers have a standard error well below a percent.
    """
    end = _as_date(as_of)
    table = materialize(summary_table(transactions, end))  # read by the fit and by every score
    n = _count(table)
    if n == 0:
        _need_customers(pd.DataFrame(), end)
    limit = local_limit(max_local)
    unit = TIME_UNITS["week"]
    if n <= limit:  # every customer's own row
        rows, histories = to_frame(table.select("customer_id", *HISTORY).order_by("customer_id")), None
        weights = None
    else:
        rows = histories = to_frame(table.group_by(HISTORY).aggregate(customers=_.count()).order_by(HISTORY))
        weights = histories["customers"].to_numpy(float)
    key, bg, note = fit_purchase_model(rows["frequency"].to_numpy(float), rows["recency_days"].to_numpy(float) / unit,
                                       rows["T_days"].to_numpy(float) / unit, weights=weights,
                                       model=purchase_model)  # NBD when nobody looks lapsed
    spenders = table.filter((_.frequency > 0) & (_.monetary_value > 0))
    n_spenders = _count(spenders)
    spend = to_frame(hash_sample(spenders, n_spenders, limit).select("customer_id", "frequency", "monetary_value")
                     .order_by("customer_id"))
    gg = GammaGammaModel().fit(spend["frequency"].to_numpy(float), spend["monetary_value"].to_numpy(float))
    return CLVFit(as_of=end, bg=bg, gg=gg, table=table, histories=histories, model=key, note=note)


def _count(table) -> int:
    return int(to_frame(table.aggregate(n=_.count()))["n"].iloc[0])


def score_table(fit: CLVFit, horizon_months: int = 12, margin: float = 0.3, annual_discount: float = 0.10):
    """Ibis: every customer's customer_id, frequency, recency_days, T_days, monetary_value,
    nonpositive_spend, p_alive, expected_purchases (in the horizon), expected_spend, clv
    (see :func:`analysis.predict.clv.clv`) and ``next_days`` (days from ``as_of`` until
    another purchase is an even bet; NaN beyond the horizon), computed where the data lives.
    Customers without a positive repeat spend get the average customer's spend."""
    rows = fit.table.view()
    histories = to_frame(rows.select(*HISTORY).distinct().order_by(HISTORY))
    joined = rows.join(ibis.memtable(_history_scores(fit, histories, horizon_months, annual_discount)), HISTORY)
    p, q, g = (float(fit.gg.params_[k]) for k in ("p", "q", "gamma"))
    xf = joined.frequency.cast("float64")
    own = (g + joined.monetary_value * xf) * p / (p * xf + q - 1.0)  # E[M | x, m], GammaGammaModel
    spend = ibis.ifelse((joined.frequency > 0) & (joined.monetary_value > 0), own, float(fit.gg.mean_spend()))
    return joined.select(
        "customer_id", *HISTORY, "monetary_value", "nonpositive_spend", "p_alive", "expected_purchases",
        expected_spend=spend, clv=margin * spend * joined._dep, next_days=joined._next_days,
    )


def _history_scores(fit: CLVFit, h: pd.DataFrame, horizon_months: int, annual_discount: float) -> pd.DataFrame:
    """The purchase model's figures per distinct history ``h`` (frequency, recency_days, T_days)."""
    unit = TIME_UNITS[fit.time_unit]
    x, t_x, T = h["frequency"].to_numpy(float), h["recency_days"].to_numpy(float) / unit, h["T_days"].to_numpy(float) / unit
    horizon = horizon_months * DAYS_PER_MONTH / unit
    wait = fit.bg.time_to_next_purchase(x, t_x, T)
    return pd.DataFrame({
        "frequency": h["frequency"].to_numpy("int64"),
        "recency_days": h["recency_days"].to_numpy("int64"),
        "T_days": h["T_days"].to_numpy("int64"),
        "p_alive": p_alive(fit.bg, x, t_x, T),
        "expected_purchases": fit.bg.conditional_expected_purchases(horizon, x, t_x, T),
        "_dep": discounted_expected_purchases(fit.bg, x, t_x, T, horizon_months, annual_discount, unit),
        "_next_days": np.where(wait <= horizon, wait * unit, np.nan),
    })


def potential_table(fit: CLVFit, horizon_months: int, margin: float, annual_discount: float, scored=None):
    """Ibis (customer_id, potential): expected revenue in the horizon, expected purchases x
    expected spend (the MCC potential). ``scored``: :func:`score_table` of ``fit`` at these
    settings, when the caller has it already (the report shares one with :func:`clv_report`)."""
    if scored is None:
        scored = score_table(fit, horizon_months, margin, annual_discount)
    return scored.select("customer_id", potential=scored.expected_purchases * scored.expected_spend)


def score_clv(fit: CLVFit, horizon_months: int = 12, margin: float = 0.3, annual_discount: float = 0.10,
              notes: bool = True) -> pd.DataFrame:
    """Every customer's outlook (:func:`score_table`) brought back, by customer id: columns
    customer_id, frequency, recency, T (weeks), monetary_value, nonpositive_spend, p_alive,
    expected_purchases, expected_next_purchase (the date by which another purchase is an even
    bet; NaT when that is beyond the horizon or the customer has more likely lapsed),
    expected_spend, clv and, unless ``notes=False`` (the slow part when only numbers are
    needed), a plain-language ``note``."""
    unit = TIME_UNITS[fit.time_unit]
    scored = to_frame(score_table(fit, horizon_months, margin, annual_discount).order_by("customer_id"))
    next_date = pd.Timestamp(fit.as_of) + pd.to_timedelta(np.ceil(scored["next_days"].to_numpy(float)), unit="D")
    out = pd.DataFrame({
        "customer_id": scored["customer_id"].to_numpy(),
        "frequency": scored["frequency"].to_numpy("int64"),
        "recency": scored["recency_days"].to_numpy(float) / unit,
        "T": scored["T_days"].to_numpy(float) / unit,
        "monetary_value": scored["monetary_value"].to_numpy(float),
        "nonpositive_spend": scored["nonpositive_spend"].to_numpy(bool),
        "p_alive": scored["p_alive"].to_numpy(float),
        "expected_purchases": scored["expected_purchases"].to_numpy(float),
        "expected_next_purchase": next_date,
        "expected_spend": scored["expected_spend"].to_numpy(float),
        "clv": scored["clv"].to_numpy(float),
    })
    if notes:
        out["note"] = clv_notes(out, horizon_months, fit.time_unit)
    return out


def fits_locally(transactions, as_of: dt.date, max_local: int | None = None) -> bool:
    """Whether :func:`fit_clv` on these purchases fits the purchase model on every customer's
    own row (at most ``max_local`` customers, default
    :data:`analysis.identify.facts.LOCAL_ROWS`): the fit the app keeps between reads."""
    return _count(summary_table(transactions, _as_date(as_of))) <= local_limit(max_local)


def customer_clv(transactions, as_of: dt.date, **scoring: Any) -> pd.DataFrame:
    """:func:`score_clv` of the models fitted on purchases up to ``as_of`` (``scoring``: its
    horizon_months, margin, annual_discount and notes)."""
    return score_clv(fit_clv(transactions, as_of), **scoring)


def clv_report(
    transactions,
    as_of: dt.date,
    horizon_months: int = 12,
    margin: float = 0.3,
    annual_discount: float = 0.10,
    holdout_date: dt.date | None = None,
    fitted: CLVFit | None = None,
    scored: Any = None,
) -> dict[str, Any]:
    """A JSON-ready summary: fitted parameters, customer counts, CLV totals and, when
    ``holdout_date`` is given, a holdout check (calibration up to ``holdout_date``,
    holdout from then to ``as_of``). ``fitted`` (from :func:`fit_clv` at the same
    ``as_of``) reuses models already fitted, as :func:`analysis.report.build_report` does;
    ``scored``, its :func:`score_table` at these horizon, margin and discount, reuses the
    scores too (each history's figures are worked out once per report)."""
    end = _as_date(as_of)
    fit = fitted if fitted is not None else fit_clv(transactions, end)
    if fit.as_of != end:
        raise ValueError(f"the CLV fit is as of {fit.as_of}, not {end}")
    if scored is None:
        scored = score_table(fit, horizon_months, margin, annual_discount)
    totals = clv_totals(scored)
    report = summary_report(fit_figures(fit), totals, horizon_months, margin, annual_discount)
    if holdout_date is not None:
        report["holdout"] = holdout_validation(transactions, holdout_date, end, model=type(fit.bg)()).to_dict()
    return report


def fit_figures(fit: CLVFit) -> dict[str, Any]:
    """What :func:`clv_report` reads from a fit, in plain JSON types and without words (the
    NBD note is kept untranslated): stored with the scores (:mod:`analysis.scores`), so that
    a later process writes the summary without fitting the models again."""
    bg, gg = fit.bg, fit.gg
    return {
        "as_of": fit.as_of.isoformat(),
        "model": fit.model,
        "model_params": {k: float(v) for k, v in bg.params_.items()},
        "model_loglik": float(bg.loglik_),
        "has_dropout": bool(bg.has_dropout),
        "note": fit.note,
        "candidates": candidate_rows(fit.selection, fit.model, bg),
        "selection": (fit.selection or ModelChoice("bgnbd")).report(),
        "gamma_gamma": {k: float(v) for k, v in gg.params_.items()},
        "mean_spend": float(gg.mean_spend()),
    }


def clv_totals(scored) -> pd.Series:
    """n_customers, n_repeat, n_nonpositive, total_clv and mean_clv of an Ibis table of
    scored customers (columns frequency, nonpositive_spend, clv: :func:`score_table`'s, or
    the stored scores' renamed). Summed as decimals: a parallel float sum differs from run
    to run."""
    exact = _.clv.cast("decimal(38,6)")
    return to_frame(scored.aggregate(
        n_customers=_.count(), n_repeat=(_.frequency > 0).cast("int64").sum(),
        n_nonpositive=_.nonpositive_spend.cast("int64").sum(),
        total_clv=exact.sum(), mean_clv=exact.mean(),
    )).iloc[0]


def summary_report(figures: dict[str, Any], totals: pd.Series, horizon_months: int, margin: float,
                   annual_discount: float) -> dict[str, Any]:
    """:func:`clv_report`'s summary from a fit's :func:`fit_figures` and :func:`clv_totals`
    (without the holdout check), its notes in the current language."""
    n_one_time = int(totals["n_customers"]) - int(totals["n_repeat"])
    n_nonpositive = int(totals["n_nonpositive"])
    bgnbd = figures["model"] == "bgnbd"
    return {
        "time_unit": "week",
        "as_of": figures["as_of"],
        "horizon_months": int(horizon_months),
        "margin": float(margin),
        "annual_discount": float(annual_discount),
        "bgnbd": dict(figures["model_params"]) if bgnbd else None,
        "bgnbd_loglik": figures["model_loglik"] if bgnbd else None,
        "model": figures["model"],
        "model_params": dict(figures["model_params"]),
        "model_loglik": figures["model_loglik"],
        "note": None if figures["note"] is None else t(figures["note"]),
        "candidates": [dict(row) for row in figures["candidates"]],
        "selection": dict(figures["selection"]),
        "gamma_gamma": dict(figures["gamma_gamma"]),
        "n_customers": int(totals["n_customers"]),
        "n_repeat": int(totals["n_repeat"]),
        "n_one_time": n_one_time,
        "n_nonpositive_spend": n_nonpositive,
        "mean_spend": figures["mean_spend"],
        "total_clv": round(float(totals["total_clv"]), 2),
        "mean_clv": round(float(totals["mean_clv"]), 2),
        "notes": [
            t("{n} customers bought only once: they get the average customer's spend "
              "per purchase and P(alive) = 100% by construction.", n=n_one_time) if figures["has_dropout"] else
            t("{n} customers bought only once: they get the average customer's spend per purchase.", n=n_one_time),
            t("{n} repeat customers whose repeat purchases net to zero or less "
              "(refunds, free items) were left out of the spend model and get the average "
              "customer's spend per purchase.", n=n_nonpositive),
        ],
    }


# -- entry points on a workspace's Tables (what the app and the report call) --------------
