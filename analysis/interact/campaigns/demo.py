"""The demo company's past campaigns: two lists drawn with a control group on the same day,
one that worked and one that did not, so the Campaigns page, ``campaign measure`` and the
Workshop have something true to say.

Both start on :data:`START` and are made the way a user makes one (the Actions filters on
the facts of the day before, a stratified control group, the seed stored). Their responses
are not stored: they are purchases, as for any campaign made in the app.

- "Spring win-back e-mail" (customers with a win-back suggestion): each contacted customer
  comes back with probability :data:`WIN_BACK_EFFECT` within the window, on top of whatever
  the demo's customers buy anyway (one purchase line like one of their earlier ones); the
  control group buys as it would have. Measured, it works.
- "Spring catalogue e-mail" (the medium tier, carrying the cross-sell offer): no effect at
  all; measured, the interval includes zero, so the action plan lowers the cross-sell
  suggestions' priority (:mod:`analysis.customize.learned`).

Deterministic: the draws depend only on the demo's seed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analysis.store.campaigns import last_order_number

START = dt.date(2026, 3, 2)
WINDOW_DAYS = 30
WIN_BACK_EFFECT = 0.15
CAMPAIGNS = (
    # name, filters, action, channel, effect
    ("Spring win-back e-mail", {"action": ["win_back"]}, "win_back", "email", WIN_BACK_EFFECT),
    ("Spring catalogue e-mail", {"tier": ["medium"]}, "cross_sell", "email", 0.0),
)


def add_demo_campaigns(ws, seed: int) -> int:
    """Store the demo's past campaigns in ``ws`` (which holds the demo's data and nothing
    after :data:`START`'s window is simulated yet) and the purchases the first one brought.
    Returns the number of purchase lines added."""
    from analysis.customize.plan import all_actions
    from analysis.interact.campaigns.workspace import create_campaign, target_list, with_facts
    from analysis.scores import score_customers

    data = ws.tables()
    span = data.transactions.date
    first, last = (pd.Timestamp(v).date() for v in
                   data.transactions.aggregate(a=span.min(), b=span.max()).to_pandas().iloc[0])
    as_of = START - dt.timedelta(days=1)
    if not (first < as_of and START + dt.timedelta(days=WINDOW_DAYS) <= last):
        return 0  # a demo too short for a campaign in its past
    scores = score_customers(data, as_of)  # on the tables: not stored, the data changes below
    suggested = all_actions(data, as_of, scores=scores)
    rng = np.random.default_rng([seed, 16])
    added = []
    for number, (name, filters, action, channel, effect) in enumerate(CAMPAIGNS):
        frame = scores.frame
        if "action" in filters:  # the customers with this suggestion, as the Actions filter lists them
            chosen = suggested["action"].isin(filters["action"])
            frame = frame[frame["customer_id"].isin(suggested.loc[chosen, "customer_id"])]
        for column, values in filters.items():
            if column != "action":
                frame = frame[frame[column].isin(values)]
        listed = with_facts(frame[["customer_id"]], scores.frame)
        if len(listed) < 20:
            continue
        made = create_campaign(ws, name, listed, START, holdout=0.1, seed=int(seed + number) % 2**31,
                               action=action, channel=channel, window_days=WINDOW_DAYS, filters=filters)
        if effect:
            targeted = target_list(ws, made["name"])["customer_id"]
            moved = targeted[rng.random(len(targeted)) < effect]
            added.append(_purchases(ws, rng, moved))
    if not added:
        return 0
    lines = pd.concat(added, ignore_index=True)
    start = last_order_number(ws, "O")
    lines["order_id"] = [f"O{start + i + 1:06d}" for i in range(len(lines))]
    with ws.transaction() as cur:
        ws.append(cur, "transactions", lines)
    return len(lines)


def _purchases(ws, rng: np.random.Generator, customers: pd.Series) -> pd.DataFrame:
    """One purchase line per customer in the window, like one of their earlier lines."""
    from analysis.store import to_frame

    t = ws.tables().transactions
    earlier = to_frame(t.filter(t.customer_id.isin(list(customers)) & (t.amount > 0) & (t.date < START))
                       .select("customer_id", "amount", "quantity", "product", "category"))
    earlier = earlier.sort_values(["customer_id", "product", "amount"], kind="stable").reset_index(drop=True)
    pick = earlier.groupby("customer_id").sample(n=1, random_state=rng.integers(2**31)).sort_values("customer_id")
    day = pd.Timestamp(START) + pd.to_timedelta(rng.integers(0, WINDOW_DAYS - 3, len(pick)), unit="D")
    weekend = day.dayofweek.to_numpy() >= 5
    day = day + pd.to_timedelta(np.where(weekend, 7 - day.dayofweek.to_numpy(), 0), unit="D")
    return pick.assign(date=day.date).reset_index(drop=True)
