"""The CLV outlook in words: one plain-language sentence per customer (how often and how
lately they bought, how likely they are still active, when another purchase is an even bet)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.i18n import t, tn
from analysis.predict.prep import _unit_days


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


def _notes(scored: pd.DataFrame, unit: float, horizon_months: int) -> list[str]:
    days = pd.Series(scored["expected_next_purchase"]).to_numpy().astype("datetime64[D]")
    next_text = np.where(np.isnat(days), None, np.datetime_as_string(days, unit="D")).tolist()
    rows = zip(
        scored["frequency"].to_numpy(float).tolist(), scored["recency"].to_numpy(float).tolist(),
        scored["T"].to_numpy(float).tolist(), scored["p_alive"].to_numpy(float).tolist(), next_text,
        scored["nonpositive_spend"].to_numpy(bool).tolist(),
    )
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
    today = t("today")
    notes = []
    for x, t_x, T, p, nxt, nonpos in rows:
        if x == 0:
            ago = today if T * unit < 1 else t("{span} ago", span=_span(T * unit))
            text = t("Bought once, {ago}", ago=ago) + (one_time if p == p else one_time_unknown)
        else:
            since = (T - t_x) * unit
            last = today if since < 1 else t("{span} ago", span=_span(since))
            # the purchase cycle is said once, by the customer's median gap (the profile, the win-back)
            text = t("Bought on {days} different days, last {last}; {alive}.", days=int(x) + 1, last=last,
                     alive=_alive_words(p))
            if nonpos:
                text += nonpositive
        if isinstance(nxt, str):
            text += t(" Even chance of another purchase by {date}.", date=nxt)
        elif not p <= 0.5:  # likely active, or P(alive) unknown (NaN)
            text += not_expected
        notes.append(text)
    return notes


def clv_notes(scored: pd.DataFrame, horizon_months: int, time_unit: str = "week") -> list[str]:
    """One plain-language sentence per row of a scored frame (columns frequency, recency,
    T, p_alive, expected_next_purchase, nonpositive_spend)."""
    return _notes(scored, _unit_days(time_unit), horizon_months)
