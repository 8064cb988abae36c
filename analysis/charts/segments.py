"""Figures for the differentiate step: pyramid, tier migration, value vs potential, the
satisfaction-by-volume matrix and the RFM grid. DataFrames in (from analysis.pyramid,
analysis.value, analysis.matrix, analysis.rfm), plotly figures out. Each mark's
``customdata`` starts with its key (tier, customer id, cell id, "r/f") for click-through.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis import i18n
from analysis.charts import TIER_COLORS, escape
from analysis.matrix import satisfaction_label, volume_label
from analysis.pyramid import tier_label

GROUP_COLORS = {"MVC": "#1e8449", "MCC": "#2874a6", "BZ": "#c0392b", "other": "#b2babb"}


def pyramid_chart(pyr: pd.DataFrame, currency: str = "$") -> go.Figure:
    """A centred horizontal-bar pyramid, top tier first, with counts, revenue and share.
    Bar widths are scaled by the square root of the count so small tiers stay visible."""
    tiers = list(pyr["tier"])
    counts = [int(c) for c in pyr["customers"]]
    width = [max(c, 0) ** 0.5 for c in counts]
    labels = [
        i18n.t("{tier}: {customers} · {revenue} ({share})", tier=tier_label(t), customers=i18n.number(c),
               revenue=i18n.money(r, currency), share=i18n.percent(s))
        for t, c, r, s in zip(tiers, counts, pyr["revenue"], pyr["revenue_share"])
    ]
    fig = go.Figure(go.Bar(
        y=[tier_label(t) for t in tiers], x=width, base=[-w / 2 for w in width], orientation="h",
        marker_color=[TIER_COLORS.get(t, "#999999") for t in tiers],
        text=labels, textposition="outside", cliponaxis=False,
        customdata=list(zip(tiers, counts, pyr["revenue"], pyr["revenue_share"])),
        hovertemplate=("<b>%{y}</b><br>" + i18n.t("Customers: {value}", value="%{customdata[1]:,}") + "<br>"
                       + i18n.t("Revenue: {value}", value=currency + "%{customdata[2]:,.0f}") + "<br>"
                       + i18n.t("Revenue share: {value}", value="%{customdata[3]:.1%}") + "<extra></extra>"),
    ))
    fig.update_yaxes(autorange="reversed", title=i18n.t("Tier"))
    fig.update_xaxes(visible=False)
    fig.update_layout(title=i18n.t("Customer pyramid (bar width ~ square root of customers)"),
                      showlegend=False, margin=dict(l=80, r=200))
    return fig


def migration_sankey(migration: pd.DataFrame) -> go.Figure:
    """Sankey of customers moving from their tier one window ago (left) to now (right)."""
    left = list(dict.fromkeys(migration["from_tier"]))
    right = list(dict.fromkeys(migration["to_tier"]))
    nodes = ([i18n.t("{tier} (before)", tier=tier_label(t)) for t in left]
             + [i18n.t("{tier} (now)", tier=tier_label(t)) for t in right])
    keys = left + right
    colors = [TIER_COLORS.get(t, "#999999") for t in keys]
    fig = go.Figure(go.Sankey(
        node=dict(label=nodes, color=colors, customdata=keys,
                  hovertemplate=i18n.t("{label}: {count} customers", label="%{label}", count="%{value:,}")
                  + "<extra></extra>"),
        link=dict(
            source=[left.index(t) for t in migration["from_tier"]],
            target=[len(left) + right.index(t) for t in migration["to_tier"]],
            value=[int(c) for c in migration["customers"]],
            customdata=[f"{a}->{b}" for a, b in zip(migration["from_tier"], migration["to_tier"])],
            hovertemplate=i18n.t("{label}: {count} customers", label="%{source.label} → %{target.label}",
                                 count="%{value:,}") + "<extra></extra>",
        ),
    ))
    fig.update_layout(title=i18n.t("Tier migration: one window ago → now"))
    return fig


def _groups(frame: pd.DataFrame) -> np.ndarray:
    """BZ over MVC over MCC, else "other", per row."""
    flags = [frame[c].fillna(False).astype(bool).to_numpy() for c in ("is_bz", "is_mvc", "is_mcc")]
    return np.select(flags, ["BZ", "MVC", "MCC"], default="other")


def value_scatter(groups: pd.DataFrame, currency: str = "$") -> go.Figure:
    """Actual window revenue (x) against potential (y), one point per customer, coloured by
    group (BZ over MVC over MCC when a customer is in several; MVC and MCC both are MVC)."""
    frame = groups[["customer_id", "revenue_window", "potential", "profit", "gap"]].copy()
    frame["group"] = _groups(groups)
    fig = go.Figure()
    for name in ("MVC", "MCC", "BZ", "other"):
        part = frame[frame["group"] == name]
        if part.empty:
            continue
        shown = i18n.t("other") if name == "other" else name  # MVC, MCC and BZ read the same in both
        fig.add_trace(go.Scatter(  # SVG: renders headless and in exports; callers sample large sets
            x=part["revenue_window"], y=part["potential"], mode="markers", name=shown,
            marker=dict(color=GROUP_COLORS[name], size=7, opacity=0.8),
            customdata=list(zip(part["customer_id"], part["profit"], part["gap"])),
            hovertext=[escape(c) for c in part["customer_id"]],  # the click key stays raw in customdata
            hovertemplate=("<b>%{hovertext}</b><br>" + i18n.t("Revenue: {value}", value=currency + "%{x:,.0f}")
                           + "<br>" + i18n.t("Potential: {value}", value=currency + "%{y:,.0f}")
                           + "<br>" + i18n.t("Gap: {value}", value=currency + "%{customdata[2]:,.0f}")
                           + "<br>" + i18n.t("Profit: {value}", value=currency + "%{customdata[1]:,.0f}")
                           + "<extra>" + shown + "</extra>"),
        ))
    top = float(max(frame["revenue_window"].max(), frame["potential"].max())) if len(frame) else 1.0
    fig.add_trace(go.Scatter(x=[0, top], y=[0, top], mode="lines", name=i18n.t("potential = actual"),
                             line=dict(dash="dot", color="#7f8c8d"), hoverinfo="skip"))
    fig.update_layout(title=i18n.t("Value vs potential: MVC, MCC and BZ customers"),
                      xaxis_title=i18n.t("Revenue in the window ({currency})", currency=currency),
                      yaxis_title=i18n.t("Potential ({currency})", currency=currency))
    return fig


def matrix_heatmap(matrix: pd.DataFrame, currency: str = "$") -> go.Figure:
    """The 3 x 3 satisfaction-by-volume grid (rows volume high..low, columns satisfaction
    low..high); each cell shows customers, revenue, strategy and the ABCD class."""
    cells = matrix[matrix["satisfaction"] != "none"]
    vols, sats = ["high", "medium", "low"], ["low", "medium", "high"]
    z, text, custom = [], [], []
    for v in vols:
        zr, tr, cr = [], [], []
        for s in sats:
            row = cells[(cells.volume == v) & (cells.satisfaction == s)]
            if row.empty:
                zr.append(0); tr.append(""); cr.append([f"{v}/{s}", "", 0, 0.0]); continue
            r = row.iloc[0]
            zr.append(int(r.customers))
            tr.append(f"<b>{r.abcd or ''}</b> {r.strategy}<br>"
                      + i18n.tn("{n:,} customer", "{n:,} customers", int(r.customers))
                      + f"<br>{i18n.money(r.revenue, currency)}")
            cr.append([r.cell, r.strategy, int(r.customers), float(r.revenue)])
        z.append(zr); text.append(tr); custom.append(cr)
    fig = go.Figure(go.Heatmap(
        z=z, x=[satisfaction_label(s) for s in sats], y=[volume_label(v) for v in vols],
        text=text, texttemplate="%{text}", colorscale="Blues", showscale=False, customdata=custom,
        hovertemplate=("<b>%{customdata[1]}</b><br>" + i18n.t("Customers: {value}", value="%{customdata[2]:,}")
                       + "<br>" + i18n.t("Revenue: {value}", value=currency + "%{customdata[3]:,.0f}")
                       + "<extra>%{y}, %{x}</extra>"),
    ))
    fig.update_layout(title=i18n.t("Satisfaction by volume: who gets which treatment"),
                      xaxis_title=i18n.t("Satisfaction (latest survey)"),
                      yaxis_title=i18n.t("Volume (window revenue terciles)"))
    return fig


def rfm_heatmap(grid: pd.DataFrame) -> go.Figure:
    """R x F customer counts from :func:`analysis.rfm.rf_grid` (R 5 at the top)."""
    rs, fs = list(grid.index), list(grid.columns)
    fig = go.Figure(go.Heatmap(
        z=grid.values.tolist(), x=[f"F{f}" for f in fs], y=[f"R{r}" for r in rs],
        text=grid.values.tolist(), texttemplate="%{text:,}", colorscale="Blues",
        customdata=[[f"{r}/{f}" for f in fs] for r in rs],
        hovertemplate=i18n.t("{label}: {count} customers", label="%{y}, %{x}", count="%{z:,}")
        + "<extra>%{customdata}</extra>",
    ))
    fig.update_yaxes(autorange="reversed")  # the first row (R 5) on top
    fig.update_layout(title=i18n.t("RFM: customers by recency and frequency score"),
                      xaxis_title=i18n.t("Frequency score (5 = most orders)"),
                      yaxis_title=i18n.t("Recency score (5 = most recent)"))
    return fig
