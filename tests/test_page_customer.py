"""The customer page through AppTest: search, profile, timeline, actions, recording a contact,
and user text shown as text (never as Markdown or HTML)."""

import json

from analysis.store import Workspace
from tests.builders import make_workspace
from tests.pagetest import open_page


def test_search_profile_timeline_and_actions(demo_copy):
    at = open_page(demo_copy, "customer")
    at.text_input(key="cu_search").set_value("C00042").run()
    assert not at.exception, at.exception
    assert [sb.value for sb in at.selectbox if sb.label == "Customer"] == ["C00042"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Pyramid tier"] in {"top", "big", "medium", "small", "inactive", "prospect", "suspect"}
    assert "P(alive)" in metrics and "Expected next purchase" in metrics
    timeline = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert timeline["data"]
    assert at.dataframe, "suggested actions are listed"


def test_recording_a_contact_shows_on_the_timeline_and_changes_suggestions(demo_copy):
    at = open_page(demo_copy, "customer")
    at.text_input(key="cu_search").set_value("C00042").run()
    at.selectbox(key="cu_rec_kind").set_value("complaint")
    at.selectbox(key="cu_rec_channel").set_value("phone")
    at.text_input(key="cu_rec_note").set_value("Printer toner arrived damaged")
    at.button(key="cu_rec_save").click().run()
    assert not at.exception, at.exception
    assert any("Saved: complaint" in s.value for s in at.success)
    with Workspace(demo_copy) as ws:  # same configuration as the app's open connection
        notes = ws.query("SELECT note, recorded_by FROM interactions WHERE customer_id = ? ORDER BY interaction_id DESC LIMIT 1",
                         ["C00042"])
    assert notes.iloc[0].tolist() == ["Printer toner arrived damaged", "app"]
    timeline = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "complaint" in {trace.get("legendgroup") or trace.get("name") for trace in timeline["data"]} or any(
        "Printer toner arrived damaged" in str(trace.get("hovertext") or trace.get("text")) for trace in timeline["data"])
    actions = at.dataframe[-1].value  # the suggested actions come last on the page
    assert "Follow up the open complaint" in set(actions["Action"])


def test_names_are_text_not_markdown_or_html(tmp_path):
    ws = make_workspace(tmp_path, customers=[{"customer_id": "x1", "name": "<img src=x onerror=alert(1)> **bold**"}],
                        transactions=[{"customer_id": "x1", "date": "2024-01-01", "amount": 10.0}])
    ws.close()
    at = open_page(ws.path, "customer")
    at.text_input(key="cu_search").set_value("x1").run()
    assert not at.exception, at.exception
    heading = [m.value for m in at.markdown if m.value.startswith("## ")][0]
    assert heading == r"## \<img src=x onerror=alert\(1\)\> \*\*bold\*\*"


def test_a_customer_with_only_refunds_opens_as_a_small_customer_not_thanked(tmp_path, capsys):
    from analysis.cli import main
    from tests.nasty import REFUNDS_ONLY, solo_workspace

    db = solo_workspace(tmp_path / "workspaces")  # imported as a user would: one customer, two refunds
    at = open_page(db, "customer")  # the page opens on the only customer (no exception)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Revenue (all time)"] == "-70" and metrics["Pyramid tier"] == "small"
    timeline = json.loads(at.get("plotly_chart")[0].proto.spec)
    refunds = [tr for tr in timeline["data"] if tr.get("name") == "refund"]
    assert len(refunds[0]["x"]) == 2 and all(s > 0 for s in refunds[0]["marker"]["size"])
    suggested = at.dataframe[-1].value
    assert "Thank and ask for a referral" not in set(suggested["Action"])
    capsys.readouterr()
    assert main(["customer", REFUNDS_ONLY, "--db", str(db), "--json"]) == 0
    detail = json.loads(capsys.readouterr().out)
    assert detail["profile"]["tier"] == "small" and detail["profile"]["revenue"] == -70
    assert "thank_you_referral" not in {a["action"] for a in detail["actions"]}
