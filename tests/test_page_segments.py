"""The Segments page (RFM, rising and falling, ideal customer profile) through AppTest."""

import json

from analysis.rfm import SEGMENT_NAMES
from tests.builders import buyers, make_workspace
from tests.pagetest import open_page
from tests.test_page_pyramid import transactions_only
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
    # rising and falling
    metrics = {m.label: int(m.value.replace(",", "")) for m in at.metric}
    assert metrics["Falling customers"] > 0 and metrics["Rising customers"] > 0
    falling = table_with(at, "Change")
    assert len(falling) == min(metrics["Falling customers"], MAX_SHOWN) and (falling["Change"] < 0).all()
    assert any(m.value == f"**{metrics['Falling customers']:,} customers**" for m in at.markdown)
    # ideal customer profile: lifts chart and ranked look-alikes with the explanation
    lifts = next(c for c in charts if "lift" in c["layout"]["title"]["text"])
    assert any(y.startswith("channel: ") for y in lifts["data"][0]["y"])
    looks = table_with(at, "Look-alike score")
    assert len(looks) > 0 and looks["Look-alike score"].is_monotonic_decreasing
    assert any(c.value.startswith("Score: for each known attribute") for c in at.caption)


def test_segments_with_only_transactions(tmp_path):
    at = open_page(transactions_only(tmp_path), "segments")
    assert table_with(at, "Segment")["Customers"].sum() == 40
    assert any("No region, industry or channel is known" in i.value for i in at.info)
    assert {m.label for m in at.metric} == {"Falling customers", "Rising customers"}


def test_segments_with_too_few_customers_explains(tmp_path):
    ws = make_workspace(tmp_path, transactions=buyers([10.0, 20.0]))
    ws.close()
    at = open_page(ws.path, "segments")
    assert any("at least 5 active customers" in i.value for i in at.info)
