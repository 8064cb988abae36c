"""The IDIC worksheet: figures per step from the data, decisions saved with the workspace."""

from analysis.workshop import story, worksheet
from analysis.settings import ReportSettings, SegmentSettings
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


def in_currency(symbol: str) -> ReportSettings:
    return ReportSettings(SegmentSettings(currency=symbol))


def four_buyers(tmp_path, *more_contacts: dict):
    """Four customers who bought on one day (800, 100, 60, 40); c1 complained and was called."""
    return make_workspace(
        tmp_path,
        transactions=[{"customer_id": c, "date": "2024-05-01", "amount": a}
                      for c, a in (("c1", 800.0), ("c2", 100.0), ("c3", 60.0), ("c4", 40.0))],
        interactions=[{"customer_id": "c1", "occurred_at": "2024-04-02", "kind": "complaint"},
                      {"customer_id": "c1", "occurred_at": "2024-04-03", "kind": "call"}, *more_contacts],
    )


def test_facts_per_step_from_a_tiny_workspace(tmp_path):
    ws = four_buyers(tmp_path, {"customer_id": "c2", "occurred_at": "2024-04-04", "kind": "survey",
                                "satisfaction": 4, "scale": 5})
    try:
        data = story.story_data(ws.tables(), settings=in_currency("$"))
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


def test_facts_and_questions_read_in_chinese(tmp_path):
    from analysis import i18n

    ws = four_buyers(tmp_path)
    try:
        with i18n.using("zh"):
            data = story.story_data(ws.tables(), settings=in_currency("¥"))
            facts = worksheet.facts(data)
            sheet = worksheet.worksheet(data, {})
    finally:
        ws.close()
    assert facts["identify"][:3] == ["4 位客户；4 位活跃（近 12 个月内有购买）。",
                                     "截至 2024年5月1日，4 笔订单带来收入 ¥1,000。",
                                     "前 20% 的购买客户贡献了近 12 个月 80% 的收入。"]
    assert facts["differentiate"][0].startswith("客户金字塔：顶级客户 1，大客户 0，中等客户 0，小客户 3，")
    assert facts["interact"] == [
        "1 位客户（25%）至少有过一次接触（电话、拜访、电子邮件、投诉）；共 2 次接触。",
        "记录了 1 次投诉。", "0 位客户（0%）回答了满意度调查。"]
    assert sheet[0].question == "我们能叫出哪些客户的名字？要更了解他们，还缺少哪些数据？"
