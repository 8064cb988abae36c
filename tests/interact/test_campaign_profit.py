"""The profit view of the demo's win-back campaign, recomputed here: revenue in the window from
the workspace's rows, the ranking by predicted uplift, by the CLV known the day before the start
and everyone alike, for the settings' contact cost and margin."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pytest

from analysis.interact.campaigns import profit
from analysis.interact.campaigns import workspace as campaigns
from analysis.scores import score_customers
from analysis.settings import ReportSettings
from analysis.store import Workspace

NAME = "Spring win-back e-mail"


def members_with_revenue(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT m.customer_id, m.arm, coalesce((SELECT sum(t.amount) FROM transactions t WHERE "
            "t.customer_id = m.customer_id AND t.date >= c.start_date AND t.date < c.start_date + INTERVAL 30 DAY), 0) "
            "AS revenue, c.start_date FROM campaign_members m JOIN campaigns c USING (campaign_id) WHERE c.name = ? "
            "ORDER BY m.row_number", [NAME]).df()


def top_profit(score, value, treated, share, population, cost, margin):
    """Contact the top ``share`` by ``score`` (among equal scores the later row first)."""
    order = sorted(range(len(score)), key=lambda i: (-score[i], -i))
    top = order[: int(len(order) * share)]
    t = [value[i] for i in top if treated[i]]
    c = [value[i] for i in top if not treated[i]]
    contacted = round(population * share)
    return contacted * (sum(t) / len(t) - sum(c) / len(c)) * margin - contacted * cost


def test_profit_by_uplift_by_clv_and_everyone(demo_db):
    settings = ReportSettings()
    cost, margin = settings.segments.cost_per_contact, settings.margin
    rows = members_with_revenue(demo_db)
    start = rows["start_date"].iloc[0].date() if hasattr(rows["start_date"].iloc[0], "date") else rows["start_date"].iloc[0]
    with Workspace(demo_db, read_only=True) as ws:
        table = profit.campaign_profit(ws, NAME, "target", cost, margin, settings)
        held_out = campaigns.uplift(ws, NAME, "target").test  # the model's predictions: the input here
        before = score_customers(ws, start - dt.timedelta(days=1), settings).frame.set_index("customer_id")["clv"]
    test_rows = held_out.index.to_numpy()
    value = rows["revenue"].astype(float).to_numpy()[test_rows]
    treated = (rows["arm"] != "control").to_numpy()[test_rows]
    assert (treated == held_out["treatment"].astype(bool).to_numpy()).all()
    clv = rows["customer_id"].map(before).astype(float).fillna(-np.inf).to_numpy()[test_rows]
    population = len(rows)
    assert list(table["contacted"]) == [round(population * s) for s in table["share"]]
    for _, r in table.iterrows():
        share = float(r["share"])
        assert r["by_uplift"] == pytest.approx(top_profit(held_out["uplift"].to_numpy(), value, treated, share,
                                                          population, cost, margin), rel=1e-9)
        assert r["by_score"] == pytest.approx(top_profit(clv, value, treated, share, population, cost, margin),
                                              rel=1e-9)
        everyone = top_profit(np.zeros(len(value)), value, treated, 1.0, population, cost, margin) / population
        assert r["random"] == pytest.approx(everyone * round(population * share), rel=1e-9)
    # Contacting everyone is the same whichever the ranking.
    last = table.iloc[-1]
    assert last["by_uplift"] == pytest.approx(last["by_score"]) == pytest.approx(last["random"])
