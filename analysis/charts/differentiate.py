"""Figures for the Differentiate pages not covered by :mod:`analysis.charts.segments` and
:mod:`analysis.charts.clusters`: silhouette by k, ideal-customer-profile lifts and RFM
segment sizes. DataFrames in, plotly figures out; ``customdata`` starts with the key."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis import i18n
from analysis.icp import attribute_label, value_label
from analysis.rfm import segment_label


def silhouette_chart(table: pd.DataFrame) -> go.Figure:
    """Mean silhouette by number of clusters (from
    :func:`analysis.differentiate.silhouette_table`), the chosen k highlighted."""
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
    :func:`analysis.icp.ideal_customer_profile`; a line at 1 (as common as among the rest).
    Values with no lift (the rest has none) are left out."""
    labels = attribute_labels or {}
    frame = lifts.dropna(subset=["lift"]).copy()
    frame = frame.sort_values(["lift"], ascending=True)
    names = [f"{labels.get(a, attribute_label(a))}: {value_label(v)}"
             for a, v in zip(frame["attribute"], frame["value"])]
    colors = ["#1e8449" if x > 1 else "#b2babb" for x in frame["lift"]]
    fig = go.Figure(go.Bar(
        y=names, x=frame["lift"], orientation="h", marker_color=colors,
        text=[f"×{x:.1f}" for x in frame["lift"]], textposition="outside", cliponaxis=False,
        customdata=list(zip(frame["attribute"], frame["value"], frame["top_share"], frame["rest_share"])),
        hovertemplate=("%{y}<br>" + i18n.t("Top customers: {top} · the rest: {rest}", top="%{customdata[2]:.0%}",
                                           rest="%{customdata[3]:.0%}")
                       + "<br>" + i18n.t("Lift ×{value}", value="%{x:.2f}") + "<extra></extra>"),
    ))
    fig.add_vline(x=1, line_dash="dot", line_color="#7f8c8d")
    fig.update_layout(title=i18n.t("What is more common among the top customers (lift > 1)"),
                      height=max(320, 22 * len(frame) + 120), showlegend=False, margin=dict(r=60))
    fig.update_xaxes(title=i18n.t("Lift: share among the top ÷ share among the other active customers"))
    return fig


def segment_chart(counts: pd.DataFrame) -> go.Figure:
    """Customers per RFM segment (from :func:`analysis.rfm.rfm_counts` or
    :func:`analysis.differentiate.counts_by_rules`), in rule order."""
    fig = go.Figure(go.Bar(
        y=[segment_label(x) for x in counts["segment"]], x=counts["customers"], orientation="h", marker_color="#2874a6",
        text=[f"{c:,} ({s:.0%})" for c, s in zip(counts["customers"], counts["customer_share"])],
        textposition="outside", cliponaxis=False, customdata=list(counts["segment"]),
        hovertemplate=i18n.t("{label}: {count} customers", label="%{y}", count="%{x:,}") + "<extra></extra>",
    ))
    fig.update_layout(title=i18n.t("Customers in each RFM segment"), showlegend=False, margin=dict(r=100))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=i18n.t("Customers"))
    return fig


def clickable_matrix(matrix: pd.DataFrame, currency: str = "$") -> go.Figure:
    """:func:`analysis.charts.segments.matrix_heatmap` with an invisible marker on each of the
    nine cells, so a click on a cell selects it (heatmap cells themselves cannot be selected).
    The markers' ``customdata`` starts with the cell id ("high/low")."""
    from analysis.charts.segments import matrix_heatmap

    fig = matrix_heatmap(matrix, currency)
    heat = fig.data[0]
    xs, ys, custom = [], [], []
    for row, y in zip(heat.customdata, heat.y):
        for cd, x in zip(row, heat.x):
            xs.append(x); ys.append(y); custom.append(list(cd))
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="markers", marker=dict(size=90, symbol="square", opacity=0.01, color="#000000"),
        customdata=custom, showlegend=False, hovertemplate=heat.hovertemplate,
    ))
    fig.update_yaxes(autorange="reversed")  # high volume on top, A in the top right corner
    fig.update_layout(clickmode="event+select", height=460)
    return fig
