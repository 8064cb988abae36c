"""Figures for the action plan: how many customers each kind of action is suggested for."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.charts import escape_all, hover_numbers, number_axis
from analysis.i18n import t


def action_counts_chart(counts: pd.DataFrame) -> go.Figure:
    """Horizontal bars, one per action, largest at the top; customdata is the action id so a
    click can filter the list."""
    fig = go.Figure(go.Bar(
        y=escape_all(counts["title"], 60), x=counts["customers"], orientation="h", marker_color="#2874a6",
        customdata=list(zip(counts["action"], hover_numbers(counts["customers"]))),
        text=counts["customers"].map("{:,}".format), textposition="auto", textangle=0,
        hovertemplate=t("{label}: {count} customers", label="%{y}", count="%{customdata[1]}") + "<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_layout(title=t("Suggested actions by kind"), xaxis_title=t("Customers"),
                      height=max(260, 60 + 34 * len(counts)), margin=dict(l=10, r=10, t=50, b=40))
    fig.update_xaxes(**number_axis(counts["customers"], whole=True))
    return fig
