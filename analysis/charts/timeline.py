"""A customer's timeline: one time axis, one lane per event kind.

Purchases are markers sized by amount and coloured by category; contacts and visits are
marked by channel; complaints, surveys (with their score) and resolutions have lanes of
their own. Names, notes and categories are user data: plotly renders a subset of HTML in
text, so every user string is escaped before it reaches a label or hover text.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from analysis.charts import date_ticks, escape
from analysis.i18n import language, t
from analysis.interact.contacts import contact_channel_label
from analysis.interact.timeline import KIND_ORDER, event_type_label

CHANNEL_SYMBOLS = {
    "phone": "circle", "email": "square", "visit": "diamond", "web": "triangle-up",
    "chat": "hexagon", "letter": "pentagon", "event": "star",
}
# A history this short (in days) gets a tick a day.
SHORT_DAYS = 14
_DAY_MS = 86_400_000
COMPLAINT_COLOR = "#c0392b"
RESOLUTION_COLOR = "#27ae60"
REFUND_COLOR = "#7f8c8d"
CONTACT_COLOR = "#34495e"


def _hover(rows: pd.DataFrame) -> list[str]:
    return [
        f"<b>{t('{when:%Y-%m-%d %H:%M}', when=w)}</b><br>{escape(d)}" if (w.hour or w.minute)
        else f"<b>{t('{when:%Y-%m-%d}', when=w)}</b><br>{escape(d)}"
        for w, d in zip(rows["time"], rows["detail"])
    ]


def _sizes(amount: pd.Series, biggest: float) -> list[float]:
    """Marker diameter 8..32 px, area proportional to the size of the amount (a refund's too);
    12 px for every marker when no amount is above zero (only purchases of 0.00)."""
    if not biggest > 0:  # also NaN
        return [12.0] * len(amount)
    return [8 + 24 * math.sqrt(abs(a) / biggest) if pd.notna(a) else 8.0 for a in amount]


def timeline_figure(events: pd.DataFrame, title: str | None = None) -> go.Figure:
    """The figure for :func:`analysis.interact.timeline.customer_events` output."""
    fig = go.Figure()
    kinds = [k for k in KIND_ORDER if k in set(events["kind"])]
    kinds += sorted(set(events["kind"].dropna()) - set(KIND_ORDER))
    lane = {k: escape(event_type_label(k)) for k in kinds}
    # the largest purchase or refund: a customer with only refunds has no purchase to scale by
    amounts = events.loc[events["kind"].isin(["purchase", "refund"]), "amount"].abs()
    biggest = float(amounts.max()) if amounts.notna().any() else 0.0
    palette = px.colors.qualitative.Safe + px.colors.qualitative.Vivid

    purchases = events[events["kind"] == "purchase"]
    category = purchases["category"].astype(object).where(purchases["category"].notna(), t("(none)"))
    for n, (cat, rows) in enumerate(purchases.groupby(category, sort=True)):
        fig.add_trace(go.Scatter(
            x=rows["time"], y=[lane["purchase"]] * len(rows), mode="markers", name=escape(cat),
            legendgroup="purchase", legendgrouptitle_text=lane["purchase"],
            marker=dict(size=_sizes(rows["amount"], biggest), color=palette[n % len(palette)],
                        line=dict(width=1, color="white")),
            hovertext=_hover(rows), hovertemplate="%{hovertext}<extra></extra>",
        ))
    for kind in kinds:
        if kind == "purchase":
            continue
        rows = events[events["kind"] == kind]
        if kind == "survey":
            score = rows["satisfaction_5"]
            fig.add_trace(go.Scatter(
                x=rows["time"], y=[lane[kind]] * len(rows), mode="markers+text", name=lane[kind],
                text=[f"{s:.1f}" if pd.notna(s) else "" for s in score], textposition="top center",
                marker=dict(size=14, color=score, cmin=1, cmax=5, colorscale="RdYlGn", symbol="circle",
                            line=dict(width=1, color="#555")),
                hovertext=_hover(rows), hovertemplate="%{hovertext}<extra></extra>",
            ))
        elif kind in ("complaint", "refund", "resolution"):
            style = {
                "complaint": dict(color=COMPLAINT_COLOR, symbol="x", size=14),
                "refund": dict(color=REFUND_COLOR, symbol="triangle-down", size=_sizes(rows["amount"], biggest)),
                "resolution": dict(color=RESOLUTION_COLOR, symbol="star", size=14),
            }[kind]
            fig.add_trace(go.Scatter(
                x=rows["time"], y=[lane[kind]] * len(rows), mode="markers", name=lane[kind], marker=style,
                hovertext=_hover(rows), hovertemplate="%{hovertext}<extra></extra>",
            ))
        else:  # contact, visit and any other kind: one trace per channel
            channel = rows["channel"].astype(object).where(rows["channel"].notna(), "?")
            for ch, part in rows.groupby(channel, sort=True):
                fig.add_trace(go.Scatter(
                    x=part["time"], y=[lane[kind]] * len(part), mode="markers",
                    name=f"{lane[kind]}: {escape(contact_channel_label(ch))}", legendgroup=lane[kind],
                    marker=dict(size=12, color=CONTACT_COLOR, symbol=CHANNEL_SYMBOLS.get(str(ch).lower(), "circle-open")),
                    hovertext=_hover(part), hovertemplate="%{hovertext}<extra></extra>",
                ))
    fig.update_yaxes(
        type="category", categoryorder="array", categoryarray=[lane[k] for k in reversed(kinds)], title=None,
    )
    fig.update_xaxes(type="date", rangeslider=dict(visible=True), title=None)
    fig.update_layout(
        title=escape(title) if title else None, hovermode="closest", height=360 + 30 * len(kinds),
        legend=dict(orientation="v"), margin=dict(l=10, r=10, t=50 if title else 20, b=10),
    )
    if events.empty:
        fig.add_annotation(text=t("No purchases or contacts yet"), showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    fig.update_xaxes(**date_ticks())
    times = pd.to_datetime(events["time"]) if not events.empty else pd.Series([], dtype="datetime64[ns]")
    if len(times) and times.max() - times.min() <= pd.Timedelta(days=SHORT_DAYS):
        # a few days of history: a tick a day, written as a day (plotly's own ticks fall every
        # 12 hours and write "00:00" and "12:00", hours a manager's purchases do not have)
        fig.update_xaxes(dtick=_DAY_MS, tick0=times.min().normalize(),
                         **({} if language() == "zh" else {"tickformat": "%-d %b\n%Y"}))
    return fig
