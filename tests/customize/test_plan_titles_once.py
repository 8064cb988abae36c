"""A manager opens the Action plan page of a workspace whose scores are stored: the pickers,
the titles and the counts need every suggestion's title, not its reason. Each distinct title
is written once (a million rows share a few hundred titles: "Win back", "Offer tea"), and
the counts per action and title equal those of the whole plan with every row's text written
one by one, and the whole export's reasons equal those written for each customer alone."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analysis import scores as scoring
from analysis.customize import plan, writing
from analysis.customize.plan import all_actions, customer_actions, plan_rows, plan_summary
from analysis.store import Workspace
from tests.builders import row_counts


def test_titles_are_written_once_each_and_count_as_the_rows_written_one_by_one(demo_copy, monkeypatch):
    with Workspace(demo_copy) as ws:  # the app opened once: scores stored
        as_of = scoring.score_customers(ws).as_of
        whole = all_actions(ws, as_of)  # every row's title and reason written
        written = row_counts(monkeypatch, writing, "write")
        titled = plan_rows(ws, as_of).titled()
    distinct = whole[["action", "title"]].drop_duplicates()
    assert len(titled) == len(whole) > 1000
    # one row written per distinct title (a few per action), not one per suggestion; a rule
    # whose figures come from a function (the satisfaction call-back's "within {due_days}
    # days") has each row's title written
    one_each = whole[["action", "kind", "due", "title"]].drop_duplicates()
    assert 0 < sum(written) <= len(one_each) + int((whole["action"] == "satisfaction_callback").sum())
    assert sum(written) < len(whole) / 5
    assert titled["title"].tolist() == whole["title"].tolist()
    assert len(distinct) > len(distinct["action"].unique())  # "Offer <category>": several per action
    expected = whole.groupby(["action", "title"]).agg(customers=("customer_id", "nunique"), rows=("action", "size"))
    counts = plan_summary(titled)["counts"].set_index(["action", "title"]).sort_index()
    assert counts["customers"].to_dict() == expected["customers"].to_dict()
    assert plan_summary(titled)["actions"] == int(expected["rows"].sum())


def test_the_whole_export_writes_the_reasons_each_customer_gets_alone(demo_copy):
    day = dt.date(2025, 12, 31)
    with Workspace(demo_copy) as ws:
        scoring.score_customers(ws, day)
        whole = all_actions(ws, day)
        sample = whole.drop_duplicates("action")["customer_id"].tolist()
        sample += whole["customer_id"].drop_duplicates().sample(40, random_state=3).tolist()
        for cid in dict.fromkeys(sample):
            alone = customer_actions(ws, cid, day)
            mine = whole[whole["customer_id"] == cid]
            assert sorted(zip(alone["action"], alone["title"], alone["reason"])) == \
                sorted(zip(mine["action"], mine["title"], mine["reason"])), cid
    assert whole["reason"].notna().all() and plan is not None
