"""Benchmark: fit BG/NBD and Gamma-Gamma on simulated customers, ours against `lifetimes`.

    python benchmarks/bench_clv.py [--n 1000000] [--seed 1]

Customers are drawn from the BG/NBD generative process (Fader, Hardie & Lee 2005) with the
published CDNOW parameters, first purchases spread over 12 weeks, observed for 52 weeks,
times rounded to whole days as in real data; average repeat spend follows the
Gamma-Gamma model. Both implementations fit the same arrays in the same run; both
log-likelihoods are evaluated with the same function at each one's estimates. `lifetimes`
is optional (``pip install lifetimes==0.11.3``); without it only our times are printed.
Targets: the same log-likelihood to 1e-6 relative, and at least 20x faster.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.clv import BetaGeoModel, GammaGammaModel, bgnbd_loglik, gamma_gamma_loglik  # noqa: E402

TRUE_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
TRUE_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}


def simulate(n: int, seed: int):
    """frequency, recency, T (weeks, whole days) and average repeat spend for n customers."""
    rng = np.random.default_rng(seed)
    r, alpha, a, b = TRUE_BGNBD.values()
    lam = rng.gamma(r, 1.0 / alpha, n)
    drop = rng.beta(a, b, n)
    T_days = 364 - rng.integers(0, 84, n)
    T = T_days / 7.0
    x = np.zeros(n, dtype=np.int64)
    t_x = np.zeros(n)
    clock = np.zeros(n)
    active = np.arange(n)
    while active.size:
        clock[active] += rng.exponential(1.0, active.size) / lam[active]
        bought = clock[active] <= T[active]
        active = active[bought]
        x[active] += 1
        t_x[active] = clock[active]
        active = active[rng.random(active.size) >= drop[active]]
    t_x = np.floor(t_x * 7.0) / 7.0

    p, q, g = TRUE_GG.values()
    nu = rng.gamma(q, 1.0 / g, n)
    repeat = x > 0
    spend = np.zeros(n)
    spend[repeat] = rng.gamma(p * x[repeat], 1.0 / (x[repeat] * nu[repeat]))
    return x.astype(float), t_x, T, spend


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="customers to simulate")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    (x, t_x, T, spend), sim_time = timed(lambda: simulate(args.n, args.seed))
    repeat = (x > 0) & (spend > 0)
    print(f"simulated {args.n:,} customers ({repeat.sum():,} repeat) in {sim_time:.1f}s, seed {args.seed}\n")

    ours_bg, ours_bg_time = timed(lambda: BetaGeoModel().fit(x, t_x, T))
    ours_gg, ours_gg_time = timed(lambda: GammaGammaModel().fit(x[repeat], spend[repeat]))
    rows = [
        ("BG/NBD", "ours", ours_bg_time, ours_bg.loglik_, ours_bg.params_),
        ("Gamma-Gamma", "ours", ours_gg_time, ours_gg.loglik_, ours_gg.params_),
    ]

    try:
        import pandas as pd
        from lifetimes import BetaGeoFitter, GammaGammaFitter
    except ImportError:
        print("(lifetimes is not installed: `pip install lifetimes==0.11.3` to compare)\n")
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lt_bg, lt_bg_time = timed(lambda: BetaGeoFitter().fit(pd.Series(x), pd.Series(t_x), pd.Series(T)))
            lt_gg, lt_gg_time = timed(
                lambda: GammaGammaFitter().fit(pd.Series(x[repeat]), pd.Series(spend[repeat]))
            )
        bg_params = {k: float(lt_bg.params_[k]) for k in ("r", "alpha", "a", "b")}
        gg_params = {"p": float(lt_gg.params_["p"]), "q": float(lt_gg.params_["q"]), "gamma": float(lt_gg.params_["v"])}
        rows += [
            ("BG/NBD", "lifetimes", lt_bg_time, bgnbd_loglik(tuple(bg_params.values()), x, t_x, T), bg_params),
            ("Gamma-Gamma", "lifetimes", lt_gg_time,
             gamma_gamma_loglik(tuple(gg_params.values()), x[repeat], spend[repeat]), gg_params),
        ]

    print("| model | implementation | customers | wall time (s) | log-likelihood | LL rel. diff vs lifetimes | speed-up vs lifetimes | estimates |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    by_key = {(m, impl): (sec, ll) for m, impl, sec, ll, _ in rows}
    for model, impl, seconds, ll, params in rows:
        ref = by_key.get((model, "lifetimes"))
        if ref and impl == "ours":
            rel = f"{(ll - ref[1]) / abs(ref[1]):+.2e}"
            speed = f"{ref[0] / seconds:.1f}x"
        else:
            rel, speed = "", ""
        n = args.n if model == "BG/NBD" else int(repeat.sum())
        estimates = ", ".join(f"{k}={v:.4g}" for k, v in params.items())
        print(f"| {model} | {impl} | {n:,} | {seconds:.3f} | {ll:,.3f} | {rel} | {speed} | {estimates} |")
    truth = ", ".join(f"{k}={v}" for k, v in {**TRUE_BGNBD, **TRUE_GG}.items())
    print(f"\nsimulated with {truth}")
    print("LL rel. diff > 0 means our maximum is higher (better) than lifetimes'.")


if __name__ == "__main__":
    main()
