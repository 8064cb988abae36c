"""Customer lifetime value from a fitted purchase model and a spend per purchase: the
discounted expected transactions x expected spend of Fader, Hardie & Lee (2005, JMR), in
monthly discrete time. The models themselves: :mod:`.bgnbd` (BG/NBD), :mod:`.gamma_gamma`
(Gamma-Gamma), and the rivals of :mod:`analysis.predict`.
"""

from __future__ import annotations

import numpy as np

from analysis.predict.fitting import _as_float_arrays

DAYS_PER_MONTH = 365.25 / 12


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
