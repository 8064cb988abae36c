"""Which purchase model answers for a workspace: never empty-handed (issue 17).

BG/NBD is the default. When its dropout process is not identified
(:class:`analysis.predict.fitting.DropoutNotIdentified`: in a short history of a busy shop nobody looks
lapsed, and the maximum-likelihood dropout parameter runs to the boundary), the model it ran
to, NBD (:class:`analysis.predict.nbd.NBDModel`, no dropout), is fitted instead and gives the
expected purchases and the CLV; P(alive) is then unknown (NaN), never a made-up 100%, and
:data:`NO_DROPOUT_NOTE` says so. When NBD cannot be fitted either, its refusal (how many
repeat buyers are needed) is what the caller shows.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.predict.fitting import DropoutNotIdentified, _as_float_arrays
from analysis.i18n import N_, number, t
from analysis.predict.nbd import NBDModel
from analysis.predict.selection import MODELS, Selection

#: model key -> its name in the literature (the same in every language)
MODEL_NAMES = {"nbd": "NBD", "bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD", "paretonbd": "Pareto/NBD"}

NO_DROPOUT_NOTE = N_("nobody in this history looks lapsed, so everyone is treated as active; "
                     "P(alive) cannot be estimated yet")
NBD_NOTE = N_("the model without dropout predicts these customers' purchases best, so everyone is treated as "
              "active; P(alive) is not estimated")


def model_key(model) -> str:
    """The ``report --clv-model`` key of a fitted estimator ("bgnbd", "nbd", ...)."""
    return next(key for key, cls in MODELS.items() if type(model) is cls)


def fit_with_fallback(model, frequency, recency, T, weights=None):
    """(fitted model, note msgid or None): ``model`` fitted on the histories, or NBD when
    ``model``'s dropout is not identified (then the note is :data:`NO_DROPOUT_NOTE`).
    Every other refusal (:class:`~analysis.errors.NotEnoughData`) is raised as it comes."""
    try:
        return model.fit(frequency, recency, T, weights), None
    except DropoutNotIdentified:
        return NBDModel().fit(frequency, recency, T, weights), NO_DROPOUT_NOTE


def fit_purchase_model(frequency, recency, T, weights=None, model: str = "bgnbd"):
    """(model key, fitted model, note msgid or None): the model ``model`` (a key of
    :data:`MODELS`), or NBD when its dropout is not identified. NBD itself, chosen or asked
    for, has no P(alive) either, and its note (:data:`NBD_NOTE`) says so."""
    fitted, note = fit_with_fallback(MODELS[model](), frequency, recency, T, weights)
    if note is None and not fitted.has_dropout:
        note = NBD_NOTE
    return model_key(fitted), fitted, note


def p_alive(model, frequency, recency, T) -> np.ndarray:
    """Each history's P(alive), NaN throughout for a model without dropout (unknown, not 1)."""
    if model.has_dropout:
        return model.p_alive(frequency, recency, T)
    x, _, _ = _as_float_arrays(frequency, recency, T)
    return np.full(np.shape(x), np.nan)


@dataclass(frozen=True)
class ModelChoice:
    """How the purchase model was chosen: the model asked for (a key, or "auto"), and for
    "auto" the :class:`~analysis.predict.selection.Selection` made on the calibration split
    ending ``calibration_end``, with ``holdout_weeks`` after it (both None when the history
    is too short for a holdout: then the candidates were fitted on the whole history)."""

    asked: str
    selection: Selection | None = None
    calibration_end: dt.date | None = None
    holdout_weeks: float | None = None

    def report(self) -> dict:
        """``clv.selection``: {"asked", "rule", "calibration_end", "holdout_weeks"}."""
        sel = self.selection
        return {"asked": self.asked, "rule": None if sel is None else sel.rule,
                "calibration_end": None if self.calibration_end is None else self.calibration_end.isoformat(),
                "holdout_weeks": self.holdout_weeks}


def candidate_rows(choice: ModelChoice | None, model: str, fitted) -> list[dict]:
    """``clv.candidates``: every candidate of an "auto" choice ({"model", "params", "loglik",
    "holdout_mae"}: fitted on the calibration split), or the one model used, fitted on the
    whole history (``holdout_mae`` null)."""
    if choice is not None and choice.selection is not None:
        return [_finite(c.as_dict()) for c in choice.selection.candidates]
    return [{"model": model, "params": {k: float(v) for k, v in fitted.params_.items()},
             "loglik": float(fitted.loglik_), "holdout_mae": None}]


def _finite(row: dict) -> dict:
    def number(v):
        return None if v is None or not math.isfinite(float(v)) else float(v)
    params = None if row["params"] is None else {k: number(v) for k, v in row["params"].items()}
    return {**row, "params": params, "loglik": number(row["loglik"]), "holdout_mae": number(row["holdout_mae"])}


def candidates_table(candidates: list[dict], used: str) -> pd.DataFrame:
    """The CLV page's table of ``clv.candidates``: one row per model, in the user's language,
    indexed by the model's name; a model that could not be fitted has dashes."""
    rows = []
    for c in candidates:
        params = c["params"]
        rows.append({
            t("Model"): MODEL_NAMES[c["model"]],
            t("Parameters"): "" if params is None else ", ".join(f"{k} {v:.3g}" for k, v in params.items()),
            t("Log-likelihood"): number(c["loglik"], 1),
            t("Mean error per customer, holdout"): number(c["holdout_mae"], 3),
            t("Used"): t("Yes") if c["model"] == used else "",
        })
    return pd.DataFrame(rows).set_index(t("Model"))


def selection_words(selection: dict) -> str:
    """How the model was chosen (``clv.selection``), in a sentence a manager reads."""
    rule = selection["rule"]
    if selection["asked"] != "auto":
        return t("This model was asked for; the others were not compared.")
    if rule in ("lowest_holdout_mae", "tie"):
        text = t("Each model learned from the purchases up to {date} and predicted the {weeks} weeks after it; "
                 "the one whose predictions were closest to what each customer actually bought is used.",
                 date=selection["calibration_end"], weeks=round(selection["holdout_weeks"]))
        if rule == "tie":
            text += " " + t("Several were about as close (within 1%): the simplest of them is used.")
        return text
    if rule == "no_holdout":
        return t("The history is too short to set its last weeks aside as a check, so the simplest model "
                 "that fits is used.")
    return t("No model could learn from the earlier purchases alone, so the whole history decided.")
