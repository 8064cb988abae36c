"""A manager reopens the app (a fresh process) on a workspace whose scores are stored: the CLV
and Clusters pages show the models (and the CLV page its holdout check) stored with the scores
and fit nothing, the Customer page
offers its customers without the whole per-customer frame (issue 15 §2). The figures are
checked against the purchases and the stored scores, read in plain SQL."""

import json

import duckdb
import pytest
import streamlit as st

from analysis.differentiate.clusters.model import CustomerClusters
from analysis.identify import customers
from analysis.predict import clv_data
from analysis.predict import fit as clv_fits
from tests.pagetest import open_page


def restart() -> None:
    """What a restarted app has kept: nothing but the workspace."""
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture()
def fits(monkeypatch) -> dict:
    """Counts of the model fits made from now on."""
    counted = {"clusters": 0, "clv choice": 0, "clv fit": 0, "clv check": 0}
    clusters_fit, choose, fit_clv = CustomerClusters.fit, clv_fits.choose_model, clv_data.fit_clv
    validation, churn = clv_fits.workspace_validation, clv_fits.workspace_churn

    def counted_clusters(self, features):
        counted["clusters"] += 1
        return clusters_fit(self, features)

    def counted_choice(*args, **kwargs):
        counted["clv choice"] += 1
        return choose(*args, **kwargs)

    def counted_fit(*args, **kwargs):
        counted["clv fit"] += 1
        return fit_clv(*args, **kwargs)

    def counted_check(check):
        def checking(*args, **kwargs):
            counted["clv check"] += 1
            return check(*args, **kwargs)
        return checking

    monkeypatch.setattr(CustomerClusters, "fit", counted_clusters)
    monkeypatch.setattr(clv_fits, "workspace_validation", counted_check(validation))
    monkeypatch.setattr(clv_fits, "workspace_churn", counted_check(churn))
    monkeypatch.setattr(clv_fits, "choose_model", counted_choice)
    monkeypatch.setattr(clv_fits, "fit_clv", counted_fit)
    monkeypatch.setattr(clv_data, "fit_clv", counted_fit)
    return counted


def stored_scores(db) -> duckdb.DuckDBPyConnection:
    """The workspace read directly, with the stored scores' frame as the view ``scored``."""
    con = duckdb.connect(str(db), read_only=True)
    tables = con.execute("SELECT tables_json FROM results WHERE kind = 'scores'").fetchall()
    assert len(tables) == 1
    con.execute(f'CREATE TEMP VIEW scored AS SELECT * FROM "{json.loads(tables[0][0])["frame"]}"')
    return con


def ids(options) -> list[str]:
    """The customer ids of the picker's options ("C00042 — Harbor Supplies")."""
    return [o.split(" — ")[0] for o in options]


def shown_number(text: str) -> float:
    return float(text.replace("$", "").replace(",", ""))


def test_the_clv_and_clusters_pages_reopened_fit_nothing_and_show_the_stored_figures(demo_copy, fits):
    first = open_page(demo_copy, "clv")  # the first visit computes and stores the scores
    first_metrics = {m.label: m.value for m in first.metric}
    first.switch_page("pages/clusters.py").run()
    first_clusters = [m.value for m in first.metric if m.label == "Clusters"]
    first_personas = first.selectbox(key="cl_cluster").options

    restart()
    fits.update({name: 0 for name in fits})
    at = open_page(demo_copy, "clv")
    metrics = {m.label: m.value for m in at.metric}
    at.switch_page("pages/clusters.py").run()
    assert not at.exception, at.exception
    assert fits == {"clusters": 0, "clv choice": 0, "clv fit": 0, "clv check": 0}

    with stored_scores(demo_copy) as con:
        as_of = con.execute("SELECT max(CAST(date AS DATE)) FROM transactions").fetchone()[0]
        buyers, repeat = con.execute(
            "WITH days AS (SELECT customer_id, CAST(date AS DATE) AS day FROM transactions "
            "WHERE CAST(date AS DATE) <= ? GROUP BY 1, 2 HAVING max(amount) >= 0) "
            "SELECT count(*), count(*) FILTER (WHERE n > 1) FROM (SELECT customer_id, count(*) AS n FROM days GROUP BY 1)",
            [as_of]).fetchone()
        total = con.execute("SELECT sum(clv) FROM scored").fetchone()[0]
        top = [r[0] for r in con.execute(
            "SELECT customer_id FROM scored WHERE clv IS NOT NULL ORDER BY clv DESC, customer_id LIMIT 50").fetchall()]
        sizes = dict(con.execute("SELECT cluster, count(*) FROM scored WHERE cluster IS NOT NULL GROUP BY 1").fetchall())
        biggest = con.execute("SELECT cluster FROM scored WHERE cluster IS NOT NULL "
                              "ORDER BY revenue DESC NULLS LAST, revenue_window DESC NULLS LAST, customer_id LIMIT 1"
                              ).fetchone()[0]
    assert metrics == first_metrics
    assert shown_number(metrics["Customers modelled"]) == buyers
    assert shown_number(metrics["Repeat buyers"]) == repeat
    horizon = next(k for k in metrics if k.startswith("Total CLV"))
    assert shown_number(metrics[horizon]) == pytest.approx(total, abs=0.5)  # shown to the unit

    at.switch_page("pages/clv.py").run()
    assert list(at.dataframe[0].value["Customer"]) == top

    at.switch_page("pages/clusters.py").run()
    assert [m.value for m in at.metric if m.label == "Clusters"] == first_clusters
    personas = at.selectbox(key="cl_cluster").options
    assert personas == first_personas
    assert [int(o.rsplit("(", 1)[1].rstrip(")").replace(",", "")) for o in personas] == [
        sizes[c] for c in range(len(personas))]
    listed = at.dataframe[-1].value
    assert len(listed) == min(sizes[0], 1000)
    assert set(listed["Persona"]) == {personas[0].rsplit(" (", 1)[0]} or set(listed["Persona"]) == {
        at.selectbox(key="cl_cluster").value}
    assert biggest == 0  # the list opens on the biggest spenders' group, richest first
    assert fits == {"clusters": 0, "clv choice": 0, "clv fit": 0, "clv check": 0}


def test_the_customer_page_reopened_offers_customers_without_the_whole_frame(demo_copy, monkeypatch):
    open_page(demo_copy, "customer")  # the first visit stores the scores
    restart()
    frames = []
    with_customer = customers.with_customer

    def recorded(matches, frame, customer_id):
        frames.append(len(frame))
        return with_customer(matches, frame, customer_id)

    monkeypatch.setattr(customers, "with_customer", recorded)
    monkeypatch.setattr(customers, "biggest", lambda *a, **k: pytest.fail("the biggest read from every customer"))
    with stored_scores(demo_copy) as con:
        biggest = [r[0] for r in con.execute(
            "SELECT customer_id FROM scored ORDER BY revenue_window DESC NULLS LAST, revenue DESC NULLS LAST, "
            "customer_id LIMIT 50").fetchall()]
        linked, clv = con.execute("SELECT customer_id, clv FROM scored WHERE clv IS NOT NULL "
                                  "ORDER BY customer_id DESC LIMIT 1").fetchone()
    at = open_page(demo_copy, "customer")
    assert ids(next(s for s in at.selectbox if s.label == "Customer").options) == biggest

    restart()
    at = open_page(demo_copy, "customer", params={"customer": linked})  # a shared link
    picker = next(s for s in at.selectbox if s.label == "Customer")
    assert picker.value == linked and ids(picker.options) == [linked, *[c for c in biggest if c != linked]]
    assert frames == [1]  # the linked customer's row alone
    tiles = {m.label: m.value for m in at.metric}
    assert shown_number(next(v for k, v in tiles.items() if k.startswith("CLV, next"))) == pytest.approx(clv, abs=0.5)
