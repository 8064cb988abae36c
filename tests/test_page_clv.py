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
    assert len(titles) == 5  # with the reliability diagram of the churn check
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


def values(array) -> list:
    """A plotly spec's array: a list, or numbers packed as base64 ({"dtype", "bdata"})."""
    import base64

    import numpy as np

    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def test_the_value_axis_reads_in_round_amounts(demo_copy):
    import re

    from analysis.store import Workspace

    at = open_page(demo_copy, "clv")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    ticks = spec["layout"]["xaxis"]["ticktext"]
    assert ticks[0] == "under $1" and ticks[1:] == ["$1", "$10", "$100", "$1k", "$10k", "$100k"]
    assert not [t for t in ticks if re.search(r"0\.0", t)]  # never $0.00000000000000000000001
    shown = sum(int(sum(values(tr["y"]))) for tr in spec["data"])  # the grey bar: the customers worth under $1
    with Workspace(demo_copy) as ws:  # the customers the model scored: bought by the as-of date
        buyers = int(ws.scalar("SELECT count(DISTINCT customer_id) FROM transactions WHERE date <= DATE '2026-06-30'"))
    metrics = {m.label: m.value for m in at.metric}
    assert shown == buyers == int(metrics["Customers modelled"].replace(",", ""))
