"""Figures for customer lifetime value: DataFrames from :mod:`analysis.predict.clv_data` in,
plotly figures out. Titles and labels are written for managers, not statisticians."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.charts import date_ticks, number_axis
from analysis.i18n import compact, t, tn
from analysis.money import in_currency

ACTUAL_COLOR = "#1b4f72"
MODEL_COLOR = "#e67e22"
BASELINE_COLOR = "#95a5a6"


def _layout(fig: go.Figure, title: str, x: str, y: str) -> go.Figure:
    fig.update_layout(
        title=title,
        xaxis_title=x,
        yaxis_title=y,
        template="plotly_white",
        legend={"orientation": "h", "y": -0.2},
        margin={"t": 60},
    )
    return fig


# The CLV histogram's axis spans at most this many powers of ten below the largest value: a
# customer the model all but writes off is worth 1e-25, and an axis down to there is unreadable.
CLV_DECADES = 5


def _tick(power: int, currency: str) -> str:
    """A power of ten as money in few characters: $1, $10, $1k, 1万; $0.1 below one."""
    return compact(10.0**power, currency) if power >= 0 else f"{currency}{10.0**power:.{-power}f}"


def clv_distribution(customers: pd.DataFrame, currency: str = "") -> go.Figure:
    """Histogram of customer value on a log scale (a few customers are worth far more than
    the rest), from a round amount :data:`CLV_DECADES` powers of ten below the largest value
    (and not below one unit of money unless every value is) up; the customers worth less are
    one grey bar on the left ("under $1"). Customers with no positive value are counted in
    the subtitle."""
    value = pd.to_numeric(customers["clv"], errors="coerce")
    positive = value[value > 0]
    fig = go.Figure()
    if len(positive):
        logs = np.log10(positive.to_numpy(float))
        hi = int(np.ceil(logs.max()))
        lo = max(int(np.floor(logs.min())), hi - CLV_DECADES, min(0, hi - 1))
        below = int((logs < lo).sum())
        # Binned here: 40 bars travel to the browser instead of one value per customer.
        counts, edges = np.histogram(logs[logs >= lo], bins=40, range=(lo, max(hi, lo + 1)))
        fig.add_trace(
            go.Bar(
                x=(edges[:-1] + edges[1:]) / 2,
                y=counts,
                width=np.diff(edges),
                marker_color=ACTUAL_COLOR,
                name=t("customers"),
                hovertemplate=t("%{y} customers") + "<extra></extra>",
            )
        )
        ticks = list(range(lo, max(hi, lo + 1) + 1))
        tickvals, ticktext = list(ticks), [_tick(p, currency) for p in ticks]
        if below:
            fig.add_trace(go.Bar(x=[lo - 0.25], y=[below], width=[0.4], marker_color=BASELINE_COLOR,
                                 name=t("under {amount}", amount=_tick(lo, currency)),
                                 hovertemplate=t("%{y} customers") + "<extra></extra>"))
            tickvals.insert(0, lo - 0.25)
            ticktext.insert(0, t("under {amount}", amount=_tick(lo, currency)))
        fig.update_layout(bargap=0, showlegend=False)
        fig.update_xaxes(tickvals=tickvals, ticktext=ticktext, tickangle=0)
        fig.update_yaxes(**number_axis([*counts, below], whole=True))
    left_out = int((value <= 0).sum() + value.isna().sum())
    title = t("How much are customers worth over the coming months?")
    if left_out:
        title += "<br><sup>" + tn("{n} customer with no expected value is not shown",
                                 "{n} customers with no expected value are not shown", left_out) + "</sup>"
    return _layout(fig, title, in_currency(t("Expected value per customer (log scale)"), currency),
                   t("Number of customers"))


def p_alive_by_recency(customers: pd.DataFrame, max_points: int = 5000, seed: int = 0) -> go.Figure:
    """Chance each customer is still active against weeks since their last purchase, dots
    coloured by how many repeat purchases they made, with the average per 4-week band."""
    frame = customers.assign(weeks_since=customers["T"] - customers["recency"])
    shown = frame.sample(max_points, random_state=seed) if len(frame) > max_points else frame
    groups = np.minimum(shown["frequency"], 5)
    names = {0: t("bought once"), 5: t("5+ repeat purchases")}
    names.update({n: tn("{n} repeat purchase", "{n} repeat purchases", n) for n in (1, 2, 3, 4)})
    fig = go.Figure()
    for group in sorted(set(groups.astype(int))):
        part = shown[groups == group]
        label = names[group]
        fig.add_trace(
            go.Scattergl(
                x=part["weeks_since"],
                y=part["p_alive"],
                mode="markers",
                marker={"size": 5, "opacity": 0.5},
                name=label,
                hovertemplate=t("%{x:.0f} weeks since last purchase<br>%{y:.0%} chance active") + "<extra></extra>",
            )
        )
    band = (frame["weeks_since"] // 4) * 4 + 2
    mean = frame.groupby(band)["p_alive"].mean()
    fig.add_trace(
        go.Scatter(x=mean.index, y=mean.to_numpy(), mode="lines", name=t("average"), line={"color": "black", "width": 3})
    )
    fig.update_yaxes(tickformat=".0%", range=[0, 1.02])
    return _layout(
        fig,
        t("The longer since their last purchase, the less likely a customer is still active"),
        t("Weeks since last purchase"),
        t("Chance the customer is still active"),
    )


def _mark_date(fig: go.Figure, when, text: str) -> None:
    when = pd.Timestamp(when)
    fig.add_shape(type="line", x0=when, x1=when, yref="paper", y0=0, y1=1, line={"dash": "dash", "color": "grey"})
    fig.add_annotation(x=when, yref="paper", y=1, text=text, showarrow=False, xanchor="left", yanchor="bottom")


def tracking_chart(tracking: pd.DataFrame, calibration_end) -> go.Figure:
    """Cumulative repeat purchases, actual against the model's, week by week; the model
    learned from the weeks left of the dashed line and forecasts the weeks right of it."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=tracking["week_end"], y=tracking["actual_cumulative"], mode="lines",
                   name=t("Actual"), line={"color": ACTUAL_COLOR, "width": 3})
    )
    fig.add_trace(
        go.Scatter(x=tracking["week_end"], y=tracking["predicted_cumulative"], mode="lines",
                   name=t("Model"), line={"color": MODEL_COLOR, "width": 3, "dash": "dot"})
    )
    _mark_date(fig, calibration_end, t("model learned up to here; forecast after"))
    fig.update_xaxes(**date_ticks())
    fig.update_yaxes(**number_axis([*tracking["actual_cumulative"], *tracking["predicted_cumulative"]], whole=True))
    return _layout(fig, t("Repeat purchases so far: actual against the model"), t("Week ending"),
                   t("Repeat purchases (cumulative)"))


def conditional_expectations_chart(conditional: pd.DataFrame, show_baseline: bool = True) -> go.Figure:
    """Average purchases per customer in the holdout period, grouped by how many repeat
    purchases the customers made before it: actual against the model's forecast."""
    fig = go.Figure()
    x = conditional["frequency"].astype(str)
    fig.add_trace(go.Scatter(x=x, y=conditional["actual"], mode="lines+markers", name=t("Actual"),
                             line={"color": ACTUAL_COLOR, "width": 3}))
    fig.add_trace(go.Scatter(x=x, y=conditional["predicted"], mode="lines+markers", name=t("Model"),
                             line={"color": MODEL_COLOR, "width": 3, "dash": "dot"}))
    if show_baseline and "baseline" in conditional:
        fig.add_trace(go.Scatter(x=x, y=conditional["baseline"], mode="lines+markers",
                                 name=t("Simple rule: same rate as before"),
                                 line={"color": BASELINE_COLOR, "dash": "dash"}))
    fig.update_traces(customdata=conditional["customers"],
                      hovertemplate=t("%{y:.2f} purchases (%{customdata} customers)"))
    return _layout(
        fig,
        t("Did customers buy as often as forecast?"),
        t("Repeat purchases before the forecast period"),
        t("Average purchases per customer in the forecast period"),
    )
