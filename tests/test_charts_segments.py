from analysis.charts import TIER_COLORS
from analysis.charts.segments import matrix_heatmap, migration_sankey, pyramid_chart, rfm_heatmap, value_scatter
from analysis.matrix import satisfaction_matrix
from analysis.pyramid import pyramid, tier_migration
from analysis.rfm import rf_grid, rfm
from analysis.value import value_groups
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
    assert sum(map(sum, hm.z)) == mat[mat.satisfaction != "none"].customers.sum()
    assert hm.customdata[0][2][0] == "high/high" and "<b>A</b>" in hm.text[0][2]

    rh = rfm_heatmap(rf_grid(rfm(t, AS_OF))).data[0]
    assert sum(map(sum, rh.z)) == 21 and rh.customdata[0][0] == "5/1"
