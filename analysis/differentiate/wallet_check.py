"""How good the wallet estimate is on the user's own data (issue 18): where wallets are
given, each one is estimated as if unknown (k-fold cross-validation when the model trains on
them; directly when it trains on revenue, since then the given wallets never enter the fit)
and compared with the customer's own best year of revenue as the naive wallet: median
absolute percentage error and Spearman rank correlation. Without given wallets there is
nothing to measure: the estimate is a peer benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.differentiate.wallet_model import MIN_GIVEN, Plan, fit_plan, floored, given, plan, prepared

FOLDS = 5  # cross-validation folds for the check


@dataclass(frozen=True)
class WalletCheck:
    """Given wallets estimated as if unknown, against the naive wallet (the customer's own
    best year with us): median absolute percentage error (0.4 = 40%) and Spearman rank
    correlation (None when either side is constant)."""

    customers: int
    median_ape: float
    baseline_median_ape: float
    spearman: float | None
    baseline_spearman: float | None


def holdout_estimates(frame: pd.DataFrame, quantile: float = 0.9, *, attributes=None,
                      min_given: int = MIN_GIVEN, max_rows: int | None = None,
                      random_state: int = 0, **settings) -> pd.Series:
    """The estimate of each given wallet (of customers who have bought) as if it were
    unknown, indexed by customer_id. Trained on wallets: :data:`FOLDS`-fold cross-validation,
    each fold estimated by a model fitted on the other folds' wallets only. Trained on
    revenue: the model as fitted, which never sees a wallet."""
    f = prepared(frame)
    return held_out(f, plan(f, quantile, attributes, min_given), max_rows, random_state, settings)


def held_out(f: pd.DataFrame, p: Plan, max_rows, random_state, settings, fitted=None) -> pd.Series:
    """:func:`holdout_estimates` on a prepared frame; ``fitted``: the revenue model's
    estimates of every row, when already made."""
    rows = np.flatnonzero(given(f) & f["has_purchased"].to_numpy())
    held = np.full(len(rows), np.nan)
    if p.target == "revenue":
        if fitted is None:
            model = fit_plan(f, p, p.train, max_rows, random_state, settings)
            held = model.predict(f.loc[rows, p.columns])
        else:
            held = np.asarray(fitted)[rows]
    elif len(rows) > 1:
        from sklearn.model_selection import KFold

        folds = KFold(n_splits=min(FOLDS, len(rows)), shuffle=True, random_state=random_state)
        for _, test_part in folds.split(rows):
            train = p.train.copy()
            train[rows[test_part]] = False
            model = fit_plan(f, p, train, max_rows, random_state, settings)
            held[test_part] = model.predict(f.loc[rows[test_part], p.columns])
    held = floored(held, f.loc[rows, "best_year"])
    return pd.Series(held, index=f.loc[rows, "customer_id"].to_numpy(), name="wallet_estimate")


def scores(f: pd.DataFrame, held: pd.Series) -> WalletCheck | None:
    """The check of the ``held`` estimates against the given wallets and best years of
    ``f`` (indexed like ``held``)."""
    from scipy.stats import spearmanr

    wallet = f["wallet"].to_numpy()
    naive = np.maximum(f["best_year"].fillna(0.0).to_numpy(), 0.0)
    estimate = held.to_numpy()
    ok = np.isfinite(estimate)
    if not ok.any():
        return None

    def rho(a, b):
        value = spearmanr(a, b).statistic if len(a) > 1 else np.nan
        return None if not np.isfinite(value) else float(value)

    return WalletCheck(
        customers=int(ok.sum()),
        median_ape=float(np.median(np.abs(estimate[ok] - wallet[ok]) / wallet[ok])),
        baseline_median_ape=float(np.median(np.abs(naive[ok] - wallet[ok]) / wallet[ok])),
        spearman=rho(estimate[ok], wallet[ok]),
        baseline_spearman=rho(naive[ok], wallet[ok]),
    )
