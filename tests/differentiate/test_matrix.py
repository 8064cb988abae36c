import pytest

from analysis.errors import NotEnoughData
from analysis.differentiate.matrix import CELLS, RELATIONSHIP, SELLING, satisfaction_matrix
from tests.builders import buyers, make_workspace

AS_OF = "2024-06-30"


def survey(cid, score, scale=5, when="2024-04-01"):
    return {"customer_id": cid, "occurred_at": when, "kind": "survey", "satisfaction": score, "scale": scale}


def test_hand_placed_customers_land_in_their_cells(tmp_path):
    # 9 active customers: c007-c009 high volume, c004-c006 medium, c001-c003 low
    surveys = [
        survey("c009", 9, scale=10),   # 4.5 -> high
        survey("c008", 3),             # medium
        survey("c007", 2),             # low (<= 2)
        survey("c006", 4),             # high (>= 4)
        survey("c005", 1, when="2024-01-01"), survey("c005", 5, when="2024-05-01"),  # latest counts: high
        # c004: no survey
        survey("c003", 2.5),           # medium
    ]
    ws = make_workspace(tmp_path, transactions=buyers(range(10, 100, 10)), interactions=surveys)
    m = satisfaction_matrix(ws.tables(), AS_OF).set_index("cell")
    assert len(m) == 12
    expected = {"high/high": 1, "high/medium": 1, "high/low": 1, "medium/high": 2, "low/medium": 1,
                "medium/none": 1, "low/none": 2}
    assert {c: n for c, n in m.customers.items() if n} == expected
    assert m.loc["high/high", "revenue"] == 90.0
    assert m.loc["high/high", "abcd"] == "A"
    assert m.loc["medium/high", "abcd"] == "B"
    assert m.loc["low/medium", "abcd"] == "C"
    assert m.loc["high/low", "abcd"] == "D" and m.loc["medium/medium", "abcd"] == "D"
    assert m.loc["high/none", "abcd"] is None
    assert m.loc["high/low", "selling"] == SELLING["high"]
    assert m.loc["high/low", "relationship"].startswith("Correct")
    assert m.loc["low/high", "selling"] == "Through retailers / self-service"


def test_inactive_customers_are_left_out(tmp_path):
    tx = buyers([10, 20, 30]) + [{"customer_id": "old", "date": "2021-01-01", "amount": 999.0}]
    ws = make_workspace(tmp_path, transactions=tx, interactions=[survey("old", 5), survey("c001", 5)])
    m = satisfaction_matrix(ws.tables(), AS_OF)
    assert m.customers.sum() == 3


def test_no_surveys_raises_with_plain_message(tmp_path):
    ws = make_workspace(tmp_path, transactions=buyers([10, 20, 30]))
    with pytest.raises(NotEnoughData, match="satisfaction"):
        satisfaction_matrix(ws.tables(), AS_OF)


def test_strategy_table_is_complete():
    assert len(CELLS) == 12
    for cid, spec in CELLS.items():
        volume, sat = cid.split("/")
        assert volume in SELLING and sat in RELATIONSHIP
        assert 2 <= len(spec["actions"]) <= 3 and spec["strategy"]
    assert {spec["abcd"] for spec in CELLS.values()} == {"A", "B", "C", "D", None}


def test_cell_texts_and_labels_in_chinese(tmp_path):
    from analysis import i18n
    from analysis.differentiate.matrix import abcd_description, cell_texts, satisfaction_label, volume_label

    ws = make_workspace(tmp_path, transactions=buyers(range(10, 100, 10)), interactions=[survey("c009", 5)])
    with i18n.using("zh"):
        m = satisfaction_matrix(ws.tables(), AS_OF).set_index("cell")
        texts = cell_texts().set_index("cell")
        labels = (volume_label("high"), satisfaction_label("low"), satisfaction_label("none"), abcd_description("A"))
        with pytest.raises(NotEnoughData, match="满意度评分"):
            satisfaction_matrix(make_workspace(tmp_path, transactions=buyers([10]), name="none.duckdb").tables(), AS_OF)
    assert m.loc["high/high", "strategy"] == "与重点客户结为伙伴" and m.loc["high/high", "customers"] == 1
    assert m.loc["high/high", "volume"] == "high" and m.loc["high/high", "abcd"] == "A"  # codes stay
    assert texts.loc["high/low", "selling"] == "一对一：指定专属客户经理"
    assert texts.loc["high/low", "actions"][0] == "本周内回电，并请一位高层一同参与"
    assert labels == ("高购买量", "低满意度", "未调查", "购买量高且满意度高：合作伙伴")
    assert cell_texts().set_index("cell").loc["high/high", "strategy"] == CELLS["high/high"]["strategy"]


def test_zero_or_negative_revenue_is_low_volume(tmp_path):
    from analysis.differentiate.matrix import with_cells
    from analysis.identify.facts import customer_facts

    ws = make_workspace(tmp_path, transactions=buyers([-50.0]))
    cells = with_cells(customer_facts(ws.tables(), "2024-06-30")).to_pandas()
    assert cells[["customer_id", "volume_tier", "cell"]].values.tolist() == [["c001", "low", "low/none"]]
