"""analysis/identify/customers.py: search, filters, the export list and one customer's detail."""

import pandas as pd
import pytest

from analysis.customize.plan import action_titles, customer_detail, export_list, plan_summary
from analysis.identify.customers import apply_filters, search
from analysis.errors import UserError
from tests.builders import make_workspace


@pytest.fixture()
def ws(tmp_path):
    return make_workspace(
        tmp_path,
        customers=[{"customer_id": "c1", "name": "Harbor Logistics"}, {"customer_id": "c2", "name": "Blue Ridge"}],
        transactions=[{"customer_id": "c1", "date": "2024-01-01", "amount": 10.0},
                      {"customer_id": "u9", "date": "2024-01-02", "amount": 5.0}],
    )


def test_search_by_id_or_name_case_insensitive_including_unlisted(ws):
    assert search(ws, "harbor")["customer_id"].tolist() == ["c1"]
    assert search(ws, "C2")["customer_id"].tolist() == ["c2"]
    assert search(ws, "u9")["customer_id"].tolist() == ["u9"]
    with pytest.raises(UserError):
        search(ws, "  ")


def test_apply_filters_keeps_rows_matching_every_filter():
    frame = pd.DataFrame({"customer_id": ["a", "b", "c"], "tier": ["top", "small", "top"], "region": ["N", "N", "S"]})
    assert apply_filters(frame, {"tier": ["top"], "region": ["N"]})["customer_id"].tolist() == ["a"]
    assert len(apply_filters(frame, {"tier": None, "cell": ["x"]})) == 3  # unset filters and absent columns ignored


def test_filters_as_pairs_plan_summary_and_titles():
    plan = pd.DataFrame({"customer_id": ["a", "a", "b", "c"], "action": ["call", "thank", "call", "call"],
                         "title": ["Call them", "Thank them", "Call them", "Call them"],
                         "priority": [90, 10, 70, 50], "tier": ["top", "top", "small", "top"]})
    assert apply_filters(plan, (("tier", ("top",)),))["customer_id"].tolist() == ["a", "a", "c"]
    summary = plan_summary(plan, {"tier": ["top"]})
    assert (summary["actions"], summary["customers"]) == (3, 2)
    assert summary["counts"][["action", "customers", "priority"]].values.tolist() == [["call", 2, 70.0],
                                                                                       ["thank", 1, 10.0]]
    assert plan_summary(plan)["customers"] == 3
    assert action_titles(plan) == {"call": "Call them", "thank": "Thank them"}
    assert action_titles(pd.DataFrame({"customer_id": []})) == {}


def test_detail_and_export_on_a_tiny_workspace(ws):
    detail = customer_detail(ws, "c1")
    assert detail["profile"]["name"] == "Harbor Logistics"
    assert [e["kind"] for e in detail["events"]] == ["purchase"]
    frame = export_list(ws)
    assert sorted(frame["customer_id"]) == ["c1", "c2", "u9"]
    assert list(frame.columns[:6]) == ["customer_id", "name", "tier", "cell", "cluster_name", "rfm_segment"]
    with pytest.raises(UserError):
        customer_detail(ws, "nobody")


def test_search_error_and_detail_read_in_chinese(ws):
    from analysis import i18n

    with i18n.using("zh"):
        with pytest.raises(UserError, match="请输入客户编号或姓名的一部分进行搜索。"):
            search(ws, "  ")
        detail = customer_detail(ws, "c1")
        with pytest.raises(UserError, match="客户 'nobody' 不在此工作区中"):
            customer_detail(ws, "nobody")
    assert [e["detail"] for e in detail["events"]] == ["购买（无产品），金额 10.00"]
    assert detail["events"][0]["kind"] == "purchase"  # the code stays as data


def test_one_customer_read_alone_gives_what_the_engine_gives(demo_copy):
    """The Customer page's reads of one customer (plain SQL and the stored scores' row) give
    the same events and profile as the engine expressions over every customer's tables."""
    from analysis.identify.facts import FACT_COLUMNS, customer_facts, resolve_as_of
    from analysis.identify.customers import open_complaints
    from analysis.interact.timeline import customer_events, customer_profile, stored_profile
    from analysis.scores import score_customer, score_customers
    from analysis.settings import ReportSettings
    from analysis.store import Workspace

    with Workspace(demo_copy) as w:
        as_of = resolve_as_of(w.tables(), None)
        assert tuple(customer_facts(w.tables(), as_of).columns) == FACT_COLUMNS
        score_customers(w, as_of, ReportSettings())
        for cid in ("C00021", "C04760", "C01967"):
            pd.testing.assert_frame_equal(customer_events(w, cid, as_of, "$"), customer_events(w.tables(), cid, as_of, "$"))
            pd.testing.assert_frame_equal(open_complaints(w, cid, as_of), open_complaints(w.tables(), cid, as_of))
            row = score_customer(w, cid, as_of, ReportSettings()).frame
            expected = customer_profile(w.tables(), cid, as_of, ReportSettings().window_months)
            found = stored_profile(w, row, as_of)
            assert found.keys() == expected.keys()
            for key, value in expected.items():
                assert found[key] == value or (pd.isna(found[key]) and pd.isna(value)), (cid, key, found[key], value)
