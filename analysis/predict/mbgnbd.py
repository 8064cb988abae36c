"""The MBG/NBD model: Batislam, Denizel & Filiztekin (2007), "Empirical validation and
comparison of models for customer base analysis", IJRM 24(3), 201-209, with the erratum
of Wagner & Hoppe (2008), as implemented in ``lifetimes`` (ModifiedBetaGeoFitter).

BG/NBD (Fader, Hardie & Lee 2005) lets a customer drop out only right after a repeat
purchase, so one-time buyers are alive by construction. MBG/NBD lets them drop out right
after their first purchase too: after each of the x + 1 purchases the customer drops out with
probability p ~ Beta(a, b). In the formulas, b + x - 1 of BG/NBD becomes b + x, and the
dropout term applies to x = 0 as well.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from analysis import i18n
from analysis.predict.bgnbd import BetaGeoModel, _BGNBDData, _bgnbd_bracket
from analysis.predict.fitting import _as_float_arrays


def mbgnbd_loglik(params, x, t_x, T, weights=None, with_grad: bool = False):
    """Total MBG/NBD log-likelihood,
    ln[B(a,b+x+1)/B(a,b) Γ(r+x)α^r/Γ(r)] + ln[(α+T)^-(r+x) + a/(b+x) (α+t_x)^-(r+x)] summed over
    customers (``lifetimes``' ModifiedBetaGeoFitter._negative_log_likelihood, unscaled).
    ``params`` = (r, alpha, a, b); with ``with_grad`` also the analytic gradient."""
    return _BGNBDData(x, t_x, T, weights, modified=True).loglik(params, with_grad)


class ModifiedBetaGeoModel(BetaGeoModel):
    """MBG/NBD model of repeat purchasing (Batislam, Denizel & Filiztekin 2007).

    Same shape and API as :class:`analysis.predict.bgnbd.BetaGeoModel` (``fit`` maximises
    :func:`mbgnbd_loglik`; ``params_`` ``r, alpha, a, b``; the same refusals). When the
    dropout runs to the boundary (a -> 0 or b -> inf) the refusal is
    :class:`analysis.predict.fitting.DropoutNotIdentified`.
    """

    _what = i18n.N_("purchase model (MBG/NBD)")

    def _prepare(self, x, t_x, T, w):
        return _BGNBDData(x, t_x, T, w, modified=True)

    def p_alive(self, x, t_x, T):
        """P(alive | x, t_x, T) = 1 / (1 + a/(b+x) ((α+T)/(α+t_x))^(r+x)), for every x
        (Batislam et al. 2007, appendix; ``lifetimes``' ModifiedBetaGeoFitter). Unlike
        BG/NBD, a one-time buyer may already be gone."""
        r, alpha, a, b = self._p()
        x, t_x, T = _as_float_arrays(x, t_x, T)
        log_odds = np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        return expit(-log_odds)

    def conditional_expected_purchases(self, t, x, t_x, T, alive=None):
        """Expected purchases in the next ``t``:
        (a+b+x)/(a-1) [1 - ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x+1; a+b+x; t/(α+T+t))] P(alive)
        (Batislam et al. 2007 with Wagner & Hoppe's 2008 correction, as in ``lifetimes``).
        This is BG/NBD's eq. (10) with b + 1 for b, so the same numerically stable bracket
        (Euler's transformation) serves. ``alive``: :meth:`p_alive` when already computed."""
        r, alpha, a, b = self._p()
        t, x, t_x, T = _as_float_arrays(t, x, t_x, T)
        lead = (a + b + x) / (a - 1.0) * _bgnbd_bracket(t, x, T, r, alpha, a, b + 1.0)
        return lead * (self.p_alive(x, t_x, T) if alive is None else alive)

    def expected_purchases(self, t):
        """Expected repeat purchases in (0, t] of a customer who has just made a first
        purchase: b/(a-1) [1 - (α/(α+t))^r 2F1(r, b+1; a+b; t/(α+t))] (Batislam et al.
        2007), i.e. the conditional expectation at x = t_x = T = 0."""
        t = np.asarray(t, float)
        zero = np.zeros_like(t)
        return self.conditional_expected_purchases(t, zero, zero, zero)
