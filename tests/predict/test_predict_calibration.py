"""Churn calibration (analysis.predict.calibration): Brier score, reliability deciles, the
naive 90-day rule, and each model's P(no purchase in the next 90 days) on the CDNOW time
split, checked against figures computed here from the purchase dates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.predict.bgnbd import BetaGeoModel
from analysis.predict.calibration import (
    brier_score,
    calibration_error,
    churn_check,
    naive_churn,
    reliability_table,
)
from analysis.predict.selection import select_model
from tests.predict_data import CDNOW_CUT, CDNOW_END, cdnow_lines, summarise

BGNBD_PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def test_brier_score_by_hand():
    predicted, observed = [0.1, 0.8, 0.5, 1.0], [0, 1, 1, 1]
    assert brier_score(predicted, observed) == pytest.approx((0.01 + 0.04 + 0.25 + 0.0) / 4)
    assert brier_score(predicted, observed, weights=[3, 1, 1, 1]) == pytest.approx((0.03 + 0.04 + 0.25) / 6)
    assert brier_score([0.5] * 6, [0, 1, 0, 1, 1, 0]) == 0.25  # the coin flip


def test_reliability_deciles_by_hand():
    rng = np.random.default_rng(3)
    predicted = np.arange(1, 21) / 20  # 0.05 .. 1.00
    observed = (np.arange(20) % 3 == 0).astype(float)
    order = rng.permutation(20)  # the table sorts them itself
    table = reliability_table(predicted[order], observed[order])
    assert list(table["bin"]) == list(range(1, 11)) and list(table["customers"]) == [2.0] * 10
    assert table["mean_predicted"].tolist() == pytest.approx([(predicted[2 * i] + predicted[2 * i + 1]) / 2 for i in range(10)])
    assert table["observed"].tolist() == pytest.approx([(observed[2 * i] + observed[2 * i + 1]) / 2 for i in range(10)])
    gaps = [abs((predicted[2 * i] + predicted[2 * i + 1]) / 2 - (observed[2 * i] + observed[2 * i + 1]) / 2) for i in range(10)]
    assert calibration_error(table) == pytest.approx(np.mean(gaps))
    assert len(reliability_table([0.2, 0.4, 0.9], [0, 1, 1])) == 3  # fewer customers than bins


def test_naive_rule_counts_the_last_ninety_days():
    # last purchase 89, 90 and 200 days before the cut-off (times in weeks, as the models use)
    T = np.array([300.0, 300.0, 300.0]) / 7
    recency = np.array([300 - 89, 300 - 90, 300 - 200]) / 7
    assert naive_churn(recency, T, 90 / 7).tolist() == [0.0, 1.0, 1.0]


def test_bgnbd_no_purchase_probability_is_the_likelihood_ratio():
    # research/models.md §6: closed form = L(x, t_x, T+t) / L(x, t_x, T) at the published parameters
    model = BetaGeoModel()
    model.params_ = dict(BGNBD_PUBLISHED)
    for (x, t_x, T), expected in [((2, 30.43, 38.86), 0.445373), ((0, 0.0, 38.86), 0.855449),
                                  ((7, 29.43, 38.86), 0.364358)]:
        assert model.prob_no_purchase(39, x, t_x, T) == pytest.approx(expected, abs=1e-6)


@pytest.fixture(scope="module")
def cdnow_split():
    lines = cdnow_lines()
    summary = summarise(lines, CDNOW_CUT, CDNOW_END)
    days = lines[["customer_id", "date"]].drop_duplicates()
    last = days[days["date"] <= CDNOW_CUT].groupby("customer_id")["date"].max()
    summary["quiet_90_days"] = (CDNOW_CUT - last.reindex(summary.index)).dt.days >= 90
    return summary


def test_churn_on_the_cdnow_time_split(cdnow_split):
    # Fit on weeks 1-39, ask P(no purchase in the next 90 days), compare with who bought.
    d = cdnow_split
    x, t_x, T = d["x"], d["t_x"], d["T"]
    bought = d["next_90_days"] > 0
    assert bought.sum() == 398  # customers who bought on 1997-10-01 .. 1997-12-29 (awk on the file agrees)
    horizon = 90 / 7
    fitted = select_model(x, t_x, T).fitted
    assert set(fitted) == {"nbd", "bgnbd", "mbgnbd", "paretonbd"}
    naive_brier = float(np.mean((d["quiet_90_days"].astype(float) - (~bought).astype(float)) ** 2))
    for name, model in fitted.items():
        check = churn_check(model, horizon, x, t_x, T, d["next_90_days"])
        assert check.customers == 2357 and check.horizon == pytest.approx(horizon)
        assert check.naive_brier == pytest.approx(naive_brier, rel=1e-12)
        # every model beats the rule of thumb (about 0.11-0.12 against 0.17)
        assert check.brier < check.naive_brier, name
        assert check.reliability["customers"].sum() == 2357
        assert check.calibration_error == pytest.approx(calibration_error(check.reliability))
    # BG/NBD's churn recomputed here from its closed form 1 - P(alive) (1 - ((α+T)/(α+T+t))^(r+x))
    r, alpha, a, b = fitted["bgnbd"].params_.values()
    xs, txs, Ts = (v.to_numpy() for v in (x, t_x, T))
    alive = np.where(xs > 0, 1 / (1 + a / (b + np.maximum(xs, 1) - 1) * ((alpha + Ts) / (alpha + txs)) ** (r + xs)), 1.0)
    p0 = 1 - alive * (1 - ((alpha + Ts) / (alpha + Ts + horizon)) ** (r + xs))
    check = churn_check(fitted["bgnbd"], horizon, x, t_x, T, d["next_90_days"])
    assert check.brier == pytest.approx(np.mean((p0 - (~bought)) ** 2), rel=1e-10)
    table = pd.DataFrame({"p": p0, "o": (~bought).astype(float)}).sort_values("p", kind="stable")
    first_decile = table.iloc[:236]
    assert check.reliability.loc[0, "mean_predicted"] == pytest.approx(first_decile["p"].mean(), rel=1e-10)
    assert check.reliability.loc[0, "observed"] == pytest.approx(first_decile["o"].mean(), rel=1e-12)
    assert set(check.as_dict()) == {"horizon", "customers", "brier", "calibration_error", "naive_brier", "reliability"}
