"""Customer lifetime value: the BG/NBD purchase model and the Gamma-Gamma spend model.

NumPy/SciPy only. Time is in whatever unit the caller's frequency/recency/T use (the
app uses weeks, as the papers do).

* BG/NBD: Fader, Hardie & Lee (2005), "'Counting your customers' the easy way: an
  alternative to the Pareto/NBD model", Marketing Science 24(2), 275-284.
* P(alive): Fader, Hardie & Lee (2008), "Computing P(alive) using the BG/NBD model",
  note 021 at brucehardie.com.
* Gamma-Gamma: Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for
  customer base analysis", JMR 42(4), 415-430; Fader & Hardie (2013), "The Gamma-Gamma
  model of monetary value", note 025 at brucehardie.com.

Fitting is maximum likelihood with an analytic gradient, in log-parameter space
(L-BFGS-B; the spend model finishes with Newton steps on its analytic Hessian).
Customers with identical (x, t_x, T) are fitted as one weighted row and the terms that
depend only on x (or only on t_x, or T) are computed once per distinct value, so a
million customers fit in about a second, some 25x faster than ``lifetimes`` with the
same log-likelihood (``benchmarks/bench_clv.py``).

Size: BG/NBD, Gamma-Gamma and the shared optimiser helpers the rival models in this
package import; due to split into bgnbd.py, gamma_gamma.py and fitting.py once the NBD
fallback of issue 17 has landed beside them (both change these helpers).
"""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import digamma, expit, gammaln, hyp2f1, polygamma

from analysis import i18n
from analysis.errors import NotEnoughData

DAYS_PER_MONTH = 365.25 / 12

# Optimiser box, in log-parameter space on data rescaled to order 1. A parameter that ends
# beyond 1e-4 .. 1e4 has run off towards zero or infinity (the likelihood is flat there, so
# the optimiser may stop before the box) and the fit is refused.
_LOG_BOUND = np.log(1e6)
_LOG_PLAUSIBLE = np.log(1e4)


class NotFittedError(RuntimeError):
    """A model was used before ``fit``."""


class DropoutNotIdentified(NotEnoughData):
    """The purchase model found no sign that customers stop buying: its dropout parameters
    ran to the boundary where nobody ever lapses (BG/NBD and MBG/NBD a -> 0 or b -> inf,
    Pareto/NBD s -> 0 or beta -> inf). Typical of a short history of a busy shop. The model
    without dropout (NBD, :class:`analysis.predict.nbd.NBDModel`) is the limit the fit ran to,
    so a caller falls back to it; P(alive) cannot be estimated from such a history."""


def _as_float_arrays(*values):
    arrays = [np.asarray(v, dtype=float) for v in values]
    return np.broadcast_arrays(*arrays)


def _check_fitted(model) -> None:
    if getattr(model, "params_", None) is None:
        raise NotFittedError(f"{type(model).__name__} is not fitted yet: call fit(...) first")


def _one_blas_thread():
    """L-BFGS-B on 3-4 parameters makes many tiny BLAS calls; on a busy machine BLAS
    worker threads make each one take milliseconds. threadpoolctl comes with scikit-learn."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _minimize(objective, start, what: str, hint: str, dropout_gone=None):
    """L-BFGS-B in log-parameters; refuses (NotEnoughData) when a parameter runs off towards
    zero or infinity or the optimiser does not settle. ``dropout_gone(params)``, given the
    parameters (not their logs), says whether such a run-off is the dropout process vanishing:
    then the refusal is :class:`DropoutNotIdentified`, raised as soon as an iterate gets there
    (following the likelihood's flat ridge to the boundary is slow, and only leads to it). A
    fit that settles just short of the run-off bounds with the dropout gone is refused the
    same way: its P(alive) would be 100% for everyone, which the data did not show."""
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * len(start)

    last = [np.inf]

    def stop_when_dropout_gone(intermediate_result):
        # on the flat ridge only: an early long step may overshoot the bounds and come back
        x, value = intermediate_result.x, float(intermediate_result.fun)
        flat = abs(last[0] - value) <= 1e-9 * max(1.0, abs(value))
        last[0] = value
        if flat and np.all(np.isfinite(x)) and np.any(np.abs(x) > _LOG_PLAUSIBLE) and dropout_gone(np.exp(x)):
            raise StopIteration

    with _one_blas_thread():
        res = minimize(
            objective,
            np.asarray(start, float),
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-10},
            callback=None if dropout_gone is None else stop_when_dropout_gone,
        )
    if np.all(np.isfinite(res.x)) and dropout_gone is not None and dropout_gone(np.exp(res.x)):
        raise DropoutNotIdentified(i18n.t(
            "the {what} found no sign that customers stop buying: its dropout parameter ran "
            "off to zero or infinity, so nobody in this history looks lapsed", what=what
        ))
    if np.all(np.isfinite(res.x)) and np.any(np.abs(res.x) > _LOG_PLAUSIBLE):
        raise NotEnoughData(i18n.t(
            "the {what} could not find sensible values: a parameter ran off to "
            "zero or infinity; {hint}", what=what, hint=hint
        ))
    # L-BFGS-B may stop with "ABNORMAL" line searches at the optimum, where the objective
    # is flat to machine precision; a vanishing gradient is what counts.
    grad_ok = res.jac is not None and np.max(np.abs(res.jac)) < 1e-5
    if not (res.success or grad_ok) or not np.all(np.isfinite(res.x)):
        raise NotEnoughData(i18n.t(
            "the {what} did not settle on an answer ({message}); the data may be too "
            "small or too unusual for it", what=what, message=res.message
        ))
    return res


def _newton_polish(evaluate, log_start, max_iter: int = 30, tol: float = 1e-10):
    """Newton's method with step halving on a mean log-likelihood in log-parameters;
    ``evaluate(phi)`` returns (mean LL, gradient, Hessian). Returns (phi, mean LL), or
    None when the Hessian is not negative definite or no ascent is found (the caller
    falls back to L-BFGS-B)."""
    phi = np.asarray(log_start, float)
    ll, g, h = evaluate(phi)
    with _one_blas_thread():
        for _ in range(max_iter):
            if np.max(np.abs(g)) < tol:
                return phi, ll
            try:
                np.linalg.cholesky(-h)
                step = np.linalg.solve(h, -g)
            except np.linalg.LinAlgError:
                return None
            t = 1.0
            while True:
                new = phi + t * step
                if np.all(np.abs(new) <= _LOG_BOUND):
                    ll_new, g_new, h_new = evaluate(new)
                    if np.isfinite(ll_new) and ll_new >= ll - 1e-15 * abs(ll):
                        break
                t /= 2
                if t < 1e-6:
                    return None
            phi, ll, g, h = new, ll_new, g_new, h_new
    return (phi, ll) if np.max(np.abs(g)) < 1e-7 else None


# --------------------------------------------------------------------------------------
# BG/NBD
# --------------------------------------------------------------------------------------
def _codes(values: np.ndarray):
    """Distinct values and, for each element, the index of its value."""
    codes, uniques = pd.factorize(values, sort=False)
    return codes.astype(np.int64), np.asarray(uniques, float)


def _sum(values) -> float:
    # (a * b).sum() rather than np.dot: BLAS threads stall on a busy machine
    return float(np.sum(values))


class _Histories:
    """Customers' (x, t_x, T) histories prepared for many likelihood evaluations: identical
    rows merged into weighted rows, with codes into the distinct t_x and T values so that
    terms depending on one of them only are evaluated once per value. With ``split_once``,
    one-time buyers are kept apart as one weight per T (``w_once_T``), for models in which
    their likelihood depends on T alone (BG/NBD); otherwise they are rows like the others.

    Rows: ``x`` (``ux[xi]``), ``w``, ``txi`` and ``Ti`` (codes into ``utx`` and ``uT``)."""

    def __init__(self, x, t_x, T, weights=None, split_once: bool = True):
        x, t_x, T = (np.asarray(v, float).ravel() for v in (x, t_x, T))
        w = np.ones_like(x) if weights is None else np.asarray(weights, float).ravel()
        ctx, self.utx = _codes(t_x)
        cT, self.uT = _codes(T)
        cx = x.astype(np.int64)  # whole numbers of repeat purchases: their own code
        key = (cx * len(self.utx) + ctx) * len(self.uT) + cT
        row, _ = _codes(key)
        n_rows = int(row.max()) + 1 if row.size else 0
        first = np.empty(n_rows, dtype=np.int64)
        first[row[::-1]] = np.arange(len(row) - 1, -1, -1)
        rw = np.bincount(row, weights=w, minlength=n_rows)
        rx, rtx, rT = x[first], ctx[first], cT[first]

        once = (rx == 0) if split_once else np.zeros(n_rows, dtype=bool)
        self.w_once_T = np.bincount(rT[once], weights=rw[once], minlength=len(self.uT))
        rep = ~once
        self.ux, self.xi = np.unique(rx[rep], return_inverse=True)
        self.w = rw[rep]
        self.w_x = np.bincount(self.xi, weights=self.w, minlength=len(self.ux))
        self.txi, self.Ti = rtx[rep], rT[rep]
        self.n_rows = n_rows


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


class _PurchaseModel:
    """What the purchase models (BG/NBD here; MBG/NBD, Pareto/NBD and NBD in
    :mod:`analysis.predict`) share: the settings, the checks and refusals, and the maximum
    likelihood fit on the distinct histories, in log-parameters, with time rescaled so the
    largest age is 10 (the parameters in time units, ``_time_params``, are scaled back).

    A subclass names its parameters (``_names``, as in its paper), its model for messages
    (``_what``), and gives ``_prepare(x, t_x, T, w)`` -> an object whose
    ``loglik(params, with_grad)`` returns the total log-likelihood (and its gradient) on the
    rescaled time axis, and ``_dropout_gone(params)`` (rescaled parameters) -> whether a
    parameter that ran off means the dropout process vanished (:class:`DropoutNotIdentified`).
    """

    _names: tuple[str, ...] = ()
    _time_params: tuple[str, ...] = ("alpha",)
    _what = i18n.N_("purchase model (BG/NBD)")
    _hint = i18n.N_("this happens when customers look too much alike, e.g. hardly anyone seems to "
                    "have stopped buying, or the purchase history is very short")
    _needs_one_time_buyers = False
    #: whether the model has a dropout process, hence a P(alive)
    has_dropout = True

    def __init__(self, min_customers: int = 50, min_repeat_customers: int = 30):
        self.min_customers = min_customers
        self.min_repeat_customers = min_repeat_customers

    def _prepare(self, x, t_x, T, w):  # pragma: no cover - every model defines it
        raise NotImplementedError

    def _dropout_gone(self, params) -> bool:
        return False

    # -- fitting --------------------------------------------------------------------
    def fit(self, frequency, recency, T, weights=None):
        """Maximise the model's log-likelihood over the customers' histories (frequency x,
        recency t_x, age T; ``weights``: how many customers share each row); sets
        ``params_``, ``loglik_`` (on the caller's time axis), ``n_customers_``, ``n_repeat_``."""
        x, t_x, T = _as_float_arrays(frequency, recency, T)
        x, t_x, T = x.ravel(), t_x.ravel(), T.ravel()
        w = np.ones_like(x) if weights is None else np.asarray(weights, float).ravel()
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(t_x)) and np.all(np.isfinite(T))):
            raise ValueError("frequency, recency and T must be finite numbers")
        if np.any(x < 0) or np.any(t_x < 0) or np.any(t_x > T + 1e-9) or np.any((x == 0) & (t_x > 0)):
            raise ValueError("need 0 <= recency <= T, and recency 0 when frequency is 0")
        if np.any(x != np.round(x)):
            raise ValueError("frequency must be a whole number of repeat purchases")

        n = float(w.sum())
        n_repeat = float(w[x > 0].sum())
        if n < self.min_customers:
            raise NotEnoughData(i18n.t(
                "only {n:.0f} customers; at least {need} are needed to fit "
                "the purchase model", n=n, need=self.min_customers
            ))
        if n_repeat < self.min_repeat_customers:
            raise NotEnoughData(i18n.t(
                "only {n:.0f} repeat customers; at least {need} "
                "are needed to fit the purchase model", n=n_repeat, need=self.min_repeat_customers
            ))
        if self._needs_one_time_buyers and n_repeat == n:
            raise NotEnoughData(i18n.t(
                "every customer has bought more than once, so the purchase model cannot "
                "separate new customers from regulars; add customers who bought once"
            ))

        # Rescale time so the largest age is 10: α (and β) scale with time, the others do not.
        scale = float(T.max()) / 10.0 if T.max() > 0 else 1.0
        data = self._prepare(x, t_x / scale, T / scale, w)

        def objective(log_params):
            ll, grad = data.loglik(np.exp(log_params), with_grad=True)
            return -ll / n, -grad * np.exp(log_params) / n

        res = _minimize(objective, np.zeros(len(self._names)), i18n.t(self._what), i18n.t(self._hint),
                        dropout_gone=self._dropout_gone)
        values = np.exp(res.x)
        self.params_ = {
            name: float(v * scale if name in self._time_params else v) for name, v in zip(self._names, values)
        }
        # the time rescaling shifts the log-likelihood by -ln(scale) per repeat purchase
        self.loglik_ = float(-res.fun * n - np.log(scale) * float((w * x).sum()))
        self.n_customers_ = int(round(n))
        self.n_repeat_ = int(round(n_repeat))
        self.n_iter_ = int(res.nit)
        return self

    def _p(self):
        _check_fitted(self)
        return tuple(self.params_[name] for name in self._names)

    @property
    def summary(self) -> pd.DataFrame:
        _check_fitted(self)
        return pd.DataFrame({"estimate": pd.Series(self.params_)})


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


# --------------------------------------------------------------------------------------
# Gamma-Gamma
# --------------------------------------------------------------------------------------
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
    ``analysis.predict.clv_data.customer_clv``)."""

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


# --------------------------------------------------------------------------------------
# CLV
# --------------------------------------------------------------------------------------
def discounted_expected_purchases(
    model,
    x,
    t_x,
    T,
    horizon_months: int = 12,
    annual_discount: float = 0.10,
    unit_days: float = 7.0,
):
    """Σ_{k=1..H} [E(Y(k m)) - E(Y((k-1) m))] / (1+d)^k, with E(Y(.)) the fitted purchase
    model's conditional expectation (eq. 10 for BG/NBD), m = one month in the model's time
    unit, and d = (1 + annual_discount)^(1/12) - 1 the monthly rate: each month's expected
    purchases are discounted as if made at its end. Any purchase model of
    :mod:`analysis.predict.clv` or :mod:`analysis.predict` serves, with or without dropout."""
    x, t_x, T = _as_float_arrays(x, t_x, T)
    month = DAYS_PER_MONTH / unit_days
    monthly = (1.0 + annual_discount) ** (1.0 / 12.0) - 1.0
    total = np.zeros(np.shape(x))
    previous = np.zeros(np.shape(x))
    # P(alive) does not depend on the horizon: computed once (no such thing without dropout)
    alive = {"alive": model.p_alive(x, t_x, T)} if model.has_dropout else {}
    for k in range(1, int(horizon_months) + 1):
        cumulative = model.conditional_expected_purchases(k * month, x, t_x, T, **alive)
        total = total + (cumulative - previous) / (1.0 + monthly) ** k
        previous = cumulative
    return total


def clv(
    model,
    x,
    t_x,
    T,
    expected_spend,
    horizon_months: int = 12,
    margin: float = 0.3,
    annual_discount: float = 0.10,
    unit_days: float = 7.0,
):
    """Customer lifetime value over ``horizon_months``:
    CLV = margin x expected spend per purchase x discounted expected purchases, the
    monthly discrete-time version of the discounted expected transactions x expected spend
    of Fader, Hardie & Lee (2005, JMR); see :func:`discounted_expected_purchases`."""
    dep = discounted_expected_purchases(model, x, t_x, T, horizon_months, annual_discount, unit_days)
    return margin * np.asarray(expected_spend, float) * dep
