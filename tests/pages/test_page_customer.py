"""The customer page through AppTest: search, profile, timeline, actions, recording a contact,
and user text shown as text (never as Markdown or HTML)."""

import json
import re
from pathlib import Path

import pandas as pd

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
    actions = next(d.value for d in at.dataframe if "Action" in d.value.columns)
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


def _page_texts(at) -> list[str]:
    return ([m.label for m in at.metric] + [str(m.value) for m in at.metric] + [x.value for x in at.text]
            + [c.value for c in at.caption] + [m.value for m in at.markdown])


def test_a_lapsed_top_customer_is_won_back_not_thanked(demo_copy):
    at = open_page(demo_copy, "customer")
    at.text_input(key="cu_search").set_value("C03302").run()  # top tier, overdue on the demo's last day
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Pyramid tier"] == "top"
    suggested = set(next(d.value for d in at.dataframe if "Action" in d.value.columns)["Action"])
    assert "Win back" in suggested and "Thank and ask for a referral" not in suggested


def test_one_way_to_say_the_purchase_cycle_and_never_nan(demo_copy):
    with Workspace(demo_copy) as ws:  # the median gap between purchase days, computed here
        days = ws.query("SELECT DISTINCT date FROM transactions WHERE customer_id = 'C03905' ORDER BY date")["date"]
    gap = int(pd.Series(pd.to_datetime(days)).diff().dt.days.dropna().median())
    at = open_page(demo_copy, "customer")
    at.text_input(key="cu_search").set_value("C03905").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Buys every"] == f"{gap} days"
    texts = _page_texts(at)
    assert not [x for x in texts if "usually every" in x.lower()]  # the CLV note no longer says it its own way
    assert not [x for x in texts if re.search(r"\bnan\b", x, re.I)]
    # a prospect: no purchase, no segment, no cluster, no lifetime value: dashes and words, never "nan"
    with Workspace(demo_copy) as ws:
        prospect = ws.query("SELECT customer_id FROM customers WHERE customer_id NOT IN "
                            "(SELECT customer_id FROM transactions) AND customer_id IN "
                            "(SELECT customer_id FROM interactions) ORDER BY 1 LIMIT 1").iloc[0, 0]
    at.text_input(key="cu_search").set_value(prospect).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Pyramid tier"] == "prospect" and metrics["Last purchase"] == "never"
    assert metrics["Buys every"] == metrics["RFM segment"] == metrics["CLV, next 12 months"] == "–"
    assert not [x for x in _page_texts(at) if re.search(r"\bnan\b|\bNone\b", x)]


def test_a_complaint_is_closed_one_way_mark_resolved(demo_copy):
    at = open_page(demo_copy, "customer")
    at.text_input(key="cu_search").set_value("C00042").run()
    assert "resolution" not in at.selectbox(key="cu_rec_kind").options  # not a kind to pick in the form ...
    assert "resolved" not in at.selectbox(key="cu_rec_outcome").options  # ... nor an outcome
    at.selectbox(key="cu_rec_kind").set_value("complaint")
    at.text_input(key="cu_rec_note").set_value("Invoice wrong twice")
    at.button(key="cu_rec_save").click().run()
    complaints = next(d.value for d in at.dataframe if list(d.value.columns) == ["Time", "Channel", "Note"])
    assert "Invoice wrong twice" in set(complaints["Note"])
    suggested = next(d.value for d in at.dataframe if "Action" in d.value.columns)
    assert "Follow up the open complaint" in set(suggested["Action"])
    at.text_input(key="cu_close_note").set_value("Credit note sent")
    at.button(key="cu_close_save").click().run()
    assert not at.exception, at.exception
    assert any("Complaint resolved on 30 Jun 2026" in s.value for s in at.success)
    assert not [d for d in at.dataframe if list(d.value.columns) == ["Time", "Channel", "Note"]]  # none open
    assert "Follow up the open complaint" not in set(
        next(d.value for d in at.dataframe if "Action" in d.value.columns)["Action"])
    with Workspace(demo_copy) as ws:
        last = ws.query("SELECT kind, outcome, answers_action, note FROM interactions WHERE customer_id = 'C00042' "
                        "ORDER BY interaction_id DESC LIMIT 1").iloc[0].tolist()
    assert last == ["resolution", "resolved", "complaint_follow_up", "Credit note sent"]


def test_chinese_event_table_names_every_event_type_in_chinese(tmp_path):
    """A manager reading the app in Chinese opens a customer's "all events" table: purchases,
    refunds and contacts are named in Chinese, like the timeline's lanes (issue 14)."""
    catalog = {}
    for path in sorted((Path(__file__).resolve().parents[2] / "analysis" / "locale" / "zh").glob("*.json")):
        catalog.update(json.loads(path.read_text(encoding="utf-8")))
    ws = make_workspace(tmp_path, customers=[{"customer_id": "c1", "name": "Harbor"}],
                        transactions=[{"customer_id": "c1", "order_id": "o1", "date": "2024-01-05", "amount": 120.0},
                                      {"customer_id": "c1", "order_id": "o2", "date": "2024-02-05", "amount": -20.0}],
                        interactions=[{"customer_id": "c1", "occurred_at": "2024-03-01 10:00:00", "kind": "complaint",
                                       "channel": "phone", "note": "late delivery"}])
    ws.close()
    at = open_page(ws.path, "customer", params={"lang": "zh"})  # opens on the only customer
    kind_header = catalog["Kind"]
    events = next(d.value for d in at.dataframe if kind_header in d.value.columns)
    shown = list(events[kind_header])
    assert sorted(shown) == sorted([catalog["purchase"], catalog["refund"], catalog["complaint"]])
    assert not {"purchase", "refund", "complaint"} & set(shown)


def test_every_word_of_the_customer_tables_reads_in_chinese(tmp_path):
    """A manager reading in Chinese opens a customer who was reached every way the app knows:
    every contact kind, every contact channel and the outcomes of the contact form. In the
    events table each event type, channel and outcome is a Chinese word (looked up here in the
    Chinese catalogs, not through the app's code), none left as its English code; so is the
    channel of each suggested action."""
    catalog = {}
    for path in sorted((Path(__file__).resolve().parents[2] / "analysis" / "locale" / "zh").glob("*.json")):
        catalog.update(json.loads(path.read_text(encoding="utf-8")))
    kinds = ["contact", "complaint", "survey", "visit", "resolution"]
    channels = ["phone", "email", "visit", "web", "chat", "letter", "event"]
    outcomes = ["done", "accepted", "refused", "not interested", "no answer", "call back later", "resolved"]
    contacts = [{"customer_id": "c1", "occurred_at": f"2024-03-{i + 1:02d} 10:00:00", "kind": kinds[i % len(kinds)],
                 "channel": channel, "outcome": outcomes[i], "satisfaction": 2.0 if kinds[i % 5] == "survey" else None,
                 "scale": 5.0 if kinds[i % 5] == "survey" else None}
                for i, channel in enumerate(channels)]
    ws = make_workspace(tmp_path, customers=[{"customer_id": "c1", "name": "Harbor"}],
                        transactions=[{"customer_id": "c1", "order_id": "o1", "date": "2024-01-05", "amount": 120.0},
                                      {"customer_id": "c1", "order_id": "o2", "date": "2024-02-05", "amount": -20.0}],
                        interactions=contacts)
    ws.close()
    at = open_page(ws.path, "customer", params={"lang": "zh"})
    assert not at.exception, at.exception
    kind_header, channel_header, outcome_header = catalog["Kind"], catalog["Channel"], catalog["Outcome"]
    events = next(d.value for d in at.dataframe if kind_header in d.value.columns)
    assert sorted(events[kind_header]) == sorted([catalog["purchase"], catalog["refund"]]
                                                  + [catalog[c["kind"]] for c in contacts])
    shown_channels = events[channel_header].dropna()
    assert sorted(shown_channels) == sorted(catalog[c] for c in channels)
    assert sorted(events[outcome_header].dropna()) == sorted(catalog[o] for o in outcomes)
    english = set(kinds) | set(channels) | set(outcomes) | {"purchase", "refund"}
    assert not english & set(events[[kind_header, channel_header, outcome_header]].astype(str).stack())
    suggested = [d.value for d in at.dataframe if channel_header in d.value.columns and kind_header not in d.value.columns]
    assert suggested and not suggested[0].empty  # the complaint and the low score call for actions
    for table in suggested:  # the suggested actions: their channel (a contact channel or "internal")
        words = {catalog[c] for c in [*channels, "internal"]}
        assert set(table[channel_header].dropna()) <= words, table[channel_header]


def test_one_customers_actions_are_worked_out_for_that_customer_only(demo_copy, capsys, monkeypatch):
    from analysis.customize import writing
    from tests.differentiate.test_wallet_cli import run

    detail = run(capsys, "customer", "C00042", "--db", demo_copy, "--json")  # as the command line says
    assert detail["actions"]
    written = []
    real = writing.write

    def spy(rows, *args, **kwargs):
        written.append(len(rows))
        return real(rows, *args, **kwargs)

    monkeypatch.setattr(writing, "write", spy)
    at = open_page(demo_copy, "customer")
    at.text_input(key="cu_search").set_value("C00042").run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Why" in d.value.columns)
    assert list(table["Why"]) == [a["reason"] for a in detail["actions"]]
    assert list(table["Priority"]) == [a["priority"] for a in detail["actions"]]
    assert written and max(written) == len(detail["actions"]), written  # no one else's texts were written
