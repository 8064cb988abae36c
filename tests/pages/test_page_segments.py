"""The Segments page (RFM, rising and falling, ideal customer profile) through AppTest."""

import json
import re

from analysis.differentiate.rfm import SEGMENT_NAMES
from tests.builders import buyers, make_workspace
from tests.pagetest import open_page
from tests.pages.test_page_pyramid import transactions_only
from ui.lists import MAX_SHOWN


def table_with(at, column):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_segments_on_demo(demo_copy):
    at = open_page(demo_copy, "segments")
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    grid = charts[0]["data"][0]
    assert len(grid["z"]) == 5 and len(grid["z"][0]) == 5
    counts = table_with(at, "Segment")
    assert list(counts["Segment"]) == SEGMENT_NAMES
    assert counts["Customers"].sum() == sum(sum(r) for r in grid["z"])
    at.selectbox(key="rfm_segment").set_value("at risk").run()
    assert not at.exception
    listed = table_with(at, "RFM segment")
    expected = int(counts.loc[counts["Segment"] == "at risk", "Customers"].item())
    assert len(listed) == min(expected, MAX_SHOWN) and set(listed["RFM segment"]) == {"at risk"}
    # a cell of the R x F grid (clicked or picked) lists exactly the customers counted in it
    markers = charts[0]["data"][1]
    assert len(markers["customdata"]) == 25 and markers["marker"]["opacity"] < 0.05
    lists_before = [d.value for d in at.dataframe if "RFM segment" in d.value.columns]
    at.selectbox(key="rfm_cell").set_value("1/5").run()
    assert not at.exception
    cell = [d.value for d in at.dataframe if "RFM segment" in d.value.columns][0]
    assert len(lists_before) == 1 and len(cell) == grid["z"][-1][-1] > 0  # R1 is the last row, F5 the last column
    assert set(cell["R"]) == {1} and set(cell["F"]) == {5}
    assert cell["Revenue, all time ($)"].is_monotonic_decreasing  # the demo is in US dollars
    # rising and falling: a tab that runs when it is opened
    at.session_state["seg_tab"] = "Rising and falling"
    at.run()
    assert not at.exception
    metrics = {m.label: int(m.value.replace(",", "")) for m in at.metric}
    assert metrics["Falling customers"] > 0 and metrics["Rising customers"] > 0
    falling = table_with(at, "Change ($)")
    assert len(falling) == min(metrics["Falling customers"], MAX_SHOWN) and (falling["Change ($)"] < 0).all()
    assert any(m.value == f"**{metrics['Falling customers']:,} customers**" for m in at.markdown)
    # ideal customer profile: lifts chart and ranked look-alikes with the explanation
    at.session_state["seg_tab"] = "Ideal customer profile"
    at.run()
    assert not at.exception
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    lifts = next(c for c in charts if "lift" in c["layout"]["title"]["text"])
    assert any(y.startswith("channel: ") for y in lifts["data"][0]["y"])
    looks = table_with(at, "Look-alike score")
    # a lift bar (clicked or picked) lists the top customers having that value
    bar = max((cd for cd in lifts["data"][0]["customdata"] if cd[0].startswith("channel=")), key=lambda cd: cd[1])
    at.selectbox(key="icp_trait").set_value(bar[0]).run()
    assert not at.exception
    top = table_with(at, "Main category")
    assert set(top["Channel"]) == {bar[0].split("=", 1)[1]}
    n_top = int(re.search(r"by revenue \(([\d,]+) customers\)", next(
        m.value for m in at.markdown if "of active customers by revenue" in m.value)).group(1).replace(",", ""))
    assert len(top) == round(bar[1] * n_top) > 0  # the bar's share of the top customers
    assert top["Revenue in window ($)"].is_monotonic_decreasing
    assert len(looks) > 0 and looks["Look-alike score"].is_monotonic_decreasing
    assert any(c.value.startswith("Score: for each known attribute") for c in at.caption)


def test_segments_with_only_transactions(tmp_path):
    at = open_page(transactions_only(tmp_path), "segments")
    assert table_with(at, "Segment")["Customers"].sum() == 40
    at = open_page(transactions_only(tmp_path), "segments", seg_tab="Ideal customer profile")
    assert any("No region, industry or channel is known" in i.value for i in at.info)
    at = open_page(transactions_only(tmp_path), "segments", seg_tab="Rising and falling")
    assert {m.label for m in at.metric} == {"Falling customers", "Rising customers"}


def test_segments_with_too_few_customers_explains(tmp_path):
    ws = make_workspace(tmp_path, transactions=buyers([10.0, 20.0]))
    ws.close()
    at = open_page(ws.path, "segments", seg_tab="Ideal customer profile")
    assert any("at least 5 active customers" in i.value for i in at.info)
