"""Figures for the Differentiate pages not covered by :mod:`analysis.charts.segments` and
:mod:`analysis.charts.clusters`: silhouette by k, ideal-customer-profile lifts, RFM
segment sizes, and the grids a click can pick a cell of (satisfaction by volume, R x F,
tier migration). DataFrames in, plotly figures out; ``customdata`` starts with the key."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from analysis import i18n
from analysis.charts import escape_all, hover_numbers, number_axis
from analysis.differentiate.views import move_key
from analysis.differentiate.icp import attribute_label, lift_key, value_label
from analysis.differentiate.pyramid import tier_label
from analysis.differentiate.rfm import segment_label


def silhouette_chart(table: pd.DataFrame) -> go.Figure:
    """Mean silhouette by number of clusters (from
    :func:`analysis.differentiate.views.silhouette_table`), the chosen k highlighted."""
    colors = ["#1b4f72" if c else "#aed6f1" for c in table["chosen"]]
    fig = go.Figure(go.Bar(
        x=[str(k) for k in table["k"]], y=[float(s) for s in table["silhouette"]], marker_color=colors,
        text=[f"{s:.2f}" for s in table["silhouette"]], textposition="outside", cliponaxis=False,
        customdata=list(table["k"]),
        hovertemplate=i18n.t("k = {k}: silhouette {value}", k="%{x}", value="%{y:.3f}") + "<extra></extra>",
    ))
    fig.update_layout(title=i18n.t("Separation by k (higher = clearer groups)"),
                      showlegend=False, height=320, margin=dict(t=60))
    fig.update_xaxes(title=i18n.t("Number of clusters (k)"), type="category")
    fig.update_yaxes(title=i18n.t("Mean silhouette"))
    return fig


def lift_chart(lifts: pd.DataFrame, attribute_labels: dict[str, str] | None = None) -> go.Figure:
    """Horizontal bars of lift (top share / rest share) per attribute value, from
    :func:`analysis.differentiate.icp.ideal_customer_profile`; a line at 1 (as common as among the rest).
    Values with no lift (the rest has none) are left out."""
    labels = attribute_labels or {}
    frame = lifts.dropna(subset=["lift"]).copy()
    frame = frame.sort_values(["lift"], ascending=True)
    values = escape_all([value_label(v) for v in frame["value"]], 40)  # regions, categories: data
    names = [f"{labels.get(a, attribute_label(a))}: {v}" for a, v in zip(frame["attribute"], values)]
    colors = ["#1e8449" if x > 1 else "#b2babb" for x in frame["lift"]]
    fig = go.Figure(go.Bar(
        y=names, x=frame["lift"], orientation="h", marker_color=colors,
        text=[f"×{x:.1f}" for x in frame["lift"]], textposition="outside", cliponaxis=False,
        customdata=list(zip([lift_key(a, v) for a, v in zip(frame["attribute"], frame["value"])],
                            frame["top_share"], frame["rest_share"])),
        hovertemplate=("%{y}<br>" + i18n.t("Top customers: {top} · the rest: {rest}", top="%{customdata[1]:.0%}",
                                           rest="%{customdata[2]:.0%}")
                       + "<br>" + i18n.t("Lift ×{value}", value="%{x:.2f}") + "<extra></extra>"),
    ))
    fig.add_vline(x=1, line_dash="dot", line_color="#7f8c8d")
    fig.update_layout(title=i18n.t("What is more common among the top customers (lift > 1)"),
                      height=max(320, 22 * len(frame) + 120), showlegend=False, margin=dict(r=60))
    fig.update_xaxes(title=i18n.t("Lift: share among the top ÷ share among the other active customers"))
    return fig


def segment_chart(counts: pd.DataFrame) -> go.Figure:
    """Customers per RFM segment (from :func:`analysis.differentiate.rfm.rfm_counts` or
    :func:`analysis.differentiate.views.counts_by_rules`), in rule order."""
    fig = go.Figure(go.Bar(
        y=escape_all([segment_label(x) for x in counts["segment"]], 40), x=counts["customers"], orientation="h",
        marker_color="#2874a6",
        text=[f"{c:,} ({s:.0%})" for c, s in zip(counts["customers"], counts["customer_share"])],
        textposition="outside", cliponaxis=False,
        customdata=list(zip(counts["segment"], hover_numbers(counts["customers"]))),
        hovertemplate=i18n.t("{label}: {count} customers", label="%{y}", count="%{customdata[1]}")
        + "<extra></extra>",
    ))
    fig.update_layout(title=i18n.t("Customers in each RFM segment"), showlegend=False, margin=dict(r=100))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=i18n.t("Customers"), **number_axis(counts["customers"], whole=True))
    return fig


def _cell_markers(fig: go.Figure, customdata: list, hovertemplate: str, size: int = 16) -> go.Figure:
    """Put an invisible marker in the middle of each cell of the heatmap ``fig.data[0]``
    carrying that cell's ``customdata`` (rows as the heatmap's y), so a click selects the
    cell: Streamlit's plotly_chart emits no selection for heatmap cells (streamlit#8933).
    Markers are smaller than a cell (plotly cannot tell overlapping markers apart) and
    ``hoverdistance=-1`` sends a hover or click anywhere to the nearest marker, which on a
    grid is the one of the cell under the pointer. The heatmap's own hover is left out."""
    heat = fig.data[0]
    xs, ys, custom = [], [], []
    for row, y in zip(customdata, heat.y):
        for cd, x in zip(row, heat.x):
            xs.append(x); ys.append(y); custom.append(list(cd))
    heat.hoverinfo = "skip"
    heat.hovertemplate = None
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="markers", marker=dict(size=size, symbol="square", opacity=0.01, color="#000000"),
        customdata=custom, showlegend=False, hovertemplate=hovertemplate,
    ))
    fig.update_layout(clickmode="event+select", hoverdistance=-1)
    return fig


def clickable_matrix(matrix: pd.DataFrame, currency: str = "") -> go.Figure:
    """:func:`analysis.charts.segments.matrix_heatmap` (the workshop slide's grid, in the same
    orientation) with an invisible marker on each of its twelve cells, the "no survey" row
    included, so a click on a cell selects it (heatmap cells themselves cannot be selected).
    The markers' ``customdata`` starts with the cell id ("high/low")."""
    from analysis.charts.segments import matrix_heatmap

    fig = matrix_heatmap(matrix, currency)
    heat = fig.data[0]
    return _cell_markers(fig, heat.customdata, heat.hovertemplate)


def clickable_rfm(grid: pd.DataFrame) -> go.Figure:
    """:func:`analysis.charts.segments.rfm_heatmap` with an invisible marker on each of the
    25 cells; the markers' ``customdata`` is [cell id "r/f", customers]."""
    from analysis.charts.segments import rfm_heatmap

    fig = rfm_heatmap(grid)
    custom = [[[f"{r}/{f}", int(grid.loc[r, f])] for f in grid.columns] for r in grid.index]
    return _cell_markers(fig, custom, i18n.t("{cell}: {count} customers", cell="%{y}, %{x}", count="%{customdata[1]:,}")
                         + "<br>" + i18n.t("Click to list them") + "<extra></extra>")


def clickable_migration(grid: pd.DataFrame, months: int = 12) -> go.Figure:
    """Customers by tier ``months`` months ago (one activity window; rows, top first) and now (columns), from
    :func:`analysis.differentiate.views.migration_table`, a click target for the moves the Sankey
    shows (Sankey links cannot be selected in Streamlit). Colour follows log(1 + customers)
    so the few who moved stay visible next to the many who stayed. The markers'
    ``customdata`` is [move key "big->medium", customers, from tier, to tier]."""
    rows, cols = list(grid.index), list(grid.columns)
    counts = grid.values.tolist()
    fig = go.Figure(go.Heatmap(
        z=[[math.log1p(c) for c in row] for row in counts], x=[tier_label(c) for c in cols],
        y=[tier_label(r) for r in rows],
        text=[[f"{c:,}" if c else "" for c in row] for row in counts], texttemplate="%{text}",
        colorscale="Blues", showscale=False, hoverinfo="skip",
    ))
    custom = [[[move_key(a, b), int(c), tier_label(a), tier_label(b)] for b, c in zip(cols, row)]
              for a, row in zip(rows, counts)]
    fig = _cell_markers(fig, custom, i18n.t("{cell}: {count} customers", cell="%{customdata[2]} → %{customdata[3]}",
                                            count="%{customdata[1]:,}")
                        + "<br>" + i18n.t("Click to list them") + "<extra></extra>")
    fig.update_yaxes(autorange="reversed", title=i18n.t("Tier {months} months ago", months=months))
    fig.update_xaxes(title=i18n.t("Tier now"), side="top")
    fig.update_layout(title=i18n.t("Who moved where (click a cell to list its customers)"),
                      height=max(320, 48 * len(rows) + 140), margin=dict(t=110))
    return fig
