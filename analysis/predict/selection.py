"""Choosing a purchase model by its out-of-time error.

Each candidate (:data:`MODELS`) is fitted on the calibration period (one row per customer:
repeat purchases x, recency t_x, age T at the cut-off), predicts every customer's purchases
in the holdout period that follows (its conditional expectation over the holdout length),
and is scored by the mean absolute error against the purchases actually made there. The
lowest error wins.

Decisions (issue 17 says "ties and short histories: the simplest model"):

- Simplicity order, :data:`SIMPLICITY`: NBD (2 parameters, no dropout) < BG/NBD (4, closed
  forms, the established default) < MBG/NBD (BG/NBD plus dropout right after the first
  purchase) < Pareto/NBD (dropout at any time, hypergeometric functions).
- Ties: every model whose error is within ``tolerance`` (relative, default 1%) of the
  lowest counts as tied, and the simplest of them is chosen.
- Without a holdout (a history too short to set one aside), nothing out of time tells the
  models apart, so the simplest model that could be fitted is chosen: NBD, which claims no
  P(alive) it could not check.
- A model whose fit is refused (too few customers, a parameter running off, its dropout not
  identified) stays in the table with its reason and no figures.

Pure: arrays in, a small dataclass out; no workspace, no Ibis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.predict.bgnbd import BetaGeoModel
from analysis.predict.fitting import DropoutNotIdentified, _as_float_arrays
from analysis.errors import NotEnoughData
from analysis.predict.mbgnbd import ModifiedBetaGeoModel
from analysis.predict.nbd import NBDModel
from analysis.predict.paretonbd import ParetoNBDModel

#: model key (as in ``report --clv-model``) -> estimator class
MODELS = {"nbd": NBDModel, "bgnbd": BetaGeoModel, "mbgnbd": ModifiedBetaGeoModel, "paretonbd": ParetoNBDModel}
#: the keys from the simplest model to the most complex: the tie-break order
SIMPLICITY = ("nbd", "bgnbd", "mbgnbd", "paretonbd")
TOLERANCE = 0.01


@dataclass(frozen=True)
class Candidate:
    """One model's fit on the calibration period. ``params`` named as in its paper (None
    when refused), ``loglik`` on the caller's time axis, ``holdout_mae`` None without a
    holdout. ``refused``: why the fit was refused, in the user's language (None when it
    fitted); ``dropout_identified`` False when that reason is that nobody looks lapsed."""

    model: str
    params: dict | None
    loglik: float | None
    holdout_mae: float | None
    refused: str | None = None
    dropout_identified: bool = True

    def as_dict(self) -> dict:
        """The ``{"model", "params", "loglik", "holdout_mae"}`` row of ``clv.candidates``."""
        return {"model": self.model, "params": self.params, "loglik": self.loglik, "holdout_mae": self.holdout_mae}


@dataclass
class Selection:
    """The chosen model key (None when no candidate could be fitted), how it was chosen
    (``rule``: "lowest_holdout_mae", "tie", "no_holdout" or None), every candidate in
    :data:`SIMPLICITY` order, and the fitted estimators by key."""

    model: str | None
    rule: str | None
    candidates: list[Candidate]
    fitted: dict = field(default_factory=dict, repr=False)

    @property
    def table(self) -> pd.DataFrame:
        """One row per candidate: model, params, loglik, holdout_mae, refused."""
        return pd.DataFrame(
            [{**c.as_dict(), "refused": c.refused} for c in self.candidates],
            columns=["model", "params", "loglik", "holdout_mae", "refused"],
        )


def fit_candidate(name: str, frequency, recency, T, weights=None):
    """A fitted estimator for the model key ``name`` (see :data:`MODELS`), with its default
    settings. Refusals are raised as they come (NotEnoughData, DropoutNotIdentified). Pareto/NBD
    is fitted under a budget of numerical integrations (:func:`.paretonbd.quadrature_budget`),
    so the choice among models never takes minutes; past it, it is refused like a model that
    cannot fit (TooSlowToFit)."""
    if name == "paretonbd":
        from analysis.predict.paretonbd import quadrature_budget

        with quadrature_budget():
            return MODELS[name]().fit(frequency, recency, T, weights)
    return MODELS[name]().fit(frequency, recency, T, weights)


def holdout_mae(model, frequency, recency, T, holdout_purchases, holdout_length, weights=None) -> float:
    """Mean absolute error of the model's expected purchases in (T, T + holdout_length]
    against the purchases made there (weighted by ``weights`` when given)."""
    x, t_x, T, actual = _as_float_arrays(frequency, recency, T, holdout_purchases)
    predicted = model.conditional_expected_purchases(float(holdout_length), x, t_x, T)
    w = np.ones_like(x) if weights is None else np.asarray(weights, float)
    return float(np.sum(w * np.abs(actual - predicted)) / np.sum(w))


def select_model(
    frequency,
    recency,
    T,
    holdout_purchases=None,
    holdout_length: float | None = None,
    weights=None,
    candidates=SIMPLICITY,
    tolerance: float = TOLERANCE,
) -> Selection:
    """Fit every candidate on the calibration summary (frequency, recency, T at the cut-off),
    score it on the holdout (purchases per customer in the ``holdout_length`` after the
    cut-off, in the same time unit), and choose as the module docstring says."""
    order = [name for name in SIMPLICITY if name in candidates]
    has_holdout = holdout_purchases is not None and holdout_length is not None and holdout_length > 0
    rows, fitted = [], {}
    for name in order:
        try:
            model = fit_candidate(name, frequency, recency, T, weights)
        except NotEnoughData as refusal:
            identified = not isinstance(refusal, DropoutNotIdentified)
            rows.append(Candidate(name, None, None, None, refused=str(refusal), dropout_identified=identified))
            continue
        fitted[name] = model
        mae = (holdout_mae(model, frequency, recency, T, holdout_purchases, holdout_length, weights)
               if has_holdout else None)
        rows.append(Candidate(name, dict(model.params_), float(model.loglik_), mae))

    scored = [c for c in rows if c.params is not None]
    if not scored:
        return Selection(None, None, rows, fitted)
    if not has_holdout:
        return Selection(scored[0].model, "no_holdout", rows, fitted)
    best = min(c.holdout_mae for c in scored)
    tied = [c for c in scored if c.holdout_mae <= best * (1.0 + tolerance)]  # simplest first
    winner = tied[0]
    rule = "lowest_holdout_mae" if winner.holdout_mae == best else "tie"
    return Selection(winner.model, rule, rows, fitted)
