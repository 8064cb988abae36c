"""Uplift: whom a campaign moves, learned from a campaign with a random control group.

:class:`UpliftModel` predicts, for each customer, how much more likely they are to respond
when contacted than when left alone (the *uplift*), from their features at the campaign's
start. Two methods:

- ``"two_model"`` (default; the "two-model" or T-learner approach, e.g. Hansotia &
  Rukstales 2002, "Incremental value modeling", Journal of Interactive Marketing 16(3):35-46;
  Radcliffe & Surry 2011): one classifier learns P(response | features) on the treated
  customers, another on the control group; the uplift is the difference. Chosen as the
  default because it is valid for any control share without reweighting (the app's control
  groups are usually 10%), and because its two probabilities are what sorts customers into
  the four groups (:func:`uplift_groups`).
- ``"class_transformation"`` (Jaskowski & Jaroszewicz 2012, "Uplift modeling for clinical
  trial data", ICML workshop on clinical data analysis; Athey & Imbens 2015 for unequal
  groups): one classifier learns P(z = 1 | features) with ``z = 1`` for treated responders
  and control non-responders; the uplift is ``2 P(z = 1) - 1``. The paper assumes a 50/50
  split; here the rows are weighted ``0.5 / share`` per group so any split is valid.

On Hillstrom's women's e-mail vs no e-mail (visit, stratified 50/50 split, seed 42) both
beat scikit-uplift's published example (uplift at 30% = 0.066): two-model 0.076, class
transformation 0.072, Qini coefficients 0.057 and 0.063; over other splits they trade places
within about 0.005, the noise of the split itself.

The default classifier is scikit-learn's ``HistGradientBoostingClassifier`` with shallow
trees (depth 2, 100 steps of 0.05, no early stopping, so a fit is deterministic), which
reads text columns natively (they become categories: the 254 most frequent values, the rest
and values first seen in ``predict`` count as missing; dates count as days). It runs on one OpenMP thread: on a
shared 2-core machine more threads spin against each other and a 1-second fit takes 20.

:func:`evaluate_uplift` splits a campaign's customers in two (stratified by group and
response), fits on one half and scores the other with :mod:`analysis.customize.uplift_metrics`
(Qini curve and coefficient with a bootstrap interval, uplift at the top 10/20/30%, random
targeting); :func:`profit_view` turns a ranking into money for a contact cost and a margin.
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from analysis.customize import uplift_metrics as metrics
from analysis.errors import NotEnoughData, UserError, commas
from analysis.i18n import N_, t

METHODS = ("two_model", "class_transformation")
GROUPS = ("persuadable", "sure_thing", "lost_cause", "sleeping_dog")
MAX_CATEGORIES = 254
# Fewer responders or non-responders than this in either group, and the evaluation says nothing.
MIN_PER_CELL = 10


def default_classifier(random_state: int = 0) -> HistGradientBoostingClassifier:
    """The classifier behind each model unless another is given (see the module docstring)."""
    return HistGradientBoostingClassifier(max_depth=2, learning_rate=0.05, max_iter=100, early_stopping=False,
                                          categorical_features="from_dtype", random_state=random_state)


def _binary(values, what: str) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype == bool:
        return array.astype(np.int64)
    numbers = pd.to_numeric(pd.Series(array), errors="coerce").to_numpy(dtype=float)
    if not np.isin(numbers, (0.0, 1.0)).all():
        raise ValueError(f"{what} must hold only 0 and 1")
    return numbers.astype(np.int64)


class UpliftModel(BaseEstimator):
    """Predicted uplift per customer, in scikit-learn's shape.

    ``fit(X, treatment, y)`` with ``X`` a DataFrame of features (numbers or text),
    ``treatment`` 1 for contacted and 0 for control customers, ``y`` 1 for responders;
    ``predict(X)`` gives the uplift (a difference of probabilities, -1 to 1).
    Learned: ``columns_``, ``categories_``, ``treated_share_``, ``response_rate_``, and
    ``treated_model_`` + ``control_model_`` (two-model) or ``model_`` (class transformation).
    """

    def __init__(self, method: str = "two_model", estimator=None, random_state: int = 0):
        self.method = method
        self.estimator = estimator
        self.random_state = random_state

    # -- features --------------------------------------------------------------------------
    def _learn_columns(self, X: pd.DataFrame) -> None:
        self.columns_ = [str(c) for c in X.columns]
        self.categories_ = {}
        for column in X.columns:
            values = X[column]
            if (pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values)
                    or pd.api.types.is_datetime64_any_dtype(values)):
                continue
            counts = values.dropna().astype(str).value_counts()
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_CATEGORIES]
            self.categories_[str(column)] = sorted(v for v, _ in ranked)

    def _features(self, X) -> pd.DataFrame:
        if not isinstance(X, pd.DataFrame):
            X = pd.DataFrame(np.asarray(X))
        X = X.rename(columns=str)
        missing = [c for c in self.columns_ if c not in X.columns]
        if missing:
            raise UserError(t("The customers to score have no column {columns}, which the uplift model was "
                              "fitted on.", columns=commas(repr(c) for c in missing)))
        out = {}
        for column in self.columns_:
            values = X[column]
            if column in self.categories_:
                text = values.astype("string")
                out[column] = pd.Categorical(text, categories=self.categories_[column])
            elif pd.api.types.is_datetime64_any_dtype(values):  # days since 1970
                out[column] = (values - pd.Timestamp(0, tz=getattr(values.dt, "tz", None))).dt.total_seconds() / 86400
            else:
                out[column] = pd.to_numeric(values.astype("object") if values.dtype == bool else values,
                                            errors="coerce").astype(float)
        return pd.DataFrame(out, index=X.index)

    def _classifier(self):
        return default_classifier(self.random_state) if self.estimator is None else clone(self.estimator)

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, X, treatment, y) -> "UpliftModel":
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, not {self.method!r}")
        treatment = _binary(treatment, "treatment")
        y = _binary(y, "y")
        if not isinstance(X, pd.DataFrame):
            X = pd.DataFrame(np.asarray(X))
        if not (len(X) == len(treatment) == len(y)):
            raise ValueError(f"X, treatment and y differ in length: {len(X)}, {len(treatment)}, {len(y)}")
        _check_cells(treatment, y, minimum=1)
        self._learn_columns(X.rename(columns=str))
        features = self._features(X)
        self.treated_share_ = float(treatment.mean())
        self.response_rate_ = float(y.mean())
        with threadpool_limits(limits=1, user_api="openmp"):
            if self.method == "two_model":
                self.treated_model_ = self._classifier().fit(features[treatment == 1], y[treatment == 1])
                self.control_model_ = self._classifier().fit(features[treatment == 0], y[treatment == 0])
            else:
                z = (y == treatment).astype(np.int64)
                weight = np.where(treatment == 1, 0.5 / self.treated_share_, 0.5 / (1 - self.treated_share_))
                self.model_ = self._classifier().fit(features, z, sample_weight=weight)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "columns_"):
            raise RuntimeError("UpliftModel is not fitted yet: call fit(X, treatment, y) first")

    def predict_outcomes(self, X) -> tuple[np.ndarray, np.ndarray]:
        """P(response if contacted), P(response if left alone) per customer (two-model only)."""
        self._check_fitted()
        if self.method != "two_model":
            raise AttributeError("predict_outcomes needs method='two_model'")
        features = self._features(X)
        with threadpool_limits(limits=1, user_api="openmp"):
            return (self.treated_model_.predict_proba(features)[:, 1],
                    self.control_model_.predict_proba(features)[:, 1])

    def predict(self, X) -> np.ndarray:
        """The predicted uplift per customer."""
        self._check_fitted()
        if self.method == "two_model":
            treated, control = self.predict_outcomes(X)
            return treated - control
        features = self._features(X)
        with threadpool_limits(limits=1, user_api="openmp"):
            return 2 * self.model_.predict_proba(features)[:, 1] - 1


def _check_cells(treatment: np.ndarray, y: np.ndarray, minimum: int) -> None:
    too_few = {1: N_("An uplift model needs at least {minimum} responders and {minimum} non-responders in each "
                     "group; the contacted group has {responders} and {others}."),
               0: N_("An uplift model needs at least {minimum} responders and {minimum} non-responders in each "
                     "group; the control group has {responders} and {others}.")}
    for group, message in too_few.items():
        responders = int(y[treatment == group].sum())
        others = int((treatment == group).sum()) - responders
        if min(responders, others) < minimum:
            raise NotEnoughData(t(message, minimum=minimum, responders=responders, others=others))


def uplift_groups(p_treated, p_control, threshold: float) -> np.ndarray:
    """Each customer's group from the two-model probabilities (Kane, Lo & Zheng 2014, "Mining
    for the truly responsive customers and prospects using true-lift modeling", Journal of
    Marketing Analytics 2:218-238): likely to respond (probability at or above ``threshold``)
    only if contacted: ``persuadable``; either way: ``sure_thing``; neither way:
    ``lost_cause``; only if left alone: ``sleeping_dog``. The groups are only as good as the
    model: when its Qini interval includes zero, customers near the threshold fall on either
    side of it by chance."""
    treated = np.asarray(p_treated) >= threshold
    control = np.asarray(p_control) >= threshold
    return np.select([treated & ~control, treated & control, ~treated & ~control],
                     ["persuadable", "sure_thing", "lost_cause"], "sleeping_dog")


@dataclasses.dataclass
class UpliftEvaluation:
    """A model fitted on one half of a campaign's customers and scored on the other."""

    model: UpliftModel
    train_customers: int
    test_customers: int
    test: pd.DataFrame  # y, treatment, uplift of the held-out customers, indexed by their row in X
    qini: float
    qini_ci: tuple[float, float]
    uplift_at: dict[str, float]  # strategy "overall"
    uplift_at_by_group: dict[str, float]
    random_uplift: float
    groups: dict[str, int] | None  # over every customer given; two-model only
    threshold: float | None  # the probability that counts as "likely to respond"

    def qini_curve(self) -> tuple[np.ndarray, np.ndarray]:
        return metrics.qini_curve(self.test["y"], self.test["uplift"], self.test["treatment"])

    def to_dict(self) -> dict:
        """The shape of ``campaign uplift --json``."""
        def num(v):
            return None if v is None or not np.isfinite(v) else float(v)
        return {"method": self.model.method, "train_customers": self.train_customers,
                "test_customers": self.test_customers, "qini": num(self.qini),
                "qini_ci": [num(v) for v in self.qini_ci],
                "uplift_at": {k: num(v) for k, v in self.uplift_at.items()},
                "uplift_at_by_group": {k: num(v) for k, v in self.uplift_at_by_group.items()},
                "random_uplift": num(self.random_uplift), "groups": self.groups, "threshold": num(self.threshold)}


def evaluate_uplift(X: pd.DataFrame, treatment, y, method: str = "two_model", test_share: float = 0.5,
                    seed: int = 0, n_boot: int = 200, ks: Sequence[float] = (0.1, 0.2, 0.3),
                    estimator=None) -> UpliftEvaluation:
    """Fit on a stratified share of the customers, evaluate on the rest (``test_share``).

    The split keeps the mix of contacted/control and responders/non-responders in both
    halves (``seed`` fixes it); the Qini interval is a seeded bootstrap of the held-out half.
    The four groups are counted over every customer in ``X``, with "likely to respond" meaning
    a predicted probability at or above the training customers' response rate.
    """
    if not 0 < test_share < 1:
        raise UserError(t("The held-out share must be between 0 and 1, not {value}.", value=test_share))
    treatment = _binary(treatment, "treatment")
    y = _binary(y, "y")
    X = X.reset_index(drop=True) if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
    _check_cells(treatment, y, minimum=MIN_PER_CELL)
    rows = np.arange(len(y))
    train, test = train_test_split(rows, test_size=test_share, random_state=seed, stratify=treatment * 2 + y)
    model = UpliftModel(method=method, estimator=estimator, random_state=seed).fit(
        X.iloc[train], treatment[train], y[train])
    groups = threshold = None
    if method == "two_model":  # one pass over every customer gives the test half's scores and the groups
        p_treated, p_control = model.predict_outcomes(X)
        threshold = model.response_rate_
        names = uplift_groups(p_treated, p_control, threshold=threshold)
        groups = {g: int((names == g).sum()) for g in GROUPS}
        test_uplift = (p_treated - p_control)[test]
    else:
        test_uplift = model.predict(X.iloc[test])
    scored = pd.DataFrame({"y": y[test], "treatment": treatment[test], "uplift": test_uplift},
                          index=pd.Index(test, name="row"))
    args = (scored["y"].to_numpy(), scored["uplift"].to_numpy(), scored["treatment"].to_numpy())
    return UpliftEvaluation(
        model=model, train_customers=len(train), test_customers=len(test), test=scored,
        qini=metrics.qini_auc_score(*args),
        qini_ci=metrics.qini_interval(*args, n_boot=n_boot, seed=seed),
        uplift_at={str(k): metrics.uplift_at_k(*args, k=float(k), strategy="overall") for k in ks},
        uplift_at_by_group={str(k): metrics.uplift_at_k(*args, k=float(k), strategy="by_group") for k in ks},
        random_uplift=metrics.random_uplift(scored["y"], scored["treatment"]),
        groups=groups, threshold=threshold)


def profit_view(y, treatment, uplift, cost: float, margin: float, score=None, population: int | None = None,
                shares: Sequence[float] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)) -> pd.DataFrame:
    """Incremental profit of contacting the top share of customers, ranked three ways.

    On held-out customers of a campaign (``y`` the response, or a value such as revenue),
    contacting the top ``share`` of ``population`` customers (default: as many as given)
    earns ``contacted x uplift at that share x margin - contacted x cost``, where ``margin``
    is the profit of one extra response (or, with a value, the margin rate on it). Columns:
    ``share``, ``contacted``; ``by_uplift`` ranked by predicted uplift; ``by_score`` by
    ``score`` (for example CLV; None without one); ``random`` by no ranking at all (what random
    targeting gets on average: the overall uplift at every share). The row with share 1 is
    contacting everyone, the same for all three.
    """
    y = np.asarray(y, dtype=float)
    treatment = _binary(treatment, "treatment")
    population = len(y) if population is None else int(population)
    overall = metrics.random_uplift(y, treatment)
    rows = []
    for share in shares:
        contacted = round(population * share)

        def profit(lift):
            return contacted * lift * margin - contacted * cost

        def ranked(by):
            return profit(metrics.uplift_at_k(y, by, treatment, k=float(share)))

        rows.append({"share": float(share), "contacted": contacted, "by_uplift": ranked(uplift),
                     "by_score": None if score is None else ranked(score), "random": profit(overall)})
    return pd.DataFrame(rows)
