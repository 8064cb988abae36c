"""Benchmark: measuring a campaign and fitting + evaluating the uplift model (issue 16).

    python benchmarks/bench_campaigns.py [--customers 100000] [--hillstrom PATH] [--seed 1] [--repeat 3]

1. A simulated campaign of ``--customers`` customers (10% held out by tier and cell with
   ``assign_control``; 5% of the control group and 6% of the target group respond, with a
   revenue): the time to draw the control group and to measure the campaign
   (``measure_campaign`` with values). Target: measuring under 2 s at 100,000 customers.
2. Hillstrom (``../shared/datasets/hillstrom.csv``; skipped when absent): ``evaluate_uplift``
   (stratified 50/50 split, fit, Qini with a 200-resample bootstrap interval, uplift at
   10/20/30%, the four groups) for women's e-mail vs no e-mail on visits (42,693 customers,
   scikit-uplift's published example) and for any e-mail vs none on all 64,000 customers.
   Target: under 10 s on 2 cores.

Each step runs ``--repeat`` times in this process; the best and the worst wall time are printed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.customize.uplift import evaluate_uplift  # noqa: E402
from analysis.interact.campaigns import CONTROL, assign_control, measure_campaign  # noqa: E402

HILLSTROM = ROOT.parent / "shared" / "datasets" / "hillstrom.csv"
FEATURES = ["recency", "history_segment", "history", "mens", "womens", "zip_code", "newbie", "channel"]


def simulated_list(customers: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "customer_id": [f"C{i:07d}" for i in range(customers)],
        "tier": rng.choice(["top", "big", "medium", "small"], customers, p=[0.01, 0.04, 0.15, 0.80]),
        "cell": rng.choice([f"{v}/{s}" for v in ("high", "medium", "low") for s in ("high", "medium", "low")]
                           + [None], customers),
    })


def simulated_results(assignment: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 1)
    control = (assignment["arm"] == CONTROL).to_numpy()
    responded = rng.random(len(assignment)) < np.where(control, 0.05, 0.06)
    revenue = np.where(responded, rng.gamma(2.0, 40.0, len(assignment)).round(2), 0.0)
    return assignment.assign(response=responded.astype(int), revenue=revenue)


def timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), max(times), result


def run(customers: int = 100_000, hillstrom: Path | None = HILLSTROM, seed: int = 1, repeat: int = 3,
        n_boot: int = 200) -> list[dict]:
    rows = []
    people = simulated_list(customers, seed)
    best, worst, assignment = timed(lambda: assign_control(people, seed=seed), repeat)
    rows.append({"step": f"assign_control, {customers:,} customers", "best_s": best, "worst_s": worst,
                 "result": f"{int((assignment['arm'] == CONTROL).sum()):,} held out"})
    results = simulated_results(assignment, seed)
    best, worst, measured = timed(lambda: measure_campaign(results, control=CONTROL, value_column="revenue"), repeat)
    vs = measured["verdict"]
    rows.append({"step": f"measure_campaign, {customers:,} customers", "best_s": best, "worst_s": worst,
                 "result": f"{vs['code']}: {vs['rate_diff'] * 100:+.2f} points "
                           f"[{vs['rate_diff_ci'][0] * 100:+.2f}, {vs['rate_diff_ci'][1] * 100:+.2f}]"})
    if hillstrom is not None and Path(hillstrom).exists():
        data = pd.read_csv(hillstrom)
        womens = data[data["segment"] != "Mens E-Mail"].reset_index(drop=True)
        cases = [("women's e-mail vs none", womens, womens["segment"] == "Womens E-Mail"),
                 ("any e-mail vs none", data, data["segment"] != "No E-Mail")]
        for label, frame, treated in cases:
            for method in ("two_model", "class_transformation"):
                best, worst, ev = timed(lambda: evaluate_uplift(
                    frame[FEATURES], treated.astype(int), frame["visit"], method=method, seed=42, n_boot=n_boot),
                    repeat)
                rows.append({"step": f"evaluate_uplift {method}, Hillstrom {label} ({len(frame):,})",
                             "best_s": best, "worst_s": worst,
                             "result": f"uplift@30% {ev.uplift_at['0.3']:.4f}, Qini {ev.qini:.4f} "
                                       f"[{ev.qini_ci[0]:.4f}, {ev.qini_ci[1]:.4f}]"})
    return rows


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--hillstrom", type=Path, default=HILLSTROM)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--n-boot", type=int, default=200)
    args = parser.parse_args(argv)
    rows = run(args.customers, args.hillstrom, args.seed, args.repeat, args.n_boot)
    print("| step | best (s) | worst (s) | result |")
    print("|---|---|---|---|")
    for r in rows:
        print(f"| {r['step']} | {r['best_s']:.2f} | {r['worst_s']:.2f} | {r['result']} |")
    return rows


if __name__ == "__main__":
    main()
