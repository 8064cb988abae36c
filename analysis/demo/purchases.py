"""The demo's purchases: orders in time (BG/NBD purchasing and dropout, seasons, weekdays) and
their lines (categories by the customer's mix and companions, products, refunds)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.demo.company import _COMPANION, _DAY, _INDUSTRY_MIX, CATEGORIES, PRODUCTS, SEASON

def _season(start_day, day: np.ndarray) -> np.ndarray:
    dates = start_day + np.floor(day).astype(np.int64) * _DAY
    month = dates.astype("datetime64[M]").astype(np.int64) % 12
    return SEASON[month]


def _draw_orders(rng, cust: dict, horizon: float, start_day) -> dict:
    """Order times per buyer: first purchase, then repeats from a seasonal Poisson process
    thinned (Lewis & Shedler 1979), stopped by geometric drop-out after a repeat purchase."""
    buyers = np.flatnonzero(cust["status"] == 0)
    t0 = cust["first"][buyers]
    rate = cust["rate"][buyers]
    group = cust["group"][buyers]
    change_at = horizon - 365.0
    trend = np.select([group == 2, group == 3], [0.2, 2.5], 1.0)
    bound = rate * SEASON.max() * np.maximum(trend, 1.0)
    span = horizon - t0
    n_pot = rng.poisson(bound * span)
    owner = np.repeat(np.arange(len(buyers)), n_pot)
    t = t0[owner] + rng.random(owner.size) * span[owner]
    intensity = rate[owner] * _season(start_day, t) * np.where(t >= change_at, trend[owner], 1.0)
    keep = rng.random(owner.size) * bound[owner] < intensity
    owner, t = owner[keep], t[keep]
    order = np.lexsort((t, owner))
    owner, t = owner[order], t[order]
    counts = np.bincount(owner, minlength=len(buyers))
    rank = np.arange(owner.size) - np.repeat(np.cumsum(counts) - counts, counts)
    # Number of repeat purchases until drop-out: geometric(p); p = 0 never drops out.
    p = cust["dropout"][buyers]
    repeats = np.where(p > 0, rng.geometric(np.maximum(p, 1e-9)), np.iinfo(np.int64).max)
    keep = rank < repeats[owner]
    owner = np.concatenate([np.arange(len(buyers)), owner[keep]])
    t = np.concatenate([t0, t[keep]])
    cid = buyers[owner]
    day = np.floor(t).astype(np.int64)
    # B2B orders fall on weekdays; online shops and persons also buy at weekends.
    b2b = (cust["channel"][cid] != 1) & ~cust["person"][cid]
    day = np.where(b2b, _weekday(rng, start_day, day, horizon), day)
    return {"cid": cid, "day": day}


def _weekday(rng, start_day, day: np.ndarray, horizon: float) -> np.ndarray:
    """Move weekend days to a random weekday of the same (Monday-based) week, inside the window."""
    weekday = ((start_day + day * _DAY).astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    monday = day - weekday
    moved = np.where(weekday >= 5, monday + rng.integers(0, 5, size=day.size), day)
    moved = np.where(moved > horizon, monday, moved)
    return np.where(moved < 0, monday + 7, moved)


def _previous_weekday(start_day, day: np.ndarray) -> np.ndarray:
    """Move weekend days back to Friday (for complaints that precede a refund)."""
    weekday = ((start_day + day * _DAY).astype(np.int64) + 3) % 7
    return day - np.where(weekday >= 5, weekday - 4, 0)


def _next_weekday(start_day, day: np.ndarray) -> np.ndarray:
    """Move weekend days forward to Monday (for follow-ups, which must come after their cause)."""
    weekday = ((start_day + day * _DAY).astype(np.int64) + 3) % 7
    return day + np.where(weekday >= 5, 7 - weekday, 0)


def _draw_lines(rng, cust: dict, orders: dict, start_day, end_day) -> dict:
    cid, day = orders["cid"], orders["day"]
    # Order value: customer mean times Gamma(4, 1/4) noise (CV 0.5), as Gamma-Gamma assumes.
    order_value = cust["value"][cid] * rng.gamma(4.0, 0.25, size=cid.size)
    # Order ids in date order.
    o = np.lexsort((cid, day))
    cid, day, order_value = cid[o], day[o], order_value[o]
    n_orders = cid.size
    order_no = np.arange(1, n_orders + 1)
    n_lines = rng.choice(4, size=n_orders, p=[0.42, 0.31, 0.17, 0.10]) + 1
    line_order = np.repeat(np.arange(n_orders), n_lines)
    line_no = np.arange(line_order.size) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines)
    share = rng.gamma(1.5, 1.0, size=line_order.size)
    share /= np.bincount(line_order, weights=share)[line_order]
    target = order_value[line_order] * share
    lcid = cid[line_order]

    # Category: customer's own mix around the industry profile; companions co-occur.
    mix = rng.gamma(2.5 * _INDUSTRY_MIX[cust["industry"]] * len(CATEGORIES) / 2.0)
    mix = mix / mix.sum(axis=1, keepdims=True)
    category = _categorical(rng, np.log(mix[lcid] + 1e-12))
    first_cat = category[np.repeat(np.cumsum(n_lines) - n_lines, n_lines)]
    companion = (line_no > 0) & (rng.random(line_order.size) < 0.35)
    category = np.where(companion, _COMPANION[first_cat], category)

    # Product: within the category, prices near the line's target value are likelier.
    price = np.array([[p for _, p in PRODUCTS[c]] for c in CATEGORIES])
    names = np.array([[nm for nm, _ in PRODUCTS[c]] for c in CATEGORIES], dtype=object)
    logw = -0.9 * np.abs(np.log(price[category]) - np.log(target)[:, None])
    product = _categorical(rng, logw)
    unit = price[category, product]
    quantity = np.clip(np.round(target / unit), 1, 500)
    amount = np.round(quantity * unit * (1.0 - cust["discount"][lcid]), 2)
    order_ids = np.char.add("O", np.char.zfill(order_no.astype(str), 6))
    line_day = day[line_order]

    # Refunds: ~1.5% of lines (much more for below-zero customers), 3-40 days later.
    p_refund = np.where(cust["group"][lcid] == 4, 0.2, 0.013)
    src = np.flatnonzero(rng.random(line_order.size) < p_refund)
    r_day = line_day[src] + rng.integers(3, 41, size=src.size)
    horizon = int((end_day - start_day) / _DAY)
    src, r_day = src[r_day <= horizon], r_day[r_day <= horizon]
    partial = rng.random(src.size) < 0.3
    r_qty = np.where(partial, np.maximum(1, np.floor(quantity[src] / 2)), quantity[src])
    r_amount = -np.round(amount[src] * r_qty / quantity[src], 2)

    all_order = np.concatenate([line_order, line_order[src]])
    all_day = np.concatenate([line_day, r_day])
    all_line = np.concatenate([line_no, line_no[src] + 10])
    sort = np.lexsort((all_line, all_order, all_day))
    all_cat = np.concatenate([category, category[src]])
    all_prod = np.concatenate([product, product[src]])
    frame = pd.DataFrame({
        "order_id": order_ids[all_order[sort]],
        "customer_id": _ids(cid[all_order[sort]]),
        "date": (start_day + all_day[sort] * _DAY).astype("datetime64[s]"),
        "amount": np.concatenate([amount, r_amount])[sort],
        "quantity": np.concatenate([quantity, -r_qty])[sort],
        "product": names[all_cat[sort], all_prod[sort]],
        "category": np.array(CATEGORIES, dtype=object)[all_cat[sort]],
    })
    # Best 12-month spend per customer (wallet estimates are never below it).
    year = (line_day // 365).astype(np.int64)
    spend = np.zeros((len(cust["value"]), int(year.max(initial=0)) + 1))
    np.add.at(spend, (lcid, year), amount)
    return {
        "frame": frame,
        "annual_spend": spend.max(axis=1),
        "refund_cid": cid[line_order[src]],
        "refund_day": r_day,
    }


def _categorical(rng, logw: np.ndarray) -> np.ndarray:
    """One draw per row from unnormalised log-weights (Gumbel-max trick)."""
    return np.argmax(logw + rng.gumbel(size=logw.shape), axis=1)


def _ids(index: np.ndarray) -> np.ndarray:
    """Customer ids "C00001", ... for 0-based customer numbers."""
    table = np.array([f"C{i:05d}" for i in range(1, int(index.max(initial=0)) + 2)], dtype=object)
    return table[index]
