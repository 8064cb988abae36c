"""The satisfaction-by-volume page through AppTest on the demo company and a transactions-only workspace."""

import json

from analysis.matrix import CELLS
from tests.pagetest import open_page
from tests.test_page_pyramid import transactions_only


def test_matrix_on_demo_shows_nine_cells_and_a_cell_list(demo_copy):
    at = open_page(demo_copy, "matrix")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    heat = spec["data"][0]
    cells = [c for row in heat["text"] for c in row]
    assert len(cells) == 9 and all(c for c in cells)
    assert any(c.startswith("<b>A</b> Partner with key accounts") for c in cells)
    assert {c.split("</b>")[0][3:] for c in cells} == {"A", "B", "C", "D"}
    none = next(d.value for d in at.dataframe if "Strategy" in d.value.columns)
    assert list(none["Volume"]) == ["high volume", "medium volume", "low volume"]  # "no survey" kept apart
    options = at.selectbox(key="mx_cell").options
    assert len(options) == 12
    at.selectbox(key="mx_cell").set_value("high/low").run()
    assert not at.exception
    assert any(CELLS["high/low"]["strategy"] in m.value for m in at.markdown)
    assert any(CELLS["high/low"]["actions"][0] in m.value for m in at.markdown)
    listed = at.dataframe[-1].value
    count = int(heat["z"][0][0])  # high volume x low satisfaction (columns run low..high)
    assert len(listed) == count > 0 and set(listed["Matrix cell"]) == {"high volume · low satisfaction"}


def test_matrix_without_surveys_says_so_and_shows_volume_tiers(tmp_path):
    at = open_page(transactions_only(tmp_path), "matrix")
    assert any("No satisfaction scores yet" in i.value for i in at.info)
    assert not at.get("plotly_chart")
    volumes = at.dataframe[0].value
    assert list(volumes["Volume"]) == ["high volume", "medium volume", "low volume"]
    assert volumes["Customers"].sum() == 30
    assert at.selectbox(key="mx_cell").options == [
        o for o in at.selectbox(key="mx_cell").options if "no survey" in o] and len(at.selectbox(key="mx_cell").options) == 3
    at.selectbox(key="mx_cell").set_value("low/none").run()
    assert len(at.dataframe[-1].value) == 10
