import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import NotEnoughData
from analysis.settings import SegmentSettings
from analysis.differentiate.segments import (
    TIERS, SegmentSettings, attitude_change, report_section, satisfaction_matrix, segment_customers,
)
from tests.builders import buyers, make_workspace

AS_OF = "2024-06-30"
DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


def full_workspace(tmp_path):
    customers = [{"customer_id": f"c{n:03d}", "region": "North"} for n in range(1, 11)]
    customers += [{"customer_id": "pros"}, {"customer_id": "susp"}]
    tx = buyers(range(100, 1100, 100)) + [
        {"customer_id": "c001", "order_id": "p1", "date": "2023-03-01", "amount": 1000.0},
        {"customer_id": "c010", "order_id": "p2", "date": "2023-03-01", "amount": 100.0},
        {"customer_id": "gone", "order_id": "p3", "date": "2023-03-01", "amount": 400.0},
    ]
    contacts = [{"customer_id": "pros", "occurred_at": "2024-01-01"},
                {"customer_id": "c010", "occurred_at": "2024-02-01", "kind": "survey", "satisfaction": 5}]
    contacts += [{"customer_id": "c001", "occurred_at": "2024-02-01", "kind": "complaint"}] * 2
    return make_workspace(tmp_path, customers=customers, transactions=tx, interactions=contacts)


def test_one_row_per_customer_with_all_labels(tmp_path):
    seg = segment_customers(full_workspace(tmp_path).tables(), AS_OF).set_index("customer_id")
    assert len(seg) == 13 and seg.index.is_unique
    for col in ("tier", "previous_tier", "is_mvc", "is_mcc", "is_bz", "profit", "potential",
                "share_of_wallet", "volume_tier", "satisfaction_tier", "cell", "abcd", "strategy",
                "r", "f", "m", "rfm_segment", "revenue_window", "recency_days"):
        assert col in seg.columns
    assert seg.loc["c010", "tier"] == "top" and seg.loc["c010", "previous_tier"] == "small"
    assert seg.loc["c001", "previous_tier"] == "top" and seg.loc["gone", "tier"] == "inactive"
    assert seg.loc["pros", "tier"] == "prospect" and seg.loc["susp", "tier"] == "suspect"
    assert seg.loc["c010", "cell"] == "high/high" and seg.loc["c010", "abcd"] == "A"
    assert seg.loc["c001", "cell"] == "low/none"
    # c001: margin 30, cost 2 x (15 + 60) = 150 -> below zero
    assert seg.loc["c001", "is_bz"] and seg.loc["c001", "profit"] == pytest.approx(-120.0)
    assert not seg.loc["susp", "is_bz"] and pd.isna(seg.loc["susp", "r"])
    assert seg.is_mvc.sum() == 2


def test_report_section_keys_and_plain_types(tmp_path):
    rep = report_section(full_workspace(tmp_path).tables(), AS_OF)
    assert set(rep) == {"pareto", "pyramid", "value_groups", "matrix", "rfm_segments"}
    assert set(rep["pareto"]) == {"top20_revenue_share", "gini"}
    assert [p["tier"] for p in rep["pyramid"]] == list(TIERS)
    assert set(rep["value_groups"]) == {"MVC", "MCC", "BZ"}
    assert len(rep["matrix"]) == 9
    assert set(rep["matrix"][0]) == {"volume", "satisfaction", "customers", "revenue", "strategy"}
    assert sum(rep["rfm_segments"].values()) == 11
    assert json.loads(json.dumps(rep)) == rep  # plain JSON types only

    def walk(x):
        if isinstance(x, dict):
            [walk(v) for v in x.values()]
        elif isinstance(x, list):
            [walk(v) for v in x]
        else:
            assert x is None or type(x) in (int, float, str, bool), type(x)
    walk(rep)


def test_transactions_only_workspace(tmp_path):
    ws = make_workspace(tmp_path, transactions=buyers(range(1, 21)))
    tables = ws.tables()
    rep = report_section(tables, AS_OF)
    assert rep["matrix"] == [] and [p["customers"] for p in rep["pyramid"][:4]] == [1, 0, 3, 16]
    assert rep["pareto"]["gini"] > 0
    with pytest.raises(NotEnoughData, match="satisfaction"):
        satisfaction_matrix(tables, AS_OF)
    seg = segment_customers(tables, AS_OF)
    assert set(seg.satisfaction_tier) == {"none"} and seg.region.isna().all()


def test_empty_workspace_report(tmp_path):
    rep = report_section(make_workspace(tmp_path).tables(), AS_OF)
    assert rep["pareto"] == {"top20_revenue_share": None, "gini": None}
    assert rep["rfm_segments"] == {} and rep["matrix"] == []
    assert [p["customers"] for p in rep["pyramid"]] == [0] * 7


def test_attitude_change_thresholds(tmp_path):
    tx = [
        {"customer_id": "drop", "date": "2023-03-01", "amount": 1000.0},
        {"customer_id": "drop", "date": "2024-03-01", "amount": 400.0},     # -60%, -600
        {"customer_id": "tiny", "date": "2023-03-01", "amount": 100.0},
        {"customer_id": "tiny", "date": "2024-03-01", "amount": 20.0},      # -80% but only -80
        {"customer_id": "rise", "date": "2023-03-01", "amount": 200.0},
        {"customer_id": "rise", "date": "2024-03-01", "amount": 500.0},     # +150%, +300
        {"customer_id": "steady", "date": "2023-03-01", "amount": 500.0},
        {"customer_id": "steady", "date": "2024-03-01", "amount": 600.0},   # +20%
        {"customer_id": "new", "date": "2024-03-01", "amount": 5000.0},     # no previous window
    ]
    ws = make_workspace(tmp_path, transactions=tx)
    ch = attitude_change(ws.tables(), AS_OF)
    assert ch.customer_id.tolist() == ["drop", "rise"]
    assert ch.direction.tolist() == ["falling", "rising"]
    assert ch.change_pct.tolist() == pytest.approx([-0.6, 1.5])
    ch2 = attitude_change(ws.tables(), AS_OF, SegmentSettings(change_amount=50))
    assert ch2.customer_id.tolist() == ["drop", "tiny", "rise"]


def test_settings_are_validated():
    with pytest.raises(ValueError):
        SegmentSettings(top_share=1.5)
    with pytest.raises(ValueError):
        SegmentSettings(top_share=0.5, big_share=0.4, medium_share=0.2)
    with pytest.raises(ValueError):
        SegmentSettings(satisfaction_low=4, satisfaction_high=4)


def test_cdnow_sample_pyramid_accounts_for_everyone(tmp_path):
    path = DATASETS / "CDNOW_sample.txt"
    if not path.exists():
        pytest.skip("../shared/datasets not present")
    raw = pd.read_csv(path, sep=r"\s+", header=None, names=["cid", "customer_id", "date", "qty", "amount"])
    tx = pd.DataFrame({"customer_id": raw.customer_id.astype(str),
                       "date": pd.to_datetime(raw.date.astype(str), format="%Y%m%d").dt.date,
                       "amount": raw.amount.astype(float), "quantity": raw.qty.astype(float)})
    ws = make_workspace(tmp_path)
    with ws.transaction() as cur:
        ws.append(cur, "transactions", tx)
    rep = report_section(ws.tables(), None)
    assert sum(p["customers"] for p in rep["pyramid"]) == tx.customer_id.nunique()
    assert 0.5 < rep["pareto"]["top20_revenue_share"] < 1 and 0 < rep["pareto"]["gini"] < 1


def test_labels_in_chinese_codes_and_report_unchanged(tmp_path):
    from analysis import i18n
    from analysis.differentiate.segments import direction_label

    tables = full_workspace(tmp_path).tables()
    english = report_section(tables, AS_OF)
    with i18n.using("zh"):
        seg = segment_customers(tables, AS_OF, SegmentSettings(currency="$")).set_index("customer_id")
        rep = report_section(tables, AS_OF)
        shown = [direction_label("falling"), direction_label("rising")]
    assert seg.loc["c010", "strategy"] == "与重点客户结为伙伴"
    assert seg.loc["c010", "tier"] == "top" and seg.loc["c010", "cell"] == "high/high"  # codes stay
    # c001: margin 0.3 x 100 = 30, cost 2 contacts x 15 + 2 complaints x 60 = 150
    assert seg.loc["c001", "reason_bz"] == "毛利 $30 减去服务成本 $150（2 次接触、2 次投诉、0 次退款）"
    assert shown == ["下降客户", "上升客户"]
    assert [p["tier"] for p in rep["pyramid"]] == list(TIERS) and rep["rfm_segments"] == english["rfm_segments"]
    assert rep["matrix"][0]["strategy"] == "与重点客户结为伙伴"
    assert english["matrix"][0]["strategy"] == "Partner with key accounts"
    assert segment_customers(tables, AS_OF, SegmentSettings(currency="$")).set_index("customer_id").loc["c001", "reason_bz"] == (
        "Margin $30 minus cost to serve $150 (2 contacts, 2 complaints, 0 refunds)")
