"""Customer clusters and personas (Differentiate, IDIC step 2): groups found in the data
rather than set by rules, each with a plain-English name and sentence.

Features (:func:`cluster_features`), one row per *buying* customer, aggregated with Ibis:
recency_days, frequency (orders), monetary (net revenue), avg_order_value, tenure_days,
``cat_<category>`` (share of the customer's positive revenue in each category; the
:data:`MAX_CATEGORIES` biggest categories by revenue get a column, the rest go to
``cat_other``), and, when any survey exists, satisfaction_5 with a has_survey flag.
A customer without a survey gets the median satisfaction_5 of those with one, so the
missing score neither pulls the customer up nor down; has_survey keeps the difference.

Model (:class:`CustomerClusters`): signed log1p on the skewed columns, standardisation,
k-means; k is chosen by the mean silhouette. Personas come from the z-scores of each
cluster's mean against all customers. The words used for names and sentences live in one
table, :data:`PHRASES`, so the app can translate them.
"""

from __future__ import annotations

import math
from typing import Any

import ibis
import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from analysis.errors import NotEnoughData
from analysis.identify.facts import category_revenue, customer_facts, hash_sample, local_limit, money_zero, resolve_as_of
from analysis.i18n import N_, lookup, money, t
from analysis.store import Tables, materialize, to_frame
from analysis.vocabulary import label

# Fewer buying customers than this cannot be clustered meaningfully: with k up to 8 a
# cluster would hold two or three customers and the silhouette would be noise.
MIN_CUSTOMERS = 20
# Categories beyond the biggest few by revenue are pooled, so a product-level "category"
# column cannot explode the feature count.
MAX_CATEGORIES = 8
OTHER = "other"  # the pooled smaller categories
NO_CATEGORY = "(none)"  # purchase lines without a category (see features.category_revenue)
# Columns shrunk by a signed log1p before scaling: counts, days and money are right-skewed.
LOG_COLUMNS = ("recency_days", "frequency", "monetary", "avg_order_value", "tenure_days")
# At most this many points in the 2-D projection (a chart cannot show more usefully).
PROJECTION_POINTS = 5000
# A cluster mean this many standard deviations from the overall mean is "distinctive".
DISTINCT_Z = 0.3

# Every word personas are built from, marked for translation (``N_``) and looked up when a
# persona is written. A feature's "high"/"low" entry is used when the cluster's mean is
# above/below the overall mean. "adjective" goes before the noun; "noun" (if any) becomes
# the head of the name. {category} is the category's name (data, never translated). The
# templates put adjectives and noun together, so each language keeps its own word order.
PHRASES: dict[str, Any] = {
    "features": {
        "recency_days": {"low": {"adjective": N_("recent")}, "high": {"adjective": N_("lapsed")}},
        "frequency": {"high": {"adjective": N_("frequent")}, "low": {"adjective": N_("occasional")}},
        "monetary": {"high": {"noun": N_("big spenders"), "adjective": N_("high-spending")},
                     "low": {"noun": N_("light spenders"), "adjective": N_("low-spending")}},
        "avg_order_value": {"high": {"adjective": N_("big-basket")}, "low": {"adjective": N_("small-basket")}},
        "tenure_days": {"high": {"adjective": N_("long-standing")}, "low": {"adjective": N_("new")}},
        "satisfaction_5": {"high": {"adjective": N_("happy")}, "low": {"adjective": N_("unhappy")}},
        "has_survey": {"high": {"adjective": N_("surveyed")}, "low": {"adjective": N_("unsurveyed")}},
        "category": {"high": {"noun": N_("{category} buyers")}},
    },
    "one_adjective": N_("{adjective} {noun}"),
    "two_adjectives": N_("{first} {second} {noun}"),
    "default_noun": N_("customers"),
    "typical_name": N_("Typical customers"),
    "mostly_buy": N_(" who mostly buy {category}"),
    "sentence": N_(
        "{name}{mostly}: {size:,} customers ({share:.0%}), last bought {recency:,.0f} days ago "
        "on average, {orders:,.1f} orders, {money} each."
    ),
    "satisfaction": N_(" Average satisfaction {value:.1f} of 5."),
    "group": N_("group {n}"),
}

def feature_label(column: str) -> str:
    """Plain-English label of a feature column (``cat_Books`` -> "Share of Books")."""
    if column.startswith("cat_"):
        return t("Share of {category}", category=column[4:])
    return label("feature", column)


# -- features ---------------------------------------------------------------------------
def feature_table(tables: Tables, as_of: Any = None, window_months: int = 12):
    """(Ibis table, category columns): the raw features of :func:`cluster_features`, one
    row per buying customer, evaluated where the data lives; satisfaction_5 is still NULL
    for customers without a survey (see :func:`fill_features`)."""
    as_of = resolve_as_of(tables, as_of)
    f = customer_facts(tables, as_of, window_months)
    f = f.filter(f.has_purchased)
    orders = f.orders.cast("float64")
    base = f.select(
        "customer_id",
        recency_days=f.recency_days.cast("float64"),
        frequency=orders,
        monetary=f.revenue.cast("float64"),
        avg_order_value=ibis.ifelse(orders > 0, f.revenue / orders, 0.0),
        tenure_days=f.tenure_days.cast("float64"),
        satisfaction_5=f.satisfaction_5.cast("float64"),
    )

    cats = category_revenue(tables, as_of)
    zero = money_zero(cats.revenue)  # shares are summed exactly, then divided
    cats = cats.mutate(positive=ibis.greatest(cats.revenue, zero))
    ranking = to_frame(
        cats.group_by("category").aggregate(total=cats.positive.sum())
        .order_by([ibis.desc("total"), "category"])
    )
    names = [str(c) for c in ranking["category"]]
    kept = names[:MAX_CATEGORIES]
    if len(names) > MAX_CATEGORIES:  # the rest, with any real category called "other"
        kept = [c for c in kept if c != OTHER]
    columns = {}
    if len(names) > 1:
        safe = cats.positive.sum().nullif(zero)  # positive: 0 is the only total not above 0

        def share(part):
            return ibis.coalesce((part.sum() / safe).cast("float64"), 0.0)

        for name in kept:
            columns[f"cat_{name}"] = share(ibis.ifelse(cats.category == name, cats.positive, zero))
        if len(kept) < len(names):
            columns[f"cat_{OTHER}"] = share(ibis.ifelse(cats.category.isin(kept), zero, cats.positive))
        mix = cats.group_by("customer_id").aggregate(**columns)
        base = base.left_join(mix, "customer_id").drop("customer_id_right")
    return base, list(columns)


def fill_features(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The feature matrix from rows of :func:`feature_table` (index customer_id): missing
    category shares are 0; when anyone answered a survey, missing satisfaction_5 takes the
    median and has_survey says who answered; otherwise satisfaction_5 is dropped."""
    frame = frame.copy()
    for col in columns:
        frame[col] = frame[col].fillna(0.0).astype(float)
    has_survey = frame["satisfaction_5"].notna()
    if has_survey.any():
        frame["satisfaction_5"] = frame["satisfaction_5"].fillna(frame["satisfaction_5"].median())
        frame["has_survey"] = has_survey.astype(float)
        order = [c for c in frame.columns if not c.startswith("cat_")]
        frame = frame[order + list(columns)]
    else:
        frame = frame.drop(columns="satisfaction_5")
    return frame.astype(float)


def filled_table(table, features: pd.DataFrame, columns: list[str]):
    """:func:`feature_table`'s rows filled as :func:`fill_features` filled ``features``
    (the same median satisfaction), in the engine: what :meth:`CustomerClusters.assign`
    reads to assign every customer without bringing them back."""
    fills = {col: ibis.coalesce(table[col], 0.0) for col in columns}
    if "has_survey" in features.columns:
        answered = features.loc[features["has_survey"] > 0, "satisfaction_5"]
        median = float(answered.median())
        fills["has_survey"] = table.satisfaction_5.notnull().cast("float64")
        fills["satisfaction_5"] = ibis.coalesce(table.satisfaction_5, median)
    return table.mutate(**fills)


def cluster_features(tables: Tables, as_of: Any = None, window_months: int = 12) -> pd.DataFrame:
    """One row per buying customer (index customer_id, sorted), numeric features only.

    Columns: recency_days, frequency, monetary, avg_order_value, tenure_days,
    [satisfaction_5, has_survey] when anyone answered a survey (missing scores take the
    median), then cat_<category> shares of positive revenue (absent when there is only one
    category). ``window_months`` is passed to :func:`customer_facts`; the features
    themselves cover all purchases up to ``as_of``.
    """
    table, columns = feature_table(tables, as_of, window_months)
    return fill_features(to_frame(table.order_by("customer_id")).set_index("customer_id"), columns)


# -- model ------------------------------------------------------------------------------
def _signed_log1p(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = np.array(x, dtype=float, copy=True)
    out[:, mask] = np.sign(out[:, mask]) * np.log1p(np.abs(out[:, mask]))
    return out


def _signed_expm1(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = np.array(x, dtype=float, copy=True)
    out[:, mask] = np.sign(out[:, mask]) * np.expm1(np.abs(out[:, mask]))
    return out


def silhouettes(z: np.ndarray, labelings: list[np.ndarray], chunk_bytes: int = 32 * 2**20) -> list[float]:
    """Mean silhouette (Rousseeuw 1987) of several labelings of the same points at once.

    s(i) = (b(i) - a(i)) / max(a(i), b(i)), a(i) the mean distance to the other members of
    i's cluster, b(i) the smallest mean distance to another cluster, s(i) = 0 in a cluster
    of one. The Euclidean distances are computed once, in row chunks, and summed per
    cluster for every labeling with one matrix product: scikit-learn's
    ``silhouette_score`` to about 1e-4, several times faster when many k are compared.
    """
    z = np.asarray(z, dtype=float)
    n = len(z)
    onehots, offsets = [], [0]
    for labels in labelings:
        _, codes = np.unique(labels, return_inverse=True)
        onehot = np.zeros((n, codes.max() + 1))
        onehot[np.arange(n), codes] = 1.0
        onehots.append((codes, onehot))
        offsets.append(offsets[-1] + onehot.shape[1])
    members = np.hstack([o for _, o in onehots]).astype(np.float32)
    sizes = members.sum(axis=0, dtype=float)
    # Squared distances from one product: [z, |z|^2, 1] @ [-2z, 1, |z|^2]^T, in float32
    # (half the memory traffic; the mean silhouette moves by well under 1e-3).
    sq = np.einsum("ij,ij->i", z, z)[:, None]
    left = np.hstack([z, sq, np.ones_like(sq)]).astype(np.float32)
    right = np.ascontiguousarray(np.hstack([-2.0 * z, np.ones_like(sq), sq]).T.astype(np.float32))
    step = max(1, min(n, chunk_bytes // (4 * max(n, 1))))
    sums = np.empty((n, members.shape[1]), dtype=np.float32)
    buffer = np.empty((step, n), dtype=np.float32)  # reused: fresh big arrays cost page faults
    for start in range(0, n, step):
        stop = min(n, start + step)
        d = buffer[: stop - start]
        np.matmul(left[start:stop], right, out=d)
        np.maximum(d, 0.0, out=d)
        np.sqrt(d, out=d)
        d[np.arange(stop - start), np.arange(start, stop)] = 0.0
        np.matmul(d, members, out=sums[start:stop])
    sums = sums.astype(float)
    scores = []
    for j, (codes, _) in enumerate(onehots):
        block = sums[:, offsets[j]:offsets[j + 1]]
        size = sizes[offsets[j]:offsets[j + 1]]
        own = block[np.arange(n), codes]
        own_size = size[codes]
        a = np.where(own_size > 1, own / np.maximum(own_size - 1, 1), 0.0)
        mean_other = block / size[None, :]
        mean_other[np.arange(n), codes] = np.inf
        b = mean_other.min(axis=1)
        denom = np.maximum(a, b)
        s = np.where((own_size > 1) & (denom > 0), (b - a) / np.where(denom > 0, denom, 1.0), 0.0)
        scores.append(float(s.mean()))
    return scores


def _sample(n: int, size: int, seed: int) -> np.ndarray:
    """Sorted positions of a fixed random sample of at most ``size`` of ``n`` rows."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


class CustomerClusters:
    """k-means clusters of customers with personas.

    Pipeline: signed log1p on :data:`LOG_COLUMNS`, StandardScaler, then k-means minimising
    the within-cluster sum of squares (Lloyd 1982, "Least squares quantization in PCM",
    IEEE Trans. Inf. Theory 28(2)) seeded by k-means++ (Arthur & Vassilvitskii 2007,
    SODA). With ``k=None`` every k in ``k_range`` (both ends included) is tried and the
    highest mean silhouette s(i) = (b(i) - a(i)) / max(a(i), b(i)) (Rousseeuw 1987,
    J. Comput. Appl. Math. 20) wins; ties go to the smaller k.

    Speed, in three steps, all on fixed-seed samples so two fits give the same labels:

    1. Every candidate k is fitted on one random sample of at most ``sample_size``
       customers with ``screen_n_init`` k-means++ starts (scikit-learn's own default,
       ``n_init="auto"``, is a single k-means++ start: k-means++ is already within
       O(log k) of the optimum in expectation, Arthur & Vassilvitskii 2007, thm. 3.1).
       Centroids of at most 8 clusters in ~15 dimensions are estimated from 20,000 rows
       to within a few hundredths of a standard deviation.
    2. k is chosen by the mean silhouette on a sub-sample of at most ``silhouette_size``
       of those rows: the silhouette costs O(n^2) distances, and a mean over 10,000
       points has a standard error of about 0.003, well below the gaps between k's that
       matter. This is what ``sklearn.metrics.silhouette_score(..., sample_size=...)``
       does; :func:`silhouettes` scores every k from one pass over the distances.
    3. The chosen k is refitted on the whole sample with ``n_init`` starts (the best
       inertia wins), and every customer is assigned to its nearest centroid.

    Clusters are renumbered by descending mean monetary value, so cluster 0 is the
    biggest-spending group.

    Learned: ``feature_names_``, ``k_``, ``silhouette_``, ``silhouette_by_k_`` (each
    candidate's screening silhouette; the chosen k's from its final fit), ``labels_``,
    ``centers_`` (original units), ``pipeline_``, ``profiles_``, ``zscores_``,
    ``personas_``.
    """

    def __init__(self, k: int | None = None, k_range: tuple[int, int] = (2, 8),
                 random_state: int = 0, sample_size: int = 20000, silhouette_size: int = 10000,
                 n_init: int = 10, screen_n_init: int = 2, currency: str = ""):
        self.k = k
        self.k_range = k_range
        self.random_state = random_state
        self.sample_size = sample_size
        self.silhouette_size = silhouette_size
        self.n_init = n_init
        self.screen_n_init = screen_n_init
        self.currency = currency

    # -- fitting ------------------------------------------------------------------------
    def _matrix(self, features: pd.DataFrame, names: list[str] | None = None) -> np.ndarray:
        names = list(features.columns) if names is None else names
        missing = [c for c in names if c not in features.columns]
        if missing:
            raise ValueError(f"features lack the column(s) {missing}")
        x = features[names].to_numpy(dtype=float)
        if np.isnan(x).any():
            bad = [c for c in names if features[c].isna().any()]
            raise ValueError(f"features have missing values in {bad}; fill them first")
        return x

    def fit(self, features: pd.DataFrame) -> "CustomerClusters":
        """Choose k (unless given), fit the pipeline and build profiles and personas."""
        n = len(features)
        if n < MIN_CUSTOMERS:
            raise NotEnoughData(t(
                "Clustering needs at least {minimum} customers who have bought; there are {n}.",
                minimum=MIN_CUSTOMERS, n=n))
        self.feature_names_ = list(features.columns)
        x = self._matrix(features)
        mask = np.array([c in LOG_COLUMNS for c in self.feature_names_])
        log = FunctionTransformer(
            _signed_log1p, inverse_func=_signed_expm1,
            kw_args={"mask": mask}, inv_kw_args={"mask": mask}, check_inverse=False,
        )
        scaler = StandardScaler()
        sample = x[_sample(n, self.sample_size, self.random_state)]
        z_sample = scaler.fit_transform(log.fit_transform(sample))
        distinct = len(np.unique(np.round(z_sample, 9), axis=0))
        if distinct < 2:
            raise NotEnoughData(t("All customers look the same (same recency, orders and spend): "
                                  "there is nothing to cluster."))

        if self.k is not None:
            if not 2 <= self.k <= min(n - 1, distinct):
                raise ValueError(f"k must be between 2 and {min(n - 1, distinct)}; got {self.k}")
            candidates = [int(self.k)]
        else:
            lo, hi = self.k_range
            candidates = [k for k in range(max(2, lo), hi + 1) if k <= min(distinct, len(sample) - 1)]
            if not candidates:
                raise NotEnoughData(t("Too few distinct customers ({distinct}) for {lo} or more clusters.",
                                      distinct=distinct, lo=lo))
        # One thread: on a shared server OpenMP threads that spin-wait for busy cores make
        # k-means many times slower, and the sample keeps a single thread fast.
        pick = _sample(len(z_sample), self.silhouette_size, self.random_state + 1)
        with threadpool_limits(limits=1):
            screened = {}
            n_init = self.n_init if len(candidates) == 1 else self.screen_n_init
            for k in candidates:
                km = KMeans(n_clusters=k, n_init=n_init, random_state=self.random_state).fit(z_sample)
                if len(np.unique(km.labels_)) >= 2:
                    screened[k] = km
            if not screened:
                raise NotEnoughData(t("The customers could not be split into two or more groups."))
            scores = silhouettes(z_sample[pick], [km.labels_[pick] for km in screened.values()])
            self.silhouette_by_k_ = dict(zip(screened, scores))
            best = max(self.silhouette_by_k_, key=lambda k: (self.silhouette_by_k_[k], -k))
            km = screened[best]
            if n_init < self.n_init:
                final = KMeans(n_clusters=best, n_init=self.n_init, random_state=self.random_state).fit(z_sample)
                if len(np.unique(final.labels_)) == best and final.inertia_ < km.inertia_:
                    km = final
                    self.silhouette_by_k_[best] = silhouettes(z_sample[pick], [km.labels_[pick]])[0]

        # Renumber: descending mean monetary (then size, then centre) over the sample.
        order = self._cluster_order(sample, km.labels_, km.n_clusters)
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        km.cluster_centers_ = km.cluster_centers_[order]
        km.labels_ = rank[km.labels_]
        self.pipeline_ = Pipeline([("log", log), ("scale", scaler), ("kmeans", km)])
        self.k_ = int(km.n_clusters)
        self.silhouette_ = self.silhouette_by_k_[best]
        self.centers_ = pd.DataFrame(
            log.inverse_transform(scaler.inverse_transform(km.cluster_centers_)),
            columns=self.feature_names_,
        ).rename_axis("cluster")

        self.labels_ = self.predict(features)
        self._describe(features, x)
        return self

    def _cluster_order(self, sample: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
        names = self.feature_names_
        money = sample[:, names.index("monetary")] if "monetary" in names else sample[:, 0]
        keys = []
        for c in range(k):
            inside = labels == c
            keys.append((-money[inside].mean(), -inside.sum(), tuple(sample[inside].mean(axis=0))))
        return np.array(sorted(range(k), key=lambda c: keys[c]))

    def _describe(self, features: pd.DataFrame, x: np.ndarray) -> None:
        labels = self.labels_
        frame = pd.DataFrame(x, columns=self.feature_names_)
        frame["cluster"] = labels
        means = frame.groupby("cluster").mean().reindex(range(self.k_))
        sizes = np.bincount(labels, minlength=self.k_)
        profiles = means.copy()
        profiles["size"] = sizes
        profiles["share"] = sizes / sizes.sum()
        self.profiles_ = profiles
        z = pd.DataFrame(self.transform(features), columns=self.feature_names_)
        z["cluster"] = labels
        # Cluster mean of the standardised (log-scaled) features = z-score of the cluster mean.
        self.zscores_ = z.groupby("cluster").mean().reindex(range(self.k_)).fillna(0.0)
        self.personas_ = make_personas(profiles, self.zscores_, self.currency)

    # -- applying -----------------------------------------------------------------------
    def transform(self, features: pd.DataFrame) -> np.ndarray:
        """The standardised features the k-means step sees."""
        return self.pipeline_[:-1].transform(self._matrix(features, self.feature_names_))

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """Cluster number of each row (nearest centroid)."""
        return self.pipeline_.predict(self._matrix(features, self.feature_names_)).astype(int)

    def persona_names(self) -> list[str]:
        return [p["name"] for p in self.personas_]

    def assign(self, table):
        """``table`` (the raw feature columns, missing satisfaction already filled) with a
        ``cluster`` column: the nearest centre, as Ibis expressions, so assignment runs where
        the data lives (DuckDB, Spark). Same answer as :meth:`predict`. Built in layers
        (standardised features, then the squared distance to each centre, then the nearest)
        so the engine computes each distance once."""
        scaler = self.pipeline_.named_steps["scale"]
        centers = self.pipeline_.named_steps["kmeans"].cluster_centers_
        z = {}
        for j, name in enumerate(self.feature_names_):
            col = table[name].cast("float64")
            if name in LOG_COLUMNS:
                col = col.sign() * (col.abs() + 1.0).ln()
            z[f"_z{j}"] = (col - float(scaler.mean_[j])) / float(scaler.scale_[j])
        step = table.mutate(**z)
        dist = {}
        for c in range(self.k_):
            diffs = [step[f"_z{j}"] - float(centers[c, j]) for j in range(len(z))]
            terms = [d * d for d in diffs]  # not ** 2: engines raise to a power slowly
            total = terms[0]
            for term in terms[1:]:
                total = total + term
            dist[f"_d{c}"] = total
        step = step.mutate(**dist).drop(*z)
        d = [step[name] for name in dist]
        nearest = ibis.least(*d) if len(d) > 1 else d[0]
        cluster = ibis.cases(*[(d[c] == nearest, c) for c in range(self.k_)], else_=0).cast("int64")
        return step.mutate(cluster=cluster).drop(*dist)


# -- personas ---------------------------------------------------------------------------
def _phrase(feature: str, z: float) -> tuple[str, dict] | None:
    words = PHRASES["features"]
    side = "high" if z > 0 else "low"
    if feature.startswith("cat_"):
        entry = words["category"].get(side)
        if entry is None or feature in (f"cat_{OTHER}", f"cat_{NO_CATEGORY}"):
            return None
        return feature, {k: t(v, category=feature[4:]) for k, v in entry.items()}
    entry = words.get(feature, {}).get(side)
    return (feature, {k: lookup(v) for k, v in entry.items()}) if entry else None


def _distinctive(z: pd.Series) -> list[tuple[str, dict]]:
    """(feature, words) for the features furthest from the overall mean, biggest first."""
    order = z.abs().sort_values(ascending=False, kind="stable")
    # Average order value says little more than spend when both point the same way.
    redundant = {"has_survey"}
    if "monetary" in z and "avg_order_value" in z and z["monetary"] * z["avg_order_value"] > 0 \
            and abs(z["monetary"]) >= DISTINCT_Z:
        redundant.add("avg_order_value")
    found = []
    for feature, size in order.items():
        if size < DISTINCT_Z or feature in redundant:
            continue
        phrase = _phrase(feature, float(z[feature]))
        if phrase:
            found.append(phrase)
    return found


def _name(phrases: list[tuple[str, dict]]) -> tuple[str, list[str]]:
    """A name from the top 3 phrases: the first noun among them (or "customers") and the
    others as adjectives, in the order of :data:`PHRASES`."""
    top = phrases[:3]
    noun, used = None, []
    for feature, words in top:
        if "noun" in words:
            noun = words["noun"]
            used.append(feature)
            break
    adjectives = []
    for feature, words in top:
        if feature in used or "adjective" not in words or len(adjectives) == 2:
            continue
        adjectives.append((feature, words["adjective"]))
        used.append(feature)
    # A fixed word order (that of PHRASES) so similar clusters read alike.
    order = list(PHRASES["features"])
    adjectives = [a for _, a in sorted(adjectives, key=lambda fa: order.index(fa[0]) if fa[0] in order else len(order))]
    if noun is None and not adjectives:
        return lookup(PHRASES["typical_name"]), used
    noun = noun or lookup(PHRASES["default_noun"])
    if len(adjectives) == 2:
        text = t(PHRASES["two_adjectives"], first=adjectives[0], second=adjectives[1], noun=noun)
    elif adjectives:
        text = t(PHRASES["one_adjective"], adjective=adjectives[0], noun=noun)
    else:
        text = noun
    return text[0].upper() + text[1:], used


def make_personas(profiles: pd.DataFrame, zscores: pd.DataFrame, currency: str = "") -> list[dict]:
    """[{cluster, name, sentence, size, share}] from cluster means (``profiles``, with
    size and share) and z-scores of those means. Names are made unique by adding the next
    distinctive word, or the cluster number, in brackets."""
    drafts = []
    for cluster in profiles.index:
        phrases = _distinctive(zscores.loc[cluster])
        name, used = _name(phrases)
        spare = [w.get("adjective") or w.get("noun") for f, w in phrases if f not in used]
        drafts.append({"cluster": int(cluster), "name": name, "spare": spare})

    taken: dict[str, int] = {}
    for d in drafts:
        taken[d["name"]] = taken.get(d["name"], 0) + 1
    names_seen: set[str] = set()
    for d in drafts:
        name = d["name"]
        group = t(PHRASES["group"], n=d["cluster"])
        if taken[name] > 1:
            extra = next((w for w in d["spare"] if f"{name} ({w})" not in names_seen), None)
            name = f"{name} ({extra or group})"
        while name in names_seen:
            name = f"{name} ({group})"
        names_seen.add(name)
        d["name"] = name

    personas = []
    cats = [c for c in profiles.columns
            if c.startswith("cat_") and c not in (f"cat_{OTHER}", f"cat_{NO_CATEGORY}")]
    for d in drafts:
        row = profiles.loc[d["cluster"]]
        mostly = ""
        if cats:
            top = max(cats, key=lambda c: (row[c], c))
            if row[top] >= 0.5 and top[4:] not in d["name"]:
                mostly = t(PHRASES["mostly_buy"], category=top[4:])
        sentence = t(PHRASES["sentence"], 
            name=d["name"], mostly=mostly, size=int(row["size"]), share=float(row["share"]),
            recency=float(row["recency_days"]), orders=float(row["frequency"]),
            money=money(float(row["monetary"]), currency),
        )
        if "satisfaction_5" in profiles.columns and abs(zscores.loc[d["cluster"], "satisfaction_5"]) >= DISTINCT_Z:
            sentence += t(PHRASES["satisfaction"], value=float(row["satisfaction_5"]))
        personas.append({
            "cluster": d["cluster"], "name": d["name"], "sentence": sentence,
            "size": int(row["size"]), "share": float(row["share"]),
        })
    return personas


# -- outputs ----------------------------------------------------------------------------
def projection(features: pd.DataFrame, model: CustomerClusters,
               max_points: int = PROJECTION_POINTS) -> pd.DataFrame:
    """2-D PCA of the standardised features for a scatter chart: a fixed sample of at
    most ``max_points`` customers. Columns: customer_id, x, y, cluster, persona."""
    pick = _sample(len(features), max_points, model.random_state)
    part = features.iloc[pick]
    z = model.transform(part)
    n_comp = min(2, z.shape[1], len(z))
    xy = PCA(n_components=n_comp, random_state=model.random_state).fit_transform(z)
    if xy.shape[1] < 2:
        xy = np.column_stack([xy, np.zeros(len(xy))])
    clusters = model.predict(part)
    names = model.persona_names()
    return pd.DataFrame({
        "customer_id": part.index.to_numpy(),
        "x": xy[:, 0], "y": xy[:, 1],
        "cluster": clusters,
        "persona": [names[c] for c in clusters],
    })


def fit_clusters(tables: Tables, as_of: Any = None, k: int | None = None, window_months: int = 12,
                 random_state: int = 0, currency: str = "") -> tuple[pd.DataFrame, CustomerClusters]:
    """(features, fitted model) for a workspace; raises NotEnoughData below MIN_CUSTOMERS."""
    features = cluster_features(tables, as_of, window_months)
    model = CustomerClusters(k=k, random_state=random_state, currency=currency).fit(features)
    return features, model


def cluster_report(tables: Tables, as_of: Any = None, k: int | None = None, window_months: int = 12,
                   random_state: int = 0, max_local: int | None = None) -> dict:
    """{"k", "silhouette", "sizes", "names"} in plain JSON types, sizes and names ordered by
    cluster number. Raises NotEnoughData with fewer than MIN_CUSTOMERS buying customers.

    Up to ``max_local`` buying customers (default :data:`analysis.identify.facts.LOCAL_ROWS`)
    the feature matrix comes back whole, as :func:`fit_clusters` does. Above it, only a
    fixed sample of about ``max_local`` customers comes back (:func:`analysis.identify.facts.hash_sample`:
    the same customers on every engine); the model is fitted and the personas are written
    on it, and every customer is then assigned to the nearest centre
    (:meth:`CustomerClusters.assign`) in the engine, which also counts the sizes."""
    table, columns = feature_table(tables, as_of, window_months)
    table = materialize(table)  # counted, sampled and assigned below: computed once
    n = int(table.count().to_pyarrow().as_py())
    limit = local_limit(max_local)
    rows = to_frame(hash_sample(table, n, limit).order_by("customer_id")).set_index("customer_id")
    features = fill_features(rows, columns)
    model = CustomerClusters(k=k, random_state=random_state).fit(features)
    if n <= limit:
        sizes = [int(p["size"]) for p in model.personas_]
    else:
        sizes = engine_sizes(model, filled_table(table, features, columns))
    silhouette = model.silhouette_
    return {
        "k": int(model.k_),
        "silhouette": round(float(silhouette), 4) if math.isfinite(silhouette) else None,
        "sizes": sizes,
        "names": [str(p["name"]) for p in model.personas_],
    }


def engine_sizes(model: CustomerClusters, table) -> list[int]:
    """Customers per cluster (by cluster number) when every row of ``table`` (filled
    features, see :func:`filled_table`) is assigned in the engine."""
    counts = (model.assign(table)
              .group_by("cluster").aggregate(n=ibis._.count()).to_pandas())
    found = dict(zip(counts["cluster"].astype(int), counts["n"].astype(int)))
    return [int(found.get(c, 0)) for c in range(model.k_)]
