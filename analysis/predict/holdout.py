"""The holdout check of the purchase model: fitted on a calibration period, its predictions
for the same customers set against what they did afterwards, week by week and by calibration
frequency, beside a naive baseline (the tracking and conditional-expectation views of Fader,
Hardie & Lee 2005)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from ibis import _

from analysis.i18n import t
from analysis.predict.bgnbd import BetaGeoModel
from analysis.predict.choose import fit_with_fallback
from analysis.predict.prep import _as_date, _first_purchases, _need_customers, _purchase_days, _unit_days, rfm_summary

FREQUENCY_GROUPS = 7  # conditional-expectation table: 0, 1, ..., 6, "7+"
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
