"""The MVC / MCC / BZ page through AppTest on the demo company and a transactions-only workspace."""

import json

from tests.builders import make_workspace
from tests.pagetest import open_page
from tests.test_page_pyramid import transactions_only


def test_value_on_demo(demo_copy):
    at = open_page(demo_copy, "value")
    metrics = {m.label: int(m.value.replace(",", "")) for m in at.metric if m.label != "Median share of wallet"}
    assert metrics["Most valuable (MVC)"] > 0 and metrics["Most growable (MCC)"] > 0 and metrics["Below zero (BZ)"] > 0
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert {t["name"] for t in spec["data"]} >= {"MVC", "MCC", "BZ"}
    assert [t.label for t in at.tabs][:3] == [f"MVC ({metrics['Most valuable (MVC)']:,})",
                                              f"MCC ({metrics['Most growable (MCC)']:,})",
                                              f"BZ ({metrics['Below zero (BZ)']:,})"]
    tables = at.dataframe
    assert len(tables[0].value) == metrics["Most valuable (MVC)"]
    assert tables[0].value["Why"].str.startswith("Profit").all()
    assert len(tables[2].value) == metrics["Below zero (BZ)"]
    assert tables[2].value["Why"].str.startswith("Margin").all()
    assert "Share of wallet" in tables[1].value.columns  # the demo has wallet estimates
    assert any(m.label == "Median share of wallet" and m.value.endswith("%") for m in at.metric)


def test_value_sidebar_costs_change_the_groups(demo_copy):
    at = open_page(demo_copy, "value")
    before = {m.label: m.value for m in at.metric}["Below zero (BZ)"]
    at = open_page(demo_copy, "value", cost_contact=0.0, cost_complaint=0.0, cost_refund=0.0)
    after = {m.label: m.value for m in at.metric}["Below zero (BZ)"]
    # without costs to serve, only customers whose refunds exceed their purchases stay below zero
    assert int(after.replace(",", "")) < int(before.replace(",", "")) / 10


def test_value_with_only_transactions(tmp_path):
    at = open_page(transactions_only(tmp_path), "value")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Most valuable (MVC)"] == "6"  # 20% of 30 active buyers
    # no wallet is given, but every buyer has one estimated from look-alikes (issue 18)
    assert metrics["Median share of wallet"].endswith("%")
    assert any("trend and wallet" in i.value for i in at.info)
    assert "Share of wallet" in at.dataframe[0].value.columns


def test_value_without_purchases(tmp_path):
    ws = make_workspace(tmp_path, customers=[{"customer_id": "p1", "name": "Prospect"}])
    ws.close()
    at = open_page(ws.path, "value")
    assert any("No purchases yet" in i.value for i in at.info)
