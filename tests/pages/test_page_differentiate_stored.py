"""A manager opens Value, Pyramid, Matrix and Segments once the scores are stored (as after an
import): the figures on screen are the ones computed here from the raw rows, and the pages ask
the stored scores for their counts and the rows they show instead of reading every scored
customer into pandas and writing every customer's reasons (issue 15 §2)."""

import math

import pandas as pd
import pytest

from analysis import scores
from analysis import stored_scores as stored_scores_module
from analysis.settings import ReportSettings, SegmentSettings
from analysis.store import Workspace
from analysis.store.results import StoredResults
from tests.pagetest import open_page
from tests.pages.test_page_matrix import AS_OF, independent_cells


def raw_windows(db) -> pd.DataFrame:
    """Per customer, from the raw rows: revenue in the 12 months to the demo's last day
    (``rev``) and in the 12 months before (``prev``); customers without a purchase in either
    window are left out."""
    with Workspace(db) as ws:
        return ws.query(f"""
            SELECT customer_id,
                   sum(amount) FILTER (WHERE date > DATE '{AS_OF}' - INTERVAL 12 MONTH) AS rev,
                   sum(amount) FILTER (WHERE date <= DATE '{AS_OF}' - INTERVAL 12 MONTH) AS prev
            FROM transactions
            WHERE date > DATE '{AS_OF}' - INTERVAL 24 MONTH AND date <= DATE '{AS_OF}' AND customer_id IS NOT NULL
            GROUP BY 1""")


def shown(at, header: str) -> pd.DataFrame:
    """The first table on the page with the column ``header``."""
    return next(d.value for d in at.dataframe if header in d.value.columns)


@pytest.fixture()
def stored_demo(demo_copy, monkeypatch):
    """The demo with its scores stored, and a record of what the pages then read and write:
    the rows given a text (reasons, strategies, notes, names) per call, and every read of
    the whole stored per-customer frame into pandas."""
    with Workspace(demo_copy) as ws:
        scores.score_customers(ws, None, ReportSettings())
    record = {"worded": [], "whole_frame_reads": []}
    with_text = scores._with_text

    def counting(frame, *args, **kwargs):
        record["worded"].append(len(frame))
        return with_text(frame, *args, **kwargs)

    load_result, load_rows = StoredResults.load_result, StoredResults.load_result_rows

    def loading(self, key, parts=None):
        if parts is None or "frame" in parts:
            record["whole_frame_reads"].append(key)
        return load_result(self, key, parts)

    def loading_rows(self, key, part, column, value=None, columns=None):
        if part == "frame" and column is None:
            record["whole_frame_reads"].append(key)
        return load_rows(self, key, part, column, value, columns)

    monkeypatch.setattr(scores, "_with_text", counting)
    monkeypatch.setattr(StoredResults, "load_result", loading)
    monkeypatch.setattr(StoredResults, "load_result_rows", loading_rows)
    return demo_copy, record


def opened(db, record, page: str):
    """The app opened on its first screen, then ``page``, with only ``page``'s reads recorded."""
    at = open_page(db)
    for kept in record.values():
        kept.clear()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def customer_rows(at) -> int:
    """Rows of the customer lists on the page (tables with a customer column)."""
    return sum(len(d.value) for d in at.dataframe if "Customer" in d.value.columns)


def test_value_and_pyramid_figures_from_the_stored_scores(stored_demo):
    db, record = stored_demo
    w = raw_windows(db)
    active = w[w["rev"].notna()]
    s = SegmentSettings()

    at = opened(db, record, "value")
    metrics = {m.label: m.value for m in at.metric}
    # MVC: the top 20% of the active customers by profit (the demo's top fifth all earn a profit)
    assert metrics["Most valuable (MVC)"] == f"{math.ceil(len(active) * s.mvc_share - 1e-9):,}"
    with Workspace(db) as ws:
        buyers = int(ws.query(f"SELECT count(DISTINCT customer_id) AS n FROM transactions "
                              f"WHERE date <= DATE '{AS_OF}'")["n"].iloc[0])
    assert any(f"Showing 4,000 of {buyers:,} buyers" in c.value for c in at.caption)
    mvc = shown(at, "Why")
    assert len(mvc) == len(active) * s.mvc_share and mvc["Why"].str.startswith("Profit").all()
    assert record["whole_frame_reads"] == []  # counts and lists asked of the stored scores
    assert sum(record["worded"]) <= customer_rows(at)  # reasons written for the rows shown only

    at = opened(db, record, "pyramid")
    layers = shown(at, "Layer").set_index("Layer")
    ranked = active.sort_values(["rev", "customer_id"], ascending=[False, True]).reset_index(drop=True)
    top = math.ceil(len(active) * s.top_share - 1e-9)
    assert layers.loc["top", "Customers"] == top
    assert layers.loc["top", "Revenue ($)"] == pytest.approx(float(ranked["rev"].head(top).sum()), abs=0.5)
    assert layers.loc[["top", "big", "medium", "small"], "Customers"].sum() == len(active)
    assert layers.loc[["top", "big", "medium", "small"], "Revenue ($)"].sum() == pytest.approx(
        float(active["rev"].sum()), abs=2)
    assert len(at.dataframe[-1].value) == top  # the top layer's customers, listed
    assert record["whole_frame_reads"] == []
    assert sum(record["worded"]) <= customer_rows(at)


def test_matrix_and_segments_figures_from_the_stored_scores(stored_demo):
    db, record = stored_demo
    expected = independent_cells(db)
    s = SegmentSettings()

    at = opened(db, record, "matrix")
    start = next(d for d in at.warning).value
    picked = at.selectbox(key="mx_cell").value
    customers, revenue = expected[picked]
    assert f"{customers:,} customers" in start and f"\\${revenue:,.0f} of revenue" in start
    assert len(at.dataframe[-1].value) == customers
    assert record["whole_frame_reads"] == []
    assert sum(record["worded"]) <= customer_rows(at)

    w = raw_windows(db).fillna(0.0)
    before = w[w["prev"] > 0]
    change = before["rev"] - before["prev"]
    moved = before[(change.abs() >= before["prev"] * s.change_pct) & (change.abs() >= s.change_amount)]
    falling = int((moved["rev"] < moved["prev"]).sum())
    at = opened(db, record, "segments")
    counts = shown(at, "Share of buyers")
    with Workspace(db) as ws:
        buyers = int(ws.query(f"SELECT count(DISTINCT customer_id) AS n FROM transactions "
                              f"WHERE date <= DATE '{AS_OF}'")["n"].iloc[0])
    assert counts["Customers"].sum() == buyers  # every buyer in one RFM segment
    assert record["whole_frame_reads"] == []
    assert sum(record["worded"]) <= customer_rows(at)
    for kept in record.values():
        kept.clear()
    at.session_state["seg_tab"] = "Rising and falling"  # the next tab, opened
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Falling customers"] == f"{falling:,}"
    assert metrics["Rising customers"] == f"{len(moved) - falling:,}"
    falling_list = next(d.value for d in at.dataframe if "Change" in " ".join(map(str, d.value.columns)))
    assert len(falling_list) == min(falling, 1000)
    assert record["whole_frame_reads"] == []
    assert sum(record["worded"]) <= customer_rows(at)


def test_when_the_scores_could_not_be_stored_the_pages_show_the_same_figures(demo_copy, monkeypatch):
    """Another program held the workspace when the scores were to be stored (they are kept
    in this process only): the four pages show the same counts, tables and charts from the
    per-customer frame as from the stored scores."""
    def seen(page: str, **state) -> dict:
        at = open_page(demo_copy, page, **state)
        return {"metrics": [(m.label, m.value) for m in at.metric],
                "tables": [d.value.astype(str).to_dict("split") for d in at.dataframe],
                "charts": [c.proto.spec for c in at.get("plotly_chart")],
                "words": [e.value for kind in ("caption", "warning", "info") for e in at.get(kind)]}

    pages = [("value", {}), ("pyramid", {}), ("matrix", {}), ("segments", {}),
             ("segments", {"seg_tab": "Rising and falling"})]
    with Workspace(demo_copy) as ws:
        scores.score_customers(ws, None, ReportSettings())
    stored = [seen(page, **state) for page, state in pages]
    monkeypatch.setattr(stored_scores_module, "read_stored", lambda *args, **kwargs: None)
    kept = [seen(page, **state) for page, state in pages]
    for (page, _), a, b in zip(pages, stored, kept):
        assert a == b, page
