"""The Pareto/NBD model: Schmittlein, Morrison & Colombo (1987), "Counting your customers:
who are they and what will they do next?", Management Science 33(1), 1-24; likelihood,
P(alive) and conditional expectation as in Fader & Hardie (2005), "A note on deriving the
Pareto/NBD model and related expressions", note 009 at brucehardie.com; the probability of
no purchase from Fader & Hardie's note 028 ("Deriving the conditional PMF of the Pareto/NBD
model", eq. 16 with n = 0).

While alive a customer buys at a Poisson rate λ ~ Gamma(r, α) and dies at an exponential
rate μ ~ Gamma(s, β), at any time (BG/NBD only lets customers leave right after a purchase).
With x repeat purchases, the last at t_x, and age T (time since the first purchase):

    L = Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^-(r+x) (β+T)^-s  +  s/(r+s+x) · A0 ]
    A0 = F(t_x) - F(T),  F(t) = (r+s+x) ∫_t^∞ (α+τ)^-(r+x) (β+τ)^-(s+1) dτ

(note 009, eqs. 18-20 as cited by ``lifetimes``). F is written with a Gauss hypergeometric
function, 2F1(r+s+x, s+1; r+s+x+1; (α-β)/(α+t)) / (α+t)^(r+s+x) when α >= β and the mirrored
form when α < β, which keeps the argument in [0, 1). Euler's transformation turns it into
2F1(1, q; q+p; z) with q, p > 0: the mean of 1/(1 - z u) over u ~ Beta(q, p), which lies
between 1 and 1/(1 - z), so its logarithm never overflows (the direct form does for frequent
buyers). SciPy's ``hyp2f1`` evaluates it; where it fails (NaN for large q with z near 1) or
leaves those bounds, the same mean is integrated numerically.

Fitting: as BG/NBD (``analysis.predict.clv``), on distinct histories; the hypergeometric terms are
evaluated once per distinct (x, t_x) and (x, T) pair (a few thousand for a million customers
with whole-day times). The gradient is analytic except for the derivatives of that 2F1 with
respect to its parameters, which have no closed form: central differences.
"""

from __future__ import annotations

import contextlib
import contextvars

import numpy as np
from scipy import integrate
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

from analysis import i18n
from analysis.errors import NotEnoughData
from analysis.predict.fitting import _as_float_arrays, _codes, _Histories, _PurchaseModel, _sum

_STEP = 1e-5  # relative step of the central differences

# Histories whose Gauss hypergeometric series cannot be trusted are integrated numerically, one
# customer history at a time (_log_mean_quad): exact, but a fit that needs it on every iteration
# can take minutes. The automatic model choice fits Pareto/NBD under a budget of such
# integrations (a count, so the choice is the same on every machine); asked for by name, the
# model has no budget.
_QUADRATURE_BUDGET: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("quadrature_budget",
                                                                                    default=None)
QUADRATURE_BUDGET = 2_000


class TooSlowToFit(NotEnoughData):
    """Pareto/NBD would need more numerical integrations than its budget allows."""


@contextlib.contextmanager
def quadrature_budget(limit: int = QUADRATURE_BUDGET):
    """Within this block, fitting Pareto/NBD refuses (:class:`TooSlowToFit`) once it has needed
    more than ``limit`` numerical integrations."""
    token = _QUADRATURE_BUDGET.set([limit])
    try:
        yield
    finally:
        _QUADRATURE_BUDGET.reset(token)


# --------------------------------------------------------------------------------------
# The hypergeometric term
# --------------------------------------------------------------------------------------
def _softplus(v):
    return np.logaddexp(0.0, v)


def _log_mean_quad(q: float, p: float, ell: float) -> float:
    """ln E[1/(1 - z u)], u ~ Beta(q, p), z = 1 - e^ell, by adaptive quadrature over
    y = logit(u): ∫ exp(q y - (q+p-1) softplus(y) - softplus(y+ell)) dy / B(q, p). The
    integrand is log-concave; the pieces are split at its mode and where its slope changes."""
    c1 = q + p - 1.0

    def log_f(y):
        return q * y - c1 * _softplus(y) - _softplus(y + ell)

    lo, hi = -800.0, 800.0
    for _ in range(100):  # the mode: log_f' = q - c1 σ(y) - σ(y+ell) decreases
        mid = 0.5 * (lo + hi)
        if q - c1 * expit(mid) - expit(mid + ell) > 0:
            lo = mid
        else:
            hi = mid
    mode = 0.5 * (lo + hi)
    top = log_f(mode)
    bend = max(mode, -ell)
    cuts = [mode - 40.0 / q - 10.0, mode, bend, bend + 40.0 / p + 10.0]
    edges = [-np.inf, *cuts, np.inf]
    total = 0.0
    for a, b in zip(edges[:-1], edges[1:]):
        if b > a:
            # full_output: a roundoff note comes back in the result instead of a warning on the server log
            total += integrate.quad(lambda y: np.exp(log_f(y) - top), a, b, epsabs=0.0, epsrel=1e-12, limit=500,
                                    full_output=1)[0]
    return float(top + np.log(total) - betaln(q, p))


def _log_mean(q, p, ell):
    """ln 2F1(1, q; q+p; z), z = 1 - e^ell (= ln E[1/(1 - z u)], u ~ Beta(q, p)), elementwise."""
    q, p, ell = np.broadcast_arrays(*(np.asarray(v, float) for v in (q, p, ell)))
    shape = q.shape
    q, p, ell = q.ravel(), p.ravel(), ell.ravel()
    with np.errstate(all="ignore"):
        out = np.log(hyp2f1(1.0, q, q + p, -np.expm1(ell)))
        # the mean lies between 1 and 1/(1-z) = e^-ell
        slack = 1e-12 * (1.0 + np.abs(ell))
        bad = ~np.isfinite(out) | (out < np.minimum(0.0, -ell) - slack) | (out > np.maximum(0.0, -ell) + slack)
    slow = np.flatnonzero(bad)
    budget = _QUADRATURE_BUDGET.get()
    if budget is not None and len(slow):
        budget[0] -= len(slow)
        if budget[0] < 0:
            raise TooSlowToFit(i18n.t(
                "Pareto/NBD needs slow numerical integration for these purchase histories, so the automatic "
                "choice leaves it out; ask for it by name (--clv-model paretonbd) to fit it anyway."))
    for i in slow:
        out[i] = _log_mean_quad(float(q[i]), float(p[i]), float(ell[i]))
    return out.reshape(shape)


def _log_mean_partials(q, p, ell):
    """d/dq, d/dp, d/dell of :func:`_log_mean` by central differences (no closed form for
    the parameter derivatives of 2F1)."""
    hq, hp = _STEP * q, _STEP * p
    he = _STEP * np.maximum(np.abs(ell), 1e-2)
    d_q = (_log_mean(q + hq, p, ell) - _log_mean(q - hq, p, ell)) / (2 * hq)
    d_p = (_log_mean(q, p + hp, ell) - _log_mean(q, p - hp, ell)) / (2 * hp)
    d_e = (_log_mean(q, p, ell + he) - _log_mean(q, p, ell - he)) / (2 * he)
    return d_q, d_p, d_e


def _log_F(params, x, t, with_grad: bool = False):
    """ln F(t) of the module docstring for customers with x repeat purchases, elementwise
    over (x, t); with ``with_grad`` also (d/dr, d/dα, d/ds, d/dβ).

    α >= β: ln F = -s ln(β+t) - (r+x) ln(α+t) + ln 2F1(1, r+x; r+s+x+1; 1-(β+t)/(α+t));
    α < β:  ln F = -(r+x-1) ln(α+t) - (s+1) ln(β+t) + ln 2F1(1, s+1; r+s+x+1; 1-(α+t)/(β+t)).
    """
    r, alpha, s, beta = (float(v) for v in params)
    x, t = (np.asarray(v, float) for v in (x, t))
    log_at, log_bt = np.log(alpha + t), np.log(beta + t)
    ones = np.ones(np.broadcast(x, t).shape)
    if alpha >= beta:
        q, p, ell = r + x * ones, (s + 1.0) * ones, log_bt - log_at
        base = -s * log_bt - (r + x) * log_at
    else:
        q, p, ell = (s + 1.0) * ones, r + x * ones, log_at - log_bt
        base = -(r + x - 1.0) * log_at - (s + 1.0) * log_bt
    value = base + _log_mean(q, p, ell)
    if not with_grad:
        return value
    g_q, g_p, g_e = _log_mean_partials(q, p, ell)
    at, bt = alpha + t, beta + t
    if alpha >= beta:
        grad = (-log_at + g_q, (-(r + x) - g_e) / at, -log_bt + g_p, (-s + g_e) / bt)
    else:
        grad = (-log_at + g_p, (-(r + x - 1.0) + g_e) / at, -log_bt + g_q, (-(s + 1.0) - g_e) / bt)
    return value, grad


def _distinct(*columns):
    """Codes of the distinct rows of ``columns`` (the first holds whole numbers, x) and those
    rows' values, column by column."""
    key = columns[0].astype(np.int64)
    for column in columns[1:]:
        code, unique = _codes(column)
        key = key * len(unique) + code
    code, _ = _codes(key)
    first = np.zeros(int(code.max()) + 1 if code.size else 0, dtype=np.int64)
    first[code[::-1]] = np.arange(len(code) - 1, -1, -1)
    return code, [column[first] for column in columns]


def _log_F_rows(params, x, t):
    """:func:`_log_F` per row, computed once per distinct (x, t)."""
    x, t = (v.ravel() for v in np.broadcast_arrays(np.asarray(x, float), np.asarray(t, float)))
    code, (px, pt) = _distinct(x, t)
    return _log_F(params, px, pt)[code]


def _log_terms(params, x, t_x, T, log_F1=None):
    """Per customer: u = ln of the 'alive at T' term, v = ln of the 'died in (t_x, T]' term of
    the likelihood, without the common factor Γ(r+x)α^r β^s/Γ(r). ``log_F1``: ln F(t_x)."""
    r, alpha, s, beta = params
    x, t_x, T = (v.ravel() for v in _as_float_arrays(x, t_x, T))
    u = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    l1 = _log_F_rows(params, x, t_x) if log_F1 is None else log_F1
    l2 = _log_F_rows(params, x, T)
    with np.errstate(divide="ignore"):
        log_a0 = l1 + np.log(-np.expm1(np.minimum(l2 - l1, 0.0)))  # -inf when t_x = T: A0 = 0
    v = np.log(s) - np.log(r + s + x) + log_a0
    return u, v


# --------------------------------------------------------------------------------------
# Likelihood
# --------------------------------------------------------------------------------------
class _ParetoNBDData(_Histories):
    """Pareto/NBD data prepared for many likelihood evaluations: distinct histories as
    weighted rows (:class:`analysis.predict.fitting._Histories`, one-time buyers included as rows: one
    per T), with codes into the distinct (x, t_x) and (x, T) pairs, where F is evaluated."""

    def __init__(self, x, t_x, T, weights=None):
        super().__init__(x, t_x, T, weights, split_once=False)
        x_row = self.ux[self.xi]
        self.x_row = x_row
        self.p1, (self.p1_x, self.p1_t) = _distinct(x_row, self.utx[self.txi])
        self.p2, (self.p2_x, self.p2_t) = _distinct(x_row, self.uT[self.Ti])
        self.n = _sum(self.w)

    def loglik(self, params, with_grad: bool = False):
        r, alpha, s, beta = (float(v) for v in params)
        ux, xi, w, Ti = self.ux, self.xi, self.w, self.Ti
        log_alpha, log_beta = np.log(alpha), np.log(beta)
        a1_x = gammaln(r + ux) - gammaln(r) + r * log_alpha + s * log_beta
        k = r + s + self.x_row
        at_T, bt_T = alpha + self.uT, beta + self.uT
        u = -(r + self.x_row) * np.log(at_T)[Ti] - s * np.log(bt_T)[Ti]
        if with_grad:
            f1, g1 = _log_F(params, self.p1_x, self.p1_t, with_grad=True)
            f2, g2 = _log_F(params, self.p2_x, self.p2_t, with_grad=True)
        else:
            f1, f2 = _log_F(params, self.p1_x, self.p1_t), _log_F(params, self.p2_x, self.p2_t)
        l1, l2 = f1[self.p1], f2[self.p2]
        gap = np.minimum(l2 - l1, 0.0)  # ln(F(T)/F(t_x)) <= 0
        with np.errstate(divide="ignore"):
            one_minus = -np.expm1(gap)  # 1 - F(T)/F(t_x), 0 when t_x = T
            v = np.log(s) - np.log(k) + l1 + np.log(one_minus)
        mix = np.logaddexp(u, v)
        ll = _sum(self.w_x * a1_x) + _sum(w * mix)
        if not with_grad:
            return ll

        died = w * np.exp(v - mix)  # weight on "died in (t_x, T]"
        alive = w - died
        ratio = np.exp(gap)
        live = died > 0
        d_a0 = []
        for g1_i, g2_i in zip(g1, g2):  # d ln A0 = (dl1 - ratio dl2) / (1 - ratio)
            d = np.zeros_like(l1)
            d[live] = (g1_i[self.p1][live] - ratio[live] * g2_i[self.p2][live]) / one_minus[live]
            d_a0.append(d)
        n = self.n
        d_r = (_sum(self.w_x * (digamma(r + ux) - digamma(r) + log_alpha))
               - _sum(alive * np.log(at_T)[Ti]) + _sum(died * (d_a0[0] - 1.0 / k)))
        d_alpha = n * r / alpha - _sum(alive * (r + self.x_row) / at_T[Ti]) + _sum(died * d_a0[1])
        d_s = (n * log_beta - _sum(alive * np.log(bt_T)[Ti])
               + _sum(died * (1.0 / s - 1.0 / k + d_a0[2])))
        d_beta = n * s / beta - _sum(alive * s / bt_T[Ti]) + _sum(died * d_a0[3])
        return ll, np.array([d_r, d_alpha, d_s, d_beta])


def paretonbd_loglik(params, x, t_x, T, weights=None, with_grad: bool = False):
    """Total Pareto/NBD log-likelihood (module docstring; note 009), ``params`` =
    (r, alpha, s, beta). With ``with_grad`` also the gradient d LL / d(r, alpha, s, beta)."""
    return _ParetoNBDData(x, t_x, T, weights).loglik(params, with_grad)


# --------------------------------------------------------------------------------------
# The estimator
# --------------------------------------------------------------------------------------
class ParetoNBDModel(_PurchaseModel):
    """Pareto/NBD model of repeat purchasing (Schmittlein, Morrison & Colombo 1987).

    Same shape and API as :class:`analysis.predict.bgnbd.BetaGeoModel`: ``fit(frequency, recency, T,
    weights=None)`` maximises :func:`paretonbd_loglik` and sets ``params_`` (``r``, ``alpha``,
    ``s``, ``beta``), ``loglik_``, ``n_customers_``; refusals are
    :class:`~analysis.errors.NotEnoughData`, and :class:`analysis.predict.fitting.DropoutNotIdentified`
    when the dropout runs to the boundary (s -> 0 or β -> inf: nobody looks lapsed).
    """

    _names = ("r", "alpha", "s", "beta")
    _time_params = ("alpha", "beta")
    _what = i18n.N_("purchase model (Pareto/NBD)")

    def _prepare(self, x, t_x, T, w):
        return _ParetoNBDData(x, t_x, T, w)

    def _dropout_gone(self, params) -> bool:
        """Nearly everyone would still be alive at the oldest age: (β/(β+10))^s > 0.999 on
        the rescaled time axis."""
        s, beta = params[2], params[3]
        return bool(s * np.log1p(10.0 / beta) < 1e-3)

    def p_alive(self, x, t_x, T):
        """P(alive | x, t_x, T) = 1 / (1 + s/(r+s+x) (α+T)^(r+x) (β+T)^s A0) (note 009)."""
        params = self._p()
        shape = np.broadcast(*(np.asarray(v) for v in (x, t_x, T))).shape
        u, v = _log_terms(params, x, t_x, T)
        return expit(u - v).reshape(shape)

    def conditional_expected_purchases(self, t, x, t_x, T, alive=None):
        """Expected purchases in (T, T+t]:
        (r+x)(β+T) / ((α+T)(s-1)) [1 - ((β+T)/(β+T+t))^(s-1)] P(alive) (note 009, eq. 41 as
        cited by ``lifetimes``); for s = 1 the bracket over (s-1) is its limit ln((β+T+t)/(β+T)).
        ``alive``: :meth:`p_alive` of the same histories, when already computed."""
        r, alpha, s, beta = self._p()
        t, x, t_x, T = _as_float_arrays(t, x, t_x, T)
        grow = np.log1p(t / (beta + T))
        sm1 = s - 1.0
        per_rate = -np.expm1(-sm1 * grow) / sm1 if abs(sm1) > 1e-12 else grow
        value = (r + x) * (beta + T) / (alpha + T) * per_rate
        return value * (self.p_alive(x, t_x, T) if alive is None else alive)

    def expected_purchases(self, t):
        """Expected repeat purchases in (0, t] of a customer who has just made a first
        purchase: rβ/(α(s-1)) [1 - (β/(β+t))^(s-1)] (note 009), the conditional expectation
        at x = t_x = T = 0, where P(alive) = 1."""
        t = np.asarray(t, float)
        zero = np.zeros_like(t)
        return self.conditional_expected_purchases(t, zero, zero, zero, alive=1.0)

    def prob_no_purchase(self, t, x, t_x, T):
        """Churn: P(no purchase in (T, T+t] | x, t_x, T) = L(x, t_x, T+t) / L(x, t_x, T): the
        history followed by t without a purchase has the same likelihood with T+t for T (note
        028, eq. 16 with n = 0, reduces to it)."""
        params = self._p()
        t, x, t_x, T = _as_float_arrays(t, x, t_x, T)
        shape = x.shape
        log_F1 = _log_F_rows(params, x.ravel(), t_x.ravel())
        now = np.logaddexp(*_log_terms(params, x, t_x, T, log_F1))
        later = np.logaddexp(*_log_terms(params, x, t_x, T + t, log_F1))
        return np.exp(np.minimum(later - now, 0.0)).reshape(shape)

    def prob_purchase_within(self, w, x, t_x, T):
        """Chance that the customer buys again within ``w``: 1 - :meth:`prob_no_purchase`."""
        return 1.0 - self.prob_no_purchase(w, x, t_x, T)

    def time_to_next_purchase(self, x, t_x, T, chance: float = 0.5, max_wait: float | None = None):
        """Time from T until the chance of a next purchase reaches ``chance`` (the "expected
        next purchase" of :meth:`analysis.predict.bgnbd.BetaGeoModel.time_to_next_purchase`); ``inf``
        when it never does: a customer who may be gone, or may die before buying, has a chance
        of ever buying again 1 - s/(r+s+x) F(t_x) / (the bracket of L), which can stay below
        ``chance``. No closed form: bisection on ln w over each distinct history (40 halvings,
        about 1e-10 relative). ``max_wait``: give ``inf`` beyond it too, and search only below."""
        params = self._p()
        x, t_x, T = _as_float_arrays(x, t_x, T)
        shape = x.shape
        code, (hx, htx, hT) = _distinct(x.ravel(), t_x.ravel(), T.ravel())
        log_F1 = _log_F_rows(params, hx, htx)
        now = np.logaddexp(*_log_terms(params, hx, htx, hT, log_F1))
        r, alpha, s, beta = params
        ever = -np.expm1(np.log(s) - np.log(r + s + hx) + log_F1 - now)  # chance of ever buying again

        def chance_within(w):
            later = np.logaddexp(*_log_terms(params, hx, htx, hT + w, log_F1))
            return -np.expm1(np.minimum(later - now, 0.0))

        reach = ever > chance
        if max_wait is None:
            hi = alpha + beta + hT
            for _ in range(100):  # widen until the chance is reached
                short = reach & (chance_within(hi) < chance)
                if not short.any():
                    break
                hi = np.where(short, hi * 4.0, hi)
        else:
            hi = np.full(len(hx), float(max_wait))
            reach &= chance_within(hi) >= chance
        log_lo, log_hi = np.log(hi) - 60.0, np.log(hi)
        for _ in range(40):
            mid = 0.5 * (log_lo + log_hi)
            above = chance_within(np.exp(mid)) >= chance
            log_hi, log_lo = np.where(above, mid, log_hi), np.where(above, log_lo, mid)
        return np.where(reach, np.exp(log_hi), np.inf)[code].reshape(shape)
