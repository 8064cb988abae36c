"""Figures for campaigns: response by group with 95% whiskers, the Qini curve, the profit view."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.charts import escape_all, number_axis
from analysis.i18n import t
from analysis.vocabulary import label


def response_chart(rates: pd.DataFrame) -> go.Figure:
    """One bar per group (the control group grey), named in words (``vocabulary`` family
    ``arm``), its response rate in % with the 95% interval as whiskers; customdata is the
    group's code, so a click lists its customers."""
    pct = 100 * rates["response_rate"]
    fig = go.Figure(go.Bar(
        x=escape_all([label("arm", a) for a in rates["arm"]], 40), y=pct, customdata=rates["arm"].tolist(),
        marker_color=["#b2babb" if c else "#2874a6" for c in rates["control"]],
        error_y=dict(type="data", symmetric=False, array=100 * rates["rate_hi"] - pct,
                     arrayminus=pct - 100 * rates["rate_lo"], color="#1b2631", thickness=2, width=10),
        text=[f"{v:.1f}%" for v in pct], textposition="inside", insidetextanchor="start",
        hovertemplate=t("{group}: {rate} responded", group="%{x}", rate="%{y:.2f}%") + "<extra></extra>",
    ))
    fig.update_layout(title=t("Response by group (95% interval)"), yaxis_title=t("Response rate (%)"),
                      xaxis_title=None, height=360, margin=dict(l=10, r=10, t=50, b=40))
    return fig


def qini_chart(x: np.ndarray, q: np.ndarray) -> go.Figure:
    """The Qini curve of the held-out customers against random targeting (the diagonal)."""
    share = 100 * np.asarray(x, dtype=float) / max(float(x[-1]), 1.0)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=share, y=q, mode="lines", name=t("By predicted uplift"), line_color="#2874a6"))
    fig.add_trace(go.Scatter(x=[0, 100], y=[0, float(q[-1])], mode="lines", name=t("Random targeting"),
                             line=dict(color="#b2babb", dash="dash")))
    fig.update_layout(title=t("Qini curve: extra responders as more customers are contacted"),
                      xaxis_title=t("Customers contacted (%)"), yaxis_title=t("Extra responders"), height=360,
                      margin=dict(l=10, r=10, t=50, b=40))
    return fig


def profit_chart(profit: pd.DataFrame, currency: str = "") -> go.Figure:
    """Incremental profit of contacting the top share, ranked by uplift, by CLV and at random."""
    fig = go.Figure()
    lines = {"by_uplift": (t("By predicted uplift"), "#2874a6"), "by_score": (t("By lifetime value"), "#f5b041"),
             "random": (t("Everyone alike"), "#b2babb")}
    for column, (name, colour) in lines.items():
        if column in profit and profit[column].notna().all():
            fig.add_trace(go.Scatter(x=100 * profit["share"], y=profit[column], mode="lines+markers", name=name,
                                     line_color=colour))
    values = pd.concat([profit[c] for c in lines if c in profit and profit[c].notna().all()])
    fig.update_yaxes(**number_axis(values, currency=currency))
    fig.update_layout(title=t("Incremental profit by how many are contacted"),
                      xaxis_title=t("Customers contacted (%)"), height=360, margin=dict(l=10, r=10, t=50, b=40))
    return fig


def lessons_chart(lessons: pd.DataFrame) -> go.Figure:
    """One row per measured campaign: the difference in response rate against its control
    group, in points, with its 95% interval as whiskers and the zero line; green when it
    worked, red when it backfired, grey when the interval includes zero. ``lessons``: name,
    rate_diff, ci_lo, ci_hi (fractions), verdict (worked / inconclusive / backfired)."""
    colours = {"worked": "#239b56", "backfired": "#c0392b"}
    diff = 100 * lessons["rate_diff"].astype(float)
    fig = go.Figure(go.Scatter(
        x=diff, y=escape_all(lessons["name"], 40), mode="markers",
        marker=dict(size=14, color=[colours.get(v, "#7f8c8d") for v in lessons["verdict"]]),
        error_x=dict(type="data", symmetric=False, array=100 * lessons["ci_hi"].astype(float) - diff,
                     arrayminus=diff - 100 * lessons["ci_lo"].astype(float), color="#1b2631", thickness=2, width=8),
        hovertemplate=t("{campaign}: {diff} points", campaign="%{y}", diff="%{x:+.1f}") + "<extra></extra>",
    ))
    fig.add_vline(x=0, line_color="#b2babb", line_dash="dash")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(title=t("Extra response against the control group (points, 95% interval)"),
                      xaxis_title=t("Difference in response rate (points)"), yaxis_title=None,
                      height=max(260, 120 + 70 * len(lessons)), margin=dict(l=10, r=10, t=50, b=40))
    return fig
