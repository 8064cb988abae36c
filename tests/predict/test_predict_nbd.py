"""NBD without dropout (analysis.predict.nbd): the CDNOW estimates, the count likelihood, the
negative binomial predictions checked with scipy.stats, no P(alive), and the busy shop where
it is what is left when the dropout models give up."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.special import gammaln

from analysis.predict.clv import discounted_expected_purchases
from analysis.errors import NotEnoughData
from analysis.predict.nbd import NBDModel, nbd_loglik
from tests.predict_data import assert_gradient, busy_shop_lines, cdnow_summary, summarise


@pytest.fixture(scope="module")
def cdnow():
    return cdnow_summary()


def _model(r, alpha) -> NBDModel:
    model = NBDModel()
    model.params_ = {"r": r, "alpha": alpha}
    return model


def test_cdnow_estimates(cdnow):
    model = NBDModel().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    # r 0.385, alpha 12.072 (Hardie's NBD benchmark note, as remembered and re-computed in
    # research/models.md); LL -9763.66 in the purchase-time form
    assert round(model.params_["r"], 3) == 0.385 and round(model.params_["alpha"], 3) == 12.072
    assert model.loglik_ == pytest.approx(-9763.66, abs=5e-3)
    # the count likelihood P(X(T) = x) differs by Σ (x ln T - ln x!): -3193.06
    x, T = cdnow["x"].to_numpy(), cdnow["T"].to_numpy()
    counts = stats.nbinom.logpmf(x, model.params_["r"], model.params_["alpha"] / (model.params_["alpha"] + T)).sum()
    assert counts == pytest.approx(-3193.06, abs=5e-3)
    assert counts == pytest.approx(model.loglik_ + np.sum(x * np.log(T) - gammaln(x + 1)), rel=1e-10)
    assert model.n_customers_ == 2357 and list(model.summary.index) == ["r", "alpha"]


def test_gradient_matches_finite_differences(cdnow):
    x, T = cdnow["x"].to_numpy(), cdnow["T"].to_numpy()
    w = np.random.default_rng(5).integers(1, 4, len(x)).astype(float)
    assert_gradient(nbd_loglik, (0.5, 9.0), (x, T, w), rel=1e-6)


def test_predictions_are_the_negative_binomial_posterior():
    model = _model(0.385, 12.072)
    x, t_x, T, t = np.array([0, 2, 7]), np.array([0.0, 30.43, 29.43]), np.array([38.86, 38.86, 38.86]), 39.0
    # posterior λ ~ Gamma(r+x, α+T): purchases in t are NB(r+x, (α+T)/(α+T+t))
    posterior = stats.nbinom(0.385 + x, (12.072 + T) / (12.072 + T + t))
    assert model.conditional_expected_purchases(t, x, t_x, T) == pytest.approx(posterior.mean(), rel=1e-12)
    assert model.prob_no_purchase(t, x, t_x, T) == pytest.approx(posterior.pmf(0), rel=1e-12)
    assert model.prob_purchase_within(t, x, t_x, T) == pytest.approx(1 - posterior.pmf(0), rel=1e-12)
    assert model.expected_purchases(52.0) == pytest.approx(0.385 * 52 / 12.072)
    wait = model.time_to_next_purchase(x, t_x, T)
    assert model.prob_purchase_within(wait, x, t_x, T) == pytest.approx(0.5)
    assert np.all(np.isfinite(wait))  # without dropout everyone buys again some day


def test_has_no_p_alive_rather_than_a_made_up_100_percent():
    model = _model(0.385, 12.072)
    assert model.has_dropout is False
    assert not hasattr(model, "p_alive")
    with pytest.raises(AttributeError, match="no dropout.*P\\(alive\\) cannot be estimated"):
        model.p_alive(2, 30.0, 39.0)


def test_busy_shop_gets_expected_purchases_and_clv_from_nbd():
    # one year, nobody lapses: simulated with r = 1.2, alpha = 6 (per week)
    shop = summarise(busy_shop_lines(), np.datetime64("2023-12-31"), np.datetime64("2023-12-31"))
    model = NBDModel().fit(shop["x"], shop["t_x"], shop["T"])
    assert model.params_["r"] == pytest.approx(1.2, rel=0.15)
    assert model.params_["alpha"] == pytest.approx(6.0, rel=0.15)
    x, t_x, T = (shop[c].to_numpy() for c in ("x", "t_x", "T"))
    month = 365.25 / 12 / 7
    dep = discounted_expected_purchases(model, x, t_x, T, horizon_months=12, annual_discount=0.10)
    # month by month, discounted at the monthly rate: (r+x)/(α+T) purchases per week
    rate = (model.params_["r"] + x) / (model.params_["alpha"] + T)
    monthly = 1.10 ** (1 / 12)
    expected = sum(rate * month / monthly**k for k in range(1, 13))
    assert dep == pytest.approx(expected, rel=1e-12)


def test_too_few_repeat_customers_is_refused_in_plain_words():
    x = np.r_[np.zeros(92), np.ones(8)]
    t_x = np.r_[np.zeros(92), np.full(8, 3.0)]
    with pytest.raises(NotEnoughData, match=r"^only 8 repeat customers; at least 10 are needed to fit the purchase model$"):
        NBDModel().fit(x, t_x, np.full(100, 10.0))
    with pytest.raises(NotEnoughData, match="only 5 customers; at least 50"):
        NBDModel().fit([0, 1, 2, 0, 1], [0, 1, 2, 0, 1], [3, 3, 3, 3, 3])
