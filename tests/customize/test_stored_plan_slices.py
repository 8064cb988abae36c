"""A whole-plan download read and written in slices (issue 15: the whole plan under 2 GB at a
million customers): a consultant downloads the demo's whole plan, then a narrowed one, after
the app stored it; each is written a slice at a time, never more than a slice's rows at once,
and is the very frame written in one piece and the plan worked out before it was stored."""

from __future__ import annotations

import pandas as pd

from analysis import money
from analysis.customize import plan as worked, runner, stored_plan
from analysis.scores import score_customers
from analysis.settings import ActionSettings, ReportSettings, SegmentSettings
from analysis.store import Workspace
from tests.builders import row_counts


def test_whole_plan_download_is_written_in_slices_and_equals_one_piece(demo_copy, monkeypatch):
    with Workspace(demo_copy) as ws:
        settings = ReportSettings(segments=SegmentSettings(currency=money.symbol(ws.currency())))
        actions = ActionSettings(window_months=settings.window_months, currency=settings.currency)
        scores = score_customers(ws, None, settings)
        before = worked.action_list(ws, None, None, None, settings, actions, scores)  # not stored yet
        assert stored_plan.store(ws, None, settings, actions, scores)
        plan = stored_plan.read(ws, None, settings, actions, scores)
        total = plan.meta["rows"]
        assert total == len(before) > 1000
        narrowed = {"tier": ["top", "big"]}

        monkeypatch.setattr(stored_plan, "SLICE_ROWS", 10 ** 9)
        one_piece = plan.render(None, None), plan.render(narrowed, None)

        sizes = row_counts(monkeypatch, runner, "render")
        monkeypatch.setattr(stored_plan, "SLICE_ROWS", 300)
        sliced = plan.render(None, None)
        assert len(sizes) == -(-total // 300) >= 4 and max(sizes) <= 300 and sum(sizes) == total
        sizes.clear()
        sliced_narrowed = plan.render(narrowed, None)
        assert len(sizes) >= 2 and max(sizes) <= 300
        listed = stored_plan.action_list(ws, None, None, None, settings, actions, scores)

    # identical: every column, order, dtype and index
    pd.testing.assert_frame_equal(sliced, one_piece[0], check_exact=True)
    pd.testing.assert_frame_equal(sliced_narrowed, one_piece[1], check_exact=True)
    pd.testing.assert_frame_equal(listed, before, check_exact=True)
    # the figures: the tiers asked for alone, every row of those tiers, in priority order
    assert set(sliced_narrowed["tier"].astype(str)) <= {"top", "big"}
    assert len(sliced_narrowed) == int(before["tier"].astype(str).isin(["top", "big"]).sum())
    assert list(sliced["priority"]) == sorted(sliced["priority"], reverse=True)
    assert sliced["reason"].notna().all()


def test_one_customers_stored_rows_are_written_as_those_worked_out_for_them(demo_copy):
    """The Customer page's suggestions from the stored plan (that customer's rows read alone)
    are the frame worked out from that customer's own inputs, for customers of every kind."""
    from analysis.scores import score_customer

    with Workspace(demo_copy) as ws:
        settings, actions = ReportSettings(), ActionSettings()
        score_customers(ws, None, settings)
        assert stored_plan.stored_customer_actions(ws, "C00001", None, settings, actions) is None  # not stored
        assert stored_plan.store(ws, None, settings, actions)
        rows = stored_plan.read(ws, None, settings, actions).rows
        # the first customer of each action, and one with none
        ids = list(rows.drop_duplicates("action")["customer_id"])
        ids += [c for c in ws.cursor().sql("SELECT customer_id FROM customers ORDER BY 1").fetchall()
                if c[0] not in set(rows["customer_id"])][:1]
        ids = [c if isinstance(c, str) else c[0] for c in ids]
        assert len(ids) >= 5
        for cid in ids:
            one = score_customer(ws, cid, None, settings)
            read = stored_plan.stored_customer_actions(ws, cid, None, settings, actions, one)
            expected = worked.customer_actions(ws, cid, None, settings, actions, scores=one)
            pd.testing.assert_frame_equal(read, expected, check_exact=True)
            assert list(read["action"]) == list(rows.loc[rows["customer_id"] == cid, "action"])


def test_the_stored_plans_rows_come_to_pandas_by_arrow_typed_as_ibis_gives_them(demo_copy, monkeypatch):
    """A download of the whole stored plan reads each slice's rows through Arrow's own
    conversion (a sixth of the cost of Ibis's at a million rows), typed and valued exactly as
    Ibis's conversion gives them: days as days (due = as-of + days to due), moments as moments."""
    import ibis.expr.types as ir

    with Workspace(demo_copy) as ws:
        settings, actions = ReportSettings(), ActionSettings()
        scores = score_customers(ws, None, settings)
        assert stored_plan.store(ws, None, settings, actions, scores)
        plan = stored_plan.read(ws, None, settings, actions, scores)
        with ws.reading():
            by_ibis = plan._table().order_by("pos").to_pandas()
        by_ibis = by_ibis.drop(columns="pos").set_axis(pd.Index(by_ibis["pos"].to_numpy(), dtype="int64"))
        calls: list[str] = []  # each conversion of a table to pandas by Ibis
        real = ir.Table.to_pandas

        def counted(table, *args, **kwargs):
            calls.append("to_pandas")
            return real(table, *args, **kwargs)

        monkeypatch.setattr(ir.Table, "to_pandas", counted)
        monkeypatch.setattr(stored_plan, "SLICE_ROWS", 2_000)
        rows = plan.rows
        whole = plan.render(None, None)
    assert calls == []  # no slice went through Ibis's conversion
    pd.testing.assert_frame_equal(rows, by_ibis.reset_index(drop=True), check_exact=True)
    assert len(whole) == len(rows) > 1000 and whole["reason"].notna().all()
    # the figures from the plan's own numbers: each due day is the as-of date plus the days to due
    due = pd.Timestamp(scores.as_of) + pd.to_timedelta(rows["due_days"], unit="D")
    assert (rows["due"] == due).all() and list(whole["due"]) == [d.date() for d in due]
    opened = rows["trigger"].dt.normalize()
    assert (rows["open_since"].isna() == rows["trigger"].isna()).all()
    assert (rows["open_since"].dropna() == opened.dropna()).all()
