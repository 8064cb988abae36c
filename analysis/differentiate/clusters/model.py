"""The clustering estimator (:class:`CustomerClusters`, scikit-learn shaped): signed log1p
on the skewed columns, standardisation, k-means; k is chosen by the mean silhouette
(:func:`silhouettes`). Fitting also writes the personas (:mod:`.personas`)."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from analysis.differentiate.clusters.features import MIN_CUSTOMERS
from analysis.differentiate.clusters.personas import make_personas
from analysis.errors import NotEnoughData
from analysis.i18n import t

# Columns shrunk by a signed log1p before scaling: counts, days and money are right-skewed.
LOG_COLUMNS = ("recency_days", "frequency", "monetary", "avg_order_value", "tenure_days")


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


