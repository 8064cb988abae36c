"""Peer groups for the wallet estimate: who "customers like this one" are, how many of them
the fit had, and what they share, both in NumPy (:meth:`PeerGroups.groups`) and as an engine
expression (:meth:`PeerGroups.columns`, the same figures on DuckDB and Spark).

A peer group is the customers of the fit who share a customer's attributes, in the order
given (categories equal, numbers in the same quarter of the fit's values), dropping
attributes from the end until at least ``min_peers`` remain: the "214 similar customers
(Healthcare, East, 5-20 employees)" of issue 18. Its ``quantile`` of y is the plain peer
benchmark (``model="peers"`` of :class:`analysis.differentiate.wallet_model.WalletEstimator`),
the lookup-table form of Perlich et al. (2007)'s quantile k-nearest-neighbours.

In the engine a group is found by one left join per attribute against the (small) table of
the groups with at least ``min_peers`` customers: a group that large has every coarser group
of its customers at least as large, so the deepest group found is the customer's.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd


class PeerGroups:
    """Peer groups over ``columns`` (in that order), fitted on ``X`` and ``y``.

    ``fit(X, y, numbers)``: ``numbers`` names the numeric columns (cut into ``bands``
    quantile bands of the fit's values); the others are categories. Learned: ``categories_``
    (most frequent first), ``bands_`` (band edges), ``band_ranges_`` (each band's lowest
    and highest value in the fit), ``levels_`` (per level L = 0..p, the groups on the first
    L attributes: sorted keys, counts, ``quantile`` of y, a row of the fit in each group)."""

    def __init__(self, columns: list, quantile: float = 0.9, min_peers: int = 30, bands: int = 4):
        self.columns = list(columns)
        self.quantile = quantile
        self.min_peers = min_peers
        self.bands = bands

    def fit(self, X: pd.DataFrame, y: np.ndarray, numbers) -> "PeerGroups":
        self.categories_, self.bands_, self.band_ranges_ = {}, {}, {}
        for c in self.columns:
            if c in numbers:
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
                counts = values_of(X[c]).value_counts(dropna=True)
                # most frequent first, ties by value: the same order every run
                order = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
                self.categories_[c] = [v for v, _ in order]
        # The groups themselves are counted when first asked for: a boosted model's
        # cross-validation folds need only the categories and bands above (its design), and
        # counting every level took a quarter of each fold's time.
        self._fit_rows = (X, np.asarray(y))
        self._levels = None
        return self

    @property
    def fit_codes_(self) -> np.ndarray:
        """:meth:`codes` of the rows the groups were fitted on."""
        self._count_levels()
        return self._levels[0]

    @property
    def levels_(self) -> list:
        """Per level L = 0..p, the groups on the first L attributes (see the class)."""
        self._count_levels()
        return self._levels[1]

    def _count_levels(self) -> None:
        if self._levels is None:
            X, y = self._fit_rows
            codes = self.codes(X)
            levels = _peer_levels(codes, [self._cardinality(j) for j in range(len(self.columns))], y,
                                  float(self.quantile))
            self._levels, self._fit_rows = (codes, levels), None

    # -- in NumPy -------------------------------------------------------------------------------
    def codes(self, X: pd.DataFrame) -> np.ndarray:
        """One small integer per attribute and row: the category's place (missing and
        unseen values get places of their own) or the number's band (missing: its own)."""
        codes = np.zeros((len(X), len(self.columns)), dtype=np.int64)
        for j, c in enumerate(self.columns):
            column = X[c] if c in X else pd.Series(np.nan, index=X.index)
            if c in self.bands_:
                values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
                band = np.searchsorted(self.bands_[c], values, side="right")
                codes[:, j] = np.where(np.isfinite(values), band, len(self.bands_[c]) + 1)
            else:
                known = self.categories_[c]
                text = values_of(column)
                place = pd.Categorical(text, categories=known).codes.astype(np.int64)
                codes[:, j] = np.where(text.isna(), len(known), np.where(place < 0, len(known) + 1, place))
        return codes

    def values(self, X: pd.DataFrame) -> np.ndarray:
        """The ``quantile`` of y in each row's peer group (NaN when the fit had no rows)."""
        if not len(self.fit_codes_):
            return np.full(len(X), np.nan)
        depth, cell = self._cells(self.codes(X))
        out = np.empty(len(X))
        for level, (_, _, values, _) in enumerate(self.levels_):
            at = depth == level
            out[at] = values[cell[at]]
        return out

    def groups(self, X: pd.DataFrame) -> pd.DataFrame:
        """Per row of X (same index): ``peers``, how many customers of the fit form its peer
        group, and ``peer_group``, what they share: ``{attribute: value}`` for categories
        (None = not given) and ``{attribute: [lowest, highest]}`` (the peers' range; None =
        not given) for numbers, in attribute order; ``{}`` when the group is everyone."""
        codes = self.codes(X)
        depth, cell = self._cells(codes)
        peers = np.zeros(len(X), dtype=np.int64)
        for level, (_, counts, _, _) in enumerate(self.levels_):
            at = depth == level
            peers[at] = counts[cell[at]]
        # One description per group, shared by its members (a group fixes the codes it is on).
        group_key = depth * (cell.max(initial=0) + 1) + cell
        _, first, inverse = np.unique(group_key, return_index=True, return_inverse=True)
        described = [self.describe(codes[i, :depth[i]]) for i in first]
        groups = [described[k] for k in inverse.ravel()]
        return pd.DataFrame({"peers": peers, "peer_group": groups}, index=X.index)

    def describe(self, codes: np.ndarray) -> dict:
        """What a group on these leading codes shares (see :meth:`groups`)."""
        group = {}
        for j, code in enumerate(codes):
            c = self.columns[j]
            if c in self.bands_:
                ranges = self.band_ranges_[c]
                group[c] = list(ranges[code]) if code < len(ranges) and ranges[code] else None
            else:
                known = self.categories_[c]
                group[c] = known[code] if code < len(known) else None
        return group

    # -- in the engine ----------------------------------------------------------------------
    def columns_expr(self, table):
        """``table`` (an Ibis table holding the attribute columns, on DuckDB or Spark) with
        ``_peers`` (as :meth:`groups`' ``peers``), ``_peer_group`` (its description as JSON
        text, as :func:`group_json` writes it) and ``_peer_value`` (as :meth:`values`)."""
        import ibis

        codes = [self._code_expr(table, j) for j in range(len(self.columns))]
        keys, key = [], None
        for code in codes:
            key = code.cast("string") if key is None else key.concat(",", code.cast("string"))
            keys.append(key)
        t = table.mutate(**{f"_peer_key{j + 1}": k for j, k in enumerate(keys)})
        groups = self.big_groups()
        found = []
        for level in range(1, len(self.columns) + 1):
            part = groups[groups["level"] == level]
            if part.empty:
                break
            names = {f"_peer_key{level}": "key", f"_peers{level}": "peers", f"_group{level}": "group",
                     f"_value{level}": "value"}
            lookup = ibis.memtable(part[list(names.values())].rename(columns={v: k for k, v in names.items()}),
                                   schema={f"_peer_key{level}": "string", f"_peers{level}": "int64",
                                           f"_group{level}": "string", f"_value{level}": "float64"})
            t = t.left_join(lookup, f"_peer_key{level}").drop(f"_peer_key{level}_right")
            found.append(level)
        top = groups[groups["level"] == 0].iloc[0]
        deepest = list(reversed(found))
        return t.mutate(
            _peers=ibis.coalesce(*[t[f"_peers{L}"] for L in deepest], ibis.literal(int(top["peers"]), "int64")),
            _peer_group=ibis.coalesce(*[t[f"_group{L}"] for L in deepest], ibis.literal(top["group"], "string")),
            _peer_value=ibis.coalesce(*[t[f"_value{L}"] for L in deepest],
                                      double(top["value"]) if np.isfinite(top["value"]) else ibis.null("float64")),
        ).drop(*[f"_peer_key{j + 1}" for j in range(len(self.columns))],
               *[f"_{what}{L}" for L in found for what in ("peers", "group", "value")])

    def big_groups(self) -> pd.DataFrame:
        """Every group with at least ``min_peers`` customers of the fit (and everyone, level
        0): level, key (its leading codes joined by commas, as :meth:`columns_expr` builds
        it in the engine), peers, group (JSON), value."""
        _, counts, values, _ = self.levels_[0]
        rows = [{"level": 0, "key": "", "peers": int(counts[0]), "group": group_json({}),
                 "value": float(values[0])}]
        codes = self.fit_codes_
        for level in range(1, len(self.levels_)):
            keys, counts, values, first = self.levels_[level]
            if not len(keys):
                break
            big = counts >= int(self.min_peers)
            if not big.any():
                break
            for k in np.flatnonzero(big):
                row = codes[first[k], :level]
                rows.append({"level": level, "key": ",".join(str(int(v)) for v in row), "peers": int(counts[k]),
                             "group": group_json(self.describe(row)), "value": float(values[k])})
        return pd.DataFrame(rows)

    def _code_expr(self, table, j: int):
        import ibis

        c = self.columns[j]
        if c in self.bands_:
            x = table[c].cast("float64")
            edges = self.bands_[c]
            band = sum((ibis.ifelse(x >= double(e), 1, 0) for e in edges), ibis.literal(0, "int64"))
            return ibis.ifelse(x.isnull() | x.isnan(), len(edges) + 1, band).cast("int64")
        known = self.categories_[c]
        x = table[c].cast("string")
        place = x.substitute({str(v): k for k, v in enumerate(known)}, else_=len(known) + 1)
        return ibis.ifelse(x.isnull(), len(known), place).cast("int64")

    # -- internals -------------------------------------------------------------------------
    def _cardinality(self, j: int) -> int:
        c = self.columns[j]
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
            keys, counts, _, _ = self.levels_[level]
            if not len(keys):
                break
            key = parent * self._cardinality(level - 1) + codes[:, level - 1]
            pos = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
            alive &= keys[pos] == key
            big = alive & (counts[pos] >= int(self.min_peers))
            depth[big], cell[big] = level, pos[big]
            parent = np.where(alive, pos, 0)
        return depth, cell


def double(value):
    """A float as an engine literal of type double, digit for digit: Spark SQL reads a plain
    ``0.25`` as a DECIMAL, and sums of decimals lose digits, so the value goes as text cast
    to double (folded once by the engine)."""
    import ibis

    return ibis.literal(repr(float(value))).cast("float64")


def group_json(group: dict | None) -> str | None:
    """A peer group's description as the JSON text stored with the scores."""
    return None if group is None else json.dumps(group, ensure_ascii=False, sort_keys=False)


def values_of(column: pd.Series) -> pd.Series:
    """A categorical attribute's values as Python objects, missing values as None (text
    columns of any dtype convert once; object columns stay as they are)."""
    if column.dtype != object:
        column = column.astype(object)
    return column.where(column.notna(), None)


def _peer_levels(codes: np.ndarray, cards: list[int], y: np.ndarray, quantile: float) -> list:
    """Per level L = 0..p (groups on the first L attributes): (keys, counts, q-quantile of
    y, a row of the group) of every group that has customers, keys sorted; a key is the parent group's number
    times the attribute's cardinality (``cards``) plus the attribute's code, so keys stay
    small."""
    n, p = codes.shape
    levels = [(np.zeros(1, dtype=np.int64), np.array([n]), _group_quantile(np.zeros(n, dtype=np.int64), y, 1, quantile),
               np.zeros(1, dtype=np.int64))]
    parent = np.zeros(n, dtype=np.int64)
    for j in range(p):
        key = parent * cards[j] + codes[:, j]
        keys, first, inverse, counts = np.unique(key, return_index=True, return_inverse=True, return_counts=True)
        levels.append((keys, counts, _group_quantile(inverse, y, len(keys), quantile), first))
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
