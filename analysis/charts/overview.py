"""Figures for the overview: Pareto/Lorenz curve, revenue by month, breakdown bars.
DataFrames in (from analysis.overview), plotly figures out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.overview import month_keys


def lorenz_chart(curve: pd.DataFrame, top20_share: float, gini: float) -> go.Figure:
    """Cumulative revenue share against cumulative customer share (largest first), with a
    marker at the top 20% and the Gini coefficient in the title."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=curve["customer_share"], y=curve["revenue_share"], mode="lines", name="Customers",
        line=dict(color="#1b4f72", width=3),
        hovertemplate="Top %{x:.0%} of customers: %{y:.0%} of revenue<extra></extra>",
    ))
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="All equal",
                             line=dict(dash="dot", color="#7f8c8d"), hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=[0.2], y=[top20_share], mode="markers+text", name="Top 20%",
        marker=dict(size=12, color="#c0392b"), text=[f"{top20_share:.0%}"], textposition="top left",
        customdata=["top20"], hovertemplate="Top 20% of customers: %{y:.0%} of revenue<extra></extra>",
    ))
    fig.update_layout(title=f"Revenue concentration (Gini {gini:.2f})",
                      xaxis_title="Share of customers (largest first)", yaxis_title="Share of revenue",
                      xaxis_tickformat=".0%", yaxis_tickformat=".0%")
    return fig


def revenue_by_month_chart(monthly: pd.DataFrame, currency: str = "$", title: str | None = "Revenue by month") -> go.Figure:
    """Net revenue per month as bars; hover shows orders and buyers. ``customdata`` starts
    with the month ("2024-05"). ``title=None`` when the page already heads the chart."""
    months = month_keys(monthly)
    fig = go.Figure(go.Bar(
        x=months, y=monthly["revenue"], marker_color="#2874a6",
        customdata=list(zip(months, monthly["orders"], monthly["customers"])),
        hovertemplate=("<b>%{customdata[0]}</b><br>Revenue: " + currency
                       + "%{y:,.0f}<br>Orders: %{customdata[1]:,}<br>Buyers: %{customdata[2]:,}<extra></extra>"),
    ))
    fig.update_layout(title=title, xaxis_title="Month", yaxis_title=f"Net revenue ({currency})")
    return fig


def breakdown_chart(frame: pd.DataFrame, by: str, currency: str = "$") -> go.Figure:
    """Horizontal bars of revenue per value of ``by`` (largest at the top)."""
    keys = [str(v) for v in frame[by]]
    fig = go.Figure(go.Bar(
        y=keys, x=frame["revenue"], orientation="h", marker_color="#2874a6",
        text=[f"{s:.0%}" for s in frame["share"]], textposition="auto",
        customdata=list(zip(keys, frame["customers"], frame["share"])),
        hovertemplate=("<b>%{customdata[0]}</b><br>Revenue: " + currency
                       + "%{x:,.0f} (%{customdata[2]:.1%})<br>Customers: %{customdata[1]:,}<extra></extra>"),
    ))
    fig.update_yaxes(autorange="reversed", title=by.capitalize())
    fig.update_layout(title=f"Revenue by {by}", xaxis_title=f"Net revenue ({currency})")
    return fig
