"""A customer's events and profile from a tiny workspace, and the timeline chart's escaping."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from analysis.charts.timeline import escape, timeline_figure
from analysis.errors import UserError
from analysis.interact.timeline import EVENT_COLUMNS, customer_events, customer_profile
from tests.builders import make_workspace

EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture
def ws(tmp_path):
    ws = make_workspace(
        tmp_path,
        customers=[{"customer_id": "c1", "name": EVIL, "region": "North", "email": "ann@example.com"},
                   {"customer_id": "c2", "name": "Bo"}],
        transactions=[
            {"customer_id": "c1", "order_id": "o1", "date": "2024-01-01", "amount": 100.0, "category": "Books", "product": "Dune"},
            {"customer_id": "c1", "order_id": "o2", "date": "2024-01-31", "amount": -20.0, "category": "Books", "product": "Dune"},
            {"customer_id": "c1", "order_id": "o3", "date": "2024-03-01", "amount": 50.0, "category": EVIL},
            {"customer_id": "c1", "order_id": "o4", "date": "2024-03-31", "amount": 25.0, "category": "Music"},
            {"customer_id": "c2", "order_id": "o5", "date": "2024-04-30", "amount": 999.0, "category": "Music"},
        ],
        interactions=[
            {"customer_id": "c1", "occurred_at": "2024-02-01 10:00:00", "kind": "Survey", "channel": "email",
             "satisfaction": 8, "scale": 10, "note": "**bold**"},
            {"customer_id": "c1", "occurred_at": "2024-02-05 09:30:00", "kind": "complaint", "channel": "phone",
             "note": EVIL},
            {"customer_id": "c1", "occurred_at": "2024-02-06 11:00:00", "kind": "contact", "channel": "phone",
             "outcome": "resolved"},
            {"customer_id": "c1", "occurred_at": "2024-04-02 11:00:00", "kind": "visit", "channel": "visit"},
            {"customer_id": "c2", "occurred_at": "2024-02-06 11:00:00", "kind": "contact", "channel": "phone"},
        ],
    )
    yield ws
    ws.close()


def test_events_in_time_order_with_details(ws):
    events = customer_events(ws, "c1")
    assert list(events.columns) == EVENT_COLUMNS
    assert list(events["kind"]) == [
        "purchase", "refund", "survey", "complaint", "contact", "purchase", "purchase", "visit"]
    assert events["time"].is_monotonic_increasing
    assert events.loc[0, "detail"] == "Bought Dune (Books) for 100.00"
    assert events.loc[1, "detail"] == "Refund of 20.00 for Dune (Books)" and events.loc[1, "amount"] == -20.0
    survey = events.loc[2]
    assert (survey.satisfaction, survey.scale, survey.satisfaction_5) == (8.0, 10.0, 4.0)
    assert survey.detail == "Survey by email; score 8 of 10 — **bold**"
    assert events.loc[4, "detail"] == "Contact by phone; outcome: resolved"


def test_events_stop_at_as_of_and_belong_to_one_customer(ws):
    events = customer_events(ws.tables(), "c1", as_of=dt.date(2024, 2, 5))
    assert list(events["kind"]) == ["purchase", "refund", "survey", "complaint"]  # the whole as-of day counts
    assert customer_events(ws, "c2")["amount"].dropna().tolist() == [999.0]


def test_no_events_is_an_empty_frame(ws):
    events = customer_events(ws, "nobody")
    assert events.empty and list(events.columns) == EVENT_COLUMNS


def test_profile_has_the_key_numbers(ws):
    p = customer_profile(ws, "c1")
    assert p["as_of"] == dt.date(2024, 4, 30)  # last purchase in the workspace
    assert p["name"] == EVIL and p["email"] == "ann@example.com"
    assert p["revenue"] == 155.0 and p["refunds"] == 1 and p["complaints"] == 1
    assert p["recency_days"] == 30 and p["satisfaction_5"] == 4.0
    assert p["usual_gap_days"] == 30.0  # Jan 1, Jan 31, Mar 1, Mar 31
    assert p["top_category"] == "Books" and p["average_order_value"] == pytest.approx(155 / 4)


def test_profile_of_an_unknown_customer_says_so(ws):
    with pytest.raises(UserError, match="'c9' is not in this workspace"):
        customer_profile(ws, "c9")


def test_profile_few_purchase_days_has_no_usual_gap(ws):
    assert customer_profile(ws, "c2")["usual_gap_days"] is None


def spec(fig) -> str:
    return json.dumps(fig.to_plotly_json(), default=str)


def test_chart_has_lanes_rangeslider_and_sized_purchases(ws):
    events = customer_events(ws, "c1")
    fig = timeline_figure(events, title="Timeline")
    assert fig.layout.xaxis.rangeslider.visible
    # plotly draws the first category at the bottom: purchases end up on top
    assert list(fig.layout.yaxis.categoryarray) == ["complaint", "survey", "visit", "contact", "refund", "purchase"]
    lanes = {y for trace in fig.data for y in trace.y}
    assert lanes == {"purchase", "refund", "survey", "complaint", "contact", "visit"}
    books = next(t for t in fig.data if t.name == "Books")
    music = next(t for t in fig.data if t.name == "Music")
    assert books.marker.size[0] > music.marker.size[0]  # 100 > 25
    assert books.marker.color != music.marker.color
    survey = next(t for t in fig.data if t.name == "survey")
    assert list(survey.text) == ["4.0"]


def test_chart_escapes_user_text_everywhere(ws):
    events = customer_events(ws, "c1")
    fig = timeline_figure(events, title=f"Timeline of {EVIL}")
    text = spec(fig)
    assert "<img" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "**bold**" in text  # shown as typed, not turned into markup
    assert fig.layout.title.text == "Timeline of &lt;img src=x onerror=alert(1)&gt;"
    assert any(t.name == escape(EVIL) for t in fig.data)


def test_chart_of_no_events_still_draws():
    fig = timeline_figure(pd.DataFrame(columns=EVENT_COLUMNS))
    assert len(fig.data) == 0 and fig.layout.annotations


def test_escape():
    assert escape("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    assert escape(None) == "" and escape(float("nan")) == ""


def test_details_lanes_and_errors_read_in_chinese(ws):
    from analysis import i18n

    with i18n.using("zh"):
        events = customer_events(ws, "c1")
        fig = timeline_figure(events)
        with pytest.raises(UserError, match="客户 'c9' 不在此工作区中"):
            customer_profile(ws, "c9")
    assert events.loc[0, "detail"] == "购买Dune (Books)，金额 100.00"
    assert events.loc[1, "detail"] == "Dune (Books)退款 20.00"
    assert events.loc[2, "detail"] == "调查，渠道：电子邮件；评分 8（满分 10） — **bold**"
    assert events.loc[4, "detail"] == "接触，渠道：电话；结果：已解决"
    assert list(fig.layout.yaxis.categoryarray) == ["投诉", "调查", "拜访", "接触", "退款", "购买"]
    assert any(t.name == "接触: 电话" for t in fig.data)
    assert "<b>2024年2月1日 10:00</b>" in next(t for t in fig.data if t.name == "调查").hovertext[0]


def test_one_days_purchases_are_shown_in_the_same_order_whatever_order_the_file_wrote_them(tmp_path, capsys):
    """The order rows are stored in is not a contract (README, Decisions): a manager who imports
    the same purchases written in another order sees the same customer page, lines of one day by
    order id, product, category and amount."""
    from analysis import cli

    lines = ["c1,o3,2024-02-01,30.00,Tea,Drinks", "c1,o1,2024-02-01,10.00,Mug,Kitchen",
             "c1,o2,2024-02-01,25.50,Cake,Food", "c1,o1,2024-02-01,5.25,Cup,Kitchen",
             "c2,o9,2024-02-01,99.00,Pen,Office", "c1,o0,2024-01-15,7.00,Jam,Food"]
    shown = []
    for name, rows in (("as_written", lines), ("reversed", lines[::-1])):
        path = tmp_path / f"{name}.csv"
        path.write_text("customer id,order id,date,amount,product,category\n" + "\n".join(rows) + "\n")
        db = str(tmp_path / f"{name}.duckdb")
        assert cli.main(["ingest", str(path), "--db", db, "--json"]) == 0
        capsys.readouterr()
        assert cli.main(["customer", "c1", "--db", db, "--json"]) == 0
        events = json.loads(capsys.readouterr().out)["events"]
        shown.append([(e["time"][:10], e["order_id"], e["product"], e["amount"]) for e in events])
    expected = [("2024-01-15", "o0", "Jam", 7.0), ("2024-02-01", "o1", "Cup", 5.25), ("2024-02-01", "o1", "Mug", 10.0),
                ("2024-02-01", "o2", "Cake", 25.5), ("2024-02-01", "o3", "Tea", 30.0)]
    assert shown[0] == shown[1] == expected
