"""Figures for the overview: Pareto/Lorenz curve, revenue by month, breakdown bars.
DataFrames in (from analysis.identify.overview), plotly figures out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.charts import escape_all, hover_numbers, month_ticks, number_axis
from analysis import i18n
from analysis.i18n import N_
from analysis.money import in_currency
from analysis.identify.overview import UNKNOWN, month_keys

# Longest region, industry, channel or category name shown whole on an axis.
LABEL_LIMIT = 40
# Axis title and chart title of each breakdown.
BREAKDOWN_TEXTS = {
    "region": (N_("Region"), N_("Revenue by region")),
    "industry": (N_("Industry"), N_("Revenue by industry")),
    "channel": (N_("Channel"), N_("Revenue by channel")),
    "category": (N_("Category"), N_("Revenue by category")),
}


def lorenz_chart(curve: pd.DataFrame, top20_share: float, gini: float) -> go.Figure:
    """Cumulative revenue share against cumulative customer share (largest first), with a
    marker at the top 20% and the Gini coefficient in the title."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=curve["customer_share"], y=curve["revenue_share"], mode="lines", name=i18n.t("Customers"),
        line=dict(color="#1b4f72", width=3),
        hovertemplate=i18n.t("Top {customers} of customers: {revenue} of revenue", customers="%{x:.0%}",
                             revenue="%{y:.0%}") + "<extra></extra>",
    ))
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name=i18n.t("All equal"),
                             line=dict(dash="dot", color="#7f8c8d"), hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=[0.2], y=[top20_share], mode="markers+text", name=i18n.t("Top {share}", share=i18n.percent(0.2)),
        marker=dict(size=12, color="#c0392b"), text=[f"{top20_share:.0%}"], textposition="top left",
        customdata=["top20"], hovertemplate=i18n.t("Top {customers} of customers: {revenue} of revenue",
                                                   customers=i18n.percent(0.2), revenue="%{y:.0%}") + "<extra></extra>",
    ))
    fig.update_layout(title=i18n.t("Revenue concentration (Gini {gini:.2f})", gini=gini),
                      xaxis_title=i18n.t("Share of customers (largest first)"), yaxis_title=i18n.t("Share of revenue"),
                      xaxis_tickformat=".0%", yaxis_tickformat=".0%")
    return fig


def revenue_by_month_chart(monthly: pd.DataFrame, currency: str = "",
                           title: str | None = N_("Revenue by month")) -> go.Figure:
    """Net revenue per month as bars, a tick per month or per few months written as months
    (:func:`~analysis.charts.month_ticks`); hover shows the month, orders and buyers.
    ``customdata`` starts with the month ("2024-05"), the click's key. ``title=None`` when the
    page already heads the chart."""
    months = month_keys(monthly)
    fig = go.Figure(go.Bar(
        x=months, y=monthly["revenue"], marker_color="#2874a6",
        customdata=list(zip(months, monthly["orders"], monthly["customers"],
                            hover_numbers(monthly["revenue"], currency), [i18n.month(f"{m}-01") for m in months])),
        hovertemplate=("<b>%{customdata[4]}</b><br>" + i18n.t("Revenue: {value}", value="%{customdata[3]}")
                       + "<br>" + i18n.t("Orders: {value}", value="%{customdata[1]:,}")
                       + "<br>" + i18n.t("Buyers: {value}", value="%{customdata[2]:,}") + "<extra></extra>"),
    ))
    fig.update_layout(title=i18n.lookup(title) if title else None, xaxis_title=i18n.t("Month"),
                      yaxis_title=in_currency(i18n.t("Net revenue"), currency))
    fig.update_xaxes(**month_ticks(months))
    fig.update_yaxes(**number_axis(monthly["revenue"], currency))
    return fig


def breakdown_chart(frame: pd.DataFrame, by: str, currency: str = "") -> go.Figure:
    """Horizontal bars of revenue per value of ``by`` (largest at the top)."""
    keys = [str(v) for v in frame[by]]
    fig = go.Figure(go.Bar(
        y=[i18n.lookup(k) if k == UNKNOWN else label for k, label in zip(keys, escape_all(keys, LABEL_LIMIT))],
        x=frame["revenue"], orientation="h", marker_color="#2874a6",
        text=[f"{s:.0%}" for s in frame["share"]], textposition="auto",
        customdata=list(zip(keys, frame["customers"], frame["share"], hover_numbers(frame["revenue"], currency))),
        hovertemplate=("<b>%{y}</b><br>"
                       + i18n.t("Revenue: {value}", value="%{customdata[3]} (%{customdata[2]:.1%})")
                       + "<br>" + i18n.t("Customers: {value}", value="%{customdata[1]:,}") + "<extra></extra>"),
    ))
    axis, title = BREAKDOWN_TEXTS[by]  # by is one of analysis.identify.overview.BREAKDOWNS
    fig.update_yaxes(autorange="reversed", title=i18n.lookup(axis))
    fig.update_xaxes(**number_axis(frame["revenue"], currency))
    fig.update_layout(title=i18n.lookup(title),
                      xaxis_title=in_currency(i18n.t("Net revenue"), currency))
    return fig
