"""The NBD model of repeat buying, without dropout (Ehrenberg 1959; Morrison & Schmittlein
1988, "Generalizing the NBD model for customer purchases: what are the implications and is
it worth the effort?", JBES 6(2), 145-159; Fader & Hardie's note 005 uses it as the CLV
benchmark on CDNOW).

Each customer buys at a Poisson rate λ forever; λ ~ Gamma(r, α) across customers. It is the
limit of BG/NBD, MBG/NBD and Pareto/NBD when nobody drops out, so it is what those models
leave when their dropout parameter runs off (:class:`analysis.predict.fitting.DropoutNotIdentified`):
in a short history of a busy shop nobody looks lapsed yet, and this model still gives each
customer's expected purchases. It has no P(alive): everyone is treated as active.

Only the number of repeat purchases x and the age T enter; recency is accepted, for the
same API as the other models, and not used.
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, gammaln

from analysis import i18n
from analysis.predict.fitting import _as_float_arrays, _codes, _PurchaseModel, _sum


class _NBDData:
    """The log-likelihood's sufficient statistics: customers per distinct x, and per distinct
    T the customers and their repeat purchases, so a million customers cost a few hundred
    terms per evaluation."""

    def __init__(self, x, T, w):
        self.ux, xi = np.unique(x, return_inverse=True)
        self.w_x = np.bincount(xi, weights=w, minlength=len(self.ux))
        Ti, self.uT = _codes(T)
        self.w_T = np.bincount(Ti, weights=w, minlength=len(self.uT))
        self.wx_T = np.bincount(Ti, weights=w * x, minlength=len(self.uT))
        self.n = _sum(w)

    def loglik(self, params, with_grad: bool = False):
        r, alpha = (float(p) for p in params)
        log_aT = np.log(alpha + self.uT)
        exponent_T = r * self.w_T + self.wx_T  # Σ (r + x) per T
        ll = (_sum(self.w_x * gammaln(r + self.ux)) - self.n * (gammaln(r) - r * np.log(alpha))
              - _sum(exponent_T * log_aT))
        if not with_grad:
            return ll
        d_r = _sum(self.w_x * digamma(r + self.ux)) - self.n * (digamma(r) - np.log(alpha)) - _sum(self.w_T * log_aT)
        d_alpha = self.n * r / alpha - _sum(exponent_T / (alpha + self.uT))
        return ll, np.array([d_r, d_alpha])


def nbd_loglik(params, x, T, weights=None, with_grad: bool = False):
    """Total NBD log-likelihood of the purchase times, Σ ln[Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))]
    (the form comparable with the BG/NBD and Pareto/NBD likelihoods; the count likelihood
    P(X(T) = x) differs from it by the parameter-free factor T^x / x!). ``params`` = (r, alpha);
    with ``with_grad`` also the gradient d LL / d(r, alpha)."""
    x, T = (v.ravel() for v in _as_float_arrays(x, T))
    w = np.ones_like(x) if weights is None else np.asarray(weights, float).ravel()
    return _NBDData(x, T, w).loglik(params, with_grad)


class NBDModel(_PurchaseModel):
    """NBD model: Poisson purchases at rate λ ~ Gamma(r, α), no dropout.

    Same shape and API as :class:`analysis.predict.bgnbd.BetaGeoModel`: ``fit(frequency, recency, T,
    weights=None)`` maximises :func:`nbd_loglik` and sets ``params_`` (``r``, ``alpha``),
    ``loglik_``, ``n_customers_``; refusals are :class:`~analysis.errors.NotEnoughData`. Two
    parameters need fewer repeat buyers than four: ``min_repeat_customers`` defaults to 10.
    There is no :attr:`p_alive` (``has_dropout`` is False).
    """

    _names = ("r", "alpha")
    _what = i18n.N_("purchase model (NBD)")
    _hint = i18n.N_("this happens when customers all buy at almost the same rate, or hardly anyone "
                    "has bought twice")
    has_dropout = False

    def __init__(self, min_customers: int = 50, min_repeat_customers: int = 10):
        super().__init__(min_customers, min_repeat_customers)

    def _prepare(self, x, t_x, T, w):
        return _NBDData(x, T, w)

    @property
    def p_alive(self):
        """Not available: the NBD model has no dropout, so it cannot say who has lapsed.
        ``hasattr(model, "p_alive")`` is False; report P(alive) as unknown, not as 100%."""
        raise AttributeError(
            "NBDModel has no p_alive: the NBD model has no dropout, so every customer is treated "
            "as active and P(alive) cannot be estimated"
        )

    def conditional_expected_purchases(self, t, x, t_x, T):
        """Expected purchases in (T, T+t]: t (r+x) / (α+T), the mean of the posterior rate
        Gamma(r+x, α+T) times t. ``t_x`` is not used."""
        r, alpha = self._p()
        t, x, T = _as_float_arrays(t, x, T)
        return t * (r + x) / (alpha + T)

    def expected_purchases(self, t):
        """Expected repeat purchases in (0, t] of a customer who has just bought: r t / α."""
        r, alpha = self._p()
        return r * np.asarray(t, float) / alpha

    def prob_no_purchase(self, t, x, t_x, T):
        """Churn: P(no purchase in (T, T+t] | x, T) = ((α+T)/(α+T+t))^(r+x), the NBD
        probability of zero under the posterior rate. ``t_x`` is not used."""
        r, alpha = self._p()
        t, x, T = _as_float_arrays(t, x, T)
        return np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t)))

    def prob_purchase_within(self, w, x, t_x, T):
        """Chance that the customer buys again within ``w``: 1 - :meth:`prob_no_purchase`."""
        return 1.0 - self.prob_no_purchase(w, x, t_x, T)

    def time_to_next_purchase(self, x, t_x, T, chance: float = 0.5):
        """Time from T until the chance of a next purchase reaches ``chance``:
        (α+T) ((1-chance)^(-1/(r+x)) - 1), inverting :meth:`prob_purchase_within`. Always
        finite: without dropout everyone buys again some day."""
        r, alpha = self._p()
        x, T = _as_float_arrays(x, T)
        return (alpha + T) * np.expm1(-np.log1p(-chance) / (r + x))
