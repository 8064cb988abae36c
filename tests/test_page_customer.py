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
