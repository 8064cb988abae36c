"""Churn you can calibrate (issue 17): `report --holdout DATE` checks each customer's predicted
chance of no purchase in the 90 days after DATE against what they did, beside the rule "no
purchase in the last 90 days means gone"; the CLV page draws the reliability diagram and says
both scores. Checked against a split, an NBD fit and Brier scores computed here."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from tests.pagetest import open_page
from tests.predict.test_clv_fallback import END, _nbd_mle, shop  # noqa: F401 (the fixture)
from tests.predict_data import summarise

CUT = pd.Timestamp("2023-09-30")


def test_report_holdout_gains_brier_and_calibration_error(shop, capsys):  # noqa: F811
    db, lines = shop
    assert main(["report", "--db", str(db), "--json", "--holdout", "2023-09-30"]) == 0
    churn = json.loads(capsys.readouterr().out)["clv"]["holdout"]["churn"]

    split = summarise(lines, CUT, END)
    x, t_x, T = (split[c].to_numpy() for c in ("x", "t_x", "T"))
    r, alpha = _nbd_mle(x, T)  # nobody looks lapsed here either: NBD answers
    horizon = 90 / 7
    predicted = ((alpha + T) / (alpha + T + horizon)) ** (r + x)
    gone = (split["next_90_days"].to_numpy() == 0).astype(float)
    naive = ((T - t_x) >= horizon).astype(float)
    assert churn["horizon"] == pytest.approx(horizon)
    assert churn["customers"] == len(split)
    assert churn["brier"] == pytest.approx(np.mean((predicted - gone) ** 2), rel=1e-3)
    assert churn["naive_brier"] == pytest.approx(np.mean((naive - gone) ** 2), rel=1e-9)
    rel = pd.DataFrame(churn["reliability"])
    assert len(rel) == 10 and rel["customers"].sum() == len(split)
    assert rel["mean_predicted"].is_monotonic_increasing
    share = rel["customers"] / rel["customers"].sum()
    assert churn["calibration_error"] == pytest.approx(
        float(np.sum(share * (rel["mean_predicted"] - rel["observed"]).abs())))
    # every customer in one decile: together they hold exactly the customers who bought nothing
    assert float((rel["customers"] * rel["observed"]).sum()) == pytest.approx(gone.sum())

def test_the_clv_page_draws_the_reliability_diagram_and_says_both_scores(shop):  # noqa: F811
    db, _ = shop
    at = open_page(db, "clv")
    at.date_input(key="clv_holdout").set_value(CUT.date()).run()
    assert not at.exception, at.exception
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert any(title.startswith("Does the chance of no purchase come true?") for title in titles)
    words = [m.value for m in at.markdown if "no purchase in the last 90 days means gone" in m.value]
    assert words and "90 days after 2023-09-30" in words[0]
    chinese = open_page(db, "clv", params={"lang": "zh"})
    assert any("最近 90 天未购买即视为流失" in m.value for m in chinese.markdown)
