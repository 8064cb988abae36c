"""The demo's contacts: sales contacts, visits, complaints and their resolutions, and
satisfaction surveys, numbered in time order and recorded by the region's account managers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.demo.company import _DAY, _MANAGERS, _NOTES, REGIONS
from analysis.demo.purchases import _ids, _next_weekday, _previous_weekday, _weekday

def _draw_interactions(rng, cust: dict, orders: dict, lines: dict, horizon: float, start_day):
    n = cust["n"]
    status, channel, group, trait = cust["status"], cust["channel"], cust["group"], cust["trait"]
    buyer = status == 0
    last_order = np.full(n, -1.0)
    np.maximum.at(last_order, orders["cid"], orders["day"].astype(float))
    n_orders = np.bincount(orders["cid"], minlength=n)
    lo = np.maximum(np.where(buyer, np.maximum(cust["first"] - 30, cust["signup"]), cust["signup"]), 0)
    span = np.maximum(horizon - lo, 1.0)
    years_span = span / 365.0
    parts = []

    def office_day(when: np.ndarray) -> np.ndarray:
        return _weekday(rng, start_day, np.floor(np.minimum(when, horizon)).astype(np.int64), horizon)

    # Sales contacts: Direct sales accounts are called most; persons rarely.
    contact_rate = np.select([channel == 0, channel == 2], [5.0, 2.5], 1.2)
    contact_rate = np.where(buyer, contact_rate, 2.0)
    contact_rate = np.where(group == 4, contact_rate * 4, contact_rate)
    contact_rate = np.where(status == 2, 0.0, contact_rate)
    k = rng.poisson(contact_rate * years_span)
    k = np.where(status == 1, np.maximum(k, 1), k)  # every prospect has been contacted
    who = np.repeat(np.arange(n), k)
    when = lo[who] + rng.random(who.size) * span[who]
    lapsed = buyer[who] & (when > last_order[who] + 120)
    outcomes = np.array(["interested", "not interested", "order placed", "quote sent",
                         "callback requested", "no answer"], dtype=object)
    p_active = [0.24, 0.08, 0.26, 0.14, 0.10, 0.18]
    p_cold = [0.18, 0.30, 0.0, 0.12, 0.12, 0.28]
    outcome = np.where(
        buyer[who] & ~lapsed,
        rng.choice(6, size=who.size, p=p_active),
        rng.choice(6, size=who.size, p=p_cold),
    )
    ch = rng.choice(4, size=who.size, p=[0.5, 0.3, 0.1, 0.1])  # phone, email, chat, web
    ch_names = np.array(["phone", "email", "chat", "web"], dtype=object)[ch]
    parts.append(_rows(rng, who, office_day(when), ch_names, "contact", outcomes[outcome]))

    # Visits: mostly Direct sales accounts and key accounts.
    visit_rate = np.select([group == 1, channel == 0], [4.0, 0.8], 0.05)
    visit_rate = np.where((status == 2) | cust["person"], 0.0, visit_rate)
    k = rng.poisson(visit_rate * years_span)
    who = np.repeat(np.arange(n), k)
    when = lo[who] + rng.random(who.size) * span[who]
    v_out = np.array(["interested", "order placed", "not interested", "quote sent"], dtype=object)
    outcome = v_out[rng.choice(4, size=who.size, p=[0.35, 0.35, 0.1, 0.2])]
    parts.append(_rows(rng, who, office_day(when), np.full(who.size, "visit", dtype=object),
                       "visit", outcome))

    # Complaints: dissatisfied customers complain more; falling customers in the last year;
    # about half of all refunds come with a complaint the day before.
    c_rate = 0.35 * np.exp(-0.9 * trait) * np.minimum(1 + n_orders / 20, 3)
    c_rate = np.where(group == 4, 4.0, c_rate)
    c_rate = np.where(buyer, c_rate, 0.0)
    active_end = np.where(group == 2, horizon - 365, np.minimum(horizon, last_order + 60))
    c_span = np.maximum(active_end - lo, 1.0)
    k = rng.poisson(c_rate * c_span / 365.0)
    who = np.repeat(np.arange(n), k)
    when = lo[who] + rng.random(who.size) * c_span[who]
    falling = np.flatnonzero(group == 2)
    k_fall = rng.poisson(2.0, size=falling.size)
    who_fall = np.repeat(falling, k_fall)
    when_fall = horizon - 365 + rng.random(who_fall.size) * 365
    with_refund = rng.random(lines["refund_cid"].size) < 0.5
    who_ref = lines["refund_cid"][with_refund]
    when_ref = _previous_weekday(start_day, lines["refund_day"][with_refund] - 1)
    who = np.concatenate([who, who_fall, who_ref])
    when = np.concatenate([office_day(np.concatenate([when, when_fall])), when_ref])
    # Resolution a few working days later; recent complaints are often still open.
    solved_on = _next_weekday(start_day, when + 1 + np.floor(rng.exponential(3.0, size=who.size)))
    resolved = (rng.random(who.size) < 0.96) & (solved_on <= horizon)
    resolved &= ~((horizon - when < 30) & (rng.random(who.size) < 0.5))
    # Only a customer's latest complaint stays open (a later "resolved" closes earlier ones).
    by_time = np.lexsort((when, who))
    latest = np.ones(who.size, bool)
    latest[by_time[:-1]] = who[by_time[:-1]] != who[by_time[1:]]
    resolved |= ~latest & (solved_on <= horizon)
    # An open complaint must come after every resolution of the customer's earlier ones;
    # otherwise that contact settles it too.
    settled = np.full(n, -1, dtype=np.int64)
    np.maximum.at(settled, who[resolved], solved_on[resolved])
    late = ~resolved & (settled[who] >= when)
    solved_on = np.where(late & (solved_on > horizon), settled[who],
                         np.where(late, np.maximum(solved_on, settled[who]), solved_on))
    resolved |= late
    open_outcome = np.where(rng.random(who.size) < 0.7, "open", None)
    c_outcome = np.where(resolved, "resolved", open_outcome).astype(object)
    ch = np.array(["phone", "email", "web", "chat"], dtype=object)[
        rng.choice(4, size=who.size, p=[0.45, 0.35, 0.12, 0.08])]
    complaint_rows = _rows(rng, who, when, ch, "complaint", c_outcome, note_key="")
    parts.append(complaint_rows)
    # Each resolved complaint gets its resolution contact.
    r_who, r_when = who[resolved], solved_on[resolved]
    r_ch = np.array(["phone", "email"], dtype=object)[rng.integers(2, size=r_who.size)]
    parts.append(_rows(rng, r_who, r_when, r_ch, "contact",
                       np.full(r_who.size, "resolved", dtype=object)))

    # Satisfaction surveys (1-5) for ~55% of buyers; several for some.
    n_complaints = np.bincount(who, minlength=n)
    has_survey = buyer & (rng.random(n) < 0.57)
    k = np.where(has_survey, 1 + rng.poisson(0.6, size=n), 0)
    who = np.repeat(np.arange(n), k)
    s_lo = np.minimum(cust["first"] + 14, horizon - 1)
    s_hi = np.maximum(np.minimum(horizon, last_order + 90), s_lo + 1)
    when = office_day(s_lo[who] + rng.random(who.size) * (s_hi - s_lo)[who])
    score = 3.7 + 0.8 * trait[who] - 0.25 * np.minimum(n_complaints[who], 4)
    score -= np.where((group[who] == 2) & (when >= horizon - 365), 1.4, 0.0)
    # Customers who lapse are disappointed around their last purchases.
    lapsing = (last_order[who] < horizon - 180) & (when > last_order[who] - 60)
    score -= np.where(lapsing, 0.7, 0.0)
    score += rng.normal(0.0, 0.55, size=who.size)
    score = np.clip(np.round(score), 1, 5)
    ch = np.array(["email", "web", "phone"], dtype=object)[
        rng.choice(3, size=who.size, p=[0.6, 0.3, 0.1])]
    surveys = _rows(rng, who, when, ch, "survey", np.full(who.size, None, dtype=object),
                    note_key="")
    surveys["satisfaction"] = score
    surveys["scale"] = 5.0
    parts.append(surveys)

    frame = pd.concat(parts, ignore_index=True)
    frame["recorded_by"] = _recorded_by(rng, cust, frame)
    # Office hours on the (weekday) dates drawn above; ids 1..n in time order.
    day = frame["_day"].to_numpy()
    seconds = rng.integers(8 * 3600, 18 * 3600, size=len(frame))
    stamp = (start_day + day * _DAY).astype("datetime64[s]") + seconds * np.timedelta64(1, "s")
    frame["occurred_at"] = stamp
    frame["_kind_order"] = frame["kind"].map({"complaint": 0, "contact": 1, "visit": 2, "survey": 3})
    frame = frame.sort_values(["occurred_at", "_who", "_kind_order"], kind="stable")
    frame = frame.reset_index(drop=True)
    frame["interaction_id"] = np.arange(1, len(frame) + 1, dtype=np.int64)
    frame["customer_id"] = _ids(frame["_who"].to_numpy())
    cols = ["interaction_id", "customer_id", "occurred_at", "channel", "kind", "satisfaction",
            "scale", "outcome", "note", "recorded_by"]
    return frame[cols]


def _rows(rng, who, when, channel, kind: str, outcome, note_key: str | None = None) -> pd.DataFrame:
    """Interaction rows with a note drawn from the templates for (kind, outcome)."""
    notes = np.full(who.size, None, dtype=object)
    table = _NOTES[kind]
    keys = [note_key] if note_key is not None else list(table)
    pick = rng.random(who.size)
    for key in keys:
        texts = np.array(table[key], dtype=object)
        mask = np.ones(who.size, bool) if note_key is not None else (outcome == key)
        idx = np.minimum((pick[mask] * len(texts)).astype(int), len(texts) - 1)
        notes[mask] = texts[idx]
    return pd.DataFrame({
        "_who": who.astype(np.int64),
        "_day": np.asarray(when, dtype=np.int64),
        "channel": channel,
        "kind": kind,
        "satisfaction": np.nan,
        "scale": np.nan,
        "outcome": outcome,
        "note": notes,
    })


def _recorded_by(rng, cust: dict, frame: pd.DataFrame) -> np.ndarray:
    teams = [np.array(_MANAGERS[r], dtype=object) for r in REGIONS]
    who = frame["_who"].to_numpy()
    region = cust["region"][who]
    # Each customer keeps one account manager from their region's team.
    slot = (who * 7919) % 6
    manager = np.empty(who.size, dtype=object)
    for r, team in enumerate(teams):
        mask = region == r
        manager[mask] = team[slot[mask] % len(team)]
    out = manager.copy()
    out[frame["channel"].to_numpy() == "web"] = "web form"
    out[frame["kind"].to_numpy() == "survey"] = "survey tool"
    return out
