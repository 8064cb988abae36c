import pytest

from analysis.errors import NotEnoughData
import pandas as pd

from analysis.differentiate.rfm import RFM_SEGMENTS, rf_grid, rfm, rfm_counts, segment_counts, segment_of, segment_rules
from tests.builders import make_workspace

AS_OF = "2024-06-30"


def test_distinct_values_give_equal_quintiles(tmp_path):
    # customer k: k orders, last purchase k days before as-of, revenue 10 * k per order
    tx = []
    for k in range(1, 11):
        for j in range(k):
            tx.append({"customer_id": f"c{k:02d}", "order_id": f"{k}-{j}", "date": f"2024-06-{30 - k:02d}",
                       "amount": 10.0})
    ws = make_workspace(tmp_path, transactions=tx)
    out = rfm(ws.tables(), AS_OF).set_index("customer_id")
    assert out.f.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert out.m.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert out.r.tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]  # c01 is the most recent
    assert out.loc["c10", "rfm_score"] == "155"
    assert out.loc["c10", "rfm_segment"] == "cannot lose them"
    assert out.loc["c01", "rfm_segment"] == "new customers"


def test_ties_share_a_score(tmp_path):
    tx = [{"customer_id": f"c{k}", "date": "2024-06-01", "amount": 10.0} for k in range(7)]
    ws = make_workspace(tmp_path, transactions=tx)
    out = rfm(ws.tables(), AS_OF)
    assert set(out.r) == {3} and set(out.f) == {3} and set(out.m) == {3}


def test_rules_cover_every_cell_once():
    for r in range(1, 6):
        for f in range(1, 6):
            assert sum(r0 <= r <= r1 and f0 <= f <= f1 for _, (r0, r1), (f0, f1), _ in RFM_SEGMENTS) == 1
    assert segment_of(5, 5) == "champions" and segment_of(1, 1) == "lost"
    assert len(segment_rules()) == 11


def test_counts_and_grid(tmp_path):
    tx = [{"customer_id": "a", "date": "2024-06-01", "amount": 10.0},
          {"customer_id": "b", "date": "2023-01-01", "amount": 10.0}]
    ws = make_workspace(tmp_path, transactions=tx)
    out = rfm(ws.tables(), AS_OF)
    counts = rfm_counts(out).set_index("segment")
    assert counts.customers.sum() == 2 and len(counts) == 11
    grid = rf_grid(out)
    assert grid.shape == (5, 5) and grid.values.sum() == 2


def test_counts_in_the_engine_equal_counts_of_the_scores(tmp_path):
    # 30 customers with spread recency, orders and spend, one refund
    tx = [{"customer_id": f"c{k:02d}", "order_id": f"{k}-{j}", "date": f"2024-{1 + k % 6:02d}-{1 + j:02d}",
           "amount": 5.0 * (k % 7 + 1) - (20.0 if (k, j) == (3, 0) else 0.0)}
          for k in range(30) for j in range(1 + k % 5)]
    tables = make_workspace(tmp_path, transactions=tx).tables()
    by_frame = rfm_counts(rfm(tables, AS_OF))
    assert by_frame.customers.sum() == 30 and (by_frame.customers > 0).sum() >= 4
    pd.testing.assert_frame_equal(segment_counts(tables, AS_OF), by_frame, check_dtype=False)


def test_no_purchases_raises(tmp_path):
    ws = make_workspace(tmp_path, customers=[{"customer_id": "x"}])
    with pytest.raises(NotEnoughData):
        rfm(ws.tables(), AS_OF)
    with pytest.raises(NotEnoughData):
        segment_counts(ws.tables(), AS_OF)


def test_segment_names_stay_codes_and_read_in_chinese(tmp_path):
    from analysis import i18n
    from analysis.differentiate.rfm import segment_label

    tx = [{"customer_id": f"c{k:02d}", "order_id": f"{k}-{j}", "date": f"2024-06-{30 - k:02d}", "amount": 10.0}
          for k in range(1, 11) for j in range(k)]
    ws = make_workspace(tmp_path, transactions=tx)
    with i18n.using("zh"):
        out = rfm(ws.tables(), AS_OF).set_index("customer_id")
        rules = segment_rules().set_index("segment")
        shown = [segment_label(n) for n in ("cannot lose them", "champions", "my own rule")]
        with pytest.raises(NotEnoughData, match="还没有购买记录"):
            rfm(make_workspace(tmp_path, name="empty.duckdb").tables(), AS_OF)
    assert out.loc["c10", "rfm_segment"] == "cannot lose them"  # the code, in any language
    assert shown == ["不能失去的客户", "冠军客户", "my own rule"]
    assert rules.loc["champions", "description"] == "最近购买过且购买频繁：给予奖励，请他们推荐新客户"
    assert segment_rules().set_index("segment").loc["champions", "description"] == RFM_SEGMENTS[0][3]
