"""The campaigns benchmark (benchmarks/bench_campaigns.py) at a tiny size, so it keeps working.
It asserts no timings: those are measured on purpose (benchmarks/README.md), not in tests."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.conftest import shared_dataset

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import bench_campaigns  # noqa: E402


def test_the_benchmark_runs_every_step(capsys):
    rows = bench_campaigns.main(["--customers", "3000", "--repeat", "1", "--n-boot", "5", "--hillstrom",
                                 str(shared_dataset("hillstrom.csv"))])
    steps = [r["step"] for r in rows]
    assert steps[:2] == ["assign_control, 3,000 customers", "measure_campaign, 3,000 customers"]
    assert rows[0]["result"] == "300 held out"
    assert len(steps) == 6 and all(r["best_s"] > 0 for r in rows)
    assert "| measure_campaign, 3,000 customers |" in capsys.readouterr().out
