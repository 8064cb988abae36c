"""The wallet estimator: the ``quantile`` of what customers like each one spend, learned
with gradient-boosted quantile trees after Perlich, Rosset, Lawrence & Zadrozny (2007),
"High-quantile modeling for customer wallet estimation", KDD '07, pp. 977-985 (the
quantile loss rho_q(u) = u (q - 1[u < 0]) of Koenker & Bassett 1978, eq. 1 there); what it
is trained on (:func:`plan`, :func:`fit_plan`); and the fitted trees written as one engine
expression (:meth:`WalletEstimator.with_log`), so DuckDB and Spark apply the model where the
customers are.

Applying it in the engine: a boosted model is its baseline plus the sum of its trees'
leaves (Friedman 2001, "Greedy function approximation: a gradient boosting machine", Ann.
Statist. 29(5), eq. 10: F_M(x) = F_0 + sum_m nu h_m(x), the learning rate already folded
into scikit-learn's leaf values), and a tree is a nested CASE WHEN on its splits. So the
fitted model, unchanged, is written as ``baseline + tree_1 + ... + tree_M`` in the order
scikit-learn sums them: the same trees, the same figures (to the last digits of ``exp``),
and the accuracy measured on the demo (:mod:`analysis.differentiate.wallet_check`) holds.
A linear quantile regression would compile to a shorter sum of products, but on the demo
it lost to the boosted trees (see :mod:`analysis.differentiate.wallet`), so the trees stay.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin

from analysis.differentiate.wallet_peers import PeerGroups, double, values_of
from analysis.identify import facts

# The customer's attributes a wallet is estimated from, in the order that defines a peer
# group (most defining first); the ones present in the frame are used.
ATTRIBUTES = ("industry", "region", "size", "channel", "cluster",
              "orders_per_year", "order_value", "categories", "tenure_years")
CATEGORICAL = ("industry", "region", "channel", "cluster")  # always categories
# The customer's own spend with us: attributes when the model learns given wallets, never
# when it learns revenue (they would be the target itself).
SPEND = ("best_year", "revenue_year")
MIN_GIVEN = 200  # customers who have bought with a given wallet, to train on wallets
BATCH_ROWS = 200_000  # rows predicted at once
MODELS = ("boosting", "peers")
_MAX_CATEGORIES = 254  # HistGradientBoosting's limit (255 bins, one kept for missing)


class WalletEstimator(RegressorMixin, BaseEstimator):
    """The ``quantile`` of y (spend with us, or given wallets) among customers like each one.

    ``fit(X, y)``: X is a DataFrame of attributes (text, category or boolean columns are
    categorical; numbers are numbers; NaN is allowed), y positive amounts; rows whose y is
    not a positive number are left out. ``predict(X)``: the estimated quantile per row (NaN
    when nothing could be fitted). ``peer_groups(X)``: the peer group of each row.
    ``with_log(table)``: log of ``predict`` as a column computed in the engine.

    ``model="boosting"`` (default): gradient-boosted quantile trees on log y, each leaf
    holding at least ``min_peers`` customers; with fewer than ``2 * min_peers`` rows to fit
    it falls back to ``"peers"``. ``model="peers"``: the ``quantile`` of y within the row's
    peer group. Learned: ``columns_``, ``peers_`` (:class:`PeerGroups`), ``model_`` (None
    for peers), ``n_fit_``.
    """

    def __init__(self, quantile: float = 0.9, model: str = "boosting", min_peers: int = 30,
                 bands: int = 4, max_iter: int = 30, learning_rate: float = 0.15,
                 max_leaf_nodes: int = 15, random_state: int = 0):
        self.quantile = quantile
        self.model = model
        self.min_peers = min_peers
        self.bands = bands
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y) -> "WalletEstimator":
        if not 0.0 < float(self.quantile) < 1.0:
            raise ValueError(f"quantile must be between 0 and 1, not {self.quantile!r}")
        if self.model not in MODELS:
            raise ValueError(f"model must be one of {MODELS}, not {self.model!r}")
        if int(self.min_peers) < 1 or int(self.bands) < 1:
            raise ValueError("min_peers and bands must be at least 1")
        X = _frame(X)
        y = np.asarray(y, dtype=float)
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
        keep = np.isfinite(y) & (y > 0)
        X, y = X.loc[keep].reset_index(drop=True), y[keep]
        log_y = np.log(y)
        self.n_fit_ = int(len(log_y))
        # Attributes that tell customers apart here (a constant column tells nothing).
        self.columns_ = [c for c in X.columns if X[c].nunique(dropna=False) > 1]
        numbers = {c for c in self.columns_ if _is_number(X[c])}
        self.peers_ = PeerGroups(self.columns_, float(self.quantile), int(self.min_peers), int(self.bands)).fit(
            X, y, numbers)
        self.model_ = None
        if self.model == "boosting" and self.n_fit_ >= 2 * int(self.min_peers) and self.columns_:
            from sklearn.ensemble import HistGradientBoostingRegressor

            with _one_thread():
                self.model_ = HistGradientBoostingRegressor(
                    loss="quantile", quantile=float(self.quantile), categorical_features="from_dtype",
                    learning_rate=self.learning_rate, max_iter=self.max_iter,
                    max_leaf_nodes=self.max_leaf_nodes, min_samples_leaf=int(self.min_peers),
                    early_stopping=False, random_state=self.random_state,
                ).fit(self._design(X), log_y)
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The estimated ``quantile`` of y for each row of X."""
        X = _frame(X)
        if self.model_ is None:
            return self.peers_.values(X)
        return np.exp(self.log_predict(X))

    def log_predict(self, X: pd.DataFrame) -> np.ndarray:
        """The boosted model's log estimate per row of X (baseline plus the trees, summed
        as :meth:`with_log` writes it in the engine); None for the peer model."""
        X = _frame(X)
        if self.model_ is None:
            return None
        out = np.empty(len(X))
        with _one_thread():
            for start in range(0, len(X), BATCH_ROWS):
                part = X.iloc[start:start + BATCH_ROWS]
                out[start:start + len(part)] = self.model_.predict(self._design(part))
        return out

    def peer_groups(self, X: pd.DataFrame) -> pd.DataFrame:
        """:meth:`PeerGroups.groups`: ``peers`` and ``peer_group`` per row of X."""
        return self.peers_.groups(_frame(X))

    def with_log(self, table, name: str = "_log_estimate"):
        """``table`` (which holds the attribute columns, on DuckDB or Spark) with the log of
        :meth:`predict` in the column ``name``, for the boosted model: baseline + each tree
        as nested CASE WHEN on its splits, summed in scikit-learn's order. ``table``
        unchanged for the peer model (its value is :meth:`PeerGroups.columns_expr`'s
        ``_peer_value``)."""
        import ibis

        if self.model_ is None:
            return table
        hgb = self.model_
        mask = (np.zeros(len(self.columns_), dtype=bool) if hgb.is_categorical_ is None
                else np.asarray(hgb.is_categorical_, dtype=bool))
        # scikit-learn's preprocessing puts the categorical columns first, in their order
        cats = [c for c, m in zip(self.columns_, mask) if m]
        order = cats + [c for c, m in zip(self.columns_, mask) if not m]
        encoder = hgb._preprocessor.named_transformers_["encoder"] if cats else None
        # Each category as the number the trees split on; missing and unseen ones are -1,
        # which no split sends left unless it sends missing values left.
        features = {}
        for c, known in zip(cats, encoder.categories_ if cats else []):
            known = [v for v in known if not (isinstance(v, float) and np.isnan(v))]
            x = table[c].cast("string")
            features[f"_tree_{c}"] = ibis.coalesce(x.substitute({str(v): k for k, v in enumerate(known)}, else_=-1), -1)
        for c in order[len(cats):]:
            features[f"_tree_{c}"] = table[c].cast("float64")
        t = table.mutate(**features)
        columns = {c: t[f"_tree_{c}"] for c in order}
        total = double(hgb._baseline_prediction.ravel()[0])
        for (tree,) in hgb._predictors:
            total = total + _tree_expr(tree, order, columns, cats)
        return t.mutate(**{name: total}).drop(*features)

    def _design(self, X: pd.DataFrame) -> pd.DataFrame:
        """X as the boosted trees take it: numbers as floats; categories as pandas
        categoricals over the fit's most frequent values (others count as missing)."""
        out = {}
        for c in self.columns_:
            column = X[c] if c in X else pd.Series(np.nan, index=X.index)
            if c in self.peers_.bands_:
                out[c] = pd.to_numeric(column, errors="coerce").astype(float).to_numpy()
            else:
                kept = self.peers_.categories_[c][:_MAX_CATEGORIES]
                text = values_of(column)
                out[c] = pd.Categorical(text.where(text.isin(kept)), categories=kept)
        return pd.DataFrame(out, index=X.index)


def _tree_expr(tree, order: list, columns: dict, categorical: list):
    """One fitted tree (scikit-learn's ``TreePredictor``) as nested CASE WHEN: numbers go
    left when ``x <= threshold``; categories (their numbers) when in the split's left set;
    a missing value, and a category the fit never saw, goes where the split sends missing
    values (as scikit-learn's ``_predictor.pyx`` does)."""
    import ibis

    nodes, bitsets = tree.nodes, tree.raw_left_cat_bitsets

    def node(i: int):
        n = nodes[i]
        if n["is_leaf"]:
            return double(n["value"])
        c = order[int(n["feature_idx"])]
        x = columns[c]
        missing_left = bool(n["missing_go_to_left"])
        if c in categorical:
            words = bitsets[int(n["bitset_idx"])]
            left = [k for k in range(32 * len(words)) if (int(words[k // 32]) >> (k % 32)) & 1]
            goes_left = x.isin(left + [-1] if missing_left else left)
        else:
            threshold = double(n["num_threshold"])
            # NULL compares as unknown, which CASE takes as false: the right branch
            goes_left = (ibis.coalesce(x, float("-inf")) <= threshold) if missing_left else (x <= threshold)
        return ibis.ifelse(goes_left, node(int(n["left"])), node(int(n["right"])))

    return node(0)


# -- what the model learns, and the fit -------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """What the model learns: y (``target``) on ``columns``, at ``quantile``, from ``train``."""

    target: str  # "wallets" or "revenue"
    columns: list
    quantile: float
    train: np.ndarray  # bool per row of the prepared frame


def prepared(frame: pd.DataFrame) -> pd.DataFrame:
    """The customer frame checked and typed, sorted by customer id (the same fit every run)."""
    missing = [c for c in ("customer_id", "wallet", "has_purchased", "revenue_year", "best_year") if c not in frame]
    if missing:
        raise KeyError(f"the customer frame lacks the column(s) {', '.join(missing)}")
    f = frame.copy()
    f["customer_id"] = f["customer_id"].astype(str)
    f = f.sort_values("customer_id", kind="stable").reset_index(drop=True)
    f["has_purchased"] = f["has_purchased"].fillna(False).astype(bool)
    for c in ("wallet", "revenue_year", "best_year"):
        f[c] = pd.to_numeric(f[c], errors="coerce").astype(float)
    for c in CATEGORICAL:  # names, even when written as numbers (cluster 3 is no quantity)
        if c in f:
            f[c] = _text(f[c])
    return f


def given(f: pd.DataFrame) -> np.ndarray:
    wallet = f["wallet"].to_numpy()
    return np.isfinite(wallet) & (wallet > 0)


def attribute_names(present, attributes=None) -> list:
    """The attributes the model uses, of those ``present`` (spend columns excluded)."""
    return [c for c in (attributes or ATTRIBUTES) if c in present and c not in SPEND]


def plan(f: pd.DataFrame, quantile: float, attributes, min_given: int, n_given: int | None = None) -> Plan:
    """Wallets when at least ``min_given`` buyers carry one (their median, with their own
    spend among the attributes); else the ``quantile`` of this year's revenue of the
    customers who bought this year. ``n_given``: how many buyers carry one, when ``f`` is a
    sample of the customers (the engine counts them)."""
    names = attribute_names(f.columns, attributes)
    bought = f["has_purchased"].to_numpy()
    on_wallets = given(f) & bought
    if (on_wallets.sum() if n_given is None else n_given) >= max(int(min_given), 1):
        return Plan("wallets", names + list(SPEND), 0.5, on_wallets)
    revenue = f["revenue_year"].to_numpy()
    return Plan("revenue", names, float(quantile), bought & np.isfinite(revenue) & (revenue > 0))


def fit_plan(f: pd.DataFrame, p: Plan, train: np.ndarray, max_rows, random_state, settings) -> WalletEstimator:
    """The estimator fitted on the ``train`` rows of ``f`` (at most ``max_rows`` of them, a
    fixed draw)."""
    rows = np.flatnonzero(train)
    limit = facts.local_limit(max_rows)
    if len(rows) > limit:  # a fixed sample: same data and seed, same customers
        rows = np.sort(np.random.default_rng(random_state).choice(rows, size=limit, replace=False))
    y = f["wallet"] if p.target == "wallets" else f["revenue_year"]
    model = WalletEstimator(quantile=p.quantile, random_state=random_state, **settings)
    return model.fit(f.loc[rows, p.columns], y.to_numpy()[rows])


def floored(estimate, best) -> np.ndarray:
    """An estimate is never below the customer's best year with us."""
    best = np.maximum(pd.to_numeric(pd.Series(best), errors="coerce").fillna(0.0).to_numpy(), 0.0)
    estimate = np.asarray(estimate, dtype=float)
    return np.where(np.isfinite(estimate), np.maximum(estimate, best), np.nan)


def _one_thread():
    """The boosted trees on one OpenMP thread: on a machine whose cores are busy with other
    work (the app's other sessions), their worker threads wait on each other; measured on
    the demo company with the machine loaded, the wallets with their check took 68 s on the
    default threads and 4 s on one."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="openmp")


def _frame(X) -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame):
        raise TypeError("X must be a pandas DataFrame of customer attributes")
    return X


def _is_number(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _text(column: pd.Series) -> pd.Series:
    """Values as text (a cluster 3 is the category "3"), missing values as None."""
    return column.astype("string").astype(object).where(column.notna(), None)
