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


def test_the_clv_page_fits_the_models_once_per_data_version(demo_copy, monkeypatch):
    """The CLV page's summary, outlook and the per-customer scores all read one fit of the
    purchase and spend models on the purchases up to the as-of date (issue 14: it used to
    fit up to three times), and moving the horizon slider fits nothing again. The model
    choice, the holdout check and the churn check fit their own models on the calibration
    period (26 weeks shorter), and none of them again on the slider's move either."""
    import numpy as np

    from analysis.predict.bgnbd import BetaGeoModel
    from analysis.predict.gamma_gamma import GammaGammaModel

    purchase_fits: list[float] = []  # the oldest customer's age in weeks, per fit: tells the two periods apart
    spend_fits: list[int] = []
    bg_fit, gg_fit = BetaGeoModel.fit, GammaGammaModel.fit

    def counted_bg(self, frequency, recency, T, weights=None):
        purchase_fits.append(round(float(np.max(T)), 6))
        return bg_fit(self, frequency, recency, T, weights)

    def counted_gg(self, frequency, monetary):
        spend_fits.append(len(frequency))
        return gg_fit(self, frequency, monetary)

    monkeypatch.setattr(BetaGeoModel, "fit", counted_bg)
    monkeypatch.setattr(GammaGammaModel, "fit", counted_gg)
    at = open_page(demo_copy, "clv")
    assert {m.label for m in at.metric} >= {"Customers modelled", "Total CLV, next 12 months"}
    whole, calibration = max(purchase_fits), min(purchase_fits)
    assert whole > calibration  # the holdout's models see 26 weeks less
    assert purchase_fits.count(whole) == 1, purchase_fits
    assert len(spend_fits) == 1, spend_fits  # the calibration checks need no spend model
    fits = len(purchase_fits)

    at.slider(key="clv_horizon").set_value(24).run()
    assert not at.exception, at.exception
    assert "Total CLV, next 24 months" in {m.label for m in at.metric}
    assert len(purchase_fits) == fits and len(spend_fits) == 1  # a new horizon scores the same fit
