"""The BG/NBD purchase model: Fader, Hardie & Lee (2005), "'Counting your customers' the
easy way: an alternative to the Pareto/NBD model", Marketing Science 24(2), 275-284; P(alive):
Fader, Hardie & Lee (2008), "Computing P(alive) using the BG/NBD model", note 021 at
brucehardie.com. NumPy/SciPy only; time in whatever unit the caller's frequency/recency/T use
(the app uses weeks, as the papers do).
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, expit, gammaln, hyp2f1

from analysis.predict.fitting import _as_float_arrays, _Histories, _PurchaseModel, _sum


class _BGNBDData(_Histories):
    """BG/NBD data prepared for many likelihood evaluations (see :class:`_Histories`), with
    the x-only terms once per distinct x. ``modified``: the MBG/NBD likelihood of Batislam,
    Denizel & Filiztekin (2007), which is BG/NBD's with b + x + 1 for b + x and a dropout
    term for one-time buyers too (they may drop out right after their first purchase)."""

    def __init__(self, x, t_x, T, weights=None, modified: bool = False):
        super().__init__(x, t_x, T, weights, split_once=not modified)
        self.shift = 1.0 if modified else 0.0

    def loglik(self, params, with_grad: bool = False):
        r, alpha, a, b = (float(p) for p in params)
        ux, xi, w = self.ux, self.xi, self.w
        bx = b + ux + self.shift
        log_alpha = np.log(alpha)
        log_aT, log_atx = np.log(alpha + self.uT), np.log(alpha + self.utx)
        # one-time buyers: ln L = r ln α - r ln(α+T)
        ll = _sum(self.w_once_T * r * (log_alpha - log_aT))
        # other rows: x-only terms once per distinct x, then the two-term mixture per row
        rx = r + ux
        lg_ab = gammaln(a + b)
        a12 = gammaln(rx) - gammaln(r) + r * log_alpha + lg_ab + gammaln(bx) - gammaln(b) - gammaln(a + bx)
        lead = np.log(a) - np.log(bx - 1.0)
        c = rx[xi]
        a3 = -c * log_aT[self.Ti]
        a4 = lead[xi] - c * log_atx[self.txi]
        mix = np.logaddexp(a3, a4)
        ll += _sum(self.w_x * a12) + _sum(w * mix)
        if not with_grad:
            return ll

        ww4 = w * np.exp(a4 - mix)  # weight on "dropped out right after the last purchase"
        ww3 = w - ww4
        n_T, n_tx = len(self.uT), len(self.utx)
        s3_T = np.bincount(self.Ti, weights=ww3, minlength=n_T)
        s4_tx = np.bincount(self.txi, weights=ww4, minlength=n_tx)
        c3_T = np.bincount(self.Ti, weights=c * ww3, minlength=n_T)
        c4_tx = np.bincount(self.txi, weights=c * ww4, minlength=n_tx)
        s4_x = np.bincount(xi, weights=ww4, minlength=len(ux))
        dg_ab = digamma(a + b)
        dg_abx = digamma(a + bx)
        n_rep = _sum(self.w_x)
        d_r = (
            _sum(self.w_once_T * (log_alpha - log_aT))
            + _sum(self.w_x * (digamma(rx) - digamma(r) + log_alpha))
            - _sum(s3_T * log_aT)
            - _sum(s4_tx * log_atx)
        )
        d_alpha = (
            _sum(self.w_once_T * (r / alpha - r / (alpha + self.uT)))
            + n_rep * r / alpha
            - _sum(c3_T / (alpha + self.uT))
            - _sum(c4_tx / (alpha + self.utx))
        )
        d_a = _sum(self.w_x * (dg_ab - dg_abx)) + _sum(s4_x) / a
        d_b = _sum(self.w_x * (dg_ab + digamma(bx) - digamma(b) - dg_abx)) - _sum(s4_x / (bx - 1.0))
        return ll, np.array([d_r, d_alpha, d_a, d_b])


def bgnbd_loglik(params, x, t_x, T, weights=None, with_grad: bool = False):
    """Total BG/NBD log-likelihood, eq. (6) of Fader, Hardie & Lee (2005), written as
    ln[B(a,b+x)/B(a,b) Γ(r+x)α^r/Γ(r)] + ln[(α+T)^-(r+x) + δ(x>0) a/(b+x-1) (α+t_x)^-(r+x)].

    ``params`` = (r, alpha, a, b). With ``with_grad`` also returns the analytic gradient
    d LL / d(r, alpha, a, b).
    """
    return _BGNBDData(x, t_x, T, weights).loglik(params, with_grad)


def _bgnbd_bracket(t, x, T, r, alpha, a, b):
    """1 - ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z), z = t/(α+T+t), computed
    through Euler's transformation (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z), which
    stays accurate for large x (the "#NUM!" problem of Fader & Hardie's 2013 note)."""
    z = t / (alpha + T + t)
    return 1.0 - (1.0 - z) ** (a - 1.0) * hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)


class BetaGeoModel(_PurchaseModel):
    """BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005).

    Each customer buys at a Poisson rate λ ~ Gamma(r, α) while alive, and after every
    purchase drops out with probability p ~ Beta(a, b). Inputs per customer: frequency
    x (repeat purchases), recency t_x (time of the last purchase since the first) and
    age T (time since the first purchase), all in one time unit. ``fit`` maximises the
    log-likelihood of eq. (6).

    ``min_customers`` / ``min_repeat_customers``: below these the fit is refused with
    :class:`~analysis.errors.NotEnoughData` (four parameters need a few dozen repeat
    buyers to be pinned down; on the CDNOW sample the published fit rests on 946). When
    the dropout runs to the boundary (a -> 0 or b -> inf: nobody looks lapsed), the
    refusal is :class:`DropoutNotIdentified`.
    """

    _names = ("r", "alpha", "a", "b")
    _needs_one_time_buyers = True

    def _prepare(self, x, t_x, T, w):
        return _BGNBDData(x, t_x, T, w)

    def _dropout_gone(self, params) -> bool:
        """The mean chance of dropping out after a purchase, a/(a+b), is nil."""
        a, b = params[2], params[3]
        return bool(a / (a + b) < 1e-3)

    # -- predictions ----------------------------------------------------------------
    def p_alive(self, x, t_x, T):
        """P(alive | x, t_x, T) = 1 / (1 + δ(x>0) a/(b+x-1) ((α+T)/(α+t_x))^(r+x))
        (Fader, Hardie & Lee 2008, note 021; the reciprocal of the denominator of eq. 10
        of the 2005 paper). Exactly 1 for a customer with no repeat purchase: in BG/NBD a
        customer can only drop out right after a purchase."""
        r, alpha, a, b = self._p()
        x, t_x, T = _as_float_arrays(x, t_x, T)
        repeat = x > 0
        bx1 = np.where(repeat, b + x - 1, 1.0)
        log_odds = np.log(a) - np.log(bx1) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        return np.where(repeat, expit(-log_odds), 1.0)

    def conditional_expected_purchases(self, t, x, t_x, T, alive=None):
        """Expected purchases in the next ``t`` time units for a customer with history
        (x, t_x, T): eq. (10) of Fader, Hardie & Lee (2005). ``alive``: :meth:`p_alive`
        of the same history, when already computed (it does not depend on ``t``)."""
        r, alpha, a, b = self._p()
        t, x, t_x, T = _as_float_arrays(t, x, t_x, T)
        lead = (a + b + x - 1.0) / (a - 1.0) * _bgnbd_bracket(t, x, T, r, alpha, a, b)
        return lead * (self.p_alive(x, t_x, T) if alive is None else alive)

    def expected_purchases(self, t):
        """Expected repeat purchases in (0, t] for a customer who has just made their first
        purchase: eq. (9), (a+b-1)/(a-1) [1 - (α/(α+t))^r 2F1(r, b; a+b-1; t/(α+t))]."""
        r, alpha, a, b = self._p()
        t = np.asarray(t, float)
        zero = np.zeros_like(t)
        return (a + b - 1.0) / (a - 1.0) * _bgnbd_bracket(t, zero, zero, r, alpha, a, b)

    def prob_purchase_within(self, w, x, t_x, T):
        """Chance that the customer buys again within ``w`` time units:
        P(alive) x [1 - ((α+T)/(α+T+w))^(r+x)]. Given alive, the purchase rate is
        Gamma(r+x, α+T) (the posterior behind eq. 10), so the wait is Pareto type II."""
        r, alpha, a, b = self._p()
        w, x, t_x, T = _as_float_arrays(w, x, t_x, T)
        survive = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + w)))
        return self.p_alive(x, t_x, T) * (1.0 - survive)

    def prob_no_purchase(self, t, x, t_x, T):
        """Churn: P(no purchase in the next ``t`` | x, t_x, T), the complement of
        :meth:`prob_purchase_within`; it equals the likelihood ratio L(x, t_x, T+t) / L(x, t_x, T)
        of eq. (6) (the history followed by t without a purchase)."""
        return 1.0 - self.prob_purchase_within(t, x, t_x, T)

    def time_to_next_purchase(self, x, t_x, T, chance: float = 0.5):
        """Time from T until the chance of a next purchase reaches ``chance`` (default an
        even bet): the "expected next purchase" a manager can read as "by then, it is
        more likely than not that they have bought again". Inverts
        :meth:`prob_purchase_within`; ``inf`` when P(alive) <= ``chance`` (more likely
        gone than not). We use this rather than a mean waiting time because the mean is
        infinite whenever r + x <= 1 (e.g. every one-time buyer on CDNOW)."""
        r, alpha, a, b = self._p()
        x, t_x, T = _as_float_arrays(x, t_x, T)
        alive = self.p_alive(x, t_x, T)
        with np.errstate(divide="ignore", invalid="ignore"):
            remaining = 1.0 - chance / alive
            w = (alpha + T) * (np.power(remaining, -1.0 / (r + x)) - 1.0)
        return np.where(alive > chance, w, np.inf)
