"""The page helpers in analysis.differentiate.views on tiny hand-built frames with obvious answers."""

import pandas as pd
import pytest

from analysis.differentiate import views as d
from analysis.errors import UserError
from analysis.differentiate.rfm import segment_rules


def test_migration_table_is_a_from_by_to_grid_in_tier_order():
    migration = pd.DataFrame({
        "from_tier": ["top", "small", "(new)", "small"],
        "to_tier": ["big", "small", "small", "inactive"],
        "customers": [1, 5, 2, 3],
    })
    grid = d.migration_table(migration)
    assert list(grid.index) == ["top", "small", "(new)"]
    assert list(grid.columns) == ["big", "small", "inactive"]
    assert grid.loc["small", "inactive"] == 3
    assert grid.loc["(new)", "small"] == 2
    assert grid.loc["top", "small"] == 0


def _value_frame():
    return pd.DataFrame({
        "customer_id": ["a", "b", "c", "d"],
        "is_mvc": [True, True, False, False], "is_mcc": [False, True, True, False],
        "is_bz": [False, False, False, True],
        "profit": [50.0, 90.0, 10.0, -20.0], "gap": [0.0, 5.0, 40.0, 0.0],
        "reason_mvc": ["ra", "rb", "", ""], "reason_mcc": ["", "gb", "gc", ""], "reason_bz": ["", "", "", "zd"],
        "share_of_wallet": [0.5, None, 0.25, None],
    })


def test_value_group_members_order_and_reason():
    f = _value_frame()
    mvc = d.value_group(f, "MVC")
    assert list(mvc.customer_id) == ["b", "a"] and list(mvc.reason) == ["rb", "ra"]
    mcc = d.value_group(f, "MCC")
    assert list(mcc.customer_id) == ["c", "b"] and list(mcc.reason) == ["gc", "gb"]
    assert list(d.value_group(f, "BZ").reason) == ["zd"]
    with pytest.raises(ValueError):
        d.value_group(f, "XYZ")


def test_wallet_summary_counts_only_known_wallets():
    assert d.wallet_summary(_value_frame()) == {"customers": 2, "median_share": 0.375}
    assert d.wallet_summary(_value_frame().assign(share_of_wallet=None)) == {"customers": 0, "median_share": None}


def test_volume_summary_has_all_three_tiers():
    f = pd.DataFrame({"customer_id": ["a", "b", "c"], "volume_tier": ["high", "high", None],
                      "revenue_window": [10.0, 5.0, 0.0]})
    out = d.volume_summary(f)
    assert list(out.volume) == ["high", "medium", "low"]
    assert list(out.customers) == [2, 0, 0]
    assert out.revenue.tolist() == [15.0, 0.0, 0.0]
    assert out.selling.iloc[0].startswith("One-to-one")


def _rfm_frame():
    return pd.DataFrame({
        "customer_id": ["a", "b", "c", "n"],
        "r": pd.array([5, 1, 3, None], dtype="Int64"), "f": pd.array([5, 1, 3, None], dtype="Int64"),
        "m": pd.array([5, 1, 3, None], dtype="Int64"), "revenue": [100.0, 1.0, 10.0, 0.0],
    })


def test_segment_by_rules_default_matches_builtin_rules_and_drops_never_buyers():
    out = d.segment_by_rules(_rfm_frame())
    assert list(out.customer_id) == ["a", "b", "c"]
    assert list(out.rfm_segment) == ["champions", "lost", "need attention"]


def test_edited_rules_first_match_wins_and_unmatched_are_counted():
    rules = pd.DataFrame([
        {"segment": "best", "r_min": 4, "r_max": 5, "f_min": 1, "f_max": 5, "description": "x"},
        {"segment": "also best", "r_min": 5, "r_max": 5, "f_min": 5, "f_max": 5, "description": "y"},
        {"segment": "middle", "r_min": 3, "r_max": 3, "f_min": 3, "f_max": 3, "description": None},
    ])
    rules = d.rules_from_table(rules)
    out = d.segment_by_rules(_rfm_frame(), rules)
    assert list(out.rfm_segment) == ["best", None, "middle"]
    counts = d.counts_by_rules(out, rules)
    assert list(counts.segment) == ["best", "also best", "middle", "(no rule)"]
    assert list(counts.customers) == [1, 0, 1, 1]
    assert counts.loc[counts.segment == "(no rule)", "revenue"].item() == 1.0
    assert counts.customer_share.sum() == pytest.approx(1.0)


def test_default_counts_cover_every_builtin_segment():
    out = d.segment_by_rules(_rfm_frame())
    counts = d.counts_by_rules(out)
    assert list(counts.segment) == list(segment_rules().segment)
    assert counts.customers.sum() == 3


@pytest.mark.parametrize("change, words", [
    ({"r_min": 4, "r_max": 2}, "r_min <= r_max"),
    ({"f_max": 6}, "1 to 5"),
    ({"segment": " "}, "name"),
])
def test_rules_from_table_names_the_bad_row(change, words):
    rules = segment_rules()
    for col, value in change.items():
        rules.loc[1, col] = value
    with pytest.raises(UserError, match="Rule 2") as info:
        d.rules_from_table(rules)
    assert words in str(info.value)


def test_silhouette_table_marks_the_chosen_k():
    t = d.silhouette_table({3: 0.2, 2: 0.1}, chosen=3)
    assert list(t.k) == [2, 3] and list(t.chosen) == [False, True]


def test_cluster_members_replaces_labels_and_keeps_only_clustered():
    frame = pd.DataFrame({"customer_id": ["a", "b", "c"], "cluster": [9, 9, 9], "cluster_name": ["x"] * 3})
    out = d.cluster_members(frame, pd.Index(["b", "a"]), [1, 0], ["Zero", "One"])
    assert out.set_index("customer_id")["cluster_name"].to_dict() == {"a": "Zero", "b": "One"}
    assert "c" not in set(out.customer_id)


def test_clusters_of_clicked_customers_and_none_clicked():
    members = d.cluster_members(pd.DataFrame({"customer_id": ["a", "b", "c"]}), pd.Index(["a", "b", "c"]),
                                [1, 0, 1], ["Zero", "One"])
    assert d.clusters_of(members, ["c", "b"]) == ["Zero", "One"]  # in the members' order
    assert d.clusters_of(members, []) == []


def test_rules_summary_segment_and_cell_equal_the_steps_they_stand_for():
    from analysis.differentiate.rfm import rf_grid

    frame = _rfm_frame()
    rules = d.rules_from_table(segment_rules())
    segmented = d.segment_by_rules(frame, rules)
    summary = d.rules_summary(frame, rules)
    pd.testing.assert_frame_equal(summary["counts"], d.counts_by_rules(segmented, rules))
    pd.testing.assert_frame_equal(summary["grid"], rf_grid(segmented))
    assert list(d.rules_segment(frame, rules, "champions").customer_id) == ["a"]
    assert list(d.rules_cell(frame, rules, "1/1").customer_id) == ["b"]
    assert d.rules_segment(frame, None, "champions").customer_id.tolist() == ["a"]


def test_known_attributes_ignores_unknown_values():
    lifts = pd.DataFrame({"attribute": ["region", "channel", "channel"],
                          "value": ["(unknown)", "Online", "(unknown)"]})
    assert d.known_attributes(lifts) == ["channel"]


def test_clickable_matrix_puts_a_marker_with_the_cell_id_on_each_of_twelve_cells():
    from analysis.charts.differentiate import clickable_matrix
    from analysis.differentiate.matrix import cell_texts

    cells = cell_texts().assign(customers=1, revenue=10.0)
    fig = clickable_matrix(cells)
    markers = fig.data[1]
    ids = [c[0] for c in markers.customdata]
    assert len(ids) == 12 and "high/low" in ids and sum(i.endswith("/none") for i in ids) == 3
    k = ids.index("high/low")
    assert (markers.x[k], markers.y[k]) == ("high volume", "low satisfaction")
    assert (markers.x[ids.index("medium/none")], markers.y[ids.index("medium/none")]) == ("medium volume", "no survey")


def test_scatter_sample_keeps_flagged_customers_and_is_stable():
    from analysis.differentiate.views import scatter_sample

    n = 1000
    frame = pd.DataFrame({
        "customer_id": [f"c{i:04d}" for i in range(n)], "has_purchased": [i % 10 != 0 for i in range(n)],
        "is_mvc": [i < 30 for i in range(n)], "is_mcc": [False] * n, "is_bz": [i in (997, 998) for i in range(n)],
    })
    shown, total = scatter_sample(frame, max_points=100)
    assert total == 900 and len(shown) == 100
    assert shown["has_purchased"].all()
    assert {"c0001", "c0029", "c0997", "c0998"} <= set(shown["customer_id"])
    assert shown["customer_id"].tolist() == scatter_sample(frame, max_points=100)[0]["customer_id"].tolist()
    small, total = scatter_sample(frame.head(50), max_points=100)
    assert total == len(small) == 45


def _migration_workspace(tmp_path):
    """a: active one window ago only (top -> inactive); b: bought in both windows (small ->
    top); c: first purchase now ((new) -> small); s: only listed (suspect -> suspect)."""
    from tests.builders import make_workspace

    tx = [{"customer_id": "a", "date": "2023-03-01", "amount": 100.0},
          {"customer_id": "b", "date": "2023-03-01", "amount": 10.0},
          {"customer_id": "b", "date": "2024-03-01", "amount": 10.0},
          {"customer_id": "c", "date": "2024-03-01", "amount": 5.0}]
    return make_workspace(tmp_path, customers=[{"customer_id": "s"}], transactions=tx)


def test_moves_name_the_direction_and_drop_empty_moves():
    migration = pd.DataFrame({
        "from_tier": ["top", "small", "(new)", "inactive", "big"],
        "to_tier": ["big", "small", "small", "medium", "top"],
        "customers": [1, 5, 2, 3, 0],
    })
    out = d.moves(migration)
    assert list(out.key) == ["top->big", "small->small", "(new)->small", "inactive->medium"]
    assert list(out.direction) == ["down", "same", "new", "up"]
    assert out.label[0] == "top → big: moved down (1 customer)"
    assert out.label[1] == "small → small: stayed (5 customers)"


def test_movers_are_the_customers_behind_each_move(tmp_path):
    from analysis.differentiate.pyramid import tier_migration
    from analysis.differentiate.segments import segment_customers

    t = _migration_workspace(tmp_path).tables()
    frame = segment_customers(t, "2024-06-30")
    moves = d.moves(tier_migration(t, "2024-06-30"))
    found = {k: list(d.movers(frame, k).customer_id) for k in moves.key}
    assert found == {"top->inactive": ["a"], "small->top": ["b"], "(new)->small": ["c"], "suspect->suspect": ["s"]}
    assert d.movers(frame, "top->top").empty


def test_rf_cells_of_the_grid_and_their_customers():
    from analysis.differentiate.rfm import rf_grid

    scored = d.segment_by_rules(_rfm_frame().assign(f=pd.array([5, 1, 5, None], dtype="Int64")))
    counts = d.rf_cell_counts(rf_grid(scored))
    assert len(counts) == 25 and list(counts)[:2] == ["5/1", "5/2"]
    assert (counts["5/5"], counts["1/1"], counts["3/5"], counts["3/3"]) == (1, 1, 1, 0)
    assert list(d.rf_cell(scored, "5/5").customer_id) == ["a"]
    assert list(d.rf_cell(scored, "3/5").customer_id) == ["c"]
    assert d.rf_cell(scored, "3/3").empty


def test_lift_bars_skip_values_without_a_lift_and_put_the_highest_first():
    lifts = pd.DataFrame({"attribute": ["region", "region", "main_category"],
                          "value": ["North", "South", "Ink"], "lift": [8.0, float("nan"), 1.5],
                          "top_customers": [2, 0, 1]})
    assert d.lift_bars(lifts) == {"region=North": "region: North · ×8.0 · 2 top customers",
                                  "main_category=Ink": "main category: Ink · ×1.5 · 1 top customer"}


def test_clickable_rfm_puts_a_marker_with_r_f_and_count_on_each_of_25_cells():
    from analysis.charts.differentiate import clickable_rfm
    from analysis.differentiate.rfm import rf_grid

    grid = rf_grid(d.segment_by_rules(_rfm_frame()))
    fig = clickable_rfm(grid)
    markers = fig.data[1]
    assert len(markers.customdata) == 25 and fig.layout.clickmode == "event+select"
    k = [c[0] for c in markers.customdata].index("3/3")
    assert (markers.x[k], markers.y[k], markers.customdata[k][1]) == ("F3", "R3", 1)
    assert sum(c[1] for c in markers.customdata) == 3


def test_clickable_migration_puts_a_move_key_on_every_cell_of_the_grid():
    from analysis.charts.differentiate import clickable_migration

    migration = pd.DataFrame({"from_tier": ["top", "small", "(new)"], "to_tier": ["big", "small", "small"],
                              "customers": [1, 5, 2]})
    fig = clickable_migration(d.migration_table(migration))
    heat, markers = fig.data
    assert list(heat.y) == ["top", "small", "new since then"] and list(heat.x) == ["big", "small"]
    assert list(heat.text[2]) == ["", "2"]
    cells = {c[0]: c[1] for c in markers.customdata}
    assert cells == {"top->big": 1, "top->small": 0, "small->big": 0, "small->small": 5,
                     "(new)->big": 0, "(new)->small": 2}
    k = [c[0] for c in markers.customdata].index("(new)->small")
    assert (markers.x[k], markers.y[k]) == ("small", "new since then")


def test_rule_errors_and_unmatched_segment_in_chinese():
    from analysis import i18n
    from analysis.differentiate.rfm import NO_RULE, segment_label

    rules = segment_rules()
    rules.loc[1, "r_min"] = 4
    rules.loc[1, "r_max"] = 2
    with i18n.using("zh"), pytest.raises(UserError) as info:
        d.rules_from_table(rules)
    assert str(info.value) == ("规则 2（loyal customers）：r_min 和 r_max 必须是 1 到 5 的整数评分，且 r_min <= r_max；"
                               "实际为 4 和 2。")
    only = pd.DataFrame([{"segment": "best", "r_min": 5, "r_max": 5, "f_min": 1, "f_max": 5, "description": "x"}])
    frame = pd.DataFrame({"customer_id": ["a", "b"], "r": [5, 1], "f": [3, 3], "m": [1, 1], "revenue": [9.0, 1.0]})
    with i18n.using("zh"):
        counts = d.counts_by_rules(d.segment_by_rules(frame, only), only).set_index("segment")
        shown = segment_label(NO_RULE)
        volumes = d.volume_summary(pd.DataFrame({"customer_id": ["a"], "volume_tier": ["high"],
                                                 "revenue_window": [5.0]}))
    assert counts.loc[NO_RULE, "description"] == "不符合任何规则" and counts.loc[NO_RULE, "customers"] == 1
    assert shown == "（未匹配规则）" and segment_label("best") == "best"
    assert volumes.selling.iloc[0] == "一对一：指定专属客户经理"
