"""Benchmark: the whole suggested-action plan, the engine runner against an earlier checkout
(issue 15).

    python benchmarks/bench_actions_runner.py [--customers 200000] [--seed 1] [--baseline DIR]

A synthetic company of ``--customers`` customers (scores with every field the playbook reads,
10 purchase lines and 1.5 contacts per customer on average) is written once to a temporary
folder; then each measurement runs in a fresh process so that its peak memory (max RSS) is its
own:

- ``plan``: :func:`analysis.customize.actions.suggest`, the whole plan with every reason;
- ``top 1000``: the plan in the engine and the texts of its first 1,000 rows only (what the
  Action plan page shows);
- with ``--baseline DIR`` (a checkout of an earlier commit, e.g. ``git worktree add DIR
  main``), ``plan`` again with that checkout's code, in the same run.

Prints wall seconds and peak MB per measurement and the ratios to the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2024-07-03"

CHILD = r'''
import json, resource, sys, time, datetime as dt
import pandas as pd
folder, what = sys.argv[1], sys.argv[2]
scores = pd.read_parquet(f"{folder}/scores.parquet")
for col in ("last_purchase", "first_purchase"):
    scores[col] = pd.to_datetime(scores[col]).dt.date
interactions = pd.read_parquet(f"{folder}/interactions.parquet")
transactions = pd.read_parquet(f"{folder}/transactions.parquet")
from analysis.customize import actions
as_of = dt.date.fromisoformat(sys.argv[3])
started = time.perf_counter()
if what == "top1000":
    from analysis.customize import runner
    from analysis.customize.inputs import prepare
    customers = runner.from_frame(prepare(scores, interactions, transactions, as_of))
    rows = runner.plan(customers, actions.answers_memtable(interactions, as_of), as_of).limit(1000).to_pandas()
    out = runner.render(rows, customers, as_of, actions.ActionSettings())
    n = len(out)
else:
    out = actions.suggest(scores, interactions, transactions, as_of)
    n = len(out)
took = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": took, "peak_mb": peak, "rows": n}))
'''


def company(customers: int, seed: int, folder: Path) -> None:
    rng = np.random.default_rng(seed)
    n = customers
    ids = np.array([f"c{i:07d}" for i in range(n)])
    as_of = pd.Timestamp(AS_OF)
    last = as_of - pd.to_timedelta(rng.integers(0, 400, n), unit="D")
    scores = pd.DataFrame(dict(
        customer_id=ids, name=[f"Name {i}" for i in ids], region=rng.choice(["North", "South"], n),
        industry="Retail", channel="direct", tier=rng.choice(["top", "big", "medium", "small", "inactive"], n),
        is_mvc=rng.random(n) < 0.05, is_mcc=rng.random(n) < 0.1, is_bz=rng.random(n) < 0.1,
        profit=rng.normal(300, 200, n), volume_tier=rng.choice(["high", "medium", "low"], n),
        satisfaction_tier=rng.choice(["high", "medium", "low", "none"], n), cell=None, rfm_segment="Loyal",
        cluster_name="Steady", revenue=rng.uniform(100, 5000, n), revenue_window=rng.uniform(0, 2000, n),
        orders=rng.integers(1, 30, n), last_purchase=last.date, first_purchase=pd.Timestamp("2022-01-01").date(),
        recency_days=(as_of - last).days, purchase_days=rng.integers(1, 30, n), complaints=0, contacts=0,
        satisfaction_5=rng.uniform(1, 5, n), p_alive=rng.random(n),
    ))
    m = 10 * n
    transactions = pd.DataFrame(dict(
        customer_id=rng.choice(ids, m), amount=rng.uniform(-10, 100, m),
        date=(pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 900, m), unit="D")),
        category=rng.choice(list("ABCDEFGH"), m),
    ))
    k = int(1.5 * n)
    interactions = pd.DataFrame(dict(
        interaction_id=np.arange(1, k + 1), customer_id=rng.choice(ids, k),
        occurred_at=pd.Timestamp("2023-07-01") + pd.to_timedelta(rng.integers(0, 360 * 24, k), unit="h"),
        channel="phone", kind=rng.choice(["contact", "complaint", "survey", "visit", "resolution"], k),
        satisfaction=np.nan, scale=np.nan, outcome=rng.choice([None, "done", "refused", "resolved"], k),
        note=None, answers_action=rng.choice([None, "win_back", "partner_invite"], k), recorded_by=None,
    ))
    scores.to_parquet(folder / "scores.parquet")
    transactions.to_parquet(folder / "transactions.parquet")
    interactions.to_parquet(folder / "interactions.parquet")


def measure(code_root: Path, folder: Path, what: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    done = subprocess.run([sys.executable, "-c", CHILD, str(folder), what, AS_OF], env=env, cwd=code_root,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--baseline", type=Path, help="a checkout of an earlier commit to compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        company(args.customers, args.seed, folder)
        print(f"{args.customers:,} customers, seed {args.seed}")
        runs = {"plan": measure(ROOT, folder, "plan"), "top 1000": measure(ROOT, folder, "top1000")}
        if args.baseline:
            runs["baseline plan"] = measure(args.baseline.resolve(), folder, "plan")
        for name, r in runs.items():
            print(f"{name:>14}: {r['seconds']:7.1f} s  peak {r['peak_mb']:7.0f} MB  {r['rows']:,} rows")
        if args.baseline:
            base = runs["baseline plan"]
            for name in ("plan", "top 1000"):
                print(f"{name} / baseline: time {runs[name]['seconds'] / base['seconds']:.2f}x, "
                      f"peak {runs[name]['peak_mb'] / base['peak_mb']:.2f}x")


if __name__ == "__main__":
    main()
