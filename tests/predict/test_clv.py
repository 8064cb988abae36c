"""Tests for analysis.predict.clv: BG/NBD and Gamma-Gamma estimators, checked against the published
CDNOW estimates, finite differences, independent integrals and a seeded simulation."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from analysis.predict.bgnbd import BetaGeoModel, bgnbd_loglik
from analysis.predict.clv import clv, discounted_expected_purchases
from analysis.predict.fitting import NotFittedError
from analysis.predict.gamma_gamma import GammaGammaModel, gamma_gamma_loglik
from analysis.errors import NotEnoughData

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
SEED = 20050401
CDNOW_PARAMS = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def _cdnow_calibration(path: Path, sample: bool) -> pd.DataFrame:
    """x, t_x, T (weeks) and average repeat spend for 1997-01-01 .. 1997-09-30, built with
    plain pandas, independently of analysis.predict.clv_data."""
    if not path.exists():
        pytest.skip(f"{path} not available")
    if sample:
        names = ["master_id", "customer_id", "date", "cds", "dollars"]
        df = pd.read_csv(path, sep=r"\s+", header=None, names=names)
    else:
        names = ["customer_id", "date", "cds", "dollars"]
        df = pd.read_csv(path, sep=r"\s+", header=None, skiprows=1, names=names)
    df["date"] = pd.to_datetime(df["date"].astype(str))
    end = pd.Timestamp("1997-09-30")
    days = df[df["date"] <= end].groupby(["customer_id", "date"])["dollars"].sum().reset_index()
    g = days.groupby("customer_id")
    first, last, n = g["date"].min(), g["date"].max(), g.size()
    first_total = days.merge(first.rename("first").reset_index()).query("date == first").set_index("customer_id")["dollars"]
    x = n - 1
    spend = ((g["dollars"].sum() - first_total) / x.where(x > 0)).fillna(0.0)
    return pd.DataFrame(
        {
            "x": x,
            "t_x": (last - first).dt.days / 7,
            "T": (end - first).dt.days / 7,
            "m": spend,
        }
    )


@pytest.fixture(scope="module")
def cdnow_sample():
    return _cdnow_calibration(DATASETS / "CDNOW_sample.txt", sample=True)


def _fitted(params=CDNOW_PARAMS) -> BetaGeoModel:
    model = BetaGeoModel()
    model.params_ = dict(params)
    return model


# -- known answers ---------------------------------------------------------------------
def test_bgnbd_reproduces_published_cdnow_estimates(cdnow_sample):
    assert len(cdnow_sample) == 2357
    model = BetaGeoModel().fit(cdnow_sample["x"], cdnow_sample["t_x"], cdnow_sample["T"])
    fitted = {k: round(v, 3) for k, v in model.params_.items()}
    assert fitted == CDNOW_PARAMS  # as published in Fader, Hardie & Lee (2005)
    assert round(model.loglik_, 1) == -9582.4
    assert model.n_customers_ == 2357


def test_gamma_gamma_reproduces_published_cdnow_estimates(cdnow_sample):
    repeat = cdnow_sample[cdnow_sample["x"] > 0]
    assert len(repeat) == 946
    model = GammaGammaModel().fit(repeat["x"], repeat["m"])
    assert round(model.params_["p"], 2) == 6.25
    assert round(model.params_["q"], 2) == 3.74
    assert round(model.params_["gamma"], 2) == 15.44
    assert model.n_customers_ == 946


def test_bgnbd_on_full_cdnow_master_is_close_to_the_sample():
    data = _cdnow_calibration(DATASETS / "CDNOW_master.txt", sample=False)
    assert len(data) == 23570
    model = BetaGeoModel().fit(data["x"], data["t_x"], data["T"])
    for name, published in CDNOW_PARAMS.items():
        assert model.params_[name] == pytest.approx(published, rel=0.2), name
    # the maximum beats the sample's published parameters on the master data
    assert model.loglik_ > bgnbd_loglik(tuple(CDNOW_PARAMS.values()), data["x"], data["t_x"], data["T"])


# -- scikit-learn shape ----------------------------------------------------------------
def _toy_customers(seed=SEED, n=400):
    """A seeded sample from the BG/NBD generative process, observed for 30 weeks."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(0.5, 1 / 2.0, n)  # r=0.5, alpha=2
    p = rng.beta(1.0, 3.0, n)
    T = rng.integers(5, 30, n).astype(float)
    x, t_x = np.zeros(n), np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i])
            if t > T[i]:
                break
            x[i] += 1
            t_x[i] = t
            if rng.random() < p[i]:
                break
    return x, t_x, T


def test_models_look_like_scikit_learn_estimators():
    print("seed", SEED)
    x, t_x, T = _toy_customers()
    model = BetaGeoModel()
    assert not hasattr(model, "params_")  # __init__ only stores settings
    assert model.fit(x, t_x, T) is model
    assert set(model.params_) == {"r", "alpha", "a", "b"}
    assert all(v > 0 for v in model.params_.values())
    assert np.isfinite(model.loglik_) and model.n_customers_ == len(x)
    assert list(model.summary.index) == ["r", "alpha", "a", "b"]

    repeat = x > 0
    spend = np.random.default_rng(SEED).gamma(4.0, 10.0, repeat.sum())
    gg = GammaGammaModel()
    assert gg.fit(x[repeat], spend) is gg
    assert set(gg.params_) == {"p", "q", "gamma"}


def test_unfitted_models_raise_a_clear_error():
    with pytest.raises(NotFittedError, match="BetaGeoModel is not fitted yet"):
        BetaGeoModel().p_alive(1, 2, 3)
    with pytest.raises(NotFittedError, match="GammaGammaModel is not fitted yet"):
        GammaGammaModel().conditional_expected_average_spend(1, 10.0)


def test_bgnbd_recovers_simulated_parameters_roughly():
    x, t_x, T = _toy_customers(n=3000)
    model = BetaGeoModel().fit(x, t_x, T)
    assert model.params_["r"] == pytest.approx(0.5, rel=0.3)
    assert model.params_["alpha"] == pytest.approx(2.0, rel=0.4)


def test_weights_equal_repeated_rows():
    x, t_x, T = _toy_customers(n=300)
    doubled = BetaGeoModel().fit(np.r_[x, x[:100]], np.r_[t_x, t_x[:100]], np.r_[T, T[:100]])
    weights = np.r_[np.full(100, 2.0), np.ones(200)]
    weighted = BetaGeoModel().fit(x, t_x, T, weights=weights)
    for k in doubled.params_:
        assert weighted.params_[k] == pytest.approx(doubled.params_[k], rel=1e-5)


# -- refusing to answer ----------------------------------------------------------------
def test_too_few_repeat_customers_is_refused_in_plain_words():
    x = np.r_[np.zeros(88), np.ones(12)]
    t_x = np.r_[np.zeros(88), np.full(12, 3.0)]
    T = np.full(100, 10.0)
    with pytest.raises(NotEnoughData, match=r"^only 12 repeat customers; at least 30 are needed to fit the purchase model$"):
        BetaGeoModel().fit(x, t_x, T)
    with pytest.raises(NotEnoughData, match="only 5 customers; at least 50"):
        BetaGeoModel().fit([0, 1, 2, 0, 1], [0, 1, 2, 0, 1], [3, 3, 3, 3, 3])
    with pytest.raises(NotEnoughData, match="only 12 repeat customers with a positive spend; at least 30"):
        GammaGammaModel().fit(np.ones(12), np.full(12, 10.0))


def test_degenerate_data_is_refused_instead_of_returning_nonsense():
    # Every repeat buyer bought often and very recently: nobody seems to drop out (b -> inf).
    x = np.r_[np.zeros(60), np.full(40, 5.0)]
    t_x = np.r_[np.zeros(60), np.full(40, 10.0)]
    with pytest.raises(NotEnoughData, match="ran off to zero or infinity"):
        BetaGeoModel().fit(x, t_x, np.full(100, 10.0))
    # Everybody spends exactly the same: the spread parameters run off to infinity.
    with pytest.raises(NotEnoughData, match="spends the same"):
        GammaGammaModel().fit(np.full(40, 2.0), np.full(40, 10.0))
    # Only repeat customers: nothing to tell new customers from regulars.
    with pytest.raises(NotEnoughData, match="every customer has bought more than once"):
        BetaGeoModel().fit(np.ones(60), np.full(60, 2.0), np.full(60, 5.0))


def test_inconsistent_inputs_are_bugs_not_user_errors():
    with pytest.raises(ValueError, match="recency"):
        BetaGeoModel().fit([1, 0], [5, 0], [4, 4])
    with pytest.raises(ValueError, match="positive average spend"):
        GammaGammaModel().fit([1, 2], [10.0, 0.0])


# -- the maths -------------------------------------------------------------------------
def test_loglik_gradient_matches_finite_differences():
    x, t_x, T = _toy_customers(n=200)
    weights = np.random.default_rng(SEED).integers(1, 4, len(x)).astype(float)
    params = np.array([0.6, 2.5, 0.9, 2.8])
    _, grad = bgnbd_loglik(params, x, t_x, T, weights, with_grad=True)
    for i in range(4):
        step = np.zeros(4)
        step[i] = 1e-6 * params[i]
        numeric = (bgnbd_loglik(params + step, x, t_x, T, weights) - bgnbd_loglik(params - step, x, t_x, T, weights)) / (2 * step[i])
        assert grad[i] == pytest.approx(numeric, rel=1e-5, abs=1e-6), i

    spend = np.random.default_rng(SEED).gamma(3.0, 20.0, len(x))
    repeat = x > 0
    gparams = np.array([4.0, 3.0, 12.0])
    _, ggrad = gamma_gamma_loglik(gparams, x[repeat], spend[repeat], with_grad=True)
    for i in range(3):
        step = np.zeros(3)
        step[i] = 1e-6 * gparams[i]
        numeric = (
            gamma_gamma_loglik(gparams + step, x[repeat], spend[repeat])
            - gamma_gamma_loglik(gparams - step, x[repeat], spend[repeat])
        ) / (2 * step[i])
        assert ggrad[i] == pytest.approx(numeric, rel=1e-5), i


def test_loglik_matches_the_papers_likelihood_written_out():
    r, alpha, a, b = CDNOW_PARAMS.values()
    from scipy.special import beta, gamma

    def eq6(x, t_x, T):
        common = gamma(r + x) * alpha**r / gamma(r)
        value = beta(a, b + x) / beta(a, b) * common / (alpha + T) ** (r + x)
        if x > 0:
            value += beta(a + 1, b + x - 1) / beta(a, b) * common / (alpha + t_x) ** (r + x)
        return np.log(value)

    rows = [(0, 0.0, 30.0), (1, 2.0, 30.0), (4, 20.5, 38.0), (12, 35.0, 36.0)]
    expected = sum(eq6(*row) for row in rows)
    got = bgnbd_loglik((r, alpha, a, b), *np.array(rows).T)
    assert got == pytest.approx(expected, rel=1e-12)


def test_one_time_buyer_is_alive_by_construction():
    model = _fitted()
    assert model.p_alive(0, 0, 38.0) == 1.0
    assert model.p_alive(0, 0, 1000.0) == 1.0


def test_p_alive_follows_recency_and_age():
    model = _fitted()
    by_recency = model.p_alive(3, np.array([5.0, 15.0, 25.0, 35.0]), 39.0)
    assert np.all(np.diff(by_recency) > 0)  # a more recent purchase -> more likely alive
    by_age = model.p_alive(3, 10.0, np.array([12.0, 20.0, 40.0]))
    assert np.all(np.diff(by_age) < 0)  # the longer the silence -> less likely alive
    assert model.p_alive(3, 39.0, 39.0) == pytest.approx(1 / (1 + 0.793 / (2.426 + 2)))


def test_conditional_expectations_are_monotone_where_theory_says_so():
    model = _fitted()
    by_t = model.conditional_expected_purchases(np.array([1.0, 10.0, 39.0, 100.0]), 2, 20.0, 39.0)
    assert np.all(np.diff(by_t) > 0)
    by_recency = model.conditional_expected_purchases(39.0, 2, np.array([5.0, 20.0, 38.0]), 39.0)
    assert np.all(np.diff(by_recency) > 0)
    # frequency helps only while the customer still seems alive (Fader et al.'s
    # "increasing frequency paradox"): monotone up when the last purchase was recent
    by_freq_recent = model.conditional_expected_purchases(39.0, np.arange(0, 8), 39.0, 39.0)
    assert np.all(np.diff(by_freq_recent) > 0)
    new = model.expected_purchases(np.array([1.0, 13.0, 39.0, 78.0]))
    assert np.all(np.diff(new) > 0) and new[0] > 0


def test_conditional_expectation_matches_direct_integration():
    # E[Y(t)] = P(alive) * E[(1 - exp(-λ p t)) / p] with λ ~ Gamma(r+x, α+T), p ~ Beta(a, b+x)
    model = _fitted()
    r, alpha, a, b = CDNOW_PARAMS.values()
    for x, t_x, T, t in [(0, 0.0, 20.0, 39.0), (2, 30.0, 39.0, 39.0), (7, 37.0, 39.0, 52.0), (40, 38.0, 39.0, 39.0)]:

        def integrand(p):
            lam_term = ((alpha + T) / (alpha + T + p * t)) ** (r + x)
            return (1 - lam_term) / p * stats.beta.pdf(p, a, b + x)

        direct = integrate.quad(integrand, 0, 1, limit=200)[0] * model.p_alive(x, t_x, T)
        assert model.conditional_expected_purchases(t, x, t_x, T) == pytest.approx(direct, rel=1e-6)


def test_expected_purchases_of_a_new_customer_match_a_simulation():
    print("seed", SEED)
    rng = np.random.default_rng(SEED)
    r, alpha, a, b = CDNOW_PARAMS.values()
    n, horizon = 400_000, 39.0
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    # purchases until dropout ~ Geometric(p); purchases within the horizon ~ Poisson(λ t)
    until_dropout = rng.geometric(p)
    in_horizon = rng.poisson(lam * horizon)
    simulated = np.minimum(until_dropout, in_horizon).mean()
    assert _fitted().expected_purchases(horizon) == pytest.approx(simulated, rel=0.02)


def test_time_to_next_purchase_is_an_even_bet():
    model = _fitted()
    x, t_x, T = np.array([0, 5, 10, 2]), np.array([0.0, 30.0, 38.0, 5.0]), np.full(4, 39.0)
    wait = model.time_to_next_purchase(x, t_x, T)
    alive = model.p_alive(x, t_x, T)
    finite = np.isfinite(wait)
    assert np.array_equal(finite, alive > 0.5)
    assert model.prob_purchase_within(wait[finite], x[finite], t_x[finite], T[finite]) == pytest.approx(0.5)
    assert wait[2] < wait[1]  # the more frequent and recent buyer is expected sooner


def test_gamma_gamma_shrinks_towards_the_population_mean():
    model = GammaGammaModel()
    model.params_ = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    population = model.mean_spend()
    assert population == pytest.approx(6.25 * 15.44 / 2.74)
    assert model.conditional_expected_average_spend(0, 0.0) == pytest.approx(population)
    spends = model.conditional_expected_average_spend(np.array([1, 5, 50, 5000]), 100.0)
    assert np.all((spends > population) & (spends < 100.0))
    assert np.all(np.diff(spends) > 0) and spends[-1] == pytest.approx(100.0, rel=1e-3)


def test_clv_formula():
    model = _fitted()
    x, t_x, T = np.array([0, 3]), np.array([0.0, 30.0]), np.array([20.0, 39.0])
    month = 365.25 / 12 / 7
    undiscounted = discounted_expected_purchases(model, x, t_x, T, 12, 0.0)
    assert undiscounted == pytest.approx(model.conditional_expected_purchases(12 * month, x, t_x, T))
    discounted = discounted_expected_purchases(model, x, t_x, T, 12, 0.10)
    assert np.all(discounted < undiscounted) and np.all(discounted > undiscounted / 1.10)
    # one month horizon: that month's purchases discounted by one monthly rate
    one = discounted_expected_purchases(model, x, t_x, T, 1, 0.10)
    assert one == pytest.approx(model.conditional_expected_purchases(month, x, t_x, T) / 1.10 ** (1 / 12))
    value = clv(model, x, t_x, T, np.array([40.0, 20.0]), margin=0.3)
    assert value == pytest.approx(0.3 * np.array([40.0, 20.0]) * discounted)
    assert np.all(clv(model, x, t_x, T, 30.0, margin=0.0) == 0)


def test_gamma_gamma_hessian_matches_finite_differences():
    # the spend model finishes with Newton steps, so its analytic Hessian must be right
    from analysis.predict.gamma_gamma import _GammaGammaData

    rng = np.random.default_rng(SEED)
    x = rng.integers(1, 12, 500).astype(float)
    m = rng.gamma(3.0, 20.0, 500)
    data = _GammaGammaData(x, m)
    params = np.array([4.0, 3.0, 12.0])
    _, _, hess = data.loglik(params, with_grad=True, with_hess=True)
    for i in range(3):
        step = np.zeros(3)
        step[i] = 1e-6 * params[i]
        numeric = (data.loglik(params + step, True)[1] - data.loglik(params - step, True)[1]) / (2 * step[i])
        assert hess[:, i] == pytest.approx(numeric, rel=1e-5, abs=1e-6), i


def test_refusals_read_in_chinese():
    from analysis import i18n

    x = np.r_[np.zeros(88), np.ones(12)]
    t_x = np.r_[np.zeros(88), np.full(12, 3.0)]
    with i18n.using("zh"):
        with pytest.raises(NotEnoughData, match=r"^只有 12 位重复购买客户；拟合购买模型至少需要 30 位$"):
            BetaGeoModel().fit(x, t_x, np.full(100, 10.0))
        with pytest.raises(NotEnoughData, match=r"^消费模型 \(Gamma-Gamma\)找不到合理的参数值：.*每次消费金额都相同"):
            GammaGammaModel().fit(np.full(40, 2.0), np.full(40, 10.0))
