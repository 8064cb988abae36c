"""The IDIC worksheet: figures per step from the data, decisions saved with the workspace."""

from analysis import story, worksheet
from analysis.store import Workspace
from tests.builders import make_workspace


def test_decisions_round_trip_through_the_workspace(tmp_path):
    ws = make_workspace(tmp_path, transactions=[{"customer_id": "c1", "date": "2024-05-01", "amount": 10.0}])
    assert worksheet.load_decisions(ws) == {s: "" for s in story.STEPS}
    worksheet.save_decisions(ws, {"identify": "Collect e-mails\nat the counter", "customize": "VIP line"})
    worksheet.save_decisions(ws, {"customize": "VIP line for top tier"})
    path = ws.path
    ws.close()
    with Workspace(path) as again:
        got = worksheet.load_decisions(again)
        assert again.get_note("worksheet:identify") == "Collect e-mails\nat the counter"
    assert got == {"identify": "Collect e-mails\nat the counter", "differentiate": "", "interact": "",
                   "customize": "VIP line for top tier"}


def test_unknown_step_is_refused(tmp_path):
    import pytest

    with pytest.raises(ValueError, match="identify"):
        worksheet.note_key("measure")


def test_facts_per_step_from_a_tiny_workspace(tmp_path):
    ws = make_workspace(
        tmp_path,
        transactions=[{"customer_id": c, "date": "2024-05-01", "amount": a}
                      for c, a in (("c1", 800.0), ("c2", 100.0), ("c3", 60.0), ("c4", 40.0))],
        interactions=[{"customer_id": "c1", "occurred_at": "2024-04-02", "kind": "complaint"},
                      {"customer_id": "c1", "occurred_at": "2024-04-03", "kind": "call"},
                      {"customer_id": "c2", "occurred_at": "2024-04-04", "kind": "survey", "satisfaction": 4,
                       "scale": 5}],
    )
    try:
        data = story.story_data(ws.tables())
    finally:
        ws.close()
    facts = worksheet.facts(data)
    assert list(facts) == list(story.STEPS)
    assert facts["identify"][0] == "4 customers; 4 active (bought in the last 12 months)."
    assert "Revenue $1,000 from 4 orders" in facts["identify"][1]
    assert facts["identify"][2] == "The top 20% of buyers bring 80% of the last 12 months' revenue."
    assert facts["differentiate"][0].startswith("Pyramid: top 1, big 0, medium 0, small 3,")
    assert facts["interact"] == [
        "1 customer (25%) contacted at least once (calls, visits, e-mails, complaints); 2 contacts in all.",
        "1 complaint recorded.", "1 customer (25%) answered a satisfaction survey."]
    assert facts["customize"]  # actions, or the reason there are none
    sheet = worksheet.worksheet(data, {"interact": "Survey everyone"})
    assert [s.step for s in sheet] == list(story.STEPS)
    assert sheet[2].decisions == "Survey everyone" and sheet[0].decisions == ""
