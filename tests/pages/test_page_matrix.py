"""The satisfaction-by-volume page through AppTest on the demo company and a transactions-only
workspace: where to start (the most urgent cell, picked and outlined, with its customers and
revenue at stake), colour by urgency, customers without a survey as a row of the grid, the
A/B/C/D legend, and the workshop slide drawn the same way."""

import json
import re

from analysis.workshop import story
from analysis.differentiate.matrix import ABCD_CLASSES, CELLS, URGENCY
from analysis.store import Workspace
from tests.pagetest import open_page
from tests.pages.test_page_pyramid import transactions_only

AS_OF = "2026-06-30"  # the demo's last purchase


def independent_cells(db) -> dict[str, tuple[int, float]]:
    """{cell: (customers, window revenue)} computed here in SQL from the definitions: active =
    a purchase in the 12 months to the as-of date; volume thirds by window revenue (ties by id,
    high gets the extra), zero or negative revenue low; satisfaction from the latest survey
    on a 5-point scale (high >= 4, low <= 2, none without one)."""
    with Workspace(db) as ws:
        rows = ws.query(f"""
            WITH w AS (SELECT customer_id, sum(amount) AS rev FROM transactions
                       WHERE date > DATE '{AS_OF}' - INTERVAL 12 MONTH AND date <= DATE '{AS_OF}' GROUP BY 1),
                 v AS (SELECT *, ntile(3) OVER (ORDER BY rev DESC, customer_id) AS third FROM w),
                 s AS (SELECT customer_id, satisfaction / coalesce(scale, 5) * 5 AS sat,
                              row_number() OVER (PARTITION BY customer_id ORDER BY occurred_at DESC) AS k
                       FROM interactions WHERE satisfaction IS NOT NULL AND occurred_at < DATE '{AS_OF}' + 1)
            SELECT CASE WHEN rev > 0 AND third = 1 THEN 'high' WHEN rev > 0 AND third = 2 THEN 'medium' ELSE 'low' END
                   || '/' || CASE WHEN s.sat IS NULL THEN 'none' WHEN s.sat >= 4 THEN 'high'
                                  WHEN s.sat <= 2 THEN 'low' ELSE 'medium' END AS cell,
                   count(*) AS customers, sum(rev) AS revenue
            FROM v LEFT JOIN s ON s.customer_id = v.customer_id AND s.k = 1 GROUP BY 1""")
    return {r.cell: (int(r.customers), float(r.revenue)) for r in rows.itertuples()}


def test_the_most_urgent_cell_is_where_to_start(demo_copy):
    expected = independent_cells(demo_copy)
    start = next(c for c in URGENCY if expected.get(c, (0,))[0] > 0)  # the most urgent cell with customers
    customers, revenue = expected[start]
    at = open_page(demo_copy, "matrix")
    line = at.warning[0].value
    assert line.startswith(f"**Start here: {CELLS[start]['strategy']}.**")
    assert f"{customers:,} customers" in line and f"\\${revenue:,.0f} of revenue" in line
    assert at.selectbox(key="mx_cell").value == start  # picked by default ...
    listed = at.dataframe[-1].value
    assert len(listed) == customers  # ... with its customers listed, biggest window revenue first
    assert list(listed["Revenue in window ($)"]) == sorted(listed["Revenue in window ($)"], reverse=True)
    heat = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    by_cell = {cd[0]: (z, text) for zrow, trow, crow in zip(heat["z"], heat["text"], heat["customdata"])
               for z, text, cd in zip(zrow, trow, crow)}
    z, text = by_cell[start]
    assert z == max(v[0] for v in by_cell.values()) and "Start here" in text  # the most prominent cell
    assert sum(1 for v in by_cell.values() if "Start here" in v[1]) == 1


def test_colour_is_urgency_and_customers_without_a_survey_are_a_row(demo_copy):
    expected = independent_cells(demo_copy)
    at = open_page(demo_copy, "matrix")
    heat = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert heat["y"] == ["high satisfaction", "medium satisfaction", "low satisfaction", "no survey"]
    assert heat["x"] == ["low volume", "medium volume", "high volume"]  # A top right
    cells = {cd[0]: (z, text) for zrow, trow, crow in zip(heat["z"], heat["text"], heat["customdata"])
             for z, text, cd in zip(zrow, trow, crow)}
    assert set(cells) == set(CELLS)  # twelve cells: the nine and the no-survey row
    for cell, (z, text) in cells.items():
        customers = expected.get(cell, (0, 0.0))[0]
        assert f"{customers:,} customer" in text.replace("<br>", " ")
    # the same urgency, the same colour, whatever the revenue: high/high (A, the most revenue)
    # and low/high share the calm colour; the unhappy medium-volume cell is red
    assert cells["high/high"][0] == cells["low/high"][0] < cells["medium/medium"][0] < cells["medium/low"][0]
    assert expected["high/high"][1] > 10 * expected["medium/low"][1]
    # the A/B/C/D legend lists exactly the classes drawn in the cells
    drawn = {m.group(1) for _, text in cells.values() for m in [re.search(r"<b>([ABCD])</b>", text)] if m}
    legend = next(m.value for m in at.markdown if m.value.startswith("**Classes**"))
    assert {m for m in re.findall(r"\*\*([ABCD])\*\* · ", legend)} == drawn == set(ABCD_CLASSES)
    for letter, spec in ((CELLS[c]["abcd"], c) for c in CELLS if CELLS[c]["abcd"]):
        assert f"<b>{letter}</b>" in cells[spec][1]


def test_a_click_on_a_cell_picks_it_and_the_workshop_slide_has_the_same_grid(demo_copy):
    at = open_page(demo_copy, "matrix")
    page_heat = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    at.selectbox(key="mx_cell").set_value("medium/none").run()
    assert not at.exception
    assert any(CELLS["medium/none"]["strategy"] in m.value for m in at.markdown)
    listed = at.dataframe[-1].value
    assert set(listed["Matrix cell"]) == {"medium volume · no survey"}
    with Workspace(demo_copy) as ws:
        slide = next(s for s in story.build_story(ws.tables()) if s.key == "matrix")
    slide_heat = slide.figure.data[0]
    assert list(slide_heat.y) == page_heat["y"] and list(slide_heat.x) == page_heat["x"]
    assert [list(r) for r in slide_heat.z] == page_heat["z"]
    assert slide.figure.layout.yaxis.autorange == "reversed"  # high satisfaction on top, as on the page
    assert "Start here" in slide.note


def test_matrix_without_surveys_says_so_and_starts_with_the_key_accounts(tmp_path):
    at = open_page(transactions_only(tmp_path), "matrix")
    assert any("No satisfaction scores yet" in i.value for i in at.info)
    assert not at.get("plotly_chart")
    volumes = at.dataframe[0].value
    assert list(volumes["Volume"]) == ["high volume", "medium volume", "low volume"]
    assert volumes["Customers"].sum() == 30
    assert len(at.selectbox(key="mx_cell").options) == 3
    assert at.selectbox(key="mx_cell").value == "high/none"
    assert at.warning[0].value.startswith(f"**Start here: {CELLS['high/none']['strategy']}.** 10 customers")
    at.selectbox(key="mx_cell").set_value("low/none").run()
    assert len(at.dataframe[-1].value) == 10
