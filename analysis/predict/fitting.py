"""What the purchase and spend models of :mod:`analysis.predict` share: the refusals
(:class:`DropoutNotIdentified`, :class:`NotFittedError`), the maximum likelihood optimiser
(L-BFGS-B in log-parameter space with an analytic gradient, finished by Newton steps where a
Hessian is known), the customers' histories merged into weighted rows, and the base class of
the purchase models (settings, checks and the fit on the distinct histories).

Customers with identical (x, t_x, T) are fitted as one weighted row and the terms that depend
only on x (or only on t_x, or T) are computed once per distinct value, so a million customers
fit in about a second, some 25x faster than ``lifetimes`` with the same log-likelihood
(``benchmarks/bench_clv.py``).
"""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from analysis import i18n
from analysis.errors import NotEnoughData

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
