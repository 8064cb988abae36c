"""The demo's customers: who buys, how much and how often, their wallets and satisfaction, and
the customer list with names, contacts and regions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.demo.company import (
    _CORES, _DAY, _FIRST, _LAST, _PREFIXES, _SUFFIXES, _TOWNS, AREA_CODES, CHANNELS, INDUSTRIES, INDUSTRY_WEIGHTS, REGION_WEIGHTS,
    REGIONS,
)
from analysis.demo.purchases import _ids

def _draw_customers(rng: np.random.Generator, n: int, horizon: float) -> dict:
    status = rng.choice(3, size=n, p=[0.86, 0.10, 0.04])  # 0 buyer, 1 prospect, 2 suspect
    person = rng.random(n) < 0.10
    industry = rng.choice(len(INDUSTRIES), size=n, p=INDUSTRY_WEIGHTS)
    industry[person] = len(INDUSTRIES)  # the "private persons" profile row
    region = rng.choice(len(REGIONS), size=n, p=REGION_WEIGHTS)
    channel = np.where(
        person,
        rng.choice(3, size=n, p=[0.0, 0.9, 0.1]),
        rng.choice(3, size=n, p=[0.35, 0.4, 0.25]),
    )
    # Latent satisfaction trait (standard normal): drives drop-out, complaints and surveys.
    trait = rng.standard_normal(n)

    # BG/NBD: purchase rate lambda ~ Gamma(r, alpha) per day, drop-out p ~ Beta(a, b).
    rate = rng.gamma(0.9, 1.0 / 30.0, size=n)  # mean ~11 purchases a year
    rate *= np.select([channel == 0, channel == 1], [1.3, 0.9], 1.0)
    dropout = rng.beta(0.9, 9.0, size=n) * np.exp(-0.8 * trait)
    # Customer-level mean order value (log-normal): channel and persons shift it.
    value = np.exp(rng.normal(np.log(170.0), 0.95, size=n))
    value *= np.select([channel == 0, channel == 1], [1.8, 0.75], 1.0)
    value[person] *= 0.35
    discount = np.where(channel == 0, rng.uniform(0.0, 0.12, size=n), 0.0)

    buyer = status == 0
    idx_b = np.flatnonzero(buyer)
    group = np.zeros(n, dtype=np.int8)  # 0 normal, 1 key account, 2 falling, 3 rising, 4 below zero
    n_key = max(3, n // 750)
    companies_b = idx_b[~person[idx_b]]
    key = rng.choice(companies_b, size=n_key, replace=False)
    group[key] = 1
    channel[key] = 0
    industry[key] = rng.choice([1, 2, 4, 7], size=n_key)
    value[key] = np.exp(rng.normal(np.log(1500.0), 0.3, size=n_key))
    rate[key] = rng.uniform(0.12, 0.25, size=n_key)
    dropout[key] = 0.0
    trait[key] = rng.normal(0.2, 0.8, size=n_key)
    # Loyal customers with a visible rate, whose behaviour changes in the last 12 months.
    pool = idx_b[(group[idx_b] == 0) & (rate[idx_b] > np.median(rate[idx_b]))]
    n_change = max(2, int(0.03 * len(idx_b)))
    changed = rng.choice(pool, size=2 * n_change, replace=False)
    falling, rising = changed[:n_change], changed[n_change:]
    group[falling], group[rising] = 2, 3
    dropout[changed] = 0.0
    trait[falling] = np.minimum(trait[falling], rng.normal(0.3, 0.6, size=n_change))
    rest = idx_b[(group[idx_b] == 0) & ~person[idx_b]]
    below = rng.choice(rest, size=max(3, int(0.01 * len(idx_b))), replace=False)
    group[below] = 4
    value[below] *= 0.3
    trait[below] = rng.normal(-1.6, 0.4, size=len(below))
    dropout[below] = 0.02
    dropout = np.clip(dropout, 0.0, 0.9)

    # Signup and first purchase (day numbers from the window start; negative = before it).
    existing = rng.random(n) < 0.5
    existing[key] = True
    existing[changed] = True
    signup = np.where(
        existing,
        -rng.uniform(0, 6 * 365, size=n),
        rng.uniform(0, horizon - 30, size=n) ** 0.9 * (horizon - 30) ** 0.1,
    )
    first = np.where(
        existing,
        rng.uniform(0, 75, size=n),
        signup + np.minimum(rng.exponential(20.0, size=n), horizon - signup - 1),
    )
    first = np.minimum(first, horizon - 1)
    return dict(
        n=n, status=status, person=person, industry=industry, region=region, channel=channel,
        trait=trait, rate=rate, dropout=dropout, value=value, discount=discount, group=group,
        signup=signup, first=first,
    )


def _customer_frame(rng, cust: dict, annual_spend: np.ndarray, start_day) -> pd.DataFrame:
    n = cust["n"]
    ids = _ids(np.arange(n))
    person = cust["person"]
    industry = cust["industry"]
    # Company names: prefix + industry word + legal suffix; persons: first + last name.
    prefix = np.array(_PREFIXES)[rng.integers(len(_PREFIXES), size=n)]
    core_idx = rng.integers(8, size=n)
    core = np.array([_CORES[ind] for ind in INDUSTRIES] + [[""] * 8])[industry, core_idx]
    suffix = np.array(_SUFFIXES)[rng.integers(len(_SUFFIXES), size=n)]
    town = np.array(_TOWNS)[rng.integers(len(_TOWNS), size=n)]
    first = np.array(_FIRST)[rng.integers(len(_FIRST), size=n)]
    last = np.array(_LAST)[rng.integers(len(_LAST), size=n)]
    names = pd.Series(prefix, dtype=object) + " " + core
    names = names.where(suffix == "", names + " " + suffix)
    persons = pd.Series(first, dtype=object) + " " + last
    names = names.where(~person, persons)
    # Repeated names get a town, then a number, so every name is unique.
    dup = names.duplicated()
    names = names.where(~dup, names + " (" + town + ")")
    dup = names.duplicated()
    names = names.where(~dup, names + " " + names.groupby(names).cumcount().add(1).astype(str))

    slug = (
        names.str.lower()
        .str.replace(r"\b(ltd|inc|llc|group|co|sons|partners)\b", "", regex=True)
        .str.replace(r"[^a-z0-9]+", "", regex=True)
    )
    local = np.array(["orders", "purchasing", "info", "accounts", "office"])[rng.integers(5, size=n)]
    email = pd.Series(local, dtype=object) + "@" + slug + ".example.com"
    person_mail = (
        _ascii(pd.Series(first, dtype=object)) + "." + _ascii(pd.Series(last, dtype=object))
        + np.arange(1, n + 1).astype(str) + "@example.com"
    )
    email = email.where(~person, person_mail)
    suspect = cust["status"] == 2
    email = email.where(rng.random(n) >= np.where(suspect, 0.5, 0.06), None)
    region_names = np.array(REGIONS)[cust["region"]]
    area = pd.Series(region_names).map(AREA_CODES).astype(str)
    phone = "+1 " + area + " 555 01" + pd.Series(np.char.zfill(rng.integers(100, size=n).astype(str), 2))
    phone = phone.where(rng.random(n) >= np.where(suspect, 0.4, 0.1), None)

    signup = start_day + np.floor(cust["signup"]).astype(int) * _DAY
    # Wallet: estimated annual spend potential for ~40% of customers (more often for big ones).
    expected = cust["rate"] * 365.0 * cust["value"]
    share = rng.beta(1.3, 2.2, size=n).clip(0.03, 0.98)
    has_wallet = rng.random(n) < np.where(cust["channel"] == 0, 0.6, 0.3)
    has_wallet[cust["group"] == 1] = True
    has_wallet[cust["status"] == 2] = False
    wallet = np.where(cust["status"] == 0, expected / share, np.exp(rng.normal(np.log(8000), 1.0, size=n)))
    wallet = np.maximum(wallet, 1.1 * annual_spend)  # never below what they already spend
    wallet = np.maximum(500.0, np.round(wallet / 500.0) * 500.0)
    return pd.DataFrame({
        "customer_id": ids,
        "name": names.to_numpy(dtype=object),
        "region": region_names,
        "industry": np.array(INDUSTRIES + [None], dtype=object)[industry],
        "channel": np.array(CHANNELS)[cust["channel"]],
        "signup_date": signup.astype("datetime64[s]"),
        "wallet": np.where(has_wallet, wallet, np.nan),
        "email": email.to_numpy(dtype=object),
        "phone": phone.to_numpy(dtype=object),
    })


def _ascii(names: pd.Series) -> pd.Series:
    """Lower-case ASCII letters only ("Müller" -> "muller", "O'Connor" -> "oconnor")."""
    plain = names.str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
    return plain.str.lower().str.replace(r"[^a-z]+", "", regex=True)
