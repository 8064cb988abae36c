"""Figures for the differentiate step: pyramid, tier migration, value vs potential, the
satisfaction-by-volume matrix and the RFM grid. DataFrames in (from analysis.differentiate.pyramid,
analysis.differentiate.value, analysis.differentiate.matrix, analysis.differentiate.rfm), plotly figures out. Each mark's
``customdata`` starts with its key (tier, customer id, cell id, "r/f") for click-through.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis import i18n
from analysis.charts import TIER_COLORS, escape, hover_numbers, number_axis
from analysis.differentiate.matrix import (NO_SURVEY, URGENCY_LEVELS, cell_id, level_label, satisfaction_label, start_here,
                             volume_label)
from analysis.money import in_currency
from analysis.differentiate.pyramid import tier_label
from analysis.vocabulary import NEW_TIER

# The matrix's grid: rows top to bottom, columns left to right.
SATISFACTION_ROWS = ("high", "medium", "low", NO_SURVEY)
VOLUME_COLUMNS = ("low", "medium", "high")
GROUP_COLORS = {"MVC": "#1e8449", "MCC": "#2874a6", "BZ": "#c0392b", "other": "#b2babb"}


def pyramid_chart(pyr: pd.DataFrame, currency: str = "") -> go.Figure:
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
        customdata=list(zip(tiers, counts, pyr["revenue"], pyr["revenue_share"],
                            hover_numbers(pyr["revenue"], currency))),
        hovertemplate=("<b>%{y}</b><br>" + i18n.t("Customers: {value}", value="%{customdata[1]:,}") + "<br>"
                       + i18n.t("Revenue: {value}", value="%{customdata[4]}") + "<br>"
                       + i18n.t("Revenue share: {value}", value="%{customdata[3]:.1%}") + "<extra></extra>"),
    ))
    fig.update_yaxes(autorange="reversed", title=i18n.t("Tier"))
    # the bars take the left part of the plot and their labels the right, inside the figure
    # whatever its width or language (a label past the plot's edge would be cut)
    widest = max(width, default=1.0) or 1.0
    fig.update_xaxes(visible=False, range=[-0.55 * widest, 1.9 * widest])
    fig.update_layout(title=i18n.t("Customer pyramid (bar width ~ square root of customers)"),
                      showlegend=False, margin=dict(r=20))
    return fig


def migration_sankey(migration: pd.DataFrame, months: int = 12) -> go.Figure:
    """Sankey of customers moving from their tier ``months`` months ago (one activity
    window; left) to now (right); the customers not known then come from "new since then"."""
    left = list(dict.fromkeys(migration["from_tier"]))
    right = list(dict.fromkeys(migration["to_tier"]))
    nodes = ([tier_label(t) if t == NEW_TIER else i18n.t("{tier} ({months} months ago)", tier=tier_label(t), months=months)
              for t in left]
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
    fig.update_layout(title=i18n.t("Tier migration: {months} months ago → now", months=months))
    return fig


def _groups(frame: pd.DataFrame) -> np.ndarray:
    """BZ over MVC over MCC, else "other", per row."""
    flags = [frame[c].fillna(False).astype(bool).to_numpy() for c in ("is_bz", "is_mvc", "is_mcc")]
    return np.select(flags, ["BZ", "MVC", "MCC"], default="other")


def value_scatter(groups: pd.DataFrame, currency: str = "") -> go.Figure:
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
            customdata=list(zip(part["customer_id"], part["profit"], part["gap"],
                                *(hover_numbers(part[c], currency) for c in ("revenue_window", "potential", "gap",
                                                                             "profit")))),
            hovertext=[escape(c) for c in part["customer_id"]],  # the click key stays raw in customdata
            hovertemplate=("<b>%{hovertext}</b><br>" + i18n.t("Revenue: {value}", value="%{customdata[3]}")
                           + "<br>" + i18n.t("Potential: {value}", value="%{customdata[4]}")
                           + "<br>" + i18n.t("Gap: {value}", value="%{customdata[5]}")
                           + "<br>" + i18n.t("Profit: {value}", value="%{customdata[6]}")
                           + "<extra>" + shown + "</extra>"),
        ))
    top = float(max(frame["revenue_window"].max(), frame["potential"].max())) if len(frame) else 1.0
    fig.add_trace(go.Scatter(x=[0, top], y=[0, top], mode="lines", name=i18n.t("potential = actual"),
                             line=dict(dash="dot", color="#7f8c8d"), hoverinfo="skip"))
    fig.update_layout(title=i18n.t("Value vs potential: MVC, MCC and BZ customers"),
                      xaxis_title=in_currency(i18n.t("Revenue in the window"), currency),
                      yaxis_title=in_currency(i18n.t("Potential"), currency))
    fig.update_xaxes(**number_axis(frame["revenue_window"], currency))
    fig.update_yaxes(**number_axis(frame["potential"], currency))
    return fig


# Cell colours by urgency (analysis.differentiate.matrix.URGENCY_LEVELS): where to act, not where the money is.
URGENCY_COLORS = {"empty": "#f2f3f4", "keep": "#d6eaf8", "plan": "#f9e79f", "act": "#f5b7b1", "start": "#c0392b"}
_URGENCY_Z = {"empty": 0, "keep": 1, "plan": 2, "act": 3, "start": 4}


def _steps(colors: list[str]) -> list:
    """A stepped colorscale giving each of the integer z values 0..n-1 its own colour."""
    n = len(colors)
    return [[edge, color] for i, color in enumerate(colors) for edge in (i / n, (i + 1) / n)]


def matrix_heatmap(matrix: pd.DataFrame, currency: str = "") -> go.Figure:
    """The satisfaction-by-volume grid: rows satisfaction high, medium, low and, below a dashed
    line, "no survey" (customers not asked yet are a row, never guessed); columns volume low,
    medium, high, so the partners (A) are top right. Each cell shows its ABCD class, strategy,
    customers and window revenue. Colour is urgency (:data:`analysis.differentiate.matrix.URGENCY_LEVELS`),
    not revenue; the most urgent cell with customers (:func:`analysis.differentiate.matrix.start_here`) is
    dark red, outlined and marked "Start here". ``customdata`` starts with the cell id."""
    by_cell = matrix.set_index("cell")
    start = start_here(matrix)
    start_cell = None if start is None else start["cell"]
    z, text, custom = [], [], []
    for s in SATISFACTION_ROWS:
        zr, tr, cr = [], [], []
        for v in VOLUME_COLUMNS:
            cid = cell_id(v, s)
            r = by_cell.loc[cid] if cid in by_cell.index else None
            customers = int(r["customers"]) if r is not None else 0
            revenue = float(r["revenue"]) if r is not None else 0.0
            strategy = r["strategy"] if r is not None else ""
            level = "start" if cid == start_cell else URGENCY_LEVELS[cid] if customers else "empty"
            abcd = r["abcd"] if r is not None and isinstance(r["abcd"], str) else ""
            named = "<br>".join(textwrap.wrap(f"{abcd} {strategy}" if abcd else strategy, 22))  # our own words
            lines = [named.replace(f"{abcd} ", f"<b>{abcd}</b> ", 1) if abcd else named,
                     i18n.tn("{n:,} customer", "{n:,} customers", customers), i18n.money(revenue, currency)]
            if cid == start_cell:
                lines.insert(0, "<b>▶ " + i18n.t("Start here") + "</b>")
            zr.append(_URGENCY_Z[level])
            tr.append("<br>".join(lines))
            cr.append([cid, strategy, customers, revenue, level_label(URGENCY_LEVELS[cid]),
                       hover_numbers([revenue], currency)[0]])
        z.append(zr); text.append(tr); custom.append(cr)
    fig = go.Figure(go.Heatmap(
        z=z, x=[volume_label(v) for v in VOLUME_COLUMNS], y=[satisfaction_label(s) for s in SATISFACTION_ROWS],
        text=text, texttemplate="%{text}", colorscale=_steps(list(URGENCY_COLORS.values())), zmin=-0.5,
        zmax=len(URGENCY_COLORS) - 0.5, showscale=False, customdata=custom, xgap=2, ygap=2,
        textfont=dict(size=13),
        hovertemplate=("<b>%{customdata[1]}</b><br>" + i18n.t("Customers: {value}", value="%{customdata[2]:,}")
                       + "<br>" + i18n.t("Revenue: {value}", value="%{customdata[5]}")
                       + "<br>" + i18n.t("Urgency: {level}", level="%{customdata[4]}")
                       + "<extra>%{y}, %{x}</extra>"),
    ))
    rows = len(SATISFACTION_ROWS)
    fig.add_shape(type="line", x0=-0.5, x1=len(VOLUME_COLUMNS) - 0.5, y0=rows - 1.5, y1=rows - 1.5,
                  line=dict(color="#566573", width=2, dash="dash"))
    if start_cell is not None:
        v, s = start_cell.split("/")
        x, y = VOLUME_COLUMNS.index(v), SATISFACTION_ROWS.index(s)
        fig.add_shape(type="rect", x0=x - 0.5, x1=x + 0.5, y0=y - 0.5, y1=y + 0.5,
                      line=dict(color="#641e16", width=4))
    fig.update_yaxes(autorange="reversed", title=i18n.t("Satisfaction (latest survey)"))
    fig.update_xaxes(title=i18n.t("Volume (window revenue terciles)"))
    fig.update_layout(title=i18n.t("Satisfaction by volume: who gets which treatment"), height=580)
    return fig


def rfm_heatmap(grid: pd.DataFrame) -> go.Figure:
    """R x F customer counts from :func:`analysis.differentiate.rfm.rf_grid` (R 5 at the top)."""
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
