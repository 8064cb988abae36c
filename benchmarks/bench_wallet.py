"""Benchmark: every customer's wallet (issue 18) at scale, from the per-customer inputs.

    python benchmarks/bench_wallet.py [--n 1000000] [--given 0.0] [--seed 0] [--check] [--numpy]

Simulates the frame :func:`analysis.differentiate.wallet.wallet_inputs` gives (industry, region, channel,
purchase breadth, tenure, order rhythm and value, this year's and the best year's revenue),
with a share ``--given`` of customers carrying a wallet in their customer list, puts it in
DuckDB and times :func:`analysis.differentiate.wallet.engine_wallets`, what the app and the
CLI run: the model fitted on a sample brought to the driver and applied in the engine, the
result computed there once; then, apart, bringing every customer's row to pandas (what the
scores store). ``--numpy`` times :func:`analysis.differentiate.wallet.estimate_wallets` instead
(the model applied in NumPy on a pandas frame). Target (issue 18): 1,000,000 customers in
under 10 s. Prints the wall-clock and CPU seconds, the load average and the peak memory; on
a shared machine the CPU time is the better guide.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.differentiate.wallet import engine_wallets, estimate_wallets  # noqa: E402


def simulate(n: int, given: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    industry = rng.choice(["Retail", "Finance", "Healthcare", "Manufacturing", "Hospitality"], n)
    region = rng.choice(["North", "South", "East", "West", "Central"], n)
    scale = {"Retail": 1.0, "Finance": 3.0, "Healthcare": 2.0, "Manufacturing": 2.5, "Hospitality": 0.8}
    wallet = np.round(rng.lognormal(8.0, 1.0, n) * pd.Series(industry).map(scale).to_numpy(), 2)
    share = rng.beta(2, 5, n)
    best = np.round(wallet * share, 2)
    year = np.round(best * rng.uniform(0.3, 1.0, n), 2)
    bought = rng.random(n) < 0.9
    orders = rng.integers(1, 30, n).astype(float)
    tenure = rng.uniform(0.1, 8.0, n)
    frame = pd.DataFrame({
        "customer_id": [f"C{i:07d}" for i in range(n)],
        "wallet": np.where(rng.random(n) < given, wallet, np.nan),
        "has_purchased": bought,
        "revenue_year": np.where(bought, year, np.nan),
        "best_year": np.where(bought, best, np.nan),
        "industry": industry, "region": region, "channel": rng.choice(["web", "store", "phone"], n),
        "categories": np.where(bought, rng.integers(1, 8, n), np.nan).astype(float),
        "tenure_years": np.where(bought, tenure, np.nan),
        "orders_per_year": np.where(bought, orders / np.maximum(tenure, 1.0), np.nan),
        "order_value": np.where(bought, np.round(best / orders, 2), np.nan),
    })
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--given", type=float, default=0.0, help="share of customers with a wallet given")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--check", action="store_true", help="also time the check on the given wallets")
    parser.add_argument("--numpy", action="store_true", help="apply the model in NumPy on a pandas frame instead")
    args = parser.parse_args()
    frame = simulate(args.n, args.given, args.seed)
    import ibis

    table = ibis.memtable(frame)
    started, cpu = time.perf_counter(), time.process_time()
    wallets = estimate_wallets(frame, check=args.check) if args.numpy else engine_wallets(table, check=args.check)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    out = ""
    if not args.numpy:
        started, out_cpu = time.perf_counter(), time.process_time()
        rows = len(wallets.frame())
        out = (f"; to pandas ({rows:,} rows) {time.perf_counter() - started:.2f} s "
               f"(CPU {time.process_time() - out_cpu:.2f} s)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    load = " ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"wallets of {args.n:,} customers ({args.given:.0%} given, check {'on' if args.check else 'off'}, "
          f"{'NumPy' if args.numpy else 'engine'}): {took:.2f} s (CPU {cpu:.2f} s){out}; load average {load}; "
          f"peak {peak:.2f} GiB; trained on {wallets.trained_on}; {wallets.summary()}")


if __name__ == "__main__":
    main()
