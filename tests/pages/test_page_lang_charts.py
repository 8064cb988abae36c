"""Charts read in the viewer's language, as a manager reads them: months as months."""

from __future__ import annotations

import json
import re

from analysis.store import Workspace
from tests.pagetest import open_page

EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _month_label(key: str, lang: str) -> str:
    year, month = int(key[:4]), int(key[5:7])
    return f"{year}年{month}月" if lang == "zh" else f"{EN_MONTHS[month - 1]} {year}"


def _assert_month_axis(spec: dict, months: list[str], lang: str) -> None:
    """One bar per month with a purchase; a tick on the first bar, then every bar or every 2,
    3, 6 or 12 months, at most 12, each written as a month in ``lang``."""
    bars = list(spec["data"][0]["x"])
    assert bars == months
    axis = spec["layout"]["xaxis"]
    ticks, texts = list(axis["tickvals"]), list(axis["ticktext"])
    step = next(s for s in (1, 2, 3, 6, 12) if -(-len(bars) // s) <= 12)
    assert ticks == bars[::step]
    assert texts == [_month_label(m, lang) for m in ticks]
    if lang == "zh":
        assert all(re.fullmatch(r"\d{4}年\d{1,2}月", x) for x in texts)
    hover_header = {row[4] for row in spec["data"][0]["customdata"]}
    assert hover_header == {_month_label(m, lang) for m in bars}


def test_the_workshops_revenue_by_month_reads_one_tick_per_month_or_step_in_both_languages(demo_copy):
    with Workspace(demo_copy, read_only=True) as ws:  # the months with a purchase line, from the rows
        months = sorted(ws.query('SELECT DISTINCT strftime("date", \'%Y-%m\') AS m FROM "transactions"')["m"])
    for lang in ("en", "zh"):
        at = open_page(demo_copy, "present", params={"lang": lang})
        spec = json.loads(at.get("plotly_chart")[0].proto.spec)
        _assert_month_axis(spec, months, lang)


def test_the_overviews_revenue_by_month_reads_months_in_chinese(demo_copy):
    with Workspace(demo_copy, read_only=True) as ws:
        months = sorted(ws.query('SELECT DISTINCT strftime("date", \'%Y-%m\') AS m FROM "transactions"')["m"])
    at = open_page(demo_copy, "overview", params={"lang": "zh"})
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    monthly = next(s for s in specs if s["data"][0].get("type") == "bar" and len(s["data"][0].get("customdata") or [])
                   and str(s["data"][0]["customdata"][0][0])[:4].isdigit())
    _assert_month_axis(monthly, months, "zh")


def test_the_personas_names_on_the_clusters_sizes_chart_are_never_cut_in_chinese(demo_copy):
    """The Chinese persona names are long: the bars' axis makes room for each whole, and its
    title stands clear of them (the names were cut at the left edge, under the axis title)."""
    at = open_page(demo_copy, "clusters", params={"lang": "zh"})
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    sizes = next(s for s in specs if s["data"][0].get("type") == "bar" and s["data"][0].get("orientation") == "h")
    names = list(sizes["data"][0]["y"])
    assert names and all(re.search(r"[\u4e00-\u9fff]", n) and not n.endswith("…") for n in names)
    axis = sizes["layout"]["yaxis"]
    assert axis["automargin"] is True and axis["title"]["standoff"] > 0 and axis["title"]["text"] == "客户画像"


def test_a_customer_with_a_few_days_of_history_reads_days_not_hours_on_the_timeline(demo_copy):
    """A shop's first week: the timeline's ticks are one a day, written as days (plotly's own
    fell every 12 hours, "00:00" and "12:00", which a purchase on a day does not have)."""
    from tests.pagetest import import_files

    orders = ("Customer,Order,Date,Amount\n"
              "K1,A1,2019-03-08,100.00\nK1,A2,2019-03-12,255.00\nK2,A3,2019-03-10,40.00\n").encode()
    import_files(demo_copy, "week", [("orders.csv", orders)])
    days = 12 - 8  # K1's first and last purchase, from the rows
    for lang in ("en", "zh"):
        at = open_page(demo_copy.parent / "week.duckdb", "customer", params={"lang": lang})
        specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
        timeline = next(s for s in specs if s["layout"].get("xaxis", {}).get("rangeslider"))
        axis = timeline["layout"]["xaxis"]
        assert axis["dtick"] == 86_400_000 and str(axis["tick0"]).startswith("2019-03-08")
        assert days <= 14
        if lang == "en":
            assert "%H" not in axis["tickformat"] and "%b" in axis["tickformat"]
        else:
            assert any("月" in stop["value"] for stop in axis["tickformatstops"])
