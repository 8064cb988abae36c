"""Which purchase model answers for a workspace: never empty-handed (issue 17).

BG/NBD is the default. When its dropout process is not identified
(:class:`analysis.clv.DropoutNotIdentified`: in a short history of a busy shop nobody looks
lapsed, and the maximum-likelihood dropout parameter runs to the boundary), the model it ran
to, NBD (:class:`analysis.predict.nbd.NBDModel`, no dropout), is fitted instead and gives the
expected purchases and the CLV; P(alive) is then unknown (NaN), never a made-up 100%, and
:data:`NO_DROPOUT_NOTE` says so. When NBD cannot be fitted either, its refusal (how many
repeat buyers are needed) is what the caller shows.
"""

from __future__ import annotations

import numpy as np

from analysis.clv import BetaGeoModel, DropoutNotIdentified, _as_float_arrays
from analysis.i18n import N_
from analysis.predict.nbd import NBDModel
from analysis.predict.selection import MODELS

#: model key -> its name in the literature (the same in every language)
MODEL_NAMES = {"nbd": "NBD", "bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD", "paretonbd": "Pareto/NBD"}

NO_DROPOUT_NOTE = N_("nobody in this history looks lapsed, so everyone is treated as active; "
                     "P(alive) cannot be estimated yet")


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


def fit_purchase_model(frequency, recency, T, weights=None):
    """(model key, fitted model, note msgid or None): BG/NBD, or NBD when nobody looks lapsed."""
    model, note = fit_with_fallback(BetaGeoModel(), frequency, recency, T, weights)
    return model_key(model), model, note


def p_alive(model, frequency, recency, T) -> np.ndarray:
    """Each history's P(alive), NaN throughout for a model without dropout (unknown, not 1)."""
    if model.has_dropout:
        return model.p_alive(frequency, recency, T)
    x, _, _ = _as_float_arrays(frequency, recency, T)
    return np.full(np.shape(x), np.nan)
