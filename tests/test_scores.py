"""The per-customer frame: every label present on the demo; the list helpers' orderings."""

import json

import pandas as pd

from analysis.settings import ReportSettings, SegmentSettings
from analysis.scores import likely_lost, score_customers, top_by_clv
from analysis.store import Workspace


def test_scores_on_demo_have_every_label(demo_db):
    with Workspace(demo_db, read_only=True) as ws:
        scores = score_customers(ws.tables())
    frame = scores.frame
    assert len(frame) == 6000 and frame["customer_id"].is_unique
    assert scores.messages == {}
    for col in ("tier", "cell", "rfm_segment", "cluster_name", "p_alive", "clv", "is_mvc", "is_bz"):
        assert col in frame
    buyers = frame[frame["orders"] > 0]
    assert buyers["cluster_name"].notna().all() and buyers["p_alive"].between(0, 1).all()
    assert frame.loc[frame["orders"] == 0, "tier"].isin(["prospect", "suspect"]).all()
    assert set(buyers["cluster_name"]) == {p["name"] for p in scores.personas}


def _frame():
    return pd.DataFrame({
        "customer_id": ["a", "b", "c", "d"], "name": ["A", "B", "C", "D"], "tier": ["small"] * 4,
        "revenue": [10.0, 500.0, 300.0, 50.0], "orders": [1, 5, 5, 3], "last_purchase": pd.NaT,
        "p_alive": [1.0, 0.2, 0.2, 0.9], "expected_next_purchase": pd.NaT,
        "clv": [5.0, 40.0, 90.0, None], "clv_note": ["", "", "", ""],
    })


def test_top_by_clv_orders_by_clv_and_skips_unknown():
    assert top_by_clv(_frame(), 10)["customer_id"].tolist() == ["c", "b", "a"]


def test_likely_lost_are_repeat_buyers_lowest_p_alive_most_valuable_first():
    assert likely_lost(_frame(), 10)["customer_id"].tolist() == ["b", "c", "d"]


def test_reasons_a_part_is_missing_follow_the_language(tmp_path):
    from analysis import i18n
    from tests.builders import buyers, make_workspace

    ws = make_workspace(tmp_path, transactions=buyers(range(100, 1100, 100)))
    with i18n.using("zh"):
        scores = score_customers(ws.tables(), "2024-06-30", ReportSettings(SegmentSettings(currency="$")))
    assert scores.messages["clusters"] == "聚类至少需要 20 位有购买记录的客户；目前只有 10 位。"
    frame = scores.frame.set_index("customer_id")
    assert frame.loc["c010", "tier"] == "top" and frame.loc["c010", "reason_mvc"] == "近 12 个月利润 $300：位列前 20%"
    assert frame["cluster_name"].isna().all()


def _stored_kinds(ws):
    return ws.query('SELECT "kind", count(*) AS n FROM "results" GROUP BY 1').set_index("kind")["n"].to_dict()


def test_scores_stored_in_the_workspace_are_reused_and_invalidated_by_what_they_depend_on(demo_copy):
    import datetime as dt

    from analysis.identify.facts import resolve_as_of
    from analysis.interact.contacts import record_interaction

    with Workspace(demo_copy) as ws:
        computed = score_customers(ws.tables())
        stored = score_customers(ws)  # computes and stores, with the models' figures and the CLV check beside
        assert _stored_kinds(ws) == {"clv": 1, "scores": 1, "clv_model": 1, "clv_check": 1, "clusters_model": 1}
        again = score_customers(ws)  # reads back: same frame, same texts
        for other in (stored, again):
            pd.testing.assert_frame_equal(other.frame, computed.frame)
            assert other.personas == computed.personas and other.messages == computed.messages

        as_of = resolve_as_of(ws.tables())
        cid = computed.frame["customer_id"].iloc[0]
        before = int(computed.frame["interactions"].iloc[0])
        record_interaction(ws, cid, "contact", "phone", date=as_of + dt.timedelta(days=3))
        score_customers(ws, as_of)  # a contact after the as-of date changes nothing there
        assert _stored_kinds(ws) == {"clv": 1, "scores": 1, "clv_model": 1, "clv_check": 1, "clusters_model": 1}

        record_interaction(ws, cid, "contact", "phone", date=as_of)
        fresh = score_customers(ws, as_of)  # inside the period: scores (and clusters) again, CLV kept
        assert _stored_kinds(ws) == {"clv": 1, "scores": 2, "clv_model": 1, "clv_check": 1, "clusters_model": 2}
        assert int(fresh.frame.loc[fresh.frame["customer_id"] == cid, "interactions"].iloc[0]) == before + 1


def test_stored_scores_are_read_by_a_read_only_process(demo_copy):
    with Workspace(demo_copy) as ws:
        written = score_customers(ws)
    with Workspace(demo_copy, read_only=True) as ro:
        read = score_customers(ro)
    pd.testing.assert_frame_equal(read.frame, written.frame)


def test_the_stored_scores_answer_a_count_in_the_engine(demo_copy):
    """A page's count over a million scored customers is asked of DuckDB: the stored frame
    as an engine table gives the counts the frame read whole gives."""
    from analysis.scores import stored_table

    with Workspace(demo_copy) as ws:
        assert stored_table(ws, None, ReportSettings()) is None  # nothing stored yet
        scored = score_customers(ws, None, ReportSettings()).frame
        table = stored_table(ws, None, ReportSettings())
        by_tier = table.group_by("tier").aggregate(n=table.count()).to_pandas()
    counted = {str(k): int(v) for k, v in zip(by_tier["tier"], by_tier["n"])}
    assert counted == {str(k): int(v) for k, v in scored["tier"].value_counts(dropna=False).items()}
    assert sum(counted.values()) == len(scored) > 0


def test_a_frame_whose_stored_scores_were_replaced_is_computed_again_after_its_workspace_closed(demo_copy):
    """Another process stored newer results and the scores this frame was to read are gone,
    and the workspace that made it has been closed since (a page's cache outlives both): the
    frame is computed again from the file, read-only, with the figures of the stored one."""
    with Workspace(demo_copy) as ws:
        written = score_customers(ws)
        later = score_customers(ws)  # the stored scores, their frame made when first read
        names = ws.query(f"SELECT tables_json FROM results WHERE result_key = '{later.key}'")["tables_json"]
        for name in json.loads(names.iloc[0]).values():
            ws.cursor().execute(f'DROP TABLE "{name}"')
        ws.cursor().execute("DELETE FROM results WHERE result_key = ?", [later.key])
    pd.testing.assert_frame_equal(later.frame, written.frame)
