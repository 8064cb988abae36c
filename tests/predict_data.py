"""Data for the tests of analysis.predict: the CDNOW sample and a simulated busy shop, as
purchase lines, and a calibration/holdout summary built here with plain pandas, independently
of the project's own preparation code (analysis.predict.clv_data)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from tests.conftest import shared_dataset

CDNOW_CUT = pd.Timestamp("1997-09-30")
CDNOW_END = pd.Timestamp("1998-06-30")


def cdnow_lines() -> pd.DataFrame:
    """customer_id, date, amount of CDNOW_sample.txt (skips the test when ../shared is absent)."""
    names = ["master_id", "customer_id", "date", "cds", "amount"]
    raw = pd.read_csv(shared_dataset("CDNOW_sample.txt"), sep=r"\s+", header=None, names=names,
                      dtype={"date": str})
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    return raw[["customer_id", "date", "amount"]]


def summarise(lines: pd.DataFrame, cut: pd.Timestamp, end: pd.Timestamp, unit_days: float = 7.0) -> pd.DataFrame:
    """Per customer who bought by ``cut``: x (repeat purchase days up to ``cut``), t_x and T
    (in units of ``unit_days``), holdout purchase days in (cut, end] and in the first 90 days
    after ``cut``. Lines on the same day are one purchase, as in the papers."""
    days = lines[["customer_id", "date"]].drop_duplicates()
    first = days.groupby("customer_id")["date"].min()
    before = days[days["date"] <= cut]
    g = before.groupby("customer_id")["date"]
    out = pd.DataFrame({
        "x": (g.size() - 1).astype(float),
        "t_x": (g.max() - first.reindex(g.size().index)).dt.days / unit_days,
        "T": (cut - first.reindex(g.size().index)).dt.days / unit_days,
    })
    after = days[(days["date"] > cut) & (days["date"] <= end)]
    out["holdout"] = after.groupby("customer_id").size().reindex(out.index, fill_value=0).astype(float)
    soon = after[after["date"] <= cut + pd.Timedelta(days=90)]
    out["next_90_days"] = soon.groupby("customer_id").size().reindex(out.index, fill_value=0).astype(float)
    return out


def busy_shop_lines(n: int = 3600, seed: int = 20240101, r: float = 1.2, alpha: float = 6.0) -> pd.DataFrame:
    """One year (2023) of a busy shop where nobody lapses: each customer's first purchase on a
    day of the year, then purchases at a Poisson rate λ per week, λ ~ Gamma(r, α) (mean about
    ten a year), forever. Purchase lines customer_id, date."""
    rng = np.random.default_rng(seed)
    start, days = pd.Timestamp("2023-01-01"), 365
    rate = rng.gamma(r, 1.0 / alpha, n) / 7.0  # per day
    first = rng.integers(0, days - 14, n)
    rows_c, rows_d = [], []
    for c in range(n):
        span = days - first[c]
        k = rng.poisson(rate[c] * span)
        offsets = np.concatenate([[0], np.floor(rng.random(k) * span)]).astype(int)
        rows_c.append(np.full(len(offsets), c))
        rows_d.append(first[c] + offsets)
    day = np.concatenate(rows_d)
    return pd.DataFrame({
        "customer_id": np.concatenate(rows_c),
        "date": start + pd.to_timedelta(day, unit="D"),
    })


@functools.cache
def cdnow_summary() -> pd.DataFrame:
    """The papers' CDNOW calibration summary (weeks 1-39) with the 39-week holdout counts
    (built once per test run: do not modify it)."""
    return summarise(cdnow_lines(), CDNOW_CUT, CDNOW_END)


def assert_gradient(loglik, params, args, rel: float, step: float = 1e-6, abs_tol: float = 0.0) -> None:
    """``loglik(params, *args, with_grad=True)``'s gradient against central differences."""
    params = np.asarray(params, float)
    _, grad = loglik(params, *args, with_grad=True)
    for i in range(len(params)):
        h = np.zeros(len(params))
        h[i] = step * params[i]
        numeric = (loglik(params + h, *args) - loglik(params - h, *args)) / (2 * h[i])
        assert abs(grad[i] - numeric) <= max(rel * abs(numeric), abs_tol), (params, i, grad[i], numeric)
