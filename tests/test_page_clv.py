"""The CLV page through AppTest: figures, charts, lists, and the holdout check."""

import json

from tests.builders import make_workspace
from tests.pagetest import open_page


def test_clv_page_on_demo(demo_copy):
    at = open_page(demo_copy, "clv")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Customers modelled"] == "5,156"
    assert int(metrics["Repeat buyers"].replace(",", "")) > 4000
    assert metrics["Model better than baseline"] in {"Yes", "No"}
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert len(titles) == 4
    top, lost = at.dataframe[0].value, at.dataframe[1].value
    assert len(top) == len(lost) == 50
    clv = top["Customer lifetime value ($)"]
    assert list(clv) == sorted(clv, reverse=True)
    assert {"clv_top_csv", "clv_top_xlsx", "clv_lost_csv"} <= {b.key for b in at.get("download_button")}


def test_clv_page_explains_when_there_is_too_little_data(tmp_path):
    ws = make_workspace(tmp_path, transactions=[
        {"customer_id": "a", "date": "2024-01-01", "amount": 10.0},
        {"customer_id": "a", "date": "2024-03-01", "amount": 12.0},
        {"customer_id": "b", "date": "2024-02-01", "amount": 30.0},
    ])
    ws.close()
    at = open_page(ws.path, "clv")
    assert any("at least" in i.value and "needed" in i.value for i in at.info)
