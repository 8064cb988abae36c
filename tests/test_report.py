"""The report above the local limit (issue 7 section 3): with fewer customers allowed on the
driver than the demo has, the models are fitted on samples and aggregates counted in the
engine; the figures that do not depend on a model fit stay exactly those of the full report."""

from __future__ import annotations

import json
import math

import pytest

from analysis.store import engine
from analysis.cli import strict_json
from analysis.report import build_report
from analysis.settings import ReportSettings, SegmentSettings
from analysis.store import Workspace

# Sections computed without a model fit, or from one that is exact on the distinct
# histories (the BG/NBD purchase model).
EXACT = ("as_of", "customers", "listed_customers", "transactions", "revenue", "kpis", "pareto",
         "pyramid", "value_groups", "matrix", "rfm_segments")
REL = 1e-6  # engines sum in different orders
SAMPLED_LIMIT = 2000  # the demo has about 5,000 buyers


def as_json(report: dict) -> dict:
    return json.loads(strict_json(report))


def assert_sampled_report_close(full: dict, sampled: dict) -> None:
    """``sampled`` (a report above the local limit) against ``full``: the EXACT sections
    the same, every customer counted, the models close."""
    for key in EXACT:
        assert_same(full[key], sampled[key], key)
    f, s = full["clv"], sampled["clv"]
    for key in ("n_customers", "n_repeat", "n_one_time", "n_nonpositive_spend"):
        assert s[key] == f[key], key
    for key, value in f["bgnbd"].items():  # exact: fitted on every history
        assert s["bgnbd"][key] == pytest.approx(value, rel=1e-6), key
    assert s["bgnbd_loglik"] == pytest.approx(f["bgnbd_loglik"], rel=1e-9)
    assert s["mean_spend"] == pytest.approx(f["mean_spend"], rel=0.05)
    assert s["total_clv"] == pytest.approx(f["total_clv"], rel=0.05)
    fc, sc = full["clusters"], sampled["clusters"]
    assert sum(sc["sizes"]) == sum(fc["sizes"]) == full["kpis"]["buyers"]  # every buyer assigned
    assert len(sc["sizes"]) == len(sc["names"]) == sc["k"] and abs(sc["k"] - fc["k"]) <= 1
    assert sc["silhouette"] == pytest.approx(fc["silhouette"], abs=0.05)


def assert_same(expected, actual, where="report"):
    """Recursive equality; floats equal to REL relative (or 1e-9 absolute near zero)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), where
        assert sorted(expected) == sorted(actual), f"{where}: keys differ"
        for key in expected:
            assert_same(expected[key], actual[key], f"{where}.{key}")
    elif isinstance(expected, (list, tuple)):
        assert isinstance(actual, (list, tuple)) and len(expected) == len(actual), f"{where}: lengths differ"
        for i, (e, a) in enumerate(zip(expected, actual)):
            assert_same(e, a, f"{where}[{i}]")
    elif isinstance(expected, float) and not isinstance(actual, bool):
        assert isinstance(actual, (int, float)), f"{where}: {actual!r} is not a number"
        if math.isnan(expected):
            assert math.isnan(actual), f"{where}: {actual} != NaN"
        else:
            assert actual == pytest.approx(expected, rel=REL, abs=1e-9), f"{where}: {actual} != {expected}"
    else:
        assert type(actual) is type(expected) and actual == expected, f"{where}: {actual!r} != {expected!r}"


def test_assert_same_catches_differences():
    assert_same({"a": [1, 2.0, "x"]}, {"a": [1, 2.0 * (1 + 1e-8), "x"]})
    for other in ({"a": [1, 2.001, "x"]}, {"a": [2, 2.0, "x"]}, {"a": [1, 2.0]}, {"b": [1, 2.0, "x"]}):
        with pytest.raises(AssertionError):
            assert_same({"a": [1, 2.0, "x"]}, other)


def test_the_report_above_the_local_limit(demo_db, monkeypatch):
    with Workspace(demo_db, read_only=True) as ws:
        full = as_json(build_report(ws.tables(), None, ReportSettings()))
        monkeypatch.setattr(engine, "LOCAL_ROWS", SAMPLED_LIMIT)
        sampled = as_json(build_report(ws.tables(), None, ReportSettings()))
    assert full["kpis"]["buyers"] > 2 * SAMPLED_LIMIT
    assert_sampled_report_close(full, sampled)
    # the sampled models are not the full ones: the sample did happen
    assert sampled["clv"]["gamma_gamma"] != full["clv"]["gamma_gamma"]
    assert sampled["clusters"] != full["clusters"]


def test_the_cli_limit_flag_gives_the_sampled_report(demo_db, monkeypatch, capsys):
    from analysis.cli import main

    assert main(["report", "--db", str(demo_db), "--json", "--local-rows", str(SAMPLED_LIMIT)]) == 0
    from_cli = json.loads(capsys.readouterr().out)
    assert engine.LOCAL_ROWS == 200_000  # the flag lasts for that report only
    with Workspace(demo_db, read_only=True) as ws:
        monkeypatch.setattr(engine, "LOCAL_ROWS", SAMPLED_LIMIT)
        in_dollars = ReportSettings(SegmentSettings(currency="$"))  # the CLI's: the demo is in US dollars
        sampled = as_json(build_report(ws.tables(), None, in_dollars))
    assert_same(sampled, from_cli)
    assert main(["report", "--db", str(demo_db), "--json", "--local-rows", "0"]) == 2
    assert "--local-rows" in capsys.readouterr().err
