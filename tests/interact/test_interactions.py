"""Recording a contact: validation in the user's words, one transaction, concurrent writers."""

from __future__ import annotations

import datetime as dt
import threading

import pandas as pd
import pytest

from analysis.errors import UserError
from analysis.interact.contacts import CHANNELS, KINDS, NOTE_MAX_CHARS, record_interaction
from tests.builders import make_workspace


@pytest.fixture
def ws(tmp_path):
    ws = make_workspace(
        tmp_path,
        customers=[{"customer_id": "c1", "name": "Ann"}, {"customer_id": "secret-vip", "name": "Bo"}],
        transactions=[{"customer_id": "buyer-only", "date": "2024-05-01", "amount": 10.0}],
        interactions=[{"customer_id": "contact-only", "occurred_at": "2024-05-02", "kind": "contact"}],
    )
    yield ws
    ws.close()


def rows(ws) -> pd.DataFrame:
    return ws.tables().interactions.order_by("interaction_id").to_pandas()


def test_records_a_survey_with_every_field(ws):
    new_id = record_interaction(
        ws, " c1 ", "Survey", "Email", date=dt.date(2024, 5, 31), satisfaction=9, scale=10,
        outcome="Not_Interested", note="  asked about <b>prices</b>  ", answers_action="partner_invite",
        recorded_by="Lee",
    )
    assert new_id == 2  # the builder's contact took id 1
    row = rows(ws).set_index("interaction_id").loc[new_id]
    assert row.customer_id == "c1" and row.kind == "survey" and row.channel == "email"
    assert row.occurred_at == pd.Timestamp("2024-05-31")
    assert (row.satisfaction, row.scale) == (9.0, 10.0)
    assert row.outcome == "not interested" and row.note == "asked about <b>prices</b>"
    assert row.answers_action == "partner_invite" and row.recorded_by == "Lee"


def test_defaults_now_and_five_point_scale(ws):
    before = dt.datetime.now().replace(microsecond=0)
    new_id = record_interaction(ws, "c1", "contact", "phone", satisfaction=4)
    row = rows(ws).set_index("interaction_id").loc[new_id]
    assert before <= row.occurred_at.to_pydatetime() <= dt.datetime.now()
    assert row.scale == 5.0 and pd.isna(row.note) and pd.isna(row.outcome)


@pytest.mark.parametrize("cid", ["buyer-only", "contact-only"])
def test_a_customer_known_only_from_purchases_or_contacts_is_known(ws, cid):
    assert record_interaction(ws, cid, "visit", "visit") > 0


def test_unknown_customer_is_refused_without_listing_others(ws):
    with pytest.raises(UserError) as err:
        record_interaction(ws, "c999", "contact", "phone")
    message = str(err.value)
    assert "c999" in message and "not in this workspace" in message
    assert "secret-vip" not in message and "c1'" not in message
    assert len(rows(ws)) == 1


@pytest.mark.parametrize("field, kwargs, expected", [
    ("kind", dict(kind="gossip"), ", ".join(KINDS)),
    ("channel", dict(channel="pigeon"), ", ".join(CHANNELS)),
    ("satisfaction", dict(satisfaction=6), "outside 0 to 5"),
    ("satisfaction", dict(satisfaction=-1, scale=10), "outside 0 to 10"),
    ("satisfaction", dict(satisfaction="great"), "not a number"),
    ("scale", dict(satisfaction=1, scale=0), "greater than 0"),
    ("scale", dict(scale=10), "without a satisfaction"),
    ("date", dict(date=dt.date.today() + dt.timedelta(days=2)), "in the future"),
    ("date", dict(date="last Tuesday"), "not a date"),
    ("note", dict(note="x" * (NOTE_MAX_CHARS + 1)), f"at most {NOTE_MAX_CHARS}"),
    ("answers_action", dict(answers_action="make_coffee"), "partner_invite"),
    ("customer_id", dict(customer_id="  "), "customer id is empty"),
])
def test_invalid_input_names_what_is_allowed(ws, field, kwargs, expected):
    args = dict(customer_id="c1", kind="contact", channel="phone") | kwargs
    with pytest.raises(UserError, match=expected.replace("(", r"\(")) as err:
        record_interaction(ws, **args)
    assert field.replace("_", " ").replace("answers", "answered") in str(err.value)
    assert len(rows(ws)) == 1  # nothing written


def test_today_is_not_the_future(ws):
    assert record_interaction(ws, "c1", "contact", "phone", date=dt.date.today()) > 0


def test_two_writers_at_the_same_moment_both_get_saved(ws):
    start = threading.Barrier(2)
    ids: list[int] = []
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            start.wait()
            for n in range(10):
                ids.append(record_interaction(ws, "c1", "contact", "phone", note=f"{name} {n}", recorded_by=name))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("ann", "bo")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    saved = rows(ws)
    assert len(saved) == 21 and saved["interaction_id"].is_unique
    assert sorted(ids) == sorted(saved["interaction_id"][saved["recorded_by"].notna()])
    assert saved["recorded_by"].value_counts().to_dict() == {"ann": 10, "bo": 10}


def test_errors_read_in_chinese(ws):
    from analysis import i18n
    from analysis.interact.contacts import contact_channel_label, contact_kind_label, outcome_label

    with i18n.using("zh"):
        with pytest.raises(UserError) as kind:
            record_interaction(ws, "c1", "gossip", "phone")
        with pytest.raises(UserError) as score:
            record_interaction(ws, "c1", "survey", "email", satisfaction=-1, scale=10)
        with pytest.raises(UserError) as unknown:
            record_interaction(ws, "c999", "contact", "phone")
        labels = (contact_kind_label("complaint"), contact_channel_label("phone"), outcome_label("no answer"),
                  outcome_label("maybe"))
    assert str(kind.value) == f"类型 'gossip' 无效，可选值为：{', '.join(KINDS)}。"
    assert str(score.value) == "满意度 -1 超出 0 到 10 的范围。"
    assert str(unknown.value).startswith("客户 'c999' 不在此工作区中")
    assert labels == ("投诉", "电话", "无人接听", "maybe")
    assert len(rows(ws)) == 1
