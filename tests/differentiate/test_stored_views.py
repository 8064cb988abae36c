"""The Differentiate figures asked of the stored scores in the engine
(analysis.differentiate.stored_views) equal their pandas twins on the per-customer frame
(analysis.differentiate.views) and the computations from the workspace's tables, on the demo:
every count, sum and share, and every list in its order."""

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from analysis import scores
from analysis.stored_scores import read_stored
from analysis.differentiate import headroom, matrix, pyramid, views
from analysis.differentiate import stored_views as sv
from analysis.differentiate.segments import attitude_change
from analysis.settings import ReportSettings
from analysis.store import Workspace


def same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Equal values, a missing value being None or NaN alike; the CLV note (text missing for
    a list without any CLV row) aside."""
    def plain(frame):
        frame = frame.drop(columns=["clv_note"], errors="ignore").astype(object)
        return frame.where(frame.notna(), None).reset_index(drop=True)
    assert_frame_equal(plain(a[list(b.columns)]), plain(b), check_dtype=False)


@pytest.fixture(scope="module")
def stored(tmp_path_factory, demo_db):
    import shutil

    path = tmp_path_factory.mktemp("stored") / "demo.duckdb"
    shutil.copy(demo_db, path)
    ws = Workspace(path)
    full = scores.score_customers(ws, None, ReportSettings())
    with ws.reading():
        yield ws, full, read_stored(ws, None, ReportSettings())
    ws.close()


def test_value_figures_and_lists(stored):
    ws, full, st = stored
    frame, t = full.frame, st.table
    assert sv.value_counts(t) == {g: int(frame[c].sum()) for g, c in views.GROUPS.items()}
    assert sv.wallet_summary(t) == views.wallet_summary(frame)
    for group in views.GROUPS:
        rows = st.rows(sv.value_list(t, group))
        rows["reason"] = rows[f"reason_{group.lower()}"]
        same(rows, views.value_group(frame, group))
    firsts = st.first_rows({g: sv.value_list(t, g) for g in views.GROUPS}, 100)
    for group in views.GROUPS:
        same(firsts[group], views.value_group(frame, group).head(100).drop(columns="reason"))
    expr, buyers = sv.scatter_sample(t)
    plotted, expected_buyers = views.scatter_sample(frame)
    assert buyers == expected_buyers > 4000  # the demo is sampled
    same(st.numbers(expr), plotted[sv.SCATTER_COLUMNS])
    assert list(st.rows(sv.headroom_list(t), 1000)["customer_id"]) == list(
        headroom.ranking(frame, 1000, "")["customer_id"])


def test_pyramid_and_matrix(stored):
    ws, full, st = stored
    frame, t, tables, s = full.frame, st.table, ws.tables(), ReportSettings().segments
    assert_frame_equal(sv.pyramid_layers(t), pyramid.pyramid(tables, full.as_of, s))  # exact: decimal sums
    assert_frame_equal(sv.tier_migration(t), pyramid.tier_migration(tables, full.as_of, s))
    for tier in pyramid.TIERS:
        same(st.rows(sv.tier_list(t, tier)), views.tier_customers(frame, tier))
    moves = views.moves(sv.tier_migration(t))
    for key in moves["key"]:
        same(st.rows(sv.movers_list(t, key)), views.movers(frame, key))
    assert_frame_equal(sv.satisfaction_matrix(t), matrix.satisfaction_matrix(tables, full.as_of, s))
    assert_frame_equal(sv.volume_summary(t), views.volume_summary(frame), check_exact=False)
    for cell in matrix.CELLS:
        same(st.rows(sv.cell_list(t, cell)), views.cell_customers(frame, cell))


def test_segments(stored):
    ws, full, st = stored
    frame, t, s = full.frame, st.table, ReportSettings().segments
    rules = views.segment_rules().iloc[[1, 0, 2]].reset_index(drop=True)  # an edited table: three rules
    for edited in (None, rules):
        ours, theirs = sv.rules_summary(t, edited), views.rules_summary(frame, edited)
        assert_frame_equal(ours["counts"], theirs["counts"], check_exact=False)
        assert_frame_equal(ours["grid"], theirs["grid"], check_dtype=False)
        for segment in theirs["counts"]["segment"][:3]:
            same(st.rows(sv.segment_list(t, edited, segment)), views.rules_segment(frame, edited, segment))
        same(st.rows(sv.rf_cell_list(t, edited, "1/5")), views.rules_cell(frame, edited, "1/5"))
    assert sv.has_rfm(t)
    change = attitude_change(ws.tables(), full.as_of, s)
    for direction in ("falling", "rising"):
        same(st.rows(sv.attitude_list(t, s, direction)),
             change[change["direction"] == direction].reset_index(drop=True))
