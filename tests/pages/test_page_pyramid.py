"""The Customer pyramid page through AppTest on the demo company and a transactions-only workspace."""

import json

from analysis.differentiate.pyramid import TIERS
from tests.builders import buyers, make_workspace
from tests.pagetest import open_page


def transactions_only(tmp_path):
    """30 buyers this year, 10 who bought only two years ago; no customer list, no surveys."""
    rows = buyers([10 * (n + 1) for n in range(30)], date="2024-06-01")
    rows += buyers([5.0] * 10, date="2022-03-01", prefix="old")
    ws = make_workspace(tmp_path, transactions=rows)
    ws.close()
    return ws.path


def layers_table(at):
    return next(d.value for d in at.dataframe if "Layer" in d.value.columns)


def test_pyramid_on_demo_shows_seven_layers_and_lists_a_layer(demo_copy):
    at = open_page(demo_copy, "pyramid")
    layers = layers_table(at)
    assert list(layers["Layer"]) == list(TIERS)
    assert layers["Customers"].sum() == 6000
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert list(spec["data"][0]["y"]) == list(TIERS)
    assert any("top:" in t for t in spec["data"][0]["text"])
    grid = json.loads(at.get("plotly_chart")[1].proto.spec)
    sankey = json.loads(at.get("plotly_chart")[2].proto.spec)
    assert sankey["data"][0]["type"] == "sankey"
    # a cell of the migration grid (clicked or picked) lists the customers who made that move
    cells = {cd[0]: cd[1] for cd in grid["data"][1]["customdata"]}
    assert sum(cells.values()) == layers["Customers"].sum() == sum(sankey["data"][0]["link"]["value"])
    assert at.selectbox(key="pyr_move").value is None
    at.selectbox(key="pyr_move").set_value("big->medium").run()
    assert not at.exception
    moved = next(d.value for d in at.dataframe if "Tier one window ago" in d.value.columns)
    assert len(moved) == cells["big->medium"] > 0
    assert set(moved["Tier one window ago"]) == {"big"} and set(moved["Pyramid tier"]) == {"medium"}
    assert moved["Revenue, window before ($)"].is_monotonic_decreasing  # the demo is in US dollars
    # the layer picker lists that layer's customers, as many as the layer holds
    at.selectbox(key="pyr_tier").set_value("big").run()
    assert not at.exception
    big = int(layers.loc[layers["Layer"] == "big", "Customers"].item())
    listed = at.dataframe[-1].value
    assert len(listed) == big and set(listed["Pyramid tier"]) == {"big"}
    assert any(m.value == f"**{big:,} customers**" for m in at.markdown)


def test_pyramid_with_only_transactions(tmp_path):
    at = open_page(transactions_only(tmp_path), "pyramid")
    layers = layers_table(at).set_index("Layer")["Customers"]
    assert layers["inactive"] == 10 and layers["prospect"] == 0 and layers["suspect"] == 0
    assert layers[["top", "big", "medium", "small"]].sum() == 30
    at.selectbox(key="pyr_tier").set_value("inactive").run()
    assert not at.exception
    assert len(at.dataframe[-1].value) == 10


def test_a_tier_lists_its_customers_by_revenue_and_a_click_opens_one(demo_copy):
    from analysis.store import Workspace

    with Workspace(demo_copy) as ws:  # window revenue of every customer, computed here
        spent = ws.query("SELECT customer_id, sum(amount) AS rev FROM transactions "
                         "WHERE date > DATE '2025-06-30' AND date <= DATE '2026-06-30' GROUP BY 1")
    revenue = dict(zip(spent.customer_id, spent.rev))
    at = open_page(demo_copy, "pyramid")
    at.selectbox(key="pyr_tier").set_value("big").run()
    listed = next(d.value for d in at.dataframe if "Revenue in window ($)" in d.value.columns
                  and "Tier one window ago" in d.value.columns and set(d.value["Pyramid tier"]) == {"big"})
    ids = list(listed["Customer"])
    assert ids == sorted(ids, key=lambda c: (-revenue[c], c))  # biggest spenders of the window first
    at.session_state["pyr_list_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    assert [sb.value for sb in at.selectbox if sb.label == "Customer"] == [ids[0]]


def test_the_pyramid_and_its_moves_come_from_the_stored_tiers(demo_copy, monkeypatch):
    """A manager opens the pyramid once the scores are stored (as after an import): the
    layers and the moves between layers are counted from the stored tiers (now and one window
    earlier), without computing the per-customer facts from the purchases again; the layers
    add up to every customer in the raw rows."""
    import duckdb

    from analysis.identify import facts
    from analysis.scores import score_customers
    from analysis.settings import ReportSettings
    from analysis.store import Workspace

    with Workspace(demo_copy) as ws:
        score_customers(ws, None, ReportSettings())
    with duckdb.connect(str(demo_copy), read_only=True) as con:
        everyone = con.execute("SELECT count(*) FROM (SELECT customer_id FROM customers UNION "
                               "SELECT customer_id FROM transactions WHERE customer_id IS NOT NULL UNION "
                               "SELECT customer_id FROM interactions WHERE customer_id IS NOT NULL)").fetchone()[0]
    built = []
    original = facts._customer_facts
    monkeypatch.setattr(facts, "_customer_facts", lambda *a, **k: built.append(a[1:]) or original(*a, **k))
    at = open_page(demo_copy)  # the app opens on the Overview (its own computation of the facts)
    built.clear()
    at.switch_page("pages/pyramid.py").run()
    assert not at.exception
    assert layers_table(at)["Customers"].sum() == everyone
    assert built == []  # neither now nor one window earlier: both tiers are stored
