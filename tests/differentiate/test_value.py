import pandas as pd
import pytest

from analysis.settings import SegmentSettings
from analysis.differentiate.value import value_counts, value_groups
from tests.builders import buyers, make_workspace

DOLLARS = SegmentSettings(currency="$")  # reasons write amounts with the workspace's symbol

AS_OF = "2024-06-30"


def by_id(frame):
    return frame.set_index("customer_id")


def test_cost_to_serve_arithmetic_and_bz_reason(tmp_path):
    tx = [
        {"customer_id": "bz", "order_id": "1", "date": "2024-03-01", "amount": 500.0},
        {"customer_id": "bz", "order_id": "2", "date": "2024-03-05", "amount": -100.0},
        # an old refund and old contacts fall outside the window and cost nothing
        {"customer_id": "bz", "order_id": "0", "date": "2022-03-05", "amount": -10.0},
    ]
    contacts = (
        [{"customer_id": "bz", "occurred_at": "2024-02-01", "kind": "call"}] * 6
        + [{"customer_id": "bz", "occurred_at": "2024-02-02", "kind": "complaint"}] * 3
        + [{"customer_id": "bz", "occurred_at": "2024-02-03", "kind": "survey", "satisfaction": 3}]
        + [{"customer_id": "bz", "occurred_at": "2022-02-03", "kind": "call"}] * 5
    )
    ws = make_workspace(tmp_path, transactions=tx, interactions=contacts)
    row = by_id(value_groups(ws.tables(), AS_OF, DOLLARS)).loc["bz"]
    # margin 0.30 x 400 = 120; 9 contacts x 15 + 3 complaints x 60 + 1 refund x 25 = 340
    assert row.margin == pytest.approx(120.0)
    assert row.cost_to_serve == pytest.approx(340.0)
    assert row.profit == pytest.approx(-220.0)
    assert row.is_bz and not row.is_mvc
    assert row.reason_bz == "Margin $120 minus cost to serve $340 (9 contacts, 3 complaints, 1 refund)"


def test_mvc_is_top_20_percent_by_profit(tmp_path):
    ws = make_workspace(tmp_path, transactions=buyers(range(100, 1100, 100)))
    groups = by_id(value_groups(ws.tables(), AS_OF, DOLLARS))
    assert sorted(groups.index[groups.is_mvc]) == ["c009", "c010"]
    assert groups.loc["c010", "reason_mvc"] == "Profit $300 in the last 12 months: top 20%"
    assert groups.loc["c001", "reason_mvc"] == ""
    assert value_counts(groups.reset_index())["MVC"] == 2


def test_mcc_from_wallet_and_trend(tmp_path):
    customers = [{"customer_id": "w", "wallet": 10000.0}, {"customer_id": "flat"}]
    tx = [
        {"customer_id": "w", "date": "2024-03-01", "amount": 1800.0},
        {"customer_id": "up", "date": "2023-03-01", "amount": 1000.0},
        {"customer_id": "up", "date": "2024-03-01", "amount": 3000.0},
        {"customer_id": "flat", "date": "2023-03-01", "amount": 5000.0},
        {"customer_id": "flat", "date": "2024-03-01", "amount": 5000.0},
        {"customer_id": "new", "date": "2024-03-01", "amount": 7000.0},
        {"customer_id": "x", "date": "2024-03-01", "amount": 10.0},
    ]
    ws = make_workspace(tmp_path, customers=customers, transactions=tx)
    g = by_id(value_groups(ws.tables(), AS_OF, SegmentSettings(mcc_share=0.4, currency="$")))
    assert g.loc["w", "potential"] == 10000.0 and g.loc["w", "potential_source"] == "wallet"
    assert g.loc["w", "share_of_wallet"] == pytest.approx(0.18)
    assert g.loc["w", "reason_mcc"] == "Spends 18% of an estimated $10,000 wallet (room for $8,200)"
    assert g.loc["up", "potential"] == 5000.0  # 3000 + (3000 - 1000)
    assert g.loc["flat", "gap"] == 0.0 and g.loc["new", "gap"] == 0.0  # no rise, no first-window trend
    assert pd.isna(g.loc["up", "share_of_wallet"])
    # 5 active, mcc_share 40% -> 2 largest gaps: w (8200) and up (2000)
    assert sorted(g.index[g.is_mcc]) == ["up", "w"]


def test_given_potential_overrides_and_falls_back(tmp_path):
    ws = make_workspace(tmp_path, transactions=buyers([100, 200, 300, 400, 500]))
    g = by_id(value_groups(ws.tables(), AS_OF, DOLLARS, potential=pd.Series({"c001": 900.0})))
    assert g.loc["c001", "potential"] == 900.0 and g.loc["c001", "gap"] == 800.0
    assert g.loc["c002", "potential_source"] == "trend"
    assert list(g.index[g.is_mcc]) == ["c001"]
    assert "Predicted $900" in g.loc["c001", "reason_mcc"]


def test_customer_can_be_mvc_and_mcc(tmp_path):
    customers = [{"customer_id": "c005", "wallet": 99999.0}]
    ws = make_workspace(tmp_path, customers=customers, transactions=buyers([100, 200, 300, 400, 500]))
    g = by_id(value_groups(ws.tables(), AS_OF))
    assert g.loc["c005", "is_mvc"] and g.loc["c005", "is_mcc"]


def test_never_buyers_are_not_scored(tmp_path):
    ws = make_workspace(tmp_path, customers=[{"customer_id": "p"}],
                        interactions=[{"customer_id": "p", "occurred_at": "2024-01-01"}],
                        transactions=buyers([10]))
    g = value_groups(ws.tables(), AS_OF)
    assert list(g.customer_id) == ["c001"]


def test_lapsed_customer_with_contacts_is_not_below_zero(tmp_path):
    # bought two years ago, contacted in the window: a win-back cost, not a loss on a customer served
    tx = [{"customer_id": "lapsed", "order_id": "1", "date": "2022-05-01", "amount": 500.0},
          {"customer_id": "active", "order_id": "2", "date": "2024-05-01", "amount": 10.0}]
    contacts = [{"customer_id": c, "occurred_at": "2024-03-01", "kind": "call"} for c in ("lapsed", "active")] * 2
    ws = make_workspace(tmp_path, transactions=tx, interactions=contacts)
    groups = by_id(value_groups(ws.tables(), AS_OF, DOLLARS))
    assert groups.loc["lapsed", "profit"] < 0 and not groups.loc["lapsed", "is_bz"]
    # 0.30 x 10 - 2 contacts x 15 = -27: active and below zero
    assert groups.loc["active", "profit"] == pytest.approx(-27.0) and groups.loc["active", "is_bz"]


def test_reasons_in_chinese_keep_the_amounts(tmp_path):
    from analysis import i18n

    tx = [{"customer_id": "bz", "order_id": "1", "date": "2024-03-01", "amount": 500.0},
          {"customer_id": "bz", "order_id": "2", "date": "2024-03-05", "amount": -100.0}]
    contacts = ([{"customer_id": "bz", "occurred_at": "2024-02-01", "kind": "call"}] * 6
                + [{"customer_id": "bz", "occurred_at": "2024-02-02", "kind": "complaint"}] * 3)
    ws = make_workspace(tmp_path, transactions=tx, interactions=contacts, name="bz.duckdb")
    with i18n.using("zh"):
        row = by_id(value_groups(ws.tables(), AS_OF, DOLLARS)).loc["bz"]
    # margin 0.30 x 400 = 120; 9 contacts x 15 + 3 complaints x 60 + 1 refund x 25 = 340
    assert row.reason_bz == "毛利 $120 减去服务成本 $340（9 次接触、3 次投诉、1 次退款）"

    ws = make_workspace(tmp_path, transactions=buyers(range(100, 1100, 100)), name="mvc.duckdb")
    with i18n.using("zh"):
        groups = by_id(value_groups(ws.tables(), AS_OF, SegmentSettings(window_months=6, currency="$")))
    assert groups.loc["c010", "reason_mvc"] == "近 6 个月利润 $300：位列前 20%"
    assert by_id(value_groups(ws.tables(), AS_OF, DOLLARS)).loc["c010", "reason_mvc"].startswith("Profit $300")
