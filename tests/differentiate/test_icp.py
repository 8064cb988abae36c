import pytest

from analysis.errors import NotEnoughData
from analysis.differentiate.icp import ideal_customer_profile
from analysis.settings import SegmentSettings
from tests.builders import buyers, make_workspace


def build(tmp_path):
    tx = buyers(range(10, 110, 10))  # c001..c010, c009 and c010 are the top 20%
    customers = [{"customer_id": f"c{n:03d}", "region": "North" if n >= 8 else "South",
                  "industry": "Retail"} for n in range(1, 11)]
    customers += [{"customer_id": "p_north", "region": "North"}, {"customer_id": "p_south", "region": "South"}]
    contacts = [{"customer_id": "p_north", "occurred_at": "2024-01-01"},
                {"customer_id": "p_south", "occurred_at": "2024-01-01"}]
    return make_workspace(tmp_path, customers=customers, transactions=tx, interactions=contacts)


def test_lifts_with_counts(tmp_path):
    res = ideal_customer_profile(build(tmp_path).tables(), "2024-06-30")
    assert (res.top_customers, res.rest_customers) == (2, 8)
    lifts = res.lifts.set_index(["attribute", "value"])
    north = lifts.loc[("region", "North")]
    # top: 2 of 2 in North; rest: 1 of 8 (c008) -> lift 1 / 0.125 = 8
    assert (north.top_customers, north.rest_customers) == (2, 1)
    assert north.lift == pytest.approx(8.0)
    assert lifts.loc[("industry", "Retail"), "lift"] == pytest.approx(1.0)


def test_look_alikes_ranked(tmp_path):
    res = ideal_customer_profile(build(tmp_path).tables(), "2024-06-30")
    cands = res.candidates
    assert set(cands.tier) == {"prospect", "small"}
    assert cands.customer_id.iloc[0] in {"p_north", "c008"}
    order = list(cands.customer_id)
    assert order.index("p_north") < order.index("p_south")
    assert "region = North" in cands.set_index("customer_id").loc["p_north", "similar_because"]
    assert "top 20%" in res.explanation


def test_needs_five_active(tmp_path):
    ws = make_workspace(tmp_path, transactions=buyers([1, 2, 3]))
    with pytest.raises(NotEnoughData, match="at least 5"):
        ideal_customer_profile(ws.tables(), "2024-06-30")


def test_top_customers_with_a_value_are_the_top_share_of_its_lift_bar(tmp_path):
    from analysis.differentiate.icp import lift_key, top_customers_with

    res = ideal_customer_profile(build(tmp_path).tables(), "2024-06-30")
    north = top_customers_with(res, lift_key("region", "North"))
    assert list(north.customer_id) == ["c010", "c009"]  # biggest window revenue first
    assert top_customers_with(res, lift_key("region", "South")).empty
    assert len(top_customers_with(res, lift_key("industry", "Retail"))) == 2
    for row in res.lifts.itertuples():
        assert len(top_customers_with(res, lift_key(row.attribute, row.value))) == row.top_customers
    with pytest.raises(ValueError, match="attribute"):
        top_customers_with(res, "colour=red")


def test_profile_texts_in_chinese(tmp_path):
    from analysis import i18n

    with i18n.using("zh"):
        res = ideal_customer_profile(build(tmp_path).tables(), "2024-06-30", SegmentSettings(currency="$"))
        with pytest.raises(NotEnoughData, match="至少需要 5 位活跃客户.*目前只有 3 位"):
            ideal_customer_profile(make_workspace(tmp_path, transactions=buyers([1, 2, 3]), name="few.duckdb").tables(),
                                   "2024-06-30")
    because = res.candidates.set_index("customer_id").loc["p_north", "similar_because"]
    assert because.startswith("地区 = North（") and "倍）" in because
    assert "前 20% 的客户" in res.explanation
    # order size bands: terciles (4, 3, 3) of the ten buyers' order values $10..$100
    bands = set(res.lifts.loc[res.lifts.attribute == "order_size", "value"])
    assert bands == {"小额订单（$10-$40）", "中等订单（$50-$70）", "大额订单（$80-$100）"}
