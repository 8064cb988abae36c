"""One customer, as a manager opens them once the workspace's scores are stored (the app has
been opened once): ``customer ID --json`` reads that customer's stored row, never the whole
per-customer frame, and every figure is the one the whole frame gives."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from analysis import scores as scoring
from analysis.customize import plan
from analysis.settings import ReportSettings, SegmentSettings
from analysis.store import Workspace
from tests.differentiate.test_wallet_cli import run


def test_one_customer_reads_one_stored_row_with_the_same_figures(demo_copy, capsys, monkeypatch):
    with Workspace(demo_copy) as ws:  # the app opened once: the scores are stored
        whole = scoring.score_customers(ws, settings=ReportSettings(SegmentSettings(currency="$")))  # the demo's currency
        scores_key = scoring._keys(ws, whole.as_of, ReportSettings())[1]
        raw = ws.query('SELECT "customer_id", count(DISTINCT "order_id") AS orders FROM "transactions" '
                       'GROUP BY "customer_id"')
    everyone = pd.DataFrame(run(capsys, "actions", "--db", demo_copy, "--limit", "0", "--json"))
    frame = whole.frame.set_index("customer_id")
    orders = dict(zip(raw["customer_id"], raw["orders"]))
    buyer = everyone["customer_id"].value_counts().index[0]  # the customer with the most suggestions
    silent = next(c for c in frame.index if c not in orders)  # a customer who never bought

    reads = []
    real = Workspace.load_result

    def spy(self, key, parts=None):
        reads.append((key, parts))
        return real(self, key, parts)

    def no_whole_frame(*args, **kwargs):
        raise AssertionError("the whole per-customer frame was computed or read for one customer")

    monkeypatch.setattr(Workspace, "load_result", spy)
    monkeypatch.setattr(plan, "score_customers", no_whole_frame)
    for cid in (buyer, silent):
        detail = run(capsys, "customer", cid, "--db", demo_copy, "--json")
        profile = detail["profile"]
        assert profile["customer_id"] == cid
        assert profile["orders"] == orders.get(cid, 0)  # against the raw order lines
        for column in ("tier", "cell", "rfm_segment", "cluster_name", "clv", "p_alive", "profit", "headroom",
                       "strategy", "reason_mvc", "clv_note"):
            want = frame.at[cid, column]
            got = profile[column]
            if want is None or (isinstance(want, float) and math.isnan(want)):
                assert got is None, (cid, column, got)
            elif isinstance(got, float):
                assert got == pytest.approx(float(want), abs=1e-9), (cid, column)
            else:
                assert got == want, (cid, column, got, want)
        mine = everyone[everyone["customer_id"] == cid]
        assert [(a["action"], a["reason"]) for a in detail["actions"]] == list(zip(mine["action"], mine["reason"]))
    assert len(everyone[everyone["customer_id"] == buyer]) >= 2
    of_scores = [parts for key, parts in reads if key == scores_key]
    assert of_scores and all(parts is not None and "frame" not in parts for parts in of_scores), of_scores
    json.dumps(detail)
