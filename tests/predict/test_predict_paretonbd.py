"""Pareto/NBD (analysis.predict.paretonbd): the published CDNOW estimates, lifetimes' test
values, the likelihood against an independent integral, and the dropout that runs off."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate
from scipy.special import gammaln

from analysis.predict.fitting import DropoutNotIdentified
from analysis.errors import NotEnoughData
from analysis.predict.paretonbd import ParetoNBDModel, _log_mean, _log_mean_quad, paretonbd_loglik
from tests.predict_data import assert_gradient, busy_shop_lines, cdnow_summary, summarise

PUBLISHED = {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67}  # Fader, Hardie & Lee (2005)
BTYD = (0.5534, 10.5802, 0.6061, 11.6562)  # the BTYD walkthrough's estimates, used by lifetimes' tests
ROUNDED = (0.553, 10.578, 0.606, 11.669)


def _model(params) -> ParetoNBDModel:
    model = ParetoNBDModel()
    model.params_ = dict(zip(("r", "alpha", "s", "beta"), params))
    return model


@pytest.fixture(scope="module")
def fitted():
    cdnow = cdnow_summary()
    return ParetoNBDModel().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])


def _as_published(fitted: dict, published: dict) -> dict:
    """Each estimate rounded to as many decimals as its published value has."""
    return {k: round(fitted[k], len(repr(v).split(".")[1])) for k, v in published.items()}


# -- known answers ---------------------------------------------------------------------
def test_reproduces_the_published_cdnow_estimates(fitted):
    cdnow = cdnow_summary()
    assert len(cdnow) == 2357 and cdnow["x"].sum() == 2457
    assert _as_published(fitted.params_, PUBLISHED) == PUBLISHED  # 3 significant digits or more
    # -9595.0 in Fader, Hardie & Lee (2005); -9594.976 re-computed at the exact maximum
    assert round(fitted.loglik_, 1) == -9595.0
    assert fitted.loglik_ == pytest.approx(-9594.976, abs=2e-3)
    assert fitted.n_customers_ == 2357 and fitted.n_repeat_ == 946
    assert list(fitted.summary.index) == ["r", "alpha", "s", "beta"]


def test_p_alive_and_expected_purchases_match_lifetimes_published_values(fitted):
    # lifetimes' tests (from the BTYD walkthrough): P(alive | 26, 30.86, 31) = 0.9979 (1e-3),
    # E[X(T, T+52) | 26, 30.86, 31] = 25.46 (0.01): checked at our fitted parameters
    assert fitted.p_alive(26, 30.86, 31) == pytest.approx(0.9979, abs=1e-3)
    assert fitted.conditional_expected_purchases(52, 26, 30.86, 31) == pytest.approx(25.46, abs=0.01)
    # the BTYD document's E[X(t)], t = 1..9 (lifetimes checks them with atol 0.01)
    btyd = [0.05077821, 0.09916088, 0.14542507, 0.18979930, 0.23247466, 0.27361274, 0.31335159,
            0.35181024, 0.38909211]
    assert fitted.expected_purchases(np.arange(1, 10)) == pytest.approx(btyd, abs=0.01)
    assert fitted.expected_purchases(0.0) == 0.0


def test_conditional_expectation_does_not_underflow_for_frequent_buyers():
    # lifetimes' test_conditional_expectation_underflow (which returns NaN on SciPy 1.17)
    model = _model((0.55, 10.58, 0.61, 11.67))
    got = model.conditional_expected_purchases(10, np.array([132, 133]), 200, 200)
    assert got == pytest.approx([6.2060517889632418, 6.2528722475748113], rel=1e-9)


def test_first_cdnow_customer_at_the_published_parameters():
    model = _model(ROUNDED)
    # customer 0001: x = 2, t_x = 30.43, T = 38.86 (a secondary summary of the paper quotes
    # about 0.87 and 1.46; the figures are re-computed in research/models.md)
    assert model.p_alive(2, 30.43, 38.86) == pytest.approx(0.8692, abs=5e-5)
    assert model.conditional_expected_purchases(39, 2, 30.43, 38.86) == pytest.approx(1.4551, abs=5e-5)


def test_probability_of_no_purchase_matches_the_conditional_pmf_at_zero():
    # lifetimes' conditional_probability_of_n_purchases_up_to_time(0, t, ...) (note 028,
    # eq. 16) at the published parameters, as re-computed in research/models.md
    model = _model(ROUNDED)
    cases = [((2, 30.43, 38.86), 39, 0.408063), ((0, 0.0, 38.86), 39, 0.930715),
             ((7, 29.43, 38.86), 10, 0.460049), ((26, 30.86, 31.0), 52, 0.023810)]
    for (x, t_x, T), t, expected in cases:
        assert model.prob_no_purchase(t, x, t_x, T) == pytest.approx(expected, abs=1e-6)
        assert model.prob_purchase_within(t, x, t_x, T) == pytest.approx(1 - expected, abs=1e-6)


# -- the maths, checked independently --------------------------------------------------
def _loglik_by_integral(params, x, t_x, T):
    """ln L from the individual-level likelihood integrated over λ and μ: the 'alive at T'
    term in closed form, the 'died at τ in (t_x, T]' term as a numerical integral over τ."""
    r, alpha, s, beta = params
    lead = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = (alpha + T) ** -(r + x) * (beta + T) ** -s
    died = integrate.quad(lambda tau: (alpha + tau) ** -(r + x) * s * (beta + tau) ** -(s + 1), t_x, T,
                          epsabs=0, epsrel=1e-12)[0]
    return lead + np.log(alive + died)


@pytest.mark.parametrize("params", [ROUNDED, (0.3, 2.0, 1.7, 40.0), (2.5, 30.0, 0.2, 0.5)])
def test_loglik_equals_the_integral_form(params):
    rows = [(0, 0.0, 30.0), (1, 2.0, 30.0), (4, 20.5, 38.0), (12, 35.0, 36.0), (40, 36.0, 39.0), (3, 8.0, 8.0)]
    expected = sum(_loglik_by_integral(params, *row) for row in rows)
    assert paretonbd_loglik(params, *np.array(rows).T) == pytest.approx(expected, rel=1e-10)


def test_gradient_matches_finite_differences():
    cdnow = cdnow_summary()
    x, t_x, T = (cdnow[c].to_numpy() for c in ("x", "t_x", "T"))
    weights = np.random.default_rng(17).integers(1, 4, len(x)).astype(float)
    for params in (ROUNDED, (0.9, 3.0, 1.4, 40.0)):
        assert_gradient(paretonbd_loglik, params, (x, t_x, T, weights), rel=1e-5, step=1e-5, abs_tol=1e-4)


def test_hypergeometric_mean_is_right_where_scipy_fails():
    # ln 2F1(1, q; q+p; z) = ln E[1/(1 - z u)], u ~ Beta(q, p). SciPy's hyp2f1 gives NaN for
    # large q with z near 1 (a frequent buyer when one of α, β is far larger than the other).
    # Reference values: mpmath 1.3.0, hyp2f1 at 30 digits.
    cases = [  # q, p, 1 - z, ln 2F1
        (227.3, 0.0312, 5.2e-6, 11.975006831099071152),
        (859.37, 1.013, 2.6e-9, 9.1961892506383751483),
        (1442.3, 1.18, 0.00261, 5.7143712452903740556),
        (500.0, 2.5, 1e-12, 5.812138498293865501),
        (1.05, 0.2, 1e-9, 16.659253566097605242),
        (3.0, 27.0, 1e-7, 0.10919927996499210971),
        (0.553, 1.606, 0.9, 0.026599042823269780208),
    ]
    for q, p, one_minus_z, expected in cases:
        ell = np.log(one_minus_z)
        assert float(_log_mean(q, p, ell)) == pytest.approx(expected, rel=1e-8), (q, p, one_minus_z)
        assert _log_mean_quad(q, p, ell) == pytest.approx(expected, rel=1e-12), (q, p, one_minus_z)


def test_weights_equal_repeated_rows():
    cdnow = cdnow_summary()
    head = cdnow.iloc[:400]
    doubled = ParetoNBDModel().fit(np.r_[cdnow["x"], head["x"]], np.r_[cdnow["t_x"], head["t_x"]],
                                   np.r_[cdnow["T"], head["T"]])
    weights = np.r_[np.full(400, 2.0), np.ones(len(cdnow) - 400)]
    weighted = ParetoNBDModel().fit(cdnow["x"], cdnow["t_x"], cdnow["T"], weights=weights)
    for k in doubled.params_:
        assert weighted.params_[k] == pytest.approx(doubled.params_[k], rel=1e-5)
    assert weighted.loglik_ == pytest.approx(doubled.loglik_, rel=1e-9)


def test_predictions_follow_recency_and_age(fitted):
    by_recency = fitted.p_alive(3, np.array([5.0, 15.0, 25.0, 35.0]), 39.0)
    assert np.all(np.diff(by_recency) > 0)
    by_age = fitted.p_alive(3, 10.0, np.array([12.0, 20.0, 40.0]))
    assert np.all(np.diff(by_age) < 0)
    assert fitted.p_alive(0, 0.0, 0.0) == pytest.approx(1.0)
    assert fitted.p_alive(np.zeros((2, 2)), 0.0, 5.0).shape == (2, 2)
    churn = fitted.prob_no_purchase(np.array([1.0, 10.0, 52.0]), 2, 30.0, 39.0)
    assert np.all(np.diff(churn) < 0) and np.all((churn > 0) & (churn < 1))


def test_time_to_next_purchase_is_an_even_bet():
    model = _model(ROUNDED)
    x, t_x = np.array([0, 2, 7, 26, 1, 2]), np.array([0.0, 30.43, 29.43, 30.86, 1.0, 30.43])
    T = np.array([38.86, 38.86, 38.86, 31.0, 38.0, 38.86])
    wait = model.time_to_next_purchase(x, t_x, T)
    finite = np.isfinite(wait)
    assert finite.tolist() == [False, True, True, True, False, True]
    assert model.prob_purchase_within(wait[finite], x[finite], t_x[finite], T[finite]) == pytest.approx(0.5, abs=1e-9)
    # never an even bet: even over a very long wait the chance stays below one half
    assert np.all(model.prob_purchase_within(1e7, x[~finite], t_x[~finite], T[~finite]) < 0.5)
    assert wait[3] < wait[2] < wait[1]  # the more frequent and recent, the sooner
    assert wait[5] == wait[1]  # the same history, the same answer
    capped = model.time_to_next_purchase(x, t_x, T, max_wait=20.0)
    assert np.array_equal(np.isfinite(capped), finite & (wait <= 20.0))
    assert capped[finite & (wait <= 20.0)] == pytest.approx(wait[finite & (wait <= 20.0)], rel=1e-9)


# -- refusing to answer ----------------------------------------------------------------
def test_a_year_where_nobody_lapses_is_reported_as_dropout_not_identified():
    shop = summarise(busy_shop_lines(), np.datetime64("2023-12-31"), np.datetime64("2023-12-31"))
    with pytest.raises(DropoutNotIdentified, match="found no sign that customers stop buying"):
        ParetoNBDModel().fit(shop["x"], shop["t_x"], shop["T"])


def test_too_few_repeat_customers_is_refused_in_plain_words():
    x = np.r_[np.zeros(88), np.ones(12)]
    t_x = np.r_[np.zeros(88), np.full(12, 3.0)]
    with pytest.raises(NotEnoughData, match=r"^only 12 repeat customers; at least 30 are needed to fit the purchase model$"):
        ParetoNBDModel().fit(x, t_x, np.full(100, 10.0))
