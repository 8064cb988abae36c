"""The CLV outlook in words: one plain-language sentence per customer (how often and how
lately they bought, how likely they are still active, when another purchase is an even bet)."""

from __future__ import annotations

import string

import numpy as np
import pandas as pd

from analysis.i18n import N_, lookup, t, tn
from analysis.predict.prep import _unit_days

# The sentences filled column-wise (:func:`_each`), in the current language at the call.
ONCE = N_("Bought once, {ago}")
AGAIN = N_("Bought on {days} different days, last {last}; {alive}.")
EVEN_CHANCE = N_(" Even chance of another purchase by {date}.")


def _span(days: float) -> str:
    days = float(days)
    if days < 1:
        return t("today")
    if days < 14:
        n = int(round(days))
        return tn("{n} day", "{n} days", n)
    if days < 730:
        return t("{n} weeks", n=int(round(days / 7)))
    return t("{years:.1f} years", years=days / 365.25)


def _alive_words(p: float) -> str:
    if p != p:  # NaN: a model without dropout (analysis.predict.choose)
        return t("treated as active: nobody in this history looks lapsed yet")
    if p >= 0.8:
        return t("very likely still active ({p:.0%} chance)", p=p)
    if p >= 0.5:
        return t("probably still active ({p:.0%} chance)", p=p)
    if p >= 0.2:
        return t("may have lapsed (only {p:.0%} chance they are still active)", p=p)
    return t("probably lapsed (only {p:.0%} chance they are still active)", p=p)


def _each(template: str, **columns: np.ndarray) -> np.ndarray:
    """``template.format(**row)`` for every row of ``columns`` (an object array of texts).
    Each field is formatted once per distinct value and the texts are joined column-wise
    in the template's order, so a million customers' notes take a fraction of a second
    instead of a Python loop over them; the texts are those of ``str.format``."""
    n = len(next(iter(columns.values())))
    out = np.full(n, "", dtype=object)
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if literal:
            out = out + literal
        if name is not None:
            codes, distinct = pd.factorize(pd.Series(columns[name], dtype=object), use_na_sentinel=False)
            field = "{0" + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            out = out + np.array([field.format(v) for v in distinct], dtype=object)[codes]
    return out


def _per_distinct(fn, values: np.ndarray) -> np.ndarray:
    """``fn(v)`` for every value (an object array), calling ``fn`` once per distinct value."""
    codes, distinct = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    return np.array([fn(v) for v in distinct], dtype=object)[codes]


def _ago(days: float) -> str:
    return t("today") if days < 1 else t("{span} ago", span=_span(days))


def _alive_texts(p: np.ndarray) -> np.ndarray:
    """:func:`_alive_words` of every P(alive). The words depend only on the band and the
    whole percent (``{p:.0%}`` rounds p x 100 half to even, as ``np.rint`` does), so they are
    written once per band and percent, from the first P(alive) that has them."""
    missing = np.isnan(p)
    band = np.select([missing, p >= 0.8, p >= 0.5, p >= 0.2], [0, 1, 2, 3], 4)
    percent = np.where(missing, 0, np.rint(np.where(missing, 0, p) * 100)).astype(np.int64)
    codes, _ = pd.factorize(band * 1000 + percent)
    first = np.unique(codes, return_index=True)[1]
    return np.array([_alive_words(v) for v in p[first].tolist()], dtype=object)[codes]


def _notes(scored: pd.DataFrame, unit: float, horizon_months: int) -> list[str]:
    n = len(scored)
    if n == 0:
        return []
    days = pd.Series(scored["expected_next_purchase"]).to_numpy().astype("datetime64[D]")
    next_text = np.where(np.isnat(days), None, np.datetime_as_string(days, unit="D"))
    x = scored["frequency"].to_numpy(float)
    t_x = scored["recency"].to_numpy(float)
    T = scored["T"].to_numpy(float)
    p = scored["p_alive"].to_numpy(float)
    nonpos = scored["nonpositive_spend"].to_numpy(bool)
    one_time = t(
        "; the model cannot tell yet whether they will return: it assumes a customer is "
        "alive until they have a repeat purchase to go by, so P(alive) is 100% by "
        "construction. Spend per purchase is the average customer's."
    )
    nonpositive = t(
        " Their repeat purchases net to zero or less (refunds or free items), so the "
        "average customer's spend per purchase is used for the value."
    )
    one_time_unknown = t("; nobody in this history looks lapsed, so they are treated as active. Spend per "
                         "purchase is the average customer's.")
    not_expected = t(" Not expected to buy again within the next {months} months.", months=horizon_months)
    once = x == 0
    # bought once: how long ago, and whether P(alive) is known
    ago = _per_distinct(_ago, (T * unit).astype(object))
    once_text = _each(lookup(ONCE), ago=ago) + np.where(np.isnan(p), one_time_unknown, one_time)
    # bought again: on how many days, the last one how long ago, how likely still active
    last = _per_distinct(_ago, ((T - t_x) * unit).astype(object))
    again_text = _each(lookup(AGAIN),
                       days=(x.astype(np.int64) + 1).astype(object), last=last, alive=_alive_texts(p))
    again_text = again_text + np.where(nonpos, nonpositive, "")
    text = np.where(once, once_text, again_text)
    has_next = np.array([isinstance(v, str) for v in next_text.tolist()], dtype=bool)
    chance = _each(lookup(EVEN_CHANCE), date=np.where(has_next, next_text, ""))
    tail = np.where(has_next, chance, np.where(~(p <= 0.5), not_expected, ""))
    return (text + tail).tolist()


def clv_notes(scored: pd.DataFrame, horizon_months: int, time_unit: str = "week") -> list[str]:
    """One plain-language sentence per row of a scored frame (columns frequency, recency,
    T, p_alive, expected_next_purchase, nonpositive_spend)."""
    return _notes(scored, _unit_days(time_unit), horizon_months)
