from analysis.charts import TIER_COLORS
from analysis.charts.segments import matrix_heatmap, migration_sankey, pyramid_chart, rfm_heatmap, value_scatter
from analysis.differentiate.matrix import satisfaction_matrix
from analysis.differentiate.pyramid import pyramid, tier_migration
from analysis.differentiate.rfm import rf_grid, rfm
from analysis.differentiate.value import value_groups
from tests.builders import buyers, make_workspace

AS_OF = "2024-06-30"


def ws_for_charts(tmp_path):
    tx = buyers(range(10, 210, 10)) + [{"customer_id": "old", "date": "2023-01-01", "amount": 5.0}]
    for row in tx:
        row["category"] = "A" if row["amount"] > 100 else "B"
    surveys = [{"customer_id": f"c{n:03d}", "occurred_at": "2024-03-01", "kind": "survey", "satisfaction": n % 5 + 1}
               for n in range(1, 21)]
    return make_workspace(tmp_path, customers=[{"customer_id": "c001", "region": "North"}],
                          transactions=tx, interactions=surveys)


def test_segment_charts_carry_keys(tmp_path):
    t = ws_for_charts(tmp_path).tables()
    pyr = pyramid(t, AS_OF)
    fig = pyramid_chart(pyr)
    bar = fig.data[0]
    assert [c[0] for c in bar.customdata] == list(pyr.tier)
    assert list(bar.marker.color) == [TIER_COLORS[x] for x in pyr.tier]
    assert "pyramid" in fig.layout.title.text.lower()
    assert all(b == -w / 2 for b, w in zip(bar.base, bar.x))  # centred bars

    mig = tier_migration(t, AS_OF)
    sk = migration_sankey(mig).data[0]
    assert sum(sk.link.value) == mig.customers.sum()

    vg = value_groups(t, AS_OF)
    sc = value_scatter(vg)
    names = {tr.name for tr in sc.data}
    assert "MVC" in names
    ids = {c[0] for tr in sc.data if tr.customdata is not None for c in tr.customdata}
    assert ids == set(vg.customer_id)

    mat = satisfaction_matrix(t, AS_OF)
    hm = matrix_heatmap(mat).data[0]
    counts = {cd[0]: cd[2] for row in hm.customdata for cd in row}
    assert counts == dict(zip(mat.cell, mat.customers))  # the nine cells and the no-survey row
    assert hm.customdata[0][2][0] == "high/high" and "<b>A</b>" in hm.text[0][2]  # top right

    rh = rfm_heatmap(rf_grid(rfm(t, AS_OF))).data[0]
    assert sum(map(sum, rh.z)) == 21 and rh.customdata[0][0] == "5/1"


def test_segment_charts_in_chinese_keep_codes_in_customdata(tmp_path):
    from analysis import i18n

    t = ws_for_charts(tmp_path).tables()
    pyr, mig, vg, mat = pyramid(t, AS_OF), tier_migration(t, AS_OF), value_groups(t, AS_OF), satisfaction_matrix(t, AS_OF)
    with i18n.using("zh"):
        mat_zh = satisfaction_matrix(t, AS_OF)
        fig, sankey = pyramid_chart(pyr, "$"), migration_sankey(mig)
        scatter, heat = value_scatter(vg, "$"), matrix_heatmap(mat_zh, "$")
    bar = fig.data[0]
    assert fig.layout.title.text == "客户金字塔（条形宽度 ~ 客户数的平方根）"
    assert list(bar.y)[:4] == ["顶级客户", "大客户", "中等客户", "小客户"]
    assert [c[0] for c in bar.customdata] == list(pyr.tier)  # clicks still carry the tier code
    top = pyr.iloc[0]
    assert bar.text[0] == f"顶级客户：{int(top.customers)} 位 · ${top.revenue:,.0f}（{top.revenue_share:.0%}）"
    assert "顶级客户（现在）" in sankey.data[0].node.label and list(sankey.data[0].node.customdata)[0] in pyr.tier.tolist()
    assert {tr.name for tr in scatter.data} >= {"MVC", "潜在价值 = 实际收入"}
    hm = heat.data[0]
    assert list(hm.y) == ["高满意度", "中满意度", "低满意度", "未调查"] and list(hm.x) == ["低购买量", "中购买量", "高购买量"]
    n = int(mat.set_index("cell").loc["high/high", "customers"])
    assert hm.text[0][2].startswith(f"<b>A</b> 与重点客户结为伙伴<br>{n} 位客户<br>$")
    assert hm.customdata[0][2][0] == "high/high"


def test_differentiate_charts_in_chinese():
    import pandas as pd

    from analysis import i18n
    from analysis.charts.differentiate import lift_chart, segment_chart, silhouette_chart
    from analysis.differentiate.rfm import segment_rules

    counts = segment_rules()[["segment"]].assign(customers=1, customer_share=1 / 11)
    lifts = pd.DataFrame({"attribute": ["region", "main_category"], "value": ["North", "(unknown)"],
                          "top_share": [0.5, 0.2], "rest_share": [0.25, 0.1], "lift": [2.0, 2.0]})
    with i18n.using("zh"):
        seg, lift = segment_chart(counts), lift_chart(lifts)
        sil = silhouette_chart(pd.DataFrame({"k": [2, 3], "silhouette": [0.3, 0.5], "chosen": [False, True]}))
    assert list(seg.data[0].y)[0] == "冠军客户" and list(seg.data[0].customdata[0]) == ["champions", "1"]
    assert seg.layout.title.text == "各 RFM 细分群的客户数"
    assert set(lift.data[0].y) == {"地区: North", "主要产品类别: （未知）"}
    assert sil.layout.xaxis.title.text == "聚类数 (k)"
