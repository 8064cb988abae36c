"""The Clusters page through AppTest on the demo company and a transactions-only workspace."""

import json

from tests.builders import buyers, make_workspace
from tests.pagetest import open_page
from tests.pages.test_page_pyramid import transactions_only
from ui.lists import MAX_SHOWN


def test_clusters_on_demo_automatic_then_overridden(demo_copy):
    at = open_page(demo_copy, "clusters")
    k = int(next(m.value for m in at.metric if m.label == "Clusters"))
    assert 2 <= k <= 8
    silhouette = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert silhouette["x"] == [str(n) for n in range(2, 9)]
    best = max(range(len(silhouette["y"])), key=lambda i: silhouette["y"][i])
    assert int(silhouette["x"][best]) == k  # the automatic k has the highest silhouette
    personas = at.selectbox(key="cl_cluster").options
    assert len(personas) == k
    texts = [t.value for t in at.text]
    for name in personas:
        assert any(t == name.rsplit(" (", 1)[0] for t in texts), name
    projection = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert len(projection["data"]) == k
    sizes = [int(o.rsplit("(", 1)[1].rstrip(")").replace(",", "")) for o in personas]
    assert len(at.dataframe[-1].value) == min(sizes[0], MAX_SHOWN)
    assert any(m.value == f"**{sizes[0]:,} customers**" for m in at.markdown)

    at.number_input(key="cl_k").set_value(3).run()
    assert not at.exception
    assert next(m.value for m in at.metric if m.label == "Clusters") == "3"
    assert len(at.selectbox(key="cl_cluster").options) == 3
    listed = at.dataframe[-1].value
    assert set(listed["Persona"]) == {at.selectbox(key="cl_cluster").value}


def test_clusters_with_only_transactions(tmp_path):
    at = open_page(transactions_only(tmp_path), "clusters")
    assert int(next(m.value for m in at.metric if m.label == "Clusters")) >= 2


def test_clusters_with_too_few_buyers_explains(tmp_path):
    ws = make_workspace(tmp_path, transactions=buyers([10.0, 20.0, 30.0]))
    ws.close()
    at = open_page(ws.path, "clusters")
    assert any("at least 20 customers" in i.value for i in at.info)
