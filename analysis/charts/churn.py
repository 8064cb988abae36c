"""The reliability diagram of the churn check (:mod:`analysis.predict.calibration`)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.charts.clv import _layout
from analysis.i18n import t


def reliability_chart(table: pd.DataFrame) -> go.Figure:
    """Predicted chance of no purchase against the share who in fact bought nothing, one dot
    per tenth of the customers (a :func:`~analysis.predict.calibration.reliability_table`),
    with the diagonal where the two are equal."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name=t("perfect forecast"),
                             line={"color": "grey", "dash": "dash"}, hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=table["mean_predicted"], y=table["observed"], mode="lines+markers", name=t("the model"),
        customdata=table["customers"],
        hovertemplate=t("predicted %{x:.0%}, in fact %{y:.0%} (%{customdata:,.0f} customers)") + "<extra></extra>",
    ))
    fig.update_xaxes(tickformat=".0%", range=[0, 1.02])
    fig.update_yaxes(tickformat=".0%", range=[0, 1.02])
    return _layout(fig, t("Does the chance of no purchase come true? Each dot: a tenth of the customers"),
                   t("Predicted chance of no purchase"), t("Share who in fact bought nothing"))
