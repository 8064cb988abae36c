"""How good the wallet estimate is on the user's own data (issue 18): where wallets are
given, each one is estimated as if unknown (k-fold cross-validation when the model trains on
them; directly when it trains on revenue, since then the given wallets never enter the fit)
and compared with the customer's own best year of revenue as the naive wallet: median
absolute percentage error and Spearman rank correlation. Without given wallets there is
nothing to measure: the estimate is a peer benchmark.

Decision: the folds are estimated in order until at least :data:`CHECK_ROWS` given wallets
are checked, not always all :data:`FOLDS` of them. Up to 12,500 given wallets (the demo
company's 1,500-odd) every fold is estimated, as in plain cross-validation; above that fewer
are, and from 50,000 one fold of 10,000 or more says as much as five (the standard error of a rank
correlation over 10,000 customers is about 0.01), and each fold skipped is one fit of the
model less: at 50,000 given wallets (the engine's sample) the check fits once instead of
five times. Each fold's model still trains on all the other folds (four fifths of the
customers), so the figures describe a model nearly as well informed as the one applied.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.differentiate.wallet_model import MIN_GIVEN, Plan, fit_plan, floored, given, plan, prepared

FOLDS = 5  # cross-validation folds for the check
CHECK_ROWS = 10_000  # given wallets the check estimates at least (all of them when fewer)


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
    """The estimate of each given wallet checked (of customers who have bought) as if it
    were unknown, indexed by customer_id. Trained on wallets: :data:`FOLDS`-fold
    cross-validation, each fold estimated by a model fitted on the other folds' wallets only,
    folds estimated until at least :data:`CHECK_ROWS` are (see the module docstring).
    Trained on revenue: the model as fitted, which never sees a wallet (every given one)."""
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
        checked = np.zeros(len(rows), dtype=bool)
        for _, test_part in folds.split(rows):
            if checked.sum() >= CHECK_ROWS:
                break
            train = p.train.copy()
            train[rows[test_part]] = False
            model = fit_plan(f, p, train, max_rows, random_state, settings)
            held[test_part] = model.predict(f.loc[rows[test_part], p.columns])
            checked[test_part] = True
        rows, held = rows[checked], held[checked]
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
