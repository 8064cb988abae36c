"""Smoke test of benchmarks/bench_clv.py at a tiny size, so the Pareto/NBD comparison with
lifetimes keeps running; no timings asserted (they belong to benchmarks/RESULTS.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import bench_clv  # noqa: E402


def test_simulated_pareto_nbd_histories_are_consistent():
    x, t_x, T = bench_clv.simulate_paretonbd(5000, 3)
    assert np.all((x >= 0) & (x == np.round(x)))
    assert np.all((t_x >= 0) & (t_x <= T)) and np.all(t_x[x == 0] == 0)
    assert np.all(np.round(t_x * 7, 9) == np.round(t_x * 7))  # whole days
    hx, htx, hT, counts = bench_clv.distinct_histories(x, t_x, T)
    assert counts.sum() == 5000 and len(counts) < 5000


def test_the_pareto_nbd_table_compares_the_same_maximum(capsys):
    pytest.importorskip("lifetimes")
    bench_clv.main(["--n", "3000", "--models", "paretonbd"])
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| Pareto/NBD |")]
    assert [row.split(" | ")[1] for row in rows] == ["ours", "lifetimes", "lifetimes, distinct histories as weights"]
    for row in rows[1:]:
        assert abs(float(row.split(" | ")[5])) < 1e-6  # LL rel. diff vs ours
