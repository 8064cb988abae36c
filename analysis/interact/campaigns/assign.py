"""A random control group held out of a customer list, stratified so both groups look alike.

:func:`assign_control` splits a list into the customers the campaign contacts (``target``)
and a control group it leaves alone (``control``), separately inside every stratum (by
default the pyramid tier and the satisfaction-by-volume cell; a missing value is a stratum
of its own), so the two groups have the same mix of tiers and cells and a difference in
response afterwards is the campaign's doing, not the mix's.

Group sizes (Hamilton's largest-remainder rule, so they do not depend on the seed):

- the whole list holds out ``round(N x holdout)`` customers, halves rounded up;
- each stratum of ``n`` customers holds out ``floor(n x holdout)`` or one more: the strata
  with the largest remainders ``n x holdout - floor(n x holdout)`` get the extra customers
  (equal remainders: in the strata's sorted order) until the total is reached.

The share is read as the decimal it was written as (``0.29`` is 29/100, not the binary float
just below it), so sizes are exact.

Reproducible: the draw depends only on the seed and the set of (customer, stratum) pairs,
not on the order of the rows. :func:`new_seed` gives a fresh seed to store with the
campaign; the stored assignment is the record, the seed lets anyone redraw it.
"""

from __future__ import annotations

import json
import secrets
from fractions import Fraction
from typing import Sequence

import numpy as np
import pandas as pd

from analysis.errors import UserError, commas
from analysis.i18n import t

TARGET = "target"
CONTROL = "control"
DEFAULT_HOLDOUT = 0.10
DEFAULT_STRATA = ("tier", "cell")


def new_seed() -> int:
    """A fresh random seed (0 .. 2**31 - 1) to draw a control group with and store beside it."""
    return secrets.randbelow(2**31)


def _share(holdout) -> Fraction:
    try:
        value = float(holdout)
    except (TypeError, ValueError):
        value = float("nan")
    if not 0 < value < 1:
        raise UserError(t("The control group's share must be a number between 0 and 1 (for example 0.1 for "
                          "10%), not {value}.", value=holdout))
    return Fraction(repr(value))


def control_quota(sizes: Sequence[int], holdout: float) -> np.ndarray:
    """How many customers each stratum of ``sizes`` holds out (the module's rounding rule)."""
    share = _share(holdout)
    sizes = np.asarray(sizes, dtype=np.int64)
    scaled = sizes * share.numerator
    quota = scaled // share.denominator
    remainder = scaled % share.denominator
    total = (2 * int(sizes.sum()) * share.numerator + share.denominator) // (2 * share.denominator)
    extra = total - int(quota.sum())
    if extra > 0:
        # Largest remainders first; equal remainders in the strata's order (a stable sort).
        order = np.argsort(-remainder, kind="stable")[:extra]
        quota[order] += 1
    return quota


def _stratum_label(values: tuple) -> str:
    return json.dumps([None if pd.isna(v) else str(v) for v in values], ensure_ascii=False)


def assign_control(customers: pd.DataFrame, seed: int, holdout: float = DEFAULT_HOLDOUT,
                   by: Sequence[str] = DEFAULT_STRATA, id_column: str = "customer_id") -> pd.DataFrame:
    """Each customer of ``customers`` in the ``target`` or the ``control`` group.

    Returns one row per customer, in the input's order: ``customer_id``, the ``by``
    columns, ``stratum`` (the ``by`` values as a JSON list, missing ones as ``null``) and
    ``arm``. Pass ``by=()`` for a plain random split.
    """
    by = list(by)
    missing = [c for c in [id_column, *by] if c not in customers.columns]
    if missing:
        raise UserError(t("The customer list has no column {columns}; it has {available}.",
                          columns=commas(repr(c) for c in missing),
                          available=commas(repr(str(c)) for c in customers.columns)))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise UserError(t("The seed must be a whole number of 0 or more, not {value}.", value=seed))
    _share(holdout)
    if customers.empty:
        raise UserError(t("The customer list is empty: there is nobody to hold out."))
    frame = customers[[id_column, *by]].rename(columns={id_column: "customer_id"}).reset_index(drop=True)
    if frame["customer_id"].isna().any():
        raise UserError(t("The customer list has a row without a customer id (row {row}).",
                          row=int(frame.index[frame["customer_id"].isna()][0]) + 1))
    frame["customer_id"] = frame["customer_id"].astype(str)
    twice = frame["customer_id"].duplicated()
    if twice.any():
        raise UserError(t("Customer {customer} is in the list twice; a campaign lists each customer once.",
                          customer=frame.loc[twice.idxmax(), "customer_id"]))

    if by:
        # Grouped as text, so a column mixing numbers and words still sorts.
        grouped = frame[by].astype("string").groupby(by, dropna=False, sort=True)
        stratum = grouped.ngroup().to_numpy()
        keys = grouped.size().index  # in the order of ngroup()'s numbers
        labels = np.array([_stratum_label(k if isinstance(k, tuple) else (k,)) for k in keys], dtype=object)
    else:
        stratum = np.zeros(len(frame), dtype=np.int64)
        labels = np.array([_stratum_label(())], dtype=object)
    sizes = np.bincount(stratum, minlength=len(labels))
    quota = control_quota(sizes, holdout)

    # Canonical order (stratum, customer id), so the draw ignores the rows' order.
    ids = frame["customer_id"].to_numpy(dtype=object)
    canonical = np.lexsort((ids, stratum))
    keys = np.empty(len(frame))
    keys[canonical] = np.random.default_rng(int(seed)).random(len(frame))
    drawn = np.lexsort((keys, stratum))  # within each stratum, in the order of the random keys
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    rank = np.empty(len(frame), dtype=np.int64)
    rank[drawn] = np.arange(len(frame)) - starts[stratum[drawn]]
    arm = np.where(rank < quota[stratum], CONTROL, TARGET)

    frame["stratum"] = labels[stratum]
    frame["arm"] = arm
    return frame


def group_sizes(assignment: pd.DataFrame) -> pd.DataFrame:
    """Customers, target and control per stratum of an assignment (plus a total row last)."""
    counts = pd.crosstab(assignment["stratum"], assignment["arm"]).reindex(columns=[TARGET, CONTROL], fill_value=0)
    counts.insert(0, "customers", counts.sum(axis=1))
    counts.loc["total"] = counts.sum()
    return counts.rename_axis(columns=None).reset_index()
