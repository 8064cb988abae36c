"""The Overview's figures kept in the workspace (analysis/identify/first_screen.py): read from
the stored scores or grouped from the purchase lines, they are the same to the cent, and a
later reader gets exactly what was computed."""

from __future__ import annotations

import pandas as pd

from analysis.identify import first_screen
from analysis.identify.facts import customer_facts, facts_frame, resolve_as_of, with_stored_facts
from analysis.scores import score_customers, stored_table
from analysis.settings import ReportSettings
from analysis.store import Workspace, to_frame


def same(a, b) -> None:
    assert set(a) == set(b)
    for name in a:
        x, y = a[name], b[name]
        if isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x.reset_index(drop=True), y.reset_index(drop=True), check_exact=True)
        elif isinstance(x, tuple):
            pd.testing.assert_frame_equal(x[0], y[0], check_exact=True)
            assert x[1:] == y[1:], name
        else:
            assert x == y, name


def test_the_stored_scores_give_the_same_overview_as_the_purchase_lines(demo_copy):
    """The demo company's scores stored as after an import: every Overview figure read from
    them equals the one grouped from the purchase lines (money to the cent, float for float),
    and so does every per-customer fact."""
    with Workspace(demo_copy) as ws:
        score_customers(ws, None, ReportSettings())
        tables = ws.tables()
        as_of = resolve_as_of(tables)
        stored = stored_table(ws, as_of, ReportSettings())
        assert stored is not None
        same(first_screen.figures(tables, as_of, 12, stored), first_screen.figures(tables, as_of, 12))
        from_scores = to_frame(customer_facts(with_stored_facts(tables, stored, as_of, 12), as_of, 12)
                               .order_by("customer_id"))
        pd.testing.assert_frame_equal(from_scores, facts_frame(tables, as_of, 12), check_exact=True,
                                      check_dtype=False)


def test_stored_figures_are_read_back_as_computed_and_renewed_with_the_data(demo_copy):
    """Stored once, read back identical (in the reader's language for a missing figure); a new
    contact inside the period gives a new key, so the figures are computed again."""
    from analysis.i18n import using

    with Workspace(demo_copy) as ws:
        as_of = resolve_as_of(ws.tables())
        first = first_screen.stored_figures(ws, as_of, 6)
        key = first_screen.result_key(ws, as_of, 6)
        assert ws.has_result(key)
        same(first_screen.stored_figures(ws, as_of, 6), first)
        same(first, first_screen.figures(ws.tables(), as_of, 6))
        with using("zh"):
            assert first_screen.stored_figures(ws, as_of, 6)["kpis"] == first["kpis"]
        ws.execute('INSERT INTO "interactions" ("interaction_id", "customer_id", "occurred_at", "kind") '
                   'VALUES (999999, \'C00001\', ?, \'contact\')', [pd.Timestamp(as_of)])
        assert first_screen.result_key(ws, as_of, 6) != key


def test_a_missing_breakdown_is_kept_with_its_reason(tmp_path):
    """Purchases without regions or categories: the reason comes back, in Chinese for a
    Chinese reader, from the stored figures too."""
    from analysis.errors import NotEnoughData
    from analysis.i18n import lookup, using
    from tests.builders import buyers, make_workspace

    ws = make_workspace(tmp_path, transactions=buyers([10, 20, 30]))
    as_of = resolve_as_of(ws.tables())
    first_screen.stored_figures(ws, as_of, 12)  # computed and stored
    with using("zh"):
        found = first_screen.stored_figures(ws, as_of, 12)  # read back
    assert isinstance(found["region"], NotEnoughData)
    assert str(found["region"]) == lookup(first_screen.overview.NO_BREAKDOWN["region"], "zh")
    assert found["kpis"]["revenue"] == 60.0
    ws.close()


def test_the_date_range_read_without_ibis_is_the_engines(demo_copy, tmp_path):
    """The sidebar's date range (DuckDB alone, for the first screen) is facts.data_range's,
    on the demo, on a workspace with purchases only, and on an empty one."""
    from analysis.identify.facts import data_range, span_of
    from tests.builders import buyers, make_workspace

    with Workspace(demo_copy, read_only=True) as ws:
        assert span_of(ws.date_bounds()) == data_range(ws.tables())
    shop = make_workspace(tmp_path, transactions=buyers([5, 7], date="2024-02-29"), name="shop.duckdb")
    assert span_of(shop.date_bounds()) == data_range(shop.tables()) == (pd.Timestamp("2024-02-29").date(),) * 2
    shop.close()
    empty = make_workspace(tmp_path, name="empty.duckdb")
    assert span_of(empty.date_bounds()) is None and data_range(empty.tables()) is None
    empty.close()
