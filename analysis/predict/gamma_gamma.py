"""The Gamma-Gamma spend model: Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value
curves for customer base analysis", JMR 42(4), 415-430; Fader & Hardie (2013), "The
Gamma-Gamma model of monetary value", note 025 at brucehardie.com. Maximum likelihood in
log-parameters: L-BFGS-B on a subsample, then Newton steps on the analytic Hessian.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import digamma, gammaln, polygamma

from analysis import i18n
from analysis.errors import NotEnoughData
from analysis.predict.fitting import _LOG_PLAUSIBLE, _as_float_arrays, _check_fitted, _minimize, _newton_polish, _sum


class _GammaGammaData:
    """Gamma-Gamma data prepared for many likelihood evaluations: sums that do not
    depend on the parameters computed once, terms in p x once per distinct x."""

    def __init__(self, x, m):
        x, m = np.asarray(x, float).ravel(), np.asarray(m, float).ravel()
        order = np.argsort(x, kind="stable")  # rows sorted by x: per-x sums are slices
        x, m = x[order], m[order]
        self.ux, self.starts, counts = np.unique(x, return_index=True, return_counts=True)
        self.n_x = counts.astype(float)
        self.n = float(len(x))
        self.mx = m * x
        self._buf = np.empty_like(self.mx)
        log_m, log_x = np.log(m), np.log(x)
        self.sum_log_m = _sum(log_m)
        self.sum_x_log_mx = _sum(x * (log_m + log_x))

    def loglik(self, params, with_grad: bool = False, with_hess: bool = False):
        p, q, g = (float(v) for v in params)
        ux, n_x, n = self.ux, self.n_x, self.n
        px = p * ux
        gmx = np.add(self.mx, g, out=self._buf)
        sl_x = np.add.reduceat(np.log(gmx), self.starts)
        sum_l, sum_xl = _sum(sl_x), _sum(ux * sl_x)
        ll = (
            _sum(n_x * (gammaln(px + q) - gammaln(px)))
            - n * gammaln(q)
            + n * q * np.log(g)
            + p * self.sum_x_log_mx
            - self.sum_log_m
            - p * sum_xl
            - q * sum_l
        )
        if not with_grad:
            return float(ll)
        dg = digamma(px + q)
        sr_x = np.add.reduceat(np.reciprocal(gmx, out=gmx), self.starts)
        d_p = _sum(n_x * ux * (dg - digamma(px))) + self.sum_x_log_mx - sum_xl
        d_q = _sum(n_x * dg) - n * digamma(q) + n * np.log(g) - sum_l
        d_g = n * q / g - _sum((px + q) * sr_x)
        grad = np.array([d_p, d_q, d_g])
        if not with_hess:
            return float(ll), grad
        sr2_x = np.add.reduceat(np.square(gmx, out=gmx), self.starts)  # gmx holds 1/(γ+mx)
        tg_pq, tg_q = polygamma(1, px + q), polygamma(1, q)
        sum_xr = _sum(ux * sr_x)
        h_pp = _sum(n_x * ux**2 * (tg_pq - polygamma(1, px)))
        h_pq = _sum(n_x * ux * tg_pq)
        h_pg = -sum_xr
        h_qq = _sum(n_x * tg_pq) - n * tg_q
        h_qg = n / g - _sum(sr_x)
        h_gg = -n * q / g**2 + _sum((px + q) * sr2_x)
        hess = np.array([[h_pp, h_pq, h_pg], [h_pq, h_qq, h_qg], [h_pg, h_qg, h_gg]])
        return float(ll), grad, hess


def gamma_gamma_loglik(params, x, m, with_grad: bool = False):
    """Gamma-Gamma log-likelihood of average repeat spend m over x transactions
    (the individual-level likelihood of Fader & Hardie's 2013 note, in logs):
    ln Γ(px+q) - ln Γ(px) - ln Γ(q) + q ln γ + (px-1) ln m + px ln x - (px+q) ln(γ+mx)."""
    return _GammaGammaData(x, m).loglik(params, with_grad)


class GammaGammaModel:
    """Gamma-Gamma model of average spend per transaction (Fader, Hardie & Lee 2005, JMR;
    Fader & Hardie 2013 note): spends are Gamma(p, ν) around each customer's mean, and
    ν ~ Gamma(q, γ) across customers. Fit on repeat customers (x >= 1) with a positive
    average repeat spend; customers outside that are the caller's business (see
    ``analysis.predict.clv_data.score_clv``)."""

    def __init__(self, min_customers: int = 30):
        self.min_customers = min_customers

    def fit(self, frequency, monetary):
        """Maximise the note's log-likelihood; sets ``params_``, ``loglik_``, ``n_customers_``."""
        x, m = _as_float_arrays(frequency, monetary)
        x, m = x.ravel(), m.ravel()
        if np.any(x < 1) or np.any(~np.isfinite(m)) or np.any(m <= 0):
            raise ValueError(
                "the spend model takes repeat customers (frequency >= 1) with a positive "
                "average spend only"
            )
        if len(x) < self.min_customers:
            raise NotEnoughData(i18n.t(
                "only {n} repeat customers with a positive spend; at least "
                "{need} are needed to fit the spend model", n=len(x), need=self.min_customers
            ))
        n = len(x)
        scale = float(np.median(m))  # γ scales with the currency unit, p and q do not
        data = _GammaGammaData(x, m / scale)
        what = i18n.t("spend model (Gamma-Gamma)")
        hint = i18n.t("this happens when (almost) every customer spends the same per purchase")

        def objective(prepared, size):
            def f(log_params):
                ll, grad = prepared.loglik(np.exp(log_params), with_grad=True)
                return -ll / size, -grad * np.exp(log_params) / size

            return f

        def evaluate(phi):
            theta = np.exp(phi)
            ll, grad, hess = data.loglik(theta, with_grad=True, with_hess=True)
            hess_phi = theta[:, None] * hess * theta[None, :] + np.diag(theta * grad)
            return ll / n, theta * grad / n, hess_phi / n

        # L-BFGS-B on (at most) 20,000 customers gets close; Newton's method with the
        # analytic Hessian finishes on everyone in a few steps (fast for large data).
        stride = max(1, n // 20_000)
        sub = data if stride == 1 else _GammaGammaData(x[::stride], m[::stride] / scale)
        start = _minimize(objective(sub, len(x[::stride])), np.zeros(3), what, hint).x
        polished = _newton_polish(evaluate, start)
        if polished is None:
            res = _minimize(objective(data, n), start, what, hint)
            log_params, mean_ll = res.x, -res.fun
        else:
            log_params, mean_ll = polished
            if np.any(np.abs(log_params) > _LOG_PLAUSIBLE):
                raise NotEnoughData(i18n.t("the {what} could not find sensible values: a parameter ran off to "
                                           "zero or infinity; {hint}", what=what, hint=hint))
        p, q, g = np.exp(log_params)
        g *= scale
        if q <= 1:
            raise NotEnoughData(i18n.t(
                "spend varies too wildly between customers for the spend model to give "
                "an average (its q parameter is below 1)"
            ))
        self.params_ = {"p": float(p), "q": float(q), "gamma": float(g)}
        self.loglik_ = float(mean_ll * n - np.log(scale) * n)  # density of m, not of m / scale
        self.n_customers_ = int(len(x))
        return self

    def _p(self):
        _check_fitted(self)
        return self.params_["p"], self.params_["q"], self.params_["gamma"]

    @property
    def summary(self) -> pd.DataFrame:
        _check_fitted(self)
        return pd.DataFrame({"estimate": pd.Series(self.params_)})

    def mean_spend(self) -> float:
        """Population mean spend per transaction, E[M] = pγ/(q-1)."""
        p, q, g = self._p()
        return p * g / (q - 1.0)

    def conditional_expected_average_spend(self, x, m):
        """E[M | x, m] = (γ + m x) p / (p x + q - 1) (Fader & Hardie 2013 note; Fader, Hardie
        & Lee 2005 JMR): a
        weighted average of the population mean and the customer's own average, the
        customer's weight growing with x. For x = 0 this is the population mean."""
        p, q, g = self._p()
        x, m = _as_float_arrays(x, m)
        m = np.where(x > 0, m, 0.0)
        return (g + m * x) * p / (p * x + q - 1.0)
