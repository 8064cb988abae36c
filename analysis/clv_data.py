"""Data preparation and validation for the CLV models in :mod:`analysis.clv`.

The per-customer aggregation runs as Ibis expressions on ``tables.transactions`` (so it
runs on DuckDB or Spark); only per-customer (and per-day) summaries come back to pandas.

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
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import ibis
import pandas as pd
from ibis import _

from analysis.clv import DAYS_PER_MONTH, BetaGeoModel, GammaGammaModel, discounted_expected_purchases
from analysis.errors import NotEnoughData
from analysis.features import hash_sample, local_limit
from analysis.i18n import t, tn
from analysis.predict.choose import ModelChoice, candidate_rows, fit_purchase_model, fit_with_fallback, p_alive
from analysis.store import materialize, to_frame

TIME_UNITS = {"day": 1.0, "week": 7.0}
FREQUENCY_GROUPS = 7  # conditional-expectation table: 0, 1, ..., 6, "7+"


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


# --------------------------------------------------------------------------------------
# Holdout validation
# --------------------------------------------------------------------------------------
BASELINE_DESCRIPTION = (
    "naive baseline: each customer keeps buying at their calibration repeat rate "
    "(repeat purchases / weeks since first purchase) for the whole holdout period"
)


@dataclass
class HoldoutResult:
    """How well the purchase model, fitted on the calibration period, predicts the holdout.

    ``tracking``: one row per week: week, week_end, period, actual, predicted (repeat
    purchases of the calibration customers), actual_cumulative, predicted_cumulative.
    ``conditional``: per calibration frequency (0..6, "7+"): customers, actual, predicted,
    baseline (mean holdout purchases per customer).
    ``errors``: {"model": {"mae", "rmse"}, "baseline": {"mae", "rmse"}, totals}.
    """

    calibration_end: dt.date
    holdout_end: dt.date
    time_unit: str
    holdout_length: float
    params: dict[str, float]
    loglik: float
    n_customers: int
    n_repeat: int
    tracking: pd.DataFrame
    conditional: pd.DataFrame
    errors: dict[str, Any]
    baseline: str = BASELINE_DESCRIPTION
    model: BetaGeoModel | None = field(default=None, repr=False)

    @property
    def model_beats_baseline(self) -> bool:
        m, b = self.errors["model"], self.errors["baseline"]
        return m["mae"] < b["mae"] and m["rmse"] < b["rmse"]

    def to_dict(self) -> dict[str, Any]:
        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            rows = []
            for row in frame.to_dict(orient="records"):
                rows.append({k: _jsonable(v) for k, v in row.items()})
            return rows

        return {
            "calibration_end": self.calibration_end.isoformat(),
            "holdout_end": self.holdout_end.isoformat(),
            "time_unit": self.time_unit,
            "holdout_length": float(self.holdout_length),
            "params": {k: float(v) for k, v in self.params.items()},
            "loglik": float(self.loglik),
            "n_customers": int(self.n_customers),
            "n_repeat": int(self.n_repeat),
            "baseline": self.baseline,
            "errors": _jsonable(self.errors),
            "model_beats_baseline": bool(self.model_beats_baseline),
            "tracking": records(self.tracking),
            "conditional": records(self.conditional),
        }


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.isoformat()[:10]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _tracking_table(transactions, cal: pd.DataFrame, model: BetaGeoModel, cal_end, holdout_end, start, unit):
    """Weekly actual vs predicted repeat purchases of the calibration customers (weeks
    from the earliest first purchase; one week ends exactly at the calibration end)."""
    days = _purchase_days(transactions, holdout_end, start)
    firsts = _first_purchases(_purchase_days(transactions, cal_end, start))
    repeats = (
        days.filter(_.is_purchase)
        .join(firsts, "customer_id")
        .filter(_.date > _.first_date)
        .group_by("date")
        .aggregate(n=_.count())
        .execute()
    )
    origin = pd.Timestamp(cal["first_purchase"].min())
    n_days = (pd.Timestamp(holdout_end) - origin).days + 1
    actual_daily = np.zeros(n_days)
    if not repeats.empty:
        idx = (pd.to_datetime(repeats["date"]) - origin).dt.days.to_numpy()
        np.add.at(actual_daily, idx, repeats["n"].to_numpy(float))
    births = np.bincount((pd.to_datetime(cal["first_purchase"]) - origin).dt.days.to_numpy(), minlength=n_days)
    # Expected cumulative repeats of one customer, e days after their first purchase (eq. 9),
    # summed over customers by their first-purchase day: a convolution.
    per_customer = model.expected_purchases(np.arange(n_days) / unit)
    predicted_cum_daily = np.convolve(births.astype(float), per_customer)[:n_days]
    actual_cum_daily = np.cumsum(actual_daily)

    # Weeks are counted back and forth from the calibration end, so that one week ends on
    # it exactly; the first and last weeks may be partial.
    cal_day = (pd.Timestamp(cal_end) - origin).days
    week_last_day = np.concatenate([np.arange(cal_day, -1, -7)[::-1], np.arange(cal_day + 7, n_days, 7)])
    if week_last_day[-1] != n_days - 1:
        week_last_day = np.append(week_last_day, n_days - 1)
    actual_cum = actual_cum_daily[week_last_day]
    predicted_cum = predicted_cum_daily[week_last_day]
    week_end = origin + pd.to_timedelta(week_last_day, unit="D")
    cal_ts = pd.Timestamp(cal_end)
    return pd.DataFrame(
        {
            "week": np.arange(1, len(week_last_day) + 1),
            "week_end": week_end,
            "period": np.where(week_end <= cal_ts, "calibration", "holdout"),
            "actual": np.diff(actual_cum, prepend=0.0),
            "predicted": np.diff(predicted_cum, prepend=0.0),
            "actual_cumulative": actual_cum,
            "predicted_cumulative": predicted_cum,
        }
    )


def _errors(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    diff = predicted - actual
    return {"mae": float(np.mean(np.abs(diff))), "rmse": float(np.sqrt(np.mean(diff**2)))}


def holdout_validation(
    transactions,
    calibration_end: dt.date,
    holdout_end: dt.date,
    model: BetaGeoModel | None = None,
    first_date: dt.date | None = None,
    time_unit: str = "week",
) -> HoldoutResult:
    """Fit the purchase model on purchases up to ``calibration_end`` and compare its
    predictions with what the same customers did up to ``holdout_end``. ``model`` (fitted
    or not) supplies the settings; it is (re)fitted on the calibration period."""
    unit = _unit_days(time_unit)
    cal_end, hold_end = _as_date(calibration_end), _as_date(holdout_end)
    if hold_end <= cal_end:
        raise ValueError(
            t("the holdout must end after the calibration period: {hold_end:%Y-%m-%d} is not after {cal_end:%Y-%m-%d}",
              hold_end=hold_end, cal_end=cal_end)
        )
    start = None if first_date is None else _as_date(first_date)
    cal = rfm_summary(transactions, cal_end, start, time_unit)
    _need_customers(cal, cal_end)
    model = model if model is not None else BetaGeoModel()
    model, _note = fit_with_fallback(model, cal["frequency"], cal["recency"], cal["T"])  # NBD when nobody lapsed

    hold = (
        _purchase_days(transactions, hold_end, after=cal_end)
        .filter(_.is_purchase)
        .group_by("customer_id")
        .aggregate(n=_.count())
        .execute()
    )
    actual = (
        pd.Series(hold["n"].to_numpy(float), index=hold["customer_id"].to_numpy())
        .reindex(cal.index)
        .fillna(0.0)
        .to_numpy()
    )
    length = (hold_end - cal_end).days / unit
    x, t_x, T = (cal[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    predicted = model.conditional_expected_purchases(length, x, t_x, T)
    with np.errstate(divide="ignore", invalid="ignore"):
        baseline = np.where(T > 0, x / T, 0.0) * length

    group = np.minimum(x, FREQUENCY_GROUPS).astype(int)
    labels = [str(i) for i in range(FREQUENCY_GROUPS)] + [f"{FREQUENCY_GROUPS}+"]
    frame = pd.DataFrame({"group": group, "actual": actual, "predicted": predicted, "baseline": baseline})
    conditional = (
        frame.groupby("group")
        .agg(customers=("actual", "size"), actual=("actual", "mean"),
             predicted=("predicted", "mean"), baseline=("baseline", "mean"))
        .reindex(range(FREQUENCY_GROUPS + 1))
        .reset_index(drop=True)
    )
    conditional.insert(0, "frequency", labels)
    conditional["customers"] = conditional["customers"].fillna(0).astype(int)

    errors = {
        "model": _errors(actual, predicted),
        "baseline": _errors(actual, baseline),
        "actual_total": float(actual.sum()),
        "predicted_total": float(predicted.sum()),
        "baseline_total": float(baseline.sum()),
    }
    tracking = _tracking_table(transactions, cal, model, cal_end, hold_end, start, unit)
    return HoldoutResult(
        calibration_end=cal_end,
        holdout_end=hold_end,
        time_unit=time_unit,
        holdout_length=length,
        params=dict(model.params_),
        loglik=float(model.loglik_),
        n_customers=int(len(cal)),
        n_repeat=int((x > 0).sum()),
        tracking=tracking,
        conditional=conditional,
        errors=errors,
        model=model,
    )


# --------------------------------------------------------------------------------------
# Per-customer CLV
# --------------------------------------------------------------------------------------
def _span(days: float) -> str:
    days = float(days)
    if days < 1:
        return t("today")
    if days < 14:
        n = int(round(days))
        return tn("{n} day", "{n} days", n)
    if days < 730:
        return t("{n} weeks", n=int(round(days / 7)))
    return t("{years:.1f} years", years=days / 365.25)


def _alive_words(p: float) -> str:
    if p != p:  # NaN: a model without dropout (analysis.predict.choose)
        return t("treated as active: nobody in this history looks lapsed yet")
    if p >= 0.8:
        return t("very likely still active ({p:.0%} chance)", p=p)
    if p >= 0.5:
        return t("probably still active ({p:.0%} chance)", p=p)
    if p >= 0.2:
        return t("may have lapsed (only {p:.0%} chance they are still active)", p=p)
    return t("probably lapsed (only {p:.0%} chance they are still active)", p=p)


def _notes(scored: pd.DataFrame, unit: float, horizon_months: int) -> list[str]:
    days = pd.Series(scored["expected_next_purchase"]).to_numpy().astype("datetime64[D]")
    next_text = np.where(np.isnat(days), None, np.datetime_as_string(days, unit="D")).tolist()
    rows = zip(
        scored["frequency"].to_numpy(float).tolist(), scored["recency"].to_numpy(float).tolist(),
        scored["T"].to_numpy(float).tolist(), scored["p_alive"].to_numpy(float).tolist(), next_text,
        scored["nonpositive_spend"].to_numpy(bool).tolist(),
    )
    one_time = t(
        "; the model cannot tell yet whether they will return: it assumes a customer is "
        "alive until they have a repeat purchase to go by, so P(alive) is 100% by "
        "construction. Spend per purchase is the average customer's."
    )
    nonpositive = t(
        " Their repeat purchases net to zero or less (refunds or free items), so the "
        "average customer's spend per purchase is used for the value."
    )
    one_time_unknown = t("; nobody in this history looks lapsed, so they are treated as active. Spend per "
                         "purchase is the average customer's.")
    not_expected = t(" Not expected to buy again within the next {months} months.", months=horizon_months)
    today = t("today")
    notes = []
    for x, t_x, T, p, nxt, nonpos in rows:
        if x == 0:
            ago = today if T * unit < 1 else t("{span} ago", span=_span(T * unit))
            text = t("Bought once, {ago}", ago=ago) + (one_time if p == p else one_time_unknown)
        else:
            since = (T - t_x) * unit
            last = today if since < 1 else t("{span} ago", span=_span(since))
            # the purchase cycle is said once, by the customer's median gap (the profile, the win-back)
            text = t("Bought on {days} different days, last {last}; {alive}.", days=int(x) + 1, last=last,
                     alive=_alive_words(p))
            if nonpos:
                text += nonpositive
        if isinstance(nxt, str):
            text += t(" Even chance of another purchase by {date}.", date=nxt)
        elif not p <= 0.5:  # likely active, or P(alive) unknown (NaN)
            text += not_expected
        notes.append(text)
    return notes


@dataclass
class CLVFit:
    """The purchase (BG/NBD) and spend (Gamma-Gamma) models fitted on the purchases up to
    ``as_of``, with the per-customer summary they were fitted on. Fitting is the slow part;
    scoring at any horizon, margin or discount reuses one fit (:func:`score_clv`).

    A fit made in the engine (more customers than the local limit, see :func:`fit_clv`)
    has ``table`` (the per-customer :func:`summary_table`, still in the engine) and
    ``histories`` (its distinct (frequency, recency_days, T_days) with their ``customers``)
    instead of a local summary; ``summary`` is then brought back only when someone asks
    for the per-customer frame (:func:`score_clv`)."""

    as_of: dt.date
    summary: pd.DataFrame | None
    bg: BetaGeoModel
    gg: GammaGammaModel
    time_unit: str = "week"
    # (horizon_months, margin, annual_discount) -> scored frame without notes; for an engine
    # fit also ("histories", horizon_months, annual_discount) -> figures per distinct history
    scored: dict = field(default_factory=dict, repr=False)
    table: Any = field(default=None, repr=False)
    histories: pd.DataFrame | None = field(default=None, repr=False)
    transactions: Any = field(default=None, repr=False)
    model: str = "bgnbd"  # the purchase model in ``bg``: "bgnbd", or "nbd" when nobody looks lapsed
    note: str | None = None  # untranslated sentence saying why (analysis.predict.choose)
    selection: Any = field(default=None, repr=False)  # how ``model`` was chosen (analysis.predict.fit)

    @property
    def in_engine(self) -> bool:
        return self.table is not None


def fit_clv(transactions, as_of: dt.date, max_local: int | None = None, purchase_model: str = "bgnbd") -> CLVFit:
    """Fit both models on purchases up to and including ``as_of`` (weeks).

    Up to ``max_local`` customers (default :data:`analysis.features.LOCAL_ROWS`) the
    per-customer summary comes back whole and both models are fitted on it. Above it:

    - BG/NBD is fitted on the distinct (frequency, recency, T) histories with their
      customer counts, aggregated in the engine. This is exact, not a sample: the
      likelihood of identical histories is the same, so the weighted fit is the fit on
      every customer (it is what the fitter does internally anyway), and whole days make
      the distinct histories few (at most one per first and last purchase day and
      count), far fewer than customers.
    - Gamma-Gamma is fitted on a fixed hash sample (:func:`analysis.features.hash_sample`)
      of about ``max_local`` repeat customers with a positive spend: its likelihood has a
      term in each customer's own average spend, a continuous value, so there is no small
      exact summary; three parameters from 200,000 customers have a standard error well
      below a percent.
    Every customer's score is then computed in the engine (:func:`score_table`).
    """
    end = _as_date(as_of)
    table = materialize(summary_table(transactions, end))  # read five times below and by every score
    n = int(table.count().to_pyarrow().as_py())
    limit = local_limit(max_local)
    if n <= limit:
        summary = rfm_summary(transactions, end)
        _need_customers(summary, end)
        x, t_x, T = (summary[c].to_numpy(float) for c in ("frequency", "recency", "T"))
        m = summary["monetary_value"].to_numpy(float)
        key, bg, note = fit_purchase_model(x, t_x, T, model=purchase_model)  # NBD when nobody looks lapsed
        spend_ok = (x > 0) & (m > 0)
        gg = GammaGammaModel().fit(x[spend_ok], m[spend_ok])
        return CLVFit(as_of=end, summary=summary, bg=bg, gg=gg, model=key, note=note)

    unit = TIME_UNITS["week"]
    histories = (table.group_by(["frequency", "recency_days", "T_days"])
                 .aggregate(customers=_.count()).to_pandas()
                 .sort_values(["frequency", "recency_days", "T_days"], ignore_index=True))
    key, bg, note = fit_purchase_model(histories["frequency"].to_numpy(float), histories["recency_days"].to_numpy(float) / unit,
                                       histories["T_days"].to_numpy(float) / unit, weights=histories["customers"].to_numpy(float),
                                       model=purchase_model)
    spenders = table.filter((_.frequency > 0) & (_.monetary_value > 0))
    n_spenders = int(spenders.count().to_pyarrow().as_py())
    spend = to_frame(hash_sample(spenders, n_spenders, limit).select("customer_id", "frequency", "monetary_value")
                     .order_by("customer_id"))
    gg = GammaGammaModel().fit(spend["frequency"].to_numpy(float), spend["monetary_value"].to_numpy(float))
    return CLVFit(as_of=end, summary=None, bg=bg, gg=gg, table=table, histories=histories,
                  transactions=transactions, model=key, note=note)


def score_table(fit: CLVFit, horizon_months: int = 12, margin: float = 0.3, annual_discount: float = 0.10):
    """Ibis, for a fit made in the engine: every customer's customer_id, frequency,
    nonpositive_spend, p_alive, expected_purchases (in the horizon), expected_spend and clv,
    computed where the data lives. The purchase model's figures depend on the history
    (frequency, recency, T) alone, so they are computed here once per distinct history and
    joined back; the spend model's conditional expectation is a closed form, written as an
    expression."""
    key = ("histories", int(horizon_months), float(annual_discount))
    if key not in fit.scored:  # the report asks twice (MCC potential, clv section)
        fit.scored[key] = _history_scores(fit, horizon_months, annual_discount)
    keys = ["frequency", "recency_days", "T_days"]
    scores = ibis.memtable(fit.scored[key])
    joined = fit.table.view().join(scores, keys)
    p, q, g = (float(fit.gg.params_[k]) for k in ("p", "q", "gamma"))
    xf = joined.frequency.cast("float64")
    own = (g + joined.monetary_value * xf) * p / (p * xf + q - 1.0)
    spend = ibis.ifelse((joined.frequency > 0) & (joined.monetary_value > 0), own, float(fit.gg.mean_spend()))
    return joined.select(
        "customer_id", "frequency", "nonpositive_spend", "p_alive", "expected_purchases",
        expected_spend=spend, clv=margin * spend * joined._dep,
    )


def _history_scores(fit: CLVFit, horizon_months: int, annual_discount: float) -> pd.DataFrame:
    """The purchase model's figures per distinct history of an engine fit."""
    unit = TIME_UNITS[fit.time_unit]
    h = fit.histories
    x, t_x, T = h["frequency"].to_numpy(float), h["recency_days"].to_numpy(float) / unit, h["T_days"].to_numpy(float) / unit
    horizon = horizon_months * DAYS_PER_MONTH / unit
    return pd.DataFrame({
        "frequency": h["frequency"].to_numpy("int64"),
        "recency_days": h["recency_days"].to_numpy("int64"),
        "T_days": h["T_days"].to_numpy("int64"),
        "p_alive": p_alive(fit.bg, x, t_x, T),
        "expected_purchases": fit.bg.conditional_expected_purchases(horizon, x, t_x, T),
        "_dep": discounted_expected_purchases(fit.bg, x, t_x, T, horizon_months, annual_discount, unit),
    })


def potential_table(fit: CLVFit, horizon_months: int, margin: float, annual_discount: float):
    """Ibis (customer_id, potential): expected revenue in the horizon, expected purchases x
    expected spend, for a fit made in the engine (the MCC potential, as
    :func:`analysis.scores.potential_revenue` gives it from a local score)."""
    scored = score_table(fit, horizon_months, margin, annual_discount)
    return scored.select("customer_id", potential=scored.expected_purchases * scored.expected_spend)


def score_clv(fit: CLVFit, horizon_months: int = 12, margin: float = 0.3, annual_discount: float = 0.10,
              notes: bool = True) -> pd.DataFrame:
    """The per-customer outlook of :func:`customer_clv` from an existing fit; ``notes=False``
    leaves out the plain-language ``note`` column (the slow part when only numbers are needed)."""
    key = (int(horizon_months), float(margin), float(annual_discount))
    if fit.summary is None:  # fitted in the engine: every customer's row is wanted here
        fit.summary = rfm_summary(fit.transactions, fit.as_of)
    if key not in fit.scored:
        fit.scored[key] = _score(fit, horizon_months, margin, annual_discount)
    out = fit.scored[key].copy()
    if notes:
        out["note"] = clv_notes(out.assign(nonpositive_spend=fit.summary["nonpositive_spend"].to_numpy()),
                                horizon_months, fit.time_unit)
    return out


def _score(fit: CLVFit, horizon_months: int, margin: float, annual_discount: float) -> pd.DataFrame:
    summary, bg, gg = fit.summary, fit.bg, fit.gg
    unit = TIME_UNITS[fit.time_unit]
    x, t_x, T = (summary[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    m = summary["monetary_value"].to_numpy(float)
    spend_ok = (x > 0) & (m > 0)
    horizon = horizon_months * DAYS_PER_MONTH / unit
    spend = np.where(spend_ok, gg.conditional_expected_average_spend(x, np.where(spend_ok, m, 0.0)), gg.mean_spend())
    wait = bg.time_to_next_purchase(x, t_x, T)
    next_days = np.where(wait <= horizon, wait * unit, np.nan)
    as_of_ts = pd.Timestamp(fit.as_of)
    next_date = as_of_ts + pd.to_timedelta(np.ceil(next_days), unit="D")
    dep = discounted_expected_purchases(bg, x, t_x, T, horizon_months, annual_discount, unit)

    out = pd.DataFrame(
        {
            "customer_id": summary.index.to_numpy(),
            "frequency": x.astype(int),
            "recency": t_x,
            "T": T,
            "monetary_value": m,
            "p_alive": p_alive(bg, x, t_x, T),
            "expected_purchases": bg.conditional_expected_purchases(horizon, x, t_x, T),
            "expected_next_purchase": next_date,
            "expected_spend": spend,
            "clv": margin * spend * dep,
        }
    )
    return out


def clv_notes(scored: pd.DataFrame, horizon_months: int, time_unit: str = "week") -> list[str]:
    """One plain-language sentence per row of a scored frame (columns frequency, recency,
    T, p_alive, expected_next_purchase, nonpositive_spend)."""
    return _notes(scored, _unit_days(time_unit), horizon_months)


def customer_clv(
    transactions,
    as_of: dt.date,
    horizon_months: int = 12,
    margin: float = 0.3,
    annual_discount: float = 0.10,
    fitted: CLVFit | None = None,
) -> pd.DataFrame:
    """Per-customer outlook from purchases up to ``as_of``: columns customer_id, frequency,
    recency, T (weeks), monetary_value, p_alive, expected_purchases (in the horizon),
    expected_next_purchase (the date by which another purchase is an even bet; NaT when
    that is beyond the horizon or the customer has more likely lapsed), expected_spend
    (per purchase, Gamma-Gamma), clv (see :func:`analysis.clv.clv`) and a plain-language
    note. Customers without a positive repeat spend get the average customer's spend.
    ``fitted`` (from :func:`fit_clv` at the same ``as_of``) skips fitting again."""
    fit = fitted if fitted is not None else fit_clv(transactions, as_of)
    return score_clv(fit, horizon_months, margin, annual_discount)


def clv_report(
    transactions,
    as_of: dt.date,
    horizon_months: int = 12,
    margin: float = 0.3,
    annual_discount: float = 0.10,
    holdout_date: dt.date | None = None,
    fitted: CLVFit | None = None,
) -> dict[str, Any]:
    """A JSON-ready summary: fitted parameters, customer counts, CLV totals and, when
    ``holdout_date`` is given, a holdout check (calibration up to ``holdout_date``,
    holdout from then to ``as_of``). ``fitted`` (from :func:`fit_clv` at the same
    ``as_of``) reuses models already fitted, as :func:`analysis.report.build_report` does."""
    end = _as_date(as_of)
    fit = fitted if fitted is not None else fit_clv(transactions, end)
    if fit.as_of != end:
        raise ValueError(f"the CLV fit is as of {fit.as_of}, not {end}")
    bg, gg = fit.bg, fit.gg
    if fit.in_engine:
        scored = score_table(fit, horizon_months, margin, annual_discount)
        exact = _.clv.cast("decimal(38,6)")  # a parallel float sum differs from run to run
        totals = to_frame(scored.aggregate(
            n_customers=_.count(), n_repeat=(_.frequency > 0).cast("int64").sum(),
            n_nonpositive=_.nonpositive_spend.cast("int64").sum(),
            total_clv=exact.sum(), mean_clv=exact.mean(),
        )).iloc[0]
    else:
        frame = score_clv(fit, horizon_months, margin, annual_discount, notes=False)
        totals = {"n_customers": len(fit.summary), "n_repeat": int((fit.summary["frequency"] > 0).sum()),
                  "n_nonpositive": int(fit.summary["nonpositive_spend"].sum()),
                  "total_clv": frame["clv"].sum(), "mean_clv": frame["clv"].mean()}
    n_one_time = int(totals["n_customers"]) - int(totals["n_repeat"])
    n_nonpositive = int(totals["n_nonpositive"])
    report: dict[str, Any] = {
        "time_unit": "week",
        "as_of": end.isoformat(),
        "horizon_months": int(horizon_months),
        "margin": float(margin),
        "annual_discount": float(annual_discount),
        "bgnbd": {k: float(v) for k, v in bg.params_.items()} if fit.model == "bgnbd" else None,
        "bgnbd_loglik": float(bg.loglik_) if fit.model == "bgnbd" else None,
        "model": fit.model,
        "model_params": {k: float(v) for k, v in bg.params_.items()},
        "model_loglik": float(bg.loglik_),
        "note": None if fit.note is None else t(fit.note),
        "candidates": candidate_rows(fit.selection, fit.model, bg),
        "selection": (fit.selection or ModelChoice("bgnbd")).report(),
        "gamma_gamma": {k: float(v) for k, v in gg.params_.items()},
        "n_customers": int(totals["n_customers"]),
        "n_repeat": int(totals["n_repeat"]),
        "n_one_time": n_one_time,
        "n_nonpositive_spend": n_nonpositive,
        "mean_spend": float(gg.mean_spend()),
        "total_clv": round(float(totals["total_clv"]), 2),
        "mean_clv": round(float(totals["mean_clv"]), 2),
        "notes": [
            t("{n} customers bought only once: they get the average customer's spend "
              "per purchase and P(alive) = 100% by construction.", n=n_one_time) if bg.has_dropout else
            t("{n} customers bought only once: they get the average customer's spend per purchase.", n=n_one_time),
            t("{n} repeat customers whose repeat purchases net to zero or less "
              "(refunds, free items) were left out of the spend model and get the average "
              "customer's spend per purchase.", n=n_nonpositive),
        ],
    }
    if holdout_date is not None:
        report["holdout"] = holdout_validation(transactions, holdout_date, end, model=type(bg)()).to_dict()
    return report


# -- entry points on a workspace's Tables (what the app and the report call) --------------
def workspace_validation(tables, calibration_end: dt.date, holdout_end: dt.date) -> HoldoutResult:
    """:func:`holdout_validation` on a workspace's purchases."""
    return holdout_validation(tables.transactions, calibration_end, holdout_end)


def workspace_clv_report(tables, as_of: dt.date, horizon_months: int = 12, margin: float = 0.3,
                         annual_discount: float = 0.10) -> dict[str, Any]:
    """:func:`clv_report` on a workspace's purchases (no holdout)."""
    return clv_report(tables.transactions, as_of, horizon_months=horizon_months, margin=margin,
                      annual_discount=annual_discount)
