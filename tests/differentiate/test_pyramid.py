import datetime as dt

import pytest

from analysis.errors import NotEnoughData
from analysis.differentiate.pyramid import TIERS, customer_tiers, pyramid, tier_migration
from analysis.settings import SegmentSettings
from tests.builders import buyers, make_workspace

AS_OF = "2024-06-30"


def tiers_of(ws, as_of=AS_OF, settings=None):
    frame = customer_tiers(ws.tables(), as_of, settings).to_pandas()
    return dict(zip(frame.customer_id, frame.tier))


def test_hundred_active_customers_split_1_4_15_80(tmp_path):
    ws = make_workspace(tmp_path, transactions=buyers(range(1, 101)))
    pyr = pyramid(ws.tables(), AS_OF)
    assert list(pyr.tier) == list(TIERS)
    assert dict(zip(pyr.tier, pyr.customers)) == {
        "top": 1, "big": 4, "medium": 15, "small": 80, "inactive": 0, "prospect": 0, "suspect": 0}
    tiers = tiers_of(ws)
    assert tiers["c100"] == "top"
    assert {c for c, t in tiers.items() if t == "big"} == {"c096", "c097", "c098", "c099"}
    # revenue of the top tier is the single largest customer, share of window revenue
    top = pyr.set_index("tier").loc["top"]
    assert top.revenue == 100.0
    assert top.revenue_share == pytest.approx(100 / 5050)


def test_ties_are_broken_by_customer_id(tmp_path):
    ws = make_workspace(tmp_path, transactions=buyers([50.0] * 100))
    tiers = tiers_of(ws)
    assert tiers["c001"] == "top"
    assert [tiers[f"c{n:03d}"] for n in range(2, 6)] == ["big"] * 4
    assert tiers["c021"] == "small"


def test_refunding_active_customer_ranks_last_but_stays_active(tmp_path):
    tx = buyers(range(1, 100)) + [
        {"customer_id": "zz", "date": "2024-05-01", "amount": 30.0},
        {"customer_id": "zz", "date": "2024-05-02", "amount": -40.0},
    ]
    ws = make_workspace(tmp_path, transactions=tx)
    assert tiers_of(ws)["zz"] == "small"
    pyr = pyramid(ws.tables(), AS_OF).set_index("tier")
    assert pyr.loc["small", "customers"] == 80
    assert pyr.loc["inactive", "customers"] == 0


def test_inactive_prospect_suspect(tmp_path):
    ws = make_workspace(
        tmp_path,
        customers=[{"customer_id": "listed_contacted"}, {"customer_id": "listed_only"}, {"customer_id": "old"}],
        transactions=[{"customer_id": "old", "date": "2022-01-10", "amount": 70.0},
                      {"customer_id": "now", "date": "2024-06-01", "amount": 10.0}],
        interactions=[{"customer_id": "listed_contacted", "occurred_at": "2024-02-01"},
                      {"customer_id": "unlisted_contacted", "occurred_at": "2024-02-01"}],
    )
    assert tiers_of(ws) == {
        "listed_contacted": "prospect", "listed_only": "suspect", "old": "inactive",
        "now": "top", "unlisted_contacted": "prospect"}
    pyr = pyramid(ws.tables(), AS_OF).set_index("tier")
    assert pyr.loc["inactive", "revenue"] == 70.0  # all-time revenue for inactive
    assert pyr.loc["inactive", "revenue_share"] == pytest.approx(70 / 80)
    assert pyr.loc["suspect", "customers"] == 1
    assert pyr.loc["big", "customers"] == 0  # empty tiers are present


def test_small_business_still_has_a_top_customer(tmp_path):
    ws = make_workspace(tmp_path, transactions=buyers([5, 1, 2, 3]))
    pyr = pyramid(ws.tables(), AS_OF).set_index("tier")
    # ceil(4 * 1%) = 1 top, ceil(4 * 5%) = 1 -> 0 big, ceil(4 * 20%) = 1 -> 0 medium, 3 small
    assert pyr.customers.to_dict()["top"] == 1
    assert pyr.loc["small", "customers"] == 3


def test_custom_shares(tmp_path):
    ws = make_workspace(tmp_path, transactions=buyers(range(1, 11)))
    s = SegmentSettings(top_share=0.1, big_share=0.2, medium_share=0.3)
    pyr = pyramid(ws.tables(), AS_OF, s).set_index("tier")
    assert pyr.customers[:4].tolist() == [1, 2, 3, 4]


def test_empty_workspace_raises(tmp_path):
    ws = make_workspace(tmp_path)
    with pytest.raises(NotEnoughData):
        pyramid(ws.tables(), dt.date(2024, 6, 30))


def test_migration_counts(tmp_path):
    tx = [
        # a: bought in the previous window only -> active before, inactive now
        {"customer_id": "a", "date": "2023-03-01", "amount": 100.0},
        # b: bought in both windows -> active then and now
        {"customer_id": "b", "date": "2023-03-01", "amount": 10.0},
        {"customer_id": "b", "date": "2024-03-01", "amount": 10.0},
        # c: first purchase now -> (new) -> active
        {"customer_id": "c", "date": "2024-03-01", "amount": 5.0},
    ]
    ws = make_workspace(tmp_path, customers=[{"customer_id": "s"}], transactions=tx)
    mig = tier_migration(ws.tables(), AS_OF)
    pairs = {(r.from_tier, r.to_tier): r.customers for r in mig.itertuples()}
    assert pairs == {("top", "inactive"): 1, ("small", "top"): 1, ("(new)", "small"): 1, ("suspect", "suspect"): 1}
    assert mig.customers.sum() == 4


def test_tier_labels_in_chinese_codes_unchanged(tmp_path):
    from analysis import i18n
    from analysis.differentiate.pyramid import NEW, tier_label

    ws = make_workspace(tmp_path, transactions=buyers(range(1, 101)))
    with i18n.using("zh"):
        pyr = pyramid(ws.tables(), AS_OF)
        labels = [tier_label(t) for t in (*TIERS, NEW, "something else")]
        with pytest.raises(NotEnoughData, match="还没有客户"):
            pyramid(make_workspace(tmp_path, name="empty.duckdb").tables(), AS_OF)
    assert list(pyr.tier) == list(TIERS)  # the codes, in any language
    assert labels == ["顶级客户", "大客户", "中等客户", "小客户", "不活跃客户", "潜在客户", "疑似客户", "此后新增",
                      "something else"]
    assert [tier_label(t) for t in TIERS] == list(TIERS)


def test_zero_or_negative_revenue_is_never_top_big_or_medium(tmp_path):
    # one customer with only refunds: ranked first of one, still small (ceil(1 x 1%) = 1 top slot)
    solo = make_workspace(tmp_path, transactions=buyers([-50.0]), name="solo.duckdb")
    assert tiers_of(solo) == {"c001": "small"}
    assert dict(zip(*pyramid(solo.tables(), AS_OF)[["tier", "customers"]].T.values))["top"] == 0
    # ten buyers: 0.00 and refunds rank last; with top/big/medium covering everyone, they stay small
    ws = make_workspace(tmp_path, transactions=buyers([0.0, -5.0, 100.0, 90.0]), name="four.duckdb")
    every = SegmentSettings(top_share=0.25, big_share=0.25, medium_share=0.5)
    assert tiers_of(ws, settings=every) == {"c003": "top", "c004": "big", "c001": "small", "c002": "small"}
