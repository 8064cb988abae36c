"""MBG/NBD (analysis.predict.mbgnbd): lifetimes' CDNOW estimates (BTYDplus), the likelihood
written out with beta functions, an independent integral for the conditional expectation,
and the dropout that runs off in a year where nobody lapses."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.special import beta as beta_fn
from scipy.special import gamma

from analysis.predict.fitting import DropoutNotIdentified
from analysis.predict.mbgnbd import ModifiedBetaGeoModel, mbgnbd_loglik
from tests.predict_data import assert_gradient, busy_shop_lines, cdnow_summary, summarise

PUBLISHED = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}  # lifetimes' test (BTYDplus)


@pytest.fixture(scope="module")
def fitted():
    cdnow = cdnow_summary()
    return ModifiedBetaGeoModel().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])


def _model(params) -> ModifiedBetaGeoModel:
    model = ModifiedBetaGeoModel()
    model.params_ = dict(zip(("r", "alpha", "a", "b"), params))
    return model


def test_reproduces_lifetimes_cdnow_estimates(fitted):
    assert {k: round(v, 3) for k, v in fitted.params_.items()} == PUBLISHED
    assert fitted.loglik_ == pytest.approx(-9582.136, abs=2e-3)  # re-computed, research/models.md
    assert fitted.n_customers_ == 2357 and fitted.n_repeat_ == 946


def test_expectations_match_lifetimes_test_values(fitted):
    # lifetimes reuses the BG/NBD spreadsheet's values for MBG/NBD, with loose tolerances
    assert fitted.conditional_expected_purchases(39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=0.05)
    times = np.array([0.1429, 1, 3, 31.8571, 32, 78])
    sheet = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576]
    assert fitted.expected_purchases(times) == pytest.approx(sheet, rel=0.05)


def test_loglik_matches_the_likelihood_written_out():
    r, alpha, a, b = PUBLISHED.values()

    def likelihood(x, t_x, T):
        common = gamma(r + x) * alpha**r / gamma(r)
        return (beta_fn(a, b + x + 1) / beta_fn(a, b) * common / (alpha + T) ** (r + x)
                + beta_fn(a + 1, b + x) / beta_fn(a, b) * common / (alpha + t_x) ** (r + x))

    rows = [(0, 0.0, 30.0), (1, 2.0, 30.0), (4, 20.5, 38.0), (12, 35.0, 36.0)]
    expected = sum(np.log(likelihood(*row)) for row in rows)
    assert mbgnbd_loglik((r, alpha, a, b), *np.array(rows).T) == pytest.approx(expected, rel=1e-12)


def test_gradient_matches_finite_differences():
    cdnow = cdnow_summary()
    x, t_x, T = (cdnow[c].to_numpy() for c in ("x", "t_x", "T"))
    assert_gradient(mbgnbd_loglik, (0.6, 5.0, 0.9, 2.0), (x, t_x, T), rel=1e-6)


def test_one_time_buyers_may_already_be_gone():
    model = _model(PUBLISHED.values())
    r, alpha, a, b = PUBLISHED.values()
    assert model.p_alive(0, 0.0, 30.0) == pytest.approx(1 / (1 + a / b * ((alpha + 30) / alpha) ** r))
    assert model.p_alive(0, 0.0, 30.0) < 1.0
    assert model.p_alive(3, 30.0, 30.0) == pytest.approx(1 / (1 + a / (b + 3)))


def test_conditional_expectation_matches_direct_integration():
    # Alive at T with x purchases: λ ~ Gamma(r+x, α+T), p ~ Beta(a, b+x+1) (x+1 purchases
    # survived); E[purchases in t] = P(alive) E[(1 - exp(-λ p t)) / p]
    model = _model(PUBLISHED.values())
    r, alpha, a, b = PUBLISHED.values()
    for x, t_x, T, t in [(0, 0.0, 20.0, 39.0), (2, 30.0, 39.0, 39.0), (7, 37.0, 39.0, 52.0), (40, 38.0, 39.0, 39.0)]:

        def integrand(p):
            return (1 - ((alpha + T) / (alpha + T + p * t)) ** (r + x)) / p * stats.beta.pdf(p, a, b + x + 1)

        direct = integrate.quad(integrand, 0, 1, limit=200)[0] * model.p_alive(x, t_x, T)
        assert model.conditional_expected_purchases(t, x, t_x, T) == pytest.approx(direct, rel=1e-6)


def test_probability_of_no_purchase_is_the_likelihood_ratio(fitted):
    # P(no purchase in (T, T+t]) = L(x, t_x, T+t) / L(x, t_x, T) (research/models.md §6)
    p = tuple(fitted.params_.values())
    for x, t_x, T, t in [(2, 30.43, 38.86, 39.0), (0, 0.0, 38.86, 13.0), (7, 29.43, 38.86, 10.0)]:
        ratio = np.exp(mbgnbd_loglik(p, [x], [t_x], [T + t]) - mbgnbd_loglik(p, [x], [t_x], [T]))
        assert fitted.prob_no_purchase(t, x, t_x, T) == pytest.approx(ratio, rel=1e-10)


def test_a_year_where_nobody_lapses_is_reported_as_dropout_not_identified():
    shop = summarise(busy_shop_lines(), np.datetime64("2023-12-31"), np.datetime64("2023-12-31"))
    with pytest.raises(DropoutNotIdentified, match=r"purchase model \(MBG/NBD\) found no sign"):
        ModifiedBetaGeoModel().fit(shop["x"], shop["t_x"], shop["T"])


def test_time_to_next_purchase_is_an_even_bet():
    model = _model(PUBLISHED.values())
    x, t_x, T = np.array([0, 5, 10, 2]), np.array([0.0, 30.0, 38.0, 5.0]), np.full(4, 39.0)
    wait = model.time_to_next_purchase(x, t_x, T)
    finite = np.isfinite(wait)
    assert np.array_equal(finite, model.p_alive(x, t_x, T) > 0.5)
    assert model.prob_purchase_within(wait[finite], x[finite], t_x[finite], T[finite]) == pytest.approx(0.5)
