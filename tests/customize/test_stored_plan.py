"""The plan stored in the workspace gives the figures of the plan worked out in pandas: the
pickers' options, each action's title, the counts by action and title (the cross-sell titles
name each customer's category), the first rows of a filtered plan with their reasons, a new
campaign's customers and their top actions, one customer's suggestions; in English and in
Chinese, on the demo company at two dates."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis import i18n
from analysis.customize import plan, stored_plan
from analysis.identify.facts import resolve_as_of
from analysis.store import Workspace


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_stored_plan_shows_what_the_plan_in_pandas_shows(demo_copy, lang):
    before = i18n.language()
    i18n.set_language(lang)
    try:
        with Workspace(demo_copy) as ws:
            last = resolve_as_of(ws.tables(), None)
            for as_of in (last, last - dt.timedelta(days=120)):
                assert not stored_plan.is_stored(ws, as_of)
                stored = stored_plan.plan_of(ws, as_of)
                assert isinstance(stored, stored_plan.StoredPlan) and stored_plan.is_stored(ws, as_of)
                kept = plan.plan_rows(ws, as_of)
                titled = kept.titled()
                assert stored.meta["rows"] == len(kept.rows) == len(titled)
                pd.testing.assert_frame_equal(stored.rows, kept.rows)

                assert stored.options() == plan.filter_options(titled)
                assert stored.titles() == plan.action_titles(titled)
                offers = titled[titled["action"] == "cross_sell"]["title"].nunique()
                assert offers > 1  # one title per category offered: the counts group by the category
                tiers = sorted(titled["tier"].dropna().unique())[:2]
                for filters in (None, {"tier": tiers}, {"action": ["cross_sell"], "cell": ["high/high"]}, {
                        "action": ["no such action"]}):
                    expected = plan.plan_summary(titled, filters)
                    found = stored.summary(filters)
                    assert (found["actions"], found["customers"]) == (expected["actions"], expected["customers"])
                    pd.testing.assert_frame_equal(found["counts"], expected["counts"])
                    if expected["actions"]:
                        pd.testing.assert_frame_equal(stored.render(filters, 200), kept.render(filters, 200))
                    else:  # nothing to write: the columns alone
                        assert stored.render(filters, 200).columns.tolist() == plan.runner.SUGGESTION_COLUMNS

                ids = titled["customer_id"].drop_duplicates().sample(300, random_state=3).tolist()
                assert sorted(stored.customers_with(["win_back", "cross_sell"])) == sorted(
                    kept.customers_with(["win_back", "cross_sell"]))
                pd.testing.assert_frame_equal(stored.tops(ids, ["cross_sell"]), kept.tops(ids, ["cross_sell"]))
                pd.testing.assert_frame_equal(stored.tops(ids), kept.tops(ids))
                for cid in ids[:5]:
                    pd.testing.assert_frame_equal(
                        stored_plan.customer_actions(ws, cid, as_of),
                        plan.customer_actions(ws, cid, as_of))
    finally:
        i18n.set_language(before)


def test_a_kept_plan_whose_stored_rows_were_dropped_still_shows_the_same(demo_copy):
    """A page keeps the stored plan it read; a seventh plan stored later drops the oldest
    rows (six are kept): the kept plan then works its rows out again, the same figures."""
    import json

    with Workspace(demo_copy) as ws:
        stored = stored_plan.plan_of(ws)
        kept = plan.plan_rows(ws)

        def views():
            return (stored.options(), stored.titles(), stored.summary({"tier": ["top", "big"]}),
                    stored.render({"tier": ["top"]}, 100), stored.render({}, 300))

        before = views()
        (tables,) = ws.cursor().execute("SELECT tables_json FROM results WHERE kind = 'action_plan'").fetchone()
        ws.cursor().execute(f'DROP TABLE "{json.loads(tables)["rows"]}"')
        ws.cursor().execute("DELETE FROM results WHERE kind = 'action_plan'")
        after = views()
        assert after[:2] == before[:2] and after[2]["actions"] == before[2]["actions"] > 0
        pd.testing.assert_frame_equal(after[2]["counts"], before[2]["counts"])
        for found, shown in zip(after[3:], before[3:]):
            pd.testing.assert_frame_equal(found, shown)
        pd.testing.assert_frame_equal(before[4], kept.render({}, 300))
        pd.testing.assert_frame_equal(stored.rows, kept.rows)


def test_the_counts_by_title_read_the_offers_from_the_stored_inputs_alone(demo_copy, monkeypatch):
    """The Workshop's actions slide and the Action plan page count the stored plan by action
    and title: the cross-sell titles name each customer's offer, read from the stored history
    inputs alone (the customers' table the rules read is not made again for it), and the
    counts are those of every row written one by one."""
    with Workspace(demo_copy) as ws:
        stored = stored_plan.plan_of(ws)
        whole = stored.render()  # every row's title and reason written
        made: list[int] = []
        real = stored_plan.plan_inputs

        def counted(*args, **kwargs):
            made.append(1)
            return real(*args, **kwargs)

        monkeypatch.setattr(stored_plan, "plan_inputs", counted)
        found = stored.summary()
        narrowed = stored.summary({"tier": ["top", "big"]})
    assert made == []
    offers = whole.loc[whole["action"] == "cross_sell", "title"]
    assert offers.nunique() > 1  # "Offer <category>": a title per offer
    for counts, rows in ((found, whole), (narrowed, whole[whole["tier"].astype(str).isin(["top", "big"])])):
        expected = rows.groupby(["action", "title"]).agg(customers=("customer_id", "nunique"),
                                                        priority=("priority", "mean"))
        got = counts["counts"].set_index(["action", "title"]).sort_index()
        assert got["customers"].to_dict() == expected["customers"].to_dict()
        assert got["priority"].round(9).to_dict() == expected["priority"].round(9).to_dict()
        assert counts["actions"] == len(rows) and counts["customers"] == rows["customer_id"].nunique()
