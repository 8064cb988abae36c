"""Is the churn probability right? Checking P(no purchase in the next t) on a time split.

The caller fits a purchase model on the history up to a cut-off, asks each customer's
probability of no purchase in the ``horizon`` after it (``model.prob_no_purchase``, every
model of :mod:`analysis.predict.clv` and :mod:`analysis.predict` has it), and records who in fact
bought nothing in that period. Here, pure functions on those arrays:

- :func:`reliability_table`: customers sorted by predicted probability and cut into ten
  groups of (nearly) equal size (deciles), each group's mean prediction against its observed
  share: a well calibrated model has the two equal (the reliability diagram);
- :func:`brier_score`: mean squared difference between probability and outcome (0 is
  perfect; always answering 50% scores 0.25) (Brier 1950, Monthly Weather Review 78(1));
- :func:`calibration_error`: the customers-weighted mean gap between prediction and
  observation over the deciles (expected calibration error);
- :func:`naive_churn`: the rule of thumb a manager would use instead, "no purchase in the last
  90 days means gone", as a 0/1 prediction, so its Brier score is its error rate.

:func:`churn_check` puts them together for one model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.predict.fitting import _as_float_arrays

NAIVE_WINDOW_DAYS = 90


def _weights(w, like):
    return np.ones_like(like, dtype=float) if w is None else np.asarray(w, float).ravel()


def brier_score(predicted, observed, weights=None) -> float:
    """Mean of (p - o)^2 over customers, o = 1 when the event happened (Brier 1950)."""
    p, o = (np.asarray(v, float).ravel() for v in (predicted, observed))
    w = _weights(weights, p)
    return float(np.sum(w * (p - o) ** 2) / np.sum(w))


def reliability_table(predicted, observed, bins: int = 10, weights=None) -> pd.DataFrame:
    """Customers sorted by predicted probability (ties kept in their given order) and cut
    into ``bins`` groups of nearly equal size; per group: ``bin`` (1 = lowest predictions),
    ``customers``, ``mean_predicted`` and ``observed`` (share for whom the event happened),
    each a customers-weighted mean when ``weights`` are given. Fewer rows when there are
    fewer customers than bins."""
    p, o = (np.asarray(v, float).ravel() for v in (predicted, observed))
    w = _weights(weights, p)
    order = np.argsort(p, kind="stable")
    rows = []
    for i, part in enumerate(g for g in np.array_split(order, min(bins, len(p))) if len(g)):
        n = float(np.sum(w[part]))
        rows.append({
            "bin": i + 1,
            "customers": n,
            "mean_predicted": float(np.sum(w[part] * p[part]) / n),
            "observed": float(np.sum(w[part] * o[part]) / n),
        })
    return pd.DataFrame(rows, columns=["bin", "customers", "mean_predicted", "observed"])


def calibration_error(table: pd.DataFrame) -> float:
    """Σ over groups of (customers / all) x |mean_predicted - observed| of a
    :func:`reliability_table` (the expected calibration error)."""
    share = table["customers"] / table["customers"].sum()
    return float(np.sum(share * np.abs(table["mean_predicted"] - table["observed"])))


def naive_churn(recency, T, window: float):
    """The rule "no purchase in the last ``window`` means gone": 1.0 for a customer whose last
    purchase (recency t_x, age T, both since the first purchase) lies ``window`` or more
    before the cut-off, else 0.0 (same time unit for all three)."""
    recency, T = _as_float_arrays(recency, T)
    return ((T - recency) >= window - 1e-9).astype(float)


@dataclass
class ChurnCheck:
    """A model's churn probabilities checked on a time split: ``horizon`` (model time units),
    ``customers``, the :func:`reliability_table`, the model's Brier score and calibration
    error, and the Brier score of the naive 90-day rule on the same customers."""

    horizon: float
    customers: float
    reliability: pd.DataFrame
    brier: float
    calibration_error: float
    naive_brier: float

    def as_dict(self) -> dict:
        return {
            "horizon": self.horizon,
            "customers": self.customers,
            "brier": self.brier,
            "calibration_error": self.calibration_error,
            "naive_brier": self.naive_brier,
            "reliability": self.reliability.to_dict(orient="records"),
        }


def churn_check(model, horizon: float, frequency, recency, T, purchases_after, unit_days: float = 7.0,
                weights=None, bins: int = 10) -> ChurnCheck:
    """Check ``model``'s P(no purchase in the next ``horizon``) (fitted on the history up to
    the cut-off; frequency, recency, T at the cut-off) against ``purchases_after``, each
    customer's purchases in the ``horizon`` after the cut-off; the naive rule's window is
    90 days in the model's time unit (``unit_days`` days per unit)."""
    x, t_x, T, after = _as_float_arrays(frequency, recency, T, purchases_after)
    predicted = model.prob_no_purchase(float(horizon), x, t_x, T)
    churned = (after == 0).astype(float)
    table = reliability_table(predicted, churned, bins, weights)
    naive = naive_churn(t_x, T, NAIVE_WINDOW_DAYS / unit_days)
    return ChurnCheck(
        horizon=float(horizon),
        customers=float(np.sum(_weights(weights, x))),
        reliability=table,
        brier=brier_score(predicted, churned, weights),
        calibration_error=calibration_error(table),
        naive_brier=brier_score(naive, churned, weights),
    )
