"""Figures for customer clusters: the 2-D map of customers coloured by persona, the profile
heatmap and the cluster sizes. Inputs come from :mod:`analysis.differentiate.clusters` (a
:func:`~analysis.differentiate.clusters.projection` frame, a fitted
:class:`~analysis.differentiate.clusters.CustomerClusters`); plotly figures out. Each mark's
``customdata`` starts with its key (customer id or cluster number) for click-through.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from analysis import i18n
from analysis.charts import escape, escape_all, number_axis
from analysis.differentiate.clusters import feature_label

if TYPE_CHECKING:  # the fitted model's class only names the argument: scikit-learn is not loaded to draw
    from analysis.differentiate.clusters import CustomerClusters

PALETTE = qualitative.Safe


def cluster_color(cluster: int) -> str:
    """One colour per cluster number, the same in every cluster chart."""
    return PALETTE[int(cluster) % len(PALETTE)]


def projection_chart(points: pd.DataFrame) -> go.Figure:
    """Scatter of the 2-D projection (columns customer_id, x, y, cluster, persona), one
    trace per persona so the legend names them."""
    fig = go.Figure()
    for cluster, part in points.groupby("cluster", sort=True):
        name = escape(part["persona"].iloc[0], 60)  # persona names carry category names: data
        fig.add_trace(go.Scatter(  # SVG, not WebGL: headless browsers and exports lack a GPU
            x=part["x"], y=part["y"], mode="markers", name=name,
            marker=dict(size=5, opacity=0.6, color=cluster_color(cluster)),
            customdata=list(zip(part["customer_id"], part["cluster"], part["persona"])),  # click keys, raw
            hovertext=[i18n.t("Customer {id}", id=escape(c)) + "<br>" + escape(p)
                       for c, p in zip(part["customer_id"], part["persona"])],
            hovertemplate="%{hovertext}<extra></extra>",
        ))
    fig.update_layout(
        title=i18n.t("Customers mapped by similarity (nearby dots buy alike)"),
        legend_title_text=i18n.t("Persona"),
    )
    fig.update_xaxes(title=i18n.t("First main direction of difference"), zeroline=False, showticklabels=False)
    fig.update_yaxes(title=i18n.t("Second main direction of difference"), zeroline=False, showticklabels=False)
    return fig


def _fmt(column: str, value: float, currency: str) -> str:
    if column.startswith("cat_") or column == "has_survey":
        return f"{value:.0%}"
    if column in ("monetary", "avg_order_value"):
        return i18n.money(value, currency)
    if column == "satisfaction_5":
        return f"{value:.1f}"
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.1f}"


def profile_heatmap(model: CustomerClusters, currency: str = "") -> go.Figure:
    """Clusters (rows) by features (columns), coloured by how far the cluster's average is
    from all customers' (in standard deviations), each cell labelled with the real average."""
    z = model.zscores_[model.feature_names_]
    profiles = model.profiles_
    names = escape_all([p["name"] for p in model.personas_], 60)
    text = [
        [_fmt(col, float(profiles.loc[c, col]), currency) for col in model.feature_names_]
        for c in z.index
    ]
    labels = escape_all([feature_label(c) for c in model.feature_names_], 30)  # "share of <category>"
    limit = max(1.0, float(z.abs().to_numpy().max()))
    fig = go.Figure(go.Heatmap(
        z=z.to_numpy(), x=labels, y=names, text=text, texttemplate="%{text}",
        colorscale="RdBu", reversescale=True, zmid=0, zmin=-limit, zmax=limit,
        customdata=[[int(c)] * len(labels) for c in z.index],
        colorbar=dict(title=i18n.t("Above (+) or below (−)<br>average, in std. dev.")),
        hovertemplate="%{y}<br>%{x}: %{text}<br>" + i18n.t("{value} std. dev. from average", value="%{z:+.1f}")
        + "<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", title=i18n.t("Persona"))
    fig.update_xaxes(title=i18n.t("Feature"), tickangle=-30)
    fig.update_layout(title=i18n.t("What sets each cluster apart (cell = cluster average)"))
    return fig


def sizes_chart(model: CustomerClusters) -> go.Figure:
    """Customers per cluster, one horizontal bar per persona (long names stay readable),
    with the share of all buyers; hovering shows the persona's sentence."""
    personas = model.personas_
    fig = go.Figure(go.Bar(
        y=escape_all([p["name"] for p in personas], 60), x=[p["size"] for p in personas], orientation="h",
        marker_color=[cluster_color(p["cluster"]) for p in personas],
        text=[f"{p['size']:,} ({p['share']:.0%})" for p in personas], textposition="outside",
        customdata=[[p["cluster"], escape(p["sentence"])] for p in personas],
        hovertemplate="%{customdata[1]}<extra></extra>",
        cliponaxis=False,
    ))
    fig.update_layout(title=i18n.t("Customers in each cluster"), showlegend=False, margin=dict(r=120))
    # the personas' names are long (and longer in Chinese): the margin grows to hold them whole
    # and the axis title stands clear of them
    fig.update_yaxes(title=dict(text=i18n.t("Persona"), standoff=12), autorange="reversed", automargin=True)
    fig.update_xaxes(title=i18n.t("Customers"), **number_axis([p["size"] for p in personas], whole=True))
    return fig
