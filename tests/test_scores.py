"""The per-customer frame: every label present on the demo; the list helpers' orderings."""

import pandas as pd

from analysis.scores import likely_lost, score_customers, top_by_clv
from analysis.store import Workspace


def test_scores_on_demo_have_every_label(demo_db):
    with Workspace(demo_db, read_only=True) as ws:
        scores = score_customers(ws.tables())
    frame = scores.frame
    assert len(frame) == 6000 and frame["customer_id"].is_unique
    assert scores.messages == {}
    for col in ("tier", "cell", "rfm_segment", "cluster_name", "p_alive", "clv", "is_mvc", "is_bz"):
        assert col in frame
    buyers = frame[frame["orders"] > 0]
    assert buyers["cluster_name"].notna().all() and buyers["p_alive"].between(0, 1).all()
    assert frame.loc[frame["orders"] == 0, "tier"].isin(["prospect", "suspect"]).all()
    assert set(buyers["cluster_name"]) == {p["name"] for p in scores.personas}


def _frame():
    return pd.DataFrame({
        "customer_id": ["a", "b", "c", "d"], "name": ["A", "B", "C", "D"], "tier": ["small"] * 4,
        "revenue": [10.0, 500.0, 300.0, 50.0], "orders": [1, 5, 5, 3], "last_purchase": pd.NaT,
        "p_alive": [1.0, 0.2, 0.2, 0.9], "expected_next_purchase": pd.NaT,
        "clv": [5.0, 40.0, 90.0, None], "clv_note": ["", "", "", ""],
    })


def test_top_by_clv_orders_by_clv_and_skips_unknown():
    assert top_by_clv(_frame(), 10)["customer_id"].tolist() == ["c", "b", "a"]


def test_likely_lost_are_repeat_buyers_lowest_p_alive_most_valuable_first():
    assert likely_lost(_frame(), 10)["customer_id"].tolist() == ["b", "c", "d"]


def test_reasons_a_part_is_missing_follow_the_language(tmp_path):
    from analysis import i18n
    from tests.builders import buyers, make_workspace

    ws = make_workspace(tmp_path, transactions=buyers(range(100, 1100, 100)))
    with i18n.using("zh"):
        scores = score_customers(ws.tables(), "2024-06-30")
    assert scores.messages["clusters"] == "聚类至少需要 20 位有购买记录的客户；目前只有 10 位。"
    frame = scores.frame.set_index("customer_id")
    assert frame.loc["c010", "tier"] == "top" and frame.loc["c010", "reason_mvc"] == "近 12 个月利润 $300：位列前 20%"
    assert frame["cluster_name"].isna().all()
