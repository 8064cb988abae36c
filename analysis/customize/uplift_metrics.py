"""How well an uplift ranking finds the customers a campaign moves, on a held-out half.

The definitions are scikit-uplift 0.5.1's (``sklift/metrics/metrics.py``), reproduced
exactly, ties included, so our figures can be set beside published ones:

- Ranking: ``np.argsort(uplift, kind="mergesort")[::-1]``, so among equal scores the row
  that comes later in the data comes first.
- :func:`qini_curve`: after the top ``n`` rows, ``Q(n) = Y_t(n) - Y_c(n) N_t(n) / N_c(n)``
  (treated responders minus control responders scaled to the treated count; 0 when no
  control row yet), evaluated at the last row of every block of equal scores, from (0, 0).
  Radcliffe (2007), "Using control groups to target on predicted lift", Direct Marketing
  Analytics Journal 1:14-21.
- :func:`qini_auc_score` (the **Qini coefficient** reported by the app): the area between
  the model's Qini curve and the random line (0, 0) -> (N, Q(N)), divided by the same area
  for the perfect ranking (treated responders first, control responders last). 0 is random
  targeting, 1 is perfect, below 0 is worse than random.
- :func:`uplift_at_k`: ``strategy="overall"`` takes the first ``int(N k)`` rows and returns
  their treated response rate minus their control response rate; ``"by_group"`` takes the
  first ``int(N_t k)`` treated and ``int(N_c k)`` control rows separately. The app reports
  ``overall``, the strategy of scikit-uplift's published Hillstrom example (uplift@30%).
- :func:`random_uplift`: what random targeting gets at any depth: the treated response rate
  minus the control rate over all rows (the slope of the random Qini line).

Not causalml's ``qini_score``, which is another quantity on another scale.
"""

from __future__ import annotations

import numpy as np


def _arrays(y, uplift, treatment):
    y = np.asarray(y, dtype=float)
    uplift = np.asarray(uplift, dtype=float)
    treatment = np.asarray(treatment).astype(int)
    if not (len(y) == len(uplift) == len(treatment)):
        raise ValueError(f"y, uplift and treatment differ in length: {len(y)}, {len(uplift)}, {len(treatment)}")
    return y, uplift, treatment


def ranking(uplift) -> np.ndarray:
    """Row positions from the highest score down (scikit-uplift's order for equal scores)."""
    return np.argsort(np.asarray(uplift, dtype=float), kind="mergesort")[::-1]


def qini_curve(y, uplift, treatment) -> tuple[np.ndarray, np.ndarray]:
    """(customers targeted, Qini value) at (0, 0) and the end of every block of equal scores."""
    y, uplift, treatment = _arrays(y, uplift, treatment)
    order = ranking(uplift)
    y, uplift, treatment = y[order], uplift[order], treatment[order]
    ends = np.r_[np.flatnonzero(np.diff(uplift)), len(uplift) - 1]
    n_t = np.cumsum(treatment)[ends]
    y_t = np.cumsum(y * treatment)[ends]
    y_c = np.cumsum(y * (1 - treatment))[ends]
    n = ends + 1
    n_c = n - n_t
    scale = np.divide(n_t, n_c, out=np.zeros(len(n_t)), where=n_c != 0)
    return np.r_[0, n], np.r_[0.0, y_t - y_c * scale]


def perfect_qini_curve(y, treatment) -> tuple[np.ndarray, np.ndarray]:
    """The Qini curve of the best possible ranking (negative effects allowed)."""
    y, _, treatment = _arrays(y, np.zeros(len(y)), treatment)
    return qini_curve(y, y * treatment - y * (1 - treatment), treatment)


def _area(x: np.ndarray, q: np.ndarray) -> float:
    return float(np.trapezoid(q, x))


def qini_auc_score(y, uplift, treatment) -> float:
    """The Qini coefficient: (model area - random area) / (perfect area - random area)."""
    x, q = qini_curve(y, uplift, treatment)
    px, pq = perfect_qini_curve(y, treatment)
    random_area = px[-1] * pq[-1] / 2
    return (_area(x, q) - random_area) / (_area(px, pq) - random_area)


def _rate_diff(y_t_sum, n_t, y_c_sum, n_c) -> float:
    if n_t == 0 or n_c == 0:
        return float("nan")
    return y_t_sum / n_t - y_c_sum / n_c


def uplift_at_k(y, uplift, treatment, k: float = 0.3, strategy: str = "overall") -> float:
    """Treated minus control response rate among the top ``k`` (a share in (0, 1], or a count)."""
    y, uplift, treatment = _arrays(y, uplift, treatment)
    order = ranking(uplift)
    y, treatment = y[order], treatment[order]
    is_share = isinstance(k, float)
    if is_share and not 0 < k <= 1:
        raise ValueError(f"k must be a share in (0, 1] or a whole number of rows, not {k!r}")
    if strategy == "overall":
        n = int(len(y) * k) if is_share else int(k)
        top_y, top_t = y[:n], treatment[:n]
        return _rate_diff(top_y[top_t == 1].sum(), (top_t == 1).sum(), top_y[top_t == 0].sum(), (top_t == 0).sum())
    if strategy == "by_group":
        treated, control = y[treatment == 1], y[treatment == 0]
        n_t = int(len(treated) * k) if is_share else int(k)
        n_c = int(len(control) * k) if is_share else int(k)
        return _rate_diff(treated[:n_t].sum(), min(n_t, len(treated)), control[:n_c].sum(), min(n_c, len(control)))
    raise ValueError(f"strategy must be 'overall' or 'by_group', not {strategy!r}")


def random_uplift(y, treatment) -> float:
    """The uplift random targeting gets at any depth: treated minus control response rate."""
    y, _, treatment = _arrays(y, np.zeros(len(y)), treatment)
    return _rate_diff(y[treatment == 1].sum(), (treatment == 1).sum(), y[treatment == 0].sum(), (treatment == 0).sum())


def _weighted_qini(y, treatment, ends, weight) -> float:
    """The Qini coefficient of rows already in ranking order, each counted ``weight`` times
    (a bootstrap resample without building it). Equal scores are one block, as in
    :func:`qini_curve`, so the order of copies inside a block does not matter."""
    n = np.cumsum(weight)[ends]
    n_t = np.cumsum(weight * treatment)[ends]
    y_t = np.cumsum(weight * y * treatment)[ends]
    y_c = np.cumsum(weight * y * (1 - treatment))[ends]
    n_c = n - n_t
    q = y_t - y_c * np.divide(n_t, n_c, out=np.zeros(len(n_t)), where=n_c != 0)
    area = np.trapezoid(np.r_[0.0, q], np.r_[0.0, n])
    # The perfect ranking: treated responders, then non-responders, then control responders.
    total, total_t = n[-1], n_t[-1]
    best_t, best_c = y_t[-1], y_c[-1]
    top = best_t  # rows in the first block (treated responders), all treated
    middle = total - best_c  # rows up to the end of the non-responders
    end_q = best_t - best_c * (total_t / (total - total_t) if total > total_t else 0.0)
    perfect = np.trapezoid([0.0, top, top, end_q], [0.0, top, middle, total])
    random_area = total * end_q / 2
    return float((area - random_area) / (perfect - random_area))


def qini_interval(y, uplift, treatment, n_boot: int = 200, level: float = 0.95,
                  seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of the Qini coefficient (Efron & Tibshirani 1993, ch. 13).

    Each of ``n_boot`` resamples draws the treated and the control rows with replacement,
    each group keeping its size (``seed`` makes the draws repeatable), and scores the same
    predictions. A resample is scored as counts per row over the ranking computed once, which
    gives :func:`qini_auc_score` of the resampled rows without sorting them again.
    """
    y, uplift, treatment = _arrays(y, uplift, treatment)
    order = ranking(uplift)
    ends = np.r_[np.flatnonzero(np.diff(uplift[order])), len(order) - 1]
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    groups = [position[treatment == 1], position[treatment == 0]]  # each group's rows, in ranking positions
    y, treatment = y[order], treatment[order]
    rng = np.random.default_rng(seed)
    scores = np.empty(n_boot)
    for i in range(n_boot):
        weight = np.zeros(len(order))
        for rows in groups:
            weight += np.bincount(rows[rng.integers(0, len(rows), len(rows))], minlength=len(order))
        scores[i] = _weighted_qini(y, treatment, ends, weight)
    lo, hi = np.nanquantile(scores, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)

