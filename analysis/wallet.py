"""Each customer's wallet (what they spend a year in our category, with every supplier),
estimated from look-alikes where the customer list does not give it; share of wallet and
headroom from it; and how good the estimate is on the user's own data.

Method: Perlich, Rosset, Lawrence & Zadrozny (2007), "High-quantile modeling for customer
wallet estimation", KDD '07, pp. 977-985, doi:10.1145/1281192.1281297. A customer's
"realistic" wallet is a high quantile (0.9) of what comparable customers spend with us: the
spend of the best-served tenth of look-alikes is what a customer like this one can spend.
The conditional quantile is learned with the quantile (pinball) loss
rho_q(u) = u (q - 1[u < 0]) (Koenker & Bassett 1978), here by gradient-boosted trees
(:class:`sklearn.ensemble.HistGradientBoostingRegressor`, ``loss="quantile"``), the
boosted form of the regression-tree adaptation the paper proposes. Why boosting rather
than the paper's quantile k-nearest-neighbours or a single quantile tree: on the demo
company, with its given wallets hidden in turn, a single quantile tree (leaf quantiles) and
peer cells did not reliably beat the naive baseline (the customer's own best year), while
boosting did (lower median error and higher rank correlation at every fold split tried);
it takes categorical attributes and missing values natively; and k-NN would have to
search the training sample for each of a million customers.

Spend is modelled on the log scale: a quantile is unchanged by a monotone transform, so
exp(q-quantile of log spend) is the q-quantile of spend, and the trees see the heavy tail
evenly. Customers whose target is not positive (no purchase in the year, net refunds) are
left out of the fit; every customer who has bought gets an estimate.

Decisions (the issue is silent on them):
- **Given wallets win.** A wallet in the customer list is the customer's wallet; the model
  only fills the gaps. When at least :data:`MIN_GIVEN` customers who have bought carry one,
  the model is trained on them instead of on revenue (the given wallets *are* the target;
  its median, ``q = 0.5``, is estimated, with the customer's own spend among the
  attributes); below that, it is the high quantile of peers' revenue (a peer benchmark).
- **Never below what the customer already spends**: an estimate is at least the customer's
  best 12-month revenue with us, so an estimated share of wallet is never above 100%.
- **Share of wallet** = this year's revenue (floored at 0) / wallet, not capped: above 100%
  happens only with a given wallet lower than what the customer now spends, and shows that
  figure is out of date. **Headroom** = wallet - this year's revenue, never negative (there
  is no revenue to lose by "negative room").
- **Peer group**: the customers of the fit who share this customer's attributes, in the
  order given (categories equal, numbers in the same quarter of the fit's values), dropping
  attributes from the end until at least ``min_peers`` remain: the "214 similar customers
  (Healthcare, East, 5-20 employees)" of the sentence. The model draws on every customer of
  the fit, weighting those like this one; the peer group is who "like this one" are.

How good it is (:class:`WalletCheck`): where wallets are given, each one is estimated as if
unknown (k-fold cross-validation when the model trains on them; directly when it trains on
revenue, since then the given wallets never enter the fit) and compared with the customer's
own best year of revenue as the naive wallet: median absolute percentage error and
Spearman rank correlation. Without given wallets there is nothing to measure: the estimate
is a peer benchmark, and :attr:`Wallets.benchmark` says so.

Scale: the model is fitted on at most :data:`analysis.features.LOCAL_ROWS` (200,000)
customers and applied to all. Boosted trees are applied in Python in batches of
:data:`BATCH_ROWS`: a sum of 30 trees is no engine expression worth writing, and batches
keep memory flat; on Spark the fitted estimator can go to the executors with
``mapInPandas``, so the rows stay in the engine. ``model="peers"`` is the plain lookup
table (the q-quantile of each peer group), which an engine applies as a join; on the demo
it is far weaker (median error 0.76 against the baseline's 0.61), so it is not the default.
Measured by hand at 1,000,000 customers on the 2-core machine, one thread, with other jobs
running: predicting 2.8 s (best of three; 4-7 s when busier), the peer groups 1.3-3 s, and
:func:`estimate_wallets` without the check (fit on 200,000, predict and describe 1,000,000)
11-16 s; the check adds :data:`FOLDS` fits when the model trains on given wallets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import ibis
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin

from analysis import features
from analysis.features import category_revenue, customer_facts, purchases, resolve_as_of

# The customer's attributes a wallet is estimated from, in the order that defines a peer
# group (most defining first); the ones present in the frame are used.
ATTRIBUTES = ("industry", "region", "size", "channel", "cluster",
              "orders_per_year", "order_value", "categories", "tenure_years")
CATEGORICAL = ("industry", "region", "channel", "cluster")  # always categories
# The customer's own spend with us: attributes when the model learns given wallets, never
# when it learns revenue (they would be the target itself).
SPEND = ("best_year", "revenue_year")
MIN_GIVEN = 200  # customers who have bought with a given wallet, to train on wallets
FOLDS = 5  # cross-validation folds for the check
BATCH_ROWS = 200_000  # rows predicted at once
MODELS = ("boosting", "peers")
_MAX_CATEGORIES = 254  # HistGradientBoosting's limit (255 bins, one kept for missing)


class WalletEstimator(RegressorMixin, BaseEstimator):
    """The ``quantile`` of y (spend with us, or given wallets) among customers like each one.

    ``fit(X, y)``: X is a DataFrame of attributes (text, category or boolean columns are
    categorical; numbers are numbers; NaN is allowed), y positive amounts; rows whose y is
    not a positive number are left out. ``predict(X)``: the estimated quantile per row (NaN
    when nothing could be fitted). ``peer_groups(X)``: the peer group of each row.

    ``model="boosting"`` (default): gradient-boosted quantile trees on log y, each leaf
    holding at least ``min_peers`` customers; with fewer than ``2 * min_peers`` rows to fit
    it falls back to ``"peers"``. ``model="peers"``: the ``quantile`` of y within the row's
    peer group. Learned: ``columns_``, ``categories_``, ``bands_``, ``band_ranges_``,
    ``levels_`` (the peer groups), ``model_`` (None for peers), ``n_fit_``.
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

    # -- fitting ---------------------------------------------------------------------------
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
        self.categories_, self.bands_, self.band_ranges_ = {}, {}, {}
        for c in self.columns_:
            if _is_number(X[c]):
                values = X[c].to_numpy(dtype=float)
                seen = values[np.isfinite(values)]
                edges = np.unique(np.quantile(seen, np.arange(1, self.bands) / self.bands)) if seen.size else np.array([])
                self.bands_[c] = edges
                band = np.searchsorted(edges, seen, side="right")
                self.band_ranges_[c] = [
                    (float(seen[band == b].min()), float(seen[band == b].max())) if (band == b).any() else None
                    for b in range(len(edges) + 1)
                ]
            else:
                counts = _values(X[c]).value_counts(dropna=True)
                # most frequent first, ties by value: the same order every run
                order = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
                self.categories_[c] = [v for v, _ in order]
        codes = self._codes(X)
        cards = [self._cardinality(j) for j in range(len(self.columns_))]
        self.levels_ = _peer_levels(codes, cards, y, float(self.quantile))
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

    # -- applying --------------------------------------------------------------------------
    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The estimated ``quantile`` of y for each row of X."""
        X = _frame(X)
        if self.model_ is None:
            return self._peer_values(X)
        out = np.empty(len(X))
        with _one_thread():
            for start in range(0, len(X), BATCH_ROWS):
                part = X.iloc[start:start + BATCH_ROWS]
                out[start:start + len(part)] = np.exp(self.model_.predict(self._design(part)))
        return out

    def peer_groups(self, X: pd.DataFrame) -> pd.DataFrame:
        """Per row of X (same index): ``peers``, how many customers of the fit form its peer
        group, and ``peer_group``, what they share: ``{attribute: value}`` for categories
        (None = not given) and ``{attribute: [lowest, highest]}`` (the peers' range; None =
        not given) for numbers, in attribute order; ``{}`` when the group is everyone."""
        X = _frame(X)
        codes = self._codes(X)
        depth, cell = self._cells(codes)
        peers = np.zeros(len(X), dtype=np.int64)
        for level, (_, counts, _) in enumerate(self.levels_):
            at = depth == level
            peers[at] = counts[cell[at]]
        # One description per group, shared by its members (a group fixes the codes it is on).
        group_key = depth * (cell.max(initial=0) + 1) + cell
        _, first, inverse = np.unique(group_key, return_index=True, return_inverse=True)
        described = [self._describe(codes[i, :depth[i]]) for i in first]
        groups = [described[k] for k in inverse.ravel()]
        return pd.DataFrame({"peers": peers, "peer_group": groups}, index=X.index)

    # -- internals -------------------------------------------------------------------------
    def _codes(self, X: pd.DataFrame) -> np.ndarray:
        """One small integer per attribute and row: the category's place (missing and
        unseen values get places of their own) or the number's band (missing: its own)."""
        codes = np.zeros((len(X), len(self.columns_)), dtype=np.int64)
        for j, c in enumerate(self.columns_):
            column = X[c] if c in X else pd.Series(np.nan, index=X.index)
            if c in self.bands_:
                values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
                band = np.searchsorted(self.bands_[c], values, side="right")
                codes[:, j] = np.where(np.isfinite(values), band, len(self.bands_[c]) + 1)
            else:
                known = self.categories_[c]
                text = _values(column)
                place = pd.Categorical(text, categories=known).codes.astype(np.int64)
                codes[:, j] = np.where(text.isna(), len(known), np.where(place < 0, len(known) + 1, place))
        return codes

    def _cardinality(self, j: int) -> int:
        c = self.columns_[j]
        return len(self.bands_[c]) + 2 if c in self.bands_ else len(self.categories_[c]) + 2

    def _cells(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(depth, cell) per row of ``codes``: the deepest level whose group has at least
        ``min_peers`` customers of the fit (level 0 = everyone), and the group's number at
        that level."""
        n = len(codes)
        depth, cell = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
        parent = np.zeros(n, dtype=np.int64)
        alive = np.ones(n, dtype=bool)
        for level in range(1, len(self.levels_)):
            keys, counts, _ = self.levels_[level]
            if not len(keys):
                break
            key = parent * self._cardinality(level - 1) + codes[:, level - 1]
            pos = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
            alive &= keys[pos] == key
            big = alive & (counts[pos] >= int(self.min_peers))
            depth[big], cell[big] = level, pos[big]
            parent = np.where(alive, pos, 0)
        return depth, cell

    def _peer_values(self, X: pd.DataFrame) -> np.ndarray:
        if not self.n_fit_:
            return np.full(len(X), np.nan)
        depth, cell = self._cells(self._codes(X))
        out = np.empty(len(X))
        for level, (_, _, values) in enumerate(self.levels_):
            at = depth == level
            out[at] = values[cell[at]]
        return out

    def _describe(self, codes: np.ndarray) -> dict:
        group = {}
        for j, code in enumerate(codes):
            c = self.columns_[j]
            if c in self.bands_:
                ranges = self.band_ranges_[c]
                group[c] = list(ranges[code]) if code < len(ranges) and ranges[code] else None
            else:
                known = self.categories_[c]
                group[c] = known[code] if code < len(known) else None
        return group

    def _design(self, X: pd.DataFrame) -> pd.DataFrame:
        """X as the boosted trees take it: numbers as floats; categories as pandas
        categoricals over the fit's most frequent values (others count as missing)."""
        out = {}
        for c in self.columns_:
            column = X[c] if c in X else pd.Series(np.nan, index=X.index)
            if c in self.bands_:
                out[c] = pd.to_numeric(column, errors="coerce").astype(float).to_numpy()
            else:
                kept = self.categories_[c][:_MAX_CATEGORIES]
                text = _values(column)
                out[c] = pd.Categorical(text.where(text.isin(kept)), categories=kept)
        return pd.DataFrame(out, index=X.index)


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


def _values(column: pd.Series) -> pd.Series:
    """A categorical attribute's values as Python objects, missing values as None (text
    columns of any dtype convert once; object columns stay as they are)."""
    if column.dtype != object:
        column = column.astype(object)
    return column.where(column.notna(), None)


def _peer_levels(codes: np.ndarray, cards: list[int], y: np.ndarray, quantile: float) -> list:
    """Per level L = 0..p (groups on the first L attributes): (keys, counts, q-quantile of
    y) of every group that has customers, keys sorted; a key is the parent group's number
    times the attribute's cardinality (``cards``) plus the attribute's code, so keys stay
    small."""
    n, p = codes.shape
    levels = [(np.zeros(1, dtype=np.int64), np.array([n]), _group_quantile(np.zeros(n, dtype=np.int64), y, 1, quantile))]
    parent = np.zeros(n, dtype=np.int64)
    for j in range(p):
        key = parent * cards[j] + codes[:, j]
        keys, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        levels.append((keys, counts, _group_quantile(inverse, y, len(keys), quantile)))
        parent = inverse
    return levels


def _group_quantile(group: np.ndarray, values: np.ndarray, n_groups: int, q: float) -> np.ndarray:
    """The q-quantile of ``values`` within each group (linear interpolation, as
    ``numpy.quantile``); NaN for an empty group."""
    out = np.full(n_groups, np.nan)
    if not values.size:
        return out
    order = np.lexsort((values, group))
    g, v = group[order], values[order]
    counts = np.bincount(g, minlength=n_groups)
    start = np.cumsum(counts) - counts
    has = counts > 0
    pos = (counts[has] - 1) * q
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, counts[has] - 1)
    frac = pos - lo
    out[has] = v[start[has] + lo] * (1 - frac) + v[start[has] + hi] * frac
    return out


# -- per customer: inputs, estimates, check ----------------------------------------------------
def wallet_inputs(tables, as_of: Any = None):
    """Ibis table, one row per customer in the universe: what a wallet is estimated from.

    customer_id, wallet (given in the customer list, or NULL), has_purchased, active (bought
    in the last 12 months), revenue_year (net revenue in the last 12 months), best_year (the
    best 12-month window's net revenue, windows counted back from ``as_of``, at least 0),
    industry, region, channel, categories (how many product categories the customer has
    bought, net of refunds), tenure_years (since the first purchase), orders_per_year (orders
    over the tenure, a tenure under a year counting as one), order_value (gross revenue per
    order). The purchase figures are NULL for customers who never bought; money is rounded
    to the cent (a parallel sum of doubles can differ in its last digits). Runs in the
    engine (DuckDB or Spark); ``.to_pandas()`` gives the frame :func:`estimate_wallets` takes.
    """
    as_of = resolve_as_of(tables, as_of)
    f = customer_facts(tables, as_of, 12)
    cats = category_revenue(tables, as_of)
    cats = cats.filter((cats.revenue > 0) & (cats.category != "(none)"))
    breadth = cats.group_by("customer_id").aggregate(_categories=cats.count())
    j = (f.left_join(breadth, "customer_id").drop("customer_id_right")
         .left_join(best_year(tables, as_of), "customer_id").drop("customer_id_right"))
    bought = j.has_purchased
    tenure = j.tenure_days.cast("float64") / 365.25
    null = ibis.null("float64")
    return j.select(
        "customer_id", "wallet", "has_purchased", "active",
        revenue_year=ibis.ifelse(bought, j.revenue_window.cast("float64").round(2), null),
        best_year=ibis.ifelse(bought, ibis.greatest(ibis.coalesce(j._best, 0.0), j.revenue_window, 0.0)
                              .cast("float64").round(2), null),
        industry="industry", region="region", channel="channel",
        categories=ibis.ifelse(bought, ibis.coalesce(j._categories, 0).cast("float64"), null),
        tenure_years=ibis.ifelse(bought, tenure, null),
        orders_per_year=ibis.ifelse(bought, j.orders.cast("float64") / ibis.greatest(tenure, 1.0), null),
        order_value=ibis.ifelse(j.orders > 0, (j.gross_revenue.cast("float64") / j.orders).round(2), null),
    )


def best_year(tables, as_of: dt.date):
    """(customer_id, _best): each buyer's highest net revenue in any 12-month window counted
    back from ``as_of`` (window k holds the dates d with as_of - k-1 years < d <= as_of - k
    years, the last 12 months being window 0, as in :func:`analysis.features.window_bounds`).
    A date is after its own year's anniversary of ``as_of`` when its (month, day) is later,
    which also holds for an ``as_of`` of 29 February in other years."""
    t = purchases(tables, as_of)
    month, day = t.date.month(), t.date.day()
    after = (month > as_of.month) | ((month == as_of.month) & (day > as_of.day))
    window = ibis.literal(as_of.year) - t.date.year() - ibis.ifelse(after, 1, 0)
    per = t.group_by([t.customer_id, window.name("_window")]).aggregate(_revenue=t.amount.sum())
    return per.group_by("customer_id").aggregate(_best=per._revenue.max())


@dataclass(frozen=True)
class WalletCheck:
    """Given wallets estimated as if unknown, against the naive wallet (the customer's own
    best year with us): median absolute percentage error (0.4 = 40%) and Spearman rank
    correlation (None when either side is constant)."""

    customers: int
    median_ape: float
    baseline_median_ape: float
    spearman: float | None
    baseline_spearman: float | None


@dataclass(frozen=True)
class Wallets:
    """Every customer's wallet (``customers``: customer_id, wallet_estimate, wallet_source
    "given" / "estimated" / None, peers, peer_group, revenue_year, share_of_wallet,
    headroom), how many are given and estimated, what the model learned (``trained_on``:
    "wallets" or "revenue", at ``quantile``) and the check (None without given wallets)."""

    customers: pd.DataFrame
    given: int
    estimated: int
    trained_on: str
    quantile: float
    holdout: WalletCheck | None

    @property
    def benchmark(self) -> bool:
        """True when no given wallet could check the estimates: they are a peer benchmark
        (what customers like this one spend with us at the best), not a measurement."""
        return self.holdout is None

    def summary(self) -> dict:
        """{"given", "estimated", "holdout": {customers, median_ape, baseline_median_ape,
        spearman, baseline_spearman} or None}: plain values, ready for JSON."""
        h = self.holdout
        return {"given": self.given, "estimated": self.estimated,
                "holdout": None if h is None else {k: getattr(h, k) for k in WalletCheck.__dataclass_fields__}}


@dataclass(frozen=True)
class _Plan:
    """What the model learns: y (``target``) on ``columns``, at ``quantile``, from ``train``."""

    target: str  # "wallets" or "revenue"
    columns: list
    quantile: float
    train: np.ndarray  # bool per row of the prepared frame


def estimate_wallets(frame: pd.DataFrame, quantile: float = 0.9, *, attributes=None,
                     min_given: int = MIN_GIVEN, check: bool = True, max_rows: int | None = None,
                     random_state: int = 0, **settings) -> Wallets:
    """Every customer's wallet from ``frame`` (:func:`wallet_inputs` as pandas, or any frame
    with its columns customer_id, wallet, has_purchased, revenue_year, best_year and some
    of :data:`ATTRIBUTES`, or the columns named in ``attributes``, e.g. "employees").

    Given wallets win; every other customer who has bought gets an estimate (see the module
    docstring for how, and why). The model is fitted on at most ``max_rows`` customers
    (default :data:`analysis.features.LOCAL_ROWS`, drawn with ``random_state``) and applied
    to all; ``settings`` go to :class:`WalletEstimator` (``model``, ``min_peers``, ...).
    ``check``: estimate the given wallets as if unknown (:class:`WalletCheck`)."""
    f = _prepared(frame)
    plan = _plan(f, quantile, attributes, min_given)
    model = _fit(f, plan, plan.train, max_rows, random_state, settings)
    bought = f["has_purchased"].to_numpy()
    estimate = np.full(len(f), np.nan)
    # money, to the cent: the share and the headroom are computed from the figure shown
    estimate[bought] = _floored(model.predict(f.loc[bought, plan.columns]), f.loc[bought, "best_year"]).round(2)
    peers = model.peer_groups(f.loc[bought, plan.columns])

    wallet = f["wallet"].to_numpy()
    given = _given(f)
    final = np.where(given, wallet, estimate)
    estimated = ~given & np.isfinite(estimate)
    source = np.where(given, "given", np.where(estimated, "estimated", None)).astype(object)
    spend = np.maximum(f["revenue_year"].fillna(0.0).to_numpy(), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(np.isfinite(final) & (final > 0), spend / final, np.nan)
    out = pd.DataFrame({
        "customer_id": f["customer_id"],
        "wallet_estimate": final,
        "wallet_source": source,
        "peers": pd.array(np.full(len(f), pd.NA), dtype="Int64"),
        "peer_group": pd.Series([None] * len(f), dtype=object),
        "revenue_year": f["revenue_year"],
        "share_of_wallet": share,
        "headroom": np.where(np.isfinite(final), np.maximum(final - spend, 0.0), np.nan),
    })
    rows = np.flatnonzero(estimated)
    at = pd.Series(np.arange(int(bought.sum())), index=np.flatnonzero(bought))[rows].to_numpy()
    out.loc[rows, "peers"] = peers["peers"].to_numpy()[at]
    groups = np.full(len(f), None, dtype=object)
    groups[rows] = peers["peer_group"].to_numpy(dtype=object)[at]
    out["peer_group"] = groups
    holdout = None
    if check and (given & bought).any():
        held = _held(f, plan, max_rows, random_state, settings,
                     fitted=estimate if plan.target == "revenue" else None)
        holdout = _scores(f.set_index("customer_id").loc[held.index], held)
    return Wallets(out, int(given.sum()), int(estimated.sum()), plan.target, plan.quantile, holdout)


def holdout_estimates(frame: pd.DataFrame, quantile: float = 0.9, *, attributes=None,
                      min_given: int = MIN_GIVEN, max_rows: int | None = None,
                      random_state: int = 0, **settings) -> pd.Series:
    """The estimate of each given wallet (of customers who have bought) as if it were
    unknown, indexed by customer_id. Trained on wallets: :data:`FOLDS`-fold cross-validation,
    each fold estimated by a model fitted on the other folds' wallets only. Trained on
    revenue: the model as fitted, which never sees a wallet."""
    f = _prepared(frame)
    return _held(f, _plan(f, quantile, attributes, min_given), max_rows, random_state, settings)


def _held(f: pd.DataFrame, plan: _Plan, max_rows, random_state, settings, fitted=None) -> pd.Series:
    """:func:`holdout_estimates` on a prepared frame; ``fitted``: the revenue model's
    estimates of every row, when already made."""
    rows = np.flatnonzero(_given(f) & f["has_purchased"].to_numpy())
    held = np.full(len(rows), np.nan)
    if plan.target == "revenue":
        if fitted is None:
            model = _fit(f, plan, plan.train, max_rows, random_state, settings)
            held = model.predict(f.loc[rows, plan.columns])
        else:
            held = np.asarray(fitted)[rows]
    elif len(rows) > 1:
        from sklearn.model_selection import KFold

        folds = KFold(n_splits=min(FOLDS, len(rows)), shuffle=True, random_state=random_state)
        for _, test_part in folds.split(rows):
            train = plan.train.copy()
            train[rows[test_part]] = False
            model = _fit(f, plan, train, max_rows, random_state, settings)
            held[test_part] = model.predict(f.loc[rows[test_part], plan.columns])
    held = _floored(held, f.loc[rows, "best_year"])
    return pd.Series(held, index=f.loc[rows, "customer_id"].to_numpy(), name="wallet_estimate")


def _prepared(frame: pd.DataFrame) -> pd.DataFrame:
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


def _given(f: pd.DataFrame) -> np.ndarray:
    wallet = f["wallet"].to_numpy()
    return np.isfinite(wallet) & (wallet > 0)


def _plan(f: pd.DataFrame, quantile: float, attributes, min_given: int) -> _Plan:
    """Wallets when at least ``min_given`` buyers carry one (their median, with their own
    spend among the attributes); else the ``quantile`` of this year's revenue of the
    customers who bought this year."""
    names = [c for c in (attributes or ATTRIBUTES) if c in f and c not in SPEND]
    bought = f["has_purchased"].to_numpy()
    on_wallets = _given(f) & bought
    if on_wallets.sum() >= max(int(min_given), 1):
        return _Plan("wallets", names + list(SPEND), 0.5, on_wallets)
    revenue = f["revenue_year"].to_numpy()
    return _Plan("revenue", names, float(quantile), bought & np.isfinite(revenue) & (revenue > 0))


def _fit(f: pd.DataFrame, plan: _Plan, train: np.ndarray, max_rows, random_state, settings) -> WalletEstimator:
    rows = np.flatnonzero(train)
    limit = features.local_limit(max_rows)
    if len(rows) > limit:  # a fixed sample: same data and seed, same customers
        rows = np.sort(np.random.default_rng(random_state).choice(rows, size=limit, replace=False))
    y = f["wallet"] if plan.target == "wallets" else f["revenue_year"]
    model = WalletEstimator(quantile=plan.quantile, random_state=random_state, **settings)
    return model.fit(f.loc[rows, plan.columns], y.to_numpy()[rows])


def _floored(estimate, best) -> np.ndarray:
    """An estimate is never below the customer's best year with us."""
    best = np.maximum(pd.to_numeric(pd.Series(best), errors="coerce").fillna(0.0).to_numpy(), 0.0)
    estimate = np.asarray(estimate, dtype=float)
    return np.where(np.isfinite(estimate), np.maximum(estimate, best), np.nan)


def _scores(f: pd.DataFrame, held: pd.Series) -> WalletCheck | None:
    from scipy.stats import spearmanr

    wallet = f["wallet"].to_numpy()
    naive = np.maximum(f["best_year"].fillna(0.0).to_numpy(), 0.0)
    estimate = held.to_numpy()
    ok = np.isfinite(estimate)
    if not ok.any():
        return None

    def rho(a, b):
        value = spearmanr(a, b).statistic if len(a) > 1 else np.nan
        return None if not np.isfinite(value) else float(value)

    return WalletCheck(
        customers=int(ok.sum()),
        median_ape=float(np.median(np.abs(estimate[ok] - wallet[ok]) / wallet[ok])),
        baseline_median_ape=float(np.median(np.abs(naive[ok] - wallet[ok]) / wallet[ok])),
        spearman=rho(estimate[ok], wallet[ok]),
        baseline_spearman=rho(naive[ok], wallet[ok]),
    )
