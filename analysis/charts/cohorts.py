"""Cohort charts (Identify): the retention triangle, the average curve, revenue per cohort."""

from __future__ import annotations

import math

import plotly.graph_objects as go

from analysis import i18n
from analysis.charts import hover_numbers, number_axis
from analysis.charts.differentiate import _cell_markers
from analysis.identify.cohorts import Cohorts, cell_key
from analysis.money import in_currency


def _rows(c: Cohorts) -> list[str]:
    return [i18n.month(f"{m}-01") for m in c.table["cohort_month"]]


def retention_heatmap(c: Cohorts) -> go.Figure:
    """Cohorts (rows, oldest at the top) by months since the first purchase (columns), each cell
    the share of the cohort buying in that month; months not complete yet are blank. The month
    axis runs from month 0 to the last month with a purchase (``Cohorts.offsets_with_data``),
    its range set so the cells' click markers add no padding (they made it read -1..31). An
    invisible marker per cell carries ``customdata`` starting with the cell's key
    (:func:`analysis.identify.cohorts.cell_key`, "2025-01/3") so a click lists its customers."""
    offsets = c.offsets_with_data
    rows = _rows(c)
    z, text, custom = [], [], []
    for i, month in enumerate(c.table["cohort_month"]):
        zr, tr, cr = [], [], []
        for o in offsets:
            share = c.table.at[i, o]
            seen = share == share  # not NaN
            zr.append(float(share) if seen else None)
            tr.append(i18n.percent(float(share)) if seen else "")
            cr.append([cell_key(month, o), int(c.counts.at[i, o]) if seen else 0, int(c.table.at[i, "customers"])])
        z.append(zr); text.append(tr); custom.append(cr)
    fig = go.Figure(go.Heatmap(
        z=z, x=offsets, y=rows, text=text, texttemplate="%{text}", colorscale="Blues", zmin=0,
        zmax=max(0.01, float(c.table[[o for o in offsets if o > 0]].max().max())) if len(offsets) > 1 else 1,
        colorbar=dict(title=i18n.t("Bought again"), tickformat=".0%"), xgap=1, ygap=1, customdata=custom,
    ))
    hover = ("<b>%{y}</b>, " + i18n.t("month {n}", n="%{x}") + "<br>"
             + i18n.t("{count} of {customers} customers bought", count="%{customdata[1]:,}",
                      customers="%{customdata[2]:,}") + "<extra></extra>")
    _cell_markers(fig, custom, hover, size=10)
    fig.update_yaxes(range=[len(rows) - 0.5, -0.5], title=i18n.t("First purchase in"), type="category")
    fig.update_xaxes(title=dict(text=i18n.t("Months since the first purchase"), standoff=6), dtick=1, side="top",
                     range=[offsets[0] - 0.5, offsets[-1] + 0.5])
    # The month axis sits on top: the chart's title goes to the top of the figure, with room
    # below it for the axis' title and numbers, so the two never touch.
    fig.update_layout(title=dict(text=i18n.t("Share of each cohort buying again, month by month"), yref="container",
                                 y=1, yanchor="top", pad=dict(t=14)),
                      margin=dict(t=120), height=max(400, 180 + 24 * len(rows)))
    return fig


def average_curve_chart(c: Cohorts) -> go.Figure:
    """The size-weighted retention per month offset, as a line, up to the last month with a
    purchase (``Cohorts.offsets_with_data``)."""
    average = c.average.loc[c.offsets_with_data]
    fig = go.Figure(go.Scatter(
        x=average.index.tolist(), y=average.tolist(), mode="lines+markers", line_color="#2874a6",
        hovertemplate=i18n.t("month {n}", n="%{x}") + ": %{y:.1%}<extra></extra>",
    ))
    fig.update_layout(title=i18n.t("The average cohort: share still buying, month by month"),
                      xaxis_title=i18n.t("Months since the first purchase"), yaxis_title=i18n.t("Bought again"),
                      yaxis_tickformat=".0%", yaxis_range=[0, 1.05])
    fig.update_xaxes(dtick=1 if len(average) <= 24 else math.ceil(len(average) / 12))
    return fig


def revenue_chart(c: Cohorts, currency: str = "") -> go.Figure:
    """Net revenue per customer of each cohort (bars), with its size and total in the hover."""
    per = c.table["revenue_per_customer"].astype("float64")
    fig = go.Figure(go.Bar(
        x=_rows(c), y=per, marker_color="#5dade2",
        customdata=list(zip(c.table["cohort_month"], c.table["customers"], hover_numbers(c.table["revenue"], currency),
                            hover_numbers(per, currency))),
        hovertemplate=("<b>%{x}</b><br>" + i18n.t("Customers: {value}", value="%{customdata[1]:,}")
                       + "<br>" + i18n.t("Revenue: {value}", value="%{customdata[2]}")
                       + "<br>" + i18n.t("Per customer: {value}", value="%{customdata[3]}") + "<extra></extra>"),
    ))
    fig.update_layout(title=i18n.t("Revenue per customer of each cohort, to date"),
                      xaxis_title=i18n.t("First purchase in"),
                      yaxis_title=in_currency(i18n.t("Net revenue per customer"), currency))
    fig.update_xaxes(type="category")
    fig.update_yaxes(**number_axis(per, currency))
    return fig
